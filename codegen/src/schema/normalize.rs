//! Catalog facts compared as facts, not text: defaults as PostgreSQL renders them with trailing
//! casts stripped (never evaluated), so `'0'::numeric`, `0` and `'0'` are the same default.

/// The comparable form of a default expression.
pub fn default_expr(expr: &str) -> String {
    let mut text = expr.trim().to_string();
    loop {
        let stripped = strip_trailing_cast(&text);
        let stripped = strip_parens(stripped.trim());
        if stripped == text {
            break;
        }
        text = stripped.to_string();
    }
    unquote_literal(&text).unwrap_or(text)
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

fn rfind_outside_quotes(text: &str, needle: &str) -> Option<usize> {
    let mut in_quote = false;
    let mut depth = 0i32;
    let mut found = None;
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'\'' => in_quote = !in_quote,
            b'(' if !in_quote => depth += 1,
            b')' if !in_quote => depth -= 1,
            _ if !in_quote && depth == 0 && text[i..].starts_with(needle) => found = Some(i),
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
    use super::default_expr;

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
    }

    #[test]
    fn different_values_stay_different() {
        assert_ne!(default_expr("'0'::numeric"), default_expr("'1'::numeric"));
        assert_ne!(default_expr("'a'::text || 'b'::text"), default_expr("'ab'"));
    }
}
