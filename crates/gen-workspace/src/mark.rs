//! Places in the event log, and proof that a prefix read earlier is still there unchanged: what lets
//! the status cache and sync read only what was appended since their last visit.

use crate::log::{LogError, io};
use serde::{Deserialize, Serialize};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3;

pub(crate) const EDGE: u64 = 1 << 20;
const SAMPLES: u64 = 64;
const SAMPLE_LEN: u64 = 4096;

/// A place in the log just after a newline: the bytes and the lines before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LogPoint {
    /// Bytes before the point.
    pub bytes: u64,
    /// Lines (newlines) before the point.
    pub lines: u64,
}

/// A prefix of the log as it was when read: its end, the file's identity and a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMark {
    /// Where the prefix ends.
    pub point: LogPoint,
    dev: u64,
    ino: u64,
    fingerprint: u64,
}

impl LogMark {
    /// Marks the first `point.bytes` bytes of the log as they are now.
    pub fn take(path: &Path, point: LogPoint) -> Result<LogMark, LogError> {
        let stat = std::fs::metadata(path).map_err(io("cannot stat", path))?;
        let (dev, ino) = identity(&stat);
        Ok(LogMark {
            point,
            dev,
            ino,
            fingerprint: fingerprint(path, point.bytes)?,
        })
    }

    /// Whether the log still begins with the marked prefix: same file (device and inode), at least
    /// as long, and the first and last MiB of the prefix plus 64 blocks spread through it unchanged.
    ///
    /// What this cannot see: an in-place edit that keeps identity and length and changes none of the
    /// sampled bytes. The log is append-only by contract and every tool we know of rewrites by rename
    /// (a new inode) or truncation (a shorter file).
    pub fn holds(&self, path: &Path) -> Result<Result<(), &'static str>, LogError> {
        let stat = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(_) => return Ok(Err("no event log")),
        };
        if identity(&stat) != (self.dev, self.ino) {
            return Ok(Err("events.jsonl was replaced"));
        }
        if stat.len() < self.point.bytes {
            return Ok(Err("events.jsonl shrank"));
        }
        if fingerprint(path, self.point.bytes)? != self.fingerprint {
            return Ok(Err("events.jsonl changed inside the part read before"));
        }
        Ok(Ok(()))
    }
}

#[cfg(unix)]
pub(crate) fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
pub(crate) fn identity(_meta: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// Hashes the head, the tail and 64 spread blocks of the first `covered` bytes.
pub(crate) fn fingerprint(path: &Path, covered: u64) -> Result<u64, LogError> {
    let mut file = std::fs::File::open(path).map_err(io("cannot open", path))?;
    let mut hasher = Xxh3::new();
    hasher.update(&covered.to_le_bytes());
    let mut ranges = vec![
        (0, covered.min(EDGE)),
        (covered.saturating_sub(EDGE), covered),
    ];
    if covered > 2 * EDGE {
        let step = covered / SAMPLES;
        for i in 0..SAMPLES {
            let at = i * step;
            ranges.push((at, (at + SAMPLE_LEN).min(covered)));
        }
    }
    let mut buf = Vec::new();
    for (from, to) in ranges {
        buf.clear();
        file.seek(SeekFrom::Start(from))
            .map_err(io("cannot seek", path))?;
        Read::by_ref(&mut file)
            .take(to - from)
            .read_to_end(&mut buf)
            .map_err(io("cannot read", path))?;
        hasher.update(&buf);
    }
    Ok(hasher.digest())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_mark_holds_while_the_log_only_grows_and_breaks_on_a_rewrite_or_a_truncation() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events.jsonl");
        std::fs::write(&p, "{\"a\":1}\n").unwrap();
        let mark = LogMark::take(&p, LogPoint { bytes: 8, lines: 1 }).unwrap();
        assert_eq!(mark.holds(&p).unwrap(), Ok(()));
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"{\"b\":2}\n").unwrap();
        assert_eq!(mark.holds(&p).unwrap(), Ok(()));
        // Same length, other bytes, new inode (a rewrite by rename).
        let other = tmp.path().join("other");
        std::fs::write(&other, "{\"a\":9}\n{\"b\":2}\n").unwrap();
        std::fs::rename(&other, &p).unwrap();
        assert!(mark.holds(&p).unwrap().is_err());
        let mark = LogMark::take(
            &p,
            LogPoint {
                bytes: 16,
                lines: 2,
            },
        )
        .unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(&p)
            .unwrap()
            .set_len(8)
            .unwrap();
        assert_eq!(mark.holds(&p).unwrap(), Err("events.jsonl shrank"));
        assert_eq!(
            LogMark::take(&p, LogPoint::default())
                .unwrap()
                .holds(&tmp.path().join("none"))
                .unwrap(),
            Err("no event log")
        );
    }
}
