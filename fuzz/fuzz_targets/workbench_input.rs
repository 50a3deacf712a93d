//! Arbitrary bytes through every workbench entry point: the agent and canvas parsers, the stored
//! draft parser, and — for whatever parses — the reducer, history and exports against a small fixed
//! draft. Nothing may panic, and every draft the reducer produces must re-validate from scratch.

#![no_main]

use gen_workbench::{
    BlueprintDraft, Draft, Edge, History, Node, apply_batch, parse_agent_turn, parse_canvas_input,
    parse_draft_document, to_dot, to_mermaid,
};
use libfuzzer_sys::fuzz_target;

fn fixed_draft() -> Option<Draft> {
    Draft::from_blueprint(BlueprintDraft {
        title: "Fuzz".into(),
        summary: String::new(),
        nodes: vec![
            Node::new("n1", "Start", "trigger"),
            Node::new("n2", "Step 2", "action"),
            Node::new("n3", "Email", "action"),
        ],
        edges: vec![Edge::new("n1", "n2"), Edge::new("n2", "n3")],
    })
    .ok()
}

fuzz_target!(|data: &[u8]| {
    let Some(start) = fixed_draft() else { return };
    for parsed in [parse_agent_turn(data), parse_canvas_input(data)] {
        let Ok(actions) = parsed else { continue };
        let result = apply_batch(&start, &actions);
        assert!(
            result.draft.validate().is_ok(),
            "reducer produced an invalid draft"
        );
        let _ = result.report.message();
        let mut history = History::new(start.clone());
        if history.apply(&actions).changed() {
            assert!(history.undo());
            assert!(*history.draft() == start, "undo did not restore the draft");
        }
        let _ = to_mermaid(&result.draft);
        let _ = to_dot(&result.draft);
    }
    if let Ok(draft) = parse_draft_document(data) {
        assert!(draft.validate().is_ok());
        let _ = to_mermaid(&draft);
    }
});
