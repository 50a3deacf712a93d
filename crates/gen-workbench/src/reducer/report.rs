//! What a batch reports: the applied changes, the refusals and the chat line, and their `--json`
//! serialisation.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::draft::Draft;
use crate::error::Rejection;

use super::Change;

/// One action of a batch that changed the draft; serialised as `{index, summary, change}` (the
/// `gen draft apply --json` contract), `summary` being [`Change::summary`].
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedChange {
    /// Position of the action in the batch.
    pub index: usize,
    /// What it did.
    pub change: Change,
}

/// One action of a batch that was refused (or, with `index: None`, the batch as a whole);
/// serialised as `{index, message, at, problem}`: the user sentence, the place and the developer
/// reason in words, so every front end prints the same failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// Position of the action in the batch; `None` when the whole batch was reverted.
    pub index: Option<usize>,
    /// Why.
    pub rejection: Rejection,
}

/// Everything a batch did and did not do, for the chat line, logs and the journal.
///
/// Serialised as `{changed, message, applied, unchanged, failed}`: the shape `gen draft apply
/// --json` prints (with the history counters beside it) and the server will send, so both report
/// an edit identically; `changed` and `message` are [`BatchReport::changed`] and
/// [`BatchReport::message`].
#[derive(Debug, Clone, PartialEq)]
pub struct BatchReport {
    /// Actions that changed the draft, in order.
    pub applied: Vec<AppliedChange>,
    /// Actions that were valid but changed nothing (no history entry).
    pub unchanged: Vec<usize>,
    /// Refused actions, in order; a whole-batch revert comes first with `index: None`.
    pub failed: Vec<Failure>,
}

/// The line shown when a batch was valid but changed nothing.
pub const NOTHING_CHANGED: &str = "Nothing to change: the workflow already looks like that.";

impl BatchReport {
    /// The report of an input refused whole, before any action ran (malformed, over a cap, not
    /// the contract's shape): nothing applied, one batch-level failure.
    pub fn rejected(rejection: Rejection) -> Self {
        BatchReport {
            applied: Vec::new(),
            unchanged: Vec::new(),
            failed: vec![Failure {
                index: None,
                rejection,
            }],
        }
    }

    /// True when the draft changed, i.e. when the batch deserves one history entry.
    pub fn changed(&self) -> bool {
        !self.applied.is_empty()
    }

    /// The user-facing line: a specific line for one change ("Removed Step 2"), "Applied k changes"
    /// for several, "Applied k changes; m failed: \<first reason\>" for a partial apply, or the single
    /// failure message when nothing applied.
    pub fn message(&self) -> String {
        let k = self.applied.len();
        let m = self.failed.len();
        match (self.applied.first(), self.failed.first()) {
            (None, Some(failure)) => failure.rejection.user_text().to_string(),
            (None, None) => NOTHING_CHANGED.to_string(),
            (Some(only), None) if k == 1 => only.change.summary(),
            (Some(_), None) => format!("Applied {k} changes"),
            (Some(_), Some(failure)) => {
                let noun = if k == 1 { "change" } else { "changes" };
                format!(
                    "Applied {k} {noun}; {m} failed: {}",
                    failure.rejection.user_text()
                )
            }
        }
    }
}

impl Serialize for AppliedChange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("AppliedChange", 3)?;
        s.serialize_field("index", &self.index)?;
        s.serialize_field("summary", &self.change.summary())?;
        s.serialize_field("change", &self.change)?;
        s.end()
    }
}

impl Serialize for Failure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Failure", 4)?;
        s.serialize_field("index", &self.index)?;
        s.serialize_field("message", self.rejection.user_text())?;
        s.serialize_field("at", &self.rejection.at)?;
        s.serialize_field("problem", &self.rejection.problem.to_string())?;
        s.end()
    }
}

impl Serialize for BatchReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("BatchReport", 5)?;
        s.serialize_field("changed", &self.changed())?;
        s.serialize_field("message", &self.message())?;
        s.serialize_field("applied", &self.applied)?;
        s.serialize_field("unchanged", &self.unchanged)?;
        s.serialize_field("failed", &self.failed)?;
        s.end()
    }
}

/// A batch's resulting draft (unchanged unless [`BatchReport::changed`]) and its report.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    /// The draft after the batch.
    pub draft: Draft,
    /// What happened.
    pub report: BatchReport,
}
