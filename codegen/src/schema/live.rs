//! Comparing the specs with a live database: introspect, diff, and let PostgreSQL itself settle
//! expressions that differ only in spelling. A spec writes `quantity > 0`, the catalog prints
//! `CHECK ((quantity > 0))`; a default `now() + interval '1 day'` is stored as
//! `(now() + '1 day'::interval)`. Each table with such a difference is created once more, as the
//! specs say, as a temporary table in a transaction that is rolled back, and PostgreSQL's own
//! rendering of its defaults, generated columns, CHECKs and indexes replaces the spec's text.

use super::ddl;
use super::diff::{diff, Aspect, Change, ChangeKind, ObjectKind};
use super::introspect::{introspect, introspect_managed};
use super::model::{split_table, Schema, Table};
use crate::naming::quote_ident;
use sqlx::postgres::PgConnection;
use sqlx::Connection;
use std::collections::{BTreeMap, BTreeSet};

/// The live schema and its differences from `expected`.
pub async fn compare_live(url: &str, expected: &Schema) -> Result<(Schema, Vec<Change>), sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    let actual = introspect_managed(&mut conn, &expected.name, &expected.managed).await?;
    let mut changes = diff(expected, &actual);
    let respelled = changes.iter().filter(|c| spelled_differently(c));
    let tables: BTreeSet<String> = respelled
        .clone()
        .filter_map(|c| if c.object == ObjectKind::Table { Some(c.name.clone()) } else { c.table.clone() })
        .collect();
    let domains: BTreeSet<String> =
        respelled.filter(|c| c.object == ObjectKind::Domain).map(|c| c.name.clone()).collect();
    if !tables.is_empty() || !domains.is_empty() {
        if let Some(settled) = as_postgres_spells_it(&mut conn, expected, &tables, &domains).await {
            changes = diff(&settled, &actual);
        }
    }
    let _ = conn.close().await;
    Ok((actual, changes))
}

/// A difference in an expression's text, which may be a difference in spelling only.
fn spelled_differently(change: &Change) -> bool {
    match (&change.kind, change.object) {
        (ChangeKind::Differs { aspect, .. }, ObjectKind::Column) => {
            matches!(aspect, Aspect::Default | Aspect::Generated)
        }
        (ChangeKind::Differs { .. }, kind) => matches!(
            kind,
            ObjectKind::Check
                | ObjectKind::Index
                | ObjectKind::Unique
                | ObjectKind::PrimaryKey
                | ObjectKind::Domain
                | ObjectKind::Partition
                | ObjectKind::Table
        ),
        _ => false,
    }
}

/// `expected` with these tables' expressions as PostgreSQL prints them; None when the spec's DDL
/// does not apply (then the texts are compared as they are).
async fn as_postgres_spells_it(
    conn: &mut PgConnection,
    expected: &Schema,
    tables: &BTreeSet<String>,
    domains: &BTreeSet<String>,
) -> Option<Schema> {
    let mut tx = conn.begin().await.ok()?;
    // One statement each, through the extended protocol: a spec's expression is text a reviewer
    // may not read closely, and `check` must not run a second statement smuggled into it (a
    // `COMMIT`, say) against the database it only reads.
    let mut statements = vec![format!("SET LOCAL search_path TO {}, public", quote_ident(&expected.name))];
    for name in domains {
        let domain = ddl::create_domain(expected.domains.get(name)?);
        statements.push(domain.replacen("CREATE DOMAIN ", "CREATE DOMAIN pg_temp.", 1));
    }
    // Temporary tables all live in one schema: a table of another managed schema is probed
    // under its bare name (the first of two tables sharing one keeps its spelling as written).
    let mut probed_as = BTreeMap::new();
    for key in tables {
        let mut table = expected.tables.get(key)?.clone();
        let name = split_table(key).1.to_string();
        if probed_as.values().any(|n| *n == name) {
            continue;
        }
        probed_as.insert(key.clone(), name.clone());
        table.name.clone_from(&name);
        statements.push(ddl::create_table(&table).replacen("CREATE TABLE", "CREATE TEMP TABLE", 1));
        for (partition, bound) in &table.partitions {
            let created = ddl::create_partition(&name, partition, bound);
            statements.push(created.replacen("CREATE TABLE", "CREATE TEMP TABLE", 1));
        }
        for u in table.uniques.values().filter(|u| u.kind == crate::ir::UniqueKind::Index) {
            statements.push(ddl::create_unique_index(&name, u));
        }
        for ix in table.indexes.values() {
            statements.push(ddl::create_index(&name, ix));
        }
    }
    let mut applied = true;
    for statement in &statements {
        let one = statement.trim().trim_end_matches(';');
        if sqlx::query(one).persistent(false).execute(&mut *tx).await.is_err() {
            applied = false;
            break;
        }
    }
    let probed = match applied {
        true => {
            let temp: Option<String> =
                sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE oid = pg_my_temp_schema()")
                    .fetch_optional(&mut *tx)
                    .await
                    .ok()
                    .flatten();
            match temp {
                Some(temp) => introspect(&mut tx, &temp).await.ok(),
                None => None,
            }
        }
        false => None,
    };
    let _ = tx.rollback().await;
    let probed = probed?;
    let mut settled = expected.clone();
    for name in domains {
        if let (Some(domain), Some(spelled)) = (settled.domains.get_mut(name), probed.domains.get(name)) {
            domain.default.clone_from(&spelled.default);
            domain.checks.clone_from(&spelled.checks);
        }
    }
    for (key, name) in &probed_as {
        let (Some(table), Some(spelled)) = (settled.tables.get_mut(key), probed.tables.get(name)) else { continue };
        respell(table, spelled);
    }
    Some(settled)
}

/// Takes the expressions of `spelled` (the same table, created by PostgreSQL) into `table`.
fn respell(table: &mut Table, spelled: &Table) {
    for column in &mut table.columns {
        if let Some(s) = spelled.column(&column.name) {
            column.default.clone_from(&s.default);
            column.generated.clone_from(&s.generated);
        }
    }
    table.checks.clone_from(&spelled.checks);
    table.partition_by.clone_from(&spelled.partition_by);
    table.partitions.clone_from(&spelled.partitions);
    for (name, index) in &mut table.indexes {
        if let Some(s) = spelled.indexes.get(name) {
            *index = s.clone();
        }
    }
    for (name, unique) in &mut table.uniques {
        if let Some(s) = spelled.uniques.get(name) {
            unique.columns.clone_from(&s.columns);
            unique.extra.clone_from(&s.extra);
        }
    }
    if let (Some(pk), Some(s)) = (&mut table.primary_key, &spelled.primary_key) {
        pk.extra.clone_from(&s.extra);
    }
}
