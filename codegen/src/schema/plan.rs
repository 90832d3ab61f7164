//! `plan(from, to)`: the DDL that turns one schema into another, safely ordered (foreign keys and
//! keys dropped first, types before tables, tables before their keys, foreign keys last), and the
//! changes among it that can lose data, so the caller can refuse them unless acknowledged.
//! Renames are not guessed here: the caller applies `renamed_from` first (see `migration`).

use super::ddl;
use super::model::*;
use super::normalize::same_default;
use crate::ir::UniqueKind;
use crate::naming::{quote_ident, quote_literal};

/// A change that can lose data, and how to count the rows it would touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loss {
    /// `drop column vbwd_user.note`, as shown to people and written in acknowledgements.
    pub what: String,
    /// Why it loses data.
    pub why: String,
    /// `SELECT count(*) …` of the rows that would lose something (0 means nothing is lost).
    pub count_sql: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub statements: Vec<String>,
    pub losses: Vec<Loss>,
}

/// The statements that turn `from` into `to`.
pub fn plan(from: &Schema, to: &Schema) -> Plan {
    let mut p = Phases::default();
    let kept: Vec<(&Table, &Table)> =
        to.tables.values().filter_map(|t| from.tables.get(&t.name).map(|old| (old, t))).collect();
    for (old, new) in &kept {
        drop_changed_keys(&mut p, old, new);
    }
    // Foreign keys of other tables that point into a dropped table go before it.
    for old in from.tables.values().filter(|t| !to.tables.contains_key(&t.name)) {
        p.drop_tables.push(format!("DROP TABLE {};", quote_ident(&old.name)));
        p.losses.push(Loss {
            what: format!("drop table {}", old.name),
            why: "every row of the table is deleted".into(),
            count_sql: format!("SELECT count(*) FROM {}", quote_ident(&old.name)),
        });
    }
    for e in to.enums.values() {
        match from.enums.get(&e.name) {
            None => p.types.push(ddl::create_enum(e)),
            Some(old) if old.values != e.values => change_enum(&mut p, old, e, from),
            Some(_) => {}
        }
    }
    for old in from.enums.values().filter(|e| !to.enums.contains_key(&e.name)) {
        p.drop_types.push(format!("DROP TYPE {};", quote_ident(&old.name)));
    }
    for new in to.tables.values().filter(|t| !from.tables.contains_key(&t.name)) {
        p.tables.push(ddl::create_table(new));
        add_keys(&mut p, &Table::default(), new);
    }
    for (old, new) in &kept {
        change_columns(&mut p, old, new);
        add_keys(&mut p, old, new);
    }
    p.finish()
}

/// Statements in the order they must run.
#[derive(Default)]
struct Phases {
    drop_foreign_keys: Vec<String>,
    drop_keys: Vec<String>,
    types: Vec<String>,
    tables: Vec<String>,
    columns: Vec<String>,
    drop_columns: Vec<String>,
    drop_tables: Vec<String>,
    drop_types: Vec<String>,
    keys: Vec<String>,
    foreign_keys: Vec<String>,
    losses: Vec<Loss>,
}

impl Phases {
    fn finish(self) -> Plan {
        let statements = [
            self.drop_foreign_keys,
            self.drop_keys,
            self.types,
            self.tables,
            self.columns,
            self.drop_columns,
            self.drop_tables,
            self.drop_types,
            self.keys,
            self.foreign_keys,
        ]
        .concat();
        Plan { statements, losses: self.losses }
    }
}

fn alter(table: &str, action: &str) -> String {
    format!("ALTER TABLE {} {action};", quote_ident(table))
}

fn drop_changed_keys(p: &mut Phases, old: &Table, new: &Table) {
    for fk in old.foreign_keys.values().filter(|fk| new.foreign_keys.get(&fk.name) != Some(fk)) {
        p.drop_foreign_keys.push(alter(&old.name, &format!("DROP CONSTRAINT {}", quote_ident(&fk.name))));
    }
    if old.primary_key.is_some() && old.primary_key != new.primary_key {
        let name = old.primary_key.as_ref().map(|pk| quote_ident(&pk.name)).unwrap_or_default();
        p.drop_keys.push(alter(&old.name, &format!("DROP CONSTRAINT {name}")));
    }
    for u in old.uniques.values().filter(|u| !same_unique(new.uniques.get(&u.name), u)) {
        p.drop_keys.push(match u.kind {
            UniqueKind::Constraint => alter(&old.name, &format!("DROP CONSTRAINT {}", quote_ident(&u.name))),
            UniqueKind::Index => format!("DROP INDEX {};", quote_ident(&u.name)),
        });
    }
    for ix in old.indexes.values().filter(|ix| new.indexes.get(&ix.name) != Some(ix)) {
        p.drop_keys.push(format!("DROP INDEX {};", quote_ident(&ix.name)));
    }
}

/// A unique key whose kind the spec left open is the same key whichever kind it is.
fn same_unique(new: Option<&Unique>, old: &Unique) -> bool {
    new.is_some_and(|n| n.columns == old.columns && n.extra == old.extra && (n.kind == old.kind || !n.kind_explicit))
}

fn add_keys(p: &mut Phases, old: &Table, new: &Table) {
    if let Some(pk) = new.primary_key.as_ref().filter(|pk| old.primary_key.as_ref() != Some(pk)) {
        if !old.name.is_empty() {
            let cols = pk.columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
            p.keys.push(alter(&new.name, &format!("ADD CONSTRAINT {} PRIMARY KEY ({cols})", quote_ident(&pk.name))));
        }
    }
    for u in new.uniques.values().filter(|u| old.uniques.get(&u.name).is_none_or(|o| !same_unique(Some(u), o))) {
        match u.kind {
            // A new table declares its UNIQUE constraints inline (`create_table`).
            UniqueKind::Constraint if old.name.is_empty() => {}
            UniqueKind::Constraint => {
                let cols = u.columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
                p.keys.push(alter(&new.name, &format!("ADD CONSTRAINT {} UNIQUE ({cols})", quote_ident(&u.name))));
            }
            UniqueKind::Index => p.keys.push(ddl::create_unique_index(&new.name, u)),
        }
    }
    for ix in new.indexes.values().filter(|ix| old.indexes.get(&ix.name) != Some(ix)) {
        p.keys.push(ddl::create_index(&new.name, ix));
    }
    for fk in new.foreign_keys.values().filter(|fk| old.foreign_keys.get(&fk.name) != Some(fk)) {
        p.foreign_keys.push(ddl::add_foreign_key(&new.name, fk));
    }
}

fn change_columns(p: &mut Phases, old: &Table, new: &Table) {
    let t = &new.name;
    for c in &new.columns {
        let Some(before) = old.column(&c.name) else {
            p.columns.push(alter(t, &format!("ADD COLUMN {}", ddl::column_def(c))));
            if !c.nullable && c.default.is_none() {
                p.losses.push(Loss {
                    what: format!("add NOT NULL column {t}.{} without a default", c.name),
                    why: "existing rows have no value for it (PostgreSQL refuses unless the table is empty)".into(),
                    count_sql: format!("SELECT count(*) FROM {}", quote_ident(t)),
                });
            }
            continue;
        };
        let col = quote_ident(&c.name);
        if before.data_type != c.data_type {
            p.columns.push(alter(t, &format!("ALTER COLUMN {col} TYPE {} USING {col}::{}", c.data_type, c.data_type)));
            if !widens(&before.data_type, &c.data_type) {
                p.losses.push(Loss {
                    what: format!("change {t}.{} from {} to {}", c.name, before.data_type, c.data_type),
                    why: "not a widening: values may be cut, rounded or refused".into(),
                    count_sql: format!("SELECT count(*) FROM {} WHERE {col} IS NOT NULL", quote_ident(t)),
                });
            }
        }
        let default_changed = match (&before.default, &c.default) {
            (Some(a), Some(b)) => !same_default(a, b),
            (a, b) => a.is_some() != b.is_some(),
        };
        if default_changed {
            p.columns.push(match &c.default {
                Some(d) => alter(t, &format!("ALTER COLUMN {col} SET DEFAULT {d}")),
                None => alter(t, &format!("ALTER COLUMN {col} DROP DEFAULT")),
            });
        }
        if before.nullable != c.nullable {
            p.columns
                .push(alter(t, &format!("ALTER COLUMN {col} {} NOT NULL", if c.nullable { "DROP" } else { "SET" })));
            if !c.nullable {
                p.losses.push(Loss {
                    what: format!("make {t}.{} NOT NULL", c.name),
                    why: "rows holding NULL there make the migration fail".into(),
                    count_sql: format!("SELECT count(*) FROM {} WHERE {col} IS NULL", quote_ident(t)),
                });
            }
        }
    }
    for c in old.columns.iter().filter(|c| new.column(&c.name).is_none()) {
        p.drop_columns.push(alter(t, &format!("DROP COLUMN {}", quote_ident(&c.name))));
        p.losses.push(Loss {
            what: format!("drop column {t}.{}", c.name),
            why: "its values are deleted".into(),
            count_sql: format!("SELECT count(*) FROM {} WHERE {} IS NOT NULL", quote_ident(t), quote_ident(&c.name)),
        });
    }
}

/// Whether every value of `from` fits `to` unchanged.
pub fn widens(from: &str, to: &str) -> bool {
    let varchar = |t: &str| -> Option<u64> { t.strip_prefix("character varying(")?.strip_suffix(')')?.parse().ok() };
    let numeric = |t: &str| -> Option<(u64, u64)> {
        let (p, s) = t.strip_prefix("numeric(")?.strip_suffix(')')?.split_once(',')?;
        Some((p.trim().parse().ok()?, s.trim().parse().ok()?))
    };
    const INTEGERS: [&str; 3] = ["smallint", "integer", "bigint"];
    let rank = |t: &str| INTEGERS.iter().position(|i| *i == t);
    match (from, to) {
        (_, "text") => from.starts_with("character varying") || from == "text",
        (_, "character varying") => from.starts_with("character varying"),
        _ if varchar(from).is_some() && varchar(to).is_some() => varchar(from) <= varchar(to),
        _ if numeric(from).is_some() && numeric(to).is_some() => {
            let ((p1, s1), (p2, s2)) = (numeric(from).unwrap_or_default(), numeric(to).unwrap_or_default());
            s2 >= s1 && p2.saturating_sub(s2) >= p1.saturating_sub(s1)
        }
        (_, "numeric") => from.starts_with("numeric") || rank(from).is_some(),
        ("real", "double precision") => true,
        _ => matches!((rank(from), rank(to)), (Some(a), Some(b)) if a <= b),
    }
}

/// New values are added in place (`ADD VALUE … BEFORE/AFTER`); a removed or reordered value
/// needs a new type and a conversion of every column using it, and loses the removed values.
fn change_enum(p: &mut Phases, old: &EnumType, new: &EnumType, from: &Schema) {
    let kept: Vec<&String> = new.values.iter().filter(|v| old.values.contains(v)).collect();
    let only_additions = kept.len() == old.values.len() && kept.iter().zip(&old.values).all(|(a, b)| *a == b);
    let name = quote_ident(&new.name);
    if only_additions {
        for (i, value) in new.values.iter().enumerate().filter(|(_, v)| !old.values.contains(v)) {
            let place = match i {
                0 => format!("BEFORE {}", quote_literal(&new.values[1])),
                _ => format!("AFTER {}", quote_literal(&new.values[i - 1])),
            };
            p.types.push(format!("ALTER TYPE {name} ADD VALUE {} {place};", quote_literal(value)));
        }
        return;
    }
    let parked = quote_ident(&format!("{}__old", new.name));
    p.types.push(format!("ALTER TYPE {name} RENAME TO {parked};"));
    p.types.push(ddl::create_enum(new));
    // The columns that exist now; columns added later in this migration get the new type directly.
    for table in from.tables.values() {
        for c in table.columns.iter().filter(|c| c.data_type.trim_end_matches("[]") == new.name) {
            let (t, col) = (quote_ident(&table.name), quote_ident(&c.name));
            if c.default.is_some() {
                p.types.push(format!("ALTER TABLE {t} ALTER COLUMN {col} DROP DEFAULT;"));
            }
            p.types.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {col} TYPE {} USING {col}::text::{};",
                c.data_type, c.data_type
            ));
            if let Some(d) = &c.default {
                p.types.push(format!("ALTER TABLE {t} ALTER COLUMN {col} SET DEFAULT {d};"));
            }
            for removed in old.values.iter().filter(|v| !new.values.contains(v)) {
                p.losses.push(Loss {
                    what: format!("remove value {removed} from enum {}", new.name),
                    why: format!("rows of {}.{} holding it cannot be converted", table.name, c.name),
                    count_sql: format!("SELECT count(*) FROM {t} WHERE {col}::text = {}", quote_literal(removed)),
                });
            }
        }
    }
    p.types.push(format!("DROP TYPE {parked};"));
}

#[cfg(test)]
mod tests {
    use super::widens;

    #[test]
    fn widening_types() {
        for (from, to) in [
            ("character varying(10)", "character varying(20)"),
            ("character varying(10)", "text"),
            ("smallint", "bigint"),
            ("numeric(10,2)", "numeric(12,2)"),
            ("numeric(10,2)", "numeric(11,3)"),
            ("real", "double precision"),
        ] {
            assert!(widens(from, to), "{from} -> {to}");
        }
        for (from, to) in [
            ("character varying(20)", "character varying(10)"),
            ("text", "character varying(10)"),
            ("bigint", "integer"),
            ("numeric(10,2)", "numeric(10,3)"),
            ("text", "integer"),
        ] {
            assert!(!widens(from, to), "{from} -> {to}");
        }
    }
}
