//! Access control: who the caller is (a verified JWT, or anonymous), what each operation of an
//! entity allows (declared in the specs, generated as [`Access`]), and which rows and fields that
//! leaves visible. Owner rules become SQL conditions in `resource`; nothing here reads rows.

mod confirm;
mod identity;
mod limit;
mod password;
mod session;
mod token;

pub(super) use confirm::{confirm, confirmation};
pub use identity::Identity;
pub use limit::prepare as prepare_login_throttle;
pub use token::{Audience, Claims, Keys, TokenConfig, MAX_TOKEN_TTL_SECONDS};

pub(super) use identity::routes as identity_routes;
pub(super) use password::{hash_fields, HashingSlots};
pub(super) use session::Sessions;

use super::problem::Problem;
use super::AppState;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, StatusCode};

pub use wire::ADMIN_ROLE;

/// Who may call each operation of an entity; the admin role always may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub list: Allow,
    pub get: Allow,
    pub create: Allow,
    pub update: Allow,
    pub delete: Allow,
}

impl Access {
    /// What an entity without rules gets.
    pub const ADMIN_ONLY: Self = Self {
        list: Allow::ADMIN,
        get: Allow::ADMIN,
        create: Allow::ADMIN,
        update: Allow::ADMIN,
        delete: Allow::ADMIN,
    };
}

/// One operation's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allow {
    /// No token needed.
    pub public: bool,
    /// Any valid token.
    pub authenticated: bool,
    /// Tokens with one of these roles.
    pub roles: &'static [&'static str],
    /// Any valid token, limited to rows whose field (this one) holds the token's subject.
    pub owner: Option<&'static str>,
}

impl Allow {
    pub const ADMIN: Self = Self { public: false, authenticated: false, roles: &[], owner: None };

    pub const fn roles(roles: &'static [&'static str]) -> Self {
        Self { roles, ..Self::ADMIN }
    }

    pub const fn or_public(self) -> Self {
        Self { public: true, ..self }
    }

    pub const fn or_authenticated(self) -> Self {
        Self { authenticated: true, ..self }
    }

    pub const fn or_owner(self, field: &'static str) -> Self {
        Self { owner: Some(field), ..self }
    }
}

/// The caller: anonymous, or the subject and roles of a valid bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Anonymous,
    Token { subject: String, roles: Vec<String> },
}

impl Principal {
    /// Admin, or one of `roles`.
    pub fn has_any(&self, allowed: &[&str]) -> bool {
        match self {
            Self::Anonymous => false,
            Self::Token { roles, .. } => roles.iter().any(|r| r == ADMIN_ROLE || allowed.contains(&r.as_str())),
        }
    }

    /// Whether a field restricted to `read_roles` is shown to this caller.
    pub fn sees(&self, read_roles: Option<&[&str]>) -> bool {
        read_roles.is_none_or(|roles| self.has_any(roles))
    }
}

/// Which rows an allowed operation covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Only rows whose `field` holds `subject`.
    Owner {
        field: &'static str,
        subject: String,
    },
}

impl Scope {
    /// The owner rule's field and subject, when the caller is limited to their own rows.
    pub fn owner(&self) -> Option<(&'static str, &str)> {
        match self {
            Scope::Owner { field, subject } => Some((*field, subject.as_str())),
            Scope::All => None,
        }
    }
}

/// 401 without a token where one is needed, 403 when the token does not allow the operation;
/// otherwise the rows the caller may touch.
pub fn authorize(allow: &Allow, who: &Principal, entity: &str, operation: &str) -> Result<Scope, Problem> {
    if allow.public {
        return Ok(Scope::All);
    }
    let Principal::Token { subject, .. } = who else {
        return Err(unauthorized("This operation needs a bearer token (Authorization: Bearer <token>)."));
    };
    if allow.authenticated || who.has_any(allow.roles) {
        return Ok(Scope::All);
    }
    match allow.owner {
        Some(field) => Ok(Scope::Owner { field, subject: subject.clone() }),
        None => Err(Problem::new(StatusCode::FORBIDDEN, format!("Your roles do not allow {operation} on {entity}."))),
    }
}

/// A 401; the response says `WWW-Authenticate: Bearer` (RFC 6750).
pub fn unauthorized(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::UNAUTHORIZED, detail)
}

/// A token's subject in one spelling: UUIDs in lower-case hyphenated form (as PostgreSQL prints
/// them), so comparisons with the owner column's text hold.
pub fn canonical_subject(text: &str) -> String {
    match uuid::Uuid::parse_str(text) {
        Ok(id) => id.to_string(),
        Err(_) => text.to_string(),
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Problem> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Self::Anonymous);
        };
        let text = value.to_str().map_err(|_| unauthorized("The Authorization header is not text."))?;
        let token = match text.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(unauthorized("Send the token as Authorization: Bearer <token>.")),
        };
        let claims = app.keys.verify(token).map_err(unauthorized)?;
        let subject = canonical_subject(&claims.sub);
        // A token login issued holds only while its account is as it was then.
        if let (Some(stamp), Some(sessions)) = (&claims.sv, &app.sessions) {
            if sessions.current(app, &subject).await?.as_ref() != Some(stamp) {
                return Err(unauthorized(
                    "The token no longer holds: its account's password, role or status changed. Log in again.",
                ));
            }
        }
        Ok(Self::Token { subject, roles: claims.roles })
    }
}
