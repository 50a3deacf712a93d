//! Approximate heap size of a set of drafts with shared parts counted once, to check that history
//! snapshots really share structure (the benchmark compares it with a naive full-copy history and
//! with allocator-measured bytes).

use std::collections::HashSet;
use std::mem::size_of;
use std::sync::Arc;

use serde_json::Value;

use crate::draft::Draft;
use crate::model::{Edge, Node, NodeId};

/// Bytes of an `Arc` control block (strong + weak counts).
const ARC_HEADER: usize = 2 * size_of::<usize>();

/// Estimated heap use of a group of drafts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Footprint {
    /// Node, edge, id and text allocations, each counted once by pointer identity (exact up to
    /// allocator rounding).
    pub payload_bytes: usize,
    /// Modelled bytes of the persistent containers: one full set for the first draft plus, for each
    /// further draft that is not an untouched clone, the tree paths an edit copies (O(log n)).
    pub index_bytes: usize,
    /// Distinct node allocations seen.
    pub distinct_nodes: usize,
    /// Distinct edge allocations seen.
    pub distinct_edges: usize,
}

impl Footprint {
    /// Payload plus containers.
    pub fn total_bytes(&self) -> usize {
        self.payload_bytes + self.index_bytes
    }
}

fn value_bytes(value: &Value) -> usize {
    let mut total = 0;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => total += s.capacity(),
            Value::Array(items) => {
                total += items.capacity() * size_of::<Value>();
                stack.extend(items);
            }
            Value::Object(map) => {
                // Index map: entry (hash + key + value) plus an index slot.
                total +=
                    map.len() * (size_of::<String>() + size_of::<Value>() + 2 * size_of::<usize>());
                total += map.keys().map(String::capacity).sum::<usize>();
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    total
}

fn node_bytes(node: &Node) -> usize {
    ARC_HEADER
        + size_of::<Node>()
        + node.label.capacity()
        + node.kind.capacity()
        + node.description.as_ref().map_or(0, String::capacity)
        + node.properties.as_ref().map_or(0, |p| {
            let map = Value::Object(p.0.clone());
            value_bytes(&map)
        })
}

fn edge_bytes(edge: &Edge) -> usize {
    ARC_HEADER + size_of::<Edge>() + edge.label.as_ref().map_or(0, String::capacity)
}

/// Bytes of one full set of containers for a draft of this size.
fn containers(nodes: usize, edges: usize) -> usize {
    let pair = 2 * size_of::<NodeId>() + size_of::<u64>();
    // Vector of ids; hash map of id → Arc<Node>; seq → Arc<Edge>; two pair indexes. The 1.5 factor
    // stands for partially filled tree nodes.
    let entries = nodes * size_of::<NodeId>()
        + nodes * (size_of::<NodeId>() + size_of::<Arc<Node>>())
        + edges * (size_of::<u64>() + size_of::<Arc<Edge>>())
        + 2 * edges * pair;
    entries * 3 / 2
}

/// Bytes an edit copies: one root-to-leaf path (about log64 n nodes of 64 slots) per container.
fn path_copy(nodes: usize, edges: usize) -> usize {
    let depth = |n: usize| {
        let mut d = 1;
        let mut cap = 64usize;
        while cap < n {
            cap = cap.saturating_mul(64);
            d += 1;
        }
        d
    };
    let pair = 2 * size_of::<NodeId>() + size_of::<u64>();
    let slot = |entry: usize| 64 * entry;
    depth(nodes) * (slot(size_of::<NodeId>()) + slot(size_of::<NodeId>() + size_of::<Arc<Node>>()))
        + depth(edges) * (slot(size_of::<u64>() + size_of::<Arc<Edge>>()) + 2 * slot(pair))
}

/// Estimates the heap use of `drafts` together, counting every shared allocation once.
pub fn footprint<'a>(drafts: impl IntoIterator<Item = &'a Draft>) -> Footprint {
    let mut seen: HashSet<usize> = HashSet::new();
    let mut result = Footprint::default();
    let mut previous: Vec<&Draft> = Vec::new();
    for draft in drafts {
        let (title, summary) = draft.shared_text();
        for text in [title, summary] {
            if seen.insert(Arc::as_ptr(text) as *const u8 as usize) {
                result.payload_bytes += ARC_HEADER + text.len();
            }
        }
        for node in draft.node_arcs() {
            if seen.insert(Arc::as_ptr(node) as usize) {
                result.payload_bytes += node_bytes(node);
                result.distinct_nodes += 1;
            }
            if seen.insert(node.id.alloc_addr()) {
                result.payload_bytes += ARC_HEADER + node.id.as_str().len();
            }
        }
        for (_, edge) in draft.edge_entries() {
            if seen.insert(Arc::as_ptr(edge) as usize) {
                result.payload_bytes += edge_bytes(edge);
                result.distinct_edges += 1;
            }
            for id in [&edge.source, &edge.target] {
                if seen.insert(id.alloc_addr()) {
                    result.payload_bytes += ARC_HEADER + id.as_str().len();
                }
            }
        }
        if previous.is_empty() {
            result.index_bytes += containers(draft.node_count(), draft.edge_count());
        } else if !previous.iter().any(|p| p.shares_all_with(draft)) {
            result.index_bytes += path_copy(draft.node_count(), draft.edge_count());
        }
        previous.push(draft);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BlueprintDraft;

    fn draft(n: usize) -> Draft {
        let nodes = (0..n)
            .map(|i| Node::new(&format!("n{i}"), &format!("Step {i}"), "action"))
            .collect();
        let edges = (1..n)
            .map(|i| Edge::new(&format!("n{}", i - 1), &format!("n{i}")))
            .collect();
        Draft::from_blueprint(BlueprintDraft {
            title: "T".into(),
            summary: String::new(),
            nodes,
            edges,
        })
        .expect("valid")
    }

    #[test]
    fn identical_clones_cost_nothing_extra() {
        let one = draft(100);
        let alone = footprint([&one]);
        let copies = [one.clone(), one.clone(), one.clone()];
        let together = footprint(copies.iter().chain([&one]));
        assert_eq!(alone, together);
        assert_eq!(alone.distinct_nodes, 100);
        assert_eq!(alone.distinct_edges, 99);
    }

    #[test]
    fn deep_copies_count_twice() {
        let one = draft(100);
        let deep = Draft::from_blueprint(one.to_blueprint()).expect("valid");
        let alone = footprint([&one]);
        let both = footprint([&one, &deep]);
        assert_eq!(both.distinct_nodes, 200);
        // Allow for `format!` over-allocating the originals' strings; clones are exact-sized.
        assert!(
            both.payload_bytes * 10 >= alone.payload_bytes * 19,
            "{both:?} vs {alone:?}"
        );
    }
}
