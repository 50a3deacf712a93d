//! End-to-end sessions with the real binary, written the way a user would work.

mod common;

use common::{gen_in, gen_ok};
use serde_json::Value;
use std::path::Path;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn events_file(root: &Path) -> std::path::PathBuf {
    root.join(".ai-workspace/events/events.jsonl")
}

#[test]
fn a_new_project_from_init_to_status() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let out = gen_ok(root, &["init", "--project", "billing"]);
    assert!(out.contains("Initialized"), "{out}");
    let v = json(&gen_ok(root, &["validate", "--json"]));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(
        v["warnings"].as_array().unwrap().len(),
        0,
        "defaults are clean: {v}"
    );

    let f = "REQ-F-PAY-001";
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            f,
            "--edge",
            "intent->requirements",
        ],
    );
    for (i, d) in [(1, 2), (2, 0)] {
        gen_ok(
            root,
            &[
                "event",
                "emit",
                "iteration_completed",
                "--feature",
                f,
                "--edge",
                "intent→requirements",
                "--data",
                &format!(r#"{{"iteration":{i},"delta":{d}}}"#),
            ],
        );
    }
    let emitted = json(&gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_converged",
            "--feature",
            f,
            "--edge",
            "intent→requirements",
            "--json",
        ],
    ));
    assert_eq!(emitted["event"]["agent_id"], "tester");
    assert_eq!(emitted["event"]["project"], "billing");
    assert!(emitted["id"].as_str().unwrap().len() == 36, "a UUID");
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            f,
            "--edge",
            "requirements→design",
        ],
    );

    let s = json(&gen_ok(root, &["status", "--json"]));
    assert_eq!(s["project"], "billing");
    assert_eq!(s["state"], "ITERATING");
    assert_eq!(s["events"]["total"], 6);
    let feat = &s["features"][0];
    assert_eq!(feat["feature"], f);
    assert_eq!(feat["T"], 2);
    assert_eq!(feat["V"], 0);
    assert_eq!(feat["edges"]["intent→requirements"]["status"], "converged");
    assert_eq!(feat["edges"]["intent→requirements"]["iterations"], 2);
    assert_eq!(feat["edges"]["requirements→design"]["status"], "iterating");

    let human = gen_ok(root, &["status"]);
    assert!(human.contains("You are here:"), "{human}");
    assert!(
        human.contains("intent → requirements ✓ → design ●"),
        "{human}"
    );
    assert!(
        human.contains("iterate REQ-F-PAY-001 on requirements→design"),
        "{human}"
    );

    let one = gen_ok(root, &["status", "--feature", f]);
    assert!(one.contains("✓ intent→requirements"), "{one}");

    let log = gen_ok(
        root,
        &["event", "log", "--json", "--type", "iteration_completed"],
    );
    let lines: Vec<Value> = log.lines().map(json).collect();
    assert_eq!(lines.len(), 2);
    for key in [
        "id",
        "type",
        "timestamp",
        "feature",
        "edge",
        "agent",
        "line",
        "raw",
    ] {
        assert!(lines[0].get(key).is_some(), "event log field {key}");
    }
    assert_eq!(lines[0]["line"], 3);
    let limited = gen_ok(root, &["event", "log", "--json", "--limit", "1"]);
    assert_eq!(json(limited.trim())["type"], "edge_started");
}

#[test]
fn init_refuses_to_clobber_and_force_keeps_events_features_and_context() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-X-001",
            "--edge",
            "a→b",
        ],
    );
    let ws = root.join(".ai-workspace");
    std::fs::write(
        ws.join("features/active/REQ-F-X-001.yml"),
        "feature: REQ-F-X-001\nstatus: in_progress\n",
    )
    .unwrap();
    std::fs::write(
        ws.join("context/project_constraints.yml"),
        "project:\n  name: mine\n",
    )
    .unwrap();
    std::fs::write(ws.join("graph/graph_topology.yml"), "broken: [").unwrap();

    let out = gen_in(root, &["init"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );

    let before = std::fs::read_to_string(events_file(root)).unwrap();
    gen_ok(root, &["init", "--force"]);
    let after = std::fs::read_to_string(events_file(root)).unwrap();
    assert!(after.starts_with(&before), "events kept, one line added");
    assert_eq!(after.lines().count(), before.lines().count() + 1);
    assert!(after.lines().last().unwrap().contains("configs_refreshed"));
    assert_eq!(
        std::fs::read_to_string(ws.join("context/project_constraints.yml")).unwrap(),
        "project:\n  name: mine\n"
    );
    assert!(ws.join("features/active/REQ-F-X-001.yml").exists());
    assert!(
        std::fs::read_to_string(ws.join("graph/graph_topology.yml"))
            .unwrap()
            .contains("asset_types")
    );
}

#[test]
fn emit_rejects_bad_input_and_says_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    let before = std::fs::read_to_string(events_file(root)).unwrap();
    for (args, needle) in [
        (vec!["event", "emit", "Edge Started"], "not snake_case"),
        (
            vec!["event", "emit", "x", "--data", "{\"a\": 1,}"],
            "line 1, column",
        ),
        (
            vec!["event", "emit", "x", "--data", "[1,2]"],
            "must be a JSON object",
        ),
        (
            vec!["event", "emit", "x", "--data", "{\"event_id\":\"mine\"}"],
            "gen writes itself",
        ),
        (
            vec!["event", "emit", "x", "--data", "@/nonexistent/file.json"],
            "cannot read --data file",
        ),
    ] {
        let out = gen_in(root, &args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(
        std::fs::read_to_string(events_file(root)).unwrap(),
        before,
        "nothing appended"
    );
}

#[test]
fn validate_points_at_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    let topo = root.join(".ai-workspace/graph/graph_topology.yml");
    let text = std::fs::read_to_string(&topo).unwrap();
    let broken = text.replacen("target: requirements", "target: requirementz", 1);
    std::fs::write(&topo, &broken).unwrap();
    let out = gen_in(root, &["validate", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(v["ok"], false);
    let e = &v["errors"][0];
    assert_eq!(e["file"], "graph/graph_topology.yml");
    let line = broken
        .lines()
        .position(|l| l.contains("requirementz"))
        .unwrap()
        + 1;
    assert_eq!(e["line"].as_u64().unwrap() as usize, line);
    assert!(e["column"].as_u64().unwrap() > 0);
    // Human output: clickable location plus a snippet.
    let out = gen_in(root, &["validate"]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("graph/graph_topology.yml:{line}:")),
        "{err}"
    );
    assert!(err.contains("requirementz"), "{err}");

    std::fs::write(&topo, "asset_types:\n  a: {description: x\n").unwrap();
    let v = json(&String::from_utf8_lossy(
        &gen_in(root, &["validate", "--json"]).stdout,
    ));
    assert_eq!(v["errors"][0]["line"], 2, "{v}");
}

#[test]
fn malformed_lines_are_reported_with_their_number_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    let path = events_file(root);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("this is not json\n");
    std::fs::write(&path, &text).unwrap();
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-M-001",
            "--edge",
            "a→b",
        ],
    );
    let out = gen_in(root, &["event", "log"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("events.jsonl line 2"),
        "{}",
        stderr(&out)
    );
    let s = json(&gen_ok(root, &["status", "--json"]));
    assert_eq!(s["events"]["malformed"], 1);
    assert_eq!(s["events"]["total"], 3);
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("this is not json\n"),
        "kept"
    );
}

#[test]
fn the_same_events_in_another_order_print_the_same_status() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    gen_ok(a.path(), &["init", "--project", "same"]);
    for (f, e) in [
        ("REQ-F-A-001", "intent→requirements"),
        ("REQ-F-B-001", "requirements→design"),
    ] {
        gen_ok(
            a.path(),
            &["event", "emit", "edge_started", "--feature", f, "--edge", e],
        );
        gen_ok(
            a.path(),
            &[
                "event",
                "emit",
                "iteration_completed",
                "--feature",
                f,
                "--edge",
                e,
                "--data",
                r#"{"delta":3}"#,
            ],
        );
        gen_ok(
            a.path(),
            &[
                "event",
                "emit",
                "edge_converged",
                "--feature",
                f,
                "--edge",
                e,
            ],
        );
    }
    // Plus a line in another writer's shape, without an id.
    let extra = r#"{"event_type": "intent_raised", "timestamp": "2026-03-01T10:00:00Z", "project": "same", "data": {"intent_id": "INT-1"}}"#;
    let text = std::fs::read_to_string(events_file(a.path())).unwrap() + extra + "\n";
    std::fs::write(events_file(a.path()), &text).unwrap();
    gen_ok(b.path(), &["init", "--project", "same"]);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse();
    std::fs::write(events_file(b.path()), lines.join("\n") + "\n").unwrap();
    let sa = gen_ok(a.path(), &["status"]);
    let sb = gen_ok(b.path(), &["status"]);
    assert_eq!(sa, sb);
    assert_eq!(
        gen_ok(a.path(), &["status", "--json"]),
        gen_ok(b.path(), &["status", "--json", "--no-cache"])
    );
}

#[test]
fn features_write_refreshes_derived_fields_and_keeps_authored_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    let features = root.join(".ai-workspace/features");
    let vector = features.join("active/REQ-F-V-001.yml");
    let authored = "\
# Owned by kim; gen refreshes status and trajectory progress only
feature: REQ-F-V-001
title: Vectors
owner: kim
profile: standard
status: pending   # refreshed by gen
estimate: 12345678901234567890123
priority: 007
ratio: .inf
due: 2026-03-01
quote: 'it''s'
trajectory:
  requirements:
    status: pending
    notes: keep me
";
    std::fs::write(&vector, authored).unwrap();
    // History: converged before the log existed; the log knows only a late iteration.
    let completed = features.join("completed/REQ-F-OLD-001.yml");
    let history = "feature: REQ-F-OLD-001\nstatus: converged\ntrajectory:\n  requirements:\n    status: converged\n    converged_at: '2025-12-01T00:00:00Z'\n";
    std::fs::create_dir_all(completed.parent().unwrap()).unwrap();
    std::fs::write(&completed, history).unwrap();
    let placeholder = features.join("archived/unknown.yml");
    std::fs::create_dir_all(placeholder.parent().unwrap()).unwrap();
    std::fs::write(
        &placeholder,
        "# events without a feature\nfeature: unknown\n",
    )
    .unwrap();
    // A vector whose trajectory is written in flow style cannot be spliced and is skipped.
    let flow = features.join("active/REQ-F-W-001.yml");
    let flow_text = "feature: REQ-F-W-001\ntrajectory: {requirements: {status: pending}}\n";
    std::fs::write(&flow, flow_text).unwrap();
    for (kind, feature) in [
        ("edge_converged", "REQ-F-V-001"),
        ("iteration_completed", "REQ-F-OLD-001"),
        ("edge_converged", "REQ-F-W-001"),
        ("edge_started", "unknown"),
    ] {
        gen_ok(
            root,
            &[
                "event",
                "emit",
                kind,
                "--feature",
                feature,
                "--edge",
                "intent→requirements",
            ],
        );
    }
    let untouched = |what: &str| {
        assert_eq!(
            std::fs::read_to_string(&vector).unwrap(),
            authored,
            "{what}"
        );
        assert_eq!(
            std::fs::read_to_string(&completed).unwrap(),
            history,
            "{what}"
        );
        assert_eq!(
            std::fs::read_to_string(&placeholder).unwrap(),
            "# events without a feature\nfeature: unknown\n",
            "{what}"
        );
        assert_eq!(std::fs::read_to_string(&flow).unwrap(), flow_text, "{what}");
    };

    let listing = gen_ok(root, &["features"]);
    untouched("read-only without --write");
    assert!(
        listing.contains("features/active/REQ-F-V-001.yml (would update)\n  status: pending → in_progress\n  trajectory.requirements.status: pending → converged\n  trajectory.requirements.delta: (new) 0\n  trajectory.requirements.started_at: (new) "),
        "{listing}"
    );
    assert!(
        listing.contains("skipped features/active/REQ-F-W-001.yml:2:")
            && listing.contains("trajectory.requirements is a flow mapping; refresh it by hand or convert it to block style"),
        "{listing}"
    );
    assert!(
        listing.contains("1 vector file(s) would be updated"),
        "{listing}"
    );
    assert!(
        listing.contains("1 vector file(s) in completed/ or archived/ left as written"),
        "{listing}"
    );

    let planned = json(&gen_ok(root, &["features", "--json"]));
    let item = |id: &str| {
        planned
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["feature"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {planned}"))
    };
    let v = item("REQ-F-V-001");
    assert_eq!(v["refresh"], "update");
    assert_eq!(v["written"], false);
    assert_eq!(
        v["changes"][0],
        serde_json::json!({"field": "status", "before": "pending", "after": "in_progress"})
    );
    let w = item("REQ-F-W-001");
    assert_eq!(w["refresh"], "skipped");
    assert_eq!(w["line"], 2);
    assert!(
        w["reason"].as_str().unwrap().contains("flow mapping"),
        "{w}"
    );
    let old = item("REQ-F-OLD-001");
    assert_eq!(old["refresh"], "not_refreshed");
    assert!(old["reason"].as_str().unwrap().contains("history"), "{old}");
    untouched("--json plans only");

    // One file could not be refreshed safely, so the write did not fully happen: exit 1.
    let write = |args: &[&str]| {
        let out = gen_in(root, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let out = write(&["features", "--write"]);
    assert!(out.contains("1 vector file(s) updated"), "{out}");
    assert!(out.contains("1 vector file(s) skipped"), "{out}");
    let text = std::fs::read_to_string(&vector).unwrap();
    let masked: String = text
        .lines()
        .map(|l| match l.split_once("_at: '") {
            Some((key, _)) => format!("{key}_at: T\n"),
            None => format!("{l}\n"),
        })
        .collect();
    let expected = authored
        .replace("status: pending   #", "status: in_progress   #")
        .replace("    status: pending\n", "    status: converged\n")
        + "    delta: 0\n    started_at: T\n    converged_at: T\n";
    assert_eq!(masked, expected, "only derived values change: {text}");
    let doc = serde_saphyr_free_parse(&text);
    assert_eq!(doc["trajectory"]["requirements"]["notes"], "keep me");
    assert_eq!(std::fs::read_to_string(&completed).unwrap(), history);
    assert_eq!(std::fs::read_to_string(&flow).unwrap(), flow_text);

    let again = write(&["features", "--write"]);
    assert!(
        again.contains("0 vector file(s) updated"),
        "idempotent: {again}"
    );
    assert_eq!(std::fs::read_to_string(&vector).unwrap(), text);
    // History included on request, still never lowered; placeholders never touched.
    let all = write(&["features", "--write", "--all"]);
    assert!(all.contains("0 vector file(s) updated"), "{all}");
    assert_eq!(std::fs::read_to_string(&completed).unwrap(), history);
    assert_eq!(
        std::fs::read_to_string(&placeholder).unwrap(),
        "# events without a feature\nfeature: unknown\n"
    );
}

/// Reads the written YAML back through gen's own validator-facing loader (no extra YAML dependency).
fn serde_saphyr_free_parse(text: &str) -> Value {
    let file = gen_core::config::SourceFile::new("v.yml", text);
    gen_core::config::yaml::load(&file).unwrap().root.to_json()
}

#[test]
fn the_workspace_is_found_from_subfolders_the_env_and_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "--project", "found"]);
    let deep = root.join("src/a/b");
    std::fs::create_dir_all(&deep).unwrap();
    assert_eq!(
        json(&gen_ok(&deep, &["status", "--json"]))["project"],
        "found"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = gen_in(elsewhere.path(), &["status"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("gen init"), "{}", stderr(&out));
    let flag = gen_ok(
        elsewhere.path(),
        &["--workspace", root.to_str().unwrap(), "status", "--json"],
    );
    assert_eq!(json(&flag)["project"], "found");
    let env = std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["status", "--json"])
        .current_dir(elsewhere.path())
        .env("GEN_WORKSPACE", root.join(".ai-workspace"))
        .output()
        .unwrap();
    assert_eq!(
        json(&String::from_utf8_lossy(&env.stdout))["project"],
        "found"
    );
}

#[test]
fn validate_status_and_emit_read_the_same_constraints_file() {
    // Two constraints files: a tenant's (looked up first) that names no project, and the shared
    // one that does. One rule picks the first that exists, for every command: the shared file's
    // name is not borrowed, and its default profile is not used.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("tenant-app");
    std::fs::create_dir_all(&root).unwrap();
    gen_ok(&root, &["init", "--project", "shared"]);
    let ws = root.join(".ai-workspace");
    std::fs::create_dir_all(ws.join("claude/context")).unwrap();
    std::fs::write(
        ws.join("claude/context/project_constraints.yml"),
        "project:\n  default_profile: minimal\n",
    )
    .unwrap();
    gen_ok(
        &root,
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
    let status = json(&gen_ok(&root, &["status", "--json"]));
    assert_eq!(status["project"], "tenant-app");
    assert_eq!(status["features"][0]["profile"], "minimal");
    let log = gen_ok(&root, &["event", "log", "--json", "--type", "edge_started"]);
    assert_eq!(json(log.lines().next().unwrap())["project"], "tenant-app");
    // The defaults' `$vars` resolve against the shared file init wrote; validate checks them
    // against the tenant's, where they do not.
    let v = json(&gen_ok(&root, &["validate", "--json"]));
    assert!(
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"]
                .as_str()
                .unwrap()
                .contains("`$tools.test_runner.command` in `command` does not resolve")),
        "{}",
        v["warnings"]
    );
}
