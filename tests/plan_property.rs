//! The planner against the diff engine, on a real database: random pairs of spec sets (a, b),
//! drawn from what the spec language can express — every column type and arrays of them, enums,
//! nullability, database defaults, unique keys of both kinds, plain and composite indexes,
//! foreign keys with every action, links, naming templates — with b a few edits away from a
//! (or unrelated to it, or the same). For each pair, on a database built by a's init migration:
//! plan(a → b) applied leaves nothing for `diff` against b, plan(b → a) (the down migration) leaves
//! nothing against a, and diff(a, b) is empty exactly when plan(a, b) is.
//!
//! Deterministic: `PLAN_SEED` replays a run, `PLAN_PAIRS` sets how many pairs (default 200),
//! `PLAN_ONLY=n` runs pair n alone; a failure prints the seed, the pair and both spec sets.

use codegen::generate::migration::{init_migration, next_migration, Existing, Next};
use codegen::ir::Model;
use codegen::schema::diff;
use codegen::schema::live::compare_live;
use codegen::schema::lower::lower;
use codegen::schema::plan::plan;
use serde_json::{json, Map, Value};
use sqlx::{Connection, PgConnection};
use std::fmt::Write as _;
use tests::rng::{seed_from_env, Rng};
use tests::{block_on, TempDir, TestDb};

const SCALARS: &[&str] = &[
    "uuid",
    "string(20)",
    "string(80)",
    "text",
    "bool",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "decimal(10,2)",
    "decimal(14,4)",
    "date",
    "timestamp",
    "timestamptz",
    "time",
    "json",
    "jsonb",
    "bytes",
];
const KEY_TYPES: &[&str] = &["uuid", "int", "bigint", "string(36)"];
const ON_DELETE: &[&str] = &["no_action", "cascade", "restrict", "set_null"];
const LABELS: &[&str] = &["A", "B", "C", "D", "E", "F"];

#[derive(Clone, Debug, PartialEq)]
enum Ty {
    Scalar(&'static str),
    Enum(String),
    Array(Box<Ty>),
}

impl Ty {
    fn spec(&self) -> String {
        match self {
            Ty::Scalar(s) => (*s).to_string(),
            Ty::Enum(name) => name.clone(),
            Ty::Array(inner) => format!("{}[]", inner.spec()),
        }
    }
}

#[derive(Clone, Debug)]
struct Field {
    name: String,
    ty: Ty,
    nullable: bool,
    db_default: Option<Value>,
    unique: Option<&'static str>,
    index: bool,
    references: Option<(String, &'static str)>,
    /// The name it had before (`renamed_from`): a rename the next migration carries out.
    renamed_from: Option<String>,
}

#[derive(Clone, Debug)]
struct Entity {
    name: String,
    table: Option<String>,
    key_type: &'static str,
    fields: Vec<Field>,
    indexes: Vec<(Vec<String>, &'static str)>,
    /// The table it had before (`renamed_from`).
    renamed_from: Option<String>,
}

#[derive(Clone, Debug)]
struct Link {
    name: String,
    left: (String, &'static str),
    right: (String, &'static str),
}

#[derive(Clone, Debug)]
struct Spec {
    prefix: &'static str,
    unique_default: &'static str,
    index_template: &'static str,
    enums: Vec<(String, Vec<String>)>,
    entities: Vec<Entity>,
    links: Vec<Link>,
    /// Names handed out so far, so an added object never takes an old name by accident.
    serial: usize,
}

impl Spec {
    fn random(rng: &mut Rng) -> Self {
        let mut spec = Spec {
            prefix: rng.choose(&["", "p_"]),
            unique_default: rng.choose(&["index", "constraint"]),
            index_template: rng.choose(&["ix_{table}_{columns}", "{table}_{columns}_idx"]),
            enums: Vec::new(),
            entities: Vec::new(),
            links: Vec::new(),
            serial: 0,
        };
        for _ in 0..rng.below(3) {
            spec.add_enum(rng);
        }
        for _ in 0..1 + rng.below(4) {
            spec.add_entity(rng);
        }
        if rng.chance(30) {
            spec.add_link(rng);
        }
        spec.repair(rng);
        spec
    }

    fn next_name(&mut self) -> usize {
        self.serial += 1;
        self.serial
    }

    fn add_enum(&mut self, rng: &mut Rng) {
        let n = self.next_name();
        let mut values: Vec<String> = LABELS.iter().filter(|_| rng.chance(60)).map(|v| (*v).to_string()).collect();
        if values.is_empty() {
            values.push("A".into());
        }
        self.enums.push((format!("Mood{n}"), values));
    }

    fn random_type(&self, rng: &mut Rng) -> Ty {
        let scalar = || -> Ty { Ty::Scalar("text") };
        let mut ty = match rng.below(10) {
            0 if !self.enums.is_empty() => Ty::Enum(rng.pick(&self.enums).0.clone()),
            _ => Ty::Scalar(rng.choose(SCALARS)),
        };
        if ty == scalar() && rng.chance(10) {
            ty = Ty::Scalar("string(20)");
        }
        if rng.chance(12) {
            ty = Ty::Array(Box::new(ty));
        }
        ty
    }

    fn random_field(&mut self, rng: &mut Rng) -> Field {
        let n = self.next_name();
        let ty = self.random_type(rng);
        let unique = if rng.chance(12) { Some(rng.choose(&["true", "index", "constraint"])) } else { None };
        let mut field = Field {
            name: format!("f{n}"),
            ty,
            nullable: rng.chance(40),
            db_default: None,
            unique,
            index: unique.is_none() && rng.chance(15),
            references: None,
            renamed_from: None,
        };
        if rng.chance(35) {
            field.db_default = default_for(&field.ty, &self.enums, rng);
        }
        if rng.chance(20) && !self.entities.is_empty() {
            let target = rng.pick(&self.entities).name.clone();
            field.references = Some((target, rng.choose(ON_DELETE)));
        }
        field
    }

    fn add_entity(&mut self, rng: &mut Rng) {
        let n = self.next_name();
        let mut entity = Entity {
            name: format!("Thing{n}"),
            table: if rng.chance(15) { Some(format!("custom_thing_{n}")) } else { None },
            key_type: rng.choose(KEY_TYPES),
            fields: Vec::new(),
            indexes: Vec::new(),
            renamed_from: None,
        };
        for _ in 0..rng.below(6) {
            entity.fields.push(self.random_field(rng));
        }
        if entity.fields.len() >= 2 && rng.chance(30) {
            let (a, b) = (entity.fields[0].name.clone(), entity.fields[1].name.clone());
            entity.indexes.push((vec![a, b], rng.choose(&["false", "true", "index", "constraint"])));
        }
        self.entities.push(entity);
    }

    fn add_link(&mut self, rng: &mut Rng) {
        let uuid_keyed: Vec<String> =
            self.entities.iter().filter(|e| e.key_type == "uuid").map(|e| e.name.clone()).collect();
        if uuid_keyed.len() < 2 {
            return;
        }
        let n = self.next_name();
        let (l, r) = (rng.pick(&uuid_keyed).clone(), rng.pick(&uuid_keyed).clone());
        if l == r {
            return;
        }
        let actions = ["no_action", "cascade"];
        self.links.push(Link {
            name: format!("Pairs{n}"),
            left: (l, rng.choose(&actions)),
            right: (r, rng.choose(&actions)),
        });
    }

    /// The table an entity has under this spec set.
    fn table_of(&self, e: &Entity) -> String {
        e.table.clone().unwrap_or_else(|| format!("{}{}", self.prefix, codegen::naming::snake_case(&e.name)))
    }

    /// The same spec set with a table and a column renamed (`renamed_from`), and perhaps more edits.
    fn renamed(&self, rng: &mut Rng) -> Spec {
        let mut s = self.clone();
        let e = rng.below(s.entities.len());
        let n = s.next_name();
        let old = s.table_of(&s.entities[e]);
        let entity = &mut s.entities[e];
        (entity.table, entity.renamed_from) = (Some(format!("renamed_{n}")), Some(old));
        if !entity.fields.is_empty() {
            let f = rng.below(entity.fields.len());
            let new = format!("r{n}");
            let old = std::mem::replace(&mut entity.fields[f].name, new.clone());
            entity.fields[f].renamed_from = Some(old.clone());
            for (cols, _) in &mut entity.indexes {
                cols.iter_mut().filter(|c| **c == old).for_each(|c| c.clone_from(&new));
            }
        }
        if rng.chance(50) {
            s = s.mutate(rng, 1);
        }
        s
    }

    /// A few edits of every kind the language has.
    fn mutate(&self, rng: &mut Rng, edits: usize) -> Spec {
        let mut s = self.clone();
        for _ in 0..edits {
            let e = if s.entities.is_empty() { 0 } else { rng.below(s.entities.len()) };
            match rng.below(16) {
                0 => s.add_entity(rng),
                1 if s.entities.len() > 1 => {
                    s.entities.remove(e);
                }
                2 => {
                    let f = s.random_field(rng);
                    s.entities[e].fields.push(f);
                }
                3 if !s.entities[e].fields.is_empty() => {
                    let f = rng.below(s.entities[e].fields.len());
                    s.entities[e].fields.remove(f);
                }
                4 | 5 => s.with_field(rng, e, |s, f, rng| f.ty = s.random_type(rng)),
                6 => s.with_field(rng, e, |_, f, _| f.nullable = !f.nullable),
                7 => s.with_field(rng, e, |s, f, rng| {
                    f.db_default =
                        if f.db_default.is_some() && rng.chance(50) { None } else { default_for(&f.ty, &s.enums, rng) }
                }),
                8 => s.with_field(rng, e, |_, f, rng| {
                    f.unique =
                        if f.unique.is_some() { None } else { Some(rng.choose(&["true", "index", "constraint"])) };
                    f.index = f.unique.is_none() && rng.chance(50);
                }),
                9 => s.with_field(rng, e, |s, f, rng| {
                    f.references = match &f.references {
                        Some((t, _)) if rng.chance(50) => Some((t.clone(), rng.choose(ON_DELETE))),
                        Some(_) => None,
                        None => Some((rng.pick(&s.entities).name.clone(), rng.choose(ON_DELETE))),
                    }
                }),
                10 if !s.enums.is_empty() => {
                    let i = rng.below(s.enums.len());
                    let values = &mut s.enums[i].1;
                    match rng.below(3) {
                        0 => {
                            if let Some(v) = LABELS.iter().find(|v| !values.iter().any(|x| x == **v)) {
                                let at = rng.below(values.len() + 1);
                                values.insert(at, (*v).to_string());
                            }
                        }
                        1 if values.len() > 1 => {
                            let at = rng.below(values.len());
                            values.remove(at);
                        }
                        _ => values.reverse(),
                    }
                }
                11 => {
                    if !s.enums.is_empty() && rng.chance(40) {
                        let i = rng.below(s.enums.len());
                        s.enums.remove(i);
                    } else {
                        s.add_enum(rng);
                    }
                }
                12 => match rng.below(3) {
                    0 => s.unique_default = if s.unique_default == "index" { "constraint" } else { "index" },
                    1 => s.prefix = if s.prefix.is_empty() { "p_" } else { "" },
                    _ => {
                        s.index_template = if s.index_template.starts_with("ix_") {
                            "{table}_{columns}_idx"
                        } else {
                            "ix_{table}_{columns}"
                        }
                    }
                },
                13 => {
                    let ent = &mut s.entities[e];
                    if ent.indexes.is_empty() && ent.fields.len() >= 2 {
                        let (a, b) = (ent.fields[0].name.clone(), ent.fields[ent.fields.len() - 1].name.clone());
                        ent.indexes.push((vec![a, b], rng.choose(&["false", "true", "index", "constraint"])));
                    } else {
                        ent.indexes.clear();
                    }
                }
                14 => {
                    if s.links.is_empty() || rng.chance(50) {
                        s.add_link(rng);
                    } else {
                        s.links.pop();
                    }
                }
                _ => s.entities[e].key_type = rng.choose(KEY_TYPES),
            }
        }
        s.repair(rng);
        s
    }

    fn with_field(&mut self, rng: &mut Rng, e: usize, edit: impl FnOnce(&Spec, &mut Field, &mut Rng)) {
        if self.entities[e].fields.is_empty() {
            return;
        }
        let f = rng.below(self.entities[e].fields.len());
        let mut field = self.entities[e].fields[f].clone();
        edit(self, &mut field, rng);
        self.entities[e].fields[f] = field;
    }

    /// Makes the edits consistent the way a user would: references follow their target's key
    /// type, dangling ones go, set_null needs NULL, defaults fit their type, composite indexes
    /// name fields that exist.
    fn repair(&mut self, rng: &mut Rng) {
        let keys: Vec<(String, &'static str)> = self.entities.iter().map(|e| (e.name.clone(), e.key_type)).collect();
        let enums = self.enums.clone();
        let known_enum = |ty: &Ty| match ty {
            Ty::Enum(n) => enums.iter().any(|(e, _)| e == n),
            Ty::Array(inner) => !matches!(&**inner, Ty::Enum(n) if !enums.iter().any(|(e, _)| e == n)),
            Ty::Scalar(_) => true,
        };
        for entity in &mut self.entities {
            for f in &mut entity.fields {
                if !known_enum(&f.ty) {
                    f.ty = Ty::Scalar("text");
                    f.db_default = None;
                }
                if let Some((target, action)) = f.references.clone() {
                    match keys.iter().find(|(n, _)| *n == target) {
                        Some((_, key)) => {
                            f.ty = Ty::Scalar(key);
                            f.nullable |= action == "set_null";
                            f.db_default = None;
                        }
                        None => f.references = None,
                    }
                }
                if let Some(d) = &f.db_default {
                    if !default_fits(&f.ty, d, &enums) {
                        f.db_default = default_for(&f.ty, &enums, rng);
                    }
                }
            }
            let is_json =
                |ty: &Ty| matches!(ty, Ty::Scalar("json")) || matches!(ty, Ty::Array(i) if **i == Ty::Scalar("json"));
            for f in entity.fields.iter_mut().filter(|f| is_json(&f.ty)) {
                (f.unique, f.index) = (None, false);
            }
            // json cannot be indexed (the language says so): such fields stay out of indexes.
            let names: Vec<String> = entity.fields.iter().filter(|f| !is_json(&f.ty)).map(|f| f.name.clone()).collect();
            entity.indexes.retain(|(cols, _)| cols.iter().all(|c| names.contains(c)) && cols[0] != cols[1]);
        }
        let uuid_keyed: Vec<String> =
            self.entities.iter().filter(|e| e.key_type == "uuid").map(|e| e.name.clone()).collect();
        self.links.retain(|l| uuid_keyed.contains(&l.left.0) && uuid_keyed.contains(&l.right.0));
    }

    fn write(&self, dir: &std::path::Path) {
        for sub in ["entities", "enums", "links"] {
            std::fs::create_dir_all(dir.join(sub)).expect("spec dir");
        }
        let project = format!(
            "project: prop\nschema: public\ntable_prefix: \"{}\"\nunique_default: {}\nnaming:\n  index: \"{}\"\nunmanaged:\n  ignore_tables: [_sqlx_migrations]\n",
            self.prefix, self.unique_default, self.index_template
        );
        std::fs::write(dir.join("project.yaml"), project).expect("project.yaml");
        if !self.enums.is_empty() {
            let mut text = String::from("enums:\n");
            for (name, values) in &self.enums {
                let _ = writeln!(text, "  {name}:\n    values: {}", json!(values));
            }
            std::fs::write(dir.join("enums/enums.yaml"), text).expect("enums");
        }
        for e in &self.entities {
            let mut text = format!("entity: {}\n", e.name);
            if let Some(t) = &e.table {
                let _ = writeln!(text, "table: {t}");
            }
            if let Some(old) = &e.renamed_from {
                let _ = writeln!(text, "renamed_from: {old}");
            }
            let _ = writeln!(text, "fields:\n  id: {}", json!({ "type": e.key_type, "primary_key": true }));
            for f in &e.fields {
                let mut m = Map::new();
                m.insert("type".into(), json!(f.ty.spec()));
                if f.nullable {
                    m.insert("nullable".into(), json!(true));
                }
                if let Some(d) = &f.db_default {
                    m.insert("db_default".into(), d.clone());
                }
                match f.unique {
                    Some("true") => {
                        m.insert("unique".into(), json!(true));
                    }
                    Some(kind) => {
                        m.insert("unique".into(), json!(kind));
                    }
                    None => {}
                }
                if f.index {
                    m.insert("index".into(), json!(true));
                }
                if let Some((target, action)) = &f.references {
                    m.insert("references".into(), json!(target));
                    m.insert("on_delete".into(), json!(action));
                }
                if let Some(old) = &f.renamed_from {
                    m.insert("renamed_from".into(), json!(old));
                }
                let _ = writeln!(text, "  {}: {}", f.name, Value::Object(m));
            }
            if !e.indexes.is_empty() {
                text.push_str("indexes:\n");
                for (cols, unique) in &e.indexes {
                    let unique: Value = match *unique {
                        "true" => json!(true),
                        "false" => json!(false),
                        kind => json!(kind),
                    };
                    let _ = writeln!(text, "  - {}", json!({ "fields": cols, "unique": unique }));
                }
            }
            std::fs::write(dir.join(format!("entities/{}.yaml", e.name.to_lowercase())), text).expect("entity");
        }
        for l in &self.links {
            let text = format!(
                "link: {}\nleft: {}\nright: {}\n",
                l.name,
                json!({ "entity": l.left.0, "column": "left_id", "on_delete": l.left.1 }),
                json!({ "entity": l.right.0, "column": "right_id", "on_delete": l.right.1 }),
            );
            std::fs::write(dir.join(format!("links/{}.yaml", l.name.to_lowercase())), text).expect("link");
        }
    }

    fn dump(&self) -> String {
        let dir = TempDir::new("plan_dump");
        self.write(dir.path());
        let mut out = String::new();
        let mut files: Vec<std::path::PathBuf> = walk(dir.path());
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let _ = writeln!(out, "--- {}\n{text}", path.strip_prefix(dir.path()).unwrap_or(&path).display());
        }
        out
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A database default of the field's type, as the spec writes it.
fn default_for(ty: &Ty, enums: &[(String, Vec<String>)], rng: &mut Rng) -> Option<Value> {
    Some(match ty {
        Ty::Scalar(s) => match *s {
            "uuid" => {
                if rng.chance(50) {
                    json!({ "sql": "gen_random_uuid()" })
                } else {
                    json!("00000000-0000-0000-0000-000000000001")
                }
            }
            "string(20)" | "string(80)" | "string(36)" => json!(rng.pick(&["x", "it's", "ünï"])),
            "text" => json!(rng.pick(&["", "hello world", "a\\b"])),
            "bool" => json!(rng.chance(50)),
            "smallint" | "int" | "bigint" => json!(rng.below(200) as i64 - 100),
            "float" | "double" => json!(1.5),
            "decimal(10,2)" => json!("12.34"),
            "decimal(14,4)" => json!("-0.5"),
            "date" => json!("2024-02-29"),
            "timestamp" | "timestamptz" => {
                if rng.chance(50) {
                    json!({ "sql": "now()" })
                } else {
                    json!("2024-01-02T03:04:05")
                }
            }
            "time" => json!("12:30:00"),
            "json" | "jsonb" => json!({ "a": [1, "x"], "b": null }),
            "bytes" => json!("abc"),
            _ => return None,
        },
        Ty::Enum(name) => json!(rng.pick(&enums.iter().find(|(n, _)| n == name)?.1)),
        Ty::Array(inner) => match &**inner {
            Ty::Scalar("int" | "smallint" | "bigint") => json!([1, 2]),
            Ty::Scalar("text" | "string(20)") => json!(["a", "b c"]),
            Ty::Enum(name) => json!([enums.iter().find(|(n, _)| n == name)?.1[0]]),
            _ => json!([]),
        },
    })
}

/// Whether a default written for one type still fits after an edit (else a new one is drawn).
fn default_fits(ty: &Ty, d: &Value, enums: &[(String, Vec<String>)]) -> bool {
    match ty {
        Ty::Enum(name) => enums
            .iter()
            .find(|(n, _)| n == name)
            .is_some_and(|(_, values)| d.as_str().is_some_and(|s| values.iter().any(|v| v == s))),
        Ty::Array(inner) if matches!(&**inner, Ty::Enum(_)) => {
            let Ty::Enum(name) = &**inner else { return false };
            let values = enums.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_default();
            d.as_array()
                .is_some_and(|items| items.iter().all(|i| i.as_str().is_some_and(|s| values.iter().any(|v| v == s))))
        }
        Ty::Scalar("smallint" | "int" | "bigint") => d.as_i64().is_some_and(|n| n.abs() <= 100),
        Ty::Scalar("text") => d.is_string(),
        // Anything else must be one of the defaults drawn for this type.
        _ => (1..16).any(|seed| default_for(ty, enums, &mut Rng::new(seed)).as_ref() == Some(d)),
    }
}

/// The spec set as the tool reads it (written to a directory and loaded).
fn model(spec: &Spec) -> Model {
    let dir = TempDir::new("plan_model");
    spec.write(dir.path());
    codegen::load_model(dir.path())
        .unwrap_or_else(|d| panic!("the generator wrote an invalid spec set:\n{}\n{}", d.render(), spec.dump()))
}

fn init_sql(model: &Model) -> String {
    init_migration(model).into_iter().find(|f| f.path.ends_with(".up.sql")).expect("an up migration").contents
}

/// Runs statements in one transaction, as the migrator does.
async fn apply(url: &str, statements: &[String]) -> Result<(), String> {
    let mut conn = PgConnection::connect(url).await.map_err(|e| e.to_string())?;
    let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
    for s in statements {
        sqlx::raw_sql(s).execute(&mut *tx).await.map_err(|e| format!("{s}\n  → {e}"))?;
    }
    tx.commit().await.map_err(|e| e.to_string())
}

#[test]
fn plan_applied_leaves_nothing_for_diff() {
    let seed = seed_from_env("PLAN_SEED", 20_261_201);
    let pairs: usize = std::env::var("PLAN_PAIRS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let only: Option<usize> = std::env::var("PLAN_ONLY").ok().and_then(|s| s.parse().ok());
    let db = TestDb::new("plan_property");
    let mut rng = Rng::new(seed);
    let (mut nonempty, mut statements) = (0, 0);
    for i in 0..pairs {
        let a = Spec::random(&mut rng);
        let b = match rng.below(10) {
            0 => a.clone(),
            1 => Spec::random(&mut rng),
            _ => {
                let edits = 1 + rng.below(4);
                a.mutate(&mut rng, edits)
            }
        };
        if only.is_some_and(|n| n != i) {
            continue;
        }
        let fail = |what: &str| -> ! {
            panic!(
                "pair {i} (PLAN_SEED={seed} PLAN_ONLY={i}): {what}\n=== a ===\n{}\n=== b ===\n{}",
                a.dump(),
                b.dump()
            )
        };
        let (ma, mb) = (model(&a), model(&b));
        let (sa, sb) = (lower(&ma), lower(&mb));
        let up = plan(&sa, &sb);
        let down = plan(&sb, &sa);
        if !up.refused.is_empty() || !down.refused.is_empty() {
            fail(&format!("refused: {:?} {:?}", up.refused, down.refused));
        }
        if diff(&sb, &sa).is_empty() != up.statements.is_empty() {
            fail(&format!("diff {:?}\nbut plan {:?}", diff(&sb, &sa), up.statements));
        }
        nonempty += usize::from(!up.statements.is_empty());
        statements += up.statements.len();
        let result = block_on(async {
            let mut conn = PgConnection::connect(&db.url).await.map_err(|e| e.to_string())?;
            let reset = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;";
            sqlx::raw_sql(reset).execute(&mut conn).await.map_err(|e| e.to_string())?;
            sqlx::raw_sql(&init_sql(&ma))
                .execute(&mut conn)
                .await
                .map_err(|e| format!("a's init migration failed: {e}"))?;
            drop(conn);
            for (step, (statements, expected)) in
                [(&up.statements, &sb), (&down.statements, &sa)].into_iter().enumerate()
            {
                let name = ["up (a → b)", "down (b → a)"][step];
                apply(&db.url, statements).await.map_err(|e| format!("{name} failed: {e}\nplan: {statements:#?}"))?;
                let (_, left) = compare_live(&db.url, expected).await.map_err(|e| e.to_string())?;
                if !left.is_empty() {
                    return Err(format!("after {name}, diff still reports {left:#?}\nplan: {statements:#?}"));
                }
            }
            Ok::<(), String>(())
        });
        if let Err(e) = result {
            fail(&e);
        }
    }
    assert!(
        only.is_some() || nonempty * 2 > pairs,
        "too few pairs differ ({nonempty} of {pairs}): the generator is too timid"
    );
    eprintln!("{pairs} pairs, {nonempty} with a plan, {statements} statements in all (seed {seed})");
}

/// Renames ride on the next migration, not on `plan`: `next_migration(b)` after a's init applies
/// them to the history, plans the rest, and its up and down halves must each leave nothing for
/// diff on a real database.
#[test]
fn renames_in_the_next_migration_leave_nothing_for_diff() {
    let seed = seed_from_env("PLAN_SEED", 20_261_201) ^ 0x5A5A;
    let pairs: usize = std::env::var("PLAN_PAIRS").ok().and_then(|s| s.parse().ok()).unwrap_or(200) / 4;
    let db = TestDb::new("plan_renames");
    let mut rng = Rng::new(seed);
    for i in 0..pairs {
        let a = Spec::random(&mut rng);
        let b = a.renamed(&mut rng);
        let fail = |what: &str| -> ! {
            panic!("rename pair {i} (PLAN_SEED seed {seed}): {what}\n=== a ===\n{}\n=== b ===\n{}", a.dump(), b.dump())
        };
        let (ma, mb) = (model(&a), model(&b));
        let init = init_sql(&ma);
        let existing = vec![Existing { version: 1, path: "0001_init.up.sql".into(), up: init.clone() }];
        let files = match next_migration(&mb, &existing) {
            Ok(Next::New { files, .. }) => files,
            Ok(Next::UpToDate) => fail("a rename made no migration"),
            Err(e) => fail(&format!("no migration: {e:?}")),
        };
        let half = |suffix: &str| files.iter().find(|f| f.path.ends_with(suffix)).map(|f| f.contents.clone()).unwrap();
        let (up, down) = (half(".up.sql"), half(".down.sql"));
        let renamed_column = b.entities.iter().flat_map(|e| &e.fields).any(|f| f.renamed_from.is_some());
        if renamed_column && !up.contains("RENAME COLUMN") {
            fail(&format!("the column rename became something else:\n{up}"));
        }
        if b.entities.iter().any(|e| e.renamed_from.is_some()) && !up.contains("RENAME") {
            fail(&format!("the up migration renames nothing:\n{up}"));
        }
        let result = block_on(async {
            let mut conn = PgConnection::connect(&db.url).await.map_err(|e| e.to_string())?;
            let reset = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;";
            sqlx::raw_sql(reset).execute(&mut conn).await.map_err(|e| e.to_string())?;
            sqlx::raw_sql(&init).execute(&mut conn).await.map_err(|e| format!("a's init failed: {e}"))?;
            drop(conn);
            for (name, sql, expected) in [("up", &up, lower(&mb)), ("down", &down, lower(&ma))] {
                apply(&db.url, std::slice::from_ref(sql)).await.map_err(|e| format!("{name} failed: {e}"))?;
                let (_, left) = compare_live(&db.url, &expected).await.map_err(|e| e.to_string())?;
                if !left.is_empty() {
                    return Err(format!("after {name}, diff still reports {left:#?}\n{sql}"));
                }
            }
            Ok::<(), String>(())
        });
        if let Err(e) = result {
            fail(&e);
        }
    }
}

/// What only hand-written migrations or a live database hold — identity and stored generated
/// columns, collations, CHECKs, foreign-key options, partial descending indexes — planned both
/// ways between two schemas PostgreSQL itself spelled (each built, then introspected).
#[test]
fn hand_written_objects_plan_both_ways() {
    const A: &str = "CREATE TABLE parent (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
        code text COLLATE \"C\" NOT NULL, CONSTRAINT code_not_empty CHECK (code <> ''));
        CREATE TABLE child (id bigint PRIMARY KEY, parent_id integer REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED, \
        price numeric(10,2), total numeric GENERATED ALWAYS AS (price * 2) STORED, n integer DEFAULT 0);
        CREATE INDEX child_total_idx ON child (total DESC) WHERE total > 0;";
    const B: &str = "CREATE TABLE parent (id integer GENERATED BY DEFAULT AS IDENTITY \
        (START WITH 100 INCREMENT BY 5 MAXVALUE 100000 CACHE 10) PRIMARY KEY, \
        code text NOT NULL, CONSTRAINT code_not_empty CHECK (length(code) > 1));
        CREATE TABLE child (id bigint PRIMARY KEY, parent_id integer REFERENCES parent (id), \
        price numeric(12,2), total numeric GENERATED ALWAYS AS (price * 3) STORED, \
        n integer GENERATED ALWAYS AS IDENTITY (INCREMENT BY -1 MINVALUE -500 CYCLE));
        CREATE INDEX child_total_idx ON child (total DESC) WHERE total > 0;";
    let (db, other) = (TestDb::new("plan_hand_a"), TestDb::new("plan_hand_b"));
    db.execute(A);
    other.execute(B);
    block_on(async {
        let read = |url: String| async move {
            let mut conn = PgConnection::connect(&url).await.expect("connect");
            codegen::schema::introspect::introspect(&mut conn, "public").await.expect("introspect")
        };
        let (a, b) = (read(db.url.clone()).await, read(other.url.clone()).await);
        for (name, from, to) in [("a → b", &a, &b), ("b → a", &b, &a)] {
            let p = plan(from, to);
            assert!(p.refused.is_empty(), "{name}: {:?}", p.refused);
            assert!(p.statements.len() >= 8, "{name}: every difference needs a statement: {:#?}", p.statements);
            apply(&db.url, &p.statements).await.unwrap_or_else(|e| panic!("{name}: {e}\n{:#?}", p.statements));
            let (_, left) = compare_live(&db.url, to).await.expect("compare");
            assert!(left.is_empty(), "{name}: diff still reports {left:#?}\nplan: {:#?}", p.statements);
        }
    });
}
