//! Pointing a PostgreSQL URL at another database.

/// `postgres://u@h:5432/postgres?x=y` with database `d` → `postgres://u@h:5432/d?x=y`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{database}", &base[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_only_the_database() {
        assert_eq!(super::with_database("postgres://u@h:1/a?s=1", "b"), "postgres://u@h:1/b?s=1");
        assert_eq!(super::with_database("postgres://u@h:1", "b"), "postgres://u@h:1/b");
    }
}
