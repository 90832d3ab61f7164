//! `format_type()` spellings back to spec types: the inverse of `schema::lower::pg_type`.

use crate::ir::FieldType;
use std::collections::BTreeMap;

/// The spec type of a column type, or None when the spec language has no such type
/// (`inet`, `character(2)`, `timestamp(3) …`, unconstrained `numeric`, another schema's enum).
/// `enums` maps database enum names to spec enum names.
pub fn field_type(data_type: &str, enums: &BTreeMap<String, String>) -> Option<FieldType> {
    if let Some(inner) = data_type.strip_suffix("[]") {
        return match field_type(inner, enums)? {
            FieldType::Array(_) => None,
            element => Some(FieldType::Array(Box::new(element))),
        };
    }
    let simple = crate::types::by_catalog(data_type).map(|s| s.ty.clone());
    if simple.is_some() {
        return simple;
    }
    if let Some(args) = data_type.strip_prefix("character varying(").and_then(|r| r.strip_suffix(')')) {
        return args.parse::<u32>().ok().filter(|n| (1..=10_485_760).contains(n)).map(FieldType::String);
    }
    if let Some(args) = data_type.strip_prefix("numeric(").and_then(|r| r.strip_suffix(')')) {
        let (p, s) = args.split_once(',')?;
        let (precision, scale) = (p.trim().parse::<u16>().ok()?, s.trim().parse::<u16>().ok()?);
        return ((1..=1000).contains(&precision) && scale <= precision)
            .then_some(FieldType::Decimal { precision, scale });
    }
    enums.get(&unquote(data_type)?).map(|name| FieldType::Enum(name.clone()))
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

    #[test]
    fn catalog_spellings_map_back() {
        let enums: BTreeMap<String, String> =
            [("userstatus".to_string(), "Userstatus".to_string()), ("Mixed".into(), "Mixed".into())].into();
        assert_eq!(field_type("character varying(255)", &enums), Some(FieldType::String(255)));
        assert_eq!(field_type("numeric(10,2)", &enums), Some(FieldType::Decimal { precision: 10, scale: 2 }));
        assert_eq!(field_type("timestamp with time zone", &enums), Some(FieldType::Timestamptz));
        assert_eq!(field_type("userstatus", &enums), Some(FieldType::Enum("Userstatus".into())));
        assert_eq!(field_type("\"Mixed\"", &enums), Some(FieldType::Enum("Mixed".into())));
        assert_eq!(
            field_type("character varying(20)[]", &enums),
            Some(FieldType::Array(Box::new(FieldType::String(20))))
        );
        for unsupported in ["inet", "numeric", "character(2)", "timestamp(3) without time zone", "other.userstatus"] {
            assert_eq!(field_type(unsupported, &enums), None, "{unsupported}");
        }
    }
}
