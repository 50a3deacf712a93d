//! Compaction law: for any session, the snapshot record taken at any point replays to exactly the
//! same history (drafts, undo and redo stacks with their messages, revision), and a journal that
//! continues after the snapshot replays like the uncompacted one.

mod common;

use common::strategies::{action, draft};
use gen_workbench::{Action, DraftPatch, History, JournalRecord, apply_batch};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Turn(Vec<Action>),
    Undo,
    Redo,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::collection::vec(action(), 1..4).prop_map(Step::Turn),
        1 => Just(Step::Undo),
        1 => Just(Step::Redo),
    ]
}

/// Runs a step, journaling it the way the workspace store does.
fn run(history: &mut History, journal: &mut Vec<JournalRecord>, step: &Step) {
    match step {
        Step::Turn(actions) => {
            let report = history.apply(actions);
            journal.extend(history.record_for(actions, &report));
        }
        Step::Undo => {
            if history.undo() {
                journal.push(JournalRecord::Undo {
                    revision: history.revision(),
                });
            }
        }
        Step::Redo => {
            if history.redo() {
                journal.push(JournalRecord::Redo {
                    revision: history.revision(),
                });
            }
        }
    }
}

fn through_json(record: &JournalRecord) -> JournalRecord {
    let line = serde_json::to_string(record).expect("serialises");
    assert!(!line.contains('\n'), "one record is one line");
    serde_json::from_str(&line).expect("parses")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_patch_rebuilds_its_draft_in_both_directions_with_consistent_indexes(
        start in draft(),
        actions in prop::collection::vec(action(), 1..5),
    ) {
        let next = apply_batch(&start, &actions).draft;
        for (base, target) in [(&start, &next), (&next, &start)] {
            let patch = DraftPatch::between(base, target);
            let line = serde_json::to_string(&patch).expect("serialises");
            let back: DraftPatch = serde_json::from_str(&line).expect("parses");
            let rebuilt = back.apply(base, "$").expect("applies");
            prop_assert_eq!(&rebuilt, target);
            prop_assert_eq!(
                serde_json::to_string(&rebuilt).ok(),
                serde_json::to_string(target).ok()
            );
            prop_assert_eq!(rebuilt.validate(), Ok(()));
        }
    }

    #[test]
    fn compacting_anywhere_preserves_the_history(
        start in draft(),
        limit in 0usize..6,
        before in prop::collection::vec(step(), 0..12),
        after in prop::collection::vec(step(), 0..6),
    ) {
        let mut history = History::with_limit(start, limit).expect("small limit");
        let mut full = vec![history.open_record()];
        for s in &before {
            run(&mut history, &mut full, s);
        }
        let mut compacted = vec![through_json(&history.snapshot_record())];
        let replayed = History::replay(&compacted).expect("snapshot replays");
        prop_assert_eq!(replayed.snapshot(), history.snapshot());
        for s in &after {
            let mut records = Vec::new();
            run(&mut history, &mut records, s);
            full.extend(records.iter().cloned());
            compacted.extend(records);
        }
        let from_full = History::replay(&full).expect("full journal replays");
        let from_compacted = History::replay(&compacted).expect("compacted journal replays");
        prop_assert_eq!(from_compacted.snapshot(), history.snapshot());
        prop_assert_eq!(from_full.snapshot(), history.snapshot());
    }
}
