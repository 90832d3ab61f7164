//! One direction of a many-to-many link (`/api/v1/users/{id}/roles[/{role_id}]`): list the
//! linked keys, link (idempotent), unlink. Generic over [`LinkRoute`], which generated code
//! implements per direction.

use super::auth::{authorize, Allow, Principal};
use super::entity::Resource;
use super::http::{json, path_key, path_text};
use super::problem::Problem;
use super::AppState;
use crate::repo::RepoError;
use axum::extract::rejection::PathRejection;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sqlx::PgConnection;
use std::future::Future;
use std::sync::Arc;

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

/// One link direction's operations behind a trait object (see `resource::Operations`: axum's
/// machinery is instantiated once, not per link direction).
trait Operations: Send + Sync {
    fn list(&self, app: AppState, owner: String) -> Reply;
    fn link(&self, app: AppState, owner: String, other: String) -> Reply;
    fn unlink(&self, app: AppState, owner: String, other: String) -> Reply;
}

type Reply = std::pin::Pin<Box<dyn Future<Output = Result<Response, Problem>> + Send>>;
type Ops = Extension<Arc<dyn Operations>>;

struct Of<L>(std::marker::PhantomData<fn() -> L>);

impl<L: LinkRoute> Operations for Of<L>
where
    Key<L::Other>: serde::Serialize,
{
    fn list(&self, app: AppState, owner: String) -> Reply {
        Box::pin(list::<L>(app, owner))
    }
    fn link(&self, app: AppState, owner: String, other: String) -> Reply {
        Box::pin(link::<L>(app, owner, other))
    }
    fn unlink(&self, app: AppState, owner: String, other: String) -> Reply {
        Box::pin(unlink::<L>(app, owner, other))
    }
}

pub fn routes<L: LinkRoute>() -> axum::Router<AppState>
where
    Key<L::Other>: serde::Serialize,
{
    use axum::routing::{get, put};
    let ops: Arc<dyn Operations> = Arc::new(Of::<L>(std::marker::PhantomData));
    let list_path = format!("{}/{{id}}/{}", <L::Owner as Resource>::PATH, L::SEGMENT);
    axum::Router::new()
        .route(&list_path, get(http_list))
        .route(&format!("{list_path}/{{other}}"), put(http_link).delete(http_unlink))
        .layer(Extension(ops))
}

// Links are admin-only: who may link a role to a user is not a row-owner question.
async fn http_list(
    State(app): State<AppState>,
    Extension(ops): Ops,
    who: Principal,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    authorize(&Allow::ADMIN, &who, "links", "list")?;
    ops.list(app, path_text(id)?).await
}

async fn http_link(
    State(app): State<AppState>,
    Extension(ops): Ops,
    who: Principal,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, Problem> {
    authorize(&Allow::ADMIN, &who, "links", "link")?;
    let (owner, other) = path_pair(ids)?;
    ops.link(app, owner, other).await
}

async fn http_unlink(
    State(app): State<AppState>,
    Extension(ops): Ops,
    who: Principal,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, Problem> {
    authorize(&Allow::ADMIN, &who, "links", "unlink")?;
    let (owner, other) = path_pair(ids)?;
    ops.unlink(app, owner, other).await
}

fn path_pair(ids: Result<Path<(String, String)>, PathRejection>) -> Result<(String, String), Problem> {
    ids.map(|Path(pair)| pair).map_err(|e| Problem::bad_request(e.body_text()))
}

async fn list<L: LinkRoute>(app: AppState, owner: String) -> Result<Response, Problem>
where
    Key<L::Other>: serde::Serialize,
{
    let owner = path_key::<Key<L::Owner>>(&[owner], <L::Owner as Resource>::NAME)?;
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

async fn link<L: LinkRoute>(app: AppState, owner: String, other: String) -> Result<Response, Problem> {
    let (owner, other) = keys::<L>(&owner, &other)?;
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

async fn unlink<L: LinkRoute>(app: AppState, owner: String, other: String) -> Result<Response, Problem> {
    let (owner, other) = keys::<L>(&owner, &other)?;
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

fn keys<L: LinkRoute>(owner: &str, other: &str) -> Result<Keys<L>, Problem> {
    let owner = path_key::<Key<L::Owner>>(&[owner.to_string()], <L::Owner as Resource>::NAME)?;
    let other = path_key::<Key<L::Other>>(&[other.to_string()], <L::Other as Resource>::NAME)?;
    Ok((owner, other))
}
