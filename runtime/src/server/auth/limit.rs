//! Failed-login throttling, in memory per server process: at most `ACCOUNT_FAILURES` failures per
//! account and `CLIENT_FAILURES` per client address within `WINDOW`; then 429 until the window
//! of the first failure ends. A successful login clears its account's count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const ACCOUNT_FAILURES: u32 = 5;
pub const CLIENT_FAILURES: u32 = 20;
/// Past this many tracked keys, expired ones are swept on the next failure.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Client(Option<IpAddr>),
}

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when the account or the client is over its limit.
    pub fn check(&self, account: &str, client: Option<IpAddr>) -> Result<(), u64> {
        let failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let mut wait = None;
        for (key, limit) in
            [(Key::Account(account.to_lowercase()), ACCOUNT_FAILURES), (Key::Client(client), CLIENT_FAILURES)]
        {
            if let Some((count, since)) = failures.get(&key) {
                let ends = *since + WINDOW;
                if *count >= limit && ends > now {
                    let seconds = (ends - now).as_secs().max(1);
                    wait = Some(wait.map_or(seconds, |w: u64| w.max(seconds)));
                }
            }
        }
        wait.map_or(Ok(()), Err)
    }

    pub fn failed(&self, account: &str, client: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if failures.len() > SWEEP_AT {
            failures.retain(|_, (_, since)| *since + WINDOW > now);
        }
        for key in [Key::Account(account.to_lowercase()), Key::Client(client)] {
            let entry = failures.entry(key).or_insert((0, now));
            if entry.1 + WINDOW <= now {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    pub fn succeeded(&self, account: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.remove(&Key::Account(account.to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_and_client_limits() {
        let limiter = LoginLimiter::default();
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..ACCOUNT_FAILURES {
            assert!(limiter.check("Ann@x.io", a).is_ok());
            limiter.failed("ann@x.io", a);
        }
        assert!(limiter.check("ann@x.io", a).unwrap_err() > 0);
        // Another account from the same client is still allowed, until the client's limit.
        assert!(limiter.check("bob@x.io", a).is_ok());
        limiter.succeeded("ANN@x.io");
        assert!(limiter.check("ann@x.io", a).is_ok());
        for i in 0..CLIENT_FAILURES {
            limiter.failed(&format!("u{i}"), a);
        }
        assert!(limiter.check("carl@x.io", a).is_err());
        assert!(limiter.check("carl@x.io", Some(IpAddr::from([10, 0, 0, 2]))).is_ok());
    }
}
