//! CREATE DOMAIN, ALTER DOMAIN and DROP DOMAIN. sqlparser reads CREATE DOMAIN without `NOT NULL`
//! and no ALTER DOMAIN at all, so those words are read here from the statement's tokens.

use super::{Chunk, Replay};
use crate::naming::quote_ident;
use crate::schema::model::Domain;
use sqlparser::ast::{CreateDomain, ObjectName, TableConstraint};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// The statement's words, upper-cased, without whitespace and comments.
pub(super) fn words(tokens: &[TokenWithSpan]) -> Vec<String> {
    tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
            other => other.to_string(),
        })
        .collect()
}

/// Whether the chunk starts with these words.
pub(super) fn starts_with(chunk: &Chunk, head: &[&str]) -> bool {
    let w = words(&chunk.tokens);
    w.len() >= head.len() && w.iter().zip(head).all(|(a, b)| a == b)
}

/// The tokens with a top-level `NOT NULL` (or `NULL`) taken out, and whether it said NOT NULL.
pub(super) fn without_not_null(tokens: &[TokenWithSpan]) -> (Vec<TokenWithSpan>, bool) {
    let mut out: Vec<TokenWithSpan> = Vec::new();
    let mut depth = 0usize;
    let mut not_null = false;
    let is_word = |t: &TokenWithSpan, w: &str| matches!(&t.token, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    for token in tokens {
        match &token.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && is_word(token, "NULL") {
            // Drop a preceding NOT (and the whitespace between).
            while out.last().is_some_and(|t| matches!(t.token, Token::Whitespace(_))) {
                out.pop();
            }
            if out.last().is_some_and(|t| is_word(t, "NOT")) {
                out.pop();
                not_null = true;
            }
            continue;
        }
        out.push(token.clone());
    }
    (out, not_null)
}

impl Replay<'_> {
    /// A domain name of our schema (None: another schema's, which the model does not hold).
    fn our_domain(&self, name: &ObjectName) -> Result<Option<String>, String> {
        let ours = self.schema.name.clone();
        let (schema, name) = self.resolve(name, |s, n| s == ours && self.schema.domains.contains_key(n))?;
        Ok((schema == ours).then_some(name))
    }

    pub(super) fn create_domain(&mut self, create: &CreateDomain, not_null: bool) -> Result<(), String> {
        let Some(name) = self.our_domain(&create.name)? else { return Ok(()) };
        if self.schema.domains.contains_key(&name) || self.schema.enums.contains_key(&name) {
            return Err(format!("type '{name}' already exists"));
        }
        let mut checks = std::collections::BTreeMap::new();
        for constraint in &create.constraints {
            let TableConstraint::Check(check) = constraint else {
                return Err(format!("domain constraint `{constraint}` is not supported by replay"));
            };
            let constraint_name = check.name.as_ref().map_or_else(|| format!("{name}_check"), super::names::ident);
            checks.insert(constraint_name, format!("CHECK ({})", self.as_written(&check.expr)));
        }
        let base = self.pg_type(&create.data_type)?;
        let default = create.default.as_ref().map(|d| self.as_written(d));
        self.schema.domains.insert(name.clone(), Domain { name, base, not_null, default, checks });
        Ok(())
    }

    pub(super) fn drop_domain(&mut self, name: &ObjectName, if_exists: bool) -> Result<(), String> {
        let Some(name) = self.our_domain(name)? else { return Ok(()) };
        let mut users = self.schema.tables.values().flat_map(|t| t.columns.iter().map(move |c| (t, c)));
        if let Some((t, c)) = users.find(|(_, c)| c.data_type.trim_end_matches("[]") == quote_ident(&name)) {
            return Err(format!("cannot drop domain '{name}': column '{}' of table '{}' uses it", c.name, t.name));
        }
        if self.schema.domains.remove(&name).is_none() && !if_exists {
            return Err(format!("type '{name}' does not exist"));
        }
        Ok(())
    }

    /// `ALTER DOMAIN name SET DEFAULT … | DROP DEFAULT | SET NOT NULL | DROP NOT NULL |
    /// ADD CONSTRAINT c CHECK (…) | DROP CONSTRAINT [IF EXISTS] c`.
    pub(super) fn alter_domain(&mut self, chunk: &Chunk) -> Result<(), String> {
        let text: String = chunk.tokens.iter().map(|t| t.token.to_string()).collect();
        let meaningful: Vec<(usize, &TokenWithSpan)> =
            chunk.tokens.iter().enumerate().filter(|(_, t)| !matches!(t.token, Token::Whitespace(_))).collect();
        // `name` or `schema.name` (pg_dump qualifies every name).
        let qualified = matches!(meaningful.get(3).map(|(_, t)| &t.token), Some(Token::Period));
        let name_at = if qualified { 4 } else { 2 };
        let Some((at, Token::Word(name))) = meaningful.get(name_at).map(|(i, t)| (*i, &t.token)) else {
            return Err("ALTER DOMAIN without a name".into());
        };
        if qualified {
            let schema = match &meaningful[2].1.token {
                Token::Word(w) if w.quote_style.is_some() => w.value.clone(),
                Token::Word(w) => w.value.to_ascii_lowercase(),
                _ => String::new(),
            };
            if schema != self.schema.name {
                return Ok(());
            }
        }
        let name = if name.quote_style.is_some() { name.value.clone() } else { name.value.to_ascii_lowercase() };
        let w = words(&chunk.tokens);
        let rest: Vec<&str> = w.iter().skip(name_at + 1).map(String::as_str).collect();
        // Ownership is not part of the model (as GRANT is not).
        if rest.first() == Some(&"OWNER") {
            return Ok(());
        }
        // The text after `ALTER DOMAIN name`: the action's own words as written.
        let after: String = chunk.tokens[at + 1..].iter().map(|t| t.token.to_string()).collect();
        let after_name = after.trim();
        let domain = self.schema.domains.get_mut(&name).ok_or_else(|| format!("domain '{name}' does not exist"))?;
        match rest.as_slice() {
            ["SET", "DEFAULT", ..] => {
                // `SET DEFAULT expr`: everything after the second word.
                let expr = after_name.split_once(char::is_whitespace).map_or("", |(_, rest)| rest.trim_start());
                let expr = expr.split_once(char::is_whitespace).map_or("", |(_, rest)| rest);
                domain.default = Some(expr.trim().to_string());
            }
            ["DROP", "DEFAULT"] => domain.default = None,
            ["SET", "NOT", "NULL"] => domain.not_null = true,
            ["DROP", "NOT", "NULL"] => domain.not_null = false,
            ["ADD", "CONSTRAINT", constraint, "CHECK", ..] => {
                let check = after_name.find("CHECK").or_else(|| after_name.find("check")).map(|i| &after_name[i + 5..]);
                let check = check.ok_or("ADD CONSTRAINT without CHECK")?.trim();
                let constraint = constraint.trim_matches('"').to_string();
                let constraint = if meaningful
                    .get(name_at + 3)
                    .is_some_and(|(_, t)| matches!(&t.token, Token::Word(w) if w.quote_style.is_none()))
                {
                    constraint.to_ascii_lowercase()
                } else {
                    constraint
                };
                domain.checks.insert(constraint, format!("CHECK {check}"));
            }
            ["DROP", "CONSTRAINT", "IF", "EXISTS", constraint] | ["DROP", "CONSTRAINT", constraint] => {
                let constraint = constraint.trim_matches('"').to_ascii_lowercase();
                let found = domain.checks.keys().find(|k| k.to_ascii_lowercase() == constraint).cloned();
                match found {
                    Some(k) => {
                        domain.checks.remove(&k);
                    }
                    None if rest.contains(&"EXISTS") => {}
                    None => return Err(format!("constraint '{constraint}' of domain '{name}' does not exist")),
                }
            }
            _ => return Err(format!("`{}` is not supported by replay", text.trim())),
        }
        Ok(())
    }
}
