//! The resolved model: what the specs mean once mixins, enums, references and naming
//! conventions are resolved. Every generator reads this, never the raw YAML.

use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub project: Project,
    /// Sorted by name.
    pub enums: Vec<EnumDef>,
    /// Sorted by name: the entities the generated code and the API serve.
    pub entities: Vec<Entity>,
    /// Sorted by name.
    pub links: Vec<Link>,
    /// Entities without a primary key, sorted by name: in the schema (lowered, migrated, checked,
    /// imported), not in the generated code or the API (an item path needs a key).
    pub keyed: Vec<Entity>,
    /// Sorted by name.
    pub domains: Vec<DomainDef>,
}

/// A domain: a named type over a base type, with NOT NULL, a default and CHECKs on `VALUE`.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainDef {
    /// The spec name, which is also the database name.
    pub name: String,
    pub base: FieldType,
    pub doc: Option<String>,
    pub not_null: bool,
    /// SQL.
    pub default: Option<String>,
    pub checks: Vec<CheckDef>,
}

impl Model {
    /// `27 entities, 6 links, 9 enums`, and the entities without a key when there are any.
    pub fn summary(&self) -> String {
        let mut text =
            format!("{} entities, {} links, {} enums", self.entities.len(), self.links.len(), self.enums.len());
        if !self.keyed.is_empty() {
            text.push_str(&format!(", {} without a primary key (schema only, no API)", self.keyed.len()));
        }
        text
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Project {
    pub name: String,
    pub schema: String,
    pub table_prefix: String,
    pub unique_default: UniqueKind,
    pub naming: Naming,
    pub ignore_tables: Vec<String>,
    /// Extensions the migrations create, sorted.
    pub extensions: Vec<String>,
    /// Whether `doc:` texts are the tables' and columns' comments (`COMMENT ON`).
    pub comments: bool,
}

/// Name templates for generated database objects; see model-spec/README.md.
#[derive(Clone, Debug, PartialEq)]
pub struct Naming {
    pub primary_key: String,
    pub foreign_key: String,
    pub index: String,
    pub unique_index: String,
    pub unique_constraint: String,
    pub enum_type: String,
}

impl Default for Naming {
    fn default() -> Self {
        Self {
            primary_key: "{table}_pkey".into(),
            foreign_key: "{table}_{columns}_fkey".into(),
            index: "ix_{table}_{columns}".into(),
            unique_index: "ux_{table}_{columns}".into(),
            unique_constraint: "{table}_{columns}_key".into(),
            enum_type: "{snake}".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub db_name: String,
    pub values: Vec<String>,
    pub doc: Option<String>,
    /// `(new, old)`: values renamed in place.
    pub renamed_values: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub name: String,
    pub table: String,
    /// The PostgreSQL schema holding the table; None: the project's.
    pub schema: Option<String>,
    pub doc: Option<String>,
    /// Column order.
    pub fields: Vec<Field>,
    pub primary_key: PrimaryKey,
    pub indexes: Vec<IndexDef>,
    /// CHECK constraints (the table's and its fields'), in spec order.
    pub checks: Vec<CheckDef>,
    /// Foreign keys over several columns.
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// EXCLUDE constraints: name → `EXCLUDE USING …` as sqlparser renders it.
    pub exclusions: Vec<(String, String)>,
    /// `RANGE (col)`, `LIST (col)`, `HASH (col)`: a partitioned table.
    pub partition_by: Option<String>,
    /// Partition name → bound.
    pub partitions: Vec<(String, String)>,
    /// The table's previous name, when the spec renames it.
    pub renamed_from: Option<String>,
    /// Who may do what over the API.
    pub access: Access,
    /// Set on the one entity whose rows log in (login, password, roles).
    pub identity: Option<Identity>,
    pub source: PathBuf,
}

/// Who may call each operation of an entity. An operation the spec does not name is admin-only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    pub list: Allow,
    pub get: Allow,
    pub create: Allow,
    pub update: Allow,
    pub delete: Allow,
}

impl Access {
    /// `(operation, rule)` in the API's order.
    pub fn operations(&self) -> [(&'static str, &Allow); 5] {
        [
            ("list", &self.list),
            ("get", &self.get),
            ("create", &self.create),
            ("update", &self.update),
            ("delete", &self.delete),
        ]
    }
}

/// One operation's rule; the admin role is always allowed on top of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allow {
    /// No token needed.
    pub public: bool,
    /// Any valid token.
    pub authenticated: bool,
    /// Tokens carrying one of these roles.
    pub roles: Vec<String>,
    /// Any valid token, limited to the rows whose field holds the token's subject.
    pub owner: Option<String>,
}

impl Allow {
    /// Whether only the admin role passes.
    pub fn admin_only(&self) -> bool {
        !self.public && !self.authenticated && self.roles.is_empty() && self.owner.is_none()
    }
}

/// The role that passes every rule and sees every field.
pub const ADMIN_ROLE: &str = "admin";

/// The entity whose rows log in: `POST /api/v1/auth/login` (and `/register` when enabled).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The field a login names (unique), e.g. `email`.
    pub login: String,
    /// The secret field holding the password hash; the API accepts it as `password`.
    pub password: String,
    /// The field whose value gives a token's roles, with the roles of each value.
    pub roles: Option<RoleSource>,
    pub register: bool,
    /// `(field, values)`: only rows whose field holds one of these values may log in.
    pub login_when: Option<(String, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSource {
    pub field: String,
    /// `(value, roles)`; a value not listed gives its own name in lower case.
    pub values: Vec<(String, Vec<String>)>,
}

/// The name the API gives the identity's password field.
pub const PASSWORD_WIRE_NAME: &str = "password";

impl Entity {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The primary key's fields, in key order.
    pub fn key_fields(&self) -> Vec<&Field> {
        self.primary_key.columns.iter().map(|c| self.field(c).expect("validated: primary key field exists")).collect()
    }

    pub fn pk_field(&self) -> &Field {
        self.field(&self.primary_key.columns[0]).expect("validated: primary key field exists")
    }

    /// The optimistic-lock field, if the entity has one (validation allows at most one).
    pub fn version_field(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.version)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: FieldType,
    pub nullable: bool,
    pub doc: Option<String>,
    pub default: Option<AppDefault>,
    pub db_default: Option<DbDefault>,
    pub on_update_now: bool,
    pub primary_key: bool,
    pub references: Option<Reference>,
    pub secret: bool,
    pub read_only: bool,
    pub version: bool,
    pub validate: Validation,
    pub renamed_from: Option<String>,
    /// Roles that see the field in responses; None: whoever may read the row.
    pub read_roles: Option<Vec<String>>,
    /// Roles that may set it; None: whoever may create or update the row.
    pub write_roles: Option<Vec<String>>,
    /// An identity or stored generated column: the database computes its value.
    pub generated: Option<Generated>,
    /// A collation other than the type's default.
    pub collation: Option<String>,
    /// `normalize: lowercase`: every API write stores the value lower-cased, so its unique key
    /// ignores case, and a login by it does too.
    pub lowercase: bool,
}

impl Entity {
    /// The table's key in the schema model (and its name in reports): `table`, or
    /// `schema.table` outside the project's schema `ours`.
    pub fn table_key(&self, ours: &str) -> String {
        crate::naming::table_key(self.schema.as_deref().unwrap_or(ours), &self.table, ours)
    }

    /// The table as SQL names it (the project's schema is on the search path).
    pub fn table_sql(&self, ours: &str) -> String {
        crate::naming::quote_table(&self.table_key(ours))
    }
}

/// How the database computes a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Generated {
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [(options)]`: with `always`, the database
    /// alone sets it; otherwise a given value wins.
    Identity { always: bool, sequence: SequenceOptions },
    /// `GENERATED ALWAYS AS (expr) STORED`.
    Stored(String),
}

impl Generated {
    /// As the column definition (and `introspect`) spells it.
    pub fn sql(&self) -> String {
        match self {
            Self::Identity { always, sequence } => {
                let kind = if *always { "ALWAYS" } else { "BY DEFAULT" };
                let options = sequence.sql();
                let options = if options.is_empty() { options } else { format!(" ({options})") };
                format!("GENERATED {kind} AS IDENTITY{options}")
            }
            Self::Stored(expr) => format!("GENERATED ALWAYS AS ({expr}) STORED"),
        }
    }

    /// The inverse of [`Generated::sql`] (import reads a column's definition with it).
    pub fn from_sql(definition: &str) -> Option<Self> {
        for (prefix, always) in [("GENERATED ALWAYS AS IDENTITY", true), ("GENERATED BY DEFAULT AS IDENTITY", false)] {
            if let Some(rest) = definition.strip_prefix(prefix) {
                let options = rest.trim().strip_prefix('(').and_then(|r| r.strip_suffix(')')).unwrap_or(rest);
                return Some(Self::Identity { always, sequence: SequenceOptions::parse(options)? });
            }
        }
        definition
            .strip_prefix("GENERATED ALWAYS AS (")
            .and_then(|e| e.strip_suffix(") STORED"))
            .map(|e| Self::Stored(e.to_string()))
    }

    /// Whether a column definition's generation (as [`Generated::sql`] spells it) is an identity.
    pub fn is_identity_sql(definition: &str) -> bool {
        definition.starts_with("GENERATED ALWAYS AS IDENTITY")
            || definition.starts_with("GENERATED BY DEFAULT AS IDENTITY")
    }
}

/// An identity's sequence options, each None (or `cycle` false) where it is PostgreSQL's default
/// for the column's type, so one sequence has one spelling whichever way it was declared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SequenceOptions {
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cache: Option<i64>,
    pub cycle: bool,
}

/// Every option's value, defaults filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceValues {
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl SequenceOptions {
    /// The values PostgreSQL settles on (CREATE SEQUENCE's defaults) for an integer type whose
    /// range is `bounds`: ascending sequences run from 1 up, descending ones from -1 down.
    pub fn values(&self, bounds: (i64, i64)) -> SequenceValues {
        let increment = self.increment.unwrap_or(1);
        let min = self.min.unwrap_or(if increment > 0 { 1 } else { bounds.0 });
        let max = self.max.unwrap_or(if increment > 0 { bounds.1 } else { -1 });
        let start = self.start.unwrap_or(if increment > 0 { min } else { max });
        SequenceValues { start, increment, min, max, cache: self.cache.unwrap_or(1), cycle: self.cycle }
    }

    /// The options that differ from the defaults, as [`SequenceOptions`] keeps them.
    pub fn canonical(values: SequenceValues, bounds: (i64, i64)) -> Self {
        let increment = (values.increment != 1).then_some(values.increment);
        let default_min = if values.increment > 0 { 1 } else { bounds.0 };
        let default_max = if values.increment > 0 { bounds.1 } else { -1 };
        let default_start = if values.increment > 0 { values.min } else { values.max };
        Self {
            start: (values.start != default_start).then_some(values.start),
            increment,
            min: (values.min != default_min).then_some(values.min),
            max: (values.max != default_max).then_some(values.max),
            cache: (values.cache != 1).then_some(values.cache),
            cycle: values.cycle,
        }
    }

    /// `START WITH 100 INCREMENT BY 10 …` in a fixed order; empty when every option is default.
    pub fn sql(&self) -> String {
        let mut parts = Vec::new();
        let named = [
            ("START WITH", self.start),
            ("INCREMENT BY", self.increment),
            ("MINVALUE", self.min),
            ("MAXVALUE", self.max),
            ("CACHE", self.cache),
        ];
        for (word, value) in named {
            if let Some(value) = value {
                parts.push(format!("{word} {value}"));
            }
        }
        if self.cycle {
            parts.push("CYCLE".into());
        }
        parts.join(" ")
    }

    /// The inverse of [`SequenceOptions::sql`].
    pub fn parse(text: &str) -> Option<Self> {
        let mut options = Self::default();
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut rest = words.as_slice();
        while !rest.is_empty() {
            let (slot, tail) = match rest {
                ["CYCLE", tail @ ..] => {
                    options.cycle = true;
                    rest = tail;
                    continue;
                }
                ["START", "WITH", tail @ ..] => (&mut options.start, tail),
                ["INCREMENT", "BY", tail @ ..] => (&mut options.increment, tail),
                ["MINVALUE", tail @ ..] => (&mut options.min, tail),
                ["MAXVALUE", tail @ ..] => (&mut options.max, tail),
                ["CACHE", tail @ ..] => (&mut options.cache, tail),
                _ => return None,
            };
            let (value, tail) = tail.split_first()?;
            *slot = Some(value.parse().ok()?);
            rest = tail;
        }
        Some(options)
    }
}

/// A foreign key over several columns, resolved to its target table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKeyDef {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    /// As `Reference::schema`.
    pub ref_schema: Option<String>,
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// As `Reference::deferrable`.
    pub deferrable: String,
}

/// A named CHECK constraint: a boolean expression over the row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckDef {
    pub name: String,
    pub expr: String,
}

/// The roles of a field, decided here once: the OpenAPI schemas, the SDK, the generated
/// models and repositories and the server's field rules all read them.
impl Field {
    /// A response carries it: every field but secrets.
    pub fn readable(&self) -> bool {
        !self.secret
    }

    /// A client may send it: not server-managed (read-only fields, the version, identity ALWAYS
    /// and generated columns, derived types such as `tsvector`).
    pub fn writable(&self) -> bool {
        !self.read_only
            && !self.version
            && !self.ty.is_derived()
            && !matches!(self.generated, Some(Generated::Identity { always: true, .. } | Generated::Stored(_)))
    }

    /// A create must carry it: writable, not nullable, no default of either kind.
    pub fn required_on_create(&self) -> bool {
        self.writable()
            && !self.nullable
            && self.default.is_none()
            && self.db_default.is_none()
            && self.generated.is_none()
    }

    /// A partial update may change it: writable, and not the key.
    pub fn patchable(&self) -> bool {
        self.writable() && !self.primary_key
    }

    /// Lists filter and order on it: not secret, and of a scalar, comparable type.
    pub fn listable(&self) -> bool {
        !self.secret
            && match self.ty.base() {
                FieldType::Array(_) | FieldType::Sql(_) => false,
                plain => crate::types::scalar(plain).is_none_or(|s| s.filter.is_some()),
            }
    }

    /// Listable, and not named like a reserved query parameter (`limit`, `offset`, `order`).
    pub fn filterable(&self) -> bool {
        self.listable() && !wire::RESERVED_PARAMS.contains(&self.name.as_str())
    }
}

pub use crate::types::FieldType;

/// A default applied by generated code on insert (not a database DEFAULT).
#[derive(Clone, Debug, PartialEq)]
pub enum AppDefault {
    Value(serde_json::Value),
    UuidV4,
    Now,
}

/// A database DEFAULT, as SQL text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbDefault {
    pub sql: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub entity: String,
    pub table: String,
    /// The target table's schema; None: the project's.
    pub schema: Option<String>,
    pub column: String,
    pub on_delete: FkAction,
    pub on_update: FkAction,
    /// `DEFERRABLE` or `DEFERRABLE INITIALLY DEFERRED`; empty when not deferrable.
    pub deferrable: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            Self::NoAction => "NO ACTION",
            Self::Restrict => "RESTRICT",
            Self::Cascade => "CASCADE",
            Self::SetNull => "SET NULL",
            Self::SetDefault => "SET DEFAULT",
        }
    }

    pub fn from_spec(word: &str) -> Option<Self> {
        Some(match word {
            "no_action" => Self::NoAction,
            "restrict" => Self::Restrict,
            "cascade" => Self::Cascade,
            "set_null" => Self::SetNull,
            "set_default" => Self::SetDefault,
            _ => return None,
        })
    }

    pub const SPEC_WORDS: [&'static str; 5] = ["no_action", "restrict", "cascade", "set_null", "set_default"];
}

/// The spec's `deferrable:` words and the foreign key options they stand for (as `introspect`
/// spells them); one table for validation and import.
pub const DEFERRABLE: [(&str, &str); 2] = [("immediate", "DEFERRABLE"), ("deferred", "DEFERRABLE INITIALLY DEFERRED")];

/// The options of a `deferrable:` word.
pub fn deferrable_options(word: &str) -> Option<&'static str> {
    DEFERRABLE.iter().find(|(w, _)| *w == word).map(|(_, sql)| *sql)
}

/// The `deferrable:` word of a foreign key's options: `Ok(None)` when not deferrable, `Err` for
/// options the spec cannot state (MATCH FULL, NOT VALID).
pub fn deferrable_word(options: &str) -> Result<Option<&'static str>, String> {
    match options {
        "" => Ok(None),
        other => {
            DEFERRABLE.iter().find(|(_, sql)| *sql == other).map(|(w, _)| Some(*w)).ok_or_else(|| other.to_string())
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Validation {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<String>,
    pub format: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UniqueKind {
    Index,
    Constraint,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexDef {
    pub name: String,
    pub columns: Vec<String>,
    /// None: a plain index. Some(kind): a unique index or UNIQUE constraint.
    pub unique: Option<UniqueKind>,
    /// Whether the spec said which kind of uniqueness (else a constraint and an index are equal).
    pub kind_explicit: bool,
    /// Each key as PostgreSQL prints it: `"col"`, `"col" DESC`, `"v" vector_cosine_ops`,
    /// `lower(email)`; the same as the quoted `columns` for a plain index.
    pub elements: Vec<String>,
    pub method: String,
    pub predicate: Option<String>,
    pub include: Vec<String>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// Storage parameters, as `pg_get_indexdef()` prints them: `fillfactor='70'`.
    pub storage: Vec<String>,
}

impl IndexDef {
    /// A btree index (or unique key) on plain ascending columns.
    pub fn plain(name: String, columns: Vec<String>, unique: Option<UniqueKind>, kind_explicit: bool) -> Self {
        let elements = columns.iter().map(|c| crate::naming::quote_ident(c)).collect();
        Self {
            name,
            columns,
            unique,
            kind_explicit,
            elements,
            method: "btree".into(),
            predicate: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            storage: Vec::new(),
        }
    }

    /// A btree on plain ascending columns, nothing more.
    /// Expressible as a UNIQUE constraint: plain columns, btree, no predicate or storage
    /// parameters (NULLS NOT DISTINCT and INCLUDE are the constraint's own words).
    pub fn is_constraint_key(&self) -> bool {
        self.method == "btree"
            && self.predicate.is_none()
            && self.storage.is_empty()
            && self.elements.iter().zip(&self.columns).all(|(e, c)| *e == crate::naming::quote_ident(c))
    }

    pub fn is_plain(&self) -> bool {
        self.method == "btree"
            && self.predicate.is_none()
            && self.include.is_empty()
            && !self.nulls_not_distinct
            && self.storage.is_empty()
            && self.elements.iter().zip(&self.columns).all(|(e, c)| *e == crate::naming::quote_ident(c))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub name: String,
    pub table: String,
    pub doc: Option<String>,
    pub left: LinkEnd,
    pub right: LinkEnd,
    pub primary_key: String,
    pub source: PathBuf,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkEnd {
    pub entity: String,
    pub column: String,
    pub ty: FieldType,
    pub reference: Reference,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sequence has one spelling: defaults drop out (they depend on the type and the
    /// increment's sign), and the spelling reads back.
    #[test]
    fn sequence_options_are_canonical_and_read_back() {
        let int = (i64::from(i32::MIN), i64::from(i32::MAX));
        let given =
            SequenceOptions { min: Some(10), increment: Some(1), max: Some(i64::from(i32::MAX)), ..Default::default() };
        let canonical = SequenceOptions::canonical(given.values(int), int);
        assert_eq!(canonical, SequenceOptions { min: Some(10), ..Default::default() });
        let down = SequenceOptions { increment: Some(-1), ..Default::default() }.values(int);
        assert_eq!((down.min, down.max, down.start), (i64::from(i32::MIN), -1, -1));
        let identity = Generated::Identity { always: false, sequence: SequenceOptions::canonical(down, int) };
        assert_eq!(identity.sql(), "GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1)");
        for g in
            [identity, Generated::Identity { always: true, sequence: canonical }, Generated::Stored("a + 1".into())]
        {
            assert_eq!(Generated::from_sql(&g.sql()), Some(g));
        }
    }
}
