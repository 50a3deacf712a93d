//! One test per rule, on a small clean fixture each rule breaks.

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

pub(super) fn base() -> ConfigSet {
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
        sync_config: None,
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
fn a_gemini_asset_type_listed_twice_is_an_error() {
    let report = dialect_only(&GEMINI.replace("  - name: code\n", "  - name: intent\n"));
    let e = &report.errors[0];
    assert!(e.message.contains("`intent` is listed twice"), "{e}");
    assert_eq!(e.line, Some(6));
}

#[test]
fn a_gemini_list_item_without_a_name_is_an_error() {
    let report = dialect_only(&GEMINI.replace("  - name: code\n", "  - description: nameless\n"));
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
    let report = with_edge_params(&DESIGN_CODE.replace(", command: \"$tools.build.command\"", ""));
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
    let report =
        with_edge_params(&DESIGN_CODE.replace("edge: \"design→code\"", "edge: \"design -> code\""));
    assert!(report.errors.is_empty(), "{}", show(&report));
    assert_eq!(report.warnings.len(), 1);
    assert!(
        report.warnings[0]
            .message
            .contains("not written canonically; events and profiles use `design→code`")
    );
    let unknown =
        with_edge_params(&DESIGN_CODE.replace("edge: \"design→code\"", "edge: \"code→design\""));
    assert!(
        unknown.warnings[0]
            .message
            .contains("not a transition of the topology")
    );
    let name = with_edge_params(&DESIGN_CODE.replace("edge: \"design→code\"", "edge: dispatch"));
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
    // The sync-time splice refuses or verifies, never panics.
    let _ = crate::config::set_last_sync(text, "events_pulled", jiff::Timestamp::UNIX_EPOCH);
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
        sync_config: Some(file("bedrock/sync_config.yml")),
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
