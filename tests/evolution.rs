//! Specs evolving on a database that holds rows: each step appends a migration (never edits one),
//! `migrate` applies it, `check --database-url` finds no drift and the migrations replay to the
//! specs' schema, and every row survives. Then each down migration returns the database to the
//! previous step's schema, enum types included. The data-loss guard refuses, counts and yields.

use codegen::schema::report::split_unmanaged;
use codegen::schema::{live::compare_live, lower::lower, Schema};
use tests::{block_on, copy_dir, repo_root, xtask, Run, TempDir, TestDb};

struct Project {
    root: TempDir,
    db: TestDb,
}

impl Project {
    fn new(label: &str) -> Self {
        let root = TempDir::new(label);
        copy_dir(&repo_root().join("model-spec"), &root.path().join("model-spec"));
        Self { root, db: TestDb::new(label) }
    }

    fn arg(&self) -> String {
        self.root.path().to_string_lossy().into_owned()
    }

    fn generate(&self, extra: &[&str]) -> Run {
        let (root, spec) = (self.arg(), format!("{}/model-spec", self.arg()));
        let mut args = vec!["generate", "--root", &root, "--spec-dir", &spec];
        args.extend_from_slice(extra);
        xtask(&args)
    }

    fn migrate(&self) -> Run {
        xtask(&["migrate", "--database-url", &self.db.url, "--migrations", &format!("{}/migrations", self.arg())])
    }

    fn check(&self) -> Run {
        let (root, spec) = (self.arg(), format!("{}/model-spec", self.arg()));
        xtask(&["check", "--root", &root, "--spec-dir", &spec, "--database-url", &self.db.url])
    }

    /// Edits one spec file: `edit(text) -> text`.
    fn edit(&self, file: &str, edit: impl Fn(&str) -> String) {
        let path = self.root.path().join("model-spec").join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, edit(&text)).unwrap();
    }

    fn lowered(&self) -> Schema {
        lower(&codegen::load_model(&self.root.path().join("model-spec")).unwrap_or_else(|d| panic!("{}", d.render())))
    }

    fn scalar(&self, sql: &str) -> String {
        block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&self.db.url).await.unwrap();
            sqlx::query_scalar::<_, String>(sql).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
        })
    }

    fn migrations(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.path().join("migrations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// The database's schema equals `expected`: no drift, nothing unmanaged but bookkeeping.
fn assert_schema(db: &TestDb, expected: &Schema, when: &str) {
    let (actual, changes) = block_on(compare_live(&db.url, expected)).unwrap();
    let (drift, unmanaged) = split_unmanaged(changes, &actual, &["_sqlx_migrations".to_string()]);
    assert!(drift.is_empty(), "{when}: drift {drift:#?}");
    let left: Vec<_> = unmanaged.iter().filter(|u| u.kind != codegen::schema::report::BOOKKEEPING).collect();
    assert!(left.is_empty(), "{when}: objects left behind {left:?}");
}

#[test]
fn six_spec_versions_on_a_database_with_rows() {
    let p = Project::new("evolution");
    assert_eq!(p.generate(&[]).code, 0);
    assert_eq!(p.migrate().code, 0);
    p.db.execute(
        "INSERT INTO vbwd_user (id, email, password_hash, status, role, has_used_trial, created_at, updated_at, version)
         VALUES ('00000000-0000-0000-0000-000000000001', 'kept@example.com', 'h', 'ACTIVE', 'USER', true, now(), now(), 4);
         INSERT INTO vbwd_country (id, code, name, is_enabled, position, created_at, updated_at, version)
         VALUES (gen_random_uuid(), 'DE', 'Germany', true, 1, now(), now(), 0);",
    );
    let mut schemas = vec![p.lowered()];
    let step_with = |what: &str, edit: &dyn Fn(), generate: &[&str]| {
        edit();
        let generated = p.generate(generate);
        assert_eq!(generated.code, 0, "{what}: {generated:?}");
        assert!(generated.stdout.contains("wrote   migrations/"), "{what}: no migration written: {}", generated.stdout);
        let migrated = p.migrate();
        assert_eq!(migrated.code, 0, "{what}: {migrated:?}");
        let checked = p.check();
        assert_eq!(checked.code, 0, "{what}: {}{}", checked.stdout, checked.stderr);
        assert!(checked.stdout.contains("migrations: build the specs' schema"), "{what}: {}", checked.stdout);
        assert_eq!(p.scalar("SELECT email || '/' || version FROM vbwd_user"), "kept@example.com/4", "{what}");
        assert_eq!(p.scalar("SELECT name FROM vbwd_country WHERE code = 'DE'"), "Germany", "{what}");
        assert!(!p.generate(&[]).stdout.contains("wrote   migrations/"), "{what}: generate is not idempotent");
    };
    let step = |what: &str, edit: &dyn Fn()| step_with(what, edit, &[]);

    step("add an entity", &|| {
        let note = "entity: Note\ndoc: A note.\nmixins: [base]\nfields:\n  body: { type: text }\n  \
                    user_id: { type: uuid, nullable: true, references: User }\n";
        std::fs::write(p.root.path().join("model-spec/entities/note.yaml"), note).unwrap();
    });
    schemas.push(p.lowered());
    p.db.execute("INSERT INTO vbwd_note (id, body, user_id, created_at, updated_at, version) VALUES (gen_random_uuid(), 'remember', '00000000-0000-0000-0000-000000000001', now(), now(), 0)");
    step("add a nullable field", &|| {
        p.edit("entities/user.yaml", |t| {
            t.replace("  has_used_trial:", "  nickname: { type: string(50), nullable: true }\n  has_used_trial:")
        });
    });
    schemas.push(p.lowered());
    p.db.execute("UPDATE vbwd_user SET nickname = 'kim'");
    step("add a field with a database default", &|| {
        p.edit("entities/country.yaml", |t| format!("{t}  rank: {{ type: int, db_default: 0 }}\n"));
    });
    schemas.push(p.lowered());
    assert_eq!(p.scalar("SELECT rank::text FROM vbwd_country"), "0", "existing rows take the default");
    step("rename a field", &|| {
        p.edit("entities/user.yaml", |t| {
            t.replace(
                "  nickname: { type: string(50), nullable: true }",
                "  handle: { type: string(50), nullable: true, renamed_from: nickname }",
            )
        });
    });
    schemas.push(p.lowered());
    assert_eq!(p.scalar("SELECT handle FROM vbwd_user"), "kim", "a renamed column keeps its values");
    step("rename an entity", &|| {
        std::fs::remove_file(p.root.path().join("model-spec/entities/note.yaml")).unwrap();
        let memo =
            "entity: Memo\nrenamed_from: vbwd_note\ndoc: A note.\nmixins: [base]\nfields:\n  body: { type: text }\n  \
                    user_id: { type: uuid, nullable: true, references: User }\n";
        std::fs::write(p.root.path().join("model-spec/entities/memo.yaml"), memo).unwrap();
    });
    schemas.push(p.lowered());
    assert_eq!(p.scalar("SELECT body FROM vbwd_memo"), "remember", "a renamed table keeps its rows");
    step("widen a varchar", &|| p.edit("entities/country.yaml", |t| t.replacen("string(100)", "string(150)", 1)));
    schemas.push(p.lowered());
    step("add enum values", &|| {
        p.edit("enums/core.yaml", |t| {
            t.replacen("[PENDING, ACTIVE, SUSPENDED", "[PENDING, VERIFIED, ACTIVE, SUSPENDED", 1)
        });
    });
    schemas.push(p.lowered());
    assert_eq!(p.scalar("SELECT status::text FROM vbwd_user"), "ACTIVE");

    // Dropping a field that holds a value: refused, counted, then acknowledged.
    p.edit("entities/user.yaml", |t| {
        t.replace("  handle: { type: string(50), nullable: true, renamed_from: nickname }\n", "")
    });
    let refused = p.generate(&[]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("drop column vbwd_user.handle: its values are deleted"), "{}", refused.stderr);
    let counted = p.generate(&["--database-url", &p.db.url]);
    assert_eq!(counted.code, 2, "{counted:?}");
    assert!(counted.stderr.contains("1 row(s) affected"), "{}", counted.stderr);
    let before = p.migrations();
    assert_eq!(p.migrations(), before, "a refusal writes nothing");
    step_with("drop a field, acknowledged", &|| {}, &["--allow-data-loss"]);
    schemas.push(p.lowered());

    // Down, one migration at a time, back to each earlier version.
    let downs: Vec<String> = p.migrations().into_iter().filter(|m| m.ends_with(".down.sql")).collect();
    assert_eq!(downs.len(), schemas.len(), "one migration per version: {downs:?}");
    for (i, down) in downs.iter().enumerate().rev().filter(|(i, _)| *i > 0) {
        let sql = std::fs::read_to_string(p.root.path().join("migrations").join(down)).unwrap();
        p.db.execute(&sql);
        assert_schema(&p.db, &schemas[i - 1], &format!("after {down}"));
    }
    assert_eq!(p.scalar("SELECT email FROM vbwd_user"), "kept@example.com");
}

#[test]
fn removing_an_enum_value_in_use_is_refused_and_an_unused_one_passes_with_a_database() {
    let p = Project::new("enum_removal");
    assert_eq!(p.generate(&[]).code, 0);
    assert_eq!(p.migrate().code, 0);
    p.edit("enums/core.yaml", |t| {
        t.replacen("[PENDING, ACTIVE, SUSPENDED, DELETED]", "[PENDING, ACTIVE, SUSPENDED]", 1)
    });
    let refused = p.generate(&[]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("remove value DELETED from enum userstatus"), "{}", refused.stderr);
    let empty = p.generate(&["--database-url", &p.db.url]);
    assert_eq!(empty.code, 0, "no row holds DELETED, so nothing is lost: {empty:?}");
    assert_eq!(p.migrate().code, 0);
    let checked = p.check();
    assert_eq!(checked.code, 0, "{}", checked.stdout);
}

#[test]
fn a_modified_applied_migration_is_named_by_check_and_refused_by_migrate() {
    let p = Project::new("tamper");
    assert_eq!(p.generate(&[]).code, 0);
    assert_eq!(p.migrate().code, 0);
    let init = p.root.path().join("migrations/0001_init.up.sql");
    let edited = std::fs::read_to_string(&init).unwrap().replacen("CREATE TABLE", "-- edited\nCREATE TABLE", 1);
    std::fs::write(&init, edited).unwrap();
    let checked = p.check();
    assert_eq!(checked.code, 1, "{checked:?}");
    assert!(
        checked.stdout.contains("applied migration 1 init: its file changed after it was applied"),
        "{}",
        checked.stdout
    );
    let migrated = p.migrate();
    assert_eq!(migrated.code, 2, "{migrated:?}");
    assert!(migrated.stderr.contains("previously applied but has been modified"), "{}", migrated.stderr);
}

#[test]
fn concurrent_migrate_processes_apply_each_migration_once() {
    let p = Project::new("concurrent_migrate");
    assert_eq!(p.generate(&[]).code, 0);
    p.edit("entities/country.yaml", |t| format!("{t}  rank: {{ type: int, nullable: true }}\n"));
    assert_eq!(p.generate(&[]).code, 0);
    // Four runs at once, each with its own connection (as four deploys would be); PostgreSQL's
    // advisory lock serializes them.
    let dir = format!("{}/migrations", p.arg());
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let (url, dir) = (p.db.url.clone(), dir.clone());
            std::thread::spawn(move || xtask(&["migrate", "--database-url", &url, "--migrations", &dir]))
        })
        .collect();
    let results: Vec<Run> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    for run in &results {
        assert_eq!(run.code, 0, "{run:?}");
    }
    let applied: usize = results.iter().map(|r| r.stdout.lines().filter(|l| l.starts_with("applied ")).count()).sum();
    assert_eq!(applied, 2, "each of the two migrations applied exactly once: {results:?}");
    assert_eq!(p.scalar("SELECT count(*)::text FROM _sqlx_migrations"), "2");
}

#[test]
fn a_failing_migration_leaves_the_database_as_it_was() {
    let p = Project::new("failing_migration");
    assert_eq!(p.generate(&[]).code, 0);
    assert_eq!(p.migrate().code, 0);
    let bad = "CREATE TABLE half_done (id int);\nALTER TABLE vbwd_user ADD COLUMN broken no_such_type;\n";
    std::fs::write(p.root.path().join("migrations/0002_broken.up.sql"), bad).unwrap();
    std::fs::write(p.root.path().join("migrations/0002_broken.down.sql"), "DROP TABLE half_done;\n").unwrap();
    let before = p.lowered();
    let migrated = p.migrate();
    assert_eq!(migrated.code, 2, "{migrated:?}");
    assert!(migrated.stderr.starts_with("error: migration failed"), "{}", migrated.stderr);
    assert_schema(&p.db, &before, "after the failed migration");
    assert_eq!(p.scalar("SELECT count(*)::text FROM _sqlx_migrations"), "1");
}

#[test]
fn renamed_enum_values_keep_the_rows_that_hold_them() {
    let p = Project::new("enum_rename");
    assert_eq!(p.generate(&[]).code, 0);
    assert_eq!(p.migrate().code, 0);
    p.db.execute(
        "INSERT INTO vbwd_user (id, email, password_hash, status, role, has_used_trial, created_at, updated_at, version)
         VALUES (gen_random_uuid(), 'blocked@example.com', 'h', 'SUSPENDED', 'USER', false, now(), now(), 0)",
    );
    p.edit("enums/core.yaml", |t| {
        t.replacen(
            "    values: [PENDING, ACTIVE, SUSPENDED, DELETED]",
            "    values: [PENDING, ACTIVE, BLOCKED, DELETED]\n    renamed_values: { BLOCKED: SUSPENDED }",
            1,
        )
    });
    let run = p.generate(&[]);
    assert_eq!(run.code, 0, "a rename loses nothing, so it needs no acknowledgement: {run:?}");
    let up = p.migrations().into_iter().find(|m| m.starts_with("0002") && m.ends_with(".up.sql")).unwrap();
    let sql = std::fs::read_to_string(p.root.path().join("migrations").join(up)).unwrap();
    assert!(sql.contains("ALTER TYPE userstatus RENAME VALUE 'SUSPENDED' TO 'BLOCKED';"), "{sql}");
    assert_eq!(p.migrate().code, 0);
    assert_eq!(p.scalar("SELECT status::text FROM vbwd_user"), "BLOCKED");
    assert_eq!(p.check().code, 0);
}
