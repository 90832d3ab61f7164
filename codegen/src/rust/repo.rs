//! The repository half of an entity's file: insert (app-side defaults applied), get by id and
//! by each unique field, update with real optimistic locking, delete. Values are always bound
//! parameters; generic error handling lives in `runtime::repo`.

use super::key::KeyArgs;
use super::literal::default_expr;
use super::names::field_ident;
use super::types::{cast, rust_type};
use crate::ir::{Entity, Field, FieldType, Model, UniqueKind};
use crate::naming::{quote_ident, quote_literal};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn render(model: &Model, entity: &Entity) -> TokenStream {
    let name = format_ident!("{}", entity.name);
    let new_name = format_ident!("New{}", entity.name);
    let patch_name = format_ident!("{}Patch", entity.name);
    let table = entity.table_sql(&model.project.schema);
    let select_list = select_list(entity);
    let key = KeyArgs::of(model, entity);
    let key_param = key.param();
    let constraints = constraint_fields(model, entity);
    let constraint_pairs = constraints.iter().map(|(c, f)| quote!((#c, #f)));

    // INSERT: every column that gets a value from the input or from an app-side default.
    let mut lets = Vec::new();
    let mut columns = Vec::new();
    let mut placeholders = Vec::new();
    let mut binds = Vec::new();
    for f in &entity.fields {
        let ident = field_ident(&f.name);
        let input = f.writable();
        let value = match (input, &f.default, f.nullable) {
            (true, Some(d), nullable) => {
                let cheap = is_cheap(&f.ty, d);
                let d = default_expr(&f.ty, d);
                match (nullable, cheap) {
                    (false, true) => quote!(new.#ident.unwrap_or(#d)),
                    (false, false) => quote!(new.#ident.unwrap_or_else(|| #d)),
                    (true, true) => quote!(new.#ident.or(Some(#d))),
                    (true, false) => quote!(new.#ident.or_else(|| Some(#d))),
                }
            }
            (true, None, _) => quote!(new.#ident),
            (false, Some(crate::ir::AppDefault::Now), _) => now_expr(&f.ty),
            (false, Some(d), _) => default_expr(&f.ty, d),
            (false, None, _) => continue, // server-managed with no app default: the database fills it
        };
        let var = format_ident!("v_{}", f.name);
        lets.push(quote!(let #var = #value;));
        columns.push(quote_ident(&f.name));
        let n = columns.len();
        // A value left out takes the database's: its default, or the identity's next value.
        let identity = matches!(f.generated, Some(crate::ir::Generated::Identity { always: false, .. })).then(|| {
            let schema = entity.schema.as_ref().unwrap_or(&model.project.schema);
            let sequence = format!("{}.{}", quote_ident(schema), quote_ident(&entity.table));
            format!("nextval(pg_get_serial_sequence({}, {}))", quote_literal(&sequence), quote_literal(&f.name))
        });
        let database_value = f.db_default.as_ref().map(|db| db.sql.clone()).or(identity);
        let placeholder = match (&database_value, input && f.default.is_none() && !f.nullable) {
            (Some(db), true) => format!("COALESCE(${n}{}, {db})", cast(model, &f.ty)),
            _ => format!("${n}{}", cast(model, &f.ty)),
        };
        placeholders.push(placeholder);
        binds.push(quote!(.bind(#var)));
    }
    // One clock reading per insert, so created_at and updated_at start equal.
    let uses_now = entity.fields.iter().any(|f| f.read_only && f.default == Some(crate::ir::AppDefault::Now));
    let now_let = uses_now.then(|| quote!(let now = ::chrono::Utc::now();));
    let insert_sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}) RETURNING {select_list}",
        columns.join(", "),
        placeholders.join(", ")
    );
    let by_key = key.condition();
    let get_sql = format!("SELECT {select_list} FROM {table} WHERE {by_key}");
    let delete_sql = format!("DELETE FROM {table} WHERE {by_key}");
    let key_binds = key.binds(false);
    let key_definition = key.definition();

    let get_by_unique =
        entity.indexes.iter().filter(|ix| ix.unique.is_some() && ix.columns.len() == 1).filter_map(|ix| {
            let f = entity.field(&ix.columns[0])?;
            if f.primary_key {
                return None;
            }
            let method = format_ident!("get_by_{}", f.name);
            let (param_ty, bind) = param(f);
            let sql =
                format!("SELECT {select_list} FROM {table} WHERE {} = $1{}", quote_ident(&f.name), cast(model, &f.ty));
            let doc = format!(" The row whose `{}` is `value` (a unique key).", f.name);
            Some(quote! {
                #[doc = #doc]
                pub async fn #method(conn: &mut ::sqlx::PgConnection, value: #param_ty) -> Result<Self, rt::RepoError> {
                    rt::fetch_by(conn, #sql, #bind, Self::CONSTRAINTS).await
                }
            })
        });

    let update = update_fn(model, entity, &table, &select_list);
    let list = super::list::render(entity, &table, &select_list);

    quote! {
        impl #name {
            /// Constraint names of unique and foreign keys, with the fields they cover.
            pub const CONSTRAINTS: &'static [(&'static str, &'static str)] = &[#(#constraint_pairs),*];

            /// Inserts a row; app-side defaults from the spec fill what the input leaves out.
            pub async fn insert(conn: &mut ::sqlx::PgConnection, new: #new_name) -> Result<Self, rt::RepoError> {
                #now_let
                #(#lets)*
                rt::insert_returning(conn, ::sqlx::query_as(#insert_sql)#(#binds)*, Self::CONSTRAINTS).await
            }

            /// The row with this primary key.
            pub async fn get(conn: &mut ::sqlx::PgConnection, #key_param) -> Result<Self, rt::RepoError> {
                rt::fetch_bound(conn, ::sqlx::query_as(#get_sql)#key_binds, Self::CONSTRAINTS).await
            }

            #(#get_by_unique)*

            #update

            /// Deletes the row with this primary key.
            pub async fn delete(conn: &mut ::sqlx::PgConnection, #key_param) -> Result<(), rt::RepoError> {
                rt::delete_bound(conn, ::sqlx::query(#delete_sql)#key_binds, Self::CONSTRAINTS).await
            }
        }

        #key_definition

        #list

        impl #patch_name {
            /// Whether the patch changes nothing.
            pub fn is_empty(&self) -> bool {
                *self == Self::default()
            }
        }
    }
}

fn update_fn(model: &Model, entity: &Entity, table: &str, select_list: &str) -> TokenStream {
    let patch_name = format_ident!("{}Patch", entity.name);
    let key = KeyArgs::of(model, entity);
    let (key_param, key_ident) = (key.param(), key.ident());
    let where_key = key.push_where();
    let version = entity.version_field();
    let mut sets = Vec::new();
    if let Some(v) = version {
        let col = quote_ident(&v.name);
        // A smallint version runs out after 65,535 writes: it wraps (any change of value is a new
        // version); int and bigint do not run out in practice.
        let bump = match v.ty {
            FieldType::SmallInt => format!("{col} = CASE WHEN {col} = 32767 THEN -32768 ELSE {col} + 1 END"),
            _ => format!("{col} = {col} + 1"),
        };
        sets.push(quote!(q.push(#bump);));
    }
    for f in entity.fields.iter().filter(|f| f.on_update_now && !f.version) {
        let col = format!("{} = ", quote_ident(&f.name));
        let now = default_expr(&f.ty, &crate::ir::AppDefault::Now);
        sets.push(quote!(rt::push_set(&mut q, &mut first, #col, #now, "");));
    }
    for f in entity.fields.iter().filter(|f| f.patchable()) {
        let ident = field_ident(&f.name);
        let col = format!("{} = ", quote_ident(&f.name));
        let cast = cast(model, &f.ty);
        sets.push(quote! {
            if let Some(value) = patch.#ident {
                rt::push_set(&mut q, &mut first, #col, value, #cast);
            }
        });
    }
    let returning = format!(" RETURNING {select_list}");
    let head = format!("UPDATE {table} SET ");
    let doc_version = " Applies `patch` if the row is still at `expected_version` (`UPDATE … WHERE id = $1 AND version = $2`),\n bumping the version; otherwise `VersionConflict`, or `NotFound` when the row is gone.";
    let touched_always = !sets.is_empty() && (version.is_some() || entity.fields.iter().any(|f| f.on_update_now));
    // Whether no assignment is in the SET list yet (the version bump comes first when there is one).
    let assigned = sets.len() > usize::from(version.is_some());
    let first = match (assigned, version.is_some()) {
        (false, _) => quote!(),
        (true, true) => quote!(let mut first = false;),
        (true, false) => quote!(let mut first = true;),
    };
    let empty_guard = (!touched_always).then(|| {
        quote! {
            if patch.is_empty() {
                return Self::get(conn, #key_ident).await;
            }
        }
    });
    match version {
        Some(v) => {
            let version_col = quote_ident(&v.name);
            let and_version = format!(" AND {version_col} = ");
            // Read back as bigint: the runtime holds every version as `wire::Version`.
            let by_key = key.condition();
            let current_sql = format!("SELECT {version_col}::bigint FROM {table} WHERE {by_key}");
            let key_binds = key.binds(true);
            quote! {
                #[doc = #doc_version]
                pub async fn update(conn: &mut ::sqlx::PgConnection, #key_param, expected_version: impl Into<::runtime::wire::Version>, patch: #patch_name)
                    -> Result<Self, rt::RepoError> {
                    let expected_version: ::runtime::wire::Version = expected_version.into();
                    #empty_guard
                    let current = ::sqlx::query_scalar(#current_sql)#key_binds;
                    let mut q = ::sqlx::QueryBuilder::new(#head);
                    #first
                    #(#sets)*
                    #where_key
                    q.push(#and_version).push_bind(expected_version).push(#returning);
                    rt::finish_update(conn, q, Some((current, expected_version)), Self::CONSTRAINTS).await
                }
            }
        }
        None => quote! {
            /// Applies `patch` (this entity has no version column, so there is no conflict check).
            pub async fn update(conn: &mut ::sqlx::PgConnection, #key_param, patch: #patch_name)
                -> Result<Self, rt::RepoError> {
                #empty_guard
                let mut q = ::sqlx::QueryBuilder::new(#head);
                #first
                #(#sets)*
                #where_key
                q.push(#returning);
                rt::finish_update(conn, q, None, Self::CONSTRAINTS).await
            }
        },
    }
}

/// The insert's clock reading in the field's type.
fn now_expr(ty: &FieldType) -> TokenStream {
    // A domain's values are its base type's.
    let ty = ty.base();
    match ty {
        FieldType::Timestamptz(_) => quote!(::runtime::time::Extended::Finite(now)),
        FieldType::Date => quote!(::runtime::time::Extended::Finite(now.date_naive())),
        _ => quote!(::runtime::time::Extended::Finite(now.naive_utc())),
    }
}

/// A constant default (no allocation, no parsing): `unwrap_or` rather than `unwrap_or_else`.
fn is_cheap(ty: &FieldType, default: &crate::ir::AppDefault) -> bool {
    // A domain's values are its base type's.
    let ty = ty.base();
    matches!(default, crate::ir::AppDefault::Value(_))
        && (ty.is_integer()
            || matches!(ty, FieldType::Bool | FieldType::Float | FieldType::Double | FieldType::Enum(_)))
}

/// The columns a statement returns; types that travel as text are read through their text form.
fn select_list(entity: &Entity) -> String {
    let column = |f: &Field| {
        let name = quote_ident(&f.name);
        match &f.ty {
            FieldType::Array(inner) if inner.text_io() => format!("{name}::text[] AS {name}"),
            ty if ty.text_io() => format!("{name}::text AS {name}"),
            _ => name,
        }
    };
    entity.fields.iter().map(column).collect::<Vec<_>>().join(", ")
}

/// The parameter type and bind expression for a lookup by this field.
fn param(f: &Field) -> (TokenStream, TokenStream) {
    match f.ty {
        ref ty if ty.is_text() || ty.text_io() => (quote!(&str), quote!(value)),
        _ => (rust_type(&f.ty), quote!(value)),
    }
}

fn constraint_fields(model: &Model, entity: &Entity) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = entity
        .indexes
        .iter()
        .filter(|ix| matches!(ix.unique, Some(UniqueKind::Index | UniqueKind::Constraint)))
        .map(|ix| (ix.name.clone(), ix.columns.join(",")))
        .collect();
    for f in &entity.fields {
        if let Some(r) = &f.references {
            out.push((r.name.clone(), f.name.clone()));
        }
    }
    out.push((entity.primary_key.name.clone(), entity.primary_key.columns.join(",")));
    // CHECKs on one field name it; a domain's CHECKs name the fields of that domain.
    let names: Vec<&str> = entity.fields.iter().map(|f| f.name.as_str()).collect();
    for check in &entity.checks {
        if let Some(field) = crate::spec::validate::bounds::field_of_check(check, &names) {
            out.push((check.name.clone(), field));
        }
    }
    // (Only a domain one field uses: with two, the error cannot say which.)
    let mut by_domain: Vec<(&str, &str)> = Vec::new();
    for f in &entity.fields {
        let mut ty = &f.ty;
        while let FieldType::Domain { name, base } = ty {
            by_domain.push((name, &f.name));
            ty = base;
        }
    }
    for (domain, field) in &by_domain {
        if by_domain.iter().filter(|(d, _)| d == domain).count() == 1 {
            for def in model.domains.iter().filter(|d| d.name == *domain) {
                out.extend(def.checks.iter().map(|c| (c.name.clone(), field.to_string())));
            }
        }
    }
    out
}
