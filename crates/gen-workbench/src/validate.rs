//! Validation rules. Context-free field rules (what the JSON Schema can also say) live in
//! [`check_fields`]; whole-draft rules in [`check_blueprint`]; rules that need the current draft
//! live in the reducer next to the edit they guard.

use std::collections::HashSet;

use crate::action::Action;
use crate::canvas::CanvasAction;
use crate::draft::Draft;
use crate::error::{Problem, Rejection, UserMessage};
use crate::intent::EditIntent;
use crate::json::Properties;
use crate::limits::{
    MAX_BRANCHES, MAX_DESCRIPTION_CHARS, MAX_EDGE_LABEL_CHARS, MAX_EDGES, MAX_LABEL_CHARS,
    MAX_NODES, MAX_PROPERTIES_BYTES, MAX_PROPERTIES_DEPTH, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS,
    MAX_TYPE_CHARS,
};
use crate::model::{BlueprintDraft, Edge, Node, NodeId};
use crate::text::{TextRule, check_id, check_text};

const LABEL: TextRule = TextRule::Name {
    max_chars: MAX_LABEL_CHARS,
};
const TITLE: TextRule = TextRule::Name {
    max_chars: MAX_TITLE_CHARS,
};
const KIND: TextRule = TextRule::Name {
    max_chars: MAX_TYPE_CHARS,
};
const EDGE_LABEL: TextRule = TextRule::Name {
    max_chars: MAX_EDGE_LABEL_CHARS,
};
const SUMMARY: TextRule = TextRule::Prose {
    max_chars: MAX_SUMMARY_CHARS,
};
const DESCRIPTION: TextRule = TextRule::Prose {
    max_chars: MAX_DESCRIPTION_CHARS,
};

type Checked = Result<(), Rejection>;

fn invalid(at: String, problem: Problem) -> Rejection {
    Rejection::new(UserMessage::InvalidRequest, at, problem)
}

fn text(value: &str, rule: TextRule, at: impl FnOnce() -> String) -> Checked {
    check_text(value, rule).map_err(|problem| invalid(at(), problem))
}

pub(crate) fn id(value: &NodeId, at: impl FnOnce() -> String) -> Checked {
    check_id(value.as_str()).map_err(|problem| invalid(at(), problem))
}

pub(crate) fn label(value: &str, at: impl FnOnce() -> String) -> Checked {
    text(value, LABEL, at)
}

pub(crate) fn title(value: &str, at: impl FnOnce() -> String) -> Checked {
    text(value, TITLE, at)
}

pub(crate) fn summary(value: &str, at: impl FnOnce() -> String) -> Checked {
    text(value, SUMMARY, at)
}

pub(crate) fn kind(value: &str, at: impl FnOnce() -> String) -> Checked {
    text(value, KIND, at)
}

pub(crate) fn description(value: Option<&str>, at: impl FnOnce() -> String) -> Checked {
    value.map_or(Ok(()), |d| text(d, DESCRIPTION, at))
}

pub(crate) fn edge_label(value: Option<&str>, at: impl FnOnce() -> String) -> Checked {
    value.map_or(Ok(()), |l| text(l, EDGE_LABEL, at))
}

/// Per-node properties caps: nesting depth first (cheap, and bounds the size computation's
/// recursion), then encoded size.
pub(crate) fn properties(value: Option<&Properties>, at: impl FnOnce() -> String) -> Checked {
    let Some(props) = value else { return Ok(()) };
    if props.depth() > MAX_PROPERTIES_DEPTH {
        return Err(invalid(
            at(),
            Problem::PropertiesTooDeep {
                max: MAX_PROPERTIES_DEPTH,
            },
        ));
    }
    let bytes = props.encoded_len();
    if bytes > MAX_PROPERTIES_BYTES {
        return Err(invalid(
            at(),
            Problem::PropertiesTooLarge {
                bytes,
                max: MAX_PROPERTIES_BYTES,
            },
        ));
    }
    Ok(())
}

/// Every field rule of one node (`at` builds the location only when something is wrong).
pub(crate) fn node_at(node: &Node, at: impl Fn() -> String) -> Checked {
    id(&node.id, || format!("{}.id", at()))?;
    label(&node.label, || format!("{}.label", at()))?;
    kind(&node.kind, || format!("{}.type", at()))?;
    description(node.description.as_deref(), || {
        format!("{}.description", at())
    })?;
    properties(node.properties.as_ref(), || format!("{}.properties", at()))
}

/// Every field rule of one node located at a fixed path.
pub(crate) fn node(n: &Node, at: &str) -> Checked {
    node_at(n, || at.to_string())
}

/// Every field rule of one edge (endpoints exist is a whole-draft rule).
pub(crate) fn edge_at(edge: &Edge, at: impl Fn() -> String) -> Checked {
    id(&edge.source, || format!("{}.source", at()))?;
    id(&edge.target, || format!("{}.target", at()))?;
    if edge.source == edge.target {
        return Err(invalid(
            format!("{}.target", at()),
            Problem::SelfLoop {
                id: crate::error::shown(edge.source.as_str()),
            },
        ));
    }
    edge_label(edge.label.as_deref(), || format!("{}.label", at()))
}

/// Every field rule of one edge located at a fixed path.
pub(crate) fn edge(e: &Edge, at: &str) -> Checked {
    edge_at(e, || at.to_string())
}

fn list_len<T>(items: &[T], max: usize, at: impl FnOnce() -> String) -> Checked {
    if items.is_empty() {
        return Err(invalid(at(), Problem::EmptyList));
    }
    if items.len() > max {
        return Err(invalid(
            at(),
            Problem::TooManyItems {
                count: items.len(),
                max,
            },
        ));
    }
    Ok(())
}

fn id_list(ids: &[NodeId], at: &str) -> Checked {
    list_len(ids, MAX_NODES, || format!("{at}.nodeIds"))?;
    let mut seen = HashSet::with_capacity(ids.len());
    for (i, node_id) in ids.iter().enumerate() {
        id(node_id, || format!("{at}.nodeIds[{i}]"))?;
        if !seen.insert(node_id.as_str()) {
            return Err(invalid(
                format!("{at}.nodeIds[{i}]"),
                Problem::RepeatedId {
                    id: crate::error::shown(node_id.as_str()),
                },
            ));
        }
    }
    Ok(())
}

/// The rules that need no draft: field formats, lengths, caps, self-loops, repeated ids within one
/// action. Exactly what the JSON Schema expresses, plus what it cannot (property depth and size,
/// ids repeated across branch arms).
pub fn check_fields(action: &Action, at: &str) -> Checked {
    match action {
        Action::Intent(intent) => intent_fields(intent, at),
        Action::Canvas(canvas) => canvas_fields(canvas, at),
        Action::ReplaceDraft(replace) => {
            blueprint_fields(&replace.draft).map_err(|r| r.under(&format!("{at}.draft")))
        }
    }
}

fn intent_fields(intent: &EditIntent, at: &str) -> Checked {
    match intent {
        EditIntent::Add(add) => {
            node(&add.node, &format!("{at}.node"))?;
            if let Some(after) = &add.after_node_id {
                id(after, || format!("{at}.afterNodeId"))?;
            }
            if let Some(from) = &add.connect_from {
                id(from, || format!("{at}.connectFrom"))?;
            }
            Ok(())
        }
        EditIntent::Remove(remove) => id(&remove.node_id, || format!("{at}.nodeId")),
        EditIntent::Rename(rename) => {
            id(&rename.node_id, || format!("{at}.nodeId"))?;
            label(&rename.label, || format!("{at}.label"))
        }
        EditIntent::Reorder(reorder) => id_list(&reorder.node_ids, at),
        EditIntent::Connect(connect) => edge(
            &Edge {
                source: connect.source.clone(),
                target: connect.target.clone(),
                label: connect.label.clone(),
            },
            at,
        ),
        EditIntent::Branch(branch) => {
            id(&branch.from_node_id, || format!("{at}.fromNodeId"))?;
            list_len(&branch.branches, MAX_BRANCHES, || format!("{at}.branches"))?;
            let mut seen = HashSet::with_capacity(branch.branches.len());
            for (i, arm) in branch.branches.iter().enumerate() {
                let arm_at = format!("{at}.branches[{i}]");
                node(&arm.node, &format!("{arm_at}.node"))?;
                id(&arm.connect_to, || format!("{arm_at}.connectTo"))?;
                if arm.connect_to == arm.node.id {
                    return Err(invalid(
                        format!("{arm_at}.connectTo"),
                        Problem::SelfLoop {
                            id: crate::error::shown(arm.node.id.as_str()),
                        },
                    ));
                }
                if !seen.insert(arm.node.id.as_str()) {
                    return Err(Rejection::new(
                        UserMessage::DuplicateStep,
                        format!("{arm_at}.node.id"),
                        Problem::DuplicateId {
                            id: crate::error::shown(arm.node.id.as_str()),
                        },
                    ));
                }
            }
            Ok(())
        }
        EditIntent::Configure(configure) => {
            id(&configure.node_id, || format!("{at}.nodeId"))?;
            properties(Some(&configure.properties), || format!("{at}.properties"))
        }
    }
}

fn canvas_fields(action: &CanvasAction, at: &str) -> Checked {
    match action {
        CanvasAction::DeleteEdge(e) => {
            id(&e.source, || format!("{at}.source"))?;
            id(&e.target, || format!("{at}.target"))
        }
        CanvasAction::SetEdgeLabel(e) => {
            id(&e.source, || format!("{at}.source"))?;
            id(&e.target, || format!("{at}.target"))?;
            edge_label(e.label.as_deref(), || format!("{at}.label"))
        }
        CanvasAction::SetTitle(t) => title(&t.title, || format!("{at}.title")),
        CanvasAction::SetSummary(s) => summary(&s.summary, || format!("{at}.summary")),
        CanvasAction::SetNodeType(t) => {
            id(&t.node_id, || format!("{at}.nodeId"))?;
            kind(&t.kind, || format!("{at}.type"))
        }
        CanvasAction::SetNodeDescription(d) => {
            id(&d.node_id, || format!("{at}.nodeId"))?;
            description(d.description.as_deref(), || format!("{at}.description"))
        }
        CanvasAction::ReplaceProperties(p) => {
            id(&p.node_id, || format!("{at}.nodeId"))?;
            properties(p.properties.as_ref(), || format!("{at}.properties"))
        }
        CanvasAction::DuplicateNodes(d) => id_list(&d.node_ids, at),
        CanvasAction::DeleteNodes(d) => id_list(&d.node_ids, at),
    }
}

/// Field rules and count caps of a whole wire draft, located relative to the draft.
fn blueprint_fields(draft: &BlueprintDraft) -> Checked {
    let as_draft = |r: Rejection| r.with_message(UserMessage::InvalidDraft);
    title(&draft.title, || "title".into()).map_err(as_draft)?;
    summary(&draft.summary, || "summary".into()).map_err(as_draft)?;
    counts(draft.nodes.len(), draft.edges.len(), "").map_err(as_draft)?;
    for (i, n) in draft.nodes.iter().enumerate() {
        node_at(n, || format!("nodes[{i}]")).map_err(as_draft)?;
    }
    for (i, e) in draft.edges.iter().enumerate() {
        edge_at(e, || format!("edges[{i}]")).map_err(as_draft)?;
    }
    Ok(())
}

/// The draft-wide count caps.
pub(crate) fn counts(nodes: usize, edges: usize, at: &str) -> Checked {
    let at = |field: &str| {
        if at.is_empty() {
            field.to_string()
        } else {
            format!("{at}.{field}")
        }
    };
    if nodes > MAX_NODES {
        return Err(invalid(
            at("nodes"),
            Problem::TooManyNodes {
                count: nodes,
                max: MAX_NODES,
            },
        ));
    }
    if edges > MAX_EDGES {
        return Err(invalid(
            at("edges"),
            Problem::TooManyEdges {
                count: edges,
                max: MAX_EDGES,
            },
        ));
    }
    Ok(())
}

/// Every rule of a whole wire draft: fields, caps, unique ids (exact bytes), edges between existing
/// distinct nodes, one edge per (source, target). Failures read as "invalid draft".
pub(crate) fn check_blueprint(draft: &BlueprintDraft) -> Checked {
    blueprint_fields(draft)?;
    graph_rules(draft.nodes.iter(), draft.edges.iter())
}

/// The same rules over any node/edge sequence (used to re-validate a persistent draft).
pub(crate) fn check_parts(
    draft_title: &str,
    draft_summary: &str,
    nodes: &[&Node],
    edges: &[&Edge],
) -> Checked {
    let as_draft = |r: Rejection| r.with_message(UserMessage::InvalidDraft);
    title(draft_title, || "title".into()).map_err(as_draft)?;
    summary(draft_summary, || "summary".into()).map_err(as_draft)?;
    counts(nodes.len(), edges.len(), "").map_err(as_draft)?;
    for (i, n) in nodes.iter().enumerate() {
        node_at(n, || format!("nodes[{i}]")).map_err(as_draft)?;
    }
    for (i, e) in edges.iter().enumerate() {
        edge_at(e, || format!("edges[{i}]")).map_err(as_draft)?;
    }
    graph_rules(nodes.iter().copied(), edges.iter().copied())
}

/// Unique ids and edges between existing nodes, one per pair (the rules that need the whole draft).
pub(crate) fn graph_rules<'a>(
    nodes: impl Iterator<Item = &'a Node>,
    edges: impl Iterator<Item = &'a Edge>,
) -> Checked {
    let draft_error = |at: String, problem| Rejection::new(UserMessage::InvalidDraft, at, problem);
    let mut ids = HashSet::new();
    for (i, n) in nodes.enumerate() {
        if !ids.insert(n.id.as_str()) {
            return Err(draft_error(
                format!("nodes[{i}].id"),
                Problem::DuplicateId {
                    id: crate::error::shown(n.id.as_str()),
                },
            ));
        }
    }
    let mut pairs = HashSet::new();
    for (i, e) in edges.enumerate() {
        for (field, end) in [("source", &e.source), ("target", &e.target)] {
            if !ids.contains(end.as_str()) {
                return Err(draft_error(
                    format!("edges[{i}].{field}"),
                    Problem::UnknownNode {
                        id: crate::error::shown(end.as_str()),
                    },
                ));
            }
        }
        if !pairs.insert((e.source.as_str(), e.target.as_str())) {
            return Err(draft_error(
                format!("edges[{i}]"),
                Problem::DuplicateEdge {
                    source_id: crate::error::shown(e.source.as_str()),
                    target: crate::error::shown(e.target.as_str()),
                },
            ));
        }
    }
    Ok(())
}

/// The persistent draft's indexes agree with its content (order ↔ node map, edges ↔ both edge
/// indexes), so lookups can be trusted.
pub(crate) fn check_indexes(draft: &Draft) -> Checked {
    let broken = |reason: String| {
        Err(Rejection::new(
            UserMessage::InvalidDraft,
            "draft",
            Problem::InvalidResult { reason },
        ))
    };
    let (order, nodes, edges, out_index, in_index) = draft.index_sizes();
    if order != nodes || edges != out_index || edges != in_index {
        return broken(format!(
            "index sizes disagree: order {order}, nodes {nodes}, edges {edges}/{out_index}/{in_index}"
        ));
    }
    if draft.nodes().count() != order {
        return broken("an ordered id has no node".to_string());
    }
    for (seq, e) in draft.edge_entries() {
        if draft.edge_seq(&e.source, &e.target) != Some(seq) {
            return broken(format!("edge #{seq} is missing from the pair index"));
        }
        if draft.in_seq(&e.source, &e.target) != Some(seq) {
            return broken(format!("edge #{seq} is missing from the incoming index"));
        }
    }
    Ok(())
}
