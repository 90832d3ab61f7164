//! `generated/openapi.json`: the OpenAPI 3.0.3 document of the generated REST API, built as
//! typed data with `openapiv3` and printed by serde_json, so it is well-formed by construction
//! and byte-stable (every map keeps insertion order).

mod filters;
mod paths;
pub mod patterns;
mod schemas;

use crate::api;
use crate::ir::Model;
use crate::output::{GeneratedFile, HEADER_TEXT};
use openapiv3::{Components, Info, OpenAPI, Paths, Tag};

pub use paths::{JSON, PROBLEM_JSON};

pub const PATH: &str = "generated/openapi.json";

pub fn document(model: &Model) -> OpenAPI {
    let tags = model
        .entities
        .iter()
        .map(|e| Tag { name: e.name.clone(), description: e.doc.clone(), ..Tag::default() })
        .chain(api::identity_login(model).map(|_| Tag {
            name: "Auth".into(),
            description: Some("Login and registration.".into()),
            ..Tag::default()
        }))
        .collect();
    let mut extensions = indexmap::IndexMap::new();
    // JSON has no comments: the @generated marker travels as a vendor extension.
    extensions.insert("x-generated".into(), serde_json::Value::String(HEADER_TEXT.into()));
    OpenAPI {
        openapi: "3.0.3".into(),
        info: Info {
            title: format!("{} API", model.project.name),
            description: Some(format!(
                "REST API generated from model-spec/. Resources live under `{}`; errors are \
                 application/problem+json (RFC 9457); decimals travel as strings, timestamps as \
                 ISO 8601 strings in UTC.",
                api::PREFIX
            )),
            version: "v1".into(),
            ..Info::default()
        },
        paths: Paths { paths: paths::paths(model), ..Paths::default() },
        components: Some(Components {
            // Entity schemas first, then the filter grammars they are listed with.
            schemas: schemas::components(model).into_iter().chain(filters::components(model)).collect(),
            responses: paths::error_responses(),
            parameters: paths::shared_parameters(),
            security_schemes: indexmap::IndexMap::from([(
                paths::BEARER.to_string(),
                openapiv3::ReferenceOr::Item(openapiv3::SecurityScheme::HTTP {
                    scheme: "bearer".into(),
                    bearer_format: Some("JWT".into()),
                    description: Some(
                        "A JWT (HS256 or RS256, as the server is configured) with `sub` and `roles` claims.".into(),
                    ),
                    extensions: indexmap::IndexMap::new(),
                }),
            )]),
            ..Components::default()
        }),
        tags,
        extensions,
        ..OpenAPI::default()
    }
}

/// The document as committed: two-space JSON with a final newline.
pub fn render(model: &Model) -> GeneratedFile {
    let text = serde_json::to_string_pretty(&document(model)).expect("an OpenAPI document always serializes");
    GeneratedFile::new(PATH, text + "\n")
}
