//! Tables, columns, keys, indexes, foreign keys and enum types of one PostgreSQL schema, in the
//! vocabulary of the catalog (types as `format_type()` renders them).

use super::normalize::default_expr;
use crate::ir::{FkAction, UniqueKind};
use crate::naming::{quote_ident, quote_literal};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    pub name: String,
    /// Installed extensions by name (`plpgsql` aside), wherever their objects live.
    pub extensions: BTreeSet<String>,
    pub enums: BTreeMap<String, EnumType>,
    pub domains: BTreeMap<String, Domain>,
    /// By key: the name in this schema, `schema.name` in another managed one (see [`table_key`]).
    pub tables: BTreeMap<String, Table>,
    /// Other schemas whose tables are managed too (the specs name them per entity).
    pub managed: BTreeSet<String>,
    /// Views and materialized views in the schema (never managed by the specs).
    pub views: Vec<String>,
    /// Tables in other schemas, by schema (never managed by the specs).
    pub other_schemas: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumType {
    pub name: String,
    /// In sort order.
    pub values: Vec<String>,
}

/// `CREATE DOMAIN name AS base [DEFAULT d] [NOT NULL] [CONSTRAINT c CHECK (…)]…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Domain {
    pub name: String,
    /// As `format_type()` prints it.
    pub base: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// Name → `CHECK (…)` as `pg_get_constraintdef()` prints it.
    pub checks: BTreeMap<String, String>,
}

impl Domain {
    /// The whole definition in one line, for comparing and reporting.
    pub fn definition(&self) -> String {
        let mut text = self.base.clone();
        if let Some(default) = &self.default {
            text.push_str(&format!(" DEFAULT {default}"));
        }
        if self.not_null {
            text.push_str(" NOT NULL");
        }
        for (name, check) in &self.checks {
            text.push_str(&format!(" CONSTRAINT {} {check}", quote_ident(name)));
        }
        text
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    /// A partitioned table's key as `pg_get_partkeydef()` prints it: `RANGE (payment_date)`.
    pub partition_by: Option<String>,
    /// `COMMENT ON TABLE`.
    pub comment: Option<String>,
    /// Its partitions: name → bound as `pg_get_expr(relpartbound)` prints it
    /// (`FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')`, `DEFAULT`).
    pub partitions: BTreeMap<String, String>,
    /// Physical order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: BTreeMap<String, Unique>,
    pub indexes: BTreeMap<String, Index>,
    pub foreign_keys: BTreeMap<String, ForeignKey>,
    /// CHECK and EXCLUDE constraints: name → definition (the specs declare none).
    pub checks: BTreeMap<String, String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// As `format_type()` renders it: `character varying(255)`, `numeric(10,2)`, `userstatus`.
    pub data_type: String,
    pub nullable: bool,
    /// As `pg_get_expr()` renders it.
    pub default: Option<String>,
    /// `GENERATED … AS IDENTITY` or `GENERATED ALWAYS AS (…) STORED`; the specs declare none.
    pub generated: Option<String>,
    /// A collation other than the type's default.
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
    /// The full definition when it is more than the plain columns (INCLUDE, DEFERRABLE, …).
    pub extra: Option<String>,
}

/// A unique key on plain columns: a UNIQUE constraint or a unique index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    pub kind: UniqueKind,
    /// False when the spec left the kind open (then constraint and index compare equal).
    pub kind_explicit: bool,
    /// The full definition when it is more than plain ascending columns (DESC, INCLUDE,
    /// operator class, NULLS NOT DISTINCT, DEFERRABLE, an invalid index, …).
    pub extra: Option<String>,
}

/// Any other index: plain, or unique with expressions or a predicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    /// Column names, or expressions as `pg_get_indexdef()` renders them.
    pub columns: Vec<String>,
    pub unique: bool,
    pub method: String,
    pub predicate: Option<String>,
    /// As for `Unique::extra`.
    pub extra: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_schema: String,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    /// MATCH FULL, DEFERRABLE, NOT VALID …, space-separated; empty when none.
    pub options: String,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

/// `pg_get_constraintdef()` of a key (`UNIQUE NULLS NOT DISTINCT (a, b) INCLUDE (c) DEFERRABLE`)
/// when it is more than `KEYWORD (columns)`: what lowering, replay and introspection keep.
pub fn key_definition(
    keyword: &str,
    columns: &[String],
    nulls_not_distinct: bool,
    include: &[String],
    deferral: &[&str],
) -> Option<String> {
    let list = |names: &[String]| names.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
    let plain = format!("{keyword} ({})", list(columns));
    let distinct = if nulls_not_distinct { " NULLS NOT DISTINCT" } else { "" };
    let mut definition = format!("{keyword}{distinct} ({})", list(columns));
    if !include.is_empty() {
        definition.push_str(&format!(" INCLUDE ({})", list(include)));
    }
    for word in deferral {
        definition.push(' ');
        definition.push_str(word);
    }
    (definition != plain).then_some(definition)
}

pub use crate::naming::{quote_in_table_schema, quote_table, split_table, table_key};

impl ForeignKey {
    /// The key of the table it references, for a schema whose own name is `ours`.
    pub fn target(&self, ours: &str) -> String {
        table_key(&self.ref_schema, &self.ref_table, ours)
    }
}

/// The default PostgreSQL gives a `serial` column of this table: the next value of the
/// sequence it creates and owns (`{table}_{column}_seq`, shortened as PostgreSQL shortens it).
pub fn serial_default(table: &str, column: &str) -> String {
    let sequence = crate::naming::make_object_name(split_table(table).1, column, "seq");
    let sequence = quote_in_table_schema(table, &sequence);
    format!("nextval({}::regclass)", quote_literal(&sequence))
}

/// `serial`, `bigserial` or `smallserial` when the column is one: an integer whose default is
/// its own sequence's next value (so the DDL creates that sequence).
pub fn serial_word(table: &str, column: &Column) -> Option<&'static str> {
    let word = match column.data_type.as_str() {
        "integer" => "serial",
        "bigint" => "bigserial",
        "smallint" => "smallserial",
        _ => return None,
    };
    (column.default.as_deref() == Some(serial_default(table, &column.name).as_str()) && !column.nullable)
        .then_some(word)
}

/// `fillfactor = 70, m = 16` as `pg_get_indexdef()` prints storage parameters: `fillfactor='70'`.
pub fn storage_parameters(text: &str) -> Option<Vec<String>> {
    text.split(',')
        .map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().trim_matches('\''));
            let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            (plain(&name) && plain(value)).then(|| format!("{name}='{value}'"))
        })
        .collect()
}

/// What `pg_get_indexdef()` prints after USING, in its order — `method (keys) INCLUDE (…)
/// NULLS NOT DISTINCT WITH (…) WHERE (…)` — or None when it is just the plain columns. `include`
/// is quoted names, `predicate` parenthesized; lowering and replay both spell an index here.
pub struct IndexParts<'a> {
    pub method: &'a str,
    pub columns: &'a [String],
    pub elements: &'a [String],
    pub include: &'a [String],
    pub nulls_not_distinct: bool,
    pub storage: &'a [String],
    pub predicate: Option<&'a str>,
}

impl IndexParts<'_> {
    pub fn extra(&self) -> Option<String> {
        let mut tail = format!("{} ({})", self.method, self.elements.join(", "));
        if !self.include.is_empty() {
            tail.push_str(&format!(" INCLUDE ({})", self.include.join(", ")));
        }
        if self.nulls_not_distinct {
            tail.push_str(" NULLS NOT DISTINCT");
        }
        if !self.storage.is_empty() {
            tail.push_str(&format!(" WITH ({})", self.storage.join(", ")));
        }
        if let Some(predicate) = self.predicate {
            tail.push_str(&format!(" WHERE {predicate}"));
        }
        let plain: Vec<String> = self.columns.iter().map(|c| quote_ident(c)).collect();
        (tail != format!("{} ({})", self.method, plain.join(", "))).then_some(tail)
    }
}

/// Renames, applied to the model the way PostgreSQL applies them: keys, indexes and foreign keys
/// (ours and other tables' pointing here) follow the renamed object. Replay and the migration
/// planner both rename through these, so a rename means one thing.
impl Schema {
    /// Whether a relation (table, index, or the index behind a key) or a type has this name.
    pub fn relation_exists(&self, name: &str) -> bool {
        self.tables.contains_key(name)
            || self.enums.contains_key(name)
            || self.tables.values().any(|t| {
                t.partitions.contains_key(name)
                    || t.primary_key.as_ref().is_some_and(|pk| pk.name == name)
                    || t.uniques.contains_key(name)
                    || t.indexes.contains_key(name)
            })
    }

    pub fn rename_table(&mut self, old: &str, new: &str) -> Result<(), String> {
        if self.relation_exists(new) {
            return Err(format!("relation '{new}' already exists"));
        }
        let mut t = self.tables.remove(old).ok_or_else(|| format!("table '{old}' does not exist"))?;
        new.clone_into(&mut t.name);
        self.tables.insert(new.to_string(), t);
        let ours = self.name.clone();
        for fk in self.tables.values_mut().flat_map(|t| t.foreign_keys.values_mut()) {
            if fk.target(&ours) == old {
                split_table(new).1.clone_into(&mut fk.ref_table);
            }
        }
        Ok(())
    }

    pub fn rename_column(&mut self, table: &str, old: &str, new: &str) -> Result<(), String> {
        let ours = self.name.clone();
        let t = self.tables.get_mut(table).ok_or_else(|| format!("table '{table}' does not exist"))?;
        if t.column(new).is_some() {
            return Err(format!("column '{new}' of table '{table}' already exists"));
        }
        let column = t.columns.iter_mut().find(|c| c.name == old);
        new.clone_into(&mut column.ok_or_else(|| format!("column '{old}' of table '{table}' does not exist"))?.name);
        let rename = |columns: &mut Vec<String>| columns.iter_mut().filter(|c| *c == old).for_each(|c| *c = new.into());
        if let Some(pk) = &mut t.primary_key {
            rename(&mut pk.columns);
        }
        t.uniques.values_mut().for_each(|u| rename(&mut u.columns));
        t.indexes.values_mut().for_each(|i| rename(&mut i.columns));
        t.foreign_keys.values_mut().for_each(|fk| rename(&mut fk.columns));
        for fk in self.tables.values_mut().flat_map(|t| t.foreign_keys.values_mut()) {
            if fk.target(&ours) == table {
                rename(&mut fk.ref_columns);
            }
        }
        Ok(())
    }

    /// `ALTER TYPE … RENAME VALUE`: defaults holding the label print the new one.
    pub fn rename_enum_value(&mut self, name: &str, old: &str, new: &str) -> Result<(), String> {
        let e = self.enums.get_mut(name).ok_or_else(|| format!("type '{name}' does not exist"))?;
        if e.values.iter().any(|v| v == new) {
            return Err(format!("enum label '{new}' already exists"));
        }
        let slot = e.values.iter_mut().find(|v| *v == old);
        new.clone_into(slot.ok_or_else(|| format!("'{old}' is not a value of enum '{name}'"))?);
        let plain = quote_ident(name);
        let renamed = format!("{}::{plain}", quote_literal(new));
        for column in self.tables.values_mut().flat_map(|t| t.columns.iter_mut()) {
            let holds_old = column.default.as_deref().is_some_and(|d| default_expr(d) == old);
            if column.data_type == plain && holds_old {
                column.default = Some(renamed.clone());
            }
        }
        Ok(())
    }
}
