//! The offline agent: short commands ("add step Deploy after Build", "connect build to deploy").
//!
//! A message is split into commands (lines, `;`, "then", "and `<verb>`"); each command is read
//! against the draft as the earlier commands will have left it (they are run on a scratch copy
//! through the real reducer), so "add Build; add Test after Build" works in one turn. All the
//! actions of a message go back together, to be applied as one undo step. References to steps
//! resolve by id, then label, then a unique prefix or substring of a label; when that is not
//! enough the agent asks instead of guessing. The agent never writes the success line: the
//! server builds it from what the reducer applied.

mod commands;
mod lex;
mod resolve;
#[cfg(test)]
mod tests;

use gen_workbench::limits::MAX_ACTIONS_PER_TURN;

use crate::MAX_MESSAGE_CHARS;
use gen_workbench::{Action, Draft, NodeId, Problem, Rejection, apply_batch};

use self::commands::{Special, parse, quoted_command, special};
use self::resolve::{Ctx, Stop};

/// What the built-in agent made of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum BuiltinTurn {
    /// Edits to run through the reducer as one undo step.
    Edit(Vec<Action>),
    /// A question back, when a reference is ambiguous or missing.
    Ask(String),
    /// Revert the last edit (from either the chat or the canvas).
    Undo,
    /// Restore the last undone edit.
    Redo,
    /// The message was not understood: the reply explains what is.
    Help(String),
}

/// Most commands read from one message.
const MAX_COMMANDS: usize = 50;

/// The reply to "help" and the tail of every "I didn't understand".
const HELP: &str = "I can change the workflow with short commands, for example:\n\
• add Deploy after Build\n\
• add a condition step Check before Test\n\
• connect Build to Deploy as \"on success\"\n\
• rename Deploy to Release\n\
• remove Lint and Test\n\
• configure Deploy with region=eu-west-1 retries=3\n\
• set region of Deploy to eu-west-1\n\
• branch from Check to Approve and Reject\n\
• move Deploy before Build / reorder Build, Test, Deploy\n\
• undo / redo\n\
Put names in quotes when they contain words like \"to\" or \"after\", and separate several \
commands with \";\" or \"then\".";

/// Reads one message against the current draft.
pub fn interpret(draft: &Draft, message: &str) -> BuiltinTurn {
    if message.len() > MAX_MESSAGE_CHARS && message.chars().nth(MAX_MESSAGE_CHARS).is_some() {
        return BuiltinTurn::Help(format!(
            "That message is too long for me (more than {MAX_MESSAGE_CHARS} characters). \
             Send one or a few short commands at a time."
        ));
    }
    let commands = lex::split_commands(message);
    if commands.is_empty() {
        return BuiltinTurn::Help(HELP.to_string());
    }
    if commands.len() > MAX_COMMANDS {
        return BuiltinTurn::Help(format!(
            "That is more than {MAX_COMMANDS} commands in one message. Send them in smaller groups."
        ));
    }
    let specials: Vec<Option<Special>> = commands.iter().map(special).collect();
    match specials.as_slice() {
        [Some(Special::Undo)] => return BuiltinTurn::Undo,
        [Some(Special::Redo)] => return BuiltinTurn::Redo,
        [Some(Special::Help)] => return BuiltinTurn::Help(HELP.to_string()),
        _ if specials.iter().any(Option::is_some) => {
            return BuiltinTurn::Help(format!(
                "Send \"undo\", \"redo\" or \"help\" on its own, not together with other commands.\n\n{HELP}"
            ));
        }
        _ => {}
    }
    let mut scratch = draft.clone();
    let mut actions: Vec<Action> = Vec::new();
    let mut focus: Option<NodeId> = None;
    for cmd in &commands {
        let ctx = Ctx::new(&scratch, cmd.line, focus.clone());
        match parse(&ctx, cmd) {
            Ok(output) => {
                // Later commands see the draft these actions will leave.
                let result = apply_batch(&scratch, &output.actions);
                // A refused action would leave the rest half-applied: explain instead.
                if let Some(failure) = result.report.failed.first() {
                    return BuiltinTurn::Ask(refusal(&quoted_command(cmd), &failure.rejection));
                }
                scratch = result.draft;
                actions.extend(output.actions);
                if output.focus.is_some() {
                    focus = output.focus;
                }
            }
            Err(Stop::Ask(question)) => return BuiltinTurn::Ask(question),
            Err(Stop::Unknown) => {
                return BuiltinTurn::Help(format!(
                    "I didn't understand \"{}\".\n\n{HELP}",
                    quoted_command(cmd)
                ));
            }
        }
        if actions.len() > MAX_ACTIONS_PER_TURN {
            return BuiltinTurn::Help(format!(
                "That is more than {MAX_ACTIONS_PER_TURN} changes for one message. \
                 Send them in smaller groups."
            ));
        }
    }
    if actions.is_empty() {
        return BuiltinTurn::Help(HELP.to_string());
    }
    BuiltinTurn::Edit(actions)
}

/// Why the reducer would refuse a command, in the person's words (the developer detail of a
/// [`Rejection`] is never shown as-is).
fn refusal(command: &str, rejection: &Rejection) -> String {
    let field = match rejection.at.rsplit('.').next().unwrap_or_default() {
        "label" => "name",
        "type" => "type",
        "title" => "title",
        "summary" => "summary",
        "description" => "description",
        _ => "value",
    };
    let why = match &rejection.problem {
        Problem::TooLong { max, .. } => {
            format!("the {field} is too long (at most {max} characters)")
        }
        Problem::ControlChar { .. } => format!("the {field} contains a control character"),
        Problem::Empty | Problem::Blank => format!("the {field} is empty"),
        Problem::PropertiesTooLarge { .. } => {
            "the step's properties would be too large".to_string()
        }
        Problem::PropertiesTooDeep { .. } => {
            "the step's properties would nest too deeply".to_string()
        }
        Problem::TooManyNodes { max, .. } => {
            format!("the workflow would have more than {max} steps")
        }
        Problem::TooManyEdges { max, .. } => {
            format!("the workflow would have more than {max} connections")
        }
        Problem::SelfLoop { .. } => "a step cannot connect to itself".to_string(),
        _ => rejection.user_text().trim_end_matches('.').to_string(),
    };
    format!("I can't do \"{command}\": {why}. Nothing was changed.")
}
