//! Drift in what the spec language now holds beyond plain columns, on a database migrated from
//! `fixtures/types`: each change made by hand is found (exit 1) and named; rows and VACUUM
//! ANALYZE are not drift.

use tests::project::Project;
use tests::{repo_root, xtask, TestDb};

struct Fixture {
    project: Project,
}

impl Fixture {
    fn new() -> Self {
        Self {
            project: Project::generate(
                "feature-drift",
                &repo_root().join("tests/fixtures/types/model-spec"),
                "types-api",
            ),
        }
    }

    fn root(&self) -> String {
        self.project.path().display().to_string()
    }

    /// A fresh database at the fixture's migrations.
    fn migrated(&self, label: &str) -> TestDb {
        let db = TestDb::new(label);
        let run =
            xtask(&["migrate", "--database-url", &db.url, "--migrations", &format!("{}/migrations", self.root())]);
        assert_eq!(run.code, 0, "migrate: {run:?}");
        db
    }

    fn check(&self, db: &TestDb) -> tests::Run {
        xtask(&["check", "--root", &self.root(), "--database-url", &db.url])
    }
}

#[test]
fn each_hand_made_change_is_drift_and_named() {
    let fixture = Fixture::new();
    let cases: [(&str, &str, &str); 18] = [
        (
            "exclusion",
            "ALTER TABLE ledger DROP CONSTRAINT ledger_no_overlap, ADD CONSTRAINT ledger_no_overlap EXCLUDE USING gist (during WITH &&)",
            "ledger: check constraint ledger_no_overlap",
        ),
        (
            "nulls_distinct",
            "DROP INDEX ux_sample_code; CREATE UNIQUE INDEX ux_sample_code ON sample (code)",
            "sample: unique key ux_sample_code",
        ),
        (
            "composite_fk",
            "ALTER TABLE reading_note DROP CONSTRAINT reading_note_reading_id_reading_taken_at_fkey",
            "reading_note: foreign key reading_note_reading_id_reading_taken_at_fkey",
        ),
        ("table_comment", "COMMENT ON TABLE ledger IS 'Another story'", "table ledger: comment differs"),
        ("column_comment", "COMMENT ON COLUMN sample.label IS NULL", "sample.label: comment differs"),
        (
            "check",
            "ALTER TABLE ledger DROP CONSTRAINT ledger_quantity_check, ADD CONSTRAINT ledger_quantity_check CHECK (quantity < 999)",
            "ledger: check constraint ledger_quantity_check",
        ),
        (
            "predicate",
            "DROP INDEX ux_ledger_quantity; CREATE UNIQUE INDEX ux_ledger_quantity ON ledger (quantity) WHERE quantity > 11",
            "ledger: index ux_ledger_quantity",
        ),
        ("precision", "ALTER TABLE sample ALTER COLUMN at_micro TYPE timestamp(3)", "sample.at_micro"),
        ("element", "ALTER TABLE sample ALTER COLUMN scores TYPE numeric(6,2)[]", "sample.scores"),
        ("identity", "ALTER TABLE ledger ALTER COLUMN position SET GENERATED ALWAYS", "ledger.position"),
        ("sequence", "ALTER TABLE ledger ALTER COLUMN position SET INCREMENT BY 3", "ledger.position"),
        ("other_schema", "ALTER TABLE audit.audit_entry ADD COLUMN note text", "audit.audit_entry.note"),
        (
            "generated",
            "ALTER TABLE ledger DROP COLUMN total; ALTER TABLE ledger ADD COLUMN total numeric(12,2) GENERATED ALWAYS AS (quantity::numeric * unit_price * 2) STORED",
            "ledger.total",
        ),
        (
            "domain",
            "ALTER DOMAIN year DROP CONSTRAINT year_check; ALTER DOMAIN year ADD CONSTRAINT year_check CHECK (VALUE >= 1900 AND VALUE <= 2155)",
            "domain year",
        ),
        (
            "on_update",
            "ALTER TABLE ledger DROP CONSTRAINT ledger_sample_id_fkey, ADD CONSTRAINT ledger_sample_id_fkey FOREIGN KEY (sample_id) REFERENCES sample (id) ON DELETE CASCADE ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED",
            "ledger: foreign key ledger_sample_id_fkey",
        ),
        (
            "partition_added",
            "CREATE TABLE reading_2027 PARTITION OF reading FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
            "reading: partition reading_2027",
        ),
        ("partition_detached", "ALTER TABLE reading DETACH PARTITION reading_2026_h2", "reading: partition reading_2026_h2"),
        ("collation", "ALTER TABLE ledger ALTER COLUMN code TYPE text COLLATE \"POSIX\"", "ledger.code"),
    ];
    for (label, sql, named) in cases {
        let db = fixture.migrated(label);
        db.execute(sql);
        let run = fixture.check(&db);
        assert_eq!(run.code, 1, "`{sql}` is drift: {run:?}");
        assert!(run.stdout.contains(named), "`{sql}`: the report does not name `{named}`:\n{}", run.stdout);
    }
}

#[test]
fn rows_and_vacuum_are_not_drift() {
    let fixture = Fixture::new();
    let db = fixture.migrated("rows");
    db.execute(
        "INSERT INTO sample (id, label, tags, hosts, days) VALUES (gen_random_uuid(), 'a', '{x,y}', '{10.0.0.1}', '[2026-01-01,2026-02-01)');
         INSERT INTO ledger (quantity, unit_price, code, made_in, created_at) VALUES (3, 1.5, 'c', 2000, now());
         INSERT INTO reading (taken_at, value) VALUES ('2026-03-01', 1), ('2026-09-01', 2), ('2030-01-01', 3);",
    );
    db.execute("VACUUM ANALYZE");
    let run = fixture.check(&db);
    assert_eq!(run.code, 0, "{run:?}");
}
