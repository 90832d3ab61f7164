//! Failed-login throttling, kept in PostgreSQL so every server on one database counts together.
//! An attempt is counted as a failure before its password is checked, in the same transaction as
//! the limits are read (a success refunds it): the upsert locks the counters, so parallel
//! attempts, on any server, queue behind each other and cannot overtake the count. Within
//! `WINDOW`, a client may fail `PAIR_FAILURES` times for one account and `CLIENT_FAILURES` times
//! in all; an account failing `ACCOUNT_FAILURES` times refuses the clients that failed it, not one
//! that has not: an attacker is slowed and the owner, from their own client, still logs in. Then
//! 429 until the window of the first failure ends. Clients are addresses, IPv6 grouped by /64 (one
//! subscriber's block). The table is the runtime's own (`wire::LOGIN_FAILURES_TABLE`, unlogged:
//! a crash forgets the counts, which is a throttle's right trade); `check` never calls it drift.

use crate::repo::quote_ident;
use crate::server::problem::Problem;
use sqlx::PgConnection;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const PAIR_FAILURES: i32 = 5;
pub const CLIENT_FAILURES: i32 = 20;
pub const ACCOUNT_FAILURES: i32 = 100;
/// Every this many attempts a server sweeps expired counters.
const SWEEP_EVERY: u64 = 256;
/// Characters of a login name kept as its key: an unbounded name is not an unbounded key.
const NAME_CHARS: usize = 320;

/// Creates the counters' table when it is missing; replicas starting together create it once.
pub async fn prepare(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let table = quote_ident(wire::LOGIN_FAILURES_TABLE);
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL").bind(&table).fetch_one(&mut *conn).await?;
    if exists {
        return Ok(());
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    // The same key for every server of this database: the second waits, then finds the table.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(wire::LOGIN_FAILURES_TABLE)
        .execute(&mut *tx)
        .await?;
    let index = quote_ident(&format!("{}_since", wire::LOGIN_FAILURES_TABLE));
    sqlx::query(&format!(
        "CREATE UNLOGGED TABLE IF NOT EXISTS {table} \
         (key text PRIMARY KEY, failures integer NOT NULL, since timestamptz NOT NULL)"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("CREATE INDEX IF NOT EXISTS {index} ON {table} (since)")).execute(&mut *tx).await?;
    tx.commit().await
}

/// The statements are the same for every server in the process (the state is the database's):
/// built once, shared by login, registration and the current-password check.
pub fn limiter() -> &'static LoginLimiter {
    static LIMITER: std::sync::LazyLock<LoginLimiter> = std::sync::LazyLock::new(LoginLimiter::default);
    &LIMITER
}

#[derive(Debug)]
pub struct LoginLimiter {
    attempt: String,
    refund: String,
    sweep: String,
    attempts: AtomicU64,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        let table = quote_ident(wire::LOGIN_FAILURES_TABLE);
        let window = WINDOW.as_secs();
        let live = format!("f.since > now() - interval '{window} seconds'");
        Self {
            // Sorted keys lock in one order on every server: no deadlock between attempts.
            attempt: format!(
                "INSERT INTO {table} AS f (key, failures, since) \
                 SELECT key, 1, now() FROM unnest($1::text[]) AS k(key) ORDER BY key \
                 ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN {live} THEN f.failures + 1 ELSE 1 END, \
                 since = CASE WHEN {live} THEN f.since ELSE now() END \
                 RETURNING key, failures, \
                 ceil(extract(epoch FROM f.since + interval '{window} seconds' - now()))::bigint"
            ),
            refund: format!(
                "WITH pair AS (DELETE FROM {table} WHERE key = $1) \
                 UPDATE {table} SET failures = failures - 1 WHERE key = ANY($2) AND failures > 0"
            ),
            sweep: format!("DELETE FROM {table} WHERE since <= now() - interval '{window} seconds'"),
            attempts: AtomicU64::new(0),
        }
    }
}

/// An attempt counted as failed until [`LoginLimiter::refund`] takes it back.
#[derive(Debug)]
pub struct Attempt {
    keys: Keys,
}

/// Why an attempt may not be made: the wait, or the database's error.
#[derive(Debug)]
pub enum Refusal {
    Wait(u64),
    Database(sqlx::Error),
}

impl Refusal {
    /// The answer: 429 saying `why` and how long to wait, or the database's trouble (503).
    pub fn problem(self, why: &str) -> Problem {
        match self {
            Self::Wait(seconds) => Problem::too_many(seconds, why),
            Self::Database(e) => Problem::from_repo(crate::repo::map_error(e, &[]), "account", false),
        }
    }
}

impl From<sqlx::Error> for Refusal {
    fn from(e: sqlx::Error) -> Self {
        Self::Database(e)
    }
}

/// The counters an attempt moves: the pair's always, the client's and account's for a login.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Keys {
    pair: String,
    client: Option<String>,
    account: Option<String>,
}

impl Keys {
    fn of(account: &str, client: Option<IpAddr>) -> Self {
        let account = account_key(account);
        let client = client.map_or_else(|| "-".to_string(), |ip| group(ip).to_string());
        Self {
            pair: format!("pair {client} {account}"),
            client: Some(format!("client {client}")),
            account: Some(format!("account {account}")),
        }
    }

    /// A current-password check by the account's own token: one counter, the subject's.
    fn confirmation(subject: &str) -> Self {
        Self { pair: format!("confirm {}", account_key(subject)), client: None, account: None }
    }

    fn all(&self) -> Vec<&str> {
        let others = [&self.client, &self.account];
        std::iter::once(self.pair.as_str()).chain(others.into_iter().flatten().map(String::as_str)).collect()
    }
}

/// One counter as this attempt left it: failures including this one, seconds its window has left.
type Count = (i32, i64);

impl LoginLimiter {
    /// Counts an attempt, or refuses it with the seconds to wait before this client may try this
    /// account again.
    pub async fn attempt(
        &self,
        conn: &mut PgConnection,
        account: &str,
        client: Option<IpAddr>,
    ) -> Result<Attempt, Refusal> {
        self.count(conn, Keys::of(account, client)).await
    }

    /// Counts a check of `subject`'s current password, or refuses it (the pair's limit applies).
    pub async fn attempt_confirmation(&self, conn: &mut PgConnection, subject: &str) -> Result<Attempt, Refusal> {
        self.count(conn, Keys::confirmation(subject)).await
    }

    async fn count(&self, conn: &mut PgConnection, keys: Keys) -> Result<Attempt, Refusal> {
        if self.attempts.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            sqlx::query(&self.sweep).execute(&mut *conn).await?;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let rows: Vec<(String, i32, i64)> = sqlx::query_as(&self.attempt).bind(keys.all()).fetch_all(&mut *tx).await?;
        // A counter this attempt does not move counts as fresh.
        let count = |key: Option<&String>| {
            let row = key.and_then(|key| rows.iter().find(|r| &r.0 == key));
            row.map_or((1, 0), |r| (r.1, r.2))
        };
        match verdict(count(Some(&keys.pair)), count(keys.client.as_ref()), count(keys.account.as_ref())) {
            Some(seconds) => {
                // A refused attempt is no attempt: the counters go back as they were.
                tx.rollback().await?;
                Err(Refusal::Wait(seconds))
            }
            None => {
                tx.commit().await?;
                Ok(Attempt { keys })
            }
        }
    }

    /// The attempt was no failure (the password was right, or it could not be checked): it is
    /// taken back, and the pair starts afresh.
    pub async fn refund(&self, conn: &mut PgConnection, attempt: Attempt) -> Result<(), sqlx::Error> {
        let others: Vec<&str> = attempt.keys.all().into_iter().skip(1).collect();
        sqlx::query(&self.refund).bind(&attempt.keys.pair).bind(others).execute(&mut *conn).await.map(drop)
    }
}

/// `Some(seconds to wait)` when an attempt that left these counts must be refused.
fn verdict(pair: Count, client: Count, account: Count) -> Option<u64> {
    // The account's ceiling holds only against a client that had failed it before this attempt.
    let failed_here = pair.0 > 1;
    let checks =
        [(pair, PAIR_FAILURES, true), (client, CLIENT_FAILURES, true), (account, ACCOUNT_FAILURES, failed_here)];
    checks
        .iter()
        .filter(|((failures, _), limit, applies)| *applies && failures > limit)
        .map(|((_, seconds), ..)| u64::try_from(*seconds).unwrap_or(0).max(1))
        .max()
}

fn account_key(account: &str) -> String {
    account.chars().take(NAME_CHARS).collect::<String>().to_lowercase()
}

/// An IPv6 client by its /64; an IPv4 one (or an IPv4-mapped IPv6 one) by its address.
pub fn group(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: Count = (1, 900);

    #[test]
    fn a_pair_past_its_limit_waits_and_another_client_does_not() {
        assert_eq!(verdict((PAIR_FAILURES, 900), FRESH, FRESH), None, "the fifth failure may be tried");
        assert_eq!(verdict((PAIR_FAILURES + 1, 600), FRESH, FRESH), Some(600));
        assert_eq!(verdict(FRESH, (CLIENT_FAILURES + 1, 30), FRESH), Some(30), "the client's ceiling");
        assert_eq!(verdict((PAIR_FAILURES + 1, 0), FRESH, FRESH), Some(1), "at least a second");
    }

    #[test]
    fn an_account_under_attack_refuses_the_attackers_but_not_a_new_client() {
        let attacked = (ACCOUNT_FAILURES + 1, 700);
        assert_eq!(verdict((2, 700), FRESH, attacked), Some(700), "a client that failed it");
        assert_eq!(verdict(FRESH, FRESH, attacked), None, "the owner's own client");
    }

    #[test]
    fn keys_ignore_case_group_ipv6_by_64_and_cap_names() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(Keys::of("Ann@x.io", Some(one)), Keys::of("ann@x.io", Some(other)));
        assert_eq!(group("::ffff:10.0.0.1".parse().unwrap()), IpAddr::from([10, 0, 0, 1]));
        let long = "x".repeat(100_000);
        assert_eq!(account_key(&long).len(), NAME_CHARS);
    }
}
