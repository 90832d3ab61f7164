//! Writing YAML by hand: scalars plain only when nothing could misread them, otherwise
//! double-quoted with escapes; flow lists and maps as the hand-written specs use them.

/// Words YAML 1.1 or 1.2 readers take for booleans or null when plain.
const SPECIAL_WORDS: [&str; 11] = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ""];

/// A scalar as YAML text: plain when it is identifier-like (letters, digits, `_`, `(`, `)`, `.`,
/// starting with a letter or `_`) and not a special word; double-quoted otherwise.
pub fn scalar(text: &str) -> String {
    let plain = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '(' | ')' | '.'))
        && !SPECIAL_WORDS.contains(&text.to_ascii_lowercase().as_str());
    if plain {
        text.to_string()
    } else {
        quoted(text)
    }
}

/// Always double-quoted, with YAML escapes for `\`, `"` and control characters.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `[a, "b c"]`.
pub fn flow_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|i| scalar(i.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// `{ k: v, … }` from keys and already-rendered values.
pub fn flow_map(pairs: &[(&str, String)]) -> String {
    let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{}: {v}", scalar(k))).collect();
    format!("{{ {} }}", pairs.join(", "))
}

/// `key: value` lines of a block mapping with the values aligned one space after the longest key.
pub fn aligned(indent: &str, rows: &[(String, String)]) -> String {
    let keys: Vec<String> = rows.iter().map(|(k, _)| format!("{}:", scalar(k))).collect();
    let width = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (key, (_, value)) in keys.iter().zip(rows) {
        out.push_str(&format!("{indent}{key:<width$} {value}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_when_unambiguous() {
        assert_eq!(scalar("vbwd_user"), "vbwd_user");
        assert_eq!(scalar("string(255)"), "string(255)");
        assert_eq!(scalar("decimal(10,2)"), "\"decimal(10,2)\"");
        assert_eq!(scalar("string(20)[]"), "\"string(20)[]\"");
        assert_eq!(scalar("ON"), "\"ON\"");
        assert_eq!(scalar("null"), "\"null\"");
        assert_eq!(scalar("123"), "\"123\"");
        assert_eq!(scalar("a: b # c"), "\"a: b # c\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(quoted("it's \"x\"\\\n"), "\"it's \\\"x\\\"\\\\\\n\"");
    }

    #[test]
    fn quoted_text_reads_back() {
        let nasty = "'a'::text || E'\\n' \"q\" \t {x: [1, 2]} # not a comment \u{1}";
        let parsed: String = serde_saphyr::from_str(&quoted(nasty)).unwrap();
        assert_eq!(parsed, nasty);
    }
}
