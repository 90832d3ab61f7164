//! Enum types: unique names, database names, non-empty unique values.

use super::{check_identifier, check_length, is_pascal_case};
use crate::diagnostics::{Diagnostic, Diagnostics, Span};
use crate::ir::{EnumDef, Project};
use crate::naming::{fill, MAX_IDENTIFIER_BYTES};
use crate::spec::load::{span_of, RawSpecs};
use std::collections::{HashMap, HashSet};

/// Names PostgreSQL resolves to its own types (pg_catalog comes first on the search path) or
/// cannot parse as a type name: an enum so named would be silently shadowed or fail to apply.
const NOT_ENUM_NAMES: [&str; 58] = [
    "any",
    "between",
    "bigint",
    "bit",
    "bool",
    "boolean",
    "box",
    "bpchar",
    "bytea",
    "char",
    "character",
    "cidr",
    "circle",
    "coalesce",
    "date",
    "dec",
    "decimal",
    "exists",
    "extract",
    "float",
    "float4",
    "float8",
    "greatest",
    "inet",
    "int",
    "int2",
    "int4",
    "int8",
    "integer",
    "interval",
    "json",
    "jsonb",
    "least",
    "line",
    "money",
    "name",
    "national",
    "nchar",
    "none",
    "numeric",
    "oid",
    "overlay",
    "point",
    "position",
    "precision",
    "real",
    "record",
    "row",
    "setof",
    "smallint",
    "substring",
    "text",
    "time",
    "timestamp",
    "timestamptz",
    "trim",
    "uuid",
    "varchar",
];

/// The enums, and each database type name with the span that declared it.
pub(super) fn enums(raw: &RawSpecs, project: &Project, diags: &mut Diagnostics) -> (Vec<EnumDef>, Vec<(String, Span)>) {
    let mut claimed = Vec::new();
    let mut out: Vec<EnumDef> = Vec::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut db_names: HashSet<String> = HashSet::new();
    for (file, doc) in &raw.enums {
        for (name, spec) in &doc.enums.0 {
            let span = span_of(file, name);
            super::rust_reserved(&name.value, &span, diags);
            if !is_pascal_case(&name.value) {
                diags.push(
                    Diagnostic::error(span.clone(), format!("enum name '{}' is not PascalCase", name.value))
                        .with_help("enum names start with an upper-case letter and contain only letters and digits"),
                );
            }
            if let Some(first) = seen.get(&name.value) {
                diags.push(
                    Diagnostic::error(span, format!("enum '{}' is defined twice", name.value)).with_help(format!(
                        "first defined at {}:{}",
                        first.file.display(),
                        first.line
                    )),
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
            let lowered = db_name.to_ascii_lowercase();
            if NOT_ENUM_NAMES.contains(&lowered.as_str()) || crate::naming::is_reserved(&lowered) {
                diags.push(
                    Diagnostic::error(span.clone(), format!("'{db_name}' cannot name an enum type: PostgreSQL has a built-in type or keyword of that name"))
                        .with_help("rename the enum, or set `db_name:` to another name"),
                );
            }
            claimed.push((db_name.clone(), span.clone()));
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
            let mut renamed_values = Vec::new();
            for (new, old) in &spec.renamed_values.0 {
                if !values.contains(&new.value) {
                    diags.push(
                        Diagnostic::error(
                            span_of(file, new),
                            format!("'{}' is not a value of enum '{}'", new.value, name.value),
                        )
                        .with_help("renamed_values maps a current value to the value it replaces: NEW: OLD"),
                    );
                } else if values.contains(&old.value) {
                    diags.push(Diagnostic::error(
                        span_of(file, old),
                        format!(
                            "'{}' is still a value of enum '{}': a renamed value must be gone",
                            old.value, name.value
                        ),
                    ));
                } else {
                    renamed_values.push((new.value.clone(), old.value.clone()));
                }
            }
            out.push(EnumDef {
                name: name.value.clone(),
                db_name,
                values,
                doc: spec.doc.as_ref().map(|d| d.value.clone()),
                renamed_values,
            });
        }
    }
    (out, claimed)
}
