//! One test per intent and per canvas action: draft + action → expected draft, plus the failure
//! messages each one can produce.

use serde_json::{Value, json};

use super::*;
use crate::input::{parse_canvas_input, parse_draft_document};

/// n1 Start(trigger) → n2 "Step 2"(action) → n3 Email(action): the harmony fixture.
fn chain() -> Draft {
    draft(json!({
        "title": "Onboarding",
        "summary": "",
        "nodes": [
            {"id": "n1", "label": "Start", "type": "trigger"},
            {"id": "n2", "label": "Step 2", "type": "action"},
            {"id": "n3", "label": "Email", "type": "action"}
        ],
        "edges": [{"source": "n1", "target": "n2"}, {"source": "n2", "target": "n3"}]
    }))
}

fn draft(value: Value) -> Draft {
    parse_draft_document(value.to_string().as_bytes()).expect("fixture draft is valid")
}

fn action(value: Value) -> Action {
    let mut actions =
        parse_canvas_input(value.to_string().as_bytes()).expect("fixture action parses");
    assert_eq!(actions.len(), 1);
    actions.remove(0)
}

fn ok(start: &Draft, value: Value) -> (Value, Option<Change>) {
    let applied = apply(start, &action(value)).expect("action applies");
    applied.draft.validate().expect("result is valid");
    (
        serde_json::to_value(&applied.draft).expect("serialises"),
        applied.change,
    )
}

fn refused(start: &Draft, value: Value) -> Rejection {
    apply(start, &action(value)).expect_err("action is refused")
}

fn ids(draft: &Value) -> Vec<String> {
    draft["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n["id"].as_str().unwrap_or("").to_string())
        .collect()
}

fn edges(draft: &Value) -> Vec<(String, String)> {
    draft["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["source"].as_str().unwrap_or("").into(),
                e["target"].as_str().unwrap_or("").into(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

// ---- add ----

#[test]
fn add_appends_the_node() {
    let (d, change) = ok(
        &chain(),
        json!({"intent": "add", "node": {"id": "n4", "label": "Deploy", "type": "action"}}),
    );
    assert_eq!(ids(&d), ["n1", "n2", "n3", "n4"]);
    assert_eq!(edges(&d), pairs(&[("n1", "n2"), ("n2", "n3")]));
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Added Deploy".to_string())
    );
}

#[test]
fn add_after_node_sets_array_order_only() {
    let (d, _) = ok(
        &chain(),
        json!({"intent": "add", "node": {"id": "n4", "label": "X", "type": "action"}, "afterNodeId": "n1"}),
    );
    assert_eq!(ids(&d), ["n1", "n4", "n2", "n3"]);
    assert_eq!(
        edges(&d),
        pairs(&[("n1", "n2"), ("n2", "n3")]),
        "no rewiring"
    );
}

#[test]
fn add_connect_from_adds_the_edge() {
    let (d, _) = ok(
        &chain(),
        json!({"intent": "add", "node": {"id": "n4", "label": "X", "type": "action"}, "connectFrom": "n3"}),
    );
    assert_eq!(
        edges(&d),
        pairs(&[("n1", "n2"), ("n2", "n3"), ("n3", "n4")])
    );
}

#[test]
fn add_keeps_description_and_properties() {
    let (d, _) = ok(
        &chain(),
        json!({"intent": "add", "node": {"id": "n4", "label": "X", "type": "jira.search_issues",
            "description": "find", "properties": {"jql": "project = ABC"}}}),
    );
    assert_eq!(
        d["nodes"][3],
        json!({"id": "n4", "label": "X", "type": "jira.search_issues",
        "description": "find", "properties": {"jql": "project = ABC"}})
    );
}

#[test]
fn add_failures_have_the_contract_messages() {
    let start = chain();
    let dup = refused(
        &start,
        json!({"intent": "add", "node": {"id": "n2", "label": "X", "type": "a"}}),
    );
    assert_eq!(dup.user_text(), "A step with that id already exists.");
    assert_eq!(dup.at, "$.node.id");
    let after = refused(
        &start,
        json!({"intent": "add", "node": {"id": "n4", "label": "X", "type": "a"}, "afterNodeId": "nX"}),
    );
    assert_eq!(
        after.user_text(),
        "That step doesn't exist in the current workflow."
    );
    assert_eq!(after.at, "$.afterNodeId");
    let from = refused(
        &start,
        json!({"intent": "add", "node": {"id": "n4", "label": "X", "type": "a"}, "connectFrom": "nX"}),
    );
    assert_eq!(
        from.user_text(),
        "Couldn't connect steps: one of them was not found."
    );
    let bad_id = refused(
        &start,
        json!({"intent": "add", "node": {"id": "n 4", "label": "X", "type": "a"}}),
    );
    assert_eq!(
        bad_id.user_text(),
        "I couldn't apply that change: the request was invalid."
    );
    assert_eq!(bad_id.at, "$.node.id");
    let empty_label = refused(
        &start,
        json!({"intent": "add", "node": {"id": "n4", "label": "", "type": "a"}}),
    );
    assert_eq!(empty_label.problem, Problem::Empty);
    assert_eq!(empty_label.at, "$.node.label");
}

// ---- remove ----

#[test]
fn remove_bridges_a_simple_pass_through() {
    let (d, change) = ok(&chain(), json!({"intent": "remove", "nodeId": "n2"}));
    assert_eq!(ids(&d), ["n1", "n3"]);
    assert_eq!(edges(&d), pairs(&[("n1", "n3")]));
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Removed Step 2".to_string())
    );
}

#[test]
fn remove_keeps_the_incoming_label_on_the_bridge_and_its_slot() {
    let start = draft(json!({"title": "T", "summary": "", "nodes": [
        {"id": "a", "label": "A", "type": "t"}, {"id": "b", "label": "B", "type": "t"},
        {"id": "c", "label": "C", "type": "t"}, {"id": "x", "label": "X", "type": "t"}],
        "edges": [{"source": "a", "target": "b", "label": "yes"}, {"source": "x", "target": "a"},
                  {"source": "b", "target": "c"}]}));
    let (d, _) = ok(&start, json!({"intent": "remove", "nodeId": "b"}));
    assert_eq!(
        d["edges"],
        json!([{"source": "a", "target": "c", "label": "yes"}, {"source": "x", "target": "a"}])
    );
}

#[test]
fn remove_does_not_bridge_a_junction() {
    let start = draft(json!({"title": "T", "summary": "", "nodes": [
        {"id": "a", "label": "A", "type": "t"}, {"id": "b", "label": "B", "type": "t"},
        {"id": "m", "label": "M", "type": "t"}, {"id": "c", "label": "C", "type": "t"}],
        "edges": [{"source": "a", "target": "m"}, {"source": "b", "target": "m"}, {"source": "m", "target": "c"}]}));
    let (d, change) = ok(&start, json!({"intent": "remove", "nodeId": "m"}));
    assert!(edges(&d).is_empty());
    assert!(matches!(
        change,
        Some(Change::Removed { bridged: false, .. })
    ));
}

#[test]
fn remove_does_not_duplicate_an_existing_bridge_or_make_a_self_loop() {
    let existing = draft(json!({"title": "T", "summary": "", "nodes": [
        {"id": "a", "label": "A", "type": "t"}, {"id": "b", "label": "B", "type": "t"}, {"id": "c", "label": "C", "type": "t"}],
        "edges": [{"source": "a", "target": "b"}, {"source": "b", "target": "c"}, {"source": "a", "target": "c"}]}));
    let (d, _) = ok(&existing, json!({"intent": "remove", "nodeId": "b"}));
    assert_eq!(edges(&d), pairs(&[("a", "c")]));
    let cycle = draft(json!({"title": "T", "summary": "", "nodes": [
        {"id": "a", "label": "A", "type": "t"}, {"id": "b", "label": "B", "type": "t"}],
        "edges": [{"source": "a", "target": "b"}, {"source": "b", "target": "a"}]}));
    let (d, _) = ok(&cycle, json!({"intent": "remove", "nodeId": "b"}));
    assert!(edges(&d).is_empty());
}

#[test]
fn remove_unknown_step_is_refused() {
    let r = refused(&chain(), json!({"intent": "remove", "nodeId": "ghost"}));
    assert_eq!(
        r.user_text(),
        "That step doesn't exist in the current workflow."
    );
    assert_eq!(r.to_string(), "$.nodeId: no step with id \"ghost\"");
}

// ---- rename ----

#[test]
fn rename_sets_the_label() {
    let (d, change) = ok(
        &chain(),
        json!({"intent": "rename", "nodeId": "n3", "label": "Send Email"}),
    );
    assert_eq!(d["nodes"][2]["label"], "Send Email");
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Renamed Email to Send Email".to_string())
    );
}

#[test]
fn rename_to_the_same_label_is_a_no_op() {
    let (_, change) = ok(
        &chain(),
        json!({"intent": "rename", "nodeId": "n3", "label": "Email"}),
    );
    assert_eq!(change, None);
}

#[test]
fn rename_to_an_empty_or_blank_label_is_invalid() {
    for label in ["", "   "] {
        let r = refused(
            &chain(),
            json!({"intent": "rename", "nodeId": "n3", "label": label}),
        );
        assert_eq!(r.message, UserMessage::InvalidRequest);
        assert_eq!(r.at, "$.label");
    }
}

// ---- reorder ----

#[test]
fn reorder_applies_a_full_permutation_and_leaves_edges() {
    let (d, change) = ok(
        &chain(),
        json!({"intent": "reorder", "nodeIds": ["n3", "n1", "n2"]}),
    );
    assert_eq!(ids(&d), ["n3", "n1", "n2"]);
    assert_eq!(edges(&d), pairs(&[("n1", "n2"), ("n2", "n3")]));
    assert_eq!(change, Some(Change::Reordered));
}

#[test]
fn reorder_to_the_current_order_is_a_no_op() {
    assert_eq!(
        ok(
            &chain(),
            json!({"intent": "reorder", "nodeIds": ["n1", "n2", "n3"]})
        )
        .1,
        None
    );
}

// ---- connect ----

#[test]
fn connect_appends_an_edge() {
    let (d, change) = ok(
        &chain(),
        json!({"intent": "connect", "source": "n1", "target": "n3", "label": "skip"}),
    );
    assert_eq!(
        d["edges"][2],
        json!({"source": "n1", "target": "n3", "label": "skip"})
    );
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Connected Start to Email".to_string())
    );
}

#[test]
fn connect_existing_pair_with_new_label_updates_it_in_place() {
    let (d, change) = ok(
        &chain(),
        json!({"intent": "connect", "source": "n1", "target": "n2", "label": "go"}),
    );
    assert_eq!(
        d["edges"],
        json!([{"source": "n1", "target": "n2", "label": "go"}, {"source": "n2", "target": "n3"}])
    );
    assert!(matches!(change, Some(Change::Relabelled { .. })));
}

#[test]
fn connect_existing_pair_with_same_or_no_label_is_a_no_op() {
    assert_eq!(
        ok(
            &chain(),
            json!({"intent": "connect", "source": "n1", "target": "n2"})
        )
        .1,
        None
    );
    let labelled = apply(
        &chain(),
        &action(json!({"intent": "connect", "source": "n1", "target": "n2", "label": "go"})),
    )
    .expect("applies")
    .draft;
    assert_eq!(
        ok(
            &labelled,
            json!({"intent": "connect", "source": "n1", "target": "n2", "label": "go"})
        )
        .1,
        None
    );
    assert_eq!(
        ok(
            &labelled,
            json!({"intent": "connect", "source": "n1", "target": "n2"})
        )
        .1,
        None,
        "omitted label keeps it"
    );
}

#[test]
fn connect_refuses_self_loops_and_missing_endpoints() {
    let r = refused(
        &chain(),
        json!({"intent": "connect", "source": "n1", "target": "n1"}),
    );
    assert_eq!(r.message, UserMessage::InvalidRequest);
    assert!(matches!(r.problem, Problem::SelfLoop { .. }));
    let r = refused(
        &chain(),
        json!({"intent": "connect", "source": "n1", "target": "nX"}),
    );
    assert_eq!(
        r.user_text(),
        "Couldn't connect steps: one of them was not found."
    );
    assert_eq!(r.at, "$.target");
}

// ---- branch ----

#[test]
fn branch_adds_arms_with_edges_in_and_out() {
    let (d, change) = ok(
        &chain(),
        json!({"intent": "branch", "fromNodeId": "n1", "branches": [
            {"node": {"id": "yes", "label": "Yes", "type": "action"}, "connectTo": "n3"},
            {"node": {"id": "no", "label": "No", "type": "action"}, "connectTo": "n3"}]}),
    );
    assert_eq!(ids(&d), ["n1", "n2", "n3", "yes", "no"]);
    assert_eq!(
        edges(&d),
        pairs(&[
            ("n1", "n2"),
            ("n2", "n3"),
            ("n1", "yes"),
            ("yes", "n3"),
            ("n1", "no"),
            ("no", "n3")
        ])
    );
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Added 2 branches after Start".to_string())
    );
}

#[test]
fn branch_connect_to_may_name_a_sibling_arm() {
    let (d, _) = ok(
        &chain(),
        json!({"intent": "branch", "fromNodeId": "n1", "branches": [
            {"node": {"id": "a", "label": "A", "type": "t"}, "connectTo": "b"},
            {"node": {"id": "b", "label": "B", "type": "t"}, "connectTo": "n3"}]}),
    );
    assert!(edges(&d).contains(&("a".to_string(), "b".to_string())));
}

#[test]
fn branch_failures() {
    let start = chain();
    let arm = |id: &str, to: &str| json!({"node": {"id": id, "label": "L", "type": "t"}, "connectTo": to});
    let r = refused(
        &start,
        json!({"intent": "branch", "fromNodeId": "nX", "branches": [arm("a", "n3")]}),
    );
    assert_eq!(r.message, UserMessage::StepNotFound);
    let r = refused(
        &start,
        json!({"intent": "branch", "fromNodeId": "n1", "branches": [arm("a", "later")]}),
    );
    assert_eq!(r.message, UserMessage::ConnectionEndpointMissing);
    assert_eq!(r.at, "$.branches[0].connectTo");
    let r = refused(
        &start,
        json!({"intent": "branch", "fromNodeId": "n1", "branches": [arm("a", "n3"), arm("a", "n3")]}),
    );
    assert_eq!(r.message, UserMessage::DuplicateStep);
    let r = refused(
        &start,
        json!({"intent": "branch", "fromNodeId": "n1", "branches": [arm("n2", "n3")]}),
    );
    assert_eq!(r.message, UserMessage::DuplicateStep);
    let r = refused(
        &start,
        json!({"intent": "branch", "fromNodeId": "n1", "branches": [arm("a", "a")]}),
    );
    assert!(matches!(r.problem, Problem::SelfLoop { .. }));
    let r = refused(
        &start,
        json!({"intent": "branch", "fromNodeId": "n1", "branches": []}),
    );
    assert_eq!(r.problem, Problem::EmptyList);
}

// ---- configure ----

fn with_props() -> Draft {
    let start = chain();
    apply(
        &start,
        &action(json!({"intent": "configure", "nodeId": "n1", "properties": {"a": 1, "b": 2}})),
    )
    .expect("applies")
    .draft
}

#[test]
fn configure_merges_shallowly_and_null_deletes() {
    let (d, change) = ok(
        &with_props(),
        json!({"intent": "configure", "nodeId": "n1", "properties": {"b": 3, "c": 4}}),
    );
    assert_eq!(d["nodes"][0]["properties"], json!({"a": 1, "b": 3, "c": 4}));
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Configured Start".to_string())
    );
    let (d, _) = ok(
        &with_props(),
        json!({"intent": "configure", "nodeId": "n1", "properties": {"a": null}}),
    );
    assert_eq!(
        serde_json::to_string(&d["nodes"][0]["properties"]).ok(),
        Some(r#"{"b":2}"#.to_string())
    );
    let (d, _) = ok(
        &with_props(),
        json!({"intent": "configure", "nodeId": "n1", "properties": {"a": {"x": 1}}}),
    );
    assert_eq!(
        d["nodes"][0]["properties"],
        json!({"a": {"x": 1}, "b": 2}),
        "shallow: the value is replaced"
    );
}

#[test]
fn configure_with_identical_values_is_a_no_op() {
    assert_eq!(
        ok(
            &with_props(),
            json!({"intent": "configure", "nodeId": "n1", "properties": {"a": 1}})
        )
        .1,
        None
    );
    assert_eq!(
        ok(
            &chain(),
            json!({"intent": "configure", "nodeId": "n2", "properties": {}})
        )
        .1,
        None
    );
    assert_eq!(
        ok(
            &chain(),
            json!({"intent": "configure", "nodeId": "n2", "properties": {"gone": null}})
        )
        .1,
        None
    );
}

#[test]
fn configure_refuses_results_over_the_size_cap() {
    let big = "x".repeat(40 * 1024);
    let once = apply(
        &chain(),
        &action(json!({"intent": "configure", "nodeId": "n1", "properties": {"a": big}})),
    )
    .expect("40 KiB fits")
    .draft;
    let r = refused(
        &once,
        json!({"intent": "configure", "nodeId": "n1", "properties": {"b": big}}),
    );
    assert!(
        matches!(r.problem, Problem::PropertiesTooLarge { .. }),
        "{r}"
    );
}

// ---- canvas actions ----

#[test]
fn delete_edge_removes_only_that_edge() {
    let (d, change) = ok(
        &chain(),
        json!({"action": "deleteEdge", "source": "n1", "target": "n2"}),
    );
    assert_eq!(edges(&d), pairs(&[("n2", "n3")]));
    assert_eq!(ids(&d), ["n1", "n2", "n3"]);
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Removed the connection from Start to Step 2".to_string())
    );
    let r = refused(
        &chain(),
        json!({"action": "deleteEdge", "source": "n1", "target": "n3"}),
    );
    assert_eq!(
        r.user_text(),
        "That connection doesn't exist in the current workflow."
    );
}

#[test]
fn set_edge_label_sets_and_clears() {
    let (d, _) = ok(
        &chain(),
        json!({"action": "setEdgeLabel", "source": "n1", "target": "n2", "label": "go"}),
    );
    assert_eq!(
        d["edges"][0],
        json!({"source": "n1", "target": "n2", "label": "go"})
    );
    let labelled = draft(d);
    let (d, change) = ok(
        &labelled,
        json!({"action": "setEdgeLabel", "source": "n1", "target": "n2", "label": null}),
    );
    assert_eq!(d["edges"][0], json!({"source": "n1", "target": "n2"}));
    assert!(matches!(
        change,
        Some(Change::EdgeLabelSet { cleared: true, .. })
    ));
    assert_eq!(
        ok(
            &chain(),
            json!({"action": "setEdgeLabel", "source": "n1", "target": "n2", "label": null})
        )
        .1,
        None
    );
}

#[test]
fn set_title_and_summary() {
    let (d, change) = ok(&chain(), json!({"action": "setTitle", "title": "Hiring"}));
    assert_eq!(d["title"], "Hiring");
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Renamed the workflow to Hiring".to_string())
    );
    assert_eq!(
        refused(&chain(), json!({"action": "setTitle", "title": " \n"})).problem,
        Problem::Blank
    );
    let (d, change) = ok(
        &chain(),
        json!({"action": "setSummary", "summary": "Line 1\r\nLine 2"}),
    );
    assert_eq!(d["summary"], "Line 1\r\nLine 2");
    assert_eq!(change, Some(Change::SummarySet));
    assert_eq!(
        ok(&chain(), json!({"action": "setSummary", "summary": ""})).1,
        None
    );
}

#[test]
fn set_node_type_and_description() {
    let (d, change) = ok(
        &chain(),
        json!({"action": "setNodeType", "nodeId": "n2", "type": "condition"}),
    );
    assert_eq!(d["nodes"][1]["type"], "condition");
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Changed the type of Step 2 to condition".to_string())
    );
    let (d, _) = ok(
        &chain(),
        json!({"action": "setNodeDescription", "nodeId": "n2", "description": "Does things"}),
    );
    assert_eq!(d["nodes"][1]["description"], "Does things");
    let described = draft(d);
    let (d, _) = ok(
        &described,
        json!({"action": "setNodeDescription", "nodeId": "n2", "description": null}),
    );
    assert_eq!(
        d["nodes"][1],
        json!({"id": "n2", "label": "Step 2", "type": "action"})
    );
    let r = refused(
        &chain(),
        json!({"action": "setNodeType", "nodeId": "nX", "type": "condition"}),
    );
    assert_eq!(r.message, UserMessage::StepNotFound);
}

#[test]
fn replace_properties_replaces_wholesale() {
    let (d, change) = ok(
        &with_props(),
        json!({"action": "replaceProperties", "nodeId": "n1", "properties": {"z": true}}),
    );
    assert_eq!(d["nodes"][0]["properties"], json!({"z": true}));
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Replaced the properties of Start".to_string())
    );
    let (d, _) = ok(
        &with_props(),
        json!({"action": "replaceProperties", "nodeId": "n1", "properties": null}),
    );
    assert_eq!(
        d["nodes"][0],
        json!({"id": "n1", "label": "Start", "type": "trigger"})
    );
    let (d, change) = ok(
        &with_props(),
        json!({"action": "replaceProperties", "nodeId": "n1", "properties": {"b": 2, "a": 1}}),
    );
    assert!(
        change.is_some(),
        "key order is visible, so reordering keys is a change"
    );
    assert_eq!(
        serde_json::to_string(&d["nodes"][0]["properties"]).ok(),
        Some(r#"{"b":2,"a":1}"#.to_string())
    );
}

#[test]
fn duplicate_nodes_copies_with_new_ids_and_internal_edges_only() {
    let (d, change) = ok(
        &chain(),
        json!({"action": "duplicateNodes", "nodeIds": ["n3", "n2"]}),
    );
    assert_eq!(ids(&d), ["n1", "n2", "n3", "n2-copy", "n3-copy"]);
    assert_eq!(
        edges(&d),
        pairs(&[("n1", "n2"), ("n2", "n3"), ("n2-copy", "n3-copy")])
    );
    assert_eq!(d["nodes"][3]["label"], "Step 2");
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Duplicated 2 steps".to_string())
    );
    let again = draft(d);
    let (d, _) = ok(
        &again,
        json!({"action": "duplicateNodes", "nodeIds": ["n2"]}),
    );
    assert_eq!(ids(&d).last().map(String::as_str), Some("n2-copy-2"));
}

#[test]
fn duplicate_ids_stay_within_the_id_cap() {
    let long = "x".repeat(64);
    let start = draft(
        json!({"title": "T", "summary": "", "nodes": [{"id": long, "label": "L", "type": "t"}], "edges": []}),
    );
    let (d, _) = ok(
        &start,
        json!({"action": "duplicateNodes", "nodeIds": [long]}),
    );
    let copy = ids(&d).pop().unwrap_or_default();
    assert_eq!(copy.len(), 64);
    assert!(copy.ends_with("-copy"));
}

#[test]
fn delete_nodes_removes_the_selection_in_one_step() {
    let start = draft(json!({"title": "T", "summary": "", "nodes": [
        {"id": "a", "label": "A", "type": "t"}, {"id": "b", "label": "B", "type": "t"},
        {"id": "c", "label": "C", "type": "t"}, {"id": "d", "label": "D", "type": "t"}],
        "edges": [{"source": "a", "target": "b"}, {"source": "b", "target": "c"}, {"source": "c", "target": "d"}]}));
    let (d, change) = ok(
        &start,
        json!({"action": "deleteNodes", "nodeIds": ["c", "b"]}),
    );
    assert_eq!(ids(&d), ["a", "d"]);
    assert_eq!(
        edges(&d),
        pairs(&[("a", "d")]),
        "chain of pass-throughs bridges end to end"
    );
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Deleted 2 steps".to_string())
    );
    let r = refused(
        &start,
        json!({"action": "deleteNodes", "nodeIds": ["a", "ghost"]}),
    );
    assert_eq!(r.message, UserMessage::StepNotFound);
    assert_eq!(r.at, "$.nodeIds[1]");
    let r = refused(
        &start,
        json!({"action": "deleteNodes", "nodeIds": ["a", "a"]}),
    );
    assert!(matches!(r.problem, Problem::RepeatedId { .. }));
}

#[test]
fn replace_draft_swaps_everything_and_same_draft_is_a_no_op() {
    let replacement = json!({"title": "New", "summary": "s", "nodes": [{"id": "x", "label": "X", "type": "t"}], "edges": []});
    let (d, change) = ok(&chain(), json!({"draft": replacement}));
    assert_eq!(d, replacement);
    assert_eq!(
        change.map(|c| c.summary()),
        Some("Replaced the workflow with New (1 step)".to_string())
    );
    let current = serde_json::to_value(chain()).expect("serialises");
    assert_eq!(ok(&chain(), json!({"draft": current})).1, None);
}

#[test]
fn replace_draft_failures_read_as_invalid_draft() {
    let dup = json!({"title": "T", "summary": "", "nodes": [
        {"id": "n2", "label": "A", "type": "t"}, {"id": "n2", "label": "B", "type": "t"}], "edges": []});
    let r = refused(&chain(), json!({"draft": dup}));
    assert_eq!(
        r.user_text(),
        "The workflow draft from the assistant was invalid. Please try again or edit manually."
    );
    assert_eq!(r.at, "$.draft.nodes[1].id");
    let untitled = json!({"title": "", "summary": "", "nodes": [], "edges": []});
    assert_eq!(
        refused(&chain(), json!({"draft": untitled})).message,
        UserMessage::InvalidDraft
    );
    let dangling = json!({"title": "T", "summary": "", "nodes": [{"id": "a", "label": "A", "type": "t"}],
        "edges": [{"source": "a", "target": "b"}]});
    let r = refused(&chain(), json!({"draft": dangling}));
    assert_eq!(
        (r.message, r.at.as_str()),
        (UserMessage::InvalidDraft, "$.draft.edges[0].target")
    );
}

// ---- batches and the report line ----

#[test]
fn batch_report_lines() {
    let start = chain();
    let one = apply_batch(
        &start,
        &[action(json!({"intent": "remove", "nodeId": "n2"}))],
    );
    assert_eq!(one.report.message(), "Removed Step 2");
    let three = apply_batch(
        &start,
        &[
            action(json!({"intent": "rename", "nodeId": "n1", "label": "A"})),
            action(json!({"intent": "rename", "nodeId": "n2", "label": "B"})),
            action(json!({"intent": "rename", "nodeId": "n3", "label": "C"})),
        ],
    );
    assert_eq!(three.report.message(), "Applied 3 changes");
    let partial = apply_batch(
        &start,
        &[
            action(json!({"intent": "rename", "nodeId": "n1", "label": "A"})),
            action(json!({"intent": "remove", "nodeId": "ghost"})),
        ],
    );
    assert_eq!(
        partial.report.message(),
        "Applied 1 change; 1 failed: That step doesn't exist in the current workflow."
    );
    let none = apply_batch(
        &start,
        &[action(json!({"intent": "remove", "nodeId": "ghost"}))],
    );
    assert_eq!(
        none.report.message(),
        "That step doesn't exist in the current workflow."
    );
    assert_eq!(none.draft, start);
    let noop = apply_batch(
        &start,
        &[action(
            json!({"intent": "rename", "nodeId": "n1", "label": "Start"}),
        )],
    );
    assert_eq!(noop.report.message(), NOTHING_CHANGED);
    assert!(!noop.report.changed());
}

#[test]
fn batch_reverts_whole_when_the_result_breaks_a_draft_wide_cap() {
    let nodes: Vec<Value> = (0..crate::limits::MAX_NODES - 1)
        .map(|i| json!({"id": format!("n{i}"), "label": "L", "type": "t"}))
        .collect();
    let start = draft(json!({"title": "T", "summary": "", "nodes": nodes, "edges": []}));
    let add =
        |id: &str| action(json!({"intent": "add", "node": {"id": id, "label": "L", "type": "t"}}));
    let result = apply_batch(&start, &[add("x1"), add("x2")]);
    assert!(!result.report.changed());
    assert_eq!(result.report.failed[0].index, None);
    assert!(matches!(
        result.report.failed[0].rejection.problem,
        Problem::TooManyNodes { .. }
    ));
    assert_eq!(
        result.report.message(),
        "I couldn't apply that change: the request was invalid."
    );
    assert_eq!(result.draft, start);
    let fits = apply_batch(&start, &[add("x1")]);
    assert!(fits.report.changed());
}

/// The report's JSON is the `gen draft apply --json` contract (and the server's): pinned here.
#[test]
fn batch_report_json_shape_is_pinned() {
    let actions: Vec<Action> = parse_canvas_input(
        json!([
            {"intent": "add", "node": {"id": "n4", "label": "Deploy", "type": "action"}, "connectFrom": "n3"},
            {"intent": "rename", "nodeId": "n1", "label": "Start"},
            {"intent": "remove", "nodeId": "ghost"}
        ])
        .to_string()
        .as_bytes(),
    )
    .expect("fixture batch parses");
    let result = apply_batch(&chain(), &actions);
    insta::assert_json_snapshot!(result.report);
}
