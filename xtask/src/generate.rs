//! `cargo xtask generate`: validate every spec, render every file in memory, then write.

use crate::flags::GenerateOpts;
use crate::paths::resolve;
use crate::{EXIT_ERROR, EXIT_OK};
use codegen::generate::{render_all, write_files, Layout};
use std::io::Write;

pub fn run(opts: &GenerateOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let paths = resolve(&opts.project);
    let model = match codegen::load_model(&paths.spec_dir) {
        Ok(model) => model,
        Err(diags) => {
            let _ = err.write_all(diags.render().as_bytes());
            return EXIT_ERROR;
        }
    };
    let files = render_all(&model);
    match write_files(&Layout::new(&paths.root), &files) {
        Ok(summary) => {
            for path in &summary.written {
                let _ = writeln!(out, "wrote   {path}");
            }
            for path in &summary.removed {
                let _ = writeln!(out, "removed {path}");
            }
            let _ = writeln!(
                out,
                "generate: {} entities, {} links, {} enums; {} file(s) written, {} removed, {} unchanged",
                model.entities.len(),
                model.links.len(),
                model.enums.len(),
                summary.written.len(),
                summary.removed.len(),
                summary.unchanged
            );
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: cannot write generated files under {}: {e}", paths.root.display());
            EXIT_ERROR
        }
    }
}
