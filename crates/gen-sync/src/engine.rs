//! Push and pull of the event stream: the imperative shell around [`crate::plan`].
//!
//! **Push** numbers every local event the remote is not known to hold (events `gen` wrote and lines
//! other tools appended alike), records the numbers in the state *before* touching the remote, then
//! for each: creates the event item (the line verbatim), writes its pointer, and finally raises the
//! origin's head. Killed at any point, the next push finds the same numbers in the outbox and
//! finishes them; every write is create-only, so nothing is duplicated. An event someone else already
//! put is skipped and one in conflict (same key, other bytes) is reported with both lines; either way
//! its number gets a void pointer so the sequence stays contiguous for readers.
//!
//! **Pull** reads, for every other origin, the pointers past its cursor up to that origin's head and
//! appends the lines the local log does not hold, under the log's lock, fsynced, in one batch; only
//! then do the cursors move. Killed before the cursors moved, the next pull finds those ids in the log
//! and appends nothing twice. The file is never reordered or rewritten.

use crate::plan::{Local, plan_pull, plan_push};
use crate::remote::{EventItem, Pointer, Put, Remote, RemoteError};
use crate::state::{Locked, StateError};
use gen_core::event::fixed_width;
use gen_workspace::{LineItem, LogError, Workspace};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Why a sync did not finish (what it did before is kept and the next run goes on from there).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The remote failed.
    #[error(transparent)]
    Remote(#[from] RemoteError),
    /// The sync state could not be kept.
    #[error(transparent)]
    State(#[from] StateError),
    /// The local log could not be read or appended to.
    #[error(transparent)]
    Log(#[from] LogError),
    /// An origin's head says a pointer exists that does not.
    #[error(
        "origin {origin} has no event number {seq} although its head is {head}: the remote is damaged"
    )]
    MissingPointer {
        /// The origin.
        origin: String,
        /// The missing number.
        seq: u64,
        /// Its head.
        head: u64,
    },
}

/// The same event id with other content on the remote: never overwritten, shown with both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The event id.
    pub event_id: String,
    /// The local line.
    pub local: String,
    /// The remote line.
    pub remote: String,
    /// The workspace that put the remote one.
    pub remote_origin: String,
}

/// What one resource's sync did (or, with `dry_run`, would do).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Moved {
    /// Events sent up (push) or appended locally (pull).
    pub added: usize,
    /// Events already where they were going.
    pub skipped: usize,
    /// Same id, other content: left alone on both sides.
    pub conflicts: Vec<Conflict>,
}

/// The event stream's push or pull summary, keyed by resource like every sync command's `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SyncReport {
    /// The events resource.
    pub events: Moved,
}

/// The local log's events: line, id, time and the fields the remote indexes.
struct LocalLog {
    events: Vec<(String, gen_core::event::Event)>,
}

fn read_log(ws: &Workspace) -> Result<LocalLog, SyncError> {
    let mut events = Vec::new();
    gen_workspace::each_line(
        &ws.events_path(),
        |_| true,
        |item| {
            if let LineItem::Event(e) = item {
                events.push((e.raw, e.event));
            }
        },
    )?;
    Ok(LocalLog { events })
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The sort key of an event: `<fixed-width UTC time>#<id>`, untimed ones after every time.
pub fn sort_key(event: &gen_core::event::Event) -> String {
    let time = event
        .timestamp
        .map_or_else(|| "~untimed".to_string(), fixed_width);
    format!("{time}#{}", event.id)
}

fn item(
    project_id: &str,
    origin: &str,
    seq: u64,
    line: &str,
    event: &gen_core::event::Event,
) -> EventItem {
    EventItem {
        project_id: project_id.to_string(),
        sk: sort_key(event),
        event_id: event.id.clone(),
        line: line.trim_end_matches(['\r', '\n']).to_string(),
        hash: sha256_hex(line.trim_end_matches(['\r', '\n'])),
        event_type: event.event_type.clone(),
        feature_id: event.feature.clone(),
        edge: event.edge.clone(),
        agent_id: event.agent.clone(),
        origin: origin.to_string(),
        seq,
    }
}

/// Sends every local event the remote does not hold yet; see the module docs.
pub fn push(
    ws: &Workspace,
    remote: &dyn Remote,
    project_id: &str,
    dry_run: bool,
) -> Result<SyncReport, SyncError> {
    let mut locked = Locked::open(ws)?;
    let log = read_log(ws)?;
    let by_id: BTreeMap<&str, (&str, &gen_core::event::Event)> = log
        .events
        .iter()
        .map(|(line, e)| (e.id.as_str(), (line.as_str(), e)))
        .collect();
    let local: Vec<Local> = log
        .events
        .iter()
        .map(|(_, e)| Local {
            event_id: e.id.clone(),
            time: e.timestamp.map(fixed_width),
        })
        .collect();
    let plan = plan_push(&local, &locked.state);
    let mut moved = Moved::default();
    if dry_run {
        for out in &plan.send {
            let Some((line, event)) = by_id.get(out.event_id.as_str()) else {
                continue;
            };
            let want = item(project_id, &locked.state.origin, out.seq, line, event);
            match remote.get_event(&want.sk)? {
                None => moved.added += 1,
                Some(there) if there.hash == want.hash => moved.skipped += 1,
                Some(there) => moved.conflicts.push(Conflict {
                    event_id: want.event_id,
                    local: want.line,
                    remote: there.line,
                    remote_origin: there.origin,
                }),
            }
        }
        return Ok(SyncReport { events: moved });
    }
    if plan.send.is_empty() {
        return Ok(SyncReport { events: moved });
    }
    // The numbers are durable before the remote sees any of them.
    let origin = locked.state.origin.clone();
    locked.state.outbox = plan.send.clone();
    locked.state.next_seq = plan.next_seq;
    locked.save()?;
    for out in &plan.send {
        let pointer = match by_id.get(out.event_id.as_str()) {
            // The event left the local log since it was numbered (a hand edit): a hole.
            None => Pointer::Void,
            Some((line, event)) => {
                let want = item(project_id, &origin, out.seq, line, event);
                match remote.put_event(&want)? {
                    Put::Created => {
                        moved.added += 1;
                        Pointer::Item(want.sk)
                    }
                    // Our own item from a run that was cut short: finish it.
                    Put::AlreadyThere(there) if there.origin == origin && there.seq == out.seq => {
                        moved.added += 1;
                        Pointer::Item(want.sk)
                    }
                    Put::AlreadyThere(_) => {
                        moved.skipped += 1;
                        Pointer::Void
                    }
                    Put::Conflict(there) => {
                        moved.conflicts.push(Conflict {
                            event_id: want.event_id,
                            local: want.line,
                            remote: there.line,
                            remote_origin: there.origin,
                        });
                        Pointer::Void
                    }
                }
            }
        };
        remote.put_pointer(&origin, out.seq, &pointer)?;
    }
    let last = plan.send.last().map_or(0, |o| o.seq);
    remote.raise_head(&origin, last)?;
    let conflicted: BTreeSet<&str> = moved
        .conflicts
        .iter()
        .map(|c| c.event_id.as_str())
        .collect();
    for out in &plan.send {
        // A conflicted event stays unknown, so the next push reports it again until it is resolved.
        if !conflicted.contains(out.event_id.as_str()) {
            locked.state.known.insert(out.event_id.clone());
        }
    }
    locked.state.outbox.clear();
    locked.save()?;
    Ok(SyncReport { events: moved })
}

/// Appends every remote event the local log does not hold; see the module docs.
pub fn pull(ws: &Workspace, remote: &dyn Remote, dry_run: bool) -> Result<SyncReport, SyncError> {
    let mut locked = Locked::open(ws)?;
    let heads = remote.heads()?;
    let ranges = plan_pull(&heads, &locked.state.cursors, &locked.state.origin);
    let mut moved = Moved::default();
    if ranges.is_empty() {
        return Ok(SyncReport { events: moved });
    }
    let log = read_log(ws)?;
    let mut have: BTreeSet<String> = log.events.iter().map(|(_, e)| e.id.clone()).collect();
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    for (origin, first, last) in &ranges {
        for seq in *first..=*last {
            let pointer =
                remote
                    .get_pointer(origin, seq)?
                    .ok_or_else(|| SyncError::MissingPointer {
                        origin: origin.clone(),
                        seq,
                        head: *last,
                    })?;
            let Pointer::Item(sk) = pointer else { continue };
            let Some(item) = remote.get_event(&sk)? else {
                return Err(SyncError::MissingPointer {
                    origin: origin.clone(),
                    seq,
                    head: *last,
                });
            };
            if have.insert(item.event_id.clone()) {
                moved.added += 1;
                ids.push(item.event_id);
                lines.push(item.line);
            } else {
                moved.skipped += 1;
            }
        }
    }
    if dry_run {
        return Ok(SyncReport { events: moved });
    }
    if !lines.is_empty() {
        gen_workspace::append_lines(&ws.events_path(), &lines)?;
    }
    for (origin, _, last) in ranges {
        locked.state.cursors.insert(origin, last);
    }
    locked.state.known.extend(ids);
    locked.save()?;
    Ok(SyncReport { events: moved })
}

/// Writes the remote's whole event stream, in time order and verbatim, as the log of a workspace at
/// `dir` (made for the purpose): `gen status --remote` and `gen event log --remote` then read it with
/// the same code as any local log, so a CI pipeline with no checkout sees exactly what a pull would.
pub fn materialise(remote: &dyn Remote, dir: &std::path::Path) -> Result<Workspace, SyncError> {
    let ws = Workspace::planned(dir);
    let lines: Vec<String> = remote.all_events()?.into_iter().map(|i| i.line).collect();
    if !lines.is_empty() {
        gen_workspace::append_lines(&ws.events_path(), &lines)?;
    } else {
        gen_workspace::create_dir_all_durable(&ws.dir)
            .map_err(|e| SyncError::Remote(RemoteError::Unavailable(e.to_string())))?;
    }
    Ok(ws)
}
