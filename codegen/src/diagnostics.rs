//! Compiler-style diagnostics for spec errors: `file:line:col: error: …`, a source snippet with a
//! caret under the offending text, and an optional `help:` line.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A position in a spec file (1-based line and column, length in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

impl Span {
    pub fn new(file: &Path, line: usize, column: usize, len: usize) -> Self {
        Self { file: file.to_path_buf(), line: line.max(1), column: column.max(1), len: len.max(1) }
    }

    /// The whole file, for errors that have no better position (a missing file, say).
    pub fn file_start(file: &Path) -> Self {
        Self::new(file, 1, 1, 1)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Self { span, message: message.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Renders the diagnostic; `source` is the file's text (when it could be read).
    pub fn render(&self, source: Option<&str>) -> String {
        let mut out = String::new();
        let span = &self.span;
        let _ = writeln!(out, "{}:{}:{}: error: {}", span.file.display(), span.line, span.column, self.message);
        if let Some(text) = source.and_then(|s| s.lines().nth(span.line - 1)) {
            let gutter = span.line.to_string().len();
            let pad = " ".repeat(gutter);
            let prefix: String =
                text.chars().take(span.column - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
            let available = text.chars().count().saturating_sub(span.column - 1).max(1);
            let carets = "^".repeat(span.len.min(available));
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{} | {}", span.line, text);
            let _ = writeln!(out, "{pad} | {prefix}{carets}");
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = help: {help}");
        }
        out
    }
}

/// Every diagnostic of one run, rendered against the files they point into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Sorted by file and position so output is stable whatever order checks ran in.
    pub fn render(&self) -> String {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| {
            (&a.span.file, a.span.line, a.span.column, &a.message).cmp(&(
                &b.span.file,
                b.span.line,
                b.span.column,
                &b.message,
            ))
        });
        items.dedup();
        let mut out = String::new();
        for item in &items {
            let source = std::fs::read_to_string(&item.span.file).ok();
            out.push_str(&item.render(source.as_deref()));
            out.push('\n');
        }
        let n = items.len();
        let _ =
            writeln!(out, "error: {n} error{} in the model specs; nothing was written", if n == 1 { "" } else { "s" });
        out
    }
}

/// "did you mean …?" for a misspelt name: the closest candidate within a small edit distance.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let wrong_lower = wrong.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&wrong_lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(wrong.len()) / 3).max(2))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| format!("did you mean '{c}'?"))
}
