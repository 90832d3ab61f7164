//! One table as an entity document: fields in column order (identity, generated and collated
//! columns too), keys, indexes (any method, sort order, operator class, expression, INCLUDE,
//! predicate), CHECKs and references, with an explicit name wherever the project's templates
//! would name an object otherwise. What specs cannot say (EXCLUDE constraints, composite or MATCH
//! FULL foreign keys, references to tables not imported) is left out with a warning.

use super::defaults::db_default;
use super::docs::{EntityDoc, FieldDoc, IndexDoc, ReferenceDoc};
use super::types::field_type;
use super::Context;
use crate::ir::{FkAction, UniqueKind};
use crate::naming::{fill, quote_ident, snake_case};
use crate::schema::{split_table, ForeignKey, Index, Table};
use crate::spec::types::spec_name;

pub fn entity(ctx: &Context, table: &Table, warnings: &mut Vec<String>) -> EntityDoc {
    let name = ctx.names[&table.name].clone();
    let t = table.name.as_str();
    // Constraint names follow the bare table name, in whichever schema.
    let (schema, bare) = split_table(t);
    let pk_columns = table.primary_key.as_ref().map(|pk| pk.columns.clone()).unwrap_or_default();
    let mut fields: Vec<FieldDoc> = table
        .columns
        .iter()
        .map(|c| {
            let ty = field_type(&c.data_type, &ctx.enums, &ctx.domains);
            let enum_values = ctx.enum_values(&c.data_type);
            FieldDoc {
                name: c.name.clone(),
                ty: spec_name(&ty),
                nullable: c.nullable,
                primary_key: pk_columns == [c.name.clone()],
                db_default: c.default.as_ref().map(|d| db_default(d, &ty, enum_values)),
                unique: None,
                index: None,
                references: None,
                generated: c.generated.as_deref().and_then(crate::ir::Generated::from_sql),
                collation: c.collation.clone(),
                doc: c.comment.clone(),
            }
        })
        .collect();
    let mut indexes = Vec::new();
    for u in table.uniques.values() {
        if let (Some(extra), UniqueKind::Constraint) = (&u.extra, u.kind) {
            match constraint_key(extra) {
                Some((fields, nulls_not_distinct, include)) => {
                    let cols: Vec<&str> = fields.iter().map(String::as_str).collect();
                    let conventional = fill(&ctx.naming.unique_constraint, bare, &cols, "");
                    indexes.push(IndexDoc {
                        fields,
                        unique: Some(UniqueKind::Constraint),
                        name: (u.name != conventional).then(|| u.name.clone()),
                        using: None,
                        predicate: None,
                        include,
                        nulls_not_distinct,
                        storage: None,
                    });
                }
                None => warnings.push(format!(
                    "{t}: unique constraint {} ({extra}) is more than specs can express; skipped",
                    u.name
                )),
            }
            continue;
        }
        if let Some(extra) = &u.extra {
            let index = Index {
                name: u.name.clone(),
                columns: u.columns.clone(),
                unique: true,
                method: "btree".into(),
                predicate: None,
                extra: Some(extra.clone()),
            };
            match index_doc(ctx, table, &index) {
                Ok(doc) => indexes.push(doc),
                Err(why) => {
                    warnings
                        .push(format!("{t}: unique key {} ({why}) is more than specs can express; skipped", u.name));
                }
            }
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
                let conventional = fill(template, bare, &[&f.name], &f.name);
                f.unique = Some((u.kind, (u.name != conventional).then(|| u.name.clone())));
            }
            None => {
                let cols: Vec<&str> = u.columns.iter().map(String::as_str).collect();
                let conventional = fill(template, bare, &cols, "");
                indexes.push(IndexDoc {
                    fields: u.columns.clone(),
                    unique: Some(u.kind),
                    name: (u.name != conventional).then(|| u.name.clone()),
                    using: None,
                    predicate: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    storage: None,
                });
            }
        }
    }
    for ix in table.indexes.values() {
        let plain = !ix.unique && ix.extra.is_none() && ix.method == "btree" && ix.predicate.is_none();
        let field = match ix.columns.as_slice() {
            [one] if plain => {
                fields.iter_mut().find(|f| &f.name == one).filter(|f| f.unique.is_none() && f.index.is_none())
            }
            _ => None,
        };
        match field {
            Some(f) => {
                let conventional = fill(&ctx.naming.index, bare, &[&f.name], &f.name);
                f.index = Some((ix.name != conventional).then(|| ix.name.clone()));
            }
            None => match index_doc(ctx, table, ix) {
                Ok(doc) => indexes.push(doc),
                Err(why) => {
                    warnings.push(format!("{t}: index {} ({why}) is more than specs can express; skipped", ix.name));
                }
            },
        }
    }
    let mut foreign_keys = Vec::new();
    for fk in table.foreign_keys.values() {
        if fk.columns.len() > 1 {
            match composite_foreign_key(ctx, bare, fk) {
                Ok(doc) => foreign_keys.push(doc),
                Err(why) => warnings.push(format!("{t}: foreign key {} {why}; skipped", fk.name)),
            }
            continue;
        }
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
    let mut checks = Vec::new();
    let mut exclusions = Vec::new();
    for (check, definition) in &table.checks {
        // `CHECK (expr)` exactly: lowering writes it back the same way.
        match check_expr(definition) {
            Some(expr) => checks.push((check.clone(), expr.to_string())),
            None if definition.starts_with("EXCLUDE ") => {
                exclusions.push((check.clone(), definition["EXCLUDE ".len()..].to_string()));
            }
            None => {
                warnings.push(format!("{t}: constraint {check} ({definition}) is not expressible in specs; skipped"));
            }
        }
    }
    let default_table = format!("{}{}", ctx.prefix, snake_case(&name));
    // Written on the entity when it is not one field's: composite, or none at all (`[]`).
    let primary_key = (pk_columns.len() != 1).then_some(pk_columns);
    EntityDoc {
        table: (default_table != bare).then(|| bare.to_string()),
        schema: schema.map(str::to_string),
        name,
        doc: table.comment.clone(),
        fields,
        primary_key,
        indexes,
        checks,
        foreign_keys,
        exclusions,
        partition_by: table.partition_by.clone(),
        partitions: table.partitions.iter().map(|(n, b)| (n.clone(), b.clone())).collect(),
    }
}

/// An `indexes:` entry holding the index as `pg_get_indexdef()` printed it, or why none can:
/// each key must read back to the same text (the spec's key grammar is checked against it).
fn index_doc(ctx: &Context, table: &Table, ix: &Index) -> Result<IndexDoc, String> {
    let t = table.name.as_str();
    let plain_elements: Vec<String> = ix.columns.iter().map(|c| quote_ident(c)).collect();
    let mut nulls_not_distinct = false;
    let mut storage = None;
    let (elements, include, predicate) = match &ix.extra {
        None => (plain_elements, Vec::new(), ix.predicate.clone()),
        Some(tail) => {
            let rest = tail.strip_prefix(&format!("{} (", ix.method)).ok_or_else(|| tail.clone())?;
            let close = closing_paren(rest).ok_or_else(|| tail.clone())?;
            let elements = split_top_level(&rest[..close]);
            let mut rest = &rest[close + 1..];
            let mut include = Vec::new();
            if let Some(after) = rest.strip_prefix(" INCLUDE (") {
                let close = closing_paren(after).ok_or_else(|| tail.clone())?;
                include = split_top_level(&after[..close]).iter().map(|c| unquote(c)).collect();
                rest = &after[close + 1..];
            }
            if let Some(after) = rest.strip_prefix(" NULLS NOT DISTINCT") {
                nulls_not_distinct = true;
                rest = after;
            }
            if let Some(after) = rest.strip_prefix(" WITH (") {
                let close = closing_paren(after).ok_or_else(|| tail.clone())?;
                let pairs: Vec<String> = split_top_level(&after[..close])
                    .iter()
                    .map(|p| p.split_once('=').map_or(p.clone(), |(k, v)| format!("{k} = {}", v.trim_matches('\''))))
                    .collect();
                storage = Some(pairs.join(", "));
                rest = &after[close + 1..];
            }
            let predicate = match rest.strip_prefix(" WHERE ") {
                Some(p) => Some(p.to_string()),
                None if rest.is_empty() => None,
                None => return Err(tail.clone()),
            };
            (elements, include, predicate)
        }
    };
    let mut fields = Vec::new();
    for element in &elements {
        fields.push(index_key_spec(table, element).ok_or_else(|| format!("the key {element}"))?);
    }
    let predicate = match predicate {
        Some(p) => Some(
            p.strip_prefix('(')
                .and_then(|p| p.strip_suffix(')'))
                .filter(|p| balanced(p))
                .map(str::to_string)
                .ok_or(p)?,
        ),
        None => None,
    };
    let unique = ix.unique.then_some(UniqueKind::Index);
    let template = if ix.unique { &ctx.naming.unique_index } else { &ctx.naming.index };
    let cols: Vec<&str> = ix.columns.iter().map(String::as_str).collect();
    let conventional = fill(template, split_table(t).1, &cols, "");
    Ok(IndexDoc {
        fields,
        unique,
        name: (ix.name != conventional).then(|| ix.name.clone()),
        using: (ix.method != "btree").then(|| ix.method.clone()),
        predicate,
        include,
        nulls_not_distinct,
        storage,
    })
}

/// An index key as a spec writes it: `col`, `col desc`, `col nulls first`, `col opclass`, or
/// the expression as printed.
fn index_key_spec(table: &Table, element: &str) -> Option<String> {
    let (head, rest) = match element.strip_prefix('"') {
        Some(quoted) => {
            let end = quoted.find('"')?;
            (quoted[..end].to_string(), quoted[end + 1..].trim())
        }
        None => match element.split_once(' ') {
            Some((h, r)) => (h.to_string(), r.trim()),
            None => (element.to_string(), ""),
        },
    };
    if table.column(&head).is_none() {
        return Some(element.to_string()).filter(|e| e.contains('('));
    }
    let spec = if rest.is_empty() { head } else { format!("{head} {}", rest.to_ascii_lowercase()) };
    Some(spec)
}

/// The byte index of the `)` closing an already opened parenthesis.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits on commas outside parentheses and quotes.
fn split_top_level(text: &str) -> Vec<String> {
    let (mut out, mut current, mut depth, mut quote) = (Vec::new(), String::new(), 0usize, None::<char>);
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                out.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// The condition of a `CHECK (…)` definition as `pg_get_constraintdef()` prints it (lowering
/// writes `CHECK ({condition})` back); None for any other constraint.
pub(super) fn check_expr(definition: &str) -> Option<&str> {
    definition.strip_prefix("CHECK (").and_then(|d| d.strip_suffix(')')).filter(|e| balanced(e))
}

/// Whether every parenthesis in `text` closes within it (so outer ones can be stripped).
fn balanced(text: &str) -> bool {
    let mut depth = 0i64;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// A UNIQUE constraint's columns, NULLS NOT DISTINCT and INCLUDE columns, read back from its
/// definition; None when it holds more (DEFERRABLE) or does not spell back the same.
fn constraint_key(definition: &str) -> Option<(Vec<String>, bool, Vec<String>)> {
    let rest = definition.strip_prefix("UNIQUE")?;
    let (nulls_not_distinct, rest) = match rest.strip_prefix(" NULLS NOT DISTINCT") {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let names = |list: &str| list.split(", ").map(unquote).collect::<Vec<_>>();
    let (columns, rest) = rest.strip_prefix(" (")?.split_once(')')?;
    let include = match rest.strip_prefix(" INCLUDE (").and_then(|r| r.strip_suffix(')')) {
        Some(list) => names(list),
        None => Vec::new(),
    };
    let parsed = (names(columns), nulls_not_distinct, include);
    let spelled = crate::schema::model::key_definition("UNIQUE", &parsed.0, parsed.1, &parsed.2, &[]);
    // PostgreSQL quotes every keyword (`"position"`), quote_ident only the reserved ones.
    let same = spelled.is_some_and(|s| crate::schema::introspect::same_quoting(&s, definition));
    same.then_some(parsed)
}

fn unquote(name: &str) -> String {
    name.strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .map_or_else(|| name.to_string(), |n| n.replace("\"\"", "\""))
}

/// The key of the table a foreign key references, when it is in an imported schema.
fn imported_target(ctx: &Context, fk: &ForeignKey) -> Result<String, String> {
    let key = fk.target(&ctx.schema.name);
    if fk.ref_schema != ctx.schema.name && !ctx.schema.managed.contains(&fk.ref_schema) {
        return Err(format!("references {key}, outside the imported schemas"));
    }
    Ok(key)
}

/// The `references:` of a foreign key, or why it has none.
fn reference(ctx: &Context, table: &Table, fk: &ForeignKey, fields: &[FieldDoc]) -> Result<ReferenceDoc, String> {
    let [column] = fk.columns.as_slice() else {
        return Err(format!("spans {} columns; specs reference from one", fk.columns.len()));
    };
    let target_key = imported_target(ctx, fk)?;
    let Some(target_entity) = ctx.entity_tables.get(&target_key) else {
        return Err(format!("references {target_key}, which is not imported as an entity"));
    };
    let deferrable =
        crate::ir::deferrable_word(&fk.options).map_err(|other| format!("is {other}, which specs cannot express"))?;
    let field = fields.iter().find(|f| &f.name == column).expect("a foreign key column exists");
    if field.references.is_some() {
        return Err(format!("is a second foreign key on {column}; specs allow one per field"));
    }
    if fk.on_delete == FkAction::SetNull && !field.nullable {
        return Err(format!("is ON DELETE SET NULL on the NOT NULL column {column}, which specs refuse"));
    }
    let target = &ctx.schema.tables[&target_key];
    let [ref_column] = fk.ref_columns.as_slice() else {
        return Err(format!("references {} columns", fk.ref_columns.len()));
    };
    let target_pk = target.primary_key.as_ref().filter(|pk| pk.columns.len() == 1).map(|pk| pk.columns[0].as_str());
    let is_key = target_pk == Some(ref_column.as_str())
        || target.uniques.values().any(|u| u.extra.is_none() && u.columns == [ref_column.clone()]);
    if !is_key {
        return Err(format!("references {target_key}.{ref_column}, which is neither its primary key nor unique"));
    }
    let own_type = table.column(column).map(|c| field_type(&c.data_type, &ctx.enums, &ctx.domains));
    let target_type = target.column(ref_column).map(|c| field_type(&c.data_type, &ctx.enums, &ctx.domains));
    if own_type != target_type {
        return Err(format!("joins columns of different types ({column} and {target_key}.{ref_column})"));
    }
    let conventional = fill(&ctx.naming.foreign_key, split_table(&table.name).1, &[column], column);
    Ok(ReferenceDoc {
        target: if target_pk == Some(ref_column.as_str()) {
            target_entity.clone()
        } else {
            format!("{target_entity}.{ref_column}")
        },
        on_delete: fk.on_delete,
        on_update: fk.on_update,
        deferrable,
        fk_name: (fk.name != conventional).then(|| fk.name.clone()),
    })
}

/// A foreign key over several columns, as an entity's `foreign_keys:` entry.
fn composite_foreign_key(ctx: &Context, table: &str, fk: &ForeignKey) -> Result<super::docs::ForeignKeyDoc, String> {
    let target_key = imported_target(ctx, fk)?;
    let target = ctx
        .entity_tables
        .get(&target_key)
        .ok_or_else(|| format!("references {target_key}, which is not imported as an entity"))?;
    let deferrable =
        crate::ir::deferrable_word(&fk.options).map_err(|other| format!("is {other}, which specs cannot express"))?;
    let target_pk = ctx.schema.tables.get(&target_key).and_then(|t| t.primary_key.as_ref()).map(|pk| &pk.columns);
    let cols: Vec<&str> = fk.columns.iter().map(String::as_str).collect();
    let conventional = fill(&ctx.naming.foreign_key, table, &cols, "");
    Ok(super::docs::ForeignKeyDoc {
        columns: fk.columns.clone(),
        references: target.clone(),
        ref_columns: (target_pk != Some(&fk.ref_columns)).then(|| fk.ref_columns.clone()),
        on_delete: fk.on_delete,
        on_update: fk.on_update,
        deferrable,
        name: (fk.name != conventional).then(|| fk.name.clone()),
    })
}
