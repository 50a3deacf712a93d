//! The committed JSON Schema matches the code, is a valid draft 2020-12 schema, and agrees with
//! the parser both ways: what one accepts the other accepts, what one rejects the other rejects.

mod common;

use common::strategies::action;
use gen_workbench::check_fields;
use gen_workbench::workbench_ir_schema_text;
use gen_workbench::{
    Problem, parse_agent_turn, parse_canvas_input, parse_draft_document, workbench_ir_schema,
};
use proptest::prelude::*;
use serde_json::{Value, json};

const COMMITTED: &str = include_str!("../../../spec/workbench-ir.schema.json");

#[test]
fn committed_schema_matches_the_generated_one() {
    assert!(
        COMMITTED == workbench_ir_schema_text(),
        "spec/workbench-ir.schema.json is out of date; regenerate it with\n  \
         cargo run -p gen-workbench --example print_schema > spec/workbench-ir.schema.json"
    );
}

#[test]
fn schema_is_valid_draft_2020_12() {
    let schema: Value = serde_json::from_str(COMMITTED).expect("schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(jsonschema::meta::is_valid(&schema));
}

#[test]
fn schema_fixes_the_original_defects() {
    let schema = workbench_ir_schema();
    let defs = &schema["$defs"];
    assert_eq!(
        defs["ReorderIntent"]["properties"]["nodeIds"]["minItems"],
        1
    );
    assert!(
        defs["ReorderIntent"]["properties"]["nodeIds"]
            .get("minLength")
            .is_none()
    );
    for (name, def) in defs.as_object().expect("defs").iter() {
        if def.get("type") == Some(&json!("object")) {
            assert_eq!(def["additionalProperties"], false, "{name}");
        }
    }
    assert_eq!(defs["NodeId"]["minLength"], 1);
    assert_eq!(defs["BlueprintNode"]["properties"]["label"]["minLength"], 1);
    assert_eq!(
        defs["BlueprintDraft"]["properties"]["title"]["minLength"],
        1
    );
    assert_eq!(
        defs["BlueprintEdge"]["properties"]["source"]["$ref"],
        "#/$defs/NodeId"
    );
    assert!(defs["BlueprintDraft"]["properties"]["nodes"]["maxItems"].is_u64());
    assert!(defs["BlueprintNode"]["properties"]["label"]["maxLength"].is_u64());
}

/// A validator for one named definition of the committed schema.
fn validator(def: &str) -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(COMMITTED).expect("schema is JSON");
    schema["$ref"] = json!(format!("#/$defs/{def}"));
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// The code's verdict on a payload: shape (parser) plus context-free field rules.
fn code_accepts(def: &str, value: &Value) -> bool {
    let raw = value.to_string();
    match def {
        "BlueprintDraft" => parse_draft_document(raw.as_bytes()).is_ok(),
        "AgentTurn" | "CanvasInput" => {
            let parsed = if def == "AgentTurn" {
                parse_agent_turn(raw.as_bytes())
            } else {
                parse_canvas_input(raw.as_bytes())
            };
            parsed.is_ok_and(|actions| actions.iter().all(|a| check_fields(a, "$").is_ok()))
        }
        other => panic!("no code path for {other}"),
    }
}

fn valid_draft() -> Value {
    json!({"title": "Flow", "summary": "two\nlines", "nodes": [
        {"id": "n1", "label": "Start", "type": "trigger"},
        {"id": "jira.1", "label": "日本語 <b>", "type": "jira.search_issues", "description": "d", "properties": {"jql": "x", "__proto__": 1}}],
        "edges": [{"source": "n1", "target": "jira.1", "label": "yes"}]})
}

#[test]
fn valid_fixtures_are_accepted_by_schema_and_code() {
    let cases = [
        ("BlueprintDraft", valid_draft()),
        (
            "BlueprintDraft",
            json!({"title": "T", "summary": "", "nodes": [], "edges": []}),
        ),
        (
            "AgentTurn",
            json!({"intent": "add", "node": {"id": "n4", "label": "A", "type": "t"}, "afterNodeId": "n1", "connectFrom": "n1"}),
        ),
        (
            "AgentTurn",
            json!([{"intent": "remove", "nodeId": "n1"}, {"intent": "rename", "nodeId": "n2", "label": "B"}]),
        ),
        (
            "AgentTurn",
            json!({"intent": "reorder", "nodeIds": ["n2", "n1"]}),
        ),
        (
            "AgentTurn",
            json!({"intent": "connect", "source": "a", "target": "b", "label": "l"}),
        ),
        (
            "AgentTurn",
            json!({"intent": "branch", "fromNodeId": "a", "branches": [{"node": {"id": "b", "label": "B", "type": "t"}, "connectTo": "c"}]}),
        ),
        (
            "AgentTurn",
            json!({"intent": "configure", "nodeId": "a", "properties": {"k": null, "j": [1]}}),
        ),
        ("AgentTurn", json!({"draft": valid_draft()})),
        (
            "CanvasInput",
            json!({"action": "deleteEdge", "source": "a", "target": "b"}),
        ),
        (
            "CanvasInput",
            json!({"action": "setEdgeLabel", "source": "a", "target": "b", "label": null}),
        ),
        ("CanvasInput", json!({"action": "setTitle", "title": "New"})),
        (
            "CanvasInput",
            json!({"action": "setSummary", "summary": ""}),
        ),
        (
            "CanvasInput",
            json!({"action": "setNodeType", "nodeId": "a", "type": "condition"}),
        ),
        (
            "CanvasInput",
            json!({"action": "setNodeDescription", "nodeId": "a", "description": null}),
        ),
        (
            "CanvasInput",
            json!({"action": "replaceProperties", "nodeId": "a", "properties": {"x": 1}}),
        ),
        (
            "CanvasInput",
            json!({"action": "duplicateNodes", "nodeIds": ["a", "b"]}),
        ),
        (
            "CanvasInput",
            json!([{"action": "deleteNodes", "nodeIds": ["a"]}, {"intent": "remove", "nodeId": "b"}]),
        ),
    ];
    for (def, value) in cases {
        assert!(
            validator(def).is_valid(&value),
            "schema rejects {def} {value}"
        );
        assert!(code_accepts(def, &value), "code rejects {def} {value}");
    }
}

#[test]
fn invalid_fixtures_are_rejected_by_schema_and_code() {
    let node = |id: Value, label: &str| json!({"id": id, "label": label, "type": "t"});
    let draft = |nodes: Value| json!({"title": "T", "summary": "", "nodes": nodes, "edges": []});
    let cases = [
        (
            "BlueprintDraft",
            json!({"title": "", "summary": "", "nodes": [], "edges": []}),
        ),
        (
            "BlueprintDraft",
            json!({"title": " \t", "summary": "", "nodes": [], "edges": []}),
        ),
        (
            "BlueprintDraft",
            json!({"title": "T", "nodes": [], "edges": []}),
        ),
        (
            "BlueprintDraft",
            json!({"title": "T", "summary": "", "nodes": [], "edges": [], "extra": 1}),
        ),
        ("BlueprintDraft", draft(json!([node(json!(3), "A")]))),
        ("BlueprintDraft", draft(json!([node(json!(""), "A")]))),
        (
            "BlueprintDraft",
            draft(json!([node(json!("n1\u{200b}"), "A")])),
        ),
        ("BlueprintDraft", draft(json!([node(json!("n1"), "")]))),
        (
            "BlueprintDraft",
            draft(json!([node(json!("n1"), "a\u{0}")])),
        ),
        (
            "BlueprintDraft",
            draft(json!([node(json!("n1"), &"x".repeat(201))])),
        ),
        (
            "BlueprintDraft",
            draft(json!([{"id": "n1", "label": "A", "type": "t", "position": {}}])),
        ),
        (
            "BlueprintDraft",
            draft(json!([{"id": "n1", "label": "A", "type": "t", "description": null}])),
        ),
        (
            "BlueprintDraft",
            draft(json!([{"id": "n1", "label": "A", "type": "t", "properties": "{}"}])),
        ),
        (
            "BlueprintDraft",
            json!({"title": "T", "summary": "\u{1b}", "nodes": [], "edges": []}),
        ),
        (
            "AgentTurn",
            json!({"intent": "Add", "node": node(json!("n1"), "A")}),
        ),
        ("AgentTurn", json!({"intent": "reorder", "nodeIds": []})),
        (
            "AgentTurn",
            json!({"intent": "reorder", "nodeIds": ["a", "a"]}),
        ),
        ("AgentTurn", json!({"intent": "reorder", "nodeIds": "a,b"})),
        (
            "AgentTurn",
            json!({"intent": "remove", "nodeId": "a", "extra": true}),
        ),
        ("AgentTurn", json!({"intent": "remove"})),
        (
            "AgentTurn",
            json!({"intent": "rename", "nodeId": "a", "label": ""}),
        ),
        (
            "AgentTurn",
            json!({"intent": "connect", "source": "", "target": "b"}),
        ),
        (
            "AgentTurn",
            json!({"intent": "connect", "source": "a", "target": "b", "label": null}),
        ),
        (
            "AgentTurn",
            json!({"intent": "branch", "fromNodeId": "a", "branches": []}),
        ),
        (
            "AgentTurn",
            json!({"intent": "configure", "nodeId": "a", "properties": "{\"a\":1}"}),
        ),
        ("AgentTurn", json!([])),
        ("AgentTurn", json!({"action": "setTitle", "title": "X"})),
        ("AgentTurn", json!([{"draft": valid_draft()}])),
        (
            "AgentTurn",
            json!({"draft": valid_draft(), "intent": "remove"}),
        ),
        ("CanvasInput", json!({"action": "setTitle", "title": ""})),
        (
            "CanvasInput",
            json!({"action": "setEdgeLabel", "source": "a", "target": "b"}),
        ),
        (
            "CanvasInput",
            json!({"action": "setNodeType", "nodeId": "a", "kind": "t"}),
        ),
        (
            "CanvasInput",
            json!({"action": "deleteNodes", "nodeIds": []}),
        ),
        ("CanvasInput", json!({"action": "explode"})),
    ];
    for (def, value) in cases {
        assert!(
            !validator(def).is_valid(&value),
            "schema accepts {def} {value}"
        );
        assert!(!code_accepts(def, &value), "code accepts {def} {value}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// For generated actions (valid and hostile field values), the schema and the code's
    /// context-free rules agree. The only rules the schema cannot express are self-loops and ids
    /// repeated across branch arms; for those the code is stricter.
    #[test]
    fn schema_and_field_rules_agree(action in action()) {
        let value = serde_json::to_value(&action).expect("serialises");
        let by_schema = validator("Action").is_valid(&value);
        match check_fields(&action, "$") {
            Ok(()) => prop_assert!(by_schema, "schema rejects {}", value),
            Err(r) if matches!(r.problem, Problem::SelfLoop { .. } | Problem::DuplicateId { .. }) => {}
            Err(r) => prop_assert!(!by_schema, "schema accepts {} but code says {}", value, r),
        }
    }
}
