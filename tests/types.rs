//! Every type the spec language holds (`fixtures/types`: PostgreSQL's spellings, precisions,
//! network, bit-string, text-search and range types, an extension's type, `sql(…)`, arrays):
//! generated, migrated and checked on a real database with zero drift; the migrated database
//! imported back gives specs that generate the same migration; and the generated server carries
//! each value through POST and GET as PostgreSQL prints it.

use serde_json::{json, Value};
use sqlx::Connection;
use std::path::Path;
use tests::project::Project;
use tests::server::{token, Api, TEST_SECRET};
use tests::{block_on, pg18, repo_root, server_url, xtask, TempDir, TestDb};

fn fixture() -> std::path::PathBuf {
    repo_root().join("tests/fixtures/types/model-spec")
}

/// The number of differences `check` finds between these specs and the database (the
/// migration history aside: the two projects' first migrations differ in spelling).
fn database_drift(root: &str, spec_dir: &str, url: &str) -> usize {
    let run = xtask(&["check", "--root", root, "--spec-dir", spec_dir, "--database-url", url, "--format", "json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"));
    let drift = report["database"]["drift"].as_array().unwrap_or_else(|| panic!("{run:?}"));
    assert!(drift.is_empty(), "{drift:#?}");
    drift.len()
}

fn init_migration(root: &Path) -> String {
    std::fs::read_to_string(root.join("migrations/0001_init.up.sql")).expect("0001_init.up.sql")
}

#[test]
fn every_type_migrates_checks_clean_and_imports_back() {
    migrates_checks_clean_and_imports_back(&fixture(), server_url());
}

/// The same on PostgreSQL 18, without the one extension its build lacks (citext).
#[test]
fn every_type_on_postgres_18() {
    let copy = TempDir::new("types-18");
    let spec = copy.path().join("model-spec");
    tests::copy_dir(&fixture(), &spec);
    let edit = |file: &str, from: &str, to: &str| {
        let path = spec.join(file);
        let text = std::fs::read_to_string(&path).expect("fixture file");
        assert!(text.contains(from), "{file} no longer holds {from:?}");
        std::fs::write(&path, text.replace(from, to)).expect("write the copy");
    };
    edit("project.yaml", "extensions: [btree_gist, citext]", "extensions: [btree_gist]");
    edit("entities/sample.yaml", "  email: { type: citext, nullable: true }\n", "");
    migrates_checks_clean_and_imports_back(&spec, pg18::server_url());
}

fn migrates_checks_clean_and_imports_back(specs: &Path, server: &str) {
    let project = Project::generate("types", specs, "types-api");
    let root = project.path().to_str().unwrap().to_string();
    let db = TestDb::on(server, "types");
    let run = xtask(&["migrate", "--database-url", &db.url, "--migrations", &format!("{root}/migrations")]);
    assert_eq!(run.code, 0, "migrate: {run:?}");
    let run = xtask(&["check", "--root", &root, "--database-url", &db.url]);
    assert_eq!(run.code, 0, "check after migrate: {run:?}");

    let tmp = TempDir::new("types-import");
    let spec = tmp.path().join("model-spec");
    let schemas = "public,audit";
    let run = xtask(&["import", "--database-url", &db.url, "--schema", schemas, "--spec-dir", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "import: {run:?}");
    assert!(run.stderr.is_empty(), "every column is expressible, yet:\n{}", run.stderr);
    let imported_root = tmp.path().to_str().unwrap();
    let run = xtask(&["generate", "--root", imported_root, "--spec-dir", spec.to_str().unwrap()]);
    assert_eq!(run.code, 0, "generate from the imported specs: {run:?}");
    let spec_dir = spec.to_str().unwrap();
    assert_eq!(database_drift(imported_root, spec_dir, &db.url), 0, "imported specs against their database");

    // The imported specs' migration builds the same schema (the fixture's checks against it),
    // and importing that database again gives the same specs: expressions differ from the
    // fixture's only in PostgreSQL's spelling of them.
    let again = TestDb::on(server, "types_again");
    let run = xtask(&["migrate", "--database-url", &again.url, "--migrations", &format!("{imported_root}/migrations")]);
    assert_eq!(run.code, 0, "migrate the imported specs' migration: {run:?}");
    let run = xtask(&["check", "--root", imported_root, "--spec-dir", spec_dir, "--database-url", &again.url]);
    assert_eq!(run.code, 0, "the imported specs against the database they built: {run:?}");
    let fixture_specs = format!("{root}/model-spec");
    assert_eq!(database_drift(&root, &fixture_specs, &again.url), 0, "the fixture against that database");
    let second = TempDir::new("types-import-again");
    let run = xtask(&[
        "import",
        "--database-url",
        &again.url,
        "--schema",
        schemas,
        "--spec-dir",
        second.path().join("model-spec").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "second import: {run:?}");
    let run = xtask(&["generate", "--root", second.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "generate from the second import: {run:?}");
    assert_eq!(init_migration(second.path()), init_migration(tmp.path()), "import → generate is not a fixed point");
}

#[test]
fn every_type_round_trips_through_the_generated_api() {
    let project = Project::generate("types-api", &fixture(), "types-api");
    let binary = project.build();
    let db = TestDb::new("types_api");
    let served = project.serve(&binary, &db.url, TEST_SECRET);
    let api = Api::at(&served.base, &db.url, Some(token(&uuid::Uuid::new_v4().to_string(), &["admin"])));
    // Each value as PostgreSQL's cast to text prints it (inet with its netmask), so what goes in
    // comes out unchanged.
    let body = json!({
        "label": "all types",
        "note": "unbounded",
        "code": "ab",
        "email": "Mixed@Case.io",
        "whole": "123456789012",
        "amount": "12345678901234567890123456789012345.000000000000000000001",
        "cash": "$12.34",
        "at_micro": "2026-01-31T12:00:00.123456Z",
        "clock": "12:30:00",
        "clock_tz": "12:30:00+02",
        "span": "1 day 02:00:00",
        "markup": "<a>x</a>",
        "address": "192.168.0.1/24",
        "network": "10.0.0.0/8",
        "mac": "08:00:2b:01:02:03",
        "mac8": "08:00:2b:01:02:03:04:05",
        "bits": "10101010",
        "flags": "101",
        "query": "'cat' & 'dog'",
        "ints": "[1,5)",
        "nums": "[1.5,2.5]",
        "days": "[2026-01-01,2026-02-01)",
        "spot": "(1,2)",
        "tags": ["a", "b c"],
        "hosts": ["10.0.0.1/32", "::1/128"],
        "shapes": ["(1,2)", "(3,4)"]
    });
    block_on(async {
        let created = api.post("/api/v1/samples", &body).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let read = api.get(&format!("/api/v1/samples/{}", created.json["id"].as_str().unwrap())).await;
        assert_eq!(read.status, 200, "{}", read.text);
        for (key, sent) in body.as_object().unwrap() {
            assert_eq!(&read.json[key], sent, "{key} came back changed: {}", read.text);
        }
        // Extreme values, NULL and empty elements, and unicode round-trip exactly too.
        let extremes = json!({
            "label": "extrêmes ✓ 𝄞", "body": "", "tiny": -32768, "count": 2147483647, "big": -9223372036854775808i64,
            "ratio": 3.4028235e38, "score": -1.7976931348623157e308, "price": "-99999999.99", "whole": "999999999999",
            "amount": "-0.00000000000000000000000000000000000000000001", "day": "9999-12-31",
            "at": "0001-01-01T00:00:00Z", "at_tz": "9999-12-31T23:59:59.999999Z", "doc_jsonb": { "ключ": [null, 0.5, "\u{1F600}"] },
            "tags": ["", null, "ünï,cødé", "{}", "\"q\""], "scores": [null, "-999.99", "0.01"], "moments": [],
            "hosts": [null, "2001:db8::/32"], "bits": "00000000", "any_bits": ""
        });
        let made = api.post("/api/v1/samples", &extremes).await;
        assert_eq!(made.status, 201, "{}", made.text);
        let back = api.get(&format!("/api/v1/samples/{}", made.json["id"].as_str().unwrap())).await;
        for (key, sent) in extremes.as_object().unwrap() {
            let same = match (sent.as_f64(), back.json[key].as_f64()) {
                (Some(a), Some(b)) if sent.is_f64() => a == b,
                _ => &back.json[key] == sent,
            };
            assert!(same, "{key} came back changed: sent {sent}, read {}", back.json[key]);
        }
        // PostgreSQL's ends of time, which every date and timestamp column holds, travel as it
        // spells them, in arrays too, order around every moment and filter like any value.
        let ends = json!({
            "label": "ends", "code": "zz", "day": "infinity", "at": "-infinity", "at_micro": "infinity", "at_zone": "-infinity",
            "at_tz": "infinity", "moments": ["-infinity", null, "2026-01-01T00:00:00.123Z", "infinity"]
        });
        let made = api.post("/api/v1/samples", &ends).await;
        assert_eq!(made.status, 201, "{}", made.text);
        let back = api.get(&format!("/api/v1/samples/{}", made.json["id"].as_str().unwrap())).await;
        for (key, sent) in ends.as_object().unwrap() {
            assert_eq!(&back.json[key], sent, "{key} came back changed: {}", back.text);
        }
        let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let stored: (bool, bool, String) = sqlx::query_as(
            "SELECT day = 'infinity'::date, at = '-infinity'::timestamp, moments::text FROM sample WHERE id = $1::uuid",
        )
        .bind(made.json["id"].as_str().unwrap())
        .fetch_one(&mut conn)
        .await
        .expect("the row as PostgreSQL holds it");
        assert_eq!(stored, (true, true, r#"{-infinity,NULL,"2026-01-01 00:00:00.123",infinity}"#.to_string()));
        let later = api.get("/api/v1/samples?at_tz=gt.9999-12-31T00:00:00Z&order=at_tz.desc").await;
        assert_eq!(
            later.json.as_array().map(|rows| rows.iter().map(|r| r["label"].clone()).collect::<Vec<_>>()),
            Some(vec![json!("ends"), json!("extrêmes ✓ 𝄞")]),
            "{}",
            later.text
        );
        let ended = api.get("/api/v1/samples?day=eq.infinity&at=lt.0001-01-01T00:00:00Z").await;
        assert_eq!(ended.json.as_array().map(Vec::len), Some(1), "{}", ended.text);
        let mut wrong = ends.clone();
        wrong["day"] = json!("Infinity");
        assert_eq!(api.post("/api/v1/samples", &wrong).await.status, 422, "PostgreSQL's spelling only");
        // A tsvector is derived data: read, never written.
        let mut derived = body.clone();
        derived["search"] = json!("'cat' 'dog'");
        let refused = api.post("/api/v1/samples", &derived).await;
        assert_eq!(refused.status, 422, "tsvector is read-only: {}", refused.text);
        assert_eq!(read.json["search"], Value::Null, "{}", read.text);
        // A value PostgreSQL cannot read as the column's type is the client's error, not a 500.
        for (key, bad) in [("address", "not an address"), ("ints", "[5,1)"), ("bits", "12"), ("amount", "1e5x")] {
            let mut wrong = body.clone();
            wrong[key] = Value::String(bad.into());
            let reply = api.post("/api/v1/samples", &wrong).await;
            assert_eq!(reply.status, 422, "{key} = {bad:?}: {}", reply.text);
        }

        // Identity and generated columns are the database's; a CHECK is the client's to meet.
        let sample = created.json["id"].clone();
        let ledger = json!({ "quantity": 2, "unit_price": "3.50", "code": "b", "sample_id": sample, "tags": ["x"], "made_in": 1999 });
        let first = api.post("/api/v1/ledgers", &ledger).await;
        assert_eq!(first.status, 201, "{}", first.text);
        assert_eq!(first.json["total"], "7.00", "{}", first.text);
        assert_eq!(
            (first.json["made_in"].as_i64(), first.json["word"].as_str()),
            (Some(1999), Some("none")),
            "{}",
            first.text
        );
        assert!(first.json["id"].is_i64(), "{}", first.text);
        assert_eq!(first.json["position"].as_i64(), Some(100), "the identity's `start: 100`: {}", first.text);
        let second = api.post("/api/v1/ledgers", &json!({ "quantity": 1, "unit_price": "1", "code": "c" })).await;
        // `increment: 10, cache: 5`: another pooled connection may take the next cached block.
        let next = second.json["position"].as_i64().unwrap_or_default();
        assert!(next > 100 && next % 10 == 0, "the identity's `increment: 10`: {}", second.text);

        // Tables of another schema are served like the project's, references across included.
        let entry = api.post("/api/v1/audit_entries", &json!({ "sample_id": sample, "action": "created" })).await;
        assert_eq!(entry.status, 201, "{}", entry.text);
        let detail =
            api.post("/api/v1/audit_details", &json!({ "entry_id": entry.json["id"], "body": { "k": [1] } })).await;
        assert_eq!((detail.status, &detail.json["body"]), (201, &json!({ "k": [1] })), "{}", detail.text);
        let listed = api.get(&format!("/api/v1/audit_entries?sample_id=eq.{}", sample.as_str().unwrap())).await;
        assert_eq!((listed.status, listed.json[0]["action"].as_str()), (200, Some("created")), "{}", listed.text);
        let chosen = api
            .post("/api/v1/ledgers", &json!({ "position": 40, "quantity": 1, "unit_price": "1", "code": "a" }))
            .await;
        assert_eq!((chosen.status, chosen.json["position"].as_i64()), (201, Some(40)), "{}", chosen.text);
        let computed = api
            .post("/api/v1/ledgers", &json!({ "total": "1.00", "quantity": 1, "unit_price": "1", "code": "a" }))
            .await;
        assert_eq!(computed.status, 422, "a generated column is not writable: {}", computed.text);
        let too_old = api
            .post("/api/v1/ledgers", &json!({ "made_in": 1800, "quantity": 1, "unit_price": "1", "code": "a" }))
            .await;
        assert_eq!(too_old.status, 422, "the year domain's CHECK: {}", too_old.text);
        for quantity in [0, 1000] {
            let refused =
                api.post("/api/v1/ledgers", &json!({ "quantity": quantity, "unit_price": "1", "code": "a" })).await;
            assert_eq!(refused.status, 422, "quantity {quantity} breaks a CHECK: {}", refused.text);
        }

        // Composite keys: every part in the item path, in key order (`/tallies/{region}/{id}`).
        let tally = api.post("/api/v1/tallies", &json!({ "region": "eu", "amount": "3.50" })).await;
        assert_eq!(tally.status, 201, "{}", tally.text);
        let id = tally.json["id"].as_i64().expect("the identity's value");
        let item = format!("/api/v1/tallies/eu/{id}");
        assert_eq!(tally.header("location"), Some(item.as_str()), "{:?}", tally.headers);
        let read = api.get(&item).await;
        assert_eq!((read.status, &read.json), (200, &tally.json), "{}", read.text);
        let changed = api.patch(&item, &json!({ "amount": "4.25" })).await;
        assert_eq!((changed.status, changed.json["amount"].as_str()), (200, Some("4.25")), "{}", changed.text);
        let key_part = api.patch(&item, &json!({ "region": "us" })).await;
        assert_eq!(key_part.status, 422, "a key part is not patchable: {}", key_part.text);
        for elsewhere in [format!("/api/v1/tallies/us/{id}"), format!("/api/v1/tallies/eu/{}", id + 1)] {
            assert_eq!(api.get(&elsewhere).await.status, 404, "{elsewhere}");
        }
        assert_eq!(api.get(&format!("/api/v1/tallies/eu/{id}x")).await.status, 404, "a malformed part");
        let listed = api.get("/api/v1/tallies?region=eq.eu&order=amount.desc").await;
        assert_eq!((listed.status, listed.json.as_array().map(Vec::len)), (200, Some(1)), "{}", listed.text);
        assert_eq!(api.delete(&item).await.status, 204);
        assert_eq!(api.get(&item).await.status, 404, "deleted");
        // A timestamp part travels as its JSON text; the Location header names the new row.
        let reading = api.post("/api/v1/readings", &json!({ "taken_at": "2026-03-01T12:30:00Z", "value": 1.5 })).await;
        assert_eq!(reading.status, 201, "{}", reading.text);
        let location = reading.header("location").expect("a Location header").to_string();
        let again = api.get(&location).await;
        assert_eq!((again.status, &again.json), (200, &reading.json), "{location}: {}", again.text);
        let by_offset = format!(
            "/api/v1/readings/{}/2026-03-01T14:30:00%2B02:00",
            reading.json["id"].as_i64().expect("the identity's value")
        );
        assert_eq!(api.get(&by_offset).await.status, 200, "the same instant with an offset: {by_offset}");
    });
    tests::server::assert_match_document(&project.path().join("generated/openapi.json"), &api.exchanges());
    drop(served);
}

/// The fixture's constructs changed by a second spec version: `generate` plans the migration
/// (a CHECK, a domain's CHECK, an identity's kind and sequence options, an ON UPDATE action, a comment, a partition
/// added), it applies, `check` is clean, and its down migration returns the first schema.
#[test]
fn the_new_constructs_evolve_and_revert() {
    let project = Project::generate("types-evolve", &fixture(), "types-api");
    let root = project.path().to_str().unwrap().to_string();
    let db = TestDb::new("types_evolve");
    let migrate =
        |db: &TestDb| xtask(&["migrate", "--database-url", &db.url, "--migrations", &format!("{root}/migrations")]);
    assert_eq!(migrate(&db).code, 0);
    let first = introspect(&db.url);

    let spec = project.path().join("model-spec");
    let edit = |file: &str, from: &str, to: &str| {
        let path = spec.join(file);
        let text = std::fs::read_to_string(&path).expect("spec file");
        assert!(text.contains(from), "{file} no longer holds {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write spec");
    };
    edit("entities/ledger.yaml", "check: \"quantity < 1000\"", "check: \"quantity < 2000\"");
    edit("entities/ledger.yaml", "identity: by_default", "identity: always");
    edit("entities/ledger.yaml", "increment: 10", "increment: 5, max: 1000000");
    edit("entities/ledger.yaml", "on_update: cascade", "on_update: restrict");
    edit("domains/domains.yaml", "VALUE >= 1901", "VALUE >= 1900");
    edit("entities/sample.yaml", "What the row is called", "The row's name");
    edit(
        "entities/reading.yaml",
        "  reading_other: DEFAULT",
        "  reading_2027: \"FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')\"\n  reading_other: DEFAULT",
    );
    let run = xtask(&["generate", "--root", &root]);
    assert_eq!(run.code, 0, "generate the second version: {run:?}");
    let migrations: Vec<String> = std::fs::read_dir(project.path().join("migrations"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("0002_"))
        .collect();
    assert_eq!(migrations.len(), 2, "an up and a down migration: {migrations:?}");
    assert_eq!(migrate(&db).code, 0, "apply the second version");
    let run = xtask(&["check", "--root", &root, "--database-url", &db.url]);
    assert_eq!(run.code, 0, "check after the second version: {run:?}");

    let down = migrations.iter().find(|n| n.ends_with(".down.sql")).unwrap();
    db.execute(&std::fs::read_to_string(project.path().join("migrations").join(down)).unwrap());
    assert_eq!(codegen::schema::diff(&first, &introspect(&db.url)), vec![], "{down} does not return the first schema");
}

fn introspect(url: &str) -> codegen::schema::Schema {
    let mut schema = block_on(codegen::schema::introspect::introspect_url(url, "public")).expect("introspect");
    schema.tables.remove("_sqlx_migrations");
    schema
}
