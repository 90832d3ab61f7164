//! Many-to-many links: two FK columns forming a composite primary key.

use super::{check_identifier, check_length, is_pascal_case, Validator};
use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::ir::*;
use crate::naming::{fill, snake_case};
use crate::spec::load::span_of;
use crate::spec::raw::{LinkDoc, LinkEndSpec};
use std::path::Path;

impl Validator<'_> {
    pub(super) fn link(&mut self, file: &Path, doc: &LinkDoc, entities: &[Entity]) -> Option<Link> {
        let name_span = span_of(file, &doc.link);
        let name = doc.link.value.clone();
        super::rust_reserved(&name, &name_span, self.diags);
        if !is_pascal_case(&name) {
            self.diags.push(Diagnostic::error(name_span.clone(), format!("link name '{name}' is not PascalCase")));
        }
        let table = match &doc.table {
            Some(t) => {
                check_identifier(file, t, self.diags);
                t.value.clone()
            }
            None => {
                let t = format!("{}{}", self.project.table_prefix, snake_case(&name));
                check_length(&name_span, &t, "table name", "set `table:` to a shorter name", self.diags);
                t
            }
        };
        let table_span = doc.table.as_ref().map_or(name_span.clone(), |t| span_of(file, t));
        self.claim_relation(&table, &table_span, "table");
        let left = self.link_end(file, &table, &doc.left, entities);
        let right = self.link_end(file, &table, &doc.right, entities);
        let (left, right) = (left?, right?);
        if left.column == right.column {
            self.diags.push(
                Diagnostic::error(
                    span_of(file, &doc.right.entity),
                    format!("both sides of link '{name}' use column '{}'", left.column),
                )
                .with_help("set `column:` on one side"),
            );
            return None;
        }
        if left.reference.name == right.reference.name {
            self.diags.push(
                Diagnostic::error(
                    span_of(file, &doc.right.entity),
                    format!("both sides of link '{name}' name their foreign key '{}'", left.reference.name),
                )
                .with_help("give each side its own `fk_name:`"),
            );
            return None;
        }
        let primary_key = fill(&self.project.naming.primary_key, &table, &[&left.column, &right.column], &name);
        check_length(&table_span, &primary_key, "primary key name", "change naming.primary_key", self.diags);
        self.claim_relation(&primary_key, &table_span, "primary key");
        Some(Link {
            name,
            table,
            doc: doc.doc.as_ref().map(|d| d.value.clone()),
            left,
            right,
            primary_key,
            source: file.to_path_buf(),
        })
    }

    fn link_end(&mut self, file: &Path, table: &str, end: &LinkEndSpec, entities: &[Entity]) -> Option<LinkEnd> {
        let Some(target) = entities.iter().find(|e| e.name == end.entity.value && e.primary_key.columns.len() == 1)
        else {
            if self.failed_entities.contains(&end.entity.value) {
                return None;
            }
            let names: Vec<&str> = entities.iter().map(|e| e.name.as_str()).collect();
            self.diags.push(
                Diagnostic::error(span_of(file, &end.entity), format!("unknown entity '{}'", end.entity.value))
                    .with_help_opt(did_you_mean(&end.entity.value, names.iter().copied())),
            );
            return None;
        };
        let column = match &end.column {
            Some(c) => {
                check_identifier(file, c, self.diags);
                c.value.clone()
            }
            None => format!("{}_id", snake_case(&target.name)),
        };
        let on_delete = match &end.on_delete {
            None => FkAction::NoAction,
            Some(word) => match FkAction::from_spec(&word.value) {
                Some(FkAction::SetNull | FkAction::SetDefault) => {
                    self.diags.push(
                        Diagnostic::error(
                            span_of(file, word),
                            "link columns are part of the primary key and cannot be set to NULL or a default",
                        )
                        .with_help("use cascade, restrict or no_action"),
                    );
                    FkAction::NoAction
                }
                Some(action) => action,
                None => {
                    self.diags.push(
                        Diagnostic::error(span_of(file, word), format!("unknown on_delete action '{}'", word.value))
                            .with_help_opt(did_you_mean(&word.value, FkAction::SPEC_WORDS)),
                    );
                    FkAction::NoAction
                }
            },
        };
        let name = end
            .fk_name
            .as_ref()
            .map_or_else(|| fill(&self.project.naming.foreign_key, table, &[&column], &column), |n| n.value.clone());
        match &end.fk_name {
            Some(given) => check_identifier(file, given, self.diags),
            None => check_length(&span_of(file, &end.entity), &name, "foreign key name", "set `fk_name:`", self.diags),
        }
        let pk = target.pk_field();
        Some(LinkEnd {
            entity: target.name.clone(),
            column,
            ty: pk.ty.clone(),
            reference: Reference {
                entity: target.name.clone(),
                table: target.table.clone(),
                schema: target.schema.clone(),
                column: pk.name.clone(),
                on_delete,
                on_update: FkAction::NoAction,
                deferrable: String::new(),
                name,
            },
        })
    }
}
