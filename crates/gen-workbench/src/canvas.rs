//! Canvas-only actions: edits the seven intents cannot express (edge deletion, title, type, …) and
//! selection gestures. They go through the same reducer and history as intents, but the agent
//! channel refuses them (reference §4.0.7).

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::action::{decode, take_tag};
use crate::error::{Problem, Rejection, UserMessage};
use crate::json::{Properties, StrictValue};
use crate::model::NodeId;

/// Delete one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteEdge {
    /// Where the connection starts.
    pub source: NodeId,
    /// Where the connection ends.
    pub target: NodeId,
}

/// Set or clear the label of one connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetEdgeLabel {
    /// Where the connection starts.
    pub source: NodeId,
    /// Where the connection ends.
    pub target: NodeId,
    /// The new label; `null` removes it.
    #[serde(deserialize_with = "crate::json::nullable")]
    #[schemars(schema_with = "crate::schema::nullable_edge_label")]
    pub label: Option<String>,
}

/// Rename the workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetTitle {
    /// The new title (must contain a visible character).
    #[schemars(schema_with = "crate::schema::title")]
    pub title: String,
}

/// Replace the workflow summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetSummary {
    /// The new summary (may be empty).
    #[schemars(schema_with = "crate::schema::summary")]
    pub summary: String,
}

/// Change what kind of step a node is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetNodeType {
    /// The step to change.
    pub node_id: NodeId,
    /// The new `type`.
    #[serde(rename = "type")]
    #[schemars(schema_with = "crate::schema::node_type")]
    pub kind: String,
}

/// Set or clear a step's description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetNodeDescription {
    /// The step to change.
    pub node_id: NodeId,
    /// The new description; `null` removes it.
    #[serde(deserialize_with = "crate::json::nullable")]
    #[schemars(schema_with = "crate::schema::nullable_description")]
    pub description: Option<String>,
}

/// Replace a step's whole properties object (the inspector's JSON editor); `null` removes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceProperties {
    /// The step to change.
    pub node_id: NodeId,
    /// The complete new properties; `null` removes them.
    #[serde(deserialize_with = "crate::json::nullable")]
    #[schemars(schema_with = "crate::schema::nullable_properties")]
    pub properties: Option<Properties>,
}

/// Copy the selected steps with fresh ids (`<id>-copy`, `<id>-copy-2`, …), keeping only the edges
/// between selected steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DuplicateNodes {
    /// The selection, each id once.
    #[schemars(schema_with = "crate::schema::id_list")]
    pub node_ids: Vec<NodeId>,
}

/// Delete the selected steps in one undo step (each removal follows the `remove` rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteNodes {
    /// The selection, each id once.
    #[schemars(schema_with = "crate::schema::id_list")]
    pub node_ids: Vec<NodeId>,
}

/// A canvas-only action, tagged by `"action"` on the wire.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum CanvasAction {
    /// See [`DeleteEdge`].
    DeleteEdge(DeleteEdge),
    /// See [`SetEdgeLabel`].
    SetEdgeLabel(SetEdgeLabel),
    /// See [`SetTitle`].
    SetTitle(SetTitle),
    /// See [`SetSummary`].
    SetSummary(SetSummary),
    /// See [`SetNodeType`].
    SetNodeType(SetNodeType),
    /// See [`SetNodeDescription`].
    SetNodeDescription(SetNodeDescription),
    /// See [`ReplaceProperties`].
    ReplaceProperties(ReplaceProperties),
    /// See [`DuplicateNodes`].
    DuplicateNodes(DuplicateNodes),
    /// See [`DeleteNodes`].
    DeleteNodes(DeleteNodes),
}

/// The wire names of the canvas actions, in schema order.
pub(crate) const ACTION_NAMES: &str = "deleteEdge, setEdgeLabel, setTitle, setSummary, setNodeType, \
     setNodeDescription, replaceProperties, duplicateNodes, deleteNodes";

impl CanvasAction {
    /// The wire name of this action, for logs and reports.
    pub fn name(&self) -> &'static str {
        match self {
            CanvasAction::DeleteEdge(_) => "deleteEdge",
            CanvasAction::SetEdgeLabel(_) => "setEdgeLabel",
            CanvasAction::SetTitle(_) => "setTitle",
            CanvasAction::SetSummary(_) => "setSummary",
            CanvasAction::SetNodeType(_) => "setNodeType",
            CanvasAction::SetNodeDescription(_) => "setNodeDescription",
            CanvasAction::ReplaceProperties(_) => "replaceProperties",
            CanvasAction::DuplicateNodes(_) => "duplicateNodes",
            CanvasAction::DeleteNodes(_) => "deleteNodes",
        }
    }

    /// Reads a canvas action from an already strictly-parsed JSON value.
    pub(crate) fn from_value(value: Value, at: &str) -> Result<Self, Rejection> {
        let m = UserMessage::InvalidRequest;
        let (tag, rest) = take_tag(value, "action", at, m)?;
        match tag.as_str() {
            "deleteEdge" => decode(rest, at, m).map(CanvasAction::DeleteEdge),
            "setEdgeLabel" => decode(rest, at, m).map(CanvasAction::SetEdgeLabel),
            "setTitle" => decode(rest, at, m).map(CanvasAction::SetTitle),
            "setSummary" => decode(rest, at, m).map(CanvasAction::SetSummary),
            "setNodeType" => decode(rest, at, m).map(CanvasAction::SetNodeType),
            "setNodeDescription" => decode(rest, at, m).map(CanvasAction::SetNodeDescription),
            "replaceProperties" => decode(rest, at, m).map(CanvasAction::ReplaceProperties),
            "duplicateNodes" => decode(rest, at, m).map(CanvasAction::DuplicateNodes),
            "deleteNodes" => decode(rest, at, m).map(CanvasAction::DeleteNodes),
            _ => Err(Rejection::new(
                m,
                format!("{at}.action"),
                Problem::UnknownVariant {
                    tag: "action",
                    value: crate::error::shown(&tag),
                    expected: ACTION_NAMES,
                },
            )),
        }
    }
}

impl<'de> Deserialize<'de> for CanvasAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StrictValue(value) = StrictValue::deserialize(deserializer)?;
        CanvasAction::from_value(value, "$").map_err(serde::de::Error::custom)
    }
}
