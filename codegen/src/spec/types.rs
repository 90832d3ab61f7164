//! Parsing of field type names: the type table's spellings (`string(255)`, `varchar(255)`,
//! `timestamp(6) with time zone`), enum names, `T[]`, and `sql(…)` for any other type.

use crate::diagnostics::did_you_mean;
use crate::ir::FieldType;
pub use crate::types::TypeError;

/// `domains`: each domain's name and base type.
pub fn parse_type(text: &str, enum_names: &[&str], domains: &[(&str, &FieldType)]) -> Result<FieldType, TypeError> {
    let text = text.trim();
    if let Some(inner) = text.strip_suffix("[]") {
        let element = parse_type(inner, enum_names, domains)?;
        if matches!(element, FieldType::Array(_)) {
            return Err(("multi-dimensional arrays are not supported".into(), Some("use jsonb".into())));
        }
        return Ok(FieldType::Array(Box::new(element)));
    }
    if enum_names.contains(&text) {
        return Ok(FieldType::Enum(text.to_string()));
    }
    if let Some((name, base)) = domains.iter().find(|(name, _)| *name == text) {
        return Ok(FieldType::Domain { name: name.to_string(), base: Box::new((*base).clone()) });
    }
    if let Some(spelling) = text.strip_prefix("sql(").and_then(|r| r.strip_suffix(')')) {
        return match spelling.trim() {
            "" => Err((
                "sql() names no type".into(),
                Some("write the type as PostgreSQL prints it, e.g. sql(point)".into()),
            )),
            s if s.ends_with("[]") => {
                Err((format!("write the array outside: sql({})[]", s.trim_end_matches("[]")), None))
            }
            s => Ok(FieldType::Sql(s.to_string())),
        };
    }
    if let Some(ty) = crate::types::parse_builtin(text)? {
        return Ok(ty);
    }
    let head = text.split('(').next().unwrap_or(text).trim();
    let mut candidates: Vec<&str> = crate::types::SCALARS.iter().map(|s| s.spec).collect();
    candidates.dedup();
    candidates.extend(enum_names.iter().copied());
    candidates.extend(domains.iter().map(|(name, _)| *name));
    let closest = candidates
        .iter()
        .copied()
        .filter(|c| did_you_mean(head, [*c]).is_some())
        .min_by_key(|c| strsim::damerau_levenshtein(head, c));
    let args = text.split_once('(').map(|(_, a)| a.trim_end_matches(')'));
    let help = closest
        .map(|c| {
            let spelled = match (c, args) {
                ("string" | "decimal", Some(a)) => format!("{c}({a})"),
                ("string", None) => "string(n)".into(),
                ("decimal", None) => "decimal(p,s)".into(),
                _ => c.to_string(),
            };
            format!("did you mean '{spelled}'?")
        })
        .unwrap_or_else(|| {
            let plain: Vec<String> = crate::types::SCALARS
                .iter()
                .map(|s| match s.args {
                    crate::types::Args::None => s.spec.to_string(),
                    crate::types::Args::Decimal => format!("{}(p,s)", s.spec),
                    crate::types::Args::Precision => format!("{}(p)", s.spec),
                    crate::types::Args::Length { .. } => format!("{}(n)", s.spec),
                })
                .collect();
            format!("known types: {}, an enum name, T[], or sql(<type as PostgreSQL prints it>)", plain.join(", "))
        });
    Err((format!("unknown type '{text}'"), Some(help)))
}

/// The spec spelling of a type, for messages.
pub fn spec_name(ty: &FieldType) -> String {
    ty.spec_spelling()
}
