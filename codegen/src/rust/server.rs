//! The generated crate's server half: `src/api.rs` (every entity and link direction mounted, the
//! OpenAPI document and the migrations embedded), the binary's three-line `main.rs`, and a
//! `build.rs` so a changed migration rebuilds the binary that embeds it.

use super::module_name;
use crate::api::LinkRoute;
use crate::ir::Model;
use crate::output::{GeneratedFile, HEADER_TEXT};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `vbwd-api`: the server binary, named after the project.
pub fn binary_name(model: &Model) -> String {
    let project: String = model
        .project
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("{project}-api")
}

pub fn api_module(model: &Model, routes: &[LinkRoute<'_>]) -> TokenStream {
    // Each part mounts its own entities (so their handlers are compiled with the part).
    let parts = (0..super::parts::PARTS).map(|p| format_ident!("{}", super::parts::crate_name(p)));
    let links = routes.iter().map(|route| {
        let module = format_ident!("{}", module_name(&route.link.name));
        let [list_id, ..] = route.operation_ids();
        let marker = format_ident!("{}", list_id.strip_prefix("list").unwrap_or(&list_id));
        quote!(.link::<crate::#module::#marker>())
    });
    let identity = model.entities.iter().find_map(|e| e.identity.as_ref().map(|i| (e, i))).map(|(entity, identity)| {
        let name = format_ident!("{}", entity.name);
        let (table, key) = (&entity.table, &entity.pk_field().name);
        let (login, password, register) = (&identity.login, &identity.password, identity.register);
        let roles = identity.roles.as_ref().map_or_else(
            || quote!(None),
            |r| {
                let field = &r.field;
                quote!(Some(#field))
            },
        );
        let values =
            identity.roles.iter().flat_map(|r| &r.values).map(|(value, roles)| quote!((#value, &[#(#roles),*])));
        let login_when = identity
            .login_when
            .as_ref()
            .map_or_else(|| quote!(None), |(field, values)| quote!(Some((#field, &[#(#values),*]))));
        quote! {
            .identity::<crate::#name>(::runtime::server::Identity {
                table: #table,
                key: #key,
                login: #login,
                password: #password,
                roles: #roles,
                role_values: &[#(#values),*],
                register: #register,
                login_when: #login_when,
            })
        }
    });
    quote! {
        //! The REST API: every entity and link mounted on the server written once in
        //! `runtime::server`, with the OpenAPI document and the migrations this build serves.

        /// `generated/openapi.json`, served as it is at `/openapi.json`.
        pub const OPENAPI: &str = include_str!("../openapi.json");

        /// `migrations/`, embedded: applied at start-up under PostgreSQL's advisory lock.
        pub static MIGRATOR: ::sqlx::migrate::Migrator = ::sqlx::migrate!("../migrations");

        /// Every route of the API.
        pub fn routes() -> ::runtime::server::ApiRoutes {
            let api = ::runtime::server::ApiRoutes::new();
            #(let api = ::#parts::routes(api);)*
            api
                #(#links)*
                #identity
        }
    }
}

pub fn main_rs() -> TokenStream {
    quote! {
        //! The API server: configuration from the environment (see `--help`).

        /// Responses allocate many small buffers; mimalloc serves them faster than glibc malloc.
        #[global_allocator]
        static ALLOCATOR: ::mimalloc::MiMalloc = ::mimalloc::MiMalloc;

        fn main() -> ::std::process::ExitCode {
            ::runtime::server::main(generated::api::routes, generated::api::OPENAPI, &generated::api::MIGRATOR)
        }
    }
}

pub fn build_rs() -> GeneratedFile {
    let text = format!(
        "// {HEADER_TEXT}\n\n//! Rebuild when a migration changes: the server embeds them (sqlx::migrate! cannot track them).\n\n\
         fn main() {{\n    println!(\"cargo:rerun-if-changed=../migrations\");\n}}\n"
    );
    GeneratedFile::new("generated/build.rs", text)
}
