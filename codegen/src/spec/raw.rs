//! The YAML documents exactly as written, every value with its position (serde-saphyr `Spanned`).
//! Nothing here is checked beyond YAML syntax and known keys; `validate` does the rest.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::fmt;

pub type S<T> = Spanned<T>;

/// A YAML mapping that keeps its keys' order and positions (field order is column order).
#[derive(Debug)]
pub struct OrderedMap<V>(pub Vec<(S<String>, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<S<String>>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(OrderedMap(entries))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(OrderedMap(Vec::new()))
            }
        }
        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectDoc {
    pub project: S<String>,
    pub schema: Option<S<String>>,
    pub table_prefix: Option<S<String>>,
    pub unique_default: Option<S<String>>,
    pub naming: Option<NamingDoc>,
    pub unmanaged: Option<UnmanagedDoc>,
    /// `doc:` texts become `COMMENT ON` the tables and columns (and are compared with them).
    pub comments: Option<S<bool>>,
    /// PostgreSQL extensions the schema needs (`vector`, `citext`), created by the migrations.
    #[serde(default)]
    pub extensions: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamingDoc {
    pub primary_key: Option<S<String>>,
    pub foreign_key: Option<S<String>>,
    pub index: Option<S<String>>,
    pub unique_index: Option<S<String>>,
    pub unique_constraint: Option<S<String>>,
    pub enum_type: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnmanagedDoc {
    #[serde(default)]
    pub ignore_tables: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumsDoc {
    pub enums: OrderedMap<EnumSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumSpec {
    pub doc: Option<S<String>>,
    pub db_name: Option<S<String>>,
    pub values: S<Vec<S<String>>>,
    /// `NEW_VALUE: OLD_VALUE`: values renamed in place (ALTER TYPE … RENAME VALUE).
    #[serde(default)]
    pub renamed_values: OrderedMap<S<String>>,
}

/// `domains/*.yaml`: named types over a base type, with their own rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainsDoc {
    pub domains: OrderedMap<DomainSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainSpec {
    #[serde(rename = "type")]
    pub ty: S<String>,
    pub doc: Option<S<String>>,
    /// `NOT NULL` on the domain: every column of it refuses NULL.
    pub not_null: Option<S<bool>>,
    /// The default as SQL, e.g. `0` or `'none'`.
    pub default: Option<S<String>>,
    /// A CHECK on `VALUE`, named `{domain}_check`.
    pub check: Option<S<String>>,
    /// Named CHECKs on `VALUE`.
    #[serde(default)]
    pub checks: OrderedMap<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixinDoc {
    pub mixin: S<String>,
    pub doc: Option<S<String>>,
    #[serde(default)]
    pub mixins: Vec<S<String>>,
    #[serde(default)]
    pub fields: OrderedMap<FieldSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityDoc {
    pub entity: S<String>,
    pub table: Option<S<String>>,
    /// The PostgreSQL schema holding the table, when it is not the project's.
    pub schema: Option<S<String>>,
    /// The table's previous name: the next migration renames it instead of dropping it.
    pub renamed_from: Option<S<String>>,
    /// A composite primary key in key order (else the fields marked `primary_key: true`).
    pub primary_key: Option<S<Vec<S<String>>>>,
    pub doc: Option<S<String>>,
    #[serde(default)]
    pub mixins: Vec<S<String>>,
    #[serde(default)]
    pub fields: OrderedMap<FieldSpec>,
    #[serde(default)]
    pub indexes: Vec<IndexSpec>,
    /// Table CHECK constraints: name → boolean expression.
    #[serde(default)]
    pub checks: OrderedMap<S<String>>,
    /// Foreign keys over several columns (one-column ones are a field's `references:`).
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKeySpec>,
    /// EXCLUDE constraints: name → definition after EXCLUDE (`USING gist (room WITH =, during WITH &&)`).
    #[serde(default)]
    pub exclusions: OrderedMap<S<String>>,
    /// Declarative partitioning: `RANGE (column)`, `LIST (column)` or `HASH (column)`.
    pub partition_by: Option<S<String>>,
    /// The partitions: name → bound (`FOR VALUES FROM (…) TO (…)`, `FOR VALUES IN (…)`,
    /// `FOR VALUES WITH (modulus 4, remainder 0)`, or `DEFAULT`).
    #[serde(default)]
    pub partitions: OrderedMap<S<String>>,
    pub access: Option<AccessDoc>,
    pub identity: Option<IdentityDoc>,
}

/// `access:` of an entity: per operation (or `read` = list + get, `write` = create + update +
/// delete), a list of `public`, `authenticated`, a role name, or `{ owner: field }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessDoc {
    pub read: Option<S<Vec<S<serde_json::Value>>>>,
    pub write: Option<S<Vec<S<serde_json::Value>>>>,
    pub list: Option<S<Vec<S<serde_json::Value>>>>,
    pub get: Option<S<Vec<S<serde_json::Value>>>>,
    pub create: Option<S<Vec<S<serde_json::Value>>>>,
    pub update: Option<S<Vec<S<serde_json::Value>>>>,
    pub delete: Option<S<Vec<S<serde_json::Value>>>>,
}

/// `access:` of a field: the roles that see it (`read`) and set it (`write`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldAccessDoc {
    pub read: Option<S<Vec<S<String>>>>,
    pub write: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityDoc {
    pub login: S<String>,
    pub password: S<String>,
    pub roles: Option<RolesDoc>,
    pub register: Option<S<bool>>,
    /// `{ field: [values] }`: only rows whose field holds one of the values may log in.
    pub login_when: Option<OrderedMap<S<Vec<S<String>>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesDoc {
    pub field: S<String>,
    #[serde(default)]
    pub values: OrderedMap<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    #[serde(rename = "type")]
    pub ty: S<String>,
    pub nullable: Option<S<bool>>,
    pub doc: Option<S<String>>,
    pub default: Option<S<serde_json::Value>>,
    pub default_fn: Option<S<String>>,
    pub db_default: Option<S<serde_json::Value>>,
    pub on_update: Option<S<String>>,
    pub primary_key: Option<S<bool>>,
    pub unique: Option<S<serde_json::Value>>,
    pub unique_name: Option<S<String>>,
    pub index: Option<S<bool>>,
    pub index_name: Option<S<String>>,
    pub references: Option<S<String>>,
    pub on_delete: Option<S<String>>,
    pub fk_name: Option<S<String>>,
    pub secret: Option<S<bool>>,
    pub read_only: Option<S<bool>>,
    pub version: Option<S<bool>>,
    pub validate: Option<ValidateSpec>,
    pub renamed_from: Option<S<String>>,
    pub access: Option<FieldAccessDoc>,
    /// `always` or `by_default`: an identity column.
    pub identity: Option<S<String>>,
    /// An identity's sequence options (only with `identity:`).
    pub sequence: Option<S<SequenceDoc>>,
    /// A stored generated column's expression, as PostgreSQL prints it.
    pub generated: Option<S<String>>,
    pub collation: Option<S<String>>,
    /// A CHECK on this column's values (named `{table}_{column}_check`, as PostgreSQL names it).
    pub check: Option<S<String>>,
    /// `immediate` or `deferred`: a DEFERRABLE foreign key.
    pub deferrable: Option<S<String>>,
    /// `lowercase`: the API stores the value lower-cased (a login name that ignores case).
    pub normalize: Option<S<String>>,
}

/// `CREATE SEQUENCE`'s options, each left out for PostgreSQL's default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceDoc {
    pub start: Option<S<i64>>,
    pub increment: Option<S<i64>>,
    pub min: Option<S<i64>>,
    pub max: Option<S<i64>>,
    pub cache: Option<S<i64>>,
    pub cycle: Option<S<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateSpec {
    pub min_length: Option<S<u64>>,
    pub max_length: Option<S<u64>>,
    pub min: Option<S<f64>>,
    pub max: Option<S<f64>>,
    pub pattern: Option<S<String>>,
    pub format: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSpec {
    /// Field names, each optionally followed by an operator class, `desc`, `nulls first|last`;
    /// or expressions (`lower(email)`).
    pub fields: S<Vec<S<String>>>,
    pub unique: Option<S<serde_json::Value>>,
    pub name: Option<S<String>>,
    /// The access method: btree (default), hash, gin, gist, brin, spgist, or an extension's (hnsw).
    pub using: Option<S<String>>,
    /// A partial index's predicate.
    #[serde(rename = "where")]
    pub predicate: Option<S<String>>,
    #[serde(default)]
    pub include: Vec<S<String>>,
    /// `false`: NULLs are equal in a unique index (`NULLS NOT DISTINCT`, PostgreSQL 15+).
    pub nulls_distinct: Option<S<bool>>,
    /// Storage parameters: `fillfactor = 70`, `m = 16, ef_construction = 64`.
    pub with: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKeySpec {
    pub columns: S<Vec<S<String>>>,
    /// The target entity.
    pub references: S<String>,
    /// The target's columns (default: its primary key).
    pub ref_columns: Option<S<Vec<S<String>>>>,
    pub on_delete: Option<S<String>>,
    pub on_update: Option<S<String>>,
    pub deferrable: Option<S<String>>,
    pub name: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkDoc {
    pub link: S<String>,
    pub table: Option<S<String>>,
    pub doc: Option<S<String>>,
    pub left: LinkEndSpec,
    pub right: LinkEndSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkEndSpec {
    pub entity: S<String>,
    pub column: Option<S<String>>,
    pub on_delete: Option<S<String>>,
    pub fk_name: Option<S<String>>,
}
