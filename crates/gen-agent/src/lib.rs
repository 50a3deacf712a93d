// A library says nothing: it returns data and the server decides what to show.
#![cfg_attr(
    not(test),
    deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)
)]
//! Chat agents for the workbench: each turns one message of the person, read against the current
//! draft, into edits for the one reducer — never into a draft of their own. What they return is
//! untrusted: the server runs it through the same parsing, validation and reducer as the canvas,
//! and the line the person reads is built from what the reducer applied, never from the agent's
//! claim.

mod builtin;
mod model;
mod payload;

pub use builtin::{BuiltinTurn, interpret};
pub use model::{EDIT_TOOL, ModelAgent};
pub use payload::{PayloadError, edits_from_reply};

use gen_workbench::{Action, Draft};

/// The longest message a person may send (characters); longer ones are refused before any agent
/// reads them.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// What an agent made of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Edits to run through the reducer as one undo step, with the agent's own words (shown as
    /// the agent's, never as what was applied).
    Edit {
        /// The parsed, not yet validated, edits.
        actions: Vec<Action>,
        /// What the agent said besides the edits, if anything.
        note: Option<String>,
    },
    /// Words only: a clarifying question, help, an answer. The draft is not touched.
    Say(String),
    /// Revert the last edit (from either the chat or the canvas).
    Undo,
    /// Restore the last undone edit.
    Redo,
    /// The agent's output could not be used: `user` is what the person reads, `log` the raw
    /// output and the precise error, for the server log only.
    Refused {
        /// The user-facing sentence.
        user: String,
        /// For debugging: what came back and why it was refused.
        log: String,
    },
}

/// Something that answers chat messages about a draft.
pub trait Agent: Send + Sync {
    /// Reads one message against the current draft (the canonical one, as the server holds it now).
    fn turn(&self, draft: &Draft, message: &str) -> Reply;
    /// Its name, as `--agent` spells it.
    fn kind(&self) -> &'static str;
}

/// The offline agent: short commands, no network.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

impl Agent for Builtin {
    fn turn(&self, draft: &Draft, message: &str) -> Reply {
        match interpret(draft, message) {
            BuiltinTurn::Edit(actions) => Reply::Edit {
                actions,
                note: None,
            },
            BuiltinTurn::Ask(text) | BuiltinTurn::Help(text) => Reply::Say(text),
            BuiltinTurn::Undo => Reply::Undo,
            BuiltinTurn::Redo => Reply::Redo,
        }
    }

    fn kind(&self) -> &'static str {
        "builtin"
    }
}
