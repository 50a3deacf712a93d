//! Workspaces other tools write, read as they are: a session per dialect, on small fixtures we wrote
//! from the real shapes (`tests/fixtures/dialects/`, listed in docs/compatibility.md).

mod common;

use common::{copy_dir, gen_in, gen_ok};
use serde_json::Value;
use std::path::Path;

fn fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/dialects")
            .join(name),
        tmp.path(),
    );
    tmp
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn messages(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_gemini_workspace_validates_and_shows_its_graph() {
    let ws = fixture("gemini");
    let v = json(&gen_ok(ws.path(), &["validate", "--json"]));
    assert_eq!(v["ok"], true, "{}", v["errors"]);
    let warnings = messages(&v["warnings"]);
    assert!(warnings[0].contains("Gemini dialect"), "{warnings:?}");
    // One warning per field the dialect leaves out, not one per transition.
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`code↔unit_tests (co_evolution)`")),
        "{warnings:?}"
    );

    let s = json(&gen_ok(ws.path(), &["status", "--json"]));
    assert_eq!(s["state"], "ITERATING");
    let f = &s["features"][0];
    assert_eq!(f["feature"], "REQ-F-G-001");
    assert_eq!(f["edges"]["intent→requirements"]["status"], "converged");
    assert_eq!(f["edges"]["code↔unit_tests"]["status"], "iterating");
    assert_eq!(s["evidence_gaps"], Value::Array(vec![]));

    // The workbench sees the same graph, and saving an edit keeps the file in its dialect.
    let root = ws.path();
    let topology = root.join(".ai-workspace/graph/graph_topology.yml");
    let before = std::fs::read_to_string(&topology).unwrap();
    gen_ok(root, &["draft", "open", "--name", "g", "--topology"]);
    let draft = json(&gen_ok(root, &["draft", "show", "--name", "g", "--json"]));
    assert_eq!(draft["nodes"].as_array().unwrap().len(), 5);
    assert_eq!(draft["edges"][3]["label"], "code↔unit_tests");
    let mut apply = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["draft", "apply", "--name", "g", "-"])
        .current_dir(root)
        .env_remove("GEN_WORKSPACE")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    apply
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"intent":"add","node":{"id":"uat","label":"uat","type":"asset_type","description":"Acceptance"},"connectFrom":"code"}"#)
        .unwrap();
    assert!(apply.wait().unwrap().success());
    gen_ok(root, &["draft", "save", "--name", "g", "--topology"]);
    let after = std::fs::read_to_string(&topology).unwrap();
    assert!(
        after.starts_with(&before[..before.find("transitions:").unwrap()].to_string()),
        "untouched asset types stay as written:\n{after}"
    );
    assert!(
        after.contains("  - name: uat\n    description: Acceptance\n"),
        "{after}"
    );
    let v = json(&gen_ok(root, &["validate", "--json"]));
    assert_eq!(v["ok"], true, "{}", v["errors"]);
}

#[test]
fn an_older_scaffold_reads_bidirectional_edges_as_co_evolution() {
    let ws = fixture("scaffold");
    let v = json(&gen_ok(ws.path(), &["validate", "--json"]));
    assert_eq!(v["ok"], true, "{}", v["errors"]);
    assert!(
        messages(&v["warnings"])
            .iter()
            .any(|w| w.contains("`tdd (co_evolution)`")),
        "{}",
        v["warnings"]
    );
    // Events spell the pair with →; the topology's bidirectional edge is the same edge.
    let s = json(&gen_ok(ws.path(), &["status", "--json"]));
    let f = &s["features"][0];
    assert_eq!(f["edges"]["code↔unit_tests"]["status"], "converged");
    // The vector claims design converged; nothing in the log says so.
    let gaps = s["evidence_gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0]["edge"], "design");
    assert_eq!(gaps[0]["file"], "features/active/REQ-F-TODO-001.yml");
}

#[test]
fn a_v0_task_workspace_is_named_and_adopted_without_touching_its_tasks() {
    let ws = fixture("v0");
    let root = ws.path();
    let out = gen_in(root, &["validate"]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("v0 task workspace"), "{err}");
    assert!(err.contains("gen init"), "{err}");
    let s = json(&gen_ok(root, &["status", "--json"]));
    assert!(
        s["signals"][0]
            .as_str()
            .unwrap()
            .contains("v0 task workspace"),
        "{}",
        s["signals"]
    );

    let tasks = std::fs::read(root.join(".ai-workspace/tasks/active/ACTIVE_TASKS.md")).unwrap();
    let config = std::fs::read(root.join(".ai-workspace/config/workspace_config.yml")).unwrap();
    let init = json(&gen_ok(root, &["init", "--json", "--project", "tasks"]));
    assert_eq!(init["adopted"], true);
    assert_eq!(
        std::fs::read(root.join(".ai-workspace/tasks/active/ACTIVE_TASKS.md")).unwrap(),
        tasks
    );
    assert_eq!(
        std::fs::read(root.join(".ai-workspace/config/workspace_config.yml")).unwrap(),
        config
    );
    assert!(
        root.join(".ai-workspace/templates/TASK_TEMPLATE.md")
            .is_file()
    );
    assert!(
        root.join(".ai-workspace/graph/graph_topology.yml")
            .is_file()
    );
    let v = json(&gen_ok(root, &["validate", "--json"]));
    assert_eq!(v["ok"], true, "{}", v["errors"]);
    // Once adopted it is a graph workspace: a second init refuses like on any other.
    assert_eq!(gen_in(root, &["init"]).status.code(), Some(2));
}

#[test]
fn a_log_at_the_old_place_is_read_appended_to_and_never_counted_twice() {
    let ws = fixture("root-log");
    let root = ws.path();
    let s = json(&gen_ok(root, &["status", "--json"]));
    assert_eq!(s["events"]["file"], "events.jsonl");
    assert_eq!(
        s["events"]["total"], 2,
        "events.v1.jsonl is not a second log"
    );
    assert_eq!(s["events"]["ignored"][0]["file"], "events.v1.jsonl");
    assert_eq!(s["events"]["ignored"][0]["migration_leftover"], true);
    assert_eq!(s["features"][0]["T"], 0);
    assert_eq!(s["features"][0]["status"], "converged");
    assert!(
        s["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x.as_str().unwrap().contains("events.v1.jsonl")),
        "{}",
        s["signals"]
    );
    let human = gen_ok(root, &["status"]);
    assert!(human.contains("2 events from events.jsonl"), "{human}");

    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-R-001",
            "--edge",
            "code↔unit_tests",
        ],
    );
    let log = std::fs::read_to_string(root.join(".ai-workspace/events.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 3, "the emit went to the log in use");
    assert!(!root.join(".ai-workspace/events").exists());
    let listed = gen_ok(root, &["event", "log", "--json"]);
    assert_eq!(listed.lines().count(), 3);
    assert_eq!(
        json(&gen_ok(root, &["status", "--json"]))["events"]["total"],
        3
    );
}
