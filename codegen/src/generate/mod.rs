//! Every file `cargo xtask generate` writes, rendered in memory first (so a bad spec writes
//! nothing, and `check` can compare without writing).

pub mod files;
pub mod migration;
pub mod overview;

use crate::ir::Model;
pub use crate::output::{GeneratedFile, HEADER_TEXT};
pub use files::{check_files, write_files, FileProblem, Layout};

/// Every file under `generated/` for a model, with paths relative to the repository root.
/// Migrations are not among them: they are append-only (`migration::next_migration`).
pub fn render_all(model: &Model) -> Vec<GeneratedFile> {
    let mut files = vec![overview::overview(model)];
    // The contracts are one big document each: render them beside the (parallel) Rust files,
    // so the cores are not idle while one thread serializes them.
    let (rust, contracts) = std::thread::scope(|scope| {
        let contracts = scope.spawn(|| {
            let mut out = vec![crate::openapi::render(model)];
            out.extend(crate::typescript::render(model));
            out
        });
        (crate::rust::render(model), contracts.join().expect("contract generator thread panicked"))
    });
    files.extend(rust);
    files.extend(contracts);
    files
}
