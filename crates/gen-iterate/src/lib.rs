//! The iterate engine's shell (issue 11; `docs/iterate-plan.md` says what comes next): what runs a
//! deterministic check's command, and one evaluation of an edge's checklist with its events. The
//! pure rules (checklist, outcomes, delta, stuck, event shapes) are in `gen_core::iterate`.

mod engine;
mod evaluate;
mod gaps;
mod judge;
mod reviews;
mod runner;

pub use engine::{Constructor, Iterated, RunOutcome, RunRequest, feedback, iterate};
pub use evaluate::{EvaluateError, Evaluated, Observer, Quiet, Request, evaluate};
pub use gaps::record_session_gaps;
pub use judge::{Judge, Judged, ModelJudge};
pub use reviews::{decide, read_reviews};
pub use runner::{Ended, Limits, Ran, run, run_with};
