//! One test per line shape, with lines written for these tests in the shapes real writers produce.

use super::*;

const V1_FLAT: &str = r#"{"event_type":"iteration_completed","timestamp":"2026-03-01T09:00:00.123456+00:00","project":"demo","feature":"REQ-F-DEMO-001","edge":"design\u2192code","iteration":1,"delta":2,"status":"iterating"}"#;
const V1_DATA: &str = r#"{"event_type": "edge_converged", "timestamp": "2026-03-01T10:00:00Z", "project": "demo", "data": {"feature": "REQ-F-DEMO-001", "edge": "design->code", "iteration": 2, "actor": "alice"}}"#;
const MIXED: &str = r#"{"event_type": "iteration_completed", "timestamp": "2026-03-07T03:59:52.097795+00:00", "project": "unknown", "data": {"iteration": 9, "converged": false}, "eventType": "COMPLETE", "eventTime": "2026-03-07T03:59:52.097795+00:00", "run": {"runId": "4b4c16f4-95db-45ea-9c00-6845a7b2d12e", "facets": {"sdlc_req_keys": {"_schemaURL": "x", "feature_id": "REQ-F-MIX-001", "edge": "design\u2192code", "req_keys": []}, "sdlc_event_type": {"_schemaURL": "x", "type": "iteration_completed"}, "sdlc_delta": {"_schemaURL": "x", "value": 3, "converged": false}}}, "job": {"namespace": "aisdlc://ai_sdlc_method", "name": "REQ-F-MIX-001:design\u2192code"}, "inputs": [], "outputs": [], "producer": "aisdlc://imp_gemini/v2.8", "_metadata": {"project": "unknown", "original_data": {"iteration": 9, "converged": false}}, "iteration": 9, "converged": false}"#;
const OL_NATIVE: &str = r#"{"eventType":"COMPLETE","eventTime":"2026-03-07T13:08:48.158327+00:00","run":{"runId":"r3","facets":{"sdlc:universal":{"_producer":"p","instance_id":"REQ-F-DEMO-001","actor":"genesis-engine","causation_id":"r2","correlation_id":"r0"},"sdlc:event_type":{"_producer":"p","type":"EdgeConverged"},"sdlc:payload":{"_producer":"p","_schemaURL":"s","feature":"REQ-F-DEMO-001","edge":"design→code","iteration":1}}},"job":{"namespace":"aisdlc://demo","name":"design→code","facets":{}},"inputs":[],"outputs":[],"producer":"p","schemaURL":"https://openlineage.io/spec/1-0-5/OpenLineage.json"}"#;
const OL_MIGRATED_START: &str = r#"{"eventType": "START", "eventTime": "2026-02-19T11:00:00Z", "run": {"runId": "u1", "facets": {"sdlc:req_keys": {"_producer": "p", "feature_id": "REQ-F-DEMO-001", "edge": "intent\u2192requirements", "implements": []}}}, "job": {"namespace": "aisdlc://demo", "name": "intent\u2192requirements"}, "inputs": [], "outputs": [], "producer": "p", "_metadata": {"project": "demo", "original_data": {"event_type": "edge_started", "timestamp": "2026-02-19T11:00:00Z", "project": "demo", "feature": "REQ-F-DEMO-001", "edge": "intent\u2192requirements", "data": {"note": "go"}}}}"#;
const OL_MIGRATED_OTHER: &str = r#"{"eventType": "OTHER", "eventTime": "2026-02-19T08:00:00Z", "run": {"runId": "u2", "facets": {"sdlc:event_type": {"type": "intent_raised"}}}, "job": {"namespace": "aisdlc://ai_sdlc_method", "name": "INTENT_ENGINE"}, "_metadata": {"project": "ai_sdlc_method", "original_data": {"timestamp": "2026-02-19T08:00:00Z", "event_type": "intent_raised", "project": "ai_sdlc_method", "data": {"intent_id": "INT-001"}}}}"#;
const OL_V1_COMPAT: &str = r#"{"eventType": "OTHER", "eventTime": "2026-03-03T01:00:00Z", "run": {"runId": "a1", "facets": {"sdlc:event_type": {"type": "spec_modified"}}}, "job": {"namespace": "aisdlc://ai_sdlc_method", "name": "SPEC_EVOLUTION:README"}, "outputs": [], "_v1_compat": {"event_type": "spec_modified", "project": "ai_sdlc_method", "data": {"file": "specification/README.md", "new_hash": "sha256:00"}}}"#;

#[test]
fn v1_flat_line() {
    let e = parse_line(V1_FLAT).unwrap();
    assert_eq!(e.shape, Shape::V1);
    assert_eq!(e.event_type.as_deref(), Some("iteration_completed"));
    assert_eq!(e.feature.as_deref(), Some("REQ-F-DEMO-001"));
    assert_eq!(e.edge.as_deref(), Some("design→code"));
    assert_eq!(e.project.as_deref(), Some("demo"));
    assert_eq!(e.delta(), Some(2));
    assert_eq!(
        e.payload.get("status").and_then(|v| v.as_str()),
        Some("iterating")
    );
    assert!(!e.payload.contains_key("event_type"));
    assert!(e.id.starts_with("cj-") && e.id.ends_with("-1"));
}

#[test]
fn v1_line_with_data_block() {
    let e = parse_line(V1_DATA).unwrap();
    assert_eq!(e.shape, Shape::V1);
    assert_eq!(e.feature.as_deref(), Some("REQ-F-DEMO-001"));
    assert_eq!(
        e.edge.as_deref(),
        Some("design→code"),
        "ASCII arrow normalised"
    );
    assert_eq!(e.agent.as_deref(), Some("alice"));
    assert_eq!(e.payload.get("iteration").and_then(|v| v.as_i64()), Some(2));
}

#[test]
fn mixed_line_recovers_feature_and_delta_from_facets() {
    let e = parse_line(MIXED).unwrap();
    assert_eq!(e.shape, Shape::Mixed);
    assert_eq!(e.event_type.as_deref(), Some("iteration_completed"));
    assert_eq!(e.feature.as_deref(), Some("REQ-F-MIX-001"));
    assert_eq!(e.edge.as_deref(), Some("design→code"));
    assert_eq!(e.delta(), Some(3));
    assert_eq!(
        e.project.as_deref(),
        Some("unknown"),
        "the line's own project wins"
    );
    assert!(
        !e.payload.contains_key("run"),
        "OpenLineage envelope is not payload"
    );
}

#[test]
fn ol_native_camel_case_type_and_payload_lift() {
    let e = parse_line(OL_NATIVE).unwrap();
    assert_eq!(e.shape, Shape::OlNative);
    assert_eq!(e.event_type.as_deref(), Some("edge_converged"));
    assert_eq!(e.feature.as_deref(), Some("REQ-F-DEMO-001"));
    assert_eq!(e.edge.as_deref(), Some("design→code"));
    assert_eq!(e.agent.as_deref(), Some("genesis-engine"));
    assert_eq!(e.project.as_deref(), Some("demo"), "aisdlc:// stripped");
    assert_eq!(e.payload.get("iteration").and_then(|v| v.as_i64()), Some(1));
    assert!(!e.payload.contains_key("_producer"));
    assert_eq!(
        e.timestamp.unwrap(),
        "2026-03-07T13:08:48.158327Z".parse::<Timestamp>().unwrap()
    );
}

#[test]
fn ol_migrated_start_recovers_type_from_metadata() {
    // The reference normaliser loses this line's type (no sdlc:event_type facet on START lines).
    let e = parse_line(OL_MIGRATED_START).unwrap();
    assert_eq!(e.shape, Shape::OlMigrated);
    assert_eq!(e.event_type.as_deref(), Some("edge_started"));
    assert_eq!(e.feature.as_deref(), Some("REQ-F-DEMO-001"));
    assert_eq!(e.edge.as_deref(), Some("intent→requirements"));
    assert_eq!(e.payload_str("note"), Some("go"));
}

#[test]
fn ol_migrated_other_keeps_payload_from_original_data() {
    let e = parse_line(OL_MIGRATED_OTHER).unwrap();
    assert_eq!(e.event_type.as_deref(), Some("intent_raised"));
    assert_eq!(e.payload_str("intent_id"), Some("INT-001"));
    assert_eq!(e.project.as_deref(), Some("ai_sdlc_method"));
    assert_eq!(e.edge, None, "pseudo-job names are not edges");
}

#[test]
fn ol_v1_compat_line() {
    let e = parse_line(OL_V1_COMPAT).unwrap();
    assert_eq!(e.shape, Shape::OlV1Compat);
    assert_eq!(e.event_type.as_deref(), Some("spec_modified"));
    assert_eq!(e.payload_str("file"), Some("specification/README.md"));
    assert!(e.timestamp.is_some());
}

#[test]
fn explicit_event_id_is_kept() {
    let e = parse_line(
        r#"{"event_type":"x","timestamp":"2026-01-01T00:00:00Z","event_id":"0190-abc"}"#,
    )
    .unwrap();
    assert_eq!(e.id, "0190-abc");
    assert!(e.explicit_id);
    assert!(e.content_hash.is_none());
}

#[test]
fn unrecognised_object_is_kept_untyped() {
    let e = parse_line(r#"{"hello":"world"}"#).unwrap();
    assert_eq!(e.shape, Shape::Unrecognised);
    assert_eq!(e.event_type, None);
}

#[test]
fn malformed_lines_say_where() {
    match parse_line(r#"{"event_type":"x","timestamp":"#) {
        Err(LineError::Json { column, .. }) => assert!(column >= 30),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    assert_eq!(
        parse_line("[1,2]"),
        Err(LineError::NotAnObject {
            found: "an array".into()
        })
    );
}

#[test]
fn bad_timestamp_is_reported_not_guessed() {
    let e = parse_line(r#"{"event_type":"x","timestamp":"2026-03-01 10:00"}"#).unwrap();
    assert_eq!(e.timestamp, None);
    assert!(e.timestamp_error.is_some());
    assert_eq!(e.timestamp_text.as_deref(), Some("2026-03-01 10:00"));
}

#[test]
fn escaped_and_raw_arrow_lines_share_an_id() {
    let a = parse_line(
        r#"{"event_type":"edge_started","timestamp":"2026-01-01T00:00:00Z","edge":"a\u2192b"}"#,
    )
    .unwrap();
    let b = parse_line(
        r#"{"event_type": "edge_started", "timestamp": "2026-01-01T00:00:00Z", "edge": "a→b"}"#,
    )
    .unwrap();
    assert_eq!(a.id, b.id);
}

#[test]
fn repeated_identical_events_get_distinct_ids_in_any_order() {
    let line = r#"{"event_type":"edge_started","timestamp":"2026-01-01T00:00:00Z"}"#;
    let other = r#"{"event_type":"edge_started","timestamp":"2026-01-02T00:00:00Z"}"#;
    let mut a = [
        parse_line(line).unwrap(),
        parse_line(other).unwrap(),
        parse_line(line).unwrap(),
    ];
    let mut b = [
        parse_line(line).unwrap(),
        parse_line(line).unwrap(),
        parse_line(other).unwrap(),
    ];
    assign_ids(a.iter_mut());
    assign_ids(b.iter_mut());
    let mut ids_a: Vec<_> = a.iter().map(|e| e.id.clone()).collect();
    let mut ids_b: Vec<_> = b.iter().map(|e| e.id.clone()).collect();
    ids_a.sort();
    ids_b.sort();
    assert_eq!(ids_a, ids_b);
    ids_a.dedup();
    assert_eq!(ids_a.len(), 3, "nothing collapses");
}

#[test]
fn snake_case_matches_reference_regex() {
    assert_eq!(snake_case("EdgeConverged"), "edge_converged");
    assert_eq!(snake_case("edge_converged"), "edge_converged");
    assert_eq!(snake_case("IterationCompleted"), "iteration_completed");
}

#[test]
fn delta_accepts_numeric_strings() {
    let e = parse_line(
        r#"{"event_type":"iteration_completed","timestamp":"2026-01-01T00:00:00Z","delta":"4"}"#,
    )
    .unwrap();
    assert_eq!(e.delta(), Some(4));
}

#[test]
fn order_puts_untimed_last_and_breaks_ties_by_id() {
    let mut evs = [
        parse_line(r#"{"event_type":"b","timestamp":"2026-01-02T00:00:00+00:00"}"#).unwrap(),
        parse_line(r#"{"event_type":"none"}"#).unwrap(),
        parse_line(r#"{"event_type":"a","timestamp":"2026-01-01T00:00:00Z"}"#).unwrap(),
    ];
    evs.sort_by(|x, y| order_key(x).cmp(&order_key(y)));
    let types: Vec<_> = evs.iter().map(|e| e.event_type.clone().unwrap()).collect();
    assert_eq!(types, ["a", "b", "none"]);
}

#[test]
fn ol_instance_id_naming_the_project_is_not_a_feature() {
    let line = r#"{"eventType":"OTHER","eventTime":"2026-03-11T15:06:43Z","run":{"runId":"x","facets":{"sdlc:universal":{"instance_id":"demo","actor":"genesis-cli"},"sdlc:event_type":{"type":"CommandError"}}},"job":{"namespace":"aisdlc://demo","name":"CONTEXT"}}"#;
    let e = parse_line(line).unwrap();
    assert_eq!(e.event_type.as_deref(), Some("command_error"));
    assert_eq!(e.feature, None);
    assert_eq!(e.agent.as_deref(), Some("genesis-cli"));
}

#[test]
fn absurd_deltas_are_ignored_not_saturated() {
    for delta in [
        "1e300",
        "2.5",
        "-1e300",
        "9223372036854775807",
        "\"99999999999999999999\"",
    ] {
        let line = format!(
            r#"{{"event_type":"iteration_completed","timestamp":"2026-01-01T00:00:00Z","delta":{delta}}}"#
        );
        assert_eq!(parse_line(&line).unwrap().delta(), None, "{delta}");
    }
    let ok =
        parse_line(r#"{"event_type":"x","timestamp":"2026-01-01T00:00:00Z","delta":3.0}"#).unwrap();
    assert_eq!(ok.delta(), Some(3));
}

#[test]
fn equal_timestamps_are_ordered_by_id() {
    let a =
        parse_line(r#"{"event_type":"b","timestamp":"2026-01-01T00:00:00Z","event_id":"id-2"}"#)
            .unwrap();
    let b = parse_line(
        r#"{"event_type":"a","timestamp":"2026-01-01T00:00:00+00:00","event_id":"id-1"}"#,
    )
    .unwrap();
    let mut evs = [a, b];
    evs.sort_by(|x, y| order_key(x).cmp(&order_key(y)));
    assert_eq!(evs[0].id, "id-1");
    assert_eq!(evs[1].id, "id-2");
}

#[test]
fn at_one_timestamp_the_lifecycle_decides_before_the_id() {
    let converged = parse_line(
        r#"{"event_type":"edge_converged","timestamp":"2026-01-01T00:00:00Z","event_id":"a"}"#,
    )
    .unwrap();
    let iteration = parse_line(r#"{"event_type":"iteration_completed","timestamp":"2026-01-01T00:00:00Z","event_id":"b","delta":2}"#).unwrap();
    let started = parse_line(
        r#"{"event_type":"edge_started","timestamp":"2026-01-01T00:00:00Z","event_id":"c"}"#,
    )
    .unwrap();
    let mut evs = [converged, iteration, started];
    evs.sort_by(|x, y| order_key(x).cmp(&order_key(y)));
    let types: Vec<_> = evs.iter().map(|e| e.event_type.clone().unwrap()).collect();
    assert_eq!(
        types,
        ["edge_started", "iteration_completed", "edge_converged"]
    );
}
