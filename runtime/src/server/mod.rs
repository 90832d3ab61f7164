//! The HTTP server of the generated API: axum over a sqlx pool. Generated code only lists its
//! entities and links ([`ApiRoutes`]); everything else (handlers, validation, errors, health,
//! logging, shutdown) is written once here.

mod auth;
mod config;
mod contract;
mod entity;
mod guard;
mod head_errors;
mod http;
mod link;
mod patterns;
mod problem;
mod query;
mod resource;
mod rules;
mod serve;
mod start;

pub use auth::{
    authorize, canonical_subject, prepare_login_throttle, Access, Allow, Audience, Claims, Identity, Keys, Principal,
    Scope, TokenConfig, ADMIN_ROLE, MAX_TOKEN_TTL_SECONDS,
};
pub use config::{
    Config, LogFormat, Startup, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_SHUTDOWN_GRACE_MS, DEFAULT_STATEMENT_TIMEOUT_MS,
    USAGE,
};
pub use entity::{Key, Resource};
pub use link::LinkRoute;
pub use problem::Problem;
pub use query::{parse_value, typed, wire_text};
pub use rules::{check_body, BodyKind, Check, FieldError, FieldRule, Wire};
pub use start::{main, router, start, Running};
pub use wire::DEFAULT_LIMIT;

use sqlx::PgPool;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub pool: PgPool,
    /// The generated OpenAPI document, served as it is.
    pub openapi: &'static str,
    /// Versions of the migrations this build carries (readiness checks they are applied).
    pub migrations: std::sync::Arc<[i64]>,
    /// Verifies bearer tokens (and signs the ones login issues).
    pub keys: std::sync::Arc<Keys>,
    /// The parameter patterns of `openapi`, which requests are held to.
    pub contract: std::sync::Arc<contract::Contract>,
    /// Set once the server stops accepting: readiness then fails, so a balancer sends no more.
    pub draining: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: std::sync::Arc<[std::net::IpAddr]>,
    /// The identity entity's account stamps, which the tokens login issues hold to.
    pub(in crate::server) sessions: Option<std::sync::Arc<dyn auth::Sessions>>,
    /// Password hashing's bounded slots.
    pub(in crate::server) hashing: std::sync::Arc<auth::HashingSlots>,
}

impl AppState {
    /// A pooled connection; a database that cannot give one is a 503, not a 500.
    pub async fn connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>, Problem> {
        self.pool.acquire().await.map_err(|e| Problem::unavailable(&e))
    }
}

/// The generated API's routes: one call per entity and per link direction.
#[derive(Debug, Default)]
pub struct ApiRoutes {
    router: axum::Router<AppState>,
    /// Spec-level mistakes found while mounting (a bad pattern), reported at start-up.
    problems: Vec<String>,
    /// Whether login is mounted (the server must then be able to sign tokens).
    issues_tokens: bool,
    /// The identity entity's account stamps, when login is mounted.
    sessions: Option<std::sync::Arc<dyn auth::Sessions>>,
}

impl ApiRoutes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Mounts list/get/create/update/delete of an entity.
    pub fn resource<R: Resource>(mut self) -> Self {
        for pattern in R::RULES.iter().filter_map(|r| r.check.pattern) {
            if let Err(problem) = patterns::compile(pattern) {
                self.problems.push(format!("{}: {problem}", R::NAME));
            }
        }
        self.router = self.router.merge(resource::routes::<R>());
        self
    }

    /// Mounts login (and registration, when enabled) for the identity entity.
    pub fn identity<R: Resource>(mut self, identity: Identity) -> Self {
        let (routes, sessions) = auth::identity_routes::<R>(identity);
        self.router = self.router.merge(routes);
        self.sessions = Some(sessions);
        self.issues_tokens = true;
        self
    }

    /// Mounts list/link/unlink of one direction of a link.
    pub fn link<L: LinkRoute>(mut self) -> Self
    where
        <L::Other as Resource>::Key: serde::Serialize,
    {
        self.router = self.router.merge(link::routes::<L>());
        self
    }
}
