//! A throwaway PostgreSQL cluster for machines without a reachable `DATABASE_URL`: `initdb` into
//! a temporary directory, `pg_ctl start` on a free port, and a watchdog that stops it and removes
//! the directory when the test process exits.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn start() -> Result<String, String> {
    let bin = find_bin_dir().ok_or("no initdb/pg_ctl on PATH or under /usr/lib/postgresql/*/bin")?;
    start_with(&bin, "pg-test")
}

/// A throwaway cluster from the server binaries in `bin`, in a temporary directory named after
/// `label` and this process.
pub fn start_with(bin: &Path, label: &str) -> Result<String, String> {
    let bin = bin.to_path_buf();
    let as_root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let dir = std::env::temp_dir().join(format!("{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // PostgreSQL refuses to run as root: hand the directory to the `postgres` user then.
    let runner: Vec<String> = if as_root {
        run(Command::new("chown").args(["postgres:postgres", &dir.to_string_lossy()]))?;
        vec!["runuser".into(), "-u".into(), "postgres".into(), "--".into()]
    } else {
        Vec::new()
    };
    let data = dir.join("data");
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let tool = |name: &str| -> Command {
        let path = bin.join(name).to_string_lossy().into_owned();
        let mut cmd = Command::new(runner.first().map_or(path.as_str(), String::as_str));
        cmd.args(runner.iter().skip(1));
        if !runner.is_empty() {
            cmd.arg(&path);
        }
        cmd
    };
    run(tool("initdb").args([
        "-D",
        &data.to_string_lossy(),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
    ]))?;
    let options = format!("-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off", dir.display());
    run(tool("pg_ctl").args([
        "-D",
        &data.to_string_lossy(),
        "-o",
        &options,
        "-l",
        &dir.join("log").to_string_lossy(),
        "-w",
        "start",
    ]))?;
    spawn_watchdog(&bin, &dir, &data, &runner);
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

fn find_bin_dir() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file());
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> =
            std::fs::read_dir("/usr/lib/postgresql").ok()?.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        versions.into_iter().rev().find(|d| d.join("initdb").is_file())
    })
}

/// Stops the cluster once this process is gone (statics are never dropped, so no Drop can do it).
fn spawn_watchdog(bin: &Path, dir: &Path, data: &Path, runner: &[String]) {
    let pg_ctl = bin.join("pg_ctl");
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {runner} {pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        runner = runner.join(" "),
        pg_ctl = pg_ctl.display(),
        data = data.display(),
        dir = dir.display(),
    );
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}
