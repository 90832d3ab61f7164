//! Each drift applied to a freshly migrated database must make `check` exit 1 and name the
//! object; harmless activity (rows, VACUUM ANALYZE) must not.

use tests::{xtask, TestDb};

/// A fresh database with our migrations applied.
fn migrated(label: &str) -> TestDb {
    let db = TestDb::new(label);
    let run = xtask(&["migrate", "--database-url", &db.url]);
    assert_eq!(run.code, 0, "migrate failed: {run:?}");
    db
}

fn check(db: &TestDb) -> tests::Run {
    xtask(&["check", "--database-url", &db.url])
}

/// Applies `sql`, then expects drift reported with every line of `expected`.
fn assert_drift(label: &str, sql: &str, expected: &[&str]) {
    let db = migrated(label);
    db.execute(sql);
    let run = check(&db);
    assert_eq!(run.code, 1, "expected drift (exit 1) after `{sql}`, got {run:?}");
    for line in expected {
        assert!(run.stdout.contains(line), "report lacks `{line}` after `{sql}`:\n{}", run.stdout);
    }
}

#[test]
fn freshly_migrated_database_is_in_sync() {
    let db = migrated("in_sync");
    let run = check(&db);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("in sync"), "{}", run.stdout);
}

#[test]
fn dropped_table() {
    assert_drift("drop_table", "DROP TABLE vbwd_user_case", &["table vbwd_user_case: missing from database"]);
}

#[test]
fn dropped_column() {
    assert_drift(
        "drop_column",
        "ALTER TABLE vbwd_user DROP COLUMN has_used_trial",
        &["vbwd_user.has_used_trial: column missing from database"],
    );
}

#[test]
fn added_column() {
    assert_drift(
        "add_column",
        "ALTER TABLE vbwd_user ADD COLUMN nickname text",
        &["vbwd_user.nickname: column in database but not in spec"],
    );
}

#[test]
fn column_type_changed() {
    assert_drift(
        "type_changed",
        "ALTER TABLE vbwd_user ALTER COLUMN email TYPE text",
        &["vbwd_user.email: type differs — spec character varying(255), database text"],
    );
}

#[test]
fn varchar_length_changed() {
    assert_drift(
        "varchar_len",
        "ALTER TABLE vbwd_user_details ALTER COLUMN city TYPE varchar(200)",
        &["vbwd_user_details.city: type differs — spec character varying(100), database character varying(200)"],
    );
}

#[test]
fn numeric_precision_changed() {
    assert_drift(
        "numeric_precision",
        "ALTER TABLE vbwd_price ALTER COLUMN net_amount TYPE numeric(12,2)",
        &["vbwd_price.net_amount: type differs — spec numeric(10,2), database numeric(12,2)"],
    );
}

#[test]
fn nullability_flipped() {
    assert_drift(
        "nullability",
        "ALTER TABLE vbwd_user ALTER COLUMN payment_customer_id SET NOT NULL; ALTER TABLE vbwd_role ALTER COLUMN name DROP NOT NULL",
        &[
            "vbwd_user.payment_customer_id: nullability differs — spec NULL, database NOT NULL",
            "vbwd_role.name: nullability differs — spec NOT NULL, database NULL",
        ],
    );
}

#[test]
fn database_default_added() {
    assert_drift(
        "default_added",
        "ALTER TABLE vbwd_user ALTER COLUMN has_used_trial SET DEFAULT false",
        &["vbwd_user.has_used_trial: default differs — spec no default, database false"],
    );
}

#[test]
fn database_default_changed() {
    assert_drift(
        "default_changed",
        "ALTER TABLE vbwd_tax_class ALTER COLUMN default_rate SET DEFAULT 7.5",
        &["vbwd_tax_class.default_rate: default differs — spec 0, database 7.5"],
    );
}

#[test]
fn unique_index_dropped() {
    assert_drift(
        "unique_dropped",
        "DROP INDEX ix_vbwd_user_email",
        &["vbwd_user: unique key ix_vbwd_user_email: missing from database"],
    );
}

#[test]
fn index_added() {
    assert_drift(
        "index_added",
        "CREATE INDEX ix_vbwd_user_role ON vbwd_user (role)",
        &["vbwd_user: index ix_vbwd_user_role: in database but not in spec"],
    );
}

#[test]
fn foreign_key_dropped() {
    assert_drift(
        "fk_dropped",
        "ALTER TABLE vbwd_subscription DROP CONSTRAINT vbwd_subscription_user_id_fkey",
        &["vbwd_subscription: foreign key vbwd_subscription_user_id_fkey: missing from database"],
    );
}

#[test]
fn foreign_key_on_delete_changed() {
    assert_drift(
        "fk_on_delete",
        "ALTER TABLE vbwd_subscription DROP CONSTRAINT vbwd_subscription_user_id_fkey; \
         ALTER TABLE vbwd_subscription ADD CONSTRAINT vbwd_subscription_user_id_fkey \
         FOREIGN KEY (user_id) REFERENCES vbwd_user (id) ON DELETE RESTRICT",
        &["vbwd_subscription: foreign key vbwd_subscription_user_id_fkey: ON DELETE differs — spec CASCADE, database RESTRICT"],
    );
}

#[test]
fn enum_value_added() {
    assert_drift(
        "enum_value_added",
        "ALTER TYPE userstatus ADD VALUE 'BANNED'",
        &["enum userstatus: values differ — spec [PENDING, ACTIVE, SUSPENDED, DELETED], database [PENDING, ACTIVE, SUSPENDED, DELETED, BANNED]"],
    );
}

#[test]
fn enum_value_removed() {
    assert_drift(
        "enum_value_removed",
        "ALTER TYPE usercasestatus RENAME TO usercasestatus_old; \
         CREATE TYPE usercasestatus AS ENUM ('DRAFT', 'ACTIVE', 'COMPLETED'); \
         ALTER TABLE vbwd_user_case ALTER COLUMN status TYPE usercasestatus USING status::text::usercasestatus; \
         DROP TYPE usercasestatus_old",
        &["enum usercasestatus: values differ — spec [DRAFT, ACTIVE, COMPLETED, ARCHIVED], database [DRAFT, ACTIVE, COMPLETED]"],
    );
}

#[test]
fn enum_type_renamed() {
    assert_drift(
        "enum_renamed",
        "ALTER TYPE userstatus RENAME TO user_status",
        &[
            "enum userstatus: missing from database",
            "vbwd_user.status: type differs — spec userstatus, database user_status",
        ],
    );
}

#[test]
fn rows_and_vacuum_analyze_cause_no_false_positive() {
    let db = migrated("no_false_positive");
    db.execute(
        "INSERT INTO vbwd_user (id, email, password_hash, status, role, has_used_trial, created_at, updated_at, version) \
           VALUES ('00000000-0000-0000-0000-000000000001', 'a@example.com', 'x', 'ACTIVE', 'USER', false, now(), now(), 0); \
         INSERT INTO vbwd_currency (id, code, name, symbol, exchange_rate, is_default, is_active, decimal_places, created_at, updated_at, version) \
           VALUES ('00000000-0000-0000-0000-000000000002', 'EUR', 'Euro', '€', 1.0, true, true, 2, now(), now(), 0); \
         INSERT INTO vbwd_role (id, name, slug, is_system, created_at, updated_at, version) \
           VALUES ('00000000-0000-0000-0000-000000000003', 'Admin', 'admin', true, now(), now(), 0); \
         INSERT INTO vbwd_user_roles (user_id, role_id) \
           VALUES ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000003');",
    );
    db.execute("VACUUM ANALYZE");
    let run = check(&db);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn json_report_names_each_object() {
    let db = migrated("json_report");
    db.execute("ALTER TABLE vbwd_user ALTER COLUMN email TYPE text; DROP TABLE vbwd_user_case");
    let run = xtask(&["check", "--database-url", &db.url, "--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(report["status"], "drift");
    let drift = report["database"]["drift"].as_array().expect("drift list");
    assert_eq!(drift.len(), 2, "{drift:#?}");
    assert!(drift.iter().any(|c| c["object"] == "table" && c["name"] == "vbwd_user_case" && c["change"] == "missing"));
    assert!(drift.iter().any(|c| c["object"] == "column"
        && c["table"] == "vbwd_user"
        && c["name"] == "email"
        && c["aspect"] == "type"
        && c["expected"] == "character varying(255)"
        && c["actual"] == "text"));
}

#[test]
fn unreachable_database_is_a_one_line_error_with_exit_2() {
    let run = xtask(&["check", "--database-url", "postgres://postgres@127.0.0.1:1/nowhere"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("error: cannot check the database postgres://postgres@127.0.0.1:1/nowhere"),
        "{}",
        run.stderr
    );
}

#[test]
fn index_made_descending() {
    assert_drift(
        "index_desc",
        "DROP INDEX ix_vbwd_user_status; CREATE INDEX ix_vbwd_user_status ON vbwd_user (status DESC)",
        &["vbwd_user: index ix_vbwd_user_status: definition differs — spec plain (status), database btree (status DESC)"],
    );
}

#[test]
fn unique_index_given_include_columns() {
    assert_drift(
        "unique_include",
        "DROP INDEX ix_vbwd_role_slug; CREATE UNIQUE INDEX ix_vbwd_role_slug ON vbwd_role (slug) INCLUDE (name)",
        &["vbwd_role: unique key ix_vbwd_role_slug: definition differs — spec plain (slug), database btree (slug) INCLUDE (name)"],
    );
}

#[test]
fn foreign_key_pointing_into_another_schema() {
    assert_drift(
        "fk_other_schema",
        "CREATE SCHEMA other; CREATE TABLE other.vbwd_user (id uuid PRIMARY KEY); \
         ALTER TABLE vbwd_user_case DROP CONSTRAINT vbwd_user_case_user_id_fkey; \
         ALTER TABLE vbwd_user_case ADD CONSTRAINT vbwd_user_case_user_id_fkey \
         FOREIGN KEY (user_id) REFERENCES other.vbwd_user (id) ON DELETE CASCADE",
        &["vbwd_user_case: foreign key vbwd_user_case_user_id_fkey: referenced table differs — spec public.vbwd_user(id), database other.vbwd_user(id)"],
    );
}

#[test]
fn identity_and_collation_added() {
    assert_drift(
        "identity_collation",
        "ALTER TABLE vbwd_country ALTER COLUMN position ADD GENERATED BY DEFAULT AS IDENTITY; \
         ALTER TABLE vbwd_country ALTER COLUMN name TYPE varchar(100) COLLATE \"C\"",
        &[
            "vbwd_country.position: generation differs — spec none, database GENERATED BY DEFAULT AS IDENTITY",
            "vbwd_country.name: collation differs — spec none, database C",
        ],
    );
}
