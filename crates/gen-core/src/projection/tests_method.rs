//! The method's own status rules, scenario by scenario as the reference's tests state them
//! (`imp_claude/tests/test_instance_graph.py`, `test_workspace_integrity.py`,
//! `test_project_convergence_states.py`); where gen differs on purpose, docs/compatibility.md says why.

use super::status::{Claim, ClaimTarget, Location, ProfileEdges, ProjectState, VectorInfo};
use super::{StatusInputs, StatusReport, Symbols, fold, project_status, sort_records};
use crate::event::{assign_ids, parse_line};
use std::collections::BTreeMap;

const T0: &str = "2026-03-01T10:0";

/// A flat line at minute `m` with extra top-level JSON members.
fn ev(ty: &str, m: u32, rest: &str) -> String {
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!(",{rest}")
    };
    format!(r#"{{"event_type":"{ty}","timestamp":"{T0}{m}:00Z","project":"p"{rest}}}"#)
}

fn on(feature: &str, edge: &str) -> String {
    format!(r#""feature":"{feature}","edge":"{edge}""#)
}

fn vector(feature: &str, status: &str, disposition: Option<&str>) -> VectorInfo {
    VectorInfo {
        feature: feature.into(),
        title: None,
        status: Some(status.into()),
        profile: None,
        location: Location::Active,
        file: format!("features/active/{feature}.yml"),
        parent: None,
        disposition: disposition.map(str::to_string),
        converged_claims: Vec::new(),
    }
}

fn status(lines: &[String], vectors: Vec<VectorInfo>) -> StatusReport {
    let mut events: Vec<_> = lines.iter().map(|l| parse_line(l).unwrap()).collect();
    assign_ids(events.iter_mut());
    let mut symbols = Symbols::default();
    let mut records: Vec<_> = events
        .iter()
        .enumerate()
        .map(|(i, e)| super::Record::from_event(e, i as u64 + 1, &mut symbols))
        .collect();
    sort_records(&mut records, &symbols);
    let state = fold(&records, &mut symbols);
    let inputs = StatusInputs {
        project: "p".into(),
        topology_edges: vec!["design→code".into(), "code↔unit_tests".into()],
        profiles: BTreeMap::from([(
            "standard".to_string(),
            ProfileEdges {
                required: vec!["design→code".into(), "code↔unit_tests".into()],
                optional: vec![],
            },
        )]),
        default_profile: Some("standard".into()),
        vectors,
        lines: lines.len() as u64,
        ..StatusInputs::default()
    };
    project_status(&state, &symbols, &inputs)
}

fn feature<'a>(r: &'a StatusReport, id: &str) -> &'a super::status::FeatureStatus {
    r.features
        .iter()
        .find(|f| f.feature == id)
        .unwrap_or_else(|| panic!("{id} is known: {:?}", r.features))
}

#[test]
fn a_feature_known_only_from_a_vector_is_pending() {
    let r = status(&[], vec![vector("REQ-F-A-001", "in_progress", None)]);
    assert_eq!(feature(&r, "REQ-F-A-001").status, "pending");
}

#[test]
fn a_spawn_makes_its_child_known_as_pending_with_its_parent_in_every_spelling() {
    let lines = [
        ev("edge_started", 0, &on("REQ-F-A-001", "design→code")),
        // fd_spawn's flat fields (no `feature`)
        ev(
            "spawn_created",
            1,
            r#""parent_feature":"REQ-F-A-001","child_feature":"REQ-F-DISC-001""#,
        ),
        // the reference test's shape: `feature` is the parent, child in data
        ev(
            "spawn_created",
            2,
            r#""feature":"REQ-F-A-001","data":{"child_feature":"REQ-F-SPIKE-001"}"#,
        ),
        // gen-spawn's command doc
        ev(
            "spawn_created",
            3,
            r#""data":{"parent":"REQ-F-A-001","child":"REQ-F-POC-001"}"#,
        ),
        // the v1 event
        ev(
            "feature_spawned",
            4,
            r#""data":{"parent_vector":"REQ-F-A-001","child_vector":"REQ-F-HOT-001"}"#,
        ),
    ];
    let r = status(&lines, vec![]);
    for child in [
        "REQ-F-DISC-001",
        "REQ-F-SPIKE-001",
        "REQ-F-POC-001",
        "REQ-F-HOT-001",
    ] {
        let f = feature(&r, child);
        assert_eq!(f.status, "pending", "{child}");
        assert_eq!(f.parent.as_deref(), Some("REQ-F-A-001"), "{child}");
        assert!(f.is_active(), "a spawned feature is work to do: {child}");
    }
    // The parent is on an edge; a spawn mentioning it does not change that.
    assert_eq!(feature(&r, "REQ-F-A-001").status, "in_progress");
    // A spawn without a parent still makes the child known.
    let r = status(
        &[ev(
            "spawn_created",
            0,
            r#""data":{"child_feature":"REQ-F-C-001"}"#,
        )],
        vec![],
    );
    assert_eq!(feature(&r, "REQ-F-C-001").parent, None);
    assert_eq!(feature(&r, "REQ-F-C-001").status, "pending");
}

#[test]
fn a_spawned_child_with_its_own_activity_is_in_progress() {
    let lines = [
        ev(
            "spawn_created",
            0,
            r#""parent_feature":"REQ-F-A-001","child_feature":"REQ-F-B-001""#,
        ),
        ev("edge_started", 1, &on("REQ-F-B-001", "design→code")),
    ];
    let r = status(&lines, vec![]);
    let b = feature(&r, "REQ-F-B-001");
    assert_eq!(b.status, "in_progress");
    assert_eq!(b.parent.as_deref(), Some("REQ-F-A-001"));
}

#[test]
fn convergence_achieved_is_convergence_like_edge_converged() {
    let lines = [
        ev("edge_started", 0, &on("REQ-F-A-001", "design→code")),
        ev("ConvergenceAchieved", 1, &on("REQ-F-A-001", "design→code")),
        // feature named by instance_id in data, as the engine writes it
        ev(
            "ConvergenceAchieved",
            2,
            r#""data":{"instance_id":"REQ-F-A-001","edge":"code↔unit_tests"}"#,
        ),
        // an instance_id equal to the project is a project-level event
        ev(
            "convergence_achieved",
            3,
            r#""instance_id":"p","edge":"design→code""#,
        ),
    ];
    let r = status(&lines, vec![]);
    let a = feature(&r, "REQ-F-A-001");
    assert_eq!(a.converged_edges, ["code↔unit_tests", "design→code"]);
    assert_eq!(a.status, "converged");
    assert!(r.features.iter().all(|f| f.feature != "p"));
    assert_eq!(r.state, ProjectState::Converged);
}

#[test]
fn an_iteration_that_says_converged_is_not_convergence() {
    let lines = [ev(
        "iteration_completed",
        0,
        &format!(
            r#"{},"status":"converged","delta":0"#,
            on("REQ-F-A-001", "design→code")
        ),
    )];
    let r = status(&lines, vec![]);
    assert!(feature(&r, "REQ-F-A-001").converged_edges.is_empty());
}

fn claims(keys: &[(&str, ClaimTarget)]) -> Vec<Claim> {
    keys.iter()
        .map(|(k, t)| Claim {
            key: (*k).into(),
            target: t.clone(),
        })
        .collect()
}

#[test]
fn claims_without_convergence_events_are_evidence_gaps_in_active_and_completed() {
    let lines = [ev("edge_converged", 0, &on("REQ-F-A-001", "design→code"))];
    let mut a = vector("REQ-F-A-001", "converged", None);
    a.converged_claims = claims(&[
        ("design→code", ClaimTarget::Edge("design→code".into())),
        ("code", ClaimTarget::Asset("code".into())),
        (
            "code_unit_tests",
            ClaimTarget::Edge("code↔unit_tests".into()),
        ),
    ]);
    let mut c = vector("REQ-F-C-001", "converged", None);
    c.location = Location::Completed;
    c.file = "features/completed/REQ-F-C-001.yml".into();
    c.converged_claims = claims(&[("telemetry", ClaimTarget::Unknown)]);
    let mut archived = vector("REQ-F-Z-001", "converged", None);
    archived.location = Location::Archived;
    archived.converged_claims = claims(&[("design", ClaimTarget::Asset("design".into()))]);
    let r = status(&lines, vec![a, c, archived]);
    let gaps: Vec<(&str, &str, &str)> = r
        .evidence_gaps
        .iter()
        .map(|g| (g.feature.as_str(), g.edge.as_str(), g.file.as_str()))
        .collect();
    // `code` is evidenced by design→code (an edge into the asset); archived vectors are history.
    assert_eq!(
        gaps,
        [
            (
                "REQ-F-A-001",
                "code_unit_tests",
                "features/active/REQ-F-A-001.yml"
            ),
            (
                "REQ-F-C-001",
                "telemetry",
                "features/completed/REQ-F-C-001.yml"
            ),
        ]
    );
    assert!(
        r.signals
            .iter()
            .any(|s| s.contains("REQ-F-C-001") && s.contains("evidence gap")),
        "{:?}",
        r.signals
    );
}

#[test]
fn the_legacy_feature_converged_is_not_convergence() {
    let lines = [
        ev("edge_started", 0, &on("REQ-F-OLD-001", "design→code")),
        ev("feature_converged", 1, r#""feature":"REQ-F-OLD-001""#),
    ];
    let r = status(&lines, vec![]);
    assert_eq!(feature(&r, "REQ-F-OLD-001").status, "in_progress");
    assert!(
        r.signals
            .iter()
            .any(|s| s.contains("legacy feature_converged")),
        "{:?}",
        r.signals
    );
}

/// A feature whose events made it converged, for state scenarios.
fn converged_lines(id: &str) -> Vec<String> {
    vec![
        ev("edge_converged", 0, &on(id, "design→code")),
        ev("edge_converged", 1, &on(id, "code↔unit_tests")),
    ]
}

#[test]
fn project_states_follow_the_method() {
    use ProjectState::*;
    let iterating = [ev("edge_started", 0, &on("REQ-F-I-001", "design→code"))];
    let done = converged_lines("REQ-F-C-001");
    let cases: Vec<(&str, Vec<String>, Vec<VectorInfo>, ProjectState)> = vec![
        (
            "one feature iterating",
            iterating.to_vec(),
            vec![],
            Iterating,
        ),
        (
            "iterating beats converged",
            [iterating.to_vec(), done.clone()].concat(),
            vec![vector("REQ-F-C-001", "converged", Some("converged"))],
            Iterating,
        ),
        (
            "all converged",
            done.clone(),
            vec![vector("REQ-F-C-001", "converged", Some("converged"))],
            Converged,
        ),
        (
            "an abandoned feature is not required",
            done.clone(),
            vec![vector("REQ-F-X-001", "blocked", Some("abandoned"))],
            Converged,
        ),
        (
            "a deferred feature is not required",
            done.clone(),
            vec![vector("REQ-F-X-001", "blocked", Some("blocked_deferred"))],
            Converged,
        ),
        (
            "blocked without a decision",
            vec![],
            vec![vector("REQ-F-X-001", "blocked", None)],
            Quiescent,
        ),
        (
            "converged and blocked without a decision",
            done.clone(),
            vec![vector("REQ-F-X-001", "blocked", None)],
            Quiescent,
        ),
        (
            "accepted blocking stays required",
            vec![],
            vec![vector("REQ-F-X-001", "blocked", Some("blocked_accepted"))],
            Bounded,
        ),
        (
            "accepted plus deferred",
            done.clone(),
            vec![
                vector("REQ-F-X-001", "blocked", Some("blocked_accepted")),
                vector("REQ-F-Y-001", "blocked", Some("blocked_deferred")),
            ],
            Bounded,
        ),
        ("nothing to converge", vec![], vec![], Converged),
        // gen differs on purpose here (docs/compatibility.md): a pending feature nobody decided
        // about is waiting on a decision, so QUIESCENT, not BOUNDED.
        (
            "pending without a decision",
            vec![],
            vec![vector("REQ-F-P-001", "pending", None)],
            Quiescent,
        ),
    ];
    for (name, lines, vectors, want) in cases {
        let r = status(&lines, vectors);
        assert_eq!(r.state, want, "{name}: {:?}", r.features);
    }
}

#[test]
fn a_stuck_feature_is_still_iterating() {
    let lines: Vec<String> = (0..3)
        .map(|m| {
            ev(
                "iteration_completed",
                m,
                &format!(r#"{},"delta":2"#, on("REQ-F-S-001", "design→code")),
            )
        })
        .collect();
    let r = status(&lines, vec![]);
    assert_eq!(feature(&r, "REQ-F-S-001").status, "stuck");
    assert_eq!(r.state, ProjectState::Iterating);
    assert_eq!(r.rollup.stuck, 1);
}

#[test]
fn a_spawn_without_a_parent_is_still_work_and_a_later_spawn_names_the_parent() {
    let alone = [ev("spawn_created", 0, r#""child_id":"REQ-F-C-001""#)];
    let r = status(&alone, vec![]);
    let c = feature(&r, "REQ-F-C-001");
    assert!(c.spawned && c.is_active(), "{c:?}");
    assert_eq!(
        r.state,
        ProjectState::Quiescent,
        "a pending child is not converged"
    );
    let lines = [
        alone[0].clone(),
        // A writer that put the child in `feature` too: that names no parent...
        ev(
            "spawn_created",
            1,
            r#""feature":"REQ-F-C-001","child_feature":"REQ-F-C-001","parent":"REQ-F-C-001""#,
        ),
        // ...and the first spawn that does name one decides it.
        ev(
            "feature_spawned",
            2,
            r#""data":{"parent_vector":"REQ-F-P-001","child_vector":"REQ-F-C-001"}"#,
        ),
        ev(
            "spawn_created",
            3,
            r#""parent_feature":"REQ-F-Q-001","child_feature":"REQ-F-C-001""#,
        ),
    ];
    let r = status(&lines, vec![]);
    assert_eq!(
        feature(&r, "REQ-F-C-001").parent.as_deref(),
        Some("REQ-F-P-001")
    );
}

#[test]
fn edges_written_with_either_wrong_arrow_are_the_topologys_edge() {
    // The topology has design→code (directed) and code↔unit_tests (co-evolution).
    let lines = [
        ev("edge_converged", 0, &on("REQ-F-A-001", "design↔code")),
        ev("edge_converged", 1, &on("REQ-F-A-001", "code→unit_tests")),
    ];
    let mut v = vector("REQ-F-A-001", "converged", None);
    v.converged_claims = claims(&[
        ("design -> code", ClaimTarget::Unknown),
        ("unit_tests", ClaimTarget::Unknown),
    ]);
    let r = status(&lines, vec![v]);
    let a = feature(&r, "REQ-F-A-001");
    assert_eq!(a.converged_edges, ["code↔unit_tests", "design→code"]);
    assert_eq!(a.status, "converged");
    assert!(r.evidence_gaps.is_empty(), "{:?}", r.evidence_gaps);
}
