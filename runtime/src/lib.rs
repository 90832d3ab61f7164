//! Run-time machinery shared by `cargo xtask`, the generated repositories and the API server.

pub mod migrate;
pub mod redact;
pub mod repo;
pub mod serde;
pub mod server;
pub mod time;

/// The wire contract (paths, limits, operators, the version type), for generated code to name.
pub use wire;
// Generated models name `vector` columns through it, so a project needs no dependency of its own.
pub use pgvector;
