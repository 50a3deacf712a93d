//! Odd and hostile input at the edges: what a teammate's tool, a synced event or a typo can put in
//! front of gen. Each case was found in review; each test is named after what must hold.

mod common;

use common::{gen_in, gen_ok};
use serde_json::Value;
use std::path::Path;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn events(root: &Path) -> std::path::PathBuf {
    root.join(".ai-workspace/events/events.jsonl")
}

#[cfg(unix)]
#[test]
fn init_force_keeps_a_symlinked_topology_and_writes_shareable_files() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("project");
    std::fs::create_dir_all(&root).unwrap();
    gen_ok(&root, &["init"]);
    let plugin = tmp.path().join("plugin_topology.yml");
    let topo = root.join(".ai-workspace/graph/graph_topology.yml");
    std::fs::copy(&topo, &plugin).unwrap();
    std::fs::remove_file(&topo).unwrap();
    std::os::unix::fs::symlink(&plugin, &topo).unwrap();
    let before = std::fs::read(&plugin).unwrap();
    gen_ok(&root, &["init", "--force"]);
    assert!(topo.is_symlink(), "the link is kept");
    assert_eq!(
        std::fs::read(&plugin).unwrap(),
        before,
        "the plugin's file is not gen's to rewrite"
    );
    let profile = root.join(".ai-workspace/profiles/standard.yml");
    let mode = std::fs::metadata(profile).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
}

#[test]
fn emit_refuses_blank_ids_and_keys_readers_take_as_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    let before = std::fs::read_to_string(events(root)).unwrap();
    for (args, needle) in [
        (
            vec!["event", "emit", "x", "--feature", "  "],
            "--feature is empty",
        ),
        (vec!["event", "emit", "x", "--edge", ""], "--edge is empty"),
        (
            vec!["event", "emit", "x", "--data", r#"{"feature_id":"F"}"#],
            "`feature_id`",
        ),
        (
            vec![
                "event",
                "emit",
                "x",
                "--data",
                r#"{"data":{"feature":"F"}}"#,
            ],
            "`data.feature`",
        ),
    ] {
        let out = gen_in(root, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(events(root)).unwrap(), before);
    // A `data` object without identity keys is the reference writers' own style and is fine.
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "x",
            "--data",
            r#"{"data":{"iteration":1}}"#,
        ],
    );
}

#[test]
fn terminal_control_characters_in_events_are_shown_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    let evil = "{\"event_type\":\"edge_started\",\"timestamp\":\"2026-03-01T10:00:00Z\",\"feature\":\"F\\u001b]0;pwned\\u0007\\u001b[2J\",\"edge\":\"a→b\"}\n";
    let mut text = std::fs::read_to_string(events(root)).unwrap();
    text.push_str(evil);
    std::fs::write(events(root), text).unwrap();
    for args in [vec!["event", "log"], vec!["status"]] {
        let out = gen_ok(root, &args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}'),
            "{args:?} leaked a control character"
        );
        assert!(out.contains("\\u{1b}"), "{args:?}: {out}");
    }
    // JSON output keeps the data exactly (JSON escapes it).
    let json = gen_ok(root, &["event", "log", "--json", "--type", "edge_started"]);
    let v: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["feature"], "F\u{1b}]0;pwned\u{7}\u{1b}[2J");
}

#[test]
fn an_unreadable_vector_is_reported_by_status_not_mistaken_for_a_missing_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    std::fs::write(
        root.join(".ai-workspace/features/active/REQ-F-A-001.yml"),
        "feature: REQ-F-A-001\nstatus: [unclosed\n",
    )
    .unwrap();
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-A-001",
            "--edge",
            "intent→requirements",
        ],
    );
    let v: Value = serde_json::from_str(&gen_ok(root, &["status", "--json"])).unwrap();
    let signals: Vec<&str> = v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        signals
            .iter()
            .any(|s| s.starts_with("features/active/REQ-F-A-001.yml:2:")
                && s.contains("ignored until fixed")),
        "{signals:?}"
    );
}

#[test]
fn a_huge_delta_does_not_break_status() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "iteration_completed",
            "--feature",
            "F",
            "--edge",
            "intent→requirements",
            "--data",
            r#"{"delta":1e300}"#,
        ],
    );
    let v: Value = serde_json::from_str(&gen_ok(root, &["status", "--json"])).unwrap();
    assert_eq!(
        v["features"][0]["V"], 0,
        "an absurd delta is ignored, not saturated"
    );
    assert_eq!(v["features"][0]["H"], 1);
}

#[test]
fn a_draft_reopened_from_a_blueprint_no_longer_stands_for_the_topology() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    gen_ok(
        root,
        &["draft", "new", "--name", "small", "--title", "Small"],
    );
    gen_ok(
        root,
        &["draft", "save", "--name", "small", "--blueprint", "small"],
    );
    gen_ok(root, &["draft", "open", "--name", "t", "--topology"]);
    gen_ok(
        root,
        &["draft", "open", "--name", "t", "--blueprint", "small"],
    );
    let topo = root.join(".ai-workspace/graph/graph_topology.yml");
    let before = std::fs::read_to_string(&topo).unwrap();
    let out = gen_in(root, &["draft", "save", "--name", "t", "--topology"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was not opened from the topology"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&topo).unwrap(), before);
}

#[test]
fn draft_labels_with_c1_controls_are_shown_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    gen_ok(root, &["draft", "new", "--name", "d", "--title", "D"]);
    let batch = root.join("batch.json");
    std::fs::write(
        &batch,
        r#"{"intent":"add","node":{"id":"n1","label":"Build\u009b31m","type":"action"}}"#,
    )
    .unwrap();
    gen_ok(
        root,
        &["draft", "apply", "--name", "d", batch.to_str().unwrap()],
    );
    let shown = gen_ok(root, &["draft", "show", "--name", "d"]);
    assert!(!shown.contains('\u{9b}'), "{shown}");
    assert!(shown.contains("\\u{9b}"), "{shown}");
    let json = gen_ok(root, &["draft", "show", "--name", "d", "--json"]);
    let v: Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(
        v["nodes"][0]["label"], "Build\u{9b}31m",
        "the data itself is kept exactly"
    );
}
