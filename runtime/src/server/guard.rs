//! What a caller may see and touch of an entity's rows, beyond the operation itself: fields
//! hidden from their roles (left out of responses, refused in filters), fields they may not set,
//! and the owner rule's conditions, which always run in SQL.

use super::auth::Principal;
use super::entity::{Key, Resource};
use super::http::json;
use super::problem::Problem;
use super::rules::{FieldError, FieldRule, Wire};
use crate::repo::{map_error, quote_ident, Cmp};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, PgConnection};
use wire::Version;

// Most of this is not generic over the entity: it needs only the field rules, and code generic
// over `Resource` is compiled once per entity (the generated crate's build time).

/// A field a caller may filter and order on: declared, listable, and visible to them.
pub(super) fn listable_field<R: Resource>(name: &str, what: &str, who: &Principal) -> Result<R::Field, Problem> {
    let listable = |name: &str| R::field(name).is_some();
    match R::field(name) {
        Some(field) if visible(R::RULES, name, who) => Ok(field),
        Some(_) => Err(Problem::new(StatusCode::FORBIDDEN, format!("Your roles may not {what} on '{name}'."))),
        None => Err(not_listable(R::RULES, &listable, name, what, who)),
    }
}

pub(super) fn visible(rules: &[FieldRule], name: &str, who: &Principal) -> bool {
    rules.iter().find(|r| r.name == name).is_none_or(|r| who.sees(r.read_roles))
}

fn not_listable(
    rules: &[FieldRule],
    listable: &dyn Fn(&str) -> bool,
    name: &str,
    what: &str,
    who: &Principal,
) -> Problem {
    let known: Vec<&str> =
        rules.iter().filter(|r| listable(r.name) && visible(rules, r.name, who)).map(|r| r.name).collect();
    Problem::bad_request(format!("cannot {what} on '{name}'; fields: {}", known.join(", ")))
}

/// `field = subject` as a list filter; None when the subject is not a value of the field's type.
pub(super) fn owner_filter<R: Resource>(field: &str, subject: &str) -> Result<Option<R::Filter>, Problem> {
    let Some(field) = R::field(field) else {
        return Err(Problem::internal(&format!("{}: the owner field {field} is not listable", R::NAME)));
    };
    Ok(R::filter(field, Cmp::Eq(subject.to_string())).ok())
}

/// Locks the row for a write in the caller's transaction and returns its version (0 without a
/// version column); 404 when it is missing, or not the caller's under an owner rule (their rows
/// only exist for them). The lock holds until the write commits, so neither the version nor the
/// ownership can change in between.
pub(super) async fn lock_row<R: Resource>(
    conn: &mut PgConnection,
    owner: Option<(&str, &str)>,
    key: &R::Key,
) -> Result<Version, Problem> {
    find_row::<R>(conn, owner, key, true).await
}

/// The row's version (0 without a version column) when it exists and, under an owner rule, is
/// the caller's; 404 otherwise. `lock`: FOR UPDATE.
pub(super) async fn find_row<R: Resource>(
    conn: &mut PgConnection,
    owner: Option<(&str, &str)>,
    key: &R::Key,
    lock: bool,
) -> Result<Version, Problem> {
    let version = R::RULES.iter().find(|r| r.version).map_or("0".to_string(), |r| quote_ident(r.name));
    let mut sql = format!("SELECT {version}::bigint FROM {} WHERE {}", R::TABLE_SQL, R::KEY_SQL);
    if let Some((field, _)) = owner {
        sql.push_str(&format!(" AND {}::text = ${}", quote_ident(field), R::KEY_FIELDS.len() + 1));
    }
    if lock {
        sql.push_str(" FOR UPDATE");
    }
    let mut args = PgArguments::default();
    let bound = key.clone().add_to(&mut args).and_then(|()| owner.map_or(Ok(()), |(_, subject)| args.add(subject)));
    bound.map_err(|e| Problem::internal(&e))?;
    let current = sqlx::query_scalar_with::<_, Version, _>(&sql, args)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| Problem::from_repo(map_error(e, &[]), R::NAME, false))?;
    current.ok_or_else(|| Problem::not_found(format!("No {} with this key.", R::NAME)))
}

/// 403 when the body sets fields the caller's roles may not write.
pub(super) fn writable_by(
    rules: &[FieldRule],
    object: &serde_json::Map<String, serde_json::Value>,
    who: &Principal,
) -> Result<(), Problem> {
    let denied: Vec<&str> = rules
        .iter()
        .filter(|r| object.contains_key(r.name) && r.write_roles.is_some_and(|roles| !who.has_any(roles)))
        .map(|r| r.name)
        .collect();
    if denied.is_empty() {
        return Ok(());
    }
    Err(Problem::new(StatusCode::FORBIDDEN, format!("Your roles may not set: {}.", denied.join(", "))))
}

/// An owner creates rows of their own: the owner field is the subject, sent or not (another
/// value is a 403: a well-formed body their rights do not cover).
pub(super) fn claim_owner(
    rules: &[FieldRule],
    body: &mut serde_json::Value,
    field: &str,
    subject: &str,
) -> Result<(), Problem> {
    let Some(object) = body.as_object_mut() else { return Ok(()) }; // the body check reports it
    if object.get(field).is_some_and(|given| !same_subject(given, subject)) {
        return Err(forbidden_owner(field, "must be your own id (or left out)"));
    }
    let rule = rules.iter().find(|r| r.name == field);
    object.insert(field.to_string(), owner_value(rule.map(|r| r.wire), subject)?);
    Ok(())
}

/// An owner's update keeps the row theirs: an owner field naming someone else is a 403.
pub(super) fn keep_owner(
    object: &serde_json::Map<String, serde_json::Value>,
    field: &str,
    subject: &str,
) -> Result<(), Problem> {
    if object.get(field).is_some_and(|given| !same_subject(given, subject)) {
        return Err(forbidden_owner(field, "cannot be given to someone else"));
    }
    Ok(())
}

fn forbidden_owner(field: &str, why: &str) -> Problem {
    Problem {
        errors: vec![FieldError::new(field, why)],
        ..Problem::new(StatusCode::FORBIDDEN, format!("{field}: {why}"))
    }
}

/// The subject as a JSON value of the owner field's wire type.
fn owner_value(wire: Option<Wire>, subject: &str) -> Result<serde_json::Value, Problem> {
    match wire {
        Some(Wire::Int { .. }) => subject
            .parse::<i64>()
            .map(serde_json::Value::from)
            .map_err(|_| Problem::new(StatusCode::FORBIDDEN, "Your token's subject cannot own this row.")),
        _ => Ok(serde_json::Value::String(subject.to_string())),
    }
}

fn same_subject(given: &serde_json::Value, subject: &str) -> bool {
    match given {
        serde_json::Value::String(text) => super::auth::canonical_subject(text) == subject,
        other => other.as_i64().is_some_and(|n| subject.parse::<i64>() == Ok(n)),
    }
}

/// Rows (or one row) as JSON; fields restricted to roles the caller lacks are left out.
pub(super) fn visible_json<T: Serialize + ?Sized>(
    status: StatusCode,
    value: &T,
    rules: &[FieldRule],
    who: &Principal,
) -> Response {
    let hidden: Vec<&str> = rules.iter().filter(|r| !who.sees(r.read_roles)).map(|r| r.name).collect();
    if hidden.is_empty() {
        return json(status, value);
    }
    match serde_json::to_value(value) {
        Ok(tree) => without(status, tree, &hidden),
        Err(e) => Problem::internal(&e).into_response(),
    }
}

fn without(status: StatusCode, mut tree: serde_json::Value, hidden: &[&str]) -> Response {
    let strip = |row: &mut serde_json::Value| {
        if let Some(object) = row.as_object_mut() {
            hidden.iter().for_each(|name| drop(object.remove(*name)));
        }
    };
    match &mut tree {
        serde_json::Value::Array(rows) => rows.iter_mut().for_each(strip),
        row => strip(row),
    }
    json(status, &tree)
}
