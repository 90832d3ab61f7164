//! One direction of a many-to-many link (`/api/v1/users/{id}/roles[/{role_id}]`): list the
//! linked keys, link (idempotent), unlink. Generic over [`LinkRoute`], which generated code
//! implements per direction.

use super::problem::Problem;
use super::resource::{json, path_key, Resource};
use super::AppState;
use crate::repo::RepoError;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sqlx::PgConnection;
use std::future::Future;

type Key<R> = <R as Resource>::Key;

/// One direction of a link: the owner's row is in the path, the other side's keys are listed.
pub trait LinkRoute: Send + Sync + 'static {
    type Owner: Resource;
    type Other: Resource;
    /// The path segment after the owner's id.
    const SEGMENT: &'static str;
    /// The join table's column holding the owner's key (names a missing owner in FK errors).
    const OWNER_COLUMN: &'static str;

    fn keys(
        conn: &mut PgConnection,
        owner: Key<Self::Owner>,
    ) -> impl Future<Output = Result<Vec<Key<Self::Other>>, RepoError>> + Send;
    fn link(
        conn: &mut PgConnection,
        owner: Key<Self::Owner>,
        other: Key<Self::Other>,
    ) -> impl Future<Output = Result<bool, RepoError>> + Send;
    fn unlink(
        conn: &mut PgConnection,
        owner: Key<Self::Owner>,
        other: Key<Self::Other>,
    ) -> impl Future<Output = Result<(), RepoError>> + Send;
}

pub fn routes<L: LinkRoute>() -> axum::Router<AppState>
where
    Key<L::Other>: serde::Serialize,
{
    use axum::routing::{get, put};
    let list_path = format!("{}/{{id}}/{}", <L::Owner as Resource>::PATH, L::SEGMENT);
    axum::Router::new()
        .route(&list_path, get(list::<L>))
        .route(&format!("{list_path}/{{other}}"), put(link::<L>).delete(unlink::<L>))
}

async fn list<L: LinkRoute>(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem>
where
    Key<L::Other>: serde::Serialize,
{
    let owner = path_key::<Key<L::Owner>>(id, <L::Owner as Resource>::NAME)?;
    let mut conn = app.connection().await?;
    let keys = L::keys(&mut conn, owner.clone()).await.map_err(|e| Problem::from_repo(e, "link", false))?;
    if keys.is_empty() {
        // An empty list and a missing owner look alike; only the latter is a 404.
        <L::Owner as Resource>::get_row(&mut conn, owner)
            .await
            .map_err(|e| Problem::from_repo(e, <L::Owner as Resource>::NAME, false))?;
    }
    Ok(json(StatusCode::OK, &keys))
}

async fn link<L: LinkRoute>(
    State(app): State<AppState>,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, Problem> {
    let (owner, other) = path_keys::<L>(ids)?;
    let mut conn = app.connection().await?;
    match L::link(&mut conn, owner, other).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(RepoError::ForeignKeyViolation { field, .. }) => {
            let missing = if field.as_deref() == Some(L::OWNER_COLUMN) {
                <L::Owner as Resource>::NAME
            } else {
                <L::Other as Resource>::NAME
            };
            Err(Problem::not_found(format!("No {missing} with this key.")))
        }
        Err(e) => Err(Problem::from_repo(e, "link", true)),
    }
}

async fn unlink<L: LinkRoute>(
    State(app): State<AppState>,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, Problem> {
    let (owner, other) = path_keys::<L>(ids)?;
    let mut conn = app.connection().await?;
    match L::unlink(&mut conn, owner, other).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(RepoError::NotFound) => Err(Problem::not_found(format!(
            "This {} is not linked to this {}.",
            <L::Other as Resource>::NAME,
            <L::Owner as Resource>::NAME
        ))),
        Err(e) => Err(Problem::from_repo(e, "link", false)),
    }
}

type Keys<L> = (Key<<L as LinkRoute>::Owner>, Key<<L as LinkRoute>::Other>);

fn path_keys<L: LinkRoute>(ids: Result<Path<(String, String)>, PathRejection>) -> Result<Keys<L>, Problem> {
    let Path((owner, other)) = ids.map_err(|e| Problem::bad_request(e.body_text()))?;
    let owner = path_key::<Key<L::Owner>>(Ok(Path(owner)), <L::Owner as Resource>::NAME)?;
    let other = path_key::<Key<L::Other>>(Ok(Path(other)), <L::Other as Resource>::NAME)?;
    Ok((owner, other))
}
