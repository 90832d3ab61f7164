//! Changing one's own password or login name takes the current password, so a token alone (one
//! left in a browser, say) cannot take the account over. Admins changing another's row need none.
//! Wrong current passwords are throttled per account like failed logins, so a token holder cannot
//! guess the password through this door either.

use super::limit::{limiter, Attempt};
use super::password::{blocking, verify_password, PasswordCheck};
use super::{canonical_subject, Principal};
use crate::server::entity::{Key, Resource};
use crate::server::problem::Problem;
use crate::server::rules::FieldError;
use crate::server::AppState;
use axum::http::StatusCode;
use serde_json::{Map, Value};
use sqlx::postgres::PgArguments;
use sqlx::PgConnection;

/// A current password to check before an update of one's own credentials is written.
#[derive(Debug)]
pub(in crate::server) struct Confirmation {
    given: String,
    column: &'static str,
    subject: String,
}

/// Takes the current password out of a checked update body (it is no column), and says whether
/// the update must be confirmed with it: 422 when it must and the body has none.
pub(in crate::server) fn confirmation<R: Resource>(
    who: &Principal,
    key: &R::Key,
    object: &mut Map<String, Value>,
) -> Result<Option<Confirmation>, Problem> {
    let given = R::RULES.iter().find_map(|rule| {
        let column = rule.verifies?;
        match object.remove(rule.name) {
            Some(Value::String(given)) => Some((given, column)),
            _ => None,
        }
    });
    let changed: Vec<&str> =
        R::RULES.iter().filter(|r| r.confirmed && object.contains_key(r.name)).map(|r| r.name).collect();
    let Principal::Token { subject, .. } = who else { return Ok(None) };
    let own = *subject == canonical_subject(&key.segments().concat());
    if changed.is_empty() || !own {
        return Ok(None);
    }
    match given {
        Some((given, column)) => Ok(Some(Confirmation { given, column, subject: subject.clone() })),
        None => Err(Problem::invalid(vec![FieldError::new(
            wire::CURRENT_PASSWORD_FIELD,
            format!("is required to change your own {}", changed.join(" or ")),
        )])),
    }
}

/// A confirmation counted as a wrong password until its check says otherwise.
#[derive(Debug)]
pub(in crate::server) struct Counted {
    given: String,
    column: &'static str,
    attempt: Attempt,
}

impl Confirmation {
    /// Counts the check before the update takes its connection (on a connection of its own, so the
    /// count stays when the update rolls back); 429 after too many wrong current passwords.
    pub(in crate::server) async fn count(self, app: &AppState) -> Result<Counted, Problem> {
        let Self { given, column, subject } = self;
        let mut conn = app.connection().await?;
        let counted = limiter().attempt_confirmation(&mut conn, &subject).await;
        let attempt = counted
            .map_err(|refusal| refusal.problem("Too many wrong current passwords; wait before trying again."))?;
        Ok(Counted { given, column, attempt })
    }
}

/// Checks the current password against the row's hash, in the update's transaction (the row
/// locked): 403 when it is wrong. A right one takes its count back in the same transaction.
pub(in crate::server) async fn confirm<R: Resource>(
    app: &AppState,
    conn: &mut PgConnection,
    key: &R::Key,
    counted: Counted,
) -> Result<(), Problem> {
    let Counted { given, column, attempt } = counted;
    let sql = format!("SELECT {}::text FROM {} WHERE {}", crate::repo::quote_ident(column), R::TABLE_SQL, R::KEY_SQL);
    let mut args = PgArguments::default();
    key.clone().add_to(&mut args).map_err(|e| Problem::internal(&e))?;
    let stored: Option<Option<String>> = sqlx::query_scalar_with(&sql, args)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| Problem::from_repo(crate::repo::map_error(e, &[]), R::NAME, false))?;
    let stored = stored.flatten().unwrap_or_default();
    let check = blocking(&app.hashing, move || verify_password(&given, &stored)).await?;
    if !matches!(check, PasswordCheck::Right { .. }) {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            format!("{} is not your current password.", wire::CURRENT_PASSWORD_FIELD),
        ));
    }
    limiter().refund(conn, attempt).await.map_err(|e| Problem::from_repo(crate::repo::map_error(e, &[]), R::NAME, true))
}
