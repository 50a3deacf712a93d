//! The session journal on disk: reading it (with its torn tail), replaying it, and compacting it
//! into one snapshot record when it grows.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use gen_workbench::{History, JournalRecord};
use gen_workspace::TornTail;
use gen_workspace::write_atomic;

use crate::{DraftError, DraftName, Drafts, io};

/// When a journal is rewritten as one snapshot record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compaction {
    /// Compact once the journal holds more records than this (`None`: never by count).
    pub max_records: Option<usize>,
    /// Compact once the records after the first weigh more than this many bytes and more than the
    /// first record (`None`: never by size).
    pub min_bytes: Option<u64>,
}

impl Default for Compaction {
    /// 256 records or 1 MiB beyond the snapshot: replay stays in the low milliseconds.
    fn default() -> Self {
        Compaction {
            max_records: Some(256),
            min_bytes: Some(1 << 20),
        }
    }
}

impl Compaction {
    /// Never compact (benchmarks measure replay of long journals with it).
    pub const NEVER: Compaction = Compaction {
        max_records: None,
        min_bytes: None,
    };

    pub(crate) fn due(&self, records: usize, first_bytes: u64, total_bytes: u64) -> bool {
        let rest = total_bytes.saturating_sub(first_bytes);
        self.max_records.is_some_and(|max| records > max)
            || self
                .min_bytes
                .is_some_and(|min| rest > min && rest > first_bytes)
    }
}

/// A torn final journal line: an interrupted write that was never acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornJournal {
    /// 1-based line number of the fragment.
    pub line: usize,
    /// Its length in bytes.
    pub bytes: u64,
    /// Where it was moved, when a change repaired it (readers only report it).
    pub saved_to: Option<PathBuf>,
}

impl From<TornTail> for TornJournal {
    fn from(t: TornTail) -> Self {
        TornJournal {
            line: usize::try_from(t.line).unwrap_or(usize::MAX),
            bytes: t.bytes,
            saved_to: Some(t.saved_to),
        }
    }
}

/// The journal read from disk: records, their count and sizes, and a torn tail.
pub(crate) struct Journal {
    pub(crate) records: Vec<JournalRecord>,
    pub(crate) first_bytes: u64,
    pub(crate) total_bytes: u64,
    pub(crate) torn: Option<TornJournal>,
}

impl Drafts {
    /// Rewrites the journal as one snapshot record (caller holds the exclusive lock).
    pub(crate) fn compact(&self, name: &DraftName, history: &History) -> Result<(), DraftError> {
        let folder = self.folder(name);
        // Temp files of compactions killed mid-write; nobody else writes here under the lock.
        if let Ok(entries) = std::fs::read_dir(&folder) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(".tmp") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let mut text = record_line(&history.snapshot_record());
        text.push('\n');
        write_atomic(&self.journal_path(name), text.as_bytes())?;
        Ok(())
    }
}

pub(crate) fn record_line(record: &JournalRecord) -> String {
    // Records are plain data; serialising them cannot fail.
    serde_json::to_string(record).unwrap_or_default()
}

pub(crate) fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Reads and parses a journal; a final line without newline that does not parse is a torn tail
/// (reported, not replayed), any other bad line is an error.
pub(crate) fn read_journal(path: &Path) -> Result<Journal, DraftError> {
    let bytes = std::fs::read(path).map_err(io("cannot read", path))?;
    let total_bytes = bytes.len() as u64;
    let mut records = Vec::new();
    let mut first_bytes = 0;
    let mut torn = None;
    let mut start = 0;
    let mut line_no = 0;
    while start < bytes.len() {
        line_no += 1;
        let (end, complete) = match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => (start + i, true),
            None => (bytes.len(), false),
        };
        let line = &bytes[start..end];
        let parsed = std::str::from_utf8(line)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                serde_json::from_str::<JournalRecord>(text).map_err(|e| e.to_string())
            });
        match parsed {
            Ok(record) => {
                if records.is_empty() {
                    first_bytes = (end - start) as u64 + 1;
                }
                records.push(record);
            }
            Err(_) if !complete => {
                torn = Some(TornJournal {
                    line: line_no,
                    bytes: (end - start) as u64,
                    saved_to: None,
                });
            }
            Err(message) => {
                return Err(DraftError::CorruptRecord {
                    path: path.to_path_buf(),
                    line: line_no,
                    message,
                });
            }
        }
        start = end + 1;
    }
    Ok(Journal {
        records,
        first_bytes,
        total_bytes,
        torn,
    })
}

pub(crate) fn replay(path: &Path, records: &[JournalRecord]) -> Result<History, DraftError> {
    History::replay(records).map_err(|source| DraftError::Replay {
        path: path.to_path_buf(),
        source,
    })
}
