//! Reads the spec directory into raw documents. YAML and unknown-key errors become diagnostics;
//! every file is read even when an earlier one failed, so one run reports everything.

use super::raw::{DomainsDoc, EntityDoc, EnumsDoc, LinkDoc, MixinDoc, ProjectDoc, S};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, Span};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

#[derive(Debug, Default)]
pub struct RawSpecs {
    pub project: Option<(PathBuf, ProjectDoc)>,
    pub enums: Vec<(PathBuf, EnumsDoc)>,
    pub domains: Vec<(PathBuf, DomainsDoc)>,
    pub mixins: Vec<(PathBuf, MixinDoc)>,
    pub entities: Vec<(PathBuf, EntityDoc)>,
    pub links: Vec<(PathBuf, LinkDoc)>,
    /// Names declared by entity files that failed to parse: references to them are not
    /// reported again as unknown (the parse error already says what is wrong).
    pub broken_entities: Vec<String>,
}

const KINDS: [&str; 5] = ["entities", "enums", "domains", "mixins", "links"];

pub fn load_dir(spec_dir: &Path, diags: &mut Diagnostics) -> RawSpecs {
    let mut raw = RawSpecs::default();
    if !spec_dir.is_dir() {
        diags.push(
            Diagnostic::error(Span::file_start(spec_dir), "spec directory not found")
                .with_help("pass --spec-dir DIR, or run from the repository root (default: model-spec/)"),
        );
        return raw;
    }
    let project = spec_dir.join("project.yaml");
    if project.is_file() {
        if let Some(doc) = parse_file::<ProjectDoc>(&project, diags) {
            raw.project = Some((project, doc));
        }
    }
    for entry in sorted_entries(spec_dir) {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if entry.is_dir() {
            if !KINDS.contains(&name.as_str()) && !name.starts_with('.') {
                diags.push(
                    Diagnostic::error(Span::file_start(&entry), format!("unexpected directory '{name}'"))
                        .with_help_opt(did_you_mean(&name, KINDS).or_else(|| {
                            Some("spec files live in entities/, enums/, domains/, mixins/ or links/".into())
                        })),
                );
            }
        } else if is_yaml(&entry) && name != "project.yaml" {
            diags.push(
                Diagnostic::error(Span::file_start(&entry), "spec file outside a kind directory")
                    .with_help("move it into entities/, enums/, domains/, mixins/ or links/"),
            );
        }
    }
    for file in yaml_files(&spec_dir.join("enums")) {
        if let Some(doc) = parse_file::<EnumsDoc>(&file, diags) {
            raw.enums.push((file, doc));
        }
    }
    for file in yaml_files(&spec_dir.join("domains")) {
        if let Some(doc) = parse_file::<DomainsDoc>(&file, diags) {
            raw.domains.push((file, doc));
        }
    }
    for file in yaml_files(&spec_dir.join("mixins")) {
        if let Some(doc) = parse_file::<MixinDoc>(&file, diags) {
            raw.mixins.push((file, doc));
        }
    }
    for file in yaml_files(&spec_dir.join("entities")) {
        match parse_file::<EntityDoc>(&file, diags) {
            Some(doc) => raw.entities.push((file, doc)),
            None => raw.broken_entities.extend(declared_name(&file, "entity:")),
        }
    }
    for file in yaml_files(&spec_dir.join("links")) {
        if let Some(doc) = parse_file::<LinkDoc>(&file, diags) {
            raw.links.push((file, doc));
        }
    }
    raw
}

/// `entity: Name` read line by line from a file serde could not parse.
fn declared_name(path: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|rest| rest.split('#').next().unwrap_or_default().trim().trim_matches(['"', '\'']).to_string())
        .filter(|name| !name.is_empty())
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default();
    entries.sort();
    entries
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    sorted_entries(dir).into_iter().filter(|p| p.is_file() && is_yaml(p)).collect()
}

fn parse_file<T: DeserializeOwned>(path: &Path, diags: &mut Diagnostics) -> Option<T> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) => {
            diags.push(Diagnostic::error(Span::file_start(path), format!("cannot read file: {err}")));
            return None;
        }
    };
    match serde_saphyr::from_str::<T>(&text) {
        Ok(doc) => Some(doc),
        Err(err) => {
            diags.push(yaml_error(path, &text, &err));
            None
        }
    }
}

/// Turns a serde-saphyr error into a diagnostic, with a suggestion for a misspelt key.
fn yaml_error(path: &Path, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let (line, column) = err.location().map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
    match err.without_snippet() {
        serde_saphyr::Error::SerdeUnknownField { field, expected, .. } => {
            let span = Span::new(path, line, column, field.chars().count());
            if field.trim_end_matches(')').chars().all(|c| c.is_ascii_digit()) && field.ends_with(')') {
                return Diagnostic::error(span, format!("unknown key '{field}': a comma split the value before it"))
                    .with_help("inside { … } a comma ends a value: quote the type, e.g. type: \"decimal(10,2)\"");
            }
            let help = did_you_mean(field, expected.iter().copied())
                .unwrap_or_else(|| format!("known keys here: {}", expected.join(", ")));
            Diagnostic::error(span, format!("unknown key '{field}'")).with_help(help)
        }
        serde_saphyr::Error::SerdeMissingField { field, .. } => {
            Diagnostic::error(Span::new(path, line, column, 1), format!("missing required key '{field}'"))
                .with_help(format!("add `{field}:` to this mapping"))
        }
        serde_saphyr::Error::DuplicateMappingKey { key, .. } => {
            let key = key.clone().unwrap_or_default();
            Diagnostic::error(Span::new(path, line, column, key.chars().count()), format!("duplicate key '{key}'"))
                .with_help("each key may appear once in a mapping; remove or rename one of them")
        }
        _ => {
            let len = token_len(text, line, column);
            let message = plain_message(err);
            let help = (message.contains("flow mapping") || message.contains("flow sequence")).then_some(
                "a `{ … }` or `[ … ]` that starts at or before this line is not closed, or a value in it needs quotes",
            );
            Diagnostic::error(Span::new(path, line, column, len), message).with_help_opt(help.map(str::to_string))
        }
    }
}

/// The error text without serde-saphyr's own snippet and position suffix.
fn plain_message(err: &serde_saphyr::Error) -> String {
    let full = err.without_snippet().to_string();
    let first = full.lines().next().unwrap_or_default().trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let trimmed = match first.rfind(" at line ") {
        Some(pos) => &first[..pos],
        None => first,
    };
    trimmed.trim_end_matches(':').to_string()
}

fn token_len(text: &str, line: usize, column: usize) -> usize {
    text.lines()
        .nth(line.saturating_sub(1))
        .map(|l| {
            l.chars()
                .skip(column.saturating_sub(1))
                .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '}' | ']'))
                .count()
        })
        .unwrap_or(1)
        .max(1)
}

/// The span of a spanned value (its scalar text, when it has one).
pub fn span_of<T>(file: &Path, value: &S<T>) -> Span {
    let loc = &value.referenced;
    Span::new(file, loc.line() as usize, loc.column() as usize, loc.span().len() as usize)
}
