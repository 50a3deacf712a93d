//! What one resource's sync did, in the same shape for all four (`--json` keys `events`,
//! `configs`, `features`, `artifacts`): counts, and every path left alone with the reason.

use serde::Serialize;

/// Something a sync left alone on purpose: a conflict, a refused key, an invalid or oversized item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What it concerns: a workspace-relative path, an object key, or `<log>#<event id>`.
    pub path: String,
    /// Why it was left, in words that say what to do.
    pub reason: String,
}

/// One resource's outcome (or, in a dry run, what it would be).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Items the other side did not have.
    pub added: usize,
    /// Items the other side had in another version, now replaced.
    pub changed: usize,
    /// Items removed on the other side.
    pub deleted: usize,
    /// Items already in agreement, or whose change belongs to the other direction.
    pub skipped: usize,
    /// Items left alone on both sides, each with its reason.
    pub conflicts: Vec<Problem>,
}

impl Summary {
    /// Whether the resource is in step: nothing was left alone.
    pub fn complete(&self) -> bool {
        self.conflicts.is_empty()
    }

    /// Notes one left-alone item.
    pub fn conflict(&mut self, path: impl Into<String>, reason: impl Into<String>) {
        self.conflicts.push(Problem {
            path: path.into(),
            reason: reason.into(),
        });
    }
}
