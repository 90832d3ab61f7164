//! Rust types of spec types (what sqlx decodes each PostgreSQL type into).

use crate::ir::FieldType;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn rust_type(ty: &FieldType) -> TokenStream {
    match ty {
        FieldType::Uuid => quote!(::uuid::Uuid),
        FieldType::String(_) | FieldType::Text => quote!(String),
        FieldType::Bool => quote!(bool),
        FieldType::SmallInt => quote!(i16),
        FieldType::Int => quote!(i32),
        FieldType::BigInt => quote!(i64),
        FieldType::Float => quote!(f32),
        FieldType::Double => quote!(f64),
        FieldType::Decimal { .. } => quote!(::rust_decimal::Decimal),
        FieldType::Date => quote!(::chrono::NaiveDate),
        FieldType::Timestamp => quote!(::chrono::NaiveDateTime),
        FieldType::Timestamptz => quote!(::chrono::DateTime<::chrono::Utc>),
        FieldType::Time => quote!(::chrono::NaiveTime),
        FieldType::Json | FieldType::Jsonb => quote!(::serde_json::Value),
        FieldType::Bytes => quote!(Vec<u8>),
        FieldType::Enum(name) => {
            let ident = format_ident!("{}", name);
            quote!(crate::enums::#ident)
        }
        FieldType::Array(inner) => {
            let inner = rust_type(inner);
            quote!(Vec<#inner>)
        }
    }
}
