//! `cargo xtask migrate`: apply pending migrations to a database.

use crate::flags::MigrateOpts;
use crate::paths::repo_root;
use crate::{block_on, EXIT_ERROR, EXIT_OK};
use runtime::redact::redact_url;
use std::io::Write;
use std::path::Path;

pub fn run(opts: &MigrateOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(url) = opts.database_url.clone().or_else(|| std::env::var("DATABASE_URL").ok()) else {
        let _ = writeln!(err, "error: no database: pass --database-url URL or set DATABASE_URL");
        return EXIT_ERROR;
    };
    let dir = opts.migrations.clone().unwrap_or_else(|| repo_root().join("migrations"));
    let applied = block_on(runtime::migrate::apply(&url, &dir));
    if applied.is_ok() {
        if let Err(e) = block_on(login_throttle(&url, &dir)) {
            let _ = writeln!(err, "error: cannot create the login throttle's table: {e} ({})", redact_url(&url));
            return EXIT_ERROR;
        }
    }
    match applied {
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

/// When the project logs in (its specs, beside the migrations, declare an identity), the table
/// the server keeps its login throttle in is created too: a server started with `--no-migrate`
/// under a role that may not create tables then finds it. Specs that do not load are `generate`'s
/// and `check`'s to report, not this command's.
async fn login_throttle(url: &str, migrations: &Path) -> Result<(), String> {
    let specs = migrations.parent().unwrap_or(Path::new(".")).join("model-spec");
    let Ok(model) = codegen::load_model(&specs) else { return Ok(()) };
    if !model.entities.iter().any(|e| e.identity.is_some()) {
        return Ok(());
    }
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.map_err(|e| e.to_string())?;
    runtime::server::prepare_login_throttle(&mut conn).await.map_err(|e| e.to_string())
}
