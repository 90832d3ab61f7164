//! Database URLs in messages without their passwords.

/// `postgres://user:secret@host/db` → `postgres://user@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let tail = tail.split('?').next().unwrap_or_default();
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_appear() {
        assert_eq!(super::redact_url("postgres://u:pw@h:5432/db?sslmode=disable&password=x"), "postgres://u@h:5432/db");
        assert_eq!(super::redact_url("postgres://h/db"), "postgres://h/db");
    }
}
