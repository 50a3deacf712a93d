//! Two workspaces sharing one local-directory remote, as a team would: offline work, late events,
//! repeated syncs in any order, conflicts, interrupted pushes and concurrent pushers.

use gen_core::projection::SeeAlso;
mod common;

use common::Cut;
use gen_sync::{LocalRemote, Remote, SyncReport};
use gen_workspace::{Project, Workspace};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::path::Path;

const PROJECT: &str = "billing";

fn push(
    ws: &Workspace,
    remote: &dyn Remote,
    project: &str,
    dry_run: bool,
) -> Result<SyncReport, gen_sync::SyncError> {
    gen_sync::push(ws, remote, project, dry_run, &mut |_| {})
}

fn pull(
    ws: &Workspace,
    remote: &dyn Remote,
    dry_run: bool,
) -> Result<SyncReport, gen_sync::SyncError> {
    gen_sync::pull(ws, remote, dry_run, &mut |_| {})
}

fn workspace(root: &Path) -> Workspace {
    let ws = Workspace::planned(root);
    std::fs::create_dir_all(ws.dir.join("events")).unwrap();
    ws
}

/// Appends lines to the log as another tool would (no gen involved).
fn append_raw(ws: &Workspace, lines: &[String]) {
    gen_workspace::append_lines(&ws.events_path(), lines).unwrap();
}

fn event(ty: &str, id: &str, ts: &str, feature: &str, edge: &str) -> String {
    format!(
        r#"{{"event_type":"{ty}","timestamp":"{ts}","project":"{PROJECT}","event_id":"{id}","feature":"{feature}","edge":"{edge}"}}"#
    )
}

fn lines(ws: &Workspace) -> BTreeSet<String> {
    std::fs::read_to_string(ws.events_path())
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn line_count(ws: &Workspace) -> usize {
    std::fs::read_to_string(ws.events_path())
        .unwrap_or_default()
        .lines()
        .count()
}

fn status_json(ws: &Workspace) -> serde_json::Value {
    let view = Project::load_for_status(ws)
        .status(true, SeeAlso::default())
        .unwrap();
    let mut json = serde_json::to_value(&view.report).unwrap();
    json["project"] = serde_json::Value::Null;
    json
}

fn sync(ws: &Workspace, remote: &LocalRemote) -> (SyncReport, SyncReport) {
    (
        push(ws, remote, PROJECT, false).unwrap(),
        pull(ws, remote, false).unwrap(),
    )
}

#[test]
fn offline_work_with_late_events_converges_in_any_order_and_any_number_of_times() {
    let tmp = tempfile::tempdir().unwrap();
    let remote = LocalRemote::new(&tmp.path().join("cloud"), PROJECT).unwrap();
    let a = workspace(&tmp.path().join("a"));
    let b = workspace(&tmp.path().join("b"));

    // A works offline; some lines are appended by another tool, stamped two days before B's work.
    append_raw(
        &a,
        &[
            event(
                "edge_started",
                "a1",
                "2026-03-01T09:00:00Z",
                "REQ-F-A-001",
                "design→code",
            ),
            event(
                "iteration_completed",
                "a2",
                "2026-03-01T09:30:00Z",
                "REQ-F-A-001",
                "design→code",
            ),
        ],
    );
    // B works and pushes meanwhile, with later timestamps.
    append_raw(
        &b,
        &[
            event(
                "edge_started",
                "b1",
                "2026-03-03T10:00:00Z",
                "REQ-F-B-001",
                "design→code",
            ),
            event(
                "edge_converged",
                "b2",
                "2026-03-03T11:00:00Z",
                "REQ-F-B-001",
                "design→code",
            ),
        ],
    );
    let (pushed_b, _) = sync(&b, &remote);
    assert_eq!(pushed_b.events.added, 2);
    // A comes back online and syncs; then more offline work on both sides, synced in the other order.
    let (pushed_a, pulled_a) = sync(&a, &remote);
    assert_eq!((pushed_a.events.added, pulled_a.events.added), (2, 2));
    append_raw(
        &a,
        &[event(
            "edge_converged",
            "a3",
            "2026-03-01T10:00:00Z",
            "REQ-F-A-001",
            "design→code",
        )],
    );
    append_raw(
        &b,
        &[event(
            "edge_started",
            "b3",
            "2026-02-27T08:00:00Z",
            "REQ-F-C-001",
            "design→code",
        )],
    );
    for _ in 0..3 {
        sync(&b, &remote);
        sync(&a, &remote);
    }
    assert_eq!(lines(&a), lines(&b));
    assert_eq!(line_count(&a), 6, "no line twice");
    assert_eq!(line_count(&b), 6, "no line twice");
    assert_eq!(status_json(&a), status_json(&b));
    // Once converged, syncing again moves nothing.
    let (again_push, again_pull) = sync(&a, &remote);
    assert_eq!((again_push.events.added, again_pull.events.added), (0, 0));
}

#[test]
fn the_corpus_pushed_from_one_workspace_is_pulled_byte_for_byte_into_an_empty_one() {
    let Some(corpus) = gen_testkit::corpus() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let remote = LocalRemote::new(&tmp.path().join("cloud"), PROJECT).unwrap();
    let a = workspace(&tmp.path().join("a"));
    let b = workspace(&tmp.path().join("b"));
    let original =
        std::fs::read(corpus.join("genesis-method/.ai-workspace/events/events.jsonl")).unwrap();
    std::fs::write(a.events_path(), &original).unwrap();
    let pushed = push(&a, &remote, PROJECT, false).unwrap();
    assert_eq!(pushed.events.added, 2306);
    let pulled = pull(&b, &remote, false).unwrap();
    assert_eq!(pulled.events.added, 2306);
    let mut want: Vec<&[u8]> = original
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let got_bytes = std::fs::read(b.events_path()).unwrap();
    let mut got: Vec<&[u8]> = got_bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(status_json(&a), status_json(&b));
}

#[test]
fn the_same_id_with_other_content_is_a_conflict_reported_with_both_lines_and_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let remote = LocalRemote::new(&tmp.path().join("cloud"), PROJECT).unwrap();
    let a = workspace(&tmp.path().join("a"));
    let b = workspace(&tmp.path().join("b"));
    let ours = event(
        "edge_started",
        "x1",
        "2026-03-01T09:00:00Z",
        "REQ-F-A-001",
        "design→code",
    );
    let theirs = event(
        "edge_started",
        "x1",
        "2026-03-01T09:00:00Z",
        "REQ-F-Z-001",
        "design→code",
    );
    append_raw(&a, std::slice::from_ref(&ours));
    append_raw(&b, std::slice::from_ref(&theirs));
    push(&a, &remote, PROJECT, false).unwrap();
    let report = push(&b, &remote, PROJECT, false).unwrap();
    assert_eq!(report.events.added, 0);
    let conflict = &report.events.conflicts[0];
    assert_eq!(
        (conflict.local.as_str(), conflict.remote.as_deref()),
        (theirs.as_str(), Some(ours.as_str()))
    );
    let items = remote.all_events().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].line, ours, "the remote keeps the first version");
    // Reported again on the next push until someone resolves it; B's log is untouched by pull.
    assert_eq!(
        push(&b, &remote, PROJECT, false)
            .unwrap()
            .events
            .conflicts
            .len(),
        1
    );
    pull(&b, &remote, false).unwrap();
    assert_eq!(lines(&b), BTreeSet::from([theirs]));
}

#[test]
fn a_push_cut_off_after_any_write_converges_when_run_again() {
    let events: Vec<String> = (0..6)
        .map(|i| {
            event(
                "iteration_completed",
                &format!("e{i}"),
                &format!("2026-03-01T09:0{i}:00Z"),
                "REQ-F-A-001",
                "design→code",
            )
        })
        .collect();
    // 6 events = 6 items + 1 block + 1 head: cut after every possible number of writes.
    for budget in 0..8 {
        let tmp = tempfile::tempdir().unwrap();
        let remote = LocalRemote::new(&tmp.path().join("cloud"), PROJECT).unwrap();
        let a = workspace(&tmp.path().join("a"));
        let b = workspace(&tmp.path().join("b"));
        append_raw(&a, &events);
        let flaky = Cut {
            inner: &remote,
            writes_left: Cell::new(Some(budget)),
        };
        assert!(push(&a, &flaky, PROJECT, false).is_err(), "budget {budget}");
        // A reader in between never sees a half-pushed sequence: only what a head vouches for.
        pull(&b, &remote, false).unwrap();
        assert!(line_count(&b) <= 6);
        // The same push again finishes the job; nothing is duplicated.
        push(&a, &remote, PROJECT, false).unwrap();
        assert_eq!(remote.all_events().unwrap().len(), 6, "budget {budget}");
        pull(&b, &remote, false).unwrap();
        assert_eq!(lines(&b), lines(&a), "budget {budget}");
        assert_eq!(line_count(&b), 6, "budget {budget}");
    }
}

#[test]
fn two_workspaces_pushing_at_once_both_land_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let cloud = tmp.path().join("cloud");
    let pushers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let root = tmp.path().join(name);
            let cloud = cloud.clone();
            std::thread::spawn(move || {
                let ws = workspace(&root);
                let lines: Vec<String> = (0..200)
                    .map(|i| {
                        event(
                            "iteration_completed",
                            &format!("{name}{i}"),
                            "2026-03-01T09:00:00Z",
                            "REQ-F-A-001",
                            "design→code",
                        )
                    })
                    .collect();
                append_raw(&ws, &lines);
                let remote = LocalRemote::new(&cloud, PROJECT).unwrap();
                push(&ws, &remote, PROJECT, false).unwrap()
            })
        })
        .collect();
    for p in pushers {
        assert_eq!(p.join().unwrap().events.added, 200);
    }
    let remote = LocalRemote::new(&cloud, PROJECT).unwrap();
    assert_eq!(remote.all_events().unwrap().len(), 400);
    let c = workspace(&tmp.path().join("c"));
    assert_eq!(pull(&c, &remote, false).unwrap().events.added, 400);
}
