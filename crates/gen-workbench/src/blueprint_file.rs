//! The saved form of a blueprint: the draft plus its view state (node positions), read as
//! strictly as agent input because a saved blueprint is a config that teams share.
//!
//! ```text
//! {
//!   "draft": { ...BlueprintDraft... },
//!   "layout": { "positions": { "<node id>": { "x": 120.0, "y": 40.0 } } }
//! }
//! ```
//!
//! Positions are view state: they are stored and restored but never change the draft, and no edit
//! moves them. `layout` may be omitted (a fresh blueprint has no positions); a position must belong
//! to a step of the draft, so [`BlueprintFile::new`] drops the positions of removed steps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::action::decode;
use crate::draft::Draft;
use crate::error::{Problem, Rejection, UserMessage, shown};
use crate::json::{parse_strict, prescan};
use crate::limits::{MAX_DRAFT_DOCUMENT_BYTES, MAX_JSON_DEPTH};
use crate::model::BlueprintDraft;

/// Where a step sits on the canvas (any finite numbers; the canvas decides the units).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// Node positions by node id: the view state saved next to a draft.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Position of each placed step; steps without one are laid out by the canvas.
    pub positions: BTreeMap<String, Position>,
}

impl Layout {
    /// Drops positions of steps the draft no longer has, so removed steps leave no trace.
    pub fn retain_nodes(&mut self, draft: &Draft) {
        self.positions.retain(|id, _| draft.contains_node(id));
    }
}

/// A blueprint as stored on disk: a validated draft and positions for (some of) its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct BlueprintFile {
    /// The workflow.
    pub draft: Draft,
    /// Where its steps sit.
    pub layout: Layout,
}

#[derive(Serialize)]
struct Wire<'a> {
    draft: &'a Draft,
    layout: &'a Layout,
}

impl BlueprintFile {
    /// Pairs a draft with its layout, keeping only positions of steps the draft has.
    pub fn new(draft: Draft, mut layout: Layout) -> BlueprintFile {
        layout.retain_nodes(&draft);
        BlueprintFile { draft, layout }
    }

    /// The file content: pretty JSON (reviewable in diffs) with a final newline.
    pub fn to_json_pretty(&self) -> String {
        let wire = Wire {
            draft: &self.draft,
            layout: &self.layout,
        };
        // Serialising plain data into a string cannot fail.
        let mut text = serde_json::to_string_pretty(&wire).unwrap_or_default();
        text.push('\n');
        text
    }
}

fn invalid(at: impl Into<String>, problem: Problem) -> Rejection {
    Rejection::new(UserMessage::InvalidDraft, at, problem)
}

fn shape(at: &str, message: impl Into<String>) -> Rejection {
    invalid(
        at,
        Problem::Shape {
            message: message.into(),
        },
    )
}

/// Parses a blueprint file strictly: byte and depth caps, one JSON object with exactly `draft` and
/// optionally `layout`, a draft that passes every IR rule, finite positions of existing steps.
/// Errors carry the JSON path (`$.draft.nodes[2].id`) or, for syntax, the line and column.
pub fn parse_blueprint_file(bytes: &[u8]) -> Result<BlueprintFile, Rejection> {
    prescan(bytes, MAX_DRAFT_DOCUMENT_BYTES, MAX_JSON_DEPTH).map_err(|p| invalid("$", p))?;
    let Value::Object(mut root) = parse_strict(bytes).map_err(|p| invalid("$", p))? else {
        return Err(shape(
            "$",
            "expected an object with `draft` (and optionally `layout`)",
        ));
    };
    if let Some(key) = root.keys().find(|k| *k != "draft" && *k != "layout") {
        return Err(shape(
            "$",
            format!("unknown field {}, expected `draft` or `layout`", shown(key)),
        ));
    }
    let Some(draft) = root.shift_remove("draft") else {
        return Err(shape("$", "missing field `draft`"));
    };
    let blueprint: BlueprintDraft = decode(draft, "$.draft", UserMessage::InvalidDraft)?;
    let draft = Draft::from_blueprint(blueprint).map_err(|r| r.under("$.draft"))?;
    let layout: Layout = match root.shift_remove("layout") {
        Some(value) => decode(value, "$.layout", UserMessage::InvalidDraft)?,
        None => Layout::default(),
    };
    for id in layout.positions.keys() {
        if !draft.contains_node(id) {
            return Err(invalid(
                format!("$.layout.positions.{id}"),
                Problem::UnknownNode { id: shown(id) },
            ));
        }
    }
    Ok(BlueprintFile { draft, layout })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn file(value: Value) -> Result<BlueprintFile, Rejection> {
        parse_blueprint_file(value.to_string().as_bytes())
    }

    fn sample() -> Value {
        json!({
            "draft": {"title": "Release", "summary": "", "nodes": [
                {"id": "build", "label": "Build", "type": "action"},
                {"id": "ship", "label": "Ship", "type": "action"}],
                "edges": [{"source": "build", "target": "ship"}]},
            "layout": {"positions": {"build": {"x": 0.0, "y": 0.0}, "ship": {"x": 200.5, "y": -40.0}}}
        })
    }

    #[test]
    fn saves_and_reads_back_the_draft_and_the_positions() {
        let parsed = file(sample()).expect("valid");
        assert_eq!(
            parsed.layout.positions["ship"],
            Position { x: 200.5, y: -40.0 }
        );
        let text = parsed.to_json_pretty();
        assert!(text.ends_with("}\n"));
        let again = parse_blueprint_file(text.as_bytes()).expect("round trips");
        assert_eq!(again, parsed);
    }

    #[test]
    fn positions_survive_save_and_open_to_the_last_bit() {
        // Found by the draft_files fuzzer: without correctly rounded float parsing, a position drifted
        // by one unit in the last place on every save/open cycle.
        let text = r#"{"draft":{"title":"T","summary":"","nodes":[{"id":"a","label":"A","type":"t"}],"edges":[]},"layout":{"positions":{"a":{"x":555555555555555555555555555555555555555551,"y":0.1}}}}"#;
        let first = parse_blueprint_file(text.as_bytes()).expect("valid");
        let second = parse_blueprint_file(first.to_json_pretty().as_bytes()).expect("valid");
        assert_eq!(second.to_json_pretty(), first.to_json_pretty());
        assert_eq!(second.layout.positions["a"], first.layout.positions["a"]);
    }

    #[test]
    fn layout_is_optional() {
        let mut value = sample();
        value.as_object_mut().map(|o| o.shift_remove("layout"));
        assert!(file(value).expect("valid").layout.positions.is_empty());
    }

    #[test]
    fn positions_of_removed_steps_are_dropped_on_save() {
        let parsed = file(sample()).expect("valid");
        let smaller = crate::input::parse_draft_document(
            json!({"title": "Release", "summary": "", "nodes": [
                {"id": "build", "label": "Build", "type": "action"}], "edges": []})
            .to_string()
            .as_bytes(),
        )
        .expect("valid");
        let saved = BlueprintFile::new(smaller, parsed.layout);
        assert_eq!(
            saved.layout.positions.keys().collect::<Vec<_>>(),
            vec!["build"]
        );
    }

    #[test]
    fn errors_name_the_json_path() {
        let mut dup = sample();
        dup["draft"]["nodes"][1]["id"] = json!("build");
        let err = file(dup).expect_err("duplicate id");
        assert_eq!(err.at, "$.draft.nodes[1].id", "{err}");

        let mut stray = sample();
        stray["layout"]["positions"]["gone"] = json!({"x": 1, "y": 2});
        assert_eq!(
            file(stray).expect_err("stray").at,
            "$.layout.positions.gone"
        );

        let mut extra = sample();
        extra["layout"]["zoom"] = json!(2);
        assert!(file(extra).expect_err("unknown").at.starts_with("$.layout"));

        let mut unknown = sample();
        unknown["positions"] = json!({});
        assert!(file(unknown).is_err());

        let mut bad_x = sample();
        bad_x["layout"]["positions"]["build"]["x"] = json!("0");
        assert!(file(bad_x).is_err());

        assert!(file(json!({"layout": {"positions": {}}})).is_err());
    }

    #[test]
    fn syntax_errors_have_a_line_and_column() {
        let err =
            parse_blueprint_file(b"{\n  \"draft\": {\n    \"title\": \"x\",,\n}").unwrap_err();
        assert!(
            matches!(err.problem, Problem::Syntax { line: 3, .. }),
            "{err}"
        );
    }
}
