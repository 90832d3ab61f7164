//! Identifier conventions: snake_case, name templates for database objects, PostgreSQL limits.

/// PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1) — silently, so we refuse them.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// `TarifPlanCategory` → `tarif_plan_category`, `HTTPLog` → `http_log`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// English plural of a snake_case name: `category` → `categories`, `tax` → `taxes`, `user_roles` stays.
pub fn plural(word: &str) -> String {
    let consonant_y = word.ends_with('y') && !word.ends_with(['a', 'e', 'o', 'u']) && {
        let before = word.chars().rev().nth(1);
        before.is_some_and(|c| !"aeiou".contains(c))
    };
    if consonant_y {
        format!("{}ies", &word[..word.len() - 1])
    } else if word.ends_with("ss") || word.ends_with(['x', 'z']) || word.ends_with("ch") || word.ends_with("sh") {
        format!("{word}es")
    } else if word.ends_with('s') {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// Fills a name template: `{table}`, `{columns}` (joined by `_`), `{name}`, `{lower}`, `{snake}`.
pub fn fill(template: &str, table: &str, columns: &[&str], name: &str) -> String {
    template
        .replace("{table}", table)
        .replace("{columns}", &columns.join("_"))
        .replace("{name}", name)
        .replace("{lower}", &name.to_ascii_lowercase())
        .replace("{snake}", &snake_case(name))
}

pub const TEMPLATE_PLACEHOLDERS: [&str; 5] = ["{table}", "{columns}", "{name}", "{lower}", "{snake}"];

/// Quotes an identifier for SQL when PostgreSQL would otherwise fold or reject it.
pub fn quote_ident(ident: &str) -> String {
    let plain = ident.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && ident.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !is_reserved(ident);
    if plain {
        ident.to_string()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// Words that cannot be bare column or table names (PostgreSQL's "reserved" and "reserved (can
/// be function or type)" categories),
/// sorted for binary search.
const RESERVED: [&str; 100] = [
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

pub fn is_reserved(word: &str) -> bool {
    RESERVED.binary_search(&word).is_ok()
}

/// A SQL string literal.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// PostgreSQL's makeObjectName: the longer of the two names loses characters until
/// `{name1}_{name2}_{label}` fits in 63 bytes.
pub fn make_object_name(name1: &str, name2: &str, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(!name2.is_empty());
    let available = MAX_IDENTIFIER_BYTES.saturating_sub(overhead);
    let (mut len1, mut len2) = (name1.len(), name2.len());
    while len1 + len2 > available {
        if len1 > len2 {
            len1 -= 1;
        } else {
            len2 -= 1;
        }
    }
    let (name1, name2) = (clip_bytes(name1, len1), clip_bytes(name2, len2));
    if name2.is_empty() {
        format!("{name1}_{label}")
    } else {
        format!("{name1}_{name2}_{label}")
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn clip_bytes(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A table's key in the schema model's `tables` (and its name in reports): `name` in the project's schema
/// `ours`, `schema.name` in another managed schema.
pub fn table_key(schema: &str, name: &str, ours: &str) -> String {
    if schema == ours {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

/// A table key's schema (None: the project's) and name. A key holds a dot only when it is
/// qualified: the project's own tables with a dot in their names are not supported.
pub fn split_table(key: &str) -> (Option<&str>, &str) {
    match key.split_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, key),
    }
}

/// A table key as SQL names it: `"invoice"`, or `billing.invoice` outside the project's schema
/// (which migrations put first on the search path).
pub fn quote_table(key: &str) -> String {
    match split_table(key) {
        (Some(schema), name) => format!("{}.{}", quote_ident(schema), quote_ident(name)),
        (None, name) => quote_ident(name),
    }
}

/// An object living in a table's schema (an index, a sequence) as SQL names it.
pub fn quote_in_table_schema(table_key: &str, object: &str) -> String {
    match split_table(table_key) {
        (Some(schema), _) => format!("{}.{}", quote_ident(schema), quote_ident(object)),
        (None, _) => quote_ident(object),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_words_and_acronyms() {
        assert_eq!(snake_case("TarifPlanCategory"), "tarif_plan_category");
        assert_eq!(snake_case("HTTPLog"), "http_log");
        assert_eq!(snake_case("User"), "user");
        assert_eq!(snake_case("Entity42Name"), "entity42_name");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("tax"), "taxes");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("tarif_plan"), "tarif_plans");
        assert_eq!(plural("user_roles"), "user_roles");
    }

    #[test]
    fn reserved_words_are_sorted_for_binary_search() {
        assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn quote_ident_quotes_only_when_needed() {
        assert_eq!(quote_ident("vbwd_user"), "vbwd_user");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("Mixed"), "\"Mixed\"");
        assert_eq!(quote_ident("position"), "position");
    }
}
