//! Parsing of field type names: `string(255)`, `decimal(10,2)`, `int[]`, enum names.

use crate::diagnostics::did_you_mean;
use crate::ir::FieldType;

/// The words a type starts with: the type table's, and the two that take arguments.
fn type_words() -> impl Iterator<Item = &'static str> {
    crate::types::SCALARS.iter().map(|s| s.spec).chain(["string", "decimal"])
}

/// A type error: the message and an optional help line.
pub type TypeError = (String, Option<String>);

pub fn parse_type(text: &str, enum_names: &[&str]) -> Result<FieldType, TypeError> {
    let text = text.trim();
    if let Some(inner) = text.strip_suffix("[]") {
        let element = parse_type(inner, enum_names)?;
        if matches!(element, FieldType::Array(_)) {
            return Err(("multi-dimensional arrays are not supported".into(), Some("use jsonb".into())));
        }
        return Ok(FieldType::Array(Box::new(element)));
    }
    let (head, args) = match text.split_once('(') {
        Some((head, rest)) => match rest.strip_suffix(')') {
            Some(args) => (head.trim(), Some(args)),
            None => return Err((format!("unclosed '(' in type '{text}'"), Some("write e.g. string(255)".into()))),
        },
        None => (text, None),
    };
    let simple = crate::types::by_spec(head).map(|s| s.ty.clone());
    if let Some(ty) = simple {
        return match args {
            None => Ok(ty),
            Some(_) => Err((format!("type '{head}' takes no arguments"), Some(format!("write '{head}'")))),
        };
    }
    match head {
        "string" => parse_string(args),
        "decimal" => parse_decimal(args),
        _ if enum_names.contains(&head) && args.is_none() => Ok(FieldType::Enum(head.to_string())),
        _ => {
            let mut candidates: Vec<&str> = type_words().collect();
            candidates.extend(enum_names.iter().copied());
            let closest = candidates
                .iter()
                .copied()
                .filter(|c| did_you_mean(head, [*c]).is_some())
                .min_by_key(|c| strsim::damerau_levenshtein(head, c));
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
                .or_else(|| {
                    let plain: Vec<&str> = crate::types::SCALARS.iter().map(|s| s.spec).collect();
                    Some(format!("known types: {}, string(n), decimal(p,s), an enum name, or T[]", plain.join(", ")))
                });
            Err((format!("unknown type '{text}'"), help))
        }
    }
}

fn parse_string(args: Option<&str>) -> Result<FieldType, TypeError> {
    let Some(args) = args else {
        return Err(("string needs a maximum length".into(), Some("write string(255), or use text".into())));
    };
    match args.trim().parse::<u32>() {
        Ok(n) if (1..=10_485_760).contains(&n) => Ok(FieldType::String(n)),
        _ => {
            Err((format!("bad string length '{args}'"), Some("the length is a whole number from 1 to 10485760".into())))
        }
    }
}

fn parse_decimal(args: Option<&str>) -> Result<FieldType, TypeError> {
    let help = "write decimal(p,s) with 1 <= p <= 1000 and 0 <= s <= p, e.g. decimal(10,2)";
    let Some(args) = args else {
        return Err(("decimal needs a precision and a scale".into(), Some(help.into())));
    };
    let parts: Vec<&str> = args.split(',').map(str::trim).collect();
    let parsed = match parts.as_slice() {
        [p, s] => p.parse::<u16>().ok().zip(s.parse::<u16>().ok()),
        _ => None,
    };
    match parsed {
        Some((precision, scale)) if (1..=1000).contains(&precision) && scale <= precision => {
            Ok(FieldType::Decimal { precision, scale })
        }
        Some((precision, scale)) if scale > precision => {
            Err((format!("bad decimal({args}): scale {scale} is larger than precision {precision}"), Some(help.into())))
        }
        _ => Err((
            format!("bad decimal({args}): expected a precision and a scale, both whole numbers"),
            Some(help.into()),
        )),
    }
}

/// The spec spelling of a type, for messages.
pub fn spec_name(ty: &FieldType) -> String {
    match ty {
        FieldType::String(n) => format!("string({n})"),
        FieldType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
        FieldType::Enum(name) => name.clone(),
        FieldType::Array(inner) => format!("{}[]", spec_name(inner)),
        plain => crate::types::scalar(plain).map_or_else(String::new, |s| s.spec.to_string()),
    }
}
