//! `gen draft undo`: revert the last edit, journaled before it is reported.

use super::DraftNameArg;
use super::{Direction, draft_name, walk};
use crate::report::Exit;
use gen_session::Drafts;
use miette::Result;

/// Runs the command.
pub(super) fn run(drafts: &Drafts, args: &DraftNameArg, json: bool) -> Result<Exit> {
    let name = draft_name(&args.name)?;
    walk(drafts, &name, Direction::Undo, json)
}
