//! The documents as YAML text, each file opening with the import header; keys in the order the
//! hand-written specs use, values quoted where a YAML reader could misread them.

use super::defaults::DbDefault;
use super::docs::{EntityDoc, EnumDoc, FieldDoc, LinkDoc, LinkEndDoc};
use super::yaml::{aligned, flow_list, flow_map, quoted, scalar};
use crate::ir::{FkAction, Naming, UniqueKind};

pub fn header(source: &str) -> String {
    format!("# imported by cargo xtask import from {source}\n")
}

pub struct ProjectSettings<'a> {
    pub name: &'a str,
    pub schema: &'a str,
    pub prefix: &'a str,
    pub naming: &'a Naming,
    pub ignore_tables: &'a [&'a str],
    pub extensions: &'a [&'a str],
    pub comments: bool,
}

pub fn project(header: &str, p: &ProjectSettings<'_>) -> String {
    let mut out = format!("{header}project: {}\nschema: {}\n", scalar(p.name), scalar(p.schema));
    if !p.prefix.is_empty() {
        out.push_str(&format!("table_prefix: {}\n", scalar(p.prefix)));
    }
    out.push_str("unique_default: index\nnaming:\n");
    let n = p.naming;
    let templates = [
        ("primary_key", &n.primary_key),
        ("foreign_key", &n.foreign_key),
        ("index", &n.index),
        ("unique_index", &n.unique_index),
        ("unique_constraint", &n.unique_constraint),
        ("enum_type", &n.enum_type),
    ];
    out.push_str(&aligned("  ", &templates.map(|(k, v)| (k.to_string(), quoted(v)))));
    out.push_str(&format!("unmanaged:\n  ignore_tables: {}\n", flow_list(p.ignore_tables)));
    if p.comments {
        out.push_str("comments: true\n");
    }
    if !p.extensions.is_empty() {
        out.push_str(&format!("extensions: {}\n", flow_list(p.extensions)));
    }
    out
}

pub fn domains(header: &str, domains: &[super::docs::DomainDoc]) -> String {
    let mut out = format!("{header}domains:\n");
    for d in domains {
        out.push_str(&format!("  {}:\n    type: {}\n", scalar(&d.name), scalar(&d.ty)));
        if d.not_null {
            out.push_str("    not_null: true\n");
        }
        if let Some(default) = &d.default {
            out.push_str(&format!("    default: {}\n", quoted(default)));
        }
        if !d.checks.is_empty() {
            out.push_str("    checks:\n");
            let rows: Vec<(String, String)> = d.checks.iter().map(|(n, e)| (n.clone(), quoted(e))).collect();
            out.push_str(&aligned("      ", &rows));
        }
    }
    out
}

pub fn enum_doc(header: &str, e: &EnumDoc) -> String {
    let mut out = format!("{header}enums:\n  {}:\n", scalar(&e.name));
    if let Some(db_name) = &e.db_name {
        out.push_str(&format!("    db_name: {}\n", scalar(db_name)));
    }
    out.push_str(&format!("    values: {}\n", flow_list(&e.values)));
    out
}

pub fn entity(header: &str, e: &EntityDoc) -> String {
    let mut out = format!("{header}entity: {}\n", scalar(&e.name));
    if let Some(table) = &e.table {
        out.push_str(&format!("table: {}\n", scalar(table)));
    }
    if let Some(schema) = &e.schema {
        out.push_str(&format!("schema: {}\n", scalar(schema)));
    }
    if let Some(doc) = &e.doc {
        out.push_str(&format!("doc: {}\n", quoted(doc)));
    }
    if let Some(key) = &e.primary_key {
        out.push_str(&format!("primary_key: {}\n", flow_list(key)));
    }
    out.push_str("fields:\n");
    let rows: Vec<(String, String)> = e.fields.iter().map(|f| (f.name.clone(), field(f))).collect();
    out.push_str(&aligned("  ", &rows));
    if !e.indexes.is_empty() {
        out.push_str("indexes:\n");
        for ix in &e.indexes {
            let mut pairs = vec![("fields", flow_list(&ix.fields))];
            if let Some(kind) = ix.unique {
                pairs.push(("unique", unique_word(kind).to_string()));
            }
            if let Some(name) = &ix.name {
                pairs.push(("name", scalar(name)));
            }
            if let Some(using) = &ix.using {
                pairs.push(("using", scalar(using)));
            }
            if !ix.include.is_empty() {
                pairs.push(("include", flow_list(&ix.include)));
            }
            if let Some(predicate) = &ix.predicate {
                pairs.push(("where", quoted(predicate)));
            }
            if ix.nulls_not_distinct {
                pairs.push(("nulls_distinct", "false".into()));
            }
            if let Some(with) = &ix.storage {
                pairs.push(("with", quoted(with)));
            }
            out.push_str(&format!("  - {}\n", flow_map(&pairs)));
        }
    }
    if !e.foreign_keys.is_empty() {
        out.push_str("foreign_keys:\n");
        for fk in &e.foreign_keys {
            let mut pairs = vec![("columns", flow_list(&fk.columns)), ("references", scalar(&fk.references))];
            if let Some(cols) = &fk.ref_columns {
                pairs.push(("ref_columns", flow_list(cols)));
            }
            fk_options(&mut pairs, fk.on_delete, fk.on_update, fk.deferrable);
            if let Some(name) = &fk.name {
                pairs.push(("name", scalar(name)));
            }
            out.push_str(&format!("  - {}\n", flow_map(&pairs)));
        }
    }
    if !e.exclusions.is_empty() {
        out.push_str("exclusions:\n");
        let rows: Vec<(String, String)> = e.exclusions.iter().map(|(n, d)| (n.clone(), quoted(d))).collect();
        out.push_str(&aligned("  ", &rows));
    }
    if let Some(key) = &e.partition_by {
        out.push_str(&format!("partition_by: {}\n", quoted(key)));
    }
    if !e.partitions.is_empty() {
        out.push_str("partitions:\n");
        let rows: Vec<(String, String)> = e.partitions.iter().map(|(n, b)| (n.clone(), quoted(b))).collect();
        out.push_str(&aligned("  ", &rows));
    }
    if !e.checks.is_empty() {
        out.push_str("checks:\n");
        let rows: Vec<(String, String)> = e.checks.iter().map(|(name, expr)| (name.clone(), quoted(expr))).collect();
        out.push_str(&aligned("  ", &rows));
    }
    out
}

fn field(f: &FieldDoc) -> String {
    let mut pairs = vec![("type", scalar(&f.ty))];
    if f.nullable {
        pairs.push(("nullable", "true".into()));
    }
    if f.primary_key {
        pairs.push(("primary_key", "true".into()));
    }
    match &f.generated {
        Some(crate::ir::Generated::Identity { always, sequence }) => {
            pairs.push(("identity", if *always { "always" } else { "by_default" }.into()));
            let s = sequence;
            let named =
                [("start", s.start), ("increment", s.increment), ("min", s.min), ("max", s.max), ("cache", s.cache)];
            let options: Vec<String> = named
                .into_iter()
                .filter_map(|(key, value)| value.map(|v| format!("{key}: {v}")))
                .chain(s.cycle.then(|| "cycle: true".to_string()))
                .collect();
            if !options.is_empty() {
                pairs.push(("sequence", format!("{{{}}}", options.join(", "))));
            }
        }
        Some(crate::ir::Generated::Stored(expr)) => pairs.push(("generated", quoted(expr))),
        None => {}
    }
    if let Some(collation) = &f.collation {
        pairs.push(("collation", scalar(collation)));
    }
    if let Some(doc) = &f.doc {
        pairs.push(("doc", quoted(doc)));
    }
    if let Some(d) = &f.db_default {
        let value = match d {
            DbDefault::Bool(b) => b.to_string(),
            DbDefault::Int(i) => i.to_string(),
            DbDefault::Str(s) => scalar(s),
            DbDefault::Sql(sql) => flow_map(&[("sql", quoted(sql))]),
        };
        pairs.push(("db_default", value));
    }
    if let Some((kind, name)) = &f.unique {
        pairs.push(("unique", unique_word(*kind).into()));
        if let Some(name) = name {
            pairs.push(("unique_name", scalar(name)));
        }
    }
    if let Some(name) = &f.index {
        pairs.push(("index", "true".into()));
        if let Some(name) = name {
            pairs.push(("index_name", scalar(name)));
        }
    }
    if let Some(r) = &f.references {
        pairs.push(("references", scalar(&r.target)));
        fk_options(&mut pairs, r.on_delete, r.on_update, r.deferrable);
        if let Some(name) = &r.fk_name {
            pairs.push(("fk_name", scalar(name)));
        }
    }
    flow_map(&pairs)
}

pub fn link(header: &str, l: &LinkDoc) -> String {
    let mut out = format!("{header}link: {}\n", scalar(&l.name));
    if let Some(table) = &l.table {
        out.push_str(&format!("table: {}\n", scalar(table)));
    }
    let rows = [("left".to_string(), link_end(&l.left)), ("right".to_string(), link_end(&l.right))];
    out.push_str(&aligned("", &rows));
    out
}

fn link_end(end: &LinkEndDoc) -> String {
    let mut pairs = vec![("entity", scalar(&end.entity)), ("column", scalar(&end.column))];
    if end.on_delete != FkAction::NoAction {
        pairs.push(("on_delete", action_word(end.on_delete).into()));
    }
    if let Some(name) = &end.fk_name {
        pairs.push(("fk_name", scalar(name)));
    }
    flow_map(&pairs)
}

fn unique_word(kind: UniqueKind) -> &'static str {
    match kind {
        UniqueKind::Index => "index",
        UniqueKind::Constraint => "constraint",
    }
}

/// A foreign key's actions and deferrability, where they are not the defaults.
fn fk_options(pairs: &mut Vec<(&str, String)>, on_delete: FkAction, on_update: FkAction, deferrable: Option<&str>) {
    if on_delete != FkAction::NoAction {
        pairs.push(("on_delete", action_word(on_delete).into()));
    }
    if on_update != FkAction::NoAction {
        pairs.push(("on_update", action_word(on_update).into()));
    }
    if let Some(d) = deferrable {
        pairs.push(("deferrable", d.into()));
    }
}

fn action_word(action: FkAction) -> &'static str {
    match action {
        FkAction::NoAction => "no_action",
        FkAction::Restrict => "restrict",
        FkAction::Cascade => "cascade",
        FkAction::SetNull => "set_null",
        FkAction::SetDefault => "set_default",
    }
}
