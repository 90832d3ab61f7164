//! Serde helpers the generated code calls.

use ::serde::{Deserialize, Deserializer};

/// For a nullable field of a partial update: absent → `None` (leave as is), `null` →
/// `Some(None)` (set NULL), a value → `Some(Some(v))`. Use with `#[serde(default)]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
