//! Reading untrusted bytes into actions: byte and depth caps first, then one strict JSON value,
//! then the typed shapes. Any failure rejects the whole payload (a payload that violates the
//! contract is not a payload); per-action semantic failures are the reducer's business.

use serde_json::Value;

use crate::action::Action;
use crate::draft::Draft;
use crate::error::{Problem, Rejection, UserMessage};
use crate::json::{parse_strict, prescan};
use crate::limits::{
    MAX_ACTIONS_PER_TURN, MAX_DRAFT_DOCUMENT_BYTES, MAX_INPUT_BYTES, MAX_JSON_DEPTH,
};
use crate::model::BlueprintDraft;

/// Where a payload came from, which decides what it may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    /// The chat agent: the seven intents or one full draft (reference §4.0.7).
    Agent,
    /// The canvas: also canvas-only actions.
    Canvas,
}

/// Parses one agent reply: a single intent, an array of 1–200 intents, or `{"draft": {...}}` alone.
pub fn parse_agent_turn(bytes: &[u8]) -> Result<Vec<Action>, Rejection> {
    parse_actions(bytes, Channel::Agent)
}

/// Parses one canvas gesture: like an agent turn, plus canvas actions (`{"action": ...}`).
pub fn parse_canvas_input(bytes: &[u8]) -> Result<Vec<Action>, Rejection> {
    parse_actions(bytes, Channel::Canvas)
}

/// Parses and validates a stored draft document (a file, a journal entry), which may be much
/// larger than one turn but is held to the same rules.
pub fn parse_draft_document(bytes: &[u8]) -> Result<Draft, Rejection> {
    let as_draft = |problem| Rejection::new(UserMessage::InvalidDraft, "$", problem);
    prescan(bytes, MAX_DRAFT_DOCUMENT_BYTES, MAX_JSON_DEPTH).map_err(as_draft)?;
    let value = parse_strict(bytes).map_err(as_draft)?;
    let blueprint: BlueprintDraft = crate::action::decode(value, "$", UserMessage::InvalidDraft)?;
    Draft::from_blueprint(blueprint).map_err(|r| r.under("$"))
}

fn parse_actions(bytes: &[u8], channel: Channel) -> Result<Vec<Action>, Rejection> {
    let invalid = |at: &str, problem| Rejection::new(UserMessage::InvalidRequest, at, problem);
    let scan = prescan(bytes, MAX_INPUT_BYTES, MAX_JSON_DEPTH).map_err(|p| invalid("$", p))?;
    if let Some(count) = scan.top_level_items
        && count > MAX_ACTIONS_PER_TURN
    {
        return Err(invalid(
            "$",
            Problem::TooManyActions {
                count,
                max: MAX_ACTIONS_PER_TURN,
            },
        ));
    }
    let value = parse_strict(bytes).map_err(|p| invalid("$", p))?;
    let actions = match value {
        Value::Array(items) => {
            if items.is_empty() {
                return Err(invalid("$", Problem::EmptyBatch));
            }
            if items.len() > MAX_ACTIONS_PER_TURN {
                return Err(invalid(
                    "$",
                    Problem::TooManyActions {
                        count: items.len(),
                        max: MAX_ACTIONS_PER_TURN,
                    },
                ));
            }
            let mut actions = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let at = format!("$[{i}]");
                let action = Action::from_value(item, &at)?;
                if matches!(action, Action::ReplaceDraft(_)) {
                    return Err(invalid(&at, Problem::ReplaceInBatch));
                }
                actions.push(admit(action, channel, &at)?);
            }
            actions
        }
        other => vec![admit(Action::from_value(other, "$")?, channel, "$")?],
    };
    Ok(actions)
}

fn admit(action: Action, channel: Channel, at: &str) -> Result<Action, Rejection> {
    match (&action, channel) {
        (Action::Canvas(canvas), Channel::Agent) => Err(Rejection::new(
            UserMessage::InvalidRequest,
            at,
            Problem::CanvasActionFromAgent {
                action: canvas.name().to_string(),
            },
        )),
        _ => Ok(action),
    }
}
