//! Optimistic locking whatever integer type the spec gives the version column: a fixture project
//! (`fixtures/versions`) with a `bigint` and a `smallint` version generates, compiles, and over
//! HTTP bumps, refuses stale versions (409) and carries versions beyond a double's precision and
//! at the smallint's end exactly.

use serde_json::json;
use tests::project::Project;
use tests::server::{token, Api, TEST_SECRET};
use tests::{block_on, repo_root, TestDb};

#[test]
fn bigint_and_smallint_versions_lock_over_http() {
    let project =
        Project::generate("versions", &repo_root().join("tests/fixtures/versions/model-spec"), "versions-api");
    let binary = project.build();
    let db = TestDb::new("versions");
    let served = project.serve(&binary, &db.url, TEST_SECRET);
    let api = Api::at(&served.base, &db.url, Some(token(&uuid::Uuid::new_v4().to_string(), &["admin"])));
    block_on(async {
        for (path, table, top) in [("/api/v1/counters", "counter", i64::MAX - 1), ("/api/v1/tallies", "tally", 32766)] {
            let created = api.post(path, &json!({ "name": "a" })).await;
            assert_eq!(created.status, 201, "{path}: {}", created.text);
            assert_eq!(created.json["version"], 0, "{path}");
            assert_eq!(created.header("etag"), Some("\"0\""), "{path}");
            let item = format!("{path}/{}", created.json["id"].as_str().unwrap());

            let bumped = api.patch(&item, &json!({ "name": "b", "version": 0 })).await;
            assert_eq!((bumped.status, bumped.json["version"].as_i64()), (200, Some(1)), "{item}: {}", bumped.text);
            let stale = api.patch(&item, &json!({ "name": "c", "version": 0 })).await;
            assert_eq!(stale.status, 409, "{item}: a stale version must conflict: {}", stale.text);
            let stale = api.raw("PATCH", &item, Some(br#"{"name":"c"}"#.to_vec()), &[("if-match", "\"0\"")]).await;
            assert_eq!(stale.status, 412, "{item}: a stale If-Match is a failed precondition: {}", stale.text);

            // Near the top of the column's range: exact in JSON, in the ETag and in If-Match.
            db.execute_async(&format!("UPDATE {table} SET version = {top}")).await;
            let read = api.get(&item).await;
            assert!(read.text.contains(&format!("\"version\":{top}")), "{item}: {}", read.text);
            assert_eq!(read.header("etag"), Some(format!("\"{top}\"").as_str()), "{item}");
            let etag = format!("\"{top}\"");
            let at_top = api.raw("PATCH", &item, Some(br#"{"name":"d"}"#.to_vec()), &[("if-match", &etag)]).await;
            assert_eq!(at_top.status, 200, "{item}: {}", at_top.text);
            assert!(at_top.text.contains(&format!("\"version\":{}", top + 1)), "{item}: {}", at_top.text);

            // A version the column cannot hold is no version of this row: refused, never a 500.
            let beyond = api.patch(&item, &json!({ "name": "e", "version": i128::from(top) * 4 })).await;
            assert!(matches!(beyond.status, 409 | 422), "{item}: {} {}", beyond.status, beyond.text);
        }
        // The last bump of a smallint version wraps to the type's lowest value instead of failing.
        let tally = api.post("/api/v1/tallies", &json!({ "name": "w" })).await;
        let item = format!("/api/v1/tallies/{}", tally.json["id"].as_str().unwrap());
        db.execute_async("UPDATE tally SET version = 32767").await;
        let wrapped = api.patch(&item, &json!({ "name": "x", "version": 32767 })).await;
        assert_eq!((wrapped.status, wrapped.json["version"].as_i64()), (200, Some(-32768)), "{}", wrapped.text);
    });
    drop(served);
}
