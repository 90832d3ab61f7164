//! A project other than VBWD, end to end: its specs generated into a workspace of its own (the
//! generated crate alone, built against this repository's `runtime` by path, with the same
//! dependency versions and profiles), compiled, and its server binary run on a real database.
//! The crates build into one target directory under `target/`, so a second run only rebuilds
//! what changed.

use crate::{repo_root, xtask, TempDir};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Project {
    dir: TempDir,
    /// The server binary's name (`<project>-api`).
    pub binary: String,
}

impl Project {
    /// Generates `spec_dir` into a fresh workspace; panics with the tool's output on failure.
    pub fn generate(label: &str, spec_dir: &Path, binary: &str) -> Self {
        let dir = TempDir::new(label);
        let root = repo_root();
        let manifest = xtask::workspace_manifest(&["generated"]).expect("workspace manifest");
        std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("manifest");
        std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).expect("lock file");
        crate::copy_dir(spec_dir, &dir.path().join("model-spec"));
        let run = xtask(&["generate", "--root", &dir.path().display().to_string()]);
        assert_eq!(run.code, 0, "generate failed for {}: {run:?}", spec_dir.display());
        Self { dir, binary: binary.to_string() }
    }

    /// A workspace already written into `dir` (by `cargo xtask new`); its binary's name is read
    /// from the generated crate's manifest.
    pub fn adopt(dir: TempDir) -> Self {
        let manifest = std::fs::read_to_string(dir.path().join("generated/Cargo.toml")).expect("the generated crate");
        let binary = manifest
            .split("[[bin]]")
            .nth(1)
            .and_then(|bin| bin.lines().find_map(|l| l.strip_prefix("name = \"")))
            .and_then(|rest| rest.strip_suffix('"'))
            .expect("a [[bin]] name")
            .to_string();
        Self { dir, binary }
    }

    /// Runs `cargo <args>` in the workspace, sharing the projects' target directory.
    pub fn cargo(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        Command::new(env!("CARGO"))
            .args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", repo_root().join("target").join("projects"))
            .envs(env.iter().copied())
            .output()
            .expect("run cargo")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Builds the generated crate and its binary (debug); returns the binary's path.
    pub fn build(&self) -> PathBuf {
        let target = repo_root().join("target").join("projects");
        let output = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--offline", "-p", "generated"])
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("run cargo build");
        assert!(
            output.status.success(),
            "the generated crate of {} does not build:\n{}",
            self.path().display(),
            String::from_utf8_lossy(&output.stderr)
        );
        target.join("debug").join(&self.binary)
    }

    /// Starts the binary on `database_url` (migrations applied at start-up) and waits until it
    /// is ready; the server stops when the returned value is dropped.
    pub fn serve(&self, binary: &Path, database_url: &str, jwt_secret: &str) -> Served {
        self.serve_with(binary, database_url, jwt_secret, &[])
    }

    /// [`Project::serve`] with more environment (`SHUTDOWN_GRACE_MS`, say).
    pub fn serve_with(&self, binary: &Path, database_url: &str, jwt_secret: &str, env: &[(&str, &str)]) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(binary)
            .env("DATABASE_URL", database_url)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", jwt_secret)
            .env("LOG_LEVEL", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the server");
        let served = Served { child, base: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready(port) {
            assert!(Instant::now() < deadline, "{} never became ready on port {port}", binary.display());
            std::thread::sleep(Duration::from_millis(100));
        }
        served
    }
}

/// Whether `/readyz` answers 200 (a raw HTTP/1.0 request: no client needed outside async).
fn ready(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n").is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

/// A running server binary.
pub struct Served {
    child: Child,
    pub base: String,
}

impl Served {
    /// The server's peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_memory(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("the server's status");
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM in /proc/<pid>/status");
        let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmHWM in kB");
        kib * 1024
    }

    /// Sends SIGTERM, as an orchestrator does, and waits up to `patience` for the process to exit:
    /// how it exited and how long it took, or None if it is still running.
    pub fn terminate(&mut self, patience: Duration) -> Option<(std::process::ExitStatus, Duration)> {
        let started = Instant::now();
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        while started.elapsed() < patience {
            if let Some(status) = self.child.try_wait().expect("the server's state") {
                return Some((status, started.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
