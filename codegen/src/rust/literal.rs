//! App-side defaults from the spec as Rust expressions.

use super::names::variant_name;
use crate::ir::{AppDefault, FieldType};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

pub fn default_expr(ty: &FieldType, default: &AppDefault) -> TokenStream {
    // A domain's values are its base type's.
    let ty = ty.base();
    match default {
        AppDefault::UuidV4 => quote!(::uuid::Uuid::new_v4()),
        AppDefault::Now => match ty {
            FieldType::Timestamptz(_) => quote!(::runtime::time::Extended::Finite(::chrono::Utc::now())),
            FieldType::Date => quote!(::runtime::time::Extended::Finite(::chrono::Utc::now().date_naive())),
            _ => quote!(::runtime::time::Extended::Finite(::chrono::Utc::now().naive_utc())),
        },
        AppDefault::Value(value) => value_expr(ty, value),
    }
}

fn value_expr(ty: &FieldType, value: &Value) -> TokenStream {
    // A domain's values are its base type's.
    let ty = ty.base();
    match (ty, value) {
        (FieldType::Json | FieldType::Jsonb, v) => {
            let text = v.to_string();
            quote!(::serde_json::from_str::<::serde_json::Value>(#text).expect("spec-validated JSON"))
        }
        (FieldType::Bool, Value::Bool(b)) => quote!(#b),
        (FieldType::SmallInt, Value::Number(n)) => {
            let v = n.as_i64().unwrap_or_default() as i16;
            quote!(#v)
        }
        (FieldType::Int, Value::Number(n)) => {
            let v = n.as_i64().unwrap_or_default() as i32;
            quote!(#v)
        }
        (FieldType::BigInt, Value::Number(n)) => {
            let v = n.as_i64().unwrap_or_default();
            quote!(#v)
        }
        (FieldType::Float, Value::Number(n)) => {
            let v = n.as_f64().unwrap_or_default() as f32;
            quote!(#v)
        }
        (FieldType::Double, Value::Number(n)) => {
            let v = n.as_f64().unwrap_or_default();
            quote!(#v)
        }
        (FieldType::Enum(name), Value::String(s)) => {
            let (ty, variant) = (format_ident!("{}", name), format_ident!("{}", variant_name(s)));
            quote!(crate::enums::#ty::#variant)
        }
        (ty, Value::String(s)) if ty.is_text() || ty.text_io() => quote!(String::from(#s)),
        (FieldType::Array(inner), Value::Array(items)) => {
            let items = items.iter().map(|i| match i {
                Value::Null => quote!(None),
                item => {
                    let item = value_expr(inner, item);
                    quote!(Some(#item))
                }
            });
            quote!(vec![#(#items),*])
        }
        (_, v) => {
            // Decimals, UUIDs, dates, times: parsed from their (validated) text form.
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            quote!(#text.parse().expect("spec-validated literal"))
        }
    }
}
