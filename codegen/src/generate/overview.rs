//! `generated/README.md`: an index of the model (entity → table, links, enums) for readers.

use super::{GeneratedFile, HEADER_TEXT};
use crate::ir::{Allow, Model, ADMIN_ROLE};
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
    access(model, &mut out);
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

/// Who may call what, at a glance (a review of the specs' `access:`); `admin` may always.
fn access(model: &Model, out: &mut String) {
    let _ = writeln!(
        out,
        "\n## Access\n\nWho may call each operation besides the `{ADMIN_ROLE}` role (`—`: admin only), and fields only some \
         roles see or set.\n\n| entity | list | get | create | update | delete | restricted fields |\n|---|---|---|---|---|---|---|"
    );
    for e in &model.entities {
        let cells: Vec<String> = e.access.operations().iter().map(|(_, allow)| who(allow)).collect();
        let restricted: Vec<String> = e
            .fields
            .iter()
            .filter_map(|f| {
                let mut parts = Vec::new();
                if let Some(roles) = &f.read_roles {
                    parts.push(format!("read: {}", roles.join(", ")));
                }
                if let Some(roles) = &f.write_roles {
                    parts.push(format!("write: {}", roles.join(", ")));
                }
                (!parts.is_empty()).then(|| format!("`{}` ({})", f.name, parts.join("; ")))
            })
            .collect();
        let _ = writeln!(out, "| {} | {} | {} |", e.name, cells.join(" | "), restricted.join(", "));
    }
}

fn who(allow: &Allow) -> String {
    let mut who: Vec<String> = Vec::new();
    if allow.public {
        who.push("public".into());
    }
    if allow.authenticated {
        who.push("any token".into());
    }
    who.extend(allow.roles.iter().filter(|r| *r != ADMIN_ROLE).cloned());
    if let Some(field) = &allow.owner {
        who.push(format!("owner (`{field}`)"));
    }
    if who.is_empty() {
        "—".into()
    } else {
        who.join(", ")
    }
}
