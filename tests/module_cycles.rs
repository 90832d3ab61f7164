//! No module imports a module that imports it back, in the hand-written crates: a cycle means
//! two modules share one fact or one job, and neither owns it. Edges are the `crate::`, `super::`
//! and `self::` paths of each file (unit tests aside); a module and its own ancestors or
//! descendants are not counted as a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`server::guard`) of every `.rs` file under `src`, with its text.
fn modules(src: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("source directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, src, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).unwrap().with_extension("");
                let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                    parts.pop();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit tests may reach anywhere in their crate.
                let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default().to_string();
                out.insert(parts.join("::"), text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

/// Every path written after `crate::`, `super::` or `self::`, with one level of `{…}` expanded.
fn paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        let mut rest = text;
        while let Some(at) = rest.find(start) {
            let boundary = rest[..at].chars().last().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            let tail = &rest[at..];
            let len = tail.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(tail.len());
            let head = tail[..len].trim_end_matches(':').to_string();
            if boundary {
                if tail[len..].starts_with('{') && tail[..len].ends_with("::") {
                    let group = &tail[len + 1..tail[len..].find('}').map_or(len + 1, |e| len + e)];
                    for item in group.split(',') {
                        let item: String =
                            item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                        if !item.is_empty() {
                            out.push(format!("{head}::{item}"));
                        }
                    }
                } else {
                    out.push(head);
                }
            }
            rest = &tail[start.len()..];
        }
    }
    out
}

/// The module a path names: the longest prefix that is a module.
fn resolve(from: &str, path: &str, known: &BTreeMap<String, String>) -> Option<String> {
    let mut base: Vec<&str> = if from.is_empty() { Vec::new() } else { from.split("::").collect() };
    let mut segments: Vec<&str> = path.split("::").collect();
    match segments.first() {
        Some(&"crate") => base.clear(),
        Some(&"super") => {
            while segments.first() == Some(&"super") {
                base.pop();
                segments.remove(0);
            }
            segments.insert(0, "self");
        }
        _ => {}
    }
    segments.remove(0);
    (0..=segments.len())
        .rev()
        .map(|i| [base.clone(), segments[..i].to_vec()].concat().join("::"))
        .find(|m| known.contains_key(m))
}

fn cycles(src: &Path) -> Vec<Vec<String>> {
    let known = modules(src);
    let related = |a: &str, b: &str| {
        a == b || a.is_empty() || b.is_empty() || a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
    };
    let edges: BTreeMap<String, BTreeSet<String>> = known
        .iter()
        .map(|(m, text)| {
            let targets = paths(text).iter().filter_map(|p| resolve(m, p, &known)).filter(|t| !related(m, t)).collect();
            (m.clone(), targets)
        })
        .collect();
    // A cycle exists between a and b when each reaches the other.
    let reach = |from: &str| -> BTreeSet<String> {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![from.to_string()]);
        while let Some(m) = todo.pop() {
            for t in &edges[&m] {
                if seen.insert(t.clone()) {
                    todo.push(t.clone());
                }
            }
        }
        seen
    };
    let mut found: Vec<Vec<String>> = Vec::new();
    for m in edges.keys() {
        let mine = reach(m);
        if mine.contains(m) {
            let mut group: BTreeSet<String> = mine.iter().filter(|o| reach(o).contains(m)).cloned().collect();
            group.insert(m.clone());
            let group: Vec<String> = group.into_iter().collect();
            if !found.contains(&group) {
                found.push(group);
            }
        }
    }
    found
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let root = tests::repo_root();
    for krate in ["codegen/src", "runtime/src", "runtime/wire/src", "xtask/src"] {
        let found = cycles(&root.join(krate));
        assert!(found.is_empty(), "{krate}: modules that import each other: {found:?}");
    }
}

#[test]
fn the_check_sees_a_cycle() {
    let dir = tests::TempDir::new("cycle");
    std::fs::write(dir.path().join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(dir.path().join("a.rs"), "use crate::b::B;\npub struct A;\n").unwrap();
    std::fs::write(dir.path().join("b.rs"), "use super::{a::A, c};\npub struct B;\n").unwrap();
    assert_eq!(cycles(dir.path()), vec![vec!["a".to_string(), "b".to_string()]]);
}
