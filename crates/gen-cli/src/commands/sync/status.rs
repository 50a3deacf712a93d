//! `gen sync status`: what a push and a pull would move now, and when each resource last synced.

use super::SyncArgs;
use crate::report::Exit;
use crate::terminal::outln;
use gen_sync::{Conflict, Moved};
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
}

/// One resource: what each direction would move, its conflicts, and when it last synced.
#[derive(Debug, Serialize)]
struct ResourceStatus {
    push: Moved,
    pull: Moved,
    /// Both directions' conflicts, each with the event and both lines.
    conflicts: Vec<Conflict>,
    /// `last_sync` entries of this resource (`events_pushed`, `events_pulled`), RFC 3339.
    last_sync: BTreeMap<String, String>,
    /// Which of those are older than `staleness_threshold`.
    stale: Vec<String>,
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, _args: &SyncArgs, json: bool) -> Result<Exit> {
    let settings = super::config(ws)?;
    let config = &settings.config;
    let remote = super::remote(ws, &settings)?;
    let fail = |e: gen_sync::SyncError| super::failed(e, "check the remote, then try again");
    let mut bars = crate::progress::Bars::new();
    let push = gen_sync::push(ws, remote.as_ref(), &settings.project_id, true, &mut |p| {
        bars.update(p)
    })
    .map_err(fail)?;
    let pull = gen_sync::pull(ws, remote.as_ref(), true, &mut |p| bars.update(p)).map_err(fail)?;
    bars.finish();
    let now = jiff::Timestamp::now();
    let stale: Vec<String> = ["events_pushed", "events_pulled"]
        .into_iter()
        .filter(|k| config.is_stale(k, now))
        .map(str::to_string)
        .collect();
    let conflicts = push
        .events
        .conflicts
        .iter()
        .chain(&pull.events.conflicts)
        .cloned()
        .collect();
    let status = SyncStatus {
        project_id: settings.project_id.clone(),
        backend: config.backend.as_str(),
        events: ResourceStatus {
            push: push.events,
            pull: pull.events,
            conflicts,
            last_sync: config
                .last_sync
                .iter()
                .filter(|(k, _)| k.starts_with("events_"))
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            stale,
        },
    };
    if json {
        super::super::print_json(&status)?;
        return Ok(Exit::Success);
    }
    outln!(
        "project {} on the {} remote",
        status.project_id,
        status.backend
    );
    outln!(
        "{}",
        super::summary("push events", &status.events.push, "to send")
    );
    outln!(
        "{}",
        super::summary("pull events", &status.events.pull, "to fetch")
    );
    for key in ["events_pushed", "events_pulled"] {
        outln!(
            "last {}: {}{}",
            key.replace('_', " "),
            status
                .events
                .last_sync
                .get(key)
                .map_or("never", String::as_str),
            if status.events.stale.iter().any(|s| s == key) {
                " (stale)"
            } else {
                ""
            }
        );
    }
    Ok(Exit::Success)
}
