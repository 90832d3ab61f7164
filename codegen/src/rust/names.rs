//! Rust spellings of spec names.

use crate::naming::snake_case;
use proc_macro2::Ident;

/// File and module name of an entity: `TarifPlan` → `tarif_plan`.
pub fn module_name(entity: &str) -> String {
    let snake = snake_case(entity);
    if is_keyword(&snake) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// A field identifier; Rust keywords become raw identifiers (`r#type`).
pub fn field_ident(name: &str) -> Ident {
    if is_keyword(name) && !matches!(name, "self" | "Self" | "super" | "crate") {
        Ident::new_raw(name, proc_macro2::Span::call_site())
    } else {
        Ident::new(name, proc_macro2::Span::call_site())
    }
}

/// `ONE_TIME` → `OneTime`, `it's complicated` → `ItSComplicated`.
pub fn variant_name(value: &str) -> String {
    let mut out: String = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            cs.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(cs).collect::<String>()
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

fn is_keyword(word: &str) -> bool {
    const KEYWORDS: [&str; 51] = [
        "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do",
        "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
        "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct",
        "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while",
    ];
    KEYWORDS.contains(&word) || word == "yield"
}
