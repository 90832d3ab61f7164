//! What every generated repository shares: one error type, and the mapping of database errors
//! onto it (constraint → field), so callers never parse SQL messages.

use std::fmt;

#[derive(Debug)]
pub enum RepoError {
    NotFound,
    /// The row exists but its version is not the one the caller read.
    VersionConflict {
        expected: i32,
        actual: i32,
    },
    /// A unique key was violated; `field` names the spec field(s) of that key.
    UniqueViolation {
        constraint: String,
        field: Option<String>,
    },
    /// A foreign key was violated (a missing parent, or children still present).
    ForeignKeyViolation {
        constraint: String,
        field: Option<String>,
    },
    CheckViolation {
        constraint: String,
    },
    /// Anything else; the message is for logs, never for API clients.
    Database(sqlx::Error),
}

impl fmt::Display for RepoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => write!(f, "not found"),
            Self::VersionConflict { expected, actual } => {
                write!(f, "version conflict: expected version {expected}, the row is at version {actual}")
            }
            Self::UniqueViolation { constraint, field } => {
                write!(f, "unique key {constraint} violated")?;
                field.as_ref().map_or(Ok(()), |x| write!(f, " (field {x})"))
            }
            Self::ForeignKeyViolation { constraint, field } => {
                write!(f, "foreign key {constraint} violated")?;
                field.as_ref().map_or(Ok(()), |x| write!(f, " (field {x})"))
            }
            Self::CheckViolation { constraint } => write!(f, "check constraint {constraint} violated"),
            Self::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for RepoError {}

/// Maps a sqlx error using the entity's `(constraint, field)` table.
pub fn map_error(err: sqlx::Error, constraints: &[(&str, &str)]) -> RepoError {
    let Some(db) = err.as_database_error() else {
        return match err {
            sqlx::Error::RowNotFound => RepoError::NotFound,
            other => RepoError::Database(other),
        };
    };
    let constraint = db.constraint().unwrap_or_default().to_string();
    let field = constraints.iter().find(|(c, _)| *c == constraint).map(|(_, f)| (*f).to_string());
    match db.code().as_deref() {
        Some("23505") => RepoError::UniqueViolation { constraint, field },
        Some("23503") => RepoError::ForeignKeyViolation { constraint, field },
        Some("23514") => RepoError::CheckViolation { constraint },
        _ => RepoError::Database(err),
    }
}
