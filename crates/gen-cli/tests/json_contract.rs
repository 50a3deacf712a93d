//! The `--json` contract end to end: every command's output from the real binary on a fresh
//! `gen init` workspace, pinned as insta snapshots (README, "JSON contract"). The shapes come from
//! the library types named there; these snapshots prove the binary prints exactly them. Values that
//! differ per run (the temp folder, event ids, times, the version) are replaced before snapshotting.

mod common;

use common::{gen_command, gen_in};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

/// Runs `gen --json ARGS` (with `stdin` piped in when given) and returns its stdout, whatever the exit.
fn run(root: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut command = gen_command(root, &[&["--json"], args].concat());
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("gen runs");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .expect("writes");
    drop(input);
    let out = child.wait_with_output().expect("gen finishes");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "gen {args:?} could not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// One JSON document of output, made stable.
fn json(root: &Path, args: &[&str], stdin: Option<&str>) -> Value {
    let text = run(root, args, stdin);
    stable(
        root,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
    )
}

/// Replaces what differs per run: the temp folder, UUIDs, RFC 3339 times and the version.
fn stable(root: &Path, value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(scrub(root, &s)),
        Value::Array(items) => items.into_iter().map(|v| stable(root, v)).collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| {
                let v = if k == "gen_version" {
                    Value::String("[version]".into())
                } else {
                    stable(root, v)
                };
                (scrub(root, &k), v)
            })
            .collect(),
        other => other,
    }
}

fn scrub(root: &Path, text: &str) -> String {
    let version = format!("\"gen_version\":\"{}\"", env!("CARGO_PKG_VERSION"));
    let text = text
        .replace(&root.display().to_string(), "[root]")
        .replace(&version, "\"gen_version\":\"[version]\"");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some(n) = uuid_at(&chars[i..]) {
            out.push_str("[uuid]");
            i += n;
        } else if let Some(n) = time_at(&chars[i..]) {
            out.push_str("[time]");
            i += n;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The length of a UUID (8-4-4-4-12 hex digits) starting here.
fn uuid_at(c: &[char]) -> Option<usize> {
    let ok = c.len() >= 36
        && (0..36).all(|i| match i {
            8 | 13 | 18 | 23 => c[i] == '-',
            _ => c[i].is_ascii_hexdigit(),
        });
    ok.then_some(36)
}

/// The length of an RFC 3339 UTC time (`YYYY-MM-DDTHH:MM:SS[.fff]Z`) or of a compact
/// `YYYYMMDDTHHMMSS…Z` file-name stamp starting here.
fn time_at(c: &[char]) -> Option<usize> {
    let digit = |i: usize| c.get(i).is_some_and(char::is_ascii_digit);
    let at = |i: usize, ch: char| c.get(i) == Some(&ch);
    let long = (0..4).all(digit)
        && at(4, '-')
        && digit(5)
        && digit(6)
        && at(7, '-')
        && digit(8)
        && digit(9)
        && at(10, 'T');
    let mut i = if long {
        11
    } else if (0..8).all(digit) && at(8, 'T') {
        9
    } else {
        return None;
    };
    while digit(i) || at(i, ':') || at(i, '.') || at(i, '-') {
        i += 1;
    }
    at(i, 'Z').then_some(i + 1)
}

#[test]
fn every_command_prints_its_documented_shape() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let snap = |name: &str, args: &[&str], stdin: Option<&str>| {
        insta::assert_json_snapshot!(name, json(root, args, stdin));
    };

    snap("init", &["init", "--project", "billing"], None);
    snap("validate", &["validate"], None);
    let broken = tempfile::tempdir().unwrap();
    json(broken.path(), &["init"], None);
    let profile = broken.path().join(".ai-workspace/profiles/poc.yml");
    std::fs::write(&profile, "name: poc\nedges: [unclosed\n").unwrap();
    let failed = json(broken.path(), &["validate"], None);
    insta::assert_json_snapshot!("validate_errors", stable(broken.path(), failed));
    snap(
        "event_emit",
        &[
            "event",
            "emit",
            "iteration_completed",
            "--feature",
            "REQ-F-PAY-001",
            "--edge",
            "intent->requirements",
            "--data",
            r#"{"delta": 2}"#,
        ],
        None,
    );
    let log: Vec<Value> = run(root, &["event", "log"], None)
        .lines()
        .map(|l| stable(root, serde_json::from_str(l).expect("one object per line")))
        .collect();
    insta::assert_json_snapshot!("event_log", log);
    snap("status", &["status"], None);
    snap(
        "status_feature",
        &["status", "--feature", "REQ-F-PAY-001"],
        None,
    );
    snap("features", &["features"], None);
    snap(
        "features_new",
        &[
            "features",
            "new",
            "REQ-F-NEW-001",
            "--title",
            "A new feature",
        ],
        None,
    );

    snap(
        "draft_new",
        &[
            "draft",
            "new",
            "--name",
            "release",
            "--title",
            "Release flow",
        ],
        None,
    );
    let batch = r#"[{"intent":"add","node":{"id":"build","label":"Build","type":"action"}},
                    {"intent":"add","node":{"id":"deploy","label":"Deploy","type":"action"},"connectFrom":"build"},
                    {"intent":"remove","nodeId":"ghost"}]"#;
    snap(
        "draft_apply",
        &["draft", "apply", "--name", "release", "-"],
        Some(batch),
    );
    snap(
        "draft_apply_rejected",
        &["draft", "apply", "--name", "release", "-"],
        Some("{not json"),
    );
    snap("draft_undo", &["draft", "undo", "--name", "release"], None);
    snap("draft_redo", &["draft", "redo", "--name", "release"], None);
    snap(
        "draft_history",
        &["draft", "history", "--name", "release"],
        None,
    );
    snap("draft_show", &["draft", "show", "--name", "release"], None);
    snap(
        "draft_export",
        &["draft", "export", "--name", "release"],
        None,
    );
    snap(
        "draft_save_blueprint",
        &[
            "draft",
            "save",
            "--name",
            "release",
            "--blueprint",
            "release",
        ],
        None,
    );
    snap(
        "draft_open_blueprint",
        &["draft", "open", "--name", "copy", "--blueprint", "release"],
        None,
    );
    snap(
        "draft_open_topology",
        &["draft", "open", "--name", "graph", "--topology"],
        None,
    );
    let rename = r#"{"intent":"rename","nodeId":"design","label":"Design (reviewed)"}"#;
    let renamed = json(
        root,
        &["draft", "apply", "--name", "graph", "-"],
        Some(rename),
    );
    assert_eq!(renamed["changed"], true, "{renamed}");
    snap(
        "draft_save_topology",
        &["draft", "save", "--name", "graph", "--topology"],
        None,
    );
    snap("draft_list", &["draft", "list"], None);
    // Without --json (export has no --json of its own) the same JSON.
    let plain = gen_in(root, &["draft", "export", "--name", "release"]);
    assert_eq!(
        stable(root, serde_json::from_slice(&plain.stdout).unwrap()),
        json(root, &["draft", "export", "--name", "release"], None)
    );
}
