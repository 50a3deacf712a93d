//! The wire types of the Blueprint IR: exactly the JSON shape of the contract
//! (`spec/workbench-ir.schema.json`), with no positions, no edge ids and no node-type registry.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::json::Properties;

/// A node id: compared byte for byte (no trimming, no case folding, no Unicode normalisation) and
/// cheap to clone, because snapshots and edge indexes share one allocation per id.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(Arc<str>);

impl NodeId {
    /// Wraps any text; whether it is an acceptable id is decided by validation, not here.
    pub fn new(id: &str) -> Self {
        NodeId(Arc::from(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both ids are the same allocation (the draft's canonical ids are shared, so this is a
    /// pointer comparison instead of a string comparison on hot scans).
    pub(crate) fn same_alloc(&self, other: &NodeId) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Address of the shared allocation, so footprint accounting can count each id once.
    pub(crate) fn alloc_addr(&self) -> usize {
        Arc::as_ptr(&self.0) as *const u8 as usize
    }
}

impl Borrow<str> for NodeId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for NodeId {
    fn from(id: &str) -> Self {
        NodeId::new(id)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for NodeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(NodeId(Arc::from(text)))
    }
}

impl JsonSchema for NodeId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NodeId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        crate::schema::node_id()
    }
}

/// One workflow step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "BlueprintNode")]
pub struct Node {
    /// Stable identity of the step; edges refer to it.
    pub id: NodeId,
    /// What the user sees on the canvas.
    #[schemars(schema_with = "crate::schema::label")]
    pub label: String,
    /// A primitive (`trigger`, `action`, `condition`, …) or a tool id such as `jira.search_issues`.
    #[serde(rename = "type")]
    #[schemars(schema_with = "crate::schema::node_type")]
    pub kind: String,
    /// Optional longer explanation shown in the inspector.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::present"
    )]
    #[schemars(schema_with = "crate::schema::description")]
    pub description: Option<String>,
    /// Optional tool configuration (free-form JSON object).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::present"
    )]
    #[schemars(schema_with = "crate::schema::properties")]
    pub properties: Option<Properties>,
}

impl Node {
    /// A node with no description or properties, the common case in tests and commands.
    pub fn new(id: &str, label: &str, kind: &str) -> Self {
        Node {
            id: NodeId::new(id),
            label: label.to_string(),
            kind: kind.to_string(),
            description: None,
            properties: None,
        }
    }
}

/// A directed connection; identified by its (source, target) pair, since the IR has no edge ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "BlueprintEdge")]
pub struct Edge {
    /// Id of the step the connection leaves.
    pub source: NodeId,
    /// Id of the step the connection enters.
    pub target: NodeId,
    /// Optional text on the connection (e.g. a branch condition).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::present"
    )]
    #[schemars(schema_with = "crate::schema::edge_label")]
    pub label: Option<String>,
}

impl Edge {
    /// An unlabelled edge.
    pub fn new(source: &str, target: &str) -> Self {
        Edge {
            source: NodeId::new(source),
            target: NodeId::new(target),
            label: None,
        }
    }
}

/// The whole workflow as exchanged on the wire (agent output, files, the browser). Unvalidated:
/// turn it into a [`crate::Draft`] with [`crate::Draft::from_blueprint`] to use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlueprintDraft {
    /// Name of the workflow.
    #[schemars(schema_with = "crate::schema::title")]
    pub title: String,
    /// One-paragraph description (may be empty, but must be present).
    #[schemars(schema_with = "crate::schema::summary")]
    pub summary: String,
    /// Steps, in display order.
    #[schemars(extend("maxItems" = crate::limits::MAX_NODES))]
    pub nodes: Vec<Node>,
    /// Connections, in insertion order.
    #[schemars(extend("maxItems" = crate::limits::MAX_EDGES))]
    pub edges: Vec<Edge>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_compare_exact_bytes() {
        assert_ne!(NodeId::new("n1"), NodeId::new("n1\u{200b}"));
        assert_ne!(NodeId::new("N1"), NodeId::new("n1"));
        assert_ne!(NodeId::new("n1 "), NodeId::new("n1"));
        // NFC "é" vs NFD "e\u{301}" are different ids.
        assert_ne!(NodeId::new("caf\u{e9}"), NodeId::new("cafe\u{301}"));
    }

    #[test]
    fn node_uses_type_as_the_field_name_and_omits_absent_options() {
        let node = Node::new("n1", "Start", "trigger");
        assert_eq!(
            serde_json::to_string(&node).expect("serialises"),
            r#"{"id":"n1","label":"Start","type":"trigger"}"#
        );
    }

    #[test]
    fn wire_types_refuse_unknown_fields_null_options_and_numeric_ids() {
        for bad in [
            r#"{"id":"n1","label":"A","type":"t","position":{"x":1}}"#,
            r#"{"id":"n1","label":"A","type":"t","description":null}"#,
            r#"{"id":3,"label":"A","type":"t"}"#,
            r#"{"id":"n1","label":"A","type":"t","properties":"{\"a\":1}"}"#,
            r#"{"id":"n1","label":"A"}"#,
        ] {
            assert!(serde_json::from_str::<Node>(bad).is_err(), "{bad}");
        }
        assert!(
            serde_json::from_str::<BlueprintDraft>(r#"{"title":"t","nodes":[],"edges":[]}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<Edge>(r#"{"source":"a","target":"b","label":null}"#).is_err()
        );
    }
}
