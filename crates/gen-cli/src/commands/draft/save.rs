//! `gen draft save`: a draft as a blueprint (`.ai-workspace/blueprints/NAME.json`, with its
//! positions), or as the workspace topology — written only when the whole config set still
//! validates, after backing up the previous file.

use super::{DraftNameArg, DraftPlace};
use super::{blueprint_name, count, draft_name, fail, report_torn};
use crate::commands::print_json;
use crate::report::Exit;
use crate::terminal::{errln, esay, quiet, say};
use clap::Args;
use gen_session::{DraftError, Drafts, save_blueprint, save_topology};
use gen_session::{DraftSaved, TopologyNotSaved};
use gen_session::{Guard, TopologyProblem};
use gen_workspace::Workspace;
use miette::Result;

/// `gen draft save`
#[derive(Debug, Args)]
pub(crate) struct DraftSaveArgs {
    /// Which draft to save.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// Where to save it.
    #[command(flatten)]
    pub to: DraftPlace,
    /// With --topology: overwrite the topology even if it changed since this draft opened it (or the
    /// draft never came from it). The previous file is still backed up.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
pub(super) fn run(
    ws: &Workspace,
    drafts: &Drafts,
    args: &DraftSaveArgs,
    json: bool,
) -> Result<Exit> {
    let name = draft_name(&args.draft.name)?;
    let session = drafts.load(&name).map_err(fail)?;
    report_torn(&session);
    let draft = session.history.draft();
    if let Some(blueprint) = &args.to.blueprint {
        let blueprint = blueprint_name(blueprint)?;
        let path = save_blueprint(&ws.dir, &blueprint, draft, &session.layout).map_err(fail)?;
        if json {
            print_json(&DraftSaved::blueprint(ws, blueprint.as_str(), &path))?;
        } else if !quiet() {
            say!(
                "Saved draft `{name}` as blueprint `{blueprint}` ({}): {}, {}",
                ws.relative(&path),
                count(draft.node_count(), "step", "steps"),
                count(draft.edge_count(), "connection", "connections")
            );
        }
        return Ok(Exit::Success);
    }
    let base = drafts.topology_base(&name);
    let guard = match (&base, args.force) {
        (_, true) => Guard::Overwrite,
        (Some(base), false) => Guard::Unchanged(base),
        (None, false) => Guard::NotOpened,
    };
    let saved = match save_topology(&ws.dir, name.as_str(), draft, jiff::Timestamp::now(), guard) {
        Ok(saved) => saved,
        Err(DraftError::Topology(problem))
            if matches!(
                *problem,
                TopologyProblem::ChangedSinceOpen { .. } | TopologyProblem::NotFromTopology { .. }
            ) =>
        {
            return Ok(refused(&problem));
        }
        Err(DraftError::Topology(problem)) => {
            let TopologyProblem::Invalid { errors } = *problem else {
                return Err(fail(DraftError::Topology(problem)));
            };
            if json {
                print_json(&TopologyNotSaved {
                    saved: (),
                    errors: errors.iter().map(crate::report::finding).collect(),
                })?;
            }
            esay!(
                "The topology was not saved: with this draft the configs would have these errors \
                 (lines refer to the topology as it would have been written):"
            );
            for d in &errors {
                esay!("{}", crate::report::advised(d));
            }
            return Ok(refused(&TopologyProblem::Invalid { errors }));
        }
        Err(e) => return Err(fail(e)),
    };
    drafts
        .set_topology_base(&name, &saved.fingerprint)
        .map_err(fail)?;
    if json {
        print_json(&DraftSaved::topology(ws, &saved))?;
    } else {
        if quiet() {
            // --quiet: the exit code says it was saved; notes and warnings below still print.
        } else if saved.unchanged {
            say!("The topology already says exactly this; nothing was written.");
        } else {
            say!(
                "Saved draft `{name}` as the topology ({}); previous version kept at {}",
                ws.relative(&saved.path),
                saved
                    .backup
                    .as_ref()
                    .map_or_else(|| "(none: new file)".into(), |b| ws.relative(b))
            );
        }
        for note in &saved.notes {
            say!("  note: {note}");
        }
        for warning in &saved.warnings {
            esay!("{warning}");
        }
    }
    Ok(Exit::Success)
}

/// Refused, not failed: nothing was written and the draft is intact, so the exit code is 1.
fn refused(problem: &TopologyProblem) -> Exit {
    // A rendered diagnostic (it may carry colour codes of its own), not raw data.
    errln!("{}", crate::report::refused_topology(problem));
    Exit::Refused
}
