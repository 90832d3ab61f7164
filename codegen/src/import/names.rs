//! Spec names from database names: PascalCase entity, link and enum names (unique, never a Rust
//! prelude name), the common table prefix, and the naming templates most objects already follow.

use crate::naming::fill;
use std::collections::BTreeSet;

/// `vbwd_user_roles` → `VbwdUserRoles`; a name not starting with a letter gets a `T`.
pub fn pascal_case(name: &str) -> String {
    let out: String = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(cs).collect::<String>()
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_uppercase()) {
        out
    } else {
        format!("T{out}")
    }
}

/// Names handed out so far; `claim` returns `wanted`, or it with `suffix` (then a number) when
/// taken or reserved.
#[derive(Default)]
pub struct NameClaims(BTreeSet<String>);

impl NameClaims {
    pub fn claim(&mut self, wanted: &str, suffix: &str) -> String {
        let candidates = std::iter::once(wanted.to_string())
            .chain((1..).map(|n| format!("{wanted}{suffix}{}", if n == 1 { String::new() } else { n.to_string() })));
        for candidate in candidates {
            if !crate::spec::validate::RUST_RESERVED.contains(&candidate.as_str()) && self.0.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("the candidates never run out")
    }
}

/// The longest prefix ending in `_` shared by every table (at least two), each keeping a
/// remainder that starts with a letter; empty when there is none.
pub fn common_prefix<'a>(tables: impl IntoIterator<Item = &'a str>) -> String {
    let tables: Vec<&str> = tables.into_iter().collect();
    let [first, rest @ ..] = tables.as_slice() else { return String::new() };
    if rest.is_empty() {
        return String::new();
    }
    let mut ends: Vec<usize> = first.match_indices('_').map(|(i, _)| i + 1).collect();
    ends.reverse();
    ends.into_iter()
        .map(|end| &first[..end])
        .find(|prefix| {
            tables
                .iter()
                .all(|t| t.strip_prefix(prefix).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_lowercase())))
        })
        .unwrap_or_default()
        .to_string()
}

/// The candidate template that names the most of `objects` (`(name, table, columns)`); the first
/// candidate on a tie.
pub fn best_template<'a>(candidates: &[&'a str], objects: &[(String, String, Vec<String>)]) -> &'a str {
    let fits = |template: &str| {
        objects
            .iter()
            .filter(|(name, table, columns)| {
                let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
                &fill(template, table, &cols, "") == name
            })
            .count()
    };
    let mut best = candidates[0];
    for candidate in &candidates[1..] {
        if fits(candidate) > fits(best) {
            best = candidate;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_names() {
        assert_eq!(pascal_case("vbwd_user_roles"), "VbwdUserRoles");
        assert_eq!(pascal_case("userstatus"), "Userstatus");
        assert_eq!(pascal_case("2fa_codes"), "T2faCodes");
    }

    #[test]
    fn claims_stay_unique_and_avoid_the_prelude() {
        let mut claims = NameClaims::default();
        assert_eq!(claims.claim("User", "Enum"), "User");
        assert_eq!(claims.claim("User", "Enum"), "UserEnum");
        assert_eq!(claims.claim("User", "Enum"), "UserEnum2");
        assert_eq!(claims.claim("Result", "Table"), "ResultTable");
    }

    #[test]
    fn prefixes() {
        assert_eq!(common_prefix(["vbwd_user", "vbwd_user_roles"]), "vbwd_");
        assert_eq!(common_prefix(["vbwd_user", "shop_order"]), "");
        assert_eq!(common_prefix(["vbwd_user"]), "");
        assert_eq!(common_prefix(["a_b_c", "a_b_d"]), "a_b_");
        assert_eq!(common_prefix(["a_1", "a_b"]), "");
    }
}
