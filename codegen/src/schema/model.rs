//! Tables, columns, keys, indexes, foreign keys and enum types of one PostgreSQL schema, in the
//! vocabulary of the catalog (types as `format_type()` renders them).

use crate::ir::{FkAction, UniqueKind};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    pub name: String,
    pub enums: BTreeMap<String, EnumType>,
    pub tables: BTreeMap<String, Table>,
    /// Views and materialized views in the schema (never managed by the specs).
    pub views: Vec<String>,
    /// Tables in other schemas, by schema (never managed by the specs).
    pub other_schemas: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumType {
    pub name: String,
    /// In sort order.
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    /// A partitioned table (the specs declare plain tables only).
    pub partitioned: bool,
    /// Physical order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: BTreeMap<String, Unique>,
    pub indexes: BTreeMap<String, Index>,
    pub foreign_keys: BTreeMap<String, ForeignKey>,
    /// CHECK and EXCLUDE constraints: name → definition (the specs declare none).
    pub checks: BTreeMap<String, String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// As `format_type()` renders it: `character varying(255)`, `numeric(10,2)`, `userstatus`.
    pub data_type: String,
    pub nullable: bool,
    /// As `pg_get_expr()` renders it.
    pub default: Option<String>,
    /// `GENERATED … AS IDENTITY` or `GENERATED ALWAYS AS (…) STORED`; the specs declare none.
    pub generated: Option<String>,
    /// A collation other than the type's default; the specs declare none.
    pub collation: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
    /// The full definition when it is more than the plain columns (INCLUDE, DEFERRABLE, …).
    pub extra: Option<String>,
}

/// A unique key on plain columns: a UNIQUE constraint or a unique index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    pub kind: UniqueKind,
    /// False when the spec left the kind open (then constraint and index compare equal).
    pub kind_explicit: bool,
    /// The full definition when it is more than plain ascending columns (DESC, INCLUDE,
    /// operator class, NULLS NOT DISTINCT, DEFERRABLE, an invalid index, …).
    pub extra: Option<String>,
}

/// Any other index: plain, or unique with expressions or a predicate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    /// Column names, or expressions as `pg_get_indexdef()` renders them.
    pub columns: Vec<String>,
    pub unique: bool,
    pub method: String,
    pub predicate: Option<String>,
    /// As for `Unique::extra`.
    pub extra: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_schema: String,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    /// MATCH FULL, DEFERRABLE, NOT VALID …, space-separated; empty when none.
    pub options: String,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}
