//! An entity's `foreign_keys:` (over several columns), resolved once every entity is known: the
//! columns exist on both sides, as many, of the same types, and the target's are a key.

use super::check_identifier;
use super::entity::PendingEntity;
use super::Validator;
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::ir::{FkAction, ForeignKeyDef};
use crate::naming::fill;
use crate::spec::load::span_of;
use crate::spec::raw::{EntityDoc, ForeignKeySpec, S};
use std::path::Path;

impl Validator<'_> {
    pub(super) fn resolve_foreign_keys(
        &mut self,
        docs: &[(std::path::PathBuf, EntityDoc)],
        pending: &mut [PendingEntity<'_>],
    ) {
        for (file, doc) in docs {
            let Some(i) = pending.iter().position(|p| p.entity.name == doc.entity.value) else { continue };
            for spec in &doc.foreign_keys {
                if let Some(fk) = self.foreign_key(file, spec, i, pending) {
                    pending[i].entity.foreign_keys.push(fk);
                }
            }
        }
    }

    fn foreign_key(
        &mut self,
        file: &Path,
        spec: &ForeignKeySpec,
        i: usize,
        pending: &[PendingEntity<'_>],
    ) -> Option<ForeignKeyDef> {
        let own = &pending[i].entity;
        let columns: Vec<String> = spec.columns.value.iter().map(|c| c.value.clone()).collect();
        let mut ok = true;
        for column in &spec.columns.value {
            if own.field(&column.value).is_none() {
                self.diags.push(
                    Diagnostic::error(
                        span_of(file, column),
                        format!("entity '{}' has no field '{}'", own.name, column.value),
                    )
                    .with_help_opt(did_you_mean(&column.value, own.fields.iter().map(|f| f.name.as_str()))),
                );
                ok = false;
            }
        }
        let target_name = &spec.references.value;
        let Some(target) = pending.iter().map(|p| &p.entity).find(|e| &e.name == target_name) else {
            let names: Vec<&str> = pending.iter().map(|p| p.entity.name.as_str()).collect();
            self.diags.push(
                Diagnostic::error(span_of(file, &spec.references), format!("unknown entity '{target_name}'"))
                    .with_help_opt(did_you_mean(target_name, names)),
            );
            return None;
        };
        let ref_columns: Vec<String> = match &spec.ref_columns {
            Some(list) => list.value.iter().map(|c| c.value.clone()).collect(),
            None => target.primary_key.columns.clone(),
        };
        let span = span_of(file, &spec.columns);
        if ref_columns.len() != columns.len() {
            self.diags.push(
                Diagnostic::error(
                    span.clone(),
                    format!("{} columns reference {} of '{target_name}'", columns.len(), ref_columns.len()),
                )
                .with_help("list as many `ref_columns:` as `columns:`"),
            );
            return None;
        }
        let is_key = target.primary_key.columns == ref_columns
            || target.indexes.iter().any(|ix| ix.unique.is_some() && ix.is_plain() && ix.columns == ref_columns);
        if !is_key {
            self.diags.push(
                Diagnostic::error(
                    span.clone(),
                    format!("({}) of '{target_name}' is neither its primary key nor unique", ref_columns.join(", ")),
                )
                .with_help("a foreign key points at a primary key or a unique key"),
            );
            return None;
        }
        for (column, ref_column) in columns.iter().zip(&ref_columns) {
            let (Some(a), Some(b)) = (own.field(column), target.field(ref_column)) else { continue };
            if a.ty != b.ty {
                self.diags.push(Diagnostic::error(
                    span.clone(),
                    format!(
                        "type mismatch: '{column}' is {} but '{target_name}.{ref_column}' is {}",
                        a.ty.spec_spelling(),
                        b.ty.spec_spelling()
                    ),
                ));
                ok = false;
            }
        }
        let action = |v: &mut Self, word: &Option<S<String>>| match word {
            None => FkAction::NoAction,
            Some(w) => FkAction::from_spec(&w.value).unwrap_or_else(|| {
                v.diags.push(
                    Diagnostic::error(span_of(file, w), format!("unknown action '{}'", w.value))
                        .with_help(format!("use one of: {}", FkAction::SPEC_WORDS.join(", "))),
                );
                FkAction::NoAction
            }),
        };
        let (on_delete, on_update) = (action(self, &spec.on_delete), action(self, &spec.on_update));
        let deferrable = spec.deferrable.as_ref().map_or_else(String::new, |d| self.deferrable_options(file, d));
        if let Some(name) = &spec.name {
            check_identifier(file, name, self.diags);
        }
        let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
        let name = spec
            .name
            .as_ref()
            .map_or_else(|| fill(&self.project.naming.foreign_key, &own.table, &cols, ""), |n| n.value.clone());
        ok.then(|| ForeignKeyDef {
            name,
            columns,
            ref_table: target.table.clone(),
            ref_schema: target.schema.clone(),
            ref_columns,
            on_delete,
            on_update,
            deferrable,
        })
    }
}
