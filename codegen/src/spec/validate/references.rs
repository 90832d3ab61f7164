//! References between entities, resolved once every entity is known.

use super::entity::PendingEntity;
use super::{check_length, Validator};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::ir::Reference;
use crate::naming::fill;
use crate::spec::load::span_of;
use crate::spec::types::spec_name;

impl Validator<'_> {
    pub(super) fn resolve_references(&mut self, pending: &mut [PendingEntity<'_>], broken: &[String]) {
        let mut resolved: Vec<(usize, String, Reference)> = Vec::new();
        let names: Vec<&str> = pending.iter().map(|p| p.entity.name.as_str()).collect();
        // An index, not a scan per reference: generate must stay linear in the number of entities.
        let by_name: std::collections::HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        for (i, p) in pending.iter().enumerate() {
            for r in &p.refs {
                let (target_name, target_field) = match r.target.value.split_once('.') {
                    Some((e, f)) => (e, Some(f)),
                    None => (r.target.value.as_str(), None),
                };
                let span = span_of(r.file, r.target);
                let Some(target) = by_name.get(target_name).map(|&t| &pending[t]) else {
                    if broken.iter().any(|b| b == target_name) || self.failed_entities.iter().any(|b| b == target_name)
                    {
                        continue;
                    }
                    self.diags.push(
                        Diagnostic::error(span, format!("unknown entity '{target_name}'")).with_help_opt(
                            did_you_mean(target_name, names.iter().copied())
                                .or_else(|| Some("references name an entity (entities/*.yaml)".into())),
                        ),
                    );
                    continue;
                };
                let target = &target.entity;
                if target_field.is_none() && target.primary_key.columns.len() != 1 {
                    self.diags.push(
                        Diagnostic::error(span, format!("'{target_name}' has a composite primary key, or none"))
                            .with_help(format!("reference one of its unique fields: `{target_name}.field`")),
                    );
                    continue;
                }
                let column = target_field.unwrap_or(&target.primary_key.columns[0]);
                let Some(tf) = target.field(column) else {
                    let known: Vec<&str> = target.fields.iter().map(|f| f.name.as_str()).collect();
                    self.diags.push(
                        Diagnostic::error(span, format!("entity '{target_name}' has no field '{column}'"))
                            .with_help_opt(did_you_mean(column, known.iter().copied())),
                    );
                    continue;
                };
                let is_key = tf.primary_key
                    || target
                        .indexes
                        .iter()
                        .any(|ix| ix.unique.is_some() && ix.columns.len() == 1 && ix.columns[0] == column);
                if !is_key {
                    self.diags.push(
                        Diagnostic::error(span, format!("foreign key to non-key column '{target_name}.{column}'"))
                            .with_help(format!("a reference must point at a primary key or a unique field: reference '{target_name}', or make '{column}' unique")),
                    );
                    continue;
                }
                let field = p.entity.field(&r.field).unwrap();
                let typeless = |ty: &crate::ir::FieldType| *ty == crate::ir::FieldType::Sql(String::new());
                if field.ty != tf.ty && !typeless(&field.ty) && !typeless(&tf.ty) {
                    self.diags.push(
                        Diagnostic::error(
                            span_of(r.file, r.ty),
                            format!(
                                "type mismatch: '{}' is {} but '{target_name}.{column}' is {}",
                                r.field,
                                spec_name(&field.ty),
                                spec_name(&tf.ty)
                            ),
                        )
                        .with_help(format!("declare '{}' as {}", r.field, spec_name(&tf.ty))),
                    );
                    continue;
                }
                let name = r.fk_name.map_or_else(
                    || fill(&self.project.naming.foreign_key, &p.entity.table, &[&r.field], &r.field),
                    |n| n.value.clone(),
                );
                let name_span = r.fk_name.map_or_else(|| span_of(r.file, r.target), |n| span_of(r.file, n));
                check_length(&name_span, &name, "foreign key name", "set `fk_name:`", self.diags);
                // Constraint names are unique per table: a clash would fail to apply (or, in a
                // map keyed by name, silently lose a foreign key).
                let entity = &p.entity;
                let taken = entity.primary_key.name == name
                    || entity
                        .indexes
                        .iter()
                        .any(|ix| ix.unique == Some(crate::ir::UniqueKind::Constraint) && ix.name == name)
                    || resolved.iter().any(|(j, _, other)| *j == i && other.name == name);
                if taken {
                    self.diags.push(
                        Diagnostic::error(
                            name_span,
                            format!("constraint name '{name}' is already used in table {}", entity.table),
                        )
                        .with_help("give this foreign key another `fk_name:`"),
                    );
                    continue;
                }
                resolved.push((
                    i,
                    r.field.clone(),
                    Reference {
                        entity: target.name.clone(),
                        table: target.table.clone(),
                        schema: target.schema.clone(),
                        column: column.to_string(),
                        on_delete: r.on_delete,
                        on_update: r.on_update,
                        deferrable: r.deferrable.clone(),
                        name,
                    },
                ));
            }
        }
        for (i, field, reference) in resolved {
            if let Some(f) = pending[i].entity.fields.iter_mut().find(|f| f.name == field) {
                f.references = Some(reference);
            }
        }
    }
}
