//! What every generated repository shares: one error type, and the mapping of database errors
//! onto it (constraint → field), so callers never parse SQL messages.

use std::fmt;
use wire::Version;

/// An identifier as SQL text, by PostgreSQL's rule: double-quoted, an embedded quote doubled.
/// Every statement the runtime builds from names (the owner lock, login) quotes through this.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[derive(Debug)]
pub enum RepoError {
    NotFound,
    /// The row exists but its version is not the one the caller read.
    VersionConflict {
        expected: Version,
        actual: Version,
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
    /// A CHECK was violated; `field` names the one field it is about, when it is about one.
    CheckViolation {
        constraint: String,
        field: Option<String>,
    },
    /// A partitioned table has no partition for the row (a partition must be added first).
    NoPartition,
    /// The statement was cancelled (by `statement_timeout`); nothing it did is kept.
    Cancelled,
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
            Self::CheckViolation { constraint, .. } => write!(f, "check constraint {constraint} violated"),
            Self::NoPartition => write!(f, "no partition holds the row"),
            Self::Cancelled => write!(f, "the statement was cancelled"),
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
        // PostgreSQL reports a row no partition takes as a check violation naming no constraint
        // (every CHECK and domain constraint has a name).
        Some("23514") if constraint.is_empty() => RepoError::NoPartition,
        Some("23514") => RepoError::CheckViolation { constraint, field },
        Some("57014") => RepoError::Cancelled,
        _ => RepoError::Database(err),
    }
}

pub use wire::MAX_LIMIT;

/// A comparison on one column; the value is always a bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmp<T> {
    Eq(T),
    Neq(T),
    Lt(T),
    Lte(T),
    Gt(T),
    Gte(T),
    In(Vec<T>),
    /// SQL LIKE on the column's text.
    Like(String),
    /// Case-insensitive LIKE on the column's text.
    ILike(String),
    IsNull,
    IsNotNull,
}

/// Limit, offset, order and filters of a list call; `F` names the entity's fields.
#[derive(Debug, Clone)]
pub struct ListQuery<Field, Filter> {
    pub limit: i64,
    pub offset: i64,
    /// `(field, descending)`, applied in order; the primary key always breaks ties.
    pub order: Vec<(Field, bool)>,
    /// All must hold.
    pub filters: Vec<Filter>,
    /// Nearest first by a vector distance, instead of `order`.
    pub nearest: Option<Nearest>,
}

/// A list ordered by distance to a vector: `ORDER BY column <op> $n`, which an HNSW or IVFFlat
/// index of the metric's operator class serves.
#[derive(Debug, Clone)]
pub struct Nearest {
    /// The column, quoted.
    pub column: String,
    /// pgvector's operator (`wire::Metric::operator`).
    pub operator: &'static str,
    pub vector: pgvector::Vector,
}

impl<Field, Filter> Default for ListQuery<Field, Filter> {
    fn default() -> Self {
        Self { limit: wire::DEFAULT_LIMIT, offset: 0, order: Vec::new(), filters: Vec::new(), nearest: None }
    }
}

type Builder<'q> = sqlx::QueryBuilder<'q, sqlx::Postgres>;

/// Appends `column <op> $n` (or `IS NULL` …) to a WHERE clause being built.
pub fn push_cmp<'q, T>(q: &mut Builder<'q>, column: &str, cmp: Cmp<T>)
where
    T: 'q + sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + sqlx::postgres::PgHasArrayType + Send,
{
    let op = match &cmp {
        Cmp::Eq(_) => " = ",
        Cmp::Neq(_) => " <> ",
        Cmp::Lt(_) => " < ",
        Cmp::Lte(_) => " <= ",
        Cmp::Gt(_) => " > ",
        Cmp::Gte(_) => " >= ",
        Cmp::In(_) => " = ANY(",
        Cmp::Like(_) => "::text LIKE ",
        Cmp::ILike(_) => "::text ILIKE ",
        Cmp::IsNull => " IS NULL",
        Cmp::IsNotNull => " IS NOT NULL",
    };
    q.push(column).push(op);
    match cmp {
        Cmp::Eq(v) | Cmp::Neq(v) | Cmp::Lt(v) | Cmp::Lte(v) | Cmp::Gt(v) | Cmp::Gte(v) => {
            q.push_bind(v);
        }
        Cmp::In(values) => {
            q.push_bind(values).push(")");
        }
        Cmp::Like(pattern) | Cmp::ILike(pattern) => {
            q.push_bind(pattern);
        }
        Cmp::IsNull | Cmp::IsNotNull => {}
    }
}

/// Appends ORDER BY (the requested columns, then the key for a stable page; or the distance
/// alone, which the vector index orders by), LIMIT and OFFSET.
pub fn push_order_and_page<'q>(
    q: &mut Builder<'q>,
    order: &[(&str, bool)],
    key: &str,
    nearest: Option<Nearest>,
    limit: i64,
    offset: i64,
) {
    q.push(" ORDER BY ");
    if let Some(nearest) = nearest {
        q.push(&nearest.column).push(format!(" {} ", nearest.operator)).push_bind(nearest.vector);
    } else {
        for (column, descending) in order {
            q.push(*column).push(if *descending { " DESC, " } else { " ASC, " });
        }
        q.push(key);
    }
    // Literals, not parameters: with a bound LIMIT the cached generic plan of a prepared statement
    // cannot use the bound at planning time (about 30% slower per list in PostgreSQL; integers
    // are safe to inline).
    q.push(" LIMIT ").push(limit.clamp(0, MAX_LIMIT));
    q.push(" OFFSET ").push(offset.max(0));
}

// Execution lives here, generic, so each generated repository method is a query built from
// constants plus one call: the generated crate then type-checks no sqlx executor chains, which
// dominated its compile time (type checking and borrow checking of 200 entities' async fns).

/// A row type the generated models implement (via `sqlx::FromRow`).
pub trait Row: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin {}
impl<T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin> Row for T {}

/// A value that binds as one parameter.
pub trait Param: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send {}
impl<T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send> Param for T {}

type Constraints = &'static [(&'static str, &'static str)];

/// The one row `sql` selects with `key` bound as `$1`; `NotFound` when there is none.
pub async fn fetch_by<T: Row, K: Param>(
    conn: &mut sqlx::PgConnection,
    sql: &'static str,
    key: K,
    constraints: Constraints,
) -> Result<T, RepoError> {
    sqlx::query_as::<_, T>(sql)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| map_error(e, constraints))?
        .ok_or(RepoError::NotFound)
}

type Arguments = sqlx::postgres::PgArguments;

/// The one row a bound SELECT returns (a key's parts bound); `NotFound` when there is none.
pub async fn fetch_bound<T: Row>(
    conn: &mut sqlx::PgConnection,
    query: sqlx::query::QueryAs<'_, sqlx::Postgres, T, Arguments>,
    constraints: Constraints,
) -> Result<T, RepoError> {
    query.fetch_optional(&mut *conn).await.map_err(|e| map_error(e, constraints))?.ok_or(RepoError::NotFound)
}

/// Runs a bound DELETE; `NotFound` when no row went.
pub async fn delete_bound(
    conn: &mut sqlx::PgConnection,
    query: sqlx::query::Query<'_, sqlx::Postgres, Arguments>,
    constraints: Constraints,
) -> Result<(), RepoError> {
    let done = query.execute(&mut *conn).await.map_err(|e| map_error(e, constraints))?;
    if done.rows_affected() == 0 {
        return Err(RepoError::NotFound);
    }
    Ok(())
}

/// The row an INSERT … RETURNING gives back.
pub async fn insert_returning<T: Row>(
    conn: &mut sqlx::PgConnection,
    query: sqlx::query::QueryAs<'_, sqlx::Postgres, T, sqlx::postgres::PgArguments>,
    constraints: Constraints,
) -> Result<T, RepoError> {
    query.fetch_one(&mut *conn).await.map_err(|e| map_error(e, constraints))
}

/// Every row a built SELECT returns.
pub async fn fetch_all_built<T: Row>(
    conn: &mut sqlx::PgConnection,
    mut q: Builder<'_>,
    constraints: Constraints,
) -> Result<Vec<T>, RepoError> {
    q.build_query_as::<T>().fetch_all(&mut *conn).await.map_err(|e| map_error(e, constraints))
}

/// Appends `, column = $n` (or just `column = $n` for the first assignment) to an UPDATE's SET.
pub fn push_set<'q, V>(q: &mut Builder<'q>, first: &mut bool, assignment: &'static str, value: V, cast: &'static str)
where
    V: 'q + sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
{
    if !std::mem::take(first) {
        q.push(", ");
    }
    q.push(assignment).push_bind(value).push(cast);
}

/// Runs a built UPDATE … RETURNING. Without a version: `NotFound` when no row matched. With
/// one (`WHERE key = $ AND version = $`): no match means the version moved on
/// (`VersionConflict`, with the version the bound `current` query reads) or the row is gone
/// (`NotFound`).
pub async fn finish_update<'q, T: Row>(
    conn: &mut sqlx::PgConnection,
    mut q: Builder<'q>,
    locking: Option<(sqlx::query::QueryScalar<'q, sqlx::Postgres, Version, Arguments>, Version)>,
    constraints: Constraints,
) -> Result<T, RepoError> {
    let updated = q.build_query_as::<T>().fetch_optional(&mut *conn).await.map_err(|e| map_error(e, constraints))?;
    if let Some(row) = updated {
        return Ok(row);
    }
    let Some((current, expected)) = locking else {
        return Err(RepoError::NotFound);
    };
    // `current` reads the column as bigint, whatever integer type the spec gave it.
    let current: Option<Version> = current.fetch_optional(&mut *conn).await.map_err(|e| map_error(e, constraints))?;
    Err(match current {
        Some(actual) => RepoError::VersionConflict { expected, actual },
        None => RepoError::NotFound,
    })
}
