//! `project.yaml`: schema, prefix, naming templates, unmanaged tables (defaults when absent).

use super::check_identifier;
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::ir::{Naming, Project, UniqueKind};
use crate::naming::TEMPLATE_PLACEHOLDERS;
use crate::spec::load::{span_of, RawSpecs};
use crate::spec::raw::S;
use std::path::Path;

pub(super) fn project(raw: &RawSpecs, diags: &mut Diagnostics) -> Project {
    let mut project = Project {
        name: "app".into(),
        schema: "public".into(),
        table_prefix: String::new(),
        unique_default: UniqueKind::Index,
        naming: Naming::default(),
        ignore_tables: vec!["_sqlx_migrations".into()],
        extensions: Vec::new(),
        comments: false,
    };
    let Some((file, doc)) = &raw.project else {
        return project;
    };
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
    project.comments = doc.comments.as_ref().is_some_and(|c| c.value);
    for extension in &doc.extensions {
        let name = &extension.value;
        // Extension names are the control files' names: `uuid-ossp` has a dash.
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            diags.push(
                Diagnostic::error(span_of(file, extension), format!("'{name}' is not an extension name"))
                    .with_help("write the name CREATE EXTENSION takes, e.g. vector, citext, pg_trgm"),
            );
        }
        if project.extensions.contains(&extension.value) {
            diags.push(
                Diagnostic::error(span_of(file, extension), format!("extension '{}' is listed twice", extension.value))
                    .with_help("remove one of them"),
            );
        }
        project.extensions.push(extension.value.clone());
    }
    project.extensions.sort();
    project.extensions.dedup();
    if let Some(unmanaged) = &doc.unmanaged {
        project.ignore_tables = unmanaged.ignore_tables.iter().map(|t| t.value.clone()).collect();
    }
    project
}

fn check_template(file: &Path, template: &S<String>, one_of: &[&str], diags: &mut Diagnostics) {
    let text = &template.value;
    if !one_of.iter().any(|p| text.contains(p)) {
        diags.push(
            Diagnostic::error(
                span_of(file, template),
                format!("name template '{text}' must contain {}", one_of.join(" or ")),
            )
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
