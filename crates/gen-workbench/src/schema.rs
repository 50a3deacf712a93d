//! The JSON Schema (draft 2020-12) of the workbench IR, generated from the Rust types so the
//! committed `spec/workbench-ir.schema.json` cannot silently drift from the parser (a test compares
//! them). Regenerate with `cargo run -p gen-workbench --example print_schema > spec/workbench-ir.schema.json`.
//!
//! Fixes over the original contract: `minItems` (not `minLength`) on `reorder.nodeIds`,
//! `additionalProperties: false` on every intent and action, `minLength`/patterns on ids, labels
//! and titles, and `maxLength`/`maxItems` caps everywhere. Two rules cannot be expressed in JSON
//! Schema and are enforced only by the parser: the per-node properties size/depth caps and the
//! byte/depth caps of a whole payload (see [`crate::limits`]).

use std::collections::BTreeMap;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value, json};

use crate::limits::{
    MAX_ACTIONS_PER_TURN, MAX_BRANCHES, MAX_DESCRIPTION_CHARS, MAX_EDGE_LABEL_CHARS, MAX_ID_BYTES,
    MAX_LABEL_CHARS, MAX_NODES, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, MAX_TYPE_CHARS,
};
use crate::model::{BlueprintDraft, NodeId};
use crate::text::{ID_PATTERN, NAME_FORBIDDEN_CLASS, PROSE_FORBIDDEN_CLASS, WHITESPACE_CLASS};
use crate::{canvas, intent};

/// Pattern for names: no forbidden control characters, at least one visible character.
fn name_pattern() -> String {
    format!(
        "^[^{NAME_FORBIDDEN_CLASS}]*[^\\u0000-\\u0020\\u007F{visible_excluded}][^{NAME_FORBIDDEN_CLASS}]*$",
        visible_excluded = WHITESPACE_CLASS.trim_start_matches(r"\u0009-\u000D\u0020")
    )
}

fn prose_pattern() -> String {
    format!("^[^{PROSE_FORBIDDEN_CLASS}]*$")
}

fn name(max: usize) -> Schema {
    json_schema!({ "type": "string", "minLength": 1, "maxLength": max, "pattern": name_pattern() })
}

fn prose(max: usize) -> Schema {
    json_schema!({ "type": "string", "maxLength": max, "pattern": prose_pattern() })
}

fn nullable(schema: Schema) -> Schema {
    json_schema!({ "anyOf": [schema, { "type": "null" }] })
}

pub(crate) fn node_id() -> Schema {
    json_schema!({
        "description": "A step id: ASCII letters, digits and _ . : -, compared byte for byte.",
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_ID_BYTES,
        "pattern": ID_PATTERN,
    })
}

pub(crate) fn label(_: &mut SchemaGenerator) -> Schema {
    name(MAX_LABEL_CHARS)
}

pub(crate) fn title(_: &mut SchemaGenerator) -> Schema {
    name(MAX_TITLE_CHARS)
}

pub(crate) fn node_type(_: &mut SchemaGenerator) -> Schema {
    name(MAX_TYPE_CHARS)
}

pub(crate) fn edge_label(_: &mut SchemaGenerator) -> Schema {
    name(MAX_EDGE_LABEL_CHARS)
}

pub(crate) fn nullable_edge_label(_: &mut SchemaGenerator) -> Schema {
    nullable(name(MAX_EDGE_LABEL_CHARS))
}

pub(crate) fn summary(_: &mut SchemaGenerator) -> Schema {
    prose(MAX_SUMMARY_CHARS)
}

pub(crate) fn description(_: &mut SchemaGenerator) -> Schema {
    prose(MAX_DESCRIPTION_CHARS)
}

pub(crate) fn nullable_description(_: &mut SchemaGenerator) -> Schema {
    nullable(prose(MAX_DESCRIPTION_CHARS))
}

fn properties_object() -> Schema {
    json_schema!({
        "description": "Free-form JSON object. The parser also caps it at 64 KiB of compact JSON and 32 levels of nesting.",
        "type": "object",
    })
}

pub(crate) fn properties(_: &mut SchemaGenerator) -> Schema {
    properties_object()
}

pub(crate) fn nullable_properties(_: &mut SchemaGenerator) -> Schema {
    nullable(properties_object())
}

pub(crate) fn id_list(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "array",
        "items": generator.subschema_for::<NodeId>(),
        "minItems": 1,
        "maxItems": MAX_NODES,
        "uniqueItems": true,
    })
}

pub(crate) fn branch_list(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "array",
        "items": generator.subschema_for::<intent::BranchArm>(),
        "minItems": 1,
        "maxItems": MAX_BRANCHES,
    })
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{name}") })
}

/// Adds one tagged variant (`{"intent":"add", ...}`) to the definitions and returns its `$ref`.
fn variant<T: JsonSchema>(
    generator: &mut SchemaGenerator,
    defs: &mut BTreeMap<String, Value>,
    tag: &str,
    wire_name: &str,
    def_name: &str,
) -> Value {
    let mut schema = T::json_schema(generator).to_value();
    if let Some(object) = schema.as_object_mut() {
        let mut properties = Map::new();
        properties.insert(tag.to_string(), json!({ "const": wire_name }));
        if let Some(Value::Object(rest)) = object.remove("properties") {
            properties.extend(rest);
        }
        object.insert("properties".into(), Value::Object(properties));
        let mut required = vec![Value::String(tag.to_string())];
        if let Some(Value::Array(rest)) = object.remove("required") {
            required.extend(rest);
        }
        object.insert("required".into(), Value::Array(required));
        object.insert("additionalProperties".into(), Value::Bool(false));
    }
    defs.insert(def_name.to_string(), schema);
    reference(def_name)
}

/// The complete schema document: the root validates a `BlueprintDraft`; `$defs` holds every
/// intent, canvas action and the two input envelopes `AgentTurn` and `CanvasInput`.
pub fn workbench_ir_schema() -> Value {
    let mut generator = SchemaSettings::draft2020_12().into_generator();
    let mut defs: BTreeMap<String, Value> = BTreeMap::new();

    let draft = generator.subschema_for::<BlueprintDraft>();
    let replace = generator
        .subschema_for::<crate::action::ReplaceDraft>()
        .to_value();

    let g = &mut generator;
    let d = &mut defs;
    let intents = vec![
        variant::<intent::Add>(g, d, "intent", "add", "AddIntent"),
        variant::<intent::Remove>(g, d, "intent", "remove", "RemoveIntent"),
        variant::<intent::Rename>(g, d, "intent", "rename", "RenameIntent"),
        variant::<intent::Reorder>(g, d, "intent", "reorder", "ReorderIntent"),
        variant::<intent::Connect>(g, d, "intent", "connect", "ConnectIntent"),
        variant::<intent::Branch>(g, d, "intent", "branch", "BranchIntent"),
        variant::<intent::Configure>(g, d, "intent", "configure", "ConfigureIntent"),
    ];
    let actions = vec![
        variant::<canvas::DeleteEdge>(g, d, "action", "deleteEdge", "DeleteEdgeAction"),
        variant::<canvas::SetEdgeLabel>(g, d, "action", "setEdgeLabel", "SetEdgeLabelAction"),
        variant::<canvas::SetTitle>(g, d, "action", "setTitle", "SetTitleAction"),
        variant::<canvas::SetSummary>(g, d, "action", "setSummary", "SetSummaryAction"),
        variant::<canvas::SetNodeType>(g, d, "action", "setNodeType", "SetNodeTypeAction"),
        variant::<canvas::SetNodeDescription>(
            g,
            d,
            "action",
            "setNodeDescription",
            "SetNodeDescriptionAction",
        ),
        variant::<canvas::ReplaceProperties>(
            g,
            d,
            "action",
            "replaceProperties",
            "ReplacePropertiesAction",
        ),
        variant::<canvas::DuplicateNodes>(g, d, "action", "duplicateNodes", "DuplicateNodesAction"),
        variant::<canvas::DeleteNodes>(g, d, "action", "deleteNodes", "DeleteNodesAction"),
    ];
    defs.insert(
        "EditIntent".into(),
        json!({ "description": "One of the seven edit intents, tagged by `intent`.", "oneOf": intents }),
    );
    defs.insert(
        "CanvasAction".into(),
        json!({ "description": "A canvas-only action, tagged by `action`.", "oneOf": actions }),
    );
    defs.insert(
        "Action".into(),
        json!({
            "description": "Anything the reducer accepts.",
            "oneOf": [reference("EditIntent"), reference("CanvasAction"), replace.clone()],
        }),
    );
    defs.insert(
        "AgentTurn".into(),
        json!({
            "description": "One agent reply: an intent, a batch of intents, or a full draft alone.",
            "oneOf": [
                reference("EditIntent"),
                replace.clone(),
                { "type": "array", "items": reference("EditIntent"), "minItems": 1, "maxItems": MAX_ACTIONS_PER_TURN },
            ],
        }),
    );
    defs.insert(
        "CanvasInput".into(),
        json!({
            "description": "One canvas gesture: an action or intent, a batch of them, or a full draft alone.",
            "oneOf": [
                reference("EditIntent"),
                reference("CanvasAction"),
                replace.clone(),
                {
                    "type": "array",
                    "items": { "oneOf": [reference("EditIntent"), reference("CanvasAction")] },
                    "minItems": 1,
                    "maxItems": MAX_ACTIONS_PER_TURN,
                },
            ],
        }),
    );
    for (name, schema) in generator.take_definitions(true) {
        defs.insert(name, schema);
    }

    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "gen workbench IR",
        "description": "BlueprintDraft and the edits applied to it. The root validates a whole draft; $defs/AgentTurn and $defs/CanvasInput validate edit payloads.",
        "$ref": draft.to_value()["$ref"],
        "$defs": defs.into_iter().collect::<Map<String, Value>>(),
    })
}

/// The schema as the committed file's text (pretty JSON plus a final newline).
pub fn workbench_ir_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&workbench_ir_schema()).unwrap_or_default();
    text.push('\n');
    text
}
