//! Push and pull of the event stream: the imperative shell around [`crate::plan`].
//!
//! **Push** reads the log past the prefix the remote is known to hold (all of it the first time, or
//! after the file was rewritten), asks the remote which of those events it already has, reports a
//! conflict for every one it holds with other bytes, and numbers the rest. The numbers are recorded
//! in the state (the outbox) *before* the remote sees any of them; then, block by block: the items
//! are created, the block of pointers is written and the origin's head raised. (A teammate pushing
//! the same key with other bytes in the same instant — DynamoDB batch writes cannot be conditional —
//! is caught by the next pull, which reports the conflict.) Killed at any point, the next push finds the outbox and
//! finishes the same blocks first; every write is create-only or idempotent, so nothing is
//! duplicated.
//!
//! **Pull** reads, for every other origin, the blocks past its cursor up to that origin's head, fetches
//! the items they name, and appends the lines the local log does not hold — under the log's lock,
//! fsynced, in one batch; only then do the cursors move. An item is taken only through the pointer of
//! the origin that created it, so an event two origins point at arrives once. Killed before the
//! cursors moved, the next pull finds those lines past the synced prefix and appends nothing twice.
//! The file is never reordered or rewritten.

use crate::objects::sha256_hex;
use crate::plan::{Local, blocks, number, plan_pull, pointers_between};
use crate::remote::{Block, EventItem, Pointer, Progress, Put, Remote, RemoteError};
use crate::state::{Held, Locked, Outgoing, StateError};
use gen_core::event::{Event, fixed_width};
use gen_workspace::{LineItem, LogError, LogMark, LogPoint, Workspace};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Items per call to the remote: the unit of progress (the remote splits it further as it likes).
const SLICE: usize = 1000;
/// The most unpushed ids a pull keeps in the state to move the synced prefix past them.
const MAX_UNPUSHED: usize = 10_000;

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
    /// The caller's check of a plan said no (nothing was written).
    #[error("stopped before anything was written: {0}")]
    Stopped(String),
    /// A local file could not be read or written.
    #[error("cannot {what} {path}: {source}")]
    Local {
        /// What was tried.
        what: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An origin's head says a number exists that no block holds, or a pointer names no item.
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

/// An event that could not move: the same id with other content on the remote (never overwritten,
/// shown with both versions), or one the remote cannot hold. It stays out of the sync until resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The event id.
    pub event_id: String,
    /// Why, in words.
    pub reason: String,
    /// The local line.
    pub local: String,
    /// The remote line, when there is one.
    pub remote: Option<String>,
    /// The workspace that put the remote one.
    pub remote_origin: Option<String>,
}

impl Conflict {
    fn differs(event_id: &str, local: &str, there: &EventItem) -> Conflict {
        Conflict {
            event_id: event_id.to_string(),
            reason: "the same event id holds other content on the remote".into(),
            local: local.to_string(),
            remote: Some(there.line.clone()),
            remote_origin: Some(there.origin.clone()),
        }
    }
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
    /// Features whose events this push sent (or would send): their table items are due.
    #[serde(skip)]
    pub features_touched: BTreeSet<String>,
    /// The lines this pull appended (or would append), for what is derived from them.
    #[serde(skip)]
    pub incoming: Vec<String>,
}

/// Where progress goes; `&mut |_| {}` when nobody watches.
pub type OnProgress<'a> = &'a mut dyn FnMut(Progress);

/// The sort key of an event: `<fixed-width UTC time>#<id>`, untimed ones after every time.
pub fn sort_key(event: &Event) -> String {
    let time = event
        .timestamp
        .map_or_else(|| "~untimed".to_string(), fixed_width);
    format!("{time}#{}", event.id)
}

fn item(project_id: &str, origin: &str, seq: u64, line: &str, event: &Event) -> EventItem {
    let line = line.trim_end_matches(['\r', '\n']);
    EventItem {
        project_id: project_id.to_string(),
        sk: sort_key(event),
        event_id: event.id.clone(),
        line: line.to_string(),
        hash: sha256_hex(line.as_bytes()),
        event_type: event.event_type.clone(),
        feature_id: event.feature.clone(),
        edge: event.edge.clone(),
        agent_id: event.agent.clone(),
        origin: origin.to_string(),
        seq,
    }
}

/// Events with their line numbers and lines, in file order.
type Lines = Vec<(u64, String, Event)>;

/// Events of the local log, in file order, first occurrence of each id, with their line numbers.
struct Read {
    events: Lines,
    /// Where the read stopped (just after the last complete line).
    end: LogPoint,
}

/// Reads the whole log (`from` = `None`) or the part past a point, with exact ids either way.
fn read(ws: &Workspace, from: Option<LogPoint>) -> Result<Read, SyncError> {
    let path = ws.events_path();
    let read_from = |start: LogPoint| -> Result<(Lines, gen_workspace::TailRead), SyncError> {
        let mut events = Vec::new();
        let tail = gen_workspace::each_line_after(
            &path,
            start,
            |_| true,
            |item| {
                if let LineItem::Event(e) = item {
                    events.push((e.line, e.raw, e.event));
                }
            },
        )?;
        Ok((events, tail))
    };
    let start = from.unwrap_or_default();
    let (mut events, mut tail) = read_from(start)?;
    if tail.derived_ids && start != LogPoint::default() {
        // Derived ids count twins from the first line: read it all and keep the part past `from`.
        (events, tail) = read_from(LogPoint::default())?;
        events.retain(|(line, _, _)| *line > start.lines);
    }
    let mut seen = HashSet::new();
    let events = events
        .into_iter()
        .filter(|(_, _, e)| seen.insert(e.id.clone()))
        .collect();
    Ok(Read {
        events,
        end: tail.end,
    })
}

/// Every line of the local log and of `extra` whose event belongs to one of `features`, with the
/// event ids of the local log's (what the features table's derived fields are computed from).
pub(crate) fn feature_lines(
    ws: &Workspace,
    features: &BTreeSet<String>,
    extra: &[String],
) -> Result<Vec<String>, SyncError> {
    let log = read(ws, None)?;
    let ours = |e: &Event| e.feature.as_ref().is_some_and(|f| features.contains(f));
    let mut out: Vec<String> = log
        .events
        .into_iter()
        .filter(|(_, _, e)| ours(e))
        .map(|(_, line, _)| line.trim_end_matches(['\r', '\n']).to_string())
        .collect();
    out.extend(
        extra
            .iter()
            .filter(|line| gen_core::event::parse_line(line).is_ok_and(|e| ours(&e)))
            .cloned(),
    );
    Ok(out)
}

/// Marks the log up to `point` as held by the remote (nothing to mark while there is no log yet).
fn mark(ws: &Workspace, point: LogPoint) -> Result<Option<LogMark>, SyncError> {
    let path = ws.events_path();
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(LogMark::take(&path, point)?))
}

/// Where the remote's knowledge of the log ends, if the state's mark still holds.
fn synced_point(ws: &Workspace, mark: Option<&LogMark>) -> Result<Option<LogPoint>, SyncError> {
    let Some(mark) = mark else { return Ok(None) };
    Ok(mark.holds(&ws.events_path())?.ok().map(|()| mark.point))
}

/// Fetches the items under `sks`, a slice at a time, reporting progress.
fn fetch(
    remote: &dyn Remote,
    sks: &[String],
    stage: &'static str,
    progress: OnProgress<'_>,
) -> Result<HashMap<String, EventItem>, SyncError> {
    let mut found = HashMap::with_capacity(sks.len());
    let total = sks.len() as u64;
    for (i, slice) in sks.chunks(SLICE).enumerate() {
        for item in remote.get_events(slice)? {
            found.insert(item.sk.clone(), item);
        }
        progress(Progress {
            stage,
            done: (i * SLICE + slice.len()) as u64,
            total,
        });
    }
    Ok(found)
}

/// Sends every local event the remote does not hold yet; see the module docs.
pub fn push(
    ws: &Workspace,
    remote: &dyn Remote,
    project_id: &str,
    dry_run: bool,
    progress: OnProgress<'_>,
) -> Result<SyncReport, SyncError> {
    let mut locked = Locked::open(ws)?;
    let origin = locked.state.origin.clone();
    let mut moved = Moved::default();
    let synced = synced_point(ws, locked.state.synced.as_ref())?;
    // The outbox, the conflicts and the unpushed name events anywhere in the log: then it is read
    // whole (once: a successful push empties them).
    let whole = !locked.state.outbox.is_empty()
        || !locked.state.conflicts.is_empty()
        || !locked.state.unpushed.is_empty();
    let log = read(ws, if whole { None } else { synced })?;
    let by_id: HashMap<&str, (&str, &Event)> = log
        .events
        .iter()
        .map(|(_, line, e)| (e.id.as_str(), (line.as_str(), e)))
        .collect();

    // A run cut short left numbered events: finish exactly those blocks first.
    if !dry_run && !locked.state.outbox.is_empty() {
        let outbox = locked.state.outbox.clone();
        let sent = send(
            remote, project_id, &origin, &outbox, &by_id, false, &mut moved, progress,
        )?;
        locked.record_created(&sent.created)?;
        locked.state.held.extend(sent.held);
        locked.state.conflicts.extend(sent.conflicts);
        locked.state.outbox.clear();
        locked.save()?;
    }
    let pending: HashSet<&str> = locked
        .state
        .outbox
        .iter()
        .map(|o| o.event_id.as_str())
        .collect();

    // The candidates: every event past the synced prefix (all of them without one), the conflicts of
    // the last push again, and nothing a dry run found still numbered.
    let past = synced.map_or(0, |p| p.lines);
    let candidates: Vec<(&str, &Event)> = log
        .events
        .iter()
        .filter(|(n, _, e)| {
            *n > past
                || locked.state.conflicts.contains(&e.id)
                || locked.state.unpushed.contains(&e.id)
        })
        .filter(|(_, _, e)| !pending.contains(e.id.as_str()))
        .map(|(_, l, e)| (l.as_str(), e))
        .collect();
    let sks: Vec<String> = candidates.iter().map(|(_, e)| sort_key(e)).collect();
    let there = fetch(remote, &sks, "checking events", progress)?;
    let mut fresh = Vec::new();
    let mut held = Vec::new();
    let mut conflicts = BTreeSet::new();
    for ((line, event), sk) in candidates.iter().zip(&sks) {
        let want = item(project_id, &origin, 0, line, event);
        match Put::judge(&want, there.get(sk).cloned()) {
            Put::Created => match remote.check_size(&want) {
                Ok(()) => fresh.push(Local {
                    event_id: event.id.clone(),
                    time: event.timestamp.map(fixed_width),
                    sk: sk.clone(),
                }),
                Err(e @ RemoteError::TooLarge { .. }) => {
                    conflicts.insert(event.id.clone());
                    moved.conflicts.push(Conflict {
                        event_id: want.event_id,
                        reason: e.to_string(),
                        local: want.line,
                        remote: None,
                        remote_origin: None,
                    });
                }
                Err(e) => return Err(e.into()),
            },
            Put::AlreadyThere(item) => {
                moved.skipped += 1;
                let pulled = locked.state.cursors.get(&item.origin).copied().unwrap_or(0);
                if item.origin != origin && item.seq > pulled {
                    held.push(Held {
                        event_id: item.event_id.clone(),
                        origin: item.origin.clone(),
                        seq: item.seq,
                    });
                }
            }
            Put::Conflict(item) => {
                conflicts.insert(event.id.clone());
                moved
                    .conflicts
                    .push(Conflict::differs(&want.event_id, &want.line, &item));
            }
        }
    }
    let features_touched: BTreeSet<String> = fresh
        .iter()
        .filter_map(|f| by_id.get(f.event_id.as_str())?.1.feature.clone())
        .collect();
    if dry_run {
        moved.added += fresh.len();
        return Ok(SyncReport {
            events: moved,
            features_touched,
            incoming: Vec::new(),
        });
    }
    // The numbers are durable before the remote sees any of them; so are the features due for an
    // update of their table item (done by `features::push` after this).
    locked
        .state
        .features_pending
        .extend(features_touched.iter().cloned());
    let (outbox, next_seq) = number(fresh, locked.state.next_seq);
    locked.state.outbox = outbox.clone();
    locked.state.next_seq = next_seq;
    locked.state.held.extend(held);
    locked.save()?;
    let sent = send(
        remote, project_id, &origin, &outbox, &by_id, true, &mut moved, progress,
    )?;
    locked.record_created(&sent.created)?;
    locked.state.held.extend(sent.held);
    locked.state.outbox.clear();
    locked.state.conflicts = conflicts;
    locked.state.conflicts.extend(sent.conflicts);
    locked.state.unpushed.clear();
    locked.state.synced = mark(ws, log.end)?;
    locked.save()?;
    Ok(SyncReport {
        events: moved,
        features_touched,
        incoming: Vec::new(),
    })
}

/// Writes the blocks of an outbox: items, read back, block, head. `absent` says the caller has just
/// found none of the items on the remote; otherwise (finishing a run cut short) they are looked up.
/// Says which events this origin created and which a racing teammate got in first.
#[allow(clippy::too_many_arguments)]
fn send(
    remote: &dyn Remote,
    project_id: &str,
    origin: &str,
    outbox: &[Outgoing],
    by_id: &HashMap<&str, (&str, &Event)>,
    absent: bool,
    moved: &mut Moved,
    progress: OnProgress<'_>,
) -> Result<Sent, SyncError> {
    let mut sent = Sent::default();
    let total = outbox.len() as u64;
    let mut done = 0u64;
    for range in blocks(outbox) {
        let run = &outbox[range];
        // The item each number should name (None: the event left the log since it was numbered).
        let wants: Vec<Option<EventItem>> = run
            .iter()
            .map(|o| {
                by_id
                    .get(o.event_id.as_str())
                    .map(|(line, e)| item(project_id, origin, o.seq, line, e))
            })
            .collect();
        let sks: Vec<String> = wants.iter().flatten().map(|w| w.sk.clone()).collect();
        let before = if absent {
            HashMap::new()
        } else {
            fetch(remote, &sks, "checking", &mut |_| {})?
        };
        let create: Vec<EventItem> = wants
            .iter()
            .flatten()
            .filter(|w| !before.contains_key(&w.sk))
            .cloned()
            .collect();
        // What each key holds now: what the remote says it did with ours, or what was there before.
        let mut outcome: HashMap<String, Put> = before
            .into_iter()
            .map(|(sk, there)| (sk, Put::AlreadyThere(Box::new(there))))
            .collect();
        for (w, put) in create.iter().zip(remote.create_events(&create)?) {
            outcome.insert(w.sk.clone(), put);
        }
        let mut pointers = Vec::with_capacity(run.len());
        for want in &wants {
            let Some(want) = want else {
                pointers.push(Pointer::Void);
                continue;
            };
            let put = match outcome.remove(&want.sk) {
                // Ours from a run that was cut short.
                Some(Put::AlreadyThere(there))
                    if there.origin == origin && there.seq == want.seq =>
                {
                    Put::Created
                }
                Some(Put::AlreadyThere(there)) => Put::judge(want, Some(*there)),
                Some(put) => put,
                None => Put::Created,
            };
            match put {
                Put::Created => {
                    moved.added += 1;
                    sent.created.push(want.event_id.clone());
                    pointers.push(Pointer::Item(want.sk.clone()));
                }
                Put::Conflict(there) => {
                    pointers.push(Pointer::Void);
                    sent.conflicts.push(want.event_id.clone());
                    moved
                        .conflicts
                        .push(Conflict::differs(&want.event_id, &want.line, &there));
                }
                Put::AlreadyThere(there) => {
                    pointers.push(Pointer::Void);
                    moved.skipped += 1;
                    // Someone else's: a pull must not bring it back as a second line.
                    sent.held.push(Held {
                        event_id: there.event_id,
                        origin: there.origin,
                        seq: there.seq,
                    });
                }
            }
        }
        let block = Block {
            first: run[0].seq,
            pointers,
        };
        remote.put_block(origin, &block)?;
        remote.raise_head(origin, block.last())?;
        done += run.len() as u64;
        progress(Progress {
            stage: "sending events",
            done,
            total,
        });
    }
    Ok(sent)
}

/// What [`send`] found out about the events it wrote.
#[derive(Default)]
struct Sent {
    /// Ids this origin created.
    created: Vec<String>,
    /// Ids another origin created first (same bytes).
    held: Vec<Held>,
    /// Ids another origin created first with other bytes.
    conflicts: Vec<String>,
}

/// Appends every remote event the local log does not hold; see the module docs.
pub fn pull(
    ws: &Workspace,
    remote: &dyn Remote,
    dry_run: bool,
    progress: OnProgress<'_>,
) -> Result<SyncReport, SyncError> {
    let mut locked = Locked::open(ws)?;
    let heads = remote.heads()?;
    let ranges = plan_pull(&heads, &locked.state.cursors, &locked.state.origin);
    let mut moved = Moved::default();
    if ranges.is_empty() {
        return Ok(SyncReport::default());
    }
    // The ids a pull must not append again. Every event in the synced prefix was created by us
    // (`created`, consulted below), pulled (the cursors stop that), held, or is in conflict; past the
    // prefix are events not pushed yet or appended by a pull that was cut short. Without a prefix,
    // every id of the log.
    let synced = synced_point(ws, locked.state.synced.as_ref())?;
    let local = read(ws, synced)?;
    let log_end = local.end;
    let tail: Vec<String> = local.events.into_iter().map(|(_, _, e)| e.id).collect();
    let mut have: HashSet<String> = tail.iter().cloned().collect();
    have.extend(locked.state.unpushed.iter().cloned());
    have.extend(locked.state.held.iter().map(|h| h.event_id.clone()));
    have.extend(locked.state.conflicts.iter().cloned());

    let mut wanted: Vec<(String, u64, String)> = Vec::new();
    for (origin, first, last) in &ranges {
        let blocks = remote.blocks_between(origin, *first, *last)?;
        let pointers =
            pointers_between(&blocks, *first, *last).map_err(|seq| SyncError::MissingPointer {
                origin: origin.clone(),
                seq,
                head: *last,
            })?;
        for (seq, pointer) in pointers {
            if let Pointer::Item(sk) = pointer {
                wanted.push((origin.clone(), seq, sk));
            }
        }
    }
    let sks: Vec<String> = wanted.iter().map(|(_, _, sk)| sk.clone()).collect();
    let items = fetch(remote, &sks, "receiving events", progress)?;
    // Events of ours that a teammate racing on the same key also pointed at.
    let new_ids: Vec<&str> = items
        .values()
        .map(|i| i.event_id.as_str())
        .filter(|id| !have.contains(*id))
        .collect();
    let ours = locked.created_among(&new_ids)?;
    if !ours.is_empty() {
        // A teammate pushing the same key at the same moment replaced what we created (batch writes
        // cannot be conditional). Same bytes: nothing lost. Other bytes: a conflict, shown like a
        // push's and offered again by the next push until resolved.
        let log = read(ws, None)?;
        let local: HashMap<&str, &str> = log
            .events
            .iter()
            .filter(|(_, _, e)| ours.contains(&e.id))
            .map(|(_, l, e)| (e.id.as_str(), l.trim_end_matches(['\r', '\n'])))
            .collect();
        let mut reported = HashSet::new();
        let mut raced = Vec::new();
        for item in items.values() {
            if let Some(line) = local.get(item.event_id.as_str())
                && sha256_hex(line.as_bytes()) != item.hash
                && reported.insert(item.event_id.clone())
            {
                moved
                    .conflicts
                    .push(Conflict::differs(&item.event_id, line, item));
                raced.push(item.event_id.clone());
            }
        }
        locked.state.conflicts.extend(raced);
    }
    have.extend(ours);
    let mut lines = Vec::new();
    for (origin, seq, sk) in &wanted {
        let Some(item) = items.get(sk) else {
            return Err(SyncError::MissingPointer {
                origin: origin.clone(),
                seq: *seq,
                head: heads.get(origin).copied().unwrap_or(*seq),
            });
        };
        // Only the creator's pointer brings an item in: two origins pointing at one event (two
        // pushers racing on one key) still deliver it once.
        let creator = item.origin == *origin && item.seq == *seq;
        if item.line.contains(['\n', '\r']) {
            return Err(RemoteError::Damaged {
                what: format!("event item {sk}"),
                why: "its line holds a line break".into(),
            }
            .into());
        }
        if creator && have.insert(item.event_id.clone()) {
            moved.added += 1;
            lines.push(item.line.clone());
        } else {
            moved.skipped += 1;
        }
    }
    if dry_run {
        return Ok(SyncReport {
            events: moved,
            features_touched: BTreeSet::new(),
            incoming: lines,
        });
    }
    let appended = append(ws, &lines, log_end)?;
    for (origin, _, last) in ranges {
        locked.state.cursors.insert(origin, last);
    }
    let cursors = locked.state.cursors.clone();
    locked
        .state
        .held
        .retain(|h| h.seq > cursors.get(&h.origin).copied().unwrap_or(0));
    // Move the prefix past what was just appended, so the next pull reads only what comes after;
    // the lines of our own it passes over are remembered as unpushed (a handful, normally — a log
    // full of never-pushed lines keeps its prefix where it is instead of a huge list).
    if let Some(end) = appended
        && locked.state.unpushed.len() + tail.len() <= MAX_UNPUSHED
    {
        locked.state.unpushed.extend(tail);
        locked.state.synced = mark(ws, end)?;
    }
    locked.save()?;
    Ok(SyncReport {
        events: moved,
        features_touched: BTreeSet::new(),
        incoming: lines,
    })
}

/// Appends pulled lines durably under the log's lock; returns where the log then ends if it ended
/// at `expected` just before (nobody else appended, no torn tail was repaired).
fn append(
    ws: &Workspace,
    lines: &[String],
    expected: LogPoint,
) -> Result<Option<LogPoint>, SyncError> {
    let path = ws.events_path();
    if lines.is_empty() {
        return Ok(Some(expected));
    }
    let created = !path.exists();
    let mut log = gen_workspace::LockedLog::open(&path)?;
    let repaired = log.repair_tail()?.is_some();
    let before = log.len()?;
    log.append(lines)?;
    let after = log.len()?;
    drop(log);
    if created && let Some(dir) = path.parent() {
        gen_workspace::sync_dir(dir)?;
    }
    Ok((!repaired && before == expected.bytes).then_some(LogPoint {
        bytes: after,
        lines: expected.lines + lines.len() as u64,
    }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_keys_are_time_then_id_with_untimed_last() {
        let ev = |line: &str| gen_core::event::parse_line(line).unwrap();
        let timed =
            ev(r#"{"event_type":"x","timestamp":"2026-03-01T10:00:00+01:00","event_id":"e1"}"#);
        assert!(sort_key(&timed).ends_with("#e1"));
        assert!(sort_key(&timed).starts_with("2026-03-01T09:00:00"));
        let untimed = ev(r#"{"event_type":"x","event_id":"e2"}"#);
        assert_eq!(sort_key(&untimed), "~untimed#e2");
        assert!(sort_key(&timed) < sort_key(&untimed));
    }
}
