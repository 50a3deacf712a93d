//! One edge's iteration in the method's terms (issue 11, `../shared/reference/iterate-reference.md`):
//! the checklist as it applies to a project, what the checks' outcomes add up to, and when an edge
//! is stuck. Pure: running commands and asking models happen in the edge crates.

mod checklist;
mod construct;
mod evaluation;
pub mod events;
mod gaps;
mod reviews;
mod spawn;
mod verdict;

pub use checklist::{CheckKind, ResolvedCheck, resolve_checklist};
pub use construct::{
    CONSTRUCT_FORMAT, MAX_CONSTRUCT_BYTES, MAX_FILES, NewFile, construct_prompt,
    parse_construction, path_problem,
};
pub use evaluation::{CheckResult, Evaluation, Outcome, interpret, stuck_delta};
pub use gaps::{Gap, RunEvent, session_gaps};
pub use reviews::{Decision, Gate, Review, open_gates, review_completed, review_of};
pub use spawn::{next_child_id, spawn_question};
pub use verdict::{MAX_VERDICT_BYTES, VERDICT_FORMAT, Verdict, parse_verdict};
