//! `cargo xtask …`: the commands, as a library so tests drive exactly what users run (`serve`
//! replaces the process with the server's).
//! Exit codes: 0 success / in sync, 1 drift found, 2 could not run (bad spec, no database).

mod check;
mod flags;
mod generate;
mod import;
mod migrate;
mod new;
mod paths;
mod render_cache;
mod serve;
mod synth;
mod token;

use clap::Parser;
use std::io::Write;

pub use flags::Command;
pub use new::workspace_manifest;

pub const EXIT_OK: i32 = 0;
pub const EXIT_DRIFT: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Runs one command; `args` include the program name, as `std::env::args()` gives them.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cli = match flags::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { err.write_all(text.as_bytes()) } else { out.write_all(text.as_bytes()) };
            return code;
        }
    };
    match cli.command {
        Command::Generate(opts) => generate::run(&opts, out, err),
        Command::Check(opts) => check::run(&opts, out, err),
        Command::Migrate(opts) => migrate::run(&opts, out, err),
        Command::Serve(opts) => serve::run(&opts, err),
        Command::Import(opts) => import::run(&opts, out, err),
        Command::New(opts) => new::run(&opts, out, err),
        Command::Synth(opts) => synth::run(&opts, out, err),
        Command::Token(opts) => token::run(&opts, out, err),
    }
}

/// Runs one command with `root` as the project's root (a workspace `new` made calls this from
/// its own `cargo xtask`), instead of this repository.
pub fn run_in(root: &std::path::Path, args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    paths::set_root(root);
    run(args, out, err)
}

/// A current-thread runtime for the commands that talk to PostgreSQL.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime").block_on(future)
}
