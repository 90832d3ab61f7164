//! The initial migration, `migrations/0001_init.{up,down}.sql`, from `lower(IR)`.

use super::{GeneratedFile, HEADER_TEXT};
use crate::ir::Model;
use crate::schema::{ddl, lower::lower};

pub const INIT_VERSION: &str = "0001";

pub fn init_migration(model: &Model) -> Vec<GeneratedFile> {
    let schema = lower(model);
    let header = format!(
        "-- {HEADER_TEXT}\n-- Applied migrations are immutable: change the specs and generate instead of editing.\n\n"
    );
    let up = format!("{header}{}", ddl::create_all(&schema));
    let down = format!("{header}{}", ddl::drop_all(&schema));
    vec![
        GeneratedFile::new(format!("migrations/{INIT_VERSION}_init.up.sql"), up),
        GeneratedFile::new(format!("migrations/{INIT_VERSION}_init.down.sql"), down),
    ]
}
