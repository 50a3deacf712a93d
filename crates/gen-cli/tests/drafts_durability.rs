//! Nothing acknowledged is lost: `gen draft apply` processes killed with SIGKILL at random moments
//! (mid-write, mid-fsync, mid-compaction) at least 100 times, until enough acknowledged applies,
//! compactions and torn tails were seen. Every apply that printed its report is in the
//! draft after reopening and still has its undo entry, and the journal is never damaged beyond a
//! torn final line that the next change moves aside.

mod common;

use common::gen_ok;
use gen_workbench::JournalRecord;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn journal_path(root: &Path) -> std::path::PathBuf {
    root.join(".ai-workspace/workbench/drafts/k/journal.jsonl")
}

/// Complete journal lines all parse as records; returns them and whether a torn tail follows.
fn check_journal(root: &Path) -> (Vec<JournalRecord>, bool) {
    let text = std::fs::read(journal_path(root)).expect("journal exists");
    let mut records = Vec::new();
    let mut parts = text.split_inclusive(|b| *b == b'\n').peekable();
    let mut torn = false;
    while let Some(line) = parts.next() {
        if !line.ends_with(b"\n") {
            assert!(parts.peek().is_none());
            assert!(
                serde_json::from_slice::<JournalRecord>(line).is_err(),
                "a complete record without its newline is not torn"
            );
            torn = true;
            break;
        }
        records.push(
            serde_json::from_slice::<JournalRecord>(&line[..line.len() - 1])
                .expect("every complete journal line is a record"),
        );
    }
    (records, torn)
}

/// Rounds and counts the kill test must reach; it keeps killing until all are met, and fails at
/// `MAX_ROUNDS` with the counts it saw.
const MIN_ROUNDS: u32 = 100;
const MAX_ROUNDS: u32 = 600;
const MIN_ACKED: usize = 50;
const MIN_TORN: usize = 10;
const MIN_COMPACTIONS: usize = 5;

#[cfg(unix)]
#[test]
fn applies_killed_at_least_100_times_lose_nothing_acknowledged_and_stay_undoable() {
    let began = std::time::Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join(".ai-workspace")).unwrap();
    gen_ok(root, &["draft", "new", "--name", "k", "--title", "Killed"]);
    let bin = env!("CARGO_BIN_EXE_gen");
    let logs = root.join("rounds");
    std::fs::create_dir_all(&logs).unwrap();
    let torn_dir = root.join(".ai-workspace/workbench/drafts/k/torn");
    // Each turn adds one step and carries a 512 KiB action that fails (a description over the cap),
    // so every journal record is large — kills land inside writes — while the draft stays small.
    // Compaction is due every few records, so kills land inside compactions too.
    let pad = root.join("pad.json");
    std::fs::write(
        &pad,
        format!(
            r#"{{"intent":"add","node":{{"id":"pad","label":"pad","type":"t","description":"{}"}}}}]"#,
            "d".repeat(512 * 1024)
        ),
    )
    .unwrap();
    // Each round prints its acknowledgements to its own file: a line torn by the kill loses only
    // itself, never the next round's first acknowledgement.
    let script = format!(
        r#"i=0; while :; do i=$((i+1)); printf '[{{"intent":"add","node":{{"id":"r%s-%s","label":"r%s-%s","type":"action"}}}},' "$ROUND" "$i" "$ROUND" "$i" > "in-$ROUND.json"; cat "{pad}" >> "in-$ROUND.json"; "{bin}" --json draft apply --name k "in-$ROUND.json" >> "{logs}/acks-$ROUND.jsonl" || exit 1; done"#,
        pad = pad.display(),
        logs = logs.display()
    );
    let mut acked: Vec<String> = Vec::new();
    let mut compactions = 0;
    let rounds = common::KillRounds {
        min_rounds: MIN_ROUNDS,
        max_rounds: MAX_ROUNDS,
        max_ms: 120,
        seed: 0x2545_f491_4f6c_dd1d,
        watch: &journal_path(root),
        logs: &logs,
    }
    .run(
        |round| {
            let mut command = Command::new("sh");
            command
                .args(["-c", &script])
                .current_dir(root)
                .env_remove("GEN_WORKSPACE")
                .env("ROUND", round.to_string())
                .env("GEN_DRAFT_COMPACT_AFTER", "8");
            command
        },
        |round| {
            for v in common::round_acks(&logs.join(format!("acks-{round}.jsonl"))) {
                assert_eq!(v["changed"], true, "{v}");
                acked.push(
                    v["applied"][0]["change"]["id"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
                // The apply's report says when it compacted the journal after its change.
                compactions += usize::from(v["compacted"] == true);
            }
            // Torn journal tails the next apply found, cut off and saved aside.
            let torn = common::count_files(&torn_dir);
            if acked.len() < MIN_ACKED || torn < MIN_TORN || compactions < MIN_COMPACTIONS {
                Err(format!(
                    "{} acknowledged applies (need {MIN_ACKED}), {torn} torn tails repaired (need \
                     {MIN_TORN}), {compactions} acknowledged compactions (need {MIN_COMPACTIONS})",
                    acked.len()
                ))
            } else {
                Ok(())
            }
        },
    );

    // The journal: complete records, at most a torn final fragment.
    let (records, torn) = check_journal(root);
    assert!(!records.is_empty());

    // Every acknowledged apply (its report was printed after the fsync) is in the reopened draft.
    let draft: Value =
        serde_json::from_str(&gen_ok(root, &["draft", "show", "--name", "k", "--json"])).unwrap();
    let ids: Vec<String> = draft["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect();
    let present: BTreeSet<&String> = ids.iter().collect();
    for id in &acked {
        assert!(present.contains(id), "acknowledged apply {id} is missing");
    }

    // ...and undoable: each of the latest applies has its own undo entry, newest first, so 50 undos
    // remove exactly the last 50 steps and 50 redos bring them back.
    let history: Value = serde_json::from_str(&gen_ok(
        root,
        &["draft", "history", "--name", "k", "--json"],
    ))
    .unwrap();
    let depth = history["undo"].as_array().unwrap().len();
    assert_eq!(depth, ids.len().min(50));
    for _ in 0..depth {
        gen_ok(root, &["draft", "undo", "--name", "k"]);
    }
    let undone: Value =
        serde_json::from_str(&gen_ok(root, &["draft", "show", "--name", "k", "--json"])).unwrap();
    let left: Vec<&str> = undone["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(left, ids[..ids.len() - depth]);
    for _ in 0..depth {
        gen_ok(root, &["draft", "redo", "--name", "k"]);
    }
    assert_eq!(
        serde_json::from_str::<Value>(&gen_ok(root, &["draft", "show", "--name", "k", "--json"]))
            .unwrap(),
        draft
    );

    // The next change repaired any torn tail without touching a complete record.
    let (_, torn_after) = check_journal(root);
    assert!(!torn_after);
    if torn {
        assert!(torn_dir.is_dir(), "the torn fragment was saved aside");
    }
    let mut fragments = 0;
    for entry in std::fs::read_dir(&torn_dir).into_iter().flatten() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(serde_json::from_slice::<JournalRecord>(&bytes).is_err());
        fragments += 1;
    }
    assert!(fragments >= MIN_TORN && compactions >= MIN_COMPACTIONS);
    // Compacted at least once, so the journal starts with the snapshot a compaction writes.
    assert!(
        matches!(records.first(), Some(JournalRecord::Snapshot { .. })),
        "{:?}",
        records.first()
    );
    eprintln!(
        "draft kill test: {rounds} rounds, {} nodes, {} acknowledged, {compactions} acknowledged \
         compactions, {} records in the journal, {fragments} torn fragment(s) repaired, {:.1} s",
        ids.len(),
        acked.len(),
        records.len(),
        began.elapsed().as_secs_f64()
    );
}

#[test]
fn four_processes_applying_while_the_journal_is_compacted_under_them_lose_no_edit() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    std::fs::create_dir_all(root.join(".ai-workspace")).unwrap();
    gen_ok(&root, &["draft", "new", "--name", "k", "--title", "Shared"]);
    // Compaction every 5 records replaces journal.jsonl by rename many times while the other
    // writers wait for the lock: none of them may append to a replaced file.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let root = root.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let input = root.join(format!("w{w}-{i}.json"));
                    std::fs::write(
                        &input,
                        format!(
                            r#"{{"intent":"add","node":{{"id":"w{w}-{i}","label":"w{w}-{i}","type":"t"}}}}"#
                        ),
                    )
                    .unwrap();
                    let status = Command::new(env!("CARGO_BIN_EXE_gen"))
                        .args(["draft", "apply", "--name", "k"])
                        .arg(&input)
                        .current_dir(&root)
                        .env_remove("GEN_WORKSPACE")
                        .env("GEN_DRAFT_COMPACT_AFTER", "5")
                        .stdout(std::process::Stdio::null())
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
    let draft: Value =
        serde_json::from_str(&gen_ok(&root, &["draft", "show", "--name", "k", "--json"])).unwrap();
    let ids: BTreeSet<&str> = draft["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 100, "every acknowledged edit is there, once");
    let history: Value = serde_json::from_str(&gen_ok(
        &root,
        &["draft", "history", "--name", "k", "--json"],
    ))
    .unwrap();
    assert_eq!(history["revision"], 100);
    assert_eq!(history["undo"].as_array().unwrap().len(), 50);
    let (records, torn) = check_journal(&root);
    assert!(!torn && records.len() <= 6, "{} records", records.len());
}
