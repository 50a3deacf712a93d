//! Bounded, shared undo/redo over whole-draft snapshots.
//!
//! One entry per gesture or chat turn; no entry for a no-op or a rejected turn; an accepted edit
//! clears redo; undo restores the exact prior draft (order, properties, edges) because it *is* the
//! prior draft. Snapshots are persistent structures, so 50 of them cost little more than one.
//!
//! # Journal format (for the engineer persisting sessions)
//!
//! A session journal is a JSON Lines file of [`JournalRecord`]s:
//!
//! ```text
//! {"record":"open","draft":{...BlueprintDraft...},"limit":50}
//! {"record":"batch","revision":1,"actions":[{"intent":"add",...}],"message":"Added Deploy"}
//! {"record":"undo","revision":2}
//! {"record":"redo","revision":3}
//! ```
//!
//! Only accepted batches are journaled (rejected and no-op turns change nothing). Replaying runs
//! the same pure reducer on the same inputs, so it reproduces the same drafts; each record's
//! `revision` and `message` are checked during [`History::replay`], so a journal written by a
//! different reducer version fails loudly instead of diverging silently. Write the `open` record
//! when a session starts or a draft is loaded.
//!
//! To compact a long journal, start a new one with a `snapshot` record
//! ([`History::snapshot_record`]): it holds the whole history — draft, undo and redo stacks with
//! their messages, revision and depth — with every stacked draft written as a [`DraftPatch`] of its
//! neighbour, so replaying the compacted journal gives exactly the history the long one gave:
//!
//! ```text
//! {"record":"snapshot","limit":50,"revision":812,"present":{...},
//!  "past":[{"message":"Added Deploy","draft":{"nodes":[[0,12]],"edges":[[0,11]]}}],"future":[]}
//! ```

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::draft::Draft;
use crate::error::{Problem, Rejection, UserMessage};
use crate::limits::{DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT};
use crate::patch::DraftPatch;
use crate::reducer::{BatchReport, apply_batch};

/// One undo or redo slot: a draft, and the confirmation line of the edit that separates it from
/// its neighbour (so the UI can say "Undo: Removed Step 2").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The draft this entry restores.
    pub draft: Draft,
    /// The line of the edit being undone or redone.
    pub message: String,
}

/// The session's canonical draft plus its undo and redo stacks.
#[derive(Debug, Clone)]
pub struct History {
    limit: usize,
    past: VecDeque<HistoryEntry>,
    present: Draft,
    future: Vec<HistoryEntry>,
    revision: u64,
}

/// A serialisable copy of a whole history (every snapshot written out in full; fine for small
/// drafts, use the journal for large ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistorySnapshot {
    /// Undo depth.
    pub limit: usize,
    /// Monotonic change counter.
    pub revision: u64,
    /// Undo stack, oldest first.
    pub past: Vec<HistoryEntry>,
    /// The current draft.
    pub present: Draft,
    /// Redo stack, next redo last.
    pub future: Vec<HistoryEntry>,
}

/// One line of a session journal; see the module docs for the format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "camelCase", deny_unknown_fields)]
pub enum JournalRecord {
    /// The starting draft and undo depth.
    Open {
        /// The draft the session starts from.
        draft: Draft,
        /// Undo depth.
        limit: usize,
    },
    /// An accepted batch.
    Batch {
        /// The history revision after the batch.
        revision: u64,
        /// The actions exactly as received.
        actions: Vec<Action>,
        /// The confirmation line the batch produced.
        message: String,
    },
    /// An undo that happened.
    Undo {
        /// The history revision after the undo.
        revision: u64,
    },
    /// A redo that happened.
    Redo {
        /// The history revision after the redo.
        revision: u64,
    },
    /// A whole history at once, the first record of a compacted journal.
    Snapshot {
        /// Undo depth.
        limit: usize,
        /// The history revision the snapshot was taken at.
        revision: u64,
        /// The current draft, written out in full.
        present: Draft,
        /// Undo stack, oldest first; each draft is a patch of the entry after it (the newest
        /// entry's base is `present`).
        past: Vec<PatchedEntry>,
        /// Redo stack, next redo last; each draft is a patch of the entry after it (the next
        /// redo's base is `present`).
        future: Vec<PatchedEntry>,
    },
}

/// One undo or redo slot of a snapshot record, written relative to its neighbour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchedEntry {
    /// The line of the edit this entry undoes or redoes.
    pub message: String,
    /// The entry's draft as a patch of its neighbour.
    pub draft: DraftPatch,
}

/// Why a journal could not be replayed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplayError {
    /// The journal does not start with an `open` or `snapshot` record.
    #[error("journal record 0 must be `open` or `snapshot`")]
    MissingOpen,
    /// A second `open` (or `snapshot`) record.
    #[error(
        "journal record {index}: unexpected `open` or `snapshot` (start a new journal instead)"
    )]
    UnexpectedOpen {
        /// Record position.
        index: usize,
    },
    /// The `open` or `snapshot` record is unusable.
    #[error("journal record 0: {0}")]
    BadOpen(Rejection),
    /// A batch produced a different result than when it was recorded.
    #[error("journal record {index}: replay produced {got:?}, the journal says {expected:?}")]
    Diverged {
        /// Record position.
        index: usize,
        /// The recorded message.
        expected: String,
        /// The replayed message.
        got: String,
    },
    /// An undo or redo that cannot happen at that point.
    #[error("journal record {index}: nothing to {operation}")]
    Impossible {
        /// Record position.
        index: usize,
        /// `undo` or `redo`.
        operation: &'static str,
    },
    /// A revision number that does not follow.
    #[error("journal record {index}: revision {got}, expected {expected}")]
    Revision {
        /// Record position.
        index: usize,
        /// What replay reached.
        expected: u64,
        /// What the journal says.
        got: u64,
    },
}

impl History {
    /// A history with the default depth (50).
    pub fn new(draft: Draft) -> History {
        History {
            limit: DEFAULT_HISTORY_LIMIT,
            past: VecDeque::new(),
            present: draft,
            future: Vec::new(),
            revision: 0,
        }
    }

    /// A history with a chosen depth (0 disables undo; at most [`MAX_HISTORY_LIMIT`]).
    pub fn with_limit(draft: Draft, limit: usize) -> Result<History, Rejection> {
        check_limit(limit)?;
        Ok(History {
            limit,
            ..History::new(draft)
        })
    }

    /// The canonical draft.
    pub fn draft(&self) -> &Draft {
        &self.present
    }

    /// Counts every change of the draft (edits, undos, redos); the chat stamps requests with it to
    /// detect that the canvas moved on while the agent was thinking.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The configured undo depth.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// How many undos are available.
    pub fn undo_len(&self) -> usize {
        self.past.len()
    }

    /// How many redos are available.
    pub fn redo_len(&self) -> usize {
        self.future.len()
    }

    /// Whether the undo button is enabled.
    pub fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    /// Whether the redo button is enabled.
    pub fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }

    /// The line of the edit an undo would revert.
    pub fn undo_message(&self) -> Option<&str> {
        self.past.back().map(|entry| entry.message.as_str())
    }

    /// The line of the edit a redo would re-apply.
    pub fn redo_message(&self) -> Option<&str> {
        self.future.last().map(|entry| entry.message.as_str())
    }

    /// The retained snapshots (undo stack, current, redo stack), e.g. for memory accounting.
    pub fn snapshots(&self) -> impl Iterator<Item = &Draft> + '_ {
        self.past
            .iter()
            .map(|e| &e.draft)
            .chain(std::iter::once(&self.present))
            .chain(self.future.iter().map(|e| &e.draft))
    }

    /// Applies one gesture or turn. If anything changed: one new undo entry (the oldest is dropped
    /// beyond the limit) and redo is cleared. Otherwise both stacks and the draft stay untouched.
    pub fn apply(&mut self, actions: &[Action]) -> BatchReport {
        let result = apply_batch(&self.present, actions);
        if result.report.changed() {
            let message = result.report.message();
            let before = std::mem::replace(&mut self.present, result.draft);
            self.push_past(HistoryEntry {
                draft: before,
                message,
            });
            self.future.clear();
            self.revision += 1;
        }
        result.report
    }

    fn push_past(&mut self, entry: HistoryEntry) {
        if self.limit == 0 {
            return;
        }
        self.past.push_back(entry);
        while self.past.len() > self.limit {
            self.past.pop_front();
        }
    }

    /// Restores the previous draft; returns false (and changes nothing) when there is none, so a
    /// repeated key press past the end is harmless.
    pub fn undo(&mut self) -> bool {
        let Some(entry) = self.past.pop_back() else {
            return false;
        };
        let current = std::mem::replace(&mut self.present, entry.draft);
        self.future.push(HistoryEntry {
            draft: current,
            message: entry.message,
        });
        self.revision += 1;
        true
    }

    /// Re-applies the last undone edit; returns false when there is none.
    pub fn redo(&mut self) -> bool {
        let Some(entry) = self.future.pop() else {
            return false;
        };
        let current = std::mem::replace(&mut self.present, entry.draft);
        self.push_past(HistoryEntry {
            draft: current,
            message: entry.message,
        });
        self.revision += 1;
        true
    }

    /// A serialisable copy of everything.
    pub fn snapshot(&self) -> HistorySnapshot {
        HistorySnapshot {
            limit: self.limit,
            revision: self.revision,
            past: self.past.iter().cloned().collect(),
            present: self.present.clone(),
            future: self.future.clone(),
        }
    }

    /// Rebuilds a history from a snapshot (every draft in it was validated when deserialized).
    pub fn from_snapshot(snapshot: HistorySnapshot) -> Result<History, Rejection> {
        check_limit(snapshot.limit)?;
        if snapshot.past.len() > snapshot.limit {
            return Err(Rejection::new(
                UserMessage::InvalidRequest,
                "past",
                Problem::InconsistentHistory {
                    reason: format!(
                        "{} undo entries exceed the limit {}",
                        snapshot.past.len(),
                        snapshot.limit
                    ),
                },
            ));
        }
        Ok(History {
            limit: snapshot.limit,
            past: snapshot.past.into(),
            present: snapshot.present,
            future: snapshot.future,
            revision: snapshot.revision,
        })
    }

    /// The journal record for a batch this history just accepted (`None` if it changed nothing).
    pub fn record_for(&self, actions: &[Action], report: &BatchReport) -> Option<JournalRecord> {
        report.changed().then(|| JournalRecord::Batch {
            revision: self.revision,
            actions: actions.to_vec(),
            message: report.message(),
        })
    }

    /// The record that starts a journal for this history's current state.
    pub fn open_record(&self) -> JournalRecord {
        JournalRecord::Open {
            draft: self.present.clone(),
            limit: self.limit,
        }
    }

    /// The record that starts a compacted journal reproducing this whole history (drafts, both
    /// stacks with their messages, revision and depth); see the module docs.
    pub fn snapshot_record(&self) -> JournalRecord {
        let mut past = Vec::with_capacity(self.past.len());
        let mut base = &self.present;
        for entry in self.past.iter().rev() {
            past.push(PatchedEntry {
                message: entry.message.clone(),
                draft: DraftPatch::between(base, &entry.draft),
            });
            base = &entry.draft;
        }
        past.reverse();
        let mut future = Vec::with_capacity(self.future.len());
        let mut base = &self.present;
        for entry in self.future.iter().rev() {
            future.push(PatchedEntry {
                message: entry.message.clone(),
                draft: DraftPatch::between(base, &entry.draft),
            });
            base = &entry.draft;
        }
        future.reverse();
        JournalRecord::Snapshot {
            limit: self.limit,
            revision: self.revision,
            present: self.present.clone(),
            past,
            future,
        }
    }

    /// Rebuilds the history a snapshot record describes.
    fn from_snapshot_record(
        limit: usize,
        revision: u64,
        present: &Draft,
        past: &[PatchedEntry],
        future: &[PatchedEntry],
    ) -> Result<History, Rejection> {
        let unpatch = |entries: &[PatchedEntry], field: &str| {
            let mut drafts = Vec::with_capacity(entries.len());
            let mut base = present.clone();
            for (i, entry) in entries.iter().enumerate().rev() {
                let draft = entry.draft.apply(&base, &format!("{field}[{i}].draft"))?;
                drafts.push(HistoryEntry {
                    draft: draft.clone(),
                    message: entry.message.clone(),
                });
                base = draft;
            }
            drafts.reverse();
            Ok::<_, Rejection>(drafts)
        };
        History::from_snapshot(HistorySnapshot {
            limit,
            revision,
            past: unpatch(past, "past")?,
            present: present.clone(),
            future: unpatch(future, "future")?,
        })
    }

    /// Rebuilds a history by re-running a journal, checking every recorded result.
    pub fn replay<'a>(
        records: impl IntoIterator<Item = &'a JournalRecord>,
    ) -> Result<History, ReplayError> {
        let mut records = records.into_iter().enumerate();
        let mut history = match records.next() {
            Some((_, JournalRecord::Open { draft, limit })) => {
                History::with_limit(draft.clone(), *limit).map_err(ReplayError::BadOpen)?
            }
            Some((
                _,
                JournalRecord::Snapshot {
                    limit,
                    revision,
                    present,
                    past,
                    future,
                },
            )) => History::from_snapshot_record(*limit, *revision, present, past, future)
                .map_err(ReplayError::BadOpen)?,
            _ => return Err(ReplayError::MissingOpen),
        };
        for (index, record) in records {
            let expected_revision = match record {
                JournalRecord::Open { .. } | JournalRecord::Snapshot { .. } => {
                    return Err(ReplayError::UnexpectedOpen { index });
                }
                JournalRecord::Batch {
                    revision,
                    actions,
                    message,
                } => {
                    let report = history.apply(actions);
                    let got = report.message();
                    if !report.changed() || got != *message {
                        return Err(ReplayError::Diverged {
                            index,
                            expected: message.clone(),
                            got,
                        });
                    }
                    *revision
                }
                JournalRecord::Undo { revision } => {
                    if !history.undo() {
                        return Err(ReplayError::Impossible {
                            index,
                            operation: "undo",
                        });
                    }
                    *revision
                }
                JournalRecord::Redo { revision } => {
                    if !history.redo() {
                        return Err(ReplayError::Impossible {
                            index,
                            operation: "redo",
                        });
                    }
                    *revision
                }
            };
            if expected_revision != history.revision {
                return Err(ReplayError::Revision {
                    index,
                    expected: history.revision,
                    got: expected_revision,
                });
            }
        }
        Ok(history)
    }
}

fn check_limit(limit: usize) -> Result<(), Rejection> {
    if limit > MAX_HISTORY_LIMIT {
        return Err(Rejection::new(
            UserMessage::InvalidRequest,
            "limit",
            Problem::HistoryLimit {
                limit,
                max: MAX_HISTORY_LIMIT,
            },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::input::{parse_canvas_input, parse_draft_document};

    fn start() -> Draft {
        parse_draft_document(
            json!({"title": "T", "summary": "", "nodes": [
                {"id": "n1", "label": "Start", "type": "trigger"},
                {"id": "n2", "label": "Step 2", "type": "action"}],
                "edges": [{"source": "n1", "target": "n2"}]})
            .to_string()
            .as_bytes(),
        )
        .expect("valid")
    }

    fn actions(value: serde_json::Value) -> Vec<Action> {
        parse_canvas_input(value.to_string().as_bytes()).expect("parses")
    }

    fn rename(label: &str) -> Vec<Action> {
        actions(json!({"intent": "rename", "nodeId": "n1", "label": label}))
    }

    #[test]
    fn undo_and_redo_walk_the_stacks_and_count_revisions() {
        let mut history = History::new(start());
        assert!(!history.undo() && !history.redo());
        history.apply(&rename("A"));
        history.apply(&rename("B"));
        assert_eq!(
            (history.undo_len(), history.redo_len(), history.revision()),
            (2, 0, 2)
        );
        assert_eq!(history.undo_message(), Some("Renamed A to B"));
        assert!(history.undo());
        assert_eq!(
            history.draft().node("n1").map(|n| n.label.as_str()),
            Some("A")
        );
        assert_eq!(history.redo_message(), Some("Renamed A to B"));
        assert!(history.redo());
        assert_eq!(
            history.draft().node("n1").map(|n| n.label.as_str()),
            Some("B")
        );
        assert_eq!(history.revision(), 4);
    }

    #[test]
    fn limit_zero_keeps_no_undo_and_limits_are_capped() {
        let mut history = History::with_limit(start(), 0).expect("0 is allowed");
        history.apply(&rename("A"));
        assert!(!history.can_undo());
        assert!(History::with_limit(start(), MAX_HISTORY_LIMIT + 1).is_err());
    }

    #[test]
    fn snapshot_round_trips_through_json() {
        let mut history = History::with_limit(start(), 5).expect("valid");
        history.apply(&rename("A"));
        history.apply(&rename("B"));
        history.undo();
        let text = serde_json::to_string(&history.snapshot()).expect("serialises");
        let back: HistorySnapshot = serde_json::from_str(&text).expect("parses");
        let mut rebuilt = History::from_snapshot(back).expect("consistent");
        assert_eq!(rebuilt.snapshot(), history.snapshot());
        assert!(rebuilt.redo());
        assert_eq!(
            rebuilt.draft().node("n1").map(|n| n.label.as_str()),
            Some("B")
        );
    }

    #[test]
    fn snapshot_with_more_entries_than_its_limit_is_refused() {
        let mut history = History::new(start());
        history.apply(&rename("A"));
        history.apply(&rename("B"));
        let mut snapshot = history.snapshot();
        snapshot.limit = 1;
        assert!(History::from_snapshot(snapshot).is_err());
    }

    #[test]
    fn snapshot_with_an_invalid_draft_fails_to_deserialize() {
        let text = json!({"limit": 5, "revision": 0, "past": [], "future": [],
            "present": {"title": "", "summary": "", "nodes": [], "edges": []}})
        .to_string();
        assert!(serde_json::from_str::<HistorySnapshot>(&text).is_err());
    }

    /// Runs a session while journaling it the way the server will.
    fn journaled_session() -> (History, Vec<JournalRecord>) {
        let mut history = History::with_limit(start(), 10).expect("valid");
        let mut journal = vec![history.open_record()];
        let turns = [
            actions(
                json!([{"intent": "add", "node": {"id": "n3", "label": "C", "type": "t"}, "connectFrom": "n2"},
                          {"intent": "remove", "nodeId": "ghost"}]),
            ),
            actions(json!({"action": "setTitle", "title": "Renamed"})),
            actions(json!({"intent": "rename", "nodeId": "n1", "label": "Start"})), // no-op: not journaled
            actions(json!({"intent": "remove", "nodeId": "n2"})),
        ];
        for (i, turn) in turns.iter().enumerate() {
            let report = history.apply(turn);
            journal.extend(history.record_for(turn, &report));
            if i == 1 {
                history.undo();
                journal.push(JournalRecord::Undo {
                    revision: history.revision(),
                });
                history.redo();
                journal.push(JournalRecord::Redo {
                    revision: history.revision(),
                });
            }
        }
        (history, journal)
    }

    #[test]
    fn journal_replay_reproduces_the_session_exactly() {
        let (history, journal) = journaled_session();
        assert_eq!(journal.len(), 6, "open, 3 accepted batches, undo, redo");
        let lines: Vec<String> = journal
            .iter()
            .map(|r| serde_json::to_string(r).expect("serialises"))
            .collect();
        let read: Vec<JournalRecord> = lines
            .iter()
            .map(|l| serde_json::from_str(l).expect("parses"))
            .collect();
        assert_eq!(read, journal);
        let replayed = History::replay(&read).expect("replays");
        assert_eq!(replayed.snapshot(), history.snapshot());
        assert_eq!(
            serde_json::to_string(replayed.draft()).ok(),
            serde_json::to_string(history.draft()).ok()
        );
    }

    #[test]
    fn a_snapshot_record_reproduces_the_whole_history_and_the_journal_goes_on() {
        let (mut history, _) = journaled_session();
        assert!(history.undo(), "leave something to redo");
        let record = history.snapshot_record();
        let line = serde_json::to_string(&record).expect("serialises");
        let back: JournalRecord = serde_json::from_str(&line).expect("parses");
        assert_eq!(back, record);
        let replayed = History::replay([&back]).expect("replays");
        assert_eq!(replayed.snapshot(), history.snapshot());
        assert_eq!(replayed.revision(), history.revision());
        assert_eq!(replayed.redo_message(), history.redo_message());
        // A compacted journal keeps growing like any other.
        let mut journal = vec![back];
        let turn = rename("Later");
        let report = history.apply(&turn);
        journal.extend(history.record_for(&turn, &report));
        history.undo();
        journal.push(JournalRecord::Undo {
            revision: history.revision(),
        });
        let replayed = History::replay(&journal).expect("replays");
        assert_eq!(replayed.snapshot(), history.snapshot());
    }

    #[test]
    fn a_snapshot_record_after_the_first_record_is_refused() {
        let (history, mut journal) = journaled_session();
        journal.push(history.snapshot_record());
        assert!(matches!(
            History::replay(&journal),
            Err(ReplayError::UnexpectedOpen { .. })
        ));
    }

    #[test]
    fn a_snapshot_record_with_a_broken_patch_is_refused() {
        let (history, _) = journaled_session();
        let mut record = history.snapshot_record();
        if let JournalRecord::Snapshot { past, .. } = &mut record {
            past[0]
                .draft
                .edges
                .push(crate::patch::Piece::New(crate::model::Edge::new(
                    "n1", "ghost",
                )));
        }
        let err = History::replay([&record]).expect_err("refused");
        assert!(err.to_string().contains("past[0].draft"), "{err}");
    }

    #[test]
    fn journal_replay_detects_divergence_and_bad_structure() {
        let (_, mut journal) = journaled_session();
        if let Some(JournalRecord::Batch { message, .. }) = journal.get_mut(1) {
            *message = "Added something else".into();
        }
        assert!(matches!(
            History::replay(&journal),
            Err(ReplayError::Diverged { index: 1, .. })
        ));
        let (_, journal) = journaled_session();
        assert_eq!(
            History::replay(&journal[1..]).err(),
            Some(ReplayError::MissingOpen)
        );
        let mut twice = journal.clone();
        twice.push(journal[0].clone());
        assert!(matches!(
            History::replay(&twice),
            Err(ReplayError::UnexpectedOpen { .. })
        ));
        let mut extra_redo = journal.clone();
        extra_redo.push(JournalRecord::Redo { revision: 99 });
        assert!(matches!(
            History::replay(&extra_redo),
            Err(ReplayError::Impossible {
                operation: "redo",
                ..
            })
        ));
        let mut bad_revision = journal;
        bad_revision.push(JournalRecord::Undo { revision: 99 });
        assert!(matches!(
            History::replay(&bad_revision),
            Err(ReplayError::Revision { got: 99, .. })
        ));
    }
}
