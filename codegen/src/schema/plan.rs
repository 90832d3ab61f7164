//! `plan(from, to)`: the DDL that turns one schema into another. It writes what `diff(to, from)`
//! reports — the one comparison engine — through one exhaustive match, so every difference `check`
//! can report is either written or refused by name. Statements are safely ordered (foreign keys and
//! keys dropped first, types before tables, tables before their keys, foreign keys last), and the
//! changes that can lose data are listed, so the caller can refuse them unless acknowledged.
//! Renames are not guessed here: the caller applies `renamed_from` to `from` first (`migration`).

use super::ddl;
use super::diff::{diff, Aspect, Change, ChangeKind, ObjectKind};
use super::model::*;
use crate::ir::{Generated, UniqueKind};
use crate::naming::{quote_ident, quote_literal};
use std::collections::{BTreeMap, BTreeSet};

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
    /// Differences no statement can write (the model lacks what it would take); the plan is
    /// incomplete when any is listed, and the caller must not write it.
    pub refused: Vec<String>,
}

/// The statements that turn `from` into `to`.
pub fn plan(from: &Schema, to: &Schema) -> Plan {
    let changes = diff(to, from);
    let mut planner = Planner {
        from,
        to,
        p: Phases::default(),
        losses: Vec::new(),
        refused: Vec::new(),
        recreated: BTreeSet::new(),
        columns: BTreeMap::new(),
        dropped_tables: Vec::new(),
        defaults_handled: BTreeSet::new(),
        fks_dropped: BTreeSet::new(),
        schemas_created: BTreeSet::new(),
    };
    for change in &changes {
        planner.change(change);
    }
    planner.finish()
}

/// Statements in the order they must run.
#[derive(Default)]
struct Phases {
    /// Before anything that may use their types.
    extensions: Vec<String>,
    drop_foreign_keys: Vec<String>,
    drop_keys: Vec<String>,
    drop_tables: Vec<String>,
    types: Vec<String>,
    tables: Vec<String>,
    columns: Vec<String>,
    /// Generated columns rebuilt: added once the columns their expressions read have changed.
    add_generated: Vec<String>,
    drop_columns: Vec<String>,
    drop_types: Vec<String>,
    keys: Vec<String>,
    foreign_keys: Vec<String>,
    /// After every column and index that used them is gone.
    drop_extensions: Vec<String>,
}

/// An object that is dropped and created anew, once however many of its aspects differ.
type Recreated = (ObjectKind, String, String);

struct Planner<'a> {
    from: &'a Schema,
    to: &'a Schema,
    p: Phases,
    losses: Vec<Loss>,
    refused: Vec<String>,
    recreated: BTreeSet<Recreated>,
    /// Aspects that differ, per (table, column) of a kept column.
    columns: BTreeMap<(String, String), BTreeSet<Aspect>>,
    dropped_tables: Vec<String>,
    /// Columns whose default an enum rebuild already set or dropped.
    defaults_handled: BTreeSet<(String, String)>,
    /// Foreign keys (table, name) dropped because what they point at or hold is rebuilt.
    fks_dropped: BTreeSet<(String, String)>,
    /// Schemas this migration creates (for the first table in each).
    schemas_created: BTreeSet<String>,
}

impl<'a> Planner<'a> {
    fn change(&mut self, c: &Change) {
        let table = c.table.clone().unwrap_or_default();
        let name = c.name.as_str();
        match (c.object, &c.kind) {
            (ObjectKind::Extension, ChangeKind::Missing) => self.p.extensions.push(ddl::create_extension(name)),
            (ObjectKind::Extension, ChangeKind::Extra) => self.p.drop_extensions.push(ddl::drop_extension(name)),
            (ObjectKind::Domain, ChangeKind::Missing) => self.p.types.push(ddl::create_domain(&self.to.domains[name])),
            (ObjectKind::Domain, ChangeKind::Extra) => {
                self.p.drop_types.push(format!("DROP DOMAIN {};", quote_ident(name)));
            }
            (ObjectKind::Domain, ChangeKind::Differs { .. }) => self.change_domain(c, name),
            (ObjectKind::Enum, ChangeKind::Missing) => self.p.types.push(ddl::create_enum(&self.to.enums[name])),
            (ObjectKind::Enum, ChangeKind::Extra) => {
                self.p.drop_types.push(format!("DROP TYPE {};", quote_ident(name)));
            }
            (ObjectKind::Enum, ChangeKind::Differs { aspect: Aspect::Values, .. }) => self.change_enum(name),
            (ObjectKind::Table, ChangeKind::Missing) => self.create_table(name),
            (ObjectKind::Table, ChangeKind::Extra) => {
                self.dropped_tables.push(name.to_string());
                self.losses.push(Loss {
                    what: format!("drop table {name}"),
                    why: "every row of the table is deleted".into(),
                    count_sql: format!("SELECT count(*) FROM {}", quote_table(name)),
                });
            }
            (ObjectKind::Column, ChangeKind::Missing) => self.add_column(&table, name),
            (ObjectKind::Column, ChangeKind::Extra) => {
                self.p.drop_columns.push(alter(&table, &format!("DROP COLUMN {}", quote_ident(name))));
                self.losses.push(Loss {
                    what: format!("drop column {table}.{name}"),
                    why: "its values are deleted".into(),
                    count_sql: format!(
                        "SELECT count(*) FROM {} WHERE {} IS NOT NULL",
                        quote_table(&table),
                        quote_ident(name)
                    ),
                });
            }
            (ObjectKind::Column, ChangeKind::Differs { aspect, .. }) => match aspect {
                Aspect::Comment => {
                    let c = self.to.tables[&table].column(name).cloned();
                    if let Some(c) = c {
                        self.p.columns.push(ddl::column_comment(&table, &c));
                    }
                }
                Aspect::Type | Aspect::Collation | Aspect::Generated | Aspect::Default | Aspect::Nullability => {
                    self.columns.entry((table, name.to_string())).or_default().insert(*aspect);
                }
                _ => self.refuse(c),
            },
            (
                ObjectKind::PrimaryKey | ObjectKind::Unique | ObjectKind::Index | ObjectKind::Check,
                ChangeKind::Missing,
            ) => self.add_key(c.object, &table, name),
            (
                ObjectKind::PrimaryKey | ObjectKind::Unique | ObjectKind::Index | ObjectKind::Check,
                ChangeKind::Extra,
            ) => self.drop_key(c.object, &table, name),
            (ObjectKind::Partition, ChangeKind::Missing) => {
                self.p.tables.push(ddl::create_partition(&table, name, &self.to.tables[&table].partitions[name]));
            }
            (ObjectKind::Partition, ChangeKind::Extra) => self.drop_partition(&table, name),
            (ObjectKind::Partition, ChangeKind::Differs { .. }) => {
                // A new bound is a new partition: its rows go with the old one.
                self.drop_partition(&table, name);
                self.p.tables.push(ddl::create_partition(&table, name, &self.to.tables[&table].partitions[name]));
            }
            (ObjectKind::ForeignKey, ChangeKind::Missing) => self.add_foreign_key(&table, name),
            (ObjectKind::ForeignKey, ChangeKind::Extra) => self.drop_foreign_key(&table, name),
            (
                ObjectKind::PrimaryKey
                | ObjectKind::Unique
                | ObjectKind::Index
                | ObjectKind::Check
                | ObjectKind::ForeignKey,
                ChangeKind::Differs { .. },
            ) => {
                if self.recreated.insert((c.object, table.clone(), name.to_string())) {
                    if c.object == ObjectKind::ForeignKey {
                        self.drop_foreign_key(&table, name);
                        self.add_foreign_key(&table, name);
                    } else {
                        self.drop_key(c.object, &table, name);
                        self.add_key(c.object, &table, name);
                    }
                }
            }
            (ObjectKind::Table, ChangeKind::Differs { aspect: Aspect::Comment, .. }) => {
                let comment = self.to.tables[name].comment.as_deref();
                self.p.tables.push(ddl::comment_on("TABLE", &quote_table(name), comment));
            }
            (ObjectKind::Extension | ObjectKind::Enum | ObjectKind::Table, ChangeKind::Differs { .. }) => {
                self.refuse(c);
            }
        }
    }

    /// A domain's default, NOT NULL and CHECKs change in place; another base type is refused
    /// (every column of the domain would have to be rebuilt).
    fn change_domain(&mut self, c: &Change, name: &str) {
        let (from, to) = (&self.from.domains[name], &self.to.domains[name]);
        if from.base != to.base {
            return self.refuse(c);
        }
        let alter = |action: String| format!("ALTER DOMAIN {} {action};", quote_ident(name));
        for check in from.checks.keys().filter(|k| from.checks.get(*k) != to.checks.get(*k)) {
            self.p.drop_keys.push(alter(format!("DROP CONSTRAINT {}", quote_ident(check))));
        }
        if from.default != to.default {
            self.p.types.push(alter(to.default.as_ref().map_or("DROP DEFAULT".into(), |d| format!("SET DEFAULT {d}"))));
        }
        if from.not_null != to.not_null {
            self.p.types.push(alter(if to.not_null { "SET NOT NULL" } else { "DROP NOT NULL" }.into()));
        }
        for (check, definition) in to.checks.iter().filter(|(k, v)| from.checks.get(*k) != Some(v)) {
            self.p.keys.push(alter(format!("ADD CONSTRAINT {} {definition}", quote_ident(check))));
        }
    }

    /// Detached first: a foreign key to the table has a clone on each partition, which only
    /// detaching removes.
    fn drop_partition(&mut self, table: &str, name: &str) {
        self.p.drop_tables.push(alter(table, &format!("DETACH PARTITION {}", quote_in_table_schema(table, name))));
        let partition = quote_in_table_schema(table, name);
        self.p.drop_tables.push(format!("DROP TABLE {partition};"));
        self.losses.push(Loss {
            what: format!("drop partition {name}"),
            why: "its rows are deleted".into(),
            count_sql: format!("SELECT count(*) FROM {partition}"),
        });
    }

    fn refuse(&mut self, c: &Change) {
        let object = match &c.table {
            Some(t) => format!("{t}.{}", c.name),
            None => c.name.clone(),
        };
        let what = match &c.kind {
            ChangeKind::Differs { aspect, expected, actual } => {
                let aspect = format!("{aspect:?}").to_lowercase();
                format!("the {aspect} of {object} would change from {actual} to {expected}")
            }
            ChangeKind::Missing => format!("{object} would be created"),
            ChangeKind::Extra => format!("{object} would be dropped"),
        };
        self.refused.push(format!("cannot plan this change: {what} (the schema model cannot write it)"));
    }

    fn create_table(&mut self, name: &str) {
        let t = &self.to.tables[name];
        if let (Some(schema), _) = split_table(name) {
            if !self.from.managed.contains(schema) && self.schemas_created.insert(schema.to_string()) {
                self.p.extensions.push(ddl::create_schema(schema));
            }
        }
        self.p.tables.push(ddl::create_table(t));
        self.p.tables.extend(ddl::comments(t));
        for (partition, bound) in &t.partitions {
            self.p.tables.push(ddl::create_partition(name, partition, bound));
        }
        for u in t.uniques.values().filter(|u| u.kind == UniqueKind::Index) {
            self.p.keys.push(ddl::create_unique_index(name, u));
        }
        for ix in t.indexes.values() {
            self.p.keys.push(ddl::create_index(name, ix));
        }
        for fk in t.foreign_keys.values() {
            self.p.foreign_keys.push(ddl::add_foreign_key(name, fk, &self.to.name));
        }
    }

    fn add_column(&mut self, table: &str, name: &str) {
        let Some(c) = self.to.tables[table].column(name) else { return };
        self.p.columns.push(alter(table, &format!("ADD COLUMN {}", ddl::column_def(table, c))));
        if c.comment.is_some() {
            self.p.columns.push(ddl::column_comment(table, c));
        }
        if !c.nullable && c.default.is_none() && c.generated.is_none() {
            self.losses.push(Loss {
                what: format!("add NOT NULL column {table}.{name} without a default"),
                why: "existing rows have no value for it (PostgreSQL refuses unless the table is empty)".into(),
                count_sql: format!("SELECT count(*) FROM {}", quote_table(table)),
            });
        }
    }

    fn add_key(&mut self, object: ObjectKind, table: &str, name: &str) {
        let t = &self.to.tables[table];
        let statement = match object {
            ObjectKind::PrimaryKey => t
                .primary_key
                .as_ref()
                .map(|pk| alter(table, &format!("ADD CONSTRAINT {} {}", quote_ident(name), ddl::primary_key_def(pk)))),
            ObjectKind::Unique => t.uniques.get(name).map(|u| match u.kind {
                UniqueKind::Constraint => {
                    alter(table, &format!("ADD CONSTRAINT {} {}", quote_ident(name), ddl::unique_constraint_def(u)))
                }
                UniqueKind::Index => ddl::create_unique_index(table, u),
            }),
            ObjectKind::Index => t.indexes.get(name).map(|ix| ddl::create_index(table, ix)),
            ObjectKind::Check => {
                t.checks.get(name).map(|def| alter(table, &format!("ADD CONSTRAINT {} {def}", quote_ident(name))))
            }
            _ => None,
        };
        self.p.keys.extend(statement);
    }

    fn drop_key(&mut self, object: ObjectKind, table: &str, name: &str) {
        let t = &self.from.tables[table];
        let index = match object {
            ObjectKind::Index => true,
            ObjectKind::Unique => t.uniques.get(name).is_some_and(|u| u.kind == UniqueKind::Index),
            _ => false,
        };
        self.p.drop_keys.push(if index {
            format!("DROP INDEX {};", quote_in_table_schema(table, name))
        } else {
            alter(table, &format!("DROP CONSTRAINT {}", quote_ident(name)))
        });
        // Foreign keys that rest on a dropped key must go first, and come back once it is rebuilt.
        let columns = match object {
            ObjectKind::PrimaryKey => t.primary_key.as_ref().map(|pk| pk.columns.clone()),
            ObjectKind::Unique => t.uniques.get(name).map(|u| u.columns.clone()),
            ObjectKind::Index => t.indexes.get(name).filter(|ix| ix.unique).map(|ix| ix.columns.clone()),
            _ => None,
        };
        if let Some(mut columns) = columns {
            columns.sort();
            // PostgreSQL matches a foreign key to a key by its set of columns.
            self.drop_referencing(table, |fk| {
                let mut refs = fk.ref_columns.clone();
                refs.sort();
                refs == columns
            });
        }
    }

    /// Drops (and re-adds, where `to` keeps them) the foreign keys into `table` that `hits`.
    fn drop_referencing(&mut self, table: &str, hits: impl Fn(&ForeignKey) -> bool) {
        let from = self.from;
        for (owner, fk) in from.tables.values().flat_map(|t| t.foreign_keys.values().map(move |fk| (t, fk))) {
            // A dropped table's too: it goes only after the keys, and would hold the key up.
            if fk.target(&from.name) == table && hits(fk) {
                let kept = self.to.tables.get(&owner.name).and_then(|t| t.foreign_keys.get(&fk.name)).is_some();
                if self.recreated.insert((ObjectKind::ForeignKey, owner.name.clone(), fk.name.clone())) {
                    self.drop_foreign_key(&owner.name, &fk.name);
                    if kept {
                        self.add_foreign_key(&owner.name, &fk.name);
                    }
                }
            }
        }
    }

    /// The foreign keys on either end of a column that is retyped or rebuilt: dropped first, and
    /// restored where `to` keeps them.
    fn rebuild_foreign_keys_on(&mut self, table: &str, column: &str) {
        self.drop_referencing(table, |fk| fk.ref_columns.iter().any(|r| r == column));
        let own: Vec<String> = self.from.tables[table]
            .foreign_keys
            .values()
            .filter(|fk| fk.columns.iter().any(|x| x == column))
            .map(|fk| fk.name.clone())
            .collect();
        for fk in own {
            if self.recreated.insert((ObjectKind::ForeignKey, table.to_string(), fk.clone())) {
                self.drop_foreign_key(table, &fk);
                self.add_foreign_key(table, &fk);
            }
        }
    }

    fn add_foreign_key(&mut self, table: &str, name: &str) {
        if let Some(fk) = self.to.tables[table].foreign_keys.get(name) {
            self.p.foreign_keys.push(ddl::add_foreign_key(table, fk, &self.to.name));
        }
    }

    fn drop_foreign_key(&mut self, table: &str, name: &str) {
        if self.fks_dropped.insert((table.to_string(), name.to_string())) {
            self.p.drop_foreign_keys.push(alter(table, &format!("DROP CONSTRAINT {}", quote_ident(name))));
        }
    }

    /// One kept column: its aspects in the order PostgreSQL accepts them. A type change drops
    /// the old default first (it may not convert) and the foreign keys on either end.
    fn change_column(&mut self, table: &str, name: &str, aspects: &BTreeSet<Aspect>) {
        let (Some(before), Some(c)) = (self.from.tables[table].column(name), self.to.tables[table].column(name)) else {
            return;
        };
        let col = quote_ident(name);
        let handled = self.defaults_handled.contains(&(table.to_string(), name.to_string()));
        let retyped = aspects.contains(&Aspect::Type) || aspects.contains(&Aspect::Collation);
        let regenerate = aspects.contains(&Aspect::Generated) && !generation_alterable(&before.generated, &c.generated);
        if regenerate {
            // A stored expression cannot be added to, or changed on, an existing column: it is
            // rebuilt, and what rests on it (keys, indexes, checks, foreign keys) with it.
            self.rebuild_foreign_keys_on(table, name);
            // Dropped before the columns it reads change type (PostgreSQL refuses that otherwise).
            self.p.drop_keys.push(alter(table, &format!("DROP COLUMN {col}")));
            self.p.add_generated.push(alter(table, &format!("ADD COLUMN {}", ddl::column_def(table, c))));
            let to = &self.to.tables[table];
            let on_it = |columns: &[String]| columns.iter().any(|x| x == name);
            let mut rebuilt: Vec<(ObjectKind, String)> = Vec::new();
            rebuilt.extend(
                to.primary_key
                    .iter()
                    .filter(|pk| on_it(&pk.columns))
                    .map(|pk| (ObjectKind::PrimaryKey, pk.name.clone())),
            );
            rebuilt.extend(
                to.uniques.values().filter(|u| on_it(&u.columns)).map(|u| (ObjectKind::Unique, u.name.clone())),
            );
            rebuilt
                .extend(to.indexes.values().filter(|i| on_it(&i.columns)).map(|i| (ObjectKind::Index, i.name.clone())));
            rebuilt.extend(
                to.checks.iter().filter(|(_, d)| d.contains(name)).map(|(n, _)| (ObjectKind::Check, n.clone())),
            );
            for (kind, key) in rebuilt {
                if self.recreated.insert((kind, table.to_string(), key.clone())) {
                    self.add_key(kind, table, &key);
                }
            }
            self.losses.push(Loss {
                what: format!("recreate {table}.{name} as {}", c.generated.as_deref().unwrap_or("a plain column")),
                why: "its values are replaced".into(),
                count_sql: format!("SELECT count(*) FROM {} WHERE {col} IS NOT NULL", quote_table(table)),
            });
            return;
        }
        if aspects.contains(&Aspect::Type) {
            self.rebuild_foreign_keys_on(table, name);
        }
        // First: what stops being generated lets a default or a type change through.
        if aspects.contains(&Aspect::Generated) {
            match (&before.generated, &c.generated) {
                (Some(b), None) if Generated::is_identity_sql(b) => {
                    self.p.columns.push(alter(table, &format!("ALTER COLUMN {col} DROP IDENTITY")));
                }
                (Some(_), None) => self.p.columns.push(alter(table, &format!("ALTER COLUMN {col} DROP EXPRESSION"))),
                (Some(b), Some(g)) => {
                    let actions = identity_changes(b, g, &c.data_type);
                    self.p.columns.push(alter(table, &format!("ALTER COLUMN {col} {}", actions.join(" "))));
                }
                (None, _) => {}
            }
        }
        let default_changes = aspects.contains(&Aspect::Default) || (retyped && before.default.is_some());
        if retyped {
            if before.default.is_some() && !handled {
                self.p.columns.push(alter(table, &format!("ALTER COLUMN {col} DROP DEFAULT")));
            }
            let collate = c.collation.as_ref().map(|x| format!(" COLLATE {}", quote_ident(x))).unwrap_or_default();
            self.p.columns.push(alter(
                table,
                &format!(
                    "ALTER COLUMN {col} TYPE {}{collate} USING {}",
                    c.data_type,
                    conversion(&col, &before.data_type, &c.data_type)
                ),
            ));
            if before.data_type != c.data_type && !widens(&before.data_type, &c.data_type) {
                self.losses.push(Loss {
                    what: format!("change {table}.{name} from {} to {}", before.data_type, c.data_type),
                    why: "not a widening: values may be cut, rounded or refused".into(),
                    count_sql: format!("SELECT count(*) FROM {} WHERE {col} IS NOT NULL", quote_table(table)),
                });
            }
        }
        if (default_changes && !handled) || (handled && retyped) {
            match &c.default {
                Some(d) => self.p.columns.push(alter(table, &format!("ALTER COLUMN {col} SET DEFAULT {d}"))),
                None if !retyped => self.p.columns.push(alter(table, &format!("ALTER COLUMN {col} DROP DEFAULT"))),
                None => {}
            }
        }
        if aspects.contains(&Aspect::Nullability) {
            let verb = if c.nullable { "DROP" } else { "SET" };
            self.p.columns.push(alter(table, &format!("ALTER COLUMN {col} {verb} NOT NULL")));
            if !c.nullable {
                self.losses.push(Loss {
                    what: format!("make {table}.{name} NOT NULL"),
                    why: "rows holding NULL there make the migration fail".into(),
                    count_sql: format!("SELECT count(*) FROM {} WHERE {col} IS NULL", quote_table(table)),
                });
            }
        }
        // Last: identity needs the column's final type, no default and NOT NULL.
        if let (None, Some(g)) = (&before.generated, &c.generated) {
            self.p.columns.push(alter(table, &format!("ALTER COLUMN {col} ADD {g}")));
        }
    }

    /// New values are added in place (`ADD VALUE … BEFORE/AFTER`); a removed or reordered value,
    /// or a new one a default of this migration uses (PostgreSQL refuses a value added in the
    /// same transaction), needs a new type and a conversion of every column using it.
    fn change_enum(&mut self, name: &str) {
        let (old, new) = (&self.from.enums[name], &self.to.enums[name]);
        let kept: Vec<&String> = new.values.iter().filter(|v| old.values.contains(v)).collect();
        let in_place = kept.len() == old.values.len() && kept.iter().zip(&old.values).all(|(a, b)| *a == b);
        let added: Vec<&String> = new.values.iter().filter(|v| !old.values.contains(v)).collect();
        let type_name = quote_ident(&new.name);
        // A column converted into the enum by this migration may hold a new value already.
        let converted = |table: &str, c: &Column| {
            self.from.tables.get(table).and_then(|t| t.column(&c.name)).is_some_and(|b| b.data_type != c.data_type)
        };
        let used_now = self.to.tables.values().any(|t| {
            t.columns.iter().any(|c| {
                c.data_type.trim_end_matches("[]") == type_name
                    && (converted(&t.name, c)
                        || c.default.as_deref().is_some_and(|d| added.iter().any(|v| d.contains(v.as_str()))))
            })
        });
        if in_place && !used_now {
            for (i, value) in new.values.iter().enumerate().filter(|(_, v)| !old.values.contains(v)) {
                // Values before this one exist by now; at the front, anchor on the first old one.
                let place = match i {
                    0 => {
                        let first_old = new.values.iter().find(|v| old.values.contains(v)).unwrap_or(&new.values[0]);
                        format!("BEFORE {}", quote_literal(first_old))
                    }
                    _ => format!("AFTER {}", quote_literal(&new.values[i - 1])),
                };
                self.p.types.push(format!("ALTER TYPE {type_name} ADD VALUE {} {place};", quote_literal(value)));
            }
            return;
        }
        let parked = quote_ident(&format!("{}__old", new.name));
        self.p.types.push(format!("ALTER TYPE {type_name} RENAME TO {parked};"));
        self.p.types.push(ddl::create_enum(new));
        // The columns of kept tables that exist now; columns added later get the new type directly.
        let from = self.from;
        for table in from.tables.values().filter(|t| self.to.tables.contains_key(&t.name)) {
            for c in table.columns.iter().filter(|c| c.data_type.trim_end_matches("[]") == type_name) {
                let (t, col) = (quote_table(&table.name), quote_ident(&c.name));
                if c.default.is_some() {
                    self.p.types.push(format!("ALTER TABLE {t} ALTER COLUMN {col} DROP DEFAULT;"));
                }
                let target = self.to.tables[&table.name].column(&c.name);
                // A column this migration drops or retypes keeps its values as text meanwhile
                // (a removed value would not convert, and is about to go anyway).
                let stays = target.is_some_and(|t| t.data_type == c.data_type);
                let interim = if stays {
                    c.data_type.clone()
                } else {
                    format!("text{}", if c.data_type.ends_with("[]") { "[]" } else { "" })
                };
                self.p
                    .types
                    .push(format!("ALTER TABLE {t} ALTER COLUMN {col} TYPE {interim} USING {col}::text::{interim};"));
                // The default the column ends with: set here when the type stays, else after its change.
                if let Some(target) = target.filter(|t| t.data_type == c.data_type) {
                    if let Some(d) = &target.default {
                        self.p.types.push(format!("ALTER TABLE {t} ALTER COLUMN {col} SET DEFAULT {d};"));
                    }
                }
                if c.default.is_some() || target.is_some_and(|t| t.default.is_some()) {
                    self.defaults_handled.insert((table.name.clone(), c.name.clone()));
                }
                for removed in old.values.iter().filter(|v| !new.values.contains(v)) {
                    self.losses.push(Loss {
                        what: format!("remove value {removed} from enum {}", new.name),
                        why: format!("rows of {}.{} holding it cannot be converted", table.name, c.name),
                        count_sql: format!("SELECT count(*) FROM {t} WHERE {col}::text = {}", quote_literal(removed)),
                    });
                }
            }
        }
        self.p.types.push(format!("DROP TYPE {parked};"));
    }

    fn finish(mut self) -> Plan {
        for (table, aspects) in std::mem::take(&mut self.columns) {
            self.change_column(&table.0, &table.1, &aspects);
        }
        if !self.dropped_tables.is_empty() {
            let names: Vec<String> = self.dropped_tables.iter().map(|t| quote_table(t)).collect();
            self.p.drop_tables.push(format!("DROP TABLE {};", names.join(", ")));
        }
        let p = self.p;
        let statements = [
            p.extensions,
            p.drop_foreign_keys,
            p.drop_keys,
            p.drop_tables,
            p.types,
            p.tables,
            p.columns,
            p.add_generated,
            p.drop_columns,
            p.drop_types,
            p.keys,
            p.foreign_keys,
            p.drop_extensions,
        ]
        .concat();
        Plan { statements, losses: self.losses, refused: self.refused }
    }
}

fn alter(table: &str, action: &str) -> String {
    format!("ALTER TABLE {} {action};", quote_table(table))
}

/// Identity can be added, dropped or switched in place, and a stored expression dropped; anything
/// else about generation rebuilds the column.
fn generation_alterable(before: &Option<String>, after: &Option<String>) -> bool {
    let identity = |g: &Option<String>| g.as_deref().is_none_or(Generated::is_identity_sql);
    match (before, after) {
        (_, None) => true,
        (b, Some(_)) => identity(b) && identity(after),
    }
}

/// The `ALTER COLUMN` actions turning one identity into another in place (its sequence and
/// current value kept): `SET GENERATED …` when the kind changed, `SET <option>` for each option
/// whose value changed (an option back to its default is set to the default's value).
fn identity_changes(before: &str, after: &str, data_type: &str) -> Vec<String> {
    let identity = |g: &str| match Generated::from_sql(g) {
        Some(Generated::Identity { always, sequence }) => (always, sequence),
        _ => unreachable!("both sides are identities: {g}"),
    };
    let ((was_always, old), (always, new)) = (identity(before), identity(after));
    let bounds = crate::types::parse_builtin(data_type).ok().flatten().and_then(|t| t.integer_bounds());
    let bounds = bounds.unwrap_or((i64::MIN, i64::MAX));
    let (from, to) = (old.values(bounds), new.values(bounds));
    let mut actions = Vec::new();
    if was_always != always {
        actions.push(format!("SET GENERATED {}", if always { "ALWAYS" } else { "BY DEFAULT" }));
    }
    let bound = |word: &str, value: Option<i64>| value.map_or(format!("SET NO {word}"), |v| format!("SET {word} {v}"));
    let changes = [
        (from.start != to.start, format!("SET START WITH {}", to.start)),
        (from.increment != to.increment, format!("SET INCREMENT BY {}", to.increment)),
        (from.min != to.min, bound("MINVALUE", new.min)),
        (from.max != to.max, bound("MAXVALUE", new.max)),
        (from.cache != to.cache, format!("SET CACHE {}", to.cache)),
        (from.cycle != to.cycle, if to.cycle { "SET CYCLE" } else { "SET NO CYCLE" }.to_string()),
    ];
    actions.extend(changes.into_iter().filter(|(changed, _)| *changed).map(|(_, action)| action));
    actions
}

/// `USING` for a type change: a direct cast where PostgreSQL has one, else through text (every
/// type has text input and output, so the statement always plans; values decide at run time).
fn conversion(col: &str, from: &str, to: &str) -> String {
    if direct_cast(from, to) {
        format!("{col}::{to}")
    } else {
        format!("{col}::text::{to}")
    }
}

fn direct_cast(from: &str, to: &str) -> bool {
    #[derive(PartialEq)]
    enum Family {
        Text,
        Number,
        Moment,
        Json,
        Other,
    }
    let family = |t: &str| {
        if t == "text" || t.starts_with("character") {
            Family::Text
        } else if ["smallint", "integer", "bigint", "real", "double precision"].contains(&t) || t.starts_with("numeric")
        {
            Family::Number
        } else if t == "date" || t.starts_with("timestamp") {
            Family::Moment
        } else if t == "json" || t == "jsonb" {
            Family::Json
        } else {
            Family::Other
        }
    };
    let (fe, fa) = (from.trim_end_matches("[]"), from.ends_with("[]"));
    let (te, ta) = (to.trim_end_matches("[]"), to.ends_with("[]"));
    let (f, t) = (family(fe), family(te));
    if (f == Family::Text && !fa) || (t == Family::Text && !ta) {
        return true;
    }
    fa == ta
        && (fe == te
            || (f == t && f != Family::Other)
            || f == Family::Text
            || t == Family::Text
            || matches!((fe, te), ("boolean", "integer") | ("integer", "boolean")))
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

#[cfg(test)]
mod tests {
    use super::{plan, widens};
    use crate::schema::model::{Column, Schema, Table};

    fn schema(table: Table) -> Schema {
        Schema { name: "public".into(), tables: [(table.name.clone(), table)].into(), ..Schema::default() }
    }

    fn table() -> Table {
        let n = Column {
            name: "n".into(),
            data_type: "text".into(),
            nullable: false,
            default: None,
            generated: None,
            collation: None,
            comment: None,
        };
        Table { name: "t".into(), columns: vec![n], ..Table::default() }
    }

    #[test]
    fn what_diff_reports_plan_writes_or_refuses_by_name() {
        let mut checked = table();
        checked.checks.insert("t_n_check".into(), "CHECK (n <> '')".into());
        checked.columns[0].collation = Some("C".into());
        let p = plan(&schema(table()), &schema(checked.clone()));
        assert_eq!(
            p.statements,
            [
                "ALTER TABLE t ALTER COLUMN n TYPE text COLLATE \"C\" USING n::text;",
                "ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n <> '');",
            ]
        );
        let back = plan(&schema(checked), &schema(table()));
        assert!(back.statements.contains(&"ALTER TABLE t DROP CONSTRAINT t_n_check;".to_string()), "{back:?}");
        let mut partitioned = table();
        partitioned.partition_by = Some("RANGE (id)".into());
        let refused = plan(&schema(partitioned), &schema(table())).refused;
        assert!(
            refused.len() == 1 && refused[0].contains(" of t would change from partitioned by RANGE (id)"),
            "{refused:?}"
        );
    }

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
