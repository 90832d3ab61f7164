//! The initial migration, `migrations/0001_init.{up,down}.sql`, from `lower(IR)`.

use super::{GeneratedFile, HEADER_TEXT};
use crate::ir::Model;
use crate::naming::quote_ident;
use crate::schema::{ddl, lower::lower};

pub const INIT_VERSION: &str = "0001";

pub fn init_migration(model: &Model) -> Vec<GeneratedFile> {
    let schema = lower(model);
    let header = format!(
        "-- {HEADER_TEXT}\n-- Applied migrations are immutable: change the specs and generate instead of editing.\n\n"
    );
    // Outside `public`, the objects go into the project's schema; `public` stays on the path
    // for sqlx's own `_sqlx_migrations` bookkeeping, written in the same transaction.
    let (create_schema, search_path) = if schema.name == "public" {
        (String::new(), String::new())
    } else {
        let ident = quote_ident(&schema.name);
        (format!("CREATE SCHEMA IF NOT EXISTS {ident};\n"), format!("SET LOCAL search_path TO {ident}, public;\n\n"))
    };
    let up = format!("{header}{create_schema}{search_path}{}", ddl::create_all(&schema));
    let down = format!("{header}{search_path}{}", ddl::drop_all(&schema));
    vec![
        GeneratedFile::new(format!("migrations/{INIT_VERSION}_init.up.sql"), up),
        GeneratedFile::new(format!("migrations/{INIT_VERSION}_init.down.sql"), down),
    ]
}
