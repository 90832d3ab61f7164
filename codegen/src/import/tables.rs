//! Which tables an import writes, and as what: a link (a pure join table), an entity (any other
//! table with a primary key), or nothing (with the reasons, one warning each) when specs cannot
//! describe it.

use crate::ir::FkAction;
use crate::naming::fill;
use crate::schema::{Schema, Table};

/// Migration bookkeeping: never imported, listed in `unmanaged.ignore_tables`. (The server's own
/// tables are never imported either, and need no listing: see `report::is_servers_own`.)
pub const BOOKKEEPING: [&str; 2] = ["_sqlx_migrations", "alembic_version"];

pub struct Selection<'s> {
    pub entities: Vec<&'s Table>,
    pub links: Vec<&'s Table>,
}

/// Sorts the chosen tables into entities and links; skipped tables leave warnings.
pub fn select<'s>(
    schema: &'s Schema,
    chosen: &[&'s Table],
    primary_key_template: &str,
    warnings: &mut Vec<String>,
) -> Selection<'s> {
    let mut entities = Vec::new();
    let mut link_candidates = Vec::new();
    for &table in chosen {
        let problems = table_problems(table, primary_key_template);
        if !problems.is_empty() {
            for p in problems {
                warnings.push(format!("table {}: {p}; table skipped", table.name));
            }
            continue;
        }
        // Links live in the project's schema: a two-column key elsewhere is an entity's.
        let ours = crate::schema::split_table(&table.name).0.is_none();
        match table.primary_key.as_ref().map(|pk| pk.columns.len()) {
            Some(2) if ours => link_candidates.push(table),
            _ => entities.push(table),
        }
    }
    // A composite key on a pure join table is a link; on any other table, an entity keyed by
    // those fields.
    let mut links = Vec::new();
    let single: Vec<&Table> = entities.clone();
    for table in link_candidates {
        match link_problem(schema, table, &single) {
            None => links.push(table),
            Some(_) => entities.push(table),
        }
    }
    Selection { entities, links }
}

/// What keeps a table from being an entity or link at all.
fn table_problems(table: &Table, primary_key_template: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for c in &table.columns {
        let snake = c.name.starts_with(|ch: char| ch.is_ascii_lowercase() || ch == '_')
            && c.name.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !snake {
            problems.push(format!("column name {:?} is not snake_case, which field names must be", c.name));
        }
    }
    match &table.primary_key {
        None => {}
        Some(pk) => {
            if let Some(extra) = &pk.extra {
                problems.push(format!("primary key {} is {extra}, more than specs can express", pk.name));
            }
            let cols: Vec<&str> = pk.columns.iter().map(String::as_str).collect();
            let conventional = fill(primary_key_template, crate::schema::split_table(&table.name).1, &cols, "");
            if pk.name != conventional {
                problems.push(format!(
                    "primary key {} is not named {conventional} (naming.primary_key), and specs cannot name a primary key",
                    pk.name
                ));
            }
        }
    }
    problems
}

/// Why a table with a composite key is not a link (two non-null columns forming the key, each a
/// plain foreign key to an imported entity's primary key), or None when it is one.
fn link_problem(schema: &Schema, table: &Table, entities: &[&Table]) -> Option<String> {
    let pk = table.primary_key.as_ref()?;
    if pk.columns.len() != 2 || table.columns.len() != 2 {
        return Some(format!(
            "it has {} columns and {} key columns, a link has two of each",
            table.columns.len(),
            pk.columns.len()
        ));
    }
    if table.foreign_keys.len() != 2 {
        return Some(format!("it has {} foreign keys, a link has one per column", table.foreign_keys.len()));
    }
    for column in &pk.columns {
        let col = table.column(column)?;
        if let Some(default) = &col.default {
            return Some(format!("column {column} has a default ({default})"));
        }
        let fks: Vec<_> = table.foreign_keys.values().filter(|fk| fk.columns == [column.clone()]).collect();
        let [fk] = fks.as_slice() else {
            return Some(format!("column {column} is not the single column of one foreign key"));
        };
        let Some(target) = entities.iter().find(|t| t.name == fk.target(&schema.name)) else {
            return Some(format!(
                "foreign key {} references {}, which is not imported as an entity",
                fk.name, fk.ref_table
            ));
        };
        let target_pk = target.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default();
        if fk.ref_columns != target_pk {
            return Some(format!(
                "foreign key {} references {}({}), not its primary key",
                fk.name,
                fk.ref_table,
                fk.ref_columns.join(", ")
            ));
        }
        if target.column(&target_pk[0]).map(|c| &c.data_type) != Some(&col.data_type) {
            return Some(format!("column {column} is not of the type of {}.{}", target.name, target_pk[0]));
        }
        if fk.on_update != FkAction::NoAction || !fk.options.is_empty() {
            return Some(format!("foreign key {} has ON UPDATE or options specs cannot express", fk.name));
        }
        if matches!(fk.on_delete, FkAction::SetNull | FkAction::SetDefault) {
            return Some(format!(
                "foreign key {} is ON DELETE {}, which a key column cannot be",
                fk.name,
                fk.on_delete.sql()
            ));
        }
    }
    None
}
