//! The type table: each plain spec type's spellings and rules, declared once — the spec word,
//! PostgreSQL's `format_type()` spelling (lowering, import, drift), the Rust type sqlx decodes it
//! into, the server's wire rule, its JSON shape in the OpenAPI document, its TypeScript type, the
//! grammar of its values in list filters, and whether a btree holds it. Adding a type is adding
//! an entry here (and its tests). Types with arguments (`string(n)`, `decimal(p,s)`), enums and
//! arrays are built from these by each reader, because their spellings carry the arguments.

use crate::openapi::patterns;
use proc_macro2::TokenStream;
use quote::quote;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldType {
    Uuid,
    String(u32),
    Text,
    Bool,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    Decimal {
        precision: u16,
        scale: u16,
    },
    Date,
    Timestamp,
    Timestamptz,
    Time,
    Json,
    Jsonb,
    Bytes,
    /// Spec name of the enum (look up `Model::enums` for its database name).
    Enum(String),
    Array(Box<FieldType>),
}

impl FieldType {
    pub fn is_integer(&self) -> bool {
        matches!(self, Self::SmallInt | Self::Int | Self::BigInt)
    }

    /// Whether a btree (keys, unique and plain indexes) can hold it: `json` has no equality.
    pub fn is_btree_orderable(&self) -> bool {
        match self {
            Self::Array(inner) => inner.is_btree_orderable(),
            plain => scalar(plain).is_none_or(|s| s.btree),
        }
    }
}

/// How a value travels in JSON, as the OpenAPI document states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Json {
    /// A string with this OpenAPI format (`uuid`, `date`, `date-time`, `byte`), if any.
    String {
        format: Option<&'static str>,
    },
    /// A string matching this pattern (anchored when stated).
    Pattern(&'static str),
    /// An integer; `stated` is the range the document spells out (int32 and int64 say theirs).
    Integer {
        int64: bool,
        stated: Option<(i64, i64)>,
    },
    Number {
        double: bool,
    },
    Boolean,
    /// Any JSON value (the document's `JsonValue`).
    Any,
}

#[derive(Debug)]
pub struct Scalar {
    pub ty: FieldType,
    /// As written in a spec: `timestamptz`.
    pub spec: &'static str,
    /// As `format_type()` prints it: `timestamp with time zone`.
    pub catalog: &'static str,
    /// The Rust type sqlx decodes it into.
    pub rust: fn() -> TokenStream,
    /// The `runtime::server::Wire` rule (a variant or constant) the server checks bodies with.
    pub wire: &'static str,
    pub json: Json,
    pub typescript: &'static str,
    /// One value in a list filter, as a regex; None: lists neither filter nor order on it.
    pub filter: Option<fn() -> String>,
    /// Whether a btree (keys, unique and plain indexes) can hold it.
    pub btree: bool,
}

const fn int(lo: i64, hi: i64) -> (i64, i64) {
    (lo, hi)
}

pub static SCALARS: [Scalar; 15] = [
    Scalar {
        ty: FieldType::Uuid,
        spec: "uuid",
        catalog: "uuid",
        rust: || quote!(::uuid::Uuid),
        wire: "Uuid",
        json: Json::String { format: Some("uuid") },
        typescript: "string",
        filter: Some(|| patterns::UUID.into()),
        btree: true,
    },
    Scalar {
        ty: FieldType::Text,
        spec: "text",
        catalog: "text",
        rust: || quote!(String),
        wire: "Text",
        json: Json::Pattern(patterns::TEXT),
        typescript: "string",
        filter: Some(|| patterns::TEXT.into()),
        btree: true,
    },
    Scalar {
        ty: FieldType::Bool,
        spec: "bool",
        catalog: "boolean",
        rust: || quote!(bool),
        wire: "Bool",
        json: Json::Boolean,
        typescript: "boolean",
        filter: Some(|| "true|false".into()),
        btree: true,
    },
    Scalar {
        ty: FieldType::SmallInt,
        spec: "smallint",
        catalog: "smallint",
        rust: || quote!(i16),
        wire: "SMALLINT",
        json: Json::Integer { int64: false, stated: Some(int(i16::MIN as i64, i16::MAX as i64)) },
        typescript: "number",
        filter: Some(|| patterns::integer(i16::MIN.into(), i16::MAX.into())),
        btree: true,
    },
    Scalar {
        ty: FieldType::Int,
        spec: "int",
        catalog: "integer",
        rust: || quote!(i32),
        wire: "INTEGER",
        json: Json::Integer { int64: false, stated: None },
        typescript: "number",
        filter: Some(|| patterns::integer(i32::MIN.into(), i32::MAX.into())),
        btree: true,
    },
    Scalar {
        ty: FieldType::BigInt,
        spec: "bigint",
        catalog: "bigint",
        rust: || quote!(i64),
        wire: "BIGINT",
        json: Json::Integer { int64: true, stated: None },
        typescript: "number",
        filter: Some(|| patterns::integer(i64::MIN, i64::MAX)),
        btree: true,
    },
    Scalar {
        ty: FieldType::Float,
        spec: "float",
        catalog: "real",
        rust: || quote!(f32),
        wire: "Float",
        json: Json::Number { double: false },
        typescript: "number",
        filter: Some(|| patterns::NUMBER.into()),
        btree: true,
    },
    Scalar {
        ty: FieldType::Double,
        spec: "double",
        catalog: "double precision",
        rust: || quote!(f64),
        wire: "Double",
        json: Json::Number { double: true },
        typescript: "number",
        filter: Some(|| patterns::NUMBER.into()),
        btree: true,
    },
    Scalar {
        ty: FieldType::Date,
        spec: "date",
        catalog: "date",
        rust: || quote!(::chrono::NaiveDate),
        wire: "Date",
        json: Json::String { format: Some("date") },
        typescript: "string",
        filter: Some(patterns::date),
        btree: true,
    },
    Scalar {
        ty: FieldType::Timestamp,
        spec: "timestamp",
        catalog: "timestamp without time zone",
        rust: || quote!(::chrono::NaiveDateTime),
        wire: "Timestamp",
        json: Json::String { format: Some("date-time") },
        typescript: "string",
        // Naive UTC: an offset is optional (and converts).
        filter: Some(|| format!("{}T{}{}?", patterns::date(), patterns::TIME, patterns::OFFSET)),
        btree: true,
    },
    Scalar {
        ty: FieldType::Timestamptz,
        spec: "timestamptz",
        catalog: "timestamp with time zone",
        rust: || quote!(::chrono::DateTime<::chrono::Utc>),
        wire: "Timestamptz",
        json: Json::String { format: Some("date-time") },
        typescript: "string",
        filter: Some(|| format!("{}T{}{}", patterns::date(), patterns::TIME, patterns::OFFSET)),
        btree: true,
    },
    Scalar {
        ty: FieldType::Time,
        spec: "time",
        catalog: "time without time zone",
        rust: || quote!(::chrono::NaiveTime),
        wire: "Time",
        // JSON Schema's `time` format demands an offset; a `time` column holds none.
        json: Json::Pattern(patterns::TIME),
        typescript: "string",
        filter: Some(|| patterns::TIME.into()),
        btree: true,
    },
    Scalar {
        ty: FieldType::Json,
        spec: "json",
        catalog: "json",
        rust: || quote!(::serde_json::Value),
        wire: "Json",
        json: Json::Any,
        typescript: "Json",
        filter: None,
        // json has no equality operator.
        btree: false,
    },
    Scalar {
        ty: FieldType::Jsonb,
        spec: "jsonb",
        catalog: "jsonb",
        rust: || quote!(::serde_json::Value),
        wire: "Json",
        json: Json::Any,
        typescript: "Json",
        filter: None,
        btree: true,
    },
    Scalar {
        ty: FieldType::Bytes,
        spec: "bytes",
        catalog: "bytea",
        rust: || quote!(Vec<u8>),
        wire: "Bytes",
        json: Json::String { format: Some("byte") },
        typescript: "string",
        filter: None,
        btree: true,
    },
];

/// The entry of a plain type; None for `string(n)`, `decimal(p,s)`, enums and arrays.
pub fn scalar(ty: &FieldType) -> Option<&'static Scalar> {
    SCALARS.iter().find(|s| s.ty == *ty)
}

/// The plain type a spec word names.
pub fn by_spec(word: &str) -> Option<&'static Scalar> {
    SCALARS.iter().find(|s| s.spec == word)
}

/// The plain type of a `format_type()` spelling.
pub fn by_catalog(spelling: &str) -> Option<&'static Scalar> {
    SCALARS.iter().find(|s| s.catalog == spelling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_names_one_type() {
        for s in &SCALARS {
            assert_eq!(by_spec(s.spec).map(|x| &x.ty), Some(&s.ty), "{}", s.spec);
            assert_eq!(by_catalog(s.catalog).map(|x| &x.ty), Some(&s.ty), "{}", s.catalog);
            assert_eq!(scalar(&s.ty).map(|x| x.spec), Some(s.spec));
            assert!(!(s.rust)().is_empty(), "{}", s.spec);
        }
    }

    #[test]
    fn filter_grammars_are_valid_regexes() {
        for s in SCALARS.iter().filter_map(|s| s.filter.map(|f| (s.spec, f()))) {
            assert!(regex::Regex::new(&format!("^(?:{})$", s.1)).is_ok(), "{}", s.0);
        }
    }
}
