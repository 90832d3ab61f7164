//! `cargo xtask generate`: validate every spec, render every file in memory, plan the next
//! migration (refusing data loss unless acknowledged), then write.

use crate::flags::GenerateOpts;
use crate::paths::resolve;
use crate::{block_on, EXIT_ERROR, EXIT_OK};
use codegen::generate::migration::{next_migration, read_existing, Next, Unplannable};
use codegen::generate::{write_files, Layout};
use codegen::schema::plan::Loss;
use runtime::redact::redact_url;
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
    let migrations_dir = paths.root.join("migrations");
    let existing = match read_existing(&migrations_dir) {
        Ok(existing) => existing,
        Err(e) => {
            let _ = writeln!(err, "error: cannot read {}: {e}", migrations_dir.display());
            return EXIT_ERROR;
        }
    };
    // Replaying and planning the migrations is independent of rendering: overlap them.
    let (mut files, next) = std::thread::scope(|scope| {
        let next = scope.spawn(|| next_migration(&model, &existing));
        (crate::render_cache::render(&model, &paths.root), next.join().expect("migration planner panicked"))
    });
    match next {
        Err(Unplannable::Replay(errors)) => {
            for e in &errors {
                let _ = writeln!(err, "{e}");
            }
            let _ = writeln!(err, "error: cannot replay the existing migrations, so the next one cannot be planned");
            return EXIT_ERROR;
        }
        Err(Unplannable::Refused(reasons)) => {
            for reason in &reasons {
                let _ = writeln!(err, "error: {reason}");
            }
            let _ = writeln!(err, "error: the next migration cannot be planned; nothing was written");
            return EXIT_ERROR;
        }
        Ok(Next::UpToDate) => {}
        Ok(Next::New { files: migration, losses }) => {
            if let Err(refusal) = guard(opts, &losses) {
                let _ = write!(err, "{refusal}");
                return EXIT_ERROR;
            }
            files.extend(migration);
        }
    }
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
                "generate: {}; {} file(s) written, {} removed, {} unchanged",
                model.summary(),
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

/// Changes that can lose data pass only when acknowledged, or when a database shows they touch
/// no row; the refusal lists each one and how to proceed.
fn guard(opts: &GenerateOpts, losses: &[Loss]) -> Result<(), String> {
    if losses.is_empty() || opts.allow_data_loss {
        return Ok(());
    }
    let mut refused = Vec::new();
    match &opts.database_url {
        Some(url) => {
            let counts = block_on(count_rows(url, losses))
                .map_err(|e| format!("error: cannot count the rows at risk in {}: {e}\n", redact_url(url)))?;
            for (loss, rows) in losses.iter().zip(counts) {
                if rows > 0 {
                    refused.push(format!("  {}: {} — {rows} row(s) affected", loss.what, loss.why));
                }
            }
        }
        None => refused.extend(losses.iter().map(|l| format!("  {}: {}", l.what, l.why))),
    }
    if refused.is_empty() {
        return Ok(());
    }
    let how = if opts.database_url.is_some() {
        "= help: acknowledge with --allow-data-loss (nothing was written)"
    } else {
        "= help: acknowledge with --allow-data-loss, or pass --database-url URL to count the rows at risk \
         (changes that touch no row need no acknowledgement); nothing was written"
    };
    Err(format!("error: the next migration can lose data:\n{}\n  {how}\n", refused.join("\n")))
}

async fn count_rows(url: &str, losses: &[Loss]) -> Result<Vec<i64>, String> {
    use sqlx::Connection;
    let one_line = |e: sqlx::Error| e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    let mut conn = sqlx::PgConnection::connect(url).await.map_err(one_line)?;
    let mut counts = Vec::new();
    for loss in losses {
        counts.push(sqlx::query_scalar::<_, i64>(&loss.count_sql).fetch_one(&mut conn).await.map_err(one_line)?);
    }
    Ok(counts)
}
