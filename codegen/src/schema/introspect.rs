//! `introspect(url) → Schema` from pg_catalog in seven queries, whatever the number of tables:
//! relations, columns, constraints, indexes, enum types, domains, extensions.

use super::model::*;
use crate::ir::{FkAction, Generated, SequenceOptions, SequenceValues, UniqueKind};
use crate::naming::quote_ident;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Connection, Row};
use std::collections::BTreeSet;

/// Catalog queries sent per introspection (the benchmark asserts this stays fixed).
pub const CATALOG_QUERIES: usize = 7;

const RELATIONS: &str = "
SELECT n.nspname::text, c.relname::text, c.relkind::text,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       CASE WHEN c.relispartition THEN (SELECT p.relname::text FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                                        WHERE i.inhrelid = c.oid) END,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
       obj_description(c.oid, 'pg_class')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND (n.nspname = ANY($1) OR (n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'))
ORDER BY 1, 2";

const COLUMNS: &str = "
SELECT CASE WHEN n.nspname = ($1::text[])[1] THEN c.relname::text ELSE n.nspname || '.' || c.relname END, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END,
       CASE WHEN t.typtype = 'e' THEN tn.nspname WHEN et.typtype = 'e' THEN etn.nspname END::text,
       col_description(c.oid, a.attnum),
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN (pg_depend dep JOIN pg_sequence s ON s.seqrelid = dep.objid)
  ON a.attidentity <> '' AND dep.refobjid = c.oid AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'
     AND dep.classid = 'pg_class'::regclass
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum";

const CONSTRAINTS: &str = "
SELECT CASE WHEN n.nspname = ($1::text[])[1] THEN c.relname::text ELSE n.nspname || '.' || c.relname END, con.conname::text, con.contype::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
       rc.relname::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord),
       con.confdeltype::text, con.confupdtype::text, pg_get_constraintdef(con.oid),
       rn.nspname::text, con.confmatchtype::text, con.condeferrable, con.condeferred, con.convalidated
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND con.contype IN ('p', 'u', 'f', 'c', 'x')
  -- A foreign key to a partitioned table has a clone per partition: PostgreSQL's, not a key of ours.
  AND con.conparentid = 0
ORDER BY 1, 2";

const INDEXES: &str = "
SELECT CASE WHEN n.nspname = ($1::text[])[1] THEN t.relname::text ELSE n.nspname || '.' || t.relname END, i.relname::text, ix.indisunique,
       ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) FROM generate_series(1, ix.indnkeyatts) k ORDER BY k),
       pg_get_expr(ix.indpred, ix.indrelid), am.amname::text, pg_get_indexdef(ix.indexrelid), ix.indisvalid
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = i.relam
WHERE n.nspname = ANY($1) AND t.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2";

const ENUMS: &str = "
SELECT t.typname::text,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ($1::text[])[1] AND t.typtype = 'e'
ORDER BY 1";

const DOMAINS: &str = "
SELECT t.typname::text, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,
       ARRAY(SELECT c.conname::text FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY 1),
       ARRAY(SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ($1::text[])[1] AND t.typtype = 'd'
ORDER BY 1";

const EXTENSIONS: &str = "SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1";

/// Connects and introspects `schema`.
pub async fn introspect_url(url: &str, schema: &str) -> Result<Schema, sqlx::Error> {
    introspect_url_managed(url, schema, &BTreeSet::new()).await
}

/// Connects and introspects `schema` and the `managed` ones.
pub async fn introspect_url_managed(
    url: &str,
    schema: &str,
    managed: &BTreeSet<String>,
) -> Result<Schema, sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    let result = introspect_managed(&mut conn, schema, managed).await;
    let _ = conn.close().await;
    result
}

pub async fn introspect(conn: &mut PgConnection, schema: &str) -> Result<Schema, sqlx::Error> {
    introspect_managed(conn, schema, &BTreeSet::new()).await
}

/// As [`introspect`], with the tables of the `managed` schemas too (keyed `schema.table`).
pub async fn introspect_managed(
    conn: &mut PgConnection,
    schema: &str,
    managed: &BTreeSet<String>,
) -> Result<Schema, sqlx::Error> {
    let mut out = Schema { name: schema.to_string(), managed: managed.clone(), ..Schema::default() };
    // The project's schema first: the queries key its tables by bare name.
    let schemas: Vec<&str> = std::iter::once(schema).chain(managed.iter().map(String::as_str)).collect();
    let mut partitions = Vec::new();
    for row in sqlx::query(RELATIONS).bind(&schemas).fetch_all(&mut *conn).await? {
        let (nsp, name, kind): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let ours = schemas.contains(&nsp.as_str());
        // A partition belongs to its table (its rows, keys and indexes are the table's).
        if let Some(parent) = row.get::<Option<String>, _>(4) {
            if ours {
                let parent = table_key(&nsp, &parent, schema);
                partitions.push((parent, name, row.get::<Option<String>, _>(5).unwrap_or_default()));
            }
            continue;
        }
        match (ours, kind.as_str()) {
            (true, "r" | "p") => {
                let (comment, name) = (row.get(6), table_key(&nsp, &name, schema));
                out.tables.insert(name.clone(), Table { name, partition_by: row.get(3), comment, ..Table::default() });
            }
            (true, _) => out.views.push(table_key(&nsp, &name, schema)),
            (false, _) => out.other_schemas.entry(nsp).or_default().push(name),
        }
    }
    for (parent, name, bound) in partitions {
        if let Some(t) = out.tables.get_mut(&parent) {
            t.partitions.insert(name, bound);
        }
    }
    for row in sqlx::query(COLUMNS).bind(&schemas).fetch_all(&mut *conn).await? {
        let table: String = row.get(0);
        let Some(t) = out.tables.get_mut(&table) else { continue };
        let column = column(&row, schema);
        t.columns.push(column);
    }
    for row in sqlx::query(CONSTRAINTS).bind(&schemas).fetch_all(&mut *conn).await? {
        let table: String = row.get(0);
        let Some(t) = out.tables.get_mut(&table) else { continue };
        add_constraint(t, &row);
    }
    for row in sqlx::query(INDEXES).bind(&schemas).fetch_all(&mut *conn).await? {
        let table: String = row.get(0);
        let Some(t) = out.tables.get_mut(&table) else { continue };
        add_index(t, &row);
    }
    for row in sqlx::query(ENUMS).bind(&schemas).fetch_all(&mut *conn).await? {
        let name: String = row.get(0);
        out.enums.insert(name.clone(), EnumType { name, values: row.get(1) });
    }
    for row in sqlx::query(DOMAINS).bind(&schemas).fetch_all(&mut *conn).await? {
        let (name, names, checks): (String, Vec<String>, Vec<String>) = (row.get(0), row.get(4), row.get(5));
        let domain = Domain {
            name: name.clone(),
            base: row.get(1),
            not_null: row.get(2),
            default: row.get(3),
            checks: names.into_iter().zip(checks).collect(),
        };
        out.domains.insert(name, domain);
    }
    for row in sqlx::query(EXTENSIONS).fetch_all(&mut *conn).await? {
        out.extensions.insert(row.get(0));
    }
    Ok(out)
}

fn column(row: &PgRow, schema: &str) -> Column {
    let mut data_type: String = row.get(2);
    let qualified_prefix = format!("{schema}.");
    if let Some(unqualified) = data_type.strip_prefix(&qualified_prefix) {
        data_type = unqualified.to_string();
    }
    // format_type() omits the schema of a type on the search path: an enum of another schema
    // must not pass for ours.
    if let Some(type_schema) = row.get::<Option<String>, _>(8) {
        if type_schema != schema && !data_type.contains('.') {
            data_type = format!("{}.{data_type}", quote_ident(&type_schema));
        }
    }
    let mut default: Option<String> = row.get(4);
    let identity = |always: bool| {
        let bounds = crate::types::parse_builtin(&data_type).ok().flatten().and_then(|t| t.integer_bounds());
        let sequence = match (bounds, row.get::<Option<i64>, _>(10)) {
            (Some(bounds), Some(start)) => SequenceOptions::canonical(
                SequenceValues {
                    start,
                    increment: row.get(11),
                    min: row.get(12),
                    max: row.get(13),
                    cache: row.get(14),
                    cycle: row.get(15),
                },
                bounds,
            ),
            _ => SequenceOptions::default(),
        };
        Some(Generated::Identity { always, sequence }.sql())
    };
    let generated = match (row.get::<String, _>(5).as_str(), row.get::<String, _>(6).as_str()) {
        ("a", _) => identity(true),
        ("d", _) => identity(false),
        (_, "s") => Some(Generated::Stored(default.take().unwrap_or_default()).sql()),
        _ => None,
    };
    Column {
        name: row.get(1),
        data_type,
        nullable: !row.get::<bool, _>(3),
        default,
        generated,
        collation: row.get(7),
        comment: row.get(9),
    }
}

fn add_constraint(t: &mut Table, row: &PgRow) {
    let name: String = row.get(1);
    let kind: String = row.get(2);
    let columns: Vec<String> = row.get(3);
    let definition: String = row.get(8);
    let plain_columns = columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
    match kind.as_str() {
        "p" => {
            let extra = !same_quoting(&definition, &format!("PRIMARY KEY ({plain_columns})"));
            let extra = extra.then_some(definition);
            t.primary_key = Some(PrimaryKey { name, columns, extra });
        }
        "u" => {
            let extra = (!same_quoting(&definition, &format!("UNIQUE ({plain_columns})"))).then_some(definition);
            t.uniques.insert(
                name.clone(),
                Unique { name, columns, kind: UniqueKind::Constraint, kind_explicit: true, extra },
            );
        }
        "f" => {
            let mut options = Vec::new();
            match row.get::<String, _>(10).as_str() {
                "f" => options.push("MATCH FULL"),
                "p" => options.push("MATCH PARTIAL"),
                _ => {}
            }
            if row.get::<bool, _>(11) {
                options.push("DEFERRABLE");
            }
            if row.get::<bool, _>(12) {
                options.push("INITIALLY DEFERRED");
            }
            if !row.get::<bool, _>(13) {
                options.push("NOT VALID");
            }
            let fk = ForeignKey {
                name: name.clone(),
                columns,
                ref_schema: row.get::<Option<String>, _>(9).unwrap_or_default(),
                ref_table: row.get::<Option<String>, _>(4).unwrap_or_default(),
                ref_columns: row.get(5),
                on_delete: fk_action(&row.get::<String, _>(6)),
                on_update: fk_action(&row.get::<String, _>(7)),
                options: options.join(" "),
            };
            t.foreign_keys.insert(name, fk);
        }
        _ => {
            t.checks.insert(name, definition);
        }
    }
}

fn add_index(t: &mut Table, row: &PgRow) {
    let name: String = row.get(1);
    let unique: bool = row.get(2);
    let columns: Vec<String> = row.get::<Vec<String>, _>(3).into_iter().map(|c| unquote_ident(&c)).collect();
    let predicate: Option<String> = row.get(4);
    let method: String = row.get(5);
    let definition: String = row.get(6);
    let valid: bool = row.get(7);
    // Anything beyond `USING btree (a, b)` (DESC, INCLUDE, opclass, collation, NULLS NOT
    // DISTINCT, a predicate) is kept as text, so it is compared rather than lost.
    let tail = definition.split_once(" USING ").map_or(definition.as_str(), |(_, tail)| tail);
    let plain_tail = format!("{method} ({})", columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", "));
    let extra = match (valid, same_quoting(tail, &plain_tail)) {
        (true, true) => None,
        (true, false) => Some(tail.to_string()),
        (false, _) => Some(format!("INVALID {tail}")),
    };
    let plain_columns = columns.iter().all(|c| !c.contains(['(', ' ', ':']));
    if unique && predicate.is_none() && plain_columns && method == "btree" {
        t.uniques.insert(name.clone(), Unique { name, columns, kind: UniqueKind::Index, kind_explicit: true, extra });
    } else {
        t.indexes.insert(name.clone(), Index { name, columns, unique, method, predicate, extra });
    }
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// Equal once quotes around plain lower-case names are dropped: PostgreSQL quotes every keyword
/// (`"position"`), `quote_ident` only the reserved ones, and both spellings name the same column.
pub(crate) fn same_quoting(a: &str, b: &str) -> bool {
    a == b || drop_needless_quotes(a) == drop_needless_quotes(b)
}

fn drop_needless_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('"') {
            Some(end) => {
                let inner = &after[..end];
                let simple = inner.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                    && inner.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && !after[end + 1..].starts_with('"');
                if simple {
                    out.push_str(inner);
                } else {
                    out.push('"');
                    out.push_str(inner);
                    out.push('"');
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// `"user"` → `user`; expressions and plain names pass through.
fn unquote_ident(text: &str) -> String {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') || inner.contains("\"\"") => inner.replace("\"\"", "\""),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::same_quoting;

    #[test]
    fn keyword_quotes_are_not_a_difference() {
        assert!(same_quoting("btree (\"position\")", "btree (position)"));
        assert!(same_quoting("UNIQUE (\"position\", a)", "UNIQUE (position, a)"));
        assert!(!same_quoting("btree (\"Position\")", "btree (position)"));
        assert!(!same_quoting("btree (a DESC)", "btree (a)"));
    }
}
