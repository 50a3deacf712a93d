//! Projections: what the event log says about features, edges and the project.
//!
//! Records are folded in the one total order (timestamp, id), so any permutation of the same events yields
//! the same status. Config knowledge (topology order, profile edges, vector YAML) is handed in as plain data.

pub mod fold;
pub mod record;
pub mod status;
pub mod vector;
pub mod vector_text;

pub use fold::{Fold, fold};
pub use record::{Record, Symbols, sort_records};
pub use status::{StatusInputs, StatusReport, VectorInfo, project_status};
pub use vector::refresh_vector;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_method;
