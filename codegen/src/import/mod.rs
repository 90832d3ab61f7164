//! `cargo xtask import`: a live schema (from `schema::introspect`) written back as spec files, so
//! that `generate` and `check` on them find no drift. Decisions first (which tables, which
//! names, which templates), then the documents as data (`docs`), then YAML (`render`).

mod defaults;
mod docs;
mod entity;
mod glob;
mod link;
mod names;
mod render;
mod tables;
mod types;
mod yaml;

pub use glob::matches as glob_matches;
pub use tables::BOOKKEEPING;

use crate::ir::Naming;
use crate::ir::UniqueKind;
use crate::naming::{fill, snake_case};
use crate::schema::{Schema, Table};
use names::{best_template, common_prefix, pascal_case, NameClaims};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub struct ImportOptions<'a> {
    /// `project:` of project.yaml.
    pub project: &'a str,
    /// Where the schema came from, for the header of every file (a URL without its password).
    pub source: &'a str,
    /// Only tables matching this glob; every table of the schema when None.
    pub tables: Option<&'a str>,
}

#[derive(Debug)]
pub struct Imported {
    /// Paths relative to the spec directory, sorted, with their contents.
    pub files: Vec<(PathBuf, String)>,
    /// One line per object left out, naming it and saying why.
    pub warnings: Vec<String>,
    pub entities: usize,
    pub links: usize,
    pub enums: usize,
    /// The tables considered (bookkeeping aside, and within `--tables`), and how many were
    /// written as entities or links.
    pub tables: usize,
    pub kept: usize,
}

/// What the builders of entity and link documents share.
pub(crate) struct Context<'s> {
    schema: &'s Schema,
    naming: Naming,
    prefix: String,
    /// Database enum name → spec enum name (the enums written).
    enums: BTreeMap<String, String>,
    /// Database domain name → its spec type.
    domains: BTreeMap<String, crate::ir::FieldType>,
    /// Table → entity or link name.
    names: BTreeMap<String, String>,
    /// Table → entity name, for tables imported as entities (what references may point at).
    entity_tables: BTreeMap<String, String>,
}

impl Context<'_> {
    /// The values of the enum type a column has (or has arrays of); empty for other types.
    fn enum_values(&self, data_type: &str) -> &[String] {
        let base = data_type.trim_end_matches("[]");
        let base = base.strip_prefix('"').and_then(|b| b.strip_suffix('"')).unwrap_or(base);
        self.schema.enums.get(base).map_or(&[], |e| e.values.as_slice())
    }
}

pub fn import(schema: &Schema, options: &ImportOptions<'_>) -> Imported {
    let mut warnings = Vec::new();
    let chosen: Vec<&Table> = schema
        .tables
        .values()
        .filter(|t| !BOOKKEEPING.contains(&t.name.as_str()) && !crate::schema::report::is_servers_own(&t.name))
        .filter(|t| options.tables.is_none_or(|p| glob::matches(p, &t.name)))
        .collect();
    let naming = choose_naming(&chosen);
    let selection = tables::select(schema, &chosen, &naming.primary_key, &mut warnings);
    let written: Vec<&Table> = {
        let mut all: Vec<&Table> = selection.entities.iter().chain(&selection.links).copied().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    };
    let bare = |t: &Table| crate::schema::split_table(&t.name).1.to_string();
    let prefix = common_prefix(written.iter().map(|t| crate::schema::split_table(&t.name).1));
    let mut claims = NameClaims::default();
    let mut names = BTreeMap::new();
    for t in &written {
        let is_link = selection.links.iter().any(|l| l.name == t.name);
        let name = bare(t);
        let unprefixed = name.strip_prefix(prefix.as_str()).unwrap_or(&name);
        names.insert(t.name.clone(), claims.claim(&pascal_case(unprefixed), if is_link { "Link" } else { "Table" }));
    }
    let entity_tables: BTreeMap<String, String> =
        selection.entities.iter().map(|t| (t.name.clone(), names[&t.name].clone())).collect();
    let used_enums: BTreeSet<&str> = selection
        .entities
        .iter()
        .flat_map(|t| &t.columns)
        .map(|c| c.data_type.trim_end_matches("[]").trim_matches('"'))
        .collect();
    let mut enums = BTreeMap::new();
    let mut enum_docs = Vec::new();
    for e in schema.enums.values() {
        if options.tables.is_some() && !used_enums.contains(e.name.as_str()) {
            continue;
        }
        let name = claims.claim(&pascal_case(&e.name), "Enum");
        let conventional = fill(&naming.enum_type, "", &[], &name);
        enums.insert(e.name.clone(), name.clone());
        enum_docs.push(docs::EnumDoc {
            db_name: (conventional != e.name).then(|| e.name.clone()),
            values: e.values.clone(),
            name,
        });
    }
    let mut domains = BTreeMap::new();
    let mut domain_docs = Vec::new();
    for d in schema.domains.values() {
        let base = types::field_type(&d.base, &enums, &BTreeMap::new());
        domains.insert(
            d.name.clone(),
            crate::ir::FieldType::Domain { name: d.name.clone(), base: Box::new(base.clone()) },
        );
        let checks = d
            .checks
            .iter()
            .map(|(name, def)| {
                let expr = entity::check_expr(def).unwrap_or(def);
                (name.clone(), expr.to_string())
            })
            .collect();
        domain_docs.push(docs::DomainDoc {
            name: d.name.clone(),
            ty: crate::spec::types::spec_name(&base),
            not_null: d.not_null,
            default: d.default.clone(),
            checks,
        });
    }
    let ctx = Context { schema, naming, prefix, enums, names, entity_tables, domains };
    let entity_docs: Vec<docs::EntityDoc> =
        selection.entities.iter().map(|t| entity::entity(&ctx, t, &mut warnings)).collect();
    let link_docs: Vec<docs::LinkDoc> = selection.links.iter().map(|t| link::link(&ctx, t)).collect();
    for t in &selection.links {
        for (kind, name) in t
            .uniques
            .keys()
            .map(|n| ("unique key", n))
            .chain(t.indexes.keys().map(|n| ("index", n)))
            .chain(t.checks.keys().map(|n| ("constraint", n)))
        {
            warnings.push(format!("{}: {kind} {name} on a link table is not expressible in specs; skipped", t.name));
        }
    }

    let header = render::header(options.source);
    let mut files = vec![(
        PathBuf::from("project.yaml"),
        render::project(
            &header,
            &render::ProjectSettings {
                name: options.project,
                schema: &schema.name,
                prefix: &ctx.prefix,
                naming: &ctx.naming,
                ignore_tables: &BOOKKEEPING,
                extensions: &schema.extensions.iter().map(String::as_str).collect::<Vec<_>>(),
                comments: written.iter().any(|t| t.comment.is_some() || t.columns.iter().any(|c| c.comment.is_some())),
            },
        ),
    )];
    if !domain_docs.is_empty() {
        files.push((PathBuf::from("domains/domains.yaml"), render::domains(&header, &domain_docs)));
    }
    for e in &enum_docs {
        files.push((PathBuf::from(format!("enums/{}.yaml", snake_case(&e.name))), render::enum_doc(&header, e)));
    }
    for e in &entity_docs {
        files.push((PathBuf::from(format!("entities/{}.yaml", snake_case(&e.name))), render::entity(&header, e)));
    }
    for l in &link_docs {
        files.push((PathBuf::from(format!("links/{}.yaml", snake_case(&l.name))), render::link(&header, l)));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Imported {
        files,
        warnings,
        entities: entity_docs.len(),
        links: link_docs.len(),
        enums: enum_docs.len(),
        tables: chosen.len(),
        kept: written.len(),
    }
}

/// Templates the most objects already follow (PostgreSQL's and SQLAlchemy's conventions are the
/// candidates); objects that follow none get explicit names, except primary keys, which specs
/// cannot name (such tables are skipped).
fn choose_naming(tables: &[&Table]) -> Naming {
    let mut pks = Vec::new();
    let mut fks = Vec::new();
    let mut plain = Vec::new();
    let mut unique_indexes = Vec::new();
    let mut unique_constraints = Vec::new();
    for t in tables {
        if let Some(pk) = &t.primary_key {
            pks.push((pk.name.clone(), crate::schema::split_table(&t.name).1.to_string(), pk.columns.clone()));
        }
        for fk in t.foreign_keys.values() {
            fks.push((fk.name.clone(), crate::schema::split_table(&t.name).1.to_string(), fk.columns.clone()));
        }
        for ix in t.indexes.values() {
            plain.push((ix.name.clone(), crate::schema::split_table(&t.name).1.to_string(), ix.columns.clone()));
        }
        for u in t.uniques.values() {
            let list = if u.kind == UniqueKind::Index { &mut unique_indexes } else { &mut unique_constraints };
            list.push((u.name.clone(), crate::schema::split_table(&t.name).1.to_string(), u.columns.clone()));
        }
    }
    Naming {
        primary_key: best_template(&["{table}_pkey", "pk_{table}", "{table}_pk"], &pks).into(),
        foreign_key: best_template(&["{table}_{columns}_fkey", "fk_{table}_{columns}"], &fks).into(),
        index: best_template(&["ix_{table}_{columns}", "{table}_{columns}_idx", "idx_{table}_{columns}"], &plain)
            .into(),
        unique_index: best_template(
            &[
                "ix_{table}_{columns}",
                "ux_{table}_{columns}",
                "uq_{table}_{columns}",
                "{table}_{columns}_key",
                "{table}_{columns}_idx",
            ],
            &unique_indexes,
        )
        .into(),
        unique_constraint: best_template(&["{table}_{columns}_key", "uq_{table}_{columns}"], &unique_constraints)
            .into(),
        enum_type: "{snake}".into(),
    }
}
