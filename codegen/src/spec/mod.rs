//! The spec language: load YAML (`load`), check and resolve it (`validate`) into the IR.

pub mod literals;
pub mod load;
pub mod raw;
pub mod types;
pub mod validate;

use crate::diagnostics::Diagnostics;
use crate::ir::Model;
use std::path::Path;

/// Loads and validates every spec under `spec_dir`: the model, or every error found.
pub fn load_model(spec_dir: &Path) -> Result<Model, Diagnostics> {
    let mut diags = Diagnostics::default();
    let raw = load::load_dir(spec_dir, &mut diags);
    let model = validate::validate(&raw, &mut diags);
    match model {
        Some(model) if diags.is_empty() => Ok(model),
        _ => Err(diags),
    }
}
