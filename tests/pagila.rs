//! pagila, the classic PostgreSQL sample (`fixtures/pagila/schema.sql`, a pg_dump): a domain,
//! an enum, serial keys, a partitioned table, composite keys with payload, ON UPDATE CASCADE,
//! tsvector and gist, arrays, views, functions and triggers. Import keeps every table without a
//! warning, `check` finds the imported specs in sync with the database, and the migration
//! generated from them builds, on an empty database, the schema pagila has.

use codegen::schema::introspect::introspect_url;
use codegen::schema::{diff, Schema};
use tests::{block_on, pg18, repo_root, server_url, xtask, TempDir, TestDb};

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
