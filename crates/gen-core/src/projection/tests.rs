//! Laws and rules of the projections, on events assembled here from parsed lines.
//!
//! That any order of the lines gives the same status is checked on the production path (the log
//! scanner and `fold_log`, as `gen status` reads a log) in `gen-workspace`'s
//! `status_cache/properties.rs`.

use super::record::Record;
use super::status::{ProfileEdges, StatusInputs};
use super::{Symbols, fold, project_status, sort_records};
use crate::event::{assign_ids, parse_line};
use proptest::prelude::*;

const TYPES: &[&str] = &[
    "edge_started",
    "iteration_completed",
    "edge_converged",
    "iteration_abandoned",
    "intent_raised",
    "spawn_created",
    "spec_modified",
];
const FEATURES: &[&str] = &["REQ-F-A-001", "REQ-F-B-001", "unknown"];
const EDGES: &[&str] = &[
    "intent→requirements",
    "requirements->design",
    "code↔unit_tests",
    "code→unit_tests",
];

/// One event line in one of the real shapes.
fn line() -> impl Strategy<Value = String> {
    (
        0..TYPES.len(),
        0..FEATURES.len(),
        0..EDGES.len(),
        -1i64..4,
        0u32..6,
        0u8..6,
        0u8..4,
        0u8..3,
    )
        .prop_map(|(t, f, e, delta, minute, shape, stamp, eid)| {
            let ty = TYPES[t];
            let (feature, edge) = (FEATURES[f], EDGES[e]);
            // Equal minutes on purpose: ties are broken by id, not by file position.
            let ts = match stamp {
                0 => format!("2026-03-01T10:0{minute}:00Z"),
                1 => format!("2026-03-01T10:0{minute}:00.000+00:00"),
                2 => format!("2026-03-01T12:0{minute}:00+02:00"),
                _ => format!("2026-03-01T10:0{minute}:00.000000Z"),
            };
            let intent = format!("INT-{}", minute % 3);
            match shape {
                // Lines carrying their own id, from a tiny pool so the same id repeats (also with
                // different content): the status must still not depend on file order.
                5 => format!(
                    r#"{{"event_type":"{ty}","timestamp":"2026-03-01T10:0{}:00Z","event_id":"id-{eid}","feature":"{feature}","edge":"{edge}","delta":{delta}}}"#,
                    minute % 2
                ),
                0 => format!(
                    r#"{{"event_type":"{ty}","timestamp":"{ts}","feature":"{feature}","edge":"{edge}","delta":{delta},"intent_id":"{intent}"}}"#
                ),
                1 => format!(
                    r#"{{"event_type": "{ty}", "timestamp": "{ts}", "data": {{"feature": "{feature}", "edge": "{edge}", "delta": {delta}, "intent_id": "{intent}"}}}}"#
                ),
                2 => {
                    let camel: String = ty
                        .split('_')
                        .map(|w| w[..1].to_uppercase() + &w[1..])
                        .collect();
                    format!(
                        r#"{{"eventType":"OTHER","eventTime":"{ts}","run":{{"runId":"r","facets":{{"sdlc:event_type":{{"type":"{camel}"}},"sdlc:payload":{{"feature":"{feature}","edge":"{edge}","delta":{delta},"intent_id":"{intent}"}}}}}},"job":{{"namespace":"aisdlc://p","name":"{edge}"}}}}"#
                    )
                }
                3 => format!(
                    r#"{{"eventType":"START","eventTime":"{ts}","run":{{"runId":"m","facets":{{}}}},"job":{{"namespace":"aisdlc://p","name":"X"}},"_metadata":{{"project":"p","original_data":{{"event_type":"{ty}","timestamp":"{ts}","feature":"{feature}","edge":"{edge}","data":{{"delta":{delta},"intent_id":"{intent}"}}}}}}}}"#
                ),
                _ => format!(r#"{{"event_type":"{ty}","feature":"{feature}","edge":"{edge}","delta":{delta}}}"#),
            }
        })
}

/// Status JSON for a log given as lines in file order.
fn status_json(lines: &[String]) -> String {
    let mut events: Vec<_> = lines
        .iter()
        .map(|l| parse_line(l).expect("valid line"))
        .collect();
    assign_ids(events.iter_mut());
    let mut symbols = Symbols::default();
    let mut records: Vec<Record> = events
        .iter()
        .enumerate()
        .map(|(i, e)| Record::from_event(e, i as u64 + 1, &mut symbols))
        .collect();
    let repeated = sort_records(&mut records, &symbols);
    let state = fold(&records, &mut symbols);
    let mut profiles = std::collections::BTreeMap::new();
    profiles.insert(
        "standard".to_string(),
        ProfileEdges {
            required: vec!["intent→requirements".into(), "requirements→design".into()],
            optional: vec![],
        },
    );
    let inputs = StatusInputs {
        project: "p".into(),
        topology_edges: vec![
            "intent→requirements".into(),
            "requirements→design".into(),
            "code↔unit_tests".into(),
        ],
        profiles,
        default_profile: Some("standard".into()),
        lines: lines.len() as u64,
        duplicates: repeated.len() as u64,
        ..StatusInputs::default()
    };
    serde_json::to_string(&project_status(&state, &symbols, &inputs)).expect("serialisable")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn repeated_events_without_their_own_id_never_collapse(lines in prop::collection::vec(line(), 1..20)) {
        // Lines with an `event_id` are the same event when repeated (counted once, see below); lines
        // without one get content ids with occurrence numbers, so every repeat stays its own event.
        let derived: Vec<String> = lines.iter().filter(|l| !l.contains("event_id")).cloned().collect();
        let doubled: Vec<String> = derived.iter().chain(derived.iter()).cloned().collect();
        let mut events: Vec<_> = doubled.iter().map(|l| parse_line(l).unwrap()).collect();
        assign_ids(events.iter_mut());
        let ids: std::collections::BTreeSet<_> = events.iter().map(|e| e.id.clone()).collect();
        prop_assert_eq!(ids.len(), doubled.len());
    }

    #[test]
    fn a_line_repeating_an_event_id_is_counted_once(lines in prop::collection::vec(line(), 1..20)) {
        let once = status_json(&lines);
        let with_repeats: Vec<String> = lines
            .iter()
            .chain(lines.iter().filter(|l| l.contains("event_id")))
            .cloned()
            .collect();
        let mut a: serde_json::Value = serde_json::from_str(&once).unwrap();
        let mut b: serde_json::Value = serde_json::from_str(&status_json(&with_repeats)).unwrap();
        // Only the line counts and the duplicate signal may differ.
        for v in [&mut a, &mut b] {
            v["events"]["total"] = serde_json::Value::Null;
            v["events"]["duplicates"] = serde_json::Value::Null;
            v["signals"] = serde_json::Value::Null;
        }
        prop_assert_eq!(a, b);
    }
}

#[test]
fn stuck_needs_three_equal_positive_deltas() {
    let mk = |m: u32, d: i64| {
        format!(
            r#"{{"event_type":"iteration_completed","timestamp":"2026-03-01T10:0{m}:00Z","feature":"F","edge":"a→b","delta":{d}}}"#
        )
    };
    let stuck = status_json(&[mk(1, 2), mk(2, 2), mk(3, 2)]);
    assert!(
        stuck.contains(r#""stuck":[{"feature":"F","edge":"a→b","delta":2}]"#),
        "{stuck}"
    );
    let moving = status_json(&[mk(1, 3), mk(2, 2), mk(3, 2)]);
    assert!(moving.contains(r#""stuck":[]"#));
    let zero = status_json(&[mk(1, 0), mk(2, 0), mk(3, 0)]);
    assert!(zero.contains(r#""stuck":[]"#));
}

#[test]
fn a_feature_converges_when_its_profile_edges_do() {
    let ev = |ty: &str, m: u32, edge: &str| {
        format!(
            r#"{{"event_type":"{ty}","timestamp":"2026-03-01T10:0{m}:00Z","feature":"F","edge":"{edge}"}}"#
        )
    };
    let partial = status_json(&[ev("edge_converged", 1, "intent→requirements")]);
    assert!(partial.contains(r#""status":"in_progress""#), "{partial}");
    let done = status_json(&[
        ev("edge_converged", 1, "intent→requirements"),
        ev("edge_converged", 2, "requirements->design"),
    ]);
    assert!(done.contains(r#""state":"CONVERGED""#), "{done}");
}

#[test]
fn unactioned_intents_are_those_nothing_answered() {
    let raise = |m: u32, id: &str| {
        format!(
            r#"{{"event_type":"intent_raised","timestamp":"2026-03-01T10:0{m}:00Z","intent_id":"{id}"}}"#
        )
    };
    let answer =
        r#"{"event_type":"spawn_created","timestamp":"2026-03-01T10:09:00Z","intent_id":"INT-1"}"#;
    let s = status_json(&[raise(1, "INT-1"), raise(2, "INT-2"), answer.to_string()]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["unactioned_intents"].as_array().unwrap().len(), 1);
    assert_eq!(v["rollup"]["unactioned_intents"], 1);
}

#[test]
fn co_evolution_spelling_is_merged_onto_the_topology_edge() {
    let ev = |m: u32, edge: &str| {
        format!(
            r#"{{"event_type":"iteration_completed","timestamp":"2026-03-01T10:0{m}:00Z","feature":"F","edge":"{edge}","delta":1}}"#
        )
    };
    let s = status_json(&[ev(1, "code→unit_tests"), ev(2, "code↔unit_tests")]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    let f = &v["features"][0];
    assert_eq!(f["edges"]["code↔unit_tests"]["iterations"], 2);
    assert!(f["edges"].get("code→unit_tests").is_none());
}

#[test]
fn failing_iterations_after_a_convergence_reopen_the_edge() {
    let ev = |ty: &str, m: u32, delta: i64| {
        format!(
            r#"{{"event_type":"{ty}","timestamp":"2026-03-01T10:0{m}:00Z","feature":"F","edge":"intent→requirements","delta":{delta}}}"#
        )
    };
    let s = status_json(&[
        ev("edge_converged", 1, 0),
        ev("iteration_completed", 2, 3),
        ev("iteration_completed", 3, 3),
        ev("iteration_completed", 4, 3),
    ]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(
        v["features"][0]["edges"]["intent→requirements"]["status"], "stuck",
        "{s}"
    );
    assert_eq!(v["stuck"][0]["delta"], 3);
    let passing = status_json(&[ev("edge_converged", 1, 0), ev("iteration_completed", 2, 0)]);
    let v: serde_json::Value = serde_json::from_str(&passing).unwrap();
    assert_eq!(
        v["features"][0]["edges"]["intent→requirements"]["status"],
        "converged"
    );
}

#[test]
fn a_repeated_id_is_dropped_even_when_other_events_sort_between_the_copies() {
    let x = |ty: &str| {
        format!(
            r#"{{"event_type":"{ty}","timestamp":"2026-03-01T10:00:00Z","event_id":"X","feature":"F","edge":"a→b"}}"#
        )
    };
    let y = r#"{"event_type":"iteration_completed","timestamp":"2026-03-01T10:00:00Z","event_id":"Y","feature":"F","edge":"a→b","delta":1}"#;
    let with_y: serde_json::Value = serde_json::from_str(&status_json(&[
        x("edge_started"),
        y.to_string(),
        x("edge_converged"),
    ]))
    .unwrap();
    let without_y: serde_json::Value =
        serde_json::from_str(&status_json(&[x("edge_started"), x("edge_converged")])).unwrap();
    assert_eq!(with_y["events"]["duplicates"], 1);
    assert_eq!(without_y["events"]["duplicates"], 1);
    assert_eq!(with_y["features"][0]["edges"]["a→b"]["status"], "iterating");
}

#[test]
fn a_convergence_at_the_same_time_as_the_next_start_does_not_abandon_it() {
    let ev = |ty: &str, m: &str, edge: &str| {
        format!(
            r#"{{"event_type":"{ty}","timestamp":"2026-03-01T10:{m}:00Z","feature":"F","edge":"{edge}","delta":0}}"#
        )
    };
    let s = status_json(&[
        ev("edge_started", "00", "intent→requirements"),
        ev("iteration_completed", "05", "intent→requirements"),
        ev("edge_converged", "06", "intent→requirements"),
        ev("edge_started", "06", "requirements→design"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(v["abandoned"].as_array().unwrap().len(), 0, "{s}");
    assert_eq!(v["features"][0]["current_edge"], "requirements→design");
}
