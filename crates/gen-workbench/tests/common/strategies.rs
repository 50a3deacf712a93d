//! proptest generators for drafts and actions, mixing valid and hostile values so properties see
//! both accepted and rejected edits.

use gen_workbench::canvas::CanvasAction;
use gen_workbench::canvas::{
    DeleteEdge, DeleteNodes, DuplicateNodes, ReplaceProperties, SetEdgeLabel, SetNodeDescription,
    SetNodeType, SetSummary, SetTitle,
};
use gen_workbench::intent::EditIntent;
use gen_workbench::intent::{Add, Branch, BranchArm, Configure, Connect, Remove, Rename, Reorder};
use gen_workbench::{Action, BlueprintDraft, Draft, Edge, Node, NodeId, Properties, ReplaceDraft};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Ids: mostly ones that exist in generated drafts, some new, some malformed.
pub(crate) fn id() -> BoxedStrategy<NodeId> {
    prop_oneof![
        8 => (0..6usize).prop_map(|i| NodeId::new(&format!("n{i}"))),
        3 => (0..4usize).prop_map(|i| NodeId::new(&format!("x{i}"))),
        1 => prop_oneof![
            Just(NodeId::new("")),
            Just(NodeId::new("n 1")),
            Just(NodeId::new("-n")),
            Just(NodeId::new("n1\u{200b}")),
            Just(NodeId::new(&"z".repeat(65))),
        ],
    ]
    .boxed()
}

pub(crate) fn label() -> BoxedStrategy<String> {
    prop_oneof![
        8 => prop_oneof![Just("Step"), Just("Deploy"), Just("<b>x</b>"), Just("漢字 ✓"), Just("a\tb"), Just("Z\u{301}")]
            .prop_map(String::from),
        1 => prop_oneof![Just(String::new()), Just("  ".to_string()), Just("a\u{0}b".to_string()), Just("q".repeat(201))],
    ]
    .boxed()
}

pub(crate) fn kind() -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop_oneof![Just("action"), Just("trigger"), Just("jira.search_issues")].prop_map(String::from),
        1 => prop_oneof![Just(String::new()), Just("\n".to_string())],
    ]
    .boxed()
}

pub(crate) fn prose() -> BoxedStrategy<String> {
    prop_oneof![
        6 => prop_oneof![Just(""), Just("Does a thing"), Just("line\r\nline")].prop_map(String::from),
        1 => Just("bell\u{7}".to_string()),
    ]
    .boxed()
}

fn value() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(1)),
        Just(json!("s")),
        Just(json!({"x": [1, {"y": true}]})),
        Just(json!(2.5))
    ]
    .boxed()
}

pub(crate) fn properties() -> BoxedStrategy<Properties> {
    proptest::collection::vec(
        (
            prop_oneof![Just("a"), Just("b"), Just("c"), Just("__proto__")],
            value(),
        ),
        0..4,
    )
    .prop_map(|entries| {
        Properties(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    })
    .boxed()
}

/// Properties as stored on a node (no nulls needed, but allowed: they are ordinary values there).
pub(crate) fn node() -> BoxedStrategy<Node> {
    (
        id(),
        label(),
        kind(),
        proptest::option::of(prose()),
        proptest::option::of(properties()),
    )
        .prop_map(|(id, label, kind, description, properties)| Node {
            id,
            label,
            kind,
            description,
            properties,
        })
        .boxed()
}

fn edge_label() -> BoxedStrategy<Option<String>> {
    proptest::option::of(label()).boxed()
}

fn ids(max: usize) -> BoxedStrategy<Vec<NodeId>> {
    proptest::collection::vec(id(), 0..max).boxed()
}

pub(crate) fn intent() -> BoxedStrategy<EditIntent> {
    prop_oneof![
        (
            node(),
            proptest::option::of(id()),
            proptest::option::of(id())
        )
            .prop_map(|(node, after_node_id, connect_from)| EditIntent::Add(Add {
                node,
                after_node_id,
                connect_from
            })),
        id().prop_map(|node_id| EditIntent::Remove(Remove { node_id })),
        (id(), label()).prop_map(|(node_id, label)| EditIntent::Rename(Rename { node_id, label })),
        prop_oneof![
            ids(8),
            Just((0..6).map(|i| NodeId::new(&format!("n{i}"))).collect()),
            Just(
                (0..6)
                    .rev()
                    .map(|i| NodeId::new(&format!("n{i}")))
                    .collect()
            ),
        ]
        .prop_map(|node_ids| EditIntent::Reorder(Reorder { node_ids })),
        (id(), id(), edge_label()).prop_map(|(source, target, label)| EditIntent::Connect(
            Connect {
                source,
                target,
                label
            }
        )),
        (id(), proptest::collection::vec((node(), id()), 0..3)).prop_map(|(from_node_id, arms)| {
            let branches = arms
                .into_iter()
                .map(|(node, connect_to)| BranchArm { node, connect_to })
                .collect();
            EditIntent::Branch(Branch {
                from_node_id,
                branches,
            })
        }),
        (id(), properties()).prop_map(|(node_id, properties)| EditIntent::Configure(Configure {
            node_id,
            properties
        })),
    ]
    .boxed()
}

pub(crate) fn canvas_action() -> BoxedStrategy<CanvasAction> {
    prop_oneof![
        (id(), id())
            .prop_map(|(source, target)| CanvasAction::DeleteEdge(DeleteEdge { source, target })),
        (id(), id(), edge_label()).prop_map(|(source, target, label)| CanvasAction::SetEdgeLabel(
            SetEdgeLabel {
                source,
                target,
                label
            }
        )),
        label().prop_map(|title| CanvasAction::SetTitle(SetTitle { title })),
        prose().prop_map(|summary| CanvasAction::SetSummary(SetSummary { summary })),
        (id(), kind())
            .prop_map(|(node_id, kind)| CanvasAction::SetNodeType(SetNodeType { node_id, kind })),
        (id(), proptest::option::of(prose())).prop_map(|(node_id, description)| {
            CanvasAction::SetNodeDescription(SetNodeDescription {
                node_id,
                description,
            })
        }),
        (id(), proptest::option::of(properties())).prop_map(|(node_id, properties)| {
            CanvasAction::ReplaceProperties(ReplaceProperties {
                node_id,
                properties,
            })
        }),
        ids(4).prop_map(|node_ids| CanvasAction::DuplicateNodes(DuplicateNodes { node_ids })),
        ids(4).prop_map(|node_ids| CanvasAction::DeleteNodes(DeleteNodes { node_ids })),
    ]
    .boxed()
}

/// A wire draft that may or may not be valid.
pub(crate) fn blueprint() -> BoxedStrategy<BlueprintDraft> {
    (
        label(),
        prose(),
        proptest::collection::vec(node(), 0..5),
        proptest::collection::vec((id(), id(), edge_label()), 0..5),
    )
        .prop_map(|(title, summary, nodes, edges)| BlueprintDraft {
            title,
            summary,
            nodes,
            edges: edges
                .into_iter()
                .map(|(source, target, label)| Edge {
                    source,
                    target,
                    label,
                })
                .collect(),
        })
        .boxed()
}

pub(crate) fn action() -> BoxedStrategy<Action> {
    prop_oneof![
        6 => intent().prop_map(Action::Intent),
        4 => canvas_action().prop_map(Action::Canvas),
        1 => blueprint().prop_map(|draft| Action::ReplaceDraft(ReplaceDraft { draft })),
    ]
    .boxed()
}

/// A valid draft with ids n0..n(k-1), some edges and some properties.
pub(crate) fn draft() -> BoxedStrategy<Draft> {
    (
        0..6usize,
        proptest::collection::vec((0..6usize, 0..6usize), 0..10),
        proptest::collection::vec(properties(), 6),
    )
        .prop_map(|(count, pairs, props)| {
            let nodes = (0..count)
                .map(|i| Node {
                    properties: (i % 2 == 0).then(|| props[i].clone()),
                    ..Node::new(&format!("n{i}"), &format!("Step {i}"), "action")
                })
                .collect();
            let mut seen = std::collections::HashSet::new();
            let edges = pairs
                .into_iter()
                .filter(|(s, t)| s != t && *s < count && *t < count && seen.insert((*s, *t)))
                .map(|(s, t)| Edge::new(&format!("n{s}"), &format!("n{t}")))
                .collect();
            Draft::from_blueprint(BlueprintDraft {
                title: "Flow".into(),
                summary: String::new(),
                nodes,
                edges,
            })
            .expect("generated draft is valid")
        })
        .boxed()
}
