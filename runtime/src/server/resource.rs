//! The five operations of every entity (list, get, create, partial update, delete), written once
//! and generic over [`Resource`], which the generated code implements per entity by naming its
//! repository functions. The routes are the ones `codegen::api` puts in the OpenAPI document.

use super::auth::{authorize, confirm, confirmation, hash_fields, Principal, Scope};
use super::entity::Key;
use super::entity::Resource;
use super::guard::{
    claim_owner, find_row, keep_owner, listable_field, lock_row, owner_filter, visible, visible_json, writable_by,
};
use super::http::{from_checked, json, json_body, path_key, path_segments};
use super::problem::Problem;
use super::query::{parse_condition, parse_list};
use super::rules::Wire;
use super::rules::{check_body, BodyKind};
use super::AppState;
use crate::repo::{quote_ident, Cmp, ListQuery, Nearest, RepoError};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::sync::Arc;
use wire::{Metric, Version};

fn versioned<R: Resource>() -> bool {
    R::RULES.iter().any(|r| r.version)
}

/// One entity's operations behind a trait object: axum's handler and service machinery is then
/// instantiated once for all entities, not five times per entity (that tripled the generated
/// crate's build time: 39 s → 109 s for 200 entities).
trait Operations: Send + Sync {
    fn list(&self, app: AppState, who: Principal, query: Option<String>) -> Reply;
    fn get(&self, app: AppState, who: Principal, id: Segments) -> Reply;
    fn create(&self, app: AppState, who: Principal, headers: HeaderMap, body: Bytes) -> Reply;
    fn update(&self, app: AppState, who: Principal, id: Segments, headers: HeaderMap, body: Bytes) -> Reply;
    fn delete(&self, app: AppState, who: Principal, id: Segments, headers: HeaderMap) -> Reply;
}

/// The item path's key segments, in key order.
type Segments = Vec<String>;
type Reply = std::pin::Pin<Box<dyn Future<Output = Result<Response, Problem>> + Send>>;
type Ops = Extension<Arc<dyn Operations>>;

struct Of<R>(std::marker::PhantomData<fn() -> R>);

impl<R: Resource> Operations for Of<R> {
    fn list(&self, app: AppState, who: Principal, query: Option<String>) -> Reply {
        Box::pin(list::<R>(app, who, query))
    }
    fn get(&self, app: AppState, who: Principal, id: Segments) -> Reply {
        Box::pin(get_one::<R>(app, who, id))
    }
    fn create(&self, app: AppState, who: Principal, headers: HeaderMap, body: Bytes) -> Reply {
        Box::pin(create::<R>(app, who, headers, body))
    }
    fn update(&self, app: AppState, who: Principal, id: Segments, headers: HeaderMap, body: Bytes) -> Reply {
        Box::pin(update::<R>(app, who, id, headers, body))
    }
    fn delete(&self, app: AppState, who: Principal, id: Segments, headers: HeaderMap) -> Reply {
        Box::pin(delete::<R>(app, who, id, headers))
    }
}

/// The routes of one entity.
pub fn routes<R: Resource>() -> axum::Router<AppState> {
    use axum::routing::get;
    let ops: Arc<dyn Operations> = Arc::new(Of::<R>(std::marker::PhantomData));
    axum::Router::new()
        .route(R::PATH, get(http_list).post(http_create))
        .route(&wire::item_path(R::PATH, R::KEY_FIELDS), get(http_get).patch(http_update).delete(http_delete))
        .layer(Extension(ops))
}

async fn http_list(
    State(app): State<AppState>,
    Extension(ops): Ops,
    who: Principal,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    ops.list(app, who, query).await
}

async fn http_get(
    State(app): State<AppState>,
    Extension(ops): Ops,
    who: Principal,
    id: Result<Path<Vec<(String, String)>>, PathRejection>,
) -> Result<Response, Problem> {
    ops.get(app, who, path_segments(id)?).await
}

async fn http_create(
    State(app): State<AppState>,
    Extension(ops): Ops,
    who: Principal,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let body = body.map_err(|e| Problem::new(e.status(), e.body_text()))?;
    ops.create(app, who, headers, body).await
}

async fn http_update(
    State(app): State<AppState>,
    Extension(ops): Ops,
    who: Principal,
    id: Result<Path<Vec<(String, String)>>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let id = path_segments(id)?;
    let body = body.map_err(|e| Problem::new(e.status(), e.body_text()))?;
    ops.update(app, who, id, headers, body).await
}

async fn http_delete(
    State(app): State<AppState>,
    Extension(ops): Ops,
    who: Principal,
    id: Result<Path<Vec<(String, String)>>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    ops.delete(app, who, path_segments(id)?, headers).await
}

async fn list<R: Resource>(app: AppState, who: Principal, query: Option<String>) -> Result<Response, Problem> {
    let scope = authorize(&R::ACCESS.list, &who, R::NAME, "list")?;
    let raw = parse_list(query.as_deref().unwrap_or(""))?;
    if let Some(order) = &raw.order_text {
        admitted(&app, R::PATH, "order", order)?;
    }
    let mut list = ListQuery::<R::Field, R::Filter> {
        // The repository clamps to the maximum; the query parser already refused more.
        limit: raw.limit.unwrap_or(wire::DEFAULT_LIMIT),
        offset: raw.offset.unwrap_or(0),
        ..ListQuery::default()
    };
    for (name, descending) in raw.order {
        list.order.push((listable_field::<R>(&name, "order", &who)?, descending));
    }
    if let Some((name, metric, vector)) = raw.nearest {
        list.nearest = Some(nearest_by::<R>(&name, metric, &vector, &who)?);
    }
    for (name, text) in raw.filters {
        let field = listable_field::<R>(&name, "filter", &who)?;
        admitted(&app, R::PATH, &name, &text)?;
        let cmp = parse_condition(&name, &text)?;
        list.filters.push(R::filter(field, cmp).map_err(|e| Problem::bad_request(format!("{name}: {e}")))?);
    }
    if let Scope::Owner { field, subject } = &scope {
        match owner_filter::<R>(field, subject)? {
            Some(filter) => list.filters.push(filter),
            // A subject the owner field cannot hold owns nothing.
            None => return Ok(json(StatusCode::OK, &[(); 0])),
        }
    }
    let mut conn = app.connection().await?;
    let rows = R::list_rows(&mut conn, list).await.map_err(|e| Problem::from_repo(e, R::NAME, false))?;
    Ok(visible_json(StatusCode::OK, &rows, R::RULES, &who))
}

async fn get_one<R: Resource>(app: AppState, who: Principal, id: Segments) -> Result<Response, Problem> {
    let scope = authorize(&R::ACCESS.get, &who, R::NAME, "get")?;
    let key = path_key::<R::Key>(&id, R::NAME)?;
    let mut conn = app.connection().await?;
    let row = match &scope {
        Scope::All => R::get_row(&mut conn, key).await.map_err(|e| Problem::from_repo(e, R::NAME, false))?,
        // One query with both conditions: another owner's row is as absent as a missing one.
        Scope::Owner { field, subject } => {
            let not_found = || Problem::not_found(format!("No {} with this key.", R::NAME));
            let by_key: Option<Vec<R::Filter>> = R::KEY_FIELDS
                .iter()
                .zip(key.segments())
                .map(|(name, part)| R::field(name).and_then(|f| R::filter(f, Cmp::Eq(part)).ok()))
                .collect();
            match by_key {
                Some(mut filters) => {
                    filters.push(owner_filter::<R>(field, subject)?.ok_or_else(not_found)?);
                    let query = ListQuery { limit: 1, filters, ..ListQuery::default() };
                    let rows =
                        R::list_rows(&mut conn, query).await.map_err(|e| Problem::from_repo(e, R::NAME, false))?;
                    rows.into_iter().next().ok_or_else(not_found)?
                }
                // A key part lists do not filter on (inet, numeric …): the ownership first, then the row.
                None => {
                    find_row::<R>(&mut conn, Some((field, subject)), &key, false).await?;
                    R::get_row(&mut conn, key).await.map_err(|e| Problem::from_repo(e, R::NAME, false))?
                }
            }
        }
    };
    Ok(row_response(StatusCode::OK, &row, &who))
}

async fn create<R: Resource>(
    app: AppState,
    who: Principal,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let scope = authorize(&R::ACCESS.create, &who, R::NAME, "create")?;
    let mut value = json_body(&headers, &body)?;
    if let Scope::Owner { field, subject } = &scope {
        claim_owner(R::RULES, &mut value, field, subject)?;
    }
    let mut checked = check_body(R::RULES, value, BodyKind::Create).map_err(Problem::invalid)?;
    writable_by(R::RULES, &checked.object, &who)?;
    hash_fields(&app.hashing, R::RULES, &mut checked.object).await?;
    let new: R::New = from_checked(checked.object)?;
    let mut conn = app.connection().await?;
    let row = R::insert_row(&mut conn, new).await.map_err(|e| Problem::from_repo(e, R::NAME, true))?;
    let mut response = row_response(StatusCode::CREATED, &row, &who);
    let parts: Vec<String> = row.key().segments().iter().map(|part| path_segment(part)).collect();
    let location = format!("{}/{}", R::PATH, parts.join("/"));
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn update<R: Resource>(
    app: AppState,
    who: Principal,
    id: Segments,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let scope = authorize(&R::ACCESS.update, &who, R::NAME, "update")?;
    let key = path_key::<R::Key>(&id, R::NAME)?;
    let value = json_body(&headers, &body)?;
    let mut checked = check_body(R::RULES, value, BodyKind::Patch).map_err(Problem::invalid)?;
    writable_by(R::RULES, &checked.object, &who)?;
    if let Scope::Owner { field, subject } = &scope {
        keep_owner(&checked.object, field, subject)?;
    }
    // If-Match is the precondition (412 when it fails); a version in the body is the state the
    // client edited (409 when the row has moved on).
    let precondition = precondition::<R>(&app, &headers)?;
    let stated = checked.version.filter(|_| versioned::<R>());
    // A password is hashed only once the row, its owner and its version are settled: no caller
    // makes the server hash for a row it may not write.
    let hashing = R::RULES.iter().any(|r| r.hashed_into.is_some() && checked.object.contains_key(r.name));
    // One's own password or login name changes only with the current password.
    let confirming = match confirmation::<R>(&who, &key, &mut checked.object)? {
        Some(confirmation) => Some(confirmation.count(&app).await?),
        None => None,
    };
    let mut conn = app.connection().await?;
    let owner = scope.owner();
    let row = match (&precondition, stated, owner) {
        // One statement: `UPDATE … WHERE key AND version` tells a stale version from a missing row.
        (None, Some(version), None) if !hashing && confirming.is_none() => {
            let patch: R::Patch = from_checked(checked.object)?;
            R::update_row(&mut conn, key, version, patch).await.map_err(|e| Problem::from_repo(e, R::NAME, true))?
        }
        // Otherwise the row is locked first: its owner and version then hold until the write commits.
        _ => {
            let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(|e| Problem::unavailable(&e))?;
            let current = lock_row::<R>(&mut tx, owner, &key).await?;
            holds::<R>(precondition.as_ref(), current)?;
            if stated.is_some_and(|version| version != current) {
                return Err(Problem::conflict(format!(
                    "The {} is at version {current}, not the version the request names. Read it again and retry.",
                    R::NAME
                )));
            }
            if let Some(counted) = confirming {
                confirm::<R>(&app, &mut tx, &key, counted).await?;
            }
            hash_fields(&app.hashing, R::RULES, &mut checked.object).await?;
            let patch: R::Patch = from_checked(checked.object)?;
            let row =
                R::update_row(&mut tx, key, current, patch).await.map_err(|e| Problem::from_repo(e, R::NAME, true))?;
            tx.commit().await.map_err(|e| Problem::from_repo(RepoError::Database(e), R::NAME, true))?;
            row
        }
    };
    Ok(row_response(StatusCode::OK, &row, &who))
}

async fn delete<R: Resource>(
    app: AppState,
    who: Principal,
    id: Segments,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let scope = authorize(&R::ACCESS.delete, &who, R::NAME, "delete")?;
    let key = path_key::<R::Key>(&id, R::NAME)?;
    let precondition = precondition::<R>(&app, &headers)?;
    let mut conn = app.connection().await?;
    let owner = scope.owner();
    // Locked first when the owner or If-Match must hold until the row is gone.
    if owner.is_some() || precondition.is_some() {
        let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(|e| Problem::unavailable(&e))?;
        let current = lock_row::<R>(&mut tx, owner, &key).await?;
        holds::<R>(precondition.as_ref(), current)?;
        R::delete_row(&mut tx, key).await.map_err(|e| Problem::from_repo(e, R::NAME, false))?;
        tx.commit().await.map_err(|e| Problem::from_repo(RepoError::Database(e), R::NAME, false))?;
    } else {
        R::delete_row(&mut conn, key).await.map_err(|e| Problem::from_repo(e, R::NAME, false))?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `order=field.metric.[…]` on a `vector` field the caller may see, its vector of the field's
/// dimensions (the document's pattern admitted the shape; this reads the numbers).
fn nearest_by<R: Resource>(name: &str, metric: Metric, vector: &str, who: &Principal) -> Result<Nearest, Problem> {
    let rule = R::RULES.iter().find(|r| r.name == name && matches!(r.wire, Wire::Vector(_)));
    // The document's `order` pattern, checked before, names no secret field.
    let Some(rule) = rule.filter(|r| visible(R::RULES, r.name, who)) else {
        return Err(Problem::bad_request(format!("order: '{name}' is not a vector field you may order by")));
    };
    let numbers: Vec<f32> = serde_json::from_str(vector)
        .map_err(|_| Problem::bad_request("order: the vector is a JSON array of numbers, e.g. [0.1,0.2]"))?;
    if let Wire::Vector(Some(n)) = rule.wire {
        if numbers.len() != n as usize {
            return Err(Problem::bad_request(format!(
                "order: '{name}' has {n} dimensions, the vector {}",
                numbers.len()
            )));
        }
    }
    if numbers.is_empty() || numbers.iter().any(|x| !x.is_finite()) {
        return Err(Problem::bad_request("order: the vector needs finite 4-byte floats, at least one"));
    }
    Ok(Nearest { column: quote_ident(rule.name), operator: metric.operator(), vector: numbers.into() })
}

/// The versions an `If-Match` admits.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Any,
    /// One of these (none: the list names no version, so nothing matches).
    Among(Vec<Version>),
}

/// The `If-Match` of a write to a versioned entity (entities without a version send no ETag).
fn precondition<R: Resource>(app: &AppState, headers: &HeaderMap) -> Result<Option<Expected>, Problem> {
    if !versioned::<R>() {
        return Ok(None);
    }
    if_match(app, &wire::item_path(R::PATH, R::KEY_FIELDS), headers)
}

/// RFC 9110 §13.1.1: a failed `If-Match` is 412, and the write does not happen.
fn holds<R: Resource>(precondition: Option<&Expected>, current: Version) -> Result<(), Problem> {
    match precondition {
        Some(Expected::Among(versions)) if !versions.contains(&current) => Err(Problem::new(
            StatusCode::PRECONDITION_FAILED,
            format!("The {} is at version {current}, which If-Match does not name. Read it again and retry.", R::NAME),
        )),
        _ => Ok(()),
    }
}

/// RFC 9110's `If-Match`, held to the document's pattern: `*` matches any version; otherwise the
/// strong tags that quote a version (`"3"`) are the versions allowed. Weak tags never match a
/// strong comparison and other tags name no version, so a list of only those matches nothing.
fn if_match(app: &AppState, item_path: &str, headers: &HeaderMap) -> Result<Option<Expected>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(value.as_bytes());
    if !app.contract.admits(item_path, "If-Match", &text) {
        return Err(Problem::bad_request(
            "If-Match must be `*` or a list of entity tags such as \"3\" (the ETag last read)",
        ));
    }
    let text = text.trim();
    Ok(Some(match text.parse::<u64>() {
        _ if text == "*" => Expected::Any,
        // A bare version, as older clients send it.
        Ok(bare) => Expected::Among(Version::try_from(bare).into_iter().collect()),
        Err(_) => Expected::Among(strong_versions(text)),
    }))
}

/// The versions quoted by the strong tags of an `If-Match` list (`"3", W/"4", "x"` → 3).
fn strong_versions(list: &str) -> Vec<Version> {
    let mut versions = Vec::new();
    let mut rest = list;
    while let Some(open) = rest.find('"') {
        let weak = rest[..open].trim_end().ends_with("W/");
        let Some(close) = rest[open + 1..].find('"') else { break };
        let tag = &rest[open + 1..open + 1 + close];
        if let (false, Ok(version)) = (weak, tag.parse::<Version>()) {
            versions.push(version);
        }
        rest = &rest[open + 1 + close + 1..];
    }
    versions
}

/// 400 unless the document admits `value` for the parameter `name` of `path`.
fn admitted(app: &AppState, path: &str, name: &str, value: &str) -> Result<(), Problem> {
    if app.contract.admits(path, name, value) {
        return Ok(());
    }
    let what = if name == "order" {
        "comma-separated fields, each optionally .asc or .desc"
    } else {
        "a condition such as eq.V, in.(V1,V2), like.P or is.null, V a value the field's column holds"
    };
    Err(Problem::bad_request(format!(
        "{name}: expected {what} (the parameter's pattern in the OpenAPI document says exactly)"
    )))
}

/// A row as JSON, without the fields the caller may not see, with its version as the ETag.
fn row_response<R: Resource>(status: StatusCode, row: &R, who: &Principal) -> Response {
    let mut response = visible_json(status, row, R::RULES, who);
    if let Some(version) = row.version() {
        if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
            response.headers_mut().insert(header::ETAG, value);
        }
    }
    response
}

/// Percent-encodes all but RFC 3986's unreserved characters and `:` `@` (which a path segment
/// may hold as they are, so a timestamp key reads `…/2022-02-10T10:05:00Z`), for a key in a URL path.
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
