//! Rust types of spec types (what sqlx decodes each PostgreSQL type into).

use crate::ir::{FieldType, Model};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn rust_type(ty: &FieldType) -> TokenStream {
    // A domain's values are its base type's.
    let ty = ty.base();
    match ty {
        FieldType::String(_) | FieldType::Sql(_) => quote!(String),
        FieldType::Decimal { .. } => quote!(::rust_decimal::Decimal),
        FieldType::Enum(name) => {
            let ident = format_ident!("{}", name);
            quote!(crate::enums::#ident)
        }
        // A PostgreSQL array may hold NULL elements, whatever its column's nullability.
        FieldType::Array(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<Option<#inner>>)
        }
        plain => crate::types::scalar(plain).map_or_else(|| quote!(()), |s| (s.rust)()),
    }
}

/// Whether the Rust type is `Copy` (a key read twice is cloned otherwise).
pub fn is_copy(ty: &FieldType) -> bool {
    // A domain's values are its base type's.
    let ty = ty.base();
    !(ty.is_text()
        || ty.text_io()
        || matches!(
            ty,
            FieldType::Json | FieldType::Jsonb | FieldType::Bytes | FieldType::Array(_) | FieldType::Vector(_)
        ))
}

/// The cast after a parameter: `json` (sqlx sends `serde_json::Value` as jsonb), and the types
/// that travel as text (`$1::inet`).
pub(super) fn cast(model: &Model, ty: &FieldType) -> String {
    match ty {
        FieldType::Json => "::json".into(),
        text_io if text_io.text_io() => format!("::{}", crate::schema::lower::pg_type(model, ty)),
        _ => String::new(),
    }
}
