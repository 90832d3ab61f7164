//! What CHECKs say about single fields, so the API states and checks the same rule before the
//! database does: numeric bounds (`VALUE >= 1901 AND VALUE <= 2155`, `position >= 0`,
//! `quantity BETWEEN 1 AND 999`) become `validate.min`/`max` of integer and float fields (the
//! document's minimum/maximum), and each CHECK on one field names that field in errors.
//! Expressions are read with sqlparser; a conjunct this does not understand restricts nothing
//! here (the database still enforces it).

use crate::ir::{CheckDef, DomainDef, Entity, FieldType};
use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Tightens `validate.min`/`max` of each integer or float field by the CHECKs on it: its
/// domain's (on `VALUE`) and the entity's conjuncts comparing it with a number.
pub(super) fn apply(entities: &mut [Entity], domains: &[DomainDef]) {
    for entity in entities {
        let checks = entity.checks.clone();
        for field in &mut entity.fields {
            let integer = field.ty.is_integer();
            if !integer && !matches!(field.ty.base(), FieldType::Float | FieldType::Double) {
                continue;
            }
            let mut conjuncts = Vec::new();
            if let FieldType::Domain { name, .. } = &field.ty {
                for domain in domain_chain(domains, name) {
                    conjuncts.extend(domain.checks.iter().flat_map(|c| bounds(&c.expr, "value", integer)));
                }
            }
            conjuncts.extend(checks.iter().flat_map(|c| bounds(&c.expr, &field.name, integer)));
            for (min, max) in conjuncts {
                let v = &mut field.validate;
                v.min = tighter(v.min, min, f64::max);
                v.max = tighter(v.max, max, f64::min);
            }
        }
    }
}

/// The field a CHECK is about, when its expression names exactly one of `fields` (`position >= 0`,
/// `char_length(code) = 2`); None for a rule over several.
pub fn field_of_check(check: &CheckDef, fields: &[&str]) -> Option<String> {
    let mut named: Vec<String> =
        column_words(&check.expr)?.into_iter().filter(|w| fields.contains(&w.as_str())).collect();
    named.dedup();
    match named.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// A domain and the domains it is built on.
fn domain_chain<'d>(domains: &'d [DomainDef], name: &str) -> Vec<&'d DomainDef> {
    let mut chain = Vec::new();
    let mut next = Some(name.to_string());
    while let Some(name) = next.take() {
        if let Some(domain) = domains.iter().find(|d| d.name == name).filter(|d| !chain.contains(d)) {
            chain.push(domain);
            if let FieldType::Domain { name, .. } = &domain.base {
                next = Some(name.clone());
            }
        }
    }
    chain
}

fn tighter(current: Option<f64>, new: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (current, new) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

/// `(min, max)` of each conjunct of `expr` that compares `subject` with a number. Strict bounds
/// hold for integers only (`> 0` is `>= 1`); a strict bound on a float is left to the database.
fn bounds(expr: &str, subject: &str, integer: bool) -> Vec<(Option<f64>, Option<f64>)> {
    let Ok(mut parser) = Parser::new(&PostgreSqlDialect {}).try_with_sql(expr) else { return Vec::new() };
    let Ok(parsed) = parser.parse_expr() else { return Vec::new() };
    let mut conjuncts = Vec::new();
    flatten_and(&parsed, &mut conjuncts);
    // The field itself, not a cast of it (`x::integer >= 1` holds for x = 0.6).
    let is_subject = |e: &Expr| matches!(unparen(e), Expr::Identifier(id) if id.value.eq_ignore_ascii_case(subject));
    let step = |strict: bool, x: f64, up: bool| match (strict, integer) {
        (false, _) => Some(x),
        (true, true) => Some(if up { x.floor() + 1.0 } else { x.ceil() - 1.0 }),
        (true, false) => None,
    };
    conjuncts
        .into_iter()
        .filter_map(|c| match c {
            Expr::Between { expr, negated: false, low, high } if is_subject(expr) => {
                let round = |x: f64, up: bool| match (integer, up) {
                    (false, _) => x,
                    (true, true) => x.ceil(),
                    (true, false) => x.floor(),
                };
                Some((number(low).map(|x| round(x, true)), number(high).map(|x| round(x, false))))
            }
            Expr::BinaryOp { left, op, right } => {
                let (op, x) = if is_subject(left) {
                    (op.clone(), number(right)?)
                } else if is_subject(right) {
                    (mirror(op)?, number(left)?)
                } else {
                    return None;
                };
                match op {
                    BinaryOperator::GtEq => Some((step(false, x, true), None)),
                    BinaryOperator::Gt => Some((step(true, x, true), None)),
                    BinaryOperator::LtEq => Some((None, step(false, x, false))),
                    BinaryOperator::Lt => Some((None, step(true, x, false))),
                    BinaryOperator::Eq => Some((Some(x), Some(x))),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// `a < b` read from b's side.
fn mirror(op: &BinaryOperator) -> Option<BinaryOperator> {
    Some(match op {
        BinaryOperator::Gt => BinaryOperator::Lt,
        BinaryOperator::GtEq => BinaryOperator::LtEq,
        BinaryOperator::Lt => BinaryOperator::Gt,
        BinaryOperator::LtEq => BinaryOperator::GtEq,
        BinaryOperator::Eq => BinaryOperator::Eq,
        _ => return None,
    })
}

fn flatten_and<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    match unnest(expr) {
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            flatten_and(left, out);
            flatten_and(right, out);
        }
        other => out.push(other),
    }
}

/// Without parentheses.
fn unparen(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) => unparen(inner),
        other => other,
    }
}

/// Without parentheses and casts (PostgreSQL prints `(0)::numeric`).
fn unnest(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => unnest(inner),
        other => other,
    }
}

fn number(expr: &Expr) -> Option<f64> {
    match unnest(expr) {
        Expr::Value(v) => match &v.value {
            // PostgreSQL prints some constants quoted under a cast: `'-5'::integer`.
            Value::Number(text, _) | Value::SingleQuotedString(text) => text.parse().ok(),
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => number(expr).map(|x| -x),
        Expr::UnaryOp { op: UnaryOperator::Plus, expr } => number(expr),
        _ => None,
    }
}

/// The words of an expression that may be columns: neither function names (a word before `(`)
/// nor types (after `::`), sorted; None when it does not tokenize.
fn column_words(expr: &str) -> Option<Vec<String>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, expr).tokenize().ok()?;
    let significant: Vec<&Token> = tokens.iter().filter(|t| !matches!(t, Token::Whitespace(_))).collect();
    let mut words = Vec::new();
    for (i, token) in significant.iter().enumerate() {
        let Token::Word(word) = token else { continue };
        let call = matches!(significant.get(i + 1), Some(Token::LParen));
        let cast = i > 0 && matches!(significant[i - 1], Token::DoubleColon);
        if !call && !cast {
            words.push(word.value.clone());
        }
    }
    words.sort();
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_conjuncts_bound_the_subject() {
        assert_eq!(
            bounds("((VALUE >= 1901) AND (VALUE <= 2155))", "value", true),
            [(Some(1901.0), None), (None, Some(2155.0))]
        );
        assert_eq!(bounds("position > 0", "position", true), [(Some(1.0), None)]);
        assert_eq!(bounds("0 < x", "x", false), [(None, None)]);
        assert_eq!(bounds("quantity BETWEEN 1 AND 999", "quantity", true), [(Some(1.0), Some(999.0))]);
        assert_eq!(bounds("(amount >= (-5)::numeric)", "amount", false), [(Some(-5.0), None)]);
        assert!(bounds("a > 0 OR a < -5", "a", true).is_empty());
        assert_eq!(bounds("(x >= '-5'::integer)", "x", true), [(Some(-5.0), None)]);
        assert!(bounds("((x)::integer >= 1)", "x", false).is_empty(), "a bound on a cast of the field");
        assert!(bounds("b > 0", "a", true).is_empty());
    }

    #[test]
    fn checks_on_one_column_name_it() {
        let fields = ["code", "position", "total", "Order", "starts", "ends"];
        let check = |expr: &str| field_of_check(&CheckDef { name: "c".into(), expr: expr.into() }, &fields);
        assert_eq!(check("char_length(code) = 2"), Some("code".into()));
        assert_eq!(check("(position >= 0)"), Some("position".into()));
        assert_eq!(check("(total)::numeric > 0"), Some("total".into()));
        assert_eq!(check("starts < ends"), None);
        assert_eq!(check("\"Order\" > 0 AND \"Order\" < 10"), Some("Order".into()));
    }
}
