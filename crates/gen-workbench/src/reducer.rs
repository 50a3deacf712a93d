//! The one pure reducer every edit goes through, whether it came from the chat agent or the canvas.
//!
//! `apply(draft, action)` validates one action against the current draft and returns the next
//! draft plus a description of what changed (or that nothing did). `apply_batch` applies a whole
//! turn following reference §4.0.1: sequentially against the running draft, skipping and recording
//! failures, then validating the result; the report's user line is built from what was applied,
//! never from what the agent claimed.

use std::collections::HashSet;

use imbl::Vector;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::action::{Action, ReplaceDraft};
use crate::canvas::{self, CanvasAction};
use crate::draft::{Draft, Removal};
use crate::error::{Problem, Rejection, UserMessage, shown};
use crate::intent::{self, EditIntent};
use crate::json::Properties;
use crate::limits::MAX_ID_BYTES;
use crate::model::{Edge, Node, NodeId};
use crate::validate;

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
    /// for several, "Applied k changes; m failed: <first reason>" for a partial apply, or the single
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

// ---- the seven intents ----

fn add(draft: &Draft, a: &intent::Add, at: &str) -> Result<Step, Rejection> {
    if draft.contains_node(a.node.id.as_str()) {
        return Err(duplicate(format!("{at}.node.id"), &a.node.id));
    }
    let index = match &a.after_node_id {
        Some(after) => {
            let found = draft
                .canonical_id(after.as_str())
                .and_then(|canonical| draft.position_of(&canonical));
            found.ok_or_else(|| not_found(format!("{at}.afterNodeId"), after))? + 1
        }
        None => draft.node_count(),
    };
    let from = match &a.connect_from {
        Some(from) => Some(
            draft
                .canonical_id(from.as_str())
                .ok_or_else(|| endpoint_missing(format!("{at}.connectFrom"), from))?,
        ),
        None => None,
    };
    let mut next = draft.clone();
    let id = next.insert_node(index, a.node.clone());
    let mut touched = Touched::node(id.clone());
    if let Some(from) = from {
        touched.edges.push((from.clone(), id.clone()));
        next.push_edge(Edge {
            source: from,
            target: id.clone(),
            label: None,
        });
    }
    Ok(Step::changed(
        next,
        Change::Added {
            id,
            label: a.node.label.clone(),
        },
        touched,
    ))
}

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

fn remove(draft: &Draft, r: &intent::Remove, at: &str) -> Result<Step, Rejection> {
    let id = draft
        .canonical_id(r.node_id.as_str())
        .ok_or_else(|| not_found(format!("{at}.nodeId"), &r.node_id))?;
    let mut next = draft.clone();
    let removal = next
        .remove_node_bridging(&id, None)
        .ok_or_else(|| not_found(format!("{at}.nodeId"), &r.node_id))?;
    let change = Change::Removed {
        id,
        label: removal.node.label.clone(),
        bridged: removal.bridge.is_some(),
    };
    Ok(Step::changed(next, change, removal_touched(&removal)))
}

fn rename(draft: &Draft, r: &intent::Rename, at: &str) -> Result<Step, Rejection> {
    let node = existing(draft, &r.node_id, || format!("{at}.nodeId"))?;
    if node.label == r.label {
        return Ok(Step::unchanged(draft));
    }
    let change = Change::Renamed {
        id: node.id.clone(),
        from: node.label.clone(),
        to: r.label.clone(),
    };
    let updated = Node {
        label: r.label.clone(),
        ..node.clone()
    };
    Ok(replace_node_step(draft, updated, change))
}

fn replace_node_step(draft: &Draft, node: Node, change: Change) -> Step {
    let id = node.id.clone();
    let mut next = draft.clone();
    next.replace_node(node);
    Step::changed(next, change, Touched::node(id))
}

fn reorder(draft: &Draft, r: &intent::Reorder, at: &str) -> Result<Step, Rejection> {
    // Unknown ids first: "that step doesn't exist" is the more useful message.
    let mut order = Vector::new();
    for (i, id) in r.node_ids.iter().enumerate() {
        let canonical = draft
            .canonical_id(id.as_str())
            .ok_or_else(|| not_found(format!("{at}.nodeIds[{i}]"), id))?;
        order.push_back(canonical);
    }
    if order.len() != draft.node_count() {
        return Err(Rejection::new(
            UserMessage::InvalidRequest,
            format!("{at}.nodeIds"),
            Problem::NotAPermutation {
                expected: draft.node_count(),
                got: order.len(),
            },
        ));
    }
    if order == *draft.order() {
        return Ok(Step::unchanged(draft));
    }
    let mut next = draft.clone();
    next.set_order(order);
    Ok(Step::changed(next, Change::Reordered, Touched::default()))
}

fn connect(draft: &Draft, c: &intent::Connect, at: &str) -> Result<Step, Rejection> {
    let source = draft
        .canonical_id(c.source.as_str())
        .ok_or_else(|| endpoint_missing(format!("{at}.source"), &c.source))?;
    let target = draft
        .canonical_id(c.target.as_str())
        .ok_or_else(|| endpoint_missing(format!("{at}.target"), &c.target))?;
    let source_label = label_of(draft, &source);
    let target_label = label_of(draft, &target);
    let touched = Touched {
        edges: vec![(source.clone(), target.clone())],
        ..Touched::default()
    };
    let mut next = draft.clone();
    match draft.edge_seq(&source, &target) {
        Some(seq) => {
            let current = draft
                .edge_between(&source, &target)
                .and_then(|e| e.label.clone());
            // An omitted label keeps the existing one; the same label is a no-op.
            if c.label.is_none() || c.label == current {
                return Ok(Step::unchanged(draft));
            }
            next.put_edge(
                seq,
                Edge {
                    source,
                    target,
                    label: c.label.clone(),
                },
            );
            Ok(Step::changed(
                next,
                Change::Relabelled {
                    source_label,
                    target_label,
                },
                touched,
            ))
        }
        None => {
            next.push_edge(Edge {
                source,
                target,
                label: c.label.clone(),
            });
            Ok(Step::changed(
                next,
                Change::Connected {
                    source_label,
                    target_label,
                },
                touched,
            ))
        }
    }
}

fn branch(draft: &Draft, b: &intent::Branch, at: &str) -> Result<Step, Rejection> {
    let from = draft
        .canonical_id(b.from_node_id.as_str())
        .ok_or_else(|| not_found(format!("{at}.fromNodeId"), &b.from_node_id))?;
    for (i, arm) in b.branches.iter().enumerate() {
        if draft.contains_node(arm.node.id.as_str()) {
            return Err(duplicate(
                format!("{at}.branches[{i}].node.id"),
                &arm.node.id,
            ));
        }
    }
    let mut next = draft.clone();
    let mut touched = Touched::default();
    let mut arm_ids = Vec::with_capacity(b.branches.len());
    for arm in &b.branches {
        let end = next.node_count();
        arm_ids.push(next.insert_node(end, arm.node.clone()));
    }
    // `connectTo` may name an existing step or a sibling arm, never a later intent's step.
    for (i, (arm, id)) in b.branches.iter().zip(&arm_ids).enumerate() {
        let to = next.canonical_id(arm.connect_to.as_str()).ok_or_else(|| {
            endpoint_missing(format!("{at}.branches[{i}].connectTo"), &arm.connect_to)
        })?;
        touched.nodes.push(id.clone());
        touched.edges.push((from.clone(), id.clone()));
        touched.edges.push((id.clone(), to.clone()));
        next.push_edge(Edge {
            source: from.clone(),
            target: id.clone(),
            label: None,
        });
        next.push_edge(Edge {
            source: id.clone(),
            target: to,
            label: None,
        });
    }
    let change = Change::Branched {
        from_label: label_of(draft, &from),
        count: arm_ids.len(),
    };
    Ok(Step::changed(next, change, touched))
}

fn configure(draft: &Draft, c: &intent::Configure, at: &str) -> Result<Step, Rejection> {
    let node = existing(draft, &c.node_id, || format!("{at}.nodeId"))?;
    let mut merged = node.properties.clone().unwrap_or_default();
    for (key, value) in c.properties.as_map() {
        if value.is_null() {
            merged.0.shift_remove(key);
        } else {
            merged.0.insert(key.clone(), value.clone());
        }
    }
    let properties = if node.properties.is_none() && merged.0.is_empty() {
        None
    } else {
        Some(merged)
    };
    if properties == node.properties {
        return Ok(Step::unchanged(draft));
    }
    validate::properties(properties.as_ref(), || format!("{at}.properties"))?;
    let change = Change::Configured {
        id: node.id.clone(),
        label: node.label.clone(),
    };
    Ok(replace_node_step(
        draft,
        Node {
            properties,
            ..node.clone()
        },
        change,
    ))
}

// ---- canvas actions ----

fn delete_edge(draft: &Draft, e: &canvas::DeleteEdge, at: &str) -> Result<Step, Rejection> {
    let mut next = draft.clone();
    let (_, edge) = next
        .remove_edge(&e.source, &e.target)
        .ok_or_else(|| no_edge(at, &e.source, &e.target))?;
    let change = Change::Disconnected {
        source_label: label_of(draft, &edge.source),
        target_label: label_of(draft, &edge.target),
    };
    Ok(Step::changed(next, change, Touched::default()))
}

fn set_edge_label(draft: &Draft, e: &canvas::SetEdgeLabel, at: &str) -> Result<Step, Rejection> {
    let seq = draft
        .edge_seq(&e.source, &e.target)
        .ok_or_else(|| no_edge(at, &e.source, &e.target))?;
    let edge = draft
        .edge_between(&e.source, &e.target)
        .ok_or_else(|| no_edge(at, &e.source, &e.target))?;
    if edge.label == e.label {
        return Ok(Step::unchanged(draft));
    }
    let change = Change::EdgeLabelSet {
        source_label: label_of(draft, &edge.source),
        target_label: label_of(draft, &edge.target),
        cleared: e.label.is_none(),
    };
    let touched = Touched {
        edges: vec![(edge.source.clone(), edge.target.clone())],
        ..Touched::default()
    };
    let mut next = draft.clone();
    next.put_edge(
        seq,
        Edge {
            label: e.label.clone(),
            ..edge.clone()
        },
    );
    Ok(Step::changed(next, change, touched))
}

fn set_title(draft: &Draft, t: &canvas::SetTitle) -> Step {
    if draft.title() == t.title {
        return Step::unchanged(draft);
    }
    let mut next = draft.clone();
    next.set_title(&t.title);
    Step::changed(
        next,
        Change::TitleSet {
            title: t.title.clone(),
        },
        Touched {
            text: true,
            ..Touched::default()
        },
    )
}

fn set_summary(draft: &Draft, s: &canvas::SetSummary) -> Step {
    if draft.summary() == s.summary {
        return Step::unchanged(draft);
    }
    let mut next = draft.clone();
    next.set_summary(&s.summary);
    Step::changed(
        next,
        Change::SummarySet,
        Touched {
            text: true,
            ..Touched::default()
        },
    )
}

fn set_node_type(draft: &Draft, t: &canvas::SetNodeType, at: &str) -> Result<Step, Rejection> {
    let node = existing(draft, &t.node_id, || format!("{at}.nodeId"))?;
    if node.kind == t.kind {
        return Ok(Step::unchanged(draft));
    }
    let change = Change::TypeSet {
        label: node.label.clone(),
        kind: t.kind.clone(),
    };
    Ok(replace_node_step(
        draft,
        Node {
            kind: t.kind.clone(),
            ..node.clone()
        },
        change,
    ))
}

fn set_node_description(
    draft: &Draft,
    d: &canvas::SetNodeDescription,
    at: &str,
) -> Result<Step, Rejection> {
    let node = existing(draft, &d.node_id, || format!("{at}.nodeId"))?;
    if node.description == d.description {
        return Ok(Step::unchanged(draft));
    }
    let change = Change::DescriptionSet {
        label: node.label.clone(),
    };
    Ok(replace_node_step(
        draft,
        Node {
            description: d.description.clone(),
            ..node.clone()
        },
        change,
    ))
}

fn replace_properties(
    draft: &Draft,
    p: &canvas::ReplaceProperties,
    at: &str,
) -> Result<Step, Rejection> {
    let node = existing(draft, &p.node_id, || format!("{at}.nodeId"))?;
    if node.properties == p.properties && same_key_order(&node.properties, &p.properties) {
        return Ok(Step::unchanged(draft));
    }
    let change = Change::PropertiesReplaced {
        label: node.label.clone(),
    };
    Ok(replace_node_step(
        draft,
        Node {
            properties: p.properties.clone(),
            ..node.clone()
        },
        change,
    ))
}

/// Map equality ignores key order; a replace that only reorders keys is still a visible change.
fn same_key_order(a: &Option<Properties>, b: &Option<Properties>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.as_map().keys().eq(b.as_map().keys()),
        (None, None) => true,
        _ => false,
    }
}

/// The selection's canonical ids in display order, or the first unknown id.
fn selection(draft: &Draft, ids: &[NodeId], at: &str) -> Result<Vec<NodeId>, Rejection> {
    let mut canonical = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        canonical.push(
            draft
                .canonical_id(id.as_str())
                .ok_or_else(|| not_found(format!("{at}.nodeIds[{i}]"), id))?,
        );
    }
    let order = draft.order();
    Ok(draft
        .positions_of(&canonical)
        .into_iter()
        .filter_map(|i| order.get(i).cloned())
        .collect())
}

/// A fresh id for a copy: `<id>-copy`, then `<id>-copy-2`, `-copy-3`, …, with the stem shortened
/// when needed to stay within the 64-byte id cap. Deterministic: depends only on the draft.
fn copy_id(base: &NodeId, taken: impl Fn(&str) -> bool, attempts: usize) -> Option<NodeId> {
    (1..=attempts).find_map(|n| {
        let suffix = if n == 1 {
            "-copy".to_string()
        } else {
            format!("-copy-{n}")
        };
        let keep = MAX_ID_BYTES.saturating_sub(suffix.len());
        let stem: String = base.as_str().chars().take(keep).collect();
        let candidate = format!("{stem}{suffix}");
        (!taken(&candidate)).then(|| NodeId::new(&candidate))
    })
}

fn duplicate_nodes(draft: &Draft, d: &canvas::DuplicateNodes, at: &str) -> Result<Step, Rejection> {
    let originals = selection(draft, &d.node_ids, at)?;
    let mut next = draft.clone();
    let mut touched = Touched::default();
    let mut fresh: std::collections::HashMap<NodeId, NodeId> = std::collections::HashMap::new();
    let mut generated: HashSet<String> = HashSet::new();
    // Pigeonhole bound: at most this many candidates can be taken.
    let attempts = draft.node_count() + originals.len() + 1;
    for original in &originals {
        let node = existing(draft, original, || format!("{at}.nodeIds"))?;
        let id = copy_id(
            original,
            |c| draft.contains_node(c) || generated.contains(c),
            attempts,
        )
        .ok_or_else(|| duplicate(format!("{at}.nodeIds"), original))?;
        generated.insert(id.to_string());
        let end = next.node_count();
        next.insert_node(
            end,
            Node {
                id: id.clone(),
                ..node.clone()
            },
        );
        touched.nodes.push(id.clone());
        fresh.insert(original.clone(), id);
    }
    // Copy only edges with both ends selected, in their original order.
    let mut internal: Vec<(u64, Edge)> = Vec::new();
    for original in &originals {
        for edge in draft.outgoing(original.as_str()) {
            if let (Some(s), Some(t)) = (fresh.get(&edge.source), fresh.get(&edge.target))
                && let Some(seq) = draft.edge_seq(&edge.source, &edge.target)
            {
                internal.push((
                    seq,
                    Edge {
                        source: s.clone(),
                        target: t.clone(),
                        label: edge.label.clone(),
                    },
                ));
            }
        }
    }
    internal.sort_by_key(|(seq, _)| *seq);
    for (_, edge) in internal {
        touched
            .edges
            .push((edge.source.clone(), edge.target.clone()));
        next.push_edge(edge);
    }
    Ok(Step::changed(
        next,
        Change::Duplicated {
            count: originals.len(),
        },
        touched,
    ))
}

fn delete_nodes(draft: &Draft, d: &canvas::DeleteNodes, at: &str) -> Result<Step, Rejection> {
    let ids = selection(draft, &d.node_ids, at)?;
    let mut next = draft.clone();
    let removals = next.remove_nodes_bridging(&ids);
    let mut touched = Touched::default();
    for removal in &removals {
        touched.merge(removal_touched(removal));
    }
    let change = match removals.as_slice() {
        [only] => Change::Removed {
            id: only.node.id.clone(),
            label: only.node.label.clone(),
            bridged: only.bridge.is_some(),
        },
        _ => Change::Deleted {
            count: removals.len(),
        },
    };
    Ok(Step::changed(next, change, touched))
}

fn replace_draft(draft: &Draft, r: &ReplaceDraft, at: &str) -> Result<Step, Rejection> {
    let replacement =
        Draft::from_blueprint(r.draft.clone()).map_err(|e| e.under(&format!("{at}.draft")))?;
    // Byte comparison: property key order is part of what the user sees.
    if replacement == *draft
        && serde_json::to_vec(&replacement).ok() == serde_json::to_vec(draft).ok()
    {
        return Ok(Step::unchanged(draft));
    }
    let change = Change::Replaced {
        title: replacement.title().to_string(),
        steps: replacement.node_count(),
    };
    Ok(Step {
        draft: replacement,
        change: Some(change),
        touched: Touched::default(),
        replaced: true,
    })
}

#[cfg(test)]
mod tests;
