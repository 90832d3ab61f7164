//! `format_type()` spellings back to spec types: the type table's parser read backwards, so
//! the inverse of `schema::lower::pg_type` is one fact.

use crate::ir::FieldType;
use std::collections::BTreeMap;

/// The spec type of a column type: a type of the table, an enum of the schema, an array of
/// either, or `sql(…)` holding the spelling as it is (never None: import keeps every column).
/// `enums` maps database enum names to spec enum names, `domains` database domain names to
/// their types.
pub fn field_type(
    data_type: &str,
    enums: &BTreeMap<String, String>,
    domains: &BTreeMap<String, FieldType>,
) -> FieldType {
    if let Some(inner) = data_type.strip_suffix("[]") {
        return match field_type(inner, enums, domains) {
            FieldType::Array(_) => FieldType::Sql(data_type.to_string()),
            element => FieldType::Array(Box::new(element)),
        };
    }
    if let Some(name) = unquote(data_type).and_then(|n| enums.get(&n)) {
        return FieldType::Enum(name.clone());
    }
    if let Some(domain) = unquote(data_type).and_then(|n| domains.get(&n)) {
        return domain.clone();
    }
    match crate::types::parse_builtin(data_type) {
        // Only a spelling the catalog prints back the same way is the type itself.
        Ok(Some(ty)) if ty.catalog_spelling(&|e| e.to_string()) == data_type => ty,
        _ => FieldType::Sql(data_type.to_string()),
    }
}

/// `"UserStatus"` → `UserStatus`, `userstatus` → `userstatus`; None for a schema-qualified name.
fn unquote(name: &str) -> Option<String> {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) if !inner.replace("\"\"", "").contains('"') => Some(inner.replace("\"\"", "\"")),
        Some(_) => None,
        None if name.contains(['.', '"', ' ', '(']) => None,
        None => Some(name.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::field_type;
    use crate::ir::FieldType;
    use std::collections::BTreeMap;

    /// A column type where the schema has no domains.
    fn plain_type(data_type: &str, enums: &BTreeMap<String, String>) -> FieldType {
        field_type(data_type, enums, &BTreeMap::new())
    }

    #[test]
    fn catalog_spellings_map_back() {
        let enums: BTreeMap<String, String> =
            [("userstatus".to_string(), "Userstatus".to_string()), ("Mixed".into(), "Mixed".into())].into();
        assert_eq!(plain_type("character varying(255)", &enums), FieldType::String(255));
        assert_eq!(plain_type("character varying", &enums), FieldType::Varchar);
        assert_eq!(plain_type("numeric(10,2)", &enums), FieldType::Decimal { precision: 10, scale: 2 });
        assert_eq!(plain_type("numeric", &enums), FieldType::Numeric);
        assert_eq!(plain_type("timestamp with time zone", &enums), FieldType::Timestamptz(None));
        assert_eq!(plain_type("timestamp(3) without time zone", &enums), FieldType::Timestamp(Some(3)));
        assert_eq!(plain_type("character(2)", &enums), FieldType::Char(2));
        assert_eq!(plain_type("userstatus", &enums), FieldType::Enum("Userstatus".into()));
        assert_eq!(plain_type("\"Mixed\"", &enums), FieldType::Enum("Mixed".into()));
        assert_eq!(plain_type("character varying(20)[]", &enums), FieldType::Array(Box::new(FieldType::String(20))));
        for other in ["point", "other.userstatus", "int4multirange", "public.year"] {
            assert_eq!(plain_type(other, &enums), FieldType::Sql(other.into()), "{other}");
        }
    }
}
