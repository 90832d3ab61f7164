//! Domains: unique names that no enum or built-in type has, a base type from the type table or
//! an enum, and their CHECKs on `VALUE`.

use super::{check_identifier, Validator};
use crate::diagnostics::Diagnostic;
use crate::ir::{CheckDef, DomainDef, FieldType};
use crate::spec::load::{span_of, RawSpecs};
use crate::spec::types::parse_type;

impl Validator<'_> {
    pub(super) fn domains(&mut self, raw: &RawSpecs) -> Vec<DomainDef> {
        let mut out: Vec<DomainDef> = Vec::new();
        let enum_names: Vec<String> = self.enums.iter().map(|e| e.name.clone()).collect();
        let enum_refs: Vec<&str> = enum_names.iter().map(String::as_str).collect();
        for (file, doc) in &raw.domains {
            for (name, spec) in &doc.domains.0 {
                let span = span_of(file, name);
                // Any name PostgreSQL takes quoted (pagila's `bıgınt`): fields name it as written.
                let bad = |c: char| c.is_whitespace() || matches!(c, '"' | '(' | ')' | '[' | ']' | '.' | ',' | '\0');
                if name.value.is_empty() || name.value.chars().any(bad) {
                    self.diags.push(
                        Diagnostic::error(span.clone(), format!("'{}' cannot name a domain", name.value))
                            .with_help("use letters, digits and underscores"),
                    );
                    continue;
                }
                let taken = out.iter().any(|d| d.name == name.value)
                    || self.enums.iter().any(|e| e.name == name.value || e.db_name == name.value);
                if taken {
                    self.diags.push(
                        Diagnostic::error(span.clone(), format!("'{}' already names a domain or an enum", name.value))
                            .with_help("give the domain another name"),
                    );
                    continue;
                }
                if matches!(crate::types::parse_builtin(&name.value), Ok(Some(_))) {
                    self.diags.push(
                        Diagnostic::error(span.clone(), format!("'{}' is a built-in type's name", name.value))
                            .with_help("give the domain another name"),
                    );
                    continue;
                }
                let base = match parse_type(&spec.ty.value, &enum_refs, &[]) {
                    Ok(ty) => ty,
                    Err((message, help)) => {
                        self.diags.push(Diagnostic::error(span_of(file, &spec.ty), message).with_help_opt(help));
                        continue;
                    }
                };
                if matches!(base, FieldType::Sql(_)) {
                    self.diags.push(
                        Diagnostic::error(span_of(file, &spec.ty), "a domain's base type is a type the specs know")
                            .with_help("use a type of the table, or an enum"),
                    );
                }
                let mut checks: Vec<CheckDef> = Vec::new();
                let named = spec.check.iter().map(|c| (format!("{}_check", name.value), c, span_of(file, c)));
                let listed = spec.checks.0.iter().map(|(n, c)| {
                    check_identifier(file, n, self.diags);
                    (n.value.clone(), c, span_of(file, n))
                });
                for (check_name, expr, check_span) in
                    named.collect::<Vec<_>>().into_iter().chain(listed.collect::<Vec<_>>())
                {
                    if checks.iter().any(|c| c.name == check_name) {
                        self.diags
                            .push(Diagnostic::error(check_span, format!("check '{check_name}' is declared twice")));
                    } else if expr.value.trim().is_empty() {
                        self.diags.push(Diagnostic::error(check_span, "a check needs a condition on VALUE"));
                    } else {
                        checks.push(CheckDef { name: check_name, expr: expr.value.trim().to_string() });
                    }
                }
                out.push(DomainDef {
                    name: name.value.clone(),
                    base,
                    doc: spec.doc.as_ref().map(|d| d.value.clone()),
                    not_null: spec.not_null.as_ref().is_some_and(|n| n.value),
                    default: spec.default.as_ref().map(|d| d.value.trim().to_string()),
                    checks,
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}
