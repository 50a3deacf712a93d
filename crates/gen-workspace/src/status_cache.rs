//! A cache of the folded event log, so `gen status` on a large log reads only what was appended.
//!
//! The cache lives in `.ai-workspace/.gen/` (derived data: never synced, safe to delete) and records how
//! many bytes of `events.jsonl` it covers. It is used only when the covered prefix is provably the same
//! file and unchanged: same device and inode, the file is at least as long, and the first and last MiB of
//! the prefix plus 64 blocks spread through it hash the same. Any mismatch or a log that shrank means a
//! full read.
//!
//! What this cannot see: an in-place edit that keeps the file's identity and length and changes none of
//! the sampled bytes. The log is append-only by contract and every tool we know of rewrites by rename
//! (a new inode) or truncation (a length change); `gen status --no-cache` reads everything regardless.
//!
//! # Appends in time order
//!
//! The fold is order-dependent: records are folded in the total order (timestamp, lifecycle rank, id;
//! untimed last). When every new timed record sorts after the last one folded, the cached fold of the
//! timed records simply continues, and the few untimed records are folded again on top.
//!
//! # Late events: checkpoints in sort order
//!
//! `gen sync pull` appends teammates' events written offline, days older than the newest. Such a *late*
//! record belongs in the middle of the order, so the fold cannot continue; rather than read the whole log
//! again, the cache keeps *checkpoints*: snapshots of the timed fold at a few places in the sort order.
//! A checkpoint at time `at` holds the fold of exactly the timed records with a timestamp before `at`
//! (cuts are only made between two timestamps, never inside a run of equal ones, because repeated
//! `event_id`s share their timestamp: a repeat and the line it repeats are always on the same side), and
//! `from`, a place in the file at or before the first line of every timed record at or after `at` —
//! folded or dropped as a repeat. Logs are mostly written in time order, so `from` is near the end of the
//! file for a recent checkpoint.
//!
//! With late lines, the latest checkpoint with `at` at or before the oldest new timestamp is taken. Its
//! records — every timed record of the covered part at or after `at`, repeats included: a recent
//! suffix of the order — are sorted with the new ones, their repeats dropped, and folded on top of the
//! snapshot; then the untimed ones, as after a full read. The checkpoints past the one used are made
//! again from that fold. New lines without an `event_id` get their occurrence number from the hash
//! list of the whole covered prefix, as in-order ones do.
//!
//! Those records come from the cache when it kept them (next section), else from the file: the covered
//! part from `from` on is read again and its records at or after `at` kept. Lines read again need no
//! occurrence correction, because every earlier line with the same content (hence the same timestamp)
//! as a record kept from them is itself past `from`.
//!
//! Checkpoints are spaced geometrically from the end of the order: the gap between two is at most half
//! the distance to the end (and at least `MIN_GAP` records), so an event `d` records late refolds
//! about `1.5 d + MIN_GAP` records whatever the size of the log, and a log of `n` records keeps
//! `O(log n)` checkpoints. (A uniform spacing — every 64k records — would make "two days late" on a
//! million-event log refold up to 64k records more than needed, and keep 16 times more snapshots of
//! old history that late events rarely reach.) A snapshot stores the fold without its two append-only
//! lists (raised intents and answered intents): those are the first `intents` and `answered` entries of
//! the cached final fold, so the size of a snapshot is bounded by the features, not by the log.
//!
//! # Recent records
//!
//! Parsing JSON lines again is most of the cost of a late fold, so the cache also keeps the compact
//! records (final ids, interned with the cache's symbols) of the recent part of the order: at least the
//! last 64k timed records, repeats included, in *segments* that start at checkpoints' `at` (a segment
//! holds the records from its `at` up to the next segment's, the last one to the end). A late fold from
//! a checkpoint with a segment of its own decodes the segments from it on instead of reading lines; an
//! older checkpoint reads its lines again. Segments are not merged when checkpoints are thinned, so
//! every checkpoint at or after the first segment has one. In-order appends add their records to the
//! last segment (or to new ones at new checkpoints); a late fold makes the segments from its checkpoint
//! on again.
//!
//! # Files
//!
//! `status.bin` (the meta: the fold, reports, symbols and the index of everything else) is rewritten on
//! every run that reads new lines. Each snapshot and each segment is a file named after the digest of
//! its bytes (`cp-…`, `rec-…`), checked when read, so a run writes only the snapshots and segments that
//! changed; the meta, written last, names the files it uses, and files no meta names are removed after
//! it. The content hashes of events without an id are in `hashes.bin` (sorted, bucketed, read one
//! bucket per new hash) and `hashes-new.bin` (those added since, merged in once they outgrow an eighth
//! of it): see [`hashes`]. Timestamps are stored as integer nanoseconds.
//!
//! Cases read in full: no cache, a cache of another gen version or another file, a changed prefix, a
//! late line older than the oldest checkpoint (or a cache without checkpoints: a log with too few timed
//! records to cut), a snapshot or hash file unreadable or not matching the meta. A records file that
//! cannot be read only means reading the lines again.

use crate::atomic::{replace_derived, replace_derived_with};
use crate::log::{LogError, io};
use crate::mark::{LogPoint, fingerprint, identity};
use crate::scan::{
    LogScan, Malformed, Placed, Untimed, file_cmp, read_from, renumber, scan_from, sort_timed_first,
};
use gen_core::projection::drop_repeated_ids;
use gen_core::projection::{Fold, Kinds, placeholder_syms};
use gen_core::projection::{Record, Symbols};
use hashes::{Counts, HashIndex};
use jiff::Timestamp;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod hashes;

const VERSION: u32 = 8;

/// Fewest timed records between two checkpoints (and between the last one and the end of the order).
/// Tests cut every few records, so that their small logs have many checkpoints.
const MIN_GAP: u64 = if cfg!(test) { 4 } else { 4096 };

/// Timed records (repeats included) whose compact form the cache keeps, counted back from the end of
/// the order: a late fold from a checkpoint among them decodes them instead of parsing lines again.
#[cfg(not(test))]
fn recent() -> u64 {
    1 << 16
}

#[cfg(test)]
thread_local! {
    /// Tests choose how many records are kept, to exercise both the decoding and the reading path.
    static RECENT: std::cell::Cell<u64> = const { std::cell::Cell::new(12) };
}

#[cfg(test)]
fn recent() -> u64 {
    RECENT.with(|r| r.get())
}

/// The folded log and where it came from.
#[derive(Debug)]
pub struct FoldedLog {
    /// Fold state over every event.
    pub fold: Fold,
    /// Interned strings of the fold.
    pub symbols: Symbols,
    /// Non-blank lines.
    pub lines: u64,
    /// Lines that are not events.
    pub malformed: Vec<Malformed>,
    /// Events without a usable timestamp.
    pub untimed: Vec<Untimed>,
    /// Lines repeating an `event_id` already in the log (each event is folded once).
    pub duplicates: Vec<u64>,
    /// How the answer was computed.
    pub source: Source,
}

/// How a [`FoldedLog`] was computed, for `--verbose` style reporting and benchmarks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The whole log was read; the reason says why the cache was not used.
    Full(String),
    /// The cache covered the log up to a point and only `tail_lines` new lines were read; when late
    /// events were folded from a checkpoint, the records of the covered part from it on were decoded
    /// from the cache (`decoded`) or, past the records it keeps, `reread_lines` lines were read again.
    Cached {
        /// Lines read past the cached prefix.
        tail_lines: u64,
        /// Lines of the cached prefix read again (0 unless new events sort before folded ones).
        reread_lines: u64,
        /// Records of the cached prefix decoded from the cache (0 unless new events sort before
        /// folded ones).
        decoded: u64,
    },
}

/// Timestamps in the cache files as integer nanoseconds.
mod nanos {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i128(t.as_nanosecond())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        Timestamp::from_nanosecond(i128::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[derive(Deserialize)]
struct Meta {
    version: u32,
    gen_version: String,
    dev: u64,
    ino: u64,
    covered: u64,
    covered_lines: u64,
    fingerprint: u64,
    /// The content hashes of the covered events without an id (see [`hashes`]).
    hashes: HashIndex,
    lines: u64,
    /// Fold state after every timed event: untimed events sort last, so new timed events continue
    /// from here and the (few) untimed ones are folded again on top.
    timed: Fold,
    /// Ids folded at the last timed timestamp: a new line repeating one of them is a repeat the fold
    /// must drop, which only a fold from a checkpoint can do.
    last_ids: Vec<String>,
    untimed_records: Vec<Record>,
    symbols: Symbols,
    malformed: Vec<Malformed>,
    untimed: Vec<Untimed>,
    duplicates: Vec<u64>,
    /// Snapshots of the timed fold in sort order, oldest first; each in its own file.
    checkpoints: Vec<Checkpoint>,
    /// The recent timed records in sort order, in consecutive segments; each in its own file.
    segments: Vec<Segment>,
    /// Places in the covered part of the file, every few hundred lines (for checkpoints' `from`).
    points: Vec<LogPoint>,
}

/// [`Meta`] as written: the same fields in the same order, borrowed (postcard encodes a reference,
/// a slice or a `str` as it does the owned value).
#[derive(Serialize)]
struct MetaOut<'a> {
    version: u32,
    gen_version: &'a str,
    dev: u64,
    ino: u64,
    covered: u64,
    covered_lines: u64,
    fingerprint: u64,
    hashes: &'a HashIndex,
    lines: u64,
    timed: &'a Fold,
    last_ids: &'a [String],
    untimed_records: &'a [Record],
    symbols: &'a Symbols,
    malformed: &'a [Malformed],
    untimed: &'a [Untimed],
    duplicates: &'a [u64],
    checkpoints: &'a [Checkpoint],
    segments: &'a [Segment],
    points: &'a [LogPoint],
}

/// A snapshot of the timed fold at a place in the sort order.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Checkpoint {
    /// The snapshot is the fold of exactly the timed records with a timestamp before this one.
    #[serde(with = "nanos")]
    at: Timestamp,
    /// Every timed line at or after `at` (folded, or dropped as a repeat) starts at or after this point.
    from: LogPoint,
    /// Timed records folded into the snapshot.
    pos: u64,
    /// Length of the snapshot's raised intents: a prefix of the cached final fold's.
    intents: u64,
    /// Length of the snapshot's answered intents: a prefix of the cached final fold's.
    answered: u64,
    /// Digest of the snapshot (a postcard [`Fold`] without intents and answers), which names its file.
    file: u64,
}

/// The timed records (repeats included, postcard one after another) with a timestamp from `at` up
/// to the next segment's `at`, or to the end for the last segment.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Segment {
    #[serde(with = "nanos")]
    at: Timestamp,
    /// Records in it.
    count: u64,
    /// Digest of its bytes, which names its file.
    file: u64,
}

/// A checkpoint of the new fold: either one kept from the cache, or a new snapshot.
enum Snap {
    Old(Checkpoint),
    New {
        cut: Cut,
        /// The snapshot, encoded as it is taken (no copy of the fold is kept).
        bytes: Vec<u8>,
        /// Timed records folded into it.
        pos: u64,
        intents: u64,
        answered: u64,
    },
}

/// A segment of the new cache: kept from the cache, or new bytes.
enum Seg {
    Old(Segment),
    New {
        at: Timestamp,
        count: u64,
        bytes: Vec<u8>,
    },
}

impl Seg {
    fn count(&self) -> u64 {
        match self {
            Seg::Old(s) => s.count,
            Seg::New { count, .. } => *count,
        }
    }
}

/// A place to cut the order for a new checkpoint.
#[derive(Debug, Clone, Copy)]
struct Cut {
    at: Timestamp,
    from: LogPoint,
    /// Approximate position (timed records before it, repeats counted), for spacing.
    pos: u64,
}

fn digest(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

fn cache_error(path: PathBuf, source: std::io::Error) -> LogError {
    LogError::Io {
        action: "cannot write cache",
        path,
        source,
    }
}

fn io_error(path: PathBuf, what: &str) -> LogError {
    cache_error(path, std::io::Error::other(what.to_string()))
}

/// Replaces a file of the cache (atomically, no fsync: derived data, checked on read).
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), LogError> {
    replace_derived(&dir.join(name), bytes).map_err(|e| cache_error(e.path, e.source))
}

fn file_name(prefix: &str, file: u64) -> String {
    format!("{prefix}-{file:016x}.bin")
}

/// Writes a file named after the digest of its bytes; returns the digest.
fn put(dir: &Path, prefix: &str, bytes: &[u8]) -> Result<u64, LogError> {
    let file = digest(bytes);
    write_file(dir, &file_name(prefix, file), bytes)?;
    Ok(file)
}

/// The bytes of a file written by [`put`], if they are still the ones it was named after.
fn get(dir: &Path, prefix: &str, file: u64) -> Option<Vec<u8>> {
    let bytes = std::fs::read(dir.join(file_name(prefix, file))).ok()?;
    (digest(&bytes) == file).then_some(bytes)
}

const SNAPSHOT: &str = "cp";
const RECORDS: &str = "rec";

fn encode_records(records: &[Record], mut out: Vec<u8>) -> Vec<u8> {
    out.reserve(records.len() * 80);
    for r in records {
        out = match postcard::to_extend(r, out) {
            Ok(out) => out,
            // Cannot happen for plain data; an unusable segment is refused when read.
            Err(_) => return Vec::new(),
        };
    }
    out
}

fn decode_records(mut bytes: &[u8], count: u64, out: &mut Vec<Record>) -> Option<()> {
    for _ in 0..count {
        let (r, rest) = postcard::take_from_bytes::<Record>(bytes).ok()?;
        out.push(r);
        bytes = rest;
    }
    bytes.is_empty().then_some(())
}

/// The records of `segments` (consecutive, to the end of the order), if every file is readable.
fn load_segments(dir: &Path, segments: &[Segment]) -> Option<Vec<Record>> {
    let total: u64 = segments.iter().map(|s| s.count).sum();
    let mut out = Vec::with_capacity(usize::try_from(total).ok()?);
    for s in segments {
        decode_records(&get(dir, RECORDS, s.file)?, s.count, &mut out)?;
    }
    Some(out)
}

/// Segments of `records` (timed, sorted, repeats kept) starting at each of `starts` (ascending; the
/// first at or before every record), keeping only the most recent ones with [`keep_recent`] after
/// `before` (segments kept from the cache, older than all of these).
fn new_segments(records: &[Record], starts: &[Timestamp], mut before: Vec<Seg>) -> Vec<Seg> {
    let bounds: Vec<usize> = starts
        .iter()
        .map(|at| records.partition_point(|r| r.timestamp < Some(*at)))
        .chain([records.len()])
        .collect();
    let counts: Vec<u64> = before
        .iter()
        .map(Seg::count)
        .chain(bounds.windows(2).map(|w| (w[1] - w[0]) as u64))
        .collect();
    let first = keep_recent(&counts);
    let old = before.len();
    let mut out: Vec<Seg> = before.drain(first.min(old)..).collect();
    for (k, at) in starts.iter().enumerate() {
        if old + k < first {
            continue;
        }
        let part = &records[bounds[k]..bounds[k + 1]];
        out.push(Seg::New {
            at: *at,
            count: part.len() as u64,
            bytes: encode_records(part, Vec::new()),
        });
    }
    out
}

/// The first of segments with these record counts to keep: the fewest newest ones that hold
/// [`recent`] records (all when there are fewer).
fn keep_recent(counts: &[u64]) -> usize {
    let mut held = 0;
    let mut first = counts.len();
    while first > 0 && held < recent() {
        first -= 1;
        held += counts[first];
    }
    first
}

/// Folds the log at `events`, using and refreshing the cache in `cache_dir` when given.
pub fn fold_log(events: &Path, cache_dir: Option<&Path>) -> Result<FoldedLog, LogError> {
    let Some(dir) = cache_dir else {
        return full(events, "cache disabled".into());
    };
    match try_cached(events, dir)? {
        Ok(folded) => Ok(folded),
        Err(reason) => full_and_store(events, dir, reason),
    }
}

/// The records of a read split into timed (sorted, repeats kept) and untimed (sorted).
fn split_sorted(scan: &mut LogScan) -> (Vec<Record>, Vec<Record>) {
    sort_timed_first(&mut scan.records, &scan.symbols);
    let mut timed = std::mem::take(&mut scan.records);
    let split = timed.partition_point(|r| r.timestamp.is_some());
    let untimed = timed.split_off(split);
    (timed, untimed)
}

fn try_cached(events: &Path, dir: &Path) -> Result<Result<FoldedLog, String>, LogError> {
    let Ok(bytes) = std::fs::read(dir.join("status.bin")) else {
        return Ok(Err("no cache yet".into()));
    };
    let Ok(mut meta) = postcard::from_bytes::<Meta>(&bytes) else {
        return Ok(Err("cache unreadable".into()));
    };
    if meta.version != VERSION || meta.gen_version != env!("CARGO_PKG_VERSION") {
        return Ok(Err("cache from another gen version".into()));
    }
    let stat = match std::fs::metadata(events) {
        Ok(m) => m,
        Err(_) => return Ok(Err("no event log".into())),
    };
    if identity(&stat) != (meta.dev, meta.ino) {
        return Ok(Err("events.jsonl was replaced".into()));
    }
    if stat.len() < meta.covered {
        return Ok(Err("events.jsonl shrank".into()));
    }
    if fingerprint(events, meta.covered)? != meta.fingerprint {
        return Ok(Err("events.jsonl changed inside the cached part".into()));
    }
    let start = (meta.covered, meta.covered_lines);
    let (mut tail, tail_placed) =
        read_from(events, start, u64::MAX, std::mem::take(&mut meta.symbols))?;
    // Content hashes are only needed when the new lines include events without their own id; lines
    // gen writes always have one, so usually they are never read. When they are, only the buckets of
    // the new hashes are.
    let mut known: Option<Counts> = None;
    if !tail.hashes.is_empty() {
        let Some(counts) = meta.hashes.counts(dir, &tail.hashes) else {
            return Ok(Err("cache hashes unreadable".into()));
        };
        renumber(&mut tail, &tail_placed, |key| counts.get(key));
        known = Some(counts);
    }
    let (timed, untimed) = split_sorted(&mut tail);
    let last_ts = meta.timed.last_key.as_ref().and_then(|k| k.1);
    let late = timed.first().is_some_and(|first| {
        !meta.timed.can_continue_with(first)
            || timed
                .iter()
                .any(|r| r.timestamp == last_ts && meta.last_ids.iter().any(|id| **id == *r.id))
    });
    let tail = Tail {
        scan: tail,
        placed: tail_placed,
        timed,
        untimed,
    };
    if late {
        from_checkpoint(events, dir, meta, tail, known)
    } else {
        continued(events, dir, meta, tail, known)
    }
}

/// What was read past the covered prefix.
struct Tail {
    scan: LogScan,
    placed: Placed,
    /// Timed records, sorted, repeats kept.
    timed: Vec<Record>,
    /// Untimed records, sorted, repeats kept.
    untimed: Vec<Record>,
}

impl Tail {
    /// Whether the read ended in a newline after reading something: only then the cache moves on.
    fn storable(&self, covered: u64) -> bool {
        self.scan.complete_bytes > covered && self.scan.complete_bytes == self.scan.bytes + covered
    }

    /// The places in the file the read passed (all but its start, which is the cache's end).
    fn points(&self) -> &[LogPoint] {
        self.placed.points.get(1..).unwrap_or_default()
    }
}

/// The untimed records folded on top, the counts and the reports: what every path ends with.
struct Rest {
    untimed_records: Vec<Record>,
    duplicates: Vec<u64>,
}

fn finish_fold(
    meta_untimed: Vec<Record>,
    tail_untimed: &mut Vec<Record>,
    mut duplicates: Vec<u64>,
    symbols: &Symbols,
) -> Rest {
    let mut untimed_records = meta_untimed;
    untimed_records.append(tail_untimed);
    untimed_records.sort_unstable_by(|a, b| file_cmp(a, b, symbols));
    duplicates.extend(drop_repeated_ids(&mut untimed_records));
    duplicates.sort_unstable();
    Rest {
        untimed_records,
        duplicates,
    }
}

/// Every new timed record sorts after the folded ones: the fold continues.
fn continued(
    events: &Path,
    dir: &Path,
    meta: Meta,
    mut tail: Tail,
    known: Option<Counts>,
) -> Result<Result<FoldedLog, String>, LogError> {
    let mut timed_fold = meta.timed;
    let mut symbols = std::mem::take(&mut tail.scan.symbols);
    let last_ts = timed_fold.last_key.as_ref().and_then(|k| k.1);
    let last_pos = meta.checkpoints.last().map_or(0, |c| c.pos);
    let cuts = cuts(
        &tail.timed,
        timed_fold.total,
        last_ts,
        last_pos,
        &tail.placed.points,
    );
    let all_timed = tail.timed.clone();
    let mut duplicates = meta.duplicates;
    duplicates.extend(drop_repeated_ids(&mut tail.timed));
    let tail_last_ids = ids_at_last(&tail.timed);
    let last_ids = match tail.timed.last() {
        None => meta.last_ids,
        Some(r) if r.timestamp == last_ts => [meta.last_ids, tail_last_ids].concat(),
        Some(_) => tail_last_ids,
    };
    let kinds = Kinds::new(&mut symbols);
    let placeholders = placeholder_syms(&mut symbols);
    let end = timed_fold.total + tail.timed.len() as u64;
    let old: Vec<u64> = meta.checkpoints.iter().map(|c| c.pos).collect();
    let (keep_old, keep_new) = thin(&old, &cuts, end);
    let new = fold_cutting(
        &mut timed_fold,
        &tail.timed,
        &keep_new,
        &kinds,
        &placeholders,
    );
    let rest = finish_fold(
        meta.untimed_records,
        &mut tail.untimed,
        duplicates,
        &symbols,
    );
    let (state, timed_fold) = finish(timed_fold, &rest.untimed_records, &kinds, &placeholders);
    let mut malformed = meta.malformed;
    let mut untimed = meta.untimed;
    malformed.append(&mut tail.scan.malformed);
    untimed.append(&mut tail.scan.untimed);
    let folded = FoldedLog {
        fold: state,
        symbols,
        lines: meta.lines + tail.scan.lines,
        malformed,
        untimed,
        duplicates: rest.duplicates.clone(),
        source: Source::Cached {
            tail_lines: tail.scan.lines,
            reread_lines: 0,
            decoded: 0,
        },
    };
    if tail.storable(meta.covered) {
        let mut snaps: Vec<Snap> = meta
            .checkpoints
            .into_iter()
            .zip(&keep_old)
            .filter(|(_, keep)| **keep)
            .map(|(c, _)| Snap::Old(c))
            .collect();
        snaps.extend(new);
        // New records go to the end of the last segment until the first new checkpoint, then to
        // segments of their own; the last segment is rewritten only if it gains records.
        let mut segments = meta.segments;
        let first_new = keep_new.first().map_or(all_timed.len(), |c| {
            all_timed.partition_point(|r| r.timestamp < Some(c.at))
        });
        let mut before: Vec<Seg> = Vec::new();
        if first_new == 0 {
            before = segments.into_iter().map(Seg::Old).collect();
        } else if let Some(last) = segments.pop()
            && let Some(bytes) = get(dir, RECORDS, last.file)
        {
            // (Without the last segment, none is usable: the segments must reach the end.)
            before = segments.into_iter().map(Seg::Old).collect();
            before.push(Seg::New {
                at: last.at,
                count: last.count + first_new as u64,
                bytes: encode_records(&all_timed[..first_new], bytes),
            });
        }
        // With no segment before them, records before the first new checkpoint are not kept.
        let starts: Vec<Timestamp> = keep_new.iter().map(|c| c.at).collect();
        let segs = new_segments(&all_timed[first_new..], &starts, before);
        let mut points = meta.points;
        points.extend_from_slice(tail.points());
        let hashes = match known {
            Some(counts) => meta.hashes.add(dir, &counts.newer, &tail.scan.hashes),
            None => Ok(meta.hashes),
        };
        // Best effort: a cache that cannot be written only costs speed next time.
        if let Ok(hashes) = hashes {
            let _ = store(
                events,
                dir,
                &folded,
                Stored {
                    timed: timed_fold.as_ref().unwrap_or(&folded.fold),
                    last_ids: &last_ids,
                    untimed_records: &rest.untimed_records,
                    covered: (tail.scan.complete_bytes, tail.scan.complete_lines),
                    hashes,
                    points,
                },
                snaps,
                segs,
            );
        }
    }
    Ok(Ok(folded))
}

/// Some new timed record sorts before (or repeats) a folded one: fold from the latest checkpoint
/// before the oldest of them.
fn from_checkpoint(
    events: &Path,
    dir: &Path,
    meta: Meta,
    mut tail: Tail,
    known: Option<Counts>,
) -> Result<Result<FoldedLog, String>, LogError> {
    let oldest = tail.timed.first().and_then(|r| r.timestamp);
    let Some(ci) = meta.checkpoints.iter().rposition(|c| Some(c.at) <= oldest) else {
        return Ok(Err("a new event sorts before every checkpoint".into()));
    };
    let cp = meta.checkpoints[ci].clone();
    let Some(mut state) =
        get(dir, SNAPSHOT, cp.file).and_then(|b| postcard::from_bytes::<Fold>(&b).ok())
    else {
        return Ok(Err("cache checkpoints unreadable".into()));
    };
    let (Some(intents), Some(answered)) = (
        meta.timed.intents.get(..cp.intents as usize),
        meta.timed.answered.get(..cp.answered as usize),
    ) else {
        return Ok(Err("cache checkpoints unreadable".into()));
    };
    state.intents = intents.to_vec();
    state.answered = answered.to_vec();
    let mut symbols = std::mem::take(&mut tail.scan.symbols);
    // Every timed record of the covered part at or after the checkpoint, repeats included: decoded
    // from the segments when they reach back to it, else read again from its place in the file.
    let segment = meta.segments.iter().position(|s| s.at == cp.at);
    let stored = segment.and_then(|j| load_segments(dir, &meta.segments[j..]));
    let (mut hi, reread_lines, decoded) = match stored {
        Some(records) => {
            let n = records.len() as u64;
            (records, 0, n)
        }
        None => {
            let (mut again, _) = read_from(
                events,
                (cp.from.bytes, cp.from.lines),
                meta.covered,
                symbols,
            )?;
            // Occurrence numbers of lines without an id need no correction here: the read counts
            // from `from`, and every earlier line with the same content (hence the same timestamp)
            // as a record kept below (timed, at or after `at`) is itself at or after `from`.
            symbols = std::mem::take(&mut again.symbols);
            let hi: Vec<Record> = std::mem::take(&mut again.records)
                .into_iter()
                .filter(|r| r.timestamp.is_some_and(|t| t >= cp.at))
                .collect();
            (hi, meta.covered_lines - cp.from.lines, 0)
        }
    };
    // Lines of the covered part folded (or dropped as repeats) after the checkpoint: their repeats
    // are counted afresh below.
    let refolded: FxHashSet<u64> = hi.iter().map(|r| r.line).collect();
    hi.append(&mut tail.timed);
    sort_timed_first(&mut hi, &symbols);
    let mut points = meta.points;
    points.extend_from_slice(tail.points());
    let cuts = cuts(&hi, cp.pos, Some(cp.at), cp.pos, &points);
    let all_timed = hi.clone();
    let mut duplicates: Vec<u64> = meta
        .duplicates
        .iter()
        .copied()
        .filter(|l| !refolded.contains(l))
        .collect();
    duplicates.extend(drop_repeated_ids(&mut hi));
    let kinds = Kinds::new(&mut symbols);
    let placeholders = placeholder_syms(&mut symbols);
    let end = cp.pos + hi.len() as u64;
    let old: Vec<u64> = meta.checkpoints[..=ci].iter().map(|c| c.pos).collect();
    let (keep_old, keep_new) = thin(&old, &cuts, end);
    let new = fold_cutting(&mut state, &hi, &keep_new, &kinds, &placeholders);
    let timed_fold = state;
    let last_ids = ids_at_last(&hi);
    let rest = finish_fold(
        meta.untimed_records,
        &mut tail.untimed,
        duplicates,
        &symbols,
    );
    let (state, timed_fold) = finish(timed_fold, &rest.untimed_records, &kinds, &placeholders);
    let mut malformed = meta.malformed;
    let mut untimed = meta.untimed;
    malformed.append(&mut tail.scan.malformed);
    untimed.append(&mut tail.scan.untimed);
    let folded = FoldedLog {
        fold: state,
        symbols,
        lines: meta.lines + tail.scan.lines,
        malformed,
        untimed,
        duplicates: rest.duplicates.clone(),
        source: Source::Cached {
            tail_lines: tail.scan.lines,
            reread_lines,
            decoded,
        },
    };
    if tail.storable(meta.covered) {
        let mut snaps: Vec<Snap> = meta.checkpoints[..=ci]
            .iter()
            .zip(&keep_old)
            .filter(|(_, keep)| **keep)
            .map(|(c, _)| Snap::Old(c.clone()))
            .collect();
        snaps.extend(new);
        // Segments before the checkpoint stay; from it on they are made again.
        let before: Vec<Seg> = match segment {
            Some(j) => meta.segments[..j].iter().cloned().map(Seg::Old).collect(),
            None => Vec::new(),
        };
        let starts: Vec<Timestamp> = [cp.at]
            .into_iter()
            .chain(keep_new.iter().map(|c| c.at))
            .collect();
        let segs = new_segments(&all_timed, &starts, before);
        let hashes = match known {
            Some(counts) => meta.hashes.add(dir, &counts.newer, &tail.scan.hashes),
            None => Ok(meta.hashes),
        };
        if let Ok(hashes) = hashes {
            let _ = store(
                events,
                dir,
                &folded,
                Stored {
                    timed: timed_fold.as_ref().unwrap_or(&folded.fold),
                    last_ids: &last_ids,
                    untimed_records: &rest.untimed_records,
                    covered: (tail.scan.complete_bytes, tail.scan.complete_lines),
                    hashes,
                    points,
                },
                snaps,
                segs,
            );
        }
    }
    Ok(Ok(folded))
}

/// Places where a checkpoint could cut `timed` (sorted, repeats kept; `base` timed records sort
/// before them): between two timestamps, after `after` when given, each at least `MIN_GAP`
/// records past the previous checkpoint (at `last`). `points` are places in the file covering every
/// line of `timed`.
fn cuts(
    timed: &[Record],
    base: u64,
    after: Option<Timestamp>,
    mut last: u64,
    points: &[LogPoint],
) -> Vec<Cut> {
    let mut at = Vec::new();
    let mut previous: Option<Timestamp> = None;
    for (i, r) in timed.iter().enumerate() {
        let Some(ts) = r.timestamp else { break };
        let boundary = (i == 0 || previous < Some(ts)) && after.is_none_or(|a| ts > a);
        previous = Some(ts);
        let pos = base + i as u64;
        if boundary && pos >= last + MIN_GAP {
            at.push((i, ts, pos));
            last = pos;
        }
    }
    // The first line of the records from each cut on, walking back from the end.
    let mut out = Vec::with_capacity(at.len());
    let mut min_line = u64::MAX;
    let mut next = at.len();
    for (i, r) in timed.iter().enumerate().rev() {
        min_line = min_line.min(r.line);
        while next > 0 && at[next - 1].0 == i {
            next -= 1;
            let (_, ts, pos) = at[next];
            // The last place that starts at or before that line (line `n` follows `n - 1` newlines).
            let k = points.partition_point(|p| p.lines < min_line);
            let Some(from) = k.checked_sub(1).and_then(|k| points.get(k)) else {
                continue;
            };
            out.push(Cut {
                at: ts,
                from: *from,
                pos,
            });
        }
    }
    out.reverse();
    out
}

/// Which checkpoints to keep: `old` positions (all before the cuts) then the `cuts`, with `end`
/// timed records in all. Walking back from the newest (always kept), one is dropped when the gap it
/// would leave between its neighbours is still at most half the distance to the end (and at least
/// `MIN_GAP`): gaps grow geometrically into the past.
fn thin(old: &[u64], cuts: &[Cut], end: u64) -> (Vec<bool>, Vec<Cut>) {
    let pos: Vec<u64> = old
        .iter()
        .copied()
        .chain(cuts.iter().map(|c| c.pos))
        .collect();
    let mut keep = vec![false; pos.len()];
    if let Some(last) = pos.len().checked_sub(1) {
        keep[last] = true;
        let mut next = pos[last];
        for i in (0..last).rev() {
            let before = if i == 0 { 0 } else { pos[i - 1] };
            let allowed = MIN_GAP.max(end.saturating_sub(next) / 2);
            if next.saturating_sub(before) > allowed {
                keep[i] = true;
                next = pos[i];
            }
        }
    }
    let keep_new = cuts
        .iter()
        .zip(&keep[old.len()..])
        .filter(|(_, k)| **k)
        .map(|(c, _)| *c)
        .collect();
    keep.truncate(old.len());
    (keep, keep_new)
}

/// Folds `records` (sorted, repeats dropped, all timed) into `state`, taking a snapshot just before
/// the first record at or after each cut.
fn fold_cutting(
    state: &mut Fold,
    records: &[Record],
    cuts: &[Cut],
    kinds: &Kinds,
    placeholders: &[u32],
) -> Vec<Snap> {
    let mut snaps = Vec::with_capacity(cuts.len());
    let mut next = cuts.iter().peekable();
    for r in records {
        while let Some(cut) = next.next_if(|c| r.timestamp >= Some(c.at)) {
            // The two append-only lists are not copied: they are prefixes of the final fold's.
            let intents = std::mem::take(&mut state.intents);
            let answered = std::mem::take(&mut state.answered);
            // An encoding error cannot happen for plain data; such a snapshot is refused when read.
            let bytes =
                postcard::to_extend(&*state, Vec::with_capacity(1 << 20)).unwrap_or_default();
            snaps.push(Snap::New {
                cut: *cut,
                bytes,
                pos: state.total,
                intents: intents.len() as u64,
                answered: answered.len() as u64,
            });
            state.intents = intents;
            state.answered = answered;
        }
        state.push(r, kinds, placeholders);
    }
    snaps
}

/// Ids of the records (timed, in order) that share the last timestamp.
fn ids_at_last(timed: &[Record]) -> Vec<String> {
    let Some(last) = timed.last() else {
        return Vec::new();
    };
    timed
        .iter()
        .rev()
        .take_while(|r| r.timestamp == last.timestamp)
        .map(|r| r.id.to_string())
        .collect()
}

/// The final state: the timed fold with the untimed events (already in order) folded on top, and the
/// timed fold when it differs (`None`: the final state is the timed fold, which is not copied).
fn finish(
    timed: Fold,
    untimed: &[Record],
    kinds: &Kinds,
    placeholders: &[u32],
) -> (Fold, Option<Fold>) {
    if untimed.is_empty() {
        return (timed, None);
    }
    let mut state = timed.clone();
    for r in untimed {
        state.push(r, kinds, placeholders);
    }
    (state, Some(timed))
}

/// A full read with no cache: the plain path, which the cached ones are tested against.
fn full(events: &Path, reason: String) -> Result<FoldedLog, LogError> {
    let mut scan = scan_from(events, (0, 0), Symbols::default())?;
    let state = gen_core::projection::fold(&scan.records, &mut scan.symbols);
    Ok(FoldedLog {
        fold: state,
        symbols: scan.symbols,
        lines: scan.lines,
        malformed: scan.malformed,
        untimed: scan.untimed,
        duplicates: scan.duplicates,
        source: Source::Full(reason),
    })
}

/// A full read that fills the cache, with its checkpoints.
fn full_and_store(events: &Path, dir: &Path, reason: String) -> Result<FoldedLog, LogError> {
    let (mut scan, placed) = read_from(events, (0, 0), u64::MAX, Symbols::default())?;
    let (mut timed, mut untimed_records) = split_sorted(&mut scan);
    let cuts = cuts(&timed, 0, None, 0, &placed.points);
    let (_, keep) = thin(&[], &cuts, timed.len() as u64);
    // The recent records, before repeats are dropped.
    let starts: Vec<Timestamp> = keep.iter().map(|c| c.at).collect();
    let segs = new_segments(&timed, &starts, Vec::new());
    let mut duplicates = drop_repeated_ids(&mut timed);
    duplicates.extend(drop_repeated_ids(&mut untimed_records));
    duplicates.sort_unstable();
    let kinds = Kinds::new(&mut scan.symbols);
    let placeholders = placeholder_syms(&mut scan.symbols);
    let mut timed_fold = Fold::default();
    let snaps = fold_cutting(&mut timed_fold, &timed, &keep, &kinds, &placeholders);
    let last_ids = ids_at_last(&timed);
    let (state, timed_fold) = finish(timed_fold, &untimed_records, &kinds, &placeholders);
    let folded = FoldedLog {
        fold: state,
        symbols: std::mem::take(&mut scan.symbols),
        lines: scan.lines,
        malformed: std::mem::take(&mut scan.malformed),
        untimed: std::mem::take(&mut scan.untimed),
        duplicates,
        source: Source::Full(reason),
    };
    // Only a log whose every line is complete can be cached: a torn tail will still change.
    if scan.complete_bytes == scan.bytes {
        let mut hashes = std::mem::take(&mut scan.hashes);
        hashes.sort_unstable();
        if let Ok(hashes) = HashIndex::write_full(dir, &hashes) {
            let _ = store(
                events,
                dir,
                &folded,
                Stored {
                    timed: timed_fold.as_ref().unwrap_or(&folded.fold),
                    last_ids: &last_ids,
                    untimed_records: &untimed_records,
                    covered: (scan.complete_bytes, scan.complete_lines),
                    hashes,
                    points: placed.points,
                },
                snaps,
                segs,
            );
        }
    }
    Ok(folded)
}

/// What the meta holds besides the answer.
struct Stored<'a> {
    timed: &'a Fold,
    last_ids: &'a [String],
    untimed_records: &'a [Record],
    covered: (u64, u64),
    hashes: HashIndex,
    points: Vec<LogPoint>,
}

/// Writes the new snapshot and segment files, then the meta naming them (so a crash in between leaves
/// the old meta and its files), then removes the files no meta names any more.
fn store(
    events: &Path,
    dir: &Path,
    folded: &FoldedLog,
    stored: Stored<'_>,
    snaps: Vec<Snap>,
    segs: Vec<Seg>,
) -> Result<(), LogError> {
    let mut checkpoints = Vec::with_capacity(snaps.len());
    for snap in snaps {
        checkpoints.push(match snap {
            Snap::Old(c) => c,
            Snap::New {
                cut,
                bytes,
                pos,
                intents,
                answered,
            } => Checkpoint {
                at: cut.at,
                from: cut.from,
                pos,
                intents,
                answered,
                file: put(dir, SNAPSHOT, &bytes)?,
            },
        });
    }
    let mut segments = Vec::with_capacity(segs.len());
    for seg in segs {
        segments.push(match seg {
            Seg::Old(s) => s,
            Seg::New { at, count, bytes } => Segment {
                at,
                count,
                file: put(dir, RECORDS, &bytes)?,
            },
        });
    }
    let stat = std::fs::metadata(events).map_err(io("cannot stat", events))?;
    let (dev, ino) = identity(&stat);
    let (covered, covered_lines) = stored.covered;
    let meta = MetaOut {
        version: VERSION,
        gen_version: env!("CARGO_PKG_VERSION"),
        dev,
        ino,
        covered,
        covered_lines,
        fingerprint: fingerprint(events, covered)?,
        hashes: &stored.hashes,
        lines: folded.lines,
        timed: stored.timed,
        last_ids: stored.last_ids,
        untimed_records: stored.untimed_records,
        symbols: &folded.symbols,
        malformed: &folded.malformed,
        untimed: &folded.untimed,
        duplicates: &folded.duplicates,
        checkpoints: &checkpoints,
        segments: &segments,
        points: &stored.points,
    };
    replace_derived_with(&dir.join("status.bin"), |w| {
        postcard::to_io(&meta, w)
            .map(|_| ())
            .map_err(std::io::Error::other)
    })
    .map_err(|e| cache_error(e.path, e.source))?;
    // Files of earlier metas (and of cache versions before one file per snapshot).
    let named: FxHashSet<String> = checkpoints
        .iter()
        .map(|c| file_name(SNAPSHOT, c.file))
        .chain(segments.iter().map(|s| file_name(RECORDS, s.file)))
        .collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let ours = name.starts_with("cp-") || name.starts_with("rec-");
            if (ours && !named.contains(name)) || name == "checkpoints.bin" {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn line(ty: &str, ts: &str, feature: &str, edge: &str, delta: i64) -> String {
        format!(
            r#"{{"event_type":"{ty}","timestamp":"{ts}","feature":"{feature}","edge":"{edge}","delta":{delta}}}"#
        ) + "\n"
    }

    fn append(path: &Path, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let events = tmp.path().join("events.jsonl");
        let cache = tmp.path().join("cache");
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&line(
                "iteration_completed",
                &format!("2026-03-01T10:{:02}:00Z", i),
                "F-1",
                "a→b",
                i % 3,
            ));
        }
        std::fs::write(&events, text).unwrap();
        (tmp, events, cache)
    }

    /// Lines read again or records decoded to fold late events from a checkpoint.
    fn refolded(source: &Source) -> u64 {
        match source {
            Source::Cached {
                reread_lines,
                decoded,
                ..
            } => reread_lines + decoded,
            Source::Full(_) => 0,
        }
    }

    /// The cached answer must equal a full read: the whole status view and every count.
    fn assert_same_as_full(events: &Path, folded: &FoldedLog) {
        let full = fold_log(events, None).unwrap();
        let view = |f: &FoldedLog| {
            let inputs = gen_core::projection::StatusInputs {
                project: "p".into(),
                lines: f.lines,
                malformed: f.malformed.len() as u64,
                untimed: f.untimed.len() as u64,
                duplicates: f.duplicates.len() as u64,
                ..Default::default()
            };
            serde_json::to_string_pretty(&gen_core::projection::project_status(
                &f.fold, &f.symbols, &inputs,
            ))
            .unwrap()
        };
        assert_eq!(view(folded), view(&full));
        assert_eq!(folded.malformed, full.malformed);
        assert_eq!(folded.untimed, full.untimed);
        assert_eq!(folded.duplicates, full.duplicates);
        assert_eq!(folded.fold.last_key, full.fold.last_key);
        assert_eq!(folded.fold.total, full.fold.total);
    }

    #[test]
    fn appends_in_time_order_are_folded_from_the_cache() {
        let (_tmp, events, cache) = setup();
        let first = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(first.source, Source::Full("no cache yet".into()));
        append(
            &events,
            &line("edge_converged", "2026-03-02T00:00:00Z", "F-1", "a→b", 0),
        );
        let second = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(
            second.source,
            Source::Cached {
                tail_lines: 1,
                reread_lines: 0,
                decoded: 0
            }
        );
        assert_same_as_full(&events, &second);
        let third = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(
            third.source,
            Source::Cached {
                tail_lines: 0,
                reread_lines: 0,
                decoded: 0
            }
        );
    }

    #[test]
    fn a_late_older_event_forces_a_full_read() {
        let (_tmp, events, cache) = setup();
        fold_log(&events, Some(&cache)).unwrap();
        append(
            &events,
            &line(
                "iteration_completed",
                "2026-02-01T00:00:00Z",
                "F-1",
                "a→b",
                9,
            ),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(matches!(&folded.source, Source::Full(r) if r.contains("sorts before")));
        assert_same_as_full(&events, &folded);
    }

    #[test]
    fn an_in_place_edit_of_the_cached_part_is_detected() {
        let (_tmp, events, cache) = setup();
        fold_log(&events, Some(&cache)).unwrap();
        let text = std::fs::read_to_string(&events).unwrap();
        // Same length, same inode: change one delta digit in the first line.
        let edited = text.replacen("\"delta\":0", "\"delta\":7", 1);
        assert_eq!(edited.len(), text.len());
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&events)
            .unwrap();
        f.write_all(edited.as_bytes()).unwrap();
        drop(f);
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(matches!(&folded.source, Source::Full(r) if r.contains("changed")));
        assert_same_as_full(&events, &folded);
    }

    #[test]
    fn a_shrunk_or_replaced_log_is_read_in_full() {
        let (_tmp, events, cache) = setup();
        fold_log(&events, Some(&cache)).unwrap();
        let text = std::fs::read_to_string(&events).unwrap();
        let cut = text
            .lines()
            .take(10)
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&events)
            .unwrap();
        f.set_len(0).unwrap();
        drop(f);
        append(&events, &cut);
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(matches!(&folded.source, Source::Full(r) if r.contains("shrank")));
        assert_eq!(folded.lines, 10);
        // Replaced by rename: a new inode.
        let other = events.with_extension("new");
        std::fs::write(&other, &text).unwrap();
        std::fs::rename(&other, &events).unwrap();
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(matches!(&folded.source, Source::Full(r) if r.contains("replaced")));
        assert_eq!(folded.lines, 50);
    }

    #[test]
    fn a_torn_tail_is_reported_and_never_cached() {
        let (_tmp, events, cache) = setup();
        fold_log(&events, Some(&cache)).unwrap();
        append(&events, "{\"event_type\":\"edge_sta");
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(folded.malformed.len(), 1);
        assert!(folded.malformed[0].torn);
        // Completing the line later must be seen: the torn bytes were not covered by the cache.
        append(
            &events,
            "rted\",\"timestamp\":\"2026-03-03T00:00:00Z\",\"feature\":\"F-2\",\"edge\":\"a→b\"}\n",
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(folded.malformed.is_empty());
        assert_same_as_full(&events, &folded);
    }

    #[test]
    fn an_untimed_event_does_not_stop_later_appends_from_using_the_cache() {
        let (_tmp, events, cache) = setup();
        append(
            &events,
            "{\"event_type\":\"edge_converged\",\"feature\":\"F-1\",\"edge\":\"a→b\"}\n",
        );
        let first = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(first.untimed.len(), 1);
        append(
            &events,
            &line("edge_started", "2026-03-02T00:00:00Z", "F-1", "a→b", 0),
        );
        let second = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(
            second.source,
            Source::Cached {
                tail_lines: 1,
                reread_lines: 0,
                decoded: 0
            }
        );
        assert_same_as_full(&events, &second);
        // The untimed convergence is still folded last, after the new start.
        let f = &second.fold.features[0];
        assert!(f.edges[0].converged);
    }

    #[test]
    fn a_line_repeating_a_cached_event_id_is_counted_once() {
        let (_tmp, events, cache) = setup();
        let with_id = r#"{"event_type":"edge_converged","timestamp":"2026-03-04T00:00:00Z","event_id":"e-1","feature":"F-1","edge":"a→b"}"#;
        append(&events, &format!("{with_id}\n"));
        fold_log(&events, Some(&cache)).unwrap();
        append(&events, &format!("{with_id}\n"));
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(folded.duplicates, vec![52]);
        assert_same_as_full(&events, &folded);
    }

    #[test]
    fn a_repeat_with_another_type_at_the_last_timestamp_is_dropped() {
        let (_tmp, events, cache) = setup();
        let started = r#"{"event_type":"edge_started","timestamp":"2027-03-01T10:00:00Z","event_id":"X","feature":"F-9","edge":"a→b"}"#;
        append(&events, &format!("{started}\n"));
        fold_log(&events, Some(&cache)).unwrap();
        // Same id and time, later lifecycle rank: it would sort after the folded line.
        append(
            &events,
            &format!("{}\n", started.replace("edge_started", "edge_converged")),
        );
        // The repeat is dropped by folding again from a checkpoint before that timestamp.
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(
            matches!(&folded.source, Source::Cached { tail_lines: 1, .. })
                && refolded(&folded.source) > 0,
            "{:?}",
            folded.source
        );
        assert_eq!(folded.duplicates.len(), 1);
        assert_same_as_full(&events, &folded);
    }

    #[test]
    fn repeated_identical_events_keep_distinct_ids_across_the_cache() {
        let (_tmp, events, cache) = setup();
        let dup = line("spec_modified", "2026-03-05T00:00:00Z", "F-3", "x→y", 0);
        append(&events, &dup);
        fold_log(&events, Some(&cache)).unwrap();
        append(&events, &dup);
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(
            folded.source,
            Source::Cached {
                tail_lines: 1,
                reread_lines: 0,
                decoded: 0
            }
        );
        let full = crate::scan::scan_records(&events).unwrap();
        let last = full.records.iter().filter(|r| r.id.ends_with("-2")).count();
        assert_eq!(last, 1);
        assert_eq!(
            folded.fold.last_key.as_ref().map(|k| k.3.ends_with("-2")),
            Some(true)
        );
    }

    #[test]
    fn late_events_fold_from_a_checkpoint_reading_only_a_recent_part() {
        let (_tmp, events, cache) = setup();
        keep_records(1 << 20);
        fold_log(&events, Some(&cache)).unwrap();
        // Late by ten minutes of fifty: between two folded lines, one with an id, one without.
        let with_id = r#"{"event_type":"edge_converged","timestamp":"2026-03-01T10:40:30Z","event_id":"pulled","feature":"F-1","edge":"a→b"}"#;
        append(
            &events,
            &format!(
                "{with_id}\n{}",
                line(
                    "iteration_completed",
                    "2026-03-01T10:45:30Z",
                    "F-2",
                    "a→b",
                    2
                )
            ),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        let Source::Cached {
            tail_lines: 2,
            reread_lines,
            decoded,
        } = folded.source
        else {
            panic!("{:?}", folded.source);
        };
        assert!(decoded > 0 && decoded < 25, "{decoded}");
        assert_eq!(reread_lines, 0);
        assert_same_as_full(&events, &folded);
        // The checkpoints made again from that fold serve the next late line, and in-order ones go on.
        append(
            &events,
            &line("edge_started", "2026-03-01T10:48:10Z", "F-3", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(refolded(&folded.source) > 0, "{:?}", folded.source);
        assert_same_as_full(&events, &folded);
        append(
            &events,
            &line("edge_started", "2026-03-02T00:00:00Z", "F-3", "b→c", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(
            folded.source,
            Source::Cached {
                tail_lines: 1,
                reread_lines: 0,
                decoded: 0
            }
        );
        assert_same_as_full(&events, &folded);
    }

    #[test]
    fn a_late_line_without_an_id_counts_its_twins_in_the_whole_log() {
        let (_tmp, events, cache) = setup();
        // An untimed line early in the log, and a timed one among the recent ones.
        let untimed = "{\"event_type\":\"spec_modified\",\"feature\":\"F-1\"}\n";
        let recent = line("spec_modified", "2026-03-01T10:45:00Z", "F-1", "a→b", 0);
        let text = std::fs::read_to_string(&events).unwrap();
        std::fs::write(&events, format!("{untimed}{text}{recent}")).unwrap();
        fold_log(&events, Some(&cache)).unwrap();
        // Their twins arrive late: second occurrences, distinct ids, nothing dropped.
        append(&events, &format!("{recent}{untimed}"));
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(refolded(&folded.source) > 0, "{:?}", folded.source);
        assert!(folded.duplicates.is_empty());
        assert_eq!(folded.fold.total, 54);
        assert_same_as_full(&events, &folded);
    }

    #[test]
    fn damaged_or_missing_checkpoints_mean_a_full_read() {
        let (_tmp, events, cache) = setup();
        keep_records(1 << 20);
        fold_log(&events, Some(&cache)).unwrap();
        let damage = |prefix: &str| {
            let mut n = 0;
            for entry in std::fs::read_dir(&cache).unwrap().flatten() {
                if entry.file_name().to_string_lossy().starts_with(prefix) {
                    std::fs::write(entry.path(), b"garbage").unwrap();
                    n += 1;
                }
            }
            assert!(n > 0, "no {prefix} files");
        };
        damage("cp-");
        append(
            &events,
            &line("edge_started", "2026-03-01T10:45:30Z", "F-3", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(matches!(&folded.source, Source::Full(r) if r.contains("checkpoints")));
        assert_same_as_full(&events, &folded);
        // The full read wrote them again.
        append(
            &events,
            &line("edge_started", "2026-03-01T10:46:30Z", "F-4", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(refolded(&folded.source) > 0, "{:?}", folded.source);
        assert_same_as_full(&events, &folded);
        // Damaged records: the lines are read again instead.
        damage("rec-");
        append(
            &events,
            &line("edge_started", "2026-03-01T10:47:30Z", "F-5", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(
            matches!(
                folded.source,
                Source::Cached {
                    reread_lines: 1..,
                    decoded: 0,
                    ..
                }
            ),
            "{:?}",
            folded.source
        );
        assert_same_as_full(&events, &folded);
        // And they were written again.
        append(
            &events,
            &line("edge_started", "2026-03-01T10:48:30Z", "F-6", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(
            matches!(
                folded.source,
                Source::Cached {
                    reread_lines: 0,
                    decoded: 1..,
                    ..
                }
            ),
            "{:?}",
            folded.source
        );
        assert_same_as_full(&events, &folded);
    }

    /// Keeps the compact records of at least `n` recent timed records in caches this thread writes.
    fn keep_records(n: u64) {
        RECENT.with(|r| r.set(n));
    }

    #[test]
    fn in_order_appends_extend_the_kept_records_that_late_events_decode() {
        let (_tmp, events, cache) = setup();
        keep_records(1 << 20);
        fold_log(&events, Some(&cache)).unwrap();
        // In-order appends, one by one: each adds its record to the last segment or starts new ones.
        for i in 0..12 {
            append(
                &events,
                &line(
                    "iteration_completed",
                    &format!("2026-03-01T11:{i:02}:00Z"),
                    "F-2",
                    "a→b",
                    i % 2,
                ),
            );
            let folded = fold_log(&events, Some(&cache)).unwrap();
            assert_eq!(refolded(&folded.source), 0, "{:?}", folded.source);
        }
        // A late line among them folds from a checkpoint by decoding every record after it, the
        // appended ones included: a record missing from the segments would change the answer.
        append(
            &events,
            &line("edge_converged", "2026-03-01T10:59:30Z", "F-2", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(
            matches!(
                folded.source,
                Source::Cached {
                    reread_lines: 0,
                    decoded: 13..,
                    ..
                }
            ),
            "{:?}",
            folded.source
        );
        assert_same_as_full(&events, &folded);
    }

    #[test]
    fn late_events_past_the_kept_records_read_their_lines_again() {
        let (_tmp, events, cache) = setup();
        keep_records(0);
        fold_log(&events, Some(&cache)).unwrap();
        append(
            &events,
            &line("edge_started", "2026-03-01T10:40:30Z", "F-3", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(
            matches!(
                folded.source,
                Source::Cached {
                    reread_lines: 1..25,
                    decoded: 0,
                    ..
                }
            ),
            "{:?}",
            folded.source
        );
        assert_same_as_full(&events, &folded);
        // Once records are kept again, the next late fold decodes them (they were written by the
        // fold above only if kept: none were, so this one reads again and keeps them).
        keep_records(1 << 20);
        append(
            &events,
            &line("edge_started", "2026-03-01T10:41:30Z", "F-4", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(
            matches!(folded.source, Source::Cached { decoded: 0, .. }),
            "{:?}",
            folded.source
        );
        assert_same_as_full(&events, &folded);
        append(
            &events,
            &line("edge_started", "2026-03-01T10:42:30Z", "F-5", "a→b", 0),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(
            matches!(
                folded.source,
                Source::Cached {
                    reread_lines: 0,
                    decoded: 1..,
                    ..
                }
            ),
            "{:?}",
            folded.source
        );
        assert_same_as_full(&events, &folded);
    }
}
