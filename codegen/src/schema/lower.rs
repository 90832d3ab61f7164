//! `lower(IR) → Schema`: what the database must look like for the specs to hold.

use super::model::*;
use crate::ir::{Entity, FieldType, Link, Model, UniqueKind};
use crate::naming::quote_ident;

pub fn lower(model: &Model) -> Schema {
    let mut schema = Schema {
        name: model.project.schema.clone(),
        extensions: model.project.extensions.iter().cloned().collect(),
        ..Schema::default()
    };
    for e in &model.enums {
        schema.enums.insert(e.db_name.clone(), EnumType { name: e.db_name.clone(), values: e.values.clone() });
    }
    for d in &model.domains {
        let domain = Domain {
            name: d.name.clone(),
            base: pg_type(model, &d.base),
            not_null: d.not_null,
            default: d.default.clone(),
            checks: d.checks.iter().map(|c| (c.name.clone(), format!("CHECK ({})", c.expr))).collect(),
        };
        schema.domains.insert(d.name.clone(), domain);
    }
    for entity in model.entities.iter().chain(&model.keyed) {
        schema.managed.extend(entity.schema.clone());
        schema.tables.insert(entity.table_key(&model.project.schema), entity_table(model, entity));
    }
    for link in &model.links {
        schema.tables.insert(link.table.clone(), link_table(model, link));
    }
    schema
}

/// The type as PostgreSQL's `format_type()` renders it.
pub fn pg_type(model: &Model, ty: &FieldType) -> String {
    ty.catalog_spelling(&|name| {
        quote_ident(model.enums.iter().find(|e| e.name == name).map_or(name, |e| e.db_name.as_str()))
    })
}

fn entity_table(model: &Model, entity: &Entity) -> Table {
    let mut table = Table { name: entity.table_key(&model.project.schema), ..Table::default() };
    for field in &entity.fields {
        table.columns.push(Column {
            name: field.name.clone(),
            data_type: pg_type(model, &field.ty),
            nullable: field.nullable,
            default: field.db_default.as_ref().map(|d| d.sql.clone()),
            generated: field.generated.as_ref().map(crate::ir::Generated::sql),
            collation: field.collation.clone(),
            comment: field.doc.clone().filter(|_| model.project.comments),
        });
        if let Some(r) = &field.references {
            table.foreign_keys.insert(
                r.name.clone(),
                ForeignKey {
                    name: r.name.clone(),
                    columns: vec![field.name.clone()],
                    ref_schema: r.schema.clone().unwrap_or_else(|| model.project.schema.clone()),
                    ref_table: r.table.clone(),
                    ref_columns: vec![r.column.clone()],
                    on_delete: r.on_delete,
                    on_update: r.on_update,
                    options: r.deferrable.clone(),
                },
            );
        }
    }
    table.partition_by.clone_from(&entity.partition_by);
    table.comment = entity.doc.clone().filter(|_| model.project.comments);
    table.partitions = entity.partitions.iter().cloned().collect();
    for check in &entity.checks {
        table.checks.insert(check.name.clone(), format!("CHECK ({})", check.expr));
    }
    for (name, definition) in &entity.exclusions {
        table.checks.insert(name.clone(), definition.clone());
    }
    for fk in &entity.foreign_keys {
        table.foreign_keys.insert(
            fk.name.clone(),
            ForeignKey {
                name: fk.name.clone(),
                columns: fk.columns.clone(),
                ref_schema: fk.ref_schema.clone().unwrap_or_else(|| model.project.schema.clone()),
                ref_table: fk.ref_table.clone(),
                ref_columns: fk.ref_columns.clone(),
                on_delete: fk.on_delete,
                on_update: fk.on_update,
                options: fk.deferrable.clone(),
            },
        );
    }
    table.primary_key = (!entity.primary_key.columns.is_empty()).then(|| PrimaryKey {
        name: entity.primary_key.name.clone(),
        columns: entity.primary_key.columns.clone(),
        extra: None,
    });
    for ix in &entity.indexes {
        // What `pg_get_indexdef()` prints after USING, kept when it is more than plain columns.
        // The predicate in parentheses, as `pg_get_expr()` prints it.
        let predicate = ix.predicate.as_ref().map(|p| format!("({p})"));
        let include: Vec<String> = ix.include.iter().map(|c| quote_ident(c)).collect();
        let extra = IndexParts {
            method: &ix.method,
            columns: &ix.columns,
            elements: &ix.elements,
            include: &include,
            nulls_not_distinct: ix.nulls_not_distinct,
            storage: &ix.storage,
            predicate: predicate.as_deref(),
        }
        .extra();
        let plain_columns = ix.elements.iter().zip(&ix.columns).all(|(e, c)| e.starts_with(&quote_ident(c)));
        let unique_key = ix.method == "btree" && ix.predicate.is_none() && plain_columns;
        // A constraint's extra words are its definition's, not an index's.
        let extra = match ix.unique {
            Some(UniqueKind::Constraint) => {
                key_definition("UNIQUE", &ix.columns, ix.nulls_not_distinct, &ix.include, &[])
            }
            _ => extra,
        };
        match ix.unique.filter(|_| unique_key) {
            Some(kind) => {
                table.uniques.insert(
                    ix.name.clone(),
                    Unique {
                        name: ix.name.clone(),
                        columns: ix.columns.clone(),
                        kind,
                        kind_explicit: ix.kind_explicit,
                        extra,
                    },
                );
            }
            None => {
                table.indexes.insert(
                    ix.name.clone(),
                    Index {
                        name: ix.name.clone(),
                        columns: ix.columns.clone(),
                        unique: ix.unique.is_some(),
                        method: ix.method.clone(),
                        predicate,
                        extra,
                    },
                );
            }
        }
    }
    table
}

fn link_table(model: &Model, link: &Link) -> Table {
    let mut table = Table { name: link.table.clone(), ..Table::default() };
    for end in [&link.left, &link.right] {
        table.columns.push(Column {
            name: end.column.clone(),
            data_type: pg_type(model, &end.ty),
            nullable: false,
            default: None,
            generated: None,
            collation: None,
            comment: None,
        });
        let r = &end.reference;
        table.foreign_keys.insert(
            r.name.clone(),
            ForeignKey {
                name: r.name.clone(),
                columns: vec![end.column.clone()],
                ref_schema: r.schema.clone().unwrap_or_else(|| model.project.schema.clone()),
                ref_table: r.table.clone(),
                ref_columns: vec![r.column.clone()],
                on_delete: r.on_delete,
                on_update: crate::ir::FkAction::NoAction,
                options: String::new(),
            },
        );
    }
    table.primary_key = Some(PrimaryKey {
        name: link.primary_key.clone(),
        columns: vec![link.left.column.clone(), link.right.column.clone()],
        extra: None,
    });
    table
}
