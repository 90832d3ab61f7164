//! `cargo xtask serve`: builds and runs the generated API server (`generated`'s binary), handing
//! it the terminal and the process, so SIGTERM and Ctrl-C reach the server itself.

use crate::flags::ServeOpts;
use crate::paths::repo_root;
use crate::EXIT_ERROR;
use std::io::Write;
use std::process::Command;

pub fn run(opts: &ServeOpts, err: &mut dyn Write) -> i32 {
    let database_url = opts.database_url.clone().or_else(|| std::env::var("DATABASE_URL").ok());
    if database_url.as_deref().is_none_or(str::is_empty) {
        let _ = writeln!(err, "error: no database: pass --database-url URL or set DATABASE_URL");
        return EXIT_ERROR;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(repo_root()).args(["run", "--quiet", "--package", "generated"]);
    if opts.release {
        command.arg("--release");
    }
    command.arg("--");
    if opts.no_migrate {
        command.arg("--no-migrate");
    }
    command.env("DATABASE_URL", database_url.unwrap_or_default());
    if let Some(bind) = &opts.bind {
        command.env("BIND_ADDR", bind);
    }
    exec(command, err)
}

#[cfg(unix)]
fn exec(mut command: Command, err: &mut dyn Write) -> i32 {
    use std::os::unix::process::CommandExt;
    let e = command.exec(); // returns only on failure
    let _ = writeln!(err, "error: cannot run cargo: {e}");
    EXIT_ERROR
}

#[cfg(not(unix))]
fn exec(mut command: Command, err: &mut dyn Write) -> i32 {
    match command.status() {
        Ok(status) => status.code().unwrap_or(EXIT_ERROR),
        Err(e) => {
            let _ = writeln!(err, "error: cannot run cargo: {e}");
            EXIT_ERROR
        }
    }
}
