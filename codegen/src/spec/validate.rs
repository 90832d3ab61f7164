//! Raw documents → resolved model. Every check runs even after a failure, so one run reports
//! every error; the model is returned only when there were none.

use super::load::{span_of, RawSpecs};
use super::literals::{check_literal, sql_literal};
use super::raw::{EntityDoc, FieldSpec, IndexSpec, LinkEndSpec, MixinDoc, S};
use super::types::parse_type;
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, Span};
use crate::ir::*;
use crate::naming::{fill, snake_case, MAX_IDENTIFIER_BYTES, TEMPLATE_PLACEHOLDERS};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

pub fn validate(raw: &RawSpecs, diags: &mut Diagnostics) -> Option<Model> {
    let errors_before = diags.len();
    let project = project(raw, diags);
    let enums = enums(raw, &project, diags);
    let mixins = MixinTable::new(raw, diags);
    let mut v = Validator { project, enums, diags, relations: HashMap::new(), failed_entities: raw.broken_entities.clone() };
    let mut pending: Vec<PendingEntity> = Vec::new();
    let mut entity_names: HashMap<String, Span> = HashMap::new();
    for (file, doc) in &raw.entities {
        let Some(entity) = v.entity(file, doc, &mixins) else {
            v.failed_entities.push(doc.entity.value.clone());
            continue;
        };
        {
            let span = span_of(file, &doc.entity);
            if let Some(first) = entity_names.get(&entity.entity.name) {
                v.diags.push(
                    Diagnostic::error(span, format!("entity '{}' is defined twice", entity.entity.name))
                        .with_help(format!("first defined at {}:{}", first.file.display(), first.line)),
                );
                continue;
            }
            entity_names.insert(entity.entity.name.clone(), span);
            pending.push(entity);
        }
    }
    v.resolve_references(&mut pending, &raw.broken_entities);
    let entities: Vec<Entity> = pending.into_iter().map(|p| p.entity).collect();
    let mut links = Vec::new();
    for (file, doc) in &raw.links {
        if let Some(link) = v.link(file, doc, &entities) {
            links.push(link);
        }
    }
    if v.diags.len() > errors_before {
        return None;
    }
    let mut entities = entities;
    entities.sort_by(|a, b| a.name.cmp(&b.name));
    links.sort_by(|a, b| a.name.cmp(&b.name));
    let mut enums = v.enums;
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    Some(Model { project: v.project, enums, entities, links })
}

fn project(raw: &RawSpecs, diags: &mut Diagnostics) -> Project {
    let mut project = Project {
        name: "app".into(),
        schema: "public".into(),
        table_prefix: String::new(),
        unique_default: UniqueKind::Index,
        naming: Naming::default(),
        ignore_tables: vec!["_sqlx_migrations".into()],
    };
    let Some((file, doc)) = &raw.project else { return project };
    project.name = doc.project.value.clone();
    if let Some(schema) = &doc.schema {
        check_identifier(file, schema, diags);
        project.schema = schema.value.clone();
    }
    if let Some(prefix) = &doc.table_prefix {
        project.table_prefix = prefix.value.clone();
    }
    if let Some(kind) = &doc.unique_default {
        match kind.value.as_str() {
            "index" => project.unique_default = UniqueKind::Index,
            "constraint" => project.unique_default = UniqueKind::Constraint,
            other => diags.push(
                Diagnostic::error(span_of(file, kind), format!("unknown unique_default '{other}'"))
                    .with_help("use index or constraint"),
            ),
        }
    }
    if let Some(naming) = &doc.naming {
        let slots = [
            (&naming.primary_key, &mut project.naming.primary_key, "{table}"),
            (&naming.foreign_key, &mut project.naming.foreign_key, "{table}"),
            (&naming.index, &mut project.naming.index, "{columns}"),
            (&naming.unique_index, &mut project.naming.unique_index, "{columns}"),
            (&naming.unique_constraint, &mut project.naming.unique_constraint, "{columns}"),
        ];
        for (given, slot, required) in slots {
            if let Some(template) = given {
                check_template(file, template, &[required], diags);
                slot.clone_from(&template.value);
            }
        }
        if let Some(template) = &naming.enum_type {
            check_template(file, template, &["{name}", "{lower}", "{snake}"], diags);
            project.naming.enum_type.clone_from(&template.value);
        }
    }
    if let Some(unmanaged) = &doc.unmanaged {
        project.ignore_tables = unmanaged.ignore_tables.iter().map(|t| t.value.clone()).collect();
    }
    project
}

fn check_template(file: &Path, template: &S<String>, one_of: &[&str], diags: &mut Diagnostics) {
    let text = &template.value;
    if !one_of.iter().any(|p| text.contains(p)) {
        diags.push(
            Diagnostic::error(span_of(file, template), format!("name template '{text}' must contain {}", one_of.join(" or ")))
                .with_help("otherwise every object would get the same name"),
        );
    }
    let mut rest = text.as_str();
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
        let placeholder = &rest[start..end];
        if !TEMPLATE_PLACEHOLDERS.contains(&placeholder) {
            diags.push(
                Diagnostic::error(span_of(file, template), format!("unknown placeholder '{placeholder}'"))
                    .with_help_opt(did_you_mean(placeholder, TEMPLATE_PLACEHOLDERS)),
            );
        }
        rest = &rest[end..];
    }
}

fn enums(raw: &RawSpecs, project: &Project, diags: &mut Diagnostics) -> Vec<EnumDef> {
    let mut out: Vec<EnumDef> = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut db_names: HashSet<String> = HashSet::new();
    for (file, doc) in &raw.enums {
        for (name, spec) in &doc.enums.0 {
            let span = span_of(file, name);
            if !is_pascal_case(&name.value) {
                diags.push(
                    Diagnostic::error(span.clone(), format!("enum name '{}' is not PascalCase", name.value))
                        .with_help("enum names start with an upper-case letter and contain only letters and digits"),
                );
            }
            if let Some(first) = seen.get(&name.value) {
                diags.push(
                    Diagnostic::error(span, format!("enum '{}' is defined twice", name.value))
                        .with_help(format!("first defined at {}:{}", first.file.display(), first.line)),
                );
                continue;
            }
            seen.insert(name.value.clone(), span.clone());
            let db_name = match &spec.db_name {
                Some(db) => {
                    check_identifier(file, db, diags);
                    db.value.clone()
                }
                None => {
                    let db = fill(&project.naming.enum_type, "", &[], &name.value);
                    check_length(&span, &db, "enum type name", "set `db_name:`", diags);
                    db
                }
            };
            if !db_names.insert(db_name.clone()) {
                diags.push(Diagnostic::error(span.clone(), format!("two enums map to the database type '{db_name}'")));
            }
            if spec.values.value.is_empty() {
                diags.push(
                    Diagnostic::error(span_of(file, &spec.values), format!("enum '{}' has no values", name.value))
                        .with_help("list at least one value: values: [A, B]"),
                );
            }
            let mut values = Vec::new();
            for value in &spec.values.value {
                if values.contains(&value.value) {
                    diags.push(
                        Diagnostic::error(
                            span_of(file, value),
                            format!("value '{}' appears twice in enum '{}'", value.value, name.value),
                        )
                        .with_help("remove the repeated value; enum values are unique"),
                    );
                } else if value.value.is_empty() || value.value.len() > MAX_IDENTIFIER_BYTES {
                    diags.push(Diagnostic::error(
                        span_of(file, value),
                        format!("enum value must be 1 to {MAX_IDENTIFIER_BYTES} bytes long"),
                    ));
                } else {
                    values.push(value.value.clone());
                }
            }
            out.push(EnumDef { name: name.value.clone(), db_name, values, doc: spec.doc.as_ref().map(|d| d.value.clone()) });
        }
    }
    out
}

/// A field as declared, with the file it came from (an entity's own file or a mixin's).
#[derive(Clone, Copy)]
struct FieldDecl<'a> {
    file: &'a Path,
    name: &'a S<String>,
    spec: &'a FieldSpec,
    mixin: Option<&'a str>,
}

/// Mixins by name, with their fields expanded through nested mixins; cycles reported once.
struct MixinTable<'a> {
    expanded: HashMap<String, Option<Vec<FieldDecl<'a>>>>,
}

impl<'a> MixinTable<'a> {
    fn new(raw: &'a RawSpecs, diags: &mut Diagnostics) -> Self {
        let mut docs: BTreeMap<String, (&'a Path, &'a MixinDoc)> = BTreeMap::new();
        for (file, doc) in &raw.mixins {
            if docs.contains_key(&doc.mixin.value) {
                diags.push(Diagnostic::error(span_of(file, &doc.mixin), format!("mixin '{}' is defined twice", doc.mixin.value)));
            } else {
                docs.insert(doc.mixin.value.clone(), (file.as_path(), doc));
            }
        }
        let mut table = MixinTable { expanded: HashMap::new() };
        for name in docs.keys() {
            let mut stack = Vec::new();
            table.expand(name, &docs, &mut stack, diags);
        }
        table
    }

    fn expand(
        &mut self,
        name: &str,
        docs: &BTreeMap<String, (&'a Path, &'a MixinDoc)>,
        stack: &mut Vec<String>,
        diags: &mut Diagnostics,
    ) -> Option<Vec<FieldDecl<'a>>> {
        if let Some(done) = self.expanded.get(name) {
            return done.clone();
        }
        let (file, doc) = docs.get(name)?;
        stack.push(name.to_string());
        let mut fields: Vec<FieldDecl<'a>> = doc
            .fields
            .0
            .iter()
            .map(|(n, spec)| FieldDecl { file, name: n, spec, mixin: Some(doc.mixin.value.as_str()) })
            .collect();
        let mut ok = true;
        for inner in &doc.mixins {
            if let Some(pos) = stack.iter().position(|s| s == &inner.value) {
                let mut cycle: Vec<&str> = stack[pos..].iter().map(String::as_str).collect();
                cycle.push(&inner.value);
                diags.push(
                    Diagnostic::error(span_of(file, inner), format!("mixin cycle: {}", cycle.join(" -> ")))
                        .with_help("a mixin cannot include itself, directly or through other mixins"),
                );
                ok = false;
            } else if !docs.contains_key(&inner.value) {
                diags.push(unknown_mixin(file, inner, docs.keys()));
                ok = false;
            } else if let Some(inner_fields) = self.expand(&inner.value, docs, stack, diags) {
                fields.extend(inner_fields);
            } else {
                ok = false;
            }
        }
        stack.pop();
        let result = ok.then_some(fields);
        self.expanded.insert(name.to_string(), result.clone());
        result
    }
}

fn unknown_mixin<'k>(file: &Path, name: &S<String>, known: impl Iterator<Item = &'k String>) -> Diagnostic {
    let known: Vec<&str> = known.map(String::as_str).collect();
    Diagnostic::error(span_of(file, name), format!("unknown mixin '{}'", name.value))
        .with_help_opt(did_you_mean(&name.value, known.iter().copied()).or_else(|| {
            Some(if known.is_empty() { "define it in mixins/<name>.yaml".into() } else { format!("known mixins: {}", known.join(", ")) })
        }))
}

/// An entity whose references are not resolved yet (targets may be defined in later files).
struct PendingEntity<'a> {
    entity: Entity,
    refs: Vec<PendingRef<'a>>,
}

struct PendingRef<'a> {
    file: &'a Path,
    ty: &'a S<String>,
    field: String,
    target: &'a S<String>,
    on_delete: FkAction,
    fk_name: Option<&'a S<String>>,
}

struct Validator<'d> {
    project: Project,
    enums: Vec<EnumDef>,
    diags: &'d mut Diagnostics,
    /// Schema-wide relation names (tables, indexes, key constraints): PostgreSQL needs them unique.
    relations: HashMap<String, Span>,
    /// Entities that exist but failed validation: references to them are not errors of their own.
    failed_entities: Vec<String>,
}

impl Validator<'_> {
    fn claim_relation(&mut self, name: &str, span: &Span, what: &str) {
        if let Some(first) = self.relations.get(name) {
            self.diags.push(
                Diagnostic::error(span.clone(), format!("{what} name '{name}' is already used in the schema"))
                    .with_help(format!("first used at {}:{}; choose another name", first.file.display(), first.line)),
            );
        } else {
            self.relations.insert(name.to_string(), span.clone());
        }
    }

    fn entity<'a>(&mut self, file: &'a Path, doc: &'a EntityDoc, mixins: &MixinTable<'a>) -> Option<PendingEntity<'a>> {
        let name_span = span_of(file, &doc.entity);
        let name = doc.entity.value.clone();
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
                                    format!("duplicate field '{}'{by}: mixin '{}' also defines it", decl.name.value, mixin.value),
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
            self.diags.push(Diagnostic::error(name_span.clone(), format!("entity '{name}' has no fields")).with_help("add `fields:` or `mixins: [base]`"));
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
        let pk_fields: Vec<&FieldDecl> = decls.iter().filter(|d| d.spec.primary_key.as_ref().is_some_and(|p| p.value)).collect();
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
            self.diags.push(Diagnostic::error(span_of(decl.file, decl.name), "only one field can be the version column"));
        }
        let mut indexes = Vec::new();
        for (def, span) in uniques.into_iter().chain(plain_indexes) {
            check_length(&span, &def.name, "index name", "set a shorter name (`index_name:`, `unique_name:` or `name:`)", self.diags);
            self.claim_relation(&def.name, &span, "index");
            indexes.push(def);
        }
        let entity = Entity { name, table, doc: doc.doc.as_ref().map(|d| d.value.clone()), fields, primary_key, indexes, source: file.to_path_buf() };
        Some(PendingEntity { entity, refs })
    }

    #[allow(clippy::type_complexity)]
    fn field<'a>(
        &mut self,
        table: &str,
        decl: &FieldDecl<'a>,
    ) -> Option<(Field, Option<IndexDef>, Option<IndexDef>, Option<PendingRef<'a>>)> {
        let FieldDecl { file, name, spec, .. } = *decl;
        let name_span = span_of(file, name);
        if !is_snake_case(&name.value) {
            self.diags.push(
                Diagnostic::error(name_span.clone(), format!("field name '{}' is not snake_case", name.value))
                    .with_help(format!("write '{}'", snake_case(&name.value).replace(['-', ' '], "_"))),
            );
        }
        check_length(&name_span, &name.value, "column name", "choose a shorter field name", self.diags);
        let enum_names: Vec<&str> = self.enums.iter().map(|e| e.name.as_str()).collect();
        let ty = match parse_type(&spec.ty.value, &enum_names) {
            Ok(ty) => ty,
            Err((message, help)) => {
                let help = if spec.ty.value.contains('(') && !spec.ty.value.contains(')') {
                    Some(format!("inside {{ … }} a comma ends the value: quote the type, \"{}…)\"", spec.ty.value))
                } else {
                    help
                };
                self.diags.push(Diagnostic::error(span_of(file, &spec.ty), message).with_help_opt(help));
                return None;
            }
        };
        let flag = |v: &Option<S<bool>>| v.as_ref().is_some_and(|b| b.value);
        let nullable = flag(&spec.nullable);
        let primary_key = flag(&spec.primary_key);
        if primary_key && nullable {
            self.diags.push(Diagnostic::error(span_of(file, spec.nullable.as_ref().unwrap()), "a primary key cannot be nullable"));
        }
        let mut default = None;
        if let Some(value) = &spec.default {
            match check_literal(&ty, &value.value, &self.enums) {
                Ok(()) => default = Some(AppDefault::Value(value.value.clone())),
                Err((message, help)) => self.diags.push(Diagnostic::error(span_of(file, value), message).with_help_opt(help)),
            }
        }
        if let Some(function) = &spec.default_fn {
            if spec.default.is_some() {
                self.diags.push(Diagnostic::error(span_of(file, function), "a field has either `default` or `default_fn`, not both"));
            }
            match (function.value.as_str(), &ty) {
                ("uuid_v4", FieldType::Uuid) => default = Some(AppDefault::UuidV4),
                ("now", FieldType::Timestamp | FieldType::Timestamptz | FieldType::Date) => default = Some(AppDefault::Now),
                ("uuid_v4" | "now", _) => self.diags.push(Diagnostic::error(
                    span_of(file, function),
                    format!("default_fn '{}' does not fit type {}", function.value, spec.ty.value),
                )),
                (other, _) => self.diags.push(
                    Diagnostic::error(span_of(file, function), format!("unknown default_fn '{other}'"))
                        .with_help_opt(did_you_mean(other, ["uuid_v4", "now"]).or_else(|| Some("use uuid_v4 or now".into()))),
                ),
            }
        }
        let db_default = spec.db_default.as_ref().and_then(|value| self.db_default(file, &ty, value));
        let on_update_now = match &spec.on_update {
            Some(u) if u.value == "now" && matches!(ty, FieldType::Timestamp | FieldType::Timestamptz) => true,
            Some(u) => {
                self.diags.push(Diagnostic::error(span_of(file, u), format!("unknown on_update '{}'", u.value)).with_help("only `now`, on timestamp fields"));
                false
            }
            None => false,
        };
        let version = flag(&spec.version);
        if version && !ty.is_integer() {
            self.diags.push(Diagnostic::error(span_of(file, &spec.ty), "the version field must be an integer type").with_help("use int or bigint"));
        }
        let validate = self.validation(file, spec, &ty);
        let unique = spec.unique.as_ref().and_then(|u| {
            let kind = self.unique_kind(file, u)?;
            let index_name = match &spec.unique_name {
                Some(n) => n.value.clone(),
                None => {
                    let template = match kind.0 {
                        UniqueKind::Index => &self.project.naming.unique_index,
                        UniqueKind::Constraint => &self.project.naming.unique_constraint,
                    };
                    fill(template, table, &[&name.value], &name.value)
                }
            };
            Some(IndexDef { name: index_name, columns: vec![name.value.clone()], unique: Some(kind.0), kind_explicit: kind.1 })
        });
        let index = if flag(&spec.index) {
            if unique.is_some() {
                self.diags.push(
                    Diagnostic::error(span_of(file, spec.index.as_ref().unwrap()), "`index: true` is redundant: the field is already unique")
                        .with_help("remove `index: true`; the unique index serves lookups too"),
                );
                None
            } else {
                let idx_name = spec.index_name.as_ref().map_or_else(
                    || fill(&self.project.naming.index, table, &[&name.value], &name.value),
                    |n| n.value.clone(),
                );
                Some(IndexDef { name: idx_name, columns: vec![name.value.clone()], unique: None, kind_explicit: false })
            }
        } else {
            None
        };
        let on_delete = match &spec.on_delete {
            Some(word) => match FkAction::from_spec(&word.value) {
                Some(action) => {
                    if spec.references.is_none() {
                        self.diags.push(Diagnostic::error(span_of(file, word), "`on_delete` without `references`").with_help("add `references: Entity`"));
                    }
                    if action == FkAction::SetNull && !nullable {
                        self.diags.push(
                            Diagnostic::error(span_of(file, word), "on_delete: set_null on a field that is not nullable")
                                .with_help("add `nullable: true`, or choose cascade / restrict"),
                        );
                    }
                    action
                }
                None => {
                    self.diags.push(
                        Diagnostic::error(span_of(file, word), format!("unknown on_delete action '{}'", word.value))
                            .with_help_opt(did_you_mean(&word.value, FkAction::SPEC_WORDS).or_else(|| Some(format!("use one of: {}", FkAction::SPEC_WORDS.join(", "))))),
                    );
                    FkAction::NoAction
                }
            },
            None => FkAction::NoAction,
        };
        let pending_ref = spec.references.as_ref().map(|target| PendingRef {
            file,
            ty: &spec.ty,
            field: name.value.clone(),
            target,
            on_delete,
            fk_name: spec.fk_name.as_ref(),
        });
        if let Some(old) = &spec.renamed_from {
            check_identifier(file, old, self.diags);
        }
        let field = Field {
            name: name.value.clone(),
            ty,
            nullable,
            doc: spec.doc.as_ref().map(|d| d.value.clone()),
            default,
            db_default,
            on_update_now,
            primary_key,
            references: None,
            secret: flag(&spec.secret),
            read_only: flag(&spec.read_only),
            version,
            validate,
            renamed_from: spec.renamed_from.as_ref().map(|r| r.value.clone()),
        };
        Some((field, unique, index, pending_ref))
    }

    fn db_default(&mut self, file: &Path, ty: &FieldType, value: &S<serde_json::Value>) -> Option<DbDefault> {
        if let Some(map) = value.value.as_object() {
            if !matches!(ty, FieldType::Json | FieldType::Jsonb) || map.contains_key("sql") {
                return match (map.len(), map.get("sql").and_then(|s| s.as_str())) {
                    (1, Some(sql)) if !sql.trim().is_empty() => Some(DbDefault { sql: sql.trim().to_string() }),
                    _ => {
                        self.diags.push(
                            Diagnostic::error(span_of(file, value), "a database default is a literal or { sql: \"expression\" }")
                                .with_help("e.g. db_default: { sql: \"gen_random_uuid()\" }"),
                        );
                        None
                    }
                };
            }
        }
        match check_literal(ty, &value.value, &self.enums) {
            Ok(()) => Some(DbDefault { sql: sql_literal(ty, &value.value) }),
            Err((message, help)) => {
                self.diags.push(Diagnostic::error(span_of(file, value), message).with_help_opt(help));
                None
            }
        }
    }

    /// `(kind, explicit)` from `unique: true | index | constraint`; None for `false` or an error.
    fn unique_kind(&mut self, file: &Path, value: &S<serde_json::Value>) -> Option<(UniqueKind, bool)> {
        match &value.value {
            serde_json::Value::Bool(true) => Some((self.project.unique_default, false)),
            serde_json::Value::Bool(false) => None,
            serde_json::Value::String(s) if s == "index" => Some((UniqueKind::Index, true)),
            serde_json::Value::String(s) if s == "constraint" => Some((UniqueKind::Constraint, true)),
            other => {
                self.diags.push(
                    Diagnostic::error(span_of(file, value), format!("bad unique value {other}"))
                        .with_help("use true, false, index or constraint"),
                );
                None
            }
        }
    }

    fn validation(&mut self, file: &Path, spec: &FieldSpec, ty: &FieldType) -> Validation {
        let Some(v) = &spec.validate else { return Validation::default() };
        let is_text = matches!(ty, FieldType::String(_) | FieldType::Text);
        let is_number = ty.is_integer() || matches!(ty, FieldType::Float | FieldType::Double | FieldType::Decimal { .. });
        let mut check = |ok: bool, span: Span, what: &str| {
            if !ok {
                self.diags.push(Diagnostic::error(span, format!("`{what}` does not apply to type {}", spec.ty.value)));
            }
        };
        if let Some(x) = &v.min_length { check(is_text, span_of(file, x), "min_length"); }
        if let Some(x) = &v.max_length { check(is_text, span_of(file, x), "max_length"); }
        if let Some(x) = &v.pattern { check(is_text, span_of(file, x), "pattern"); }
        if let Some(x) = &v.format { check(is_text, span_of(file, x), "format"); }
        if let Some(x) = &v.min { check(is_number, span_of(file, x), "min"); }
        if let Some(x) = &v.max { check(is_number, span_of(file, x), "max"); }
        if let (FieldType::String(n), Some(max)) = (ty, &v.max_length) {
            if max.value > u64::from(*n) {
                self.diags.push(
                    Diagnostic::error(span_of(file, max), format!("max_length {} exceeds the column length {n}", max.value))
                        .with_help("the column would reject such values; lower max_length or widen the type"),
                );
            }
        }
        if let (Some(lo), Some(hi)) = (&v.min_length, &v.max_length) {
            if lo.value > hi.value {
                self.diags.push(Diagnostic::error(span_of(file, lo), "min_length is larger than max_length"));
            }
        }
        if let (Some(lo), Some(hi)) = (&v.min, &v.max) {
            if lo.value > hi.value {
                self.diags.push(Diagnostic::error(span_of(file, lo), "min is larger than max"));
            }
        }
        if let Some(format) = &v.format {
            if !["email", "url", "uuid"].contains(&format.value.as_str()) {
                self.diags.push(
                    Diagnostic::error(span_of(file, format), format!("unknown format '{}'", format.value))
                        .with_help_opt(did_you_mean(&format.value, ["email", "url", "uuid"]).or_else(|| Some("use email, url or uuid".into()))),
                );
            }
        }
        Validation {
            min_length: v.min_length.as_ref().map(|x| x.value),
            max_length: v.max_length.as_ref().map(|x| x.value),
            min: v.min.as_ref().map(|x| x.value),
            max: v.max.as_ref().map(|x| x.value),
            pattern: v.pattern.as_ref().map(|x| x.value.clone()),
            format: v.format.as_ref().map(|x| x.value.clone()),
        }
    }

    fn index_entry(&mut self, file: &Path, (entity_name, table): (&str, &str), spec: &IndexSpec, fields: &[Field]) -> Option<(IndexDef, Span)> {
        let span = span_of(file, &spec.fields);
        if spec.fields.value.is_empty() {
            self.diags.push(Diagnostic::error(span, "an index needs at least one field"));
            return None;
        }
        let mut columns = Vec::new();
        for column in &spec.fields.value {
            if columns.contains(&column.value) {
                self.diags.push(Diagnostic::error(span_of(file, column), format!("field '{}' is listed twice", column.value)));
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
        let name = spec.name.as_ref().map_or_else(|| fill(template, table, &cols, ""), |n| n.value.clone());
        let span = spec.name.as_ref().map_or(span, |n| span_of(file, n));
        Some((IndexDef { name, columns, unique: unique.map(|u| u.0), kind_explicit: unique.is_some_and(|u| u.1) }, span))
    }

    fn resolve_references(&mut self, pending: &mut [PendingEntity<'_>], broken: &[String]) {
        let mut resolved: Vec<(usize, String, Reference)> = Vec::new();
        let names: Vec<&str> = pending.iter().map(|p| p.entity.name.as_str()).collect();
        for (i, p) in pending.iter().enumerate() {
            for r in &p.refs {
                let (target_name, target_field) = match r.target.value.split_once('.') {
                    Some((e, f)) => (e, Some(f)),
                    None => (r.target.value.as_str(), None),
                };
                let span = span_of(r.file, r.target);
                let Some(target) = pending.iter().find(|t| t.entity.name == target_name) else {
                    if broken.iter().any(|b| b == target_name) || self.failed_entities.iter().any(|b| b == target_name) {
                        continue;
                    }
                    self.diags.push(
                        Diagnostic::error(span, format!("unknown entity '{target_name}'"))
                            .with_help_opt(did_you_mean(target_name, names.iter().copied()).or_else(|| Some("references name an entity (entities/*.yaml)".into()))),
                    );
                    continue;
                };
                let target = &target.entity;
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
                    || target.indexes.iter().any(|ix| ix.unique.is_some() && ix.columns.len() == 1 && ix.columns[0] == column);
                if !is_key {
                    self.diags.push(
                        Diagnostic::error(span, format!("foreign key to non-key column '{target_name}.{column}'"))
                            .with_help(format!("a reference must point at a primary key or a unique field: reference '{target_name}', or make '{column}' unique")),
                    );
                    continue;
                }
                let field = p.entity.field(&r.field).unwrap();
                if field.ty != tf.ty {
                    self.diags.push(Diagnostic::error(
                        span_of(r.file, r.ty),
                        format!(
                            "type mismatch: '{}' is {} but '{target_name}.{column}' is {}",
                            r.field,
                            super::types::spec_name(&field.ty),
                            super::types::spec_name(&tf.ty)
                        ),
                    ).with_help(format!("declare '{}' as {}", r.field, super::types::spec_name(&tf.ty))));
                    continue;
                }
                let name = r.fk_name.map_or_else(
                    || fill(&self.project.naming.foreign_key, &p.entity.table, &[&r.field], &r.field),
                    |n| n.value.clone(),
                );
                let name_span = r.fk_name.map_or_else(|| span_of(r.file, r.target), |n| span_of(r.file, n));
                check_length(&name_span, &name, "foreign key name", "set `fk_name:`", self.diags);
                resolved.push((
                    i,
                    r.field.clone(),
                    Reference { entity: target.name.clone(), table: target.table.clone(), column: column.to_string(), on_delete: r.on_delete, name },
                ));
            }
        }
        for (i, field, reference) in resolved {
            if let Some(f) = pending[i].entity.fields.iter_mut().find(|f| f.name == field) {
                f.references = Some(reference);
            }
        }
    }

    fn link(&mut self, file: &Path, doc: &super::raw::LinkDoc, entities: &[Entity]) -> Option<Link> {
        let name_span = span_of(file, &doc.link);
        let name = doc.link.value.clone();
        if !is_pascal_case(&name) {
            self.diags.push(Diagnostic::error(name_span.clone(), format!("link name '{name}' is not PascalCase")));
        }
        let table = match &doc.table {
            Some(t) => {
                check_identifier(file, t, self.diags);
                t.value.clone()
            }
            None => format!("{}{}", self.project.table_prefix, snake_case(&name)),
        };
        let table_span = doc.table.as_ref().map_or(name_span.clone(), |t| span_of(file, t));
        self.claim_relation(&table, &table_span, "table");
        let left = self.link_end(file, &table, &doc.left, entities);
        let right = self.link_end(file, &table, &doc.right, entities);
        let (left, right) = (left?, right?);
        if left.column == right.column {
            self.diags.push(
                Diagnostic::error(span_of(file, &doc.right.entity), format!("both sides of link '{name}' use column '{}'", left.column))
                    .with_help("set `column:` on one side"),
            );
            return None;
        }
        let primary_key = fill(&self.project.naming.primary_key, &table, &[&left.column, &right.column], &name);
        self.claim_relation(&primary_key, &table_span, "primary key");
        Some(Link { name, table, doc: doc.doc.as_ref().map(|d| d.value.clone()), left, right, primary_key, source: file.to_path_buf() })
    }

    fn link_end(&mut self, file: &Path, table: &str, end: &LinkEndSpec, entities: &[Entity]) -> Option<LinkEnd> {
        let Some(target) = entities.iter().find(|e| e.name == end.entity.value) else {
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
                    self.diags.push(Diagnostic::error(span_of(file, word), "link columns are part of the primary key and cannot be set to NULL or a default").with_help("use cascade, restrict or no_action"));
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
        let name = end.fk_name.as_ref().map_or_else(|| fill(&self.project.naming.foreign_key, table, &[&column], &column), |n| n.value.clone());
        check_length(&span_of(file, &end.entity), &name, "foreign key name", "set `fk_name:`", self.diags);
        let pk = target.pk_field();
        Some(LinkEnd {
            entity: target.name.clone(),
            column,
            ty: pk.ty.clone(),
            reference: Reference { entity: target.name.clone(), table: target.table.clone(), column: pk.name.clone(), on_delete, name },
        })
    }
}

fn unknown_field(file: &Path, column: &S<String>, entity: &str, fields: &[Field]) -> Diagnostic {
    let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    Diagnostic::error(span_of(file, column), format!("unknown field '{}' in entity '{entity}'", column.value))
        .with_help_opt(did_you_mean(&column.value, known.iter().copied()))
}

fn check_identifier(file: &Path, ident: &S<String>, diags: &mut Diagnostics) {
    let span = span_of(file, ident);
    let text = &ident.value;
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || text.starts_with(|c: char| c.is_ascii_digit()) {
        diags.push(
            Diagnostic::error(span.clone(), format!("'{text}' is not a valid identifier"))
                .with_help("use letters, digits and underscores, not starting with a digit"),
        );
    }
    check_length(&span, text, "identifier", "choose a shorter name", diags);
}

fn check_length(span: &Span, name: &str, what: &str, fix: &str, diags: &mut Diagnostics) {
    if name.len() > MAX_IDENTIFIER_BYTES {
        diags.push(
            Diagnostic::error(span.clone(), format!("{what} '{name}' is {} bytes long; PostgreSQL allows {MAX_IDENTIFIER_BYTES}", name.len()))
                .with_help(format!("PostgreSQL would silently truncate it; {fix}")),
        );
    }
}

fn is_pascal_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(cs).collect::<String>()
        })
        .collect()
}

