//! Request and response plumbing every handler shares: JSON bodies in and out, keys from paths.

use super::entity::Key;
use super::problem::Problem;
use super::rules::FieldError;
use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A path parameter's text; a malformed one (bad percent-encoding, say) is a 400.
pub fn path_text(id: Result<Path<String>, PathRejection>) -> Result<String, Problem> {
    id.map(|Path(text)| text).map_err(|e| Problem::bad_request(e.body_text()))
}

/// The path parameters' values, in route order; a malformed one (bad percent-encoding, say) is a 400.
pub fn path_segments(params: Result<Path<Vec<(String, String)>>, PathRejection>) -> Result<Vec<String>, Problem> {
    params
        .map(|Path(pairs)| pairs.into_iter().map(|(_, value)| value).collect())
        .map_err(|e| Problem::bad_request(e.body_text()))
}

/// A key from a path's segments; a malformed one names no row: 404, as for a missing one.
pub fn path_key<K: Key>(segments: &[String], entity: &str) -> Result<K, Problem> {
    K::from_segments(segments)
        .ok_or_else(|| Problem::not_found(format!("No {entity} with this key: '{}' is not one.", segments.join("/"))))
}

/// The request body as JSON: 415 for another media type, 400 when it does not parse.
pub(super) fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<serde_json::Value, Problem> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        let media = content_type.to_str().unwrap_or_default().split(';').next().unwrap_or_default().trim();
        let json = media.eq_ignore_ascii_case("application/json") || media.to_ascii_lowercase().ends_with("+json");
        if !json {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json."));
        }
    }
    serde_json::from_slice(body).map_err(|e| Problem::bad_request(format!("malformed JSON: {e}")))
}

/// A checked body into the generated input type. Checks run first, so this fails only on
/// what they do not cover; it is still the client's error.
pub(super) fn from_checked<T: DeserializeOwned>(
    object: serde_json::Map<String, serde_json::Value>,
) -> Result<T, Problem> {
    serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| Problem::invalid(vec![FieldError::new("", e.to_string())]))
}

/// A JSON response; serialization of our own types cannot fail short of a bug.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(e) => Problem::internal(&e).into_response(),
    }
}
