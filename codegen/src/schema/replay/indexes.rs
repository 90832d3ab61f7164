//! CREATE INDEX, ALTER INDEX … RENAME TO and DROP INDEX. A unique btree index on plain columns
//! without a predicate is a `Unique` of kind index, any other an `Index`, as `introspect` sorts them.

use super::constraints::rename_key;
use super::names::ident;
use super::types::column_name;
use super::Replay;
use crate::ir::UniqueKind;
use crate::naming::quote_ident;
use crate::schema::model::{Index, Unique};
use sqlparser::ast::{AlterIndexOperation, CreateIndex, Expr, IndexColumn, IndexType, ObjectName, OrderBySort};

impl Replay<'_> {
    pub(super) fn create_index(&mut self, create: &CreateIndex) -> Result<(), String> {
        if !create.index_options.is_empty() || !create.alter_options.is_empty() {
            return Err("index options other than storage parameters are not supported by replay".into());
        }
        let with: Vec<String> = create
            .with
            .iter()
            .map(|e| {
                crate::schema::storage_parameters(&e.to_string())
                    .and_then(|p| p.into_iter().next())
                    .ok_or_else(|| format!("storage parameter `{e}` is not `name = value`"))
            })
            .collect::<Result<_, _>>()?;
        let Some(table) = self.existing_table(&create.table_name)? else { return Ok(()) };
        let method = match &create.using {
            None | Some(IndexType::BTree) => "btree".to_string(),
            Some(IndexType::Hash) => "hash".into(),
            Some(IndexType::GIN) => "gin".into(),
            Some(IndexType::GiST) => "gist".into(),
            Some(IndexType::SPGiST) => "spgist".into(),
            Some(IndexType::BRIN) => "brin".into(),
            Some(IndexType::Bloom) => "bloom".into(),
            Some(IndexType::Custom(name)) => ident(name),
        };
        let mut columns = Vec::new();
        let mut elements = Vec::new();
        for column in &create.columns {
            let (name, element) = self.index_element(&table, column)?;
            columns.push(name);
            elements.push(element);
        }
        let name = match &create.name {
            Some(name) => single_name(name)?,
            None => {
                let parts: Vec<String> = create.columns.iter().map(|c| name_part(&c.column.expr)).collect();
                self.choose_name(&table, &parts, "idx")
            }
        };
        if self.relation_exists(&name) {
            return if create.if_not_exists { Ok(()) } else { Err(format!("relation '{name}' already exists")) };
        }
        // In parentheses, as `pg_get_expr()` prints a predicate.
        let predicate = create.predicate.as_ref().map(|p| match p {
            Expr::Nested(_) => self.as_written(p),
            _ => format!("({})", self.as_written(p)),
        });
        // What `pg_get_indexdef()` prints after USING; kept when it is more than the plain columns.
        let include: Vec<String> = create.include.iter().map(|c| quote_ident(&ident(c))).collect();
        let extra = crate::schema::model::IndexParts {
            method: &method,
            columns: &columns,
            elements: &elements,
            include: &include,
            nulls_not_distinct: create.nulls_distinct == Some(false),
            storage: &with,
            predicate: predicate.as_deref(),
        }
        .extra();
        let plain_columns = create.columns.iter().all(|c| column_name(&c.column.expr).is_some());
        let t = self.table_mut(&table)?;
        if create.unique && predicate.is_none() && plain_columns && method == "btree" {
            let unique = Unique { name: name.clone(), columns, kind: UniqueKind::Index, kind_explicit: true, extra };
            t.uniques.insert(name, unique);
        } else {
            let index = Index { name: name.clone(), columns, unique: create.unique, method, predicate, extra };
            t.indexes.insert(name, index);
        }
        Ok(())
    }

    /// One indexed column or expression: what `Index::columns` holds, and how
    /// `pg_get_indexdef()` prints it with its operator class and sort order.
    fn index_element(&self, table: &str, column: &IndexColumn) -> Result<(String, String), String> {
        let (name, mut element) = match column_name(&column.column.expr) {
            Some(name) => {
                self.check_columns(table, std::slice::from_ref(&name))?;
                let quoted = quote_ident(&name);
                (name, quoted)
            }
            None => {
                let text = self.as_written(&column.column.expr);
                (text.clone(), text)
            }
        };
        if let Some(class) = &column.operator_class {
            element.push_str(&format!(" {class}"));
        }
        let options = &column.column.options;
        let desc = match &options.sort {
            Some(OrderBySort::Using(_)) => {
                return Err(format!("index column `{column}`: USING an operator is not supported"))
            }
            sort => *sort == Some(OrderBySort::Desc),
        };
        if desc {
            element.push_str(" DESC");
        }
        match options.nulls_first {
            Some(true) if !desc => element.push_str(" NULLS FIRST"),
            Some(false) if desc => element.push_str(" NULLS LAST"),
            _ => {}
        }
        Ok((name, element))
    }

    /// The table whose key or index has this name.
    /// The key of the table in `schema` holding the index (or key) `name`.
    fn index_table(&self, schema: &str, name: &str) -> Option<String> {
        let tables = self.schema.tables.values();
        tables
            .filter(|t| self.schema_of(&t.name) == schema)
            .filter(|t| {
                t.primary_key.as_ref().is_some_and(|pk| pk.name == name)
                    || t.uniques.contains_key(name)
                    || t.indexes.contains_key(name)
            })
            .map(|t| t.name.clone())
            .next()
    }

    /// Our schema's index of that name, or `None` for one of another schema.
    fn our_index(&self, name: &ObjectName) -> Result<Option<(String, String)>, String> {
        let (schema, index) = self.resolve(name, |s, n| self.index_table(s, n).is_some())?;
        Ok(self.manages(&schema).then_some((schema, index)))
    }

    /// Renaming a key's index renames the key (they are one object to PostgreSQL).
    pub(super) fn alter_index(&mut self, name: &ObjectName, operation: &AlterIndexOperation) -> Result<(), String> {
        let AlterIndexOperation::RenameIndex { index_name } = operation;
        let Some((schema, old)) = self.our_index(name)? else { return Ok(()) };
        let new = single_name(index_name)?;
        let table = self.index_table(&schema, &old).ok_or_else(|| format!("index '{old}' does not exist"))?;
        if self.relation_exists(&new) {
            return Err(format!("relation '{new}' already exists"));
        }
        let t = self.table_mut(&table)?;
        match &mut t.primary_key {
            Some(pk) if pk.name == old => pk.name.clone_from(&new),
            _ => {
                let _ = rename_key(&mut t.uniques, &old, &new, |u| u.name.clone_from(&new))
                    || rename_key(&mut t.indexes, &old, &new, |i| i.name.clone_from(&new));
            }
        }
        Ok(())
    }

    pub(super) fn drop_indexes(&mut self, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<(), String> {
        for name in names {
            let Some((schema, index)) = self.our_index(name)? else { continue };
            let Some(table) = self.index_table(&schema, &index) else {
                if if_exists {
                    continue;
                }
                return Err(format!("index '{index}' does not exist"));
            };
            let t = self.table(&table)?;
            let is_key = t.primary_key.as_ref().is_some_and(|pk| pk.name == index)
                || t.uniques.get(&index).is_some_and(|u| u.kind == UniqueKind::Constraint);
            if is_key {
                return Err(format!(
                    "cannot drop index '{index}': constraint '{index}' on table '{table}' requires it"
                ));
            }
            if let Some(columns) = t.uniques.get(&index).map(|u| u.columns.clone()) {
                self.drop_key_dependents(&table, &columns, cascade, &format!("index '{index}'"))?;
            }
            let t = self.table_mut(&table)?;
            t.uniques.remove(&index);
            t.indexes.remove(&index);
        }
        Ok(())
    }
}

/// An index's own name (it always lives in its table's schema).
fn single_name(name: &ObjectName) -> Result<String, String> {
    name.0.last().and_then(|part| part.as_ident()).map(ident).ok_or_else(|| format!("`{name}` is not an index name"))
}

/// What PostgreSQL names an index after: the column, the function, or `expr`.
fn name_part(expr: &Expr) -> String {
    match expr {
        Expr::Function(f) => f.name.0.last().and_then(|part| part.as_ident()).map_or_else(|| "expr".into(), ident),
        other => column_name(other).unwrap_or_else(|| "expr".into()),
    }
}
