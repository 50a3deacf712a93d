//! `gen draft history`: the undo stack (most recent first, with the line of each edit) and the
//! redo stack (next first).

use super::DraftNameArg;
use super::{draft_name, fail, report_torn, state_line};
use crate::commands::print_json;
use crate::report::Exit;
use crate::terminal::say;
use gen_session::DraftHistory;
use gen_session::Drafts;
use miette::Result;

/// Runs the command.
pub(super) fn run(drafts: &Drafts, args: &DraftNameArg, json: bool) -> Result<Exit> {
    let name = draft_name(&args.name)?;
    let session = drafts.load(&name).map_err(fail)?;
    report_torn(&session);
    if json {
        print_json(&DraftHistory::new(&session))?;
        return Ok(Exit::Success);
    }
    let history = &session.history;
    let stacks = DraftHistory::new(&session);
    let undo: Vec<&str> = stacks.undo.iter().map(|l| l.message.as_str()).collect();
    let redo: Vec<&str> = stacks.redo.iter().map(|l| l.message.as_str()).collect();
    say!(
        "{} — draft `{name}`, {} (keeps {} undo steps)",
        history.draft().title(),
        state_line(history),
        history.limit()
    );
    for (title, entries, next) in [
        ("Undo", &undo, "gen draft undo"),
        ("Redo", &redo, "gen draft redo"),
    ] {
        if entries.is_empty() {
            say!("{title}: nothing");
            continue;
        }
        say!("{title} (next first):");
        for (i, message) in entries.iter().enumerate() {
            let marker = if i == 0 {
                format!("   ← `{next}`")
            } else {
                String::new()
            };
            say!("  {}. {message}{marker}", i + 1);
        }
    }
    Ok(Exit::Success)
}
