//! One field: type, defaults (app-side and database), keys, index, FK action, validation rules.

use super::entity::PendingRef;
use super::mixins::FieldDecl;
use super::{check_identifier, check_length, is_snake_case, Validator};
use crate::diagnostics::{did_you_mean, Diagnostic, Span};
use crate::ir::*;
use crate::naming::{fill, snake_case};
use crate::spec::literals::{check_literal, sql_literal};
use crate::spec::load::span_of;
use crate::spec::raw::{FieldSpec, SequenceDoc, S};
use crate::spec::types::parse_type;
use std::path::Path;

/// A validated field, with its unique key, plain index and pending reference (if declared).
pub(super) type FieldParts<'a> = (Field, Option<IndexDef>, Option<IndexDef>, Option<PendingRef<'a>>);

/// Columns every PostgreSQL table has; a field of that name cannot be created.
const SYSTEM_COLUMNS: [&str; 7] = ["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid", "oid"];

impl Validator<'_> {
    pub(super) fn field<'a>(&mut self, table: &str, decl: &FieldDecl<'a>) -> Option<FieldParts<'a>> {
        let FieldDecl { file, name, spec, .. } = *decl;
        let name_span = span_of(file, name);
        if !is_snake_case(&name.value) {
            self.diags.push(
                Diagnostic::error(name_span.clone(), format!("field name '{}' is not snake_case", name.value))
                    .with_help(format!("write '{}'", snake_case(&name.value).replace(['-', ' '], "_"))),
            );
        }
        check_length(&name_span, &name.value, "column name", "choose a shorter field name", self.diags);
        if SYSTEM_COLUMNS.contains(&name.value.as_str()) {
            self.diags.push(
                Diagnostic::error(name_span.clone(), format!("'{}' is a PostgreSQL system column name", name.value))
                    .with_help("every table already has it; choose another field name"),
            );
        }
        for given_name in [&spec.unique_name, &spec.index_name, &spec.fk_name].into_iter().flatten() {
            check_identifier(file, given_name, self.diags);
        }
        let enum_names: Vec<&str> = self.enums.iter().map(|e| e.name.as_str()).collect();
        let domains: Vec<(&str, &FieldType)> = self.domains.iter().map(|d| (d.name.as_str(), &d.base)).collect();
        let ty = match parse_type(&spec.ty.value, &enum_names, &domains) {
            Ok(ty) => ty,
            Err((message, help)) => {
                let help = if spec.ty.value.contains('(') && !spec.ty.value.contains(')') {
                    Some(format!("inside {{ … }} a comma ends the value: quote the type, \"{}…)\"", spec.ty.value))
                } else {
                    help
                };
                self.diags.push(Diagnostic::error(span_of(file, &spec.ty), message).with_help_opt(help));
                // The field stays, typeless, so its other errors (a misspelt reference, say)
                // are reported in the same run; checks that need its type are skipped.
                FieldType::Sql(String::new())
            }
        };
        let typed = ty != FieldType::Sql(String::new());
        if let Some(extension) = ty.extension().filter(|e| !self.project.extensions.iter().any(|x| x == e)) {
            self.diags.push(
                Diagnostic::error(
                    span_of(file, &spec.ty),
                    format!(
                        "type '{}' comes from the extension '{extension}', which project.yaml does not declare",
                        spec.ty.value
                    ),
                )
                .with_help(format!("add `extensions: [{extension}]` to project.yaml; the migrations then create it")),
            );
        }
        let flag = |v: &Option<S<bool>>| v.as_ref().is_some_and(|b| b.value);
        let nullable = flag(&spec.nullable);
        let primary_key = flag(&spec.primary_key);
        if primary_key && nullable {
            self.diags.push(Diagnostic::error(
                span_of(file, spec.nullable.as_ref().unwrap()),
                "a primary key cannot be nullable",
            ));
        }
        let mut default = None;
        if let Some(value) = spec.default.as_ref().filter(|_| typed) {
            match check_literal(&ty, &value.value, &self.enums) {
                Ok(()) => default = Some(AppDefault::Value(value.value.clone())),
                Err((message, help)) => {
                    self.diags.push(Diagnostic::error(span_of(file, value), message).with_help_opt(help));
                }
            }
        }
        if let Some(function) = spec.default_fn.as_ref().filter(|_| typed) {
            if spec.default.is_some() {
                self.diags.push(Diagnostic::error(
                    span_of(file, function),
                    "a field has either `default` or `default_fn`, not both",
                ));
            }
            match (function.value.as_str(), &ty) {
                ("uuid_v4", FieldType::Uuid) => default = Some(AppDefault::UuidV4),
                ("now", FieldType::Timestamp(_) | FieldType::Timestamptz(_) | FieldType::Date) => {
                    default = Some(AppDefault::Now);
                }
                ("uuid_v4" | "now", _) => self.diags.push(Diagnostic::error(
                    span_of(file, function),
                    format!("default_fn '{}' does not fit type {}", function.value, spec.ty.value),
                )),
                (other, _) => self.diags.push(
                    Diagnostic::error(span_of(file, function), format!("unknown default_fn '{other}'")).with_help_opt(
                        did_you_mean(other, ["uuid_v4", "now"]).or_else(|| Some("use uuid_v4 or now".into())),
                    ),
                ),
            }
        }
        let db_default = spec.db_default.as_ref().filter(|_| typed).and_then(|value| self.db_default(file, &ty, value));
        let mut fk_on_update = FkAction::NoAction;
        let on_update_now = match spec.on_update.as_ref().filter(|_| typed) {
            Some(u) if u.value == "now" && matches!(ty, FieldType::Timestamp(_) | FieldType::Timestamptz(_)) => true,
            // On a reference, the foreign key's ON UPDATE action.
            Some(u) if spec.references.is_some() && FkAction::from_spec(&u.value).is_some() => {
                fk_on_update = FkAction::from_spec(&u.value).unwrap_or(FkAction::NoAction);
                false
            }
            Some(u) => {
                self.diags.push(
                    Diagnostic::error(span_of(file, u), format!("unknown on_update '{}'", u.value)).with_help(format!(
                        "`now` on timestamp fields; on a reference, one of: {}",
                        FkAction::SPEC_WORDS.join(", ")
                    )),
                );
                false
            }
            None => false,
        };
        let version = flag(&spec.version);
        if version && typed && !ty.is_integer() {
            self.diags.push(
                Diagnostic::error(span_of(file, &spec.ty), "the version field must be an integer type")
                    .with_help("use int or bigint"),
            );
        }
        let validate = if typed { self.validation(file, spec, &ty) } else { Validation::default() };
        let unique = spec.unique.as_ref().and_then(|u| {
            let kind = self.unique_kind(file, u)?;
            let index_name = match &spec.unique_name {
                Some(n) => n.value.clone(),
                None => {
                    let template = match kind.0 {
                        UniqueKind::Index => &self.project.naming.unique_index,
                        UniqueKind::Constraint => &self.project.naming.unique_constraint,
                    };
                    fill(template, table, &[&name.value], &name.value)
                }
            };
            Some(IndexDef::plain(index_name, vec![name.value.clone()], Some(kind.0), kind.1))
        });
        let index = if flag(&spec.index) {
            if unique.is_some() {
                self.diags.push(
                    Diagnostic::error(
                        span_of(file, spec.index.as_ref().unwrap()),
                        "`index: true` is redundant: the field is already unique",
                    )
                    .with_help("remove `index: true`; the unique index serves lookups too"),
                );
                None
            } else {
                let idx_name = spec.index_name.as_ref().map_or_else(
                    || fill(&self.project.naming.index, table, &[&name.value], &name.value),
                    |n| n.value.clone(),
                );
                Some(IndexDef::plain(idx_name, vec![name.value.clone()], None, false))
            }
        } else {
            None
        };
        let on_delete = match &spec.on_delete {
            Some(word) => match FkAction::from_spec(&word.value) {
                Some(action) => {
                    if spec.references.is_none() {
                        self.diags.push(
                            Diagnostic::error(span_of(file, word), "`on_delete` without `references`")
                                .with_help("add `references: Entity`"),
                        );
                    }
                    if action == FkAction::SetNull && !nullable {
                        self.diags.push(
                            Diagnostic::error(
                                span_of(file, word),
                                "on_delete: set_null on a field that is not nullable",
                            )
                            .with_help("add `nullable: true`, or choose cascade / restrict"),
                        );
                    }
                    action
                }
                None => {
                    self.diags.push(
                        Diagnostic::error(span_of(file, word), format!("unknown on_delete action '{}'", word.value))
                            .with_help_opt(
                                did_you_mean(&word.value, FkAction::SPEC_WORDS)
                                    .or_else(|| Some(format!("use one of: {}", FkAction::SPEC_WORDS.join(", ")))),
                            ),
                    );
                    FkAction::NoAction
                }
            },
            None => FkAction::NoAction,
        };
        let pending_ref = spec.references.as_ref().map(|target| PendingRef {
            file,
            ty: &spec.ty,
            field: name.value.clone(),
            target,
            on_delete,
            on_update: fk_on_update,
            deferrable: self.deferrable(file, spec),
            fk_name: spec.fk_name.as_ref(),
        });
        if let Some(old) = &spec.renamed_from {
            check_identifier(file, old, self.diags);
        }
        let generated = if typed { self.generated(file, spec, &ty, nullable) } else { None };
        if let Some(c) = &spec.collation {
            if !ty.is_text() {
                self.diags.push(
                    Diagnostic::error(
                        span_of(file, c),
                        format!("a collation applies to text, not to {}", spec.ty.value),
                    )
                    .with_help("remove `collation:`"),
                );
            }
        }
        let lowercase = typed && self.normalize(file, spec, &ty);
        let (read_roles, write_roles) =
            self.field_access(file, spec.access.as_ref(), (flag(&spec.secret), flag(&spec.read_only)));
        let field = Field {
            name: name.value.clone(),
            ty,
            nullable,
            doc: spec.doc.as_ref().map(|d| d.value.clone()),
            default,
            db_default,
            on_update_now,
            primary_key,
            references: None,
            secret: flag(&spec.secret),
            read_only: flag(&spec.read_only),
            version,
            validate,
            renamed_from: spec.renamed_from.as_ref().map(|r| r.value.clone()),
            read_roles,
            write_roles,
            generated,
            collation: spec.collation.as_ref().map(|c| c.value.clone()),
            lowercase,
        };
        Some((field, unique, index, pending_ref))
    }

    /// `normalize:`: whether the value is stored lower-cased (the one normalization there is).
    fn normalize(&mut self, file: &Path, spec: &FieldSpec, ty: &FieldType) -> bool {
        let Some(n) = &spec.normalize else { return false };
        if n.value != "lowercase" {
            self.diags.push(
                Diagnostic::error(span_of(file, n), format!("unknown normalize '{}'", n.value))
                    .with_help("use `normalize: lowercase` (stored lower-cased; unique and login ignore case)"),
            );
            return false;
        }
        if !ty.is_text() {
            self.diags.push(
                Diagnostic::error(
                    span_of(file, n),
                    format!("`normalize: lowercase` applies to text, not to {}", spec.ty.value),
                )
                .with_help("remove `normalize:`"),
            );
            return false;
        }
        true
    }

    /// `deferrable:` as the foreign key's options.
    fn deferrable(&mut self, file: &Path, spec: &FieldSpec) -> String {
        let Some(d) = &spec.deferrable else { return String::new() };
        if spec.references.is_none() {
            self.diags.push(
                Diagnostic::error(span_of(file, d), "`deferrable` without `references`")
                    .with_help("add `references: Entity`"),
            );
        }
        self.deferrable_options(file, d)
    }

    /// The foreign key options a `deferrable:` word stands for (empty, with an error, for
    /// another word); a field's reference and an entity's `foreign_keys:` read it alike.
    pub(super) fn deferrable_options(&mut self, file: &Path, d: &S<String>) -> String {
        deferrable_options(&d.value).map(str::to_string).unwrap_or_else(|| {
            self.diags.push(
                Diagnostic::error(span_of(file, d), format!("unknown deferrable '{}'", d.value)).with_help(
                    "use immediate (checked at each statement unless deferred) or deferred (checked at commit)",
                ),
            );
            String::new()
        })
    }

    /// `identity:` or `generated:`: what the database computes, and what cannot go with it.
    fn generated(&mut self, file: &Path, spec: &FieldSpec, ty: &FieldType, nullable: bool) -> Option<Generated> {
        if let (Some(sequence), None) = (&spec.sequence, &spec.identity) {
            self.diags.push(
                Diagnostic::error(span_of(file, sequence), "`sequence:` sets an identity's options")
                    .with_help("add `identity: always` (or by_default), or remove `sequence:`"),
            );
        }
        let (span, generated) = match (&spec.identity, &spec.generated) {
            (None, None) => return None,
            (Some(i), Some(g)) => {
                self.diags.push(
                    Diagnostic::error(span_of(file, g), "a field is either an identity or generated, not both")
                        .with_help(format!("remove `generated:` or `identity: {}`", i.value)),
                );
                return None;
            }
            (Some(i), None) => {
                let always = match i.value.as_str() {
                    "always" => true,
                    "by_default" => false,
                    other => {
                        self.diags.push(
                            Diagnostic::error(span_of(file, i), format!("unknown identity '{other}'"))
                                .with_help("use always (only the database sets it) or by_default (a given value wins)"),
                        );
                        return None;
                    }
                };
                let sequence = match ty.integer_bounds() {
                    Some(bounds) => {
                        spec.sequence.as_ref().map_or_else(SequenceOptions::default, |s| self.sequence(file, s, bounds))
                    }
                    None => {
                        self.diags.push(
                            Diagnostic::error(span_of(file, &spec.ty), "an identity column must be an integer type")
                                .with_help("use smallint, int or bigint"),
                        );
                        SequenceOptions::default()
                    }
                };
                if nullable {
                    self.diags.push(
                        Diagnostic::error(span_of(file, i), "an identity column cannot be nullable")
                            .with_help("remove `nullable: true`"),
                    );
                }
                (span_of(file, i), Generated::Identity { always, sequence })
            }
            (None, Some(g)) if g.value.trim().is_empty() => {
                self.diags.push(
                    Diagnostic::error(span_of(file, g), "`generated:` needs an expression")
                        .with_help("write the expression, e.g. generated: \"price * quantity\""),
                );
                return None;
            }
            (None, Some(g)) => (span_of(file, g), Generated::Stored(g.value.trim().to_string())),
        };
        if spec.default.is_some() || spec.default_fn.is_some() || spec.db_default.is_some() {
            self.diags.push(
                Diagnostic::error(span, "a column the database computes has no default")
                    .with_help("remove `default:`, `default_fn:` or `db_default:`"),
            );
        }
        Some(generated)
    }

    /// `sequence:` checked as CREATE SEQUENCE would check it, for an integer type whose range is
    /// `bounds`, and kept without the options that are defaults.
    fn sequence(&mut self, file: &Path, doc: &S<SequenceDoc>, bounds: (i64, i64)) -> SequenceOptions {
        let d = &doc.value;
        let given = SequenceOptions {
            start: d.start.as_ref().map(|v| v.value),
            increment: d.increment.as_ref().map(|v| v.value),
            min: d.min.as_ref().map(|v| v.value),
            max: d.max.as_ref().map(|v| v.value),
            cache: d.cache.as_ref().map(|v| v.value),
            cycle: d.cycle.as_ref().is_some_and(|v| v.value),
        };
        let values = given.values(bounds);
        let mut error = |at: Option<&S<i64>>, message: String, help: &str| {
            let span = at.map_or_else(|| span_of(file, doc), |v| span_of(file, v));
            self.diags.push(Diagnostic::error(span, message).with_help(help.to_string()));
        };
        let (lo, hi) = bounds;
        if values.increment == 0 {
            // The other options' defaults hang on the increment's sign: nothing more to check.
            error(d.increment.as_ref(), "a sequence's increment cannot be 0".into(), "use a positive or negative step");
            return SequenceOptions::default();
        }
        for (name, at, value) in [("min", &d.min, values.min), ("max", &d.max, values.max)] {
            if !(lo..=hi).contains(&value) {
                let help = format!("the column's type holds {lo} to {hi}");
                error(at.as_ref(), format!("sequence {name} {value} is out of the column's range"), &help);
            }
        }
        if values.min >= values.max {
            let message = format!("sequence min ({}) must be less than max ({})", values.min, values.max);
            error(d.min.as_ref().or(d.max.as_ref()), message, "raise max or lower min");
        } else if !(values.min..=values.max).contains(&values.start) {
            let message =
                format!("sequence start {} is outside min {} .. max {}", values.start, values.min, values.max);
            error(d.start.as_ref(), message, "start between min and max");
        }
        if values.cache < 1 {
            error(d.cache.as_ref(), format!("sequence cache {} is less than 1", values.cache), "use 1 or more");
        }
        SequenceOptions::canonical(values, bounds)
    }

    fn db_default(&mut self, file: &Path, ty: &FieldType, value: &S<serde_json::Value>) -> Option<DbDefault> {
        if let Some(map) = value.value.as_object() {
            if !matches!(ty, FieldType::Json | FieldType::Jsonb) || map.contains_key("sql") {
                return match (map.len(), map.get("sql").and_then(|s| s.as_str())) {
                    (1, Some(sql)) if sql.trim().eq_ignore_ascii_case("null") => {
                        self.diags.push(
                            Diagnostic::error(span_of(file, value), "a NULL database default is no default")
                                .with_help("remove `db_default`; a nullable column is NULL when no value is given"),
                        );
                        None
                    }
                    (1, Some(sql)) if !sql.trim().is_empty() => Some(DbDefault { sql: sql.trim().to_string() }),
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                span_of(file, value),
                                "a database default is a literal or { sql: \"expression\" }",
                            )
                            .with_help("e.g. db_default: { sql: \"gen_random_uuid()\" }"),
                        );
                        None
                    }
                };
            }
        }
        match check_literal(ty, &value.value, &self.enums) {
            Ok(()) => Some(DbDefault { sql: sql_literal(ty, &value.value) }),
            Err((message, help)) => {
                self.diags.push(Diagnostic::error(span_of(file, value), message).with_help_opt(help));
                None
            }
        }
    }

    /// `(kind, explicit)` from `unique: true | index | constraint`; None for `false` or an error.
    pub(super) fn unique_kind(&mut self, file: &Path, value: &S<serde_json::Value>) -> Option<(UniqueKind, bool)> {
        match &value.value {
            serde_json::Value::Bool(true) => Some((self.project.unique_default, false)),
            serde_json::Value::Bool(false) => None,
            serde_json::Value::String(s) if s == "index" => Some((UniqueKind::Index, true)),
            serde_json::Value::String(s) if s == "constraint" => Some((UniqueKind::Constraint, true)),
            other => {
                self.diags.push(
                    Diagnostic::error(span_of(file, value), format!("bad unique value {other}"))
                        .with_help("use true, false, index or constraint"),
                );
                None
            }
        }
    }

    fn validation(&mut self, file: &Path, spec: &FieldSpec, ty: &FieldType) -> Validation {
        let Some(v) = &spec.validate else {
            return Validation::default();
        };
        let is_text = ty.is_text();
        let is_number =
            ty.is_integer() || matches!(ty, FieldType::Float | FieldType::Double | FieldType::Decimal { .. });
        let mut check = |ok: bool, span: Span, what: &str| {
            if !ok {
                self.diags.push(Diagnostic::error(span, format!("`{what}` does not apply to type {}", spec.ty.value)));
            }
        };
        if let Some(x) = &v.min_length {
            check(is_text, span_of(file, x), "min_length");
        }
        if let Some(x) = &v.max_length {
            check(is_text, span_of(file, x), "max_length");
        }
        if let Some(x) = &v.pattern {
            check(is_text, span_of(file, x), "pattern");
        }
        if let Some(x) = &v.format {
            check(is_text, span_of(file, x), "format");
        }
        if let Some(x) = &v.min {
            check(is_number, span_of(file, x), "min");
        }
        if let Some(x) = &v.max {
            check(is_number, span_of(file, x), "max");
        }
        if let (FieldType::String(n), Some(max)) = (ty, &v.max_length) {
            if max.value > u64::from(*n) {
                self.diags.push(
                    Diagnostic::error(
                        span_of(file, max),
                        format!("max_length {} exceeds the column length {n}", max.value),
                    )
                    .with_help("the column would reject such values; lower max_length or widen the type"),
                );
            }
        }
        if let (Some(lo), Some(hi)) = (&v.min_length, &v.max_length) {
            if lo.value > hi.value {
                self.diags.push(Diagnostic::error(span_of(file, lo), "min_length is larger than max_length"));
            }
        }
        if let (Some(lo), Some(hi)) = (&v.min, &v.max) {
            if lo.value > hi.value {
                self.diags.push(Diagnostic::error(span_of(file, lo), "min is larger than max"));
            }
        }
        if let Some(format) = &v.format {
            if !["email", "url", "uuid"].contains(&format.value.as_str()) {
                self.diags.push(
                    Diagnostic::error(span_of(file, format), format!("unknown format '{}'", format.value))
                        .with_help_opt(
                            did_you_mean(&format.value, ["email", "url", "uuid"])
                                .or_else(|| Some("use email, url or uuid".into())),
                        ),
                );
            }
        }
        Validation {
            min_length: v.min_length.as_ref().map(|x| x.value),
            max_length: v.max_length.as_ref().map(|x| x.value),
            min: v.min.as_ref().map(|x| x.value),
            max: v.max.as_ref().map(|x| x.value),
            pattern: v.pattern.as_ref().map(|x| x.value.clone()),
            format: v.format.as_ref().map(|x| x.value.clone()),
        }
    }
}
