//! Where things are: the repository root, and paths shown to people relative to where they are.

use crate::flags::Project;
use std::path::{Path, PathBuf};

static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Makes `root` the project root for this process (the first call wins).
pub fn set_root(root: &Path) {
    let _ = ROOT.set(root.to_path_buf());
}

/// The project root: set by `set_root`, else this repository (this crate lives in `<root>/xtask`).
pub fn repo_root() -> PathBuf {
    ROOT.get().cloned().unwrap_or_else(this_repository)
}

/// This repository, whose crates and manifest `new` points a workspace at.
pub fn this_repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
}

/// Whether `dir` is missing or has nothing in it (import and new write only there).
pub fn is_empty_or_absent(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

pub struct Resolved {
    pub root: PathBuf,
    pub spec_dir: PathBuf,
}

/// Explicit flags win; defaults are under the repository root, shown relative to the cwd.
pub fn resolve(project: &Project) -> Resolved {
    let root = project.root.clone().unwrap_or_else(|| relative_to_cwd(&repo_root()));
    let spec_dir = project.spec_dir.clone().unwrap_or_else(|| root.join("model-spec"));
    Resolved { root, spec_dir: tidy(&spec_dir) }
}

/// `./model-spec` → `model-spec`, so diagnostics read `model-spec/entities/user.yaml:3:5`.
fn tidy(path: &Path) -> PathBuf {
    path.strip_prefix(".").map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

fn relative_to_cwd(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if cwd == path => PathBuf::from("."),
        Ok(cwd) => path.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf()),
        Err(_) => path.to_path_buf(),
    }
}
