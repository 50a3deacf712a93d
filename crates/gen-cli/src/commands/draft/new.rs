//! `gen draft new`: start an empty draft; durable before it is reported.

use super::DraftNameArg;
use super::{count, draft_name, fail, report_torn};
use crate::commands::print_json;
use crate::report::Exit;
use crate::report::UserError;
use crate::terminal::{quiet, say};
use clap::Args;
use gen_session::DraftCreated;
use gen_session::Drafts;
use gen_workbench::{Draft, Layout};
use miette::Result;

/// `gen draft new`
#[derive(Debug, Args)]
pub(crate) struct DraftNewArgs {
    /// Which draft to create.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// Workflow title (default: the draft name).
    #[arg(long)]
    pub title: Option<String>,
    /// One-paragraph summary.
    #[arg(long, default_value = "")]
    pub summary: String,
}

/// Runs the command.
pub(super) fn run(drafts: &Drafts, args: &DraftNewArgs, json: bool) -> Result<Exit> {
    let name = draft_name(&args.draft.name)?;
    let title = args.title.as_deref().unwrap_or(name.as_str());
    let draft = Draft::new(title, &args.summary).map_err(|r| {
        UserError::new(
            format!("cannot start the draft: {r}"),
            "give a --title with at least one visible character (at most 200) and a --summary of at most 4000",
        )
    })?;
    let session = drafts
        .create(&name, draft, &Layout::default())
        .map_err(fail)?;
    report_torn(&session);
    if json {
        print_json(&DraftCreated::new(&session))?;
    } else if !quiet() {
        say!(
            "Started draft `{name}`: {} ({}); add steps with `gen draft apply --name {name} FILE`",
            session.history.draft().title(),
            count(0, "step", "steps")
        );
    }
    Ok(Exit::Success)
}
