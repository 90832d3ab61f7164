//! Password hashes: argon2id (OWASP's parameters, argon2's defaults) for every new hash; bcrypt
//! hashes (`$2b$…`, what VBWD's users have) still verify and are then replaced by argon2id.

use crate::server::problem::Problem;
use crate::server::rules::FieldRule;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// What a stored hash says of a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Wrong,
    /// Right; `upgrade` when the hash is not argon2id with today's parameters.
    Right {
        upgrade: bool,
    },
}

/// The argon2id hash of `password` in PHC format (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks `password` against a stored argon2 or bcrypt hash. Anything else never matches.
pub fn verify_password(password: &str, stored: &str) -> PasswordCheck {
    if stored.starts_with("$2a$") || stored.starts_with("$2b$") || stored.starts_with("$2y$") {
        return match bcrypt::verify(password, stored) {
            Ok(true) => PasswordCheck::Right { upgrade: true },
            _ => PasswordCheck::Wrong,
        };
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return PasswordCheck::Wrong;
    };
    if Argon2::default().verify_password(password.as_bytes(), &parsed).is_err() {
        return PasswordCheck::Wrong;
    }
    let current = Argon2::default();
    let params = current.params();
    let same = parsed.algorithm.as_str() == "argon2id"
        && parsed.params.get_decimal("m") == Some(params.m_cost())
        && parsed.params.get_decimal("t") == Some(params.t_cost())
        && parsed.params.get_decimal("p") == Some(params.p_cost());
    PasswordCheck::Right { upgrade: !same }
}

/// Verifies against a fixed hash, so an unknown account costs as much time as a known one
/// (no account enumeration by timing).
pub fn burn_verification(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a password anyone has").unwrap_or_default());
    let _ = verify_password(password, dummy);
}

/// The cost of the legacy bcrypt hashes accounts may still hold (VBWD's are `$2b$12$…`).
const LEGACY_BCRYPT_COST: u32 = 12;

/// The least time a login's password check takes, whatever the account: the slower of an
/// argon2id and a legacy bcrypt verification, measured once, with a margin. A login waits out the
/// rest (asleep, off the CPU), so its time tells neither whether the account exists nor which
/// hash it holds.
pub fn verification_floor() -> std::time::Duration {
    static FLOOR: OnceLock<std::time::Duration> = OnceLock::new();
    *FLOOR.get_or_init(|| {
        let legacy = bcrypt::hash("calibration", LEGACY_BCRYPT_COST).unwrap_or_default();
        let current = hash_password("calibration").unwrap_or_default();
        let time = |stored: &str| {
            let started = std::time::Instant::now();
            let _ = verify_password("a wrong password", stored);
            started.elapsed()
        };
        let slowest = time(&legacy).max(time(&current));
        slowest + slowest / 4
    })
}

/// Replaces every password in a checked body by its argon2id hash, under the hash's field.
pub(in crate::server) async fn hash_fields(
    slots: &HashingSlots,
    rules: &[FieldRule],
    object: &mut serde_json::Map<String, serde_json::Value>,
) -> Result<(), Problem> {
    for rule in rules {
        let Some(target) = rule.hashed_into else { continue };
        if let Some(serde_json::Value::String(password)) = object.remove(rule.name) {
            let hash = blocking(slots, move || hash_password(&password)).await?.map_err(|e| Problem::internal(&e))?;
            object.insert(target.to_string(), serde_json::Value::String(hash));
        }
    }
    Ok(())
}

/// Hashing is tens of milliseconds of CPU and 19 MiB per hash: at most one per core runs, off the
/// async workers, and a few more wait; beyond that the request is answered 503 at once, so no
/// burst of requests can take the server's memory or its blocking threads.
pub(super) async fn blocking<T: Send + 'static>(
    slots: &HashingSlots,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Problem> {
    let Ok(admitted) = Arc::clone(&slots.admitted).try_acquire_owned() else {
        return Err(Problem::busy(HASHING_RETRY_SECONDS, "The server is busy checking passwords; try again shortly."));
    };
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _admitted = admitted;
        let _ = done.send(work());
    });
    slots.jobs.send(job).map_err(|e| Problem::internal(&e))?;
    // A job that panicked dropped its sender: a 500, and the thread goes on.
    result.await.map_err(|e| Problem::internal(&e))
}

type Job = Box<dyn FnOnce() + Send>;

/// Requests that may wait for a hashing slot, per slot.
const WAITING_PER_SLOT: usize = 4;
const HASHING_RETRY_SECONDS: u64 = 1;

/// A server's hashing slots (one server per process in production; tests run several): one
/// thread per core runs the hashes. Threads of their own, not tokio's blocking pool: each thread
/// that hashes keeps an allocator arena holding a hash's 19 MiB, so a pool that grows under a
/// burst grows the server's memory with it.
#[derive(Debug)]
pub struct HashingSlots {
    /// To the hashing threads; they end when it is dropped.
    jobs: std::sync::mpsc::Sender<Job>,
    /// Running plus waiting: the requests that get a hash at all.
    admitted: Arc<Semaphore>,
}

impl Default for HashingSlots {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for _ in 0..cores {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new().name("hashing".into()).spawn(move || loop {
                let next = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                let Ok(job) = next else { break };
                // A panicking hash fails its own request only.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a hashing thread");
            }
        }
        Self { jobs, admitted: Arc::new(Semaphore::new(cores * (1 + WAITING_PER_SLOT))) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip_and_bcrypt_upgrade() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert_eq!(verify_password("correct horse", &hash), PasswordCheck::Right { upgrade: false });
        assert_eq!(verify_password("wrong", &hash), PasswordCheck::Wrong);
        let old = bcrypt::hash("correct horse", 4).unwrap();
        assert_eq!(verify_password("correct horse", &old), PasswordCheck::Right { upgrade: true });
        assert_eq!(verify_password("wrong", &old), PasswordCheck::Wrong);
        assert_eq!(verify_password("correct horse", "plain text"), PasswordCheck::Wrong);
    }
}
