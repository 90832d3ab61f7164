//! Checks that a literal in the spec (a `default` or `db_default`) fits its field's type, and
//! renders database defaults as SQL.

use crate::diagnostics::did_you_mean;
use crate::ir::{EnumDef, FieldType};
use crate::naming::quote_literal;
use crate::spec::types::spec_name;
use serde_json::Value;

pub type LiteralError = (String, Option<String>);

pub fn check_literal(ty: &FieldType, value: &Value, enums: &[EnumDef]) -> Result<(), LiteralError> {
    // A domain's values are its base type's.
    let ty = ty.base();
    let mismatch = || -> LiteralError {
        (format!("default {} is not a valid {}", short(value), spec_name(ty)), Some(example(ty, enums)))
    };
    if value.is_null() {
        return Err((
            "a default cannot be null".into(),
            Some("remove the default; `nullable: true` already means NULL when no value is given".into()),
        ));
    }
    match ty {
        FieldType::Bool => value.as_bool().map(|_| ()).ok_or_else(mismatch),
        FieldType::SmallInt => int_in_range(value, i16::MIN.into(), i16::MAX.into()).ok_or_else(mismatch),
        FieldType::Int => int_in_range(value, i32::MIN.into(), i32::MAX.into()).ok_or_else(mismatch),
        FieldType::BigInt => value.as_i64().map(|_| ()).ok_or_else(mismatch),
        FieldType::Float | FieldType::Double => value.as_f64().map(|_| ()).ok_or_else(mismatch),
        FieldType::Decimal { precision, scale } => check_decimal(value, *precision, *scale).map_err(|why| {
            (
                format!("default {} is not a valid decimal({precision},{scale}): {why}", short(value)),
                Some(format!(
                    "write a quoted number with at most {} digits before and {scale} after the point, e.g. \"0.{}\"",
                    precision - scale,
                    "0".repeat(usize::from(*scale))
                )),
            )
        }),
        FieldType::String(n) | FieldType::Char(n) => match value.as_str() {
            Some(s) if s.chars().count() <= *n as usize => Ok(()),
            Some(s) => Err((
                format!("default is {} characters long, longer than {}", s.chars().count(), spec_name(ty)),
                Some("shorten the default or widen the column".into()),
            )),
            None => Err(mismatch()),
        },
        FieldType::Text | FieldType::Varchar | FieldType::Citext | FieldType::Bytes => {
            value.as_str().map(|_| ()).ok_or_else(mismatch)
        }
        FieldType::Numeric => match value {
            Value::Number(_) => Ok(()),
            Value::String(s) if is_numeric(s) => Ok(()),
            _ => Err(mismatch()),
        },
        // Checked by PostgreSQL when the migration runs: their text forms are theirs to parse.
        FieldType::Money
        | FieldType::Timetz(_)
        | FieldType::Interval(_)
        | FieldType::Xml
        | FieldType::Inet
        | FieldType::Cidr
        | FieldType::Macaddr
        | FieldType::Macaddr8
        | FieldType::Bit(_)
        | FieldType::Varbit(_)
        | FieldType::Tsvector
        | FieldType::Tsquery
        | FieldType::Int4Range
        | FieldType::Int8Range
        | FieldType::NumRange
        | FieldType::TsRange
        | FieldType::TstzRange
        | FieldType::DateRange
        | FieldType::Vector(_)
        | FieldType::Sql(_) => value.as_str().map(|_| ()).ok_or_else(mismatch),
        FieldType::Domain { base, .. } => check_literal(base, value, enums),
        FieldType::Uuid => value.as_str().filter(|s| is_uuid(s)).map(|_| ()).ok_or_else(mismatch),
        FieldType::Date => value.as_str().filter(|s| is_date(s)).map(|_| ()).ok_or_else(mismatch),
        FieldType::Timestamp(_) | FieldType::Timestamptz(_) => {
            value.as_str().filter(|s| is_timestamp(s)).map(|_| ()).ok_or_else(mismatch)
        }
        FieldType::Time(_) => value.as_str().filter(|s| is_time(s)).map(|_| ()).ok_or_else(mismatch),
        FieldType::Json | FieldType::Jsonb => Ok(()),
        FieldType::Enum(name) => {
            let def = enums.iter().find(|e| &e.name == name);
            let values: Vec<&str> = def.map(|d| d.values.iter().map(String::as_str).collect()).unwrap_or_default();
            match value.as_str() {
                Some(s) if values.contains(&s) => Ok(()),
                Some(s) => Err((
                    format!("'{s}' is not a value of enum {name}"),
                    did_you_mean(s, values.iter().copied()).or_else(|| Some(format!("values: {}", values.join(", ")))),
                )),
                None => Err(mismatch()),
            }
        }
        FieldType::Array(inner) => match value.as_array() {
            Some(items) => items.iter().try_for_each(|item| check_literal(inner, item, enums)),
            None => Err(mismatch()),
        },
    }
}

/// SQL text for a database DEFAULT holding this (already checked) literal, spelled the way
/// PostgreSQL prints it back, so a fresh database compares equal.
pub fn sql_literal(ty: &FieldType, value: &Value) -> String {
    // A domain's values are its base type's.
    let ty = ty.base();
    match (ty, value) {
        (FieldType::Json | FieldType::Jsonb, v) => quote_literal(&v.to_string()),
        (FieldType::Array(_), Value::Array(items)) => quote_literal(&array_text(items)),
        (FieldType::Timestamp(_) | FieldType::Timestamptz(_), Value::String(s)) => {
            let spaced = s.replacen('T', " ", 1);
            let with_seconds = if spaced.len() == 16 { format!("{spaced}:00") } else { spaced };
            quote_literal(&with_seconds)
        }
        (_, Value::Bool(b)) => b.to_string(),
        (_, Value::Number(n)) => n.to_string(),
        (FieldType::Decimal { .. }, Value::String(s)) => s.clone(),
        (FieldType::Numeric, Value::String(s)) if s.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => s.clone(),
        (_, Value::String(s)) => quote_literal(s),
        (_, v) => quote_literal(&v.to_string()),
    }
}

/// PostgreSQL's array text form, `{a,"b c"}`: the literal is cast to the column's array type.
fn array_text(items: &[Value]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|item| match item {
            Value::String(s) => {
                let bare = !s.is_empty()
                    && !s.eq_ignore_ascii_case("null")
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
                if bare {
                    s.clone()
                } else {
                    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
                }
            }
            other => other.to_string(),
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// `patterns::NUMERIC`: digits with an optional sign and fraction, NaN, or an infinity.
fn is_numeric(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    s == "NaN"
        || unsigned == "Infinity"
        || unsigned.split_once('.').map_or(digits(unsigned), |(whole, frac)| digits(whole) && digits(frac))
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

fn int_in_range(value: &Value, min: i64, max: i64) -> Option<()> {
    value.as_i64().filter(|v| (min..=max).contains(v)).map(|_| ())
}

fn check_decimal(value: &Value, precision: u16, scale: u16) -> Result<(), String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err("not a number".into()),
    };
    let digits = text.strip_prefix('-').unwrap_or(&text);
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
        return Err("not a number".into());
    }
    if frac_part.len() > usize::from(scale) {
        return Err(format!("{} digits after the point, at most {scale} allowed", frac_part.len()));
    }
    let significant = int_part.trim_start_matches('0').len();
    if significant > usize::from(precision - scale) {
        return Err(format!("{significant} digits before the point, at most {} allowed", precision - scale));
    }
    Ok(())
}

fn example(ty: &FieldType, enums: &[EnumDef]) -> String {
    // A domain's values are its base type's.
    let ty = ty.base();
    let sample = match ty {
        FieldType::Bool => "true or false".to_string(),
        FieldType::SmallInt | FieldType::Int | FieldType::BigInt => "a whole number, e.g. 0".into(),
        FieldType::Float | FieldType::Double => "a number, e.g. 1.5".into(),
        FieldType::Uuid => "a quoted UUID, e.g. \"00000000-0000-0000-0000-000000000000\"".into(),
        FieldType::Date => "a quoted ISO date, e.g. \"2026-01-31\"".into(),
        FieldType::Timestamp(_) | FieldType::Timestamptz(_) => "a quoted ISO timestamp, or `default_fn: now`".into(),
        FieldType::Time(_) => "a quoted time, e.g. \"12:30:00\"".into(),
        FieldType::Enum(name) => {
            let values = enums.iter().find(|e| &e.name == name).map(|e| e.values.join(", ")).unwrap_or_default();
            format!("one of: {values}")
        }
        FieldType::Array(_) => "a list, e.g. []".into(),
        _ => "a string".into(),
    };
    format!("the default must be {sample}")
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let number = |p: &str, len: usize, range: std::ops::RangeInclusive<u32>| {
        p.len() == len && p.chars().all(|c| c.is_ascii_digit()) && p.parse().is_ok_and(|n| range.contains(&n))
    };
    matches!(parts.as_slice(), [y, m, d] if number(y, 4, 1..=9999) && number(m, 2, 1..=12) && number(d, 2, 1..=31))
}

fn is_time(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    let limits = [23, 59, 59];
    (2..=3).contains(&parts.len())
        && parts.iter().zip(limits).all(|(p, max)| {
            p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| n <= max)
        })
}

/// `YYYY-MM-DD HH:MM[:SS]` (a `T` may separate date and time).
fn is_timestamp(s: &str) -> bool {
    match s.split_once([' ', 'T']) {
        Some((date, time)) => is_date(date) && is_time(time),
        None => false,
    }
}
