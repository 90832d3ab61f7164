//! Test support: a real PostgreSQL for the suite, and a fresh database per test.
//!
//! The server comes from `DATABASE_URL` when it answers; otherwise a throwaway local cluster is
//! started with PostgreSQL's own `initdb`/`pg_ctl`; with neither, tests fail saying how to get one.

mod cluster;
pub mod conformance;
pub mod pg18;
pub mod project;
pub mod rng;
pub mod server;
pub mod tools;
mod url;

use sqlx::postgres::PgConnection;
use sqlx::{Connection, Executor};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

pub use url::with_database;

/// Runs a future to completion on a fresh current-thread runtime (tests are plain `#[test]`s,
/// because the commands they drive start runtimes of their own).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime").block_on(future)
}

/// The admin URL of the suite's PostgreSQL server.
pub fn server_url() -> &'static str {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| match find_server() {
        Ok(url) => url,
        Err(why) => panic!("{why}"),
    })
}

fn find_server() -> Result<String, String> {
    let env_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    if let Some(url) = &env_url {
        if reachable(url) {
            return Ok(url.clone());
        }
    }
    match cluster::start() {
        Ok(url) => Ok(url),
        Err(cluster_error) => Err(format!(
            "these tests need PostgreSQL and found none: {}; starting a throwaway cluster failed too: {cluster_error}. \
             Fix: set DATABASE_URL to a reachable server (e.g. postgres://postgres@127.0.0.1:5432/postgres), \
             or install PostgreSQL's server binaries (Debian: apt-get install postgresql) so tests can start their own.",
            env_url.map_or("DATABASE_URL is not set".to_string(), |u| format!("DATABASE_URL ({}) does not answer", runtime::redact::redact_url(&u)))
        )),
    }
}

fn reachable(url: &str) -> bool {
    block_on(async {
        matches!(tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(url)).await, Ok(Ok(_)))
    })
}

/// A database created for one test and dropped when the test ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
    /// The server's admin URL (it drops the database).
    admin: String,
}

impl TestDb {
    /// A new, empty database with a unique name (`t_<label>_<pid>_<n>`).
    pub fn new(label: &str) -> Self {
        Self::on(server_url(), label)
    }

    /// [`TestDb::new`] on another server (PostgreSQL 18: `pg18::server_url()`).
    pub fn on(admin: &str, label: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let label: String = label.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(30).collect();
        let name = format!("t_{}_{}_{n}_{nanos:x}", label.to_ascii_lowercase(), std::process::id());
        block_on(async {
            let mut conn = PgConnection::connect(admin).await.expect("connect to the test server");
            conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.expect("create test database");
        });
        let url = with_database(admin, &name);
        Self { name, url, admin: admin.to_string() }
    }

    /// [`TestDb::execute`], from async code.
    pub async fn execute_async(&self, sql: &str) {
        let mut conn = PgConnection::connect(&self.url).await.expect("connect to test database");
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("SQL failed: {e}\n{sql}"));
    }

    /// Runs SQL (any number of statements) in this database.
    pub fn execute(&self, sql: &str) {
        block_on(async {
            let mut conn = PgConnection::connect(&self.url).await.expect("connect to test database");
            sqlx::raw_sql(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("SQL failed: {e}\n{sql}"));
        });
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        let _ = block_on(async move {
            let mut conn = PgConnection::connect(&admin).await?;
            conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await
        });
    }
}

/// What a command printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cargo xtask <args>` in-process, exactly as the CLI would.
pub fn xtask(args: &[&str]) -> Run {
    let mut argv = vec!["xtask".to_string()];
    argv.extend(args.iter().map(|a| (*a).to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = xtask::run(&argv, &mut out, &mut err);
    Run { code, stdout: String::from_utf8_lossy(&out).into_owned(), stderr: String::from_utf8_lossy(&err).into_owned() }
}

/// The repository root (this crate lives in `<root>/tests`).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// A temporary directory removed when dropped.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("vbwd-test-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a directory tree (specs into a scratch root, say).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}
