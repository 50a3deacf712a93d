//! The two outputs of every failure: a short message for the person in the chat, and a precise
//! developer error (which action, which field, why) for logs.

use std::fmt;

use serde::Serialize;

/// The short, non-technical sentence shown to the user; texts come from the reference contract §1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UserMessage {
    /// A missing, malformed or out-of-policy field (shape errors, caps, self-loops, bad ids).
    InvalidRequest,
    /// The action names a node the current draft does not have.
    StepNotFound,
    /// The action would create a node whose id is already taken.
    DuplicateStep,
    /// An edge endpoint does not exist.
    ConnectionEndpointMissing,
    /// A full draft (replace) failed validation.
    InvalidDraft,
    /// A canvas edge action names an edge the current draft does not have (our addition to §1.3).
    ConnectionNotFound,
}

impl UserMessage {
    /// The exact user-facing text, kept in one place so golden tests pin it.
    pub fn text(self) -> &'static str {
        match self {
            UserMessage::InvalidRequest => "I couldn't apply that change: the request was invalid.",
            UserMessage::StepNotFound => "That step doesn't exist in the current workflow.",
            UserMessage::DuplicateStep => "A step with that id already exists.",
            UserMessage::ConnectionEndpointMissing => {
                "Couldn't connect steps: one of them was not found."
            }
            UserMessage::InvalidDraft => {
                "The workflow draft from the assistant was invalid. Please try again or edit manually."
            }
            UserMessage::ConnectionNotFound => {
                "That connection doesn't exist in the current workflow."
            }
        }
    }
}

impl fmt::Display for UserMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// Why an input was refused, worded for a developer reading logs (never shown to users).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Problem {
    /// The raw payload exceeds the byte cap; nothing was parsed.
    #[error("payload is {bytes} bytes, the cap is {max}")]
    PayloadTooLarge {
        /// Size in bytes.
        bytes: usize,
        /// The cap that applies.
        max: usize,
    },
    /// The raw payload nests arrays/objects deeper than the cap; nothing was parsed.
    #[error("JSON nesting is deeper than {max} levels")]
    TooDeep {
        /// The cap that applies.
        max: usize,
    },
    /// The payload is not one JSON value (syntax error, trailing data, lone surrogate, NaN, …).
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser reported.
        message: String,
    },
    /// The JSON is well formed but does not have the contract's shape.
    #[error("{message}")]
    Shape {
        /// What the parser reported.
        message: String,
    },
    /// A batch with more actions than one turn may carry.
    #[error("{count} actions in one turn, the cap is {max}")]
    TooManyActions {
        /// How many there are.
        count: usize,
        /// The cap that applies.
        max: usize,
    },
    /// An empty batch asks for nothing, which is a malfunction rather than a no-op.
    #[error("the batch is empty")]
    EmptyBatch,
    /// A full replace mixed into a batch: a replace must be sent alone.
    #[error("a full draft replace must be sent alone, not inside a batch")]
    ReplaceInBatch,
    /// A canvas-only action arrived from the agent channel.
    #[error("`{action}` is a canvas action; the agent may send only edit intents or a full draft")]
    CanvasActionFromAgent {
        /// Wire name of the refused action.
        action: String,
    },
    /// An object with none (or several) of the `intent` / `action` / `draft` discriminators.
    #[error("expected an object with exactly one of `intent`, `action` or `draft`")]
    UnknownPayload,
    /// A discriminator value that names no known intent or action (matching is case-sensitive).
    #[error("unknown {tag} {value}; expected one of {expected}")]
    UnknownVariant {
        /// Which discriminator: `intent` or `action`.
        tag: &'static str,
        /// The value received (escaped and truncated).
        value: String,
        /// What was expected instead.
        expected: &'static str,
    },
    /// A node id that does not match `^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`.
    #[error("id {id} is not a valid step id: {reason}")]
    BadId {
        /// The id concerned (escaped and truncated).
        id: String,
        /// Why, in words.
        reason: &'static str,
    },
    /// A required text is empty.
    #[error("must not be empty")]
    Empty,
    /// A text that must say something is only whitespace.
    #[error("must not be only whitespace")]
    Blank,
    /// A text longer than its cap.
    #[error("is {chars} characters long, the cap is {max}")]
    TooLong {
        /// Length in characters.
        chars: usize,
        /// The cap that applies.
        max: usize,
    },
    /// A control character that could hide or corrupt text.
    #[error("contains control character U+{codepoint:04X} at character {position}")]
    ControlChar {
        /// Code point of the character.
        codepoint: u32,
        /// Its index, in characters.
        position: usize,
    },
    /// A node's properties are larger than the per-node cap.
    #[error("properties are {bytes} bytes as JSON, the cap is {max}")]
    PropertiesTooLarge {
        /// Size in bytes.
        bytes: usize,
        /// The cap that applies.
        max: usize,
    },
    /// A node's properties nest deeper than the per-node cap.
    #[error("properties nest deeper than {max} levels")]
    PropertiesTooDeep {
        /// The cap that applies.
        max: usize,
    },
    /// A list longer than its cap.
    #[error("has {count} items, the cap is {max}")]
    TooManyItems {
        /// How many there are.
        count: usize,
        /// The cap that applies.
        max: usize,
    },
    /// A list that must not be empty is empty.
    #[error("must list at least one item")]
    EmptyList,
    /// A list names the same id twice.
    #[error("lists {id} more than once")]
    RepeatedId {
        /// The id concerned (escaped and truncated).
        id: String,
    },
    /// A reference to a node the draft does not have.
    #[error("no step with id {id}")]
    UnknownNode {
        /// The id concerned (escaped and truncated).
        id: String,
    },
    /// A new node whose id is taken (exact byte comparison).
    #[error("a step with id {id} already exists")]
    DuplicateId {
        /// The id concerned (escaped and truncated).
        id: String,
    },
    /// An edge from a node to itself; the workbench forbids self-loops.
    #[error("an edge from {id} to itself is not allowed")]
    SelfLoop {
        /// The id concerned (escaped and truncated).
        id: String,
    },
    /// A second edge for an existing (source, target) pair in a full draft.
    #[error("more than one edge from {source_id} to {target}")]
    DuplicateEdge {
        /// Source id (escaped and truncated).
        source_id: String,
        /// Target id (escaped and truncated).
        target: String,
    },
    /// An edge that does not exist.
    #[error("no edge from {source_id} to {target}")]
    UnknownEdge {
        /// Source id (escaped and truncated).
        source_id: String,
        /// Target id (escaped and truncated).
        target: String,
    },
    /// A reorder list that is not a permutation of the current nodes.
    #[error(
        "lists {got} ids but the draft has {expected} steps; reorder needs every step exactly once"
    )]
    NotAPermutation {
        /// What was expected instead.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// The draft would exceed the node cap.
    #[error("the draft would have {count} steps, the cap is {max}")]
    TooManyNodes {
        /// How many there are.
        count: usize,
        /// The cap that applies.
        max: usize,
    },
    /// The draft would exceed the edge cap.
    #[error("the draft would have {count} edges, the cap is {max}")]
    TooManyEdges {
        /// How many there are.
        count: usize,
        /// The cap that applies.
        max: usize,
    },
    /// A history limit outside the accepted range.
    #[error("history limit {limit} is outside 0..={max}")]
    HistoryLimit {
        /// The limit that was asked for.
        limit: usize,
        /// The cap that applies.
        max: usize,
    },
    /// A stored history whose pieces contradict each other.
    #[error("{reason}")]
    InconsistentHistory {
        /// Why, in words.
        reason: String,
    },
    /// Post-batch validation found a state the per-action checks should have prevented.
    #[error("the result failed validation: {reason}")]
    InvalidResult {
        /// Why, in words.
        reason: String,
    },
}

/// One refused input: what to tell the user, and where and why for the developer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct Rejection {
    /// Which user-facing sentence applies.
    pub message: UserMessage,
    /// Where in the input the problem is, e.g. `actions[2].node.id`.
    pub at: String,
    /// What is wrong there.
    pub problem: Problem,
}

impl Rejection {
    /// Builds a rejection; `at` is a JSON-path-like location inside the input.
    pub fn new(message: UserMessage, at: impl Into<String>, problem: Problem) -> Self {
        Rejection {
            message,
            at: at.into(),
            problem,
        }
    }

    /// The short sentence for the chat.
    pub fn user_text(&self) -> &'static str {
        self.message.text()
    }

    /// The same rejection re-labelled, used where a whole-draft failure must read as "invalid draft".
    pub(crate) fn with_message(mut self, message: UserMessage) -> Self {
        self.message = message;
        self
    }

    /// The same rejection located under a parent path (e.g. `actions[3]` + `.node.id`).
    pub(crate) fn under(mut self, prefix: &str) -> Self {
        if self.at.is_empty() {
            self.at = prefix.to_string();
        } else if self.at.starts_with('[') || self.at.starts_with('.') {
            self.at = format!("{prefix}{}", self.at);
        } else {
            self.at = format!("{prefix}.{}", self.at);
        }
        self
    }
}

/// Renders an untrusted id or text for a log line: escaped (no control or bidi characters reach the
/// terminal) and truncated, so a 10 KB id cannot flood the log.
pub(crate) fn shown(text: &str) -> String {
    const MAX: usize = 80;
    let mut clipped: String = text.chars().take(MAX).collect();
    let truncated = clipped.len() < text.len();
    clipped = format!("{:?}", clipped)
        .chars()
        .flat_map(escape_invisible)
        .collect();
    if truncated {
        clipped.push('…');
    }
    clipped
}

/// `Debug` escapes controls but keeps bidi overrides and zero-width characters; escape those too.
fn escape_invisible(c: char) -> Vec<char> {
    let invisible = matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}');
    if invisible {
        format!("\\u{{{:x}}}", c as u32).chars().collect()
    } else {
        vec![c]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_messages_are_the_contract_texts() {
        assert_eq!(
            UserMessage::InvalidRequest.text(),
            "I couldn't apply that change: the request was invalid."
        );
        assert_eq!(
            UserMessage::StepNotFound.text(),
            "That step doesn't exist in the current workflow."
        );
        assert_eq!(
            UserMessage::DuplicateStep.text(),
            "A step with that id already exists."
        );
        assert_eq!(
            UserMessage::ConnectionEndpointMissing.text(),
            "Couldn't connect steps: one of them was not found."
        );
        assert_eq!(
            UserMessage::InvalidDraft.text(),
            "The workflow draft from the assistant was invalid. Please try again or edit manually."
        );
    }

    #[test]
    fn shown_escapes_bidi_and_truncates() {
        assert_eq!(shown("n1\u{202e}"), "\"n1\\u{202e}\"");
        let long = "x".repeat(10_000);
        let s = shown(&long);
        assert!(s.len() < 100, "{s}");
        assert!(s.ends_with('…'));
    }

    #[test]
    fn rejection_display_names_location_and_problem() {
        let r = Rejection::new(
            UserMessage::StepNotFound,
            ".nodeId",
            Problem::UnknownNode { id: shown("ghost") },
        )
        .under("actions[1]");
        assert_eq!(
            r.to_string(),
            "actions[1].nodeId: no step with id \"ghost\""
        );
        assert_eq!(
            r.user_text(),
            "That step doesn't exist in the current workflow."
        );
    }
}
