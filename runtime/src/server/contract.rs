//! The parameter patterns of the OpenAPI document the server serves: list filters, `order` and
//! `If-Match` are checked against the very patterns the document states, so the server takes
//! exactly the parameter values the document admits. Each distinct pattern is parsed at start-up
//! and compiled on first use (most servers see few of them, and compiling costs memory).

use regex::bytes::{Regex, RegexBuilder};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Path template → parameter name → the pattern its values must match (nested, so a request's
/// lookup borrows its strings instead of allocating a key).
#[derive(Debug, Default)]
pub struct Contract {
    patterns: HashMap<String, HashMap<String, Arc<Pattern>>>,
}

#[derive(Debug)]
struct Pattern {
    source: String,
    /// None: too large for the regex engine (a `vector(16000)` order, say); the handler's own
    /// checks then stand alone.
    compiled: OnceLock<Option<Regex>>,
}

impl Contract {
    /// Reads every operation's parameters (following `$ref`s) from the document.
    pub fn from_document(text: &str) -> Result<Self, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("the OpenAPI document does not parse: {e}"))?;
        let mut patterns: HashMap<String, HashMap<String, Arc<Pattern>>> = HashMap::new();
        let mut distinct: HashMap<&str, Arc<Pattern>> = HashMap::new();
        let paths = doc.get("paths").and_then(Value::as_object).into_iter().flatten();
        for (path, item) in paths {
            let operations = item.as_object().into_iter().flatten().filter_map(|(_, op)| op.get("parameters"));
            let shared = item.get("parameters").into_iter();
            for parameter in shared.chain(operations).filter_map(Value::as_array).flatten() {
                let parameter = resolve(&doc, parameter);
                let (Some(name), Some(schema)) =
                    (parameter.get("name").and_then(Value::as_str), parameter.get("schema"))
                else {
                    continue;
                };
                let schema = resolve(&doc, schema);
                let items = schema.get("items").map(|items| resolve(&doc, items));
                let Some(source) = items.unwrap_or(schema).get("pattern").and_then(Value::as_str) else { continue };
                let pattern = match distinct.get(source) {
                    Some(pattern) => Arc::clone(pattern),
                    None => {
                        // A pattern the regex engine cannot read stops start-up, not a request.
                        regex_syntax::ParserBuilder::new()
                            .unicode(false)
                            .utf8(false)
                            .build()
                            .parse(source)
                            .map_err(|e| format!("{path} parameter {name}: bad pattern: {e}"))?;
                        let pattern = Arc::new(Pattern { source: source.to_string(), compiled: OnceLock::new() });
                        distinct.insert(source, Arc::clone(&pattern));
                        pattern
                    }
                };
                patterns.entry(path.clone()).or_default().insert(name.to_string(), pattern);
            }
        }
        Ok(Self { patterns })
    }

    /// Whether `value` is one the document admits for the parameter (`true` when it states no pattern).
    pub fn admits(&self, path: &str, name: &str, value: &str) -> bool {
        let Some(pattern) = self.patterns.get(path).and_then(|by_name| by_name.get(name)) else {
            return true;
        };
        let regex = pattern.compiled.get_or_init(|| {
            compile(&pattern.source)
                .inspect_err(|e| tracing::warn!(path, parameter = name, error = %e, "pattern not enforced"))
                .ok()
        });
        regex.as_ref().is_none_or(|regex| regex.is_match(value.as_bytes()))
    }
}

/// Byte-wise, without Unicode classes: the document's patterns are ASCII but for `[^\x00]`, which
/// means the same on UTF-8 bytes and compiles to a fraction of the automaton (megabytes less).
fn compile(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(source).unicode(false).build()
}

/// A `{"$ref": "#/components/…"}` replaced by what it names (one level, as the generator writes them).
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(value),
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_come_from_the_document_through_refs() {
        let doc = r##"{"paths": {"/a": {"get": {"parameters": [
            {"in": "query", "name": "n", "schema": {"$ref": "#/components/schemas/C"}},
            {"$ref": "#/components/parameters/limit"}]}}},
          "components": {"schemas": {"C": {"type": "array", "items": {"type": "string", "pattern": "^eq\\.[0-9]$"}}},
                         "parameters": {"limit": {"in": "query", "name": "limit", "schema": {"type": "integer"}}}}}"##;
        let contract = Contract::from_document(doc).unwrap();
        assert!(contract.admits("/a", "n", "eq.5"));
        assert!(!contract.admits("/a", "n", "eq.55"));
        assert!(contract.admits("/a", "limit", "anything"));
        assert!(contract.admits("/b", "n", "anything"));
    }

    #[test]
    fn a_bad_pattern_stops_start_up() {
        let doc = r#"{"paths": {"/a": {"get": {"parameters": [
            {"in": "query", "name": "n", "schema": {"type": "string", "pattern": "(["}}]}}}}"#;
        assert!(Contract::from_document(doc).unwrap_err().contains("/a parameter n"));
    }
}
