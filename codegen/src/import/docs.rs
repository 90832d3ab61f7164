//! The spec documents an import writes, as data: decided first (`tables`, `entity`, `link`),
//! rendered to YAML last (`render`), so every naming decision is made once.

use super::defaults::DbDefault;
use crate::ir::{FkAction, UniqueKind};

#[derive(Debug)]
pub struct EnumDoc {
    pub name: String,
    /// Written when `naming.enum_type` would give another name.
    pub db_name: Option<String>,
    pub values: Vec<String>,
}

#[derive(Debug)]
pub struct EntityDoc {
    pub name: String,
    /// Written when the table prefix and the entity name would give another table name.
    pub table: Option<String>,
    /// The table's schema, when it is not the project's.
    pub schema: Option<String>,
    /// The table's comment.
    pub doc: Option<String>,
    pub fields: Vec<FieldDoc>,
    /// A composite primary key in key order, or `[]` for none; None for a one-field key.
    pub primary_key: Option<Vec<String>>,
    pub indexes: Vec<IndexDoc>,
    /// CHECK constraints: name → expression.
    pub checks: Vec<(String, String)>,
    pub foreign_keys: Vec<ForeignKeyDoc>,
    /// EXCLUDE constraints: name → definition after EXCLUDE.
    pub exclusions: Vec<(String, String)>,
    pub partition_by: Option<String>,
    /// Partition name → bound.
    pub partitions: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct FieldDoc {
    pub name: String,
    /// Spec spelling: `string(255)`, `decimal(10,2)`, `Userstatus[]`.
    pub ty: String,
    pub nullable: bool,
    pub primary_key: bool,
    pub db_default: Option<DbDefault>,
    /// The kind, and the name when the template would give another.
    pub unique: Option<(UniqueKind, Option<String>)>,
    /// `index: true`, and the name when the template would give another.
    pub index: Option<Option<String>>,
    pub references: Option<ReferenceDoc>,
    pub generated: Option<crate::ir::Generated>,
    pub collation: Option<String>,
    /// The column's comment.
    pub doc: Option<String>,
}

#[derive(Debug)]
pub struct ReferenceDoc {
    /// `Entity`, or `Entity.field` for a unique field other than the primary key.
    pub target: String,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// `immediate` or `deferred` when the key is DEFERRABLE.
    pub deferrable: Option<&'static str>,
    pub fk_name: Option<String>,
}

/// An entry of `indexes:` (composite keys, and a column's second index).
#[derive(Debug)]
pub struct IndexDoc {
    /// Field names, with `desc`, `nulls first|last` or an operator class; or expressions.
    pub fields: Vec<String>,
    pub unique: Option<UniqueKind>,
    pub name: Option<String>,
    /// The access method when not btree.
    pub using: Option<String>,
    pub predicate: Option<String>,
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    /// Storage parameters: `fillfactor = 70`.
    pub storage: Option<String>,
}

/// An entry of `foreign_keys:` (a key over several columns).
#[derive(Debug)]
pub struct ForeignKeyDoc {
    pub columns: Vec<String>,
    pub references: String,
    /// When not the target's primary key.
    pub ref_columns: Option<Vec<String>>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    pub deferrable: Option<&'static str>,
    pub name: Option<String>,
}

#[derive(Debug)]
pub struct LinkDoc {
    pub name: String,
    pub table: Option<String>,
    pub left: LinkEndDoc,
    pub right: LinkEndDoc,
}

#[derive(Debug)]
pub struct LinkEndDoc {
    pub entity: String,
    pub column: String,
    pub on_delete: FkAction,
    pub fk_name: Option<String>,
}

/// A domain of `domains/domains.yaml`.
#[derive(Debug)]
pub struct DomainDoc {
    pub name: String,
    /// The base type's spec spelling.
    pub ty: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// Name → expression on VALUE.
    pub checks: Vec<(String, String)>,
}
