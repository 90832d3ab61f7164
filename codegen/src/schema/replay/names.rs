//! Names as PostgreSQL stores them: unquoted identifiers fold to lower case, long ones are cut
//! to 63 bytes, schemas come from the qualifier or the search path, and unnamed constraints and
//! indexes get the names PostgreSQL chooses (`{table}_{columns}_key`).

use super::Replay;
use crate::naming::MAX_IDENTIFIER_BYTES;
use sqlparser::ast::{Expr, Ident, ObjectName, ObjectNamePart};

/// `Users` → `users`, `"Users"` → `Users`; cut to 63 bytes as PostgreSQL does.
pub(super) fn ident(id: &Ident) -> String {
    let name = if id.quote_style.is_some() { id.value.clone() } else { id.value.to_ascii_lowercase() };
    clip(&name, MAX_IDENTIFIER_BYTES).to_string()
}

/// `'x'` of an enum label or a search-path entry, as written.
pub(super) fn literal(id: &Ident) -> String {
    if id.quote_style == Some('\'') {
        id.value.clone()
    } else {
        ident(id)
    }
}

/// One entry of `SET search_path TO a, "B", 'c'`.
pub(super) fn path_entry(value: &Expr) -> Result<String, String> {
    match value {
        Expr::Identifier(id) => Ok(ident(id)),
        Expr::Value(v) => Ok(v.value.clone().into_string().unwrap_or_else(|| v.to_string())),
        other => Err(format!("search_path entry `{other}` is not a schema name")),
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub(super) fn clip(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl Replay<'_> {
    /// Schema and name of an object: its qualifier, else the first schema on the search path
    /// where `exists` finds it, else the first one (where a new object goes).
    pub(super) fn resolve(
        &self,
        name: &ObjectName,
        exists: impl Fn(&str, &str) -> bool,
    ) -> Result<(String, String), String> {
        let parts: Vec<String> = name
            .0
            .iter()
            .map(|part| match part {
                ObjectNamePart::Identifier(id) => Ok(ident(id)),
                ObjectNamePart::Function(_) => Err(format!("name `{name}` is not an identifier")),
            })
            .collect::<Result<_, _>>()?;
        match parts.as_slice() {
            [schema, object] => Ok((schema.clone(), object.clone())),
            [object] => {
                let found = self.search_path.iter().find(|schema| exists(schema, object));
                let schema = found.or(self.search_path.first()).cloned().unwrap_or_else(|| self.schema.name.clone());
                Ok((schema, object.clone()))
            }
            _ => Err(format!("name `{name}` has more parts than schema.object")),
        }
    }

    /// Whether the schema's tables are modelled: the project's, and the other ones it manages.
    pub(super) fn manages(&self, schema: &str) -> bool {
        schema == self.schema.name || self.schema.managed.contains(schema)
    }

    /// The schema of a table key.
    pub(super) fn schema_of<'k>(&'k self, key: &'k str) -> &'k str {
        crate::schema::model::split_table(key).0.unwrap_or(&self.schema.name)
    }

    /// Whether the table exists (tables of unmanaged schemas are known by name only).
    pub(super) fn table_exists(&self, schema: &str, table: &str) -> bool {
        if self.manages(schema) {
            self.schema.tables.contains_key(&self.display_name(schema, table))
        } else {
            self.schema.other_schemas.get(schema).is_some_and(|tables| tables.iter().any(|t| t == table))
        }
    }

    /// A table's schema and name.
    pub(super) fn resolve_table(&self, name: &ObjectName) -> Result<(String, String), String> {
        self.resolve(name, |schema, table| self.table_exists(schema, table))
    }

    /// An existing table's key: `Some` in a managed schema, `None` in another (which the model
    /// does not hold).
    pub(super) fn existing_table(&self, name: &ObjectName) -> Result<Option<String>, String> {
        let (schema, table) = self.resolve_table(name)?;
        if !self.table_exists(&schema, &table) {
            return Err(format!("table '{}' does not exist", self.display_name(&schema, &table)));
        }
        Ok(self.manages(&schema).then(|| self.display_name(&schema, &table)))
    }

    /// `table` in our schema, `schema.table` in another: the table's key when it is managed.
    pub(super) fn display_name(&self, schema: &str, name: &str) -> String {
        crate::schema::model::table_key(schema, name, &self.schema.name)
    }

    /// Whether a table, index or key's index already has this name (they share one namespace).
    pub(super) fn relation_exists(&self, name: &str) -> bool {
        self.schema.tables.values().any(|t| {
            t.name == name
                || t.primary_key.as_ref().is_some_and(|pk| pk.name == name)
                || t.uniques.contains_key(name)
                || t.indexes.contains_key(name)
        })
    }

    /// Whether any constraint of the schema has this name.
    fn constraint_exists(&self, name: &str) -> bool {
        self.schema.tables.values().any(|t| {
            t.primary_key.as_ref().is_some_and(|pk| pk.name == name)
                || t.uniques.contains_key(name)
                || t.foreign_keys.contains_key(name)
                || t.checks.contains_key(name)
        })
    }

    /// The name PostgreSQL gives an unnamed key, index or constraint: `{table}_{columns}_{label}`
    /// cut to fit 63 bytes, with a number after the label while the name is taken.
    pub(super) fn choose_name(&self, table: &str, columns: &[String], label: &str) -> String {
        let columns = columns.join("_");
        (0..)
            .map(|n| {
                crate::naming::make_object_name(
                    crate::schema::model::split_table(table).1,
                    &columns,
                    &if n == 0 { label.to_string() } else { format!("{label}{n}") },
                )
            })
            .find(|name| !self.relation_exists(name) && !self.constraint_exists(name))
            .unwrap_or_default()
    }
}
