//! Migrations: `0001_init` from `lower(IR)` when there are none; after that, append-only — the
//! next migration is `plan(replay(migrations/), lower(IR))`, with `renamed_from` applied as
//! RENAMEs first, and a down migration that undoes it. Existing migrations are never rewritten.

use super::{GeneratedFile, HEADER_TEXT};
use crate::ir::Model;
use crate::naming::{quote_ident, quote_literal};
use crate::schema::model::{quote_table, split_table, table_key};
use crate::schema::plan::{plan, Loss};
use crate::schema::replay::{replay_managed, ReplayError};
use crate::schema::{ddl, diff, lower::lower, Change, Schema};
use std::path::PathBuf;

pub const INIT_VERSION: &str = "0001";

/// A migration already in `migrations/`.
#[derive(Clone, Debug)]
pub struct Existing {
    /// The number before the first `_`.
    pub version: u64,
    /// The file the up half came from (shown in errors).
    pub path: PathBuf,
    pub up: String,
}

/// What the specs need beyond the migrations that exist.
#[derive(Debug)]
pub enum Next {
    /// The migrations already build the specs' schema.
    UpToDate,
    /// A new migration: its files, and the changes among it that can lose data.
    New { files: Vec<GeneratedFile>, losses: Vec<Loss> },
}

pub fn init_migration(model: &Model) -> Vec<GeneratedFile> {
    let schema = lower(model);
    let up = format!("{}{}", preamble(&schema, true), ddl::create_all(&schema));
    let down = format!("{}{}", preamble(&schema, false), ddl::drop_all(&schema));
    vec![
        GeneratedFile::new(format!("migrations/{INIT_VERSION}_init.up.sql"), up),
        GeneratedFile::new(format!("migrations/{INIT_VERSION}_init.down.sql"), down),
    ]
}

/// Header, and outside `public` the project's schema on the path (`public` stays for sqlx's own
/// `_sqlx_migrations` bookkeeping, written in the same transaction).
fn preamble(schema: &Schema, create: bool) -> String {
    let header = format!(
        "-- {HEADER_TEXT}\n-- Applied migrations are immutable: change the specs and generate instead of editing.\n\n"
    );
    if schema.name == "public" {
        return header;
    }
    let ident = quote_ident(&schema.name);
    let create = if create { format!("CREATE SCHEMA IF NOT EXISTS {ident};\n") } else { String::new() };
    format!("{header}{create}SET LOCAL search_path TO {ident}, public;\n\n")
}

/// The `.up.sql` migrations in `dir`, by version; none when the directory does not exist.
pub fn read_existing(dir: &std::path::Path) -> std::io::Result<Vec<Existing>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let Some(stem) = name.strip_suffix(".up.sql") else { continue };
        let Some(version) = stem.split('_').next().and_then(|v| v.parse::<u64>().ok()) else { continue };
        let up = std::fs::read_to_string(&path)?;
        out.push(Existing { version, path, up });
    }
    out.sort_by_key(|m| m.version);
    Ok(out)
}

/// The schema the existing migrations build, replayed offline.
pub fn history(model: &Model, existing: &[Existing]) -> Result<Schema, Vec<ReplayError>> {
    let files: Vec<(PathBuf, String)> = existing.iter().map(|m| (m.path.clone(), m.up.clone())).collect();
    let managed = model.entities.iter().chain(&model.keyed).filter_map(|e| e.schema.clone()).collect();
    replay_managed(&model.project.schema, &managed, &files)
}

/// What the migrations lack: `diff(lower(IR), replay(migrations))`; empty when they are current.
pub fn lag(model: &Model, existing: &[Existing]) -> Result<Vec<Change>, Vec<ReplayError>> {
    Ok(diff(&lower(model), &history(model, existing)?))
}

/// Why no next migration can be written.
#[derive(Debug)]
pub enum Unplannable {
    /// The existing migrations do not replay.
    Replay(Vec<ReplayError>),
    /// Differences the planner cannot write, each said in a line.
    Refused(Vec<String>),
}

/// The next migration, if the specs need one.
pub fn next_migration(model: &Model, existing: &[Existing]) -> Result<Next, Unplannable> {
    if existing.is_empty() {
        let files = init_migration(model);
        return Ok(Next::New { losses: Vec::new(), files });
    }
    let before = history(model, existing).map_err(Unplannable::Replay)?;
    let expected = lower(model);
    let renames = renames(model, &before);
    // The plan sees renamed objects as unchanged: the renames are applied to the history first.
    let mut renamed = before;
    for rename in &renames {
        rename.apply(&mut renamed).map_err(|e| Unplannable::Refused(vec![format!("cannot rename: {e}")]))?;
    }
    let up_plan = plan(&renamed, &expected);
    let down_plan = plan(&expected, &renamed);
    let refused: Vec<String> = up_plan.refused.iter().chain(&down_plan.refused).cloned().collect();
    if !refused.is_empty() {
        return Err(Unplannable::Refused(refused));
    }
    if renames.is_empty() && up_plan.statements.is_empty() {
        return Ok(Next::UpToDate);
    }
    let mut up: Vec<String> = renames.iter().map(Rename::up).collect();
    up.extend(up_plan.statements);
    let mut down = down_plan.statements;
    down.extend(renames.iter().rev().map(Rename::down));
    let version = existing.iter().map(|m| m.version).max().unwrap_or(0) + 1;
    let name = format!("{version:04}_{}", slug(&up));
    let render = |statements: &[String]| {
        let body: String = statements.iter().map(|s| format!("{}\n", s.trim_end())).collect();
        format!("{}{body}", preamble(&expected, false))
    };
    let files = vec![
        GeneratedFile::new(format!("migrations/{name}.up.sql"), render(&up)),
        GeneratedFile::new(format!("migrations/{name}.down.sql"), render(&down)),
    ];
    Ok(Next::New { files, losses: up_plan.losses })
}

/// A `renamed_from` or `renamed_values` entry the history still has under its old name.
enum Rename {
    Table { old: String, new: String },
    Column { table: String, old: String, new: String },
    Value { enum_type: String, old: String, new: String },
}

impl Rename {
    fn up(&self) -> String {
        self.sql(false)
    }

    fn down(&self) -> String {
        self.sql(true)
    }

    fn sql(&self, reverse: bool) -> String {
        let pair =
            |old: &String, new: &String| if reverse { (new.clone(), old.clone()) } else { (old.clone(), new.clone()) };
        match self {
            Rename::Table { old, new } => {
                let (o, n) = pair(old, new);
                let (table, new_name) = (quote_table(&o), quote_ident(split_table(&n).1));
                format!("ALTER TABLE {table} RENAME TO {new_name};")
            }
            Rename::Column { table, old, new } => {
                let (o, n) = pair(old, new);
                format!("ALTER TABLE {} RENAME COLUMN {} TO {};", quote_table(table), quote_ident(&o), quote_ident(&n))
            }
            Rename::Value { enum_type, old, new } => {
                let (o, n) = pair(old, new);
                format!(
                    "ALTER TYPE {} RENAME VALUE {} TO {};",
                    quote_ident(enum_type),
                    quote_literal(&o),
                    quote_literal(&n)
                )
            }
        }
    }

    fn apply(&self, schema: &mut Schema) -> Result<(), String> {
        match self {
            Rename::Table { old, new } => schema.rename_table(old, new),
            Rename::Column { table, old, new } => schema.rename_column(table, old, new),
            Rename::Value { enum_type, old, new } => schema.rename_enum_value(enum_type, old, new),
        }
    }
}

/// Renames for `renamed_from` (tables, then columns) and `renamed_values`, for the objects the
/// history still has under their old names.
fn renames(model: &Model, history: &Schema) -> Vec<Rename> {
    let mut out = Vec::new();
    for entity in model.entities.iter().chain(&model.keyed) {
        let table = &entity.table_key(&model.project.schema);
        // The old name is in the table's own schema.
        let ours = &model.project.schema;
        let old_key =
            entity.renamed_from.as_ref().map(|old| table_key(entity.schema.as_deref().unwrap_or(ours), old, ours));
        if let Some(old) =
            old_key.as_ref().filter(|old| history.tables.contains_key(*old) && !history.tables.contains_key(table))
        {
            out.push(Rename::Table { old: old.clone(), new: table.clone() });
        }
        let current = old_key.as_ref().filter(|_| !history.tables.contains_key(table)).unwrap_or(table);
        let Some(columns) = history.tables.get(current) else { continue };
        for field in &entity.fields {
            if let Some(old) = field
                .renamed_from
                .as_ref()
                .filter(|old| columns.column(old).is_some() && columns.column(&field.name).is_none())
            {
                out.push(Rename::Column { table: table.clone(), old: old.clone(), new: field.name.clone() });
            }
        }
    }
    for e in &model.enums {
        let Some(values) = history.enums.get(&e.db_name).map(|t| &t.values) else { continue };
        for (new, old) in e.renamed_values.iter().filter(|(new, old)| values.contains(old) && !values.contains(new)) {
            out.push(Rename::Value { enum_type: e.db_name.clone(), old: old.clone(), new: new.clone() });
        }
    }
    out
}

/// `add_column_vbwd_user_note`, from the first statement: what the migration is mostly about.
fn slug(statements: &[String]) -> String {
    let first = statements.first().map(String::as_str).unwrap_or("change");
    let words: Vec<String> = first
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .filter(|w| !matches!(w.to_ascii_uppercase().as_str(), "TABLE" | "TYPE" | "ALTER" | "CONSTRAINT" | "ON" | "TO"))
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    let mut slug = words.join("_");
    slug.truncate(60);
    let extra = statements.len().saturating_sub(1);
    if extra > 0 {
        slug.push_str("_and_more");
    }
    slug
}
