//! Raw documents → resolved model. Every check runs even after a failure, so one run reports
//! every error; the model is returned only when there were none.

mod access;
pub mod bounds;
mod domains;
mod entity;
mod enums;
mod field;
mod foreign_keys;
mod links;
mod mixins;
mod project;
mod references;

use super::load::{span_of, RawSpecs};
use super::raw::S;
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::ir::*;
use crate::naming::MAX_IDENTIFIER_BYTES;
use entity::PendingEntity;
use mixins::MixinTable;
use std::collections::HashMap;
use std::path::Path;

pub fn validate(raw: &RawSpecs, diags: &mut Diagnostics) -> Option<Model> {
    let errors_before = diags.len();
    let project = project::project(raw, diags);
    let (enums, enum_names) = enums::enums(raw, &project, diags);
    let mixins = MixinTable::new(raw, diags);
    let mut v = Validator {
        project,
        enums,
        domains: Vec::new(),
        diags,
        relations: HashMap::new(),
        failed_entities: raw.broken_entities.clone(),
    };
    v.domains = v.domains(raw);
    let mut pending: Vec<PendingEntity> = Vec::new();
    let mut entity_names: HashMap<String, Span> = HashMap::new();
    for (file, doc) in &raw.entities {
        let Some(entity) = v.entity(file, doc, &mixins) else {
            v.failed_entities.push(doc.entity.value.clone());
            continue;
        };
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
    v.resolve_references(&mut pending, &raw.broken_entities);
    v.resolve_foreign_keys(&raw.entities, &mut pending);
    let mut entities: Vec<Entity> = pending.into_iter().map(|p| p.entity).collect();
    let mut links = Vec::new();
    for (file, doc) in &raw.links {
        if let Some(link) = v.link(file, doc, &entities) {
            links.push(link);
        }
    }
    // Entities, links and enums share the generated crate's root namespace.
    for e in &v.enums {
        if entities.iter().any(|x| x.name == e.name) || links.iter().any(|l| l.name == e.name) {
            let span = enum_names.iter().find(|(db, _)| db == &e.db_name).map(|(_, s)| s.clone());
            if let Some(span) = span {
                v.diags.push(
                    Diagnostic::error(span, format!("enum '{}' has the name of an entity or link", e.name))
                        .with_help("the generated Rust would have two types of that name; rename one"),
                );
            }
        }
    }
    // A table brings a row type of its own name, so an enum type cannot share it.
    for (db_name, span) in &enum_names {
        if entities.iter().map(|e| &e.table).chain(links.iter().map(|l| &l.table)).any(|t| t == db_name) {
            v.diags.push(
                Diagnostic::error(span.clone(), format!("enum type '{db_name}' has the name of a table"))
                    .with_help("PostgreSQL gives every table a type of the same name; set `db_name:` to another name"),
            );
        }
    }
    let identities: Vec<&Entity> = entities.iter().filter(|e| e.identity.is_some()).collect();
    if let [first, second, ..] = identities.as_slice() {
        v.diags.push(
            Diagnostic::error(
                Span::file_start(&second.source),
                format!("'{}' and '{}' are both the identity entity", first.name, second.name),
            )
            .with_help("one entity logs in; remove `identity:` from the other"),
        );
    }
    if v.diags.len() > errors_before {
        return None;
    }
    bounds::apply(&mut entities, &v.domains);
    let (mut entities, mut keyed): (Vec<Entity>, Vec<Entity>) =
        entities.into_iter().partition(|e| !e.primary_key.columns.is_empty());
    entities.sort_by(|a, b| a.name.cmp(&b.name));
    keyed.sort_by(|a, b| a.name.cmp(&b.name));
    links.sort_by(|a, b| a.name.cmp(&b.name));
    let mut enums = v.enums;
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    Some(Model { project: v.project, enums, entities, links, keyed, domains: v.domains })
}

pub(super) struct Validator<'d> {
    pub(super) project: Project,
    pub(super) domains: Vec<DomainDef>,
    pub(super) enums: Vec<EnumDef>,
    pub(super) diags: &'d mut Diagnostics,
    /// Schema-wide relation names (tables, indexes, key constraints): PostgreSQL needs them unique.
    pub(super) relations: HashMap<String, Span>,
    /// Entities that exist but failed validation: references to them are not errors of their own.
    pub(super) failed_entities: Vec<String>,
}

impl Validator<'_> {
    pub(super) fn claim_relation(&mut self, name: &str, span: &Span, what: &str) {
        if let Some(first) = self.relations.get(name) {
            self.diags.push(
                Diagnostic::error(span.clone(), format!("{what} name '{name}' is already used in the schema"))
                    .with_help(format!("first used at {}:{}; choose another name", first.file.display(), first.line)),
            );
        } else {
            self.relations.insert(name.to_string(), span.clone());
        }
    }
}

pub(super) fn check_identifier(file: &Path, ident: &S<String>, diags: &mut Diagnostics) {
    let span = span_of(file, ident);
    let text = &ident.value;
    if text.is_empty()
        || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || text.starts_with(|c: char| c.is_ascii_digit())
    {
        diags.push(
            Diagnostic::error(span.clone(), format!("'{text}' is not a valid identifier"))
                .with_help("use letters, digits and underscores, not starting with a digit"),
        );
    }
    check_length(&span, text, "identifier", "choose a shorter name", diags);
}

pub(super) fn check_length(span: &Span, name: &str, what: &str, fix: &str, diags: &mut Diagnostics) {
    if name.len() > MAX_IDENTIFIER_BYTES {
        diags.push(
            Diagnostic::error(
                span.clone(),
                format!("{what} '{name}' is {} bytes long; PostgreSQL allows {MAX_IDENTIFIER_BYTES}", name.len()),
            )
            .with_help(format!("PostgreSQL would silently truncate it; {fix}")),
        );
    }
}

/// Names the generated Rust uses from the prelude (and `Self`): an entity, link or enum so named
/// would shadow them. The importer avoids them too.
pub(crate) const RUST_RESERVED: [&str; 23] = [
    "Box",
    "Clone",
    "Copy",
    "Default",
    "Drop",
    "Eq",
    "Err",
    "Fn",
    "From",
    "Into",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Some",
    "String",
    "Vec",
    "Self",
];

/// Rejects a spec name the generated Rust needs for itself.
pub(super) fn rust_reserved(name: &str, span: &Span, diags: &mut Diagnostics) {
    if RUST_RESERVED.contains(&name) {
        diags.push(
            Diagnostic::error(span.clone(), format!("'{name}' is a Rust prelude name; the generated code needs it"))
                .with_help("choose another name (the table can keep its name with `table:`)"),
        );
    }
}

pub(super) fn is_pascal_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

pub(super) fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub(super) fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(cs).collect::<String>()
        })
        .collect()
}
