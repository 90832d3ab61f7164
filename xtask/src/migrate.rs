//! `cargo xtask migrate`: apply pending migrations to a database.

use crate::flags::MigrateOpts;
use crate::paths::repo_root;
use crate::{block_on, EXIT_ERROR, EXIT_OK};
use runtime::redact::redact_url;
use std::io::Write;

pub fn run(opts: &MigrateOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(url) = opts.database_url.clone().or_else(|| std::env::var("DATABASE_URL").ok()) else {
        let _ = writeln!(err, "error: no database: pass --database-url URL or set DATABASE_URL");
        return EXIT_ERROR;
    };
    let dir = opts.migrations.clone().unwrap_or_else(|| repo_root().join("migrations"));
    match block_on(runtime::migrate::apply(&url, &dir)) {
        Ok(applied) if applied.is_empty() => {
            let _ = writeln!(out, "migrate: {} is up to date", redact_url(&url));
            EXIT_OK
        }
        Ok(applied) => {
            for m in &applied {
                let _ = writeln!(out, "applied {} {}", m.version, m.description);
            }
            let _ = writeln!(out, "migrate: {} migration(s) applied to {}", applied.len(), redact_url(&url));
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: {} ({})", e, redact_url(&url));
            EXIT_ERROR
        }
    }
}
