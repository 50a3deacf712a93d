//! Sessions end to end on a temporary workspace.

use gen_workbench::{Position, parse_canvas_input, parse_draft_document};
use serde_json::json;

use super::*;

fn store() -> (tempfile::TempDir, Drafts) {
    let tmp = tempfile::tempdir().unwrap();
    let drafts = Drafts::new(tmp.path());
    (tmp, drafts)
}

fn name(n: &str) -> DraftName {
    DraftName::parse(n).unwrap()
}

fn start() -> Draft {
    parse_draft_document(
        json!({"title": "Release", "summary": "", "nodes": [
                {"id": "build", "label": "Build", "type": "action"},
                {"id": "ship", "label": "Ship", "type": "action"}],
                "edges": [{"source": "build", "target": "ship"}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap()
}

fn actions(value: serde_json::Value) -> Vec<Action> {
    parse_canvas_input(value.to_string().as_bytes()).unwrap()
}

fn add(id: &str) -> Vec<Action> {
    actions(json!({"intent": "add", "node": {"id": id, "label": id, "type": "action"}}))
}

#[test]
fn an_unreadable_layout_resets_positions_and_says_so() {
    let (_tmp, drafts) = store();
    let n = name("default");
    drafts.create(&n, start(), &Layout::default()).unwrap();
    std::fs::write(drafts.layout_path(&n), b"{not json").unwrap();
    let session = drafts.load(&n).unwrap();
    assert!(session.layout.positions.is_empty());
    let problem = session.layout_problem.expect("reported");
    assert!(
        problem.contains("layout.json") && problem.contains("reset"),
        "{problem}"
    );
    assert_eq!(
        session.history.draft().node_count(),
        2,
        "the draft is unaffected"
    );
}

#[test]
fn a_session_survives_a_restart_with_its_history() {
    let (_tmp, drafts) = store();
    let n = name("default");
    drafts.create(&n, start(), &Layout::default()).unwrap();
    let applied = drafts.apply(&n, &add("lint")).unwrap();
    assert_eq!(applied.report.message(), "Added lint");
    drafts.apply(&n, &add("test")).unwrap();
    drafts.undo(&n).unwrap();
    // "Restart": a fresh store reads the same files.
    let again = Drafts::new(drafts.dir.parent().unwrap().parent().unwrap())
        .load(&n)
        .unwrap();
    assert_eq!(again.history.draft().node_count(), 3);
    assert_eq!(again.history.undo_message(), Some("Added lint"));
    assert_eq!(again.history.redo_message(), Some("Added test"));
    assert_eq!(again.history.revision(), 3);
    assert_eq!(again.records, 4, "open, 2 batches, undo");
}

#[test]
fn rejected_and_no_op_turns_write_nothing() {
    let (_tmp, drafts) = store();
    let n = name("d");
    drafts.create(&n, start(), &Layout::default()).unwrap();
    let path = drafts.journal_path(&n);
    let before = std::fs::read(&path).unwrap();
    let ghost = actions(json!({"intent": "remove", "nodeId": "ghost"}));
    let applied = drafts.apply(&n, &ghost).unwrap();
    assert!(!applied.report.changed());
    let same = actions(json!({"intent": "rename", "nodeId": "build", "label": "Build"}));
    assert!(!drafts.apply(&n, &same).unwrap().report.changed());
    assert_eq!(drafts.undo(&n).unwrap().0, None);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn create_refuses_a_taken_name_and_missing_drafts_are_reported() {
    let (_tmp, drafts) = store();
    let n = name("d");
    drafts.create(&n, start(), &Layout::default()).unwrap();
    assert!(matches!(
        drafts.create(&n, start(), &Layout::default()),
        Err(DraftError::Exists { .. })
    ));
    let missing = name("nope");
    assert!(matches!(
        drafts.load(&missing),
        Err(DraftError::NotFound { .. })
    ));
    assert!(matches!(
        drafts.apply(&missing, &add("x")),
        Err(DraftError::NotFound { .. })
    ));
    assert!(!drafts.dir.join("nope").exists(), "reads create nothing");
}

#[test]
fn a_torn_tail_is_reported_by_readers_and_moved_aside_by_the_next_change() {
    let (_tmp, drafts) = store();
    let n = name("d");
    drafts.create(&n, start(), &Layout::default()).unwrap();
    drafts.apply(&n, &add("lint")).unwrap();
    let path = drafts.journal_path(&n);
    let complete = std::fs::read(&path).unwrap();
    let mut torn = complete.clone();
    torn.extend_from_slice(br#"{"record":"batch","revision":2,"actions":[{"int"#);
    std::fs::write(&path, &torn).unwrap();

    let read = drafts.load(&n).unwrap();
    assert_eq!(read.torn.as_ref().map(|t| t.line), Some(3));
    assert_eq!(read.history.revision(), 1, "the torn record never happened");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        torn,
        "readers change nothing"
    );

    let applied = drafts.apply(&n, &add("test")).unwrap();
    let repaired = applied.changed.session.torn.expect("repaired");
    let saved = repaired.saved_to.expect("saved aside");
    assert!(saved.starts_with(drafts.dir.join("d").join("torn")));
    let text = std::fs::read(&path).unwrap();
    assert!(text.starts_with(&complete), "no complete line touched");
    assert_eq!(drafts.load(&n).unwrap().history.revision(), 2);
}

#[test]
fn a_corrupt_middle_line_is_an_error_with_its_line_number() {
    let (_tmp, drafts) = store();
    let n = name("d");
    drafts.create(&n, start(), &Layout::default()).unwrap();
    drafts.apply(&n, &add("lint")).unwrap();
    let path = drafts.journal_path(&n);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}{{\"record\":\"nonsense\"}}\n")).unwrap();
    match drafts.load(&n) {
        Err(DraftError::CorruptRecord { line: 3, .. }) => {}
        other => panic!("{other:?}"),
    }
    std::fs::write(
        &path,
        format!("{text}{{\"record\":\"undo\",\"revision\":7}}\n"),
    )
    .unwrap();
    assert!(matches!(drafts.load(&n), Err(DraftError::Replay { .. })));
}

#[test]
fn compaction_keeps_the_draft_the_stacks_and_the_revision() {
    let (_tmp, drafts) = store();
    let drafts = drafts.with_compaction(Compaction {
        max_records: Some(8),
        min_bytes: None,
    });
    let n = name("d");
    drafts.create(&n, start(), &Layout::default()).unwrap();
    let mut compactions = 0;
    for i in 0..20 {
        let changed = drafts.apply(&n, &add(&format!("s{i}"))).unwrap().changed;
        compactions += usize::from(changed.compacted);
        if i % 5 == 4 {
            compactions += usize::from(drafts.undo(&n).unwrap().1.compacted);
        }
    }
    assert!(compactions >= 2, "{compactions}");
    let uncompacted = {
        let tmp = tempfile::tempdir().unwrap();
        let plain = Drafts::new(tmp.path()).with_compaction(Compaction::NEVER);
        plain.create(&n, start(), &Layout::default()).unwrap();
        for i in 0..20 {
            plain.apply(&n, &add(&format!("s{i}"))).unwrap();
            if i % 5 == 4 {
                plain.undo(&n).unwrap();
            }
        }
        plain.load(&n).unwrap()
    };
    let compacted = drafts.load(&n).unwrap();
    assert!(compacted.records < 9);
    assert_eq!(compacted.history.snapshot(), uncompacted.history.snapshot());
    let lines = std::fs::read_to_string(drafts.journal_path(&n)).unwrap();
    assert!(lines.starts_with(r#"{"record":"snapshot""#), "{lines}");
    let leftovers: Vec<_> = std::fs::read_dir(drafts.dir.join("d"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn compaction_by_size_is_due_only_past_both_thresholds() {
    let policy = Compaction {
        max_records: None,
        min_bytes: Some(100),
    };
    assert!(!policy.due(10, 50, 140), "rest 90 ≤ 100");
    assert!(!policy.due(10, 500, 700), "rest 200 ≤ first 500");
    assert!(policy.due(10, 50, 200));
    assert!(!Compaction::NEVER.due(1_000_000, 1, u64::MAX));
}

#[test]
fn open_replaces_an_existing_draft_as_one_undoable_edit_and_keeps_positions() {
    let (_tmp, drafts) = store();
    let n = name("d");
    drafts.create(&n, start(), &Layout::default()).unwrap();
    let other = parse_draft_document(
        json!({"title": "Other", "summary": "", "nodes": [
                {"id": "a", "label": "A", "type": "t"}], "edges": []})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let mut layout = Layout::default();
    layout
        .positions
        .insert("a".into(), Position { x: 1.0, y: 2.0 });
    layout
        .positions
        .insert("gone".into(), Position { x: 0.0, y: 0.0 });
    let opened = drafts.open(&n, other, &layout).unwrap();
    assert!(!opened.created);
    assert_eq!(
        opened.report.map(|r| r.message()).as_deref(),
        Some("Replaced the workflow with Other (1 step)")
    );
    let session = drafts.load(&n).unwrap();
    assert_eq!(session.layout.positions.len(), 1, "stale position dropped");
    assert_eq!(
        session.history.undo_message(),
        Some("Replaced the workflow with Other (1 step)")
    );
    drafts.undo(&n).unwrap();
    let back = drafts.load(&n).unwrap();
    assert_eq!(back.history.draft().title(), "Release");
    assert!(
        back.layout.positions.is_empty(),
        "positions of steps not in the draft are hidden"
    );
}

#[test]
fn list_shows_every_draft_and_explains_broken_ones() {
    let (_tmp, drafts) = store();
    assert!(drafts.list().unwrap().is_empty());
    drafts
        .create(&name("b"), start(), &Layout::default())
        .unwrap();
    drafts
        .create(&name("a"), start(), &Layout::default())
        .unwrap();
    std::fs::write(
        drafts.journal_path(&name("b")),
        "{\"record\":\"undo\",\"revision\":1}\n",
    )
    .unwrap();
    std::fs::create_dir_all(drafts.dir.join("..bad")).unwrap();
    let list = drafts.list().unwrap();
    let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert!(list[0].session.is_ok());
    assert!(list[1].session.as_ref().unwrap_err().contains("record 0"));
}
