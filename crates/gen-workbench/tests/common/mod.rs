//! Fixtures shared by the integration tests.
#![allow(dead_code)]

use gen_workbench::{
    Action, Draft, History, parse_agent_turn, parse_canvas_input, parse_draft_document,
};
use serde_json::{Value, json};

pub(crate) const INVALID: &str = "I couldn't apply that change: the request was invalid.";
pub(crate) const NOT_FOUND: &str = "That step doesn't exist in the current workflow.";
pub(crate) const DUPLICATE: &str = "A step with that id already exists.";
pub(crate) const CONNECT_MISSING: &str = "Couldn't connect steps: one of them was not found.";
pub(crate) const INVALID_DRAFT: &str =
    "The workflow draft from the assistant was invalid. Please try again or edit manually.";

/// The harmony `chat-canvas-edit-loop` fixture: n1 Start → n2 "Step 2" → n3 Email.
pub(crate) fn chain() -> Draft {
    draft(json!({
        "title": "Onboarding",
        "summary": "Welcome new hires",
        "nodes": [
            {"id": "n1", "label": "Start", "type": "trigger"},
            {"id": "n2", "label": "Step 2", "type": "action"},
            {"id": "n3", "label": "Email", "type": "action"}
        ],
        "edges": [{"source": "n1", "target": "n2"}, {"source": "n2", "target": "n3"}]
    }))
}

pub(crate) fn draft(value: Value) -> Draft {
    parse_draft_document(value.to_string().as_bytes()).expect("fixture draft is valid")
}

pub(crate) fn agent(value: Value) -> Vec<Action> {
    parse_agent_turn(value.to_string().as_bytes()).expect("fixture agent turn parses")
}

pub(crate) fn canvas(value: Value) -> Vec<Action> {
    parse_canvas_input(value.to_string().as_bytes()).expect("fixture canvas input parses")
}

pub(crate) fn bytes(draft: &Draft) -> String {
    serde_json::to_string(draft).expect("draft serialises")
}

pub(crate) fn labels(draft: &Draft) -> Vec<String> {
    draft.nodes().map(|n| n.label.clone()).collect()
}

pub(crate) fn ids(draft: &Draft) -> Vec<String> {
    draft.nodes().map(|n| n.id.to_string()).collect()
}

pub(crate) fn edge_pairs(draft: &Draft) -> Vec<(String, String)> {
    draft
        .edges()
        .map(|e| (e.source.to_string(), e.target.to_string()))
        .collect()
}

pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Stacks and draft bytes, to assert that something left the session untouched.
pub(crate) fn state(history: &History) -> (String, usize, usize, u64) {
    (
        bytes(history.draft()),
        history.undo_len(),
        history.redo_len(),
        history.revision(),
    )
}
pub(crate) mod strategies;
