//! The seven edit intents of the contract: the only structural edits an agent may send.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::action::{decode, take_tag};
use crate::error::{Problem, Rejection, UserMessage};
use crate::json::{Properties, StrictValue};
use crate::model::{Node, NodeId};

/// Insert a new step, optionally after another one and optionally connected from one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Add {
    /// The new step; its id must not exist yet.
    pub node: Node,
    /// Insert right after this step in `nodes` order (array order only; edges are not rewired).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::present"
    )]
    #[schemars(with = "NodeId")]
    pub after_node_id: Option<NodeId>,
    /// Also add an edge from this existing step to the new one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::present"
    )]
    #[schemars(with = "NodeId")]
    pub connect_from: Option<NodeId>,
}

/// Delete a step and its edges; a simple pass-through (one in, one out) is bridged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Remove {
    /// The step to delete.
    pub node_id: NodeId,
}

/// Change a step's label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rename {
    /// The step to rename.
    pub node_id: NodeId,
    /// The new label (non-empty).
    #[schemars(schema_with = "crate::schema::label")]
    pub label: String,
}

/// Put the steps in a new order; must list every step exactly once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Reorder {
    /// A full permutation of the current step ids.
    #[schemars(schema_with = "crate::schema::id_list")]
    pub node_ids: Vec<NodeId>,
}

/// Connect two steps; an existing pair with a different label gets the new label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Connect {
    /// Where the connection starts.
    pub source: NodeId,
    /// Where the connection ends (must differ from `source`).
    pub target: NodeId,
    /// Optional connection text; omitted keeps an existing edge's label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::present"
    )]
    #[schemars(schema_with = "crate::schema::edge_label")]
    pub label: Option<String>,
}

/// One arm of a [`Branch`]: a new step and where it leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BranchArm {
    /// The new step on this arm.
    pub node: Node,
    /// The step this arm continues to; may be an existing step or a sibling arm's new step.
    pub connect_to: NodeId,
}

/// Fan out from one step into several new steps, each continuing to a given step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Branch {
    /// The existing step the arms leave from.
    pub from_node_id: NodeId,
    /// The arms, added in order.
    #[schemars(schema_with = "crate::schema::branch_list")]
    pub branches: Vec<BranchArm>,
}

/// Shallow-merge keys into a step's properties; a `null` value deletes the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Configure {
    /// The step to configure.
    pub node_id: NodeId,
    /// Keys to set (or delete with `null`).
    #[schemars(schema_with = "crate::schema::properties")]
    pub properties: Properties,
}

/// One of the seven edit intents, tagged by `"intent"` on the wire.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "intent", rename_all = "camelCase")]
pub enum EditIntent {
    /// See [`Add`].
    Add(Add),
    /// See [`Remove`].
    Remove(Remove),
    /// See [`Rename`].
    Rename(Rename),
    /// See [`Reorder`].
    Reorder(Reorder),
    /// See [`Connect`].
    Connect(Connect),
    /// See [`Branch`].
    Branch(Branch),
    /// See [`Configure`].
    Configure(Configure),
}

/// The wire names of the intents, in schema order.
pub(crate) const INTENT_NAMES: &str = "add, remove, rename, reorder, connect, branch, configure";

impl EditIntent {
    /// The wire name of this intent, for logs and reports.
    pub fn name(&self) -> &'static str {
        match self {
            EditIntent::Add(_) => "add",
            EditIntent::Remove(_) => "remove",
            EditIntent::Rename(_) => "rename",
            EditIntent::Reorder(_) => "reorder",
            EditIntent::Connect(_) => "connect",
            EditIntent::Branch(_) => "branch",
            EditIntent::Configure(_) => "configure",
        }
    }

    /// Reads an intent from an already strictly-parsed JSON value; `at` locates it for errors.
    pub(crate) fn from_value(value: Value, at: &str) -> Result<Self, Rejection> {
        let (tag, rest) = take_tag(value, "intent", at, UserMessage::InvalidRequest)?;
        let m = UserMessage::InvalidRequest;
        match tag.as_str() {
            "add" => decode(rest, at, m).map(EditIntent::Add),
            "remove" => decode(rest, at, m).map(EditIntent::Remove),
            "rename" => decode(rest, at, m).map(EditIntent::Rename),
            "reorder" => decode(rest, at, m).map(EditIntent::Reorder),
            "connect" => decode(rest, at, m).map(EditIntent::Connect),
            "branch" => decode(rest, at, m).map(EditIntent::Branch),
            "configure" => decode(rest, at, m).map(EditIntent::Configure),
            _ => Err(Rejection::new(
                m,
                format!("{at}.intent"),
                Problem::UnknownVariant {
                    tag: "intent",
                    value: crate::error::shown(&tag),
                    expected: INTENT_NAMES,
                },
            )),
        }
    }
}

impl<'de> Deserialize<'de> for EditIntent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StrictValue(value) = StrictValue::deserialize(deserializer)?;
        EditIntent::from_value(value, "$").map_err(serde::de::Error::custom)
    }
}
