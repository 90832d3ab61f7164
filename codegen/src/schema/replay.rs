//! `replay(migrations) → Schema` offline: the `.up.sql` files applied in order to an empty schema,
//! parsed with sqlparser and spelled in the catalog's vocabulary, as `lower` and `introspect` are.
//!
//! Every statement is applied whole or not at all (as PostgreSQL does); one that cannot be
//! modeled is reported with its file and line, and replay goes on to report the others.

mod constraints;
mod domains;
mod enums;
mod identity;
mod indexes;
mod names;
mod tables;
#[cfg(test)]
mod tests;
mod types;

use super::model::Schema;
use sqlparser::ast::{ObjectType, Set, Statement, UserDefinedTypeRepresentation};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};
use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;

/// A statement replay could not apply: where it starts, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayError {
    pub file: PathBuf,
    /// 1-based line of the statement's first token.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: error: {}", self.file.display(), self.line, self.message)
    }
}

impl std::error::Error for ReplayError {}

/// Applies `files` (path shown in errors, SQL text) in order to an empty schema named
/// `schema_name`; every statement it cannot model is an error, all reported at once.
pub fn replay(schema_name: &str, files: &[(PathBuf, String)]) -> Result<Schema, Vec<ReplayError>> {
    replay_managed(schema_name, &BTreeSet::new(), files)
}

/// As [`replay`], with the tables of the `managed` schemas modelled too.
pub fn replay_managed(
    schema_name: &str,
    managed: &BTreeSet<String>,
    files: &[(PathBuf, String)],
) -> Result<Schema, Vec<ReplayError>> {
    let empty = Schema { name: schema_name.to_string(), managed: managed.clone(), ..Schema::default() };
    // Snapshotting the schema before every statement is quadratic in its size (20 s for 1,000
    // tables); only a failing replay needs it, to report each error without follow-on ones.
    replay_pass(&empty, files, false).or_else(|_| replay_pass(&empty, files, true))
}

fn replay_pass(empty: &Schema, files: &[(PathBuf, String)], snapshots: bool) -> Result<Schema, Vec<ReplayError>> {
    let mut schema = empty.clone();
    let mut errors = Vec::new();
    for (file, sql) in files {
        let mut error = |line: usize, message: String| errors.push(ReplayError { file: file.clone(), line, message });
        let statements = match split(sql) {
            Ok(statements) => statements,
            Err((line, message)) => {
                error(line, message);
                continue;
            }
        };
        // sqlx runs each migration in its own transaction: SET LOCAL search_path ends with it.
        let mut replay = Replay { schema, search_path: vec!["public".into()], source: sql };
        for statement in statements {
            let before = snapshots.then(|| replay.schema.clone());
            if let Err(message) = replay.run(&statement) {
                if let Some(before) = before {
                    replay.schema = before;
                }
                error(statement.line, message);
            }
        }
        schema = replay.schema;
    }
    if errors.is_empty() {
        Ok(schema)
    } else {
        Err(errors)
    }
}

/// One statement's tokens (without the `;`) and the line it starts on.
struct Chunk {
    line: usize,
    tokens: Vec<TokenWithSpan>,
}

/// Splits the file at top-level semicolons (dollar-quoted bodies are single tokens), so a
/// syntax error in one statement does not hide the next.
fn split(sql: &str) -> Result<Vec<Chunk>, (usize, String)> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .map_err(|e| (line_of(e.location.line), format!("syntax error: {}", e.message)))?;
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    for token in tokens.into_iter().chain([TokenWithSpan::wrap(Token::SemiColon)]) {
        if token.token != Token::SemiColon {
            current.push(token);
            continue;
        }
        let statement = std::mem::take(&mut current);
        if let Some(first) = statement.iter().find(|t| !matches!(t.token, Token::Whitespace(_))) {
            chunks.push(Chunk { line: line_of(first.span.start.line), tokens: statement });
        }
    }
    Ok(chunks)
}

fn line_of(line: u64) -> usize {
    usize::try_from(line).unwrap_or(usize::MAX).max(1)
}

/// The schema being built, and what the current file has set.
struct Replay<'a> {
    schema: Schema,
    /// Schemas searched for unqualified names, first one for new objects.
    search_path: Vec<String>,
    /// The current file's text, to keep expressions as they were written.
    source: &'a str,
}

impl Replay<'_> {
    fn run(&mut self, chunk: &Chunk) -> Result<(), String> {
        if domains::starts_with(chunk, &["ALTER", "DOMAIN"]) {
            return self.alter_domain(chunk);
        }
        if let Some(result) = self.alter_identity(chunk) {
            return result;
        }
        let (tokens, not_null) = if domains::starts_with(chunk, &["CREATE", "DOMAIN"]) {
            domains::without_not_null(&chunk.tokens)
        } else if domains::starts_with(chunk, &["CREATE", "TABLE"]) || domains::starts_with(chunk, &["ALTER", "TABLE"])
        {
            (identity::without_sequence_name(&chunk.tokens), false)
        } else {
            (chunk.tokens.clone(), false)
        };
        let statements = Parser::new(&PostgreSqlDialect {})
            .with_tokens_with_locations(tokens)
            .parse_statements()
            .map_err(|e| match e {
                ParserError::TokenizerError(m) | ParserError::ParserError(m) => format!("syntax error: {m}"),
                ParserError::RecursionLimitExceeded => "syntax error: statement nested too deeply".into(),
            })?;
        for statement in &statements {
            if let Statement::CreateDomain(create) = statement {
                self.create_domain(create, not_null)?;
                continue;
            }
            self.apply(statement).map_err(|why| why.unwrap_or_else(|| unsupported(chunk)))?;
        }
        Ok(())
    }

    /// `Err(None)`: a statement replay does not model (the caller names it).
    fn apply(&mut self, statement: &Statement) -> Result<(), Option<String>> {
        match statement {
            Statement::CreateType { name, representation: Some(UserDefinedTypeRepresentation::Enum { labels }) } => {
                self.create_enum(name, labels)?;
            }
            Statement::AlterType(alter) => self.alter_type(alter)?,
            Statement::CreateTable(create) => self.create_table(create)?,
            Statement::AlterTable(alter) => self.alter_table(alter)?,
            Statement::CreateIndex(create) => self.create_index(create)?,
            Statement::AlterIndex { name, operation } => self.alter_index(name, operation)?,
            Statement::Drop { object_type, if_exists, names, cascade, .. } => match object_type {
                ObjectType::Table => self.drop_tables(names, *if_exists, *cascade)?,
                ObjectType::Type => self.drop_enums(names, *if_exists, *cascade)?,
                ObjectType::Index => self.drop_indexes(names, *if_exists, *cascade)?,
                _ => return Err(None),
            },
            Statement::Set(Set::SingleAssignment { variable, values, .. })
                if variable.to_string().eq_ignore_ascii_case("search_path") =>
            {
                let entries: Vec<String> = values.iter().map(names::path_entry).collect::<Result<_, _>>()?;
                // `"$user"` names the role's own schema, which migrations never create here.
                self.search_path = entries.into_iter().filter(|s| !s.starts_with('$')).collect();
            }
            Statement::Comment { object_type, object_name, comment, .. } => {
                self.comment(*object_type, object_name, comment)?;
            }
            Statement::DropDomain(drop) => self.drop_domain(&drop.name, drop.if_exists)?,
            Statement::CreateExtension(create) => {
                self.schema.extensions.insert(create.name.value.clone());
            }
            Statement::DropExtension(drop) => {
                for name in &drop.names {
                    if !self.schema.extensions.remove(&name.value) && !drop.if_exists {
                        return Err(Some(format!("extension {} does not exist", name.value)));
                    }
                }
            }
            // Nothing the model holds: transactions, other settings, comments, privileges.
            Statement::StartTransaction { .. }
            | Statement::Commit { .. }
            | Statement::Set(_)
            | Statement::CreateSchema { .. }
            | Statement::Grant(_)
            | Statement::Revoke(_) => {}
            _ => return Err(None),
        }
        Ok(())
    }
}

/// `CREATE FUNCTION is not supported by replay`, named by the statement's leading keywords.
fn unsupported(chunk: &Chunk) -> String {
    let words: Vec<String> = chunk
        .tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map_while(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() && w.keyword != sqlparser::keywords::Keyword::NoKeyword => {
                Some(w.value.to_ascii_uppercase())
            }
            _ => None,
        })
        .take(4)
        .collect();
    let what = if words.is_empty() { "this statement".to_string() } else { format!("`{}`", words.join(" ")) };
    format!("{what} is not supported by replay (it models tables, columns, keys, indexes, foreign keys and enum types)")
}

/// An EXCLUDE constraint's definition as replay renders it (`EXCLUDE USING gist (…)`), from what
/// a spec writes after EXCLUDE: the specs and replay spell it through the same parser.
pub fn exclusion_definition(text: &str) -> Result<String, String> {
    use sqlparser::ast::{AlterTableOperation, TableConstraint};
    let sql = format!("ALTER TABLE t ADD CONSTRAINT c EXCLUDE {text}");
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, &sql).map_err(|e| e.to_string())?;
    let [Statement::AlterTable(alter)] = statements.as_slice() else { return Err("more than one statement".into()) };
    match alter.operations.as_slice() {
        [AlterTableOperation::AddConstraint { constraint: TableConstraint::Exclude(exclude), .. }] => {
            let mut exclude = exclude.clone();
            exclude.name = None;
            Ok(exclude.to_string())
        }
        _ => Err("more than one constraint".into()),
    }
}
