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
use super::sync_config::SyncConfig;
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
    /// The sync settings (`bedrock/sync_config.yml`), when present and parseable; check the
    /// report before acting on them (or use [`load_sync_config`]).
    pub sync: Option<SyncConfig>,
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
            // The same rule as the workspace's `kind()`: no topology, no profiles, a v0 config.
            Some(v0) if set.profiles.is_empty() => {
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

    if let Some(file) = &set.sync_config
        && let Some(loaded) = v.load(file)
    {
        let sync = SyncConfig::from_node(&file.path, loaded.root);
        v.check_sync_config(&file.path, &sync);
        config.sync = Some(sync);
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
        .chain(set.sync_config.iter())
        .map(|f| f.path.as_str());
    !set.features.is_empty()
        || paths.any(|p| {
            p.starts_with("graph/")
                || p.starts_with("features/")
                || p.starts_with("bedrock/")
                || p.contains("context/")
        })
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
}

mod constraints;
mod edge_params;
mod features;
mod profiles;
mod sync;
mod topology;

pub use sync::load_sync_config;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_sync;
