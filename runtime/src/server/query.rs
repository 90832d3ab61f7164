//! A list's query string: `limit`, `offset`, `order=field.desc,other` (or nearest first by a
//! vector distance, `order=embedding.cosine.[0.1,0.2]`) and PostgREST-style
//! filters (`status=eq.ACTIVE`, `price=lt.50`, `id=in.(a,b)`, `name=ilike.*x*`, `deleted_at=is.null`)
//! on declared fields only. Anything else is a 400 that says what was wrong.

use super::problem::Problem;
use crate::repo::Cmp;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wire::{Metric, Operator, MAX_CONDITIONS, MAX_CONDITION_CHARS, MAX_LIMIT};

/// A list request, parsed but not yet typed: filter values are still text.
#[derive(Debug, Default, PartialEq)]
pub struct RawList {
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// `(field, descending)`.
    pub order: Vec<(String, bool)>,
    /// `(field, condition as written)`, all of which must hold.
    pub filters: Vec<(String, String)>,
    /// `order` as written, when given.
    pub order_text: Option<String>,
    /// `order=field.metric.[…]`: nearest first by this distance to this vector (its JSON text).
    pub nearest: Option<(String, Metric, String)>,
}

/// Splits a query string into paging, order and filters (field names are checked later).
pub fn parse_list(query: &str) -> Result<RawList, Problem> {
    let mut out = RawList::default();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "limit" => {
                let limit = non_negative("limit", &value)?;
                if limit > MAX_LIMIT {
                    return Err(Problem::bad_request(format!("limit: at most {MAX_LIMIT}, found {limit}")));
                }
                out.limit = Some(limit);
            }
            "offset" => out.offset = Some(non_negative("offset", &value)?),
            "order" => {
                out.order_text = Some(value.to_string());
                if let Some((field, metric, vector)) = Metric::split_order(&value) {
                    out.nearest = Some((field.to_string(), metric, vector.to_string()));
                    continue;
                }
                for item in value.split(',') {
                    if item.is_empty() {
                        return Err(Problem::bad_request(
                            "order: an empty field name; use field, field.asc or field.desc",
                        ));
                    }
                    let (field, descending) = match item.rsplit_once('.') {
                        Some((field, "desc")) => (field, true),
                        Some((field, "asc")) => (field, false),
                        Some((_, other)) => {
                            return Err(Problem::bad_request(format!(
                                "order: unknown direction '{other}' in '{item}'; use field, field.asc or field.desc"
                            )))
                        }
                        None => (item, false),
                    };
                    out.order.push((field.to_string(), descending));
                }
            }
            field => {
                if value.chars().count() > MAX_CONDITION_CHARS {
                    return Err(Problem::bad_request(format!(
                        "{field}: a condition holds at most {MAX_CONDITION_CHARS} characters"
                    )));
                }
                if out.filters.iter().filter(|(name, _)| name == field).count() == MAX_CONDITIONS {
                    return Err(Problem::bad_request(format!(
                        "{field}: at most {MAX_CONDITIONS} conditions per field"
                    )));
                }
                out.filters.push((field.to_string(), value.into_owned()));
            }
        }
    }
    Ok(out)
}

fn non_negative(name: &str, value: &str) -> Result<i64, Problem> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| Problem::bad_request(format!("{name}: expected a non-negative integer, found '{value}'")))
}

/// `op.value` → a condition with the value still as text.
pub fn parse_condition(field: &str, text: &str) -> Result<Cmp<String>, Problem> {
    if text.contains('\0') {
        return Err(Problem::bad_request(format!("{field}: NUL characters are not allowed")));
    }
    let null_only = || Problem::bad_request(format!("{field}: only is.null and not.is.null are supported"));
    let Some((op, value)) = Operator::split(text) else {
        if text == "not" || text.starts_with("not.") {
            return Err(null_only());
        }
        // No operator: a bare value, where the document admits one (keys, numbers, times), is equality.
        return Ok(Cmp::Eq(text.to_string()));
    };
    let value = value.to_string();
    Ok(match op {
        Operator::Eq => Cmp::Eq(value),
        Operator::Neq => Cmp::Neq(value),
        Operator::Lt => Cmp::Lt(value),
        Operator::Lte => Cmp::Lte(value),
        Operator::Gt => Cmp::Gt(value),
        Operator::Gte => Cmp::Gte(value),
        Operator::In => Cmp::In(parse_list_items(field, &value)?),
        Operator::Like => Cmp::Like(like_pattern(&value)),
        Operator::ILike => Cmp::ILike(like_pattern(&value)),
        Operator::Is if value == "null" => Cmp::IsNull,
        Operator::NotIs if value == "null" => Cmp::IsNotNull,
        Operator::Is | Operator::NotIs => return Err(null_only()),
    })
}

/// A filter's `*` wildcard as SQL's `%`; `\x` stays an escaped (literal) `x`, a literal `*` stays `*`.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push('%'),
            '\\' => match chars.next() {
                Some('*') => out.push('*'),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                // A trailing escape would be a PostgreSQL error; it stands for itself.
                None => out.push_str("\\\\"),
            },
            c => out.push(c),
        }
    }
    out
}

/// `(a,"b,c",d)` → `["a", "b,c", "d"]`, `()` → none: items holding `,"()\` are double-quoted,
/// where `\` escapes the next character; bare items hold none of them.
fn parse_list_items(field: &str, text: &str) -> Result<Vec<String>, Problem> {
    let bad = || Problem::bad_request(format!("{field}: expected in.(value,value,…), found in.{text}"));
    let inner = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')).ok_or_else(bad)?;
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        let mut item = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next().ok_or_else(bad)? {
                    '\\' => item.push(chars.next().ok_or_else(bad)?),
                    '"' => break,
                    c => item.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                match c {
                    ',' => break,
                    '"' | '(' | ')' | '\\' => return Err(bad()),
                    c => {
                        item.push(c);
                        chars.next();
                    }
                }
            }
        }
        items.push(item);
        match chars.next() {
            None => return Ok(items),
            Some(',') => {}
            Some(_) => return Err(bad()),
        }
    }
}

/// A value as text the way its JSON carries it (a string's content, a number's digits), which
/// [`parse_value`] reads back: a key part in an item path.
pub fn wire_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A filter or key value from its text, as type `T`: tried as a JSON string first (uuids,
/// decimals, dates, enums, text), then as a JSON literal (numbers, booleans), then as an RFC 3339
/// time converted to naive UTC (for `timestamp` columns).
pub fn parse_value<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let as_string = serde_json::from_value::<T>(Value::String(text.to_string()));
    let error = match as_string {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    if let Ok(v) = serde_json::from_str::<T>(text) {
        return Ok(v);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        let naive = t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string();
        if let Ok(v) = serde_json::from_value::<T>(Value::String(naive)) {
            return Ok(v);
        }
    }
    Err(error.to_string())
}

impl<T> Cmp<T> {
    /// The same condition on values of another type.
    pub fn try_map<U, E>(self, mut f: impl FnMut(T) -> Result<U, E>) -> Result<Cmp<U>, E> {
        Ok(match self {
            Cmp::Eq(v) => Cmp::Eq(f(v)?),
            Cmp::Neq(v) => Cmp::Neq(f(v)?),
            Cmp::Lt(v) => Cmp::Lt(f(v)?),
            Cmp::Lte(v) => Cmp::Lte(f(v)?),
            Cmp::Gt(v) => Cmp::Gt(f(v)?),
            Cmp::Gte(v) => Cmp::Gte(f(v)?),
            Cmp::In(vs) => Cmp::In(vs.into_iter().map(f).collect::<Result<_, _>>()?),
            Cmp::Like(p) => Cmp::Like(p),
            Cmp::ILike(p) => Cmp::ILike(p),
            Cmp::IsNull => Cmp::IsNull,
            Cmp::IsNotNull => Cmp::IsNotNull,
        })
    }
}

/// Types a filter's text: the generated `filter` functions call this for each field.
pub fn typed<T: DeserializeOwned>(cmp: Cmp<String>) -> Result<Cmp<T>, String> {
    cmp.try_map(|text| parse_value::<T>(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgrest_conditions() {
        let list = parse_list("limit=5&order=price.desc,name&status=eq.ACTIVE&price=lt.50&id=in.(a,%22b%2Cc%22)&n=ilike.*x*&d=is.null&e=not.is.null").unwrap();
        assert_eq!((list.limit, list.offset), (Some(5), None));
        assert_eq!(list.order, [("price".to_string(), true), ("name".to_string(), false)]);
        let conditions: Vec<Cmp<String>> =
            list.filters.into_iter().map(|(field, text)| parse_condition(&field, &text).unwrap()).collect();
        assert_eq!(
            conditions,
            [
                Cmp::Eq("ACTIVE".into()),
                Cmp::Lt("50".into()),
                Cmp::In(vec!["a".into(), "b,c".into()]),
                Cmp::ILike("%x%".into()),
                Cmp::IsNull,
                Cmp::IsNotNull,
            ]
        );
    }

    #[test]
    fn bad_queries_are_400s() {
        for query in ["limit=-1", "limit=x", "limit=1001", "order=a.sideways", "order=", "order=a,,b"] {
            assert_eq!(parse_list(query).unwrap_err().status, 400, "{query}");
        }
        assert_eq!(parse_condition("a", "2026-01-01T00:00:00.5Z").unwrap(), Cmp::Eq("2026-01-01T00:00:00.5Z".into()));
        for condition in ["in.(x", "is.true", "in.(\"x\"y)", "in.(a(b)"] {
            assert_eq!(parse_condition("a", condition).unwrap_err().status, 400, "{condition}");
        }
        assert_eq!(parse_condition("a", "in.()").unwrap(), Cmp::In(vec![]));
        assert_eq!(parse_condition("a", "in.(,\"\")").unwrap(), Cmp::In(vec![String::new(), String::new()]));
        assert_eq!(parse_condition("a", "like.a*\\*\\_\\").unwrap(), Cmp::Like("a%*\\_\\\\".into()));
    }

    #[test]
    fn values_by_type() {
        assert_eq!(parse_value::<i32>("42"), Ok(42));
        assert_eq!(parse_value::<String>("42"), Ok("42".to_string()));
        assert_eq!(parse_value::<bool>("true"), Ok(true));
        assert!(parse_value::<i32>("4x").is_err());
        let t: chrono::NaiveDateTime = parse_value("2026-01-01T12:00:00+01:00").unwrap();
        assert_eq!(t.to_string(), "2026-01-01 11:00:00");
    }
}
