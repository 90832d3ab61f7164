//! The relational model and its sources: `lower` (from the specs), `introspect` (from a live
//! database), `replay` (from migration files, offline); `diff` compares any two; `ddl` renders
//! SQL from it.

pub mod ddl;
pub mod diff;
pub mod introspect;
pub mod live;
pub mod lower;
pub mod model;
pub mod normalize;
pub mod plan;
pub mod replay;
pub mod report;

pub use diff::{diff, Change};
pub use model::*;
