//! Where things are: the repository root, and paths shown to people relative to where they are.

use crate::flags::Project;
use std::path::{Path, PathBuf};

/// The workspace root (this crate lives in `<root>/xtask`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask sits in the workspace").to_path_buf()
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
