//! `gen draft redo`: re-apply the last undone edit, journaled before it is reported.

use super::{Direction, draft_name, walk};
use crate::cli::DraftNameArg;
use gen_workspace::drafts::Drafts;
use miette::Result;
use std::process::ExitCode;

/// Runs the command.
pub fn run(drafts: &Drafts, args: &DraftNameArg, json: bool) -> Result<ExitCode> {
    let name = draft_name(&args.name)?;
    walk(drafts, &name, Direction::Redo, json)
}
