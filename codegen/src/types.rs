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
    /// `varchar(n)`.
    String(u32),
    /// `varchar` without a length.
    Varchar,
    /// `character(n)`, blank-padded.
    Char(u32),
    Text,
    /// The `citext` extension's case-insensitive text.
    Citext,
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
    /// `numeric` without precision: any number of digits.
    Numeric,
    Money,
    Date,
    /// The optional number is the fractional-second precision, as in `timestamp(3)`.
    Timestamp(Option<u8>),
    Timestamptz(Option<u8>),
    Time(Option<u8>),
    Timetz(Option<u8>),
    Interval(Option<u8>),
    Json,
    Jsonb,
    Bytes,
    Xml,
    Inet,
    Cidr,
    Macaddr,
    Macaddr8,
    /// `bit(n)`.
    Bit(u32),
    /// `bit varying(n)`, or without a length.
    Varbit(Option<u32>),
    Tsvector,
    Tsquery,
    Int4Range,
    Int8Range,
    NumRange,
    TsRange,
    TstzRange,
    DateRange,
    /// pgvector's `vector(n)`, or without dimensions.
    Vector(Option<u32>),
    /// Spec name of the enum (look up `Model::enums` for its database name).
    Enum(String),
    Array(Box<FieldType>),
    /// Any other type, by its `format_type()` spelling (`sql(point)`): stored and compared as
    /// written, read and written through its text form.
    Sql(String),
    /// A domain of the specs, by name, with its base type (which the API and Rust use).
    Domain {
        name: String,
        base: Box<FieldType>,
    },
}

impl FieldType {
    /// What values of it are: a domain's base type, else the type itself. Everything but the
    /// schema (the Rust type, the wire rule, literals, filters) reads values.
    pub fn base(&self) -> &FieldType {
        match self {
            Self::Domain { base, .. } => base.base(),
            other => other,
        }
    }

    pub fn is_integer(&self) -> bool {
        self.integer_bounds().is_some()
    }

    /// The least and greatest value of an integer type (an identity's sequence defaults to them).
    pub fn integer_bounds(&self) -> Option<(i64, i64)> {
        match self.base() {
            Self::SmallInt => Some((i16::MIN.into(), i16::MAX.into())),
            Self::Int => Some((i32::MIN.into(), i32::MAX.into())),
            Self::BigInt => Some((i64::MIN, i64::MAX)),
            _ => None,
        }
    }

    /// Character types: the API's text rules (length, pattern, like filters) apply.
    pub fn is_text(&self) -> bool {
        matches!(self.base(), Self::String(_) | Self::Varchar | Self::Char(_) | Self::Text | Self::Citext)
    }

    /// Values the database derives (a `tsvector` a trigger or generated column keeps): the API
    /// reads them and never takes them.
    pub fn is_derived(&self) -> bool {
        matches!(self.base(), Self::Tsvector)
    }

    pub fn is_timestamp(&self) -> bool {
        matches!(self.base(), Self::Timestamp(_) | Self::Timestamptz(_))
    }

    /// Whether a btree (keys, unique and plain indexes) can hold it: `json` has no equality.
    pub fn is_btree_orderable(&self) -> bool {
        match self.base() {
            Self::Array(inner) => inner.is_btree_orderable(),
            Self::Sql(_) => true,
            plain => scalar(plain).is_none_or(|s| s.btree),
        }
    }

    /// Whether values travel through their text form: read as `col::text`, written as
    /// `$n::type` (sqlx has no Rust type the API uses for them).
    pub fn text_io(&self) -> bool {
        match self.base() {
            Self::Array(inner) => inner.text_io(),
            Self::Sql(_) => true,
            plain => scalar(plain).is_some_and(|s| s.text_io),
        }
    }

    /// The extension that provides this type (`vector`, `citext`), if any.
    pub fn extension(&self) -> Option<&'static str> {
        match self.base() {
            Self::Array(inner) => inner.extension(),
            plain => scalar(plain).and_then(|s| s.extension),
        }
    }

    /// The arguments in parentheses, as written in both spellings: `255`, `10,2`, `3`.
    fn args(&self) -> Option<String> {
        match self {
            Self::String(n) | Self::Char(n) | Self::Bit(n) => Some(n.to_string()),
            Self::Varbit(Some(n)) | Self::Vector(Some(n)) => Some(n.to_string()),
            Self::Decimal { precision, scale } => Some(format!("{precision},{scale}")),
            Self::Timestamp(Some(p))
            | Self::Timestamptz(Some(p))
            | Self::Time(Some(p))
            | Self::Timetz(Some(p))
            | Self::Interval(Some(p)) => Some(p.to_string()),
            _ => None,
        }
    }

    /// As a spec writes it: `string(255)`, `timestamp(3)`, `int[]`, `sql(point)`; an enum by its
    /// spec name.
    pub fn spec_spelling(&self) -> String {
        match self {
            Self::Enum(name) | Self::Domain { name, .. } => name.clone(),
            Self::Array(inner) => format!("{}[]", inner.spec_spelling()),
            Self::Sql(spelling) => format!("sql({spelling})"),
            plain => {
                let word = scalar(plain).map_or("", |s| s.spec);
                plain.args().map_or_else(|| word.to_string(), |a| format!("{word}({a})"))
            }
        }
    }

    /// As `format_type()` prints it, `enum_name` giving an enum's quoted database name:
    /// `character varying(255)`, `timestamp(3) with time zone`, `numeric(10,2)`.
    pub fn catalog_spelling(&self, enum_name: &dyn Fn(&str) -> String) -> String {
        match self {
            Self::Enum(name) | Self::Domain { name, .. } => enum_name(name),
            Self::Array(inner) => format!("{}[]", inner.catalog_spelling(enum_name)),
            Self::Sql(spelling) => spelling.clone(),
            plain => {
                let word = scalar(plain).map_or("", |s| s.catalog);
                match (plain.args(), word.split_once(' ')) {
                    (None, _) => word.to_string(),
                    // PostgreSQL puts the precision after the first word: `time(3) with time zone`.
                    (Some(a), Some((head, rest))) if rest.ends_with("time zone") => format!("{head}({a}) {rest}"),
                    (Some(a), _) => format!("{word}({a})"),
                }
            }
        }
    }
}

/// What a type takes in parentheses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Args {
    None,
    /// A length (`varchar(n)`, `bit(n)`, `vector(n)`); `required` when the type has no bare form.
    Length {
        required: bool,
    },
    /// Fractional-second precision, 0 to 6.
    Precision,
    /// `(p)` or `(p,s)`.
    Decimal,
}

impl Args {
    fn fits(self, n: usize) -> bool {
        match self {
            Self::None => n == 0,
            Self::Length { required: true } => n == 1,
            Self::Length { required: false } | Self::Precision => n <= 1,
            Self::Decimal => (1..=2).contains(&n),
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
    /// A date or timestamp: a string of this format (`date`, `date-time`), or `infinity` or
    /// `-infinity`.
    Instant(&'static str),
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
    /// An array of 4-byte floats (pgvector's `vector`), as many as its dimensions.
    Vector,
}

#[derive(Debug)]
pub struct Scalar {
    /// The type, with any arguments at their defaults (entries are found by variant).
    pub ty: FieldType,
    /// As written in a spec: `timestamptz`.
    pub spec: &'static str,
    /// Other names a user may type for it: PostgreSQL's (`int4`, `varchar`, `boolean`).
    pub aliases: &'static [&'static str],
    /// As `format_type()` prints it, without arguments: `timestamp with time zone`.
    pub catalog: &'static str,
    pub args: Args,
    /// The Rust type sqlx decodes it into.
    pub rust: fn() -> TokenStream,
    /// Travels through its text form (see `FieldType::text_io`).
    pub text_io: bool,
    /// The `runtime::server::Wire` rule (a variant or constant) the server checks bodies with.
    pub wire: &'static str,
    pub json: Json,
    pub typescript: &'static str,
    /// One value in a list filter, as a regex; None: lists neither filter nor order on it.
    pub filter: Option<fn() -> String>,
    /// Whether a btree (keys, unique and plain indexes) can hold it.
    pub btree: bool,
    /// The extension that must be installed for it.
    pub extension: Option<&'static str>,
}

const fn int(lo: i64, hi: i64) -> (i64, i64) {
    (lo, hi)
}

/// A type the API carries as its PostgreSQL text form (`inet`, `interval`, ranges …).
const fn textual(
    ty: FieldType,
    spec: &'static str,
    aliases: &'static [&'static str],
    catalog: &'static str,
    args: Args,
    btree: bool,
    extension: Option<&'static str>,
) -> Scalar {
    Scalar {
        ty,
        spec,
        aliases,
        catalog,
        args,
        rust: || quote!(String),
        text_io: true,
        wire: "Text",
        json: Json::Pattern(patterns::TEXT),
        typescript: "string",
        filter: None,
        btree,
        extension,
    }
}

impl Scalar {
    /// A character type: sqlx decodes it as `String` directly, lists filter and order on it.
    const fn character(mut self) -> Self {
        self.text_io = false;
        self.filter = Some(|| patterns::TEXT.into());
        self
    }

    /// The same textual type under a stricter wire rule and pattern.
    const fn with_rule(mut self, wire: &'static str, pattern: &'static str) -> Self {
        self.wire = wire;
        self.json = Json::Pattern(pattern);
        self
    }
}

const NO_ARGS: Args = Args::None;
const LENGTH: Args = Args::Length { required: false };

pub static SCALARS: [Scalar; 40] = [
    Scalar {
        ty: FieldType::Uuid,
        spec: "uuid",
        aliases: &[],
        catalog: "uuid",
        args: NO_ARGS,
        rust: || quote!(::uuid::Uuid),
        text_io: false,
        wire: "Uuid",
        json: Json::String { format: Some("uuid") },
        typescript: "string",
        filter: Some(|| patterns::UUID.into()),
        btree: true,
        extension: None,
    },
    // Checked against the length by the server (`Wire::Varchar`), not by this entry's wire rule.
    textual(
        FieldType::String(0),
        "string",
        &["varchar", "character varying"],
        "character varying",
        Args::Length { required: true },
        true,
        None,
    )
    .character(),
    textual(FieldType::Varchar, "varchar", &["character varying"], "character varying", NO_ARGS, true, None)
        .character(),
    textual(FieldType::Char(1), "char", &["character", "bpchar"], "character", LENGTH, true, None).character(),
    textual(FieldType::Text, "text", &[], "text", NO_ARGS, true, None).character(),
    textual(FieldType::Citext, "citext", &[], "citext", NO_ARGS, true, Some("citext")),
    Scalar {
        ty: FieldType::Bool,
        spec: "bool",
        aliases: &["boolean"],
        catalog: "boolean",
        args: NO_ARGS,
        rust: || quote!(bool),
        text_io: false,
        wire: "Bool",
        json: Json::Boolean,
        typescript: "boolean",
        filter: Some(|| "true|false".into()),
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::SmallInt,
        spec: "smallint",
        aliases: &["int2"],
        catalog: "smallint",
        args: NO_ARGS,
        rust: || quote!(i16),
        text_io: false,
        wire: "SMALLINT",
        json: Json::Integer { int64: false, stated: Some(int(i16::MIN as i64, i16::MAX as i64)) },
        typescript: "number",
        filter: Some(|| patterns::integer(i16::MIN.into(), i16::MAX.into())),
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::Int,
        spec: "int",
        aliases: &["int4", "integer"],
        catalog: "integer",
        args: NO_ARGS,
        rust: || quote!(i32),
        text_io: false,
        wire: "INTEGER",
        json: Json::Integer { int64: false, stated: None },
        typescript: "number",
        filter: Some(|| patterns::integer(i32::MIN.into(), i32::MAX.into())),
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::BigInt,
        spec: "bigint",
        aliases: &["int8"],
        catalog: "bigint",
        args: NO_ARGS,
        rust: || quote!(i64),
        text_io: false,
        wire: "BIGINT",
        json: Json::Integer { int64: true, stated: None },
        typescript: "number",
        filter: Some(|| patterns::integer(i64::MIN, i64::MAX)),
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::Float,
        spec: "float",
        aliases: &["float4", "real"],
        catalog: "real",
        args: NO_ARGS,
        rust: || quote!(f32),
        text_io: false,
        wire: "Float",
        json: Json::Number { double: false },
        typescript: "number",
        filter: Some(|| patterns::NUMBER.into()),
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::Double,
        spec: "double",
        aliases: &["float8", "double precision"],
        catalog: "double precision",
        args: NO_ARGS,
        rust: || quote!(f64),
        text_io: false,
        wire: "Double",
        json: Json::Number { double: true },
        typescript: "number",
        filter: Some(|| patterns::NUMBER.into()),
        btree: true,
        extension: None,
    },
    // Decimals: their wire rule, pattern and filter carry the precision (see each reader).
    Scalar {
        ty: FieldType::Decimal { precision: 0, scale: 0 },
        spec: "decimal",
        aliases: &["numeric"],
        catalog: "numeric",
        args: Args::Decimal,
        rust: || quote!(::rust_decimal::Decimal),
        text_io: false,
        wire: "Decimal",
        json: Json::String { format: Some("decimal") },
        typescript: "string",
        filter: Some(|| patterns::decimal(1000, 0)),
        btree: true,
        extension: None,
    },
    // Any number of digits, NaN and infinities: exact only as text (rust_decimal holds 28 digits).
    textual(FieldType::Numeric, "numeric", &["decimal"], "numeric", NO_ARGS, true, None)
        .with_rule("Numeric", patterns::NUMERIC),
    textual(FieldType::Money, "money", &[], "money", NO_ARGS, true, None).with_rule("Text", patterns::MONEY),
    Scalar {
        ty: FieldType::Date,
        spec: "date",
        aliases: &[],
        catalog: "date",
        args: NO_ARGS,
        rust: || quote!(::runtime::time::Extended<::chrono::NaiveDate>),
        text_io: false,
        wire: "Date",
        json: Json::Instant("date"),
        typescript: "string",
        filter: Some(|| format!("{}|{}", patterns::date(), patterns::infinite())),
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::Timestamp(None),
        spec: "timestamp",
        aliases: &["timestamp without time zone"],
        catalog: "timestamp without time zone",
        args: Args::Precision,
        rust: || quote!(::runtime::time::Extended<::chrono::NaiveDateTime>),
        text_io: false,
        wire: "Timestamp",
        json: Json::Instant("date-time"),
        typescript: "string",
        // Naive UTC: an offset is optional (and converts).
        filter: Some(|| {
            format!("{}T{}{}?|{}", patterns::date(), patterns::TIME, patterns::OFFSET, patterns::infinite())
        }),
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::Timestamptz(None),
        spec: "timestamptz",
        aliases: &["timestamp with time zone"],
        catalog: "timestamp with time zone",
        args: Args::Precision,
        rust: || quote!(::runtime::time::Extended<::chrono::DateTime<::chrono::Utc>>),
        text_io: false,
        wire: "Timestamptz",
        json: Json::Instant("date-time"),
        typescript: "string",
        filter: Some(|| {
            format!("{}T{}{}|{}", patterns::date(), patterns::TIME, patterns::OFFSET, patterns::infinite())
        }),
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::Time(None),
        spec: "time",
        aliases: &["time without time zone"],
        catalog: "time without time zone",
        args: Args::Precision,
        rust: || quote!(::chrono::NaiveTime),
        text_io: false,
        wire: "Time",
        // JSON Schema's `time` format demands an offset; a `time` column holds none.
        json: Json::Pattern(patterns::TIME),
        typescript: "string",
        filter: Some(|| patterns::TIME.into()),
        btree: true,
        extension: None,
    },
    textual(
        FieldType::Timetz(None),
        "timetz",
        &["time with time zone"],
        "time with time zone",
        Args::Precision,
        true,
        None,
    ),
    textual(FieldType::Interval(None), "interval", &[], "interval", Args::Precision, true, None),
    Scalar {
        ty: FieldType::Json,
        spec: "json",
        aliases: &[],
        catalog: "json",
        args: NO_ARGS,
        rust: || quote!(::serde_json::Value),
        text_io: false,
        wire: "Json",
        json: Json::Any,
        typescript: "Json",
        filter: None,
        // json has no equality operator.
        btree: false,
        extension: None,
    },
    Scalar {
        ty: FieldType::Jsonb,
        spec: "jsonb",
        aliases: &[],
        catalog: "jsonb",
        args: NO_ARGS,
        rust: || quote!(::serde_json::Value),
        text_io: false,
        wire: "Json",
        json: Json::Any,
        typescript: "Json",
        filter: None,
        btree: true,
        extension: None,
    },
    Scalar {
        ty: FieldType::Bytes,
        spec: "bytes",
        aliases: &["bytea"],
        catalog: "bytea",
        args: NO_ARGS,
        rust: || quote!(Vec<u8>),
        text_io: false,
        wire: "Bytes",
        json: Json::String { format: Some("byte") },
        typescript: "string",
        filter: None,
        btree: true,
        extension: None,
    },
    // xml has no equality operator.
    textual(FieldType::Xml, "xml", &[], "xml", NO_ARGS, false, None),
    textual(FieldType::Inet, "inet", &[], "inet", NO_ARGS, true, None).with_rule("Text", patterns::INET),
    // A network: no bits set right of the mask (PostgreSQL refuses `10.0.0.1/8`; no pattern says so).
    textual(FieldType::Cidr, "cidr", &[], "cidr", NO_ARGS, true, None).with_rule("Text", patterns::INET),
    textual(FieldType::Macaddr, "macaddr", &[], "macaddr", NO_ARGS, true, None).with_rule("Text", patterns::MACADDR),
    textual(FieldType::Macaddr8, "macaddr8", &[], "macaddr8", NO_ARGS, true, None)
        .with_rule("Text", patterns::MACADDR8),
    textual(FieldType::Bit(1), "bit", &[], "bit", LENGTH, true, None),
    textual(FieldType::Varbit(None), "varbit", &["bit varying"], "bit varying", LENGTH, true, None),
    textual(FieldType::Tsvector, "tsvector", &[], "tsvector", NO_ARGS, true, None),
    textual(FieldType::Tsquery, "tsquery", &[], "tsquery", NO_ARGS, true, None),
    textual(FieldType::Int4Range, "int4range", &[], "int4range", NO_ARGS, true, None),
    textual(FieldType::Int8Range, "int8range", &[], "int8range", NO_ARGS, true, None),
    textual(FieldType::NumRange, "numrange", &[], "numrange", NO_ARGS, true, None),
    textual(FieldType::TsRange, "tsrange", &[], "tsrange", NO_ARGS, true, None),
    textual(FieldType::TstzRange, "tstzrange", &[], "tstzrange", NO_ARGS, true, None),
    textual(FieldType::DateRange, "daterange", &[], "daterange", NO_ARGS, true, None),
    // pgvector's own Rust type, bound in binary; `vector(n)` travels as n numbers.
    Scalar {
        ty: FieldType::Vector(None),
        spec: "vector",
        aliases: &[],
        catalog: "vector",
        args: LENGTH,
        rust: || quote!(::runtime::pgvector::Vector),
        text_io: false,
        wire: "Vector",
        json: Json::Vector,
        typescript: "number[]",
        filter: None,
        btree: true,
        extension: Some("vector"),
    },
];

/// The entry of a type (of its variant, whatever its arguments); None for enums, arrays and
/// `sql(…)`.
pub fn scalar(ty: &FieldType) -> Option<&'static Scalar> {
    SCALARS.iter().find(|s| std::mem::discriminant(&s.ty) == std::mem::discriminant(ty))
}

/// A type error: the message and an optional help line.
pub type TypeError = (String, Option<String>);

/// A built-in or extension type by any of its spellings — the spec's (`string(255)`,
/// `timestamptz(3)`) or PostgreSQL's (`character varying(255)`, `int4`,
/// `timestamp(6) with time zone`), case-insensitive. Ok(None): no such type name.
pub fn parse_builtin(text: &str) -> Result<Option<FieldType>, TypeError> {
    let lower = text.to_ascii_lowercase();
    let (name, args) = match lower.split_once('(') {
        Some((head, rest)) => match rest.split_once(')') {
            Some((args, tail)) => (format!("{} {}", head.trim(), tail.trim()), Some(args.to_string())),
            None => return Err((format!("unclosed '(' in type '{text}'"), Some("write e.g. string(255)".into()))),
        },
        None => (lower.clone(), None),
    };
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let numbers: Vec<u32> = match &args {
        None => Vec::new(),
        Some(a) => match a.split(',').map(|n| n.trim().parse::<u32>()).collect::<Result<_, _>>() {
            Ok(ns) => ns,
            Err(_) => {
                return Err((
                    format!("bad arguments '({a})' in type '{text}'"),
                    Some("arguments are whole numbers".into()),
                ))
            }
        },
    };
    let named: Vec<&Scalar> =
        SCALARS.iter().filter(|s| s.spec == name || s.catalog == name || s.aliases.contains(&name.as_str())).collect();
    let Some(first) = named.first() else { return Ok(None) };
    let entry = named.iter().find(|s| s.args.fits(numbers.len())).unwrap_or(first);
    build(entry, &numbers).map(Some)
}

/// The type of an entry with these arguments, or why they do not fit.
fn build(s: &Scalar, args: &[u32]) -> Result<FieldType, TypeError> {
    let word = s.spec;
    let range = |n: u32, lo: u32, hi: u32, what: &str| -> Result<u32, TypeError> {
        if (lo..=hi).contains(&n) {
            Ok(n)
        } else {
            Err((format!("bad {word} {what} {n}"), Some(format!("the {what} is a whole number from {lo} to {hi}"))))
        }
    };
    let precision = |p: u32| range(p, 0, 6, "precision").map(|p| p as u8);
    const MAX_CHARS: u32 = 10_485_760;
    Ok(match (&s.ty, args) {
        (FieldType::String(_), []) => {
            return Err((
                "string needs a maximum length".into(),
                Some("write string(255), or use varchar or text".into()),
            ));
        }
        (FieldType::String(_), [n]) => FieldType::String(range(*n, 1, MAX_CHARS, "length")?),
        (FieldType::Char(_), []) => FieldType::Char(1),
        (FieldType::Char(_), [n]) => FieldType::Char(range(*n, 1, MAX_CHARS, "length")?),
        (FieldType::Bit(_), []) => FieldType::Bit(1),
        (FieldType::Bit(_), [n]) => FieldType::Bit(range(*n, 1, 83_886_080, "length")?),
        (FieldType::Varbit(_), [n]) => FieldType::Varbit(Some(range(*n, 1, 83_886_080, "length")?)),
        (FieldType::Vector(_), [n]) => FieldType::Vector(Some(range(*n, 1, 16_000, "dimension count")?)),
        (FieldType::Decimal { .. }, [p] | [p, _]) => {
            let help = "write decimal(p,s) with 1 <= p <= 1000 and 0 <= s <= p, e.g. decimal(10,2)";
            let scale = args.get(1).copied().unwrap_or(0);
            if !(1..=1000).contains(p) {
                return Err((format!("bad decimal({}): precision {p} is out of range", join(args)), Some(help.into())));
            }
            if scale > *p {
                return Err((
                    format!("bad decimal({}): scale {scale} is larger than precision {p}", join(args)),
                    Some(help.into()),
                ));
            }
            FieldType::Decimal { precision: *p as u16, scale: scale as u16 }
        }
        (FieldType::Timestamp(_), [p]) => FieldType::Timestamp(Some(precision(*p)?)),
        (FieldType::Timestamptz(_), [p]) => FieldType::Timestamptz(Some(precision(*p)?)),
        (FieldType::Time(_), [p]) => FieldType::Time(Some(precision(*p)?)),
        (FieldType::Timetz(_), [p]) => FieldType::Timetz(Some(precision(*p)?)),
        (FieldType::Interval(_), [p]) => FieldType::Interval(Some(precision(*p)?)),
        (ty, []) if s.args != Args::Decimal => ty.clone(),
        (FieldType::Decimal { .. }, _) => {
            return Err((
                format!("bad decimal({}): expected a precision and a scale", join(args)),
                Some("write decimal(p,s), e.g. decimal(10,2), or numeric for any number of digits".into()),
            ));
        }
        _ => return Err((format!("type '{word}' takes {}", takes(s.args)), Some(format!("write '{word}'")))),
    })
}

fn join(args: &[u32]) -> String {
    args.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

fn takes(args: Args) -> &'static str {
    match args {
        Args::None => "no arguments",
        Args::Length { .. } => "one length",
        Args::Precision => "one precision",
        Args::Decimal => "a precision and a scale",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> FieldType {
        parse_builtin(text).unwrap_or_else(|e| panic!("{text}: {e:?}")).unwrap_or_else(|| panic!("{text}: unknown"))
    }

    fn catalog(ty: &FieldType) -> String {
        ty.catalog_spelling(&|e| e.to_string())
    }

    #[test]
    fn every_spelling_names_one_type() {
        for s in &SCALARS {
            assert_eq!(scalar(&s.ty).map(|x| x.spec), Some(s.spec));
            assert!(!(s.rust)().is_empty(), "{}", s.spec);
            if s.args == Args::None {
                assert_eq!(parse(s.spec), s.ty, "{}", s.spec);
                assert_eq!(parse(s.catalog), s.ty, "{}", s.catalog);
            }
        }
    }

    #[test]
    fn spec_and_catalog_spellings_parse_back() {
        for text in [
            "string(255)",
            "varchar",
            "char(2)",
            "decimal(10,2)",
            "numeric",
            "timestamp(3)",
            "timestamptz(6)",
            "time(0)",
            "timetz(2)",
            "interval(3)",
            "bit(8)",
            "varbit",
            "varbit(4)",
            "vector(3)",
            "inet",
            "int4range",
        ] {
            let ty = parse(text);
            assert_eq!(ty.spec_spelling(), text);
            assert_eq!(parse(&catalog(&ty)), ty, "{}", catalog(&ty));
        }
    }

    #[test]
    fn postgres_spellings_are_accepted() {
        assert_eq!(parse("varchar(255)"), FieldType::String(255));
        assert_eq!(parse("VARCHAR"), FieldType::Varchar);
        assert_eq!(parse("int4"), FieldType::Int);
        assert_eq!(parse("numeric(12)"), FieldType::Decimal { precision: 12, scale: 0 });
        assert_eq!(parse("timestamp(6) with time zone"), FieldType::Timestamptz(Some(6)));
        assert_eq!(catalog(&FieldType::Timestamptz(Some(6))), "timestamp(6) with time zone");
        assert_eq!(catalog(&FieldType::Char(20)), "character(20)");
        assert_eq!(parse("character"), FieldType::Char(1));
        assert_eq!(parse("bit varying(5)"), FieldType::Varbit(Some(5)));
        assert_eq!(parse_builtin("point"), Ok(None));
        assert!(parse_builtin("string").is_err());
        assert!(parse_builtin("timestamp(7)").is_err());
        assert!(parse_builtin("int(4)").is_err());
    }

    #[test]
    fn filter_grammars_are_valid_regexes() {
        for s in SCALARS.iter().filter_map(|s| s.filter.map(|f| (s.spec, f()))) {
            assert!(regex::Regex::new(&format!("^(?:{})$", s.1)).is_ok(), "{}", s.0);
        }
    }
}
