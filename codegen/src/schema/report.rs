//! People- and machine-readable forms of a diff: one line per change, and objects the specs do
//! not manage.

use super::diff::{Aspect, Change, ChangeKind, ObjectKind};
use super::model::Schema;
use serde::Serialize;

/// Which schema played which role, for wording: `spec` vs `database` or `migrations`.
#[derive(Clone, Copy, Debug)]
pub struct Sides<'a> {
    pub expected: &'a str,
    pub actual: &'a str,
}

pub fn describe(change: &Change, sides: Sides<'_>) -> String {
    let table = change.table.as_deref().unwrap_or_default();
    let object = match change.object {
        ObjectKind::Extension => format!("extension {}", change.name),
        ObjectKind::Enum => format!("enum {}", change.name),
        ObjectKind::Domain => format!("domain {}", change.name),
        ObjectKind::Table => format!("table {}", change.name),
        ObjectKind::Column => format!("{table}.{}", change.name),
        ObjectKind::PrimaryKey => format!("{table}: primary key {}", change.name),
        ObjectKind::Unique => format!("{table}: unique key {}", change.name),
        ObjectKind::Index => format!("{table}: index {}", change.name),
        ObjectKind::ForeignKey => format!("{table}: foreign key {}", change.name),
        ObjectKind::Check => format!("{table}: check constraint {}", change.name),
        ObjectKind::Partition => format!("{table}: partition {}", change.name),
    };
    let noun = if change.object == ObjectKind::Column { "column " } else { "" };
    match &change.kind {
        ChangeKind::Missing => format!("{object}: {noun}missing from {}", sides.actual),
        ChangeKind::Extra => format!("{object}: {noun}in {} but not in {}", sides.actual, sides.expected),
        ChangeKind::Differs { aspect, expected, actual } => {
            format!("{object}: {} — {} {expected}, {} {actual}", aspect_word(*aspect), sides.expected, sides.actual)
        }
    }
}

fn aspect_word(aspect: Aspect) -> &'static str {
    match aspect {
        Aspect::Type => "type differs",
        Aspect::Nullability => "nullability differs",
        Aspect::Default => "default differs",
        Aspect::Values => "values differ",
        Aspect::Columns => "columns differ",
        Aspect::Kind => "kind differs",
        Aspect::References => "referenced table differs",
        Aspect::OnDelete => "ON DELETE differs",
        Aspect::OnUpdate => "ON UPDATE differs",
        Aspect::Definition => "definition differs",
        Aspect::Generated => "generation differs",
        Aspect::Collation => "collation differs",
        Aspect::Comment => "comment differs",
    }
}

/// The `kind` of ignored bookkeeping tables (`alembic_version`, `_sqlx_migrations`): listed, never drift.
pub const BOOKKEEPING: &str = "bookkeeping table";

/// A table the generated server keeps for itself (its login throttle's counters).
pub fn is_servers_own(name: &str) -> bool {
    name == wire::LOGIN_FAILURES_TABLE
}

/// A table the project says to ignore, or the server's own (whatever the project lists).
fn is_bookkeeping(ignore_tables: &[String], name: &str) -> bool {
    is_servers_own(name) || ignore_tables.iter().any(|t| t == name)
}

/// An object in the database that no spec describes: listed, not counted as drift.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unmanaged {
    pub kind: &'static str,
    pub name: String,
}

/// Splits a live diff into drift and unmanaged objects: tables and enum types the specs do not
/// mention are unmanaged (plugin tables, say), and so is everything outside the managed schema.
pub fn split_unmanaged(changes: Vec<Change>, live: &Schema, ignore_tables: &[String]) -> (Vec<Change>, Vec<Unmanaged>) {
    let mut drift = Vec::new();
    let mut unmanaged = Vec::new();
    for change in changes {
        let is_ignored = |name: &str| is_bookkeeping(ignore_tables, name);
        match (&change.kind, change.object, change.table.as_deref()) {
            (ChangeKind::Extra, ObjectKind::Table, _) => {
                let kind = if is_ignored(&change.name) { BOOKKEEPING } else { "table" };
                unmanaged.push(Unmanaged { kind, name: change.name });
            }
            (ChangeKind::Extra, ObjectKind::Extension, _) => {
                unmanaged.push(Unmanaged { kind: "extension", name: change.name });
            }
            (ChangeKind::Extra, ObjectKind::Domain, _) => {
                unmanaged.push(Unmanaged { kind: "domain", name: change.name });
            }
            (ChangeKind::Extra, ObjectKind::Enum, _) => {
                unmanaged.push(Unmanaged { kind: "enum type", name: change.name });
            }
            (_, _, Some(table)) if is_ignored(table) => {}
            (_, ObjectKind::Table, _) if is_ignored(&change.name) => {}
            _ => drift.push(change),
        }
    }
    for view in &live.views {
        unmanaged.push(Unmanaged { kind: "view", name: view.clone() });
    }
    for (schema, tables) in &live.other_schemas {
        for table in tables {
            let kind = if is_bookkeeping(ignore_tables, table) { BOOKKEEPING } else { "table in another schema" };
            unmanaged.push(Unmanaged { kind, name: format!("{schema}.{table}") });
        }
    }
    (drift, unmanaged)
}
