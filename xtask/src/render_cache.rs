//! The last rendering of the generated files, kept beside the xtask binary (in `target/`) and
//! keyed by everything that decides it: the generator's binary and the whole validated model.
//! `check` compares every generated file with a fresh rendering, which is most of its time; with
//! this, a project whose specs and generator did not change is compared without rendering again
//! (as cargo's fingerprints skip a build). The cache holds the full contents and its key in full,
//! so a hit is exact, never a hash match; any problem reading it is a miss.

use codegen::generate::{render_all, GeneratedFile};
use codegen::ir::Model;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every generated file for `model`, from the cache when its key matches, else rendered (and kept).
pub fn render(model: &Model, root: &Path) -> Vec<GeneratedFile> {
    let Some((path, key)) = location(model, root) else { return render_all(model) };
    if let Some(files) = load(&path, &key) {
        return files;
    }
    let files = render_all(model);
    // Best effort: a read-only target directory only costs the next run a rendering.
    let _ = store(&path, &key, &files);
    files
}

/// The cache file for this project, and the key its contents must carry.
fn location(model: &Model, root: &Path) -> Option<(PathBuf, String)> {
    // `XTASK_RENDER_CACHE=off` renders every time (to time it, or to rule the cache out).
    if std::env::var_os("XTASK_RENDER_CACHE").is_some_and(|v| v == "off") {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let built = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    let root = std::fs::canonicalize(root).ok()?;
    let key = format!("{} {} {built}\n{}\n{model:?}", exe.display(), meta.len(), root.display());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    root.hash(&mut hasher);
    let dir = exe.parent()?.join("render-cache");
    Some((dir.join(format!("{:016x}.bin", hasher.finish())), key))
}

/// Records: the key, the number of files, then per file its path and contents, each as
/// `length\n` + bytes.
fn store(path: &Path, key: &str, files: &[GeneratedFile]) -> std::io::Result<()> {
    let dir = path.parent().expect("a file in the cache directory");
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::with_capacity(key.len() + files.iter().map(|f| f.contents.len() + 64).sum::<usize>());
    let mut record = |text: &str| {
        let _ = writeln!(out, "{}", text.len());
        out.extend_from_slice(text.as_bytes());
    };
    record(key);
    record(&files.len().to_string());
    for f in files {
        record(&f.path);
        record(&f.contents);
    }
    // Written aside (one name per process and call) and renamed, so no reader sees half a file.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = path.with_extension(format!("{}-{call}.tmp", std::process::id()));
    std::fs::write(&partial, out)?;
    std::fs::rename(&partial, path)?;
    evict(dir);
    Ok(())
}

/// Projects kept at most: one entry per project root, and test runs make many throwaway roots.
const KEPT: usize = 16;

/// Removes the least recently written entries beyond [`KEPT`].
fn evict(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .filter(|(_, p)| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    if files.len() > KEPT {
        files.sort();
        for (_, old) in &files[..files.len() - KEPT] {
            let _ = std::fs::remove_file(old);
        }
    }
}

fn load(path: &Path, key: &str) -> Option<Vec<GeneratedFile>> {
    let bytes = std::fs::read(path).ok()?;
    let mut rest = bytes.as_slice();
    let mut next = || -> Option<String> {
        let newline = rest.iter().position(|b| *b == b'\n')?;
        let len: usize = std::str::from_utf8(&rest[..newline]).ok()?.parse().ok()?;
        let text = rest.get(newline + 1..newline + 1 + len)?;
        let text = String::from_utf8(text.to_vec()).ok()?;
        rest = &rest[newline + 1 + len..];
        Some(text)
    };
    if next()? != key {
        return None;
    }
    let count: usize = next()?.parse().ok()?;
    (0..count).map(|_| Some(GeneratedFile::new(next()?, next()?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored rendering reads back exactly under its key, and under no other; a cut-off file
    /// is a miss, never fewer files.
    #[test]
    fn a_hit_is_exact_and_anything_else_a_miss() {
        let dir = std::env::temp_dir().join(format!("render-cache-test-{}", std::process::id()));
        let path = dir.join("x.bin");
        let files = vec![GeneratedFile::new("a/b.rs", "fn main() {}\n"), GeneratedFile::new("c", "ünï\n\n")];
        store(&path, "key\nwith lines", &files).unwrap();
        assert_eq!(load(&path, "key\nwith lines"), Some(files));
        assert_eq!(load(&path, "key\nwith line"), None);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        assert_eq!(load(&path, "key\nwith lines"), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
