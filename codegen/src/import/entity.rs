//! One table as an entity document: fields in column order, keys, indexes and references, with
//! an explicit name wherever the project's templates would name an object otherwise. What specs
//! cannot say (CHECK constraints, partial or expression indexes, composite or ON UPDATE foreign
//! keys, references to tables not imported) is left out with a warning.

use super::defaults::db_default;
use super::docs::{EntityDoc, FieldDoc, IndexDoc, ReferenceDoc};
use super::types::field_type;
use super::Context;
use crate::ir::{FkAction, UniqueKind};
use crate::naming::{fill, snake_case};
use crate::schema::{ForeignKey, Index, Table};
use crate::spec::types::spec_name;

pub fn entity(ctx: &Context, table: &Table, warnings: &mut Vec<String>) -> EntityDoc {
    let name = ctx.names[&table.name].clone();
    let t = table.name.as_str();
    let pk_column = table.primary_key.as_ref().map(|pk| pk.columns[0].clone()).unwrap_or_default();
    let mut fields: Vec<FieldDoc> = table
        .columns
        .iter()
        .map(|c| {
            let ty = field_type(&c.data_type, &ctx.enums);
            let enum_values = ctx.enum_values(&c.data_type);
            FieldDoc {
                name: c.name.clone(),
                ty: spec_name(&ty),
                nullable: c.nullable,
                primary_key: c.name == pk_column,
                db_default: c.default.as_ref().map(|d| db_default(d, &ty, enum_values)),
                unique: None,
                index: None,
                references: None,
            }
        })
        .collect();
    let mut indexes = Vec::new();
    for u in table.uniques.values() {
        if let Some(extra) = &u.extra {
            warnings.push(format!("{t}: unique key {} ({extra}) is more than specs can express; skipped", u.name));
            continue;
        }
        let template = match u.kind {
            UniqueKind::Index => &ctx.naming.unique_index,
            UniqueKind::Constraint => &ctx.naming.unique_constraint,
        };
        let field = match u.columns.as_slice() {
            [one] => fields.iter_mut().find(|f| &f.name == one).filter(|f| f.unique.is_none()),
            _ => None,
        };
        match field {
            Some(f) => {
                let conventional = fill(template, t, &[&f.name], &f.name);
                f.unique = Some((u.kind, (u.name != conventional).then(|| u.name.clone())));
            }
            None => {
                let cols: Vec<&str> = u.columns.iter().map(String::as_str).collect();
                let conventional = fill(template, t, &cols, "");
                indexes.push(IndexDoc {
                    fields: u.columns.clone(),
                    unique: Some(u.kind),
                    name: (u.name != conventional).then(|| u.name.clone()),
                });
            }
        }
    }
    for ix in table.indexes.values() {
        if let Some(why) = index_problem(table, ix) {
            warnings.push(format!("{t}: index {} ({why}) is more than specs can express; skipped", ix.name));
            continue;
        }
        let field = match ix.columns.as_slice() {
            [one] => fields.iter_mut().find(|f| &f.name == one).filter(|f| f.unique.is_none() && f.index.is_none()),
            _ => None,
        };
        match field {
            Some(f) => {
                let conventional = fill(&ctx.naming.index, t, &[&f.name], &f.name);
                f.index = Some((ix.name != conventional).then(|| ix.name.clone()));
            }
            None => {
                let cols: Vec<&str> = ix.columns.iter().map(String::as_str).collect();
                let conventional = fill(&ctx.naming.index, t, &cols, "");
                indexes.push(IndexDoc {
                    fields: ix.columns.clone(),
                    unique: None,
                    name: (ix.name != conventional).then(|| ix.name.clone()),
                });
            }
        }
    }
    for fk in table.foreign_keys.values() {
        match reference(ctx, table, fk, &fields) {
            Ok(r) => {
                let column = &fk.columns[0];
                if let Some(f) = fields.iter_mut().find(|f| &f.name == column) {
                    f.references = Some(r);
                }
            }
            Err(why) => warnings.push(format!(
                "{t}: foreign key {} {why}; skipped ({t}.{} stays a plain column)",
                fk.name,
                fk.columns.join(", ")
            )),
        }
    }
    for (check, definition) in &table.checks {
        warnings.push(format!("{t}: constraint {check} ({definition}) is not expressible in specs; skipped"));
    }
    let default_table = format!("{}{}", ctx.prefix, snake_case(&name));
    EntityDoc { table: (default_table != table.name).then(|| table.name.clone()), name, fields, indexes }
}

/// Why an index cannot be an `index:`/`indexes:` entry (specs declare plain btree column lists).
fn index_problem(table: &Table, ix: &Index) -> Option<String> {
    if ix.unique {
        return Some(format!(
            "a unique {} index{}",
            ix.method,
            ix.predicate.as_ref().map(|p| format!(" WHERE {p}")).unwrap_or_default()
        ));
    }
    if ix.method != "btree" {
        return Some(format!("USING {}", ix.method));
    }
    if let Some(p) = &ix.predicate {
        return Some(format!("WHERE {p}"));
    }
    if let Some(extra) = &ix.extra {
        return Some(extra.clone());
    }
    ix.columns.iter().find(|c| table.column(c).is_none()).map(|e| format!("on the expression {e}"))
}

/// The `references:` of a foreign key, or why it has none.
fn reference(ctx: &Context, table: &Table, fk: &ForeignKey, fields: &[FieldDoc]) -> Result<ReferenceDoc, String> {
    let [column] = fk.columns.as_slice() else {
        return Err(format!("spans {} columns; specs reference from one", fk.columns.len()));
    };
    if fk.ref_schema != ctx.schema.name {
        return Err(format!("references {}.{}, outside the imported schema", fk.ref_schema, fk.ref_table));
    }
    let Some(target_entity) = ctx.entity_tables.get(&fk.ref_table) else {
        return Err(format!("references {}, which is not imported as an entity", fk.ref_table));
    };
    if fk.on_update != FkAction::NoAction {
        return Err(format!("is ON UPDATE {}, which specs cannot express", fk.on_update.sql()));
    }
    if !fk.options.is_empty() {
        return Err(format!("is {}, which specs cannot express", fk.options));
    }
    let field = fields.iter().find(|f| &f.name == column).expect("a foreign key column exists");
    if field.references.is_some() {
        return Err(format!("is a second foreign key on {column}; specs allow one per field"));
    }
    if fk.on_delete == FkAction::SetNull && !field.nullable {
        return Err(format!("is ON DELETE SET NULL on the NOT NULL column {column}, which specs refuse"));
    }
    let target = &ctx.schema.tables[&fk.ref_table];
    let [ref_column] = fk.ref_columns.as_slice() else {
        return Err(format!("references {} columns", fk.ref_columns.len()));
    };
    let target_pk = target.primary_key.as_ref().map(|pk| pk.columns[0].as_str());
    let is_key = target_pk == Some(ref_column.as_str())
        || target.uniques.values().any(|u| u.extra.is_none() && u.columns == [ref_column.clone()]);
    if !is_key {
        return Err(format!("references {}.{ref_column}, which is neither its primary key nor unique", fk.ref_table));
    }
    let own_type = table.column(column).map(|c| field_type(&c.data_type, &ctx.enums));
    let target_type = target.column(ref_column).map(|c| field_type(&c.data_type, &ctx.enums));
    if own_type != target_type {
        return Err(format!("joins columns of different types ({column} and {}.{ref_column})", fk.ref_table));
    }
    let conventional = fill(&ctx.naming.foreign_key, &table.name, &[column], column);
    Ok(ReferenceDoc {
        target: if target_pk == Some(ref_column.as_str()) {
            target_entity.clone()
        } else {
            format!("{target_entity}.{ref_column}")
        },
        on_delete: fk.on_delete,
        fk_name: (fk.name != conventional).then(|| fk.name.clone()),
    })
}
