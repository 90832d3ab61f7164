//! SQL text for a whole schema: the up migration that creates it and the down migration that
//! removes every object the up created. Deterministic: sorted names, no timestamps.

use super::model::*;
use crate::ir::FkAction;
use crate::naming::{quote_ident, quote_literal};
use std::fmt::Write as _;

/// `CREATE TYPE` / `CREATE TABLE` / foreign keys / indexes, in an order that always applies:
/// types before tables, foreign keys after every table exists.
pub fn create_all(schema: &Schema) -> String {
    let mut out = String::new();
    for e in schema.enums.values() {
        out.push_str(&create_enum(e));
        out.push('\n');
    }
    for table in schema.tables.values() {
        out.push_str(&create_table(table));
        out.push('\n');
    }
    for table in schema.tables.values() {
        for fk in table.foreign_keys.values() {
            let _ = writeln!(out, "{}", add_foreign_key(&table.name, fk));
        }
    }
    out.push('\n');
    for table in schema.tables.values() {
        for ix in table.uniques.values().filter(|u| u.kind == crate::ir::UniqueKind::Index) {
            let _ = writeln!(out, "{}", create_unique_index(&table.name, ix));
        }
        for ix in table.indexes.values() {
            let _ = writeln!(out, "{}", create_index(&table.name, ix));
        }
    }
    out
}

/// Drops every table and enum type `create_all` made.
pub fn drop_all(schema: &Schema) -> String {
    let mut out = String::new();
    if !schema.tables.is_empty() {
        // One statement, so foreign keys between the dropped tables never block the drop.
        let names: Vec<String> = schema.tables.keys().map(|t| format!("    {}", quote_ident(t))).collect();
        let _ = writeln!(out, "DROP TABLE\n{};", names.join(",\n"));
    }
    if !schema.enums.is_empty() {
        let names: Vec<String> = schema.enums.keys().map(|t| format!("    {}", quote_ident(t))).collect();
        let _ = writeln!(out, "DROP TYPE\n{};", names.join(",\n"));
    }
    out
}

pub fn create_enum(e: &EnumType) -> String {
    let values: Vec<String> = e.values.iter().map(|v| format!("    {}", quote_literal(v))).collect();
    format!("CREATE TYPE {} AS ENUM (\n{}\n);\n", quote_ident(&e.name), values.join(",\n"))
}

pub fn create_table(table: &Table) -> String {
    let mut lines: Vec<String> = table.columns.iter().map(|c| format!("    {}", column_def(c))).collect();
    if let Some(pk) = &table.primary_key {
        lines.push(format!("    CONSTRAINT {} PRIMARY KEY ({})", quote_ident(&pk.name), column_list(&pk.columns)));
    }
    for u in table.uniques.values().filter(|u| u.kind == crate::ir::UniqueKind::Constraint) {
        lines.push(format!("    CONSTRAINT {} UNIQUE ({})", quote_ident(&u.name), column_list(&u.columns)));
    }
    format!("CREATE TABLE {} (\n{}\n);\n", quote_ident(&table.name), lines.join(",\n"))
}

pub fn column_def(c: &Column) -> String {
    let mut def = format!("{} {}", quote_ident(&c.name), c.data_type);
    if let Some(default) = &c.default {
        let _ = write!(def, " DEFAULT {default}");
    }
    if !c.nullable {
        def.push_str(" NOT NULL");
    }
    def
}

pub fn add_foreign_key(table: &str, fk: &ForeignKey) -> String {
    let mut sql = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        quote_ident(table),
        quote_ident(&fk.name),
        column_list(&fk.columns),
        quote_ident(&fk.ref_table),
        column_list(&fk.ref_columns)
    );
    if fk.on_delete != FkAction::NoAction {
        let _ = write!(sql, " ON DELETE {}", fk.on_delete.sql());
    }
    if fk.on_update != FkAction::NoAction {
        let _ = write!(sql, " ON UPDATE {}", fk.on_update.sql());
    }
    sql.push(';');
    sql
}

pub fn create_unique_index(table: &str, u: &Unique) -> String {
    format!("CREATE UNIQUE INDEX {} ON {} ({});", quote_ident(&u.name), quote_ident(table), column_list(&u.columns))
}

pub fn create_index(table: &str, ix: &Index) -> String {
    let mut sql = format!(
        "CREATE {}INDEX {} ON {}",
        if ix.unique { "UNIQUE " } else { "" },
        quote_ident(&ix.name),
        quote_ident(table)
    );
    if ix.method != "btree" {
        let _ = write!(sql, " USING {}", ix.method);
    }
    let columns: Vec<String> =
        ix.columns.iter().map(|c| if c.contains(['(', ' ', ':']) { c.clone() } else { quote_ident(c) }).collect();
    let _ = write!(sql, " ({})", columns.join(", "));
    if let Some(predicate) = &ix.predicate {
        let _ = write!(sql, " WHERE {predicate}");
    }
    sql.push(';');
    sql
}

fn column_list(columns: &[String]) -> String {
    columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
}
