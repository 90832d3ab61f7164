//! Rust types of spec types (what sqlx decodes each PostgreSQL type into).

use crate::ir::FieldType;
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
