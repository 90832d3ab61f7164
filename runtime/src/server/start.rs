//! Start-up (pool, migrations under sqlx's advisory lock, listener), the router with its
//! operational endpoints and middleware, graceful shutdown, and the `main` the generated binary
//! calls. Start-up failures are one line and exit code 2.

use super::auth::Keys;
use super::config::{Config, LogFormat, Startup, USAGE};
use super::http::json;
use super::problem::Problem;
use super::serve::Deadlines;
use super::{ApiRoutes, AppState};
use crate::redact::redact_url;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Connection;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The whole application: the generated routes, the operational endpoints, and middleware
/// (request id, request log, panics as 500 problems).
pub fn router(routes: ApiRoutes, state: AppState) -> axum::Router {
    use axum::routing::get;
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok());
            tracing::info_span!("request", id = id.unwrap_or(""), method = %request.method(), path = %request.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
        .on_failure(on_failure);
    routes
        .router
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/openapi.json", get(openapi))
        .fallback(|request: Request| async move {
            Problem::not_found(format!("No route {} {}.", request.method(), request.uri().path()))
        })
        .method_not_allowed_fallback(|request: Request| async move {
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, format!("{} is not allowed here.", request.method()))
        })
        .with_state(state)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            Problem::internal(&"a handler panicked").into_response()
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(plain_request_id))
}

/// A 503 is load shed or a dependency away, said to the client with a wait: a warning. Any other
/// failure (a 500, a connection error) is an error.
fn on_failure(class: ServerErrorsFailureClass, latency: Duration, _span: &tracing::Span) {
    let latency = latency.as_millis();
    match class {
        ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE) => {
            tracing::warn!(latency_ms = latency, "503: shed or unavailable");
        }
        class => tracing::error!(classification = %class, latency_ms = latency, "response failed"),
    }
}

/// A client's `X-Request-Id` is kept only when it is a plain token (at most 64 letters, digits,
/// `-`, `_`, `.`): anything else (log injection, a megabyte) is replaced by a fresh UUID.
async fn plain_request_id(mut request: Request) -> Request {
    let plain = |value: &HeaderValue| {
        let bytes = value.as_bytes();
        (1..=64).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b))
    };
    let headers = request.headers_mut();
    if headers.get_all("x-request-id").iter().count() > 1 || headers.get("x-request-id").is_some_and(|v| !plain(v)) {
        headers.remove("x-request-id");
    }
    request
}

/// Liveness: the process answers.
async fn healthz() -> Response {
    json(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database answers and every migration this build carries is applied.
async fn readyz(State(app): State<AppState>) -> Response {
    if app.draining.load(Ordering::Relaxed) {
        return Problem::new(StatusCode::SERVICE_UNAVAILABLE, "The server is shutting down.").into_response();
    }
    let applied: Result<Vec<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(&app.pool).await;
    let applied = match applied {
        Ok(versions) => versions,
        Err(e) if e.as_database_error().and_then(sqlx::error::DatabaseError::code).as_deref() == Some("42P01") => {
            Vec::new()
        }
        Err(e) => return Problem::unavailable(&e).into_response(),
    };
    let pending = app.migrations.iter().filter(|v| !applied.contains(v)).count();
    if pending > 0 {
        let detail =
            format!("{pending} migration(s) not applied; run cargo xtask migrate or start without --no-migrate");
        return Problem::new(StatusCode::SERVICE_UNAVAILABLE, detail).into_response();
    }
    json(StatusCode::OK, &serde_json::json!({ "status": "ready" }))
}

async fn openapi(State(app): State<AppState>) -> Response {
    let mut response = app.openapi.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A client gets this long to send a request's headers (slow-header clients hold no slot longer).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request that outlives its deadline is answered 503; its work is dropped (a transaction not
/// yet committed rolls back).
async fn within(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Problem::busy(1, "The request took longer than the server allows; retry later.").into_response(),
    }
}

/// A server that is listening.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    pub pool: sqlx::PgPool,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    draining: std::sync::Arc<AtomicBool>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish within the grace period, then closes the
    /// pool.
    pub async fn stop(self) -> std::io::Result<()> {
        self.draining.store(true, Ordering::Relaxed);
        let _ = self.stop.send(());
        let served = self.task.await.unwrap_or_else(|e| Err(std::io::Error::other(e)));
        self.pool.close().await;
        served
    }
}

/// Connects, migrates (unless disabled), binds and starts serving; the error is one line.
pub async fn start(
    config: &Config,
    routes: ApiRoutes,
    openapi: &'static str,
    migrator: &'static Migrator,
) -> Result<Running, String> {
    if !routes.problems.is_empty() {
        return Err(routes.problems.join("; "));
    }
    let keys = Keys::new(&config.token, config.token_ttl_seconds)?.for_audience(config.token_audience.clone());
    let contract = std::sync::Arc::new(super::contract::Contract::from_document(openapi)?);
    if routes.issues_tokens && !keys.issues() {
        return Err("login issues tokens, but JWT_PUBLIC_KEY_FILE only verifies them; set JWT_PRIVATE_KEY_FILE".into());
    }
    let unreachable = |e: sqlx::Error| {
        format!("cannot connect to the database at {}: {}", redact_url(&config.database_url), one_line(&e))
    };
    // One plain connection first: the pool would only say it timed out; this says why.
    let mut probe = sqlx::PgConnection::connect(&config.database_url).await.map_err(unreachable)?;
    if config.migrate {
        // sqlx's migrator holds PostgreSQL's advisory lock: replicas starting together apply each once.
        // On a connection of its own: a migration (an index on a large table) may run for long.
        migrator.run(&mut probe).await.map_err(|e| format!("migration failed: {}", one_line(&e)))?;
    }
    if routes.issues_tokens {
        super::auth::prepare_login_throttle(&mut probe).await.map_err(|e| {
            format!(
                "cannot create the login throttle's table {}: {}; create it once with cargo xtask migrate, \
                 as a role that may create tables",
                wire::LOGIN_FAILURES_TABLE,
                one_line(&e)
            )
        })?;
    }
    let _ = probe.close().await;
    let options = PgConnectOptions::from_str(&config.database_url)
        .map_err(unreachable)?
        .options([("statement_timeout", format!("{}ms", config.statement_timeout_ms))]);
    let pool = PgPoolOptions::new()
        .max_connections(config.pool_size)
        .acquire_timeout(Duration::from_secs(5))
        // A ping per checkout is a round trip per request; a dead connection fails its query instead (503).
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(unreachable)?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {}", config.bind, one_line(&e)))?;
    let addr = listener.local_addr().map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let migrations = migrator.iter().filter(|m| !m.migration_type.is_down_migration()).map(|m| m.version).collect();
    let draining = std::sync::Arc::new(AtomicBool::new(false));
    let state = AppState {
        pool: pool.clone(),
        openapi,
        migrations,
        keys: std::sync::Arc::new(keys),
        contract,
        draining: draining.clone(),
        trusted_proxies: config.trusted_proxies.clone().into(),
        sessions: routes.sessions.clone(),
        hashing: std::sync::Arc::default(),
    };
    let request_timeout = Duration::from_millis(config.request_timeout_ms);
    let app = router(routes, state).layer(axum::middleware::from_fn_with_state(request_timeout, within));
    let deadlines =
        Deadlines { header_read: HEADER_READ_TIMEOUT, shutdown_grace: Duration::from_millis(config.shutdown_grace_ms) };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(super::serve::serve(listener, app, deadlines, stopped));
    Ok(Running { addr, pool, stop, task, draining })
}

fn one_line(error: &dyn std::fmt::Display) -> String {
    error.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The generated server binary's `main`: configuration from the environment, logs, start-up,
/// then serve until SIGTERM or Ctrl-C. Exit 0 after a clean shutdown, 2 when it cannot start.
pub fn main(routes: fn() -> ApiRoutes, openapi: &'static str, migrator: &'static Migrator) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::load(&args, |name| std::env::var(name).ok()) {
        Ok(Startup::Run(config)) => *config,
        Ok(Startup::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = init_logs(&config) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async {
        let running = match start(&config, routes(), openapi, migrator).await {
            Ok(running) => running,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        };
        tracing::info!(addr = %running.addr, "serving the API; SIGTERM or Ctrl-C stops");
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        match running.stop().await {
            Ok(()) => {
                tracing::info!("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: serving failed: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

fn init_logs(config: &Config) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_level)
        .map_err(|e| format!("LOG_LEVEL '{}' is not a tracing filter: {e}", config.log_level))?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(ansi);
    let installed = match config.log_format {
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.map_err(|e| format!("cannot install the logger: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
