//! What the draft commands answer, as serde types: `gen draft … --json` prints exactly these and
//! the server will send them, so both report a draft the same way (README, "JSON contract").
//!
//! Each is built from what the [`Drafts`](super::Drafts) calls return; none adds wording of its
//! own beyond the reducer's ([`BatchReport::message`]).

use std::path::Path;
use std::time::SystemTime;

use gen_core::config::Finding;
use gen_workbench::{BatchReport, History, Rejection};
use serde::{Deserialize, Serialize};

use crate::topology::TopologySaved;
use crate::{Applied, Changed, DraftSummary, Opened, Session};
use gen_workspace::Workspace;

/// `gen draft new --json`: the draft that was started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftCreated {
    /// The draft's name.
    pub name: String,
    /// Always true: the draft did not exist before.
    pub created: bool,
    /// The workflow title.
    pub title: String,
    /// The history's change counter.
    pub revision: u64,
}

impl DraftCreated {
    /// The report of a freshly created `session`.
    pub fn new(session: &Session) -> Self {
        DraftCreated {
            name: session.name.to_string(),
            created: true,
            title: session.history.draft().title().to_string(),
            revision: session.history.revision(),
        }
    }
}

/// `gen draft open --json`: what loading a blueprint or the topology into a draft did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftOpened {
    /// The draft's name.
    pub name: String,
    /// True when a new draft was started (else an existing one got one "replace" edit).
    pub created: bool,
    /// The replace edit's line, when an existing draft was replaced.
    pub message: Option<String>,
    /// The workflow title.
    pub title: String,
    /// Steps in the draft.
    pub nodes: usize,
    /// Connections in the draft.
    pub edges: usize,
    /// The history's change counter.
    pub revision: u64,
}

impl DraftOpened {
    /// The report of `opened`.
    pub fn new(opened: &Opened) -> Self {
        let session = &opened.changed.session;
        let draft = session.history.draft();
        DraftOpened {
            name: session.name.to_string(),
            created: opened.created,
            message: opened.report.as_ref().map(BatchReport::message),
            title: draft.title().to_string(),
            nodes: draft.node_count(),
            edges: draft.edge_count(),
            revision: session.history.revision(),
        }
    }
}

/// One entry of `gen draft list --json`: a draft that opens has its state and `error: null`; one
/// that cannot be replayed has only its name and the error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftListed {
    /// The draft's name.
    pub name: String,
    /// Its state, when it could be opened.
    #[serde(flatten)]
    pub state: Option<DraftState>,
    /// Why it cannot be opened.
    pub error: Option<String>,
}

/// A listed draft's size, history and last change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftState {
    /// The workflow title.
    pub title: String,
    /// Steps in the draft.
    pub nodes: usize,
    /// Connections in the draft.
    pub edges: usize,
    /// The history's change counter.
    pub revision: u64,
    /// Undo steps available.
    pub undo: usize,
    /// Redo steps available.
    pub redo: usize,
    /// When its journal last changed (RFC 3339 UTC, seconds).
    pub modified: Option<String>,
}

impl From<&DraftSummary> for DraftListed {
    fn from(summary: &DraftSummary) -> Self {
        match &summary.session {
            Ok(s) => {
                let h = &s.history;
                DraftListed {
                    name: summary.name.clone(),
                    state: Some(DraftState {
                        title: h.draft().title().to_string(),
                        nodes: h.draft().node_count(),
                        edges: h.draft().edge_count(),
                        revision: h.revision(),
                        undo: h.undo_len(),
                        redo: h.redo_len(),
                        modified: utc_seconds(s.modified),
                    }),
                    error: None,
                }
            }
            Err(e) => DraftListed {
                name: summary.name.clone(),
                state: None,
                error: Some(e.clone()),
            },
        }
    }
}

/// A file time as an RFC 3339 UTC timestamp (whole seconds), as lists show it.
pub fn utc_seconds(time: Option<SystemTime>) -> Option<String> {
    let ts = jiff::Timestamp::try_from(time?).ok()?;
    jiff::Timestamp::from_second(ts.as_second())
        .ok()
        .map(|t| t.to_string())
}

/// `gen draft history --json`: the undo stack (most recent first) and the redo stack (next first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftHistory {
    /// The draft's name.
    pub name: String,
    /// The workflow title.
    pub title: String,
    /// The history's change counter.
    pub revision: u64,
    /// How many undo steps are kept.
    pub limit: usize,
    /// Undoable edits, next undo first.
    pub undo: Vec<HistoryLine>,
    /// Redoable edits, next redo first.
    pub redo: Vec<HistoryLine>,
}

/// One edit on the undo or redo stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    /// The edit's line, as the reducer worded it.
    pub message: String,
}

impl DraftHistory {
    /// The stacks of `session`.
    pub fn new(session: &Session) -> Self {
        let history = &session.history;
        let snapshot = history.snapshot();
        let lines = |entries: &[gen_workbench::HistoryEntry]| {
            entries
                .iter()
                .rev()
                .map(|e| HistoryLine {
                    message: e.message.clone(),
                })
                .collect()
        };
        DraftHistory {
            name: session.name.to_string(),
            title: history.draft().title().to_string(),
            revision: history.revision(),
            limit: history.limit(),
            undo: lines(&snapshot.past),
            redo: lines(&snapshot.future),
        }
    }
}

/// The history counters every editing answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// The history's change counter.
    pub revision: u64,
    /// Undo steps available.
    pub undo: usize,
    /// Redo steps available.
    pub redo: usize,
}

impl Counters {
    /// Where `history` stands.
    pub fn of(history: &History) -> Self {
        Counters {
            revision: history.revision(),
            undo: history.undo_len(),
            redo: history.redo_len(),
        }
    }
}

/// `gen draft undo --json` and `gen draft redo --json`: the edit walked over, if there was one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walked {
    /// True when an edit was undone or redone.
    pub changed: bool,
    /// That edit's line.
    pub message: Option<String>,
    /// Where the history stands afterwards.
    #[serde(flatten)]
    pub counters: Counters,
}

impl Walked {
    /// The report of an undo or redo that returned `message` and left `changed`.
    pub fn new(message: Option<String>, changed: &Changed) -> Self {
        Walked {
            changed: message.is_some(),
            message,
            counters: Counters::of(&changed.session.history),
        }
    }
}

/// `gen draft apply --json`: the reducer's [`BatchReport`] with the history counters and whether
/// the journal was compacted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftApplied {
    /// What the reducer applied, left unchanged and refused.
    #[serde(flatten)]
    pub report: BatchReport,
    /// Where the history stands afterwards.
    #[serde(flatten)]
    pub counters: Counters,
    /// True when the journal was compacted after this change.
    pub compacted: bool,
}

impl DraftApplied {
    /// The report of `applied`.
    pub fn new(applied: &Applied) -> Self {
        DraftApplied {
            report: applied.report.clone(),
            counters: Counters::of(&applied.changed.session.history),
            compacted: applied.changed.compacted,
        }
    }
}

/// `gen draft apply --json` for an input refused whole: the reducer's report of the refusal and
/// where the input came from; the draft was not touched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputRejected {
    /// Nothing applied, one batch-level failure.
    #[serde(flatten)]
    pub report: BatchReport,
    /// The input's name (`stdin` or the file).
    pub input: String,
}

impl InputRejected {
    /// The report of `rejection` of the input named `input`.
    pub fn new(input: &str, rejection: Rejection) -> Self {
        InputRejected {
            report: BatchReport::rejected(rejection),
            input: input.to_string(),
        }
    }
}

/// `gen draft save --json` once the draft is saved: where, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "saved", rename_all = "lowercase")]
pub enum DraftSaved {
    /// Saved as a blueprint.
    Blueprint {
        /// The blueprint's name.
        name: String,
        /// Its file, workspace-relative.
        path: String,
    },
    /// Saved as the workspace topology.
    Topology {
        /// The topology file, workspace-relative.
        path: String,
        /// True when the file already said exactly this (nothing written).
        unchanged: bool,
        /// Where the previous version was kept (`None`: a new file, or unchanged).
        backup: Option<String>,
        /// What the conversion wants the user to know.
        notes: Vec<String>,
        /// Validation warnings of the saved configs, one `file:line:col: warning: …` each.
        warnings: Vec<String>,
    },
}

impl DraftSaved {
    /// The report of a blueprint saved as `name` at `path`.
    pub fn blueprint(ws: &Workspace, name: &str, path: &Path) -> Self {
        DraftSaved::Blueprint {
            name: name.to_string(),
            path: ws.relative(path),
        }
    }

    /// The report of a topology save.
    pub fn topology(ws: &Workspace, saved: &TopologySaved) -> Self {
        DraftSaved::Topology {
            path: ws.relative(&saved.path),
            unchanged: saved.unchanged,
            backup: saved.backup.as_ref().map(|b| ws.relative(b)),
            notes: saved.notes.clone(),
            warnings: saved.warnings.iter().map(ToString::to_string).collect(),
        }
    }
}

/// `gen draft save --topology --json` when the configs would not validate with the draft: nothing
/// was saved (`saved: null`) and these are the errors, hints worded by the front end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyNotSaved {
    /// Always `null`: nothing was saved.
    pub saved: (),
    /// The errors the configs would have.
    pub errors: Vec<Finding>,
}

#[cfg(test)]
mod tests {
    use gen_workbench::{Draft, Layout, parse_canvas_input};

    use super::*;
    use crate::{Compaction, DraftName, Drafts};

    /// A draft with two applied edits, one undone, in a fresh store.
    fn edited() -> (tempfile::TempDir, Drafts, DraftName) {
        let tmp = tempfile::tempdir().unwrap();
        let drafts = Drafts::new(tmp.path()).with_compaction(Compaction::NEVER);
        let name = DraftName::parse("release").unwrap();
        let draft = Draft::new("Release flow", "").unwrap();
        drafts.create(&name, draft, &Layout::default()).unwrap();
        for input in [
            r#"{"intent":"add","node":{"id":"build","label":"Build","type":"action"}}"#,
            r#"{"intent":"add","node":{"id":"ship","label":"Ship","type":"action"},"connectFrom":"build"}"#,
        ] {
            let actions = parse_canvas_input(input.as_bytes()).unwrap();
            drafts.apply(&name, &actions).unwrap();
        }
        (tmp, drafts, name)
    }

    #[test]
    fn editing_answers_json_shapes_are_pinned() {
        let (_tmp, drafts, name) = edited();
        let fresh = DraftName::parse("fresh").unwrap();
        let draft = Draft::new("Fresh flow", "").unwrap();
        let created = DraftCreated::new(&drafts.create(&fresh, draft, &Layout::default()).unwrap());
        let input = r#"[{"intent":"rename","nodeId":"ship","label":"Deploy"},{"intent":"remove","nodeId":"ghost"}]"#;
        let applied = drafts
            .apply(&name, &parse_canvas_input(input.as_bytes()).unwrap())
            .unwrap();
        let applied = DraftApplied::new(&applied);
        let rejection = parse_canvas_input(b"{not json").unwrap_err();
        let rejected = InputRejected::new("stdin", rejection);
        let (message, changed) = drafts.undo(&name).unwrap();
        let undone = Walked::new(message, &changed);
        let history = DraftHistory::new(&changed.session);
        insta::assert_json_snapshot!("draft_created", created);
        insta::assert_json_snapshot!("draft_applied", applied);
        insta::assert_json_snapshot!("draft_input_rejected", rejected);
        insta::assert_json_snapshot!("draft_undone", undone);
        insta::assert_json_snapshot!("draft_history", history);
        let value = serde_json::to_value(&history).unwrap();
        assert_eq!(
            serde_json::from_value::<DraftHistory>(value).ok(),
            Some(history)
        );
        let value = serde_json::to_value(&undone).unwrap();
        assert_eq!(serde_json::from_value::<Walked>(value).ok(), Some(undone));
    }

    #[test]
    fn listing_and_saving_json_shapes_are_pinned() {
        let (tmp, drafts, name) = edited();
        std::fs::create_dir_all(drafts.dir().join("broken")).unwrap();
        std::fs::write(
            drafts.journal_path(&DraftName::parse("broken").unwrap()),
            "[]\n",
        )
        .unwrap();
        let mut listed: Vec<DraftListed> = drafts
            .list()
            .unwrap()
            .iter()
            .map(DraftListed::from)
            .collect();
        for item in &mut listed {
            if let Some(state) = &mut item.state {
                state.modified = state.modified.as_ref().map(|_| "[modified]".into());
            }
            if let Some(error) = &mut item.error {
                *error = error.replace(&tmp.path().display().to_string(), "[ws]");
            }
        }
        insta::assert_json_snapshot!("draft_list", listed);
        let value = serde_json::to_value(&listed).unwrap();
        assert_eq!(
            serde_json::from_value::<Vec<DraftListed>>(value).ok(),
            Some(listed)
        );

        let opened = drafts
            .open(
                &name,
                Draft::new("Replaced", "").unwrap(),
                &Layout::default(),
            )
            .unwrap();
        insta::assert_json_snapshot!("draft_opened", DraftOpened::new(&opened));

        let ws = Workspace::planned(tmp.path());
        let saved = [
            DraftSaved::blueprint(&ws, "release", &ws.dir.join("blueprints/release.json")),
            DraftSaved::Topology {
                path: "graph/graph_topology.yml".into(),
                unchanged: false,
                backup: Some("graph/.backup/graph_topology.yml".into()),
                notes: vec!["a note".into()],
                warnings: vec!["graph/graph_topology.yml:3:1: warning: w".into()],
            },
        ];
        insta::assert_json_snapshot!("draft_saved", saved);
        let value = serde_json::to_value(&saved).unwrap();
        assert_eq!(
            serde_json::from_value::<[DraftSaved; 2]>(value).ok(),
            Some(saved)
        );
        let refused = TopologyNotSaved {
            saved: (),
            errors: vec![Finding {
                file: "graph/graph_topology.yml".into(),
                line: Some(3),
                column: Some(1),
                message: "m".into(),
                hint: None,
            }],
        };
        insta::assert_json_snapshot!("draft_topology_not_saved", refused);
    }
}
