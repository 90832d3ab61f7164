//! The list half of an entity's repository: a `…Field` enum of the declared (non-secret, scalar)
//! fields, a typed `…Filter`, and `list` building its WHERE/ORDER BY from them with bound values.

use super::names::variant_name;
use super::types::rust_type;
use crate::ir::{Entity, Field};
use crate::naming::quote_ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::api::listable;

/// `table`: the entity's table as SQL names it.
pub fn render(entity: &Entity, table: &str, select_list: &str) -> TokenStream {
    let name = format_ident!("{}", entity.name);
    let field_enum = format_ident!("{}Field", entity.name);
    let filter_enum = format_ident!("{}Filter", entity.name);
    let fields: Vec<&Field> = entity.fields.iter().filter(|f| listable(f)).collect();
    let variants: Vec<_> = fields.iter().map(|f| format_ident!("{}", variant_name(&f.name))).collect();
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let columns: Vec<String> = fields.iter().map(|f| quote_ident(&f.name)).collect();
    let filter_types = fields.iter().map(|f| rust_type(&f.ty));
    let pushes =
        variants.iter().zip(&columns).map(|(v, c)| quote!(#filter_enum::#v(cmp) => { rt::push_cmp(&mut q, #c, cmp); }));
    let key = entity.primary_key.columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
    let head = format!("SELECT {select_list} FROM {table}");
    // Most columns need no quoting: then the column is the name, and no second match is emitted.
    let column_fn = if columns.iter().zip(&names).all(|(c, n)| c == n) {
        quote!(
            fn column(self) -> &'static str {
                self.name()
            }
        )
    } else {
        quote!(fn column(self) -> &'static str { match self { #(Self::#variants => #columns,)* } })
    };
    let field_doc = format!(" Fields of {} that lists filter and order on.", entity.name);
    let filter_doc = format!(" A condition on one field of {}; values are bound, never spliced into SQL.", entity.name);
    quote! {
        #[doc = #field_doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum #field_enum {
            #(#variants,)*
        }

        impl #field_enum {
            /// Every listable field, in column order.
            pub const ALL: &'static [Self] = &[#(Self::#variants),*];

            /// The spec (and column) name.
            pub fn name(self) -> &'static str {
                match self {
                    #(Self::#variants => #names,)*
                }
            }

            /// The field of this name, if it is listable.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|f| f.name() == name)
            }

            #column_fn
        }

        #[doc = #filter_doc]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #filter_enum {
            #(#variants(rt::Cmp<#filter_types>),)*
        }

        impl #name {
            /// A page of rows matching every filter, in the requested order (then by key).
            pub async fn list(conn: &mut ::sqlx::PgConnection, query: rt::ListQuery<#field_enum, #filter_enum>)
                -> Result<Vec<Self>, rt::RepoError> {
                let mut q = ::sqlx::QueryBuilder::<::sqlx::Postgres>::new(#head);
                for (i, filter) in query.filters.into_iter().enumerate() {
                    q.push(if i == 0 { " WHERE " } else { " AND " });
                    match filter {
                        #(#pushes)*
                    }
                }
                let order: Vec<(&str, bool)> = query.order.iter().map(|(f, desc)| (f.column(), *desc)).collect();
                rt::push_order_and_page(&mut q, &order, #key, query.nearest, query.limit, query.offset);
                rt::fetch_all_built(conn, q, Self::CONSTRAINTS).await
            }
        }
    }
}
