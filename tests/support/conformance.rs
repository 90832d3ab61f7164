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
