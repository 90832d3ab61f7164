//! The real VBWD database (loaded from the pg_dump in fixtures/) against our specs: the 33 core
//! tables in sync, the 44 plugin tables and `alembic_version` listed as unmanaged.

use tests::{xtask, TestDb};

const REFERENCE_SCHEMA: &str = include_str!("fixtures/vbwd_reference_schema.sql");

#[test]
fn core_tables_match_and_plugins_are_unmanaged() {
    let db = TestDb::new("vbwd_reference");
    db.execute(REFERENCE_SCHEMA);
    let run = xtask(&["check", "--database-url", &db.url, "--format", "json"]);
    assert_eq!(run.code, 0, "core tables drifted from the reference:\n{}\n{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report["database"]["drift"].as_array().map(Vec::len), Some(0));
    let unmanaged = report["database"]["unmanaged"].as_array().expect("unmanaged list");
    let of_kind = |kind: &str| unmanaged.iter().filter(|u| u["kind"] == kind).count();
    assert_eq!(of_kind("table"), 44, "plugin tables: {unmanaged:#?}");
    assert_eq!(of_kind("enum type"), 6, "plugin enum types: {unmanaged:#?}");
    assert!(unmanaged.iter().any(|u| u["kind"] == "bookkeeping table" && u["name"] == "alembic_version"));
    assert!(unmanaged.iter().any(|u| u["name"] == "cms_page"));
    assert_eq!(report["specs"]["entities"], 27);
    assert_eq!(report["specs"]["links"], 6);
    assert_eq!(report["specs"]["enums"], 9);
}

#[test]
fn fail_on_unmanaged_counts_plugin_tables_as_drift() {
    let db = TestDb::new("vbwd_reference_strict");
    db.execute(REFERENCE_SCHEMA);
    let run = xtask(&["check", "--database-url", &db.url, "--fail-on-unmanaged"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("table shop_order"), "{}", run.stdout);
}
