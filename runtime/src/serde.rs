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

/// For a NOT NULL json field of an input: absent → `None`, any value (JSON `null` too) →
/// `Some(v)`. Use with `#[serde(default)]`.
pub fn present<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// `bytes` columns travel as base64 text (the OpenAPI document's `format: byte`).
pub fn base64<S: ::serde::Serializer>(value: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    use base64::Engine;
    serializer.collect_str(&base64::engine::general_purpose::STANDARD.encode(value))
}

/// [`base64`] for a nullable column.
pub fn base64_opt<S: ::serde::Serializer>(value: &Option<Vec<u8>>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => base64(v, serializer),
        None => serializer.serialize_none(),
    }
}
