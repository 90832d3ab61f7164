//! Table constraints: primary key, UNIQUE, FOREIGN KEY and CHECK added, dropped and renamed,
//! with the definitions `pg_get_constraintdef()` would show when they are more than plain columns.

use super::names::ident;
use super::types::column_name;
use super::Replay;
use crate::ir::{FkAction, UniqueKind};
use crate::schema::model::{ForeignKey, PrimaryKey, Unique};
use sqlparser::ast::{
    ConstraintCharacteristics, ConstraintReferenceMatchKind, DeferrableInitial, ForeignKeyConstraint, Ident,
    IndexColumn, NullsDistinctOption, ReferentialAction, TableConstraint,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Span, Token, Tokenizer};
use std::collections::BTreeMap;

impl Replay<'_> {
    /// `column`: the column the constraint was written on, which names an unnamed CHECK.
    pub(super) fn add_constraint(
        &mut self,
        table: &str,
        constraint: &TableConstraint,
        column: Option<&str>,
        not_valid: bool,
    ) -> Result<(), String> {
        match constraint {
            TableConstraint::PrimaryKey(key) => {
                let columns = self.key_columns(table, &key.columns)?;
                let name = self.new_key_name(table, key.name.as_ref(), &[], "pkey")?;
                let extra = key_definition("PRIMARY KEY", &columns, false, &key.include, key.characteristics.as_ref());
                let t = self.table_mut(table)?;
                if let Some(existing) = &t.primary_key {
                    return Err(format!("table '{table}' already has a primary key ('{}')", existing.name));
                }
                // A primary key makes its columns NOT NULL.
                t.columns.iter_mut().filter(|c| columns.contains(&c.name)).for_each(|c| c.nullable = false);
                t.primary_key = Some(PrimaryKey { name, columns, extra });
            }
            TableConstraint::Unique(key) => {
                let columns = self.key_columns(table, &key.columns)?;
                let name = self.new_key_name(table, key.name.as_ref(), &columns, "key")?;
                let not_distinct = key.nulls_distinct == NullsDistinctOption::NotDistinct;
                let extra =
                    key_definition("UNIQUE", &columns, not_distinct, &key.include, key.characteristics.as_ref());
                let unique =
                    Unique { name: name.clone(), columns, kind: UniqueKind::Constraint, kind_explicit: true, extra };
                self.table_mut(table)?.uniques.insert(name, unique);
            }
            TableConstraint::ForeignKey(fk) => self.add_foreign_key(table, fk, not_valid)?,
            TableConstraint::Check(check) => {
                let named_after =
                    column.map(str::to_string).or_else(|| self.first_column(table, &check.expr.to_string()));
                let name = match &check.name {
                    Some(name) => ident(name),
                    None => self.choose_name(table, named_after.as_slice(), "check"),
                };
                let t = self.table(table)?;
                if t.checks.contains_key(&name) || t.foreign_keys.contains_key(&name) {
                    return Err(format!("constraint '{name}' for table '{table}' already exists"));
                }
                let valid = if not_valid { " NOT VALID" } else { "" };
                let definition = format!("CHECK ({}){valid}", self.as_written(&check.expr));
                self.table_mut(table)?.checks.insert(name, definition);
            }
            TableConstraint::Exclude(exclude) => {
                let first = exclude.elements.first().and_then(|e| column_name(&e.column.column.expr));
                let name = match &exclude.name {
                    Some(name) => ident(name),
                    None => self.choose_name(table, first.as_slice(), "excl"),
                };
                if self.table(table)?.checks.contains_key(&name) || self.relation_exists(&name) {
                    return Err(format!("constraint '{name}' for table '{table}' already exists"));
                }
                let mut unnamed = exclude.clone();
                unnamed.name = None;
                self.table_mut(table)?.checks.insert(name, unnamed.to_string());
            }
            other => return Err(format!("constraint `{other}` is not supported by replay")),
        }
        Ok(())
    }

    fn add_foreign_key(&mut self, table: &str, fk: &ForeignKeyConstraint, not_valid: bool) -> Result<(), String> {
        let columns: Vec<String> = fk.columns.iter().map(ident).collect();
        self.check_columns(table, &columns)?;
        let (ref_schema, ref_table) = self.resolve_table(&fk.foreign_table)?;
        if !self.table_exists(&ref_schema, &ref_table) {
            return Err(format!("table '{}' does not exist", self.display_name(&ref_schema, &ref_table)));
        }
        let (ours, ref_key) = (self.manages(&ref_schema), self.display_name(&ref_schema, &ref_table));
        let ref_columns: Vec<String> = match (fk.referred_columns.is_empty(), ours) {
            (false, _) => fk.referred_columns.iter().map(ident).collect(),
            // REFERENCES t alone means t's primary key.
            (true, true) => self.table(&ref_key)?.primary_key.as_ref().map(|pk| pk.columns.clone()).unwrap_or_default(),
            (true, false) => Vec::new(),
        };
        if ours {
            self.check_columns(&ref_key, &ref_columns)?;
        }
        if ref_columns.len() != columns.len() {
            return Err(format!(
                "foreign key on '{table}' has {} columns but references {}",
                columns.len(),
                ref_columns.len()
            ));
        }
        let name = match &fk.name {
            Some(name) => ident(name),
            None => self.choose_name(table, &columns, "fkey"),
        };
        let t = self.table(table)?;
        if t.foreign_keys.contains_key(&name) || t.checks.contains_key(&name) {
            return Err(format!("constraint '{name}' for table '{table}' already exists"));
        }
        let mut options: Vec<&str> = match fk.match_kind {
            Some(ConstraintReferenceMatchKind::Full) => vec!["MATCH FULL"],
            Some(ConstraintReferenceMatchKind::Partial) => vec!["MATCH PARTIAL"],
            _ => vec![],
        };
        options.extend(deferral(fk.characteristics.as_ref()));
        if not_valid {
            options.push("NOT VALID");
        }
        let fk = ForeignKey {
            name: name.clone(),
            columns,
            ref_schema,
            ref_table,
            ref_columns,
            options: options.join(" "),
            on_delete: fk_action(fk.on_delete),
            on_update: fk_action(fk.on_update),
        };
        self.table_mut(table)?.foreign_keys.insert(name, fk);
        Ok(())
    }

    /// Plain column names of a key; expressions and sort orders are not keys.
    fn key_columns(&self, table: &str, columns: &[IndexColumn]) -> Result<Vec<String>, String> {
        let names = columns
            .iter()
            .map(|c| column_name(&c.column.expr).ok_or_else(|| format!("key column `{c}` is not a plain column")))
            .collect::<Result<Vec<_>, _>>()?;
        self.check_columns(table, &names)?;
        Ok(names)
    }

    pub(super) fn check_columns(&self, table: &str, columns: &[String]) -> Result<(), String> {
        let t = self.table(table)?;
        match columns.iter().find(|c| t.column(c).is_none()) {
            Some(missing) => Err(format!("column '{missing}' of table '{table}' does not exist")),
            None => Ok(()),
        }
    }

    /// The name of a new key (its index shares the namespace of tables and indexes).
    fn new_key_name(
        &self,
        table: &str,
        name: Option<&Ident>,
        columns: &[String],
        label: &str,
    ) -> Result<String, String> {
        let Some(name) = name else { return Ok(self.choose_name(table, columns, label)) };
        let name = ident(name);
        if self.relation_exists(&name) {
            return Err(format!("relation '{name}' already exists"));
        }
        Ok(name)
    }

    /// The first column of `table` an expression mentions, which PostgreSQL names a CHECK after.
    fn first_column(&self, table: &str, expr: &str) -> Option<String> {
        let t = self.table(table).ok()?;
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, expr).tokenize().ok()?;
        tokens.into_iter().find_map(|token| match token {
            Token::Word(w) => Some(ident(&Ident { value: w.value, quote_style: w.quote_style, span: Span::empty() }))
                .filter(|name| t.column(name).is_some()),
            _ => None,
        })
    }

    pub(super) fn drop_constraint(
        &mut self,
        table: &str,
        name: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Result<(), String> {
        let t = self.table(table)?;
        let key = match (&t.primary_key, t.uniques.get(name)) {
            (Some(pk), _) if pk.name == name => Some(pk.columns.clone()),
            (_, Some(u)) if u.kind == UniqueKind::Constraint => Some(u.columns.clone()),
            _ => None,
        };
        if let Some(columns) = &key {
            self.drop_key_dependents(table, columns, cascade, &format!("constraint '{name}' on table '{table}'"))?;
        }
        let t = self.table_mut(table)?;
        let found = if t.primary_key.as_ref().is_some_and(|pk| pk.name == name) {
            t.primary_key = None;
            true
        } else if key.is_some() {
            t.uniques.remove(name).is_some()
        } else {
            t.foreign_keys.remove(name).is_some() || t.checks.remove(name).is_some()
        };
        if found || if_exists {
            Ok(())
        } else {
            Err(format!("constraint '{name}' of table '{table}' does not exist"))
        }
    }

    pub(super) fn rename_constraint(&mut self, table: &str, old: &str, new: &str) -> Result<(), String> {
        let t = self.table(table)?;
        let is_key = t.primary_key.as_ref().is_some_and(|pk| pk.name == old)
            || t.uniques.get(old).is_some_and(|u| u.kind == UniqueKind::Constraint);
        // A key's index is renamed with it, so the new name must be free among relations too.
        let taken =
            (is_key && self.relation_exists(new)) || t.foreign_keys.contains_key(new) || t.checks.contains_key(new);
        if taken {
            return Err(format!("constraint '{new}' for table '{table}' already exists"));
        }
        let t = self.table_mut(table)?;
        let renamed = match &mut t.primary_key {
            Some(pk) if pk.name == old => {
                pk.name = new.to_string();
                true
            }
            _ => {
                (is_key && rename_key(&mut t.uniques, old, new, |u| u.name = new.to_string()))
                    || rename_key(&mut t.foreign_keys, old, new, |fk| fk.name = new.to_string())
                    || rename_key(&mut t.checks, old, new, |_| {})
            }
        };
        if renamed {
            Ok(())
        } else {
            Err(format!("constraint '{old}' of table '{table}' does not exist"))
        }
    }

    /// Foreign keys that use a key of `table` on exactly these columns, dropped with CASCADE.
    pub(super) fn drop_key_dependents(
        &mut self,
        table: &str,
        columns: &[String],
        cascade: bool,
        what: &str,
    ) -> Result<(), String> {
        let ours = self.schema.name.clone();
        let sorted = |c: &[String]| {
            let mut c = c.to_vec();
            c.sort();
            c
        };
        let key = sorted(columns);
        self.drop_dependents(|_, fk| fk.target(&ours) == table && sorted(&fk.ref_columns) == key, cascade, what)
    }

    /// Foreign keys that depend on something being dropped: they go with CASCADE, and without it
    /// the drop fails.
    pub(super) fn drop_dependents(
        &mut self,
        depends: impl Fn(&str, &ForeignKey) -> bool,
        cascade: bool,
        what: &str,
    ) -> Result<(), String> {
        let dependents: Vec<(String, String)> = self
            .schema
            .tables
            .values()
            .flat_map(|t| {
                t.foreign_keys.values().filter(|fk| depends(&t.name, fk)).map(|fk| (t.name.clone(), fk.name.clone()))
            })
            .collect();
        if let Some((table, fk)) = dependents.first().filter(|_| !cascade) {
            return Err(format!(
                "cannot drop {what}: constraint '{fk}' on table '{table}' depends on it (add CASCADE)"
            ));
        }
        for (table, fk) in dependents {
            if let Some(t) = self.schema.tables.get_mut(&table) {
                t.foreign_keys.remove(&fk);
            }
        }
        Ok(())
    }
}

/// Moves `old` to `new` in a map keyed by name; whether `old` was there.
pub(super) fn rename_key<V>(
    map: &mut BTreeMap<String, V>,
    old: &str,
    new: &str,
    set_name: impl FnOnce(&mut V),
) -> bool {
    let Some(mut value) = map.remove(old) else { return false };
    set_name(&mut value);
    map.insert(new.to_string(), value);
    true
}

/// `pg_get_constraintdef()` of a key when it is more than `KEYWORD (columns)`.
fn key_definition(
    keyword: &str,
    columns: &[String],
    nulls_not_distinct: bool,
    include: &[Ident],
    characteristics: Option<&ConstraintCharacteristics>,
) -> Option<String> {
    let include: Vec<String> = include.iter().map(ident).collect();
    crate::schema::model::key_definition(keyword, columns, nulls_not_distinct, &include, &deferral(characteristics))
}

/// `DEFERRABLE` and `INITIALLY DEFERRED` as the catalog records them (deferred implies deferrable).
fn deferral(characteristics: Option<&ConstraintCharacteristics>) -> Vec<&'static str> {
    let deferred = characteristics.is_some_and(|c| c.initially == Some(DeferrableInitial::Deferred));
    let deferrable = deferred || characteristics.is_some_and(|c| c.deferrable == Some(true));
    [(deferrable, "DEFERRABLE"), (deferred, "INITIALLY DEFERRED")]
        .into_iter()
        .filter_map(|(on, w)| on.then_some(w))
        .collect()
}

fn fk_action(action: Option<ReferentialAction>) -> FkAction {
    match action {
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
        Some(ReferentialAction::NoAction) | None => FkAction::NoAction,
    }
}
