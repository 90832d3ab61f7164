//! `cargo xtask import`: introspect a live schema and write specs for it into a new directory
//! (`codegen::import` decides what to write). Exit 0 written (skipped objects are warnings),
//! 2 nothing written (the directory is not empty, no database, or the result would not validate).

use crate::flags::ImportOpts;
use crate::paths::is_empty_or_absent;
use crate::{block_on, EXIT_ERROR, EXIT_OK};
use codegen::import::{import, ImportOptions};
use codegen::schema::introspect::introspect_url_managed;
use runtime::redact::redact_url;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub fn run(opts: &ImportOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let dir = &opts.spec_dir;
    if !is_empty_or_absent(dir) {
        let _ = writeln!(
            err,
            "error: {} exists and is not empty; import writes into a new or empty directory, so nothing was written",
            dir.display()
        );
        return EXIT_ERROR;
    }
    let Some(url) = opts.database_url.clone().or_else(|| std::env::var("DATABASE_URL").ok()) else {
        let _ = writeln!(err, "error: no database: pass --database-url URL or set DATABASE_URL");
        return EXIT_ERROR;
    };
    let shown = redact_url(&url);
    let (project_schema, others) = opts.schema.split_first().expect("clap gives a default");
    let managed = others.iter().filter(|s| *s != project_schema).cloned().collect();
    let read = introspect_url_managed(&url, project_schema, &managed);
    let schema = match block_on(async { tokio::time::timeout(CONNECT_TIMEOUT, read).await }) {
        Ok(Ok(schema)) => schema,
        Ok(Err(e)) => {
            let reason = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = writeln!(err, "error: cannot import from the database {shown}: {reason}");
            return EXIT_ERROR;
        }
        Err(_) => {
            let _ = writeln!(
                err,
                "error: cannot import from the database {shown}: no answer within {}s",
                CONNECT_TIMEOUT.as_secs()
            );
            return EXIT_ERROR;
        }
    };
    let project = project_name(&url);
    let imported =
        import(&schema, &ImportOptions { project: &project, source: &shown, tables: opts.tables.as_deref() });
    if let Err(e) = write_all(dir, &imported.files) {
        let _ = writeln!(err, "error: cannot write {}: {e}", dir.display());
        return EXIT_ERROR;
    }
    for w in &imported.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    // The importer's output must be valid specs; say so plainly if it is not (a bug to report).
    if let Err(diags) = codegen::load_model(dir) {
        let _ = err.write_all(diags.render().as_bytes());
        let _ = writeln!(err, "error: the imported specs in {} do not validate (an import bug)", dir.display());
        return EXIT_ERROR;
    }
    let _ = writeln!(
        out,
        "import: kept {} of {} tables; wrote {} entities, {} links, {} enums from {shown} (schema {}) to {}{}",
        imported.kept,
        imported.tables,
        imported.entities,
        imported.links,
        imported.enums,
        opts.schema.join(", "),
        dir.display(),
        match imported.warnings.len() {
            0 => String::new(),
            n => format!("; {n} object(s) skipped (warnings above)"),
        }
    );
    EXIT_OK
}

fn write_all(dir: &Path, files: &[(std::path::PathBuf, String)]) -> std::io::Result<()> {
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// The database name from the URL as a project name (`[a-z0-9_-]`), else `app`.
fn project_name(url: &str) -> String {
    let path = url.split_once("://").map_or("", |(_, rest)| rest);
    let database = path.split_once('/').map_or("", |(_, db)| db).split(['?', '#']).next().unwrap_or_default();
    let name: String = database
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    if name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name
    } else {
        "app".into()
    }
}

#[cfg(test)]
mod tests {
    use super::project_name;

    #[test]
    fn project_names_come_from_the_database() {
        assert_eq!(project_name("postgres://u:pw@h:5432/VBWD?sslmode=disable"), "vbwd");
        assert_eq!(project_name("postgres://h"), "app");
        assert_eq!(project_name("postgres://h/1db"), "app");
    }
}
