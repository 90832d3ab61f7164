//! Tokens die with the account state they were issued for. Login and registration sign a stamp
//! of the account's password hash, role and status into the token (`sv`); a request with such a
//! token compares it with the row's stamp now (each subject's remembered for a second), so a
//! password change, a suspension or a role change ends every earlier token.

use crate::server::entity::{Key, Resource};
use crate::server::problem::Problem;
use crate::server::AppState;
use sha2::{Digest, Sha256};
use sqlx::postgres::PgArguments;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a row's stamp is reused: a change takes effect within this long.
const REMEMBERED: Duration = Duration::from_secs(1);
/// Subjects remembered at most; past it the memory starts afresh.
const CAPACITY: usize = 10_000;

/// The account state a token holds to: its password hash, role and status, hashed (the token
/// is readable by anyone who has it, so nothing of the hash itself goes in).
pub fn stamp(password: Option<&str>, roles: Option<&str>, state: Option<&str>) -> String {
    let mut hash = Sha256::new();
    for part in [password, roles, state] {
        // Absent and empty differ; a separator no value holds keeps parts apart.
        hash.update(part.map_or(&[0u8][..], str::as_bytes));
        hash.update([0xff]);
    }
    hash.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
}

pub(in crate::server) type Stamped<'a> = Pin<Box<dyn Future<Output = Result<Option<String>, Problem>> + Send + 'a>>;

/// The identity entity's current stamps.
pub(in crate::server) trait Sessions: Send + Sync + std::fmt::Debug {
    /// The stamp of `subject`'s row (read at most a second ago); None when there is no such row.
    fn current<'a>(&'a self, app: &'a AppState, subject: &'a str) -> Stamped<'a>;
    /// The stamp read now, for a token about to be issued.
    fn fresh<'a>(&'a self, app: &'a AppState, subject: &'a str) -> Stamped<'a>;
}

pub(in crate::server) struct SessionsOf<R> {
    select: String,
    remembered: Mutex<HashMap<String, (Option<String>, Instant)>>,
    entity: std::marker::PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for SessionsOf<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionsOf").field("select", &self.select).finish_non_exhaustive()
    }
}

impl<R: Resource> SessionsOf<R> {
    /// `select` reads the password, role and status as text for the key bound as `$1…`.
    pub fn new(select: String) -> Self {
        Self { select, remembered: Mutex::default(), entity: std::marker::PhantomData }
    }

    async fn read(&self, app: &AppState, subject: &str) -> Result<Option<String>, Problem> {
        let Some(key) = R::Key::from_segments(&[subject.to_string()]) else {
            return Ok(None);
        };
        let mut args = PgArguments::default();
        key.add_to(&mut args).map_err(|e| Problem::internal(&e))?;
        let mut conn = app.connection().await?;
        let row: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as_with(&self.select, args)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| Problem::from_repo(crate::repo::map_error(e, &[]), R::NAME, false))?;
        Ok(row.map(|(password, roles, state)| stamp(password.as_deref(), roles.as_deref(), state.as_deref())))
    }
}

impl<R: Resource> Sessions for SessionsOf<R> {
    fn current<'a>(&'a self, app: &'a AppState, subject: &'a str) -> Stamped<'a> {
        Box::pin(async move {
            let now = Instant::now();
            let known = self.remembered.lock().ok().and_then(|memory| memory.get(subject).cloned());
            if let Some((stamp, _)) = known.filter(|(_, at)| now.duration_since(*at) < REMEMBERED) {
                return Ok(stamp);
            }
            self.fresh(app, subject).await
        })
    }

    fn fresh<'a>(&'a self, app: &'a AppState, subject: &'a str) -> Stamped<'a> {
        Box::pin(async move {
            let now = Instant::now();
            let stamp = self.read(app, subject).await?;
            if let Ok(mut memory) = self.remembered.lock() {
                if memory.len() >= CAPACITY {
                    memory.clear();
                }
                memory.insert(subject.to_string(), (stamp.clone(), now));
            }
            Ok(stamp)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::stamp;

    #[test]
    fn any_change_of_password_role_or_status_changes_the_stamp() {
        let base = stamp(Some("$argon2id$a"), Some("USER"), Some("ACTIVE"));
        assert_eq!(base.len(), 24);
        assert_eq!(base, stamp(Some("$argon2id$a"), Some("USER"), Some("ACTIVE")), "stable");
        for other in [
            stamp(Some("$argon2id$b"), Some("USER"), Some("ACTIVE")),
            stamp(Some("$argon2id$a"), Some("ADMIN"), Some("ACTIVE")),
            stamp(Some("$argon2id$a"), Some("USER"), Some("SUSPENDED")),
            stamp(Some("$argon2id$a"), Some("USER"), None),
            stamp(Some("$argon2id$a"), Some("USERACTIVE"), Some("")),
        ] {
            assert_ne!(base, other);
        }
    }
}
