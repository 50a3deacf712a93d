//! Reading the event log: every line parsed (in parallel), malformed lines reported with their number.

use crate::log::LogError;
use gen_core::event::{Event, LineError, assign_ids, parse_line};
use gen_core::projection::{Record, Symbols, sort_records};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A line that is not an event; it stays in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    mut f: impl FnMut(&[u8], u64, bool) -> Result<(), LogError>,
) -> Result<u64, LogError> {
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
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK * 2);
    let mut line_base = 0u64;
    let mut total = 0u64;
    let mut eof = false;
    while !eof {
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let n = read_full(&mut file, &mut buf[start..]).map_err(|source| LogError::Io {
            action: "cannot read",
            path: path.to_path_buf(),
            source,
        })?;
        buf.truncate(start + n);
        total += n as u64;
        eof = n == 0 || n < CHUNK;
        let cut = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf) {
                Some(i) => i + 1,
                None => continue,
            }
        };
        let lines_here = memchr::memchr_iter(b'\n', &buf[..cut]).count() as u64;
        f(&buf[..cut], line_base, eof)?;
        line_base += lines_here;
        buf.drain(..cut);
    }
    Ok(total)
}

fn read_full(file: &mut std::fs::File, mut out: &mut [u8]) -> std::io::Result<usize> {
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

fn parse_bytes(bytes: &[u8]) -> Option<Result<Event, LineError>> {
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
    Some(parse_line(text))
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

/// Reads the log into sorted records for projections.
pub fn scan_records(path: &Path) -> Result<LogScan, LogError> {
    let mut scan = LogScan::default();
    let mut occurrences: HashMap<u128, u32> = HashMap::new();
    let bytes = for_each_chunk(path, |chunk, base, eof| {
        let lines = split_lines(chunk, base, eof);
        let parsed: Vec<(u64, bool, Option<Result<Event, LineError>>, &[u8])> = lines
            .par_iter()
            .map(|(n, text, torn)| (*n, *torn, parse_bytes(text), *text))
            .collect();
        for (line, torn, result, text) in parsed {
            match result {
                None => {}
                Some(Ok(mut event)) => {
                    scan.lines += 1;
                    if let Some(key) = hash_key(&event) {
                        let n = occurrences.entry(key).or_insert(0);
                        *n += 1;
                        if *n > 1 {
                            if let Some(h) = &event.content_hash {
                                event.id = gen_core::event::canonical::derived_id(h, *n);
                            }
                        }
                    }
                    if event.timestamp.is_none() {
                        scan.untimed.push(Untimed {
                            line,
                            reason: match &event.timestamp_error {
                                Some(e) => e.to_string(),
                                None => "no timestamp".into(),
                            },
                        });
                    }
                    scan.records
                        .push(Record::from_event(&event, line, &mut scan.symbols));
                }
                Some(Err(error)) => {
                    scan.lines += 1;
                    scan.malformed.push(Malformed {
                        line,
                        error,
                        excerpt: excerpt(text),
                        torn,
                    });
                }
            }
        }
        Ok(())
    })?;
    scan.bytes = bytes;
    sort_records(&mut scan.records);
    Ok(scan)
}

/// Reads every line with its raw text, for listing.
pub fn read_lines(path: &Path) -> Result<LogLines, LogError> {
    let mut out = LogLines::default();
    for_each_chunk(path, |chunk, base, eof| {
        let lines = split_lines(chunk, base, eof);
        let parsed: Vec<_> = lines
            .par_iter()
            .map(|(n, text, torn)| (*n, *torn, parse_bytes(text), *text))
            .collect();
        for (line, torn, result, text) in parsed {
            match result {
                None => {}
                Some(Ok(event)) => out.events.push(LoggedEvent {
                    line,
                    raw: String::from_utf8_lossy(text).into_owned(),
                    event,
                }),
                Some(Err(error)) => out.malformed.push(Malformed {
                    line,
                    error,
                    excerpt: excerpt(text),
                    torn,
                }),
            }
        }
        Ok(())
    })?;
    assign_ids(out.events.iter_mut().map(|e| &mut e.event));
    Ok(out)
}

/// The log path of a workspace folder.
pub fn events_path(dir: &Path) -> PathBuf {
    dir.join("events").join("events.jsonl")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(all.events[1].raw, "{\"event_type\":\"b\",\"timestamp\":\"2026-01-01T00:00:00Z\"}");
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
