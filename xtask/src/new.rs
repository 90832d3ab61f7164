//! `cargo xtask new DIR --database-url URL`: a project of the user's own from their database, laid
//! out like this repository — specs imported, `generate` run, `check` proving the specs describe
//! the database exactly, and the first migration recorded as applied there without running it
//! (a baseline, as `prisma migrate resolve --applied` or Atlas's baseline does), so `migrate` and
//! `serve` start from the database as it is. The workspace depends on this repository's crates by
//! path; its own `cargo xtask` runs these same commands with itself as the root.

use crate::flags::{CheckOpts, Format, GenerateOpts, ImportOpts, NewOpts, Project};
use crate::paths::{is_empty_or_absent, this_repository};
use crate::{block_on, EXIT_ERROR, EXIT_OK};
use runtime::redact::redact_url;
use std::io::Write;
use std::path::Path;

pub fn run(opts: &NewOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let dir = &opts.dir;
    if !is_empty_or_absent(dir) {
        let _ =
            writeln!(err, "error: {} exists and is not empty; new writes into a new or empty directory", dir.display());
        return EXIT_ERROR;
    }
    let Some(url) = opts.database_url.clone().or_else(|| std::env::var("DATABASE_URL").ok()) else {
        let _ = writeln!(err, "error: no database: pass --database-url URL or set DATABASE_URL");
        return EXIT_ERROR;
    };
    // A database that records migrations already has a project; a baseline would lie about it.
    match block_on(runtime::migrate::recorded(&url)) {
        Ok(0) => {}
        Ok(n) => {
            let _ = writeln!(
                err,
                "error: {} already records {n} applied migration(s) in _sqlx_migrations: it has a project; \
                 new is for a database no migrations made",
                redact_url(&url)
            );
            return EXIT_ERROR;
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e} ({})", redact_url(&url));
            return EXIT_ERROR;
        }
    }
    let import = ImportOpts {
        database_url: Some(url.clone()),
        spec_dir: dir.join("model-spec"),
        schema: opts.schema.clone(),
        tables: opts.tables.clone(),
    };
    let code = crate::import::run(&import, out, err);
    if code != EXIT_OK {
        return code;
    }
    if let Err(e) = write_workspace(dir, &redact_url(&url)) {
        let _ = writeln!(err, "error: cannot write the workspace in {}: {e}", dir.display());
        return EXIT_ERROR;
    }
    let project = || Project { spec_dir: None, root: Some(dir.clone()) };
    let generate = GenerateOpts { project: project(), allow_data_loss: false, database_url: None };
    let code = crate::generate::run(&generate, out, err);
    if code != EXIT_OK {
        return code;
    }
    // The baseline says "the database already is what migration 1 builds": only true when check
    // finds nothing between them.
    let check = CheckOpts {
        project: project(),
        database_url: Some(url.clone()),
        offline: false,
        format: Format::Human,
        fail_on_unmanaged: false,
    };
    let code = crate::check::run(&check, out, err);
    if code != EXIT_OK {
        let _ = writeln!(
            err,
            "error: the imported specs do not describe the database exactly (above), so no baseline was recorded; \
             the workspace in {} is written",
            dir.display()
        );
        return code;
    }
    match block_on(runtime::migrate::baseline(&url, &dir.join("migrations"))) {
        Ok(versions) => {
            let _ = writeln!(
                out,
                "new: {} is a workspace for {}; migration(s) {} recorded as applied there (nothing was run)",
                dir.display(),
                redact_url(&url),
                versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            );
            let _ = writeln!(out, "next: cd {} && DATABASE_URL=… cargo xtask serve", dir.display());
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e} ({})", redact_url(&url));
            EXIT_ERROR
        }
    }
}

/// The workspace around the specs: its manifest (this repository's dependency versions, its
/// crates by path), the lock file (the same versions, so it builds offline), a `cargo xtask`
/// of its own, and a README.
fn write_workspace(dir: &Path, database: &str) -> std::io::Result<()> {
    let ours = this_repository();
    let write = |path: &str, text: &str| -> std::io::Result<()> {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a file in the workspace"))?;
        std::fs::write(path, text)
    };
    write("Cargo.toml", &workspace_manifest(&["generated", "xtask"])?)?;
    std::fs::copy(ours.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    write(".cargo/config.toml", "[alias]\nxtask = \"run --quiet --package tasks --\"\n")?;
    write(".gitignore", "/target\n")?;
    write("xtask/Cargo.toml", TASKS_MANIFEST)?;
    write("xtask/src/main.rs", TASKS_MAIN)?;
    write("README.md", &readme(dir, database))?;
    Ok(())
}

/// This repository's manifest for a workspace elsewhere with these members: the same dependency
/// versions and profiles, and every path dependency pointing back here (`codegen`, `runtime`,
/// `wire`, and `xtask` for the project's own commands).
pub fn workspace_manifest(members: &[&str]) -> std::io::Result<String> {
    let ours = this_repository();
    let manifest = std::fs::read_to_string(ours.join("Cargo.toml"))?;
    let members: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    let mut text = String::new();
    for line in manifest.lines() {
        if line.starts_with("members = ") {
            text.push_str(&format!("members = [{}]\n", members.join(", ")));
        } else if let Some((head, rest)) = line.split_once("path = \"") {
            text.push_str(&format!("{head}path = \"{}/{rest}\n", ours.display()));
        } else {
            text.push_str(line);
            text.push('\n');
            if line == "[workspace.dependencies]" {
                text.push_str(&format!("# The commands (`cargo xtask …`) of the repository this project was made by.\nxtask = {{ path = \"{}/xtask\" }}\n", ours.display()));
            }
        }
    }
    Ok(text)
}

const TASKS_MANIFEST: &str = r#"[package]
name = "tasks"
version = "0.1.0"
description = "cargo xtask generate / check / migrate / serve for this project."
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[dependencies]
xtask.workspace = true
"#;

const TASKS_MAIN: &str = r#"//! `cargo xtask …` with this workspace as the project root.

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ sits in the workspace");
    let args: Vec<String> = std::env::args().collect();
    std::process::exit(xtask::run_in(root, &args, &mut std::io::stdout(), &mut std::io::stderr()));
}
"#;

fn readme(dir: &Path, database: &str) -> String {
    let name = dir.file_name().map_or_else(|| "app".to_string(), |n| n.to_string_lossy().into_owned());
    format!(
        "# {name}\n\n\
         Made by `cargo xtask new` from the database {database}: the specs in `model-spec/` describe it\n\
         (`cargo xtask import`), `migrations/0001_init` builds it from nothing and is recorded there as\n\
         applied, and `generated/` holds the Rust models, repositories, API server, OpenAPI document and\n\
         TypeScript SDK generated from the specs.\n\n\
         ## Two commands\n\n\
         ```sh\n\
         export DATABASE_URL=postgres://…            # the database above\n\
         cargo xtask check                         # specs, generated code, migrations and the database agree\n\
         cargo xtask serve                         # the REST API on 127.0.0.1:8080 (OpenAPI at /openapi.json)\n\
         ```\n\n\
         Edit a spec, then `cargo xtask generate` writes the next migration and the code; `cargo xtask\n\
         migrate` applies it (so does `serve` at start-up). The commands come from the repository this\n\
         project was made by, through the `xtask` path dependency in `Cargo.toml`; the spec language is\n\
         described in its `model-spec/README.md`.\n"
    )
}
