//! Applies `migrations/` with sqlx's migrator: each migration in a transaction, under
//! PostgreSQL's advisory lock (so concurrent runs apply each migration once), with checksums
//! (so an edited, already-applied migration is refused).

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::PgConnection;
use sqlx::Connection;
use std::path::Path;

#[derive(Debug)]
pub struct Applied {
    pub version: i64,
    pub description: String,
}

#[derive(Debug)]
pub enum MigrationFailure {
    /// The database could not be reached at all.
    Connect(sqlx::Error),
    /// Reading, checking or applying migrations failed.
    Migrate(MigrateError),
}

impl std::fmt::Display for MigrationFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Connect(e) => write!(f, "cannot connect to the database: {}", one_line(&e.to_string())),
            Self::Migrate(e) => write!(f, "migration failed: {}", one_line(&e.to_string())),
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An advisory-lock key of our own ("vbwd" in ASCII), distinct from the one sqlx takes.
const REPORT_LOCK: i64 = 0x7662_7764;

/// Applies every pending migration in `dir`; returns those applied by this call.
pub async fn apply(url: &str, dir: &Path) -> Result<Vec<Applied>, MigrationFailure> {
    let migrator = Migrator::new(dir).await.map_err(MigrationFailure::Migrate)?;
    let mut conn = PgConnection::connect(url).await.map_err(MigrationFailure::Connect)?;
    // sqlx locks only inside `run`; holding a lock of our own around before/run/after makes
    // "applied by this call" exact when several runs start at once.
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(REPORT_LOCK)
        .execute(&mut conn)
        .await
        .map_err(MigrationFailure::Connect)?;
    let before = applied_versions(&mut conn).await;
    let ran = migrator.run(&mut conn).await.map_err(MigrationFailure::Migrate);
    let after = applied_versions(&mut conn).await;
    let _ = conn.close().await; // ends the session, and with it the lock
    ran?;
    Ok(migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .filter(|m| after.contains(&m.version) && !before.contains(&m.version))
        .map(|m| Applied { version: m.version, description: m.description.to_string() })
        .collect())
}

async fn applied_versions(conn: &mut PgConnection) -> Vec<i64> {
    sqlx::query_scalar::<_, i64>("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(conn)
        .await
        .unwrap_or_default()
}

/// How many migrations the database records as applied (none without `_sqlx_migrations`).
pub async fn recorded(url: &str) -> Result<i64, MigrationFailure> {
    let mut conn = PgConnection::connect(url).await.map_err(MigrationFailure::Connect)?;
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut conn)
        .await
        .map_err(MigrationFailure::Connect)?;
    let count = if exists {
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .map_err(MigrationFailure::Connect)?
    } else {
        0
    };
    let _ = conn.close().await;
    Ok(count)
}

/// Records every migration in `dir` as applied without running it: a baseline for a database
/// that already is what they build (`new` has checked so). Refused when the database already
/// records migrations. Returns the versions recorded.
pub async fn baseline(url: &str, dir: &Path) -> Result<Vec<i64>, MigrationFailure> {
    use sqlx::migrate::Migrate;
    let migrator = Migrator::new(dir).await.map_err(MigrationFailure::Migrate)?;
    let mut conn = PgConnection::connect(url).await.map_err(MigrationFailure::Connect)?;
    conn.lock().await.map_err(MigrationFailure::Migrate)?;
    let recorded = async {
        conn.ensure_migrations_table().await?;
        if !conn.list_applied_migrations().await?.is_empty() {
            return Err(MigrateError::Execute(sqlx::Error::Protocol(
                "the database already records applied migrations; a baseline is for one that has none".into(),
            )));
        }
        let mut versions = Vec::new();
        for m in migrator.iter().filter(|m| !m.migration_type.is_down_migration()) {
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES ($1, $2, TRUE, $3, 0)",
            )
            .bind(m.version)
            .bind(&*m.description)
            .bind(&*m.checksum)
            .execute(&mut conn)
            .await?;
            versions.push(m.version);
        }
        Ok(versions)
    }
    .await;
    let _ = conn.unlock().await;
    let _ = conn.close().await;
    recorded.map_err(MigrationFailure::Migrate)
}

/// An applied migration whose file no longer matches what was applied, or is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tampered {
    pub version: i64,
    pub problem: String,
}

/// Applied migrations (per `_sqlx_migrations`) whose files in `dir` changed or disappeared since.
pub async fn tampered(url: &str, dir: &Path) -> Result<Vec<Tampered>, MigrationFailure> {
    let migrator = Migrator::new(dir).await.map_err(MigrationFailure::Migrate)?;
    let mut conn = PgConnection::connect(url).await.map_err(MigrationFailure::Connect)?;
    let applied: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap_or_default();
    let _ = conn.close().await;
    let mut out = Vec::new();
    for (version, checksum) in applied {
        let file = migrator.iter().find(|m| m.version == version && !m.migration_type.is_down_migration());
        let problem = match file {
            None => "was applied to this database, but its file is gone".to_string(),
            Some(m) if *m.checksum != *checksum => {
                format!("{}: its file changed after it was applied (applied migrations are immutable)", m.description)
            }
            Some(_) => continue,
        };
        out.push(Tampered { version, problem });
    }
    Ok(out)
}
