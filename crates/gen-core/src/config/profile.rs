//! Projection profiles (`profiles/*.yml`): which edges a feature must traverse, which are optional or
//! skipped, and which evaluators run on each. Status uses a profile to decide when a feature is done.

use super::topology::Topology;
use super::yaml::{self, Node, Pos};
use super::{Diagnostic, SourceFile};

/// The `graph.include` of a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Include {
    /// `include: all` — every transition of the topology.
    All,
    /// An explicit list of edge ids, as written.
    Edges(Vec<String>),
}

/// One edge reference in a profile, with where it is written; validation checks each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeRef {
    /// Which list it is in: `graph.include`, `graph.optional`, `graph.skip` or `evaluators.overrides`.
    pub section: &'static str,
    /// The edge as written.
    pub raw: String,
    /// Where it is written.
    pub pos: Pos,
}

/// A profile's edges resolved against a topology: canonical ids, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedEdges {
    /// Edges a feature must converge on.
    pub required: Vec<String>,
    /// Edges that may be traversed but do not block completion.
    pub optional: Vec<String>,
    /// Edges explicitly skipped.
    pub skipped: Vec<String>,
    /// References that match no transition, as written.
    pub unknown: Vec<String>,
}

/// One parsed profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Workspace-relative path of the file.
    pub path: String,
    /// The profile name: `profile:` when present, else the file stem.
    pub name: String,
    /// The `profile:` value as written, if any.
    pub declared_name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `graph.include`.
    pub include: Include,
    /// `graph.optional`.
    pub optional: Vec<String>,
    /// `graph.skip`.
    pub skip: Vec<String>,
    /// `evaluators.default`.
    pub default_evaluators: Vec<String>,
    /// `evaluators.overrides`: edge as written → evaluators.
    pub evaluator_overrides: Vec<(String, Vec<String>)>,
    /// `vector_types` this profile accepts.
    pub vector_types: Vec<String>,
    /// `iteration.budget` (`per_sprint`, `time_boxed`, ...).
    pub iteration_budget: Option<String>,
    /// `iteration.time_box` (or a top-level `time_box`) as JSON.
    pub time_box: Option<serde_json::Value>,
    /// Every edge reference with its position.
    pub edge_refs: Vec<EdgeRef>,
    /// The raw root mapping.
    pub root: Node,
}

impl Profile {
    /// Parses a profile file; the file stem names the profile when `profile:` is missing.
    pub fn parse(file: &SourceFile) -> Result<Profile, Diagnostic> {
        let loaded = yaml::load_mapping(file)?;
        Ok(Profile::from_node(&file.path, loaded.root))
    }

    /// Builds the model leniently from a parsed root; `path` gives the fallback name (its file stem).
    pub fn from_node(path: &str, root: Node) -> Profile {
        let stem = SourceFile::new(path, "").stem().to_string();
        let declared_name = root.get("profile").and_then(Node::scalar_text);
        let graph = root.get("graph");
        let mut edge_refs = Vec::new();
        let mut list = |section: &'static str, node: Option<&Node>| -> Vec<String> {
            let mut out = Vec::new();
            let Some(node) = node else { return out };
            let items: Vec<&Node> = match node.items() {
                Some(items) => items.iter().collect(),
                None => vec![node],
            };
            for item in items {
                if let Some(raw) = item.scalar_text() {
                    edge_refs.push(EdgeRef {
                        section,
                        raw: raw.clone(),
                        pos: item.pos,
                    });
                    out.push(raw);
                }
            }
            out
        };
        let include_node = graph.and_then(|g| g.get("include"));
        let include = match include_node {
            Some(n)
                if n.as_str()
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case("all")) =>
            {
                Include::All
            }
            other => Include::Edges(list("graph.include", other)),
        };
        let optional = list("graph.optional", graph.and_then(|g| g.get("optional")));
        let skip = list("graph.skip", graph.and_then(|g| g.get("skip")));

        let evaluators = root.get("evaluators");
        let mut evaluator_overrides = Vec::new();
        if let Some(entries) = evaluators
            .and_then(|e| e.get("overrides"))
            .and_then(Node::entries)
        {
            for e in entries {
                edge_refs.push(EdgeRef {
                    section: "evaluators.overrides",
                    raw: e.key.clone(),
                    pos: e.key_pos,
                });
                let evs = e
                    .value
                    .get("evaluators")
                    .map(Node::string_list)
                    .or_else(|| e.value.items().map(|_| e.value.string_list()))
                    .unwrap_or_default();
                evaluator_overrides.push((e.key.clone(), evs));
            }
        }
        let iteration = root.get("iteration");
        Profile {
            path: path.to_string(),
            name: declared_name.clone().unwrap_or(stem),
            declared_name,
            description: root.get("description").and_then(Node::scalar_text),
            version: root.get("version").and_then(Node::scalar_text),
            include,
            optional,
            skip,
            default_evaluators: evaluators
                .and_then(|e| e.get("default"))
                .map(Node::string_list)
                .unwrap_or_default(),
            evaluator_overrides,
            vector_types: root
                .get("vector_types")
                .map(Node::string_list)
                .unwrap_or_default(),
            iteration_budget: iteration
                .and_then(|i| i.get("budget"))
                .and_then(Node::scalar_text),
            time_box: iteration
                .and_then(|i| i.get("time_box"))
                .or_else(|| root.get("time_box"))
                .filter(|n| !n.is_blank())
                .map(Node::to_json),
            edge_refs,
            root,
        }
    }

    /// Resolves the profile's edges against a topology.
    ///
    /// `include: all` means every transition except the optional and skipped ones; explicit lists are
    /// canonicalised (any spelling [`Topology::resolve_edge`] accepts) and de-duplicated in order.
    pub fn resolve_edges(&self, topology: &Topology) -> ResolvedEdges {
        let mut out = ResolvedEdges::default();
        let resolve_all = |raws: &[String], unknown: &mut Vec<String>| -> Vec<String> {
            let mut ids: Vec<String> = Vec::new();
            for raw in raws {
                match topology.resolve_edge(raw) {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => unknown.push(raw.clone()),
                }
            }
            ids
        };
        out.optional = resolve_all(&self.optional, &mut out.unknown);
        out.skipped = resolve_all(&self.skip, &mut out.unknown);
        out.required = match &self.include {
            Include::All => topology
                .edge_ids()
                .into_iter()
                .filter(|id| !out.optional.contains(id) && !out.skipped.contains(id))
                .collect(),
            Include::Edges(list) => resolve_all(list, &mut out.unknown),
        };
        out
    }

    /// The evaluators that run on an edge under this profile: the override for that edge, else the default.
    pub fn evaluators_for(&self, edge_id: &str) -> &[String] {
        self.evaluator_overrides
            .iter()
            .find(|(edge, _)| super::canonical_edge_id(edge) == edge_id)
            .map_or(&self.default_evaluators, |(_, evs)| evs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPO: &str = "\
asset_types: {intent: {}, requirements: {}, design: {}, code: {}, unit_tests: {}}
transitions:
  - {source: intent, target: requirements, edge_type: standard}
  - {source: requirements, target: design, edge_type: standard}
  - {source: design, target: code, edge_type: standard}
  - {source: code, target: unit_tests, edge_type: co_evolution}
";

    fn topo() -> Topology {
        Topology::parse(&SourceFile::new("graph_topology.yml", TOPO)).expect("topology")
    }

    #[test]
    fn explicit_include_resolves_in_order() {
        let p = Profile::parse(&SourceFile::new(
            "profiles/standard.yml",
            "profile: standard\ngraph:\n  include:\n    - \"intent→requirements\"\n    - \"design -> code\"\n    - \"code↔unit_tests\"\n    - \"bogus→edge\"\n  optional: [\"requirements→design\"]\n\
             evaluators:\n  default: [agent]\n  overrides:\n    \"design→code\": {evaluators: [human]}\n\
             iteration: {budget: per_sprint}\nvector_types: [feature]\n",
        ))
        .expect("profile");
        assert_eq!(p.name, "standard");
        let r = p.resolve_edges(&topo());
        assert_eq!(
            r.required,
            ["intent→requirements", "design→code", "code↔unit_tests"]
        );
        assert_eq!(r.optional, ["requirements→design"]);
        assert_eq!(r.unknown, ["bogus→edge"]);
        assert_eq!(p.evaluators_for("design→code"), ["human"]);
        assert_eq!(p.evaluators_for("intent→requirements"), ["agent"]);
        assert_eq!(p.edge_refs.len(), 6);
        assert_eq!(p.edge_refs[3].pos, Pos::new(7, 7));
        assert_eq!(p.edge_refs[5].section, "evaluators.overrides");
    }

    #[test]
    fn include_all_takes_every_edge_but_skips() {
        let p = Profile::parse(&SourceFile::new(
            "profiles/full.yml",
            "graph:\n  include: all\n  skip: [\"code↔unit_tests\"]\niteration:\n  budget: time_boxed\n  time_box: {duration: 1h}\n",
        ))
        .expect("profile");
        assert_eq!(p.name, "full");
        assert_eq!(p.declared_name, None);
        assert_eq!(p.include, Include::All);
        let r = p.resolve_edges(&topo());
        assert_eq!(
            r.required,
            ["intent→requirements", "requirements→design", "design→code"]
        );
        assert_eq!(r.skipped, ["code↔unit_tests"]);
        assert_eq!(p.iteration_budget.as_deref(), Some("time_boxed"));
        assert!(p.time_box.is_some());
    }
}
