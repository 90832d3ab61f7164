//! `cargo xtask import` on VBWD's real schema (fixtures/): every table imported, then generate
//! and check on the imported specs show no drift; a non-empty directory and an unreachable
//! database write nothing; `--tables` imports the matching tables only.

use std::path::Path;
use tests::{xtask, TempDir, TestDb};

const REFERENCE_SCHEMA: &str = include_str!("fixtures/vbwd_reference_schema.sql");

fn reference_db(label: &str) -> TestDb {
    let db = TestDb::new(label);
    db.execute(REFERENCE_SCHEMA);
    db
}

/// Every file under `dir`, relative, sorted, with its text.
fn read_tree(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&path).expect("read file")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn every_table_round_trips_without_drift() {
    let db = reference_db("import_all");
    // A database a server has run on holds its login throttle's table: never imported, never drift.
    tests::block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        runtime::server::prepare_login_throttle(&mut conn).await.unwrap();
    });
    let tmp = TempDir::new("import-all");
    let spec_dir = tmp.path().join("model-spec");
    let spec = spec_dir.to_str().unwrap();
    let root = tmp.path().to_str().unwrap();

    let run = xtask(&["import", "--database-url", &db.url, "--spec-dir", spec]);
    assert_eq!(run.code, 0, "import failed:\n{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "the reference schema is fully expressible, yet:\n{}", run.stderr);
    assert!(run.stdout.contains("69 entities, 8 links, 15 enums"), "{}", run.stdout);

    let files = read_tree(&spec_dir);
    let header = format!("# imported by cargo xtask import from {}\n", runtime::redact::redact_url(&db.url));
    for (path, text) in &files {
        assert!(text.starts_with(&header), "{path} lacks the import header:\n{text}");
    }
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for expected in [
        "project.yaml",
        "entities/vbwd_user.yaml",
        "entities/shop_order.yaml",
        "entities/cms_page.yaml",
        "links/vbwd_user_roles.yaml",
        "links/shop_product_category_link.yaml",
        "enums/userstatus.yaml",
        "enums/shop_orderstatus.yaml",
    ] {
        assert!(names.contains(&expected), "{expected} not written; wrote {names:#?}");
    }
    let project = &files.iter().find(|(p, _)| p == "project.yaml").unwrap().1;
    assert!(project.contains("ignore_tables: [_sqlx_migrations, alembic_version]"), "{project}");
    assert!(
        !names.iter().any(|n| n.contains("alembic") || n.contains("login_failures")),
        "bookkeeping imported: {names:#?}"
    );

    // Deterministic: a second import writes the same bytes.
    let again = tmp.path().join("again");
    let run = xtask(&["import", "--database-url", &db.url, "--spec-dir", again.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(read_tree(&again), files, "two imports of one schema differ");

    let run = xtask(&["generate", "--root", root, "--spec-dir", spec]);
    assert_eq!(run.code, 0, "generate on the imported specs failed:\n{}\n{}", run.stdout, run.stderr);

    let run = xtask(&["check", "--root", root, "--spec-dir", spec, "--database-url", &db.url]);
    assert_eq!(run.code, 0, "check after import found drift:\n{}\n{}", run.stdout, run.stderr);
    let run = xtask(&["check", "--root", root, "--spec-dir", spec, "--database-url", &db.url, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report["database"]["drift"].as_array().map(Vec::len), Some(0), "{}", run.stdout);
    let unmanaged = report["database"]["unmanaged"].as_array().expect("unmanaged list");
    let names: Vec<&str> = unmanaged.iter().filter_map(|u| u["name"].as_str()).collect();
    assert_eq!(names, ["_login_failures", "alembic_version"], "only bookkeeping stays unmanaged: {unmanaged:#?}");
    assert!(unmanaged.iter().all(|u| u["kind"] == "bookkeeping table"), "{unmanaged:#?}");
}

#[test]
fn a_non_empty_directory_is_refused_and_left_alone() {
    let db = reference_db("import_nonempty");
    let tmp = TempDir::new("import-nonempty");
    let spec_dir = tmp.path().join("model-spec");
    std::fs::create_dir_all(&spec_dir).unwrap();
    std::fs::write(spec_dir.join("notes.txt"), "mine\n").unwrap();

    let run = xtask(&["import", "--database-url", &db.url, "--spec-dir", spec_dir.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is not empty") && run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(read_tree(&spec_dir), vec![("notes.txt".to_string(), "mine\n".to_string())]);
}

#[test]
fn an_unreachable_database_is_one_line_and_writes_nothing() {
    let tmp = TempDir::new("import-unreachable");
    let spec_dir = tmp.path().join("model-spec");
    let url = "postgres://someone:hunter2@127.0.0.1:1/nowhere";
    let run = xtask(&["import", "--database-url", url, "--spec-dir", spec_dir.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: cannot import from the database postgres://someone@127.0.0.1:1/nowhere"));
    assert!(!run.stderr.contains("hunter2"));
    assert!(!spec_dir.exists());
}

/// Only `vbwd_user*` tables: references to tables left out become plain columns (with a
/// warning), and join tables with an end left out are skipped (with a warning).
#[test]
fn a_table_pattern_imports_only_matching_tables() {
    let db = reference_db("import_pattern");
    let tmp = TempDir::new("import-pattern");
    let spec_dir = tmp.path().join("model-spec");
    let spec = spec_dir.to_str().unwrap();
    let root = tmp.path().to_str().unwrap();

    let run = xtask(&["import", "--database-url", &db.url, "--spec-dir", spec, "--tables", "vbwd_user*"]);
    assert_eq!(run.code, 0, "{run:?}");
    let names: Vec<String> = read_tree(&spec_dir).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        names,
        [
            "entities/user.yaml",
            "entities/user_access_level.yaml",
            // Join tables whose other end is not imported: entities keyed by both columns.
            "entities/user_access_level_permissions.yaml",
            "entities/user_case.yaml",
            "entities/user_details.yaml",
            "entities/user_invoice.yaml",
            "entities/user_roles.yaml",
            "entities/user_token_balance.yaml",
            "enums/invoicestatus.yaml",
            "enums/usercasestatus.yaml",
            "enums/userrole.yaml",
            "enums/userstatus.yaml",
            "links/user_user_access_levels.yaml",
            "project.yaml",
        ]
    );
    let project = std::fs::read_to_string(spec_dir.join("project.yaml")).unwrap();
    assert!(project.contains("table_prefix: vbwd_"), "{project}");
    let invoice = std::fs::read_to_string(spec_dir.join("entities/user_invoice.yaml")).unwrap();
    assert!(invoice.contains("subscription_id:") && !invoice.contains("references: Subscription"), "{invoice}");
    assert!(invoice.contains("references: User, on_delete: cascade"), "{invoice}");
    let warnings: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warnings.len(), 4, "{}", run.stderr);
    assert!(warnings.iter().all(|w| w.starts_with("warning: ")), "{}", run.stderr);
    for named in [
        "foreign key vbwd_user_invoice_subscription_id_fkey references vbwd_subscription",
        "foreign key vbwd_user_invoice_tarif_plan_id_fkey references vbwd_tarif_plan",
        "foreign key vbwd_user_roles_role_id_fkey references vbwd_role",
        "foreign key vbwd_user_access_level_permissions_permission_id_fkey references vbwd_permission",
    ] {
        assert!(run.stderr.contains(named), "no warning names {named}:\n{}", run.stderr);
    }

    let run = xtask(&["generate", "--root", root, "--spec-dir", spec]);
    assert_eq!(run.code, 0, "{run:?}");
    // The live foreign keys to tables left out are the only drift: exactly what the warnings named.
    let run = xtask(&["check", "--root", root, "--spec-dir", spec, "--database-url", &db.url, "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    let drift: Vec<(String, String)> = report["database"]["drift"]
        .as_array()
        .expect("drift list")
        .iter()
        .map(|c| (c["object"].as_str().unwrap().to_string(), c["name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        drift,
        [
            ("foreign_key".to_string(), "vbwd_user_access_level_permissions_permission_id_fkey".to_string()),
            ("foreign_key".to_string(), "vbwd_user_invoice_subscription_id_fkey".to_string()),
            ("foreign_key".to_string(), "vbwd_user_invoice_tarif_plan_id_fkey".to_string()),
            ("foreign_key".to_string(), "vbwd_user_roles_role_id_fkey".to_string()),
        ],
        "{}",
        run.stdout
    );
}
