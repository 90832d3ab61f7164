//! The generated init migration: snapshotted, deterministic, applied and fully reverted; and the
//! generated-files gate (rust-analyzer's pattern: a plain test fails when generated/ is stale).

use codegen::generate::migration::init_migration;
use codegen::schema::introspect::introspect_url;
use tests::{block_on, copy_dir, repo_root, xtask, TempDir, TestDb};

fn vbwd_model() -> codegen::ir::Model {
    codegen::load_model(&repo_root().join("model-spec")).unwrap_or_else(|d| panic!("{}", d.render()))
}

fn rendered(path: &str) -> String {
    init_migration(&vbwd_model())
        .into_iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} not generated"))
        .contents
}

#[test]
fn init_migration_snapshot() {
    insta::assert_snapshot!("init_up", rendered("migrations/0001_init.up.sql"));
    insta::assert_snapshot!("init_down", rendered("migrations/0001_init.down.sql"));
}

#[test]
fn generated_files_are_up_to_date() {
    let run = xtask(&["check", "--offline"]);
    assert_eq!(
        run.code, 0,
        "generated files are stale — run `cargo xtask generate` and commit:\n{}{}",
        run.stdout, run.stderr
    );
}

/// A scratch repository root holding a copy of the VBWD specs.
fn scratch_root(label: &str) -> TempDir {
    let root = TempDir::new(label);
    copy_dir(&repo_root().join("model-spec"), &root.path().join("model-spec"));
    root
}

fn generate_in(root: &TempDir) -> tests::Run {
    let root = root.path().to_string_lossy().into_owned();
    xtask(&["generate", "--root", &root, "--spec-dir", &format!("{root}/model-spec")])
}

fn check_in(root: &TempDir) -> tests::Run {
    let root = root.path().to_string_lossy().into_owned();
    xtask(&["check", "--offline", "--root", &root, "--spec-dir", &format!("{root}/model-spec")])
}

#[test]
fn generate_is_deterministic_and_idempotent() {
    let root = scratch_root("determinism");
    assert_eq!(generate_in(&root).code, 0);
    let first = std::fs::read(root.path().join("migrations/0001_init.up.sql")).unwrap();
    let second_run = generate_in(&root);
    assert_eq!(second_run.code, 0);
    assert!(second_run.stdout.contains("0 file(s) written"), "{}", second_run.stdout);
    assert_eq!(first, std::fs::read(root.path().join("migrations/0001_init.up.sql")).unwrap());
    assert_eq!(first, rendered("migrations/0001_init.up.sql").into_bytes(), "output depends on where it is generated");
}

#[test]
fn check_names_a_hand_edited_and_an_extra_generated_file() {
    let root = scratch_root("stale");
    assert_eq!(generate_in(&root).code, 0);
    assert_eq!(check_in(&root).code, 0);
    std::fs::write(root.path().join("generated/README.md"), "edited by hand\n").unwrap();
    std::fs::write(root.path().join("generated/old_entity.rs"), "// left over\n").unwrap();
    let run = check_in(&root);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("generated/README.md is not up to date"), "{}", run.stdout);
    assert!(run.stdout.contains("generated/old_entity.rs is not generated from any spec"), "{}", run.stdout);
    assert!(run.stdout.contains("run `cargo xtask generate`"), "{}", run.stdout);
    let regenerate = generate_in(&root);
    assert!(regenerate.stdout.contains("removed generated/old_entity.rs"), "{}", regenerate.stdout);
    assert_eq!(check_in(&root).code, 0);
}

#[test]
fn check_names_what_the_migrations_lag_and_generate_appends_instead_of_editing() {
    let root = scratch_root("stale_migration");
    assert_eq!(generate_in(&root).code, 0);
    let init = std::fs::read(root.path().join("migrations/0001_init.up.sql")).unwrap();
    let spec = root.path().join("model-spec/entities/country.yaml");
    let text = std::fs::read_to_string(&spec).unwrap().replace("string(100)", "string(120)");
    std::fs::write(&spec, text).unwrap();
    let run = check_in(&root);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("migrations: lag the specs by 1 change(s)"), "{}", run.stdout);
    assert!(run.stdout.contains("vbwd_country.name: type differs"), "{}", run.stdout);
    let appended = generate_in(&root);
    assert_eq!(appended.code, 0, "{appended:?}");
    assert!(appended.stdout.contains("wrote   migrations/0002_"), "{}", appended.stdout);
    assert_eq!(init, std::fs::read(root.path().join("migrations/0001_init.up.sql")).unwrap(), "0001 was edited");
    assert_eq!(check_in(&root).code, 0);
}

#[test]
fn down_migration_removes_everything_the_up_created() {
    let db = TestDb::new("down_migration");
    assert_eq!(xtask(&["migrate", "--database-url", &db.url]).code, 0);
    let before = block_on(introspect_url(&db.url, "public")).unwrap();
    assert_eq!(before.tables.len(), 35, "33 VBWD tables, _sqlx_migrations and the login throttle's");
    assert!(before.tables.contains_key("_login_failures"), "migrate creates the login throttle's table");
    assert_eq!(before.enums.len(), 9);
    db.execute(&rendered("migrations/0001_init.down.sql"));
    let after = block_on(introspect_url(&db.url, "public")).unwrap();
    assert_eq!(after.tables.keys().collect::<Vec<_>>(), vec!["_login_failures", "_sqlx_migrations"]);
    assert!(after.enums.is_empty(), "enum types left behind: {:?}", after.enums.keys());
    // And the up migration applies again on top (the VBWD downgrade bug: types left behind).
    db.execute(&rendered("migrations/0001_init.up.sql"));
}

#[test]
fn migrate_twice_applies_once() {
    let db = TestDb::new("migrate_twice");
    let first = xtask(&["migrate", "--database-url", &db.url]);
    assert!(first.stdout.contains("1 migration(s) applied"), "{first:?}");
    let second = xtask(&["migrate", "--database-url", &db.url]);
    assert!(second.stdout.contains("is up to date"), "{second:?}");
}

#[test]
fn synthetic_specs_generate() {
    let root = TempDir::new("synth");
    let specs = root.path().join("model-spec");
    let run = xtask(&["synth", "--entities", "40", "--fields", "15", "--out", &specs.to_string_lossy()]);
    assert_eq!(run.code, 0, "{run:?}");
    let gen = xtask(&["generate", "--root", &root.path().to_string_lossy(), "--spec-dir", &specs.to_string_lossy()]);
    assert_eq!(gen.code, 0, "{gen:?}");
    assert!(gen.stdout.contains("40 entities"), "{}", gen.stdout);
}

#[test]
fn every_kind_of_database_default_reads_back_in_sync() {
    let root = TempDir::new("defaults");
    let specs = repo_root().join("tests/fixtures/valid-specs/defaults");
    let (root_arg, spec_arg) = (root.path().to_string_lossy().into_owned(), specs.to_string_lossy().into_owned());
    assert_eq!(xtask(&["generate", "--root", &root_arg, "--spec-dir", &spec_arg]).code, 0);
    let db = TestDb::new("defaults");
    let migrations = root.path().join("migrations");
    let migrate = xtask(&["migrate", "--database-url", &db.url, "--migrations", &migrations.to_string_lossy()]);
    assert_eq!(migrate.code, 0, "{migrate:?}");
    let check = || xtask(&["check", "--root", &root_arg, "--spec-dir", &spec_arg, "--database-url", &db.url]);
    let in_sync = check();
    assert_eq!(in_sync.code, 0, "false drift on a fresh database:\n{}", in_sync.stdout);
    db.execute("ALTER TABLE d_everything ALTER COLUMN due SET DEFAULT now() + interval '2 days'");
    let drift = check();
    assert_eq!(drift.code, 1, "{drift:?}");
    assert!(drift.stdout.contains("d_everything.due: default differs"), "{}", drift.stdout);
}

#[test]
fn a_project_schema_other_than_public_is_created_and_checked() {
    let root = scratch_root("other_schema");
    let project = root.path().join("model-spec/project.yaml");
    let text = std::fs::read_to_string(&project).unwrap().replace("schema: public", "schema: billing");
    std::fs::write(&project, text).unwrap();
    assert_eq!(generate_in(&root).code, 0);
    let db = TestDb::new("other_schema");
    let migrations = root.path().join("migrations");
    let migrate = xtask(&["migrate", "--database-url", &db.url, "--migrations", &migrations.to_string_lossy()]);
    assert_eq!(migrate.code, 0, "{migrate:?}");
    let root_arg = root.path().to_string_lossy().into_owned();
    let spec_arg = format!("{root_arg}/model-spec");
    let run = xtask(&["check", "--root", &root_arg, "--spec-dir", &spec_arg, "--database-url", &db.url]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("(schema billing): in sync"), "{}", run.stdout);
}
