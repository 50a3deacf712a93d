//! Reading the event log: every line parsed (in parallel), malformed lines reported with their number.

use crate::log::LogError;
use crate::mark::LogPoint;
use gen_core::event::{Event, LineError, parse_line, parse_line_for_projection};
use gen_core::projection::{Facts, drop_repeated_ids, total_cmp};
use gen_core::projection::{Record, Symbols};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::io::Read;
use std::path::Path;

/// A line that is not an event; it stays in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Malformed {
    /// 1-based line number.
    pub line: u64,
    /// Why.
    pub error: LineError,
    /// The start of the line, for the report.
    pub excerpt: String,
    /// True for a final line with no newline (a crash mid-write): repaired at the next append.
    pub torn: bool,
}

/// A line whose timestamp is missing or unusable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Untimed {
    /// 1-based line number.
    pub line: u64,
    /// Why, for the report.
    pub reason: String,
}

/// The log as projections need it.
#[derive(Debug, Default)]
pub struct LogScan {
    /// Records in total order.
    pub records: Vec<Record>,
    /// Interned strings of the records.
    pub symbols: Symbols,
    /// Non-blank lines.
    pub lines: u64,
    /// Lines that are not events.
    pub malformed: Vec<Malformed>,
    /// Events without a usable timestamp.
    pub untimed: Vec<Untimed>,
    /// Bytes read.
    pub bytes: u64,
    /// Bytes up to and including the last newline (what a cache may cover).
    pub complete_bytes: u64,
    /// Lines up to `complete_bytes`.
    pub complete_lines: u64,
    /// Content hashes of events without their own id, in file order (for occurrence numbers).
    pub hashes: Vec<u128>,
    /// Lines whose `event_id` repeats one already read; dropped from `records`.
    pub duplicates: Vec<u64>,
}

/// One event with its place in the file, for `gen event log`.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    /// 1-based line number.
    pub line: u64,
    /// The line exactly as written.
    pub raw: String,
    /// The normalised view.
    pub event: Event,
}

/// One event as `gen event log --json` prints it (one object per line) and the server will send it:
/// the normalised view, where it sits in the file and the line exactly as written.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventRow {
    /// The event's identity (its own `event_id`, or the derived `cj-…` id).
    pub id: String,
    /// The event type, wherever the line keeps it.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// The timestamp normalised to UTC (RFC 3339).
    pub timestamp: Option<String>,
    /// The timestamp exactly as written.
    pub timestamp_raw: Option<String>,
    /// The feature the event is about.
    pub feature: Option<String>,
    /// The canonical edge id.
    pub edge: Option<String>,
    /// Who wrote it.
    pub agent: Option<String>,
    /// The project it belongs to.
    pub project: Option<String>,
    /// Which of the line shapes it was written in.
    pub shape: String,
    /// The event's own data.
    pub payload: serde_json::Map<String, serde_json::Value>,
    /// 1-based line number.
    pub line: u64,
    /// The line exactly as written.
    pub raw: String,
}

impl From<LoggedEvent> for EventRow {
    fn from(logged: LoggedEvent) -> Self {
        let LoggedEvent { line, raw, event } = logged;
        EventRow {
            id: event.id,
            event_type: event.event_type,
            timestamp: event.timestamp.map(|t| t.to_string()),
            timestamp_raw: event.timestamp_text,
            feature: event.feature,
            edge: event.edge,
            agent: event.agent,
            project: event.project,
            shape: event.shape.as_str().to_string(),
            payload: event.payload,
            line,
            raw,
        }
    }
}

/// Every line of the log: events in file order and malformed lines.
#[derive(Debug, Default)]
pub struct LogLines {
    /// Events in file order, with final ids.
    pub events: Vec<LoggedEvent>,
    /// Lines that are not events.
    pub malformed: Vec<Malformed>,
}

const CHUNK: usize = 8 << 20;

/// Streams the file in newline-aligned chunks so memory stays bounded by the output, not the file.
fn for_each_chunk(
    path: &Path,
    start: (u64, u64),
    end: u64,
    mut f: impl FnMut(&[u8], u64, bool) -> Result<(), LogError>,
) -> Result<u64, LogError> {
    use std::io::Seek;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(source) => {
            return Err(LogError::Io {
                action: "cannot open",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    file.seek(std::io::SeekFrom::Start(start.0))
        .map_err(|source| LogError::Io {
            action: "cannot seek",
            path: path.to_path_buf(),
            source,
        })?;
    // One buffer for the whole read, zeroed once; the unfinished tail of a chunk moves to its front.
    // Sized to what is left to read, so reading a short tail does not zero 16 MiB of pages.
    let remaining = file
        .metadata()
        .map(|m| m.len().min(end).saturating_sub(start.0))
        .unwrap_or(CHUNK as u64);
    // Reads stop at `end` (a point just after a newline) when the caller wants only part of the log.
    let mut file = file.take(end.saturating_sub(start.0));
    let mut buf: Vec<u8> = vec![0; (remaining as usize + 1).clamp(4096, CHUNK * 2)];
    let mut filled = 0usize;
    let mut line_base = start.1;
    let mut total = 0u64;
    loop {
        if filled == buf.len() {
            // A single line longer than the buffer: grow rather than split it.
            buf.resize(buf.len() * 2, 0);
        }
        let n = read_full(&mut file, &mut buf[filled..]).map_err(|source| LogError::Io {
            action: "cannot read",
            path: path.to_path_buf(),
            source,
        })?;
        total += n as u64;
        filled += n;
        let eof = filled < buf.len();
        let cut = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(i) => i + 1,
                None => continue,
            }
        };
        let lines_here = memchr::memchr_iter(b'\n', &buf[..cut]).count() as u64;
        f(&buf[..cut], line_base, eof)?;
        line_base += lines_here;
        buf.copy_within(cut..filled, 0);
        filled -= cut;
        if eof {
            break;
        }
    }
    Ok(total)
}

fn read_full(file: &mut impl Read, mut out: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while !out.is_empty() {
        match file.read(out) {
            Ok(0) => break,
            Ok(k) => {
                n += k;
                out = &mut out[k..];
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Splits a chunk into (1-based line number, text, is-unterminated-final-line).
fn split_lines(chunk: &[u8], line_base: u64, eof: bool) -> Vec<(u64, &[u8], bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = line_base;
    for nl in memchr::memchr_iter(b'\n', chunk) {
        line += 1;
        out.push((line, &chunk[start..nl], false));
        start = nl + 1;
    }
    if start < chunk.len() {
        line += 1;
        out.push((line, &chunk[start..], eof));
    }
    out
}

fn parse_bytes(bytes: &[u8], full: bool) -> Option<Result<Event, LineError>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Some(Err(LineError::Json {
                column: e.valid_up_to() + 1,
                message: "invalid UTF-8".into(),
            }));
        }
    };
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.trim().is_empty() {
        return None;
    }
    Some(if full {
        parse_line(text)
    } else {
        parse_line_for_projection(text)
    })
}

fn excerpt(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut e: String = s.chars().take(120).collect();
    if s.chars().count() > 120 {
        e.push('…');
    }
    e
}

fn hash_key(event: &Event) -> Option<u128> {
    event
        .content_hash
        .as_deref()
        .and_then(|h| u128::from_str_radix(h, 16).ok())
}

/// What the parallel stage hands to the sequential one: only what records need, already compact.
struct Lean {
    id: String,
    hash: Option<u128>,
    timestamp: Option<jiff::Timestamp>,
    untimed: Option<String>,
    facts: Facts,
}

type Parsed = (u64, bool, Option<Result<Lean, (LineError, String)>>);

fn lean(event: Event) -> Lean {
    Lean {
        hash: hash_key(&event),
        facts: Facts::of(&event),
        untimed: match (&event.timestamp, &event.timestamp_error) {
            (Some(_), _) => None,
            (None, Some(e)) => Some(e.to_string()),
            (None, None) => Some("no timestamp".into()),
        },
        timestamp: event.timestamp,
        id: event.id,
    }
}

fn parse_chunk(chunk: &[u8], base: u64, eof: bool) -> Vec<Parsed> {
    split_lines(chunk, base, eof)
        .par_iter()
        .map(|(n, text, torn)| {
            let result =
                parse_bytes(text, false).map(|r| r.map(lean).map_err(|e| (e, excerpt(text))));
            (*n, *torn, result)
        })
        .collect()
}

/// How many times each content hash was seen so far in a read (a read that does not start at the
/// beginning corrects its numbers afterwards with [`renumber`]).
#[derive(Default)]
struct Occurrences {
    seen: FxHashMap<u128, u32>,
}

impl Occurrences {
    /// Records one more sighting and returns its occurrence number (1 for the first).
    fn next(&mut self, key: u128) -> u32 {
        let n = self.seen.entry(key).or_default();
        *n += 1;
        *n
    }
}

/// Reads the log into sorted records for projections.
pub fn scan_records(path: &Path) -> Result<LogScan, LogError> {
    scan_from(path, (0, 0), Symbols::default())
}

/// Reads the log from byte `start.0` (which begins line `start.1 + 1`) into sorted records.
///
/// Chunks are parsed in parallel while the previous chunk is folded into records, so the sequential
/// part (ids, interning) overlaps with parsing.
///
/// New strings are interned into `symbols`, so records of a tail share symbols with a cached fold.
pub(crate) fn scan_from(
    path: &Path,
    start: (u64, u64),
    symbols: Symbols,
) -> Result<LogScan, LogError> {
    let (mut scan, _) = read_from(path, start, u64::MAX, symbols)?;
    sort_timed_first(&mut scan.records, &scan.symbols);
    scan.duplicates = drop_repeated_ids(&mut scan.records);
    Ok(scan)
}

/// Sorts records into the one total order (the same as `gen_core::projection::sort_records`), on
/// both cores.
pub(crate) fn sort_timed_first(records: &mut [Record], symbols: &Symbols) {
    records.par_sort_unstable_by(|a, b| file_cmp(a, b, symbols));
}

/// [`total_cmp`], then file order: two lines equal in everything the order looks at (one event
/// written twice) fold the same, but the later one is the repeat [`drop_repeated_ids`] reports,
/// however much of the log was read.
pub(crate) fn file_cmp(a: &Record, b: &Record, symbols: &Symbols) -> std::cmp::Ordering {
    total_cmp(a, b, symbols).then(a.line.cmp(&b.line))
}

/// Lines between two entries of [`Placed::points`] (a few in tests, whose logs are small).
const POINT_STRIDE: u64 = if cfg!(test) { 3 } else { 256 };

/// Where the records of a [`read_from`] sit in the file, beyond their line numbers.
#[derive(Debug, Default)]
pub(crate) struct Placed {
    /// Indices into `records` of the events without their own id (the ones `hashes` lists, in the
    /// same order), so their occurrence numbers can be corrected once more of the log is known.
    pub(crate) hashed_at: Vec<usize>,
    /// The start of the read, then the start of every line whose number minus one is a multiple of
    /// [`POINT_STRIDE`]: the places a later read can begin at.
    pub(crate) points: Vec<LogPoint>,
}

/// Reads the log from `start` up to byte `end` (just after a newline, or `u64::MAX` for all of it)
/// into records in file order, not yet sorted and with repeats kept.
pub(crate) fn read_from(
    path: &Path,
    start: (u64, u64),
    end: u64,
    symbols: Symbols,
) -> Result<(LogScan, Placed), LogError> {
    let mut occ = Occurrences::default();
    let mut scan = LogScan {
        symbols,
        complete_bytes: start.0,
        complete_lines: start.1,
        ..LogScan::default()
    };
    let mut placed = Placed {
        hashed_at: Vec::new(),
        points: vec![LogPoint {
            bytes: start.0,
            lines: start.1,
        }],
    };
    let mut pending: Option<Vec<Parsed>> = None;
    let bytes = for_each_chunk(path, start, end, |chunk, base, eof| {
        let previous = pending.take();
        let (parsed, ()) = rayon::join(
            || parse_chunk(chunk, base, eof),
            || {
                if let Some(prev) = previous {
                    absorb(&mut scan, &mut placed.hashed_at, &mut occ, prev);
                }
            },
        );
        pending = Some(parsed);
        let complete = match memchr::memrchr(b'\n', chunk) {
            Some(i) => i + 1,
            None => 0,
        };
        // Every chunk starts just after a newline, at `complete_bytes`.
        let chunk_start = scan.complete_bytes;
        let mut lines = base;
        for nl in memchr::memchr_iter(b'\n', &chunk[..complete]) {
            lines += 1;
            if lines % POINT_STRIDE == 0 {
                placed.points.push(LogPoint {
                    bytes: chunk_start + nl as u64 + 1,
                    lines,
                });
            }
        }
        scan.complete_bytes += complete as u64;
        scan.complete_lines = lines;
        Ok(())
    })?;
    if let Some(prev) = pending.take() {
        absorb(&mut scan, &mut placed.hashed_at, &mut occ, prev);
    }
    scan.bytes = bytes;
    Ok((scan, placed))
}

/// Gives the events without their own id of a [`read_from`] (records still in file order) their
/// final occurrence numbers, once it is known how many times each content was seen before the read
/// began (`before`).
pub(crate) fn renumber(scan: &mut LogScan, placed: &Placed, mut before: impl FnMut(u128) -> u32) {
    let mut seen = FxHashMap::<u128, u32>::default();
    for (&at, &key) in placed.hashed_at.iter().zip(&scan.hashes) {
        let n = seen.entry(key).or_insert_with(|| before(key));
        *n += 1;
        if let Some(record) = scan.records.get_mut(at) {
            record.id = gen_core::event::derived_id(&format!("{key:032x}"), *n).into_boxed_str();
        }
    }
}

fn absorb(
    scan: &mut LogScan,
    hashed_at: &mut Vec<usize>,
    occ: &mut Occurrences,
    parsed: Vec<Parsed>,
) {
    for (line, torn, result) in parsed {
        match result {
            None => {}
            Some(Ok(ev)) => {
                scan.lines += 1;
                let mut id = ev.id;
                if let Some(key) = ev.hash {
                    scan.hashes.push(key);
                    hashed_at.push(scan.records.len());
                    let n = occ.next(key);
                    if n > 1 {
                        id = gen_core::event::derived_id(&format!("{key:032x}"), n);
                    }
                }
                if let Some(reason) = ev.untimed {
                    scan.untimed.push(Untimed { line, reason });
                }
                scan.records.push(Record::from_facts(
                    id.into_boxed_str(),
                    line,
                    ev.timestamp,
                    &ev.facts,
                    &mut scan.symbols,
                ));
            }
            Some(Err((error, excerpt))) => {
                scan.lines += 1;
                scan.malformed.push(Malformed {
                    line,
                    error,
                    excerpt,
                    torn,
                });
            }
        }
    }
}

/// One line of the log as [`each_line`] hands it out.
pub enum LineItem {
    /// An event with its final id and raw text.
    Event(Box<LoggedEvent>),
    /// A line that is not an event.
    Malformed(Malformed),
}

/// Streams every line in file order with final ids, keeping only what `keep` wants in memory.
///
/// Occurrence numbers of derived ids are counted over all lines, so an event gets the same id whether
/// or not its twins are kept.
pub fn each_line(
    path: &Path,
    keep: impl FnMut(&Event) -> bool,
    sink: impl FnMut(LineItem),
) -> Result<(), LogError> {
    each_line_after(path, LogPoint::default(), keep, sink).map(|_| ())
}

/// What a read of the log from a point on found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TailRead {
    /// Just after the last newline read: where the next read starts (a torn last line is read again).
    pub end: LogPoint,
    /// Whether an event without its own `event_id` was read: its derived id counts only the twins
    /// past the start, so a caller that needs exact ids reads from the beginning instead.
    pub derived_ids: bool,
}

/// Streams the lines after `start` (which must follow a newline) like [`each_line`], with their
/// line numbers in the whole file: what sync reads of a log it has seen before.
pub fn each_line_after(
    path: &Path,
    start: LogPoint,
    mut keep: impl FnMut(&Event) -> bool,
    mut sink: impl FnMut(LineItem),
) -> Result<TailRead, LogError> {
    let mut occ = Occurrences::default();
    let mut end = start;
    let mut derived_ids = false;
    for_each_chunk(
        path,
        (start.bytes, start.lines),
        u64::MAX,
        |chunk, base, eof| {
            let lines = split_lines(chunk, base, eof);
            let parsed: Vec<_> = lines
                .par_iter()
                .map(|(n, text, torn)| (*n, *torn, parse_bytes(text, true), *text))
                .collect();
            for (line, torn, result, text) in parsed {
                match result {
                    None => {}
                    Some(Ok(mut event)) => {
                        if let Some(key) = hash_key(&event) {
                            derived_ids = true;
                            let n = occ.next(key);
                            if n > 1
                                && let Some(h) = &event.content_hash
                            {
                                event.id = gen_core::event::derived_id(h, n);
                            }
                        }
                        if keep(&event) {
                            sink(LineItem::Event(Box::new(LoggedEvent {
                                line,
                                raw: String::from_utf8_lossy(text).into_owned(),
                                event,
                            })));
                        }
                    }
                    Some(Err(error)) => sink(LineItem::Malformed(Malformed {
                        line,
                        error,
                        excerpt: excerpt(text),
                        torn,
                    })),
                }
            }
            let complete = memchr::memrchr(b'\n', chunk).map_or(0, |i| i + 1);
            end.bytes += complete as u64;
            end.lines += memchr::memchr_iter(b'\n', &chunk[..complete]).count() as u64;
            Ok(())
        },
    )?;
    Ok(TailRead { end, derived_ids })
}

/// Reads every line with its raw text, for listing.
pub fn read_lines(path: &Path) -> Result<LogLines, LogError> {
    let mut out = LogLines::default();
    each_line(
        path,
        |_| true,
        |item| match item {
            LineItem::Event(e) => out.events.push(*e),
            LineItem::Malformed(m) => out.malformed.push(m),
        },
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_row_json_shape_is_pinned() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events.jsonl");
        std::fs::write(
            &p,
            "{\"event_type\":\"iteration_completed\",\"timestamp\":\"2026-03-01T11:00:00+01:00\",\"event_id\":\"e-1\",\"project\":\"billing\",\"agent_id\":\"ana\",\"feature\":\"REQ-F-PAY-001\",\"edge\":\"intent->requirements\",\"delta\":2}\n",
        )
        .unwrap();
        let mut rows = Vec::new();
        each_line(
            &p,
            |_| true,
            |item| {
                if let LineItem::Event(e) = item {
                    rows.push(EventRow::from(*e));
                }
            },
        )
        .unwrap();
        insta::assert_json_snapshot!(rows);
        let value = serde_json::to_value(&rows).unwrap();
        assert_eq!(
            serde_json::from_value::<Vec<EventRow>>(value).ok(),
            Some(rows)
        );
    }

    #[test]
    fn malformed_lines_are_reported_with_numbers_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events.jsonl");
        std::fs::write(
            &p,
            "{\"event_type\":\"a\",\"timestamp\":\"2026-01-02T00:00:00Z\"}\n\nnot json\n{\"event_type\":\"b\",\"timestamp\":\"2026-01-01T00:00:00Z\"}\n{\"event_type\":\"c\",\"tim",
        )
        .unwrap();
        let scan = scan_records(&p).unwrap();
        assert_eq!(scan.lines, 4);
        assert_eq!(scan.records.len(), 2);
        assert_eq!(scan.records[0].line, 4, "sorted by time, not file order");
        let lines: Vec<_> = scan.malformed.iter().map(|m| (m.line, m.torn)).collect();
        assert_eq!(lines, [(3, false), (5, true)]);
        let all = read_lines(&p).unwrap();
        assert_eq!(all.events.len(), 2);
        assert_eq!(
            all.events[1].raw,
            "{\"event_type\":\"b\",\"timestamp\":\"2026-01-01T00:00:00Z\"}"
        );
    }

    #[test]
    fn scan_and_listing_agree_on_ids_of_repeated_events() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events.jsonl");
        let line = "{\"event_type\":\"a\",\"timestamp\":\"2026-01-02T00:00:00Z\"}\n";
        std::fs::write(&p, line.repeat(3)).unwrap();
        let scan = scan_records(&p).unwrap();
        let listed = read_lines(&p).unwrap();
        let mut a: Vec<String> = scan.records.iter().map(|r| r.id.to_string()).collect();
        let mut b: Vec<String> = listed.events.iter().map(|e| e.event.id.clone()).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
        b.dedup();
        assert_eq!(b.len(), 3);
    }

    #[test]
    fn chunk_boundaries_do_not_split_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events.jsonl");
        let mut text = String::new();
        let pad = "x".repeat(1000);
        let n = (CHUNK / 1000) * 2 + 7;
        for i in 0..n {
            text.push_str(&format!(
                "{{\"event_type\":\"t\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"i\":{i},\"pad\":\"{pad}\"}}\n"
            ));
        }
        std::fs::write(&p, text).unwrap();
        let scan = scan_records(&p).unwrap();
        assert_eq!(scan.records.len(), n);
        assert!(scan.malformed.is_empty());
        let mut lines: Vec<u64> = scan.records.iter().map(|r| r.line).collect();
        lines.sort();
        assert_eq!(lines, (1..=n as u64).collect::<Vec<_>>());
    }
}
