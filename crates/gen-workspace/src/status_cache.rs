//! A cache of the folded event log, so `gen status` on a large log reads only what was appended.
//!
//! The cache lives in `.ai-workspace/.gen/` (derived data: never synced, safe to delete) and records how
//! many bytes of `events.jsonl` it covers. It is used only when the covered prefix is provably the same
//! file and unchanged: same device and inode, the file is at least as long, and the first and last MiB of
//! the prefix plus 64 blocks spread through it hash the same. Any mismatch, a log that shrank, or a
//! newly appended event that sorts before the last folded one (a late, older event) means a full read.
//!
//! What this cannot see: an in-place edit that keeps the file's identity and length and changes none of
//! the sampled bytes. The log is append-only by contract and every tool we know of rewrites by rename
//! (a new inode) or truncation (a length change); `gen status --no-cache` reads everything regardless.

use crate::atomic::{replace_derived, replace_derived_with};
use crate::log::{LogError, io};
use crate::mark::{fingerprint, identity};
use crate::scan::{Malformed, Occurrences, Untimed, scan_from};
use gen_core::projection::{Fold, Kinds, placeholder_syms};
use gen_core::projection::{Record, Symbols};
use gen_core::projection::{drop_repeated_ids, total_cmp};
use serde::{Deserialize, Serialize};
use std::path::Path;

const VERSION: u32 = 6;

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
    /// The cache covered the log up to a point and only `tail_lines` new lines were read.
    Cached {
        /// Lines read past the cached prefix.
        tail_lines: u64,
    },
}

#[derive(Serialize, Deserialize)]
struct Meta {
    version: u32,
    gen_version: String,
    dev: u64,
    ino: u64,
    covered: u64,
    covered_lines: u64,
    fingerprint: u64,
    hashes_digest: u64,
    lines: u64,
    /// Fold state after every timed event: untimed events sort last, so new timed events continue
    /// from here and the (few) untimed ones are folded again on top.
    timed: Fold,
    /// Ids folded at the last timed timestamp: a new line repeating one of them is a repeat the fold
    /// must drop, which only a full read can do.
    last_ids: Vec<String>,
    untimed_records: Vec<Record>,
    symbols: Symbols,
    malformed: Vec<Malformed>,
    untimed: Vec<Untimed>,
    duplicates: Vec<u64>,
}

/// Whether the stored hash list changes with this store.
enum Hashes<'a> {
    /// Unchanged; its digest.
    Keep(u64),
    /// Replace with this sorted list.
    Write(&'a [u128]),
}

fn encode(hashes: &[u128]) -> Vec<u8> {
    let mut bin = Vec::with_capacity(hashes.len() * 16);
    for h in hashes {
        bin.extend_from_slice(&h.to_le_bytes());
    }
    bin
}

/// Reads the sorted hash list, with the digest of its bytes (checked against the meta file).
fn read_hashes(path: &Path) -> Option<(Vec<u128>, u64)> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() % 16 != 0 {
        return None;
    }
    let digest = xxhash_rust::xxh3::xxh3_64(&bytes);
    let hashes = bytes
        .chunks_exact(16)
        .map(|c| u128::from_le_bytes(c.try_into().unwrap_or([0; 16])))
        .collect();
    Some((hashes, digest))
}

/// Folds the log at `events`, using and refreshing the cache in `cache_dir` when given.
pub fn fold_log(events: &Path, cache_dir: Option<&Path>) -> Result<FoldedLog, LogError> {
    let Some(dir) = cache_dir else {
        return full(events, None, "cache disabled".into());
    };
    match try_cached(events, dir)? {
        Ok(folded) => Ok(folded),
        Err(reason) => full(events, Some(dir), reason),
    }
}

fn try_cached(events: &Path, dir: &Path) -> Result<Result<FoldedLog, String>, LogError> {
    let Ok(bytes) = std::fs::read(dir.join("status.bin")) else {
        return Ok(Err("no cache yet".into()));
    };
    let Ok(meta) = postcard::from_bytes::<Meta>(&bytes) else {
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
    // The list of content hashes (16 bytes per event) is only needed when the new lines include events
    // without their own id; lines gen writes always have one, so usually it is never read.
    let start = (meta.covered, meta.covered_lines);
    let mut tail = scan_from(
        events,
        start,
        &mut Occurrences::after(&[]),
        meta.symbols.clone(),
    )?;
    let mut known: Option<Vec<u128>> = None;
    if !tail.hashes.is_empty() {
        let Some((hashes, digest)) = read_hashes(&dir.join("hashes.bin")) else {
            return Ok(Err("cache hashes unreadable".into()));
        };
        if digest != meta.hashes_digest {
            return Ok(Err("cache files do not belong together".into()));
        }
        tail = scan_from(
            events,
            start,
            &mut Occurrences::after(&hashes),
            meta.symbols,
        )?;
        known = Some(hashes);
    }
    let mut timed = meta.timed;
    let mut symbols = tail.symbols;
    let split = tail.records.partition_point(|r| r.timestamp.is_some());
    if let Some(first) = tail.records[..split].first()
        && !timed.can_continue_with(first)
    {
        return Ok(Err("a new event sorts before already folded ones".into()));
    }
    let last_ts = timed.last_key.as_ref().and_then(|k| k.1);
    if tail.records[..split].iter().any(|r| {
        r.timestamp.is_some()
            && r.timestamp == last_ts
            && meta.last_ids.iter().any(|id| **id == *r.id)
    }) {
        return Ok(Err("a new line repeats an event already folded".into()));
    }
    let tail_last_ids = ids_at_last(&tail.records[..split]);
    let last_ids = match tail.records[..split].last() {
        None => meta.last_ids,
        Some(r) if r.timestamp == last_ts => [meta.last_ids, tail_last_ids].concat(),
        Some(_) => tail_last_ids,
    };
    let kinds = Kinds::new(&mut symbols);
    let placeholders = placeholder_syms(&mut symbols);
    for r in &tail.records[..split] {
        timed.push(r, &kinds, &placeholders);
    }
    let mut untimed_records = meta.untimed_records;
    untimed_records.extend(tail.records[split..].iter().cloned());
    untimed_records.sort_unstable_by(|a, b| total_cmp(a, b, &symbols));
    let mut duplicates = meta.duplicates;
    duplicates.extend(tail.duplicates.iter().copied());
    duplicates.extend(drop_repeated_ids(&mut untimed_records));
    duplicates.sort_unstable();
    let state = finish(&timed, &untimed_records, &kinds, &placeholders);
    let tail_lines = tail.lines;
    let mut malformed = meta.malformed;
    let mut untimed = meta.untimed;
    let folded_tail_complete = tail.complete_bytes > meta.covered;
    malformed.extend(tail.malformed.iter().cloned());
    untimed.extend(tail.untimed.iter().cloned());
    let folded = FoldedLog {
        fold: state,
        symbols,
        lines: meta.lines + tail.lines,
        malformed,
        untimed,
        duplicates,
        source: Source::Cached { tail_lines },
    };
    if folded_tail_complete && tail.complete_bytes == tail.bytes + meta.covered {
        // Events gen writes carry their own ids, so the hash list often stays as it is.
        let merged;
        let update = match known {
            None => Hashes::Keep(meta.hashes_digest),
            Some(mut all) => {
                all.extend_from_slice(&tail.hashes);
                all.sort_unstable();
                merged = all;
                Hashes::Write(&merged)
            }
        };
        // Best effort: a cache that cannot be written only costs speed next time.
        let _ = store(
            events,
            dir,
            &folded,
            (&timed, &last_ids, &untimed_records),
            (tail.complete_bytes, tail.complete_lines),
            update,
        );
    }
    Ok(Ok(folded))
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

/// The final state: the timed fold with the untimed events (already in order) folded on top.
fn finish(timed: &Fold, untimed: &[Record], kinds: &Kinds, placeholders: &[u32]) -> Fold {
    let mut state = timed.clone();
    for r in untimed {
        state.push(r, kinds, placeholders);
    }
    state
}

fn full(events: &Path, dir: Option<&Path>, reason: String) -> Result<FoldedLog, LogError> {
    let mut scan = scan_from(
        events,
        (0, 0),
        &mut Occurrences::default(),
        Symbols::default(),
    )?;
    let kinds = Kinds::new(&mut scan.symbols);
    let placeholders = placeholder_syms(&mut scan.symbols);
    let split = scan.records.partition_point(|r| r.timestamp.is_some());
    let mut timed = Fold::default();
    for r in &scan.records[..split] {
        timed.push(r, &kinds, &placeholders);
    }
    let last_ids = ids_at_last(&scan.records[..split]);
    let untimed_records = scan.records.split_off(split);
    let state = finish(&timed, &untimed_records, &kinds, &placeholders);
    let folded = FoldedLog {
        fold: state,
        symbols: std::mem::take(&mut scan.symbols),
        lines: scan.lines,
        malformed: scan.malformed.clone(),
        untimed: scan.untimed.clone(),
        duplicates: scan.duplicates.clone(),
        source: Source::Full(reason),
    };
    // Only a log whose every line is complete can be cached: a torn tail will still change.
    if let Some(dir) = dir
        && scan.complete_bytes == scan.bytes
    {
        let mut hashes = std::mem::take(&mut scan.hashes);
        hashes.sort_unstable();
        let _ = store(
            events,
            dir,
            &folded,
            (&timed, &last_ids, &untimed_records),
            (scan.complete_bytes, scan.complete_lines),
            Hashes::Write(&hashes),
        );
    }
    Ok(folded)
}

fn store(
    events: &Path,
    dir: &Path,
    folded: &FoldedLog,
    (timed, last_ids, untimed_records): (&Fold, &[String], &[Record]),
    (covered, covered_lines): (u64, u64),
    hashes: Hashes<'_>,
) -> Result<(), LogError> {
    let (bin, hashes_digest) = match hashes {
        Hashes::Keep(digest) => (None, digest),
        Hashes::Write(list) => {
            let bin = encode(list);
            let digest = xxhash_rust::xxh3::xxh3_64(&bin);
            (Some(bin), digest)
        }
    };
    let stat = std::fs::metadata(events).map_err(io("cannot stat", events))?;
    let (dev, ino) = identity(&stat);
    let meta = Meta {
        version: VERSION,
        gen_version: env!("CARGO_PKG_VERSION").into(),
        dev,
        ino,
        covered,
        covered_lines,
        fingerprint: fingerprint(events, covered)?,
        hashes_digest,
        lines: folded.lines,
        timed: timed.clone(),
        last_ids: last_ids.to_vec(),
        untimed_records: untimed_records.to_vec(),
        symbols: folded.symbols.clone(),
        malformed: folded.malformed.clone(),
        untimed: folded.untimed.clone(),
        duplicates: folded.duplicates.clone(),
    };
    // Two atomic writes; the meta carries a digest of the hashes, so a crash between them is detected.
    let write = |name: &str, bytes: &[u8]| {
        replace_derived(&dir.join(name), bytes).map_err(|e| LogError::Io {
            action: "cannot write cache",
            path: e.path,
            source: e.source,
        })
    };
    if let Some(bin) = bin {
        write("hashes.bin", &bin)?;
    }
    replace_derived_with(&dir.join("status.bin"), |w| {
        postcard::to_io(&meta, w)
            .map(|_| ())
            .map_err(std::io::Error::other)
    })
    .map_err(|e| LogError::Io {
        action: "cannot write cache",
        path: e.path,
        source: e.source,
    })?;
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
        assert_eq!(second.source, Source::Cached { tail_lines: 1 });
        assert_same_as_full(&events, &second);
        let third = fold_log(&events, Some(&cache)).unwrap();
        assert_eq!(third.source, Source::Cached { tail_lines: 0 });
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
        assert_eq!(second.source, Source::Cached { tail_lines: 1 });
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
    fn a_repeat_with_another_type_at_the_last_timestamp_is_caught() {
        let (_tmp, events, cache) = setup();
        let started = r#"{"event_type":"edge_started","timestamp":"2027-03-01T10:00:00Z","event_id":"X","feature":"F-9","edge":"a→b"}"#;
        append(&events, &format!("{started}\n"));
        fold_log(&events, Some(&cache)).unwrap();
        // Same id and time, later lifecycle rank: it would sort after the folded line.
        append(
            &events,
            &format!("{}\n", started.replace("edge_started", "edge_converged")),
        );
        let folded = fold_log(&events, Some(&cache)).unwrap();
        assert!(
            matches!(&folded.source, Source::Full(r) if r.contains("repeats")),
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
        assert_eq!(folded.source, Source::Cached { tail_lines: 1 });
        let full = crate::scan::scan_records(&events).unwrap();
        let last = full.records.iter().filter(|r| r.id.ends_with("-2")).count();
        assert_eq!(last, 1);
        assert_eq!(
            folded.fold.last_key.as_ref().map(|k| k.3.ends_with("-2")),
            Some(true)
        );
    }
}
