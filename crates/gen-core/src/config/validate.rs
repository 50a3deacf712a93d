//! `gen validate`: every rule we can check on a config set without running anything.
//!
//! The rules come from the reference's own checks (`imp_bedrock/tests/test_config_validation.py` and
//! `workspace_state.verify_genesis_compliance`, summarised in genesis-reference §2.7) plus cross-references
//! that are sound but the reference never made (profile edges, feature trajectories, `$vars`).
//!
//! Severity policy: an **error** is something that breaks derivation or makes a reference dangle (a
//! transition to an unknown asset type, an invalid evaluator, a checklist entry the engine cannot run, a
//! file that does not parse). A **warning** is something that works but is incomplete, unusual or
//! non-canonical (missing descriptions, spaced arrows, unresolved `$vars` — the engine skips those checks).

use std::collections::HashMap;

use super::constraints::{Constraints, var_refs};
use super::edge_params::EdgeParams;
use super::evaluators::{EVALUATOR_KINDS, EvaluatorDefaults};
use super::feature::FeatureVector;
use super::profile::{Include, Profile};
use super::topology::{Dialect, EdgeType, Topology};
use super::yaml::{self, Node, Pos};
use super::{ConfigSet, Diagnostic, Finding, Remedy, Severity, SourceFile, canonical_edge_id};

const CONSTRUCTORS: [&str; 2] = ["agent", "deterministic"];
const VECTOR_TYPES: [&str; 5] = ["feature", "discovery", "spike", "poc", "hotfix"];
const FEATURE_STATUSES: [&str; 5] = [
    "pending",
    "in_progress",
    "converged",
    "blocked",
    "time_box_expired",
];
/// Keys `workspace_state.load_feature_vector` refuses in active/completed vectors.
const FORBIDDEN_FEATURE_KEYS: [&str; 5] = [
    "satisfies",
    "success_criteria",
    "dependencies",
    "what_converges",
    "phase",
];
const CHECK_FIELDS: [&str; 4] = ["name", "type", "criterion", "required"];
const VAR_FIELDS: [&str; 4] = ["criterion", "command", "pass_criterion", "required"];

/// The outcome of validation: errors fail `gen validate`, warnings are shown but do not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Findings that make the config invalid.
    pub errors: Vec<Diagnostic>,
    /// Findings worth a look that do not make the config invalid.
    pub warnings: Vec<Diagnostic>,
}

impl Report {
    /// True when there is no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Files a diagnostic under its severity.
    pub fn push(&mut self, d: Diagnostic) {
        match d.severity {
            Severity::Error => self.errors.push(d),
            Severity::Warning => self.warnings.push(d),
        }
    }

    /// All diagnostics, errors first, for printing.
    pub fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.errors.iter().chain(self.warnings.iter())
    }

    /// The report as `gen validate --json` prints it, each hint worded by `hint` (the front end's
    /// words for a finding's hint or [`super::Remedy`]).
    pub fn worded(&self, hint: impl Fn(&Diagnostic) -> Option<String>) -> WordedReport {
        let word = |d: &Diagnostic| Finding::worded(d, hint(d));
        WordedReport {
            ok: self.is_ok(),
            errors: self.errors.iter().map(word).collect(),
            warnings: self.warnings.iter().map(word).collect(),
        }
    }
}

/// The `gen validate --json` shape, `{ok, errors, warnings}`: one type for the CLI and the server.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WordedReport {
    /// True when there is no error (warnings allowed).
    pub ok: bool,
    /// Findings that make the config invalid.
    pub errors: Vec<Finding>,
    /// Findings worth a look that do not make the config invalid.
    pub warnings: Vec<Finding>,
}

/// The typed models of a config set, as far as they could be parsed; status and routing use these.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// The topology, when present and parseable.
    pub topology: Option<Topology>,
    /// Edge-parameter files that parsed.
    pub edge_params: Vec<EdgeParams>,
    /// Profiles that parsed.
    pub profiles: Vec<Profile>,
    /// Constraints, when present and parseable.
    pub constraints: Option<Constraints>,
    /// Evaluator defaults, when present and parseable.
    pub evaluator_defaults: Option<EvaluatorDefaults>,
    /// Feature vectors that parsed.
    pub features: Vec<FeatureVector>,
}

impl Config {
    /// The profile with this name, if loaded.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The edge-parameter file a transition's `edge_config` points at (matched by file name).
    pub fn edge_params_for(&self, transition: &super::Transition) -> Option<&EdgeParams> {
        let name = transition.edge_config_file_name()?;
        self.edge_params
            .iter()
            .find(|p| p.path.rsplit('/').next() == Some(name))
    }
}

/// Validates a whole config set and reports every finding.
pub fn validate(set: &ConfigSet) -> Report {
    load(set).1
}

/// Parses every file of the set into typed models and validates them in one pass.
pub fn load(set: &ConfigSet) -> (Config, Report) {
    let mut v = Validator {
        report: Report::default(),
    };
    let mut config = Config::default();

    // Constraints first: edge params resolve `$vars` against them.
    if let Some(file) = &set.constraints
        && let Some(loaded) = v.load(file)
    {
        config.constraints = Some(Constraints::from_node(loaded.root));
    }

    match &set.topology {
        Some(file) => {
            if let Some(loaded) = v.load(file) {
                v.check_topology_shape(&file.path, &loaded.root);
                let topology = Topology::from_node(loaded.root);
                v.check_topology(&file.path, &topology);
                config.topology = Some(topology);
            }
        }
        None => match &set.v0_config {
            // A v0 task workspace predates the graph: nothing is broken, there is just no graph yet.
            Some(v0) if set.features.is_empty() && set.profiles.is_empty() => {
                v.load_any(v0);
                v.report.push(
                    Diagnostic::warning(
                        &v0.path,
                        None,
                        "this is a v0 task workspace (config/workspace_config.yml, tasks/, templates/): it \
                         tracks tasks, not an asset graph, so there is no topology, feature or event to check",
                    )
                    .with_remedy(Remedy::AdoptGraphMethod),
                );
            }
            _ => {
                let path = if looks_like_workspace(set) {
                    "graph/graph_topology.yml"
                } else {
                    "graph_topology.yml"
                };
                v.report.push(
                    Diagnostic::error(path, None, "no graph topology file was found")
                        .with_remedy(Remedy::CreateDefaultGraph),
                );
            }
        },
    }

    for file in &set.edge_params {
        if let Some(loaded) = v.load(file) {
            let params = EdgeParams::from_node(&file.path, loaded.root, loaded.documents);
            v.check_edge_params(
                file,
                &params,
                config.topology.as_ref(),
                config.constraints.as_ref(),
            );
            config.edge_params.push(params);
        }
    }
    if let (Some(file), Some(topology)) = (&set.topology, &config.topology) {
        v.check_edge_configs(&file.path, topology, set, &config.edge_params);
    }

    for file in &set.profiles {
        if let Some(loaded) = v.load(file) {
            let profile = Profile::from_node(&file.path, loaded.root);
            v.check_profile(file, &profile, config.topology.as_ref());
            config.profiles.push(profile);
        }
    }
    v.check_profile_names(&config.profiles);

    if let (Some(file), Some(constraints)) = (&set.constraints, &config.constraints) {
        v.check_constraints(
            &file.path,
            constraints,
            config.topology.as_ref(),
            &config.profiles,
        );
    }

    if let Some(file) = &set.evaluator_defaults
        && let Some(loaded) = v.load(file)
    {
        let defaults = EvaluatorDefaults::from_node(loaded.root, loaded.documents);
        v.check_evaluator_defaults(&file.path, &defaults);
        config.evaluator_defaults = Some(defaults);
    }

    for file in &set.features {
        if let Some(loaded) = v.load(file) {
            let feature = FeatureVector::from_node(&file.path, file.stem(), loaded.root);
            v.check_feature(file, &feature, config.topology.as_ref(), &config.profiles);
            config.features.push(feature);
        }
    }
    v.check_feature_ids(&config.features);

    for file in &set.extra_yaml {
        v.load_any(file);
    }

    (config, v.report)
}

/// True when the paths look like a `.ai-workspace/` (rather than a flat plugin config dir).
fn looks_like_workspace(set: &ConfigSet) -> bool {
    let mut paths = set
        .edge_params
        .iter()
        .chain(set.profiles.iter())
        .chain(set.features.iter())
        .chain(set.extra_yaml.iter())
        .chain(set.constraints.iter())
        .chain(set.evaluator_defaults.iter())
        .map(|f| f.path.as_str());
    !set.features.is_empty()
        || paths.any(|p| {
            p.starts_with("graph/") || p.starts_with("features/") || p.contains("context/")
        })
}

/// A field the current schema wants that a dialect leaves out, gathered into one warning per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    AssetProse,
    Name,
    EdgeType,
    FreeFormEdgeType,
    Evaluators,
    Constructor,
}

impl Wanted {
    const ALL: [Wanted; 6] = [
        Wanted::AssetProse,
        Wanted::Name,
        Wanted::EdgeType,
        Wanted::FreeFormEdgeType,
        Wanted::Evaluators,
        Wanted::Constructor,
    ];

    /// What is missing (after a count) and what adding it gives.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Wanted::AssetProse => (
                "asset type(s) lack some of description, schema and markov_criteria",
                "describe each asset type and list its promotion criteria so evaluators know when it is done",
            ),
            Wanted::Name => (
                "transition(s) have no `name`",
                "add a display name such as \"Design → Code\"",
            ),
            Wanted::EdgeType => (
                "transition(s) have no `edge_type` and are read as shown",
                "set `edge_type: standard` (or `co_evolution` for a pair that converges together)",
            ),
            Wanted::FreeFormEdgeType => (
                "transition(s) name the edge in `edge_type` and are read as shown",
                "use `standard` for a directed edge or `co_evolution` for a pair that converges together",
            ),
            Wanted::Evaluators => (
                "transition(s) have no `evaluators`; their checks come from edge parameters alone",
                "list the evaluator kinds, e.g. `evaluators: [agent, human]`",
            ),
            Wanted::Constructor => (
                "transition(s) have no `constructor`; an agent constructs their assets",
                "set `constructor: agent` or `constructor: deterministic`",
            ),
        }
    }
}

fn join(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Validator {
    report: Report,
}

impl Validator {
    fn error(&mut self, file: &str, pos: Pos, message: String, hint: &str) {
        self.report
            .push(Diagnostic::error(file, pos.known(), message).with_hint(hint));
    }

    fn warn(&mut self, file: &str, pos: Pos, message: String, hint: &str) {
        self.report
            .push(Diagnostic::warning(file, pos.known(), message).with_hint(hint));
    }

    /// Loads a config file whose root must be a mapping; reports and returns `None` on failure.
    fn load(&mut self, file: &SourceFile) -> Option<yaml::Loaded> {
        match yaml::load_mapping(file) {
            Ok(l) => Some(l),
            Err(d) => {
                self.report.push(d);
                None
            }
        }
    }

    /// Loads any YAML file (it only has to parse and be non-empty).
    fn load_any(&mut self, file: &SourceFile) {
        if let Err(d) = yaml::load(file) {
            self.report.push(d);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Topology
    // ----------------------------------------------------------------------------------------------

    /// Shape rules the lenient model cannot express (wrong container kinds, non-mapping items).
    fn check_topology_shape(&mut self, file: &str, root: &Node) {
        match root.entry("asset_types") {
            None => self.error(
                file,
                root.pos,
                "the topology has no `asset_types` mapping".into(),
                "add `asset_types:` with one entry per asset type (intent, requirements, design, ...)",
            ),
            Some(e) => match (e.value.entries(), e.value.items()) {
                (Some([]), _) | (_, Some([])) => self.error(
                    file,
                    e.key_pos,
                    "`asset_types` is empty, so no transition can be valid".into(),
                    "declare the asset types the transitions connect",
                ),
                (Some(entries), _) => {
                    for a in entries.iter().filter(|a| a.value.entries().is_none()) {
                        self.error(
                            file,
                            a.key_pos,
                            format!("asset type `{}` must be a mapping, found {}", a.key, a.value.kind()),
                            "give it `description`, `schema` and `markov_criteria`",
                        );
                    }
                }
                (None, Some(items)) => {
                    // The Gemini dialect: `- name: intent` items; read as the same graph.
                    for item in items {
                        let named = match item.entries() {
                            Some(_) => item
                                .get("name")
                                .or_else(|| item.get("id"))
                                .and_then(Node::scalar_text),
                            None => item.scalar_text(),
                        };
                        if named.is_none_or(|n| n.trim().is_empty()) {
                            self.error(
                                file,
                                item.pos,
                                format!("an item of the `asset_types` list has no `name` (found {})", item.kind()),
                                "write each item as `- name: requirements` with a `description`",
                            );
                        }
                    }
                }
                (None, None) => self.error(
                    file,
                    e.value.pos,
                    format!("`asset_types` must be a mapping of name → definition, found {}", e.value.kind()),
                    "write each asset type as `name: {description, schema, markov_criteria}`",
                ),
            },
        }
        match root.entry("transitions") {
            None => self.error(
                file,
                root.pos,
                "the topology has no `transitions` list".into(),
                "add `transitions:` with one item per admissible edge",
            ),
            Some(e) => match e.value.items() {
                None => self.error(
                    file,
                    e.value.pos,
                    format!("`transitions` must be a list, found {}", e.value.kind()),
                    "write each transition as a `- source: ... target: ...` list item",
                ),
                Some([]) => self.warn(
                    file,
                    e.key_pos,
                    "`transitions` is empty: the graph has no edges, so no feature can make progress".into(),
                    "add the transitions between your asset types",
                ),
                Some(items) => {
                    for item in items.iter().filter(|i| i.entries().is_none()) {
                        self.error(
                            file,
                            item.pos,
                            format!("a transition must be a mapping, found {}", item.kind()),
                            "write `- {name, source, target, edge_type, evaluators, constructor}`",
                        );
                    }
                }
            },
        }
        if let Some(e) = root.entry("constraint_dimensions")
            && e.value.entries().is_none()
            && !e.value.is_null()
        {
            self.error(
                file,
                e.value.pos,
                format!(
                    "`constraint_dimensions` must be a mapping, found {}",
                    e.value.kind()
                ),
                "write each dimension as `name: {description, mandatory, resolves_via}`",
            );
        }
    }

    fn check_topology(&mut self, file: &str, topology: &Topology) {
        let dialects = topology.dialects();
        // In a dialect, fields the current schema wants but that tool never writes are missing on
        // every item: one warning per field names the dialect and the items, instead of dozens.
        let mut gathered: Vec<(Wanted, String, Pos)> = Vec::new();
        let gather = !dialects.is_empty();
        for d in &dialects {
            self.warn(
                file,
                topology.root.pos,
                format!(
                    "the topology is written in {}; gen reads it as the same graph{}",
                    d.label(),
                    match d {
                        Dialect::AssetTypeList =>
                            " (each list item is an asset type; a transition named `a↔b` is co-evolution)",
                        Dialect::OlderScaffold =>
                            " (a free-form edge_type is a directed edge; `bidirectional: true` is co-evolution)",
                    }
                ),
                "nothing to do to read it; to move to the current schema, write asset_types as a mapping and give \
                 each transition edge_type, evaluators, constructor and edge_config",
            );
        }
        for a in &topology.asset_types {
            if a.node.entries().is_none() {
                continue; // a bare name in a list, or reported by the shape check
            }
            // Warnings, not errors: description and schema are descriptive only (never enforced by any
            // engine) and markov_criteria are read by the evaluating agent, not by `gen`; an asset type
            // without them still routes, converges and shows in status. The workbench also creates asset
            // types incrementally, so an in-progress graph should not be "invalid" for missing prose.
            let mut missing = Vec::new();
            if a.node.get("description").is_none_or(Node::is_blank) {
                missing.push("description".to_string());
            }
            if a.node.get("schema").is_none_or(Node::is_null) {
                missing.push("schema".to_string());
            }
            if a.markov_criteria.is_empty() {
                missing.push("markov_criteria (non-empty list)".to_string());
            }
            if !missing.is_empty() && gather {
                gathered.push((Wanted::AssetProse, a.name.clone(), a.pos));
            } else if !missing.is_empty() {
                self.warn(
                    file,
                    a.pos,
                    format!("asset type `{}` has no {}", a.name, missing.join(", ")),
                    "describe the asset type and list its promotion criteria so evaluators know when it is done",
                );
            }
        }

        let mut seen: HashMap<String, (String, u32)> = HashMap::new();
        for t in &topology.transitions {
            let label = if t.name.is_empty() {
                t.edge_id()
            } else {
                t.name.clone()
            };
            if t.node.get("name").is_none_or(Node::is_blank) && gather {
                gathered.push((Wanted::Name, label.clone(), t.pos));
            } else if t.node.get("name").is_none_or(Node::is_blank) {
                self.warn(
                    file,
                    t.pos,
                    "transition has no `name`".into(),
                    "add a display name such as \"Design → Code\"",
                );
            }
            for (key, value) in [("source", &t.source), ("target", &t.target)] {
                if value.is_empty() {
                    self.error(
                        file,
                        t.pos,
                        format!("transition `{label}` has no `{key}`"),
                        "set it to the name of an asset type",
                    );
                } else if topology.asset_type(value).is_none() {
                    self.error(
                        file,
                        t.field_pos(key),
                        format!("transition `{label}`: {key} `{value}` is not an asset type"),
                        "use a key of `asset_types`, or declare the asset type",
                    );
                }
            }
            // Warnings, not errors: without `edge_type` the edge is read as directed (or co-evolution
            // when named `a↔b` or marked `bidirectional`), so status and routing still work.
            let read_as = if t.is_co_evolution() {
                "co_evolution"
            } else {
                "standard"
            };
            match &t.edge_type {
                None if gather => {
                    gathered.push((Wanted::EdgeType, format!("{label} ({read_as})"), t.pos));
                }
                None => self.warn(
                    file,
                    t.pos,
                    format!("transition `{label}` has no `edge_type`; it is read as {read_as}"),
                    "set `edge_type: standard` (or `co_evolution` for a pair that converges together)",
                ),
                Some(EdgeType::Other(other)) if gather => gathered.push((
                    Wanted::FreeFormEdgeType,
                    format!("{other} ({read_as})"),
                    t.field_pos("edge_type"),
                )),
                Some(EdgeType::Other(other)) => self.warn(
                    file,
                    t.field_pos("edge_type"),
                    format!(
                        "transition `{label}`: edge_type `{other}` is not `standard` or `co_evolution`; it is \
                         read as {read_as}"
                    ),
                    "use `standard` for a directed edge or `co_evolution` for a pair that converges together",
                ),
                Some(_) => {}
            }
            if t.node.get("evaluators").is_none() && gather {
                gathered.push((Wanted::Evaluators, label.clone(), t.pos));
            } else if t.node.get("evaluators").is_none() {
                self.warn(
                    file,
                    t.pos,
                    format!(
                        "transition `{label}` has no `evaluators`; its checks come from its edge parameters alone"
                    ),
                    "list the evaluator kinds, e.g. `evaluators: [agent, human]`",
                );
            } else {
                self.check_evaluator_list(
                    file,
                    t.node.get("evaluators"),
                    t.pos,
                    &format!("transition `{label}`"),
                    true,
                );
            }
            match &t.constructor {
                None if gather => gathered.push((Wanted::Constructor, label.clone(), t.pos)),
                None => self.warn(
                    file,
                    t.pos,
                    format!(
                        "transition `{label}` has no `constructor`; an agent constructs its asset"
                    ),
                    "set `constructor: agent` or `constructor: deterministic`",
                ),
                Some(c) if !CONSTRUCTORS.contains(&c.as_str()) => self.error(
                    file,
                    t.field_pos("constructor"),
                    format!(
                        "transition `{label}`: constructor `{c}` is not `agent` or `deterministic`"
                    ),
                    "use `agent` or `deterministic`",
                ),
                Some(_) => {}
            }
            if let Some(n) = t.node.get("edge_config")
                && n.as_str().is_none_or(|s| s.trim().is_empty())
            {
                self.error(
                    file,
                    n.pos,
                    format!(
                        "transition `{label}`: `edge_config` must be a file path, found {}",
                        n.kind()
                    ),
                    "write e.g. `edge_config: \"edge_params/design_code.yml\"` or remove the key",
                );
            }
            if t.source.is_empty() || t.target.is_empty() {
                continue;
            }
            let id = t.edge_id();
            match seen.get(&id) {
                Some((first, line)) => self.warn(
                    file,
                    t.pos,
                    format!(
                        "transition `{label}` has the same edge id `{id}` as `{first}` (line {line}); events, \
                         profiles and status cannot tell them apart"
                    ),
                    "merge the two transitions, or give one of them a distinct target asset type",
                ),
                None => {
                    seen.insert(id, (label, t.line));
                }
            }
        }

        let dialect = dialects.first().map_or("", |d| d.label());
        for kind in Wanted::ALL {
            let items: Vec<&(Wanted, String, Pos)> =
                gathered.iter().filter(|(k, _, _)| *k == kind).collect();
            let Some((_, _, pos)) = items.first() else {
                continue;
            };
            let names: Vec<String> = items.iter().map(|(_, n, _)| n.clone()).collect();
            let (what, hint) = kind.words();
            self.warn(
                file,
                *pos,
                format!(
                    "{} {what} ({dialect} does not write it): {}",
                    names.len(),
                    join(&names)
                ),
                hint,
            );
        }

        for d in &topology.constraint_dimensions {
            let node = topology
                .root
                .get("constraint_dimensions")
                .and_then(|c| c.get(&d.name));
            if node.is_none_or(|n| n.entries().is_none()) {
                self.warn(
                    file,
                    d.pos,
                    format!("constraint dimension `{}` must be a mapping", d.name),
                    "give it `description`, `mandatory` and `resolves_via`",
                );
                continue;
            }
            let mut missing = Vec::new();
            if d.description.is_none() {
                missing.push("description".to_string());
            }
            if d.mandatory.is_none() {
                missing.push("mandatory (true/false)".to_string());
            }
            if d.resolves_via.is_none() {
                missing.push("resolves_via".to_string());
            }
            if !missing.is_empty() {
                self.warn(
                    file,
                    d.pos,
                    format!(
                        "constraint dimension `{}` has no {}",
                        d.name,
                        missing.join(", ")
                    ),
                    "designers need these to know whether and how the dimension must be resolved",
                );
            }
        }
    }

    /// Evaluator lists appear in transitions, profiles and overrides; all must name known kinds.
    fn check_evaluator_list(
        &mut self,
        file: &str,
        node: Option<&Node>,
        owner_pos: Pos,
        owner: &str,
        required: bool,
    ) {
        let Some(node) = node else {
            if required {
                self.error(
                    file,
                    owner_pos,
                    format!("{owner} has no `evaluators`"),
                    "list the evaluator kinds, e.g. `evaluators: [agent, human]`",
                );
            }
            return;
        };
        let Some(items) = node.items() else {
            self.error(
                file,
                node.pos,
                format!(
                    "{owner}: `evaluators` must be a list, found {}",
                    node.kind()
                ),
                "write e.g. `evaluators: [agent, deterministic]`",
            );
            return;
        };
        if items.is_empty() && required {
            self.error(
                file,
                node.pos,
                format!(
                    "{owner}: `evaluators` is empty, so nothing can declare the edge converged"
                ),
                "list at least one of human, agent, deterministic",
            );
        }
        for item in items {
            let name = item
                .scalar_text()
                .unwrap_or_else(|| item.kind().to_string());
            if !EVALUATOR_KINDS.contains(&name.as_str()) {
                self.error(
                    file,
                    item.pos,
                    format!(
                        "{owner}: evaluator `{name}` is not one of human, agent, deterministic"
                    ),
                    "use only human, agent and deterministic",
                );
            }
        }
    }

    /// Every `edge_config` must name an edge-parameter file of the set.
    fn check_edge_configs(
        &mut self,
        file: &str,
        topology: &Topology,
        set: &ConfigSet,
        params: &[EdgeParams],
    ) {
        let workspace = file.starts_with("graph/");
        let dir = if workspace {
            "graph/edge_params/"
        } else {
            "edge_params/"
        };
        let mut missing: Vec<(String, Pos)> = Vec::new();
        for t in &topology.transitions {
            let Some(name) = t.edge_config_file_name() else {
                continue;
            };
            let found = set.edge_params.iter().find(|f| f.file_name() == name);
            match found {
                Some(f) => {
                    let Some(p) = params.iter().find(|p| p.path == f.path) else {
                        continue;
                    };
                    if p.checklist.is_empty() && p.evaluator_entries == 0 {
                        self.warn(
                            file,
                            t.field_pos("edge_config"),
                            format!(
                                "edge `{}` uses `{}`, which has no checklist or evaluators entries, so the edge \
                                 converges with nothing checked",
                                t.edge_id(),
                                f.path
                            ),
                            "add a `checklist:` to the edge-parameter file",
                        );
                    }
                }
                None if set.edge_params.is_empty() => {
                    if !missing.iter().any(|(m, _)| m == name) {
                        missing.push((name.to_string(), t.field_pos("edge_config")));
                    }
                }
                None => self.error(
                    file,
                    t.field_pos("edge_config"),
                    format!(
                        "edge `{}`: edge_config `{}` matches none of the {} edge-parameter files",
                        t.edge_id(),
                        t.edge_config.as_deref().unwrap_or_default(),
                        set.edge_params.len()
                    ),
                    &format!("add {dir}{name}, or point edge_config at an existing file"),
                ),
            }
        }
        if let Some((_, pos)) = missing.first() {
            // A warning, not an error: when a workspace has no edge-parameter dir at all, the reference
            // engine (`__main__._find_edge_params`) falls back to the copy shipped with its package, so the
            // edges still run — the real genesis-method workspace is laid out exactly like this. But
            // `verify_genesis_compliance` flags it (iterate invariant) and the checks then depend on whatever
            // package version is installed, so the user should know.
            let names: Vec<String> = missing.iter().map(|(n, _)| n.clone()).collect();
            let message = format!(
                "the topology names {} edge-parameter files ({}) but {} has none; the reference engine falls \
                 back to the copies in its installed package, so these edges are checked by whatever that \
                 version ships",
                names.len(),
                join(&names),
                if workspace {
                    "the workspace (graph/edge_params/ or graph/edges/)"
                } else {
                    "the config dir"
                },
            );
            if workspace {
                self.report.push(
                    Diagnostic::warning(file, pos.known(), message)
                        .with_remedy(Remedy::RefreshEdgeParams),
                );
            } else {
                self.warn(file, *pos, message, "add the files under edge_params/");
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Edge parameters
    // ----------------------------------------------------------------------------------------------

    fn check_edge_params(
        &mut self,
        file: &SourceFile,
        params: &EdgeParams,
        topology: Option<&Topology>,
        constraints: Option<&Constraints>,
    ) {
        let path = file.path.as_str();
        let root = &params.root;
        if let (Some(edge), Some(node)) = (&params.edge, root.get("edge")) {
            let canonical = canonical_edge_id(edge);
            let has_arrow = canonical.contains(['→', '↔']);
            let resolved = topology.and_then(|t| t.resolve_edge(edge));
            if !has_arrow && resolved.is_none() {
                self.warn(
                    path,
                    node.pos,
                    format!("`edge: {edge}` is not an edge id (`source→target`)"),
                    "use the canonical id of the transition this file parameterises, or drop `edge:` if the \
                     file is not tied to one edge",
                );
            } else if let Some(id) = resolved.as_ref().filter(|id| *id != edge) {
                self.warn(
                    path,
                    node.pos,
                    format!(
                        "`edge: {edge}` is not written canonically; events and profiles use `{id}`"
                    ),
                    &format!("write `edge: \"{id}\"`"),
                );
            } else if resolved.is_none() && topology.is_some() {
                self.warn(
                    path,
                    node.pos,
                    format!("`edge: {edge}` is not a transition of the topology"),
                    "fix the edge id or add the transition to graph_topology.yml",
                );
            } else if topology.is_none() && canonical != *edge {
                self.warn(
                    path,
                    node.pos,
                    format!("`edge: {edge}` is not written canonically; write `{canonical}`"),
                    &format!("write `edge: \"{canonical}\"`"),
                );
            }
        }

        if root.get("convergence").is_none_or(Node::is_null) {
            self.error(
                path,
                root.pos,
                "the edge-parameter file has no `convergence` block".into(),
                "add `convergence: {rule: all_required_checks_pass}`",
            );
        }

        if let Some(e) = root.entry("checklist") {
            match e.value.items() {
                None => self.error(
                    path,
                    e.value.pos,
                    format!("`checklist` must be a list, found {}", e.value.kind()),
                    "write each check as a `- name: ...` list item",
                ),
                Some([]) => self.error(
                    path,
                    e.key_pos,
                    "`checklist` is empty".into(),
                    "add at least one check, or remove the key",
                ),
                Some(items) => {
                    for item in items.iter().filter(|i| i.entries().is_none()) {
                        self.error(
                            path,
                            item.pos,
                            format!("a checklist entry must be a mapping, found {}", item.kind()),
                            "write `- {name, type, criterion, required}`",
                        );
                    }
                }
            }
        }

        let mut names: HashMap<String, u32> = HashMap::new();
        for check in &params.checklist {
            let label = check
                .name
                .clone()
                .unwrap_or_else(|| format!("at line {}", check.pos.line));
            let missing: Vec<String> = CHECK_FIELDS
                .iter()
                .filter(|k| check.node.get(k).is_none_or(Node::is_null))
                .map(|k| (*k).to_string())
                .collect();
            if !missing.is_empty() {
                self.error(
                    path,
                    check.pos,
                    format!("check `{label}` has no {}", join(&missing)),
                    "every check needs name, type, criterion and required",
                );
            }
            if let Some(name) = &check.name {
                if let Some(first) = names.get(name) {
                    self.error(
                        path,
                        check.field_pos("name"),
                        format!(
                            "check name `{name}` is used twice in this file (first at line {first})"
                        ),
                        "rename one of the checks; names identify checks in evaluator results",
                    );
                } else {
                    names.insert(name.clone(), check.pos.line);
                }
            }
            if let Some(kind) = &check.check_type
                && !EVALUATOR_KINDS.contains(&kind.as_str())
            {
                self.error(
                    path,
                    check.field_pos("type"),
                    format!(
                        "check `{label}`: type `{kind}` is not one of deterministic, agent, human"
                    ),
                    "use deterministic, agent or human",
                );
            }
            if check.check_type.as_deref() == Some("deterministic")
                && check.command.is_none()
                && check.source.is_none()
                && !check.criterion.as_deref().is_some_and(|c| c.contains('$'))
            {
                self.error(
                    path,
                    check.pos,
                    format!("deterministic check `{label}` has no `command` to run"),
                    "add `command:` (e.g. \"$tools.test_runner.command $tools.test_runner.args\"), a `$var` \
                     criterion, or a `source:`",
                );
            }
            if let Some(req) = &check.required
                && !matches!(
                    req.value,
                    yaml::Yaml::Bool(_) | yaml::Yaml::String(_) | yaml::Yaml::Null
                )
            {
                self.warn(
                    path,
                    req.pos,
                    format!("check `{label}`: `required` is {}, expected true/false or a `$var`", req.kind()),
                    "write `required: true`, `required: false` or `required: \"$tools.x.required\"`",
                );
            }
            self.check_vars(file, check, &label, constraints);
        }
    }

    /// `$var` references in checklist strings must resolve against the constraints (else the engine
    /// skips the check at run time: a warning naming the var at its exact position).
    fn check_vars(
        &mut self,
        file: &SourceFile,
        check: &super::Check,
        label: &str,
        constraints: Option<&Constraints>,
    ) {
        for field in VAR_FIELDS {
            let Some(node) = check.node.get(field) else {
                continue;
            };
            let Some(value) = node.as_str() else { continue };
            let refs = var_refs(value);
            if refs.is_empty() {
                continue;
            }
            let located = locate_refs(&file.text, node);
            for (i, r) in refs.iter().enumerate() {
                let resolved = constraints.is_some_and(|c| c.var_value(&r.name).is_some());
                if resolved {
                    continue;
                }
                let pos = located
                    .iter()
                    .filter(|(name, _)| *name == r.name)
                    .nth(refs[..i].iter().filter(|p| p.name == r.name).count())
                    .map_or(node.pos, |(_, p)| *p);
                match constraints {
                    Some(_) => self.warn(
                        &file.path,
                        pos,
                        format!(
                            "check `{label}`: `${}` in `{field}` does not resolve in the project constraints; \
                             the engine will skip this check",
                            r.name
                        ),
                        &format!(
                            "add `{}` to project_constraints.yml, or fix the variable name",
                            r.name
                        ),
                    ),
                    None => self.report.push(
                        Diagnostic::warning(
                            &file.path,
                            pos.known(),
                            format!(
                                "check `{label}`: `${}` in `{field}` cannot be resolved because there is no \
                                 project constraints file",
                                r.name
                            ),
                        )
                        .with_remedy(Remedy::CreateConstraints),
                    ),
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Profiles
    // ----------------------------------------------------------------------------------------------

    fn check_profile(&mut self, file: &SourceFile, profile: &Profile, topology: Option<&Topology>) {
        let path = file.path.as_str();
        let root = &profile.root;
        match &profile.declared_name {
            None => self.warn(
                path,
                root.pos,
                format!(
                    "the profile has no `profile:` name; the file name `{}` is used",
                    file.stem()
                ),
                &format!("add `profile: {}`", file.stem()),
            ),
            Some(name) if name != file.stem() => self.warn(
                path,
                root.get("profile").map_or(root.pos, |n| n.pos),
                format!("profile `{name}` is in a file named `{}`", file.file_name()),
                "name the file after the profile; features refer to profiles by name",
            ),
            Some(_) => {}
        }
        let mut missing: Vec<String> = [
            "description",
            "version",
            "evaluators",
            "convergence",
            "context",
        ]
        .iter()
        .filter(|k| root.get(k).is_none_or(Node::is_null))
        .map(|k| (*k).to_string())
        .collect();
        if profile.vector_types.is_empty() {
            missing.push("vector_types (non-empty list)".into());
        }
        if !missing.is_empty() {
            self.warn(
                path,
                root.pos,
                format!("profile `{}` has no {}", profile.name, join(&missing)),
                "the reference profiles define all of these; copy the shape of profiles/standard.yml",
            );
        }
        for vt in &profile.vector_types {
            if !VECTOR_TYPES.contains(&vt.as_str()) {
                let pos = root
                    .get("vector_types")
                    .and_then(Node::items)
                    .and_then(|items| {
                        items
                            .iter()
                            .find(|i| i.scalar_text().as_deref() == Some(vt))
                    })
                    .map_or(root.pos, |n| n.pos);
                self.warn(
                    path,
                    pos,
                    format!(
                        "vector type `{vt}` is not one of feature, discovery, spike, poc, hotfix"
                    ),
                    "use a known vector type",
                );
            }
        }

        let graph = root.get("graph");
        match graph {
            None => self.error(
                path,
                root.pos,
                format!(
                    "profile `{}` has no `graph` section, so it selects no edges",
                    profile.name
                ),
                "add `graph: {include: [...]}` or `graph: {include: all}`",
            ),
            Some(g) if g.entries().is_none() => self.error(
                path,
                g.pos,
                format!("`graph` must be a mapping, found {}", g.kind()),
                "write `graph:` with `include:`, and optionally `optional:` and `skip:`",
            ),
            Some(g) => match g.get("include") {
                None => self.error(
                    path,
                    g.pos,
                    format!("profile `{}` has no `graph.include`", profile.name),
                    "list the edges to traverse, or write `include: all`",
                ),
                Some(inc)
                    if matches!(profile.include, Include::Edges(_))
                        && inc.items().is_none()
                        && inc.as_str().is_none() =>
                {
                    self.error(
                        path,
                        inc.pos,
                        format!(
                            "`graph.include` must be `all` or a list of edge ids, found {}",
                            inc.kind()
                        ),
                        "write `include: all` or `include: [\"intent→requirements\", ...]`",
                    );
                }
                Some(_) => {}
            },
        }

        if let Some(topology) = topology {
            for r in &profile.edge_refs {
                match topology.resolve_edge(&r.raw) {
                    None => self.error(
                        path,
                        r.pos,
                        format!(
                            "profile `{}` {} `{}`, which is not an edge of the topology",
                            profile.name, r.section, r.raw
                        ),
                        "use an edge id `source→target` (or `source↔target` for co_evolution) of a transition in \
                         graph_topology.yml",
                    ),
                    Some(id) if id != r.raw => self.warn(
                        path,
                        r.pos,
                        format!("profile `{}` {} `{}` is not canonical; the edge id is `{id}`", profile.name, r.section, r.raw),
                        &format!("write \"{id}\""),
                    ),
                    Some(_) => {}
                }
            }
        }

        if let Some(ev) = root.get("evaluators") {
            if ev.entries().is_none() {
                self.error(
                    path,
                    ev.pos,
                    format!(
                        "`evaluators` must be a mapping with `default` and `overrides`, found {}",
                        ev.kind()
                    ),
                    "write `evaluators: {default: [agent], overrides: {}}`",
                );
            } else {
                let owner = format!("profile `{}` evaluators.default", profile.name);
                self.check_evaluator_list(path, ev.get("default"), ev.pos, &owner, false);
                if let Some(ov) = ev.get("overrides") {
                    if let Some(entries) = ov.entries() {
                        for e in entries {
                            let owner =
                                format!("profile `{}` override for `{}`", profile.name, e.key);
                            let list = e
                                .value
                                .get("evaluators")
                                .or_else(|| e.value.items().map(|_| &e.value));
                            self.check_evaluator_list(path, list, e.key_pos, &owner, true);
                        }
                    } else if !ov.is_null() {
                        self.error(
                            path,
                            ov.pos,
                            format!("`evaluators.overrides` must be a mapping of edge id → evaluators, found {}", ov.kind()),
                            "write `overrides: {\"design→code\": {evaluators: [agent]}}`",
                        );
                    }
                }
            }
        }

        if profile.iteration_budget.as_deref() == Some("time_boxed") && profile.time_box.is_none() {
            let pos = root
                .get("iteration")
                .and_then(|i| i.get("budget"))
                .map_or(root.pos, |n| n.pos);
            self.error(
                path,
                pos,
                format!("profile `{}` has a time_boxed budget but no `iteration.time_box`", profile.name),
                "add `time_box: {duration: \"1 week\", check_in: daily, on_expiry: fold_back}` under `iteration`",
            );
        }
    }

    fn check_profile_names(&mut self, profiles: &[Profile]) {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for p in profiles {
            if let Some(first) = seen.get(p.name.as_str()) {
                self.warn(
                    &p.path,
                    p.root.get("profile").map_or(p.root.pos, |n| n.pos),
                    format!("profile `{}` is defined twice (also in {first})", p.name),
                    "keep one definition per profile name",
                );
            } else {
                seen.insert(&p.name, &p.path);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Constraints and evaluator defaults
    // ----------------------------------------------------------------------------------------------

    fn check_constraints(
        &mut self,
        file: &str,
        constraints: &Constraints,
        topology: Option<&Topology>,
        profiles: &[Profile],
    ) {
        let root = &constraints.root;
        if root.get("project").is_none_or(Node::is_blank) {
            self.warn(
                file,
                root.pos,
                "the constraints file has no `project` section; the reference ignores such a file"
                    .into(),
                "add `project: {name: <your project>, default_profile: standard}`",
            );
        }
        if let Some(default) = constraints.default_profile()
            && !profiles.is_empty()
            && !profiles.iter().any(|p| p.name == default)
        {
            let pos = constraints
                .lookup("project.default_profile")
                .map_or(root.pos, |n| n.pos);
            self.warn(
                file,
                pos,
                format!("default_profile `{default}` is not one of the profiles"),
                "use the name of a file in profiles/",
            );
        }
        if let Some(topology) = topology {
            for d in &topology.constraint_dimensions {
                if d.mandatory != Some(false) && constraints.dimension(&d.name).is_none() {
                    self.warn(
                        file,
                        root.pos,
                        format!("mandatory constraint dimension `{}` has no binding in the constraints", d.name),
                        &format!("add `constraint_dimensions: {{{}: {{...}}}}` with the project's choices", d.name),
                    );
                }
            }
        }
    }

    fn check_evaluator_defaults(&mut self, file: &str, defaults: &EvaluatorDefaults) {
        let root = &defaults.root;
        if root
            .get("evaluator_types")
            .and_then(Node::entries)
            .is_none()
        {
            self.error(
                file,
                root.pos,
                "evaluator defaults have no `evaluator_types` mapping".into(),
                "define `evaluator_types:` with human, agent and deterministic",
            );
            return;
        }
        for kind in EVALUATOR_KINDS {
            match defaults.evaluator(kind) {
                None => self.error(
                    file,
                    root.get("evaluator_types").map_or(root.pos, |n| n.pos),
                    format!("evaluator type `{kind}` is not defined"),
                    "define all three evaluator types: human, agent, deterministic",
                ),
                Some(node) => {
                    let missing: Vec<String> = ["type", "description", "mechanism", "convergence"]
                        .iter()
                        .filter(|k| node.get(k).is_none_or(Node::is_blank))
                        .map(|k| (*k).to_string())
                        .collect();
                    if !missing.is_empty() {
                        self.warn(
                            file,
                            node.pos,
                            format!("evaluator type `{kind}` has no {}", join(&missing)),
                            "agents read these fields to know how to evaluate",
                        );
                    }
                }
            }
        }
        if defaults.composition.as_deref() != Some("all_must_pass") {
            let pos = root
                .get("convergence_rules")
                .and_then(|c| c.get("composition"))
                .map_or(root.pos, |n| n.pos);
            self.warn(
                file,
                pos,
                format!(
                    "`convergence_rules.composition` is {}, but the methodology converges only when all \
                     evaluators pass",
                    defaults.composition.as_deref().map_or("missing".to_string(), |c| format!("`{c}`"))
                ),
                "set `convergence_rules: {composition: all_must_pass}`",
            );
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Feature vectors
    // ----------------------------------------------------------------------------------------------

    fn check_feature(
        &mut self,
        file: &SourceFile,
        feature: &FeatureVector,
        topology: Option<&Topology>,
        profiles: &[Profile],
    ) {
        let path = file.path.as_str();
        let root = &feature.root;
        if !feature.declared {
            self.warn(
                path,
                root.pos,
                format!(
                    "the feature vector has no `feature:` id; the file name `{}` is used",
                    file.stem()
                ),
                &format!("add `feature: {}`", file.stem()),
            );
        } else if feature.feature != file.stem() {
            self.warn(
                path,
                root.get("feature").map_or(root.pos, |n| n.pos),
                format!(
                    "feature `{}` is in a file named `{}`",
                    feature.feature,
                    file.file_name()
                ),
                "name the file after the feature id; tools find vectors by file name",
            );
        }
        match &feature.status {
            None => self.warn(
                path,
                root.pos,
                format!("feature `{}` has no `status`", feature.feature),
                "set `status: pending` (or in_progress, converged, blocked, time_box_expired)",
            ),
            Some(s) if !FEATURE_STATUSES.contains(&s.as_str()) => self.warn(
                path,
                root.get("status").map_or(root.pos, |n| n.pos),
                format!("feature `{}` has unknown status `{s}`", feature.feature),
                "use pending, in_progress, converged, blocked or time_box_expired",
            ),
            Some(_) => {}
        }
        if let Some(vt) = &feature.vector_type
            && !VECTOR_TYPES.contains(&vt.as_str())
        {
            self.warn(
                path,
                root.get("vector_type").map_or(root.pos, |n| n.pos),
                format!(
                    "feature `{}` has unknown vector_type `{vt}`",
                    feature.feature
                ),
                "use feature, discovery, spike, poc or hotfix",
            );
        }
        // An error (issue 2: vectors reference known profiles): the profile decides which edges gate the
        // feature's convergence, so an unknown one makes its status meaningless. Without any profiles
        // (older workspaces rely on the plugin's copies) there is nothing to check against.
        if let Some(p) = &feature.profile
            && !profiles.is_empty()
            && !profiles.iter().any(|x| &x.name == p)
        {
            self.error(
                path,
                root.get("profile").map_or(root.pos, |n| n.pos),
                format!(
                    "feature `{}` uses profile `{p}`, which is not in profiles/",
                    feature.feature
                ),
                "use one of the workspace's profiles or add the profile file",
            );
        }
        if let Some(tr) = root.get("trajectory")
            && tr.entries().is_none()
            && !tr.is_null()
        {
            self.warn(
                path,
                tr.pos,
                format!(
                    "`trajectory` must be a mapping of asset/edge → progress, found {}",
                    tr.kind()
                ),
                "write `trajectory: {requirements: {status: converged}, ...}`",
            );
        }
        if let Some(topology) = topology {
            for entry in &feature.trajectory {
                if topology.classify_trajectory_key(&entry.key).is_none() {
                    self.warn(
                        path,
                        entry.pos,
                        format!(
                            "trajectory key `{}` of feature `{}` is neither an asset type nor an edge of the topology",
                            entry.key, feature.feature
                        ),
                        "use an asset type name (design), an edge id (design→code) or its underscored form (design_code)",
                    );
                }
            }
        }
        if matches!(feature.folder(), Some("active" | "completed")) {
            for e in root.entries().unwrap_or_default() {
                if FORBIDDEN_FEATURE_KEYS.contains(&e.key.as_str()) {
                    self.warn(
                        path,
                        e.key_pos,
                        format!(
                            "`{}` is a spec-level key; the reference engine refuses workspace vectors that have it \
                             (WorkspaceSchemaViolation)",
                            e.key
                        ),
                        "move it to the specification's feature list, or remove it from the workspace vector",
                    );
                }
            }
        }
    }

    fn check_feature_ids(&mut self, features: &[FeatureVector]) {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for f in features {
            if let Some(first) = seen.get(f.feature.as_str()) {
                self.warn(
                    &f.path,
                    f.root.get("feature").map_or(f.root.pos, |n| n.pos),
                    format!("feature `{}` is also defined in {first}", f.feature),
                    "keep one vector per feature (move it between active/completed instead of copying)",
                );
            } else {
                seen.insert(&f.feature, &f.path);
            }
        }
    }
}

/// Finds the `$var` references inside a scalar's source text, with their positions; works for plain,
/// quoted and block scalars because var names never contain characters that quoting changes.
fn locate_refs(text: &str, node: &Node) -> Vec<(String, Pos)> {
    let Some(start) = node.offset.filter(|o| *o <= text.len()) else {
        return Vec::new();
    };
    let end = node
        .len
        .map_or(text.len(), |l| start.saturating_add(l).min(text.len()));
    let Some(raw) = text.get(start..end) else {
        return Vec::new();
    };
    var_refs(raw)
        .into_iter()
        .map(|r| (r.name, Pos::from_offset(text, start + r.start)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worded_report_json_shape_is_pinned() {
        let mut report = Report::default();
        report.push(
            Diagnostic::error(
                "graph/graph_topology.yml",
                Some(Pos::new(12, 5)),
                "unknown asset type `desgn`",
            )
            .with_hint("did you mean `design`?"),
        );
        report.push(
            Diagnostic::error("context/project_constraints.yml", None, "missing")
                .with_remedy(Remedy::CreateConstraints),
        );
        report.push(Diagnostic::warning(
            "profiles/poc.yml",
            Some(Pos::new(2, 1)),
            "unused key `x`",
        ));
        // The front end words remedies; here a stand-in that keeps hints and names remedies.
        let worded = report.worded(|d| {
            d.hint
                .clone()
                .or_else(|| d.remedy.map(|r| format!("{r:?}")))
        });
        insta::assert_json_snapshot!(worded);
        let value = serde_json::to_value(&worded).expect("serialises");
        assert_eq!(
            serde_json::from_value::<WordedReport>(value).ok(),
            Some(worded)
        );
    }

    const TOPOLOGY: &str = "\
asset_types:
  intent: {description: Why, schema: {id: string}, markov_criteria: [has_id]}
  design: {description: How, schema: {components: list}, markov_criteria: [has_components]}
  code: {description: What, schema: {files: list}, markov_criteria: [compiles]}
  unit_tests: {description: Proof, schema: {files: list}, markov_criteria: [all_pass]}
transitions:
  - name: Intent → Design
    source: intent
    target: design
    edge_type: standard
    evaluators: [agent, human]
    constructor: agent
  - name: Design → Code
    source: design
    target: code
    edge_type: standard
    evaluators: [agent, deterministic]
    constructor: agent
    edge_config: edge_params/design_code.yml
  - name: Code ↔ Unit Tests
    source: code
    target: unit_tests
    edge_type: co_evolution
    evaluators: [agent, deterministic]
    constructor: agent
    edge_config: edge_params/tdd.yml
";

    const DESIGN_CODE: &str = "\
edge: \"design→code\"
checklist:
  - {name: compiles, type: deterministic, criterion: Builds, required: true, command: \"$tools.build.command\"}
  - {name: reviewed, type: agent, criterion: Matches design, required: true}
convergence: {rule: all_required_checks_pass}
";

    const TDD: &str = "\
edge: \"code↔unit_tests\"
checklist:
  - name: tests_pass
    type: deterministic
    criterion: All tests pass
    required: \"$tools.test_runner.required\"
    command: \"$tools.test_runner.command\"
convergence: {rule: all_required_checks_pass}
";

    const PROFILE: &str = "\
profile: standard
description: Normal work
version: \"1.0.0\"
graph:
  include: [\"intent→design\", \"design→code\", \"code↔unit_tests\"]
evaluators:
  default: [agent]
  overrides:
    \"design→code\": {evaluators: [agent, deterministic]}
convergence: {rule: all_required_checks_pass}
context: {density: standard}
iteration: {budget: per_sprint}
vector_types: [feature]
";

    const CONSTRAINTS: &str = "\
project: {name: demo, default_profile: standard}
tools:
  build: {command: cargo build}
  test_runner: {command: cargo test, required: true}
";

    const FEATURE: &str = "\
feature: REQ-F-DEMO-001
title: Demo
status: in_progress
profile: standard
vector_type: feature
trajectory:
  design: {status: converged}
  design_code: {status: iterating}
  \"code↔unit_tests\": {status: pending}
";

    fn base() -> ConfigSet {
        ConfigSet {
            topology: Some(SourceFile::new("graph/graph_topology.yml", TOPOLOGY)),
            edge_params: vec![
                SourceFile::new("graph/edge_params/design_code.yml", DESIGN_CODE),
                SourceFile::new("graph/edge_params/tdd.yml", TDD),
            ],
            profiles: vec![SourceFile::new("profiles/standard.yml", PROFILE)],
            constraints: Some(SourceFile::new(
                "context/project_constraints.yml",
                CONSTRAINTS,
            )),
            evaluator_defaults: None,
            features: vec![SourceFile::new(
                "features/active/REQ-F-DEMO-001.yml",
                FEATURE,
            )],
            extra_yaml: Vec::new(),
            v0_config: None,
        }
    }

    fn show(report: &Report) -> String {
        report
            .all()
            .map(Diagnostic::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn with_topology(text: &str) -> Report {
        let mut set = base();
        set.topology = Some(SourceFile::new("graph/graph_topology.yml", text));
        validate(&set)
    }

    fn one_error(report: &Report) -> &Diagnostic {
        assert_eq!(report.errors.len(), 1, "{}", show(report));
        &report.errors[0]
    }

    #[test]
    fn the_fixture_is_clean() {
        let report = validate(&base());
        assert!(
            report.errors.is_empty() && report.warnings.is_empty(),
            "{}",
            show(&report)
        );
    }

    #[test]
    fn transition_target_must_be_an_asset_type() {
        let report = with_topology(&TOPOLOGY.replace("target: code\n", "target: kode\n"));
        let e = &report.errors[0];
        assert_eq!(
            (e.file.as_str(), e.line, e.column),
            ("graph/graph_topology.yml", Some(15), Some(13))
        );
        assert!(
            e.message.contains("target `kode` is not an asset type"),
            "{e}"
        );
        assert!(e.hint.is_some());
        // The profile and edge params that name the vanished edge `design→code` are reported too.
        let topology_errors = report
            .errors
            .iter()
            .filter(|d| d.file == "graph/graph_topology.yml")
            .count();
        assert_eq!(topology_errors, 1, "{}", show(&report));
        assert!(
            report
                .errors
                .iter()
                .any(|d| d.file == "profiles/standard.yml" && d.message.contains("`design→code`"))
        );
    }

    #[test]
    fn transition_source_must_be_an_asset_type() {
        let report = with_topology(&TOPOLOGY.replace("source: intent\n", "source: nothing\n"));
        let e = &report.errors[0];
        assert_eq!((e.line, e.column), (Some(8), Some(13)));
        assert!(
            e.message.contains("source `nothing` is not an asset type"),
            "{e}"
        );
    }

    #[test]
    fn a_free_form_edge_type_is_the_older_scaffold_dialect_and_a_warning() {
        let report =
            with_topology(&TOPOLOGY.replace("edge_type: co_evolution", "edge_type: coevolution"));
        assert_eq!(report.errors.len(), 0, "{}", show(&report));
        let w = report
            .warnings
            .iter()
            .find(|d| d.message.contains("name the edge in `edge_type`"))
            .expect("named");
        assert_eq!((w.line, w.column), (Some(23), Some(16)));
        assert!(w.message.contains("older scaffold dialect"), "{w}");
        assert!(w.message.contains("`coevolution (standard)`"), "{w}");
    }

    #[test]
    fn evaluators_and_constructor_are_checked() {
        let report = with_topology(
            &TOPOLOGY
                .replace("evaluators: [agent, human]", "evaluators: [agent, robot]")
                .replace(
                    "constructor: agent\n  - name: Design",
                    "constructor: human\n  - name: Design",
                ),
        );
        assert_eq!(report.errors.len(), 2, "{}", show(&report));
        assert!(report.errors[0].message.contains("evaluator `robot`"));
        assert_eq!(
            (report.errors[0].line, report.errors[0].column),
            (Some(11), Some(25))
        );
        assert!(report.errors[1].message.contains("constructor `human`"));
    }

    #[test]
    fn a_missing_endpoint_is_an_error_and_missing_descriptive_fields_are_warnings() {
        let report = with_topology(&format!("{TOPOLOGY}  - {{name: Bare, source: code}}\n"));
        let messages: Vec<&str> = report.errors.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{}", show(&report));
        assert!(messages[0].contains("no `target`"));
        let warned: Vec<&str> = report
            .warnings
            .iter()
            .filter(|d| d.line == Some(27))
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(warned.len(), 3, "{}", show(&report));
        assert!(warned[0].contains("no `edge_type`; it is read as standard"));
        assert!(warned[1].contains("no `evaluators`"));
        assert!(warned[2].contains("no `constructor`"));
    }

    const GEMINI: &str = "\
asset_types:
  - name: intent
    description: \"The spark of change\"
  - name: requirements
    description: \"Technology-agnostic WHAT\"
  - name: code
  - name: unit_tests
transitions:
  - source: intent
    target: requirements
    name: \"intent→requirements\"
    evaluators: [\"agent\", \"human\"]
  - source: code
    target: unit_tests
    name: \"code↔unit_tests\"
    evaluators: [\"deterministic\", \"agent\"]
graph_properties: {directed: true, cyclic: true, version: \"2.8.0\"}
";

    const SCAFFOLD: &str = "\
asset_types:
  code: {description: Implementation}
  design: {description: Technical design}
  intent: {description: Business intent}
  requirements: {description: Functional requirements}
  unit_tests: {description: Unit tests}
transitions:
- edge_type: intent_requirements
  source: intent
  target: requirements
- bidirectional: true
  edge_type: tdd
  source: code
  target: unit_tests
";

    fn dialect_only(text: &str) -> Report {
        let mut set = ConfigSet {
            topology: Some(SourceFile::new("graph/graph_topology.yml", text)),
            ..ConfigSet::default()
        };
        set.features.push(SourceFile::new(
            "features/active/REQ-F-A-001.yml",
            "feature: REQ-F-A-001\ntrajectory:\n  requirements: {status: converged}\n",
        ));
        validate(&set)
    }

    #[test]
    fn the_gemini_dialect_reads_as_the_same_graph_with_warnings_only() {
        let t = Topology::parse(&SourceFile::new("t.yml", GEMINI)).unwrap();
        let names: Vec<&str> = t.asset_types.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["intent", "requirements", "code", "unit_tests"]);
        assert_eq!(
            t.asset_types[1].description.as_deref(),
            Some("Technology-agnostic WHAT")
        );
        assert_eq!(t.edge_ids(), ["intent→requirements", "code↔unit_tests"]);
        assert_eq!(t.dialects(), [Dialect::AssetTypeList]);
        let report = dialect_only(GEMINI);
        assert!(report.is_ok(), "{}", show(&report));
        assert!(
            report.warnings[0].message.contains("Gemini dialect"),
            "{}",
            show(&report)
        );
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.message.contains("no `constructor`") && w.message.contains("Gemini")),
            "{}",
            show(&report)
        );
    }

    #[test]
    fn a_gemini_list_item_without_a_name_is_an_error() {
        let report =
            dialect_only(&GEMINI.replace("  - name: code\n", "  - description: nameless\n"));
        let e = &report.errors[0];
        assert!(e.message.contains("has no `name`"), "{e}");
        assert_eq!(e.line, Some(6));
        // ...so the transition that named it dangles too.
        assert_eq!(report.errors.len(), 2, "{}", show(&report));
        let report = dialect_only(&GEMINI.replace("  - name: code\n", ""));
        let e = one_error(&report);
        assert!(
            e.message.contains("source `code` is not an asset type"),
            "{e}"
        );
    }

    #[test]
    fn the_older_scaffold_reads_bidirectional_as_co_evolution() {
        let t = Topology::parse(&SourceFile::new("t.yml", SCAFFOLD)).unwrap();
        assert_eq!(t.edge_ids(), ["intent→requirements", "code↔unit_tests"]);
        assert_eq!(t.dialects(), [Dialect::OlderScaffold]);
        assert_eq!(
            t.resolve_edge("code→unit_tests").as_deref(),
            Some("code↔unit_tests")
        );
        let report = dialect_only(SCAFFOLD);
        assert!(report.is_ok(), "{}", show(&report));
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.message.contains("`tdd (co_evolution)`")),
            "{}",
            show(&report)
        );
    }

    #[test]
    fn a_v0_task_workspace_is_named_not_failed() {
        let set = ConfigSet {
            v0_config: Some(SourceFile::new(
                "config/workspace_config.yml",
                "version: \"1.0\"\ntask_tracking: {enabled: true}\n",
            )),
            ..ConfigSet::default()
        };
        let report = validate(&set);
        assert!(report.is_ok(), "{}", show(&report));
        let w = &report.warnings[0];
        assert_eq!(w.file, "config/workspace_config.yml");
        assert!(w.message.contains("v0 task workspace"), "{w}");
        assert_eq!(w.remedy, Some(crate::config::Remedy::AdoptGraphMethod));
        // A broken v0 config is still reported where it is.
        let set = ConfigSet {
            v0_config: Some(SourceFile::new("config/workspace_config.yml", "a: [\n")),
            ..ConfigSet::default()
        };
        assert_eq!(validate(&set).errors[0].file, "config/workspace_config.yml");
    }

    #[test]
    fn asset_type_without_prose_is_a_warning() {
        let report = with_topology(&TOPOLOGY.replace(
            "  unit_tests: {description: Proof, schema: {files: list}, markov_criteria: [all_pass]}",
            "  unit_tests: {markov_criteria: []}",
        ));
        assert!(report.errors.is_empty(), "{}", show(&report));
        assert_eq!(report.warnings.len(), 1);
        let w = &report.warnings[0];
        assert_eq!((w.line, w.column), (Some(5), Some(3)));
        assert!(
            w.message.contains("description, schema, markov_criteria"),
            "{w}"
        );
    }

    #[test]
    fn duplicate_canonical_ids_are_a_warning() {
        let report = with_topology(&format!(
            "{TOPOLOGY}  - {{name: Again, source: design, target: code, edge_type: standard, evaluators: [human], constructor: agent}}\n"
        ));
        assert!(report.errors.is_empty(), "{}", show(&report));
        assert_eq!(report.warnings.len(), 1);
        assert!(
            report.warnings[0]
                .message
                .contains("same edge id `design→code` as `Design → Code` (line 13)")
        );
        assert_eq!(report.warnings[0].line, Some(27));
    }

    #[test]
    fn topology_without_transitions_or_types_is_an_error() {
        let report = with_topology("graph_properties: {directed: true}\n");
        assert!(
            report
                .errors
                .iter()
                .any(|d| d.message.contains("no `asset_types`"))
        );
        assert!(
            report
                .errors
                .iter()
                .any(|d| d.message.contains("no `transitions`"))
        );
        let report = with_topology("asset_types: a\ntransitions: {a: b}\n");
        assert!(
            report
                .errors
                .iter()
                .any(|d| d.message.contains("`asset_types` must be a mapping"))
        );
        assert!(
            report
                .errors
                .iter()
                .any(|d| d.message.contains("`transitions` must be a list"))
        );
    }

    #[test]
    fn missing_topology_is_an_error() {
        let mut set = base();
        set.topology = None;
        let report = validate(&set);
        let e = one_error(&report);
        assert_eq!(e.file, "graph/graph_topology.yml");
        assert!(e.message.contains("no graph topology"));
    }

    #[test]
    fn edge_config_must_exist_when_edge_params_are_present() {
        let mut set = base();
        set.edge_params.remove(1);
        let report = validate(&set);
        let e = one_error(&report);
        assert_eq!((e.line, e.column), (Some(26), Some(18)));
        assert!(
            e.message
                .contains("edge_config `edge_params/tdd.yml` matches none"),
            "{e}"
        );
        assert_eq!(
            e.hint.as_deref(),
            Some("add graph/edge_params/tdd.yml, or point edge_config at an existing file")
        );
    }

    #[test]
    fn no_edge_params_at_all_is_one_warning() {
        let mut set = base();
        set.edge_params.clear();
        let report = validate(&set);
        assert!(report.errors.is_empty(), "{}", show(&report));
        assert_eq!(report.warnings.len(), 1, "{}", show(&report));
        let w = &report.warnings[0];
        assert!(
            w.message
                .contains("names 2 edge-parameter files (`design_code.yml`, `tdd.yml`)"),
            "{w}"
        );
        assert_eq!(w.remedy, Some(crate::config::Remedy::RefreshEdgeParams));
    }

    #[test]
    fn edge_params_in_graph_edges_match_by_file_name() {
        let mut set = base();
        for f in &mut set.edge_params {
            f.path = f.path.replace("graph/edge_params/", "graph/edges/");
        }
        let report = validate(&set);
        assert!(
            report.errors.is_empty() && report.warnings.is_empty(),
            "{}",
            show(&report)
        );
    }

    fn with_edge_params(text: &str) -> Report {
        let mut set = base();
        set.edge_params[0].text = text.to_string();
        validate(&set)
    }

    #[test]
    fn duplicate_check_names_are_an_error() {
        let report = with_edge_params(&DESIGN_CODE.replace("name: reviewed", "name: compiles"));
        let e = one_error(&report);
        assert_eq!(e.file, "graph/edge_params/design_code.yml");
        assert_eq!((e.line, e.column), (Some(4), Some(12)));
        assert!(e.message.contains("`compiles` is used twice"), "{e}");
    }

    #[test]
    fn deterministic_check_needs_a_command() {
        let report =
            with_edge_params(&DESIGN_CODE.replace(", command: \"$tools.build.command\"", ""));
        let e = one_error(&report);
        assert_eq!((e.line, e.column), (Some(3), Some(5)));
        assert!(
            e.message
                .contains("deterministic check `compiles` has no `command`"),
            "{e}"
        );
        // A `$var` criterion or a `source:` is accepted instead, as in the reference tests.
        let ok = with_edge_params(
            &DESIGN_CODE.replace(", command: \"$tools.build.command\"", ", source: default"),
        );
        assert!(ok.errors.is_empty(), "{}", show(&ok));
    }

    #[test]
    fn check_fields_types_and_convergence_are_required() {
        let report = with_edge_params(
            "edge: \"design→code\"\nchecklist:\n  - {name: a, type: robot, criterion: x}\n  - just text\n",
        );
        let messages: Vec<&str> = report.errors.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{}", show(&report));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("no `convergence` block"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("must be a mapping, found a string"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("check `a` has no `required`"))
        );
        assert!(messages.iter().any(|m| m.contains("type `robot`")));
        let empty = with_edge_params("checklist: []\nconvergence: {rule: x}\n");
        assert!(
            empty
                .errors
                .iter()
                .any(|d| d.message.contains("`checklist` is empty")),
            "{}",
            show(&empty)
        );
    }

    #[test]
    fn non_canonical_edge_values_are_warnings() {
        let report = with_edge_params(
            &DESIGN_CODE.replace("edge: \"design→code\"", "edge: \"design -> code\""),
        );
        assert!(report.errors.is_empty(), "{}", show(&report));
        assert_eq!(report.warnings.len(), 1);
        assert!(
            report.warnings[0]
                .message
                .contains("not written canonically; events and profiles use `design→code`")
        );
        let unknown = with_edge_params(
            &DESIGN_CODE.replace("edge: \"design→code\"", "edge: \"code→design\""),
        );
        assert!(
            unknown.warnings[0]
                .message
                .contains("not a transition of the topology")
        );
        let name =
            with_edge_params(&DESIGN_CODE.replace("edge: \"design→code\"", "edge: dispatch"));
        assert!(name.warnings[0].message.contains("is not an edge id"));
    }

    #[test]
    fn unresolved_vars_are_warnings_with_exact_positions() {
        let text = "edge: \"design→code\"\nchecklist:\n  - name: compiles\n    type: deterministic\n    criterion: |\n      Coverage above $thresholds.coverage and\n      built with $tools.build.command.\n    required: true\n    command: \"$tools.build.command $tools.build.argz\"\nconvergence: {rule: x}\n";
        let report = with_edge_params(text);
        assert!(report.errors.is_empty(), "{}", show(&report));
        assert_eq!(report.warnings.len(), 2, "{}", show(&report));
        let w0 = &report.warnings[0];
        assert!(
            w0.message.contains("`$thresholds.coverage` in `criterion`"),
            "{w0}"
        );
        assert_eq!((w0.line, w0.column), (Some(6), Some(22)));
        let w1 = &report.warnings[1];
        assert!(
            w1.message.contains("`$tools.build.argz` in `command`"),
            "{w1}"
        );
        assert_eq!((w1.line, w1.column), (Some(9), Some(36)));
    }

    #[test]
    fn var_positions_are_right_in_multi_document_files() {
        let text = "# Edge parameters\n# more comments\n\n---\n\nedge: \"design→code\"\nchecklist:\n  - {name: c, type: agent, criterion: \"uses $nope.here\", required: true}\nconvergence: {rule: x}\n";
        let report = with_edge_params(text);
        assert!(report.errors.is_empty(), "{}", show(&report));
        assert_eq!(report.warnings.len(), 1, "{}", show(&report));
        let w = &report.warnings[0];
        assert_eq!((w.line, w.column), (Some(8), Some(45)), "{w}");
        assert!(w.message.contains("`$nope.here`"));
    }

    #[test]
    fn vars_without_constraints_are_warnings() {
        let mut set = base();
        set.constraints = None;
        let report = validate(&set);
        assert!(report.errors.is_empty(), "{}", show(&report));
        assert_eq!(report.warnings.len(), 3, "{}", show(&report));
        assert!(
            report
                .warnings
                .iter()
                .all(|w| w.message.contains("no project constraints file"))
        );
    }

    fn with_profile(text: &str) -> Report {
        let mut set = base();
        set.profiles[0].text = text.to_string();
        validate(&set)
    }

    #[test]
    fn profile_including_an_unknown_edge_is_an_error() {
        let report = with_profile(&PROFILE.replace(
            "\"design→code\", \"code↔unit_tests\"]",
            "\"design→code\", \"code→deploy\"]",
        ));
        let e = one_error(&report);
        assert_eq!(e.file, "profiles/standard.yml");
        assert_eq!((e.line, e.column), (Some(5), Some(45)));
        assert!(
            e.message
                .contains("graph.include `code→deploy`, which is not an edge"),
            "{e}"
        );
    }

    #[test]
    fn profile_edge_references_in_every_section_are_checked() {
        let report = with_profile(
            &PROFILE
                .replace(
                    "  include: [\"intent→design\", \"design→code\", \"code↔unit_tests\"]\n",
                    "  include: all\n  optional: [nope]\n  skip: [\"a→b\"]\n",
                )
                .replace("\"design→code\": {evaluators", "\"x→y\": {evaluators"),
        );
        let sections: Vec<&str> = report.errors.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(sections.len(), 3, "{}", show(&report));
        assert!(sections[0].contains("graph.optional `nope`"));
        assert!(sections[1].contains("graph.skip `a→b`"));
        assert!(sections[2].contains("evaluators.overrides `x→y`"));
    }

    #[test]
    fn profile_non_canonical_edge_is_a_warning() {
        let report = with_profile(&PROFILE.replace(
            "\"design→code\", \"code↔unit_tests\"]",
            "\"design -> code\", \"code↔unit_tests\"]",
        ));
        assert!(report.errors.is_empty(), "{}", show(&report));
        assert_eq!(report.warnings.len(), 1);
        assert!(
            report.warnings[0]
                .message
                .contains("is not canonical; the edge id is `design→code`")
        );
    }

    #[test]
    fn profile_rules() {
        let report = with_profile(
            "profile: standard\ngraph: {include: all}\nevaluators: {default: [agent, oracle]}\niteration: {budget: time_boxed}\n",
        );
        let errors: Vec<&str> = report.errors.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(errors.len(), 2, "{}", show(&report));
        assert!(errors[0].contains("evaluator `oracle`"));
        assert!(errors[1].contains("time_boxed budget but no `iteration.time_box`"));
        assert_eq!(report.errors[1].line, Some(4));
        assert_eq!(report.warnings.len(), 1, "{}", show(&report));
        assert!(
            report.warnings[0]
                .message
                .contains("`description`, `version`, `convergence`, `context`, `vector_types")
        );
        let no_graph = with_profile("profile: standard\n");
        assert!(
            no_graph
                .errors
                .iter()
                .any(|d| d.message.contains("no `graph` section"))
        );
    }

    #[test]
    fn yaml_syntax_error_has_line_and_column() {
        let report = with_profile("profile: standard\ngraph:\n  include: [\"a→b\"\n  skip: []\n");
        let e = one_error(&report);
        assert_eq!(e.file, "profiles/standard.yml");
        assert!(e.message.starts_with("invalid YAML"), "{e}");
        assert_eq!((e.line, e.column), (Some(4), Some(7)), "{e}");
    }

    #[test]
    fn duplicate_yaml_key_is_an_error() {
        let report = with_profile(&format!("{PROFILE}description: again\n"));
        let e = one_error(&report);
        assert_eq!((e.line, e.column), (Some(14), Some(1)));
        assert!(e.message.contains("duplicate key `description`"), "{e}");
    }

    #[test]
    fn empty_files_are_errors() {
        let mut set = base();
        set.extra_yaml.push(SourceFile::new(
            "features/feature_index.yml",
            "# nothing yet\n",
        ));
        set.profiles.push(SourceFile::new("profiles/empty.yml", ""));
        let report = validate(&set);
        assert_eq!(report.errors.len(), 2, "{}", show(&report));
        assert!(report.errors.iter().all(|d| d.message.contains("empty")));
    }

    fn with_feature(text: &str) -> Report {
        let mut set = base();
        set.features[0].text = text.to_string();
        validate(&set)
    }

    #[test]
    fn an_unknown_profile_is_an_error_and_an_unknown_trajectory_key_a_warning() {
        let report = with_feature(
            &FEATURE
                .replace("profile: standard", "profile: turbo")
                .replace("design_code:", "deploy:"),
        );
        assert_eq!(report.errors.len(), 1, "{}", show(&report));
        assert!(report.errors[0].message.contains("profile `turbo`"));
        assert_eq!(
            (report.errors[0].line, report.errors[0].column),
            (Some(4), Some(10))
        );
        let messages: Vec<&str> = report.warnings.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{}", show(&report));
        assert!(messages[0].contains("trajectory key `deploy`"));
        assert_eq!(
            (report.warnings[0].line, report.warnings[0].column),
            (Some(8), Some(3))
        );
    }

    #[test]
    fn unknown_profile_is_not_reported_without_profiles() {
        let mut set = base();
        set.profiles.clear();
        set.features[0].text = FEATURE.replace("profile: standard", "profile: turbo");
        let report = validate(&set);
        assert!(
            report.errors.is_empty() && report.warnings.is_empty(),
            "{}",
            show(&report)
        );
    }

    #[test]
    fn feature_identity_and_forbidden_keys() {
        let mut set = base();
        set.features.push(SourceFile::new(
            "features/completed/REQ-F-OTHER-001.yml",
            "feature: REQ-F-DEMO-001\nstatus: done\ndependencies: []\n",
        ));
        let report = validate(&set);
        assert!(report.errors.is_empty(), "{}", show(&report));
        let messages: Vec<&str> = report.warnings.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{}", show(&report));
        assert!(messages[0].contains("is in a file named `REQ-F-OTHER-001.yml`"));
        assert!(messages[1].contains("unknown status `done`"));
        assert!(messages[2].contains("`dependencies` is a spec-level key"));
        assert!(messages[3].contains("also defined in features/active/REQ-F-DEMO-001.yml"));
    }

    #[test]
    fn evaluator_defaults_rules() {
        let mut set = base();
        set.evaluator_defaults = Some(SourceFile::new(
            "graph/evaluator_defaults.yml",
            "evaluator_types:\n  human: {type: human, description: d, mechanism: m, convergence: c}\n  agent: {type: agent}\n---\nconvergence_rules: {composition: any}\n",
        ));
        let report = validate(&set);
        assert_eq!(report.errors.len(), 1, "{}", show(&report));
        assert!(
            report.errors[0]
                .message
                .contains("`deterministic` is not defined")
        );
        assert_eq!(report.warnings.len(), 2, "{}", show(&report));
        assert!(
            report.warnings[0]
                .message
                .contains("`agent` has no `description`, `mechanism`, `convergence`")
        );
        assert!(report.warnings[1].message.contains("composition` is `any`"));
        assert_eq!(report.warnings[1].line, Some(5));
    }

    #[test]
    fn constraints_rules() {
        let mut set = base();
        set.topology = Some(SourceFile::new(
            "graph/graph_topology.yml",
            format!(
                "{TOPOLOGY}constraint_dimensions:\n  security_model: {{description: d, mandatory: true, resolves_via: adr}}\n  observability: {{description: d, mandatory: false, resolves_via: design_section}}\n"
            ),
        ));
        set.constraints = Some(SourceFile::new(
            "context/project_constraints.yml",
            CONSTRAINTS.replace("default_profile: standard", "default_profile: rapid"),
        ));
        let report = validate(&set);
        assert!(report.errors.is_empty(), "{}", show(&report));
        let messages: Vec<&str> = report.warnings.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{}", show(&report));
        assert!(messages[0].contains("default_profile `rapid`"));
        assert!(messages[1].contains("mandatory constraint dimension `security_model`"));
    }

    #[test]
    fn load_returns_typed_models() {
        let (config, report) = load(&base());
        assert!(report.is_ok());
        let topology = config.topology.as_ref().expect("topology");
        assert_eq!(
            topology.edge_ids(),
            ["intent→design", "design→code", "code↔unit_tests"]
        );
        let standard = config.profile("standard").expect("profile");
        assert_eq!(standard.resolve_edges(topology).required.len(), 3);
        let tdd = config
            .edge_params_for(&topology.transitions[2])
            .expect("tdd");
        assert_eq!(tdd.checklist.len(), 1);
        assert!(tdd.checklist[0].is_required(config.constraints.as_ref()));
        assert_eq!(config.features[0].trajectory.len(), 3);
    }

    /// Feeds one text to every loader and to validation in every file role (mirrors the fuzz target).
    fn exercise(text: &str) {
        let _ = yaml::parse(text);
        let _ = canonical_edge_id(text);
        let _ = var_refs(text);
        let file = |path: &str| SourceFile::new(path, text);
        let alone = ConfigSet {
            topology: Some(file("graph/graph_topology.yml")),
            edge_params: vec![file("graph/edge_params/tdd.yml")],
            profiles: vec![file("profiles/standard.yml")],
            constraints: Some(file("context/project_constraints.yml")),
            evaluator_defaults: Some(file("graph/evaluator_defaults.yml")),
            features: vec![file("features/active/REQ-F-FUZZ-001.yml")],
            extra_yaml: vec![file("features/feature_index.yml")],
            v0_config: Some(file("config/workspace_config.yml")),
        };
        let _ = validate(&alone);
        for role in 0..5 {
            let mut set = base();
            match role {
                0 => set.topology = Some(file("graph/graph_topology.yml")),
                1 => set.edge_params[0].text = text.to_string(),
                2 => set.profiles[0].text = text.to_string(),
                3 => set.constraints = Some(file("context/project_constraints.yml")),
                _ => set
                    .features
                    .push(file("features/active/REQ-F-FUZZ-001.yml")),
            }
            let (config, report) = load(&set);
            for d in report.all() {
                let _ = d.to_string();
            }
            if let (Some(topology), Some(profile)) = (&config.topology, config.profiles.first()) {
                let _ = profile.resolve_edges(topology);
            }
            if let Some(c) = &config.constraints {
                let _ = c.resolve(text);
            }
        }
    }

    fn yamlish() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let token = prop::sample::select(vec![
            "- ",
            ": ",
            "\n",
            "  ",
            "    ",
            "{",
            "}",
            "[",
            "]",
            ", ",
            "&a ",
            "*a",
            "<<: ",
            "---\n",
            "...\n",
            "\"",
            "'",
            "$tools.x",
            "$",
            ".",
            "transitions",
            "asset_types",
            "source",
            "target",
            "edge_type",
            "co_evolution",
            "standard",
            "evaluators",
            "agent",
            "constructor",
            "edge_config",
            "tdd.yml",
            "checklist",
            "name",
            "type",
            "deterministic",
            "criterion",
            "required",
            "command",
            "convergence",
            "graph",
            "include",
            "all",
            "skip",
            "overrides",
            "trajectory",
            "feature",
            "profile",
            "→",
            "↔",
            "->",
            "#",
            "|\n",
            ">-\n",
            "? ",
            "!!str ",
            "!tag ",
            "~",
            "1",
            "-0.5e3",
            ".inf",
            "true",
            "yes",
            "é",
            "\t",
        ]);
        prop::collection::vec(token, 0..120).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(200))]

        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
            exercise(&text);
        }

        #[test]
        fn never_panics_on_yaml_like_text(text in yamlish()) {
            exercise(&text);
        }
    }

    #[test]
    fn never_panics_on_hostile_documents() {
        let deep_flow = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let deep_block: String = (0..300)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
        let many_docs = "---\na: 1\n".repeat(2000);
        for text in [
            deep_flow.as_str(),
            deep_block.as_str(),
            bomb,
            many_docs.as_str(),
            "\u{feff}a: 1",
            "\0",
            "a: \"\\ud800\"",
        ] {
            exercise(text);
        }
    }
}
