//! Property tests of the reducer and history (reference §4.3).

mod common;

use common::bytes;
use common::strategies::{action, draft};
use gen_workbench::{Action, History, apply_batch, parse_canvas_input, parse_draft_document};
use proptest::prelude::*;

fn batches() -> impl Strategy<Value = Vec<Vec<Action>>> {
    proptest::collection::vec(proptest::collection::vec(action(), 1..5), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever is thrown at it, the canonical draft always passes full validation from scratch,
    /// which also proves the reducer's incremental post-batch check agrees with the full one.
    #[test]
    fn any_action_sequence_keeps_the_draft_valid(start in draft(), turns in batches()) {
        let mut history = History::with_limit(start, 5).expect("valid limit");
        for turn in &turns {
            history.apply(turn);
            prop_assert!(history.draft().validate().is_ok(), "{:?}", history.draft().validate());
        }
        while history.undo() {
            prop_assert!(history.draft().validate().is_ok());
        }
    }

    /// Undo after an accepted edit restores the previous draft byte for byte; redo restores the edit.
    #[test]
    fn undo_after_apply_restores_the_draft_exactly(start in draft(), turns in batches()) {
        let mut history = History::new(start);
        for turn in &turns {
            let before = bytes(history.draft());
            let report = history.apply(turn);
            if report.changed() {
                let after = bytes(history.draft());
                prop_assert!(history.undo());
                prop_assert_eq!(&bytes(history.draft()), &before);
                prop_assert!(history.redo());
                prop_assert_eq!(bytes(history.draft()), after);
            }
        }
    }

    /// A turn that changes nothing (rejected or no-op) leaves the serialised draft, both stacks
    /// and the revision exactly as they were.
    #[test]
    fn rejected_input_leaves_the_serialised_draft_byte_identical(start in draft(), turns in batches()) {
        let mut history = History::new(start);
        for turn in &turns {
            let before = common::state(&history);
            let report = history.apply(turn);
            if !report.changed() {
                prop_assert_eq!(common::state(&history), before);
            } else {
                prop_assert_eq!(history.redo_len(), 0);
            }
        }
    }

    /// Drafts and actions survive a JSON round trip unchanged.
    #[test]
    fn json_round_trip(start in draft(), actions in proptest::collection::vec(action(), 1..6)) {
        let text = bytes(&start);
        let back = parse_draft_document(text.as_bytes()).expect("own output parses");
        prop_assert_eq!(&back, &start);
        prop_assert_eq!(bytes(&back), text);
        for action in &actions {
            let json = serde_json::to_string(action).expect("serialises");
            let parsed = parse_canvas_input(json.as_bytes()).expect("own output parses");
            prop_assert_eq!(parsed.as_slice(), std::slice::from_ref(action));
        }
    }

    /// The outcome depends only on what is written down: applying the turn to the draft rebuilt from
    /// its JSON, with the actions read back from theirs (as a replay after a restart does), gives the
    /// same draft byte for byte and the same report. Hidden state would show here.
    #[test]
    fn apply_depends_only_on_the_serialised_draft_and_actions(
        start in draft(),
        turn in proptest::collection::vec(action(), 1..6),
    ) {
        let rebuilt = parse_draft_document(bytes(&start).as_bytes()).expect("own output parses");
        // One action at a time: a turn may hold a replace among other actions, one input may not.
        let reread: Vec<Action> = turn
            .iter()
            .flat_map(|a| {
                parse_canvas_input(serde_json::to_string(a).expect("serialises").as_bytes())
                    .expect("own output parses")
            })
            .collect();
        let first = apply_batch(&start, &turn);
        let second = apply_batch(&rebuilt, &reread);
        prop_assert_eq!(bytes(&first.draft), bytes(&second.draft));
        prop_assert_eq!(first.report, second.report);
    }
}
