//! Parsing of field type names: `string(255)`, `decimal(10,2)`, `int[]`, enum names.

use crate::diagnostics::did_you_mean;
use crate::ir::FieldType;

pub const SCALAR_TYPES: [&str; 17] = [
    "uuid",
    "string",
    "text",
    "bool",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "decimal",
    "date",
    "timestamp",
    "timestamptz",
    "time",
    "json",
    "jsonb",
    "bytes",
];

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
    let simple = match head {
        "uuid" => Some(FieldType::Uuid),
        "text" => Some(FieldType::Text),
        "bool" => Some(FieldType::Bool),
        "smallint" => Some(FieldType::SmallInt),
        "int" => Some(FieldType::Int),
        "bigint" => Some(FieldType::BigInt),
        "float" => Some(FieldType::Float),
        "double" => Some(FieldType::Double),
        "date" => Some(FieldType::Date),
        "timestamp" => Some(FieldType::Timestamp),
        "timestamptz" => Some(FieldType::Timestamptz),
        "time" => Some(FieldType::Time),
        "json" => Some(FieldType::Json),
        "jsonb" => Some(FieldType::Jsonb),
        "bytes" => Some(FieldType::Bytes),
        _ => None,
    };
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
            let candidates: Vec<&str> = SCALAR_TYPES.iter().copied().chain(enum_names.iter().copied()).collect();
            let closest = candidates
                .iter()
                .copied()
                .filter(|c| did_you_mean(head, [*c]).is_some())
                .min_by_key(|c| strsim::damerau_levenshtein(head, c));
            let help = closest.map(|c| {
                let spelled = match (c, args) {
                    ("string" | "decimal", Some(a)) => format!("{c}({a})"),
                    ("string", None) => "string(n)".into(),
                    ("decimal", None) => "decimal(p,s)".into(),
                    _ => c.to_string(),
                };
                format!("did you mean '{spelled}'?")
            }).or_else(|| {
                Some("known types: uuid, string(n), text, bool, smallint, int, bigint, float, double, decimal(p,s), date, timestamp, timestamptz, time, json, jsonb, bytes, an enum name, or T[]".into())
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
        FieldType::Uuid => "uuid".into(),
        FieldType::String(n) => format!("string({n})"),
        FieldType::Text => "text".into(),
        FieldType::Bool => "bool".into(),
        FieldType::SmallInt => "smallint".into(),
        FieldType::Int => "int".into(),
        FieldType::BigInt => "bigint".into(),
        FieldType::Float => "float".into(),
        FieldType::Double => "double".into(),
        FieldType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
        FieldType::Date => "date".into(),
        FieldType::Timestamp => "timestamp".into(),
        FieldType::Timestamptz => "timestamptz".into(),
        FieldType::Time => "time".into(),
        FieldType::Json => "json".into(),
        FieldType::Jsonb => "jsonb".into(),
        FieldType::Bytes => "bytes".into(),
        FieldType::Enum(name) => name.clone(),
        FieldType::Array(inner) => format!("{}[]", spec_name(inner)),
    }
}
