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
    pub(super) on_update: FkAction,
    pub(super) deferrable: String,
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
        let marked: Vec<&FieldDecl> =
            decls.iter().filter(|d| d.spec.primary_key.as_ref().is_some_and(|p| p.value)).collect();
        let pk_fields: Vec<&FieldDecl> = match &doc.primary_key {
            None => marked,
            Some(list) => {
                if let Some(field) = marked.first() {
                    self.diags.push(
                        Diagnostic::error(span_of(field.file, field.name), "the primary key is declared twice")
                            .with_help("keep the entity's `primary_key:` list, or the fields' `primary_key: true`"),
                    );
                }
                let mut listed = Vec::new();
                for column in &list.value {
                    match decls.iter().find(|d| d.name.value == column.value) {
                        Some(d) if !listed.iter().any(|l: &&FieldDecl| l.name.value == column.value) => {
                            if d.spec.nullable.as_ref().is_some_and(|n| n.value) {
                                self.diags.push(
                                    Diagnostic::error(span_of(file, column), "a primary key field cannot be nullable")
                                        .with_help(format!("remove `nullable: true` from '{}'", column.value)),
                                );
                            }
                            listed.push(d);
                        }
                        Some(_) => self.diags.push(Diagnostic::error(
                            span_of(file, column),
                            format!("field '{}' is listed twice", column.value),
                        )),
                        None => self.diags.push(unknown_field(file, column, &name, &fields)),
                    }
                }
                for field in fields.iter_mut().filter(|f| listed.iter().any(|d| d.name.value == f.name)) {
                    field.primary_key = true;
                }
                listed
            }
        };
        let primary_key = match pk_fields.as_slice() {
            // `primary_key: []`: a table without one (a log, say), in the schema only.
            [] if doc.primary_key.as_ref().is_some_and(|l| l.value.is_empty()) => {
                if doc.identity.is_some() {
                    self.diags.push(Diagnostic::error(name_span.clone(), "the identity entity needs a primary key"));
                }
                PrimaryKey { name: String::new(), columns: Vec::new() }
            }
            [] => {
                self.diags.push(
                    Diagnostic::error(name_span, format!("entity '{name}' has no primary key"))
                        .with_help("add `mixins: [base]`, mark one field `primary_key: true`, or write `primary_key: []` for a table without one"),
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
            several => {
                let columns: Vec<String> = several.iter().map(|d| d.name.value.clone()).collect();
                let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
                let pk_name = fill(&self.project.naming.primary_key, &table, &cols, &name);
                let span = span_of(several[0].file, several[0].name);
                check_length(&span, &pk_name, "primary key name", "change naming.primary_key", self.diags);
                self.claim_relation(&pk_name, &span, "primary key");
                if doc.identity.is_some() {
                    self.diags.push(
                        Diagnostic::error(span.clone(), "the identity entity needs a single-column primary key")
                            .with_help("log in through an entity keyed by one field"),
                    );
                }
                PrimaryKey { name: pk_name, columns }
            }
        };
        let versions: Vec<&Field> = fields.iter().filter(|f| f.version).collect();
        if versions.len() > 1 {
            let decl = decls.iter().find(|d| d.name.value == versions[1].name).unwrap();
            self.diags
                .push(Diagnostic::error(span_of(decl.file, decl.name), "only one field can be the version column"));
        }
        let keyed = pk_fields
            .first()
            .map(|decl| (primary_key.columns.clone(), span_of(decl.file, decl.name), "a primary key"))
            .into_iter();
        // Other access methods have their own operator classes (gin on jsonb, say).
        let indexed = uniques
            .iter()
            .chain(&plain_indexes)
            .filter(|(def, _)| def.method == "btree")
            .map(|(def, span)| (def.columns.clone(), span.clone(), "an index"));
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
        let checks = self.checks(file, &table, doc, &decls);
        let mut exclusions = Vec::new();
        for (constraint, definition) in &doc.exclusions.0 {
            check_identifier(file, constraint, self.diags);
            match crate::schema::replay::exclusion_definition(&definition.value) {
                Ok(text) => exclusions.push((constraint.value.clone(), text)),
                Err(why) => self.diags.push(
                    Diagnostic::error(span_of(file, definition), format!("not an EXCLUDE constraint: {why}"))
                        .with_help("write what follows EXCLUDE, e.g. \"USING gist (room WITH =, during WITH &&)\""),
                ),
            }
        }
        let partition_by = doc.partition_by.as_ref().map(|p| p.value.trim().to_string());
        let mut partitions = Vec::new();
        for (partition, bound) in &doc.partitions.0 {
            check_identifier(file, partition, self.diags);
            let span = span_of(file, partition);
            if partition_by.is_none() {
                self.diags.push(
                    Diagnostic::error(span.clone(), "partitions of a table that is not partitioned")
                        .with_help("add `partition_by:`, e.g. partition_by: \"RANGE (created_at)\""),
                );
            }
            let bound_ok = {
                let b = bound.value.trim().to_ascii_uppercase();
                b.starts_with("FOR VALUES ") || b == "DEFAULT"
            };
            if !bound_ok {
                self.diags.push(
                    Diagnostic::error(span_of(file, bound), format!("'{}' is not a partition bound", bound.value))
                        .with_help("write FOR VALUES FROM (…) TO (…), FOR VALUES IN (…), FOR VALUES WITH (modulus m, remainder r), or DEFAULT"),
                );
            }
            self.claim_relation(&partition.value, &span, "partition");
            partitions.push((partition.value.clone(), bound.value.trim().to_string()));
        }
        let access = self.entity_access(file, doc.access.as_ref(), &fields);
        let identity = self.identity(file, doc.identity.as_ref(), &fields);
        let schema = doc.schema.as_ref().and_then(|s| {
            check_identifier(file, s, self.diags);
            (s.value != self.project.schema).then(|| s.value.clone())
        });
        let entity = Entity {
            name,
            table,
            schema,
            doc: doc.doc.as_ref().map(|d| d.value.clone()),
            fields,
            primary_key,
            indexes,
            checks,
            foreign_keys: Vec::new(),
            exclusions,
            partition_by,
            partitions,
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

    /// The fields' `check:` (named as PostgreSQL names a column's CHECK) and the table's `checks:`.
    fn checks(&mut self, file: &Path, table: &str, doc: &EntityDoc, decls: &[FieldDecl<'_>]) -> Vec<CheckDef> {
        let mut out: Vec<CheckDef> = Vec::new();
        let mut named = |v: &mut Self, name: String, expr: &S<String>, span: Span| {
            if expr.value.trim().is_empty() {
                v.diags.push(Diagnostic::error(span, "a check needs a condition"));
            } else if out.iter().any(|c| c.name == name) {
                v.diags.push(
                    Diagnostic::error(span, format!("check constraint '{name}' is declared twice"))
                        .with_help("give one of them another name"),
                );
            } else {
                check_length(&span, &name, "check constraint name", "choose a shorter name", v.diags);
                out.push(CheckDef { name, expr: expr.value.trim().to_string() });
            }
        };
        for decl in decls {
            if let Some(expr) = &decl.spec.check {
                let name = format!("{table}_{}_check", decl.name.value);
                named(self, name, expr, span_of(decl.file, expr));
            }
        }
        for (name, expr) in &doc.checks.0 {
            check_identifier(file, name, self.diags);
            named(self, name.value.clone(), expr, span_of(file, name));
        }
        out
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
        let mut elements = Vec::new();
        for key in &spec.fields.value {
            match index_key(&key.value, fields) {
                Ok(IndexKey::Column(column, element)) if columns.contains(&column) => {
                    self.diags.push(Diagnostic::error(span_of(file, key), format!("field '{column}' is listed twice")));
                    let _ = element;
                }
                Ok(IndexKey::Column(column, element)) => {
                    columns.push(column);
                    elements.push(element);
                }
                Ok(IndexKey::Expression(text)) => {
                    columns.push(text.clone());
                    elements.push(text);
                }
                Err(None) => self.diags.push(unknown_field(file, key, entity_name, fields)),
                Err(Some(message)) => self.diags.push(
                    Diagnostic::error(span_of(file, key), message)
                        .with_help("write `field`, `field desc`, `field nulls first`, `field <operator class>`, or an expression such as lower(email)"),
                ),
            }
        }
        if columns.len() != spec.fields.value.len() {
            return None;
        }
        let method = match &spec.using {
            Some(m)
                if !m.value.is_empty()
                    && m.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
            {
                m.value.clone()
            }
            Some(m) => {
                self.diags.push(
                    Diagnostic::error(span_of(file, m), format!("'{}' is not an index access method", m.value))
                        .with_help("use btree, hash, gin, gist, spgist, brin, or an extension's method such as hnsw"),
                );
                return None;
            }
            None => "btree".to_string(),
        };
        let mut include = Vec::new();
        for column in &spec.include {
            if fields.iter().any(|f| f.name == column.value) {
                include.push(column.value.clone());
            } else {
                self.diags.push(unknown_field(file, column, entity_name, fields));
            }
        }
        let predicate = match &spec.predicate {
            Some(p) if p.value.trim().is_empty() => {
                self.diags.push(Diagnostic::error(span_of(file, p), "`where:` needs a condition"));
                return None;
            }
            Some(p) => Some(p.value.trim().to_string()),
            None => None,
        };
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
        let plain_names: Vec<String> =
            columns.iter().map(|c| if c.contains('(') { name_part(c) } else { c.clone() }).collect();
        let cols: Vec<&str> =
            if plain_names == columns { cols } else { plain_names.iter().map(String::as_str).collect() };
        let name = spec.name.as_ref().map_or_else(|| fill(template, table, &cols, ""), |n| n.value.clone());
        let span = spec.name.as_ref().map_or(span, |n| span_of(file, n));
        let def = IndexDef {
            name,
            columns,
            unique: unique.map(|u| u.0),
            kind_explicit: unique.is_some_and(|u| u.1),
            elements,
            method,
            predicate,
            include,
            nulls_not_distinct: spec.nulls_distinct.as_ref().is_some_and(|d| !d.value),
            storage: match &spec.with {
                None => Vec::new(),
                Some(with) => match crate::schema::storage_parameters(&with.value) {
                    Some(params) => params,
                    None => {
                        self.diags.push(
                            Diagnostic::error(
                                span_of(file, with),
                                format!("'{}' is not a list of storage parameters", with.value),
                            )
                            .with_help("write name = value pairs separated by commas, e.g. \"fillfactor = 70\""),
                        );
                        Vec::new()
                    }
                },
            },
        };
        if def.nulls_not_distinct && def.unique.is_none() {
            self.diags.push(
                Diagnostic::error(span.clone(), "`nulls_distinct: false` applies to a unique index")
                    .with_help("add `unique: index`, or remove `nulls_distinct`"),
            );
        }
        if def.unique == Some(UniqueKind::Constraint) && !def.is_constraint_key() {
            self.diags.push(Diagnostic::error(span.clone(), "a UNIQUE constraint holds plain columns only").with_help(
                "write `unique: index` for a unique index with a method, predicate, sort order or storage parameters",
            ));
            return None;
        }
        Some((def, span))
    }
}

fn unknown_field(file: &Path, column: &S<String>, entity: &str, fields: &[Field]) -> Diagnostic {
    let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    Diagnostic::error(span_of(file, column), format!("unknown field '{}' in entity '{entity}'", column.value))
        .with_help_opt(did_you_mean(&column.value, known.iter().copied()))
}

enum IndexKey {
    /// A field, and how the index prints it (`"created_at" DESC`).
    Column(String, String),
    Expression(String),
}

/// One index key as written: a field with an operator class, sort order and nulls order, or an
/// expression. `Err(None)`: no such field.
fn index_key(text: &str, fields: &[Field]) -> Result<IndexKey, Option<String>> {
    let text = text.trim();
    let mut words = text.split_whitespace();
    let head = words.next().unwrap_or_default();
    if !fields.iter().any(|f| f.name == head) {
        return if text.contains('(') { Ok(IndexKey::Expression(text.to_string())) } else { Err(None) };
    }
    let rest: Vec<String> = words.map(str::to_ascii_lowercase).collect();
    let (mut class, mut desc, mut nulls) = (None, false, None);
    let mut i = 0;
    while i < rest.len() {
        match (rest[i].as_str(), rest.get(i + 1).map(String::as_str)) {
            ("asc", _) => {}
            ("desc", _) => desc = true,
            ("nulls", Some(order @ ("first" | "last"))) => {
                nulls = Some(order == "first");
                i += 1;
            }
            (word, _) if class.is_none() && i == 0 && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                class = Some(word.to_string());
            }
            (word, _) => {
                return Err(Some(format!("'{word}' in index key '{text}' is not a sort order or operator class")))
            }
        }
        i += 1;
    }
    // As pg_get_indexdef() prints it: the default nulls order of each direction is left out.
    let mut element = crate::naming::quote_ident(head);
    if let Some(class) = class {
        element.push_str(&format!(" {class}"));
    }
    if desc {
        element.push_str(" DESC");
    }
    match nulls {
        Some(true) if !desc => element.push_str(" NULLS FIRST"),
        Some(false) if desc => element.push_str(" NULLS LAST"),
        _ => {}
    }
    Ok(IndexKey::Column(head.to_string(), element))
}

/// A name part for an expression key: its words (`lower(email)` → `lower_email`).
fn name_part(expr: &str) -> String {
    let words: Vec<&str> =
        expr.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty()).collect();
    words.join("_").to_ascii_lowercase()
}
