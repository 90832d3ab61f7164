use super::replay;
use crate::ir::{FkAction, Model, UniqueKind};
use crate::schema::{ddl, diff, lower::lower, Schema};
use std::path::{Path, PathBuf};

fn model(dir: &str) -> Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    crate::load_model(&path).unwrap_or_else(|e| panic!("{dir} does not load: {e:?}"))
}

fn files(sqls: &[&str]) -> Vec<(PathBuf, String)> {
    sqls.iter().enumerate().map(|(i, sql)| (PathBuf::from(format!("{:04}.up.sql", i + 1)), sql.to_string())).collect()
}

fn run(schema: &str, sqls: &[&str]) -> Schema {
    replay(schema, &files(sqls))
        .unwrap_or_else(|errors| panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")))
}

fn errors(sqls: &[&str]) -> Vec<String> {
    match replay("public", &files(sqls)) {
        Ok(schema) => panic!("expected errors, got {schema:#?}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

const BASE: &str = "
CREATE TYPE mood AS ENUM ('HAPPY', 'SAD');
CREATE TABLE author (
    id uuid NOT NULL,
    email varchar(255) NOT NULL,
    CONSTRAINT author_pkey PRIMARY KEY (id)
);
CREATE TABLE note (
    id uuid NOT NULL,
    author_id uuid NOT NULL,
    mood mood DEFAULT 'SAD' NOT NULL,
    CONSTRAINT note_pkey PRIMARY KEY (id)
);
ALTER TABLE note ADD CONSTRAINT note_author_id_fkey FOREIGN KEY (author_id) REFERENCES author (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX ix_author_email ON author (email);
CREATE INDEX ix_note_author_id ON note (author_id);
";

#[test]
fn the_generated_migrations_replay_to_what_lower_expects() {
    for dir in ["model-spec", "tests/fixtures/valid-specs/contracts", "tests/fixtures/valid-specs/defaults"] {
        let expected = lower(&model(dir));
        let replayed = run(&expected.name, &[&ddl::create_all(&expected)]);
        assert_eq!(diff(&expected, &replayed), vec![], "{dir}");
        assert_eq!(replayed.tables.len(), expected.tables.len(), "{dir}");
    }
}

#[test]
fn the_committed_init_migration_replays_to_the_specs() {
    let expected = lower(&model("model-spec"));
    let up = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/0001_init.up.sql"));
    let replayed = run(&expected.name, &[&up.unwrap()]);
    assert_eq!(diff(&expected, &replayed), vec![]);
}

#[test]
fn a_project_schema_other_than_public_is_created_and_searched() {
    let mut model = model("tests/fixtures/valid-specs/contracts");
    model.project.schema = "app".into();
    let migration = crate::generate::migration::init_migration(&model);
    let expected = lower(&model);
    let up = &migration[0].contents;
    assert!(up.contains("SET LOCAL search_path TO app, public;"), "{up}");
    let replayed = run("app", &[up]);
    assert_eq!(diff(&expected, &replayed), vec![]);
    // Without the search path, the next file's objects land in `public`, not in the project's schema.
    let replayed = run("app", &[up, "CREATE TABLE stray (id integer);"]);
    assert_eq!(replayed.other_schemas["public"], vec!["stray".to_string()]);
    assert!(!replayed.tables.contains_key("stray"));
    let lost = replay("app", &files(&[up, "ALTER TABLE c_author ADD COLUMN x integer;"])).unwrap_err();
    assert_eq!(lost[0].to_string(), "0002.up.sql:1: error: table 'public.c_author' does not exist");
}

#[test]
fn up_then_down_leaves_nothing() {
    for dir in ["model-spec", "tests/fixtures/valid-specs/contracts", "tests/fixtures/valid-specs/defaults"] {
        let expected = lower(&model(dir));
        let replayed = run(&expected.name, &[&ddl::create_all(&expected), &ddl::drop_all(&expected)]);
        assert_eq!(replayed, Schema { name: expected.name.clone(), ..Schema::default() }, "{dir}");
    }
}

#[test]
fn spellings_follow_the_catalog() {
    let schema = run(
        "public",
        &["CREATE TABLE t (
            a int4, b INT, c int8, d smallint, e varchar(9), f VARCHAR, g timestamptz, h timestamp,
            i bool DEFAULT TRUE, j float8, k decimal(10,2), l text[], m varchar(20)[], n serial,
            o char(3), p real, q \"Mood\", r json DEFAULT NULL, s time, u numeric DEFAULT 0,
            v text DEFAULT 'it''s', w timestamp DEFAULT now() + interval '1 day', x uuid DEFAULT gen_random_uuid ()
        );"],
    );
    let t = &schema.tables["t"];
    let types: Vec<&str> = t.columns.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "integer",
            "integer",
            "bigint",
            "smallint",
            "character varying(9)",
            "character varying",
            "timestamp with time zone",
            "timestamp without time zone",
            "boolean",
            "double precision",
            "numeric(10,2)",
            "text[]",
            "character varying(20)[]",
            "integer",
            "character(3)",
            "real",
            "\"Mood\"",
            "json",
            "time without time zone",
            "numeric",
            "text",
            "timestamp without time zone",
            "uuid",
        ]
    );
    let default = |name: &str| t.column(name).and_then(|c| c.default.clone());
    assert_eq!(default("i").as_deref(), Some("true"));
    assert_eq!(default("n").as_deref(), Some("nextval('t_n_seq'::regclass)"));
    assert_eq!(t.column("n").map(|c| c.nullable), Some(false));
    assert_eq!(default("r"), None);
    assert_eq!(default("u").as_deref(), Some("0"));
    assert_eq!(default("v").as_deref(), Some("'it''s'::text"));
    assert_eq!(default("w").as_deref(), Some("now() + interval '1 day'"));
    assert_eq!(default("x").as_deref(), Some("gen_random_uuid()"));
    assert_eq!(
        run("public", &[BASE]).tables["note"].column("mood").and_then(|c| c.default.clone()).as_deref(),
        Some("'SAD'::mood")
    );
}

#[test]
fn unnamed_constraints_get_postgresql_names() {
    let schema = run(
        "public",
        &["CREATE TABLE a (id integer PRIMARY KEY, code text UNIQUE, n integer CHECK (n > 0), x int, y int, UNIQUE (x, y));
          CREATE TABLE b (id integer, a_id integer REFERENCES a, CHECK (a_id <> id));
          CREATE INDEX ON b (a_id);
          CREATE INDEX ON b (lower(id::text));"],
    );
    let (a, b) = (&schema.tables["a"], &schema.tables["b"]);
    assert_eq!(a.primary_key.as_ref().map(|pk| pk.name.as_str()), Some("a_pkey"));
    assert_eq!(a.uniques.keys().collect::<Vec<_>>(), ["a_code_key", "a_x_y_key"]);
    assert_eq!(a.checks.get("a_n_check").map(String::as_str), Some("CHECK (n > 0)"));
    assert_eq!(b.foreign_keys["b_a_id_fkey"].ref_columns, ["id"]);
    assert!(b.checks.contains_key("b_a_id_check"), "{:?}", b.checks);
    assert_eq!(b.indexes.keys().collect::<Vec<_>>(), ["b_a_id_idx", "b_lower_idx"]);
}

#[test]
fn add_column_and_set_not_null() {
    let schema = run(
        "public",
        &[BASE, "ALTER TABLE note ADD COLUMN title varchar(80) DEFAULT 'untitled';\nALTER TABLE note ALTER COLUMN title SET NOT NULL;"],
    );
    let title = schema.tables["note"].column("title").cloned();
    let title = title.expect("title added");
    assert_eq!(
        (title.data_type.as_str(), title.nullable, title.default.as_deref()),
        ("character varying(80)", false, Some("'untitled'::character varying"))
    );
    assert_eq!(schema.tables["note"].columns.last().map(|c| c.name.as_str()), Some("title"));
}

#[test]
fn renaming_a_column_renames_it_in_keys_indexes_and_foreign_keys() {
    let schema = run(
        "public",
        &[
            BASE,
            "ALTER TABLE author RENAME COLUMN id TO author_id;
             ALTER TABLE note RENAME COLUMN author_id TO writer_id;
             ALTER TABLE author RENAME COLUMN email TO mail;",
        ],
    );
    let (author, note) = (&schema.tables["author"], &schema.tables["note"]);
    assert_eq!(author.primary_key.as_ref().map(|pk| pk.columns.clone()), Some(vec!["author_id".to_string()]));
    assert_eq!(author.uniques["ix_author_email"].columns, ["mail"]);
    assert_eq!(note.indexes["ix_note_author_id"].columns, ["writer_id"]);
    let fk = &note.foreign_keys["note_author_id_fkey"];
    assert_eq!(
        (fk.columns.as_slice(), fk.ref_columns.as_slice()),
        (&["writer_id".to_string()][..], &["author_id".to_string()][..])
    );
}

#[test]
fn renaming_a_table_follows_in_foreign_keys() {
    let schema = run("public", &[BASE, "ALTER TABLE author RENAME TO writer;"]);
    assert!(!schema.tables.contains_key("author"));
    assert_eq!(schema.tables["writer"].name, "writer");
    assert_eq!(schema.tables["note"].foreign_keys["note_author_id_fkey"].ref_table, "writer");
    assert_eq!(schema.tables["note"].foreign_keys["note_author_id_fkey"].on_delete, FkAction::Cascade);
}

#[test]
fn enum_values_are_added_where_asked_and_renamed() {
    let schema = run(
        "public",
        &[
            BASE,
            "ALTER TYPE mood ADD VALUE 'ANGRY';
             ALTER TYPE mood ADD VALUE 'CALM' BEFORE 'HAPPY';
             ALTER TYPE mood ADD VALUE 'GLAD' AFTER 'HAPPY';
             ALTER TYPE mood ADD VALUE IF NOT EXISTS 'SAD';
             ALTER TYPE mood RENAME VALUE 'SAD' TO 'BLUE';",
        ],
    );
    assert_eq!(schema.enums["mood"].values, ["CALM", "HAPPY", "GLAD", "BLUE", "ANGRY"]);
    // The default stored the label, so it now reads as the new one.
    assert_eq!(schema.tables["note"].column("mood").and_then(|c| c.default.clone()).as_deref(), Some("'BLUE'::mood"));
    let renamed = run("public", &[BASE, "ALTER TYPE mood RENAME TO feeling;"]);
    assert_eq!(renamed.enums.keys().collect::<Vec<_>>(), ["feeling"]);
    assert_eq!(renamed.tables["note"].column("mood").map(|c| c.data_type.as_str()), Some("feeling"));
}

#[test]
fn constraints_and_indexes_are_dropped_and_renamed() {
    let schema = run(
        "public",
        &[
            BASE,
            "ALTER TABLE note DROP CONSTRAINT note_author_id_fkey;
             ALTER TABLE note ADD CONSTRAINT note_id_check CHECK (id IS NOT NULL);
             ALTER TABLE note RENAME CONSTRAINT note_id_check TO note_has_id;
             ALTER TABLE author ADD CONSTRAINT author_email_key UNIQUE (email);
             DROP INDEX ix_author_email;
             ALTER INDEX ix_note_author_id RENAME TO ix_note_by_author;
             ALTER TABLE note DROP CONSTRAINT IF EXISTS nothing_here;",
        ],
    );
    let (author, note) = (&schema.tables["author"], &schema.tables["note"]);
    assert!(note.foreign_keys.is_empty());
    assert_eq!(note.checks.keys().collect::<Vec<_>>(), ["note_has_id"]);
    assert_eq!(author.uniques.keys().collect::<Vec<_>>(), ["author_email_key"]);
    assert_eq!(author.uniques["author_email_key"].kind, UniqueKind::Constraint);
    assert_eq!(note.indexes.keys().collect::<Vec<_>>(), ["ix_note_by_author"]);
}

#[test]
fn dropping_columns_takes_their_keys_and_indexes_and_needs_cascade_for_references() {
    let schema = run("public", &[BASE, "ALTER TABLE note DROP COLUMN author_id, ALTER COLUMN mood DROP DEFAULT;"]);
    let note = &schema.tables["note"];
    assert!(note.column("author_id").is_none() && note.foreign_keys.is_empty() && note.indexes.is_empty());
    assert_eq!(note.column("mood").and_then(|c| c.default.clone()), None);
    let failed = errors(&[BASE, "\nALTER TABLE author DROP COLUMN id;"]);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].starts_with("0002.up.sql:2: error: cannot drop column 'id'"), "{failed:?}");
    let cascaded = run("public", &[BASE, "ALTER TABLE author DROP COLUMN id CASCADE;"]);
    assert!(cascaded.tables["note"].foreign_keys.is_empty() && cascaded.tables["author"].primary_key.is_none());
}

#[test]
fn sql_comments_transactions_and_settings_are_ignored_and_comment_on_is_kept() {
    let mut plain = run("public", &[BASE]);
    let wrapped = format!(
        "-- a comment\nBEGIN;\n/* block */\nSET statement_timeout = 0;\n{BASE}\nCOMMENT ON TABLE note IS 'x';\nCOMMENT ON COLUMN note.mood IS 'how';\nCOMMENT ON INDEX nothing IS 'y';\nCOMMIT;\n"
    );
    let note = plain.tables.get_mut("note").unwrap();
    note.comment = Some("x".into());
    note.columns.iter_mut().find(|c| c.name == "mood").unwrap().comment = Some("how".into());
    assert_eq!(run("public", &[&wrapped]), plain);
}

#[test]
fn every_unsupported_statement_and_syntax_error_is_reported_with_its_line() {
    let sql = "CREATE TABLE t (id integer);

CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN NEW.id := 1; RETURN NEW; END
$$ LANGUAGE plpgsql;
CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TABLE broken (id integer,;
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
ALTER TABLE missing ADD COLUMN x integer;
CREATE TABLE fine (id integer);
";
    let found = replay("public", &[(PathBuf::from("migrations/0002_more.up.sql"), sql.to_string())]).unwrap_err();
    let lines: Vec<usize> = found.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 6, 7, 8, 9], "{found:#?}");
    let text: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert!(
        text[0].starts_with("migrations/0002_more.up.sql:3: error: `CREATE FUNCTION` is not supported"),
        "{text:?}"
    );
    assert!(text[1].starts_with("migrations/0002_more.up.sql:6: error: `CREATE TRIGGER` is not supported"), "{text:?}");
    assert!(text[2].starts_with("migrations/0002_more.up.sql:7: error: syntax error:"), "{text:?}");
    assert!(text[3].contains("ENABLE ROW LEVEL SECURITY` is not supported"), "{text:?}");
    assert_eq!(text[4], "migrations/0002_more.up.sql:9: error: table 'missing' does not exist");
    let unterminated = errors(&["SELECT 'oops"]);
    assert!(unterminated[0].starts_with("0001.up.sql:1: error: syntax error:"), "{unterminated:?}");
}

#[test]
fn a_failed_statement_changes_nothing() {
    let found = errors(&["CREATE TABLE a (id integer);
ALTER TABLE a ADD COLUMN b integer, ADD COLUMN b integer;
ALTER TABLE a ADD COLUMN b integer;
CREATE TABLE c (id integer REFERENCES nowhere);
CREATE TABLE c (id integer);"]);
    assert_eq!(
        found,
        [
            "0001.up.sql:2: error: column 'b' of table 'a' already exists",
            "0001.up.sql:4: error: table 'nowhere' does not exist"
        ]
    );
}

#[test]
fn cut_and_mangled_sql_gives_errors_never_a_panic() {
    let up = ddl::create_all(&lower(&model("tests/fixtures/valid-specs/defaults")));
    let cuts = (0..up.len()).step_by(7).filter(|&i| up.is_char_boundary(i));
    for cut in cuts {
        let _ = replay("public", &files(&[&up[..cut]]));
        let _ = replay("public", &files(&[&up[cut..]]));
    }
    for odd in [
        "ALTER TABLE",
        "CREATE INDEX ON",
        "DROP TYPE",
        "ALTER TYPE x ADD VALUE",
        ";;;",
        "$$",
        "\"",
        "CREATE TABLE a.b.c.d (x int)",
    ] {
        let _ = replay("public", &files(&[odd]));
    }
}

#[test]
fn every_type_the_language_holds_replays_as_lowered() {
    let expected = lower(&model("tests/fixtures/types/model-spec"));
    let sql = ddl::create_all(&expected);
    let replayed = super::replay_managed("public", &expected.managed, &files(&[&sql])).expect("replays");
    assert_eq!(diff(&expected, &replayed), vec![], "{sql}");
    // A plan from nothing creates the other schema before its tables, and replays the same.
    let empty = Schema { name: "public".into(), ..Schema::default() };
    let statements = crate::schema::plan::plan(&empty, &expected).statements;
    let created = statements.iter().position(|s| s == "CREATE SCHEMA IF NOT EXISTS audit;");
    let first_table = statements.iter().position(|s| s.starts_with("CREATE TABLE audit."));
    assert!(created.is_some() && created < first_table, "{statements:#?}");
    let replayed = super::replay_managed("public", &expected.managed, &files(&[&statements.join("\n")]));
    assert_eq!(diff(&expected, &replayed.expect("replays")), vec![]);
    // Unmanaged, the other schema's tables are known by name only.
    let unmanaged = run("public", &[&sql]);
    assert!(!unmanaged.tables.contains_key("audit.audit_entry"));
    assert_eq!(unmanaged.other_schemas["audit"], ["audit_detail", "audit_entry"]);
}

#[test]
fn casts_keep_their_written_spelling() {
    let schema = run(
        "public",
        &["CREATE TABLE t (q integer NOT NULL, p numeric NOT NULL, total numeric GENERATED ALWAYS AS (((q)::numeric * p)) STORED,\n    CONSTRAINT t_check CHECK (((q > 0) AND (p >= (0)::numeric))),\n    id integer DEFAULT nextval('t_id_seq'::regclass));"],
    );
    let t = &schema.tables["t"];
    assert_eq!(t.checks["t_check"], "CHECK (((q > 0) AND (p >= (0)::numeric)))");
    assert_eq!(
        t.column("total").unwrap().generated.as_deref(),
        Some("GENERATED ALWAYS AS (((q)::numeric * p)) STORED")
    );
    assert_eq!(t.column("id").unwrap().default.as_deref(), Some("nextval('t_id_seq'::regclass)"));
}

#[test]
fn domains_are_created_altered_and_dropped() {
    let schema = run(
        "public",
        &[
            "CREATE DOMAIN code AS varchar(8) DEFAULT 'x' NOT NULL CONSTRAINT code_check CHECK (VALUE <> '');
             CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));
             CREATE TABLE t (y year, c code);",
            "ALTER DOMAIN code DROP NOT NULL;
             ALTER DOMAIN code SET DEFAULT 'y';
             ALTER DOMAIN code DROP CONSTRAINT code_check;
             ALTER DOMAIN code ADD CONSTRAINT code_short CHECK (length(VALUE) < 5);
             ALTER DOMAIN year DROP DEFAULT;
             ALTER DOMAIN public.code OWNER TO postgres;
             ALTER DOMAIN elsewhere.code DROP NOT NULL;
             ALTER DOMAIN public.year SET DEFAULT 2000;",
        ],
    );
    assert_eq!(schema.domains["year"].default.as_deref(), Some("2000"));
    let code = &schema.domains["code"];
    assert_eq!(
        (code.base.as_str(), code.not_null, code.default.as_deref()),
        ("character varying(8)", false, Some("'y'"))
    );
    assert_eq!(code.checks.keys().collect::<Vec<_>>(), ["code_short"]);
    assert_eq!(code.checks["code_short"], "CHECK (length(VALUE) < 5)");
    assert_eq!(schema.domains["year"].checks["year_check"], "CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))");
    assert_eq!(schema.tables["t"].column("y").map(|c| c.data_type.as_str()), Some("year"));
    assert!(errors(&["CREATE DOMAIN d AS int; CREATE TABLE t (v d); DROP DOMAIN d;"])[0].contains("uses it"));

    // plan writes what replay reads back.
    let mut to = schema.clone();
    let code = to.domains.get_mut("code").unwrap();
    code.not_null = true;
    code.default = None;
    code.checks.insert("code_upper".into(), "CHECK (VALUE = upper(VALUE))".into());
    let statements = crate::schema::plan::plan(&schema, &to).statements;
    let history = String::from(
        "CREATE DOMAIN code AS varchar(8) DEFAULT 'x' NOT NULL CONSTRAINT code_check CHECK (VALUE <> '');
         CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));
         CREATE TABLE t (y year, c code);
         ALTER DOMAIN code DROP NOT NULL; ALTER DOMAIN code SET DEFAULT 'y'; ALTER DOMAIN code DROP CONSTRAINT code_check;
         ALTER DOMAIN code ADD CONSTRAINT code_short CHECK (length(VALUE) < 5); ALTER DOMAIN year SET DEFAULT 2000;"
    );
    let replayed = run("public", &[&history, &statements.join("\n")]);
    assert_eq!(diff(&to, &replayed), vec![], "{statements:#?}");
}

/// Identity sequence options: pg_dump's `ADD GENERATED … (SEQUENCE NAME …)`, options written in
/// CREATE TABLE, and `ALTER COLUMN … SET <option>` are kept without their defaults, so each
/// sequence has one spelling; and plan's in-place changes replay to the target.
#[test]
fn identity_sequence_options() {
    let schema = run(
        "public",
        &["CREATE TABLE t (id integer NOT NULL, n bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 1 INCREMENT BY 1 CACHE 1),
             d smallint GENERATED ALWAYS AS IDENTITY (INCREMENT BY -2 NO MINVALUE MAXVALUE -1 CYCLE));
         ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
             SEQUENCE NAME public.t_id_seq
             START WITH 10
             INCREMENT BY 1
             NO MINVALUE
             NO MAXVALUE
             CACHE 20
         );"],
    );
    let generated = |schema: &Schema, c: &str| schema.tables["t"].column(c).and_then(|c| c.generated.clone());
    assert_eq!(generated(&schema, "id").as_deref(), Some("GENERATED ALWAYS AS IDENTITY (START WITH 10 CACHE 20)"));
    assert_eq!(generated(&schema, "n").as_deref(), Some("GENERATED BY DEFAULT AS IDENTITY"));
    assert_eq!(generated(&schema, "d").as_deref(), Some("GENERATED ALWAYS AS IDENTITY (INCREMENT BY -2 CYCLE)"));

    let altered = run(
        "public",
        &["CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY (START WITH 10 CACHE 20));
           ALTER TABLE ONLY t ALTER COLUMN id SET GENERATED BY DEFAULT SET INCREMENT BY 5 SET CACHE 1 RESTART WITH 7;"],
    );
    let expected = "GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5)";
    assert_eq!(generated(&altered, "id").as_deref(), Some(expected));

    let mut to = schema.clone();
    let t = to.tables.get_mut("t").unwrap();
    t.columns[0].generated = Some("GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 3 MAXVALUE 900)".into());
    t.columns[2].generated = Some("GENERATED ALWAYS AS IDENTITY".into());
    let statements = crate::schema::plan::plan(&schema, &to).statements;
    let history = "CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY (START WITH 10 CACHE 20),
        n bigint GENERATED BY DEFAULT AS IDENTITY,
        d smallint GENERATED ALWAYS AS IDENTITY (INCREMENT BY -2 MAXVALUE -1 CYCLE));";
    let replayed = run("public", &[history, &statements.join("\n")]);
    assert_eq!(diff(&to, &replayed), vec![], "{statements:#?}");
    assert!(errors(&["CREATE TABLE t (id integer); ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;"])
        [0]
    .contains("NOT NULL"));
}
