//! `gen sync push` and `gen sync pull`: each resource in its seed direction, in turn (events first,
//! so the feature items a push updates see them), then `last_sync` moves for every resource that
//! finished with nothing left alone — rewritten atomically with the file's comments kept.

use super::{Remotes, Report, Resource, SyncArgs};
use crate::report::{Exit, UserError};
use crate::terminal::{errln, safe};
use gen_core::config::set_last_sync;
use gen_sync::SyncError;
use gen_sync::configs::Resolve;
use gen_workspace::Workspace;
use miette::{IntoDiagnostic, Result};
use std::collections::BTreeSet;

/// Which way things go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Local work up.
    Push,
    /// Remote work down.
    Pull,
}

impl Direction {
    /// The resources that move this way, in order.
    fn resources(self) -> &'static [Resource] {
        match self {
            Direction::Push => &[Resource::Events, Resource::Configs, Resource::Features],
            Direction::Pull => &Resource::ALL,
        }
    }

    fn entry(self, resource: Resource) -> String {
        let verb = match self {
            Direction::Push => "pushed",
            Direction::Pull => "pulled",
        };
        format!("{}_{verb}", resource.name())
    }
}

fn failed(e: SyncError) -> miette::Report {
    super::failed(
        e,
        "nothing done so far is lost; run the same command again to finish",
    )
    .into()
}

/// Runs the command.
pub(crate) fn run(
    ws: &Workspace,
    args: &SyncArgs,
    json: bool,
    direction: Direction,
) -> Result<Exit> {
    let settings = super::config(ws)?;
    let moving: Vec<Resource> = direction
        .resources()
        .iter()
        .copied()
        .filter(|r| args.moves(*r))
        .collect();
    if moving.is_empty() {
        return Err(UserError::new(
            "artifacts only come down (the seed's direction: the cloud writes them)",
            "run `gen sync pull --only artifacts`",
        )
        .into());
    }
    let remotes = Remotes::new(ws, &settings);
    let how = Resolve {
        force: args.force,
        theirs: args.theirs,
        delete: args.delete,
    };
    let mut report = Report::default();
    let mut bars = crate::progress::Bars::new();
    let mut touched = BTreeSet::new();
    let mut finished = Vec::new();
    for &resource in &moving {
        let mut progress = |p| bars.update(p);
        let summary = match (direction, resource) {
            (Direction::Push, Resource::Events) => {
                let r = gen_sync::push(
                    ws,
                    remotes.events()?,
                    &settings.project_id,
                    args.dry_run,
                    &mut progress,
                )
                .map_err(failed)?;
                touched = r.features_touched;
                super::events_summary(ws, &r.events)
            }
            (Direction::Pull, Resource::Events) => {
                let r = gen_sync::pull(ws, remotes.events()?, args.dry_run, &mut progress)
                    .map_err(failed)?;
                super::events_summary(ws, &r.events)
            }
            (_, other) => {
                let run = match (direction, other) {
                    (Direction::Push, Resource::Configs) => {
                        push_configs(ws, &remotes, how, args, &mut progress)
                    }
                    (Direction::Push, _) => gen_sync::features::push(
                        ws,
                        remotes.features()?,
                        remotes.events()?,
                        &touched,
                        args.dry_run,
                        &mut progress,
                    )
                    .map_err(failed),
                    (Direction::Pull, Resource::Configs) => gen_sync::configs::pull(
                        ws,
                        remotes.configs()?,
                        how,
                        args.dry_run,
                        &mut progress,
                    )
                    .map_err(failed),
                    (Direction::Pull, Resource::Features) => {
                        gen_sync::features::pull(ws, remotes.features()?, args.theirs, args.dry_run)
                            .map_err(failed)
                    }
                    (Direction::Pull, _) => gen_sync::artifacts::pull(
                        ws,
                        remotes.artifacts()?,
                        args.theirs,
                        args.dry_run,
                        &mut progress,
                    )
                    .map_err(failed),
                };
                match run {
                    Ok(summary) => summary,
                    Err(e) => {
                        bars.finish();
                        // What finished before still counts: say so, then fail.
                        if !json && !finished.is_empty() {
                            super::print(&report, false, &finished, args.dry_run)?;
                        }
                        return Err(e);
                    }
                }
            }
        };
        *report.get_mut(resource) = summary;
        finished.push(resource);
    }
    bars.finish();
    super::print(&report, json, &moving, args.dry_run)?;
    let complete = moving.iter().all(|r| report.get(*r).complete());
    if !args.dry_run {
        let mut text = settings.text.clone();
        let now = jiff::Timestamp::now();
        for &r in &moving {
            if !report.get(r).complete() {
                continue;
            }
            let entry = direction.entry(r);
            text = set_last_sync(&text, &entry, now).map_err(|e| {
                UserError::new(
                    format!("the sync finished, but last_sync.{entry} could not be recorded: {e}"),
                    "fix bedrock/sync_config.yml (`gen validate`); the next sync records it",
                )
            })?;
        }
        if text != settings.text {
            gen_workspace::write_atomic(&ws.sync_config_path(), text.as_bytes())
                .into_diagnostic()?;
        }
    }
    Ok(Exit::done_if(complete))
}

/// Configs up: only what `gen validate` accepts, unless `--force` (which says so).
fn push_configs(
    ws: &Workspace,
    remotes: &Remotes,
    how: Resolve,
    args: &SyncArgs,
    progress: gen_sync::OnProgress<'_>,
) -> Result<gen_sync::Summary> {
    let mut invalid = 0;
    let mut approve = |_: &gen_sync::Summary| {
        let errors = crate::commands::validate::errors(ws);
        if errors.is_empty() {
            return Ok(());
        }
        if args.force {
            errln!(
                "warning: --force: pushing configs although `gen validate` finds {} error(s)",
                errors.len()
            );
            return Ok(());
        }
        for e in &errors {
            errln!("{}", safe(e));
        }
        invalid = errors.len();
        Err(format!("{invalid} config error(s)"))
    };
    let pushed = gen_sync::configs::push(
        ws,
        remotes.configs()?,
        how,
        args.dry_run,
        progress,
        &mut approve,
    );
    match pushed {
        Ok(summary) => Ok(summary),
        Err(SyncError::Stopped(_)) => Err(UserError::new(
            format!("the configs have {invalid} error(s) (above): nothing was pushed"),
            "fix them (`gen validate` shows them), or push anyway with `gen sync push --force`",
        )
        .into()),
        Err(e) => Err(failed(e)),
    }
}
