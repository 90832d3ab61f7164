//! CREATE TABLE, ALTER TABLE and DROP TABLE: columns, and the renames that every key, index and
//! foreign key naming the renamed column or table follows.

use super::names::ident;
use super::types::serial_type;
use super::Replay;

use crate::schema::model::{Column, Table};
use sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, ColumnDef, ColumnOption, CreateTable, DropBehavior,
    GeneratedExpressionMode, IndexColumn, ObjectName, RenameTableNameKind, TableConstraint,
};

impl Replay<'_> {
    pub(super) fn table(&self, name: &str) -> Result<&Table, String> {
        self.schema.tables.get(name).ok_or_else(|| format!("table '{name}' does not exist"))
    }

    pub(super) fn table_mut(&mut self, name: &str) -> Result<&mut Table, String> {
        self.schema.tables.get_mut(name).ok_or_else(|| format!("table '{name}' does not exist"))
    }

    pub(super) fn create_table(&mut self, create: &CreateTable) -> Result<(), String> {
        let unsupported = [
            (create.temporary, "TEMPORARY"),
            (create.or_replace, "OR REPLACE"),
            (create.query.is_some(), "AS query"),
            (create.like.is_some(), "LIKE"),
            (create.clone.is_some(), "CLONE"),
            (create.inherits.is_some(), "INHERITS"),
        ];
        if let Some((_, what)) = unsupported.iter().find(|(used, _)| *used) {
            return Err(format!("CREATE TABLE … {what} is not supported by replay"));
        }
        let (schema, name) = self.resolve_table(&create.name)?;
        if let (Some(parent), Some(bound)) = (&create.partition_of, &create.for_values) {
            let Some(parent) = self.existing_table(parent)? else { return Ok(()) };
            if self.relation_exists(&name) {
                return Err(format!("relation '{name}' already exists"));
            }
            self.table_mut(&parent)?.partitions.insert(name, bound_text(bound));
            return Ok(());
        }
        if !self.manages(&schema) {
            // Tables of other schemas are known by name only, as `introspect` knows them.
            let tables = self.schema.other_schemas.entry(schema).or_default();
            if tables.contains(&name) {
                return if create.if_not_exists { Ok(()) } else { Err(format!("relation '{name}' already exists")) };
            }
            tables.push(name);
            tables.sort();
            return Ok(());
        }
        let name = self.display_name(&schema, &name);
        if create.if_not_exists && self.schema.tables.contains_key(&name) {
            return Ok(());
        }
        if self.relation_exists(&name) || self.schema.enums.contains_key(&name) {
            return Err(format!("relation '{name}' already exists"));
        }
        let partition_by = create.partition_by.as_ref().map(|key| self.partition_key(key));
        let table = Table { name: name.clone(), partition_by, ..Table::default() };
        self.schema.tables.insert(name.clone(), table);
        for column in &create.columns {
            self.add_column(&name, column)?;
        }
        for constraint in &create.constraints {
            self.add_constraint(&name, constraint, None, false)?;
        }
        Ok(())
    }

    /// A column and the keys, references and checks written on it.
    fn add_column(&mut self, table: &str, def: &ColumnDef) -> Result<(), String> {
        let name = ident(&def.name);
        if self.table(table)?.column(&name).is_some() {
            return Err(format!("column '{name}' of table '{table}' already exists"));
        }
        let serial = serial_type(&def.data_type);
        let data_type = match serial {
            Some(integer) => integer.to_string(),
            None => self.pg_type(&def.data_type)?,
        };
        let mut column = Column {
            name: name.clone(),
            data_type,
            nullable: true,
            default: None,
            generated: None,
            collation: None,
            comment: None,
        };
        if serial.is_some() {
            column.default = Some(crate::schema::model::serial_default(table, &name));
            column.nullable = false;
        }
        let mut constraints = Vec::new();
        let only_this = || vec![IndexColumn::from(def.name.clone())];
        for option in &def.options {
            let constraint_name = || option.name.clone();
            match &option.option {
                ColumnOption::Null => column.nullable = true,
                ColumnOption::NotNull => column.nullable = false,
                ColumnOption::Default(expr) => column.default = self.default_expr(expr, &column.data_type),
                ColumnOption::Collation(collation) => {
                    column.collation = collation.0.last().and_then(|part| part.as_ident()).map(ident);
                }
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    generation_expr_mode,
                    sequence_options,
                    ..
                } => {
                    column.generated = Some(match generation_expr {
                        Some(expr) if *generation_expr_mode != Some(GeneratedExpressionMode::Virtual) => {
                            crate::ir::Generated::Stored(self.as_written(expr)).sql()
                        }
                        None => {
                            let options = sequence_options.as_deref().unwrap_or_default();
                            super::identity::identity(generated_as, options, &column.data_type, &name)?
                        }
                        _ => return Err(format!("column option `{}` is not supported by replay", option.option)),
                    });
                    column.nullable &= generation_expr.is_some();
                }
                ColumnOption::PrimaryKey(key) => {
                    let mut key = key.clone();
                    (key.name, key.columns) = (constraint_name().or(key.name), only_this());
                    constraints.push(TableConstraint::PrimaryKey(key));
                }
                ColumnOption::Unique(key) => {
                    let mut key = key.clone();
                    (key.name, key.columns) = (constraint_name().or(key.name), only_this());
                    constraints.push(TableConstraint::Unique(key));
                }
                ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    (fk.name, fk.columns) = (constraint_name().or(fk.name), vec![def.name.clone()]);
                    constraints.push(TableConstraint::ForeignKey(fk));
                }
                ColumnOption::Check(check) => {
                    let mut check = check.clone();
                    check.name = constraint_name().or(check.name);
                    constraints.push(TableConstraint::Check(check));
                }
                other => return Err(format!("column option `{other}` is not supported by replay")),
            }
        }
        self.table_mut(table)?.columns.push(column);
        for constraint in &constraints {
            self.add_constraint(table, constraint, Some(&name), false)?;
        }
        Ok(())
    }

    pub(super) fn alter_table(&mut self, alter: &AlterTable) -> Result<(), String> {
        let (schema, name) = self.resolve_table(&alter.name)?;
        if alter.if_exists && !self.table_exists(&schema, &name) {
            return Ok(());
        }
        let Some(mut table) = self.existing_table(&alter.name)? else { return Ok(()) };
        for operation in &alter.operations {
            table = self.alter_table_operation(&table, operation)?;
        }
        Ok(())
    }

    /// Applies one operation; the table's name afterwards (RENAME TO changes it).
    fn alter_table_operation(&mut self, table: &str, operation: &AlterTableOperation) -> Result<String, String> {
        let cascade = |behavior: &Option<DropBehavior>| *behavior == Some(DropBehavior::Cascade);
        match operation {
            AlterTableOperation::AddColumn { if_not_exists, column_def, column_position: None, .. } => {
                if !(*if_not_exists && self.table(table)?.column(&ident(&column_def.name)).is_some()) {
                    self.add_column(table, column_def)?;
                }
            }
            AlterTableOperation::AddConstraint { constraint, not_valid } => {
                self.add_constraint(table, constraint, None, *not_valid)?;
            }
            AlterTableOperation::DropColumn { column_names, if_exists, drop_behavior, .. } => {
                for column in column_names {
                    self.drop_column(table, &ident(column), *if_exists, cascade(drop_behavior))?;
                }
            }
            AlterTableOperation::DropConstraint { if_exists, name, drop_behavior } => {
                self.drop_constraint(table, &ident(name), *if_exists, cascade(drop_behavior))?;
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                self.rename_constraint(table, &ident(old_name), &ident(new_name))?;
            }
            AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                self.rename_column(table, &ident(old_column_name), &ident(new_column_name))?;
            }
            AlterTableOperation::RenameTable {
                table_name: RenameTableNameKind::To(new) | RenameTableNameKind::As(new),
            } => {
                return self.rename_table(table, new);
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                self.alter_column(table, &ident(column_name), op)?;
            }
            AlterTableOperation::AttachPartitionOf { partition, for_values } => {
                // The attached table's columns are the table's; it is a partition from now on.
                let Some(attached) = self.existing_table(partition)? else { return Ok(table.to_string()) };
                self.schema.tables.remove(&attached);
                self.table_mut(table)?.partitions.insert(attached, bound_text(for_values));
            }
            AlterTableOperation::DetachPartitionOf { partition, .. } => {
                let (_, detached) = self.resolve(partition, |_, _| false)?;
                let t = self.table_mut(table)?;
                if t.partitions.remove(&detached).is_none() {
                    return Err(format!("'{detached}' is not a partition of '{table}'"));
                }
                let columns = t.columns.clone();
                self.schema.tables.insert(detached.clone(), Table { name: detached, columns, ..Table::default() });
            }
            other => return Err(format!("`ALTER TABLE … {other}` is not supported by replay")),
        }
        Ok(table.to_string())
    }

    fn alter_column(&mut self, table: &str, name: &str, operation: &AlterColumnOperation) -> Result<(), String> {
        let t = self.table(table)?;
        let mut column =
            t.column(name).cloned().ok_or_else(|| format!("column '{name}' of table '{table}' does not exist"))?;
        match operation {
            AlterColumnOperation::SetNotNull => column.nullable = false,
            AlterColumnOperation::DropNotNull => {
                if t.primary_key.as_ref().is_some_and(|pk| pk.columns.iter().any(|c| c == name)) {
                    return Err(format!("column '{name}' is in a primary key"));
                }
                column.nullable = true;
            }
            AlterColumnOperation::SetDefault { value } => column.default = self.default_expr(value, &column.data_type),
            AlterColumnOperation::DropDefault => column.default = None,
            AlterColumnOperation::SetDataType { data_type, .. } => column.data_type = self.pg_type(data_type)?,
            AlterColumnOperation::AddGenerated { generated_as, sequence_options } => {
                if column.generated.is_some() || column.default.is_some() {
                    return Err(format!("column '{name}' of table '{table}' already has a default or generation"));
                }
                if column.nullable {
                    return Err(format!(
                        "column '{name}' of table '{table}' must be NOT NULL before identity is added"
                    ));
                }
                let generated_as = generated_as.as_ref().unwrap_or(&sqlparser::ast::GeneratedAs::Always);
                let options = sequence_options.as_deref().unwrap_or_default();
                column.generated = Some(super::identity::identity(generated_as, options, &column.data_type, name)?);
            }
            other => return Err(format!("`ALTER COLUMN … {other}` is not supported by replay")),
        }
        if let Some(slot) = self.table_mut(table)?.columns.iter_mut().find(|c| c.name == name) {
            *slot = column;
        }
        Ok(())
    }

    /// Drops the column with the keys, indexes and foreign keys on it; foreign keys of other
    /// tables that reference it need CASCADE.
    pub(super) fn drop_column(
        &mut self,
        table: &str,
        column: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Result<(), String> {
        if self.table(table)?.column(column).is_none() {
            return if if_exists {
                Ok(())
            } else {
                Err(format!("column '{column}' of table '{table}' does not exist"))
            };
        }
        let ours = self.schema.name.clone();
        self.drop_dependents(
            |fk_table, fk| {
                let references = fk.target(&ours) == table && fk.ref_columns.iter().any(|c| c == column);
                references && !(fk_table == table && fk.columns.iter().any(|c| c == column))
            },
            cascade,
            &format!("column '{column}' of table '{table}'"),
        )?;
        let t = self.table_mut(table)?;
        let uses = |columns: &[String]| columns.iter().any(|c| c == column);
        t.columns.retain(|c| c.name != column);
        if t.primary_key.as_ref().is_some_and(|pk| uses(&pk.columns)) {
            t.primary_key = None;
        }
        t.uniques.retain(|_, u| !uses(&u.columns));
        t.indexes.retain(|_, i| !uses(&i.columns));
        t.foreign_keys.retain(|_, fk| !uses(&fk.columns));
        Ok(())
    }

    fn rename_column(&mut self, table: &str, old: &str, new: &str) -> Result<(), String> {
        self.table_mut(table)?;
        self.schema.rename_column(table, old, new)
    }

    fn rename_table(&mut self, table: &str, new: &ObjectName) -> Result<String, String> {
        let new = match new.0.as_slice() {
            [part] => part.as_ident().map(ident).ok_or_else(|| format!("`{new}` is not a table name"))?,
            _ => return Err(format!("RENAME TO `{new}`: a table keeps its schema (use SET SCHEMA)")),
        };
        let new = self.display_name(self.schema_of(table), &new);
        if self.relation_exists(&new) {
            return Err(format!("relation '{new}' already exists"));
        }
        self.schema.rename_table(table, &new)?;
        Ok(new)
    }

    /// DROP TABLE a, b: foreign keys between the dropped tables go with them; others need CASCADE.
    pub(super) fn drop_tables(&mut self, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<(), String> {
        let mut dropped = Vec::new();
        for name in names {
            let (schema, table) = self.resolve_table(name)?;
            // A partition goes with its rows; the table keeps its other partitions.
            if let Some(parent) = self.schema.tables.values_mut().find(|t| t.partitions.contains_key(&table)) {
                parent.partitions.remove(&table);
                continue;
            }
            if !self.table_exists(&schema, &table) {
                if if_exists {
                    continue;
                }
                return Err(format!("table '{}' does not exist", self.display_name(&schema, &table)));
            }
            if self.manages(&schema) {
                dropped.push(self.display_name(&schema, &table));
            } else if let Some(tables) = self.schema.other_schemas.get_mut(&schema) {
                tables.retain(|t| *t != table);
                if tables.is_empty() {
                    self.schema.other_schemas.remove(&schema);
                }
            }
        }
        let ours = self.schema.name.clone();
        let what = format!("table '{}'", dropped.join("', '"));
        self.drop_dependents(
            |fk_table, fk| dropped.contains(&fk.target(&ours)) && !dropped.iter().any(|d| d == fk_table),
            cascade,
            &what,
        )?;
        for table in &dropped {
            self.schema.tables.remove(table);
        }
        Ok(())
    }
}

impl Replay<'_> {
    /// `COMMENT ON TABLE t | COLUMN t.c IS …` (other objects' comments are not modeled).
    pub(super) fn comment(
        &mut self,
        kind: sqlparser::ast::CommentObject,
        name: &ObjectName,
        comment: &Option<String>,
    ) -> Result<(), String> {
        use sqlparser::ast::CommentObject;
        match kind {
            CommentObject::Table => {
                let Some(table) = self.existing_table(name)? else { return Ok(()) };
                self.table_mut(&table)?.comment.clone_from(comment);
            }
            CommentObject::Column => {
                let mut parts = name.0.clone();
                let column = parts.pop().ok_or("COMMENT ON COLUMN without a column")?;
                let column = match column {
                    sqlparser::ast::ObjectNamePart::Identifier(id) => ident(&id),
                    other => return Err(format!("`{other}` is not a column name")),
                };
                let Some(table) = self.existing_table(&ObjectName(parts))? else { return Ok(()) };
                let t = self.table_mut(&table)?;
                let c = t.columns.iter_mut().find(|c| c.name == column);
                c.ok_or_else(|| format!("column '{column}' of table '{table}' does not exist"))?
                    .comment
                    .clone_from(comment);
            }
            _ => {}
        }
        Ok(())
    }

    /// `RANGE (a, b)` as `pg_get_partkeydef()` prints it (sqlparser reads it as a call).
    fn partition_key(&self, key: &sqlparser::ast::Expr) -> String {
        use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments};
        let Expr::Function(call) = key else { return self.as_written(key) };
        let FunctionArguments::List(list) = &call.args else { return self.as_written(key) };
        let parts: Vec<String> = list
            .args
            .iter()
            .map(|arg| match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => self.as_written(e),
                other => other.to_string(),
            })
            .collect();
        format!("{} ({})", call.name.to_string().to_ascii_uppercase(), parts.join(", "))
    }
}

/// A partition bound as `pg_get_expr(relpartbound)` prints it (sqlparser upper-cases the words
/// of a hash bound, PostgreSQL does not).
fn bound_text(bound: &sqlparser::ast::ForValues) -> String {
    match bound {
        sqlparser::ast::ForValues::With { modulus, remainder } => {
            format!("FOR VALUES WITH (modulus {modulus}, remainder {remainder})")
        }
        other => other.to_string(),
    }
}
