//! `gen sync push` and `gen sync pull`: one engine call each, then `last_sync` moves — only after a
//! fully successful run, rewritten atomically with the file's comments kept.

use super::SyncArgs;
use crate::report::{Exit, UserError};
use gen_core::config::set_last_sync;
use gen_workspace::Workspace;
use miette::{IntoDiagnostic, Result};

/// Which way the events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Local events up.
    Push,
    /// Remote events down.
    Pull,
}

/// Runs the command.
pub(crate) fn run(
    ws: &Workspace,
    args: &SyncArgs,
    json: bool,
    direction: Direction,
) -> Result<Exit> {
    let settings = super::config(ws)?;
    let remote = super::remote(ws, &settings)?;
    let mut bars = crate::progress::Bars::new();
    let mut progress = |p| bars.update(p);
    let result = match direction {
        Direction::Push => gen_sync::push(
            ws,
            remote.as_ref(),
            &settings.project_id,
            args.dry_run,
            &mut progress,
        ),
        Direction::Pull => gen_sync::pull(ws, remote.as_ref(), args.dry_run, &mut progress),
    };
    bars.finish();
    let report = result.map_err(|e| {
        super::failed(
            e,
            "nothing done so far is lost; run the same command again to finish",
        )
    })?;
    let verb = match (direction, args.dry_run) {
        (Direction::Push, false) => "pushed",
        (Direction::Push, true) => "to push",
        (Direction::Pull, false) => "pulled",
        (Direction::Pull, true) => "to pull",
    };
    super::print(&report, json, verb)?;
    let complete = report.events.conflicts.is_empty();
    if complete && !args.dry_run {
        let entry = match direction {
            Direction::Push => "events_pushed",
            Direction::Pull => "events_pulled",
        };
        let updated =
            set_last_sync(&settings.text, entry, jiff::Timestamp::now()).map_err(|e| {
                UserError::new(
                    format!("the sync finished, but last_sync.{entry} could not be recorded: {e}"),
                    "fix bedrock/sync_config.yml (`gen validate`); the next sync records it",
                )
            })?;
        gen_workspace::write_atomic(&ws.sync_config_path(), updated.as_bytes())
            .into_diagnostic()?;
    }
    Ok(Exit::done_if(complete))
}
