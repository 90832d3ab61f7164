//! One entity: table name, fields (own and mixins'), primary key, indexes and unique keys.

use super::mixins::{unknown_mixin, FieldDecl, MixinTable};
use super::{check_identifier, check_length, is_pascal_case, pascal_case, Validator};
use crate::diagnostics::{did_you_mean, Diagnostic, Span};
use crate::ir::*;
use crate::naming::{fill, snake_case};
use crate::spec::load::span_of;
use crate::spec::raw::{EntityDoc, IndexSpec, S};
use crate::spec::types::spec_name;
use std::path::Path;

/// An entity whose references are not resolved yet (targets may be defined in later files).
pub(super) struct PendingEntity<'a> {
    pub(super) entity: Entity,
    pub(super) refs: Vec<PendingRef<'a>>,
}

pub(super) struct PendingRef<'a> {
    pub(super) file: &'a Path,
    pub(super) ty: &'a S<String>,
    pub(super) field: String,
    pub(super) target: &'a S<String>,
    pub(super) on_delete: FkAction,
    pub(super) fk_name: Option<&'a S<String>>,
}

impl Validator<'_> {
    pub(super) fn entity<'a>(
        &mut self,
        file: &'a Path,
        doc: &'a EntityDoc,
        mixins: &MixinTable<'a>,
    ) -> Option<PendingEntity<'a>> {
        let name_span = span_of(file, &doc.entity);
        let name = doc.entity.value.clone();
        super::rust_reserved(&name, &name_span, self.diags);
        if !is_pascal_case(&name) {
            self.diags.push(
                Diagnostic::error(name_span.clone(), format!("entity name '{name}' is not PascalCase"))
                    .with_help(format!("write e.g. '{}'", pascal_case(&name))),
            );
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

        let mut decls: Vec<FieldDecl<'a>> =
            doc.fields.0.iter().map(|(n, spec)| FieldDecl { file, name: n, spec, mixin: None }).collect();
        let mut mixin_failed = false;
        for mixin in &doc.mixins {
            match mixins.expanded.get(&mixin.value) {
                Some(Some(fields)) => {
                    for decl in fields {
                        if let Some(own) = decls.iter().find(|d| d.name.value == decl.name.value) {
                            let by = own.mixin.map_or(String::new(), |m| format!(" (from mixin '{m}')"));
                            self.diags.push(
                                Diagnostic::error(
                                    span_of(own.file, own.name),
                                    format!(
                                        "duplicate field '{}'{by}: mixin '{}' also defines it",
                                        decl.name.value, mixin.value
                                    ),
                                )
                                .with_help("remove one of the two definitions"),
                            );
                        } else {
                            decls.push(*decl);
                        }
                    }
                }
                Some(None) => mixin_failed = true,
                None => {
                    mixin_failed = true;
                    self.diags.push(unknown_mixin(file, mixin, mixins.expanded.keys()));
                }
            }
        }
        if mixin_failed {
            // Its fields are unknown: "no primary key" or "unknown field" would only echo that error.
            return None;
        }
        if decls.is_empty() {
            self.diags.push(
                Diagnostic::error(name_span.clone(), format!("entity '{name}' has no fields"))
                    .with_help("add `fields:` or `mixins: [base]`"),
            );
            return None;
        }

        let mut fields = Vec::new();
        let mut refs = Vec::new();
        let mut uniques: Vec<(IndexDef, Span)> = Vec::new();
        let mut plain_indexes: Vec<(IndexDef, Span)> = Vec::new();
        let mut failed = false;
        for decl in &decls {
            let Some((field, unique, index, pending_ref)) = self.field(&table, decl) else {
                failed = true;
                continue;
            };
            let span = span_of(decl.file, decl.name);
            if let Some(u) = unique {
                uniques.push((u, span.clone()));
            }
            if let Some(i) = index {
                plain_indexes.push((i, span));
            }
            if let Some(r) = pending_ref {
                refs.push(r);
            }
            fields.push(field);
        }
        if failed {
            return None;
        }
        for spec in &doc.indexes {
            if let Some((def, span)) = self.index_entry(file, (&name, &table), spec, &fields) {
                if def.unique.is_some() {
                    uniques.push((def, span));
                } else {
                    plain_indexes.push((def, span));
                }
            }
        }
        let pk_fields: Vec<&FieldDecl> =
            decls.iter().filter(|d| d.spec.primary_key.as_ref().is_some_and(|p| p.value)).collect();
        let primary_key = match pk_fields.as_slice() {
            [] => {
                self.diags.push(
                    Diagnostic::error(name_span, format!("entity '{name}' has no primary key"))
                        .with_help("add `mixins: [base]`, or mark one field `primary_key: true`"),
                );
                return None;
            }
            [one] => {
                let pk_name = fill(&self.project.naming.primary_key, &table, &[&one.name.value], &name);
                let span = span_of(one.file, one.name);
                check_length(&span, &pk_name, "primary key name", "change naming.primary_key", self.diags);
                self.claim_relation(&pk_name, &span, "primary key");
                PrimaryKey { name: pk_name, columns: vec![one.name.value.clone()] }
            }
            [_, second, ..] => {
                self.diags.push(
                    Diagnostic::error(span_of(second.file, second.name), "an entity has exactly one primary key field")
                        .with_help("composite keys belong to links (links/*.yaml); use a unique index here"),
                );
                return None;
            }
        };
        let versions: Vec<&Field> = fields.iter().filter(|f| f.version).collect();
        if versions.len() > 1 {
            let decl = decls.iter().find(|d| d.name.value == versions[1].name).unwrap();
            self.diags
                .push(Diagnostic::error(span_of(decl.file, decl.name), "only one field can be the version column"));
        }
        let keyed = std::iter::once((primary_key.columns.as_slice(), pk_fields[0]))
            .map(|(cols, decl)| (cols.to_vec(), span_of(decl.file, decl.name), "a primary key"));
        let indexed =
            uniques.iter().chain(&plain_indexes).map(|(def, span)| (def.columns.clone(), span.clone(), "an index"));
        for (columns, span, what) in keyed.chain(indexed) {
            for field in fields.iter().filter(|f| columns.contains(&f.name) && !f.ty.is_btree_orderable()) {
                self.diags.push(
                    Diagnostic::error(
                        span.clone(),
                        format!("'{}' is {}: PostgreSQL cannot put it in {what}", field.name, spec_name(&field.ty)),
                    )
                    .with_help("json has no equality or ordering; use jsonb"),
                );
            }
        }
        let mut indexes = Vec::new();
        for (def, span) in uniques.into_iter().chain(plain_indexes) {
            check_length(
                &span,
                &def.name,
                "index name",
                "set a shorter name (`index_name:`, `unique_name:` or `name:`)",
                self.diags,
            );
            self.claim_relation(&def.name, &span, "index");
            indexes.push(def);
        }
        let access = self.entity_access(file, doc.access.as_ref(), &fields);
        let identity = self.identity(file, doc.identity.as_ref(), &fields);
        let entity = Entity {
            name,
            table,
            doc: doc.doc.as_ref().map(|d| d.value.clone()),
            fields,
            primary_key,
            indexes,
            renamed_from: doc.renamed_from.as_ref().map(|r| {
                check_identifier(file, r, self.diags);
                r.value.clone()
            }),
            access,
            identity,
            source: file.to_path_buf(),
        };
        Some(PendingEntity { entity, refs })
    }

    fn index_entry(
        &mut self,
        file: &Path,
        (entity_name, table): (&str, &str),
        spec: &IndexSpec,
        fields: &[Field],
    ) -> Option<(IndexDef, Span)> {
        let span = span_of(file, &spec.fields);
        if spec.fields.value.is_empty() {
            self.diags.push(Diagnostic::error(span, "an index needs at least one field"));
            return None;
        }
        let mut columns = Vec::new();
        for column in &spec.fields.value {
            if columns.contains(&column.value) {
                self.diags.push(Diagnostic::error(
                    span_of(file, column),
                    format!("field '{}' is listed twice", column.value),
                ));
            } else if fields.iter().any(|f| f.name == column.value) {
                columns.push(column.value.clone());
            } else {
                self.diags.push(unknown_field(file, column, entity_name, fields));
            }
        }
        if columns.len() != spec.fields.value.len() {
            return None;
        }
        let unique = match &spec.unique {
            Some(u) => self.unique_kind(file, u),
            None => None,
        };
        let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
        let template = match unique {
            None => &self.project.naming.index,
            Some((UniqueKind::Index, _)) => &self.project.naming.unique_index,
            Some((UniqueKind::Constraint, _)) => &self.project.naming.unique_constraint,
        };
        if let Some(given) = &spec.name {
            check_identifier(file, given, self.diags);
        }
        let name = spec.name.as_ref().map_or_else(|| fill(template, table, &cols, ""), |n| n.value.clone());
        let span = spec.name.as_ref().map_or(span, |n| span_of(file, n));
        Some((
            IndexDef { name, columns, unique: unique.map(|u| u.0), kind_explicit: unique.is_some_and(|u| u.1) },
            span,
        ))
    }
}

fn unknown_field(file: &Path, column: &S<String>, entity: &str, fields: &[Field]) -> Diagnostic {
    let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    Diagnostic::error(span_of(file, column), format!("unknown field '{}' in entity '{entity}'", column.value))
        .with_help_opt(did_you_mean(&column.value, known.iter().copied()))
}
