//! Projections: what the event log says about features, edges and the project.
//!
//! Records are folded in the one total order (timestamp, id), so any permutation of the same events yields
//! the same status. Config knowledge (topology order, profile edges, vector YAML) is handed in as plain data.

mod fold;
mod map;
mod nanos;
mod record;
mod status;
mod vector;
mod vector_text;

pub use fold::{
    EdgeAcc, FeatureAcc, Fold, IntentAcc, Kinds, PLACEHOLDER_FEATURES, SpawnAcc, fold,
    placeholder_syms,
};
pub use map::{EdgeFeature, MapEdge, MapFeature, MapNode, MapStep, ProjectMap, project_map};
pub use record::{Facts, NONE, Record, Sym, Symbols, drop_repeated_ids, sort_records, total_cmp};
pub use status::{
    Abandoned, Claim, ClaimTarget, EdgeStatus, EventCounts, EvidenceGap, FeatureStatus,
    IgnoredLogInfo, Location, NOT_REQUIRED_DISPOSITIONS, ProfileEdges, ProjectState, Rollup,
    SeeAlso, StatusInputs, StatusReport, Stuck, Unactioned, VectorInfo, project_status,
};
pub use vector::{
    Change, DERIVED_ENTRY_FIELDS, Derived, EntryPlan, FieldPlan, LeftReason, Outcome, Plan,
    Refresh, Scope, left_reason, mark_edge_blocked, plan_refresh, refresh_vector,
};
pub use vector_text::{Skip, SkipReason};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_method;
