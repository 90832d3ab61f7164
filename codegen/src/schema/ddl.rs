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
    for name in &schema.extensions {
        out.push_str(&create_extension(name));
    }
    if !schema.extensions.is_empty() {
        out.push('\n');
    }
    for name in &schema.managed {
        let _ = writeln!(out, "{}\n", create_schema(name));
    }
    for e in schema.enums.values() {
        out.push_str(&create_enum(e));
        out.push('\n');
    }
    for d in schema.domains.values() {
        out.push_str(&create_domain(d));
        out.push('\n');
    }
    for table in schema.tables.values() {
        out.push_str(&create_table(table));
        out.push('\n');
    }
    for table in schema.tables.values() {
        for statement in comments(table) {
            let _ = writeln!(out, "{statement}");
        }
    }
    for table in schema.tables.values() {
        for (partition, bound) in &table.partitions {
            let _ = writeln!(out, "{}", create_partition(&table.name, partition, bound));
        }
    }
    for table in schema.tables.values() {
        for fk in table.foreign_keys.values() {
            let _ = writeln!(out, "{}", add_foreign_key(&table.name, fk, &schema.name));
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
        let names: Vec<String> = schema.tables.keys().map(|t| format!("    {}", quote_table(t))).collect();
        let _ = writeln!(out, "DROP TABLE\n{};", names.join(",\n"));
    }
    for name in schema.domains.keys() {
        let _ = writeln!(out, "DROP DOMAIN {};", quote_ident(name));
    }
    if !schema.enums.is_empty() {
        let names: Vec<String> = schema.enums.keys().map(|t| format!("    {}", quote_ident(t))).collect();
        let _ = writeln!(out, "DROP TYPE\n{};", names.join(",\n"));
    }
    for name in schema.extensions.iter().rev() {
        out.push_str(&drop_extension(name));
    }
    out
}

/// `IF NOT EXISTS`: a schema outlives the tables a down migration drops, and may hold others.
pub fn create_schema(name: &str) -> String {
    format!("CREATE SCHEMA IF NOT EXISTS {};", quote_ident(name))
}

/// `IF NOT EXISTS`: another schema of the database may have installed it already.
pub fn create_extension(name: &str) -> String {
    format!("CREATE EXTENSION IF NOT EXISTS {};\n", quote_ident(name))
}

pub fn drop_extension(name: &str) -> String {
    format!("DROP EXTENSION IF EXISTS {};\n", quote_ident(name))
}

pub fn create_enum(e: &EnumType) -> String {
    let values: Vec<String> = e.values.iter().map(|v| format!("    {}", quote_literal(v))).collect();
    format!("CREATE TYPE {} AS ENUM (\n{}\n);\n", quote_ident(&e.name), values.join(",\n"))
}

pub fn create_domain(d: &Domain) -> String {
    format!("CREATE DOMAIN {} AS {};\n", quote_ident(&d.name), d.definition())
}

pub fn create_table(table: &Table) -> String {
    let mut lines: Vec<String> = table.columns.iter().map(|c| format!("    {}", column_def(&table.name, c))).collect();
    if let Some(pk) = &table.primary_key {
        lines.push(format!("    CONSTRAINT {} {}", quote_ident(&pk.name), primary_key_def(pk)));
    }
    for u in table.uniques.values().filter(|u| u.kind == crate::ir::UniqueKind::Constraint) {
        lines.push(format!("    CONSTRAINT {} {}", quote_ident(&u.name), unique_constraint_def(u)));
    }
    for (name, definition) in &table.checks {
        lines.push(format!("    CONSTRAINT {} {definition}", quote_ident(name)));
    }
    let partitioned = table.partition_by.as_ref().map(|key| format!(" PARTITION BY {key}")).unwrap_or_default();
    format!("CREATE TABLE {} (\n{}\n){partitioned};\n", quote_table(&table.name), lines.join(",\n"))
}

/// `COMMENT ON` the table and its columns, for those that have one.
pub fn comments(table: &Table) -> Vec<String> {
    let on_table = table.comment.as_ref().map(|c| comment_on("TABLE", &quote_table(&table.name), Some(c)));
    let on_columns = table.columns.iter().filter(|c| c.comment.is_some()).map(|c| column_comment(&table.name, c));
    on_table.into_iter().chain(on_columns).collect()
}

pub fn column_comment(table: &str, c: &Column) -> String {
    comment_on("COLUMN", &format!("{}.{}", quote_table(table), quote_ident(&c.name)), c.comment.as_deref())
}

/// `COMMENT ON kind name IS '…'`, or `IS NULL` to remove it.
pub fn comment_on(kind: &str, name: &str, comment: Option<&str>) -> String {
    format!("COMMENT ON {kind} {name} IS {};", comment.map_or_else(|| "NULL".into(), quote_literal))
}

/// A partition with its bound (`FOR VALUES …` or `DEFAULT`); it takes the table's columns,
/// keys and indexes.
pub fn create_partition(table: &str, partition: &str, bound: &str) -> String {
    format!("CREATE TABLE {} PARTITION OF {} {bound};", quote_in_table_schema(table, partition), quote_table(table))
}

pub fn primary_key_def(pk: &PrimaryKey) -> String {
    pk.extra.clone().unwrap_or_else(|| format!("PRIMARY KEY ({})", column_list(&pk.columns)))
}

pub fn unique_constraint_def(u: &Unique) -> String {
    u.extra.clone().unwrap_or_else(|| format!("UNIQUE ({})", column_list(&u.columns)))
}

/// `name type [COLLATE c] [GENERATED …] [DEFAULT d] [NOT NULL]`; `name serial NOT NULL` for a
/// column whose default is its own sequence (PostgreSQL then creates the sequence).
pub fn column_def(table: &str, c: &Column) -> String {
    if let Some(word) = serial_word(table, c) {
        return format!("{} {word} NOT NULL", quote_ident(&c.name));
    }
    let mut def = format!("{} {}", quote_ident(&c.name), c.data_type);
    if let Some(collation) = &c.collation {
        let _ = write!(def, " COLLATE {}", quote_ident(collation));
    }
    if let Some(generated) = &c.generated {
        let _ = write!(def, " {generated}");
    }
    if let Some(default) = &c.default {
        let _ = write!(def, " DEFAULT {default}");
    }
    if !c.nullable && !c.generated.as_deref().is_some_and(crate::ir::Generated::is_identity_sql) {
        def.push_str(" NOT NULL");
    }
    def
}

/// `ours`: the project's schema, where an unqualified target lives.
pub fn add_foreign_key(table: &str, fk: &ForeignKey, ours: &str) -> String {
    let mut sql = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        quote_table(table),
        quote_ident(&fk.name),
        column_list(&fk.columns),
        quote_table(&fk.target(ours)),
        column_list(&fk.ref_columns)
    );
    // MATCH comes before the actions, DEFERRABLE and NOT VALID after them.
    let (matching, rest) = match fk.options.strip_prefix("MATCH ") {
        Some(tail) => tail.split_once(' ').map_or((tail, ""), |(m, rest)| (m, rest)),
        None => ("", fk.options.as_str()),
    };
    if !matching.is_empty() {
        let _ = write!(sql, " MATCH {matching}");
    }
    if fk.on_delete != FkAction::NoAction {
        let _ = write!(sql, " ON DELETE {}", fk.on_delete.sql());
    }
    if fk.on_update != FkAction::NoAction {
        let _ = write!(sql, " ON UPDATE {}", fk.on_update.sql());
    }
    if !rest.trim().is_empty() {
        let _ = write!(sql, " {}", rest.trim());
    }
    sql.push(';');
    sql
}

pub fn create_unique_index(table: &str, u: &Unique) -> String {
    match &u.extra {
        Some(tail) => {
            format!("CREATE UNIQUE INDEX {} ON {} USING {};", quote_ident(&u.name), quote_table(table), valid(tail))
        }
        None => format!(
            "CREATE UNIQUE INDEX {} ON {} ({});",
            quote_ident(&u.name),
            quote_table(table),
            column_list(&u.columns)
        ),
    }
}

pub fn create_index(table: &str, ix: &Index) -> String {
    let mut sql = format!(
        "CREATE {}INDEX {} ON {}",
        if ix.unique { "UNIQUE " } else { "" },
        quote_ident(&ix.name),
        quote_table(table)
    );
    // `extra` is everything `pg_get_indexdef()` prints after USING, the predicate included.
    if let Some(tail) = &ix.extra {
        let _ = write!(sql, " USING {};", valid(tail));
        return sql;
    }
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

/// An index that failed to build is created anew, valid.
fn valid(tail: &str) -> &str {
    tail.strip_prefix("INVALID ").unwrap_or(tail)
}

fn column_list(columns: &[String]) -> String {
    columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
}
