//! SQL type names as PostgreSQL's `format_type()` prints them (`int4` → `integer`, `varchar(9)`
//! → `character varying(9)`), and defaults as `pg_get_expr()` prints the simple ones.

use super::names::ident;
use super::Replay;
use crate::naming::{quote_ident, quote_literal};
use sqlparser::ast::{
    ArrayElemTypeDef, CharacterLength, DataType, ExactNumberInfo, Expr, ObjectName, Spanned, TimezoneInfo, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token};

/// `serial` and friends: the integer type they stand for (they also add a sequence default).
pub(super) fn serial_type(ty: &DataType) -> Option<&'static str> {
    let DataType::Custom(name, modifiers) = ty else { return None };
    let [part] = name.0.as_slice() else { return None };
    let word = part.as_ident().filter(|id| id.quote_style.is_none() && modifiers.is_empty())?;
    match word.value.to_ascii_lowercase().as_str() {
        "smallserial" | "serial2" => Some("smallint"),
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        _ => None,
    }
}

/// `character varying(255)` → `character varying`: the type as a default's cast prints it.
fn without_modifiers(data_type: &str) -> String {
    let mut depth = 0usize;
    data_type
        .chars()
        .filter(|&c| {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => return depth == 0,
            }
            false
        })
        .collect()
}

impl Replay<'_> {
    /// The type as `format_type()` prints it.
    pub(super) fn pg_type(&self, ty: &DataType) -> Result<String, String> {
        let sized = |base: &str, n: Option<u64>| n.map_or(base.to_string(), |n| format!("{base}({n})"));
        let chars = |base: &str, len: &Option<CharacterLength>, default: Option<u64>| match len {
            Some(CharacterLength::IntegerLength { length, unit: None }) => Ok(sized(base, Some(*length))),
            None => Ok(sized(base, default)),
            Some(other) => Err(format!("length `{other}` is not a PostgreSQL length")),
        };
        let time = |base: &str, precision: &Option<u64>, tz: &TimezoneInfo| {
            let zone = match tz {
                TimezoneInfo::WithTimeZone | TimezoneInfo::Tz => "with time zone",
                TimezoneInfo::None | TimezoneInfo::WithoutTimeZone => "without time zone",
            };
            format!("{} {zone}", sized(base, *precision))
        };
        Ok(match ty {
            DataType::Boolean | DataType::Bool => "boolean".into(),
            DataType::SmallInt(None) | DataType::Int2(None) => "smallint".into(),
            DataType::Int(None) | DataType::Int4(None) | DataType::Integer(None) => "integer".into(),
            DataType::BigInt(None) | DataType::Int8(None) => "bigint".into(),
            DataType::Real | DataType::Float4 => "real".into(),
            DataType::Float(ExactNumberInfo::Precision(p)) if *p <= 24 => "real".into(),
            DataType::Float8
            | DataType::DoublePrecision
            | DataType::Double(ExactNumberInfo::None)
            | DataType::Float(ExactNumberInfo::None | ExactNumberInfo::Precision(_)) => "double precision".into(),
            DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info) => match info {
                ExactNumberInfo::None => "numeric".into(),
                ExactNumberInfo::Precision(p) => format!("numeric({p},0)"),
                ExactNumberInfo::PrecisionAndScale(p, s) => format!("numeric({p},{s})"),
            },
            DataType::Character(len) | DataType::Char(len) => chars("character", len, Some(1))?,
            DataType::CharacterVarying(len) | DataType::CharVarying(len) | DataType::Varchar(len) => {
                chars("character varying", len, None)?
            }
            DataType::Text => "text".into(),
            DataType::Uuid => "uuid".into(),
            DataType::Bytea => "bytea".into(),
            DataType::JSON => "json".into(),
            DataType::JSONB => "jsonb".into(),
            DataType::Date => "date".into(),
            DataType::Timestamp(precision, tz) => time("timestamp", precision, tz),
            DataType::Time(precision, tz) => time("time", precision, tz),
            DataType::Interval { fields: None, precision } => sized("interval", *precision),
            DataType::Bit(n) => sized("bit", Some(n.unwrap_or(1))),
            DataType::BitVarying(n) | DataType::VarBit(n) => sized("bit varying", *n),
            DataType::Regclass => "regclass".into(),
            DataType::TsVector => "tsvector".into(),
            DataType::TsQuery => "tsquery".into(),
            DataType::Array(ArrayElemTypeDef::SquareBracket(inner, _) | ArrayElemTypeDef::Qualified(inner, _)) => {
                // format_type() prints one `[]` whatever the number of dimensions.
                let element = self.pg_type(inner)?;
                if element.ends_with("[]") {
                    element
                } else {
                    format!("{element}[]")
                }
            }
            DataType::Custom(name, modifiers) if modifiers.is_empty() && serial_type(ty).is_none() => {
                self.type_name(name)?
            }
            // An extension's type with modifiers, `vector(3)`: format_type() prints them as given.
            DataType::Custom(name, modifiers) if serial_type(ty).is_none() => {
                let modifiers: Vec<String> = modifiers.iter().map(|m| m.to_string().trim().to_string()).collect();
                format!("{}({})", self.type_name(name)?, modifiers.join(","))
            }
            other => return Err(format!("type `{other}` is not a PostgreSQL type replay knows")),
        })
    }

    /// A named type (an enum, or an extension's): qualified only when written qualified with a
    /// schema other than ours, `public` or `pg_catalog`, as `introspect` spells it.
    fn type_name(&self, name: &ObjectName) -> Result<String, String> {
        let ours = &self.schema.name;
        let (schema, type_name) = self.resolve(name, |schema, t| {
            schema == ours && (self.schema.enums.contains_key(t) || self.schema.domains.contains_key(t))
        })?;
        let qualified = name.0.len() > 1 && &schema != ours && !["pg_catalog", "public"].contains(&schema.as_str());
        Ok(if qualified {
            format!("{}.{}", quote_ident(&schema), quote_ident(&type_name))
        } else {
            quote_ident(&type_name)
        })
    }

    /// The default as `pg_get_expr()` prints the simple ones (a string gets its column's type
    /// as a cast, NULL is no default); any other expression as it was written.
    pub(super) fn default_expr(&self, expr: &Expr, data_type: &str) -> Option<String> {
        match expr {
            Expr::Nested(inner) => self.default_expr(inner, data_type),
            Expr::Value(v) => match &v.value {
                Value::Null => None,
                Value::Boolean(b) => Some(b.to_string()),
                Value::SingleQuotedString(s) => Some(format!("{}::{}", quote_literal(s), without_modifiers(data_type))),
                _ => Some(self.as_written(expr)),
            },
            _ => Some(self.as_written(expr)),
        }
    }

    /// The expression's own text from the file: its span, or — where sqlparser's span falls
    /// short, as it does around a cast's type (`(0)::numeric`) — the nearest wider stretch that
    /// parses back to the same expression; else sqlparser's rendering (which upper-cases types).
    pub(super) fn as_written(&self, expr: &Expr) -> String {
        let span = expr.span();
        let same = |text: &str| {
            let Ok(mut parser) = Parser::new(&PostgreSqlDialect {}).try_with_sql(text) else { return false };
            parser.parse_expr().is_ok_and(|parsed| parsed == *expr) && parser.peek_token().token == Token::EOF
        };
        let (Some(start), Some(end)) = (self.offset(span.start), self.offset(span.end)) else {
            return expr.to_string();
        };
        let Some(text) = self.source.get(start..end).map(str::trim) else { return expr.to_string() };
        if same(text) {
            return text.to_string();
        }
        // sqlparser's span can also start late: inside the parentheses of a nested expression.
        let before = self.source.get(..start).unwrap_or_default();
        let opening = before.len() - before.trim_end_matches(|c: char| c == '(' || c.is_whitespace()).len();
        let starts =
            (0..=opening).filter(|back| *back == 0 || before.as_bytes()[start - back] == b'(').map(|back| start - back);
        let rest = self.source.get(end..).unwrap_or_default();
        let stops: Vec<usize> = rest
            .char_indices()
            .take_while(|(i, _)| *i < 256)
            .filter(|(_, c)| matches!(c, ')' | ',' | ';' | ' ' | '\n' | '\t' | '\r'))
            .map(|(i, _)| i)
            .chain(std::iter::once(rest.len().min(256)))
            .collect();
        for from in starts {
            for stop in &stops {
                if let Some(longer) = self.source.get(from..end + stop).map(str::trim) {
                    // Only where it differs from sqlparser's rendering in case alone (`::numeric`
                    // for `::NUMERIC`): other spacing is the writer's, not the catalog's.
                    if same(longer) {
                        let rendered = expr.to_string();
                        return if longer.eq_ignore_ascii_case(&rendered) { longer.to_string() } else { rendered };
                    }
                }
            }
        }
        expr.to_string()
    }

    /// Byte offset of a 1-based line and column (columns count characters; end is exclusive).
    fn offset(&self, at: Location) -> Option<usize> {
        let line = usize::try_from(at.line).ok()?.checked_sub(1)?;
        let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
        let line_start: usize = self.source.split_inclusive('\n').take(line).map(str::len).sum();
        let rest = self.source.get(line_start..)?;
        rest.char_indices().map(|(i, _)| i).chain([rest.len()]).nth(column).map(|i| line_start + i)
    }
}

/// The name of a column an expression is nothing but, else `None`.
pub(super) fn column_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(id) => Some(ident(id)),
        _ => None,
    }
}
