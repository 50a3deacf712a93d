//! Everything the reducer accepts: an edit intent, a canvas action, or a full draft replace.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::canvas::CanvasAction;
use crate::error::{Problem, Rejection, UserMessage};
use crate::intent::EditIntent;
use crate::json::StrictValue;
use crate::model::BlueprintDraft;

/// Replace the whole draft (`{"draft": {...}}`): the agent's fallback when intents do not fit, and
/// the canvas's "load template". Validated as a whole; any defect rejects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceDraft {
    /// The complete new draft.
    pub draft: BlueprintDraft,
}

/// One edit, whatever its source; the single input type of the reducer and the history journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Action {
    /// One of the seven intents (`{"intent": ...}`).
    Intent(EditIntent),
    /// A canvas-only action (`{"action": ...}`).
    Canvas(CanvasAction),
    /// A full replace (`{"draft": {...}}`).
    ReplaceDraft(ReplaceDraft),
}

impl Action {
    /// The wire name (`add`, `deleteEdge`, `replaceDraft`, …), for logs and reports.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Intent(intent) => intent.name(),
            Action::Canvas(action) => action.name(),
            Action::ReplaceDraft(_) => "replaceDraft",
        }
    }

    /// Reads an action from an already strictly-parsed JSON value; `at` locates it for errors.
    pub(crate) fn from_value(value: Value, at: &str) -> Result<Self, Rejection> {
        let Value::Object(map) = value else {
            return Err(shape(at, "expected a JSON object"));
        };
        let has = |key: &str| map.contains_key(key);
        match (has("intent"), has("action"), has("draft")) {
            (true, false, false) => {
                EditIntent::from_value(Value::Object(map), at).map(Action::Intent)
            }
            (false, true, false) => {
                CanvasAction::from_value(Value::Object(map), at).map(Action::Canvas)
            }
            (false, false, true) => {
                decode(Value::Object(map), at, UserMessage::InvalidDraft).map(Action::ReplaceDraft)
            }
            _ => Err(Rejection::new(
                UserMessage::InvalidRequest,
                at,
                Problem::UnknownPayload,
            )),
        }
    }
}

impl From<EditIntent> for Action {
    fn from(intent: EditIntent) -> Self {
        Action::Intent(intent)
    }
}

impl From<CanvasAction> for Action {
    fn from(action: CanvasAction) -> Self {
        Action::Canvas(action)
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StrictValue(value) = StrictValue::deserialize(deserializer)?;
        Action::from_value(value, "$").map_err(serde::de::Error::custom)
    }
}

fn shape(at: &str, message: &str) -> Rejection {
    Rejection::new(
        UserMessage::InvalidRequest,
        at,
        Problem::Shape {
            message: message.to_string(),
        },
    )
}

/// Splits the discriminator (`intent` / `action`) from the rest of the object.
pub(crate) fn take_tag(
    value: Value,
    tag: &'static str,
    at: &str,
    message: UserMessage,
) -> Result<(String, Value), Rejection> {
    let Value::Object(mut map): Value = value else {
        return Err(shape(at, "expected a JSON object").with_message(message));
    };
    match map.shift_remove(tag) {
        Some(Value::String(name)) => Ok((name, Value::Object(map))),
        Some(_) => Err(Rejection::new(
            message,
            format!("{at}.{tag}"),
            Problem::Shape {
                message: format!("`{tag}` must be a string"),
            },
        )),
        None => Err(Rejection::new(
            message,
            at,
            Problem::Shape {
                message: format!("missing field `{tag}`"),
            },
        )),
    }
}

/// Deserializes a typed payload from a JSON value, reporting the exact field path on failure.
pub(crate) fn decode<T: DeserializeOwned>(
    value: Value,
    at: &str,
    message: UserMessage,
) -> Result<T, Rejection> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let at = match path.as_str() {
            "." | "" => at.to_string(),
            p if p.starts_with('[') => format!("{at}{p}"),
            p => format!("{at}.{p}"),
        };
        Rejection::new(
            message,
            at,
            Problem::Shape {
                message: error.into_inner().to_string(),
            },
        )
    })
}
