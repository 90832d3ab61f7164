//! Identity columns: `GENERATED … AS IDENTITY (options)` in CREATE TABLE and in `ADD GENERATED`
//! (pg_dump's form, with its `SEQUENCE NAME`), and `ALTER COLUMN … SET GENERATED | SET <option>
//! | RESTART`, which sqlparser does not read.

use super::domains::words;
use super::names::ident;
use super::{Chunk, Replay};
use crate::ir::{Generated, SequenceOptions};
use sqlparser::ast::{Expr, GeneratedAs, ObjectName};
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

/// The range of an identity column's integer type (PostgreSQL takes no other type).
fn bounds(data_type: &str, column: &str) -> Result<(i64, i64), String> {
    crate::types::parse_builtin(data_type)
        .ok()
        .flatten()
        .and_then(|t| t.integer_bounds())
        .ok_or_else(|| format!("identity column '{column}' must be smallint, integer or bigint, not {data_type}"))
}

fn number(expr: &Expr) -> Result<i64, String> {
    let text = expr.to_string();
    text.parse().map_err(|_| format!("sequence option value `{text}` is not a whole number"))
}

/// An identity as the model spells it, from sqlparser's reading of its kind and options.
pub(super) fn identity(
    generated_as: &GeneratedAs,
    options: &[sqlparser::ast::SequenceOptions],
    data_type: &str,
    column: &str,
) -> Result<String, String> {
    use sqlparser::ast::SequenceOptions as O;
    let always = match generated_as {
        GeneratedAs::Always => true,
        GeneratedAs::ByDefault => false,
        GeneratedAs::ExpStored => return Err(format!("column '{column}': GENERATED needs ALWAYS or BY DEFAULT")),
    };
    let bounds = bounds(data_type, column)?;
    let mut given = SequenceOptions::default();
    for option in options {
        match option {
            O::StartWith(e, _) => given.start = Some(number(e)?),
            O::IncrementBy(e, _) => given.increment = Some(number(e)?),
            O::MinValue(e) => given.min = e.as_ref().map(number).transpose()?,
            O::MaxValue(e) => given.max = e.as_ref().map(number).transpose()?,
            O::Cache(e) => given.cache = Some(number(e)?),
            O::Cycle(no) => given.cycle = !no,
            other => return Err(format!("identity option `{}` is not supported by replay", other.to_string().trim())),
        }
    }
    let sequence = SequenceOptions::canonical(given.values(bounds), bounds);
    Ok(Generated::Identity { always, sequence }.sql())
}

/// The tokens without an identity's `SEQUENCE NAME name` (the sequence's name is not modelled,
/// and sqlparser does not read it).
pub(super) fn without_sequence_name(tokens: &[TokenWithSpan]) -> Vec<TokenWithSpan> {
    let is = |t: &TokenWithSpan, w: &str| matches!(&t.token, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    let significant = |from: usize| (from..tokens.len()).find(|&i| !matches!(tokens[i].token, Token::Whitespace(_)));
    let mut out = Vec::with_capacity(tokens.len());
    let mut at = 0;
    while at < tokens.len() {
        let name = significant(at + 1).filter(|&n| is(&tokens[at], "SEQUENCE") && is(&tokens[n], "NAME"));
        let Some(name) = name else {
            out.push(tokens[at].clone());
            at += 1;
            continue;
        };
        // The name: a word, then `.word` parts.
        at = significant(name + 1).map_or(tokens.len(), |i| i + 1);
        while let Some(dot) = significant(at).filter(|&i| tokens[i].token == Token::Period) {
            at = significant(dot + 1).map_or(tokens.len(), |i| i + 1);
        }
    }
    out
}

/// One `ALTER COLUMN` action on an identity.
enum Action {
    Kind(bool),
    Start(i64),
    Increment(i64),
    Min(Option<i64>),
    Max(Option<i64>),
    Cache(i64),
    Cycle(bool),
    Restart,
}

/// The actions of `SET GENERATED …`, `SET <sequence option>` and `RESTART [[WITH] n]`, in order;
/// None when the words hold anything else (another ALTER COLUMN form, for sqlparser).
fn actions<'a>(mut rest: &'a [&'a str]) -> Option<Vec<Action>> {
    let mut out = Vec::new();
    // A value is a number, maybe negative: the tokenizer gives `-` and `5` apart.
    fn value<'a>(rest: &'a [&'a str]) -> Option<(i64, &'a [&'a str])> {
        match rest {
            ["-", n, tail @ ..] => Some((format!("-{n}").parse().ok()?, tail)),
            [n, tail @ ..] => Some((n.parse().ok()?, tail)),
            [] => None,
        }
    }
    while !rest.is_empty() {
        let (action, tail) = match rest {
            ["SET", "GENERATED", "ALWAYS", tail @ ..] => (Action::Kind(true), tail),
            ["SET", "GENERATED", "BY", "DEFAULT", tail @ ..] => (Action::Kind(false), tail),
            ["SET", "START", "WITH", tail @ ..] | ["SET", "START", tail @ ..] => {
                let (v, tail) = value(tail)?;
                (Action::Start(v), tail)
            }
            ["SET", "INCREMENT", "BY", tail @ ..] | ["SET", "INCREMENT", tail @ ..] => {
                let (v, tail) = value(tail)?;
                (Action::Increment(v), tail)
            }
            ["SET", "NO", "MINVALUE", tail @ ..] => (Action::Min(None), tail),
            ["SET", "NO", "MAXVALUE", tail @ ..] => (Action::Max(None), tail),
            ["SET", "NO", "CYCLE", tail @ ..] => (Action::Cycle(false), tail),
            ["SET", "CYCLE", tail @ ..] => (Action::Cycle(true), tail),
            ["SET", "MINVALUE", tail @ ..] => {
                let (v, tail) = value(tail)?;
                (Action::Min(Some(v)), tail)
            }
            ["SET", "MAXVALUE", tail @ ..] => {
                let (v, tail) = value(tail)?;
                (Action::Max(Some(v)), tail)
            }
            ["SET", "CACHE", tail @ ..] => {
                let (v, tail) = value(tail)?;
                (Action::Cache(v), tail)
            }
            ["RESTART", "WITH", tail @ ..] | ["RESTART", tail @ ..] => {
                (Action::Restart, value(tail).map_or(tail, |(_, tail)| tail))
            }
            _ => return None,
        };
        out.push(action);
        rest = tail;
    }
    (!out.is_empty()).then_some(out)
}

impl Replay<'_> {
    /// `ALTER TABLE t ALTER [COLUMN] c` followed by identity actions only (`SET GENERATED
    /// ALWAYS SET INCREMENT BY 5`): the identity's kind and options changed in place, its
    /// sequence kept. None for any other statement.
    pub(super) fn alter_identity(&mut self, chunk: &Chunk) -> Option<Result<(), String>> {
        let words = words(&chunk.tokens);
        let mut w: Vec<&str> = words.iter().map(String::as_str).collect();
        if w.get(2) == Some(&"ONLY") {
            w.remove(2);
        }
        if w.get(..2) != Some(&["ALTER", "TABLE"][..]) {
            return None;
        }
        let second = w.iter().skip(3).position(|x| *x == "ALTER")? + 3;
        let column_at = second + 1 + usize::from(w.get(second + 1) == Some(&"COLUMN") && w.len() > second + 3);
        let actions = actions(w.get(column_at + 1..)?)?;
        // The names as written, found by position: `ALTER TABLE [ONLY] name ALTER [COLUMN] col`.
        let tokens: Vec<&Token> =
            chunk.tokens.iter().map(|t| &t.token).filter(|t| !matches!(t, Token::Whitespace(_))).collect();
        let is = |t: &Token, w: &str| matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
        let as_ident = |word: &sqlparser::tokenizer::Word| sqlparser::ast::Ident {
            value: word.value.clone(),
            quote_style: word.quote_style,
            span: Span::empty(),
        };
        let mut at = 2 + usize::from(tokens.get(2).is_some_and(|t| is(t, "ONLY")));
        let mut parts = Vec::new();
        while let Some(t) = tokens.get(at).filter(|t| !is(t, "ALTER")) {
            if let Token::Word(word) = t {
                parts.push(as_ident(word));
            }
            at += 1;
        }
        at += 1 + usize::from(tokens.get(at + 1).is_some_and(|t| is(t, "COLUMN")));
        let Some(Token::Word(col)) = tokens.get(at) else { return None };
        let column = ident(&as_ident(col));
        let table_name = ObjectName::from(parts);
        Some((|| {
            let Some(table) = self.existing_table(&table_name)? else { return Ok(()) };
            let t = self.table_mut(&table)?;
            let c = t
                .columns
                .iter_mut()
                .find(|c| c.name == column)
                .ok_or_else(|| format!("column '{column}' of table '{table}' does not exist"))?;
            let Some(Generated::Identity { mut always, sequence }) =
                c.generated.as_deref().and_then(Generated::from_sql)
            else {
                return Err(format!("column '{column}' of table '{table}' is not an identity column"));
            };
            let bounds = bounds(&c.data_type, &column)?;
            let mut values = sequence.values(bounds);
            // NO MINVALUE / NO MAXVALUE take the default for the increment the statement ends with.
            let (mut min, mut max) = (Some(values.min), Some(values.max));
            for action in actions {
                match action {
                    Action::Kind(a) => always = a,
                    Action::Start(v) => values.start = v,
                    Action::Increment(v) => values.increment = v,
                    Action::Min(v) => min = v,
                    Action::Max(v) => max = v,
                    Action::Cache(v) => values.cache = v,
                    Action::Cycle(v) => values.cycle = v,
                    Action::Restart => {}
                }
            }
            let defaults = SequenceOptions { increment: Some(values.increment), ..SequenceOptions::default() };
            let defaults = defaults.values(bounds);
            values.min = min.unwrap_or(defaults.min);
            values.max = max.unwrap_or(defaults.max);
            let sequence = SequenceOptions::canonical(values, bounds);
            c.generated = Some(Generated::Identity { always, sequence }.sql());
            Ok(())
        })())
    }
}
