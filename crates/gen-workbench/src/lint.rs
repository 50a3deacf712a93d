//! Problems a valid draft can still have — a step nothing connects, a condition with one way out —
//! shown on the steps they concern. The reducer refuses what would corrupt a draft; these are
//! advice, never refusals.

use serde::Serialize;

use crate::draft::Draft;
use crate::topology::ASSET_TYPE;

/// One problem of one step (or of the whole draft when `node_id` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The step it concerns.
    pub node_id: Option<String>,
    /// What is wrong, in words for the person.
    pub message: String,
}

/// The problems of `draft`, in step order.
pub fn lint(draft: &Draft) -> Vec<Finding> {
    let mut found = Vec::new();
    let many = draft.node_count() > 1;
    for node in draft.nodes() {
        let id = node.id.to_string();
        let mut say = |message: &str| {
            found.push(Finding {
                node_id: Some(id.clone()),
                message: message.to_string(),
            })
        };
        let outgoing = draft.outgoing(node.id.as_str()).count();
        let incoming = draft.incoming(node.id.as_str()).count();
        if node.label.trim().is_empty() {
            say("This step has no label.");
        }
        if many && outgoing == 0 && incoming == 0 {
            say(if node.kind == ASSET_TYPE {
                "No transition leads to or from this asset type."
            } else {
                "Not connected to any other step."
            });
        }
        if node.kind == "condition" && outgoing < 2 {
            say("A condition needs at least two outgoing connections.");
        }
        if node.kind == "trigger" && incoming > 0 {
            say("A trigger starts the workflow: nothing should lead into it.");
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Action, History, parse_canvas_input};

    fn draft(input: &str) -> Draft {
        let mut history = History::new(Draft::new("t", "").unwrap());
        let actions: Vec<Action> = parse_canvas_input(input.as_bytes()).unwrap();
        assert!(history.apply(&actions).changed());
        history.draft().clone()
    }

    #[test]
    fn isolated_steps_lonely_conditions_and_entered_triggers_are_found() {
        let d = draft(
            r#"[{"intent":"add","node":{"id":"t","label":"Start","type":"trigger"}},
                {"intent":"add","node":{"id":"c","label":"Check","type":"condition"},"connectFrom":"t"},
                {"intent":"add","node":{"id":"x","label":"Lonely","type":"action"}},
                {"intent":"connect","source":"c","target":"t"}]"#,
        );
        let found: Vec<(String, String)> = lint(&d)
            .into_iter()
            .map(|f| (f.node_id.unwrap_or_default(), f.message))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "t".into(),
                    "A trigger starts the workflow: nothing should lead into it.".into()
                ),
                (
                    "c".into(),
                    "A condition needs at least two outgoing connections.".into()
                ),
                ("x".into(), "Not connected to any other step.".into()),
            ]
        );
        let single = draft(r#"{"intent":"add","node":{"id":"a","label":"A","type":"action"}}"#);
        assert!(lint(&single).is_empty(), "one step alone is fine");
    }
}
