//! `gen sync` as a team uses it: two workspaces sharing a folder that plays the cloud.

mod common;

use common::{gen_in, gen_ok};
use serde_json::Value;
use std::path::Path;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn teammate(root: &Path, remote: &str) {
    std::fs::create_dir_all(root).unwrap();
    gen_ok(root, &["init", "-q", "--project", "billing"]);
    gen_ok(
        root,
        &["sync", "init", "--backend", "local", "--root", remote],
    );
}

fn status(root: &Path) -> Value {
    let mut s = json(&gen_ok(root, &["status", "--json"]));
    s["signals"] = Value::Null;
    s
}

#[test]
fn two_teammates_share_their_events_through_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (ana, bo) = (tmp.path().join("ana"), tmp.path().join("bo"));
    teammate(&ana, "../remote");
    teammate(&bo, "../remote");

    // Without a pull, status says the workspace may be missing teammates' work.
    let before = json(&gen_ok(&ana, &["status", "--json"]));
    assert!(
        before["signals"][0]
            .as_str()
            .unwrap()
            .contains("events never"),
        "{}",
        before["signals"]
    );

    gen_ok(
        &ana,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-A-001",
            "--edge",
            "design→code",
        ],
    );
    gen_ok(
        &bo,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-B-001",
            "--edge",
            "design→code",
        ],
    );

    // A dry run shows what would move and moves nothing.
    let dry = json(&gen_ok(&ana, &["sync", "push", "--dry-run", "--json"]));
    assert_eq!(dry["events"]["added"], 2);
    let status_json = json(&gen_ok(&ana, &["sync", "status", "--json"]));
    assert_eq!(status_json["events"]["push"]["added"], 2, "{status_json}");
    assert_eq!(status_json["events"]["conflicts"], serde_json::json!([]));

    for root in [&ana, &bo, &ana] {
        gen_ok(root, &["sync", "push", "--only", "events"]);
        gen_ok(root, &["sync", "pull"]);
    }
    assert_eq!(status(&ana), status(&bo));
    let s = status(&ana);
    assert_eq!(
        s["events"]["total"], 4,
        "both inits and both edges, once each"
    );

    // Pulled: no staleness warning; the config recorded when.
    let after = json(&gen_ok(&ana, &["status", "--json"]));
    assert!(
        !after["signals"].to_string().contains("pull"),
        "{}",
        after["signals"]
    );
    let config =
        std::fs::read_to_string(ana.join(".ai-workspace/bedrock/sync_config.yml")).unwrap();
    assert!(
        config.contains("events_pulled:") && config.contains("events_pushed:"),
        "{config}"
    );
    assert!(config.starts_with("# Sync settings"), "comments are kept");
    let v = json(&gen_ok(&ana, &["validate", "--json"]));
    assert_eq!(v["ok"], true, "{}", v["errors"]);

    // Nothing left to move.
    let again = json(&gen_ok(&bo, &["sync", "push", "--json"]));
    assert_eq!(again["events"]["added"], 0);

    // A CI pipeline with no checkout reads the project straight from the remote: the same status.
    let elsewhere = tmp.path().join("ci");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let remote = tmp.path().join("remote");
    let mut from_remote = json(&gen_ok(
        &elsewhere,
        &[
            "status",
            "--remote",
            "--backend",
            "local",
            "--root",
            remote.to_str().unwrap(),
            "--project-id",
            "billing",
            "--json",
        ],
    ));
    from_remote["signals"] = Value::Null;
    let local = status(&ana);
    // The view has no configs (no topology or profiles were pushed): compare what events say.
    for key in [
        "events",
        "as_of",
        "unactioned_intents",
        "stuck",
        "abandoned",
    ] {
        assert_eq!(from_remote[key], local[key], "{key}");
    }
    assert_eq!(from_remote["project"], "billing");
    let log = gen_ok(
        &elsewhere,
        &[
            "event",
            "log",
            "--remote",
            "--root",
            remote.to_str().unwrap(),
            "--project-id",
            "billing",
            "--json",
        ],
    );
    assert_eq!(log.lines().count(), 4);
    // Inside a workspace that syncs, --remote needs no flags.
    let inside = json(&gen_ok(&bo, &["status", "--remote", "--json"]));
    assert_eq!(inside["events"]["total"], 4);
}

#[test]
fn a_conflict_is_shown_with_both_lines_and_the_push_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (ana, bo) = (tmp.path().join("ana"), tmp.path().join("bo"));
    teammate(&ana, "../remote");
    teammate(&bo, "../remote");
    let line = |feature: &str| {
        format!(
            "{{\"event_type\":\"edge_started\",\"timestamp\":\"2026-03-01T09:00:00Z\",\"event_id\":\"same-id\",\"feature\":\"{feature}\",\"edge\":\"design→code\"}}\n"
        )
    };
    for (root, feature) in [(&ana, "REQ-F-A-001"), (&bo, "REQ-F-Z-001")] {
        let log = root.join(".ai-workspace/events/events.jsonl");
        let mut text = std::fs::read_to_string(&log).unwrap();
        text.push_str(&line(feature));
        std::fs::write(&log, text).unwrap();
    }
    gen_ok(&ana, &["sync", "push"]);
    let refused = gen_in(&bo, &["sync", "push"]);
    assert_eq!(refused.status.code(), Some(1));
    let out = String::from_utf8_lossy(&refused.stdout);
    assert!(
        out.contains("events/events.jsonl#same-id: the same event id holds other content"),
        "{out}"
    );
    assert!(
        out.contains("REQ-F-Z-001") && out.contains("REQ-F-A-001"),
        "{out}"
    );
    let config = std::fs::read_to_string(bo.join(".ai-workspace/bedrock/sync_config.yml")).unwrap();
    assert!(
        !config.contains("events_pushed:"),
        "a push with conflicts is not a finished push"
    );
}

#[test]
fn without_a_sync_config_sync_says_how_to_get_one_and_status_says_nothing_about_sync() {
    let tmp = tempfile::tempdir().unwrap();
    gen_ok(tmp.path(), &["init", "-q"]);
    let out = gen_in(tmp.path(), &["sync", "push"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("gen sync init --backend local --root DIR"),
        "{err}"
    );
    let s = json(&gen_ok(tmp.path(), &["status", "--json"]));
    assert!(
        !s["signals"].to_string().contains("sync"),
        "{}",
        s["signals"]
    );
}

/// `gen sync push` in one workspace and `gen sync pull` in another, killed with SIGKILL at random
/// moments (in writes, fsyncs, appends) round after round: a final push and pull always converge,
/// with every event on the remote once and in both logs once.
#[cfg(unix)]
#[test]
fn push_and_pull_killed_at_any_moment_converge_when_run_again() {
    use std::collections::BTreeSet;
    let tmp = tempfile::tempdir().unwrap();
    let (ana, bo) = (tmp.path().join("ana"), tmp.path().join("bo"));
    teammate(&ana, "../remote");
    teammate(&bo, "../remote");
    let logs = tmp.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let bin = env!("CARGO_BIN_EXE_gen");
    let script = format!(
        r#"i=0; while :; do i=$((i+1));
           (cd "{ana}" && "{bin}" -q event emit iteration_completed --feature REQ-F-K-001 --edge 'design→code' --data "{{\"round\":$ROUND,\"i\":$i}}") || exit 1;
           (cd "{ana}" && "{bin}" sync push >/dev/null) || exit 1;
           (cd "{bo}" && "{bin}" sync pull >/dev/null) || exit 1;
         done"#,
        ana = ana.display(),
        bo = bo.display()
    );
    // Items only: a writer killed between writing a temporary file and linking it leaves the
    // temporary behind (never read as an item).
    let remote_items = || {
        std::fs::read_dir(tmp.path().join("remote/billing/events/items"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    };
    let rounds = common::KillRounds {
        min_rounds: 30,
        max_rounds: 300,
        max_ms: 150,
        seed: 0x5eed_5eed_5eed_5eed,
        watch: &bo.join(".ai-workspace/events/events.jsonl"),
        logs: &logs,
    }
    .run(
        |round| {
            let mut c = std::process::Command::new("sh");
            c.args(["-c", &script])
                .env("ROUND", round.to_string())
                .env_remove("GEN_WORKSPACE");
            c
        },
        |_| {
            let n = remote_items();
            if n >= 20 {
                Ok(())
            } else {
                Err(format!("only {n} events reached the remote"))
            }
        },
    );
    // Run to completion, then both sides hold exactly the same events, each once.
    gen_ok(&ana, &["sync", "push"]);
    gen_ok(&ana, &["sync", "pull"]);
    gen_ok(&bo, &["sync", "push"]);
    gen_ok(&bo, &["sync", "pull"]);
    gen_ok(&ana, &["sync", "pull"]);
    let ids = |root: &Path| -> Vec<String> {
        gen_ok(root, &["event", "log", "--json"])
            .lines()
            .map(|l| json(l)["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (ids(&ana), ids(&bo));
    let (sa, sb): (BTreeSet<_>, BTreeSet<_>) = (a.iter().collect(), b.iter().collect());
    assert_eq!(sa.len(), a.len(), "no event twice in ana's log");
    assert_eq!(sb.len(), b.len(), "no event twice in bo's log");
    assert_eq!(sa, sb);
    assert_eq!(remote_items(), sa.len(), "every event on the remote once");
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path().join("remote/billing/events/items"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    assert!(
        leftovers.iter().all(|n| n.starts_with(".tmp-")),
        "only temporaries of killed writers: {leftovers:?}"
    );
    eprintln!(
        "sync kill test: {rounds} rounds, {} events converged",
        sa.len()
    );
}

#[test]
fn a_long_push_draws_a_progress_bar_on_a_terminal_and_nothing_into_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let (ana, bo) = (tmp.path().join("ana"), tmp.path().join("bo"));
    teammate(&ana, "../remote");
    teammate(&bo, "../remote");
    let lines: String = (0..2500)
        .map(|i| {
            format!(
                "{{\"event_type\":\"iteration_completed\",\"timestamp\":\"2026-03-01T09:00:00Z\",\"event_id\":\"p{i}\",\"feature\":\"REQ-F-P-001\",\"edge\":\"design→code\"}}\n"
            )
        })
        .collect();
    std::fs::OpenOptions::new()
        .append(true)
        .open(ana.join(".ai-workspace/events/events.jsonl"))
        .and_then(|mut f| std::io::Write::write_all(&mut f, lines.as_bytes()))
        .unwrap();
    // Into a pipe: the summary on stdout (2,500 and the init event), and no bar on stderr.
    let out = common::gen_command(&ana, &["sync", "push"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("events: 2501 added"));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no bar into a pipe"
    );

    // On a terminal (a pty from script(1)), the pull draws one.
    let bin = env!("CARGO_BIN_EXE_gen");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("'{bin}' sync pull"), "/dev/null"])
        .current_dir(&bo)
        .env_remove("GEN_WORKSPACE")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("receiving"),
        "a bar on the terminal: {shown:?}"
    );
    assert!(shown.contains("events: 2501 added"), "{shown:?}");
}
