//! Mixins expanded through nested mixins, with cycles reported once.

use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::spec::load::{span_of, RawSpecs};
use crate::spec::raw::{FieldSpec, MixinDoc, S};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A field as declared, with the file it came from (an entity's own file or a mixin's).
#[derive(Clone, Copy)]
pub(super) struct FieldDecl<'a> {
    pub(super) file: &'a Path,
    pub(super) name: &'a S<String>,
    pub(super) spec: &'a FieldSpec,
    pub(super) mixin: Option<&'a str>,
}

/// Mixins by name, with their fields expanded through nested mixins; cycles reported once.
pub(super) struct MixinTable<'a> {
    pub(super) expanded: HashMap<String, Option<Vec<FieldDecl<'a>>>>,
}

impl<'a> MixinTable<'a> {
    pub(super) fn new(raw: &'a RawSpecs, diags: &mut Diagnostics) -> Self {
        let mut docs: BTreeMap<String, (&'a Path, &'a MixinDoc)> = BTreeMap::new();
        for (file, doc) in &raw.mixins {
            if docs.contains_key(&doc.mixin.value) {
                diags.push(Diagnostic::error(
                    span_of(file, &doc.mixin),
                    format!("mixin '{}' is defined twice", doc.mixin.value),
                ));
            } else {
                docs.insert(doc.mixin.value.clone(), (file.as_path(), doc));
            }
        }
        let mut table = MixinTable { expanded: HashMap::new() };
        for name in docs.keys() {
            let mut stack = Vec::new();
            table.expand(name, &docs, &mut stack, diags);
        }
        table
    }

    fn expand(
        &mut self,
        name: &str,
        docs: &BTreeMap<String, (&'a Path, &'a MixinDoc)>,
        stack: &mut Vec<String>,
        diags: &mut Diagnostics,
    ) -> Option<Vec<FieldDecl<'a>>> {
        if let Some(done) = self.expanded.get(name) {
            return done.clone();
        }
        let (file, doc) = docs.get(name)?;
        stack.push(name.to_string());
        let mut fields: Vec<FieldDecl<'a>> = doc
            .fields
            .0
            .iter()
            .map(|(n, spec)| FieldDecl { file, name: n, spec, mixin: Some(doc.mixin.value.as_str()) })
            .collect();
        let mut ok = true;
        for inner in &doc.mixins {
            if let Some(pos) = stack.iter().position(|s| s == &inner.value) {
                let mut cycle: Vec<&str> = stack[pos..].iter().map(String::as_str).collect();
                cycle.push(&inner.value);
                diags.push(
                    Diagnostic::error(span_of(file, inner), format!("mixin cycle: {}", cycle.join(" -> ")))
                        .with_help("a mixin cannot include itself, directly or through other mixins"),
                );
                ok = false;
            } else if !docs.contains_key(&inner.value) {
                diags.push(unknown_mixin(file, inner, docs.keys()));
                ok = false;
            } else if let Some(inner_fields) = self.expand(&inner.value, docs, stack, diags) {
                fields.extend(inner_fields);
            } else {
                ok = false;
            }
        }
        stack.pop();
        let result = ok.then_some(fields);
        self.expanded.insert(name.to_string(), result.clone());
        result
    }
}

pub(super) fn unknown_mixin<'k>(file: &Path, name: &S<String>, known: impl Iterator<Item = &'k String>) -> Diagnostic {
    let known: Vec<&str> = known.map(String::as_str).collect();
    Diagnostic::error(span_of(file, name), format!("unknown mixin '{}'", name.value)).with_help_opt(
        did_you_mean(&name.value, known.iter().copied()).or_else(|| {
            Some(if known.is_empty() {
                "define it in mixins/<name>.yaml".into()
            } else {
                format!("known mixins: {}", known.join(", "))
            })
        }),
    )
}
