//! The one pure reducer every edit goes through, whether it came from the chat agent or the canvas.
//!
//! `apply(draft, action)` validates one action against the current draft and returns the next
//! draft plus a description of what changed (or that nothing did). `apply_batch` applies a whole
//! turn following reference §4.0.1: sequentially against the running draft, skipping and recording
//! failures, then validating the result; the report's user line is built from what was applied,
//! never from what the agent claimed.
//!
//! The rooms: this file holds `apply`, `apply_batch`, [`Change`], the step machinery, the
//! post-batch check and the shared rejections; `intents.rs` handles the seven edit intents,
//! `canvas.rs` the canvas actions and the whole-draft replace, and `report.rs` the batch report and
//! its `--json` shape.

mod canvas;
mod intents;
mod report;

pub use report::{AppliedChange, BatchReport, BatchResult, Failure, NOTHING_CHANGED};

use serde::Serialize;

use crate::action::Action;
use crate::canvas::CanvasAction;
use crate::draft::{Draft, Removal};
use crate::error::{Problem, Rejection, UserMessage, shown};
use crate::intent::EditIntent;
use crate::model::{Node, NodeId};
use crate::validate;

use self::canvas::{
    delete_edge, delete_nodes, duplicate_nodes, replace_draft, replace_properties, set_edge_label,
    set_node_description, set_node_type, set_summary, set_title,
};
use self::intents::{add, branch, configure, connect, remove, rename, reorder};

/// What one applied action did, in domain terms; the source of every success line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "change",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Change {
    /// A step was added.
    Added {
        /// Id of the step.
        id: NodeId,
        /// Label of the step, as shown in the confirmation line.
        label: String,
    },
    /// A step was removed; `bridged` tells whether its predecessor and successor were joined.
    Removed {
        /// Id of the step.
        id: NodeId,
        /// Label of the step, as shown in the confirmation line.
        label: String,
        /// Whether its predecessor and successor were joined.
        bridged: bool,
    },
    /// A step got a new label.
    Renamed {
        /// Id of the step.
        id: NodeId,
        /// Label before the rename.
        from: String,
        /// Label after the rename.
        to: String,
    },
    /// The steps were put in a new order.
    Reordered,
    /// A new connection was made.
    Connected {
        /// Label of the step the connection leaves.
        source_label: String,
        /// Label of the step the connection enters.
        target_label: String,
    },
    /// An existing connection got a new label through `connect`.
    Relabelled {
        /// Label of the step the connection leaves.
        source_label: String,
        /// Label of the step the connection enters.
        target_label: String,
    },
    /// Branch arms were added after a step.
    Branched {
        /// Label of the step the arms leave.
        from_label: String,
        /// How many steps or arms.
        count: usize,
    },
    /// Properties were merged into a step.
    Configured {
        /// Id of the step.
        id: NodeId,
        /// Label of the step, as shown in the confirmation line.
        label: String,
    },
    /// A connection was deleted.
    Disconnected {
        /// Label of the step the connection leaves.
        source_label: String,
        /// Label of the step the connection enters.
        target_label: String,
    },
    /// A connection's label was set or cleared.
    EdgeLabelSet {
        /// Label of the step the connection leaves.
        source_label: String,
        /// Label of the step the connection enters.
        target_label: String,
        /// True when the label was removed rather than set.
        cleared: bool,
    },
    /// The workflow title changed.
    TitleSet {
        /// The new title.
        title: String,
    },
    /// The workflow summary changed.
    SummarySet,
    /// A step's type changed.
    TypeSet {
        /// Label of the step, as shown in the confirmation line.
        label: String,
        /// The new type.
        kind: String,
    },
    /// A step's description was set or cleared.
    DescriptionSet {
        /// Label of the step, as shown in the confirmation line.
        label: String,
    },
    /// A step's properties were replaced wholesale.
    PropertiesReplaced {
        /// Label of the step, as shown in the confirmation line.
        label: String,
    },
    /// The selection was copied.
    Duplicated {
        /// How many steps or arms.
        count: usize,
    },
    /// The selection was deleted.
    Deleted {
        /// How many steps or arms.
        count: usize,
    },
    /// The whole draft was replaced.
    Replaced {
        /// The new title.
        title: String,
        /// How many steps the new draft has.
        steps: usize,
    },
}

impl Change {
    /// The confirmation line for this change alone, e.g. "Removed Step 2".
    pub fn summary(&self) -> String {
        let steps = |n: usize| {
            if n == 1 {
                "1 step".to_string()
            } else {
                format!("{n} steps")
            }
        };
        match self {
            Change::Added { label, .. } => format!("Added {label}"),
            Change::Removed { label, .. } => format!("Removed {label}"),
            Change::Renamed { from, to, .. } => format!("Renamed {from} to {to}"),
            Change::Reordered => "Reordered the steps".to_string(),
            Change::Connected {
                source_label,
                target_label,
            } => {
                format!("Connected {source_label} to {target_label}")
            }
            Change::Relabelled {
                source_label,
                target_label,
            } => {
                format!("Relabelled the connection from {source_label} to {target_label}")
            }
            Change::Branched { from_label, count } => {
                let arms = if *count == 1 {
                    "1 branch".to_string()
                } else {
                    format!("{count} branches")
                };
                format!("Added {arms} after {from_label}")
            }
            Change::Configured { label, .. } => format!("Configured {label}"),
            Change::Disconnected {
                source_label,
                target_label,
            } => {
                format!("Removed the connection from {source_label} to {target_label}")
            }
            Change::EdgeLabelSet {
                source_label,
                target_label,
                cleared: false,
            } => {
                format!("Labelled the connection from {source_label} to {target_label}")
            }
            Change::EdgeLabelSet {
                source_label,
                target_label,
                cleared: true,
            } => {
                format!("Cleared the label of the connection from {source_label} to {target_label}")
            }
            Change::TitleSet { title } => format!("Renamed the workflow to {title}"),
            Change::SummarySet => "Updated the summary".to_string(),
            Change::TypeSet { label, kind } => format!("Changed the type of {label} to {kind}"),
            Change::DescriptionSet { label } => format!("Updated the description of {label}"),
            Change::PropertiesReplaced { label } => format!("Replaced the properties of {label}"),
            Change::Duplicated { count } => format!("Duplicated {}", steps(*count)),
            Change::Deleted { count } => format!("Deleted {}", steps(*count)),
            Change::Replaced { title, steps: n } => {
                format!("Replaced the workflow with {title} ({})", steps(*n))
            }
        }
    }
}

/// The result of one accepted action: the next draft, and what changed (`None` for a no-op, which
/// must not create a history entry).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The draft after the action (the same draft for a no-op).
    pub draft: Draft,
    /// What changed, or `None` when the action asked for the state the draft already had.
    pub change: Option<Change>,
}

/// Which parts of the draft a batch touched, so the post-batch validation re-checks exactly them.
#[derive(Debug, Default)]
struct Touched {
    nodes: Vec<NodeId>,
    removed: Vec<NodeId>,
    edges: Vec<(NodeId, NodeId)>,
    text: bool,
}

impl Touched {
    fn node(id: NodeId) -> Self {
        Touched {
            nodes: vec![id],
            ..Touched::default()
        }
    }

    fn merge(&mut self, other: Touched) {
        self.nodes.extend(other.nodes);
        self.removed.extend(other.removed);
        self.edges.extend(other.edges);
        self.text |= other.text;
    }
}

struct Step {
    draft: Draft,
    change: Option<Change>,
    touched: Touched,
    /// The action replaced the whole (already fully validated) draft.
    replaced: bool,
}

impl Step {
    fn unchanged(draft: &Draft) -> Self {
        Step {
            draft: draft.clone(),
            change: None,
            touched: Touched::default(),
            replaced: false,
        }
    }

    fn changed(draft: Draft, change: Change, touched: Touched) -> Self {
        Step {
            draft,
            change: Some(change),
            touched,
            replaced: false,
        }
    }
}

/// Applies one action: validates it against `draft` and returns the next draft, or the rejection
/// (the input draft is untouched either way, it is a value). Equivalent to a one-action batch.
pub fn apply(draft: &Draft, action: &Action) -> Result<Applied, Rejection> {
    let step = apply_one(draft, action, "$")?;
    if step.change.is_some() {
        check_result(&step.draft, &step.touched, step.replaced)?;
    }
    Ok(Applied {
        draft: step.draft,
        change: step.change,
    })
}

/// Applies a turn (reference §4.0.1): each action runs against the draft left by the previous
/// ones; a refused action is skipped and recorded; afterwards the touched parts and the draft-wide
/// caps are validated, and if that fails the whole batch is reverted.
pub fn apply_batch(draft: &Draft, actions: &[Action]) -> BatchResult {
    let mut current = draft.clone();
    let mut report = BatchReport {
        applied: Vec::new(),
        unchanged: Vec::new(),
        failed: Vec::new(),
    };
    let mut touched = Touched::default();
    let mut replaced = false;
    for (index, action) in actions.iter().enumerate() {
        match apply_one(&current, action, &format!("$[{index}]")) {
            Ok(step) => match step.change {
                Some(change) => {
                    if step.replaced {
                        // Everything touched before is gone; the new draft was validated whole.
                        touched = Touched::default();
                        replaced = true;
                    }
                    touched.merge(step.touched);
                    current = step.draft;
                    report.applied.push(AppliedChange { index, change });
                }
                None => report.unchanged.push(index),
            },
            Err(rejection) => report.failed.push(Failure {
                index: Some(index),
                rejection,
            }),
        }
    }
    if report.changed()
        && let Err(rejection) = check_result(&current, &touched, replaced)
    {
        report.applied.clear();
        report.failed.insert(
            0,
            Failure {
                index: None,
                rejection,
            },
        );
        return BatchResult {
            draft: draft.clone(),
            report,
        };
    }
    BatchResult {
        draft: current,
        report,
    }
}

/// Post-batch validation. Drafts are valid by construction, so re-checking what the batch touched
/// plus the draft-wide caps is a full validation of the result (property tests assert it agrees
/// with [`Draft::validate`]) at O(changes) instead of O(draft) cost.
fn check_result(draft: &Draft, touched: &Touched, replaced: bool) -> Result<(), Rejection> {
    let broken = |reason: String| {
        Rejection::new(
            UserMessage::InvalidRequest,
            "$",
            Problem::InvalidResult { reason },
        )
    };
    validate::counts(draft.node_count(), draft.edge_count(), "$")?;
    let (order, nodes, edges, out_index, in_index) = draft.index_sizes();
    if order != nodes || edges != out_index || edges != in_index {
        return Err(broken("index sizes disagree".into()));
    }
    if touched.text || replaced {
        validate::title(draft.title(), || "$.title".into()).map_err(|r| broken(r.to_string()))?;
        validate::summary(draft.summary(), || "$.summary".into())
            .map_err(|r| broken(r.to_string()))?;
    }
    for id in &touched.nodes {
        if let Some(node) = draft.node(id.as_str()) {
            validate::node(node, "$").map_err(|r| broken(r.to_string()))?;
        }
    }
    for id in &touched.removed {
        if !draft.contains_node(id.as_str()) && draft.has_incident_edges(id) {
            return Err(broken(format!(
                "edges still reference removed step {}",
                shown(id.as_str())
            )));
        }
    }
    for (source, target) in &touched.edges {
        if let Some(edge) = draft.edge_between(source, target) {
            if !draft.contains_node(source.as_str()) || !draft.contains_node(target.as_str()) {
                return Err(broken(format!(
                    "edge {} → {} is dangling",
                    shown(source.as_str()),
                    shown(target.as_str())
                )));
            }
            validate::edge(edge, "$").map_err(|r| broken(r.to_string()))?;
        }
    }
    Ok(())
}

fn apply_one(draft: &Draft, action: &Action, at: &str) -> Result<Step, Rejection> {
    validate::check_fields(action, at)?;
    match action {
        Action::Intent(intent) => match intent {
            EditIntent::Add(a) => add(draft, a, at),
            EditIntent::Remove(r) => remove(draft, r, at),
            EditIntent::Rename(r) => rename(draft, r, at),
            EditIntent::Reorder(r) => reorder(draft, r, at),
            EditIntent::Connect(c) => connect(draft, c, at),
            EditIntent::Branch(b) => branch(draft, b, at),
            EditIntent::Configure(c) => configure(draft, c, at),
        },
        Action::Canvas(canvas) => match canvas {
            CanvasAction::DeleteEdge(e) => delete_edge(draft, e, at),
            CanvasAction::SetEdgeLabel(e) => set_edge_label(draft, e, at),
            CanvasAction::SetTitle(t) => Ok(set_title(draft, t)),
            CanvasAction::SetSummary(s) => Ok(set_summary(draft, s)),
            CanvasAction::SetNodeType(t) => set_node_type(draft, t, at),
            CanvasAction::SetNodeDescription(d) => set_node_description(draft, d, at),
            CanvasAction::ReplaceProperties(p) => replace_properties(draft, p, at),
            CanvasAction::DuplicateNodes(d) => duplicate_nodes(draft, d, at),
            CanvasAction::DeleteNodes(d) => delete_nodes(draft, d, at),
        },
        Action::ReplaceDraft(replace) => replace_draft(draft, replace, at),
    }
}

// ---- rejections ----

fn not_found(at: String, id: &NodeId) -> Rejection {
    Rejection::new(
        UserMessage::StepNotFound,
        at,
        Problem::UnknownNode {
            id: shown(id.as_str()),
        },
    )
}

fn endpoint_missing(at: String, id: &NodeId) -> Rejection {
    Rejection::new(
        UserMessage::ConnectionEndpointMissing,
        at,
        Problem::UnknownNode {
            id: shown(id.as_str()),
        },
    )
}

fn duplicate(at: String, id: &NodeId) -> Rejection {
    Rejection::new(
        UserMessage::DuplicateStep,
        at,
        Problem::DuplicateId {
            id: shown(id.as_str()),
        },
    )
}

fn no_edge(at: &str, source: &NodeId, target: &NodeId) -> Rejection {
    Rejection::new(
        UserMessage::ConnectionNotFound,
        at,
        Problem::UnknownEdge {
            source_id: shown(source.as_str()),
            target: shown(target.as_str()),
        },
    )
}

fn existing<'d>(
    draft: &'d Draft,
    id: &NodeId,
    at: impl FnOnce() -> String,
) -> Result<&'d Node, Rejection> {
    draft.node(id.as_str()).ok_or_else(|| not_found(at(), id))
}

fn label_of(draft: &Draft, id: &NodeId) -> String {
    draft
        .node(id.as_str())
        .map_or_else(|| id.to_string(), |n| n.label.clone())
}

// ---- step helpers shared by the intents and the canvas actions ----

fn removal_touched(removal: &Removal) -> Touched {
    let mut touched = Touched {
        removed: vec![removal.node.id.clone()],
        ..Touched::default()
    };
    if let Some(bridge) = &removal.bridge {
        touched.edges.push(bridge.clone());
    }
    touched
}

fn replace_node_step(draft: &Draft, node: Node, change: Change) -> Step {
    let id = node.id.clone();
    let mut next = draft.clone();
    next.replace_node(node);
    Step::changed(next, change, Touched::node(id))
}

#[cfg(test)]
mod tests;
