//! `graph_topology.yml`: asset types (the nodes), admissible transitions (the edges) and constraint
//! dimensions. Status, routing and validation all speak in the canonical edge ids derived here.

use super::yaml::{self, Node, Pos};
use super::{Diagnostic, SourceFile, canonical_edge_id, edge_id};

/// Whether an edge is directional or a co-evolution pair; decides `→` vs `↔` in the edge id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EdgeType {
    /// `standard`: source produces target.
    Standard,
    /// `co_evolution`: source and target converge together (`code↔unit_tests`).
    CoEvolution,
    /// Anything else as written. Older scaffolds name the edge here (`tdd`, `intent_requirements`);
    /// models treat it as standard (or co-evolution with `bidirectional: true`), validation warns.
    Other(String),
}

impl EdgeType {
    /// Reads the `edge_type` spelling used by the topology files.
    pub fn parse(s: &str) -> Self {
        match s {
            "standard" => EdgeType::Standard,
            "co_evolution" => EdgeType::CoEvolution,
            other => EdgeType::Other(other.to_string()),
        }
    }

    /// The spelling as it appears in YAML.
    pub fn as_str(&self) -> &str {
        match self {
            EdgeType::Standard => "standard",
            EdgeType::CoEvolution => "co_evolution",
            EdgeType::Other(s) => s,
        }
    }
}

/// One asset type (graph node) with its promotion criteria.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetType {
    /// The snake_case key (`unit_tests`).
    pub name: String,
    /// Human description, if present.
    pub description: Option<String>,
    /// The descriptive schema (field → type string); never enforced, kept for display.
    pub schema: Option<serde_json::Value>,
    /// Names of the promotion criteria.
    pub markov_criteria: Vec<String>,
    /// Where the key is.
    pub pos: Pos,
    /// The raw mapping, for fields this model does not name.
    pub node: Node,
}

/// One admissible transition (graph edge) as written in the topology.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Display name (`"Code ↔ Unit Tests"`); not the edge id.
    pub name: String,
    /// Source asset type.
    pub source: String,
    /// Target asset type.
    pub target: String,
    /// `standard` / `co_evolution`; `None` when missing (treated as standard for the id).
    pub edge_type: Option<EdgeType>,
    /// `bidirectional: true` of older scaffolds: the same as `co_evolution`.
    pub bidirectional: bool,
    /// Evaluator kinds that check convergence on this edge.
    pub evaluators: Vec<String>,
    /// Who constructs candidates (`agent` / `deterministic`).
    pub constructor: Option<String>,
    /// Edge-parameter file, relative to the plugin config dir (`edge_params/tdd.yml`).
    pub edge_config: Option<String>,
    /// 1-based line of the list item.
    pub line: u32,
    /// Where the list item starts.
    pub pos: Pos,
    /// The raw mapping (notes, `profiles_active`, field positions).
    pub node: Node,
}

impl Transition {
    /// The canonical id (`source→target`, or `source↔target` for co-evolution) used in events and profiles.
    pub fn edge_id(&self) -> String {
        edge_id(&self.source, &self.target, self.is_co_evolution())
    }

    /// Whether source and target converge together: `edge_type: co_evolution`, or the older
    /// `bidirectional: true` (whatever its free-form `edge_type` says).
    /// A Gemini transition has no `edge_type` but is named by its edge id (`code↔unit_tests`), which
    /// says the same.
    pub fn is_co_evolution(&self) -> bool {
        match &self.edge_type {
            Some(EdgeType::CoEvolution) => true,
            None if !self.bidirectional => {
                canonical_edge_id(&self.name) == format!("{}↔{}", self.source, self.target)
            }
            _ => self.bidirectional,
        }
    }

    /// The underscored spelling (`design_code`) some feature vectors use as trajectory keys.
    pub fn underscored_id(&self) -> String {
        format!("{}_{}", self.source, self.target)
    }

    /// The file name part of `edge_config` (`tdd.yml`), which is how it is matched to edge-param files:
    /// the plugin writes `edge_params/tdd.yml`, a workspace keeps the file in `graph/edge_params/` or
    /// `graph/edges/`.
    pub fn edge_config_file_name(&self) -> Option<&str> {
        let cfg = self.edge_config.as_deref()?.trim();
        let name = cfg.rsplit(['/', '\\']).next().unwrap_or(cfg);
        (!name.is_empty()).then_some(name)
    }

    /// Position of a field's value (or of the item when the field is missing), for diagnostics.
    pub fn field_pos(&self, key: &str) -> Pos {
        self.node.get(key).map_or(self.pos, |n| n.pos)
    }
}

/// One constraint dimension declared by the topology (e.g. `security_model`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintDimension {
    /// Dimension key.
    pub name: String,
    /// Description, if present.
    pub description: Option<String>,
    /// Whether design must resolve it explicitly.
    pub mandatory: Option<bool>,
    /// `adr`, `design_section`, ...
    pub resolves_via: Option<String>,
    /// Where the key is.
    pub pos: Pos,
}

/// How a trajectory key of a feature vector relates to the topology.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrajectoryKey {
    /// The key names an asset type (the target of an edge): `design`.
    Asset(String),
    /// The key names an edge (canonical or underscored): resolved to its canonical id.
    Edge(String),
}

/// The whole graph topology, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    /// Asset types in file order.
    pub asset_types: Vec<AssetType>,
    /// Transitions in file order (two may share a canonical id).
    pub transitions: Vec<Transition>,
    /// Constraint dimensions in file order.
    pub constraint_dimensions: Vec<ConstraintDimension>,
    /// `graph_properties` as JSON, when present.
    pub graph_properties: Option<serde_json::Value>,
    /// `graph_properties.version`, when present.
    pub version: Option<String>,
    /// The raw root mapping.
    pub root: Node,
}

/// The name of one item of a list-form `asset_types` (`- name: intent`, `- id: intent` or a bare
/// `- intent`); `None` when it names nothing, which validation reports.
pub fn listed_asset_name(item: &Node) -> Option<String> {
    match item.entries() {
        Some(_) => item
            .get("name")
            .or_else(|| item.get("id"))
            .and_then(Node::scalar_text),
        None => item.scalar_text(),
    }
    .filter(|n| !n.trim().is_empty())
}

/// A way of writing the topology that real tools use besides the current schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `asset_types` as a list of `{name, description}` items, transitions without `edge_type`,
    /// `constructor` or `edge_config` (the Gemini implementation).
    AssetTypeList,
    /// Transitions whose `edge_type` names the edge (`tdd`, `intent_requirements`), with
    /// `bidirectional: true` for a co-evolving pair and no evaluators or constructor (older scaffolds).
    OlderScaffold,
}

impl Dialect {
    /// How people call it, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Dialect::AssetTypeList => "the Gemini dialect (asset types as a list)",
            Dialect::OlderScaffold => {
                "the older scaffold dialect (free-form edge_type, bidirectional)"
            }
        }
    }
}

impl Topology {
    /// Parses a topology file; only YAML failures are errors here, shape problems are left to `validate`.
    pub fn parse(file: &SourceFile) -> Result<Topology, Diagnostic> {
        let loaded = yaml::load_mapping(file)?;
        Ok(Topology::from_node(loaded.root))
    }

    /// Builds the model leniently from a parsed root: entries of the wrong shape are skipped.
    pub fn from_node(root: Node) -> Topology {
        let mut asset_types = Vec::new();
        let asset_node = root.get("asset_types");
        let asset = |name: String, pos: Pos, value: &Node| AssetType {
            name,
            description: value.get("description").and_then(Node::scalar_text),
            schema: value.get("schema").map(Node::to_json),
            markov_criteria: value
                .get("markov_criteria")
                .map(Node::string_list)
                .unwrap_or_default(),
            pos,
            node: value.clone(),
        };
        if let Some(entries) = asset_node.and_then(Node::entries) {
            for e in entries {
                asset_types.push(asset(e.key.clone(), e.key_pos, &e.value));
            }
        } else if let Some(items) = asset_node.and_then(Node::items) {
            // The Gemini dialect: a list of `{name, description}` items (or bare names).
            for item in items {
                if let Some(name) = listed_asset_name(item) {
                    asset_types.push(asset(name, item.pos, item));
                }
            }
        }
        let mut transitions = Vec::new();
        if let Some(items) = root.get("transitions").and_then(Node::items) {
            for item in items.iter().filter(|i| i.entries().is_some()) {
                let text = |k: &str| item.get(k).and_then(Node::scalar_text);
                transitions.push(Transition {
                    name: text("name").unwrap_or_default(),
                    source: text("source").unwrap_or_default(),
                    target: text("target").unwrap_or_default(),
                    edge_type: text("edge_type").map(|s| EdgeType::parse(&s)),
                    bidirectional: item
                        .get("bidirectional")
                        .and_then(Node::as_bool)
                        .unwrap_or(false),
                    evaluators: item
                        .get("evaluators")
                        .map(Node::string_list)
                        .unwrap_or_default(),
                    constructor: text("constructor"),
                    edge_config: text("edge_config"),
                    line: item.pos.line,
                    pos: item.pos,
                    node: item.clone(),
                });
            }
        }
        let mut constraint_dimensions = Vec::new();
        if let Some(entries) = root.get("constraint_dimensions").and_then(Node::entries) {
            for e in entries {
                constraint_dimensions.push(ConstraintDimension {
                    name: e.key.clone(),
                    description: e.value.get("description").and_then(Node::scalar_text),
                    mandatory: e.value.get("mandatory").and_then(Node::as_bool),
                    resolves_via: e.value.get("resolves_via").and_then(Node::scalar_text),
                    pos: e.key_pos,
                });
            }
        }
        let graph_properties = root.get("graph_properties").map(Node::to_json);
        let version = root
            .get("graph_properties")
            .and_then(|g| g.get("version"))
            .and_then(Node::scalar_text);
        Topology {
            asset_types,
            transitions,
            constraint_dimensions,
            graph_properties,
            version,
            root,
        }
    }

    /// The dialects this file is written in (empty for the current schema).
    pub fn dialects(&self) -> Vec<Dialect> {
        let mut out = Vec::new();
        if self.root.get("asset_types").and_then(Node::items).is_some() {
            out.push(Dialect::AssetTypeList);
        }
        if self.transitions.iter().any(|t| {
            t.node.get("bidirectional").is_some() || matches!(t.edge_type, Some(EdgeType::Other(_)))
        }) {
            out.push(Dialect::OlderScaffold);
        }
        out
    }

    /// Looks an asset type up by name.
    pub fn asset_type(&self, name: &str) -> Option<&AssetType> {
        self.asset_types.iter().find(|a| a.name == name)
    }

    /// Distinct canonical edge ids in file order (the claude topology has 22 transitions, 21 ids).
    pub fn edge_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::with_capacity(self.transitions.len());
        for t in &self.transitions {
            let id = t.edge_id();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The transitions whose canonical id is `edge_id` (usually one; duplicates are possible).
    pub fn transitions_for<'a>(
        &'a self,
        edge_id: &'a str,
    ) -> impl Iterator<Item = &'a Transition> + 'a {
        self.transitions
            .iter()
            .filter(move |t| t.edge_id() == edge_id)
    }

    /// Resolves any spelling of an edge to its canonical id in this topology.
    ///
    /// Accepts the canonical id, spaced or ASCII arrows (`a -> b`), the wrong arrow kind
    /// (`code→unit_tests` for the co-evolution `code↔unit_tests`) and the underscored form (`design_code`).
    /// Callers that care about spelling compare the result with their input.
    pub fn resolve_edge(&self, raw: &str) -> Option<String> {
        let canonical = canonical_edge_id(raw);
        if self.transitions.iter().any(|t| t.edge_id() == canonical) {
            return Some(canonical);
        }
        let split = canonical
            .split_once('→')
            .or_else(|| canonical.split_once('↔'));
        if let Some((source, target)) = split {
            return self
                .transitions
                .iter()
                .find(|t| t.source == source && t.target == target)
                .map(Transition::edge_id);
        }
        self.transitions
            .iter()
            .find(|t| t.underscored_id() == canonical)
            .map(Transition::edge_id)
    }

    /// Classifies a trajectory key: an asset type name first, else an edge in any spelling.
    pub fn classify_trajectory_key(&self, key: &str) -> Option<TrajectoryKey> {
        if self.asset_type(key).is_some() {
            return Some(TrajectoryKey::Asset(key.to_string()));
        }
        self.resolve_edge(key).map(TrajectoryKey::Edge)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "\
asset_types:
  design: {description: \"Tech design\", schema: {components: list}, markov_criteria: [has_components]}
  code:   {description: \"Source\", schema: {files: list}, markov_criteria: [compiles]}
  unit_tests: {description: \"Tests\", schema: {files: list}, markov_criteria: [all_pass]}
transitions:
  - {name: \"Design → Code\", source: design, target: code, edge_type: standard,
     evaluators: [agent, deterministic], constructor: agent, edge_config: \"edge_params/design_code.yml\"}
  - name: \"Code ↔ Unit Tests\"
    source: code
    target: unit_tests
    edge_type: co_evolution
    evaluators: [agent]
    constructor: agent
  - {name: again, source: design, target: code, edge_type: standard, evaluators: [human], constructor: agent}
graph_properties: {directed: true, cyclic: false, version: \"1.0.0\"}
";

    fn small() -> Topology {
        Topology::parse(&SourceFile::new("graph/graph_topology.yml", SMALL)).expect("parse")
    }

    #[test]
    fn edge_ids_are_canonical_distinct_and_ordered() {
        let t = small();
        assert_eq!(t.asset_types.len(), 3);
        assert_eq!(t.transitions.len(), 3);
        assert_eq!(
            t.edge_ids(),
            vec!["design→code".to_string(), "code↔unit_tests".to_string()]
        );
        assert_eq!(t.transitions[1].line, 8);
        assert_eq!(t.version.as_deref(), Some("1.0.0"));
        assert_eq!(t.transitions_for("design→code").count(), 2);
    }

    #[test]
    fn edge_config_file_name_strips_the_directory() {
        let t = small();
        assert_eq!(
            t.transitions[0].edge_config_file_name(),
            Some("design_code.yml")
        );
        assert_eq!(t.transitions[1].edge_config_file_name(), None);
    }

    #[test]
    fn resolve_edge_accepts_every_spelling() {
        let t = small();
        assert_eq!(
            t.resolve_edge("design→code").as_deref(),
            Some("design→code")
        );
        assert_eq!(
            t.resolve_edge("design -> code").as_deref(),
            Some("design→code")
        );
        assert_eq!(
            t.resolve_edge("code→unit_tests").as_deref(),
            Some("code↔unit_tests")
        );
        assert_eq!(
            t.resolve_edge("code_unit_tests").as_deref(),
            Some("code↔unit_tests")
        );
        assert_eq!(t.resolve_edge("design→unit_tests"), None);
        assert_eq!(t.resolve_edge("nonsense"), None);
    }

    #[test]
    fn trajectory_keys_are_assets_or_edges() {
        let t = small();
        assert_eq!(
            t.classify_trajectory_key("code"),
            Some(TrajectoryKey::Asset("code".into()))
        );
        assert_eq!(
            t.classify_trajectory_key("design_code"),
            Some(TrajectoryKey::Edge("design→code".into()))
        );
        assert_eq!(t.classify_trajectory_key("telemetry"), None);
    }

    #[test]
    fn wrong_shapes_are_skipped_leniently() {
        let t = Topology::parse(&SourceFile::new(
            "t.yml",
            "asset_types: [a, {b: 1}]\ntransitions:\n  - just a string\n  - {source: a}\n",
        ))
        .expect("parse");
        // A bare name in a list is an asset type (the Gemini dialect); a nameless mapping is not.
        assert_eq!(t.asset_types.len(), 1);
        assert_eq!(t.asset_types[0].name, "a");
        assert_eq!(t.transitions.len(), 1);
        assert_eq!(t.transitions[0].edge_id(), "a→");
    }
}
