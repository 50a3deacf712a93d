//! The validated, persistent draft: the one canonical workflow state of a workbench session.
//!
//! Every container is an `imbl` persistent structure and every node and edge sits behind an `Arc`,
//! so cloning a draft is O(1) and an edit copies only the O(log n) path it touches. That is what
//! lets the history keep 50 full snapshots of a 10 000-node draft for little more than one draft.

use std::collections::HashSet;
use std::fmt;
use std::ops::Bound;
use std::sync::{Arc, LazyLock};

use imbl::{HashMap, OrdMap, Vector};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Rejection;
use crate::model::{BlueprintDraft, Edge, Node, NodeId};
use crate::validate;

/// A workflow draft that satisfies every rule of the IR (unique ids, edges between existing
/// distinct nodes, one edge per pair, field and size caps). It can only be built by validation
/// ([`Draft::from_blueprint`]) or by the reducer, so holding one is proof of validity.
#[derive(Clone)]
pub struct Draft {
    title: Arc<str>,
    summary: Arc<str>,
    /// Node ids in display order.
    order: Vector<NodeId>,
    /// Node content by id.
    nodes: HashMap<NodeId, Arc<Node>>,
    /// Edges by insertion sequence number, which gives their serialisation order.
    edges: OrdMap<u64, Arc<Edge>>,
    /// (source, target) → sequence number: pair uniqueness and outgoing-edge lookups.
    out_index: OrdMap<(NodeId, NodeId), u64>,
    /// (target, source) → sequence number: incoming-edge lookups.
    in_index: OrdMap<(NodeId, NodeId), u64>,
    /// Next free sequence number.
    next_seq: u64,
}

/// What removing one node did to the edges, so the reducer can report and re-validate it.
#[derive(Debug, Clone)]
pub(crate) struct Removal {
    pub node: Arc<Node>,
    pub bridge: Option<(NodeId, NodeId)>,
}

fn lowest_id() -> NodeId {
    static LOWEST: LazyLock<NodeId> = LazyLock::new(|| NodeId::new(""));
    LOWEST.clone()
}

impl Draft {
    /// An empty draft with a title, the usual starting point of a session.
    pub fn new(title: &str, summary: &str) -> Result<Draft, Rejection> {
        Draft::from_blueprint(BlueprintDraft {
            title: title.to_string(),
            summary: summary.to_string(),
            nodes: Vec::new(),
            edges: Vec::new(),
        })
    }

    /// Validates a wire draft and turns it into the persistent form; any defect rejects it whole
    /// with the "invalid draft" message and the exact location (e.g. `draft.nodes[3].id`).
    pub fn from_blueprint(blueprint: BlueprintDraft) -> Result<Draft, Rejection> {
        validate::check_blueprint(&blueprint)?;
        Ok(Draft::build_unchecked(blueprint))
    }

    fn build_unchecked(blueprint: BlueprintDraft) -> Draft {
        let mut order = Vector::new();
        let mut nodes = HashMap::new();
        for node in blueprint.nodes {
            order.push_back(node.id.clone());
            nodes.insert(node.id.clone(), Arc::new(node));
        }
        let mut draft = Draft {
            title: Arc::from(blueprint.title),
            summary: Arc::from(blueprint.summary),
            order,
            nodes,
            edges: OrdMap::new(),
            out_index: OrdMap::new(),
            in_index: OrdMap::new(),
            next_seq: 0,
        };
        for edge in blueprint.edges {
            // Share the id allocations of the nodes.
            let source = draft
                .canonical_id(edge.source.as_str())
                .unwrap_or(edge.source);
            let target = draft
                .canonical_id(edge.target.as_str())
                .unwrap_or(edge.target);
            draft.push_edge(Edge {
                source,
                target,
                label: edge.label,
            });
        }
        draft
    }

    /// Builds a draft from parts that the caller has already validated, sharing the node
    /// allocations (a journal snapshot rebuilds 50 neighbouring drafts from one set of nodes).
    pub(crate) fn from_checked_parts(
        title: &str,
        summary: &str,
        nodes: Vec<Arc<Node>>,
        edges: Vec<Edge>,
    ) -> Draft {
        let mut order = Vector::new();
        let mut by_id = HashMap::new();
        for node in nodes {
            order.push_back(node.id.clone());
            by_id.insert(node.id.clone(), node);
        }
        let mut draft = Draft {
            title: Arc::from(title),
            summary: Arc::from(summary),
            order,
            nodes: by_id,
            edges: OrdMap::new(),
            out_index: OrdMap::new(),
            in_index: OrdMap::new(),
            next_seq: 0,
        };
        for edge in edges {
            let source = draft
                .canonical_id(edge.source.as_str())
                .unwrap_or(edge.source);
            let target = draft
                .canonical_id(edge.target.as_str())
                .unwrap_or(edge.target);
            draft.push_edge(Edge {
                source,
                target,
                label: edge.label,
            });
        }
        draft
    }

    /// The wire form, e.g. to send to the browser or the agent.
    pub fn to_blueprint(&self) -> BlueprintDraft {
        BlueprintDraft {
            title: self.title.to_string(),
            summary: self.summary.to_string(),
            nodes: self.nodes().cloned().collect(),
            edges: self.edges().cloned().collect(),
        }
    }

    /// Re-checks every rule from scratch, including the internal indexes; the reducer keeps these
    /// true incrementally, and tests and fuzzing use this to prove it.
    pub fn validate(&self) -> Result<(), Rejection> {
        let nodes: Vec<&Node> = self.nodes().collect();
        let edges: Vec<&Edge> = self.edges().collect();
        validate::check_parts(&self.title, &self.summary, &nodes, &edges)?;
        validate::check_indexes(self)
    }

    /// The workflow title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The workflow summary.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// How many steps the draft has.
    pub fn node_count(&self) -> usize {
        self.order.len()
    }

    /// How many connections the draft has.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The steps in display order.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> + '_ {
        self.order
            .iter()
            .filter_map(|id| self.nodes.get(id).map(|node| &**node))
    }

    /// The step with this id (exact bytes).
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id).map(|node| &**node)
    }

    /// Whether a step with this id exists.
    pub fn contains_node(&self, id: &str) -> bool {
        self.nodes.contains_key(id)
    }

    /// Index of the step in display order (a linear scan of shared pointers).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.canonical_id(id)
            .and_then(|canonical| self.position_of(&canonical))
    }

    /// Position of a canonical id: compares allocations (the order shares the node's id `Arc`)
    /// over the vector's contiguous leaves, falling back to text comparison should that ever not
    /// hold.
    pub(crate) fn position_of(&self, canonical: &NodeId) -> Option<usize> {
        let mut offset = 0;
        for leaf in self.order.leaves() {
            if let Some(i) = leaf
                .iter()
                .position(|candidate| candidate.same_alloc(canonical))
            {
                return Some(offset + i);
            }
            offset += leaf.len();
        }
        self.order
            .iter()
            .position(|candidate| candidate == canonical)
    }

    /// Positions of several canonical ids, in display order, found in one scan.
    pub(crate) fn positions_of(&self, canonical: &[NodeId]) -> Vec<usize> {
        const LINEAR: usize = 16;
        let wanted: HashSet<usize> = if canonical.len() > LINEAR {
            canonical.iter().map(NodeId::alloc_addr).collect()
        } else {
            HashSet::new()
        };
        let hit = |candidate: &NodeId| {
            if canonical.len() > LINEAR {
                wanted.contains(&candidate.alloc_addr())
            } else {
                canonical.iter().any(|c| c.same_alloc(candidate))
            }
        };
        let mut found = Vec::with_capacity(canonical.len());
        let mut offset = 0;
        for leaf in self.order.leaves() {
            found.extend(
                leaf.iter()
                    .enumerate()
                    .filter(|(_, c)| hit(c))
                    .map(|(i, _)| offset + i),
            );
            offset += leaf.len();
        }
        if found.len() == canonical.len() {
            return found;
        }
        // Shared-pointer invariant broken: fall back to text comparison.
        let wanted: HashSet<&str> = canonical.iter().map(NodeId::as_str).collect();
        self.order
            .iter()
            .enumerate()
            .filter(|(_, c)| wanted.contains(c.as_str()))
            .map(|(i, _)| i)
            .collect()
    }

    /// The connections in insertion order.
    pub fn edges(&self) -> impl Iterator<Item = &Edge> + '_ {
        self.edges.values().map(|edge| &**edge)
    }

    /// The connection from `source` to `target`, if any.
    pub fn edge(&self, source: &str, target: &str) -> Option<&Edge> {
        let source = self.canonical_id(source)?;
        let target = self.canonical_id(target)?;
        self.edge_between(&source, &target)
    }

    pub(crate) fn edge_between(&self, source: &NodeId, target: &NodeId) -> Option<&Edge> {
        let seq = self.edge_seq(source, target)?;
        self.edges.get(&seq).map(|edge| &**edge)
    }

    /// Connections leaving `id`, ordered by target id.
    pub fn outgoing(&self, id: &str) -> impl Iterator<Item = &Edge> + '_ {
        Self::adjacent(&self.out_index, &NodeId::new(id))
            .filter_map(|(_, seq)| self.edges.get(&seq).map(|e| &**e))
    }

    /// Connections entering `id`, ordered by source id.
    pub fn incoming(&self, id: &str) -> impl Iterator<Item = &Edge> + '_ {
        Self::adjacent(&self.in_index, &NodeId::new(id))
            .filter_map(|(_, seq)| self.edges.get(&seq).map(|e| &**e))
    }

    /// Whether any edge touches `id` (used to prove a removed node left nothing behind).
    pub(crate) fn has_incident_edges(&self, id: &NodeId) -> bool {
        Self::adjacent(&self.out_index, id).next().is_some()
            || Self::adjacent(&self.in_index, id).next().is_some()
    }

    /// Sequence number of the reverse-index entry for an edge.
    pub(crate) fn in_seq(&self, source: &NodeId, target: &NodeId) -> Option<u64> {
        self.in_index
            .get(&(target.clone(), source.clone()))
            .copied()
    }

    fn adjacent<'a>(
        index: &'a OrdMap<(NodeId, NodeId), u64>,
        id: &NodeId,
    ) -> impl Iterator<Item = (NodeId, u64)> + use<'a> {
        let from = (id.clone(), lowest_id());
        let key = from.0.clone();
        index
            .range((Bound::Included(from), Bound::Unbounded))
            .take_while(move |((first, _), _)| *first == key)
            .map(|((_, other), seq)| (other.clone(), *seq))
    }

    // ---- crate-internal mutation, used only by the reducer (which validates first) ----

    /// The draft's own allocation of an id, so stored references share memory.
    pub(crate) fn canonical_id(&self, id: &str) -> Option<NodeId> {
        self.nodes.get(id).map(|node| node.id.clone())
    }

    pub(crate) fn order(&self) -> &Vector<NodeId> {
        &self.order
    }

    pub(crate) fn set_title(&mut self, title: &str) {
        self.title = Arc::from(title);
    }

    pub(crate) fn set_summary(&mut self, summary: &str) {
        self.summary = Arc::from(summary);
    }

    /// Inserts a new node at `index` (clamped to the end).
    pub(crate) fn insert_node(&mut self, index: usize, node: Node) -> NodeId {
        let id = node.id.clone();
        let index = index.min(self.order.len());
        self.order.insert(index, id.clone());
        self.nodes.insert(id.clone(), Arc::new(node));
        id
    }

    /// Removes the node at `index` of the display order (its edges are the caller's business).
    pub(crate) fn remove_node_at(&mut self, index: usize) -> Option<NodeId> {
        if index >= self.order.len() {
            return None;
        }
        let id = self.order.remove(index);
        self.nodes.remove(id.as_str());
        Some(id)
    }

    /// Replaces the content of an existing node (same id).
    pub(crate) fn replace_node(&mut self, node: Node) {
        self.nodes.insert(node.id.clone(), Arc::new(node));
    }

    pub(crate) fn set_order(&mut self, order: Vector<NodeId>) {
        self.order = order;
    }

    /// Appends an edge and returns its sequence number.
    pub(crate) fn push_edge(&mut self, edge: Edge) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.put_edge(seq, edge);
        seq
    }

    /// Stores an edge under a given sequence number (reusing a freed slot keeps edge order stable).
    pub(crate) fn put_edge(&mut self, seq: u64, edge: Edge) {
        self.out_index
            .insert((edge.source.clone(), edge.target.clone()), seq);
        self.in_index
            .insert((edge.target.clone(), edge.source.clone()), seq);
        self.edges.insert(seq, Arc::new(edge));
        self.next_seq = self.next_seq.max(seq + 1);
    }

    /// Removes the edge for a pair, returning its slot and content.
    pub(crate) fn remove_edge(
        &mut self,
        source: &NodeId,
        target: &NodeId,
    ) -> Option<(u64, Arc<Edge>)> {
        let seq = self.out_index.remove(&(source.clone(), target.clone()))?;
        self.in_index.remove(&(target.clone(), source.clone()));
        self.edges.remove(&seq).map(|edge| (seq, edge))
    }

    /// Sequence number of the edge for a pair.
    pub(crate) fn edge_seq(&self, source: &NodeId, target: &NodeId) -> Option<u64> {
        self.out_index
            .get(&(source.clone(), target.clone()))
            .copied()
    }

    /// Removes a node and its edges, bridging a simple pass-through: when the node had exactly one
    /// incoming edge p→n and one outgoing edge n→s, with p ≠ s and no p→s edge yet, p→s is added in
    /// the slot of p→n and keeps its label (the label belongs to the branch leaving p).
    pub(crate) fn remove_node_bridging(
        &mut self,
        id: &NodeId,
        position: Option<usize>,
    ) -> Option<Removal> {
        let node = self.nodes.get(id.as_str())?.clone();
        let removal = self.detach_node(&node);
        if let Some(index) = position.or_else(|| self.position_of(&node.id))
            && index < self.order.len()
        {
            self.order.remove(index);
        }
        Some(removal)
    }

    /// Removes several nodes (canonical ids, in display order) with the same per-node rules,
    /// scanning the order once: small selections are cut out in place, large ones rebuild it.
    pub(crate) fn remove_nodes_bridging(&mut self, ids: &[NodeId]) -> Vec<Removal> {
        let positions = self.positions_of(ids);
        let mut removals = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(node) = self.nodes.get(id.as_str()).cloned() {
                removals.push(self.detach_node(&node));
            }
        }
        if positions.len() <= 64 {
            for index in positions.into_iter().rev() {
                if index < self.order.len() {
                    self.order.remove(index);
                }
            }
        } else {
            let gone: HashSet<&str> = ids.iter().map(NodeId::as_str).collect();
            self.order.retain(|id| !gone.contains(id.as_str()));
        }
        removals
    }

    fn detach_node(&mut self, node: &Arc<Node>) -> Removal {
        let id = &node.id;
        let incoming: Vec<(NodeId, u64)> = Self::adjacent(&self.in_index, id).collect();
        let outgoing: Vec<(NodeId, u64)> = Self::adjacent(&self.out_index, id).collect();
        let mut bridge = None;
        let mut bridge_label = None;
        let mut bridge_seq = None;
        if let ([(pred, in_seq)], [(succ, _)]) = (incoming.as_slice(), outgoing.as_slice())
            && pred != succ
            && self.edge_seq(pred, succ).is_none()
        {
            bridge = Some((pred.clone(), succ.clone()));
            bridge_label = self.edges.get(in_seq).and_then(|edge| edge.label.clone());
            bridge_seq = Some(*in_seq);
        }
        for (pred, _) in &incoming {
            self.remove_edge(pred, id);
        }
        for (succ, _) in &outgoing {
            self.remove_edge(id, succ);
        }
        if let (Some((pred, succ)), Some(seq)) = (&bridge, bridge_seq) {
            self.put_edge(
                seq,
                Edge {
                    source: pred.clone(),
                    target: succ.clone(),
                    label: bridge_label,
                },
            );
        }
        self.nodes.remove(id.as_str());
        Removal {
            node: node.clone(),
            bridge,
        }
    }

    /// Internal consistency facts for [`crate::validate::check_indexes`].
    pub(crate) fn index_sizes(&self) -> (usize, usize, usize, usize, usize) {
        (
            self.order.len(),
            self.nodes.len(),
            self.edges.len(),
            self.out_index.len(),
            self.in_index.len(),
        )
    }

    pub(crate) fn edge_entries(&self) -> impl Iterator<Item = (u64, &Arc<Edge>)> + '_ {
        self.edges.iter().map(|(seq, edge)| (*seq, edge))
    }

    pub(crate) fn node_arcs(&self) -> impl Iterator<Item = &Arc<Node>> + '_ {
        self.order.iter().filter_map(|id| self.nodes.get(id))
    }

    pub(crate) fn shared_text(&self) -> (&Arc<str>, &Arc<str>) {
        (&self.title, &self.summary)
    }

    /// True when both drafts share every container, i.e. one is an untouched clone of the other.
    pub(crate) fn shares_all_with(&self, other: &Draft) -> bool {
        self.order.ptr_eq(&other.order)
            && self.nodes.ptr_eq(&other.nodes)
            && self.edges.ptr_eq(&other.edges)
            && Arc::ptr_eq(&self.title, &other.title)
            && Arc::ptr_eq(&self.summary, &other.summary)
    }
}

impl PartialEq for Draft {
    fn eq(&self, other: &Self) -> bool {
        self.shares_all_with(other)
            || (self.title == other.title
                && self.summary == other.summary
                && self.node_count() == other.node_count()
                && self.edge_count() == other.edge_count()
                && self.nodes().eq(other.nodes())
                && self.edges().eq(other.edges()))
    }
}

impl fmt::Debug for Draft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Draft")
            .field("title", &self.title)
            .field("summary", &self.summary)
            .field("nodes", &self.nodes().collect::<Vec<_>>())
            .field("edges", &self.edges().collect::<Vec<_>>())
            .finish()
    }
}

struct NodesInOrder<'a>(&'a Draft);

impl Serialize for NodesInOrder<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.nodes())
    }
}

struct EdgesInOrder<'a>(&'a Draft);

impl Serialize for EdgesInOrder<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.edges())
    }
}

impl Serialize for Draft {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("BlueprintDraft", 4)?;
        s.serialize_field("title", &*self.title)?;
        s.serialize_field("summary", &*self.summary)?;
        s.serialize_field("nodes", &NodesInOrder(self))?;
        s.serialize_field("edges", &EdgesInOrder(self))?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for Draft {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let blueprint = BlueprintDraft::deserialize(deserializer)?;
        Draft::from_blueprint(blueprint).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Draft {
        Draft::from_blueprint(BlueprintDraft {
            title: "T".into(),
            summary: String::new(),
            nodes: vec![
                Node::new("a", "A", "t"),
                Node::new("b", "B", "t"),
                Node::new("c", "C", "t"),
            ],
            edges: vec![Edge::new("a", "b"), Edge::new("b", "c")],
        })
        .expect("valid")
    }

    #[test]
    fn serialises_in_the_wire_shape_and_round_trips() {
        let draft = chain();
        let json = serde_json::to_string(&draft).expect("serialises");
        assert_eq!(
            json,
            r#"{"title":"T","summary":"","nodes":[{"id":"a","label":"A","type":"t"},{"id":"b","label":"B","type":"t"},{"id":"c","label":"C","type":"t"}],"edges":[{"source":"a","target":"b"},{"source":"b","target":"c"}]}"#
        );
        let back: Draft = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, draft);
        assert_eq!(back.to_blueprint(), draft.to_blueprint());
    }

    #[test]
    fn adjacency_queries_see_only_the_node_itself() {
        let mut draft = chain();
        draft.push_edge(Edge::new("a", "c"));
        let out: Vec<&str> = draft.outgoing("a").map(|e| e.target.as_str()).collect();
        assert_eq!(out, ["b", "c"]);
        let inc: Vec<&str> = draft.incoming("c").map(|e| e.source.as_str()).collect();
        assert_eq!(inc, ["a", "b"]);
        assert_eq!(draft.outgoing("ab").count(), 0);
        assert!(draft.edge("a", "c").is_some());
        assert!(draft.edge("c", "a").is_none());
    }

    #[test]
    fn clones_share_structure_until_edited() {
        // Large enough that imbl stores the order on the heap (tiny vectors are inline).
        let nodes = (0..100)
            .map(|i| Node::new(&format!("n{i}"), "L", "t"))
            .collect();
        let draft = Draft::from_blueprint(BlueprintDraft {
            title: "T".into(),
            summary: String::new(),
            nodes,
            edges: vec![],
        })
        .expect("valid");
        let mut copy = draft.clone();
        assert!(copy.shares_all_with(&draft));
        copy.set_title("U");
        assert!(!copy.shares_all_with(&draft));
        assert_eq!(draft.title(), "T");
    }

    #[test]
    fn validate_accepts_what_from_blueprint_built() {
        assert_eq!(chain().validate(), Ok(()));
    }
}
