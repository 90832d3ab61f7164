//! Database URLs in messages without their passwords.

/// `postgres://user:secret@host/db` → `postgres://user@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // The query goes (it may hold `password=`); the user information ends at the last `@`, so a
    // password holding a raw `/`, `?` or `@` goes whole.
    let head = match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{user}@{}", host.split('?').next().unwrap_or_default())
        }
        None => rest.split('?').next().unwrap_or_default().to_string(),
    };
    format!("{scheme}://{head}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_appear() {
        assert_eq!(super::redact_url("postgres://u:pw@h:5432/db?sslmode=disable&password=x"), "postgres://u@h:5432/db");
        assert_eq!(super::redact_url("postgres://h/db"), "postgres://h/db");
        assert_eq!(super::redact_url("postgres://u:se/cr?e@t@h/db?x=1"), "postgres://u@h/db");
    }
}
