//! `gen draft open`: load a saved blueprint (with its positions) or the workspace topology into a
//! draft — a new draft when the name is free, otherwise one undoable "replace" edit.

use super::{DraftNameArg, DraftPlace};
use super::{blueprint_name, count, draft_name, fail, report_change, state_line};
use crate::commands::print_json;
use crate::report::Exit;
use crate::terminal::{quiet, say};
use clap::Args;
use gen_session::DraftOpened;
use gen_session::{Drafts, TOPOLOGY, open_blueprint, open_topology};
use gen_workbench::Layout;
use gen_workspace::Workspace;
use miette::Result;

/// `gen draft open`
#[derive(Debug, Args)]
pub(crate) struct DraftOpenArgs {
    /// Which draft to load into.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// What to load.
    #[command(flatten)]
    pub from: DraftPlace,
}

/// Runs the command.
pub(super) fn run(
    ws: &Workspace,
    drafts: &Drafts,
    args: &DraftOpenArgs,
    json: bool,
) -> Result<Exit> {
    let name = draft_name(&args.draft.name)?;
    let (source, draft, layout, base) = match &args.from.blueprint {
        Some(blueprint) => {
            let blueprint = blueprint_name(blueprint)?;
            let file = open_blueprint(&ws.dir, &blueprint).map_err(fail)?;
            (
                format!("blueprint `{blueprint}`"),
                file.draft,
                file.layout,
                None,
            )
        }
        None => {
            let (draft, base) = open_topology(&ws.dir).map_err(fail)?;
            (
                format!("the topology ({})", TOPOLOGY),
                draft,
                Layout::default(),
                Some(base),
            )
        }
    };
    let opened = drafts.open(&name, draft, &layout).map_err(fail)?;
    match base {
        // A later `save --topology` refuses to overwrite changes made to the file after this point.
        Some(base) => drafts.set_topology_base(&name, &base).map_err(fail)?,
        // The draft now holds a blueprint: saving it over the topology needs --force.
        None => drafts.clear_topology_base(&name).map_err(fail)?,
    }
    report_change(&opened.changed);
    let history = &opened.changed.session.history;
    let message = opened.report.as_ref().map(|r| r.message());
    if json {
        print_json(&DraftOpened::new(&opened))?;
    } else if !quiet() {
        let shape = format!(
            "{}, {}",
            count(history.draft().node_count(), "step", "steps"),
            count(history.draft().edge_count(), "connection", "connections")
        );
        match message {
            None => say!(
                "Opened {source} as new draft `{name}`: {} ({shape})",
                history.draft().title()
            ),
            Some(message) => {
                say!("{message}");
                say!(
                    "Opened {source} into draft `{name}` ({shape}; {})",
                    state_line(history)
                );
                if opened.report.as_ref().is_some_and(|r| r.changed()) {
                    say!("Undo with `gen draft undo --name {name}`.");
                }
            }
        }
    }
    Ok(Exit::Success)
}
