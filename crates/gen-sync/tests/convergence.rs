//! The sync's promise as a property: any team, doing any mix of offline work (events with any
//! timestamps, lines without ids, lines copied between workspaces), pushes cut off after any write,
//! and pushes and pulls in any order, ends — once everyone has pushed and pulled — with every
//! workspace holding the same events, each exactly once, and the remote holding each once.

mod common;

use common::Cut;
use gen_sync::{LocalRemote, Remote, SyncReport};
use gen_workspace::Workspace;
use proptest::prelude::*;
use std::cell::Cell;
use std::collections::BTreeSet;

const PROJECT: &str = "billing";

#[derive(Debug, Clone)]
enum Step {
    /// Workspace `w` appends an event (with or without its own id) stamped `day` days in.
    Write { w: usize, day: u8, own_id: bool },
    /// Workspace `w` copies its last line into workspace `to` (a line shared by hand).
    Copy { w: usize, to: usize },
    /// Workspace `w` pushes; `cut` drops the connection after that many writes.
    Push { w: usize, cut: Option<usize> },
    /// Workspace `w` pulls.
    Pull { w: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 0..20u8, any::<bool>()).prop_map(|(w, day, own_id)| Step::Write { w, day, own_id }),
        1 => (0..3usize, 0..3usize).prop_map(|(w, to)| Step::Copy { w, to }),
        2 => (0..3usize, proptest::option::of(0..6usize)).prop_map(|(w, cut)| Step::Push { w, cut }),
        2 => (0..3usize).prop_map(|w| Step::Pull { w }),
    ]
}

fn ids(ws: &Workspace) -> Vec<String> {
    let mut ids = Vec::new();
    gen_workspace::each_line(
        &ws.events_path(),
        |_| true,
        |item| {
            if let gen_workspace::LineItem::Event(e) = item {
                ids.push(e.event.id);
            }
        },
    )
    .unwrap();
    ids
}

fn last_line(ws: &Workspace) -> Option<String> {
    std::fs::read_to_string(ws.events_path())
        .ok()?
        .lines()
        .last()
        .map(str::to_string)
}

fn push(ws: &Workspace, remote: &dyn Remote) -> Result<SyncReport, gen_sync::SyncError> {
    gen_sync::push(ws, remote, PROJECT, false, &mut |_| {})
}

fn pull(ws: &Workspace, remote: &dyn Remote) -> Result<SyncReport, gen_sync::SyncError> {
    gen_sync::pull(ws, remote, false, &mut |_| {})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_team_history_converges_to_one_event_set_with_each_event_once(
        steps in proptest::collection::vec(step(), 1..40)
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let remote = LocalRemote::new(&tmp.path().join("cloud"), PROJECT).unwrap();
        let team: Vec<Workspace> = (0..3)
            .map(|i| {
                let ws = Workspace::planned(&tmp.path().join(format!("w{i}")));
                std::fs::create_dir_all(ws.dir.join("events")).unwrap();
                ws
            })
            .collect();
        let mut n = 0;
        for s in &steps {
            match *s {
                Step::Write { w, day, own_id } => {
                    n += 1;
                    let id = if own_id { format!(r#""event_id":"w{w}-{n}","#) } else { String::new() };
                    // Without an id, the same content twice is two events (derived ids count twins).
                    let line = format!(
                        r#"{{{id}"event_type":"iteration_completed","timestamp":"2026-03-{:02}T09:00:00Z","feature":"REQ-F-{}","edge":"design→code"}}"#,
                        day + 1,
                        n % 4
                    );
                    gen_workspace::append_lines(&team[w].events_path(), &[line]).unwrap();
                }
                Step::Copy { w, to } => {
                    // A line with an id the target already holds would be a duplicate made by hand;
                    // without an id, a second copy is a second event (a twin), which is fine.
                    let held = |line: &str| {
                        line.contains("event_id")
                            && std::fs::read_to_string(team[to].events_path())
                                .is_ok_and(|t| t.lines().any(|l| l == line))
                    };
                    if let Some(line) = last_line(&team[w]) && w != to && !held(&line) {
                        gen_workspace::append_lines(&team[to].events_path(), &[line]).unwrap();
                    }
                }
                Step::Push { w, cut } => {
                    let flaky = Cut { inner: &remote, writes_left: Cell::new(cut) };
                    let _ = push(&team[w], &flaky);
                }
                Step::Pull { w } => {
                    pull(&team[w], &remote).unwrap();
                }
            }
        }
        // Everyone pushes, then everyone pulls.
        for ws in &team {
            let report = push(ws, &remote).unwrap();
            prop_assert!(report.events.conflicts.is_empty(), "{:?}", report);
        }
        for ws in &team {
            pull(ws, &remote).unwrap();
        }
        let stored: Vec<String> = remote.all_events().unwrap().into_iter().map(|i| i.event_id).collect();
        let on_remote: BTreeSet<&String> = stored.iter().collect();
        prop_assert_eq!(on_remote.len(), stored.len(), "an event twice on the remote");
        // Copied lines are the same event in two logs; a copy of a line without an id is a twin
        // there only if its workspace holds it twice. Either way: each id once, the same set.
        let first: BTreeSet<String> = ids(&team[0]).into_iter().collect();
        for ws in &team {
            let mine = ids(ws);
            let set: BTreeSet<String> = mine.iter().cloned().collect();
            prop_assert_eq!(&set, &first, "the same events everywhere");
            prop_assert_eq!(set.len(), mine.len(), "no event twice in a log");
        }
        let on_remote: BTreeSet<String> = on_remote.into_iter().cloned().collect();
        prop_assert_eq!(on_remote, first);
    }
}
