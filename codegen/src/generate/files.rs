//! Writing generated files, or comparing them with what is on disk (rust-analyzer's
//! `ensure_file_contents`): only changed files are written; files of removed entities go away.

use crate::output::GeneratedFile;
use std::path::{Path, PathBuf};

/// Where generated files go: the repository root, and the directories generate owns entirely.
#[derive(Clone, Debug)]
pub struct Layout {
    pub root: PathBuf,
    /// Every file under these (relative) directories is generated; others there are extra.
    pub owned_dirs: Vec<String>,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into(), owned_dirs: vec!["generated".into()] }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    Stale(String),
    Missing(String),
    Extra(String),
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Stale(p) => write!(f, "{p} is not up to date"),
            Self::Missing(p) => write!(f, "{p} is missing"),
            Self::Extra(p) => write!(f, "{p} is not generated from any spec (left over from a removed one?)"),
        }
    }
}

/// Line endings normalised, so a checkout with autocrlf is not "stale".
fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

pub fn check_files(layout: &Layout, files: &[GeneratedFile]) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    for file in files {
        match std::fs::read_to_string(layout.root.join(&file.path)) {
            Ok(on_disk) if normalize(&on_disk) == file.contents => {}
            Ok(_) => problems.push(FileProblem::Stale(file.path.clone())),
            Err(_) => problems.push(FileProblem::Missing(file.path.clone())),
        }
    }
    for extra in extra_files(layout, files) {
        problems.push(FileProblem::Extra(extra));
    }
    problems
}

#[derive(Debug, Default)]
pub struct WriteSummary {
    pub written: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
}

pub fn write_files(layout: &Layout, files: &[GeneratedFile]) -> std::io::Result<WriteSummary> {
    let mut summary = WriteSummary::default();
    for file in files {
        let path = layout.root.join(&file.path);
        if std::fs::read_to_string(&path).is_ok_and(|old| normalize(&old) == file.contents) {
            summary.unchanged += 1;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Write then rename, so an interrupted run never leaves a half-written file.
        let tmp = path.with_extension("tmp~");
        std::fs::write(&tmp, &file.contents)?;
        std::fs::rename(&tmp, &path)?;
        summary.written.push(file.path.clone());
    }
    for extra in extra_files(layout, files) {
        std::fs::remove_file(layout.root.join(&extra))?;
        summary.removed.push(extra);
    }
    Ok(summary)
}

fn extra_files(layout: &Layout, files: &[GeneratedFile]) -> Vec<String> {
    let mut extra = Vec::new();
    for dir in &layout.owned_dirs {
        let mut found = Vec::new();
        walk(&layout.root.join(dir), &mut found);
        for path in found {
            let Ok(rel) = path.strip_prefix(&layout.root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if !files.iter().any(|f| f.path == rel) && !is_build_output(&rel) {
                extra.push(rel);
            }
        }
    }
    extra.sort();
    extra
}

/// Build outputs and tool caches that may sit inside an owned directory.
fn is_build_output(rel: &str) -> bool {
    rel.split('/').any(|part| matches!(part, "target" | "node_modules" | "dist"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}
