//! `diff(expected, actual)`: every difference between two schemas, one `Change` per object and
//! aspect, in a stable order (enums, then tables by name; within a table columns, keys, indexes).

use super::model::*;
use super::normalize::same_default;
use crate::ir::UniqueKind;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub object: ObjectKind,
    /// The table the object belongs to (None for tables and enum types themselves).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    pub name: String,
    #[serde(flatten)]
    pub kind: ChangeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Extension,
    Enum,
    Domain,
    Table,
    Column,
    PrimaryKey,
    Unique,
    Index,
    ForeignKey,
    Check,
    Partition,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ChangeKind {
    /// Expected (in the spec) but absent from the actual schema.
    Missing,
    /// Present in the actual schema but not expected.
    Extra,
    Differs {
        aspect: Aspect,
        expected: String,
        actual: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    Type,
    Nullability,
    Default,
    Values,
    Columns,
    Kind,
    References,
    OnDelete,
    OnUpdate,
    Definition,
    Generated,
    Collation,
    Comment,
}

impl Change {
    fn new(object: ObjectKind, table: Option<&str>, name: &str, kind: ChangeKind) -> Self {
        Self { object, table: table.map(str::to_string), name: name.to_string(), kind }
    }

    fn differs(
        object: ObjectKind,
        table: Option<&str>,
        name: &str,
        aspect: Aspect,
        expected: String,
        actual: String,
    ) -> Self {
        Self::new(object, table, name, ChangeKind::Differs { aspect, expected, actual })
    }
}

pub fn diff(expected: &Schema, actual: &Schema) -> Vec<Change> {
    let mut changes = Vec::new();
    for name in union(expected.extensions.iter(), actual.extensions.iter()) {
        match (expected.extensions.contains(name), actual.extensions.contains(name)) {
            (true, false) => changes.push(Change::new(ObjectKind::Extension, None, name, ChangeKind::Missing)),
            (false, true) => changes.push(Change::new(ObjectKind::Extension, None, name, ChangeKind::Extra)),
            _ => {}
        }
    }
    for name in union(expected.enums.keys(), actual.enums.keys()) {
        match (expected.enums.get(name), actual.enums.get(name)) {
            (Some(_), None) => changes.push(Change::new(ObjectKind::Enum, None, name, ChangeKind::Missing)),
            (None, Some(_)) => changes.push(Change::new(ObjectKind::Enum, None, name, ChangeKind::Extra)),
            (Some(e), Some(a)) if e.values != a.values => changes.push(Change::differs(
                ObjectKind::Enum,
                None,
                name,
                Aspect::Values,
                list(&e.values),
                list(&a.values),
            )),
            _ => {}
        }
    }
    for name in union(expected.domains.keys(), actual.domains.keys()) {
        match (expected.domains.get(name), actual.domains.get(name)) {
            (Some(_), None) => changes.push(Change::new(ObjectKind::Domain, None, name, ChangeKind::Missing)),
            (None, Some(_)) => changes.push(Change::new(ObjectKind::Domain, None, name, ChangeKind::Extra)),
            (Some(e), Some(a)) if e != a => changes.push(Change::differs(
                ObjectKind::Domain,
                None,
                name,
                Aspect::Definition,
                e.definition(),
                a.definition(),
            )),
            _ => {}
        }
    }
    for name in union(expected.tables.keys(), actual.tables.keys()) {
        match (expected.tables.get(name), actual.tables.get(name)) {
            (Some(_), None) => changes.push(Change::new(ObjectKind::Table, None, name, ChangeKind::Missing)),
            (None, Some(_)) => changes.push(Change::new(ObjectKind::Table, None, name, ChangeKind::Extra)),
            (Some(e), Some(a)) => diff_table(e, a, &mut changes),
            (None, None) => {}
        }
    }
    changes
}

fn diff_table(e: &Table, a: &Table, out: &mut Vec<Change>) {
    let t = Some(e.name.as_str());
    if e.partition_by != a.partition_by {
        let kind = |p: &Option<String>| p.as_ref().map_or("plain table".into(), |k| format!("partitioned by {k}"));
        out.push(Change::differs(
            ObjectKind::Table,
            None,
            &e.name,
            Aspect::Definition,
            kind(&e.partition_by),
            kind(&a.partition_by),
        ));
    }
    if e.comment != a.comment {
        out.push(Change::differs(
            ObjectKind::Table,
            None,
            &e.name,
            Aspect::Comment,
            shown(&e.comment),
            shown(&a.comment),
        ));
    }
    for name in union(e.partitions.keys(), a.partitions.keys()) {
        match (e.partitions.get(name), a.partitions.get(name)) {
            (Some(_), None) => out.push(Change::new(ObjectKind::Partition, t, name, ChangeKind::Missing)),
            (None, Some(_)) => out.push(Change::new(ObjectKind::Partition, t, name, ChangeKind::Extra)),
            (Some(x), Some(y)) if x != y => {
                out.push(Change::differs(ObjectKind::Partition, t, name, Aspect::Definition, x.clone(), y.clone()));
            }
            _ => {}
        }
    }
    for ec in &e.columns {
        let Some(ac) = a.column(&ec.name) else {
            out.push(Change::new(ObjectKind::Column, t, &ec.name, ChangeKind::Missing));
            continue;
        };
        if ec.data_type != ac.data_type {
            out.push(Change::differs(
                ObjectKind::Column,
                t,
                &ec.name,
                Aspect::Type,
                ec.data_type.clone(),
                ac.data_type.clone(),
            ));
        }
        if ec.nullable != ac.nullable {
            let word = |n: bool| if n { "NULL" } else { "NOT NULL" }.to_string();
            out.push(Change::differs(
                ObjectKind::Column,
                t,
                &ec.name,
                Aspect::Nullability,
                word(ec.nullable),
                word(ac.nullable),
            ));
        }
        let same_default = match (&ec.default, &ac.default) {
            (Some(x), Some(y)) => same_default(x, y),
            (x, y) => x == y,
        };
        for (aspect, x, y) in [
            (Aspect::Generated, &ec.generated, &ac.generated),
            (Aspect::Collation, &ec.collation, &ac.collation),
            (Aspect::Comment, &ec.comment, &ac.comment),
        ] {
            if x != y {
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
                out.push(Change::differs(ObjectKind::Column, t, &ec.name, aspect, show(x), show(y)));
            }
        }
        if !same_default {
            let show = |d: &Option<String>| d.clone().unwrap_or_else(|| "no default".into());
            out.push(Change::differs(
                ObjectKind::Column,
                t,
                &ec.name,
                Aspect::Default,
                show(&ec.default),
                show(&ac.default),
            ));
        }
    }
    for ac in &a.columns {
        if e.column(&ac.name).is_none() {
            out.push(Change::new(ObjectKind::Column, t, &ac.name, ChangeKind::Extra));
        }
    }
    match (&e.primary_key, &a.primary_key) {
        (Some(ep), None) => out.push(Change::new(ObjectKind::PrimaryKey, t, &ep.name, ChangeKind::Missing)),
        (None, Some(ap)) => out.push(Change::new(ObjectKind::PrimaryKey, t, &ap.name, ChangeKind::Extra)),
        (Some(ep), Some(ap)) => {
            if ep.name != ap.name {
                out.push(Change::new(ObjectKind::PrimaryKey, t, &ep.name, ChangeKind::Missing));
                out.push(Change::new(ObjectKind::PrimaryKey, t, &ap.name, ChangeKind::Extra));
            } else {
                if ep.columns != ap.columns {
                    out.push(Change::differs(
                        ObjectKind::PrimaryKey,
                        t,
                        &ep.name,
                        Aspect::Columns,
                        cols(&ep.columns),
                        cols(&ap.columns),
                    ));
                }
                // Under another name it is another key (missing and extra say all): options
                // are compared for the same key only.
                extra_differs(out, ObjectKind::PrimaryKey, t, &ep.name, (&ep.columns, &ep.extra), &ap.extra);
            }
        }
        (None, None) => {}
    }
    for name in union(e.uniques.keys(), a.uniques.keys()) {
        match (e.uniques.get(name), a.uniques.get(name)) {
            (Some(_), None) => out.push(Change::new(ObjectKind::Unique, t, name, ChangeKind::Missing)),
            (None, Some(_)) => out.push(Change::new(ObjectKind::Unique, t, name, ChangeKind::Extra)),
            (Some(eu), Some(au)) => {
                if eu.columns != au.columns {
                    out.push(Change::differs(
                        ObjectKind::Unique,
                        t,
                        name,
                        Aspect::Columns,
                        cols(&eu.columns),
                        cols(&au.columns),
                    ));
                }
                extra_differs(out, ObjectKind::Unique, t, name, (&eu.columns, &eu.extra), &au.extra);
                if eu.kind_explicit && au.kind_explicit && eu.kind != au.kind {
                    out.push(Change::differs(
                        ObjectKind::Unique,
                        t,
                        name,
                        Aspect::Kind,
                        unique_kind(eu.kind),
                        unique_kind(au.kind),
                    ));
                }
            }
            (None, None) => {}
        }
    }
    for name in union(e.indexes.keys(), a.indexes.keys()) {
        match (e.indexes.get(name), a.indexes.get(name)) {
            (Some(_), None) => out.push(Change::new(ObjectKind::Index, t, name, ChangeKind::Missing)),
            (None, Some(_)) => out.push(Change::new(ObjectKind::Index, t, name, ChangeKind::Extra)),
            (Some(ei), Some(ai)) => {
                if ei.columns != ai.columns {
                    out.push(Change::differs(
                        ObjectKind::Index,
                        t,
                        name,
                        Aspect::Columns,
                        cols(&ei.columns),
                        cols(&ai.columns),
                    ));
                }
                let shape = |i: &Index| {
                    format!(
                        "{}{}{}",
                        if i.unique { "unique " } else { "" },
                        i.method,
                        i.predicate.as_ref().map(|p| format!(" where {p}")).unwrap_or_default()
                    )
                };
                if !super::normalize::same_sql(&shape(ei), &shape(ai)) {
                    out.push(Change::differs(ObjectKind::Index, t, name, Aspect::Definition, shape(ei), shape(ai)));
                }
                extra_differs(out, ObjectKind::Index, t, name, (&ei.columns, &ei.extra), &ai.extra);
            }
            (None, None) => {}
        }
    }
    for name in union(e.foreign_keys.keys(), a.foreign_keys.keys()) {
        match (e.foreign_keys.get(name), a.foreign_keys.get(name)) {
            (Some(_), None) => out.push(Change::new(ObjectKind::ForeignKey, t, name, ChangeKind::Missing)),
            (None, Some(_)) => out.push(Change::new(ObjectKind::ForeignKey, t, name, ChangeKind::Extra)),
            (Some(ef), Some(af)) => {
                if ef.columns != af.columns {
                    out.push(Change::differs(
                        ObjectKind::ForeignKey,
                        t,
                        name,
                        Aspect::Columns,
                        cols(&ef.columns),
                        cols(&af.columns),
                    ));
                }
                let target = |f: &ForeignKey| format!("{}.{}{}", f.ref_schema, f.ref_table, cols(&f.ref_columns));
                if ef.options != af.options {
                    let show = |o: &str| if o.is_empty() { "no options".to_string() } else { o.to_string() };
                    out.push(Change::differs(
                        ObjectKind::ForeignKey,
                        t,
                        name,
                        Aspect::Definition,
                        show(&ef.options),
                        show(&af.options),
                    ));
                }
                if target(ef) != target(af) {
                    out.push(Change::differs(
                        ObjectKind::ForeignKey,
                        t,
                        name,
                        Aspect::References,
                        target(ef),
                        target(af),
                    ));
                }
                if ef.on_delete != af.on_delete {
                    out.push(Change::differs(
                        ObjectKind::ForeignKey,
                        t,
                        name,
                        Aspect::OnDelete,
                        ef.on_delete.sql().into(),
                        af.on_delete.sql().into(),
                    ));
                }
                if ef.on_update != af.on_update {
                    out.push(Change::differs(
                        ObjectKind::ForeignKey,
                        t,
                        name,
                        Aspect::OnUpdate,
                        ef.on_update.sql().into(),
                        af.on_update.sql().into(),
                    ));
                }
            }
            (None, None) => {}
        }
    }
    for name in union(e.checks.keys(), a.checks.keys()) {
        match (e.checks.get(name), a.checks.get(name)) {
            (Some(_), None) => out.push(Change::new(ObjectKind::Check, t, name, ChangeKind::Missing)),
            (None, Some(_)) => out.push(Change::new(ObjectKind::Check, t, name, ChangeKind::Extra)),
            (Some(x), Some(y)) if x != y => {
                out.push(Change::differs(ObjectKind::Check, t, name, Aspect::Definition, x.clone(), y.clone()));
            }
            _ => {}
        }
    }
}

/// Options beyond plain columns (DESC, INCLUDE, DEFERRABLE, an invalid index …) that one side has.
fn extra_differs(
    out: &mut Vec<Change>,
    object: ObjectKind,
    table: Option<&str>,
    name: &str,
    (columns, expected): (&[String], &Option<String>),
    actual: &Option<String>,
) {
    let same = match (expected, actual) {
        (Some(e), Some(a)) => super::normalize::same_sql(e, a),
        (e, a) => e == a,
    };
    if !same {
        let show = |extra: &Option<String>| extra.clone().unwrap_or_else(|| format!("plain {}", cols(columns)));
        out.push(Change::differs(object, table, name, Aspect::Definition, show(expected), show(actual)));
    }
}

fn union<'a>(a: impl Iterator<Item = &'a String>, b: impl Iterator<Item = &'a String>) -> BTreeSet<&'a String> {
    a.chain(b).collect()
}

fn list(values: &[String]) -> String {
    format!("[{}]", values.join(", "))
}

fn cols(columns: &[String]) -> String {
    format!("({})", columns.join(", "))
}

fn unique_kind(kind: UniqueKind) -> String {
    match kind {
        UniqueKind::Index => "unique index".into(),
        UniqueKind::Constraint => "UNIQUE constraint".into(),
    }
}

/// A comment for a report: quoted, or `no comment`.
fn shown(comment: &Option<String>) -> String {
    comment.as_ref().map_or_else(|| "no comment".into(), |c| format!("{c:?}"))
}
