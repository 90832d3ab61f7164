//! The REST API's wire contract, stated once. `codegen` writes it into the OpenAPI document and
//! the SDK, `runtime` serves it; neither restates a value here (codegen never depends on runtime,
//! so the facts both need live in this dependency-free crate).

/// Every resource lives under this prefix.
pub const PREFIX: &str = "/api/v1";

/// Login and registration of the identity entity.
pub const LOGIN_PATH: &str = "/api/v1/auth/login";
pub const REGISTER_PATH: &str = "/api/v1/auth/register";
/// The key of the login and registration bodies that holds the password (never a column name).
pub const PASSWORD_FIELD: &str = "password";
/// The key of an update body that holds the caller's current password, which changing one's own
/// password or login name takes (never stored).
pub const CURRENT_PASSWORD_FIELD: &str = "current_password";
/// The shortest and longest password the API accepts (hashing time bounds the longest).
pub const PASSWORD_MIN_CHARS: u64 = 8;
pub const PASSWORD_MAX_CHARS: u64 = 1024;

/// Lists return at most this many rows, and this many when no `limit` is given.
pub const MAX_LIMIT: i64 = 1000;
pub const DEFAULT_LIMIT: i64 = 100;

/// Bounds on the work one list request asks for: conditions per field (a filter parameter's
/// repetitions; the fields are the entity's) and characters per condition (a `like` pattern, an
/// `in` list).
pub const MAX_CONDITIONS: usize = 32;
pub const MAX_CONDITION_CHARS: usize = 4096;

/// A 422 lists at most this many field errors (its `detail` still counts them all).
pub const MAX_FIELD_ERRORS: usize = 50;

/// Query parameters lists reserve; a field of the same name cannot be filtered on.
pub const RESERVED_PARAMS: [&str; 3] = ["limit", "offset", "order"];

/// An item's path: the collection, then one segment per primary-key part in key order.
/// A single key is `{id}` (`/api/v1/users/{id}`); a composite key names its parts
/// (`/api/v1/film_actors/{actor_id}/{film_id}`), so each part is a typed path parameter.
pub fn item_path(collection: &str, key_fields: &[&str]) -> String {
    match key_fields {
        [_] => format!("{collection}/{{id}}"),
        parts => parts.iter().fold(collection.to_string(), |path, part| format!("{path}/{{{part}}}")),
    }
}

/// The ends of time a `date`, `timestamp` or `timestamptz` value may also be, spelled as
/// PostgreSQL spells them; every other value is an RFC 3339 `date` or `date-time`.
pub const INFINITY: &str = "infinity";
pub const NEG_INFINITY: &str = "-infinity";

/// The table the server keeps its failed-login counters in (created at start-up, next to the
/// model's tables): bookkeeping that `check` lists and never calls drift, and import skips.
pub const LOGIN_FAILURES_TABLE: &str = "_login_failures";

/// The role that passes every access rule.
pub const ADMIN_ROLE: &str = "admin";

/// An optimistic-lock version as it travels (body, `ETag`, `If-Match`): wide enough for every
/// integer column a spec may declare as the version (`smallint`, `int`, `bigint`).
pub type Version = i64;

/// PostgREST-style filter operators, as written in a query string (`status=eq.ACTIVE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    In,
    Like,
    ILike,
    Is,
    NotIs,
}

impl Operator {
    pub const ALL: [Operator; 11] = [
        Operator::Eq,
        Operator::Neq,
        Operator::Lt,
        Operator::Lte,
        Operator::Gt,
        Operator::Gte,
        Operator::In,
        Operator::Like,
        Operator::ILike,
        Operator::Is,
        Operator::NotIs,
    ];

    /// The word before the value's dot (`not.is` for `not.is.null`).
    pub const fn word(self) -> &'static str {
        match self {
            Operator::Eq => "eq",
            Operator::Neq => "neq",
            Operator::Lt => "lt",
            Operator::Lte => "lte",
            Operator::Gt => "gt",
            Operator::Gte => "gte",
            Operator::In => "in",
            Operator::Like => "like",
            Operator::ILike => "ilike",
            Operator::Is => "is",
            Operator::NotIs => "not.is",
        }
    }

    /// Splits `op.value` (or a lone `op`, whose value is empty) into its operator and value; None
    /// when it starts with no operator (a bare value, which the document admits as equality for
    /// some types).
    pub fn split(condition: &str) -> Option<(Operator, &str)> {
        // A word must be followed by `.` or the end, so no two words can both match (`lt` is not
        // read in `lte.5`).
        Operator::ALL.into_iter().find_map(|op| {
            let rest = condition.strip_prefix(op.word())?;
            if rest.is_empty() {
                return Some((op, rest));
            }
            Some((op, rest.strip_prefix('.')?))
        })
    }
}

/// A distance a list orders by, nearest first (`order=embedding.cosine.[0.1,0.2,0.3]`): pgvector's
/// metrics, each with its operator and the operator class an index needs to serve it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    L2,
    Cosine,
    InnerProduct,
    L1,
}

impl Metric {
    pub const ALL: [Metric; 4] = [Metric::L2, Metric::Cosine, Metric::InnerProduct, Metric::L1];

    /// The word in `order`.
    pub const fn word(self) -> &'static str {
        match self {
            Metric::L2 => "l2",
            Metric::Cosine => "cosine",
            Metric::InnerProduct => "ip",
            Metric::L1 => "l1",
        }
    }

    /// pgvector's distance operator (`<#>` is the negative inner product: ascending is nearest).
    pub const fn operator(self) -> &'static str {
        match self {
            Metric::L2 => "<->",
            Metric::Cosine => "<=>",
            Metric::InnerProduct => "<#>",
            Metric::L1 => "<+>",
        }
    }

    /// The operator class an HNSW or IVFFlat index on a `vector` column needs for this metric.
    pub const fn opclass(self) -> &'static str {
        match self {
            Metric::L2 => "vector_l2_ops",
            Metric::Cosine => "vector_cosine_ops",
            Metric::InnerProduct => "vector_ip_ops",
            Metric::L1 => "vector_l1_ops",
        }
    }

    pub fn from_word(word: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.word() == word)
    }

    /// `field.metric.[…]`, the whole `order` value of a nearest-neighbour list, split into the
    /// field, the metric and the vector's JSON text; None when it is not one.
    pub fn split_order(order: &str) -> Option<(&str, Metric, &str)> {
        let open = order.find(".[")?;
        let (head, vector) = (&order[..open], &order[open + 1..]);
        let (field, word) = head.rsplit_once('.')?;
        vector.ends_with(']').then_some(())?;
        Some((field, Metric::from_word(word)?, vector))
    }
}

#[cfg(test)]
mod tests {
    use super::{Metric, Operator};

    #[test]
    fn nearest_orders_split_into_field_metric_and_vector() {
        assert_eq!(Metric::split_order("embedding.cosine.[1,2.5]"), Some(("embedding", Metric::Cosine, "[1,2.5]")));
        assert_eq!(Metric::split_order("a.b.ip.[0]"), Some(("a.b", Metric::InnerProduct, "[0]")));
        assert_eq!(Metric::split_order("embedding.desc"), None);
        assert_eq!(Metric::split_order("embedding.dot.[1]"), None);
        assert_eq!(Metric::split_order("embedding.l2.[1"), None);
    }

    #[test]
    fn conditions_split_into_operator_and_value() {
        assert_eq!(Operator::split("eq.ACTIVE"), Some((Operator::Eq, "ACTIVE")));
        assert_eq!(Operator::split("not.is.null"), Some((Operator::NotIs, "null")));
        assert_eq!(Operator::split("is.null"), Some((Operator::Is, "null")));
        assert_eq!(Operator::split("in.(a,b)"), Some((Operator::In, "(a,b)")));
        assert_eq!(Operator::split("lte.5"), Some((Operator::Lte, "5")));
        assert_eq!(Operator::split("equal.5"), None);
        assert_eq!(Operator::split("42"), None);
        assert_eq!(Operator::split("eq"), Some((Operator::Eq, "")));
        assert_eq!(Operator::split("isabel"), None);
    }
}
