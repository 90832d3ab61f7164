//! The generated Rust crate (`generated/`): per entity a model, a Create and an Update input;
//! enums mapped to the native PostgreSQL types. Tokens are built with `quote!`, checked by
//! `syn` and printed by `prettyplease`, so the output is always valid, formatted Rust.

mod entity;
mod enums;
mod key;
mod link;
mod list;
mod literal;
mod names;
mod parts;
mod repo;
mod resource;
mod server;
mod types;

use crate::ir::Model;
use crate::output::{GeneratedFile, HEADER_TEXT};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub use names::module_name;

pub fn render(model: &Model) -> Vec<GeneratedFile> {
    let mut files = vec![
        cargo_toml(model),
        rustfmt_toml(),
        GeneratedFile::new("generated/src/enums.rs", format(enums::render(model))),
    ];
    // Entity files are independent and formatting dominates generate's time: use every core.
    files.extend(parallel_map(&model.entities, |entity| {
        let module = module_name(&entity.name);
        let mut repository = repo::render(model, entity);
        repository.extend(resource::render(model, entity));
        GeneratedFile::new(format!("generated/src/{module}.rs"), format(entity::render(model, entity, &repository)))
    }));
    let modules: Vec<(String, String)> =
        model.entities.iter().map(|e| (module_name(&e.name), e.name.clone())).collect();
    files.extend(parts::render(&modules));
    let mut link_modules = Vec::new();
    let routes = crate::api::link_routes(model);
    for link in &model.links {
        let module = module_name(&link.name);
        let directions: Vec<_> = routes.iter().filter(|r| std::ptr::eq(r.link, link)).cloned().collect();
        files.push(GeneratedFile::new(format!("generated/src/{module}.rs"), format(link::render(link, &directions))));
        link_modules.push((module, link.name.clone()));
    }
    files.push(GeneratedFile::new("generated/src/api.rs", format(server::api_module(model, &routes))));
    files.push(GeneratedFile::new("generated/src/main.rs", format(server::main_rs())));
    files.push(server::build_rs());
    let link_mods = link_modules.iter().map(|(m, _)| format_ident!("{}", m));
    let link_uses = link_modules.iter().map(|(m, l)| {
        let (m, l) = (format_ident!("{}", m), format_ident!("{}", l));
        quote! { pub use #m::#l; }
    });
    // Entity modules live in the part crates; the facade re-exports them where they always were.
    let mods = modules.iter().map(|(m, _)| {
        let (part, m) = (format_ident!("{}", parts::crate_name(parts::part_of(m))), format_ident!("{}", m));
        quote! { pub use ::#part::#m; }
    });
    let reexports = modules.iter().map(|(m, e)| {
        let (m, e) = (format_ident!("{}", m), format_ident!("{}", e));
        let (new, patch) = (format_ident!("New{}", e), format_ident!("{}Patch", e));
        let (field, filter) = (format_ident!("{}Field", e), format_ident!("{}Filter", e));
        quote! { pub use #m::{#e, #new, #patch, #field, #filter}; }
    });
    let lib = quote! {
        //! Models of every entity in model-spec/, generated.
        pub mod api;
        pub use ::generated_enums as enums;
        #(#mods)*
        pub use enums::*;
        #(#reexports)*
        #(pub mod #link_mods;)*
        #(#link_uses)*
    };
    files.push(GeneratedFile::new("generated/src/lib.rs", format(lib)));
    files
}

/// `items.map(f)` on all cores, in order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if threads < 2 || items.len() < 16 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("generator thread panicked")).collect()
    })
}

/// The workspace's `cargo fmt` must not restyle generated files (prettyplease already formats
/// them), or they would read as stale.
fn rustfmt_toml() -> GeneratedFile {
    GeneratedFile::new("generated/rustfmt.toml", format!("# {HEADER_TEXT}\ndisable_all_formatting = true\n"))
}

fn cargo_toml(model: &Model) -> GeneratedFile {
    let bin = server::binary_name(model);
    let text = format!(
        "# {HEADER_TEXT}\n[package]\nname = \"generated\"\nversion = \"0.1.0\"\n\
         description = \"Models, repositories and the API server generated from model-spec/.\"\n\
         edition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\npublish.workspace = true\n\
         default-run = \"{bin}\"\n\n[[bin]]\nname = \"{bin}\"\npath = \"src/main.rs\"\n\n\
         [dependencies]\nchrono.workspace = true\nmimalloc.workspace = true\nruntime.workspace = true\nrust_decimal.workspace = true\nserde.workspace = true\n\
         serde_json.workspace = true\nsqlx.workspace = true\nuuid.workspace = true\n{}\n[lints]\nworkspace = true\n",
        parts::dependencies()
    );
    GeneratedFile::new("generated/Cargo.toml", text)
}

/// Pretty-printed source with the static header. Generated tokens always parse; a failure is a
/// bug in this generator, not in the specs.
fn format(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("generated Rust parses");
    format!("// {HEADER_TEXT}\n\n{}", prettyplease::unparse(&file))
}
