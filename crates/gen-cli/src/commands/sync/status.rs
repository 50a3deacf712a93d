//! `gen sync status`: what a push and a pull would move now, and when each resource last synced.

use super::SyncArgs;
use crate::report::Exit;
use crate::terminal::outln;
use gen_sync::SyncReport;
use gen_workspace::Workspace;
use miette::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// What `gen sync status --json` prints.
#[derive(Debug, Serialize)]
struct SyncStatus {
    project_id: String,
    backend: &'static str,
    push: SyncReport,
    pull: SyncReport,
    last_sync: BTreeMap<String, String>,
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
    let status = SyncStatus {
        project_id: settings.project_id.clone(),
        backend: config.backend.as_str(),
        push,
        pull,
        last_sync: config
            .last_sync
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
        stale,
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
        super::summary("push events", &status.push.events, "to send")
    );
    outln!(
        "{}",
        super::summary("pull events", &status.pull.events, "to fetch")
    );
    for key in ["events_pushed", "events_pulled"] {
        outln!(
            "last {}: {}{}",
            key.replace('_', " "),
            status.last_sync.get(key).map_or("never", String::as_str),
            if status.stale.iter().any(|s| s == key) {
                " (stale)"
            } else {
                ""
            }
        );
    }
    Ok(Exit::Success)
}
