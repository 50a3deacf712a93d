//! The acceptance behaviours of reference §4.1 that need no browser (1–10, 12–14, and the
//! reducer half of 15), one test per behaviour, named after it.

mod common;

use common::*;
use gen_workbench::{History, apply_batch};
use serde_json::json;

#[test]
fn b01_shared_history_is_lifo_across_chat_and_canvas() {
    let d0 = chain();
    let mut history = History::new(d0.clone());
    let turn = history.apply(&agent(json!([
        {"intent": "add", "node": {"id": "n4", "label": "Deploy", "type": "action"}},
        {"intent": "connect", "source": "n3", "target": "n4"}
    ])));
    assert!(turn.changed());
    let d1 = history.draft().clone();
    history.apply(&canvas(
        json!({"intent": "rename", "nodeId": "n1", "label": "Begin"}),
    ));
    let d2 = history.draft().clone();

    assert!(history.undo());
    assert_eq!(
        bytes(history.draft()),
        bytes(&d1),
        "only the rename is reverted"
    );
    assert!(history.draft().node("n4").is_some() && history.draft().edge("n3", "n4").is_some());
    assert!(history.undo());
    assert_eq!(bytes(history.draft()), bytes(&d0));
    assert!(history.redo() && history.redo());
    assert_eq!(*history.draft(), d2);
    assert_eq!(bytes(history.draft()), bytes(&d2));
}

#[test]
fn b02_one_chat_turn_or_one_canvas_gesture_is_one_history_entry() {
    let mut history = History::new(chain());
    let report = history.apply(&agent(json!([
        {"intent": "rename", "nodeId": "n1", "label": "A"},
        {"intent": "rename", "nodeId": "n2", "label": "B"},
        {"intent": "add", "node": {"id": "n4", "label": "C", "type": "t"}}
    ])));
    assert_eq!(report.applied.len(), 3);
    assert_eq!(history.undo_len(), 1);
    assert!(history.undo());
    assert_eq!(
        bytes(history.draft()),
        bytes(&chain()),
        "one undo reverts all three"
    );

    let five: Vec<_> = (0..8)
        .map(|i| json!({"id": format!("s{i}"), "label": format!("S{i}"), "type": "t"}))
        .collect();
    let mut history = History::new(draft(
        json!({"title": "T", "summary": "", "nodes": five, "edges": []}),
    ));
    history.apply(&canvas(
        json!({"action": "deleteNodes", "nodeIds": ["s1", "s2", "s3", "s4", "s5"]}),
    ));
    assert_eq!(history.undo_len(), 1);
    assert_eq!(ids(history.draft()), ["s0", "s6", "s7"]);
}

#[test]
fn b03_dangling_connect_is_rejected_without_touching_anything() {
    let mut history = History::new(chain());
    history.apply(&canvas(
        json!({"intent": "rename", "nodeId": "n1", "label": "A"}),
    ));
    history.undo();
    let before = state(&history);
    let report = history.apply(&agent(
        json!({"intent": "connect", "source": "n1", "target": "nX"}),
    ));
    assert_eq!(
        state(&history),
        before,
        "draft bytes, undo_len, redo_len and revision unchanged"
    );
    assert_eq!(report.message(), CONNECT_MISSING);
}

#[test]
fn b04_partial_apply_reports_counts_and_the_first_reason() {
    let mut history = History::new(chain());
    let report = history.apply(&agent(json!([
        {"intent": "rename", "nodeId": "n1", "label": "A"},
        {"intent": "remove", "nodeId": "ghost"},
        {"intent": "add", "node": {"id": "n9", "label": "Nine", "type": "action"}}
    ])));
    assert_eq!(
        report.message(),
        "Applied 2 changes; 1 failed: That step doesn't exist in the current workflow."
    );
    assert_eq!(history.undo_len(), 1);
    assert_eq!(labels(history.draft()), ["A", "Step 2", "Email", "Nine"]);
    assert_eq!(report.failed[0].index, Some(1));
    assert_eq!(
        report.failed[0].rejection.to_string(),
        "$[1].nodeId: no step with id \"ghost\""
    );
}

#[test]
fn b05_invalid_full_draft_is_rejected_whole() {
    for bad in [
        json!({"draft": {"title": "T", "summary": "", "nodes": [
            {"id": "n2", "label": "A", "type": "t"}, {"id": "n2", "label": "B", "type": "t"}], "edges": []}}),
        json!({"draft": {"title": "", "summary": "", "nodes": [], "edges": []}}),
        json!({"draft": {"title": "   ", "summary": "", "nodes": [], "edges": []}}),
    ] {
        let mut history = History::new(chain());
        let before = state(&history);
        let report = history.apply(&agent(bad));
        assert_eq!(report.message(), INVALID_DRAFT);
        assert_eq!(state(&history), before);
    }
}

#[test]
fn b06_duplicate_add_is_rejected() {
    let mut history = History::new(chain());
    let before = state(&history);
    let report = history.apply(&agent(
        json!({"intent": "add", "node": {"id": "n2", "label": "Again", "type": "t"}}),
    ));
    assert_eq!(report.message(), DUPLICATE);
    assert_eq!(state(&history), before);
}

#[test]
fn b07_remove_cleans_up_edges_and_undo_restores_everything() {
    let mut history = History::new(chain());
    let report = history.apply(&agent(json!({"intent": "remove", "nodeId": "n2"})));
    assert_eq!(report.message(), "Removed Step 2");
    assert_eq!(history.draft().node_count(), 2);
    assert_eq!(edge_pairs(history.draft()), pairs(&[("n1", "n3")]));

    // A node with 2 incoming and 1 outgoing edges, with properties, in the middle of the order.
    let start = draft(json!({"title": "T", "summary": "", "nodes": [
        {"id": "a", "label": "A", "type": "t"},
        {"id": "m", "label": "M", "type": "t", "properties": {"k": [1, {"x": null}]}},
        {"id": "b", "label": "B", "type": "t"}, {"id": "c", "label": "C", "type": "t"}],
        "edges": [{"source": "a", "target": "m", "label": "l1"}, {"source": "a", "target": "b"},
                  {"source": "b", "target": "m"}, {"source": "m", "target": "c"}]}));
    let mut history = History::new(start.clone());
    history.apply(&agent(json!({"intent": "remove", "nodeId": "m"})));
    assert!(
        history
            .draft()
            .edges()
            .all(|e| e.source.as_str() != "m" && e.target.as_str() != "m")
    );
    assert_eq!(
        edge_pairs(history.draft()),
        pairs(&[("a", "b")]),
        "no bridge for a junction"
    );
    assert!(history.undo());
    assert_eq!(
        history.draft().position("m"),
        Some(1),
        "restored at its original index"
    );
    assert_eq!(
        bytes(history.draft()),
        bytes(&start),
        "properties and all original edges restored"
    );
}

#[test]
fn b08_rejected_turns_do_not_disturb_history_and_accepted_edits_clear_redo() {
    let mut history = History::new(chain());
    history.apply(&canvas(
        json!({"intent": "rename", "nodeId": "n1", "label": "A"}),
    ));
    history.undo();
    assert_eq!(history.redo_len(), 1);
    history.apply(&agent(json!({"intent": "remove", "nodeId": "ghost"})));
    assert_eq!(history.redo_len(), 1);
    assert!(history.redo());
    assert_eq!(labels(history.draft())[0], "A");

    for accepted in [
        agent(json!({"intent": "rename", "nodeId": "n2", "label": "B"})),
        canvas(json!({"action": "setTitle", "title": "Other"})),
    ] {
        history.undo();
        assert_eq!(history.redo_len(), 1);
        assert!(history.apply(&accepted).changed());
        assert_eq!(history.redo_len(), 0);
    }
}

#[test]
fn b09_history_is_bounded() {
    let mut history = History::new(chain());
    assert_eq!(history.limit(), 50);
    let mut after = Vec::new();
    for i in 1..=60 {
        history.apply(&canvas(
            json!({"intent": "rename", "nodeId": "n1", "label": format!("Edit {i}")}),
        ));
        after.push(bytes(history.draft()));
    }
    assert_eq!(history.undo_len(), 50);
    for _ in 0..50 {
        assert!(history.undo());
    }
    assert_eq!(
        bytes(history.draft()),
        after[9],
        "fifty undos reach the state after edit 10"
    );
    let before = state(&history);
    assert!(!history.can_undo());
    assert!(!history.undo(), "the 51st undo is a disabled no-op");
    assert_eq!(state(&history), before);
}

#[test]
fn b10_no_op_edits_create_no_entries() {
    let mut history = History::new(chain());
    history.apply(&agent(
        json!({"intent": "configure", "nodeId": "n1", "properties": {"a": 1}}),
    ));
    history.apply(&agent(
        json!({"intent": "rename", "nodeId": "n2", "label": "X"}),
    ));
    history.undo();
    let before = state(&history);
    let availability = (history.can_undo(), history.can_redo());
    for no_op in [
        agent(json!({"intent": "rename", "nodeId": "n1", "label": "Start"})),
        agent(json!({"intent": "configure", "nodeId": "n1", "properties": {"a": 1}})),
        agent(json!({"intent": "connect", "source": "n1", "target": "n2"})),
        canvas(json!({"action": "setTitle", "title": "Onboarding"})),
        agent(json!({"intent": "reorder", "nodeIds": ["n1", "n2", "n3"]})),
    ] {
        let report = history.apply(&no_op);
        assert!(!report.changed());
        assert_eq!(report.unchanged, [0]);
        assert_eq!(state(&history), before);
        assert_eq!((history.can_undo(), history.can_redo()), availability);
    }
}

#[test]
fn b12_agent_intents_are_validated_against_the_current_draft() {
    let mut history = History::new(chain());
    // The agent starts thinking on revision 0 …
    let seen_revision = history.revision();
    let seen_draft = history.draft().clone();
    // … while a canvas edit lands and deletes n2.
    history.apply(&canvas(json!({"action": "deleteNodes", "nodeIds": ["n2"]})));
    assert_ne!(
        history.revision(),
        seen_revision,
        "the server can tell the agent's view is stale"
    );
    assert_ne!(
        bytes(history.draft()),
        bytes(&seen_draft),
        "the next request carries the current draft"
    );
    let report = history.apply(&agent(json!([
        {"intent": "rename", "nodeId": "n2", "label": "Gone"},
        {"intent": "rename", "nodeId": "n3", "label": "Send Email"}
    ])));
    assert_eq!(
        report.message(),
        "Applied 1 change; 1 failed: That step doesn't exist in the current workflow."
    );
    assert_eq!(labels(history.draft()), ["Start", "Send Email"]);
    // After an undo the canonical draft and revision move again.
    let revision = history.revision();
    history.undo();
    assert_eq!(history.revision(), revision + 1);
}

#[test]
fn b13_configure_merges_and_null_deletes() {
    let start = draft(json!({"title": "T", "summary": "", "nodes": [
        {"id": "n1", "label": "Search", "type": "jira.search_issues", "properties": {"a": 1, "b": 2}}], "edges": []}));
    let merged = apply_batch(
        &start,
        &agent(json!({"intent": "configure", "nodeId": "n1", "properties": {"b": 3, "c": 4}})),
    );
    let props = merged
        .draft
        .node("n1")
        .and_then(|n| n.properties.clone())
        .map(|p| serde_json::Value::Object(p.0));
    assert_eq!(props, Some(json!({"a": 1, "b": 3, "c": 4})));
    let deleted = apply_batch(
        &merged.draft,
        &agent(json!({"intent": "configure", "nodeId": "n1", "properties": {"a": null}})),
    );
    let props = deleted
        .draft
        .node("n1")
        .and_then(|n| n.properties.clone())
        .map(|p| serde_json::Value::Object(p.0));
    assert_eq!(props, Some(json!({"b": 3, "c": 4})));
    // The harmony refinement fixture: the missing required `jql` becomes filled.
    let refined = apply_batch(
        &deleted.draft,
        &agent(
            json!({"intent": "configure", "nodeId": "n1", "properties": {"jql": "project = ABC AND status = Blocked"}}),
        ),
    );
    let jql = refined
        .draft
        .node("n1")
        .and_then(|n| n.properties.as_ref())
        .and_then(|p| p.0.get("jql").cloned());
    assert_eq!(jql, Some(json!("project = ABC AND status = Blocked")));
}

#[test]
fn b14_reorder_must_be_a_full_permutation() {
    let start = chain();
    for (ids, message) in [
        (json!(["n1", "n2"]), INVALID),
        (json!(["n1", "n1", "n2"]), INVALID),
        (json!(["n1", "n2", "n3", "n4"]), NOT_FOUND),
        (json!(["n3", "nX", "n1"]), NOT_FOUND),
    ] {
        let result = apply_batch(&start, &agent(json!({"intent": "reorder", "nodeIds": ids})));
        assert_eq!(result.report.message(), message, "{ids}");
        assert_eq!(bytes(&result.draft), bytes(&start));
    }
    let result = apply_batch(
        &start,
        &agent(json!({"intent": "reorder", "nodeIds": ["n3", "n1", "n2"]})),
    );
    assert_eq!(ids(&result.draft), ["n3", "n1", "n2"]);
    assert_eq!(
        edge_pairs(&result.draft),
        edge_pairs(&start),
        "edges unchanged"
    );
}

#[test]
fn b15_confirmation_comes_from_the_reducer_not_the_model() {
    // The model "claims" it removed n7; the reducer applied nothing, so no success line appears.
    let result = apply_batch(
        &chain(),
        &agent(json!({"intent": "remove", "nodeId": "n7"})),
    );
    assert_eq!(result.report.message(), NOT_FOUND);
    assert!(result.report.applied.is_empty());
    // A label with markup is stored verbatim; rendering as text is the UI's job.
    let xss = "<img src=x onerror=alert(1)>";
    let result = apply_batch(
        &chain(),
        &agent(json!({"intent": "rename", "nodeId": "n2", "label": xss})),
    );
    assert_eq!(result.report.message(), format!("Renamed Step 2 to {xss}"));
    assert_eq!(result.draft.node("n2").map(|n| n.label.as_str()), Some(xss));
}
