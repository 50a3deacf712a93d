//! The canvas actions the editor sends (edges, title and summary, node type, description and
//! properties, duplicating and deleting a selection) and the whole-draft replace.

use std::collections::HashSet;

use crate::action::ReplaceDraft;
use crate::canvas;
use crate::draft::Draft;
use crate::error::Rejection;
use crate::json::Properties;
use crate::limits::MAX_ID_BYTES;
use crate::model::{Edge, Node, NodeId};

use super::{
    Change, Step, Touched, duplicate, existing, label_of, no_edge, not_found, removal_touched,
    replace_node_step,
};

pub(super) fn delete_edge(
    draft: &Draft,
    e: &canvas::DeleteEdge,
    at: &str,
) -> Result<Step, Rejection> {
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

pub(super) fn set_edge_label(
    draft: &Draft,
    e: &canvas::SetEdgeLabel,
    at: &str,
) -> Result<Step, Rejection> {
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

pub(super) fn set_title(draft: &Draft, t: &canvas::SetTitle) -> Step {
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

pub(super) fn set_summary(draft: &Draft, s: &canvas::SetSummary) -> Step {
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

pub(super) fn set_node_type(
    draft: &Draft,
    t: &canvas::SetNodeType,
    at: &str,
) -> Result<Step, Rejection> {
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

pub(super) fn set_node_description(
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

pub(super) fn replace_properties(
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

pub(super) fn duplicate_nodes(
    draft: &Draft,
    d: &canvas::DuplicateNodes,
    at: &str,
) -> Result<Step, Rejection> {
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

pub(super) fn delete_nodes(
    draft: &Draft,
    d: &canvas::DeleteNodes,
    at: &str,
) -> Result<Step, Rejection> {
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

pub(super) fn replace_draft(draft: &Draft, r: &ReplaceDraft, at: &str) -> Result<Step, Rejection> {
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
