//! Access rules: who may call each operation of an entity, which roles see or set a field, and
//! the identity entity (login, password, roles). Checked against the entity's resolved fields.

use super::{is_snake_case, Validator};
use crate::diagnostics::{did_you_mean, Diagnostic, Span};
use crate::ir::*;
use crate::spec::load::span_of;
use crate::spec::raw::{AccessDoc, FieldAccessDoc, IdentityDoc, OrderedMap, S};
use std::path::Path;

type Entries = S<Vec<S<serde_json::Value>>>;

/// Words with a meaning of their own in an operation's list; every other word is a role.
const PUBLIC: &str = "public";
const AUTHENTICATED: &str = "authenticated";

/// The shortest varchar that holds an argon2id hash in PHC format (about 100 characters).
const MIN_HASH_LENGTH: u32 = 128;

impl Validator<'_> {
    /// A field's `access: { read: [...], write: [...] }`.
    pub(super) fn field_access(
        &mut self,
        file: &Path,
        doc: Option<&FieldAccessDoc>,
        (secret, read_only): (bool, bool),
    ) -> (Option<Vec<String>>, Option<Vec<String>>) {
        let Some(doc) = doc else { return (None, None) };
        let read = doc.read.as_ref().map(|r| self.role_list(file, r));
        let write = doc.write.as_ref().map(|w| self.role_list(file, w));
        if let (Some(r), true) = (&doc.read, secret) {
            self.diags.push(
                Diagnostic::error(span_of(file, r), "a secret field is never returned; `access.read` has no effect")
                    .with_help("remove `access.read`"),
            );
        }
        if let (Some(w), true) = (&doc.write, read_only) {
            self.diags.push(
                Diagnostic::error(span_of(file, w), "a read-only field is never written; `access.write` has no effect")
                    .with_help("remove `access.write`, or `read_only: true`"),
            );
        }
        (read, write)
    }

    fn role_list(&mut self, file: &Path, roles: &S<Vec<S<String>>>) -> Vec<String> {
        if roles.value.is_empty() {
            self.diags.push(
                Diagnostic::error(span_of(file, roles), "an empty role list")
                    .with_help(format!("name at least one role, e.g. [{ADMIN_ROLE}]")),
            );
        }
        let mut out = Vec::new();
        for role in &roles.value {
            if self.role_name(span_of(file, role), &role.value) && !out.contains(&role.value) {
                out.push(role.value.clone());
            }
        }
        out
    }

    fn role_name(&mut self, span: Span, role: &str) -> bool {
        let ok = is_snake_case(role) && role != PUBLIC && role != AUTHENTICATED;
        if !ok {
            self.diags.push(
                Diagnostic::error(span, format!("'{role}' is not a role name"))
                    .with_help("a role is a snake_case word from the token's `roles` claim, e.g. admin"),
            );
        }
        ok
    }

    /// An entity's `access:`; what it does not name stays admin-only.
    pub(super) fn entity_access(&mut self, file: &Path, doc: Option<&AccessDoc>, fields: &[Field]) -> Access {
        let mut access = Access::default();
        let Some(doc) = doc else { return access };
        let groups: [(&str, &Option<Entries>, &[&str]); 7] = [
            ("read", &doc.read, &["list", "get"]),
            ("write", &doc.write, &["create", "update", "delete"]),
            ("list", &doc.list, &["list"]),
            ("get", &doc.get, &["get"]),
            ("create", &doc.create, &["create"]),
            ("update", &doc.update, &["update"]),
            ("delete", &doc.delete, &["delete"]),
        ];
        let mut given: Vec<(&str, &str)> = Vec::new();
        for (key, entries, operations) in groups {
            let Some(entries) = entries else { continue };
            for operation in operations {
                if let Some((_, first)) = given.iter().find(|(op, _)| op == operation) {
                    self.diags.push(
                        Diagnostic::error(
                            span_of(file, entries),
                            format!("the rule of '{operation}' is given twice (by `{first}` and `{key}`)"),
                        )
                        .with_help("keep one of the two"),
                    );
                    continue;
                }
                given.push((operation, key));
                let allow = self.allow(file, entries, operation, fields);
                match *operation {
                    "list" => access.list = allow,
                    "get" => access.get = allow,
                    "create" => access.create = allow,
                    "update" => access.update = allow,
                    _ => access.delete = allow,
                }
            }
        }
        access
    }

    fn allow(&mut self, file: &Path, entries: &Entries, operation: &str, fields: &[Field]) -> Allow {
        let mut allow = Allow::default();
        if entries.value.is_empty() {
            self.diags.push(
                Diagnostic::error(span_of(file, entries), format!("an empty rule for '{operation}'"))
                    .with_help(format!("remove it ('{operation}' is then admin-only) or name who may call it")),
            );
        }
        for entry in &entries.value {
            let span = span_of(file, entry);
            match &entry.value {
                serde_json::Value::String(word) if word == PUBLIC => allow.public = true,
                serde_json::Value::String(word) if word == AUTHENTICATED => allow.authenticated = true,
                serde_json::Value::String(role) => {
                    if self.role_name(span, role) && !allow.roles.contains(role) {
                        allow.roles.push(role.clone());
                    }
                }
                serde_json::Value::Object(map) if map.len() == 1 && map.contains_key("owner") => {
                    let Some(name) = map["owner"].as_str() else {
                        self.diags.push(
                            Diagnostic::error(span, "`owner:` names a field").with_help("e.g. { owner: user_id }"),
                        );
                        continue;
                    };
                    if let Some(owner) = self.owner_field(file, entry, name, operation, fields) {
                        if allow.owner.as_ref().is_some_and(|o| o != &owner) {
                            self.diags.push(Diagnostic::error(span, "one owner field per operation"));
                        }
                        allow.owner = Some(owner);
                    }
                }
                _ => self.diags.push(
                    Diagnostic::error(span, format!("'{}' is not an access rule", entry.value)).with_help(
                        "write `public`, `authenticated`, a role name, or `{ owner: field }` (the row's owner)",
                    ),
                ),
            }
        }
        allow
    }

    fn owner_field(
        &mut self,
        file: &Path,
        entry: &S<serde_json::Value>,
        name: &str,
        operation: &str,
        fields: &[Field],
    ) -> Option<String> {
        let span = span_of(file, entry);
        let Some(field) = fields.iter().find(|f| f.name == name) else {
            let known = fields.iter().map(|f| f.name.as_str());
            self.diags.push(
                Diagnostic::error(span, format!("unknown owner field '{name}'"))
                    .with_help_opt(did_you_mean(name, known)),
            );
            return None;
        };
        let comparable =
            matches!(field.ty, FieldType::Uuid | FieldType::String(_) | FieldType::Text) || field.ty.is_integer();
        if !comparable || field.secret {
            self.diags.push(
                Diagnostic::error(span, format!("owner field '{name}' cannot hold a token's subject"))
                    .with_help("the owner is a non-secret uuid, string or integer field, e.g. user_id"),
            );
            return None;
        }
        if operation == "create" && (field.read_only || field.primary_key) {
            self.diags.push(
                Diagnostic::error(span, format!("create sets the owner field, but '{name}' is server-managed"))
                    .with_help("owners create rows through a writable field such as user_id; drop owner from create"),
            );
            return None;
        }
        Some(name.to_string())
    }

    /// An entity's `identity:`: which fields log in, hold the password hash and give the roles.
    pub(super) fn identity(&mut self, file: &Path, doc: Option<&IdentityDoc>, fields: &[Field]) -> Option<Identity> {
        let doc = doc?;
        let mut failed = false;
        let mut find = |this: &mut Self, name: &S<String>, what: &str| {
            let found = fields.iter().find(|f| f.name == name.value);
            if found.is_none() {
                failed = true;
                let known = fields.iter().map(|f| f.name.as_str());
                this.diags.push(
                    Diagnostic::error(span_of(file, name), format!("unknown {what} field '{}'", name.value))
                        .with_help_opt(did_you_mean(&name.value, known)),
                );
            }
            found
        };
        let login = find(self, &doc.login, "login");
        let password = find(self, &doc.password, "password");
        let role_field = doc.roles.as_ref().and_then(|r| find(self, &r.field, "roles"));
        if let Some(login) = login {
            if !matches!(login.ty, FieldType::String(_) | FieldType::Text) || login.secret || login.nullable {
                failed = true;
                self.diags.push(
                    Diagnostic::error(span_of(file, &doc.login), "the login field is a non-null, non-secret string")
                        .with_help("e.g. login: email"),
                );
            }
        }
        if let Some(password) = password {
            let long_enough = match password.ty {
                FieldType::String(n) => n >= MIN_HASH_LENGTH,
                FieldType::Text => true,
                _ => false,
            };
            if !password.secret || !long_enough || password.nullable {
                failed = true;
                self.diags.push(
                    Diagnostic::error(
                        span_of(file, &doc.password),
                        "the password field is a secret, non-null string of at least 128 characters",
                    )
                    .with_help("it holds argon2id hashes: `{ type: string(255), secret: true }`"),
                );
            }
        }
        let mut values = Vec::new();
        if let (Some(roles), Some(field)) = (&doc.roles, role_field) {
            let enum_values = match &field.ty {
                FieldType::Enum(name) => self.enums.iter().find(|e| &e.name == name).map(|e| e.values.clone()),
                FieldType::String(_) | FieldType::Text => None,
                _ => {
                    failed = true;
                    self.diags.push(
                        Diagnostic::error(span_of(file, &roles.field), "the roles field is an enum or a string")
                            .with_help("e.g. roles: { field: role }"),
                    );
                    None
                }
            };
            for (value, role_list) in &roles.values.0 {
                if let Some(known) = &enum_values {
                    if !known.contains(&value.value) {
                        self.diags.push(
                            Diagnostic::error(
                                span_of(file, value),
                                format!("'{}' is not a value of the enum", value.value),
                            )
                            .with_help_opt(did_you_mean(&value.value, known.iter().map(String::as_str))),
                        );
                    }
                }
                values.push((value.value.clone(), self.role_list(file, role_list)));
            }
        }
        let login_when = doc.login_when.as_ref().and_then(|map| {
            let checked = self.login_when(file, map, fields);
            failed |= checked.is_none();
            checked
        });
        if failed {
            return None;
        }
        Some(Identity {
            login: doc.login.value.clone(),
            password: doc.password.value.clone(),
            roles: doc.roles.as_ref().map(|r| RoleSource { field: r.field.value.clone(), values }),
            register: doc.register.as_ref().is_some_and(|r| r.value),
            login_when,
        })
    }

    /// `login_when: { status: [ACTIVE, PENDING] }`: one field, the values that may log in;
    /// `None` when it is wrong (and reported).
    fn login_when(
        &mut self,
        file: &Path,
        map: &OrderedMap<S<Vec<S<String>>>>,
        fields: &[Field],
    ) -> Option<(String, Vec<String>)> {
        let [(name, values)] = map.0.as_slice() else {
            let span = map.0.get(1).map_or_else(|| Span::file_start(file), |(k, _)| span_of(file, k));
            self.diags.push(
                Diagnostic::error(span, "`login_when` names exactly one field")
                    .with_help("e.g. login_when: { status: [ACTIVE] }"),
            );
            return None;
        };
        let Some(field) = fields.iter().find(|f| f.name == name.value) else {
            let known = fields.iter().map(|f| f.name.as_str());
            self.diags.push(
                Diagnostic::error(span_of(file, name), format!("unknown field '{}'", name.value))
                    .with_help_opt(did_you_mean(&name.value, known)),
            );
            return None;
        };
        let allowed = match &field.ty {
            FieldType::Enum(e) => self.enums.iter().find(|d| &d.name == e).map(|d| d.values.clone()),
            FieldType::String(_) | FieldType::Text => None,
            _ => {
                self.diags.push(
                    Diagnostic::error(span_of(file, name), "`login_when` takes an enum or string field")
                        .with_help("e.g. login_when: { status: [ACTIVE] }"),
                );
                return None;
            }
        };
        if values.value.is_empty() {
            self.diags.push(
                Diagnostic::error(span_of(file, values), "no value may log in")
                    .with_help("list the values whose rows may log in"),
            );
            return None;
        }
        let mut ok = true;
        for value in &values.value {
            if let Some(allowed) = allowed.as_ref().filter(|a| !a.contains(&value.value)) {
                ok = false;
                self.diags.push(
                    Diagnostic::error(span_of(file, value), format!("'{}' is not a value of the enum", value.value))
                        .with_help_opt(did_you_mean(&value.value, allowed.iter().map(String::as_str))),
                );
            }
        }
        ok.then(|| (name.value.clone(), values.value.iter().map(|v| v.value.clone()).collect()))
    }
}
