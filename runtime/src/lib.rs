//! Run-time machinery shared by `cargo xtask` and the server: applying migrations.

pub mod migrate;
pub mod redact;
pub mod repo;
pub mod serde;
