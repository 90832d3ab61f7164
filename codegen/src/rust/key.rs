//! How an entity's primary key appears in generated code: a single key is its field's type
//! (`id: Uuid`); a composite key is a struct of its parts (`FilmActorKey { actor_id, film_id }`)
//! implementing `runtime::server::Key`, so repositories and the server take either alike.

use super::names::field_ident;
use super::types::{cast, is_copy, rust_type};
use crate::ir::{Entity, Field, Model};
use crate::naming::quote_ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub struct KeyArgs<'e> {
    entity: &'e Entity,
    parts: Vec<&'e Field>,
    /// Each part's cast after its parameter (`::inet` for types that travel as text).
    casts: Vec<String>,
    ident: proc_macro2::Ident,
    ty: TokenStream,
}

impl<'e> KeyArgs<'e> {
    pub fn of(model: &Model, entity: &'e Entity) -> Self {
        let parts = entity.key_fields();
        let casts = parts.iter().map(|f| cast(model, &f.ty)).collect();
        let (ident, ty) = match parts.as_slice() {
            [single] => (field_ident(&single.name), rust_type(&single.ty)),
            _ => {
                let name = format_ident!("{}Key", entity.name);
                (format_ident!("key"), quote!(#name))
            }
        };
        Self { entity, parts, casts, ident, ty }
    }

    fn composite(&self) -> bool {
        self.parts.len() > 1
    }

    /// The key's Rust type: the field's, or the key struct.
    pub fn ty(&self) -> &TokenStream {
        &self.ty
    }

    /// `id: ::uuid::Uuid` or `key: FilmActorKey`, as a function parameter.
    pub fn param(&self) -> TokenStream {
        let (ident, ty) = (&self.ident, &self.ty);
        quote!(#ident: #ty)
    }

    /// The parameter's name, to pass it on.
    pub fn ident(&self) -> &proc_macro2::Ident {
        &self.ident
    }

    /// Each part's value as an expression on the parameter, cloned when `again` (used twice).
    fn values(&self, again: bool) -> Vec<TokenStream> {
        let ident = &self.ident;
        self.parts
            .iter()
            .map(|f| {
                let value = if self.composite() {
                    let part = field_ident(&f.name);
                    quote!(#ident.#part)
                } else {
                    quote!(#ident)
                };
                if again && !is_copy(&f.ty) {
                    quote!(#value.clone())
                } else {
                    value
                }
            })
            .collect()
    }

    /// `"a" = $1 AND "b" = $2::inet`: the key's parameters come first in a statement.
    pub fn condition(&self) -> String {
        let parts = self.parts.iter().zip(&self.casts).enumerate();
        parts
            .map(|(n, (f, cast))| format!("{} = ${}{cast}", quote_ident(&f.name), n + 1))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// `.bind(…)` for each part, in key order.
    pub fn binds(&self, again: bool) -> TokenStream {
        let values = self.values(again);
        quote!(#(.bind(#values))*)
    }

    /// A query builder's ` WHERE "a" = $ AND "b" = $` with the parts bound.
    pub fn push_where(&self) -> TokenStream {
        let parts = self.parts.iter().zip(&self.casts).zip(self.values(false));
        let pushes = parts.enumerate().map(|(n, ((f, cast), value))| {
            let head = format!("{}{} = ", if n == 0 { " WHERE " } else { " AND " }, quote_ident(&f.name));
            if cast.is_empty() {
                quote!(q.push(#head).push_bind(#value);)
            } else {
                quote!(q.push(#head).push_bind(#value).push(#cast);)
            }
        });
        quote!(#(#pushes)*)
    }

    /// The row's key, as `Resource::key` returns it.
    pub fn of_row(&self) -> TokenStream {
        let reads = self.parts.iter().map(|f| {
            let part = field_ident(&f.name);
            if is_copy(&f.ty) {
                quote!(self.#part)
            } else {
                quote!(self.#part.clone())
            }
        });
        if !self.composite() {
            return quote!(#(#reads)*);
        }
        let ty = &self.ty;
        let idents = self.parts.iter().map(|f| field_ident(&f.name));
        quote!(#ty { #(#idents: #reads),* })
    }

    /// The key struct and its `runtime::server::Key` impl, for a composite key; nothing otherwise.
    pub fn definition(&self) -> TokenStream {
        if !self.composite() {
            return quote!();
        }
        let ty = &self.ty;
        let idents: Vec<_> = self.parts.iter().map(|f| field_ident(&f.name)).collect();
        let types = self.parts.iter().map(|f| rust_type(&f.ty));
        let vars: Vec<_> = (0..self.parts.len()).map(|n| format_ident!("p{n}")).collect();
        let doc = format!(
            " The primary key of a {}: its parts in key order, as the item path `…/{}` carries them.",
            self.entity.name,
            self.parts.iter().map(|f| format!("{{{}}}", f.name)).collect::<Vec<_>>().join("/")
        );
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #ty {
                #(pub #idents: #types,)*
            }

            impl api::Key for #ty {
                fn from_segments(segments: &[String]) -> Option<Self> {
                    match segments {
                        [#(#vars),*] => Some(Self { #(#idents: api::parse_value(#vars).ok()?,)* }),
                        _ => None,
                    }
                }
                fn segments(&self) -> Vec<String> {
                    vec![#(api::wire_text(&self.#idents)),*]
                }
                fn add_to(self, args: &mut ::sqlx::postgres::PgArguments) -> Result<(), ::sqlx::error::BoxDynError> {
                    use ::sqlx::Arguments as _;
                    #(args.add(self.#idents)?;)*
                    Ok(())
                }
            }
        }
    }
}
