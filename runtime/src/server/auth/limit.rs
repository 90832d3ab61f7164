//! Failed-login throttling, in memory per server process. An attempt is counted as a failure
//! before its password is checked, in the same step as the limits are (a success refunds it), so
//! parallel attempts cannot overtake the count. Within `WINDOW`, a client may fail `PAIR_FAILURES`
//! times for one account and `CLIENT_FAILURES` times in all; an account failing
//! `ACCOUNT_FAILURES` times refuses the clients that failed it, not one that has not: an attacker
//! is slowed and the owner, from their own client, still logs in. Then 429 until the window of
//! the first failure ends. Clients are addresses, IPv6 grouped by /64 (one subscriber's block).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const PAIR_FAILURES: u32 = 5;
pub const CLIENT_FAILURES: u32 = 20;
pub const ACCOUNT_FAILURES: u32 = 100;
/// Past this many tracked keys, expired ones are swept on the next attempt.
const SWEEP_AT: usize = 10_000;
/// Characters of a login name kept as its key: an unbounded name is not an unbounded key.
const NAME_CHARS: usize = 320;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Pair(String, Option<IpAddr>),
    Account(String),
    Client(Option<IpAddr>),
}

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
}

/// An attempt counted as failed until [`LoginLimiter::refund`] takes it back.
#[derive(Debug)]
pub struct Attempt {
    account: String,
    client: Option<IpAddr>,
}

impl LoginLimiter {
    /// Counts an attempt, or `Err(seconds to wait)` when the client may not try this account now.
    pub fn attempt(&self, account: &str, client: Option<IpAddr>) -> Result<Attempt, u64> {
        let (account, client) = (account_key(account), client.map(group));
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if failures.len() > SWEEP_AT {
            failures.retain(|_, (_, since)| *since + WINDOW > now);
        }
        let live = |key: &Key| failures.get(key).filter(|(_, since)| *since + WINDOW > now).copied();
        let pair = Key::Pair(account.clone(), client);
        let failed_here = live(&pair).is_some();
        let mut wait: Option<u64> = None;
        let checks = [
            (pair.clone(), PAIR_FAILURES, true),
            (Key::Client(client), CLIENT_FAILURES, true),
            (Key::Account(account.clone()), ACCOUNT_FAILURES, failed_here),
        ];
        for (key, limit, applies) in &checks {
            let Some((count, since)) = live(key) else { continue };
            if *applies && count >= *limit {
                let seconds = (since + WINDOW - now).as_secs().max(1);
                wait = Some(wait.map_or(seconds, |w| w.max(seconds)));
            }
        }
        if let Some(seconds) = wait {
            return Err(seconds);
        }
        for (key, ..) in checks {
            let entry = failures.entry(key).or_insert((0, now));
            if entry.1 + WINDOW <= now {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Ok(Attempt { account, client })
    }

    /// The attempt was no failure (the password was right, or it could not be checked): it is
    /// taken back, and the pair starts afresh.
    pub fn refund(&self, attempt: Attempt) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.remove(&Key::Pair(attempt.account.clone(), attempt.client));
        for key in [Key::Account(attempt.account), Key::Client(attempt.client)] {
            if let Some(entry) = failures.get_mut(&key) {
                entry.0 = entry.0.saturating_sub(1);
            }
        }
    }
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

    #[test]
    fn a_client_is_locked_out_of_one_account_and_the_owner_is_not() {
        let limiter = LoginLimiter::default();
        let (a, b) = (Some(IpAddr::from([10, 0, 0, 1])), Some(IpAddr::from([10, 0, 0, 2])));
        for _ in 0..PAIR_FAILURES {
            limiter.attempt("Ann@x.io", a).expect("under the limit");
        }
        assert!(limiter.attempt("ann@x.io", a).unwrap_err() > 0, "the pair is locked, whatever the case");
        let owner = limiter.attempt("ann@x.io", b).expect("another client may try");
        limiter.refund(owner);
        // Another account from the same client is still allowed, until the client's limit.
        limiter.attempt("bob@x.io", a).expect("another account");
        for i in 0..CLIENT_FAILURES {
            let _ = limiter.attempt(&format!("u{i}"), a);
        }
        assert!(limiter.attempt("carl@x.io", a).is_err());
        assert!(limiter.attempt("carl@x.io", b).is_ok());
    }

    #[test]
    fn an_account_under_attack_refuses_the_attackers_but_not_a_new_client() {
        let limiter = LoginLimiter::default();
        for i in 0..ACCOUNT_FAILURES {
            let attacker = Some(IpAddr::from([10, 1, (i / 256) as u8, (i % 256) as u8]));
            limiter.attempt("ann@x.io", attacker).expect("each attacker's first try");
        }
        assert!(limiter.attempt("ann@x.io", Some(IpAddr::from([10, 1, 0, 0]))).is_err(), "a client that failed it");
        assert!(limiter.attempt("ann@x.io", Some(IpAddr::from([192, 0, 2, 1]))).is_ok(), "the owner's own client");
    }

    #[test]
    fn ipv6_clients_are_their_64_and_long_names_one_key() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(group(one), group(other));
        assert_eq!(group("::ffff:10.0.0.1".parse().unwrap()), IpAddr::from([10, 0, 0, 1]));
        let long = "x".repeat(100_000);
        assert_eq!(account_key(&long).len(), NAME_CHARS);
    }
}
