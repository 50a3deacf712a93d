//! The project's graph topology (`graph_topology.yml`) as a draft, and back.
//!
//! Pure and free of any config-crate dependency: it reads and returns the topology's
//! `asset_types` and `transitions` as JSON values; the workspace crate does YAML and files.
//!
//! Mapping:
//!
//! * each asset type is a step: `id` = the asset type's key, `label` = the key in words
//!   (`unit_tests` → "Unit Tests"), `type` = `asset_type`, `description` = its `description`, and
//!   every other field (`schema`, `markov_criteria`, …) in `properties`, unchanged;
//! * each (source, target) pair of transitions is one connection, labelled with the canonical edge
//!   id (`design→code`, `code↔unit_tests`);
//! * IR connections carry no data, so the transitions themselves — every field, verbatim — are kept
//!   in the source step's properties under the reserved key [`TRANSITIONS_KEY`], as a list in file
//!   order. That is also how two transitions between the same pair (the claude topology has two
//!   `intent→named_composition`) survive although the IR allows one connection per pair.
//!
//! Back to the topology ([`topology_from_draft`]): each step becomes an asset type (its properties
//! minus the reserved key, plus its description); for each connection, the transitions its source
//! step keeps for that target are written, in order; a connection without any (drawn in the
//! workbench) gets a new transition: `standard` (or `co_evolution` when its label is
//! `source↔target`), evaluators `[agent, human]`, constructor `agent`. Kept transitions whose
//! connection was deleted are dropped. What the topology cannot hold — labels other than the
//! default, step types other than `asset_type`, connection labels — is reported as a note, never
//! silently lost.

use serde_json::{Map, Value};

use crate::draft::Draft;
use crate::error::Rejection;
use crate::json::Properties;
use crate::model::{BlueprintDraft, Edge, Node, NodeId};

/// The `type` of every step opened from a topology.
pub const ASSET_TYPE: &str = "asset_type";

/// The property under which a step keeps its outgoing transitions (reserved: a topology whose
/// asset type has a field of this name cannot be opened).
pub const TRANSITIONS_KEY: &str = "$transitions";

/// Why a topology could not become a draft, or a draft a topology; `at` is a path in the
/// topology document (`transitions[3].target`) or the draft (`steps.design.properties…`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TopologyError {
    /// A part of the document has the wrong JSON/YAML type.
    #[error("{at}: expected {expected}, found {found}")]
    Shape {
        /// Where.
        at: String,
        /// What was expected there.
        expected: &'static str,
        /// What is there.
        found: &'static str,
    },
    /// A transition names an asset type that is not declared.
    #[error("{at}: `{name}` is not an asset type of this topology")]
    UnknownAssetType {
        /// Where.
        at: String,
        /// The name used.
        name: String,
    },
    /// Two items of a list-form `asset_types` carry the same name (one step cannot be both).
    #[error("{at}: asset type `{name}` is listed twice")]
    DuplicateAssetType {
        /// Where the second one is.
        at: String,
        /// The name.
        name: String,
    },
    /// A transition from an asset type to itself (the workbench draws no self-loops).
    #[error("{at}: a transition from `{name}` to itself cannot be edited in the workbench")]
    SelfLoop {
        /// Where.
        at: String,
        /// The asset type.
        name: String,
    },
    /// An asset type uses the field name the workbench reserves for transitions.
    #[error("{at}: the field `{key}` is reserved by the workbench")]
    ReservedKey {
        /// Where.
        at: String,
        /// The reserved key.
        key: &'static str,
    },
    /// A kept transition whose `source` is not the step keeping it.
    #[error("{at}: the transition's source `{found}` is not the step `{step}` that keeps it")]
    MisplacedTransition {
        /// Where.
        at: String,
        /// The step keeping it.
        step: String,
        /// The source it names.
        found: String,
    },
    /// The result breaks an IR rule (an asset type name that is not a valid step id, a
    /// description over the cap, properties over the per-step cap, …).
    #[error("{at}: {rejection}")]
    Invalid {
        /// Which asset type or transition.
        at: String,
        /// What the IR refused, with its own location.
        rejection: Rejection,
    },
}

/// The graph part of a topology produced from a draft, plus what could not be kept.
#[derive(Debug, Clone, PartialEq)]
pub struct TopologyGraph {
    /// `asset_types`, in step order.
    pub asset_types: Map<String, Value>,
    /// `transitions`, in connection order.
    pub transitions: Vec<Value>,
    /// Things the topology cannot hold or that were made up, one sentence each.
    pub notes: Vec<String>,
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// "unit_tests" → "Unit Tests": the default label of an asset type.
pub fn label_for(name: &str) -> String {
    name.split(['_', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The canonical edge id of a transition: `↔` for `co_evolution`, for the older scaffolds'
/// `bidirectional: true`, and for a Gemini transition without `edge_type` named `source↔target`;
/// `→` otherwise (the same rule as `gen_core`'s `Transition::is_co_evolution`).
fn edge_id(source: &str, target: &str, transition: &Map<String, Value>) -> String {
    let co = format!("{source}↔{target}");
    let named_co = || {
        transition
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| {
                n.split_whitespace()
                    .collect::<String>()
                    .replace("<->", "↔")
                    .replace("->", "→")
                    == co
            })
    };
    let bidirectional = transition.get("bidirectional") == Some(&Value::Bool(true));
    let co_evolution = match transition.get("edge_type").and_then(Value::as_str) {
        Some("co_evolution") => true,
        None => bidirectional || named_co(),
        Some(_) => bidirectional,
    };
    if co_evolution {
        co
    } else {
        format!("{source}→{target}")
    }
}

/// `asset_types` written as a list of `{name, ...}` items (the Gemini dialect) as the mapping the
/// draft is built from: the same graph, keyed by name.
fn asset_types_from_list(items: &[Value]) -> Result<Map<String, Value>, TopologyError> {
    let mut map = Map::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("asset_types[{i}]");
        let (name, fields) = match item {
            Value::String(name) => (name.clone(), Map::new()),
            Value::Object(fields) => match ["name", "id"]
                .into_iter()
                .find_map(|key| fields.get(key).map(|v| (key, v)))
            {
                Some((key, Value::String(name))) => {
                    // Only the key that named it goes; the rest keep their order.
                    let mut rest = fields.clone();
                    rest.shift_remove(key);
                    (name.clone(), rest)
                }
                other => {
                    return Err(TopologyError::Shape {
                        at: format!("{at}.name"),
                        expected: "the asset type's name",
                        found: other.map_or("nothing", |(_, v)| kind_of(v)),
                    });
                }
            },
            other => {
                return Err(TopologyError::Shape {
                    at,
                    expected: "an asset type (`- name: ...`)",
                    found: kind_of(other),
                });
            }
        };
        if map.contains_key(&name) {
            return Err(TopologyError::DuplicateAssetType { at, name });
        }
        map.insert(name, Value::Object(fields));
    }
    Ok(map)
}

fn endpoint<'a>(
    transition: &'a Map<String, Value>,
    field: &str,
    at: &str,
    asset_types: &Map<String, Value>,
) -> Result<&'a str, TopologyError> {
    let at = format!("{at}.{field}");
    match transition.get(field) {
        Some(Value::String(name)) if asset_types.contains_key(name) => Ok(name),
        Some(Value::String(name)) => Err(TopologyError::UnknownAssetType {
            at,
            name: name.clone(),
        }),
        other => Err(TopologyError::Shape {
            at,
            expected: "the name of an asset type",
            found: other.map_or("nothing", kind_of),
        }),
    }
}

/// Opens a topology document (its whole root as JSON) as a draft; see the module docs.
pub fn draft_from_topology(document: &Value) -> Result<Draft, TopologyError> {
    let root = document.as_object().ok_or_else(|| TopologyError::Shape {
        at: "$".into(),
        expected: "a mapping",
        found: kind_of(document),
    })?;
    let empty = Map::new();
    let listed;
    let asset_types = match root.get("asset_types") {
        Some(Value::Object(map)) => map,
        Some(Value::Array(items)) => {
            listed = asset_types_from_list(items)?;
            &listed
        }
        None | Some(Value::Null) => &empty,
        Some(other) => {
            return Err(TopologyError::Shape {
                at: "asset_types".into(),
                expected: "a mapping of asset types",
                found: kind_of(other),
            });
        }
    };
    let no_transitions = Vec::new();
    let transitions = match root.get("transitions") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => &no_transitions,
        Some(other) => {
            return Err(TopologyError::Shape {
                at: "transitions".into(),
                expected: "a list of transitions",
                found: kind_of(other),
            });
        }
    };

    let mut kept: Map<String, Value> = Map::new();
    let mut edges: Vec<Edge> = Vec::new();
    for (i, item) in transitions.iter().enumerate() {
        let at = format!("transitions[{i}]");
        let Value::Object(transition) = item else {
            return Err(TopologyError::Shape {
                at,
                expected: "a mapping",
                found: kind_of(item),
            });
        };
        let source = endpoint(transition, "source", &at, asset_types)?;
        let target = endpoint(transition, "target", &at, asset_types)?;
        if source == target {
            return Err(TopologyError::SelfLoop {
                at,
                name: source.to_string(),
            });
        }
        let id = edge_id(source, target, transition);
        match edges
            .iter_mut()
            .find(|e| e.source.as_str() == source && e.target.as_str() == target)
        {
            Some(edge) => {
                let label = edge.label.get_or_insert_with(String::new);
                if !label.split(", ").any(|existing| existing == id) {
                    label.push_str(", ");
                    label.push_str(&id);
                }
            }
            None => edges.push(Edge {
                source: NodeId::new(source),
                target: NodeId::new(target),
                label: Some(id),
            }),
        }
        if let Value::Array(list) = kept
            .entry(source.to_string())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            list.push(item.clone());
        }
    }

    let mut nodes = Vec::with_capacity(asset_types.len());
    for (name, value) in asset_types {
        let at = format!("asset_types.{name}");
        let Value::Object(fields) = value else {
            return Err(TopologyError::Shape {
                at,
                expected: "a mapping (description, schema, markov_criteria, …)",
                found: kind_of(value),
            });
        };
        if fields.contains_key(TRANSITIONS_KEY) {
            return Err(TopologyError::ReservedKey {
                at,
                key: TRANSITIONS_KEY,
            });
        }
        let mut properties = fields.clone();
        let description = match properties.get("description") {
            Some(Value::String(text)) => {
                let text = text.clone();
                properties.shift_remove("description");
                Some(text)
            }
            _ => None,
        };
        if let Some(list) = kept.shift_remove(name) {
            properties.insert(TRANSITIONS_KEY.to_string(), list);
        }
        nodes.push(Node {
            id: NodeId::new(name),
            label: label_for(name),
            kind: ASSET_TYPE.to_string(),
            description,
            properties: (!properties.is_empty()).then(|| Properties(properties)),
        });
    }

    let version = root
        .get("graph_properties")
        .and_then(|g| g.get("version"))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    let title = match version {
        Some(v) => format!("Graph topology v{v}"),
        None => "Graph topology".to_string(),
    };
    let blueprint = BlueprintDraft {
        title,
        summary: "The project's asset graph: one step per asset type, one connection per pair of \
                  asset types with transitions (kept in the source step's `$transitions`)."
            .to_string(),
        nodes,
        edges,
    };
    Draft::from_blueprint(blueprint).map_err(|rejection| TopologyError::Invalid {
        at: locate(&rejection.at, asset_types, transitions),
        rejection,
    })
}

/// Names the asset type or transition an IR rejection (`nodes[3].description`) is about.
fn locate(at: &str, asset_types: &Map<String, Value>, transitions: &[Value]) -> String {
    let index = |prefix: &str| {
        at.strip_prefix(prefix)
            .and_then(|rest| rest.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
    };
    if let Some(i) = index("nodes[")
        && let Some(name) = asset_types.keys().nth(i)
    {
        return format!("asset_types.{name}");
    }
    if index("edges[").is_some() && !transitions.is_empty() {
        return "transitions".to_string();
    }
    "asset_types".to_string()
}

/// The default transition for a connection drawn in the workbench.
fn new_transition(draft: &Draft, edge: &Edge) -> Value {
    let label = |id: &NodeId| {
        draft
            .node(id.as_str())
            .map_or_else(|| id.to_string(), |n| n.label.clone())
    };
    let co_evolution = edge.label.as_deref() == Some(&format!("{}↔{}", edge.source, edge.target));
    let arrow = if co_evolution { "↔" } else { "→" };
    let mut t = Map::new();
    t.insert(
        "name".into(),
        Value::String(format!(
            "{} {arrow} {}",
            label(&edge.source),
            label(&edge.target)
        )),
    );
    t.insert("source".into(), Value::String(edge.source.to_string()));
    t.insert("target".into(), Value::String(edge.target.to_string()));
    t.insert(
        "edge_type".into(),
        Value::String(
            if co_evolution {
                "co_evolution"
            } else {
                "standard"
            }
            .into(),
        ),
    );
    t.insert(
        "evaluators".into(),
        Value::Array(vec![
            Value::String("agent".into()),
            Value::String("human".into()),
        ]),
    );
    t.insert("constructor".into(), Value::String("agent".into()));
    Value::Object(t)
}

/// A transition kept in a step's properties, with where it is kept (for messages).
struct Kept {
    at: String,
    transition: Map<String, Value>,
}

/// Turns a draft back into the topology's `asset_types` and `transitions`; see the module docs.
pub fn topology_from_draft(draft: &Draft) -> Result<TopologyGraph, TopologyError> {
    let mut notes = Vec::new();
    let mut asset_types = Map::new();
    // The transitions each step keeps, in step order.
    let mut kept: Vec<(String, Vec<Kept>)> = Vec::new();
    for node in draft.nodes() {
        let id = node.id.as_str();
        let at = format!("steps.{id}");
        let mut fields = Map::new();
        if let Some(description) = &node.description {
            fields.insert("description".into(), Value::String(description.clone()));
        }
        let mut list = Vec::new();
        for (key, value) in node.properties.iter().flat_map(|p| p.as_map()) {
            if key == TRANSITIONS_KEY {
                let at = format!("{at}.properties.{TRANSITIONS_KEY}");
                let Value::Array(items) = value else {
                    return Err(TopologyError::Shape {
                        at,
                        expected: "a list of transitions",
                        found: kind_of(value),
                    });
                };
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{at}[{i}]");
                    let Value::Object(t) = item else {
                        return Err(TopologyError::Shape {
                            at,
                            expected: "a transition mapping",
                            found: kind_of(item),
                        });
                    };
                    match t.get("source") {
                        Some(Value::String(s)) if s == id => {}
                        other => {
                            return Err(TopologyError::MisplacedTransition {
                                at: format!("{at}.source"),
                                step: id.to_string(),
                                found: other
                                    .and_then(Value::as_str)
                                    .map_or_else(|| "(missing)".into(), str::to_string),
                            });
                        }
                    }
                    list.push(Kept {
                        at,
                        transition: t.clone(),
                    });
                }
            } else if key == "description" && node.description.is_some() {
                notes.push(format!(
                    "step `{id}`: the `description` property was replaced by the step's description"
                ));
            } else {
                fields.insert(key.clone(), value.clone());
            }
        }
        if node.kind != ASSET_TYPE {
            notes.push(format!(
                "step `{id}`: type `{}` is not saved (every step is an asset type)",
                node.kind
            ));
        }
        if node.label != label_for(id) {
            notes.push(format!(
                "step `{id}`: label `{}` is not saved (asset types are named by their id)",
                node.label
            ));
        }
        asset_types.insert(id.to_string(), Value::Object(fields));
        kept.push((id.to_string(), list));
    }

    let mut transitions = Vec::new();
    let mut used: Vec<Vec<bool>> = kept.iter().map(|(_, l)| vec![false; l.len()]).collect();
    for edge in draft.edges() {
        let Some(s) = kept.iter().position(|(id, _)| id == edge.source.as_str()) else {
            continue; // a valid draft's edges always have their source
        };
        let mut written = Vec::new();
        for (i, Kept { transition: t, .. }) in kept[s].1.iter().enumerate() {
            if t.get("target").and_then(Value::as_str) == Some(edge.target.as_str()) {
                used[s][i] = true;
                let id = edge_id(edge.source.as_str(), edge.target.as_str(), t);
                if !written.contains(&id) {
                    written.push(id);
                }
                transitions.push(Value::Object(t.clone()));
            }
        }
        if written.is_empty() {
            let t = new_transition(draft, edge);
            let id = t
                .as_object()
                .map(|t| edge_id(edge.source.as_str(), edge.target.as_str(), t))
                .unwrap_or_default();
            notes.push(format!(
                "connection {id} is new: wrote a transition with evaluators [agent, human] and constructor agent"
            ));
            written.push(id);
            transitions.push(t);
        }
        let derived = written.join(", ");
        if let Some(label) = &edge.label
            && *label != derived
        {
            notes.push(format!(
                "connection {derived}: label `{label}` is not saved (transitions are named by their edge id)"
            ));
        }
    }
    for ((id, list), flags) in kept.iter().zip(&used) {
        for (Kept { at, transition: t }, used) in list.iter().zip(flags) {
            if !used {
                let name = t.get("name").and_then(Value::as_str).unwrap_or("(unnamed)");
                let target = t.get("target").and_then(Value::as_str).unwrap_or("?");
                notes.push(format!(
                    "dropped transition `{name}` ({id} to {target}, kept at {at}): its connection was deleted"
                ));
            }
        }
    }
    Ok(TopologyGraph {
        asset_types,
        transitions,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::input::parse_canvas_input;
    use crate::reducer::apply_batch;

    fn small() -> Value {
        json!({
            "asset_types": {
                "design": {"description": "Tech design", "schema": {"components": "list"}, "markov_criteria": ["has_components"]},
                "code": {"description": "Source", "schema": {"files": "list"}, "markov_criteria": ["compiles"]},
                "unit_tests": {"description": "Tests", "markov_criteria": ["all_pass"]}
            },
            "transitions": [
                {"name": "Design → Code", "source": "design", "target": "code", "edge_type": "standard",
                 "evaluators": ["agent", "deterministic"], "constructor": "agent", "edge_config": "edge_params/design_code.yml"},
                {"name": "Code ↔ Unit Tests", "source": "code", "target": "unit_tests", "edge_type": "co_evolution",
                 "evaluators": ["agent"], "constructor": "agent"},
                {"name": "again", "source": "design", "target": "code", "edge_type": "standard",
                 "evaluators": ["human"], "constructor": "agent", "note": "duplicate pair"}
            ],
            "graph_properties": {"version": "1.0.0"}
        })
    }

    fn edit(draft: &Draft, value: Value) -> Draft {
        let actions = parse_canvas_input(value.to_string().as_bytes()).expect("parses");
        let result = apply_batch(draft, &actions);
        assert!(result.report.changed(), "{:?}", result.report);
        result.draft
    }

    #[test]
    fn asset_types_become_steps_and_transition_pairs_connections() {
        let draft = draft_from_topology(&small()).expect("opens");
        assert_eq!(draft.title(), "Graph topology v1.0.0");
        let ids: Vec<&str> = draft.nodes().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["design", "code", "unit_tests"]);
        let tests = draft.node("unit_tests").expect("node");
        assert_eq!(
            (tests.label.as_str(), tests.kind.as_str()),
            ("Unit Tests", "asset_type")
        );
        assert_eq!(tests.description.as_deref(), Some("Tests"));
        let design = draft.node("design").expect("node");
        let props = design.properties.as_ref().expect("props").as_map();
        assert_eq!(props["schema"], json!({"components": "list"}));
        assert_eq!(
            props[TRANSITIONS_KEY].as_array().map(Vec::len),
            Some(2),
            "both design→code transitions are kept"
        );
        let labels: Vec<Option<&str>> = draft.edges().map(|e| e.label.as_deref()).collect();
        assert_eq!(labels, [Some("design→code"), Some("code↔unit_tests")]);
    }

    #[test]
    fn an_unedited_draft_gives_back_the_same_graph() {
        let doc = small();
        let graph = topology_from_draft(&draft_from_topology(&doc).expect("opens")).expect("saves");
        assert_eq!(Value::Object(graph.asset_types), doc["asset_types"]);
        let mut expected = doc["transitions"].as_array().cloned().expect("list");
        // Transitions are grouped by connection: the duplicate pair moves next to its twin.
        expected.swap(1, 2);
        assert_eq!(graph.transitions, expected);
        assert!(graph.notes.is_empty(), "{:?}", graph.notes);
    }

    #[test]
    fn edits_map_to_asset_types_and_transitions_with_notes_for_what_cannot_be_kept() {
        let draft = draft_from_topology(&small()).expect("opens");
        let edited = edit(
            &draft,
            json!([
                {"intent": "add", "node": {"id": "uat_tests", "label": "Uat Tests", "type": "asset_type",
                  "description": "Acceptance", "properties": {"markov_criteria": ["all_pass"]}}},
                {"intent": "connect", "source": "design", "target": "uat_tests"},
                {"intent": "connect", "source": "uat_tests", "target": "code", "label": "uat_tests↔code"},
                {"action": "deleteEdge", "source": "code", "target": "unit_tests"},
                {"intent": "rename", "nodeId": "code", "label": "Source Code"}
            ]),
        );
        let graph = topology_from_draft(&edited).expect("saves");
        assert_eq!(
            graph.asset_types["uat_tests"],
            json!({"description": "Acceptance", "markov_criteria": ["all_pass"]})
        );
        let pairs: Vec<(String, String, String)> = graph
            .transitions
            .iter()
            .map(|t| {
                (
                    t["source"].as_str().unwrap_or_default().to_string(),
                    t["target"].as_str().unwrap_or_default().to_string(),
                    t["edge_type"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert_eq!(
            pairs,
            [
                ("design".into(), "code".into(), "standard".into()),
                ("design".into(), "code".into(), "standard".into()),
                ("design".into(), "uat_tests".into(), "standard".into()),
                ("uat_tests".into(), "code".into(), "co_evolution".into()),
            ]
        );
        assert_eq!(graph.transitions[2]["name"], "Design → Uat Tests");
        assert_eq!(
            graph.transitions[2]["evaluators"],
            json!(["agent", "human"])
        );
        let notes = graph.notes.join("\n");
        assert!(
            notes.contains("label `Source Code` is not saved"),
            "{notes}"
        );
        assert!(
            notes.contains("dropped transition `Code ↔ Unit Tests`"),
            "{notes}"
        );
        assert!(
            notes.contains("connection design→uat_tests is new"),
            "{notes}"
        );
    }

    #[test]
    fn the_dialects_open_as_the_same_graph() {
        // Gemini: asset types as a list, a transition named by its co-evolution edge.
        let gemini = json!({
            "asset_types": [{"name": "code", "description": "Source"}, "unit_tests"],
            "transitions": [{"source": "code", "target": "unit_tests", "name": "code ↔ unit_tests"}],
        });
        let draft = draft_from_topology(&gemini).unwrap();
        let ir = draft.to_blueprint();
        assert_eq!(ir.nodes.len(), 2);
        assert_eq!(ir.nodes[0].description.as_deref(), Some("Source"));
        assert_eq!(ir.edges[0].label.as_deref(), Some("code↔unit_tests"));
        // Older scaffolds: a free-form edge_type with `bidirectional: true`.
        let scaffold = json!({
            "asset_types": {"code": {}, "unit_tests": {}},
            "transitions": [{"source": "code", "target": "unit_tests", "edge_type": "tdd", "bidirectional": true}],
        });
        let ir = draft_from_topology(&scaffold).unwrap().to_blueprint();
        assert_eq!(ir.edges[0].label.as_deref(), Some("code↔unit_tests"));
        let nameless = json!({"asset_types": [{"description": "x"}], "transitions": []});
        assert!(matches!(
            draft_from_topology(&nameless),
            Err(TopologyError::Shape { at, .. }) if at == "asset_types[0].name"
        ));
    }

    #[test]
    fn documents_that_cannot_be_a_draft_are_refused_with_their_location() {
        let mut unknown = small();
        unknown["transitions"][1]["target"] = json!("tests");
        assert_eq!(
            draft_from_topology(&unknown),
            Err(TopologyError::UnknownAssetType {
                at: "transitions[1].target".into(),
                name: "tests".into()
            })
        );
        let mut looped = small();
        looped["transitions"][0]["target"] = json!("design");
        assert!(matches!(
            draft_from_topology(&looped),
            Err(TopologyError::SelfLoop { .. })
        ));
        let mut reserved = small();
        reserved["asset_types"]["code"][TRANSITIONS_KEY] = json!([]);
        assert!(matches!(
            draft_from_topology(&reserved),
            Err(TopologyError::ReservedKey { .. })
        ));
        let mut bad_name = small();
        if let Some(types) = bad_name["asset_types"].as_object_mut() {
            types.insert("bad name".into(), json!({}));
        }
        let err = draft_from_topology(&bad_name).expect_err("not an id");
        assert!(err.to_string().starts_with("asset_types.bad name"), "{err}");
        let mut scalar = small();
        scalar["asset_types"]["code"] = json!("Source");
        assert!(matches!(
            draft_from_topology(&scalar),
            Err(TopologyError::Shape { .. })
        ));
        assert!(draft_from_topology(&json!({"transitions": {"a": "b"}})).is_err());
    }

    #[test]
    fn a_kept_transition_moved_to_another_step_is_refused() {
        let draft = draft_from_topology(&small()).expect("opens");
        let moved = edit(
            &draft,
            json!({"intent": "configure", "nodeId": "code", "properties": {
                "$transitions": [{"name": "x", "source": "design", "target": "unit_tests"}]}}),
        );
        assert!(matches!(
            topology_from_draft(&moved),
            Err(TopologyError::MisplacedTransition { .. })
        ));
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label_for("unit_tests"), "Unit Tests");
        assert_eq!(label_for("cicd"), "Cicd");
        assert_eq!(label_for("a__b"), "A B");
    }
}
