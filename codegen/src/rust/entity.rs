//! One entity's file: the model (what a row is), `New…` (what an insert takes) and `…Patch`
//! (a partial update). Secret fields are never serialized; server-managed fields are not input.

use super::names::field_ident;
use super::types::rust_type;
use crate::ir::{Entity, Field, FieldType, Model};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn render(_model: &Model, entity: &Entity, repository: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", entity.name);
    let new_name = format_ident!("New{}", entity.name);
    let patch_name = format_ident!("{}Patch", entity.name);
    let table = &entity.table;
    let doc = format!(" {}", entity.doc.clone().unwrap_or_else(|| format!("A row of `{table}`.")));
    let columns = entity.fields.iter().map(|f| f.name.as_str());

    let model_fields = entity.fields.iter().map(|f| {
        let ident = field_ident(&f.name);
        let ty = nullable(f, rust_type(&f.ty));
        let doc = field_doc(f);
        let serde = wire_format(f);
        quote! { #[doc = #doc] #serde pub #ident: #ty }
    });

    let inputs: Vec<&Field> = entity.fields.iter().filter(|f| f.writable()).collect();
    let new_fields = inputs.iter().map(|f| {
        let ident = field_ident(&f.name);
        let base = rust_type(&f.ty);
        let doc = field_doc(f);
        let optional = !f.required_on_create();
        if optional && json_not_null(f) {
            quote! { #[doc = #doc] #[serde(default, deserialize_with = "::runtime::serde::present")] pub #ident: Option<#base> }
        } else if optional {
            quote! { #[doc = #doc] #[serde(default)] pub #ident: Option<#base> }
        } else {
            quote! { #[doc = #doc] pub #ident: #base }
        }
    });
    let patch_fields = inputs.iter().filter(|f| f.patchable()).map(|f| {
        let ident = field_ident(&f.name);
        let base = rust_type(&f.ty);
        let doc = field_doc(f);
        if f.nullable {
            quote! {
                #[doc = #doc]
                #[serde(default, deserialize_with = "::runtime::serde::double_option")]
                pub #ident: Option<Option<#base>>
            }
        } else if json_not_null(f) {
            quote! { #[doc = #doc] #[serde(default, deserialize_with = "::runtime::serde::present")] pub #ident: Option<#base> }
        } else {
            quote! { #[doc = #doc] #[serde(default)] pub #ident: Option<#base> }
        }
    });
    let new_doc =
        format!(" Input to create a {}: server-managed fields are absent; optional ones have defaults.", entity.name);
    let patch_doc = format!(" A partial update of a {}: only the fields that are `Some` change.", entity.name);

    quote! {
        //! The entity and its inputs.

        use ::runtime::repo as rt;
        use ::runtime::server as api;

        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::sqlx::FromRow)]
        pub struct #name {
            #(#model_fields,)*
        }

        impl #name {
            /// The table this entity is stored in.
            pub const TABLE: &'static str = #table;
            /// Its columns, in table order.
            pub const COLUMNS: &'static [&'static str] = &[#(#columns),*];
        }

        #[doc = #new_doc]
        #[derive(Debug, Clone, PartialEq, ::serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct #new_name {
            #(#new_fields,)*
        }

        #[doc = #patch_doc]
        #[derive(Debug, Clone, Default, PartialEq, ::serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct #patch_name {
            #(#patch_fields,)*
        }

        #repository
    }
}

/// Secrets are never serialized; bytes go out as base64, as the document's `byte` format says
/// (`runtime::time::Extended` writes timestamps as its `date-time` says).
fn wire_format(field: &Field) -> Option<TokenStream> {
    if field.secret {
        return Some(quote!(#[serde(skip_serializing)]));
    }
    let with = match (field.ty.base(), field.nullable) {
        (FieldType::Bytes, false) => "::runtime::serde::base64",
        (FieldType::Bytes, true) => "::runtime::serde::base64_opt",
        _ => return None,
    };
    Some(quote!(#[serde(serialize_with = #with)]))
}

fn nullable(field: &Field, ty: TokenStream) -> TokenStream {
    if field.nullable {
        quote!(Option<#ty>)
    } else {
        ty
    }
}

fn field_doc(field: &Field) -> String {
    let mut doc = format!(" {}", field.doc.clone().unwrap_or_else(|| format!("Column `{}`.", field.name)));
    if field.secret {
        doc.push_str(" Secret: accepted on input, never serialized.");
    }
    doc
}

/// A NOT NULL json column stores JSON `null` as a value: present-and-null is `Some(Value::Null)`,
/// not "absent".
fn json_not_null(f: &Field) -> bool {
    !f.nullable && matches!(f.ty.base(), FieldType::Json | FieldType::Jsonb)
}
