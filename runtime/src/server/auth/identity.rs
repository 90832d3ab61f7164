//! Login and registration for the identity entity (VBWD's user): `POST /api/v1/auth/login`
//! checks the password against the stored hash (argon2id, or bcrypt then upgraded) and issues a
//! token; `POST /api/v1/auth/register`, when the spec enables it, creates the row and logs it in.

use super::limit::{limiter, Attempt};
use super::password::{
    blocking, burn_verification, hash_fields, hash_password, verification_floor, verify_password, PasswordCheck,
};
use super::session::{Sessions, SessionsOf};
use crate::server::entity::Resource;
use crate::server::http::{from_checked, json, json_body};
use crate::server::problem::Problem;
use crate::server::rules::{check_body, BodyKind, FieldError};
use crate::server::AppState;
use crate::server::Key as _;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Extension, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The identity entity's columns, as generated from its spec's `identity:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub table: &'static str,
    pub key: &'static str,
    /// The unique field a login names (e.g. `email`); also its name in the login body.
    pub login: &'static str,
    /// The column holding the password hash; the API calls it `password`.
    pub password: &'static str,
    /// The column whose value gives the token's roles.
    pub roles: Option<&'static str>,
    /// Roles per value of that column; a value not listed gives none. Without a list, a value is
    /// itself the role, as it is spelled (`ADMIN` is not `admin`).
    pub role_values: &'static [(&'static str, &'static [&'static str])],
    pub register: bool,
    /// `(column, values)`: only rows whose column holds one of the values may log in.
    pub login_when: Option<(&'static str, &'static [&'static str])>,
}

pub use wire::PASSWORD_FIELD;

impl Identity {
    fn roles_of(&self, value: Option<&str>) -> Vec<String> {
        let Some(value) = value else { return Vec::new() };
        match self.role_values.iter().find(|(v, _)| *v == value) {
            Some((_, roles)) => roles.iter().map(|r| (*r).to_string()).collect(),
            None if self.role_values.is_empty() => vec![value.to_string()],
            None => Vec::new(),
        }
    }
}

struct Login {
    identity: Identity,
    /// The login field is stored lower-cased: a login by it ignores case.
    lowercase: bool,
    select: String,
    upgrade: String,
    register: Arc<dyn Register>,
    sessions: Arc<dyn Sessions>,
}

trait Register: Send + Sync {
    fn register(&self, app: AppState, login: Arc<Login>, body: Map<String, Value>, client: Option<IpAddr>) -> Reply;
}

type Reply = std::pin::Pin<Box<dyn Future<Output = Result<Response, Problem>> + Send>>;

struct Of<R>(std::marker::PhantomData<fn() -> R>);

impl<R: Resource> Register for Of<R> {
    fn register(&self, app: AppState, login: Arc<Login>, body: Map<String, Value>, client: Option<IpAddr>) -> Reply {
        Box::pin(register::<R>(app, login, body, client))
    }
}

/// `/api/v1/auth/login` and, when enabled, `/api/v1/auth/register`, and the account stamps the
/// tokens they issue hold to.
pub fn routes<R: Resource>(identity: Identity) -> (axum::Router<AppState>, Arc<dyn Sessions>) {
    use axum::routing::post;
    let q = crate::repo::quote_ident;
    let text_of = |column: Option<&str>| column.map_or("NULL::text".to_string(), |c| format!("{}::text", q(c)));
    let (roles, state) = (text_of(identity.roles), text_of(identity.login_when.map(|(column, _)| column)));
    // $1 the name as the column stores it, $2 as typed: a row written before the name was
    // normalized (`Ann@x.io`) still logs in as it is spelled.
    let select = format!(
        "SELECT {key}::text, {password}, {roles}, {state}, {login}::text FROM {table} \
         WHERE {login} IN ($1, $2) ORDER BY {login} = $2 DESC LIMIT 1",
        key = q(identity.key),
        password = q(identity.password),
        table = q(identity.table),
        login = q(identity.login)
    );
    let lowercase = R::RULES.iter().any(|rule| rule.name == identity.login && rule.lowercase);
    // Keyed by the stored login and old hash: a password changed meanwhile is not overwritten.
    let upgrade = format!(
        "UPDATE {} SET {} = $1 WHERE {} = $2 AND {} = $3",
        q(identity.table),
        q(identity.password),
        q(identity.login),
        q(identity.password)
    );
    let stamped =
        format!("SELECT {}::text, {roles}, {state} FROM {} WHERE {}", q(identity.password), R::TABLE_SQL, R::KEY_SQL);
    let sessions: Arc<dyn Sessions> = Arc::new(SessionsOf::<R>::new(stamped));
    let register: Arc<dyn Register> = Arc::new(Of::<R>(std::marker::PhantomData));
    let state = Arc::new(Login { identity, lowercase, select, upgrade, register, sessions: Arc::clone(&sessions) });
    let mut router = axum::Router::new().route(wire::LOGIN_PATH, post(http_login));
    if identity.register {
        router = router.route(wire::REGISTER_PATH, post(http_register));
    }
    (router.layer(Extension(state)), sessions)
}

/// The body's login and password, both required strings; nothing else.
fn credentials(identity: &Identity, body: Value) -> Result<(String, String), Problem> {
    let Value::Object(object) = body else {
        return Err(Problem::invalid(vec![FieldError::new("", "expected a JSON object")]));
    };
    let mut errors = Vec::new();
    for key in object.keys().filter(|k| *k != identity.login && *k != PASSWORD_FIELD) {
        errors.push(FieldError::new(key, format!("unknown field; expected {} and {PASSWORD_FIELD}", identity.login)));
    }
    let mut text = |name: &str| match object.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            errors.push(FieldError::new(name, "expected a string"));
            String::new()
        }
        None => {
            errors.push(FieldError::new(name, "is required"));
            String::new()
        }
    };
    let login = text(identity.login);
    let password = text(PASSWORD_FIELD);
    if errors.is_empty() {
        Ok((login, password))
    } else {
        Err(Problem::invalid(errors))
    }
}

/// The client: the TCP peer, or, when the peer is a trusted proxy, the nearest address of
/// `X-Forwarded-For` (read from the right) that is not one — the left part is the client's to forge.
fn client_ip(extensions: &Extensions, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    let hops: Vec<&str> = forwarded.flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return Some(ip),
            Err(_) => break,
        }
    }
    Some(client)
}

async fn http_login(
    State(app): State<AppState>,
    Extension(login): Extension<Arc<Login>>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let body = body.map_err(|e| Problem::new(e.status(), e.body_text()))?;
    let (name, password) = credentials(&login.identity, json_body(&headers, &body)?)?;
    let client = client_ip(&extensions, &headers, &app.trusted_proxies);
    let attempt = count_attempt(&app, &name, client).await?;
    let checked = check_login(&app, &login, &name, &password).await;
    let (check, row) = match checked {
        Ok(checked) => checked,
        // Not checked (database or hashing unavailable): no failure to count.
        Err(problem) => {
            refund(&app, attempt).await;
            return Err(problem);
        }
    };
    let (PasswordCheck::Right { upgrade }, Some((subject, stored, roles, state, stored_name))) = (check, row) else {
        tracing::info!(client = ?client, "failed login");
        return Err(super::unauthorized(format!("Wrong {} or password.", login.identity.login)));
    };
    refund(&app, attempt).await;
    // Said only to whoever knows the password, so it tells no one else the account exists.
    if let Some((column, allowed)) = login.identity.login_when {
        if !state.as_deref().is_some_and(|s| allowed.contains(&s)) {
            let state = state.unwrap_or_else(|| "NULL".into());
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                format!("This account cannot log in ({column} is {state})."),
            ));
        }
    }
    // The login stands even if the upgrade cannot be done now (no hashing slot, no connection, a
    // failed write); the next login retries it.
    if upgrade {
        match blocking(&app.hashing, move || hash_password(&password)).await {
            Ok(Ok(hash)) => {
                let mut conn = app.connection().await?;
                let done =
                    sqlx::query(&login.upgrade).bind(&hash).bind(&stored_name).bind(&stored).execute(&mut *conn).await;
                if let Err(e) = done {
                    tracing::warn!(error = %e, "could not upgrade a password hash to argon2id");
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "could not hash a password for its upgrade"),
            Err(_) => tracing::info!("no hashing slot for a password upgrade; the next login retries it"),
        }
    }
    token_response(&app, &login, StatusCode::OK, &subject, login.identity.roles_of(roles.as_deref())).await
}

/// Counts the attempt before anything is checked, or answers 429 with the wait.
async fn count_attempt(app: &AppState, name: &str, client: Option<IpAddr>) -> Result<Attempt, Problem> {
    let mut conn = app.connection().await?;
    let counted = limiter().attempt(&mut conn, name, client).await;
    counted.map_err(|refusal| refusal.problem("Too many failed logins; wait before trying again."))
}

/// Takes back an attempt that was no failure; a refund that cannot be written leaves a failure
/// counted, which the window forgets.
async fn refund(app: &AppState, attempt: Attempt) {
    let Ok(mut conn) = app.connection().await else { return };
    if let Err(e) = limiter().refund(&mut conn, attempt).await {
        tracing::warn!(error = %e, "could not take back a login attempt");
    }
}

/// Key, hash, role value, state value, and the login name as stored.
type LoginRow = (String, String, Option<String>, Option<String>, String);

/// The account's row, if any, and what its hash says of the password.
async fn check_login(
    app: &AppState,
    login: &Login,
    name: &str,
    password: &str,
) -> Result<(PasswordCheck, Option<LoginRow>), Problem> {
    let row: Option<LoginRow> = {
        let mut conn = app.connection().await?;
        let stored = if login.lowercase { name.to_lowercase() } else { name.to_string() };
        sqlx::query_as(&login.select)
            .bind(stored)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| Problem::from_repo(crate::repo::map_error(e, &[]), "login", false))?
    };
    let (password, stored) = (password.to_string(), row.as_ref().map(|r| r.1.clone()));
    let started = tokio::time::Instant::now();
    let (check, floor) = blocking(&app.hashing, move || {
        let check = match stored {
            Some(stored) => verify_password(&password, &stored),
            None => {
                burn_verification(&password);
                PasswordCheck::Wrong
            }
        };
        (check, verification_floor())
    })
    .await?;
    tokio::time::sleep_until(started + floor).await;
    Ok((check, row))
}

async fn http_register(
    State(app): State<AppState>,
    Extension(login): Extension<Arc<Login>>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let client = client_ip(&extensions, &headers, &app.trusted_proxies);
    let body = body.map_err(|e| Problem::new(e.status(), e.body_text()))?;
    let (name, password) = credentials(&login.identity, json_body(&headers, &body)?)?;
    let mut object = Map::new();
    object.insert(login.identity.login.to_string(), Value::String(name));
    object.insert(PASSWORD_FIELD.to_string(), Value::String(password));
    // Mounted only when the spec enables registration.
    let register = Arc::clone(&login.register);
    register.register(app, login, object, client).await
}

/// A registration is counted as a login attempt before its password is hashed: a taken name (409)
/// stays counted, so finding which accounts exist costs what guessing their passwords does; a
/// registration that was no probe (created, or refused for another reason) is taken back.
async fn register<R: Resource>(
    app: AppState,
    login: Arc<Login>,
    body: Map<String, Value>,
    client: Option<IpAddr>,
) -> Result<Response, Problem> {
    let mut checked = check_body(R::RULES, Value::Object(body), BodyKind::Create).map_err(Problem::invalid)?;
    let name = checked.object.get(login.identity.login).and_then(Value::as_str).unwrap_or_default().to_string();
    let attempt = count_attempt(&app, &name, client).await?;
    let inserted = async {
        hash_fields(&app.hashing, R::RULES, &mut checked.object).await?;
        let new: R::New = from_checked(checked.object)?;
        let mut conn = app.connection().await?;
        R::insert_row(&mut conn, new).await.map_err(|e| Problem::from_repo(e, R::NAME, true))
    }
    .await;
    if !matches!(&inserted, Err(problem) if problem.status == StatusCode::CONFLICT) {
        refund(&app, attempt).await;
    }
    let row = inserted?;
    // The identity entity is keyed by one field (validation says so): its one segment.
    let subject = super::canonical_subject(&row.key().segments().concat());
    let roles = login.identity.roles.and_then(|field| {
        let value = serde_json::to_value(&row).ok()?;
        value.get(field)?.as_str().map(str::to_string)
    });
    token_response(&app, &login, StatusCode::CREATED, &subject, login.identity.roles_of(roles.as_deref())).await
}

/// A token for `subject`, holding to its account as it is now.
async fn token_response(
    app: &AppState,
    login: &Login,
    status: StatusCode,
    subject: &str,
    roles: Vec<String>,
) -> Result<Response, Problem> {
    let stamp = login.sessions.fresh(app, subject).await?;
    let token = app.keys.issue_stamped(subject, roles, stamp).map_err(|e| Problem::internal(&e))?;
    let body = serde_json::json!({ "access_token": token, "token_type": "Bearer", "expires_in": app.keys.ttl_seconds });
    let mut response = json(status, &body);
    // RFC 6749 §5.1: token responses are never cached.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(role_values: &'static [(&'static str, &'static [&'static str])]) -> Identity {
        Identity {
            table: "t",
            key: "id",
            login: "email",
            password: "hash",
            roles: Some("role"),
            role_values,
            register: false,
            login_when: None,
        }
    }

    #[test]
    fn an_unlisted_role_value_grants_nothing_and_case_is_kept() {
        let mapped = identity(&[("USER", &["user"])]);
        assert_eq!(mapped.roles_of(Some("USER")), ["user"]);
        assert!(mapped.roles_of(Some("ADMIN")).is_empty(), "not the lower-cased value");
        assert_eq!(identity(&[]).roles_of(Some("ADMIN")), ["ADMIN"], "no list: the value as spelled");
    }
}
