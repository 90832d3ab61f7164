//! `cargo xtask check`: specs valid → generated files current → migrations replay to the specs'
//! schema → (with a URL) the live schema matches and no applied migration was edited, each
//! difference named per object. Exit 0 in sync, 1 drift, 2 cannot check.

use crate::flags::{CheckOpts, Format};
use crate::paths::resolve;
use crate::render_cache;
use crate::{block_on, EXIT_DRIFT, EXIT_ERROR, EXIT_OK};
use codegen::generate::migration::{lag, read_existing};
use codegen::generate::{check_files, FileProblem, Layout};
use codegen::schema::report::{describe, split_unmanaged, Sides, Unmanaged, BOOKKEEPING};
use codegen::schema::{live::compare_live, lower::lower, Change};
use runtime::redact::redact_url;
use serde_json::json;
use std::io::Write;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

struct LiveResult {
    url: String,
    drift: Vec<Change>,
    unmanaged: Vec<Unmanaged>,
    /// Applied migrations whose files changed or vanished since.
    tampered: Vec<String>,
}

pub fn run(opts: &CheckOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let paths = resolve(&opts.project);
    let model = match codegen::load_model(&paths.spec_dir) {
        Ok(model) => model,
        Err(diags) => {
            let _ = err.write_all(diags.render().as_bytes());
            return EXIT_ERROR;
        }
    };
    let url =
        if opts.offline { None } else { opts.database_url.clone().or_else(|| std::env::var("DATABASE_URL").ok()) };
    let migrations_dir = paths.root.join("migrations");
    // The database answers while this process renders and replays: the two overlap.
    let (file_count, file_problems, migration_problems, live) = std::thread::scope(|scope| {
        let (model, migrations_dir) = (&model, &migrations_dir);
        let live = url.as_deref().map(|url| scope.spawn(move || compare_database(model, url, migrations_dir)));
        let files = render_cache::render(model, &paths.root);
        let file_problems = check_files(&Layout::new(&paths.root), &files);
        let migration_problems = migration_lag(model, migrations_dir);
        let live = live.map(|handle| handle.join().expect("database comparison panicked"));
        (files.len(), file_problems, migration_problems, live)
    });
    let migration_problems = match migration_problems {
        Ok(problems) => problems,
        Err(message) => {
            let _ = write!(err, "{message}");
            return EXIT_ERROR;
        }
    };
    let live = match live.transpose() {
        Ok(live) => live,
        Err(message) => {
            let _ = writeln!(err, "{message}");
            return EXIT_ERROR;
        }
    };
    let counted_unmanaged = |l: &LiveResult| {
        if opts.fail_on_unmanaged {
            l.unmanaged.iter().filter(|u| u.kind != BOOKKEEPING).count()
        } else {
            0
        }
    };
    let in_sync = file_problems.is_empty()
        && migration_problems.is_empty()
        && live.as_ref().is_none_or(|l| l.tampered.is_empty())
        && live.as_ref().is_none_or(|l| l.drift.is_empty() && counted_unmanaged(l) == 0);
    let summary = model.summary();
    match opts.format {
        Format::Json => {
            let files: Vec<_> = file_problems
                .iter()
                .map(|p| match p {
                    FileProblem::Stale(path) => json!({ "path": path, "problem": "stale" }),
                    FileProblem::Missing(path) => json!({ "path": path, "problem": "missing" }),
                    FileProblem::Extra(path) => json!({ "path": path, "problem": "extra" }),
                })
                .collect();
            let database = live.as_ref().map(|l| {
                let described: Vec<_> = l
                    .drift
                    .iter()
                    .map(|c| {
                        let mut v = serde_json::to_value(c).unwrap_or_default();
                        v["message"] = json!(describe(c, Sides { expected: "spec", actual: "database" }));
                        v
                    })
                    .collect();
                json!({ "url": l.url, "schema": model.project.schema, "drift": described, "unmanaged": l.unmanaged, "tampered_migrations": l.tampered })
            });
            let report = json!({
                "status": if in_sync { "in_sync" } else { "drift" },
                "specs": { "entities": model.entities.len(), "links": model.links.len(), "enums": model.enums.len() },
                "files": files,
                "migrations": migration_problems,
                "database": database,
            });
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&report).unwrap_or_default());
        }
        Format::Human => {
            let _ = writeln!(out, "specs: {summary} — valid");
            if file_problems.is_empty() {
                let _ = writeln!(out, "generated files: up to date ({file_count} files)");
            } else {
                let _ = writeln!(out, "generated files: {} problem(s)", file_problems.len());
                for p in &file_problems {
                    let _ = writeln!(out, "  {p}");
                }
                let _ = writeln!(out, "  fix: run `cargo xtask generate` and commit the result");
            }
            if migration_problems.is_empty() {
                let _ = writeln!(out, "migrations: build the specs' schema");
            } else {
                let _ = writeln!(out, "migrations: lag the specs by {} change(s)", migration_problems.len());
                for p in &migration_problems {
                    let _ = writeln!(out, "  {p}");
                }
                let _ = writeln!(out, "  fix: run `cargo xtask generate` to write the next migration, and commit it");
            }
            if let Some(l) = &live {
                for t in &l.tampered {
                    let _ = writeln!(out, "applied {t}");
                }
                if l.drift.is_empty() {
                    let _ = writeln!(out, "database {} (schema {}): in sync", l.url, model.project.schema);
                } else {
                    let _ = writeln!(
                        out,
                        "database {} (schema {}): {} difference(s)",
                        l.url,
                        model.project.schema,
                        l.drift.len()
                    );
                    for c in &l.drift {
                        let _ = writeln!(out, "  {}", describe(c, Sides { expected: "spec", actual: "database" }));
                    }
                }
                if !l.unmanaged.is_empty() {
                    let note = if opts.fail_on_unmanaged {
                        "counted as drift (--fail-on-unmanaged), except bookkeeping"
                    } else {
                        "not counted as drift"
                    };
                    let _ = writeln!(out, "unmanaged: {} object(s) no spec describes ({note})", l.unmanaged.len());
                    for u in &l.unmanaged {
                        let _ = writeln!(out, "  {} {}", u.kind, u.name);
                    }
                }
            }
            let _ = writeln!(out, "check: {}", if in_sync { "in sync" } else { "drift found" });
        }
    }
    if in_sync {
        EXIT_OK
    } else {
        EXIT_DRIFT
    }
}

/// What `migrations/` lacks to build the specs' schema, one line per change (replayed offline).
fn migration_lag(model: &codegen::ir::Model, dir: &std::path::Path) -> Result<Vec<String>, String> {
    let existing = read_existing(dir).map_err(|e| format!("error: cannot read {}: {e}\n", dir.display()))?;
    if existing.is_empty() {
        return Ok(vec![format!("{} holds no migration", dir.display())]);
    }
    match lag(model, &existing) {
        Ok(changes) => {
            Ok(changes.iter().map(|c| describe(c, Sides { expected: "spec", actual: "migrations" })).collect())
        }
        Err(errors) => {
            let lines: String = errors.iter().map(|e| format!("{e}\n")).collect();
            Err(format!("{lines}error: cannot replay the migrations to compare them with the specs\n"))
        }
    }
}

/// The live schema against the specs', and the applied migrations against their files; Err: the
/// one-line reason the database cannot be checked.
fn compare_database(model: &codegen::ir::Model, url: &str, migrations: &std::path::Path) -> Result<LiveResult, String> {
    let expected = lower(model);
    let shown = redact_url(url);
    let (actual, changes) =
        match block_on(async { tokio::time::timeout(CONNECT_TIMEOUT, compare_live(url, &expected)).await }) {
            Ok(Ok(compared)) => compared,
            Ok(Err(e)) => {
                let reason = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
                return Err(format!("error: cannot check the database {shown}: {reason}"));
            }
            Err(_) => {
                let seconds = CONNECT_TIMEOUT.as_secs();
                return Err(format!("error: cannot check the database {shown}: no answer within {seconds}s"));
            }
        };
    let (drift, unmanaged) = split_unmanaged(changes, &actual, &model.project.ignore_tables);
    let tampered = block_on(runtime::migrate::tampered(url, migrations))
        .unwrap_or_default()
        .into_iter()
        .map(|t| format!("migration {} {}", t.version, t.problem))
        .collect();
    Ok(LiveResult { url: shown, drift, unmanaged, tampered })
}
