//! A draft written as the difference from a neighbouring draft, so a compacted session journal can
//! hold a whole undo/redo history (up to 2 × the undo depth + 1 drafts) for little more than the
//! size of one draft.
//!
//! Neighbouring history entries differ by one gesture, so most of a patch is runs copied from the
//! base: `[start, len]` copies `len` nodes (or edges) of the base from index `start`; an object is a
//! node (or edge) written out in full. Title and summary appear only when they changed.
//!
//! ```text
//! {"nodes":[[0,412],{"id":"n9","label":"Deploy","type":"action"},[413,587]],"edges":[[0,1141]]}
//! ```
//!
//! Applying a patch re-checks everything that was not copied (new nodes and edges, changed texts)
//! plus the whole-draft rules (unique ids, endpoints, one edge per pair, caps); copied parts were
//! valid in the base and are shared with it, not cloned.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::draft::Draft;
use crate::error::{Problem, Rejection, UserMessage};
use crate::model::{Edge, Node};
use crate::validate;

/// One run of a patch: a range copied from the base, or an item written out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Piece<T> {
    /// `[start, len]`: `len` items of the base starting at index `start`.
    Copy([usize; 2]),
    /// An item that the base does not have in this form.
    New(T),
}

/// A draft described relative to a base draft; see the module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftPatch {
    /// The title, when it differs from the base's.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::present"
    )]
    pub title: Option<String>,
    /// The summary, when it differs from the base's.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::present"
    )]
    pub summary: Option<String>,
    /// The nodes in display order.
    pub nodes: Vec<Piece<Node>>,
    /// The edges in insertion order.
    pub edges: Vec<Piece<Edge>>,
}

/// Appends `index` of the base to the pieces, extending the previous copy when contiguous.
fn push_copy<T>(pieces: &mut Vec<Piece<T>>, index: usize) {
    if let Some(Piece::Copy([start, len])) = pieces.last_mut()
        && *start + *len == index
    {
        *len += 1;
        return;
    }
    pieces.push(Piece::Copy([index, 1]));
}

fn broken(at: String, reason: String) -> Rejection {
    Rejection::new(
        UserMessage::InvalidDraft,
        at,
        Problem::InconsistentHistory { reason },
    )
}

impl DraftPatch {
    /// The patch that turns `base` into `next`.
    pub fn between(base: &Draft, next: &Draft) -> DraftPatch {
        let base_nodes: HashMap<&str, (usize, &Arc<Node>)> = base
            .node_arcs()
            .enumerate()
            .map(|(i, node)| (node.id.as_str(), (i, node)))
            .collect();
        let mut nodes = Vec::new();
        for node in next.node_arcs() {
            match base_nodes.get(node.id.as_str()) {
                Some((i, old)) if Arc::ptr_eq(old, node) || ***old == **node => {
                    push_copy(&mut nodes, *i)
                }
                _ => nodes.push(Piece::New((**node).clone())),
            }
        }
        let base_edges: HashMap<(&str, &str), (usize, &Edge)> = base
            .edges()
            .enumerate()
            .map(|(i, e)| ((e.source.as_str(), e.target.as_str()), (i, e)))
            .collect();
        let mut edges = Vec::new();
        for edge in next.edges() {
            match base_edges.get(&(edge.source.as_str(), edge.target.as_str())) {
                Some((i, old)) if *old == edge => push_copy(&mut edges, *i),
                _ => edges.push(Piece::New(edge.clone())),
            }
        }
        DraftPatch {
            title: (next.title() != base.title()).then(|| next.title().to_string()),
            summary: (next.summary() != base.summary()).then(|| next.summary().to_string()),
            nodes,
            edges,
        }
    }

    /// Rebuilds the patched draft on `base`, validating what the patch wrote out and the rules of
    /// the whole draft; `at` locates the patch in its document for errors.
    ///
    /// A patch that keeps what it copies in the base's order (every gesture except a reorder) is
    /// applied as edits of a clone of the base, in O(changes · log n), sharing everything else;
    /// any other patch — and any patch that breaks a rule, so the error is precise — is rebuilt
    /// from its parts.
    pub fn apply(&self, base: &Draft, at: &str) -> Result<Draft, Rejection> {
        if let Some(draft) = self.apply_in_place(base) {
            return Ok(draft);
        }
        self.rebuild(base, at)
    }

    /// The in-place path of [`DraftPatch::apply`]; `None` when the patch does not fit it or breaks
    /// a rule.
    fn apply_in_place(&self, base: &Draft) -> Option<Draft> {
        let mut draft = base.clone();
        if let Some(title) = &self.title {
            validate::title(title, String::new).ok()?;
            draft.set_title(title);
        }
        if let Some(summary) = &self.summary {
            validate::summary(summary, String::new).ok()?;
            draft.set_summary(summary);
        }

        // Nodes: kept base positions must increase; new ids are insertions at their index.
        let base_count = base.node_count();
        let mut kept: Vec<usize> = Vec::with_capacity(base_count);
        let mut replaced: Vec<&Node> = Vec::new();
        let mut inserted: Vec<(usize, &Node)> = Vec::new();
        let mut index = 0usize;
        for piece in &self.nodes {
            match piece {
                Piece::Copy([start, len]) => {
                    let end = start.checked_add(*len)?;
                    if end > base_count || kept.last().is_some_and(|last| *start <= *last) {
                        return None;
                    }
                    kept.extend(*start..end);
                    index += len;
                }
                Piece::New(node) => {
                    validate::node_at(node, String::new).ok()?;
                    if base.contains_node(node.id.as_str()) {
                        let position = base.position(node.id.as_str())?;
                        if kept.last().is_some_and(|last| position <= *last) {
                            return None;
                        }
                        kept.push(position);
                        replaced.push(node);
                    } else {
                        inserted.push((index, node));
                    }
                    index += 1;
                }
            }
        }
        let mut fresh: HashSet<&str> = HashSet::with_capacity(inserted.len());
        if !inserted
            .iter()
            .all(|(_, node)| fresh.insert(node.id.as_str()))
        {
            return None;
        }

        // Edges: kept base edges must increase; a new pair may only be appended after them.
        let base_edges: Vec<&Edge> = base.edges().collect();
        let mut kept_edges: Vec<usize> = Vec::with_capacity(base_edges.len());
        let mut relabelled: Vec<&Edge> = Vec::new();
        let mut appended: Vec<&Edge> = Vec::new();
        for piece in &self.edges {
            match piece {
                Piece::Copy([start, len]) => {
                    let end = start.checked_add(*len)?;
                    if !appended.is_empty()
                        || end > base_edges.len()
                        || kept_edges.last().is_some_and(|last| *start <= *last)
                    {
                        return None;
                    }
                    kept_edges.extend(*start..end);
                }
                Piece::New(edge) => {
                    validate::edge_at(edge, String::new).ok()?;
                    let existing = base_edges
                        .iter()
                        .position(|e| e.source == edge.source && e.target == edge.target);
                    match existing {
                        Some(i) if appended.is_empty() => {
                            if kept_edges.last().is_some_and(|last| i <= *last) {
                                return None;
                            }
                            kept_edges.push(i);
                            relabelled.push(edge);
                        }
                        Some(_) => return None,
                        None => appended.push(edge),
                    }
                }
            }
        }
        validate::counts(index, kept_edges.len() + appended.len(), "").ok()?;

        // Edits, in an order that keeps every index meaningful.
        let mut keep = kept_edges.iter().peekable();
        for (i, edge) in base_edges.iter().enumerate() {
            if keep.next_if(|k| **k == i).is_none() {
                draft.remove_edge(&edge.source, &edge.target)?;
            }
        }
        let mut keep = kept.iter().rev().peekable();
        let mut removed = Vec::new();
        for i in (0..base_count).rev() {
            if keep.next_if(|k| **k == i).is_none() {
                removed.push(draft.remove_node_at(i)?);
            }
        }
        if removed.iter().any(|id| draft.has_incident_edges(id)) {
            return None;
        }
        for node in replaced {
            draft.replace_node(node.clone());
        }
        for (at, node) in inserted {
            draft.insert_node(at, node.clone());
        }
        for edge in relabelled {
            let seq = draft.edge_seq(&edge.source, &edge.target)?;
            let canonical = Edge {
                source: draft.canonical_id(edge.source.as_str())?,
                target: draft.canonical_id(edge.target.as_str())?,
                label: edge.label.clone(),
            };
            draft.put_edge(seq, canonical);
        }
        for edge in appended {
            let source = draft.canonical_id(edge.source.as_str())?;
            let target = draft.canonical_id(edge.target.as_str())?;
            if draft.edge_seq(&source, &target).is_some() {
                return None;
            }
            draft.push_edge(Edge {
                source,
                target,
                label: edge.label.clone(),
            });
        }
        Some(draft)
    }

    /// The general path of [`DraftPatch::apply`]: builds the draft from the pieces and validates
    /// everything that was not copied plus the whole-draft rules.
    fn rebuild(&self, base: &Draft, at: &str) -> Result<Draft, Rejection> {
        let title = self.title.as_deref().unwrap_or(base.title());
        let summary = self.summary.as_deref().unwrap_or(base.summary());
        if self.title.is_some() {
            validate::title(title, || format!("{at}.title"))?;
        }
        if self.summary.is_some() {
            validate::summary(summary, || format!("{at}.summary"))?;
        }
        let base_nodes: Vec<&Arc<Node>> = base.node_arcs().collect();
        let mut nodes: Vec<Arc<Node>> = Vec::with_capacity(base_nodes.len());
        for (p, piece) in self.nodes.iter().enumerate() {
            match piece {
                Piece::Copy([start, len]) => {
                    let run = start
                        .checked_add(*len)
                        .and_then(|end| base_nodes.get(*start..end))
                        .ok_or_else(|| {
                            broken(
                                format!("{at}.nodes[{p}]"),
                                format!(
                                    "copies nodes {start}..+{len} of a base with {} nodes",
                                    base_nodes.len()
                                ),
                            )
                        })?;
                    nodes.extend(run.iter().map(|node| Arc::clone(node)));
                }
                Piece::New(node) => {
                    validate::node_at(node, || format!("{at}.nodes[{p}]"))?;
                    nodes.push(Arc::new(node.clone()));
                }
            }
        }
        let base_edges: Vec<&Edge> = base.edges().collect();
        let mut edges: Vec<Edge> = Vec::with_capacity(base_edges.len());
        for (p, piece) in self.edges.iter().enumerate() {
            match piece {
                Piece::Copy([start, len]) => {
                    let run = start
                        .checked_add(*len)
                        .and_then(|end| base_edges.get(*start..end))
                        .ok_or_else(|| {
                            broken(
                                format!("{at}.edges[{p}]"),
                                format!(
                                    "copies edges {start}..+{len} of a base with {} edges",
                                    base_edges.len()
                                ),
                            )
                        })?;
                    edges.extend(run.iter().map(|edge| (*edge).clone()));
                }
                Piece::New(edge) => {
                    validate::edge_at(edge, || format!("{at}.edges[{p}]"))?;
                    edges.push(edge.clone());
                }
            }
        }
        validate::counts(nodes.len(), edges.len(), at)?;
        validate::graph_rules(nodes.iter().map(|n| &**n), edges.iter()).map_err(|r| r.under(at))?;
        Ok(Draft::from_checked_parts(title, summary, nodes, edges))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::input::{parse_canvas_input, parse_draft_document};
    use crate::reducer::apply_batch;

    fn chain(n: usize) -> Draft {
        let nodes: Vec<_> = (0..n)
            .map(|i| json!({"id": format!("n{i}"), "label": format!("Step {i}"), "type": "action"}))
            .collect();
        let edges: Vec<_> = (1..n)
            .map(|i| json!({"source": format!("n{}", i - 1), "target": format!("n{i}")}))
            .collect();
        parse_draft_document(
            json!({"title": "T", "summary": "", "nodes": nodes, "edges": edges})
                .to_string()
                .as_bytes(),
        )
        .expect("valid")
    }

    fn edit(draft: &Draft, value: serde_json::Value) -> Draft {
        let actions = parse_canvas_input(value.to_string().as_bytes()).expect("parses");
        let result = apply_batch(draft, &actions);
        assert!(result.report.changed(), "{:?}", result.report);
        result.draft
    }

    fn round_trip(base: &Draft, next: &Draft) -> DraftPatch {
        let patch = DraftPatch::between(base, next);
        let text = serde_json::to_string(&patch).expect("serialises");
        let back: DraftPatch = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, patch);
        let rebuilt = back.rebuild(base, "$").expect("rebuilds");
        if let Some(in_place) = back.apply_in_place(base) {
            assert_eq!(in_place, rebuilt);
            assert_eq!(
                serde_json::to_string(&in_place).ok(),
                serde_json::to_string(&rebuilt).ok()
            );
            assert_eq!(in_place.validate(), Ok(()), "indexes stay consistent");
        }
        let rebuilt = back.apply(base, "$").expect("applies");
        assert_eq!(rebuilt, *next);
        assert_eq!(
            serde_json::to_string(&rebuilt).ok(),
            serde_json::to_string(next).ok(),
            "same wire bytes, edge order included"
        );
        patch
    }

    #[test]
    fn one_edit_on_a_large_draft_is_a_small_patch() {
        let base = chain(1000);
        let next = edit(
            &base,
            json!({"intent": "add", "node": {"id": "x", "label": "X", "type": "t"}, "afterNodeId": "n499", "connectFrom": "n499"}),
        );
        let patch = round_trip(&base, &next);
        assert_eq!(
            patch.nodes,
            vec![
                Piece::Copy([0, 500]),
                Piece::New(Node::new("x", "X", "t")),
                Piece::Copy([500, 500])
            ]
        );
        assert!(serde_json::to_string(&patch).expect("serialises").len() < 200);
    }

    #[test]
    fn removals_renames_reorders_and_text_changes_round_trip() {
        let base = chain(6);
        round_trip(
            &base,
            &edit(&base, json!({"intent": "remove", "nodeId": "n2"})),
        );
        round_trip(
            &base,
            &edit(
                &base,
                json!({"intent": "rename", "nodeId": "n0", "label": "Go"}),
            ),
        );
        round_trip(
            &base,
            &edit(
                &base,
                json!({"intent": "reorder", "nodeIds": ["n5", "n4", "n3", "n2", "n1", "n0"]}),
            ),
        );
        let titled = edit(
            &base,
            json!([{"action": "setTitle", "title": "U"}, {"action": "setSummary", "summary": "s"},
                   {"action": "setEdgeLabel", "source": "n0", "target": "n1", "label": "go"}]),
        );
        let patch = round_trip(&base, &titled);
        assert_eq!(
            (patch.title.as_deref(), patch.summary.as_deref()),
            (Some("U"), Some("s"))
        );
        // And backwards, as undo entries are written.
        round_trip(&titled, &base);
    }

    #[test]
    fn a_patch_that_breaks_the_draft_rules_is_refused() {
        let base = chain(3);
        let dangling = DraftPatch {
            title: None,
            summary: None,
            nodes: vec![Piece::Copy([0, 2])],
            edges: vec![Piece::Copy([0, 2])],
        };
        let err = dangling.apply(&base, "$.past[0].draft").unwrap_err();
        assert!(err.at.starts_with("$.past[0].draft"), "{err}");
        let out_of_range = DraftPatch {
            nodes: vec![Piece::Copy([2, 5])],
            edges: vec![],
            ..dangling.clone()
        };
        assert!(out_of_range.apply(&base, "$").is_err());
        let overflow = DraftPatch {
            nodes: vec![Piece::Copy([usize::MAX, 2])],
            edges: vec![],
            ..dangling.clone()
        };
        assert!(overflow.apply(&base, "$").is_err());
        let duplicate = DraftPatch {
            nodes: vec![Piece::Copy([0, 3]), Piece::Copy([0, 1])],
            edges: vec![],
            ..dangling.clone()
        };
        assert!(duplicate.apply(&base, "$").is_err());
        let bad_node = DraftPatch {
            nodes: vec![Piece::New(Node::new("bad id", "L", "t"))],
            edges: vec![],
            ..dangling
        };
        assert!(bad_node.apply(&base, "$").is_err());
    }

    #[test]
    fn unknown_fields_and_null_texts_are_refused() {
        for bad in [
            r#"{"nodes":[],"edges":[],"extra":1}"#,
            r#"{"title":null,"nodes":[],"edges":[]}"#,
            r#"{"nodes":[[0]],"edges":[]}"#,
            r#"{"nodes":[{"id":"a","label":"A","type":"t","x":1}],"edges":[]}"#,
        ] {
            assert!(serde_json::from_str::<DraftPatch>(bad).is_err(), "{bad}");
        }
    }
}
