//! `generated/README.md`: an index of the model (entity → table, links, enums) for readers.

use super::{GeneratedFile, HEADER_TEXT};
use crate::ir::Model;
use std::fmt::Write as _;

pub fn overview(model: &Model) -> GeneratedFile {
    let mut out = format!("<!-- {HEADER_TEXT} -->\n\n# Generated artifacts\n\n");
    out.push_str(
        "Everything in this directory is written by `cargo xtask generate` and checked by `cargo xtask check`.\n\n",
    );
    let _ = writeln!(
        out,
        "## Entities ({})\n\n| entity | table | fields | about |\n|---|---|---|---|",
        model.entities.len()
    );
    for e in &model.entities {
        let doc = e.doc.as_deref().unwrap_or("").lines().next().unwrap_or("").replace('|', "\\|");
        let _ = writeln!(out, "| {} | `{}` | {} | {} |", e.name, e.table, e.fields.len(), doc);
    }
    let _ = writeln!(out, "\n## Links ({})\n\n| link | table | between |\n|---|---|---|", model.links.len());
    for l in &model.links {
        let _ = writeln!(out, "| {} | `{}` | {} ↔ {} |", l.name, l.table, l.left.entity, l.right.entity);
    }
    let _ = writeln!(out, "\n## Enums ({})\n\n| enum | database type | values |\n|---|---|---|", model.enums.len());
    for e in &model.enums {
        let _ = writeln!(out, "| {} | `{}` | {} |", e.name, e.db_name, e.values.join(", "));
    }
    GeneratedFile::new("generated/README.md", out)
}
