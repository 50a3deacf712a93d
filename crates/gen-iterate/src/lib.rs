//! The iterate engine's shell (issue 11; `docs/iterate-plan.md` says what comes next): what runs a
//! deterministic check's command. The pure rules (checklist, outcomes, delta, stuck) are in
//! `gen_core::iterate`.

mod runner;

pub use runner::{Ended, Limits, Ran, run};
