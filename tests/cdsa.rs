//! The seeds' second system, the CDSA chat backend (`fixtures/cdsa`, written from
//! `shared/reference/cdsa.md` as a spec author would): pgvector embeddings with an HNSW index,
//! an append-only audit log with `inet`, jsonb payloads with a GIN index, enums, partial and
//! BRIN indexes, CHECKs and comments. On PostgreSQL 18 with pgvector: generated, migrated and
//! checked clean, and imported back without a warning into specs that check clean too.

use serde_json::{json, Value};
use tests::project::Project;
use tests::server::{token, Api, TEST_SECRET};
use tests::{block_on, pg18, repo_root, tools, xtask, TempDir, TestDb};

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
    let nearest: String = block_on(async {
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
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    assert_eq!(report["database"]["drift"], json!([]), "{}", run.stdout);
    // The imported specs' own migration builds them exactly (this database's applied migration
    // is the fixture's, so it reads as edited: that is not what this checks).
    assert_eq!((&report["migrations"], &report["files"]), (&json!([]), &json!([])), "{}", run.stdout);
}

/// 768 deterministic numbers, different for each seed.
fn embedding(seed: u32) -> Vec<f32> {
    (0..768).map(|j| ((seed * 7919 + j * 104_729) % 2003) as f32 / 1001.0 - 1.0).collect()
}

/// The CDSA server on PostgreSQL 18: chunks posted with their embeddings come back exactly, and a
/// list ordered by cosine distance to a query vector returns them nearest first, as PostgreSQL's
/// own distances order them — through HTTP and through the generated SDK under node.
#[test]
fn cdsa_serves_nearest_neighbours_over_http_and_the_sdk() {
    let project = Project::generate("cdsa-api", &repo_root().join("tests/fixtures/cdsa/model-spec"), "cdsa-api");
    let binary = project.build();
    let db = TestDb::on(pg18::server_url(), "cdsa_api");
    let served = project.serve(&binary, &db.url, TEST_SECRET);
    let api = Api::at(&served.base, &db.url, Some(token(&uuid::Uuid::new_v4().to_string(), &["admin"])));
    let document = uuid::Uuid::new_v4();
    db.execute(&format!(
        "INSERT INTO app_user (id, created_at, email, password_hash, role) VALUES ('{document}', now(), 'a@x.io', 'h', 'USER');
         INSERT INTO document (id, created_at, owner_id, title) VALUES ('{document}', now(), '{document}', 'd');
         INSERT INTO document (id, created_at, owner_id, title) VALUES (gen_random_uuid(), now(), '{document}', 'other');"
    ));
    let query = embedding(7).iter().map(|x| x * 0.9 + 0.05).collect::<Vec<f32>>();
    let query_text = serde_json::to_string(&query).unwrap();
    let (expected, nearest) = block_on(async {
        for position in 0..20u32 {
            let body = json!({ "document_id": document, "position": position, "content": format!("c{position}"),
                               "embedding": embedding(position) });
            let created = api.post("/api/v1/chunks", &body).await;
            assert_eq!(created.status, 201, "{}", created.text);
            assert_eq!(created.json["embedding"], body["embedding"], "a vector comes back exactly");
        }
        // PostgreSQL's distances, computed exactly (no index), give the expected order.
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let exact = "SELECT position FROM chunk WHERE document_id = $2 ORDER BY embedding <=> $1::text::vector LIMIT 5";
        sqlx::query("SET enable_indexscan = off").execute(&mut conn).await.unwrap();
        let expected: Vec<i32> =
            sqlx::query_scalar(exact).bind(&query_text).bind(document).fetch_all(&mut conn).await.expect("distances");
        let path = format!("/api/v1/chunks?order=embedding.cosine.{query_text}&document_id=eq.{document}&limit=5");
        let nearest = api.get(&path.replace('[', "%5B").replace(']', "%5D")).await;
        assert_eq!(nearest.status, 200, "{}", nearest.text);
        let positions: Vec<i64> =
            nearest.json.as_array().unwrap().iter().map(|c| c["position"].as_i64().unwrap()).collect();
        for (bad, why) in [
            ("embedding.cosine.[1,2]", "wrong dimensions"),
            ("content.cosine.[1]", "not a vector field"),
            ("embedding.dot.[1]", "no such metric"),
        ] {
            let reply = api.get(&format!("/api/v1/chunks?order={bad}")).await;
            assert_eq!(reply.status, 400, "{why}: {}", reply.text);
        }
        let short = json!({ "document_id": document, "position": 99, "content": "x", "embedding": [0.5] });
        assert_eq!(api.post("/api/v1/chunks", &short).await.status, 422, "a vector of the wrong dimensions");
        (expected, positions)
    });
    assert_eq!(expected.len(), 5);
    assert_eq!(nearest, expected.iter().map(|&p| i64::from(p)).collect::<Vec<_>>(), "HTTP orders by distance");
    tests::server::assert_match_document(&project.path().join("generated/openapi.json"), &api.exchanges());

    // The same list through the SDK, compiled strictly and run under node.
    let sdk_dir = project.path().join("tests/sdk");
    std::fs::create_dir_all(&sdk_dir).unwrap();
    std::fs::copy(repo_root().join("tests/sdk/nearest.mts"), sdk_dir.join("nearest.mts")).unwrap();
    let script = tools::compile_node_script(project.path(), &sdk_dir.join("nearest.mts"), project.path());
    let run = std::process::Command::new("node")
        .arg(&script)
        .env("API_BASE_URL", &served.base)
        .env("API_ADMIN_TOKEN", token(&uuid::Uuid::new_v4().to_string(), &["admin"]))
        .env("QUERY_VECTOR", &query_text)
        .env("DOCUMENT_ID", document.to_string())
        .output()
        .expect("run node");
    assert!(
        run.status.success(),
        "the SDK script failed: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let through_sdk: Value = serde_json::from_slice(&run.stdout).expect("positions as JSON");
    assert_eq!(through_sdk, json!(expected), "the SDK orders by distance");
    // The independent tester, against this server and the document it serves.
    let admin = token(&uuid::Uuid::new_v4().to_string(), &["admin"]);
    tests::conformance::schemathesis(&served.base, "admin of CDSA", Some(&admin), tests::conformance::seconds(60));
    drop(served);
}
