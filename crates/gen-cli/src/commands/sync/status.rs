//! `gen sync status`: what a push and a pull would move now, per resource, and when each last synced.

use super::{Resource, SyncArgs};
use crate::report::Exit;
use crate::terminal::{outln, safe};
use gen_sync::configs::Resolve;
use gen_sync::{Problem, Summary};
use gen_workspace::Workspace;
use miette::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// What `gen sync status --json` prints: one object with a key per resource, like push and pull.
#[derive(Debug, Serialize)]
struct SyncStatus {
    project_id: String,
    backend: &'static str,
    events: ResourceStatus,
    configs: ResourceStatus,
    features: ResourceStatus,
    artifacts: ResourceStatus,
}

/// One resource: what each direction would move, what is left alone, and when it last synced.
#[derive(Debug, Serialize, Default)]
struct ResourceStatus {
    /// What a push would do (`null` for artifacts, which only come down, or when not checked).
    push: Option<Summary>,
    /// What a pull would do (`null` when not checked).
    pull: Option<Summary>,
    /// Both directions' conflicts.
    conflicts: Vec<Problem>,
    /// `last_sync` entries of this resource (`<resource>_pushed`, `<resource>_pulled`), RFC 3339.
    last_sync: BTreeMap<String, String>,
    /// Which of those are older than `staleness_threshold` (or missing).
    stale: Vec<String>,
}

fn fail(e: gen_sync::SyncError) -> miette::Report {
    super::failed(e, "check the remote, then try again").into()
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &SyncArgs, json: bool) -> Result<Exit> {
    let settings = super::config(ws)?;
    let config = &settings.config;
    let remotes = super::Remotes::new(ws, &settings);
    let how = Resolve::default();
    let mut bars = crate::progress::Bars::new();
    let mut statuses: BTreeMap<&str, ResourceStatus> = BTreeMap::new();
    let mut touched = Default::default();
    for resource in Resource::ALL {
        let mut status = ResourceStatus::default();
        if args.moves(resource) {
            let mut progress = |p| bars.update(p);
            let (push, pull) = match resource {
                Resource::Events => {
                    let push = gen_sync::push(
                        ws,
                        remotes.events()?,
                        &settings.project_id,
                        true,
                        &mut progress,
                    )
                    .map_err(fail)?;
                    touched = push.features_touched.clone();
                    let pull =
                        gen_sync::pull(ws, remotes.events()?, true, &mut progress).map_err(fail)?;
                    (
                        Some(super::events_summary(ws, &push.events)),
                        Some(super::events_summary(ws, &pull.events)),
                    )
                }
                Resource::Configs => (
                    Some(
                        gen_sync::configs::push(
                            ws,
                            remotes.configs()?,
                            how,
                            true,
                            &mut progress,
                            &mut |_| Ok(()),
                        )
                        .map_err(fail)?,
                    ),
                    Some(
                        gen_sync::configs::pull(ws, remotes.configs()?, how, true, &mut progress)
                            .map_err(fail)?,
                    ),
                ),
                Resource::Features => (
                    Some(
                        gen_sync::features::push(
                            ws,
                            remotes.features()?,
                            remotes.events()?,
                            &touched,
                            true,
                            &mut progress,
                        )
                        .map_err(fail)?,
                    ),
                    Some(
                        gen_sync::features::pull(ws, remotes.features()?, false, true)
                            .map_err(fail)?,
                    ),
                ),
                Resource::Artifacts => (
                    None,
                    Some(
                        gen_sync::artifacts::pull(
                            ws,
                            remotes.artifacts()?,
                            false,
                            true,
                            &mut progress,
                        )
                        .map_err(fail)?,
                    ),
                ),
            };
            // A path in conflict both ways is listed once (the push's words name both remedies).
            let mut seen = std::collections::BTreeSet::new();
            status.conflicts = push
                .iter()
                .chain(&pull)
                .flat_map(|s| s.conflicts.iter().cloned())
                .filter(|c| seen.insert(c.path.clone()))
                .collect();
            status.push = push;
            status.pull = pull;
        }
        let prefix = format!("{}_", resource.name());
        status.last_sync = config
            .last_sync
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect();
        let now = jiff::Timestamp::now();
        status.stale = gen_core::config::LAST_SYNC_KEYS
            .iter()
            .filter(|k| k.starts_with(&prefix) && config.is_stale(k, now))
            .map(|k| k.to_string())
            .collect();
        statuses.insert(resource.name(), status);
    }
    bars.finish();
    let mut take = |name: &str| statuses.remove(name).unwrap_or_default();
    let status = SyncStatus {
        project_id: settings.project_id.clone(),
        backend: config.backend.as_str(),
        events: take("events"),
        configs: take("configs"),
        features: take("features"),
        artifacts: take("artifacts"),
    };
    if json {
        super::super::print_json(&status)?;
        return Ok(Exit::Success);
    }
    outln!(
        "project {} on the {} remote",
        safe(&status.project_id),
        status.backend
    );
    for (resource, s) in [
        (Resource::Events, &status.events),
        (Resource::Configs, &status.configs),
        (Resource::Features, &status.features),
        (Resource::Artifacts, &status.artifacts),
    ] {
        if !args.moves(resource) {
            continue;
        }
        let name = resource.name();
        if let Some(push) = &s.push {
            outln!("{}", super::summary(&format!("push {name}"), push, true));
        }
        if let Some(pull) = &s.pull {
            outln!("{}", super::summary(&format!("pull {name}"), pull, true));
        }
        for c in &s.conflicts {
            outln!("  {}: {}", safe(&c.path), safe(&c.reason));
        }
        for key in gen_core::config::LAST_SYNC_KEYS
            .iter()
            .filter(|k| k.starts_with(&format!("{name}_")))
        {
            outln!(
                "  last {}: {}{}",
                key.replace('_', " "),
                s.last_sync.get(*key).map_or("never", String::as_str),
                if s.stale.iter().any(|x| x == key) {
                    " (stale)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(Exit::Success)
}
