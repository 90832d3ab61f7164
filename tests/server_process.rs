//! The server as a process of its own (the `accounts` fixture project's binary: one identity entity
//! that registers): its peak memory under bursts of registrations, and SIGTERM while a client
//! trickles its headers a byte a second.

use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;
use tests::project::Project;
use tests::server::Api;
use tests::server::TEST_SECRET;
use tests::{block_on, repo_root, TestDb};

const PASSWORD: &str = "correct horse battery";
/// How much the server's peak resident memory may grow under both bursts, over what it held after
/// one registration (one hash). Issue #17's bound is 100 MB in all on the release server
/// (`xtask/bench/bursts.sh`: 83 MB); this is the debug binary, whose own footprint and per-request
/// futures are larger (45 MB after one registration; 88–111 MB after the bursts), so the test holds
/// the growth: a hash per request, as before #17, would be 19 MiB each, gigabytes for 600.
const GROWTH_BYTES: u64 = 80 * 1024 * 1024;
const GRACE: Duration = Duration::from_secs(2);

/// Registers every email at once; the statuses and how many answered each.
async fn burst(api: &Api, emails: Vec<String>) -> BTreeMap<u16, usize> {
    let sent: Vec<_> = emails
        .into_iter()
        .map(|email| {
            let api = api.clone();
            tokio::spawn(async move {
                api.post(wire::REGISTER_PATH, &json!({ "email": email, "password": PASSWORD })).await
            })
        })
        .collect();
    let mut statuses = BTreeMap::new();
    for reply in sent {
        let reply = reply.await.expect("a registration");
        if [429, 503].contains(&reply.status) {
            assert!(reply.header("retry-after").is_some(), "{} says when to retry: {:?}", reply.status, reply.headers);
        }
        *statuses.entry(reply.status).or_insert(0) += 1;
    }
    statuses
}

#[test]
fn a_server_process_bounds_its_memory_and_stops_on_sigterm() {
    let specs = repo_root().join("tests/fixtures/accounts/model-spec");
    let project = Project::generate("accounts", &specs, "accounts-api");
    let binary = project.build();
    let db = TestDb::new("accounts");
    let grace = GRACE.as_millis().to_string();
    let mut served = project.serve_with(&binary, &db.url, TEST_SECRET, &[("SHUTDOWN_GRACE_MS", &grace)]);
    let api = Api::at(&served.base, &db.url, None);
    block_on(async {
        let first = api.post(wire::REGISTER_PATH, &json!({ "email": "ann@x.io", "password": PASSWORD })).await;
        assert_eq!(first.status, 201, "{}", first.text);
        let baseline = served.peak_memory();
        // A taken email 300 times at once: a probe of a taken name counts as a failed login, so
        // at most five get as far as a hash (and a 409); the rest are told to come back.
        let taken = burst(&api, vec!["Ann@x.io".to_string(); 300]).await;
        let conflicts = taken.get(&409).copied().unwrap_or_default();
        assert!(taken.keys().all(|s| [409, 429, 503].contains(s)) && (1..=5).contains(&conflicts), "{taken:?}");
        // 300 new accounts at once: each needs a hash, and the hashing slots bound how many run;
        // a registration counts as an attempt until it succeeds, so the client's ceiling of
        // attempts in flight turns most away before they ask for a slot.
        let fresh = burst(&api, (0..300).map(|i| format!("new{i}@x.io")).collect()).await;
        assert!(fresh.keys().all(|s| [201, 429, 503].contains(s)) && fresh.contains_key(&201), "{fresh:?}");
        let peak = served.peak_memory();
        let mb = |bytes: u64| bytes as f64 / 1e6;
        eprintln!("taken {taken:?}, fresh {fresh:?}: peak {:.1} MB, {:.1} MB before", mb(peak), mb(baseline));
        assert!(
            peak - baseline < GROWTH_BYTES,
            "peak {:.1} MB after the bursts, {:.1} MB before",
            mb(peak),
            mb(baseline)
        );
    });
    // A client sending its request head a byte a second is still connected when SIGTERM comes.
    let address = served.base.trim_start_matches("http://").to_string();
    let mut slow = std::net::TcpStream::connect(&address).expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: ").expect("the first bytes");
    std::thread::spawn(move || {
        while slow.write_all(b"x").is_ok() {
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    std::thread::sleep(Duration::from_millis(1500));
    let (status, took) = served.terminate(GRACE + Duration::from_secs(10)).expect("the server exits after SIGTERM");
    eprintln!("exited {status:?} {took:?} after SIGTERM");
    assert!(status.success(), "a clean stop exits 0: {status:?}");
    assert!(took < GRACE + Duration::from_secs(2), "stopped in {took:?}; the grace period is {GRACE:?}");
}
