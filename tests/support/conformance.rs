//! The independent API tester, schemathesis (pinned in `tests/tools/schemathesis.txt`): every
//! check in all four phases (examples, coverage, fuzzing, stateful via the document's links)
//! against a real server and the `/openapi.json` it serves. Seeded and time-boxed:
//! `CONFORMANCE_SEED=N` and `CONFORMANCE_SECONDS=S` (seconds per caller) rerun it otherwise.

use crate::tools;
use std::process::Command;

const SEED: u64 = 20261201;

pub fn seed() -> u64 {
    std::env::var("CONFORMANCE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(SEED)
}

/// `CONFORMANCE_SECONDS` when set, else `default`.
pub fn seconds(default: u64) -> u64 {
    std::env::var("CONFORMANCE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Runs schemathesis against the server as the caller whose token is given; panics with its report.
pub fn schemathesis(base: &str, caller: &str, token: Option<&str>, max_seconds: u64) {
    let report = crate::TempDir::new("schemathesis");
    std::fs::write(report.path().join("schemathesis.toml"), unstateable_rules(base)).expect("write schemathesis.toml");
    let mut command = Command::new(tools::schemathesis());
    command
        .arg("run")
        .arg(format!("{base}/openapi.json"))
        .args(["--url", base])
        .args(["--checks", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--seed", &seed().to_string()])
        .args(["--max-time", &max_seconds.to_string()])
        // One worker: hypothesis under threads trips a CPython 3.11 `ast` bug ("recursion depth mismatch").
        .args(["--workers", "1", "--request-timeout", "20"])
        .args(["--report", "junit", "--report-dir"])
        .arg(report.path())
        // No colours in a captured log, no hooks from the caller's environment, and hypothesis's
        // example database (`.hypothesis/` in the working directory) kept out of the tree.
        .env("NO_COLOR", "1")
        .env_remove("SCHEMATHESIS_HOOKS")
        .current_dir(report.path());
    if let Some(token) = token {
        command.args(["--header", &format!("Authorization: Bearer {token}")]);
    }
    let out = command.output().unwrap_or_else(|e| panic!("schemathesis did not start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout.lines().rev().find(|l| l.contains(" in ") && l.contains('=')).unwrap_or("").to_string();
    println!("schemathesis as {caller}, seed {}: {summary}", seed());
    for line in stdout.lines().filter(|l| l.contains("(in ") || l.contains("API Links:") || l.contains(" generated")) {
        println!("  {}", line.trim());
    }
    assert!(
        out.status.success(),
        "schemathesis found failures as {caller} (seed {}; rerun with CONFORMANCE_SEED={}):\n{stdout}{}",
        seed(),
        seed(),
        String::from_utf8_lossy(&out.stderr)
    );
    // A run that tested nothing must not pass as a clean one.
    let tested = stdout.lines().find(|l| l.trim_start().starts_with("Tested:")).unwrap_or("");
    assert!(
        !tested.contains(" 0/") && !tested.trim().ends_with(" 0"),
        "schemathesis tested nothing as {caller}:\n{stdout}"
    );
    assert!(stdout.contains("generated"), "no test cases reported as {caller}:\n{stdout}");
}

/// schemathesis.toml for the served document: where a request body may break a rule OpenAPI 3.0
/// has no keyword for, a 422 is an accepted answer to schema-valid data (positive data
/// acceptance), and only there. Those rules are a JSON object's keys (PostgreSQL refuses NUL in
/// them; 3.0 has no `propertyNames`), CHECKs over several fields, which the document states in
/// words ("The row must also meet …"), and the current password one's own credentials change
/// takes (it depends on whose token it is).
fn unstateable_rules(base: &str) -> String {
    let document = served_document(base);
    // Links the tester infers from parameter names feed a response's raw value into a filter
    // whose grammar is `op.value`: requests the document does not admit. The document's own
    // links and Location headers are followed.
    let mut config = "[phases.stateful.inference]\nalgorithms = [\"location-headers\"]\n\n".to_string();
    let schemas = &document["components"]["schemas"];
    let unstateable = |schema: &serde_json::Value| {
        let text = schema.to_string();
        ["#/components/schemas/JsonValue", "The row must also meet", "required to change your own"]
            .iter()
            .any(|said| text.contains(said))
    };
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let body = &operation["requestBody"]["content"]["application/json"]["schema"]["$ref"];
            let Some(name) = body.as_str().and_then(|r| r.rsplit('/').next()) else { continue };
            if unstateable(&schemas[name]) {
                config.push_str(&format!(
                    "[[operations]]\ninclude-path = \"{path}\"\ninclude-method = \"{}\"\n\
                     checks.positive_data_acceptance.expected-statuses = \
                     [\"2xx\", \"3xx\", \"401\", \"403\", \"404\", \"409\", \"422\", \"429\", \"5xx\"]\n\n",
                    method.to_uppercase()
                ));
            }
        }
    }
    config
}

/// `GET {base}/openapi.json` over a plain HTTP/1.0 connection (callers may be inside a runtime).
fn served_document(base: &str) -> serde_json::Value {
    use std::io::{Read, Write};
    let address = base.strip_prefix("http://").expect("an http:// base");
    let mut stream = std::net::TcpStream::connect(address).expect("connect to the server");
    write!(stream, "GET /openapi.json HTTP/1.0\r\nHost: {address}\r\n\r\n").expect("send");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read the document");
    let reply = String::from_utf8(reply).expect("UTF-8");
    let body = reply.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).expect("the served document is JSON")
}
