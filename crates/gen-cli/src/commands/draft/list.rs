//! `gen draft list`: every draft with its title, size, history state and last change.

use super::fail;
use crate::commands::print_json;
use crate::report::Exit;
use crate::terminal::say;
use gen_session::Drafts;
use gen_session::{DraftListed, utc_seconds};
use miette::Result;

/// Runs the command.
pub(super) fn run(drafts: &Drafts, json: bool) -> Result<Exit> {
    let list = drafts.list().map_err(fail)?;
    if json {
        print_json(&list.iter().map(DraftListed::from).collect::<Vec<_>>())?;
        return Ok(Exit::Success);
    }
    if list.is_empty() {
        say!("No drafts yet; start one with `gen draft new --name NAME --title TITLE`.");
        return Ok(Exit::Success);
    }
    let width = list
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    say!(
        "{:width$}  {:>5}  {:>5}  {:>4}  {:>4}  {:>4}  {:20}  TITLE",
        "NAME",
        "STEPS",
        "CONN",
        "REV",
        "UNDO",
        "REDO",
        "MODIFIED"
    );
    for d in &list {
        match &d.session {
            Ok(s) => {
                let h = &s.history;
                say!(
                    "{:width$}  {:>5}  {:>5}  {:>4}  {:>4}  {:>4}  {:20}  {}",
                    d.name,
                    h.draft().node_count(),
                    h.draft().edge_count(),
                    h.revision(),
                    h.undo_len(),
                    h.redo_len(),
                    utc_seconds(s.modified).unwrap_or_default(),
                    h.draft().title()
                );
            }
            Err(e) => say!("{:width$}  cannot be opened: {e}", d.name),
        }
    }
    Ok(Exit::Success)
}
