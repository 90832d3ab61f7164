//! The server's configuration: environment variables (twelve-factor) and one flag.

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
  LOG_LEVEL        tracing filter, e.g. info or warn,runtime=debug (default info)
  LOG_FORMAT       text or json (default text)
  MIGRATE          true or false, as --no-migrate (default true)";

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
    pub log_level: String,
    pub log_format: LogFormat,
    pub migrate: bool,
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Startup {
    Run(Config),
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
        Ok(Startup::Run(Config {
            database_url,
            bind,
            pool_size,
            log_level: var("LOG_LEVEL").unwrap_or_else(|| "info".into()),
            log_format,
            migrate,
        }))
    }
}

/// Four connections per core: more only queue in PostgreSQL and context-switch (measured: 16 and
/// 32 connections served fewer requests than 8 on two cores; see BENCHMARKS.md).
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

    #[test]
    fn defaults_and_errors() {
        let Ok(Startup::Run(config)) = load(&[], &[("DATABASE_URL", "postgres://x/y")]) else { panic!() };
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert!(config.migrate);
        let Ok(Startup::Run(config)) = load(&["--no-migrate"], &[("DATABASE_URL", "postgres://x/y")]) else { panic!() };
        assert!(!config.migrate);
        assert!(load(&[], &[]).unwrap_err().starts_with("DATABASE_URL is not set"));
        assert!(load(&[], &[("DATABASE_URL", "u"), ("BIND_ADDR", "nowhere")]).unwrap_err().contains("BIND_ADDR"));
        assert!(load(&[], &[("DATABASE_URL", "u"), ("DB_POOL_SIZE", "0")]).unwrap_err().contains("DB_POOL_SIZE"));
        assert!(load(&["--frobnicate"], &[]).unwrap_err().contains("unknown argument"));
    }
}
