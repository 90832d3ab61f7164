//! `validate.pattern` regexes, compiled once at start-up (a bad pattern stops the server there,
//! not on the first request that needs it).

use regex::Regex;
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

fn cache() -> &'static RwLock<HashMap<&'static str, Regex>> {
    static CACHE: OnceLock<RwLock<HashMap<&'static str, Regex>>> = OnceLock::new();
    CACHE.get_or_init(RwLock::default)
}

/// Compiles `pattern` (once); the error says which pattern is bad and why.
pub fn compile(pattern: &'static str) -> Result<(), String> {
    if cache().read().unwrap_or_else(std::sync::PoisonError::into_inner).contains_key(pattern) {
        return Ok(());
    }
    let regex = Regex::new(pattern).map_err(|e| format!("invalid validate.pattern {pattern:?}: {e}"))?;
    cache().write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(pattern, regex);
    Ok(())
}

/// Whether `text` matches `pattern` (compiled at start-up; compiled now if it was not).
pub fn matches(pattern: &'static str, text: &str) -> bool {
    if let Some(regex) = cache().read().unwrap_or_else(std::sync::PoisonError::into_inner).get(pattern) {
        return regex.is_match(text);
    }
    compile(pattern).is_ok() && matches(pattern, text)
}
