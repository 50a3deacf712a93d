//! The seven edit intents the chat agent sends (add, remove, rename, reorder, connect, branch,
//! configure), each checked against the draft and turned into a step.

use imbl::Vector;

use crate::draft::Draft;
use crate::error::{Problem, Rejection, UserMessage};
use crate::intent;
use crate::model::{Edge, Node};
use crate::validate;

use super::{
    Change, Step, Touched, duplicate, endpoint_missing, existing, label_of, not_found,
    removal_touched, replace_node_step,
};

pub(super) fn add(draft: &Draft, a: &intent::Add, at: &str) -> Result<Step, Rejection> {
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

pub(super) fn remove(draft: &Draft, r: &intent::Remove, at: &str) -> Result<Step, Rejection> {
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

pub(super) fn rename(draft: &Draft, r: &intent::Rename, at: &str) -> Result<Step, Rejection> {
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

pub(super) fn reorder(draft: &Draft, r: &intent::Reorder, at: &str) -> Result<Step, Rejection> {
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

pub(super) fn connect(draft: &Draft, c: &intent::Connect, at: &str) -> Result<Step, Rejection> {
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

pub(super) fn branch(draft: &Draft, b: &intent::Branch, at: &str) -> Result<Step, Rejection> {
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

pub(super) fn configure(draft: &Draft, c: &intent::Configure, at: &str) -> Result<Step, Rejection> {
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
