//! CREATE TYPE … AS ENUM, ALTER TYPE (ADD VALUE, RENAME VALUE, RENAME TO) and DROP TYPE, with
//! the columns that use the type following a rename.

use super::names::{ident, literal};
use super::Replay;
use crate::naming::quote_ident;
use crate::schema::model::{Column, EnumType};
use sqlparser::ast::{AlterType, AlterTypeAddValuePosition, AlterTypeOperation, Ident, ObjectName};

impl Replay<'_> {
    /// Our schema's enum type of that name, or `None` for one of another schema.
    fn our_enum(&self, name: &ObjectName) -> Result<Option<String>, String> {
        let ours = self.schema.name.clone();
        let (schema, name) = self.resolve(name, |s, n| s == ours && self.schema.enums.contains_key(n))?;
        Ok((schema == ours).then_some(name))
    }

    fn enum_values(&mut self, name: &str) -> Result<&mut Vec<String>, String> {
        let e = self.schema.enums.get_mut(name);
        Ok(&mut e.ok_or_else(|| format!("type '{name}' does not exist"))?.values)
    }

    /// Every column of our tables whose type is `name` or an array of it.
    fn columns_of_type(&mut self, name: &str) -> impl Iterator<Item = (&str, &mut Column)> {
        let (plain, array) = (quote_ident(name), format!("{}[]", quote_ident(name)));
        self.schema.tables.values_mut().flat_map(move |t| {
            let (plain, array) = (plain.clone(), array.clone());
            t.columns
                .iter_mut()
                .filter(move |c| c.data_type == plain || c.data_type == array)
                .map(|c| (t.name.as_str(), c))
        })
    }

    pub(super) fn create_enum(&mut self, name: &ObjectName, labels: &[Ident]) -> Result<(), String> {
        let Some(name) = self.our_enum(name)? else { return Ok(()) };
        if self.schema.enums.contains_key(&name) || self.schema.tables.contains_key(&name) {
            return Err(format!("type '{name}' already exists"));
        }
        let values: Vec<String> = labels.iter().map(literal).collect();
        if let Some(twice) = values.iter().enumerate().find_map(|(i, v)| values[..i].contains(v).then_some(v)) {
            return Err(format!("enum label '{twice}' used more than once"));
        }
        self.schema.enums.insert(name.clone(), EnumType { name, values });
        Ok(())
    }

    pub(super) fn alter_type(&mut self, alter: &AlterType) -> Result<(), String> {
        let Some(name) = self.our_enum(&alter.name)? else { return Ok(()) };
        match &alter.operation {
            AlterTypeOperation::AddValue(add) => {
                let value = literal(&add.value);
                let values = self.enum_values(&name)?;
                if values.contains(&value) {
                    return if add.if_not_exists {
                        Ok(())
                    } else {
                        Err(format!("enum label '{value}' already exists"))
                    };
                }
                let position = |neighbour: &Ident| {
                    let neighbour = literal(neighbour);
                    values
                        .iter()
                        .position(|v| *v == neighbour)
                        .ok_or_else(|| format!("'{neighbour}' is not a value of enum '{name}'"))
                };
                let at = match &add.position {
                    None => values.len(),
                    Some(AlterTypeAddValuePosition::Before(neighbour)) => position(neighbour)?,
                    Some(AlterTypeAddValuePosition::After(neighbour)) => position(neighbour)? + 1,
                };
                values.insert(at, value);
            }
            AlterTypeOperation::RenameValue(rename) => {
                let (from, to) = (literal(&rename.from), literal(&rename.to));
                self.schema.rename_enum_value(&name, &from, &to)?;
            }
            AlterTypeOperation::Rename(rename) => {
                let new = ident(&rename.new_name);
                if self.schema.enums.contains_key(&new) || self.schema.tables.contains_key(&new) {
                    return Err(format!("type '{new}' already exists"));
                }
                let mut e = self.schema.enums.remove(&name).ok_or_else(|| format!("type '{name}' does not exist"))?;
                e.name.clone_from(&new);
                self.schema.enums.insert(new.clone(), e);
                let (old_type, new_type) = (quote_ident(&name), quote_ident(&new));
                for (_, column) in self.columns_of_type(&name) {
                    column.data_type = column.data_type.replacen(&old_type, &new_type, 1);
                    if let Some(default) = &mut column.default {
                        for suffix in ["", "[]"] {
                            if let Some(value) = default.strip_suffix(&format!("::{old_type}{suffix}")) {
                                *default = format!("{value}::{new_type}{suffix}");
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// DROP TYPE: columns that use the type need CASCADE, which drops them.
    pub(super) fn drop_enums(&mut self, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<(), String> {
        for name in names {
            let Some(name) = self.our_enum(name)? else { continue };
            if !self.schema.enums.contains_key(&name) {
                if if_exists {
                    continue;
                }
                return Err(format!("type '{name}' does not exist"));
            }
            let users: Vec<(String, String)> =
                self.columns_of_type(&name).map(|(table, column)| (table.to_string(), column.name.clone())).collect();
            if let Some((table, column)) = users.first().filter(|_| !cascade) {
                return Err(format!(
                    "cannot drop type '{name}': column '{column}' of table '{table}' uses it (add CASCADE)"
                ));
            }
            for (table, column) in users {
                self.drop_column(&table, &column, false, true)?;
            }
            self.schema.enums.remove(&name);
        }
        Ok(())
    }
}
