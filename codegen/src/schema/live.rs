//! Comparing the specs with a live database: introspect, diff, and let PostgreSQL itself settle
//! default expressions that differ only in spelling (`now() + interval '1 day'` is stored as
//! `(now() + '1 day'::interval)`).

use super::diff::{diff, Aspect, Change, ChangeKind, ObjectKind};
use super::introspect::introspect;
use super::model::Schema;
use super::normalize::same_default;
use crate::naming::quote_ident;
use sqlx::postgres::PgConnection;
use sqlx::Connection;

/// The live schema and its differences from `expected`.
pub async fn compare_live(url: &str, expected: &Schema) -> Result<(Schema, Vec<Change>), sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    let actual = introspect(&mut conn, &expected.name).await?;
    let mut changes = diff(expected, &actual);
    let mut settled = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        if let (ObjectKind::Column, ChangeKind::Differs { aspect: Aspect::Default, .. }) = (change.object, &change.kind)
        {
            if default_is_same_in_database(&mut conn, expected, &actual, change).await {
                settled.push(i);
            }
        }
    }
    for i in settled.into_iter().rev() {
        changes.remove(i);
    }
    let _ = conn.close().await;
    Ok((actual, changes))
}

/// Stores the spec's default on a throw-away column (rolled back) and compares PostgreSQL's
/// rendering of it with the live one. Runs only for defaults that already differ in text.
async fn default_is_same_in_database(
    conn: &mut PgConnection,
    expected: &Schema,
    actual: &Schema,
    change: &Change,
) -> bool {
    let table = change.table.as_deref().unwrap_or_default();
    let column = |s: &Schema| s.tables.get(table).and_then(|t| t.column(&change.name)).cloned();
    let (Some(e), Some(a)) = (column(expected), column(actual)) else { return false };
    let (Some(expected_default), Some(actual_default)) = (e.default, a.default) else { return false };
    let Ok(mut tx) = conn.begin().await else { return false };
    let setup = format!(
        "SET LOCAL search_path TO {}, public; CREATE TEMP TABLE vbwd_default_probe (c {} DEFAULT {expected_default}) ON COMMIT DROP",
        quote_ident(&expected.name),
        e.data_type
    );
    let rendered: Option<String> = match sqlx::raw_sql(&setup).execute(&mut *tx).await {
        Ok(_) => sqlx::query_scalar(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = 'pg_temp.vbwd_default_probe'::regclass",
        )
        .fetch_optional(&mut *tx)
        .await
        .ok()
        .flatten(),
        Err(_) => None,
    };
    let _ = tx.rollback().await;
    rendered.is_some_and(|r| same_default(&r, &actual_default))
}
