//! Everything between the YAML specs and the artifacts: the spec language, the resolved model,
//! the relational schema model with its three sources (lower, introspect, replay) and one diff.

pub mod api;
pub mod diagnostics;
pub mod generate;
pub mod import;
pub mod ir;
pub mod naming;
pub mod openapi;
pub mod output;
pub mod rust;
pub mod schema;
pub mod spec;
pub mod types;
pub mod typescript;

pub use spec::load_model;
