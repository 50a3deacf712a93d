//! Reading a model's reply: the tool call's arguments, or else exactly one JSON payload in the text.
//! Nothing is coerced: what does not parse strictly is refused, with an error precise enough to
//! feed back to the model once.

use gen_workbench::limits::MAX_INPUT_BYTES;
use gen_workbench::{Action, Rejection, parse_agent_turn};
use serde_json::value::RawValue;

/// Why a reply carried no usable edits.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PayloadError {
    /// Larger than one turn may be.
    #[error("the reply is {0} bytes; one turn may be at most {MAX_INPUT_BYTES} bytes")]
    TooLarge(usize),
    /// Not JSON at all.
    #[error("the edits are not valid JSON: {0}")]
    NotJson(String),
    /// More than one JSON payload in the text: which one was meant is a guess we do not make.
    #[error("the reply holds {0} JSON blocks; answer with exactly one")]
    Several(usize),
    /// The tool's arguments are not `{"edits": …}`.
    #[error("the tool arguments must be an object with one key, `edits`")]
    Envelope,
    /// The edits themselves were refused by the strict parser.
    #[error("{0}")]
    Edits(Rejection),
}

/// The edits of one reply: from the tool call when there is one, else from the text when it is
/// exactly one JSON payload (the whole text, or one fenced block). `Ok(None)`: the text is words
/// only (a question, an explanation).
pub fn edits_from_reply(
    tool_input: Option<&str>,
    text: &str,
) -> Result<Option<Vec<Action>>, PayloadError> {
    if let Some(arguments) = tool_input {
        return edits(arguments).map(Some);
    }
    let trimmed = text.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return edits(trimmed).map(Some);
    }
    let blocks = fenced_blocks(trimmed);
    match blocks.len() {
        0 => Ok(None),
        1 => edits(blocks[0]).map(Some),
        n => Err(PayloadError::Several(n)),
    }
}

/// `{"edits": <agent turn>}` or a bare agent turn.
fn edits(text: &str) -> Result<Vec<Action>, PayloadError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(PayloadError::TooLarge(text.len()));
    }
    // The envelope is read for its shape only; the edits go to the strict parser as the very
    // bytes the model wrote (duplicate keys, NaN, odd numbers are its to refuse, not ours to mend).
    let envelope = text
        .starts_with('{')
        .then(|| serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(text).ok())
        .flatten();
    if let Some(inner) = envelope.as_ref().and_then(|e| e.get("edits")) {
        if envelope.as_ref().is_some_and(|e| e.len() != 1) {
            return Err(PayloadError::Envelope);
        }
        return parse_agent_turn(inner.get().as_bytes()).map_err(PayloadError::Edits);
    }
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(PayloadError::NotJson(e.to_string()));
    }
    parse_agent_turn(text.as_bytes()).map_err(PayloadError::Edits)
}

/// The bodies of the fenced code blocks of a text (```json or a bare fence).
fn fenced_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
        let body = &after[body_start..];
        let Some(end) = body.find("```") else {
            break;
        };
        blocks.push(body[..end].trim());
        rest = &body[end + 3..];
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_call_an_exact_json_text_and_one_fence_are_edits() {
        let add = r#"{"intent":"add","node":{"id":"n1","label":"A","type":"action"}}"#;
        let wrapped = format!(r#"{{"edits":[{add}]}}"#);
        assert_eq!(
            edits_from_reply(Some(&wrapped), "").unwrap().unwrap().len(),
            1
        );
        assert_eq!(edits_from_reply(None, add).unwrap().unwrap().len(), 1);
        let fenced = format!("Here you go:\n```json\n{add}\n```\nDone.");
        assert_eq!(edits_from_reply(None, &fenced).unwrap().unwrap().len(), 1);
        assert_eq!(
            edits_from_reply(None, "Which step do you mean?").unwrap(),
            None
        );
    }

    #[test]
    fn malformed_several_and_coerced_payloads_are_refused() {
        let cases = [
            (None, r#"{"intent":"add","node":{"id":"n4""#),
            (
                None,
                "```json\n{\"intent\":\"remove\",\"nodeId\":\"a\"}\n```\n```json\n{}\n```",
            ),
            (Some(r#"{"edits":[],"extra":1}"#), ""),
            (
                Some(r#"{"edits":{"intent":"Add","node":{"id":"n1","label":"A","type":"a"}}}"#),
                "",
            ),
            (
                Some(r#"{"edits":{"intent":"reorder","nodeIds":"n1,n2"}}"#),
                "",
            ),
            (
                Some(r#"{"edits":{"action":"deleteEdge","source":"a","target":"b"}}"#),
                "",
            ),
        ];
        for (tool, text) in cases {
            assert!(edits_from_reply(tool, text).is_err(), "{tool:?} {text}");
        }
        let huge = format!(r#"{{"edits":[{}]}}"#, "1,".repeat(MAX_INPUT_BYTES));
        assert!(matches!(
            edits_from_reply(Some(&huge), ""),
            Err(PayloadError::TooLarge(_))
        ));
    }
}
