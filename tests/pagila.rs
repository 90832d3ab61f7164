//! pagila, the classic PostgreSQL sample (`fixtures/pagila/schema.sql`, a pg_dump): a domain,
//! an enum, serial keys, a partitioned table, composite keys with payload, ON UPDATE CASCADE,
//! tsvector and gist, arrays, views, functions and triggers. Import keeps every table without a
//! warning, `check` finds the imported specs in sync with the database, and the migration
//! generated from them builds, on an empty database, the schema pagila has.

use codegen::schema::introspect::introspect_url;
use codegen::schema::{diff, Schema};
use serde_json::{json, Value};
use tests::server::{assert_match_document, token, Api, TEST_SECRET};
use tests::{block_on, pg18, repo_root, server_url, tools, xtask, TempDir, TestDb};

fn pagila(server: &str) -> TestDb {
    let db = TestDb::on(server, "pagila");
    let sql = std::fs::read_to_string(repo_root().join("tests/fixtures/pagila/schema.sql")).expect("pagila schema");
    db.execute(&sql);
    db
}

fn schema(url: &str) -> Schema {
    let mut schema = block_on(introspect_url(url, "public")).expect("introspect");
    schema.tables.remove("_sqlx_migrations");
    schema
}

#[test]
fn pagila_imports_whole_checks_clean_and_rebuilds_the_same_schema() {
    imports_whole_checks_clean_and_rebuilds(server_url());
}

#[test]
fn pagila_on_postgres_18() {
    imports_whole_checks_clean_and_rebuilds(pg18::server_url());
}

fn imports_whole_checks_clean_and_rebuilds(server: &str) {
    let db = pagila(server);
    let tmp = TempDir::new("pagila");
    let (root, spec) = (tmp.path().to_str().unwrap(), tmp.path().join("model-spec"));
    let spec = spec.to_str().unwrap();

    let run = xtask(&["import", "--database-url", &db.url, "--spec-dir", spec]);
    assert_eq!(run.code, 0, "import: {run:?}");
    assert!(run.stderr.is_empty(), "pagila is expressible, yet:\n{}", run.stderr);
    assert!(run.stdout.contains("kept 15 of 15 tables"), "{}", run.stdout);

    let run = xtask(&["generate", "--root", root, "--spec-dir", spec]);
    assert_eq!(run.code, 0, "generate: {run:?}");
    let run = xtask(&["check", "--root", root, "--spec-dir", spec, "--database-url", &db.url]);
    assert_eq!(run.code, 0, "check against pagila itself: {run:?}");

    let empty = TestDb::on(server, "pagila_rebuilt");
    let run = xtask(&["migrate", "--database-url", &empty.url, "--migrations", &format!("{root}/migrations")]);
    assert_eq!(run.code, 0, "migrate an empty database: {run:?}");
    let (original, rebuilt) = (schema(&db.url), schema(&empty.url));
    assert_eq!(diff(&original, &rebuilt), vec![], "the generated migration does not rebuild pagila");
    assert_eq!(rebuilt.tables.len(), 15);
    assert_eq!(rebuilt.tables["payment"].partitions.len(), 7);
}

/// `cargo xtask new` from the pagila database: a workspace of its own whose first migration is
/// recorded as applied there (nothing re-created), whose own `cargo xtask check` is clean against
/// it, and whose server does CRUD on every table over HTTP — the partitioned `payment` and the
/// composite keys of `film_actor` included — with every response valid under its document, the
/// document valid under openapi-spec-validator and the SDK under `tsc --strict`.
#[test]
fn pagila_becomes_a_workspace_that_serves_every_table() {
    let db = pagila(server_url());
    let dir = TempDir::new("pagila-app");
    let run = xtask(&["new", dir.path().to_str().unwrap(), "--database-url", &db.url]);
    assert_eq!(run.code, 0, "new: {run:?}");
    assert!(run.stdout.contains("recorded as applied"), "{}", run.stdout);
    let project = tests::project::Project::adopt(dir);
    let root = project.path().to_path_buf();
    for file in
        ["README.md", "Cargo.toml", "xtask/src/main.rs", "migrations/0001_init.up.sql", "generated/openapi.json"]
    {
        assert!(root.join(file).is_file(), "new wrote no {file}");
    }
    let recorded: Vec<i64> = block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(&mut conn).await.unwrap()
    });
    assert_eq!(recorded, [1], "the baseline");
    let again = TempDir::new("pagila-again");
    let run = xtask(&["new", again.path().to_str().unwrap(), "--database-url", &db.url]);
    assert_eq!(run.code, 2, "a database with migrations has a project already: {run:?}");
    assert!(run.stderr.contains("already records 1 applied migration"), "{}", run.stderr);

    // The workspace's own commands, as its README says.
    let check = project.cargo(&["xtask", "check"], &[("DATABASE_URL", &db.url)]);
    assert!(check.status.success(), "cargo xtask check in the new workspace: {check:?}");
    let document = root.join("generated/openapi.json");
    let validated = std::process::Command::new(tools::openapi_spec_validator()).arg(&document).output().unwrap();
    assert!(validated.status.success(), "openapi-spec-validator: {validated:?}");
    let tsc = tools::tsc(&root.join("generated/sdk"), &["--noEmit", "-p", "tsconfig.json"]);
    assert!(tsc.status.success(), "tsc --strict on the SDK: {}", String::from_utf8_lossy(&tsc.stdout));

    let binary = project.build();
    let served = project.serve(&binary, &db.url, TEST_SECRET);
    let api = Api::at(&served.base, &db.url, Some(token(&uuid::Uuid::new_v4().to_string(), &["admin"])));
    block_on(crud_of_every_table(&api, &db));
    assert_match_document(&document, &api.exchanges());
    // The independent tester, against this server and the document it serves.
    let admin = token(&uuid::Uuid::new_v4().to_string(), &["admin"]);
    tests::conformance::schemathesis(&served.base, "admin of pagila", Some(&admin), tests::conformance::seconds(60));
    drop(served);
}

/// A row created, read back by its Location, changed and (at the end, newest first) deleted.
struct Made {
    location: String,
    json: Value,
}

async fn make(api: &Api, entity: &str, body: Value, change: Value, made: &mut Vec<Made>) -> Value {
    let path = codegen::api::collection_path(entity);
    let created = api.post(&path, &body).await;
    assert_eq!(created.status, 201, "create {entity}: {}", created.text);
    let location = created.header("location").unwrap_or_else(|| panic!("{entity}: no Location")).to_string();
    let read = api.get(&location).await;
    assert_eq!((read.status, &read.json), (200, &created.json), "{entity} at {location}: {}", read.text);
    let changed = api.patch(&location, &change).await;
    assert_eq!(changed.status, 200, "update {entity}: {}", changed.text);
    // character(n) comes back blank-padded.
    let padless = |v: &Value| v.as_str().map_or_else(|| v.clone(), |s| json!(s.trim_end()));
    // pagila's `last_updated` trigger sets `last_update` on every update, whatever was sent.
    for (key, value) in change.as_object().unwrap().iter().filter(|(key, _)| *key != "last_update") {
        assert_eq!(padless(&changed.json[key]), *value, "{entity}.{key} after the update: {}", changed.text);
    }
    made.push(Made { location, json: changed.json.clone() });
    changed.json
}

async fn crud_of_every_table(api: &Api, db: &TestDb) {
    let mut made = Vec::new();
    let id = |row: &Value, key: &str| row[key].as_i64().unwrap_or_else(|| panic!("{key} in {row}"));
    let language = make(api, "Language", json!({ "name": "English" }), json!({ "name": "Klingon" }), &mut made).await;
    assert_eq!(language["name"], "Klingon             ", "character(20) is blank-padded");
    let category = make(api, "Category", json!({ "name": "Drama" }), json!({ "name": "Comedy" }), &mut made).await;
    let actor =
        make(api, "Actor", json!({ "first_name": "Ann", "last_name": "Lee" }), json!({ "last_name": "Li" }), &mut made)
            .await;
    let country =
        make(api, "Country", json!({ "country": "Erewhon" }), json!({ "country": "Utopia" }), &mut made).await;
    let city = make(
        api,
        "City",
        json!({ "city": "A", "country_id": id(&country, "country_id") }),
        json!({ "city": "B" }),
        &mut made,
    )
    .await;
    let address = json!({ "address": "1 Main St", "district": "D", "city_id": id(&city, "city_id"), "phone": "555" });
    let address = make(api, "Address", address, json!({ "postal_code": "12345" }), &mut made).await;
    let film = json!({
        "title": "Arrays And Domains", "description": "A tale", "release_year": 2006,
        "language_id": id(&language, "language_id"), "special_features": ["Trailers", "Deleted Scenes"],
        "rating": "PG-13", "rental_rate": "2.99"
    });
    let film = make(api, "Film", film, json!({ "special_features": [], "release_year": 2155 }), &mut made).await;
    assert!(film["fulltext"].as_str().is_some_and(|t| t.contains("tale")), "the trigger's tsvector: {film}");
    let film_id = id(&film, "film_id");
    let (path, written) =
        (codegen::api::collection_path("Film"), json!({ "title": "x", "language_id": 1, "fulltext": "'x'" }));
    assert_eq!(api.post(&path, &written).await.status, 422, "tsvector is read-only");
    let old = json!({ "title": "x", "language_id": id(&language, "language_id"), "release_year": 1800 });
    assert_eq!(api.post(&path, &old).await.status, 422, "the year domain's CHECK");
    let pair = json!({ "actor_id": id(&actor, "actor_id"), "film_id": film_id });
    let touched = json!({ "last_update": "2026-01-02T03:04:05Z" });
    make(api, "FilmActor", pair, touched.clone(), &mut made).await;
    let pair = json!({ "film_id": film_id, "category_id": id(&category, "category_id") });
    make(api, "FilmCategory", pair, touched, &mut made).await;

    // store and staff reference each other (both NOT NULL): the first pair is loaded as pg_dump
    // would, the second goes through the API.
    let address_id = id(&address, "address_id");
    db.execute_async(&format!(
        "SET session_replication_role = replica;
         INSERT INTO staff (staff_id, first_name, last_name, address_id, store_id, username) VALUES (900, 'S', 'One', {address_id}, 900, 's1');
         INSERT INTO store (store_id, manager_staff_id, address_id) VALUES (900, 900, {address_id});"
    ))
    .await;
    let staff = json!({ "first_name": "Sam", "last_name": "Two", "address_id": address_id, "store_id": 900,
                        "username": "s2", "picture": "AAECAw==" });
    let staff = make(api, "Staff", staff, json!({ "active": false }), &mut made).await;
    let staff_id = id(&staff, "staff_id");
    let store = json!({ "manager_staff_id": staff_id, "address_id": address_id });
    let store = make(api, "Store", store, json!({ "address_id": address_id }), &mut made).await;
    let store_id = id(&store, "store_id");
    let inventory = json!({ "film_id": film_id, "store_id": store_id });
    let inventory = make(api, "Inventory", inventory, json!({ "store_id": 900 }), &mut made).await;
    let customer = json!({ "store_id": store_id, "first_name": "Cy", "last_name": "Doe", "address_id": address_id });
    let customer = make(api, "Customer", customer, json!({ "email": "cy@example.com" }), &mut made).await;
    let rental = json!({ "rental_date": "2022-02-10T10:00:00Z", "inventory_id": id(&inventory, "inventory_id"),
                         "customer_id": id(&customer, "customer_id"), "staff_id": staff_id });
    let rental = make(api, "Rental", rental, json!({ "return_date": "2022-02-12T09:00:00Z" }), &mut made).await;
    // The partitioned table, keyed by (payment_date, payment_id): both in the item path.
    let payment = json!({ "customer_id": id(&customer, "customer_id"), "staff_id": staff_id,
                          "rental_id": id(&rental, "rental_id"), "amount": "4.99", "payment_date": "2022-02-10T10:05:00Z" });
    let payment = make(api, "Payment", payment, json!({ "amount": "5.49" }), &mut made).await;
    assert!(made.last().unwrap().location.contains("/2022-02-10T10:05:00Z/"), "{}", made.last().unwrap().location);
    let listed =
        api.get(&format!("{}?payment_date=gte.2022-02-01T00:00:00Z", codegen::api::collection_path("Payment"))).await;
    assert_eq!((listed.status, listed.json.as_array().map(Vec::len)), (200, Some(1)), "{}", listed.text);
    assert_eq!(payment["amount"], "5.49");

    let address_at = format!("{}/{address_id}", codegen::api::collection_path("Address"));
    for row in made.iter().rev() {
        if row.location == address_at {
            // The loaded pair goes as it came.
            db.execute_async("SET session_replication_role = replica; DELETE FROM store WHERE store_id = 900; DELETE FROM staff WHERE staff_id = 900;").await;
        }
        let gone = api.delete(&row.location).await;
        assert_eq!(gone.status, 204, "delete {}: {} ({})", row.location, gone.text, row.json);
        assert_eq!(api.get(&row.location).await.status, 404, "{} after delete", row.location);
    }
}
