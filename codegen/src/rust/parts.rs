//! The generated crate in parts: the entities are spread over a fixed number of crates of their
//! own (`generated/parts/p0` …), and the enums over one more, so a change to one entity rebuilds
//! one part and the thin `generated` facade instead of every entity (rustc compiles, type-checks
//! and checks the coherence of a crate as a whole). The entity files stay in `generated/src/`;
//! each part includes its own by path, and the facade re-exports them where they always were.
//! The number of parts is fixed, so adding an entity never adds a crate (nor a `Cargo.lock` line).

use super::format;
use crate::output::{GeneratedFile, HEADER_TEXT};
use quote::{format_ident, quote};

pub const PARTS: usize = 8;

/// The part an entity's module lives in: FNV-1a of its name, stable across runs and platforms.
pub fn part_of(module: &str) -> usize {
    let hash = module.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (hash % PARTS as u64) as usize
}

/// `generated_part3`, as Rust code names the crate.
pub fn crate_name(part: usize) -> String {
    format!("generated_part{part}")
}

/// The facade's `[dependencies]` lines for the parts.
pub fn dependencies() -> String {
    let mut lines = String::from("generated-enums = { path = \"parts/enums\" }\n");
    for part in 0..PARTS {
        lines.push_str(&format!("generated-part{part} = {{ path = \"parts/p{part}\" }}\n"));
    }
    lines
}

/// The part crates' manifests and roots; `modules` are `(module, entity)` pairs.
pub fn render(modules: &[(String, String)]) -> Vec<GeneratedFile> {
    let mut files = vec![
        manifest(
            "enums",
            "generated-enums",
            "The enums of model-spec/, generated.",
            "serde.workspace = true\nsqlx.workspace = true\n",
        ),
        GeneratedFile::new(
            "generated/parts/enums/src/lib.rs",
            format(quote! {
                //! The enums of model-spec/ (their source is `generated/src/enums.rs`).
                #[path = "../../../src/enums.rs"]
                mod enums;
                pub use enums::*;
            }),
        ),
    ];
    for part in 0..PARTS {
        let mine: Vec<&(String, String)> = modules.iter().filter(|(m, _)| part_of(m) == part).collect();
        let decls = mine.iter().map(|(m, _)| {
            let path = format!("../../../src/{m}.rs");
            let m = format_ident!("{}", m);
            quote! {
                #[path = #path]
                pub mod #m;
            }
        });
        let entities = mine.iter().map(|(m, e)| {
            let (m, e) = (format_ident!("{}", m), format_ident!("{}", e));
            quote!(#m::#e)
        });
        let root = quote! {
            //! One part of the generated entities (a crate of its own, so a change rebuilds one part).
            pub use ::generated_enums as enums;
            #(#decls)*
            /// Mounts this part's entities on the API.
            pub fn routes(api: ::runtime::server::ApiRoutes) -> ::runtime::server::ApiRoutes {
                api #(.resource::<#entities>())*
            }
        };
        let dir = format!("p{part}");
        files.push(manifest(
            &dir,
            &format!("generated-part{part}"),
            "One part of the entities of model-spec/, generated.",
            "chrono.workspace = true\nruntime.workspace = true\nrust_decimal.workspace = true\nserde.workspace = true\n\
             serde_json.workspace = true\nsqlx.workspace = true\nuuid.workspace = true\n\
             generated-enums = { path = \"../enums\" }\n",
        ));
        files.push(GeneratedFile::new(format!("generated/parts/{dir}/src/lib.rs"), format(root)));
    }
    files
}

fn manifest(dir: &str, name: &str, description: &str, dependencies: &str) -> GeneratedFile {
    let text = format!(
        "# {HEADER_TEXT}\n[package]\nname = \"{name}\"\nversion = \"0.1.0\"\ndescription = \"{description}\"\n\
         edition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\npublish.workspace = true\n\n\
         [dependencies]\n{dependencies}\n[lints]\nworkspace = true\n"
    );
    GeneratedFile::new(format!("generated/parts/{dir}/Cargo.toml"), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_stable_and_spread() {
        assert_eq!(part_of("user"), part_of("user"));
        let used: std::collections::BTreeSet<usize> = (0..64).map(|i| part_of(&format!("thing{i:05}"))).collect();
        assert_eq!(used.len(), PARTS, "64 names should reach every part");
    }
}
