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

/// Applies every pending migration in `dir`; returns those applied by this call.
pub async fn apply(url: &str, dir: &Path) -> Result<Vec<Applied>, MigrationFailure> {
    let migrator = Migrator::new(dir).await.map_err(MigrationFailure::Migrate)?;
    let mut conn = PgConnection::connect(url).await.map_err(MigrationFailure::Connect)?;
    let before = applied_versions(&mut conn).await;
    migrator.run(&mut conn).await.map_err(MigrationFailure::Migrate)?;
    let after = applied_versions(&mut conn).await;
    let _ = conn.close().await;
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
