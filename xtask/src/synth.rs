//! `cargo xtask synth`: a synthetic, deterministic spec set of N entities × M fields, for the
//! generate/check benchmarks (BENCHMARKS.md).

use crate::flags::SynthOpts;
use crate::{EXIT_ERROR, EXIT_OK};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

pub fn run(opts: &SynthOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match write_specs(&opts.out, opts.entities, opts.fields) {
        Ok(()) => {
            let _ = writeln!(
                out,
                "synth: wrote {} entities × {} fields to {}",
                opts.entities,
                opts.fields,
                opts.out.display()
            );
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: cannot write {}: {e}", opts.out.display());
            EXIT_ERROR
        }
    }
}

const FIELD_TYPES: [&str; 8] =
    ["string(100)", "text", "int", "bool", "\"decimal(10,2)\"", "timestamp", "jsonb", "Status"];

pub fn write_specs(dir: &Path, entities: usize, fields: usize) -> std::io::Result<()> {
    for sub in ["entities", "enums", "mixins"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    std::fs::write(
        dir.join("project.yaml"),
        "project: synth\nschema: public\ntable_prefix: s_\nunmanaged:\n  ignore_tables: [_sqlx_migrations]\n",
    )?;
    std::fs::write(dir.join("enums/status.yaml"), "enums:\n  Status:\n    values: [DRAFT, ACTIVE, ARCHIVED]\n")?;
    std::fs::write(
        dir.join("mixins/base.yaml"),
        "mixin: base\nfields:\n  id: { type: uuid, primary_key: true, default_fn: uuid_v4, read_only: true }\n  created_at: { type: timestamp, default_fn: now, read_only: true }\n  updated_at: { type: timestamp, default_fn: now, on_update: now, read_only: true }\n  version: { type: int, default: 0, version: true, read_only: true }\n",
    )?;
    for i in 0..entities {
        let mut text = format!("entity: Thing{i:05}\ndoc: Synthetic entity number {i}.\nmixins: [base]\nfields:\n");
        if i > 0 {
            let _ = writeln!(text, "  parent_id: {{ type: uuid, nullable: true, references: Thing{:05}, on_delete: set_null, index: true }}", i - 1);
        }
        for f in 0..fields.saturating_sub(usize::from(i > 0)) {
            let ty = FIELD_TYPES[(i + f) % FIELD_TYPES.len()];
            let extra = match f % 5 {
                0 => ", index: true",
                1 => ", nullable: true",
                _ => "",
            };
            let _ = writeln!(text, "  field_{f:02}: {{ type: {ty}{extra} }}");
        }
        std::fs::write(dir.join(format!("entities/thing{i:05}.yaml")), text)?;
    }
    Ok(())
}
