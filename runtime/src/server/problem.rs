//! Every error the API answers with, as `application/problem+json` (RFC 9457). Repository errors
//! are mapped here, once; database messages go to the log, never into a body.

use super::rules::FieldError;
use crate::repo::RepoError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// An error response: status, title, what went wrong, and field errors for a 422.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Seconds to wait, for a 429 or 503 (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl Problem {
    /// The problem+json document.
    pub fn body(&self) -> Vec<u8> {
        let body = Body {
            kind: "about:blank",
            title: self.title(),
            status: self.status.as_u16(),
            detail: &self.detail,
            errors: &self.errors,
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }

    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self { status, detail: detail.into(), errors: Vec::new(), retry_after: None }
    }

    /// A 429 saying how long to wait.
    pub fn too_many(seconds: u64, detail: impl Into<String>) -> Self {
        Self { retry_after: Some(seconds), ..Self::new(StatusCode::TOO_MANY_REQUESTS, detail) }
    }

    /// A 503 saying how long to wait: the server sheds load it cannot take now.
    pub fn busy(seconds: u64, detail: impl Into<String>) -> Self {
        Self { retry_after: Some(seconds), ..Self::new(StatusCode::SERVICE_UNAVAILABLE, detail) }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// A 422 naming each field that is wrong (the first `wire::MAX_FIELD_ERRORS` of them).
    pub fn invalid(mut errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] if one.field.is_empty() => one.message.clone(),
            [one] => format!("{}: {}", one.field, one.message),
            many if many.len() > wire::MAX_FIELD_ERRORS => {
                format!("{} fields are invalid; the first {} are listed", many.len(), wire::MAX_FIELD_ERRORS)
            }
            many => format!("{} fields are invalid", many.len()),
        };
        errors.truncate(wire::MAX_FIELD_ERRORS);
        Self { status: StatusCode::UNPROCESSABLE_ENTITY, detail, errors, retry_after: None }
    }

    /// A failure that is the server's, not the client's: the cause is logged, not shown.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "The server could not complete the request; it has been logged.")
    }

    /// The database could not be reached (pool exhausted or server down).
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "database unavailable");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "The database is unavailable; try again shortly.")
    }

    /// Maps a repository error of an operation on `entity`. Foreign keys conflict with the
    /// database's state (409, as PostgREST answers): on create and update a missing parent, named
    /// in `errors`; on delete, rows still referencing this one.
    pub fn from_repo(err: RepoError, entity: &str, writing: bool) -> Self {
        match err {
            RepoError::NotFound => Self::not_found(format!("No {entity} with this key.")),
            RepoError::VersionConflict { expected, actual } => Self::conflict(format!(
                "The {entity} was changed by someone else: you sent version {expected}, it is at version {actual}. \
                 Read it again and retry."
            )),
            RepoError::UniqueViolation { field, .. } => Self::conflict(match field {
                Some(f) => format!("Another {entity} already has this {}.", f.replace(',', ", ")),
                None => format!("Another {entity} already has these values."),
            }),
            RepoError::ForeignKeyViolation { field, .. } if writing => {
                let field = field.unwrap_or_default();
                let detail = format!("{}: refers to a row that does not exist", field.replace(',', ", "));
                let errors = vec![FieldError::new(field, "refers to a row that does not exist")];
                Self { errors, ..Self::conflict(detail) }
            }
            RepoError::ForeignKeyViolation { .. } => {
                Self::conflict(format!("Other rows still refer to this {entity}; delete or change them first."))
            }
            RepoError::CheckViolation { constraint, field } => {
                Self::invalid(vec![match field {
                    Some(field) => FieldError::new(field, format!("breaks the rule {constraint}")),
                    None => FieldError::new("", format!("The values break the rule {constraint}.")),
                }])
            }
            // The row is valid; the table has no place for it yet (as for a missing parent row).
            RepoError::NoPartition => Self::conflict(format!(
                "No partition of the {entity} table holds these values; one must be added before such rows can be stored."
            )),
            RepoError::Cancelled => Self::busy(
                QUERY_RETRY_SECONDS,
                "The query ran past the server's time limit; narrow it (filters, limit) or retry later.",
            ),
            RepoError::Database(e) => match data_exception(&e) {
                Some(detail) => Self::invalid(vec![FieldError::new("", detail)]),
                // The connection broke (the server restarted, say): the pool replaces it; retry.
                None if matches!(e, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed) => {
                    Self::unavailable(&e)
                }
                None => Self::internal(&e),
            },
        }
    }

    fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }
}

/// How long a client whose query was cut off by the statement timeout is asked to wait.
const QUERY_RETRY_SECONDS: u64 = 5;

/// PostgreSQL's class 22 (data exception: a value out of range, a bad encoding …) is a value the
/// client sent that validation let through; it is the client's error, in words of our own.
fn data_exception(err: &sqlx::Error) -> Option<&'static str> {
    let code = err.as_database_error()?.code()?;
    code.starts_with("22").then_some("A value is out of range or not valid for its column.")
}

#[derive(serde::Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
