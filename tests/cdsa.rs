//! The seeds' second system, the CDSA chat backend (`fixtures/cdsa`, written from
//! `shared/reference/cdsa.md` as a spec author would): pgvector embeddings with an HNSW index,
//! an append-only audit log with `inet`, jsonb payloads with a GIN index, enums, partial and
//! BRIN indexes, CHECKs and comments. On PostgreSQL 18 with pgvector: generated, migrated and
//! checked clean, and imported back without a warning into specs that check clean too.

use tests::project::Project;
use tests::{pg18, repo_root, xtask, TempDir, TestDb};

#[test]
fn cdsa_migrates_and_checks_clean_on_postgres_18() {
    let project = Project::generate("cdsa", &repo_root().join("tests/fixtures/cdsa/model-spec"), "cdsa-api");
    let root = project.path().display().to_string();
    let db = TestDb::on(pg18::server_url(), "cdsa");
    let run = xtask(&["migrate", "--database-url", &db.url, "--migrations", &format!("{root}/migrations")]);
    assert_eq!(run.code, 0, "migrate: {run:?}");
    let run = xtask(&["check", "--root", &root, "--database-url", &db.url]);
    assert_eq!(run.code, 0, "check: {run:?}");
    db.execute(
        "INSERT INTO app_user (id, created_at, email, password_hash, role) VALUES (gen_random_uuid(), now(), 'a@x.io', 'h', 'USER');
         INSERT INTO document (id, created_at, owner_id, title) SELECT gen_random_uuid(), now(), id, 'd' FROM app_user;
         INSERT INTO chunk (id, created_at, document_id, position, content, embedding)
           SELECT gen_random_uuid(), now(), d.id, n, 'c', array_fill(n::real / 10, ARRAY[768])::vector
           FROM document d, generate_series(0, 9) n;",
    );
    db.execute("VACUUM ANALYZE");
    let nearest: String = tests::block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let by_distance = "SELECT string_agg(position::text, ',' ORDER BY embedding <-> array_fill(0.95::real, ARRAY[768])::vector) FROM chunk";
        sqlx::query_scalar(by_distance).fetch_one(&mut conn).await.expect("nearest neighbours")
    });
    assert_eq!(nearest, "9,8,7,6,5,4,3,2,1,0", "vector(768) orders by L2 distance");
    let run = xtask(&["check", "--root", &root, "--database-url", &db.url]);
    assert_eq!(run.code, 0, "rows are not drift: {run:?}");

    let tmp = TempDir::new("cdsa-import");
    let spec = tmp.path().join("model-spec");
    let run = xtask(&["import", "--database-url", &db.url, "--spec-dir", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "import: {run:?}");
    assert!(run.stderr.is_empty(), "the CDSA schema is expressible, yet:\n{}", run.stderr);
    assert!(run.stdout.contains("kept 10 of 10 tables"), "{}", run.stdout);
    let imported_root = tmp.path().to_str().unwrap();
    let run = xtask(&["generate", "--root", imported_root, "--spec-dir", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "generate from the imported specs: {run:?}");
    let run = xtask(&[
        "check",
        "--root",
        imported_root,
        "--spec-dir",
        spec.to_str().unwrap(),
        "--database-url",
        &db.url,
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    assert_eq!(report["database"]["drift"], serde_json::json!([]), "{}", run.stdout);
}
