//! Column defaults as `db_default`: a plain literal where the spec renders it back to the same
//! fact (booleans, integers, strings, enum values), else the expression verbatim as `{ sql: … }`.

use crate::ir::FieldType;
use crate::schema::normalize::{default_expr, string_literal};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbDefault {
    Bool(bool),
    Int(i64),
    Str(String),
    Sql(String),
}

/// `expr` as `pg_get_expr()` renders it; `enum_values` are the values of the column's enum type.
pub fn db_default(expr: &str, ty: &FieldType, enum_values: &[String]) -> DbDefault {
    // A domain's values are its base type's.
    let ty = ty.base();
    let literal = match ty {
        FieldType::Bool => match expr.trim() {
            "true" => Some(DbDefault::Bool(true)),
            "false" => Some(DbDefault::Bool(false)),
            _ => None,
        },
        FieldType::SmallInt | FieldType::Int | FieldType::BigInt => {
            default_expr(expr).parse::<i64>().ok().map(DbDefault::Int)
        }
        text if text.is_text() => string_literal(expr).map(DbDefault::Str),
        FieldType::Enum(_) => string_literal(expr).filter(|v| enum_values.contains(v)).map(DbDefault::Str),
        _ => None,
    };
    literal.unwrap_or_else(|| DbDefault::Sql(expr.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::{db_default, DbDefault};
    use crate::ir::FieldType;

    #[test]
    fn literals_where_exact_sql_elsewhere() {
        assert_eq!(db_default("false", &FieldType::Bool, &[]), DbDefault::Bool(false));
        assert_eq!(db_default("0", &FieldType::Int, &[]), DbDefault::Int(0));
        assert_eq!(db_default("'-1'::integer", &FieldType::Int, &[]), DbDefault::Int(-1));
        assert_eq!(db_default("'EUR'::character varying", &FieldType::String(3), &[]), DbDefault::Str("EUR".into()));
        let values = ["PENDING".to_string()];
        let status = FieldType::Enum("Status".into());
        assert_eq!(db_default("'PENDING'::status", &status, &values), DbDefault::Str("PENDING".into()));
        assert_eq!(db_default("'0'::numeric", &FieldType::Decimal { precision: 5, scale: 2 }, &[]), {
            DbDefault::Sql("'0'::numeric".into())
        });
        assert_eq!(db_default("gen_random_uuid()", &FieldType::Uuid, &[]), DbDefault::Sql("gen_random_uuid()".into()));
        assert_eq!(
            db_default("nextval('t_id_seq'::regclass)", &FieldType::Int, &[]),
            DbDefault::Sql("nextval('t_id_seq'::regclass)".into())
        );
        assert_eq!(db_default("'[]'::json", &FieldType::Json, &[]), DbDefault::Sql("'[]'::json".into()));
    }
}
