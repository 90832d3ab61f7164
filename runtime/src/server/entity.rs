//! What generated code declares for each entity: the [`Resource`] trait (names, rules, access,
//! and which repository function serves each operation) and `repository_operations!`, the
//! forwarding methods in one line. The handlers that use it live in `resource`.

use super::auth::Access;
use super::query::{parse_value, wire_text};
use super::rules::FieldRule;
use crate::repo::{Cmp, ListQuery, Param, RepoError, Row};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::error::BoxDynError;
use sqlx::postgres::PgArguments;
use sqlx::Arguments;
use sqlx::PgConnection;
use std::future::Future;
use wire::Version;

/// An entity served over HTTP. Implemented by generated code only.
pub trait Resource: Row + Serialize + Sync + 'static {
    /// The entity's name, for messages.
    const NAME: &'static str;
    /// The collection's path, e.g. `/api/v1/tarif_plans`.
    const PATH: &'static str;
    /// Every field, as the API sees it.
    const RULES: &'static [FieldRule];
    /// The table as SQL names it (quoted, schema-qualified when not the project's), for the
    /// ownership check of owner-scoped writes.
    const TABLE_SQL: &'static str;
    /// The primary key's fields (and columns), in key order.
    const KEY_FIELDS: &'static [&'static str];
    /// `"a" = $1 AND "b" = $2::inet`: the key's condition with the casts of parts that travel as
    /// text, its parameters first in a statement.
    const KEY_SQL: &'static str;
    /// Who may call which operation.
    const ACCESS: Access;

    type Key: Key;
    type New: DeserializeOwned + Send;
    type Patch: DeserializeOwned + Send;
    type Field: Copy + Send + 'static;
    type Filter: Send + 'static;

    fn key(&self) -> Self::Key;
    /// The optimistic-lock version, when the entity has one.
    fn version(&self) -> Option<Version>;
    /// A listable field by name.
    fn field(name: &str) -> Option<Self::Field>;
    /// A condition on a field, its value typed from text.
    fn filter(field: Self::Field, cmp: Cmp<String>) -> Result<Self::Filter, String>;

    fn insert_row(conn: &mut PgConnection, new: Self::New) -> impl Future<Output = Result<Self, RepoError>> + Send;
    fn get_row(conn: &mut PgConnection, key: Self::Key) -> impl Future<Output = Result<Self, RepoError>> + Send;
    fn list_rows(
        conn: &mut PgConnection,
        query: ListQuery<Self::Field, Self::Filter>,
    ) -> impl Future<Output = Result<Vec<Self>, RepoError>> + Send;
    /// `version` is the one the client read; ignored by entities without a version.
    fn update_row(
        conn: &mut PgConnection,
        key: Self::Key,
        version: Version,
        patch: Self::Patch,
    ) -> impl Future<Output = Result<Self, RepoError>> + Send;
    fn delete_row(conn: &mut PgConnection, key: Self::Key) -> impl Future<Output = Result<(), RepoError>> + Send;
}

/// A primary key as an item path carries it: one segment per part, in key order. A single key
/// of any plain type is one (a blanket impl); generated code implements it for the key structs
/// of composite keys.
pub trait Key: Clone + Send + Sync + 'static {
    /// The key from the path's segments; None when one is not a value of its part's type.
    fn from_segments(segments: &[String]) -> Option<Self>;
    /// Each part as text, in key order.
    fn segments(&self) -> Vec<String>;
    /// Adds the parts as the next parameters of a statement, in key order.
    fn add_to(self, args: &mut PgArguments) -> Result<(), BoxDynError>;
}

impl<T: Param + DeserializeOwned + Serialize + Clone + Sync + 'static> Key for T {
    fn from_segments(segments: &[String]) -> Option<Self> {
        match segments {
            [one] => parse_value(one).ok(),
            _ => None,
        }
    }
    fn segments(&self) -> Vec<String> {
        vec![wire_text(self)]
    }
    fn add_to(self, args: &mut PgArguments) -> Result<(), BoxDynError> {
        args.add(self)
    }
}

/// The five `Resource` methods that only forward to a generated entity's repository functions
/// (`insert`, `get`, `list`, `update`, `delete`): one line in each generated impl instead of the
/// same forty, and fewer tokens for `generate` to format.
#[macro_export]
macro_rules! repository_operations {
    (versioned) => {
        $crate::repository_operations!(@forwarded);
        fn update_row(
            conn: &mut ::sqlx::PgConnection,
            key: Self::Key,
            version: $crate::wire::Version,
            patch: Self::Patch,
        ) -> impl ::core::future::Future<Output = Result<Self, $crate::repo::RepoError>> + Send {
            Self::update(conn, key, version, patch)
        }
    };
    (unversioned) => {
        $crate::repository_operations!(@forwarded);
        fn update_row(
            conn: &mut ::sqlx::PgConnection,
            key: Self::Key,
            _version: $crate::wire::Version,
            patch: Self::Patch,
        ) -> impl ::core::future::Future<Output = Result<Self, $crate::repo::RepoError>> + Send {
            Self::update(conn, key, patch)
        }
    };
    (@forwarded) => {
        fn insert_row(
            conn: &mut ::sqlx::PgConnection,
            new: Self::New,
        ) -> impl ::core::future::Future<Output = Result<Self, $crate::repo::RepoError>> + Send {
            Self::insert(conn, new)
        }
        fn get_row(
            conn: &mut ::sqlx::PgConnection,
            key: Self::Key,
        ) -> impl ::core::future::Future<Output = Result<Self, $crate::repo::RepoError>> + Send {
            Self::get(conn, key)
        }
        fn list_rows(
            conn: &mut ::sqlx::PgConnection,
            query: $crate::repo::ListQuery<Self::Field, Self::Filter>,
        ) -> impl ::core::future::Future<Output = Result<Vec<Self>, $crate::repo::RepoError>> + Send {
            Self::list(conn, query)
        }
        fn delete_row(
            conn: &mut ::sqlx::PgConnection,
            key: Self::Key,
        ) -> impl ::core::future::Future<Output = Result<(), $crate::repo::RepoError>> + Send {
            Self::delete(conn, key)
        }
    };
}
