//! The API server for end-to-end tests: the real router and start-up (`runtime::server::start`,
//! as the binary runs it) on a fresh database and an ephemeral loopback port, real HTTP through
//! reqwest, and a record of every exchange for the OpenAPI and secret checks.

use crate::TestDb;
use runtime::server::{Config, Keys, LogFormat, TokenConfig};
use serde_json::Value;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// One request and its response, as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// A response: status, headers and the body as text and (when it parses) JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client of one running server.
#[derive(Clone, Debug)]
pub struct Api {
    pub base: String,
    pub db_url: String,
    client: reqwest::Client,
    log: Arc<Mutex<Vec<Exchange>>>,
    /// Sent as `Authorization: Bearer …` unless a request sets its own.
    token: Option<String>,
}

/// The HS256 secret of every test server.
pub const TEST_SECRET: &str = "a test secret that is at least 32 bytes long";

/// A token signed with [`TEST_SECRET`] for `subject` with `roles`, valid for an hour.
pub fn token(subject: &str, roles: &[&str]) -> String {
    let keys = Keys::new(&TokenConfig::Hs256 { secret: TEST_SECRET.into() }, 3600).expect("keys");
    keys.issue(subject, roles.iter().map(|r| (*r).to_string()).collect()).expect("token")
}

impl Api {
    /// A client of a server already running at `base` (a spawned binary, say), as `token`.
    pub fn at(base: &str, db_url: &str, token: Option<String>) -> Self {
        Self {
            base: base.to_string(),
            db_url: db_url.to_string(),
            client: reqwest::Client::new(),
            log: Arc::default(),
            token,
        }
    }

    /// The same server, caller and log, from another local address (127.0.0.2, say): another
    /// client as the server sees it.
    pub fn from_address(&self, address: std::net::IpAddr) -> Self {
        let client = reqwest::Client::builder().local_address(address).build().expect("client");
        Self { client, ..self.clone() }
    }

    /// The same server and log, as another caller (`None`: anonymous).
    pub fn with_token(&self, token: Option<String>) -> Self {
        Self { token, ..self.clone() }
    }

    /// Sends a request; `body` is sent as it is, with `content-type: application/json`.
    pub async fn raw(&self, method: &str, path: &str, body: Option<Vec<u8>>, headers: &[(&str, &str)]) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.base));
        if let Some(body) = body {
            if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type")) {
                request = request.header("content-type", "application/json");
            }
            request = request.body(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) =
            self.token.as_ref().filter(|_| !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization")))
        {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        self.log.lock().unwrap().push(Exchange {
            method: method.to_string(),
            path: path.to_string(),
            status,
            content_type,
            body: text.clone(),
        });
        Reply { status, headers, text, json }
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        self.raw(method, path, body.map(|b| serde_json::to_vec(b).unwrap()), &[]).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send("PATCH", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None).await
    }

    /// Every exchange so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }
}

/// Runs `test` against a server started on a fresh, migrated database; stops it gracefully after.
pub fn with_server<F, Fut>(label: &str, test: F)
where
    F: FnOnce(Api) -> Fut,
    Fut: Future<Output = ()>,
{
    with_server_migrating(label, true, test);
}

/// [`with_server`], choosing whether start-up applies the migrations.
pub fn with_server_migrating<F, Fut>(label: &str, migrate: bool, test: F)
where
    F: FnOnce(Api) -> Fut,
    Fut: Future<Output = ()>,
{
    with_server_configured(label, |config| config.migrate = migrate, test);
}

/// [`with_server`] with its configuration changed first.
pub fn with_server_configured<F, Fut>(label: &str, configure: impl FnOnce(&mut Config), test: F)
where
    F: FnOnce(Api) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = TestDb::new(label);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async {
        let mut config = config(&db.url, true);
        configure(&mut config);
        let running = start(&config).await.unwrap_or_else(|e| panic!("server did not start: {e}"));
        let api = Api {
            base: format!("http://{}", running.addr),
            db_url: db.url.clone(),
            client: reqwest::Client::builder().pool_max_idle_per_host(32).build().expect("client"),
            log: Arc::default(),
            // Tests act as an admin unless they choose another caller (`with_token`).
            token: Some(token(&uuid::Uuid::new_v4().to_string(), &["admin"])),
        };
        test(api).await;
        running.stop().await.expect("graceful stop");
    });
}

/// A test server's configuration: loopback, an ephemeral port, a small pool, quiet logs.
pub fn config(database_url: &str, migrate: bool) -> Config {
    Config {
        database_url: database_url.to_string(),
        bind: "127.0.0.1:0".parse().expect("address"),
        pool_size: 8,
        statement_timeout_ms: runtime::server::DEFAULT_STATEMENT_TIMEOUT_MS,
        request_timeout_ms: runtime::server::DEFAULT_REQUEST_TIMEOUT_MS,
        shutdown_grace_ms: runtime::server::DEFAULT_SHUTDOWN_GRACE_MS,
        trusted_proxies: Vec::new(),
        log_level: "warn".into(),
        log_format: LogFormat::Text,
        migrate,
        token: TokenConfig::Hs256 { secret: TEST_SECRET.into() },
        token_ttl_seconds: 3600,
        token_audience: runtime::server::Audience::default(),
    }
}

/// Starts the generated API exactly as its binary does.
pub async fn start(config: &Config) -> Result<runtime::server::Running, String> {
    runtime::server::start(config, generated::api::routes(), generated::api::OPENAPI, &generated::api::MIGRATOR).await
}

/// Checks every recorded response against the OpenAPI document with openapi-schema-validator
/// (OpenAPI 3.0 semantics: nullable, readOnly/writeOnly, formats); panics with the failures.
pub fn assert_match_openapi(exchanges: &[Exchange]) {
    assert_match_document(&crate::repo_root().join("generated/openapi.json"), exchanges);
}

/// Checks every recorded response against the OpenAPI document at `document`.
pub fn assert_match_document(document: &std::path::Path, exchanges: &[Exchange]) {
    let root = crate::repo_root();
    let dir = crate::TempDir::new("exchanges");
    let file = dir.path().join("exchanges.json");
    std::fs::write(&file, serde_json::to_vec(exchanges).unwrap()).unwrap();
    let python = crate::tools::openapi_spec_validator().with_file_name("python");
    let out = std::process::Command::new(python)
        .arg(root.join("tests/tools/validate_responses.py"))
        .arg(document)
        .arg(&file)
        .output()
        .expect("run the response validator");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "responses break the OpenAPI document:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!report.starts_with("0 response"), "no response body was checked: {report}");
}
