//! `generated/src/enums.rs`: each spec enum as a Rust enum mapped to its PostgreSQL enum type.

use super::names::variant_name;
use crate::ir::Model;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn render(model: &Model) -> TokenStream {
    let enums = model.enums.iter().map(|e| {
        let name = format_ident!("{}", e.name);
        let db_name = &e.db_name;
        let doc = format!(" {}", e.doc.clone().unwrap_or_else(|| format!("The PostgreSQL enum type `{db_name}`.")));
        let mut seen = Vec::new();
        let variants: Vec<_> = e
            .values
            .iter()
            .map(|value| {
                let mut rust = variant_name(value);
                while seen.contains(&rust) {
                    rust.push('_');
                }
                seen.push(rust.clone());
                (format_ident!("{}", rust), value.clone())
            })
            .collect();
        let defs = variants.iter().map(|(ident, value)| {
            quote! {
                #[serde(rename = #value)]
                #[sqlx(rename = #value)]
                #ident
            }
        });
        let all = variants.iter().map(|(ident, _)| quote!(Self::#ident));
        let as_str = variants.iter().map(|(ident, value)| quote!(Self::#ident => #value));
        let count = variants.len();
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize, ::sqlx::Type)]
            #[sqlx(type_name = #db_name)]
            pub enum #name {
                #(#defs,)*
            }

            impl #name {
                /// Every value, in the database's sort order.
                pub const ALL: [Self; #count] = [#(#all),*];

                /// The value as stored in PostgreSQL and sent over the API.
                pub fn as_str(self) -> &'static str {
                    match self {
                        #(#as_str,)*
                    }
                }
            }
        }
    });
    quote! {
        //! Enum types.
        #(#enums)*
    }
}
