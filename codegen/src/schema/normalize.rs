//! Catalog facts compared as facts, not text: defaults as PostgreSQL renders them with trailing
//! casts stripped (never evaluated), so `'0'::numeric`, `0` and `'0'` are the same default.

/// The comparable form of a default expression.
pub fn default_expr(expr: &str) -> String {
    let text = strip_casts(expr);
    unquote_literal(&text).unwrap_or(text)
}

/// The text of a default that is one string literal once casts are stripped (`'EUR'::character
/// varying` → `EUR`); None for expressions, numbers and anything else.
pub fn string_literal(expr: &str) -> Option<String> {
    unquote_literal(&strip_casts(expr))
}

/// Trailing casts and wrapping parentheses removed, repeatedly.
fn strip_casts(expr: &str) -> String {
    let mut text = expr.trim().to_string();
    loop {
        let stripped = strip_trailing_cast(&text);
        let stripped = strip_parens(stripped.trim());
        if stripped == text {
            break;
        }
        text = stripped.to_string();
    }
    text
}

/// Whether two default expressions state the same fact: equal once casts and quotes are
/// stripped, or equal as JSON values (jsonb reformats `{"a":1}` as `{"a": 1}`).
pub fn same_default(expected: &str, actual: &str) -> bool {
    let (e, a) = (default_expr(expected), default_expr(actual));
    if e == a || squeeze(&strip_casts(expected)) == squeeze(&strip_casts(actual)) {
        return true;
    }
    let json = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok().filter(|v| v.is_object() || v.is_array());
    matches!((json(&e), json(&a)), (Some(x), Some(y)) if x == y)
}

/// Whether two SQL fragments (a predicate, an index definition) are the same tokens: spacing and
/// the case of unquoted words are the writer's (`ANY (ARRAY[…])` is `ANY(ARRAY[…])`), quoted
/// names and literals are not. Text that does not tokenize must be equal.
pub fn same_sql(a: &str, b: &str) -> bool {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    if a == b {
        return true;
    }
    let tokens = |text: &str| {
        Tokenizer::new(&PostgreSqlDialect {}, text).tokenize().ok().map(|tokens| {
            tokens
                .into_iter()
                .filter(|t| !matches!(t, Token::Whitespace(_)))
                .map(|t| match t {
                    Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_lowercase(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
        })
    };
    matches!((tokens(a), tokens(b)), (Some(x), Some(y)) if x == y)
}

/// Whitespace outside string literals removed: `gen_random_uuid ()` is `gen_random_uuid()`.
fn squeeze(text: &str) -> String {
    let mut in_quote = false;
    text.chars()
        .filter(|&c| {
            if c == '\'' {
                in_quote = !in_quote;
            }
            in_quote || !c.is_whitespace()
        })
        .collect()
}

/// `'x'::character varying` → `'x'`; leaves `now()` and `a::b(c)` calls alone.
fn strip_trailing_cast(text: &str) -> &str {
    let Some(pos) = rfind_outside_quotes(text, "::") else {
        return text;
    };
    let cast = &text[pos + 2..];
    let is_type_name = !cast.is_empty()
        && cast
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '"' | '.' | '[' | ']' | '(' | ')' | ','));
    let balanced = cast.matches('(').count() == cast.matches(')').count();
    if is_type_name && balanced {
        text[..pos].trim_end()
    } else {
        text
    }
}

fn strip_parens(text: &str) -> &str {
    if text.starts_with('(') && text.ends_with(')') && matching_paren(text) == Some(text.len() - 1) {
        &text[1..text.len() - 1]
    } else {
        text
    }
}

fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_quote = false;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Last top-level occurrence: not inside '…' or "…", nor inside (…) or […].
fn rfind_outside_quotes(text: &str, needle: &str) -> Option<usize> {
    let (mut in_single, mut in_double) = (false, false);
    let mut depth = 0i32;
    let mut found = None;
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'\'' if !in_double => in_single = !in_single,
            b'"' if !in_single => in_double = !in_double,
            b'(' | b'[' if !in_single && !in_double => depth += 1,
            b')' | b']' if !in_single && !in_double => depth -= 1,
            _ if !in_single && !in_double && depth == 0 && bytes[i..].starts_with(needle.as_bytes()) => found = Some(i),
            _ => {}
        }
    }
    found
}

/// `'abc'` → `abc` when the whole text is one string literal.
fn unquote_literal(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None; // two literals, not one
        }
        out.push(c);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{default_expr, same_sql};

    #[test]
    fn casts_and_quotes_are_not_part_of_the_fact() {
        assert_eq!(default_expr("'0'::numeric"), "0");
        assert_eq!(default_expr("0"), "0");
        assert_eq!(default_expr("'EUR'::character varying"), "EUR");
        assert_eq!(default_expr("'PENDING'::userstatus"), "PENDING");
        assert_eq!(default_expr("'[]'::json"), "[]");
        assert_eq!(default_expr("'-1'::integer"), "-1");
        assert_eq!(default_expr("gen_random_uuid()"), "gen_random_uuid()");
        assert_eq!(default_expr("now()"), "now()");
        assert_eq!(default_expr("'it''s'::text"), "it's");
        assert_eq!(default_expr("false"), "false");
        assert_eq!(default_expr("'{}'::character varying[]"), "{}");
        assert_eq!(default_expr("ARRAY['a'::text, 'b'::text]"), "ARRAY['a'::text, 'b'::text]");
        assert_eq!(default_expr("\"größe\"()"), "\"größe\"()");
    }

    #[test]
    fn json_and_spacing_are_not_part_of_the_fact() {
        use super::same_default;
        assert!(same_default("'{\"a\":1}'", "'{\"a\": 1}'::jsonb"));
        assert!(same_default("gen_random_uuid ()", "gen_random_uuid()"));
        assert!(!same_default("'{\"a\":1}'", "'{\"a\": 2}'::jsonb"));
        assert!(!same_default("'a b'", "'ab'"));
    }

    #[test]
    fn sql_is_compared_by_tokens() {
        assert!(same_sql("(status = ANY (ARRAY['a'::t]))", "(status = any(ARRAY['a'::t]))"));
        assert!(!same_sql("(a = 'x y')", "(a = 'xy')"));
        assert!(!same_sql("(\"A\" > 0)", "(a > 0)"));
    }

    #[test]
    fn different_values_stay_different() {
        assert_ne!(default_expr("'0'::numeric"), default_expr("'1'::numeric"));
        assert_ne!(default_expr("'a'::text || 'b'::text"), default_expr("'ab'"));
    }
}
