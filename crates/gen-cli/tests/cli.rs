//! The command line a user expects: help that says what gen is, shell completions, colour that
//! follows `--color` and `NO_COLOR`, `--quiet`, and a closed pipe that is not an error.

mod common;

use common::{gen_command, gen_in, gen_ok};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Output, Stdio};

const ESC: u8 = 0x1b;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn has_escape(bytes: &[u8]) -> bool {
    bytes.contains(&ESC)
}

/// A workspace whose log holds `n` events, each about its own feature, so every listing is long.
fn busy_workspace(root: &Path, n: usize) {
    gen_ok(root, &["init", "--project", "busy"]);
    let mut lines = String::new();
    for i in 0..n {
        lines.push_str(&format!(
            "{{\"event_type\":\"edge_started\",\"timestamp\":\"2026-03-01T{:02}:{:02}:{:02}Z\",\
             \"feature\":\"REQ-F-BUSY-{i:05}\",\"edge\":\"intent→requirements\",\"event_id\":\"busy-{i}\"}}\n",
            i / 3600 % 24,
            i / 60 % 60,
            i % 60
        ));
    }
    let events = root.join(".ai-workspace/events/events.jsonl");
    let mut text = std::fs::read_to_string(&events).unwrap();
    text.push_str(&lines);
    std::fs::write(events, text).unwrap();
}

/// Starts `gen args` with stdout piped, reads its first line, closes the pipe and waits.
fn read_one_line_then_hang_up(root: &Path, args: &[&str]) -> (String, Output) {
    let mut child = gen_command(root, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gen starts");
    let mut first = String::new();
    {
        let mut reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
        reader.read_line(&mut first).expect("reads a line");
    } // the reader is dropped here: the pipe is closed while gen still has thousands of lines to write
    let out = child.wait_with_output().expect("gen ends");
    (first, out)
}

#[test]
fn help_says_what_gen_is_in_its_first_line() {
    let tmp = tempfile::tempdir().unwrap();
    let help = gen_ok(tmp.path(), &["--help"]);
    let first = help.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("gen reads and writes Genesis `.ai-workspace/` folders"),
        "{first}"
    );
    assert!(
        help.contains("--quiet") && help.contains("--color <WHEN>"),
        "{help}"
    );
    assert!(help.contains("completions"), "{help}");
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = gen_ok(tmp.path(), &["completions", shell]);
        assert!(script.len() > 500, "{shell}: {script}");
        for command in ["init", "event", "validate", "status", "features", "draft"] {
            assert!(script.contains(command), "{shell} script lacks `{command}`");
        }
    }
    let out = gen_in(tmp.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn an_error_is_plain_text_with_no_color_or_color_never_and_coloured_with_color_always() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();

    let plain = gen_command(root, &["status"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(2));
    assert!(
        stderr(&plain).contains("no .ai-workspace/ found"),
        "{}",
        stderr(&plain)
    );
    assert!(!has_escape(&plain.stderr), "{}", stderr(&plain));

    let never = gen_in(root, &["--color", "never", "status"]);
    assert_eq!(never.status.code(), Some(2));
    assert!(!has_escape(&never.stderr), "{}", stderr(&never));
    assert!(
        stderr(&never).contains("run `gen init`"),
        "{}",
        stderr(&never)
    );

    // `always` colours even into a pipe, and the flag outranks NO_COLOR.
    let always = gen_command(root, &["--color", "always", "status"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(always.status.code(), Some(2));
    assert!(has_escape(&always.stderr), "{}", stderr(&always));
    assert!(!has_escape(&always.stdout));
}

#[test]
fn validate_findings_follow_the_color_choice() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    let topology = root.join(".ai-workspace/graph/graph_topology.yml");
    let text = std::fs::read_to_string(&topology).unwrap();
    std::fs::write(&topology, format!("{text}\n  broken: [\n")).unwrap();

    let never = gen_in(root, &["validate", "--color=never"]);
    assert_eq!(never.status.code(), Some(1), "{}", stderr(&never));
    assert!(
        stderr(&never).contains("graph_topology.yml"),
        "{}",
        stderr(&never)
    );
    assert!(!has_escape(&never.stderr) && !has_escape(&never.stdout));

    let always = gen_in(root, &["validate", "--color=always"]);
    assert_eq!(always.status.code(), Some(1));
    assert!(has_escape(&always.stderr), "{}", stderr(&always));
}

#[test]
fn a_missing_topology_names_the_command_that_writes_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init"]);
    std::fs::remove_file(root.join(".ai-workspace/graph/graph_topology.yml")).unwrap();
    let out = gen_in(root, &["validate", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hints: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["hint"].as_str())
        .collect();
    assert!(
        hints.contains(
            &"run `gen init` to write the default graph, or add graph/graph_topology.yml"
        ),
        "{v}"
    );
}

#[test]
fn quiet_leaves_out_confirmations_but_never_errors_data_or_json() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();

    let init = gen_in(root, &["init", "--quiet"]);
    assert!(init.status.success(), "{}", stderr(&init));
    assert!(init.stdout.is_empty() && init.stderr.is_empty());
    assert!(
        root.join(".ai-workspace/graph/graph_topology.yml")
            .is_file()
    );

    let emit = gen_in(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-Q-001",
            "--edge",
            "intent→requirements",
            "-q",
        ],
    );
    assert!(emit.status.success(), "{}", stderr(&emit));
    assert!(emit.stdout.is_empty() && emit.stderr.is_empty());

    // The data a command exists to show is still shown.
    assert!(gen_ok(root, &["-q", "event", "log"]).contains("REQ-F-Q-001"));
    assert!(gen_ok(root, &["status", "--quiet"]).contains("REQ-F-Q-001"));
    let json = gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_converged",
            "--feature",
            "REQ-F-Q-001",
            "--json",
            "-q",
        ],
    );
    assert!(json.contains("\"id\""), "{json}");

    let ok = gen_in(root, &["validate", "-q"]);
    assert!(ok.status.success());
    assert!(
        ok.stdout.is_empty() && ok.stderr.is_empty(),
        "{}",
        stderr(&ok)
    );

    // An error is never left out; the exit code says it failed.
    std::fs::write(root.join(".ai-workspace/profiles/broken.yml"), "name: [\n").unwrap();
    let failed = gen_in(root, &["validate", "-q"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("broken.yml"),
        "{}",
        stderr(&failed)
    );
    assert!(failed.stdout.is_empty());

    let missing = gen_in(root, &["-q", "status", "--feature", "REQ-F-NOPE-001"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("REQ-F-NOPE-001"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn event_log_into_a_closed_pipe_prints_its_lines_and_exits_0_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    busy_workspace(root, 20_000);

    let (first, out) = read_one_line_then_hang_up(root, &["event", "log"]);
    assert!(
        first.contains("project_initialized") || first.contains("edge_started"),
        "{first}"
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    let (first, out) = read_one_line_then_hang_up(root, &["event", "log", "--json"]);
    assert!(first.starts_with('{'), "{first}");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn status_into_a_closed_pipe_exits_0_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    busy_workspace(root, 20_000);

    let (first, out) = read_one_line_then_hang_up(root, &["status"]);
    assert_eq!(first.trim_end(), "gen status — busy");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn a_refusal_into_a_closed_pipe_keeps_its_exit_code() {
    // `features --write` with an unreadable vector is refused (exit 1) after printing a long table;
    // the reader hanging up after one line must not turn that into success.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "--project", "piped"]);
    let active = root.join(".ai-workspace/features/active");
    for i in 0..3000 {
        std::fs::write(
            active.join(format!("REQ-F-P{i:04}-001.yml")),
            format!("feature: REQ-F-P{i:04}-001\ntitle: feature number {i} with a long enough title\nstatus: pending\n"),
        )
        .unwrap();
    }
    std::fs::write(active.join("REQ-F-BROKEN-001.yml"), "feature: [\n").unwrap();
    let (first, out) = read_one_line_then_hang_up(root, &["features", "--write"]);
    assert!(!first.is_empty());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
