//! A many-to-many link's file: link, unlink, and listing either side's partners.

use super::types::rust_type;
use crate::api::LinkRoute;
use crate::ir::{Link, LinkEnd};
use crate::naming::quote_ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn render(link: &Link, routes: &[LinkRoute<'_>]) -> TokenStream {
    let name = format_ident!("{}", link.name);
    let table = quote_ident(&link.table);
    let (l, r) = (&link.left, &link.right);
    let (l_ident, r_ident) = (format_ident!("{}", l.column), format_ident!("{}", r.column));
    let (l_ty, r_ty) = (rust_type(&l.ty), rust_type(&r.ty));
    let (l_col, r_col) = (quote_ident(&l.column), quote_ident(&r.column));
    let doc =
        format!(" {}", link.doc.clone().unwrap_or_else(|| format!("Links between {} and {}.", l.entity, r.entity)));
    let link_sql = format!("INSERT INTO {table} ({l_col}, {r_col}) VALUES ($1, $2) ON CONFLICT DO NOTHING");
    let unlink_sql = format!("DELETE FROM {table} WHERE {l_col} = $1 AND {r_col} = $2");
    let constraints = [&l.reference.name, &r.reference.name, &link.primary_key];
    let fields = [&l.column, &r.column, &format!("{},{}", l.column, r.column)];
    let by_left = lister(&table, l, r);
    let by_right = lister(&table, r, l);
    let directions = routes.iter().map(|route| direction(link, route));
    quote! {
        //! A many-to-many link.

        use ::runtime::repo as rt;

        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize, ::sqlx::FromRow)]
        pub struct #name {
            pub #l_ident: #l_ty,
            pub #r_ident: #r_ty,
        }

        impl #name {
            /// The join table.
            pub const TABLE: &'static str = #table;
            /// Constraint names with the columns they cover.
            pub const CONSTRAINTS: &'static [(&'static str, &'static str)] = &[#((#constraints, #fields)),*];

            /// Links the two rows; linking twice is not an error. Returns whether a link was added.
            pub async fn link(conn: &mut ::sqlx::PgConnection, #l_ident: #l_ty, #r_ident: #r_ty) -> Result<bool, rt::RepoError> {
                let done = ::sqlx::query(#link_sql).bind(#l_ident).bind(#r_ident).execute(&mut *conn).await
                    .map_err(|e| rt::map_error(e, Self::CONSTRAINTS))?;
                Ok(done.rows_affected() == 1)
            }

            /// Removes the link; `NotFound` when there was none.
            pub async fn unlink(conn: &mut ::sqlx::PgConnection, #l_ident: #l_ty, #r_ident: #r_ty) -> Result<(), rt::RepoError> {
                let done = ::sqlx::query(#unlink_sql).bind(#l_ident).bind(#r_ident).execute(&mut *conn).await
                    .map_err(|e| rt::map_error(e, Self::CONSTRAINTS))?;
                if done.rows_affected() == 0 {
                    return Err(rt::RepoError::NotFound);
                }
                Ok(())
            }

            #by_left
            #by_right
        }

        #(#directions)*
    }
}

/// `<others>_for_<this>`: the lister of `other` keys given a `this` key.
fn lister_name(this: &LinkEnd, other: &LinkEnd) -> proc_macro2::Ident {
    let other_plural = crate::naming::plural(other.column.trim_end_matches("_id"));
    format_ident!("{}_for_{}", other_plural, this.column.trim_end_matches("_id"))
}

/// One direction of the link as an API route (`RolesOfUser`: `/api/v1/users/{id}/roles`).
fn direction(link: &Link, route: &LinkRoute<'_>) -> TokenStream {
    let name = format_ident!("{}", link.name);
    let [list_id, ..] = route.operation_ids();
    let marker = format_ident!("{}", list_id.strip_prefix("list").unwrap_or(&list_id));
    let (owner, other) = (format_ident!("{}", route.owner.entity), format_ident!("{}", route.other.entity));
    let (segment, owner_column) = (&route.segment, &route.owner.column);
    let keys = lister_name(route.owner, route.other);
    // The link's functions take (left, right); the route's order is (owner, other).
    let owner_is_left = std::ptr::eq(route.owner, &link.left);
    let pair = if owner_is_left { quote!(owner, other) } else { quote!(other, owner) };
    let (owner_key, other_key) = (rust_type(&route.owner.ty), rust_type(&route.other.ty));
    let doc = format!(" `{}`: the {} linked to a {}.", route.list_path(), route.segment, route.owner.entity);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy)]
        pub struct #marker;

        impl ::runtime::server::LinkRoute for #marker {
            type Owner = crate::#owner;
            type Other = crate::#other;
            const SEGMENT: &'static str = #segment;
            const OWNER_COLUMN: &'static str = #owner_column;

            fn keys(conn: &mut ::sqlx::PgConnection, owner: #owner_key)
                -> impl ::std::future::Future<Output = Result<Vec<#other_key>, rt::RepoError>> + Send {
                #name::#keys(conn, owner)
            }
            fn link(conn: &mut ::sqlx::PgConnection, owner: #owner_key, other: #other_key)
                -> impl ::std::future::Future<Output = Result<bool, rt::RepoError>> + Send {
                #name::link(conn, #pair)
            }
            fn unlink(conn: &mut ::sqlx::PgConnection, owner: #owner_key, other: #other_key)
                -> impl ::std::future::Future<Output = Result<(), rt::RepoError>> + Send {
                #name::unlink(conn, #pair)
            }
        }
    }
}

/// `<other>s_for_<this>`: the partner keys of one row, sorted.
fn lister(table: &str, this: &LinkEnd, other: &LinkEnd) -> TokenStream {
    let method = lister_name(this, other);
    let (this_ident, this_ty, other_ty) = (format_ident!("{}", this.column), rust_type(&this.ty), rust_type(&other.ty));
    let sql = format!(
        "SELECT {o} FROM {table} WHERE {t} = $1 ORDER BY {o}",
        o = quote_ident(&other.column),
        t = quote_ident(&this.column)
    );
    let doc = format!(" The `{}` keys linked to this `{}`.", other.column, this.column);
    quote! {
        #[doc = #doc]
        pub async fn #method(conn: &mut ::sqlx::PgConnection, #this_ident: #this_ty) -> Result<Vec<#other_ty>, rt::RepoError> {
            ::sqlx::query_scalar(#sql).bind(#this_ident).fetch_all(&mut *conn).await
                .map_err(|e| rt::map_error(e, Self::CONSTRAINTS))
        }
    }
}
