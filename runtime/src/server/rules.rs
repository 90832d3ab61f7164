//! What the spec says of each field, as static data the generated code declares (`RULES`), and
//! the checks every request body goes through before it reaches a repository: unknown, read-only,
//! missing and null fields, wire types, lengths, ranges, patterns, enum values. All errors of a
//! body are reported at once, each naming its field.

use serde_json::{Map, Value};

/// How a field's value travels in JSON, with the limits its column type imposes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Wire {
    Uuid,
    /// A string of any length.
    Text,
    /// A string of at most this many characters (`varchar(n)`).
    Varchar(u32),
    Bool,
    /// An integer within the column type's range.
    Int {
        min: i64,
        max: i64,
    },
    Float,
    Double,
    /// A decimal number as a string, at most `precision` digits of which `scale` after the point.
    Decimal {
        precision: u16,
        scale: u16,
    },
    /// `numeric` without precision, as a string: any number of digits, `NaN`, `Infinity`.
    Numeric,
    Date,
    /// `timestamp` (naive UTC): RFC 3339 in, `…Z` out; an offset is converted to UTC.
    Timestamp,
    Timestamptz,
    Time,
    Json,
    /// Base64 text.
    Bytes,
    /// One of these strings.
    Enum(&'static [&'static str]),
    Array(&'static Wire),
    /// pgvector's `vector(n)`: finite 4-byte floats, exactly n of them when n is stated.
    Vector(Option<u32>),
}

/// The spec's `validate:` rules of a field.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Check {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The spec's pattern, or the one its `format` stands for (codegen decides which).
    pub pattern: Option<&'static str>,
}

impl Wire {
    pub const SMALLINT: Self = Self::Int { min: i16::MIN as i64, max: i16::MAX as i64 };
    pub const INTEGER: Self = Self::Int { min: i32::MIN as i64, max: i32::MAX as i64 };
    pub const BIGINT: Self = Self::Int { min: i64::MIN, max: i64::MAX };
}

impl Check {
    pub const NONE: Self = Self { min_length: None, max_length: None, min: None, max: None, pattern: None };
}

/// One field of an entity, as the API sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldRule {
    pub name: &'static str,
    pub wire: Wire,
    pub nullable: bool,
    /// A create may carry it.
    pub create: bool,
    /// A create must carry it.
    pub required: bool,
    /// A partial update may change it.
    pub patch: bool,
    /// The optimistic-lock version: read-only, but a partial update carries the version it read.
    pub version: bool,
    pub check: Check,
    /// Roles that see it in responses (the admin role always does); None: whoever reads the row.
    pub read_roles: Option<&'static [&'static str]>,
    /// Roles that may set it (the admin role always may); None: whoever writes the row.
    pub write_roles: Option<&'static [&'static str]>,
    /// A password: its argon2id hash is stored in this field (the body never names the hash).
    pub hashed_into: Option<&'static str>,
    /// Stored lower-cased (`normalize: lowercase`): its unique key and a login by it ignore case.
    pub lowercase: bool,
    /// Changing it on one's own row takes the current password (the password, the login name).
    pub confirmed: bool,
    /// Not a column: the caller's current password, checked against the hash in this column.
    pub verifies: Option<&'static str>,
}

// Builders, so each generated rule is one short line: `FieldRule::writable("email", Wire::Varchar(255)).required()`.
impl FieldRule {
    /// A field the server manages: never in a body.
    pub const fn read_only(name: &'static str, wire: Wire) -> Self {
        Self {
            name,
            wire,
            nullable: false,
            create: false,
            required: false,
            patch: false,
            version: false,
            check: Check::NONE,
            read_roles: None,
            write_roles: None,
            hashed_into: None,
            lowercase: false,
            confirmed: false,
            verifies: None,
        }
    }

    /// The current password an update of one's own credentials carries (`wire::CURRENT_PASSWORD_FIELD`),
    /// checked against the hash in `column`.
    pub const fn current_password(column: &'static str, check: Check) -> Self {
        Self {
            patch: true,
            check,
            verifies: Some(column),
            ..Self::read_only(::wire::CURRENT_PASSWORD_FIELD, Wire::Text)
        }
    }

    /// A field a create may carry and an update may change.
    pub const fn writable(name: &'static str, wire: Wire) -> Self {
        Self { create: true, patch: true, ..Self::read_only(name, wire) }
    }

    /// The optimistic-lock version, of any integer column: read-only, but an update carries the
    /// version it read.
    pub const fn version(name: &'static str, wire: Wire) -> Self {
        Self { version: true, ..Self::read_only(name, wire) }
    }

    pub const fn required(self) -> Self {
        Self { required: true, ..self }
    }

    pub const fn nullable(self) -> Self {
        Self { nullable: true, ..self }
    }

    /// Set on create, never changed after (a client-chosen key).
    pub const fn create_only(self) -> Self {
        Self { patch: false, ..self }
    }

    pub const fn check(self, check: Check) -> Self {
        Self { check, ..self }
    }

    /// Only these roles (and admin) see the field.
    pub const fn read_by(self, roles: &'static [&'static str]) -> Self {
        Self { read_roles: Some(roles), ..self }
    }

    /// Only these roles (and admin) may set the field.
    pub const fn written_by(self, roles: &'static [&'static str]) -> Self {
        Self { write_roles: Some(roles), ..self }
    }

    /// Changing it on one's own row takes the current password.
    pub const fn confirmed(self) -> Self {
        Self { confirmed: true, ..self }
    }

    /// Lower-cased before it is checked and stored.
    pub const fn lowercase(self) -> Self {
        Self { lowercase: true, ..self }
    }

    /// A password: the server stores its argon2id hash in `field`.
    pub const fn hashed_into(self, field: &'static str) -> Self {
        Self { hashed_into: Some(field), ..self }
    }
}

/// One field-level error of a 422.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Create,
    Patch,
}

/// A checked body: values normalized so that serde reads them as the column types
/// (timestamps in naive UTC, base64 decoded), and the version a partial update carried.
#[derive(Debug)]
pub struct CheckedBody {
    pub object: Map<String, Value>,
    pub version: Option<wire::Version>,
}

/// Checks a create or update body against the entity's rules; every error at once.
pub fn check_body(rules: &[FieldRule], body: Value, kind: BodyKind) -> Result<CheckedBody, Vec<FieldError>> {
    let Value::Object(mut object) = body else {
        return Err(vec![FieldError::new("", format!("expected a JSON object, found {}", describe(&body)))]);
    };
    let mut errors = Vec::new();
    let mut version = None;
    let keys: Vec<String> = object.keys().cloned().collect();
    for key in keys {
        let Some(rule) = rules.iter().find(|r| r.name == key) else {
            let known: Vec<&str> = rules.iter().filter(|r| accepts(r, kind)).map(|r| r.name).collect();
            errors.push(FieldError::new(&key, format!("unknown field; expected one of: {}", known.join(", "))));
            continue;
        };
        if rule.version && kind == BodyKind::Patch {
            let value = object.remove(&key).unwrap_or(Value::Null);
            // A version the column cannot hold names no row's version: refused, not a conflict.
            let fits = |v: &i64| match rule.wire {
                Wire::Int { min, max } => (min..=max).contains(v),
                _ => true,
            };
            match value.as_i64().filter(fits) {
                Some(v) => version = Some(v),
                None => errors.push(FieldError::new(&key, "expected the integer version last read")),
            }
            continue;
        }
        if !accepts(rule, kind) {
            let why = match kind {
                BodyKind::Patch if rule.create => "cannot be changed once created",
                _ if rule.verifies.is_some() => "is taken by an update of your own password or login only",
                _ => "is read-only: the server sets it",
            };
            errors.push(FieldError::new(&key, why));
            continue;
        }
        let value = object.get_mut(&key).expect("key listed above");
        // JSON null is a value of a json column (stored as JSON null when the column is NOT NULL).
        if value.is_null() {
            if !rule.nullable && rule.wire != Wire::Json {
                errors.push(FieldError::new(&key, "must not be null"));
            }
            continue;
        }
        if let (true, Value::String(text)) = (rule.lowercase, &mut *value) {
            *text = text.to_lowercase();
        }
        check_value(rule.name, &rule.wire, &rule.check, value, &mut errors);
    }
    if kind == BodyKind::Create {
        for rule in rules.iter().filter(|r| r.required && !object.contains_key(r.name)) {
            errors.push(FieldError::new(rule.name, "is required"));
        }
    }
    if errors.is_empty() {
        Ok(CheckedBody { object, version })
    } else {
        Err(errors)
    }
}

fn accepts(rule: &FieldRule, kind: BodyKind) -> bool {
    match kind {
        BodyKind::Create => rule.create,
        BodyKind::Patch => rule.patch,
    }
}

/// Checks (and normalizes in place) one non-null value.
fn check_value(path: &str, wire: &Wire, check: &Check, value: &mut Value, errors: &mut Vec<FieldError>) {
    let mut fail = |message: String| errors.push(FieldError::new(path, message));
    match wire {
        Wire::Array(inner) => {
            let Value::Array(items) = value else {
                return fail(format!("expected an array, found {}", describe(value)));
            };
            // NULL elements are values of any PostgreSQL array.
            for (i, item) in items.iter_mut().enumerate().filter(|(_, item)| !item.is_null()) {
                check_value(&format!("{path}[{i}]"), inner, check, item, errors);
            }
        }
        Wire::Vector(dimensions) => {
            let Value::Array(items) = value else {
                return fail(format!("expected an array of numbers, found {}", describe(value)));
            };
            match dimensions {
                Some(n) if items.len() != *n as usize => {
                    return fail(format!("expected {n} numbers (the vector's dimensions), found {}", items.len()))
                }
                None if items.is_empty() => return fail("a vector has at least one dimension".into()),
                _ => {}
            }
            for (i, item) in items.iter().enumerate() {
                if !item.as_f64().is_some_and(fits_float4) {
                    errors.push(FieldError::new(format!("{path}[{i}]"), "expected a number a 4-byte float holds"));
                }
            }
        }
        Wire::Json => {
            if contains_nul(value) {
                fail("strings in JSON values must not contain NUL (\\u0000) characters".into());
            }
        }
        Wire::Bool => {
            if !value.is_boolean() {
                fail(format!("expected true or false, found {}", describe(value)));
            }
        }
        Wire::Int { min, max } => match value.as_i64() {
            Some(n) if n < *min || n > *max => fail(format!("must be between {min} and {max}")),
            Some(n) => {
                if let Some(message) = range(check, n as f64) {
                    fail(message);
                }
            }
            None => fail(format!("expected an integer, found {}", describe(value))),
        },
        Wire::Float | Wire::Double => match value.as_f64() {
            Some(x) if matches!(wire, Wire::Float) && !fits_float4(x) => {
                fail("is out of range for a 4-byte float".into());
            }
            Some(x) => {
                if let Some(message) = range(check, x) {
                    fail(message);
                }
            }
            None => fail(format!("expected a number, found {}", describe(value))),
        },
        _ => {
            let Value::String(text) = value else {
                let expected = expected_string(wire);
                return fail(format!("expected {expected}, found {}", describe(value)));
            };
            if text.contains('\0') {
                return fail("must not contain NUL (\\u0000) characters".into());
            }
            match check_string(wire, check, text) {
                Ok(Some(normalized)) => *value = normalized,
                Ok(None) => {}
                Err(message) => fail(message),
            }
        }
    }
}

/// Checks a string-typed value; `Some(v)` replaces it with what serde must read instead.
fn check_string(wire: &Wire, check: &Check, text: &str) -> Result<Option<Value>, String> {
    let moment = matches!(wire, Wire::Date | Wire::Timestamp | Wire::Timestamptz);
    if moment && (text == ::wire::INFINITY || text == ::wire::NEG_INFINITY) {
        return Ok(None);
    }
    match wire {
        Wire::Uuid => uuid::Uuid::parse_str(text).map(|_| None).map_err(|_| "expected a UUID".to_string()),
        Wire::Text => check_text(None, check, text).map(|()| None),
        Wire::Varchar(n) => check_text(Some(*n), check, text).map(|()| None),
        Wire::Decimal { precision, scale } => {
            check_decimal(text, *precision, *scale)?;
            // The spec's `validate.min`/`max` bound a decimal too (compared as the nearest double).
            match text.parse::<f64>().ok().and_then(|x| range(check, x)) {
                Some(message) => Err(message),
                None => Ok(None),
            }
        }
        Wire::Numeric => {
            let finite = check_decimal(text, u16::MAX, u16::MAX / 2).is_ok();
            (finite || matches!(text, "NaN" | "Infinity" | "-Infinity"))
                .then_some(None)
                .ok_or_else(|| expected_string(wire).to_string())
        }
        // RFC 3339's full-date exactly (chrono alone would take `2026-1-5` or a five-digit year).
        Wire::Date => (shaped(text, "dddd-dd-dd") && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok())
            .then_some(None)
            .ok_or_else(|| format!("expected {}", expected_string(wire))),
        Wire::Timestamp => {
            parse_timestamp(text).map(|t| Some(Value::String(t.format("%Y-%m-%dT%H:%M:%S%.f").to_string())))
        }
        Wire::Timestamptz => parse_timestamp(text).map(|t| Some(Value::String(t.and_utc().to_rfc3339()))),
        // HH:MM:SS with up to nine fractional digits, as the document's pattern says.
        Wire::Time => {
            let (clock, fraction) = text.split_once('.').unwrap_or((text, "0"));
            let fraction_ok = (1..=9).contains(&fraction.len()) && fraction.bytes().all(|b| b.is_ascii_digit());
            (shaped(clock, "dd:dd:dd") && fraction_ok && chrono::NaiveTime::parse_from_str(text, "%H:%M:%S%.f").is_ok())
                .then_some(None)
                .ok_or_else(|| "expected a time (HH:MM:SS[.fraction])".to_string())
        }
        Wire::Bytes => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(|bytes| Some(Value::Array(bytes.into_iter().map(Value::from).collect())))
                .map_err(|_| "expected base64 text".to_string())
        }
        Wire::Enum(values) => {
            if values.contains(&text) {
                Ok(None)
            } else {
                Err(format!("expected one of: {}", values.join(", ")))
            }
        }
        Wire::Bool | Wire::Int { .. } | Wire::Float | Wire::Double | Wire::Json | Wire::Array(_) | Wire::Vector(_) => {
            Ok(None)
        }
    }
}

fn check_text(max_chars: Option<u32>, check: &Check, text: &str) -> Result<(), String> {
    let chars = text.chars().count() as u64;
    let max = match (max_chars.map(u64::from), check.max_length) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(max) = max.filter(|max| chars > *max) {
        return Err(format!("must be at most {max} characters long"));
    }
    if let Some(min) = check.min_length.filter(|min| chars < *min) {
        return Err(format!("must be at least {min} characters long"));
    }
    if let Some(pattern) = check.pattern {
        if !super::patterns::matches(pattern, text) {
            return Err(format!("must match the pattern {pattern}"));
        }
    }
    Ok(())
}

fn check_decimal(text: &str, precision: u16, scale: u16) -> Result<(), String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || (digits.contains('.') && fraction.is_empty())
    {
        return Err("expected a decimal number as a string, e.g. \"12.50\"".into());
    }
    let whole_digits = whole.trim_start_matches('0').len();
    let max_whole = usize::from(precision.saturating_sub(scale));
    if whole_digits > max_whole {
        return Err(format!("must have at most {max_whole} digits before the decimal point"));
    }
    if fraction.len() > usize::from(scale) {
        return Err(format!("must have at most {scale} digits after the decimal point"));
    }
    Ok(())
}

/// Whether `text` has the shape of `template`, where `d` stands for an ASCII digit.
fn shaped(text: &str, template: &str) -> bool {
    text.len() == template.len()
        && text.bytes().zip(template.bytes()).all(|(c, t)| if t == b'd' { c.is_ascii_digit() } else { c == t })
}

/// RFC 3339's date-time, offset included (converted to UTC), as the document's `date-time` says.
pub fn parse_timestamp(text: &str) -> Result<chrono::NaiveDateTime, String> {
    let shape = text.get(..10).is_some_and(|date| shaped(date, "dddd-dd-dd"))
        && matches!(text.as_bytes().get(10), Some(b'T' | b't'));
    shape.then(|| chrono::DateTime::parse_from_rfc3339(text).ok()).flatten().map(|t| t.naive_utc()).ok_or_else(|| {
        "expected a date-time with an offset (RFC 3339, e.g. 2026-01-31T12:00:00Z), infinity or -infinity".to_string()
    })
}

fn range(check: &Check, x: f64) -> Option<String> {
    match (check.min, check.max) {
        (Some(min), _) if x < min => Some(format!("must be at least {min}")),
        (_, Some(max)) if x > max => Some(format!("must be at most {max}")),
        _ => None,
    }
}

fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

/// Whether PostgreSQL's `real` takes the number: it rounds to a finite 4-byte float (the largest
/// is f32::MAX, and what rounds down to it: below f32::MAX plus half its ulp).
fn fits_float4(x: f64) -> bool {
    (x as f32).is_finite()
}

fn expected_string(wire: &Wire) -> &'static str {
    match wire {
        Wire::Uuid => "a UUID string",
        Wire::Decimal { .. } => "a decimal number as a string, e.g. \"12.50\"",
        Wire::Numeric => "a number as a string, e.g. \"12.50\", or NaN, Infinity, -Infinity",
        Wire::Date => "a date string (YYYY-MM-DD), infinity or -infinity",
        Wire::Timestamp | Wire::Timestamptz => "a date-time string (RFC 3339), infinity or -infinity",
        Wire::Time => "a time string (HH:MM:SS)",
        Wire::Bytes => "a base64 string",
        Wire::Enum(_) => "one of the enum's strings",
        _ => "a string",
    }
}

/// `a string`, `a number` …: what was sent, for messages.
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_takes_what_rounds_to_a_finite_float() {
        assert!(fits_float4(3.4028235e38), "rounds down to f32::MAX");
        assert!(fits_float4(-3.402_823_567_797_336e38));
        assert!(!fits_float4(3.402_823_567_797_336_6e38), "rounds to infinity");
        assert!(!fits_float4(1e39));
    }
    use serde_json::json;

    const RULES: &[FieldRule] = &[
        FieldRule::writable("email", Wire::Varchar(10))
            .required()
            .check(Check { pattern: Some("^[^@ ]+@[^@ ]+$"), ..Check::NONE }),
        FieldRule::writable("price", Wire::Decimal { precision: 5, scale: 2 }).nullable(),
        FieldRule::version("version", Wire::INTEGER),
        FieldRule::writable("at", Wire::Timestamp).nullable(),
    ];

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn every_error_of_a_body_at_once() {
        let body = json!({ "price": "1234.5", "version": 3, "colour": "red", "at": "yesterday" });
        let errors = check_body(RULES, body, BodyKind::Create).unwrap_err();
        assert_eq!(fields(errors), ["at", "colour", "price", "version", "email"]);
    }

    #[test]
    fn version_travels_apart_and_timestamps_become_naive_utc() {
        let body = json!({ "version": 4, "at": "2026-01-01T12:00:00+02:00", "price": null });
        let checked = check_body(RULES, body, BodyKind::Patch).unwrap();
        assert_eq!(checked.version, Some(4));
        assert_eq!(checked.object["at"], json!("2026-01-01T10:00:00"));
        assert!(!checked.object.contains_key("version"));
    }

    #[test]
    fn limits_of_the_column_type() {
        for (value, ok) in [("123.45", true), ("-999.99", true), ("1000", false), ("1.234", false), ("1.", false)] {
            let result = check_body(RULES, json!({ "email": "a@b.io", "price": value }), BodyKind::Create);
            assert_eq!(result.is_ok(), ok, "{value}");
        }
        let long = check_body(RULES, json!({ "email": "abcdef@ghij.io" }), BodyKind::Create).unwrap_err();
        assert_eq!(long[0].message, "must be at most 10 characters long");
        assert!(check_body(RULES, json!({ "email": "no-at-sign" }), BodyKind::Create).is_err());
        assert!(check_body(RULES, json!([1]), BodyKind::Create).is_err());
    }
}
