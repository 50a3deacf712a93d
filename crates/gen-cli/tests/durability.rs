//! Nothing lost: real processes appending concurrently, and a writer killed with SIGKILL at least 100
//! times, until enough acknowledged writes and torn tails were seen.

mod common;

use common::gen_ok;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".ai-workspace/events")).unwrap();
    tmp
}

fn log_text(root: &Path) -> String {
    std::fs::read_to_string(root.join(".ai-workspace/events/events.jsonl")).unwrap_or_default()
}

#[test]
fn eight_processes_appending_1000_events_each_give_exactly_8000_valid_lines() {
    let ws = workspace();
    let root = ws.path().to_path_buf();
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let root = root.clone();
            std::thread::spawn(move || {
                for i in 0..1000 {
                    let status = Command::new(env!("CARGO_BIN_EXE_gen"))
                        .args(["event", "emit", "iteration_completed", "--feature"])
                        .arg(format!("REQ-F-W{w}-001"))
                        .args(["--edge", "design→code", "--data"])
                        .arg(format!(
                            r#"{{"writer":{w},"seq":{i},"pad":"{}"}}"#,
                            "x".repeat(500)
                        ))
                        .current_dir(&root)
                        .env_remove("GEN_WORKSPACE")
                        .stdout(Stdio::null())
                        .status()
                        .unwrap();
                    assert!(status.success());
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let text = log_text(&root);
    assert!(text.ends_with('\n'));
    let mut seen = BTreeSet::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("every line is whole JSON");
        seen.insert((v["writer"].as_u64().unwrap(), v["seq"].as_u64().unwrap()));
    }
    assert_eq!(text.lines().count(), 8000);
    assert_eq!(seen.len(), 8000, "no line lost, none duplicated");
}

/// Rounds and counts the kill test must reach; it keeps killing until all are met, and fails at
/// `MAX_ROUNDS` with the counts it saw.
const MIN_ROUNDS: u32 = 100;
const MAX_ROUNDS: u32 = 600;
const MIN_ACKED: usize = 100;
const MIN_TORN: usize = 10;

#[cfg(unix)]
#[test]
fn a_writer_killed_at_least_100_times_never_loses_an_acknowledged_or_complete_line() {
    let began = std::time::Instant::now();
    let ws = workspace();
    let root = ws.path();
    let bin = env!("CARGO_BIN_EXE_gen");
    let events = root.join(".ai-workspace/events/events.jsonl");
    let torn_dir = root.join(".ai-workspace/events/torn");
    let logs = root.join("rounds");
    std::fs::create_dir_all(&logs).unwrap();
    // A big payload makes each write long enough for a kill to land inside it.
    let payload = root.join("payload.json");
    std::fs::write(
        &payload,
        format!(r#"{{"pad":"{}"}}"#, "y".repeat(256 * 1024)),
    )
    .unwrap();
    // Each round prints its acknowledgements to its own file: a line torn by the kill loses only
    // itself, never the next round's first acknowledgement.
    let script = format!(
        r#"while :; do "{bin}" --json event emit edge_started --feature REQ-F-K-001 --edge 'a→b' --data "@{payload}" >> "{logs}/acks-$ROUND.jsonl" || exit 1; done"#,
        payload = payload.display(),
        logs = logs.display()
    );
    let mut acked: Vec<String> = Vec::new();
    let rounds = common::KillRounds {
        min_rounds: MIN_ROUNDS,
        max_rounds: MAX_ROUNDS,
        max_ms: 80,
        seed: 0x9e37_79b9_7f4a_7c15,
        watch: &events,
        logs: &logs,
    }
    .run(
        |round| {
            let mut command = Command::new("sh");
            command
                .args(["-c", &script])
                .current_dir(root)
                .env_remove("GEN_WORKSPACE")
                .env("GEN_AGENT_ID", "killer-test")
                .env("ROUND", round.to_string());
            command
        },
        |round| {
            for ack in common::round_acks(&logs.join(format!("acks-{round}.jsonl"))) {
                acked.push(ack["id"].as_str().expect("an acknowledgement names its event").to_string());
            }
            // Torn tails the next writer found, cut off and saved aside.
            let torn = common::count_files(&torn_dir);
            if acked.len() < MIN_ACKED || torn < MIN_TORN {
                Err(format!(
                    "{} acknowledged writes (need {MIN_ACKED}), {torn} torn tails repaired (need {MIN_TORN})",
                    acked.len()
                ))
            } else {
                Ok(())
            }
        },
    );
    // Every complete line is whole JSON; at most the final fragment is torn.
    let text = log_text(root);
    let complete: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .collect();
    for l in &complete {
        serde_json::from_str::<serde_json::Value>(l.trim_end()).expect("complete lines are valid");
    }
    let torn = !text.is_empty() && !text.ends_with('\n');
    // Every acknowledged event (gen printed its id after fsync) is in the log, once.
    let logged: Vec<String> = complete
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let unique: BTreeSet<&String> = logged.iter().collect();
    assert_eq!(unique.len(), logged.len(), "no event is in the log twice");
    for id in &acked {
        assert!(
            unique.contains(id),
            "acknowledged event {id} missing from the log"
        );
    }
    // The next append repairs a torn tail without touching any complete line.
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_converged",
            "--feature",
            "REQ-F-K-001",
            "--edge",
            "a→b",
        ],
    );
    let after = log_text(root);
    assert!(after.ends_with('\n'));
    assert_eq!(after.lines().count(), complete.len() + 1);
    assert!(after.starts_with(&complete.concat()));
    for l in after.lines() {
        serde_json::from_str::<serde_json::Value>(l).expect("every line valid after repair");
    }
    // Fragments cut off by repairs (here or in an earlier round) are kept aside, and none of them was a
    // complete event: repair only ever removes what no reader could use.
    if torn {
        assert!(torn_dir.is_dir(), "the final torn fragment was saved aside");
    }
    let mut fragments = 0;
    for entry in std::fs::read_dir(&torn_dir).into_iter().flatten() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_err());
        fragments += 1;
    }
    assert!(fragments >= MIN_TORN);
    eprintln!(
        "kill test: {rounds} rounds, {} complete lines, {} acknowledged, {fragments} torn fragment(s) repaired, {:.1} s",
        complete.len(),
        acked.len(),
        began.elapsed().as_secs_f64()
    );
}
