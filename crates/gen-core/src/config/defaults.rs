//! The configuration `gen init` writes into a new workspace: our own small, clean SDLC graph (ten asset
//! types, the ten bootstrap edges with `code↔unit_tests` as co-evolution), edge parameters for the edges
//! that have an `edge_config`, the six profiles, evaluator defaults and a project constraints template.
//!
//! The files are embedded at compile time so `gen init` works offline and writes exactly what the tests
//! validate.

use crate::config::{ConfigSet, SourceFile, yaml_text};

/// Profiles `gen init` writes; `default_files` expects its `profile` argument to be one of these.
pub const DEFAULT_PROFILES: [&str; 6] = ["standard", "full", "minimal", "poc", "spike", "hotfix"];

const TOPOLOGY: &str = include_str!("defaults/graph_topology.yml");
const EVALUATOR_DEFAULTS: &str = include_str!("defaults/evaluator_defaults.yml");
const CONSTRAINTS: &str = include_str!("defaults/project_constraints.yml");

const EDGE_PARAMS: [(&str, &str); 7] = [
    (
        "intent_requirements.yml",
        include_str!("defaults/edge_params/intent_requirements.yml"),
    ),
    (
        "requirements_design.yml",
        include_str!("defaults/edge_params/requirements_design.yml"),
    ),
    (
        "design_code.yml",
        include_str!("defaults/edge_params/design_code.yml"),
    ),
    (
        "code_unit_tests.yml",
        include_str!("defaults/edge_params/code_unit_tests.yml"),
    ),
    (
        "design_test_cases.yml",
        include_str!("defaults/edge_params/design_test_cases.yml"),
    ),
    (
        "design_uat_tests.yml",
        include_str!("defaults/edge_params/design_uat_tests.yml"),
    ),
    (
        "telemetry_intent.yml",
        include_str!("defaults/edge_params/telemetry_intent.yml"),
    ),
];

const PROFILES: [(&str, &str); 6] = [
    ("standard", include_str!("defaults/profiles/standard.yml")),
    ("full", include_str!("defaults/profiles/full.yml")),
    ("minimal", include_str!("defaults/profiles/minimal.yml")),
    ("poc", include_str!("defaults/profiles/poc.yml")),
    ("spike", include_str!("defaults/profiles/spike.yml")),
    ("hotfix", include_str!("defaults/profiles/hotfix.yml")),
];

/// The files of a fresh workspace as (workspace-relative path, contents), in the workspace layout.
///
/// `project` becomes `project.name` and `profile` becomes `project.default_profile` in
/// `context/project_constraints.yml`; both are written as quoted YAML strings, so any text is safe.
pub fn default_files(project: &str, profile: &str) -> Vec<(String, String)> {
    let mut files = Vec::with_capacity(3 + EDGE_PARAMS.len() + PROFILES.len());
    files.push(("graph/graph_topology.yml".to_string(), TOPOLOGY.to_string()));
    for (name, text) in EDGE_PARAMS {
        files.push((format!("graph/edge_params/{name}"), text.to_string()));
    }
    files.push((
        "graph/evaluator_defaults.yml".to_string(),
        EVALUATOR_DEFAULTS.to_string(),
    ));
    for (name, text) in PROFILES {
        files.push((format!("profiles/{name}.yml"), text.to_string()));
    }
    let constraints = CONSTRAINTS
        .replace("{{project}}", &yaml_text::double_quoted(project))
        .replace("{{profile}}", &yaml_text::double_quoted(profile));
    files.push(("context/project_constraints.yml".to_string(), constraints));
    files
}

/// The defaults as a [`ConfigSet`], the form the validator takes: what `gen init` writes, checked
/// before anything is written (and the base the fuzzer and tests mutate).
pub fn default_config_set(project: &str, profile: &str) -> ConfigSet {
    let mut set = ConfigSet::default();
    for (path, text) in default_files(project, profile) {
        let file = SourceFile::new(path.clone(), text);
        match path.as_str() {
            "graph/graph_topology.yml" => set.topology = Some(file),
            "graph/evaluator_defaults.yml" => set.evaluator_defaults = Some(file),
            "context/project_constraints.yml" => set.constraints = Some(file),
            p if p.starts_with("graph/edge_params/") => set.edge_params.push(file),
            _ => set.profiles.push(file),
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Diagnostic;
    use crate::config::{Report, load};

    fn show(report: &Report) -> String {
        report
            .all()
            .map(Diagnostic::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn defaults_validate_with_no_errors_and_no_warnings() {
        for profile in DEFAULT_PROFILES {
            let (config, report) = load(&default_config_set("demo", profile));
            assert!(
                report.errors.is_empty() && report.warnings.is_empty(),
                "{profile}:\n{}",
                show(&report)
            );
            assert_eq!(
                config
                    .constraints
                    .as_ref()
                    .and_then(|c| c.default_profile())
                    .as_deref(),
                Some(profile)
            );
        }
    }

    #[test]
    fn defaults_have_the_expected_shape() {
        let files = default_files("demo", "standard");
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        let mut unique = paths.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), paths.len(), "duplicate paths");
        assert_eq!(files.len(), 1 + 7 + 1 + 6 + 1);

        let (config, _) = load(&default_config_set("demo", "standard"));
        let topology = config.topology.as_ref().expect("topology");
        assert_eq!(topology.asset_types.len(), 10);
        assert_eq!(topology.constraint_dimensions.len(), 8);
        let ids = topology.edge_ids();
        for edge in [
            "intent→requirements",
            "requirements→design",
            "design→code",
            "code↔unit_tests",
            "design→test_cases",
            "design→uat_tests",
            "code→cicd",
            "cicd→running_system",
            "running_system→telemetry",
            "telemetry→intent",
        ] {
            assert!(ids.iter().any(|id| id == edge), "missing {edge}");
        }
        // Every edge_config has its file, and every edge-param file belongs to one transition.
        for t in &topology.transitions {
            if t.edge_config.is_some() {
                let params = config.edge_params_for(t).expect("edge params");
                assert_eq!(params.edge.as_deref(), Some(t.edge_id().as_str()));
            }
        }
        assert_eq!(config.edge_params.len(), 7);
        let names: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, DEFAULT_PROFILES);
        let evaluators = config.evaluator_defaults.as_ref().expect("evaluators");
        assert_eq!(evaluators.types, ["human", "agent", "deterministic"]);
        let standard = config.profile("standard").expect("standard");
        assert_eq!(standard.resolve_edges(topology).required.len(), 4);
        let full = config.profile("full").expect("full");
        assert_eq!(full.resolve_edges(topology).required.len(), 10);
    }

    #[test]
    fn project_names_are_quoted_safely() {
        for name in [
            "my-app",
            "a: b # c",
            "quote \" and \\ back",
            "{{x}}",
            "multi\nline",
            "",
            "tab\tbell\u{7}",
        ] {
            let (config, report) = load(&default_config_set(name, "standard"));
            assert!(report.errors.is_empty(), "{name:?}: {}", show(&report));
            let constraints = config.constraints.as_ref().expect("constraints");
            assert_eq!(
                constraints.project_name().as_deref(),
                Some(name),
                "{name:?}"
            );
        }
    }

    #[test]
    fn type_check_is_advisory_by_default() {
        let (config, _) = load(&default_config_set("demo", "standard"));
        let tdd = config
            .edge_params
            .iter()
            .find(|p| p.path.ends_with("code_unit_tests.yml"))
            .expect("tdd");
        let constraints = config.constraints.as_ref();
        let required: Vec<&str> = tdd
            .required_checks(constraints)
            .filter_map(|c| c.name.as_deref())
            .collect();
        assert!(!required.contains(&"type_check"));
        assert!(required.contains(&"tests_pass"));
        let command = tdd.checklist[0].command.as_deref().unwrap_or_default();
        assert_eq!(
            constraints.map(|c| c.resolve(command).text).as_deref(),
            Some("make test ")
        );
    }
}
