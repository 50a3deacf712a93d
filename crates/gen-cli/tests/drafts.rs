//! End-to-end workbench sessions with the real binary: a user drafts a release workflow, makes
//! mistakes, undoes them, saves and reopens blueprints, exports them, and edits the project's own
//! graph topology. Every command is a new process, so each step also proves the draft and its
//! history survive a restart.

mod common;

use common::{gen_in, gen_ok};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `gen` with `input` on stdin.
fn gen_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env_remove("GEN_WORKSPACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gen runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes");
    child.wait_with_output().expect("gen finishes")
}

/// `gen draft apply --name NAME -` with a JSON value on stdin.
fn apply(dir: &Path, name: &str, input: &Value) -> Output {
    gen_stdin(
        dir,
        &["draft", "apply", "--name", name, "-"],
        &input.to_string(),
    )
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited")
}

fn journal(root: &Path, name: &str) -> Vec<u8> {
    std::fs::read(root.join(format!(
        ".ai-workspace/workbench/drafts/{name}/journal.jsonl"
    )))
    .expect("journal exists")
}

fn show(root: &Path, name: &str) -> String {
    gen_ok(root, &["draft", "show", "--name", name, "--json"])
}

#[test]
fn drafting_a_release_workflow_from_scratch() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "--project", "shop"]);

    let out = gen_ok(
        root,
        &["draft", "new", "--name", "release", "--title", "Release"],
    );
    assert!(out.contains("Started draft `release`"), "{out}");
    let new_again = gen_in(root, &["draft", "new", "--name", "release"]);
    assert_eq!(code(&new_again), 2);
    assert!(
        stderr(&new_again).contains("already exists"),
        "{}",
        stderr(&new_again)
    );

    // One batch is one history entry, and the report comes from the reducer.
    let batch = json!([
        {"intent": "add", "node": {"id": "build", "label": "Build", "type": "action"}},
        {"intent": "add", "node": {"id": "test", "label": "Test", "type": "action"}, "connectFrom": "build"},
        {"intent": "add", "node": {"id": "ship", "label": "Ship", "type": "action"}, "connectFrom": "test"}
    ]);
    let batch_file = root.join("batch.json");
    std::fs::write(&batch_file, batch.to_string()).unwrap();
    let out = gen_ok(
        root,
        &[
            "draft",
            "apply",
            "--name",
            "release",
            batch_file.to_str().unwrap(),
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Applied 3 changes");
    assert_eq!(lines[1], "  [0] applied: Added Build");
    assert_eq!(lines[3], "  [2] applied: Added Ship");
    let history = json(&gen_ok(
        root,
        &["draft", "history", "--name", "release", "--json"],
    ));
    assert_eq!(history["undo"], json!([{"message": "Applied 3 changes"}]));
    assert_eq!(history["revision"], 1);

    // `show --json` is the wire draft, exactly.
    let three = r#"{"title":"Release","summary":"","nodes":[{"id":"build","label":"Build","type":"action"},{"id":"test","label":"Test","type":"action"},{"id":"ship","label":"Ship","type":"action"}],"edges":[{"source":"build","target":"test"},{"source":"test","target":"ship"}]}"#;
    assert_eq!(show(root, "release").trim_end(), three);

    // Undo reverts the whole batch; redo restores it.
    let out = gen_ok(root, &["draft", "undo", "--name", "release"]);
    assert!(out.starts_with("Undid: Applied 3 changes"), "{out}");
    assert_eq!(
        show(root, "release").trim_end(),
        r#"{"title":"Release","summary":"","nodes":[],"edges":[]}"#
    );
    let undo_again = gen_in(root, &["draft", "undo", "--name", "release"]);
    assert_eq!(code(&undo_again), 1, "nothing left to undo");
    assert!(stdout(&undo_again).starts_with("Nothing to undo"));
    gen_ok(root, &["draft", "redo", "--name", "release"]);
    assert_eq!(show(root, "release").trim_end(), three);
    assert_eq!(
        code(&gen_in(root, &["draft", "redo", "--name", "release"])),
        1
    );

    // A partial failure applies what it can, in one entry, and says what failed.
    let out = apply(
        root,
        "release",
        &json!([
            {"intent": "rename", "nodeId": "build", "label": "Compile"},
            {"intent": "remove", "nodeId": "ghost"},
            {"intent": "add", "node": {"id": "notify", "label": "Notify", "type": "action"}, "connectFrom": "ship"}
        ]),
    );
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "Applied 2 changes; 1 failed: That step doesn't exist in the current workflow.\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  [1] failed: That step doesn't exist in the current workflow. ($[1].nodeId: no step with id \"ghost\")"),
        "{text}"
    );

    // Rejected input changes nothing: exit 1, draft and journal byte-identical.
    let before_show = show(root, "release");
    let before_journal = journal(root, "release");
    let dangling = apply(
        root,
        "release",
        &json!({"intent": "connect", "source": "build", "target": "nX"}),
    );
    assert_eq!(code(&dangling), 1);
    assert!(
        stdout(&dangling).starts_with("Couldn't connect steps: one of them was not found.\n"),
        "{}",
        stdout(&dangling)
    );
    let malformed = gen_stdin(
        root,
        &["draft", "apply", "--name", "release", "-"],
        r#"{"intent":"add","node":{"id":"n4""#,
    );
    assert_eq!(code(&malformed), 1);
    assert!(
        stdout(&malformed).starts_with("I couldn't apply that change: the request was invalid.\n"),
        "{}",
        stdout(&malformed)
    );
    let machine = gen_stdin(
        root,
        &["--json", "draft", "apply", "--name", "release", "-"],
        r#"{"intent":"reorder","nodeIds":["build"]}"#,
    );
    assert_eq!(code(&machine), 1);
    let report = json(&stdout(&machine));
    assert_eq!(report["changed"], false);
    assert_eq!(report["failed"][0]["index"], 0);
    assert_eq!(report["failed"][0]["at"], "$[0].nodeIds");
    assert_eq!(show(root, "release"), before_show);
    assert_eq!(journal(root, "release"), before_journal);

    // Machine-readable apply: every change with its index and summary.
    let machine = gen_stdin(
        root,
        &["--json", "draft", "apply", "--name", "release", "-"],
        r#"{"action":"setEdgeLabel","source":"build","target":"test","label":"green"}"#,
    );
    assert_eq!(code(&machine), 0);
    let report = json(&stdout(&machine));
    assert_eq!(
        report["message"],
        "Labelled the connection from Compile to Test"
    );
    assert_eq!(report["applied"][0]["change"]["change"], "edgeLabelSet");
    assert_eq!(
        (report["undo"].as_u64(), report["redo"].as_u64()),
        (Some(3), Some(0))
    );

    // A full replace is one edit; an invalid one (two steps with one id) is refused whole.
    let invalid = apply(
        root,
        "release",
        &json!({"draft": {"title": "Other", "summary": "", "edges": [], "nodes": [
            {"id": "a", "label": "A", "type": "t"}, {"id": "a", "label": "B", "type": "t"}]}}),
    );
    assert_eq!(code(&invalid), 1);
    assert!(
        stdout(&invalid).starts_with(
            "The workflow draft from the assistant was invalid. Please try again or edit manually.\n"
        ),
        "{}",
        stdout(&invalid)
    );
    let replaced = apply(
        root,
        "release",
        &json!({"draft": {"title": "Other", "summary": "", "edges": [], "nodes": [
            {"id": "a", "label": "A", "type": "t"}]}}),
    );
    assert_eq!(code(&replaced), 0);
    assert!(stdout(&replaced).starts_with("Replaced the workflow with Other (1 step)\n"));
    gen_ok(root, &["draft", "undo", "--name", "release"]);

    let listed = json(&gen_ok(root, &["draft", "list", "--json"]));
    assert_eq!(listed[0]["name"], "release");
    assert_eq!(listed[0]["nodes"], 4);
    assert_eq!(listed[0]["edges"], 3);
    assert_eq!(listed[0]["revision"], 7);
    assert!(listed[0]["modified"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn blueprints_are_saved_reopened_validated_and_exported() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "--project", "shop"]);
    gen_ok(
        root,
        &["draft", "new", "--name", "release", "--title", "Release"],
    );
    let out = apply(
        root,
        "release",
        &json!([
            {"intent": "add", "node": {"id": "build", "label": "Build", "type": "action",
                                       "properties": {"cmd": "cargo build"}}},
            {"intent": "add", "node": {"id": "ship", "label": "Ship \"it\"", "type": "action"}, "connectFrom": "build"},
            {"action": "setEdgeLabel", "source": "build", "target": "ship", "label": "on green"}
        ]),
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));

    let out = gen_ok(
        root,
        &[
            "draft",
            "save",
            "--name",
            "release",
            "--blueprint",
            "release",
        ],
    );
    assert!(out.contains("blueprints/release.json"), "{out}");
    let file = root.join(".ai-workspace/blueprints/release.json");
    let saved = json(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(saved["draft"], json(&show(root, "release")));
    assert_eq!(saved["layout"], json!({"positions": {}}));
    assert_eq!(
        json(&gen_ok(root, &["validate", "--json"]))["ok"],
        true,
        "a saved blueprint is a valid config"
    );

    // The canvas placed the steps; opening keeps the positions, saving keeps them too, and a
    // removed step's position is dropped.
    let mut placed = saved.clone();
    placed["layout"] =
        json!({"positions": {"build": {"x": 0.0, "y": 0.0}, "ship": {"x": 240.0, "y": 80.5}}});
    std::fs::write(&file, serde_json::to_string_pretty(&placed).unwrap()).unwrap();
    let out = gen_ok(
        root,
        &["draft", "open", "--name", "copy", "--blueprint", "release"],
    );
    assert!(out.contains("as new draft `copy`"), "{out}");
    assert_eq!(show(root, "copy"), show(root, "release"));
    gen_ok(
        root,
        &["draft", "save", "--name", "copy", "--blueprint", "copy"],
    );
    let copy =
        json(&std::fs::read_to_string(root.join(".ai-workspace/blueprints/copy.json")).unwrap());
    assert_eq!(copy["layout"], placed["layout"]);
    let out = apply(
        root,
        "copy",
        &json!({"intent": "rename", "nodeId": "build", "label": "Compile"}),
    );
    assert_eq!(code(&out), 0);
    apply(
        root,
        "copy",
        &json!({"intent": "add", "node": {"id": "notify", "label": "Notify", "type": "action"}, "connectFrom": "ship"}),
    );
    apply(root, "copy", &json!({"intent": "remove", "nodeId": "ship"}));
    gen_ok(
        root,
        &["draft", "save", "--name", "copy", "--blueprint", "copy"],
    );
    let copy =
        json(&std::fs::read_to_string(root.join(".ai-workspace/blueprints/copy.json")).unwrap());
    assert_eq!(
        copy["layout"],
        json!({"positions": {"build": {"x": 0.0, "y": 0.0}}}),
        "renaming never moves a step; a removed step's position is gone"
    );

    // Opening a blueprint into an existing draft is one undoable edit.
    let out = gen_ok(
        root,
        &["draft", "open", "--name", "copy", "--blueprint", "release"],
    );
    assert!(
        out.starts_with("Replaced the workflow with Release (2 steps)"),
        "{out}"
    );
    gen_ok(root, &["draft", "undo", "--name", "copy"]);
    assert!(show(root, "copy").contains("\"notify\""));

    let mermaid = gen_ok(
        root,
        &[
            "draft", "export", "--name", "release", "--format", "mermaid",
        ],
    );
    assert_eq!(
        mermaid,
        "flowchart TD\n  %% Release\n  n0[\"Build\"]\n  n1[\"Ship #34;it#34;\"]\n  n0 -->|\"on green\"| n1\n"
    );
    let dot = gen_ok(
        root,
        &["draft", "export", "--name", "release", "--format", "dot"],
    );
    assert_eq!(
        dot,
        "digraph workflow {\n  label=\"Release\";\n  node [shape=box];\n  \"build\" [label=\"Build\"];\n  \"ship\" [label=\"Ship \\\"it\\\"\"];\n  \"build\" -> \"ship\" [label=\"on green\"];\n}\n"
    );
    let exported = root.join("release.json");
    gen_ok(
        root,
        &[
            "draft",
            "export",
            "--name",
            "release",
            "--output",
            exported.to_str().unwrap(),
        ],
    );
    assert_eq!(
        json(&std::fs::read_to_string(&exported).unwrap()),
        json(&show(root, "release"))
    );

    // A broken blueprint fails `gen validate` with its file and JSON path, and cannot be opened.
    let mut broken = saved;
    broken["draft"]["nodes"][1]["id"] = json!("build");
    std::fs::write(
        root.join(".ai-workspace/blueprints/broken.json"),
        serde_json::to_string_pretty(&broken).unwrap(),
    )
    .unwrap();
    let validate = gen_in(root, &["validate", "--json"]);
    assert_eq!(code(&validate), 1);
    let report = json(&stdout(&validate));
    let error = &report["errors"][0];
    assert_eq!(error["file"], "blueprints/broken.json");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("$.draft.nodes[1].id:"),
        "{report}"
    );
    assert!(error["line"].as_u64().is_some_and(|l| l > 1), "{report}");
    let open = gen_in(
        root,
        &["draft", "open", "--name", "b", "--blueprint", "broken"],
    );
    assert_eq!(code(&open), 2);
    assert!(
        stderr(&open).contains("broken.json: $.draft.nodes[1].id"),
        "{}",
        stderr(&open)
    );
    let escape = gen_in(
        root,
        &[
            "draft",
            "save",
            "--name",
            "release",
            "--blueprint",
            "../evil",
        ],
    );
    assert_eq!(code(&escape), 2);
    assert!(stderr(&escape).contains("blueprint name \"../evil\" is not allowed"));
    assert!(!root.join(".ai-workspace/evil.json").exists());
}

#[test]
fn editing_the_project_topology_as_a_draft() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "--project", "shop"]);
    let topology = root.join(".ai-workspace/graph/graph_topology.yml");
    let original = std::fs::read_to_string(&topology).unwrap();

    let out = gen_ok(root, &["draft", "open", "--name", "graph", "--topology"]);
    assert!(out.contains("as new draft `graph`"), "{out}");
    let draft = json(&show(root, "graph"));
    let design = draft["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "design")
        .expect("asset types are steps")
        .clone();
    assert_eq!(design["type"], "asset_type");
    assert!(design["properties"]["markov_criteria"].is_array());
    assert!(
        draft["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["label"] == "code↔unit_tests"),
        "{draft}"
    );

    // Saving without edits writes nothing.
    let out = gen_ok(root, &["draft", "save", "--name", "graph", "--topology"]);
    assert!(out.contains("nothing was written"), "{out}");
    assert_eq!(std::fs::read_to_string(&topology).unwrap(), original);

    // Add an asset type and a transition: the configs still validate, the old file is kept.
    let out = apply(
        root,
        "graph",
        &json!([
            {"intent": "add", "node": {"id": "security_review", "label": "Security Review", "type": "asset_type",
              "description": "Threat model and findings", "properties": {"schema": {"findings": "list"},
              "markov_criteria": ["no_open_findings", "human_approved"]}}},
            {"intent": "connect", "source": "design", "target": "security_review"}
        ]),
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = gen_ok(root, &["draft", "save", "--name", "graph", "--topology"]);
    assert!(
        out.contains("previous version kept at workbench/backups/graph_topology-"),
        "{out}"
    );
    assert!(
        out.contains("note: connection design→security_review is new"),
        "{out}"
    );
    let saved = std::fs::read_to_string(&topology).unwrap();
    assert!(
        saved.contains("  security_review:\n    description: Threat model and findings\n"),
        "{saved}"
    );
    assert!(
        saved.contains("  - name: \"Design → Security Review\"\n"),
        "{saved}"
    );
    assert!(
        saved.starts_with(&original[..original.find("asset_types:").unwrap()]),
        "header kept"
    );
    let backups: Vec<_> = std::fs::read_dir(root.join(".ai-workspace/workbench/backups"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(
        std::fs::read_to_string(backups[0].path()).unwrap(),
        original
    );
    assert_eq!(json(&gen_ok(root, &["validate", "--json"]))["ok"], true);
    // The new edge is usable: an event on it is logged and the feature's status works on it.
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-SEC-001",
            "--edge",
            "design→security_review",
        ],
    );
    let logged: Vec<Value> = gen_ok(
        root,
        &["event", "log", "--json", "--edge", "design→security_review"],
    )
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["feature"], "REQ-F-SEC-001");
    let feature = json(&gen_ok(
        root,
        &["status", "--json", "--feature", "REQ-F-SEC-001"],
    ));
    assert_eq!(
        feature["current_edge"], "design→security_review",
        "{feature}"
    );
    assert!(
        feature["edges"].get("design→security_review").is_some(),
        "{feature}"
    );

    // An edit that would break the configs is refused with the errors; nothing is written.
    apply(
        root,
        "graph",
        &json!({"action": "replaceProperties", "nodeId": "security_review", "properties": {
            "$transitions": [{"name": "Review → Code", "source": "security_review", "target": "code",
                              "edge_type": "sideways", "evaluators": ["oracle"], "constructor": "wizard"}]}}),
    );
    apply(
        root,
        "graph",
        &json!({"intent": "connect", "source": "security_review", "target": "code"}),
    );
    let refused = gen_in(root, &["draft", "save", "--name", "graph", "--topology"]);
    assert_eq!(code(&refused), 1);
    let err = stderr(&refused);
    // A free-form edge_type is an older scaffold's dialect (read as standard, a warning); what cannot
    // work is an unknown evaluator kind or constructor.
    assert!(err.contains("evaluator `oracle`"), "{err}");
    assert!(err.contains("constructor `wizard`"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(std::fs::read_to_string(&topology).unwrap(), saved);
    assert_eq!(
        std::fs::read_dir(root.join(".ai-workspace/workbench/backups"))
            .unwrap()
            .count(),
        1,
        "no backup for a refused save"
    );

    // Undo the bad edits and the draft saves again.
    gen_ok(root, &["draft", "undo", "--name", "graph"]);
    gen_ok(root, &["draft", "undo", "--name", "graph"]);
    let out = gen_ok(root, &["draft", "save", "--name", "graph", "--topology"]);
    assert!(out.contains("nothing was written"), "{out}");
}

#[test]
fn bad_names_and_missing_drafts_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    let out = gen_in(root, &["draft", "show", "--name", "nope"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no draft named `nope`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("gen draft new --name nope"),
        "{}",
        stderr(&out)
    );
    let out = gen_in(root, &["draft", "new", "--name", "../../etc"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("draft name \"../../etc\" is not allowed"),
        "{}",
        stderr(&out)
    );
    let out = gen_in(root, &["draft", "apply", "--name", "nope", "missing.json"]);
    assert_eq!(code(&out), 2);
    gen_ok(root, &["draft", "new"]);
    let out = gen_in(root, &["draft", "apply", "missing.json"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot read missing.json"),
        "{}",
        stderr(&out)
    );
    let out = gen_in(root, &["draft", "open", "--name", "x"]);
    assert_eq!(code(&out), 2, "open needs --blueprint or --topology");
    let listed = gen_ok(root, &["draft", "list"]);
    assert!(listed.contains("default"), "{listed}");
}

#[test]
fn a_write_cut_off_by_a_crash_is_reported_then_moved_aside() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    gen_ok(root, &["draft", "new", "--name", "d", "--title", "Flow"]);
    apply(
        root,
        "d",
        &json!({"intent": "add", "node": {"id": "a", "label": "A", "type": "t"}}),
    );
    let path = root.join(".ai-workspace/workbench/drafts/d/journal.jsonl");
    let complete = std::fs::read(&path).unwrap();
    // What a crash in the middle of the next append leaves behind.
    let mut torn = complete.clone();
    torn.extend_from_slice(br#"{"record":"batch","revision":2,"actions":[{"intent":"add","no"#);
    std::fs::write(&path, &torn).unwrap();

    let out = gen_in(root, &["draft", "show", "--name", "d", "--json"]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("line 3 of draft `d`'s journal")
            && stderr(&out).contains("moved aside by the next change"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        torn,
        "reading repairs nothing"
    );

    let out = apply(
        root,
        "d",
        &json!({"intent": "add", "node": {"id": "b", "label": "B", "type": "t"}}),
    );
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains("moved aside to"), "{}", stderr(&out));
    let repaired = std::fs::read(&path).unwrap();
    assert!(repaired.starts_with(&complete) && repaired.ends_with(b"\n"));
    let history = json(&gen_ok(
        root,
        &["draft", "history", "--name", "d", "--json"],
    ));
    assert_eq!(
        history["undo"],
        json!([{"message": "Added B"}, {"message": "Added A"}])
    );
    let fragments: Vec<_> = std::fs::read_dir(root.join(".ai-workspace/workbench/drafts/d/torn"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(fragments.len(), 1);
}

#[test]
fn a_topology_edited_by_someone_else_is_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "--project", "graph"]);
    gen_ok(root, &["draft", "open", "--name", "graph", "--topology"]);
    let edited = apply(
        root,
        "graph",
        &json!({"action": "setNodeDescription", "nodeId": "code", "description": "All our source"}),
    );
    assert_eq!(code(&edited), 0, "{}", stderr(&edited));

    // A teammate changes the topology by hand after the draft was opened.
    let path = root.join(".ai-workspace/graph/graph_topology.yml");
    let theirs = std::fs::read_to_string(&path).unwrap() + "\n# reviewed by kim\n";
    std::fs::write(&path, &theirs).unwrap();
    let refused = gen_in(root, &["draft", "save", "--name", "graph", "--topology"]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("changed since draft `graph` was opened"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        theirs,
        "their change is intact"
    );

    // Re-opening picks up their change (one undoable step); the edit is redone and the save goes through.
    gen_ok(root, &["draft", "open", "--name", "graph", "--topology"]);
    let again = apply(
        root,
        "graph",
        &json!({"action": "setNodeDescription", "nodeId": "code", "description": "All our source"}),
    );
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    gen_ok(root, &["draft", "save", "--name", "graph", "--topology"]);
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.contains("All our source") && saved.contains("# reviewed by kim"),
        "{saved}"
    );

    // A draft that never came from the topology needs --force to replace it.
    gen_ok(
        root,
        &["draft", "new", "--name", "other", "--title", "Other"],
    );
    let refused = gen_in(root, &["draft", "save", "--name", "other", "--topology"]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("was not opened from the topology"),
        "{}",
        stderr(&refused)
    );
}
