//! The server's configuration: environment variables (twelve-factor) and one flag.

use super::auth::{TokenConfig, MAX_TOKEN_TTL_SECONDS};
use std::net::SocketAddr;

/// What `--help` prints.
pub const USAGE: &str = "\
Serves the generated REST API.

usage: <server> [--no-migrate]

  --no-migrate     do not apply pending migrations at start-up (readiness then reports them)

environment:
  DATABASE_URL     PostgreSQL URL (required), e.g. postgres://postgres@127.0.0.1:5432/postgres
  BIND_ADDR        address to listen on (default 127.0.0.1:8080)
  DB_POOL_SIZE     database connections (default 4 per core)
  DB_STATEMENT_TIMEOUT_MS  longest a query of a request may run, in ms (default 10000; migrations have none)
  REQUEST_TIMEOUT_MS  longest a request may take, body included, in ms (default 30000)
  SHUTDOWN_GRACE_MS   on SIGTERM, how long in-flight requests may finish, in ms (default 10000)
  TRUSTED_PROXIES  comma-separated proxy addresses whose X-Forwarded-For names the client (default none)
  LOG_LEVEL        tracing filter, e.g. info or warn,runtime=debug (default info)
  LOG_FORMAT       text or json (default text)
  MIGRATE          true or false, as --no-migrate (default true)
  JWT_SECRET       HS256 key for bearer tokens, at least 32 bytes (e.g. openssl rand -hex 32)
  JWT_PUBLIC_KEY_FILE   instead of JWT_SECRET: RS256 public key (PEM) that verifies tokens
  JWT_PRIVATE_KEY_FILE  with it: the RS256 private key (PEM) login signs tokens with
  JWT_TTL_SECONDS  lifetime of the tokens login issues (default 3600, at most 86400)
  JWT_ISSUER       when set, the `iss` of the tokens login issues, and required of every token
  JWT_AUDIENCE     when set, the `aud` of the tokens login issues, and required of every token";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub pool_size: u32,
    /// PostgreSQL's `statement_timeout` on every pooled connection.
    pub statement_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub shutdown_grace_ms: u64,
    /// Peers whose `X-Forwarded-For` is believed (the login throttle keys on the client it names).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub log_level: String,
    pub log_format: LogFormat,
    pub migrate: bool,
    pub token: TokenConfig,
    pub token_ttl_seconds: u64,
    pub token_audience: super::auth::Audience,
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Startup {
    Run(Box<Config>),
    Help,
}

impl Config {
    /// Reads `args` (without the program name) and the environment through `env`; the error is
    /// one line saying what is wrong and how to fix it.
    pub fn load(args: &[String], env: impl Fn(&str) -> Option<String>) -> Result<Startup, String> {
        let mut migrate_flag = None;
        for arg in args {
            match arg.as_str() {
                "--no-migrate" => migrate_flag = Some(false),
                "-h" | "--help" => return Ok(Startup::Help),
                other => return Err(format!("unknown argument '{other}' (see --help)")),
            }
        }
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let database_url = var("DATABASE_URL").ok_or(
            "DATABASE_URL is not set; set it to the PostgreSQL to serve, e.g. postgres://postgres@127.0.0.1:5432/postgres",
        )?;
        let bind = match var("BIND_ADDR") {
            Some(text) => {
                text.parse().map_err(|_| format!("BIND_ADDR '{text}' is not an address:port, e.g. 127.0.0.1:8080"))?
            }
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let pool_size = match var("DB_POOL_SIZE") {
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| format!("DB_POOL_SIZE '{text}' must be a number from 1 to 1000"))?,
            None => default_pool_size(),
        };
        let milliseconds = |name: &str, default: u64| match var(name) {
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|n| (100..=3_600_000).contains(n))
                .ok_or_else(|| format!("{name} '{text}' must be a number of milliseconds from 100 to 3600000")),
            None => Ok(default),
        };
        let statement_timeout_ms = milliseconds("DB_STATEMENT_TIMEOUT_MS", DEFAULT_STATEMENT_TIMEOUT_MS)?;
        let request_timeout_ms = milliseconds("REQUEST_TIMEOUT_MS", DEFAULT_REQUEST_TIMEOUT_MS)?;
        let shutdown_grace_ms = milliseconds("SHUTDOWN_GRACE_MS", DEFAULT_SHUTDOWN_GRACE_MS)?;
        let trusted_proxies = var("TRUSTED_PROXIES")
            .map(|text| {
                text.split(',')
                    .map(|ip| ip.trim().parse().map_err(|_| format!("TRUSTED_PROXIES: '{ip}' is not an IP address")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(format!("LOG_FORMAT '{other}' must be text or json")),
        };
        let migrate = match (migrate_flag, var("MIGRATE").as_deref()) {
            (Some(flag), _) => flag,
            (None, None | Some("true" | "1")) => true,
            (None, Some("false" | "0")) => false,
            (None, Some(other)) => return Err(format!("MIGRATE '{other}' must be true or false")),
        };
        let token = token_config(&var)?;
        let token_ttl_seconds = match var("JWT_TTL_SECONDS") {
            Some(text) => {
                text.parse::<u64>().ok().filter(|n| (60..=MAX_TOKEN_TTL_SECONDS).contains(n)).ok_or_else(|| {
                    format!("JWT_TTL_SECONDS '{text}' must be a number of seconds from 60 to {MAX_TOKEN_TTL_SECONDS}")
                })?
            }
            None => 3600,
        };
        Ok(Startup::Run(Box::new(Config {
            database_url,
            bind,
            pool_size,
            statement_timeout_ms,
            request_timeout_ms,
            shutdown_grace_ms,
            trusted_proxies,
            log_level: var("LOG_LEVEL").unwrap_or_else(|| "info".into()),
            log_format,
            migrate,
            token,
            token_ttl_seconds,
            token_audience: super::auth::Audience { issuer: var("JWT_ISSUER"), audience: var("JWT_AUDIENCE") },
        })))
    }
}

/// HS256 from `JWT_SECRET`, or RS256 from key files; exactly one of the two.
fn token_config(var: &dyn Fn(&str) -> Option<String>) -> Result<TokenConfig, String> {
    let read = |name: &str, path: &str| std::fs::read(path).map_err(|e| format!("{name} '{path}' cannot be read: {e}"));
    match (var("JWT_SECRET"), var("JWT_PUBLIC_KEY_FILE"), var("JWT_PRIVATE_KEY_FILE")) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            Err("set JWT_SECRET (HS256) or JWT_PUBLIC_KEY_FILE (RS256), not both".into())
        }
        (Some(secret), None, None) => Ok(TokenConfig::Hs256 { secret: secret.into_bytes() }),
        (None, Some(public), private) => Ok(TokenConfig::Rs256 {
            public_pem: read("JWT_PUBLIC_KEY_FILE", &public)?,
            private_pem: private.map(|p| read("JWT_PRIVATE_KEY_FILE", &p)).transpose()?,
        }),
        (None, None, Some(_)) => Err("JWT_PRIVATE_KEY_FILE needs JWT_PUBLIC_KEY_FILE beside it".into()),
        (None, None, None) => {
            Err("JWT_SECRET is not set; set it to a random secret of at least 32 bytes (openssl rand -hex 32), \
             or JWT_PUBLIC_KEY_FILE for RS256"
                .into())
        }
    }
}

/// Four connections per core: more only queue in PostgreSQL and context-switch (measured: 16 and
/// 32 connections served fewer requests than 8 on two cores; see BENCHMARKS.md).
/// Long enough for any indexed request, short enough that a few slow scans cannot hold the pool.
pub const DEFAULT_STATEMENT_TIMEOUT_MS: u64 = 10_000;
/// Past the statement timeout, so a query is cut off (and rolled back) before its request is.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
pub const DEFAULT_SHUTDOWN_GRACE_MS: u64 = 10_000;

fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    u32::try_from(cores * 4).unwrap_or(u32::MAX).clamp(4, 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(args: &[&str], vars: &[(&str, &str)]) -> Result<Startup, String> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_string()).collect();
        Config::load(&args, |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_string()))
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn defaults_and_errors() {
        let Ok(Startup::Run(config)) = load(&[], &[("DATABASE_URL", "postgres://x/y"), ("JWT_SECRET", SECRET)]) else {
            panic!()
        };
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert!(config.migrate);
        let Ok(Startup::Run(config)) =
            load(&["--no-migrate"], &[("DATABASE_URL", "postgres://x/y"), ("JWT_SECRET", SECRET)])
        else {
            panic!()
        };
        assert!(!config.migrate);
        assert!(load(&[], &[]).unwrap_err().starts_with("DATABASE_URL is not set"));
        assert!(load(&[], &[("DATABASE_URL", "u"), ("BIND_ADDR", "nowhere")]).unwrap_err().contains("BIND_ADDR"));
        assert!(load(&[], &[("DATABASE_URL", "u"), ("DB_POOL_SIZE", "0")]).unwrap_err().contains("DB_POOL_SIZE"));
        assert!(load(&["--frobnicate"], &[]).unwrap_err().contains("unknown argument"));
        assert!(load(&[], &[("DATABASE_URL", "u")]).unwrap_err().starts_with("JWT_SECRET is not set"));
        let both = [("DATABASE_URL", "u"), ("JWT_SECRET", SECRET), ("JWT_PUBLIC_KEY_FILE", "k.pem")];
        assert!(load(&[], &both).unwrap_err().contains("not both"));
    }
}
