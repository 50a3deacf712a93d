//! The append-only event log file: exclusive lock, durable appends, torn-tail repair.
//!
//! Appends lock `events.jsonl` itself with `flock` (the Python writers lock the same file, so we exclude
//! them too), write each line with one `write_all` on an `O_APPEND` descriptor and `fsync` before
//! returning. The file is never rewritten: the only change besides appending is cutting off a torn
//! final fragment, which is first copied to a `torn/` folder beside the log (`events/torn/`) so not even
//! a partial line is lost.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Failures of the log file, with the path in every message.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// An OS error on the log.
    #[error("{action} {path}: {source}")]
    Io {
        /// What we were doing.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A line to append is not one JSON object on one line.
    #[error("refusing to append an invalid event line: {0}")]
    InvalidLine(String),
}

/// Wraps an OS error with what we were doing and to which file.
pub(crate) fn io<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> LogError + 'a {
    move |source| LogError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// What a torn-tail repair did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// 1-based line number the fragment occupied.
    pub line: u64,
    /// Bytes cut off.
    pub bytes: u64,
    /// Where the fragment was saved.
    pub saved_to: PathBuf,
}

/// The state of the end of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail {
    /// Empty, or ends with `\n`.
    Clean,
    /// The last line is complete JSON but lacks its newline (another writer's habit).
    MissingNewline,
    /// The last line is cut off mid-write: `bytes` long, starting at byte `offset`, on `line`.
    Torn {
        /// Byte offset of the fragment.
        offset: u64,
        /// Fragment length.
        bytes: u64,
        /// 1-based line number.
        line: u64,
    },
}

/// Looks at the end of the log without changing it.
pub fn inspect_tail(path: &Path) -> Result<Tail, LogError> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Tail::Clean),
        Err(e) => return Err(io("cannot open", path)(e)),
    };
    tail_of(&mut f, path)
}

fn tail_of(f: &mut File, path: &Path) -> Result<Tail, LogError> {
    let len = f.metadata().map_err(io("cannot stat", path))?.len();
    if len == 0 {
        return Ok(Tail::Clean);
    }
    // Read backwards in blocks until the previous newline.
    let mut block = 64 * 1024u64;
    loop {
        let start = len.saturating_sub(block);
        f.seek(SeekFrom::Start(start))
            .map_err(io("cannot seek", path))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        Read::by_ref(f)
            .take(len - start)
            .read_to_end(&mut buf)
            .map_err(io("cannot read", path))?;
        if buf.last() == Some(&b'\n') {
            return Ok(Tail::Clean);
        }
        if let Some(nl) = memchr::memrchr(b'\n', &buf) {
            return classify_fragment(f, path, start + nl as u64 + 1, &buf[nl + 1..]);
        }
        if start == 0 {
            return classify_fragment(f, path, 0, &buf);
        }
        block *= 4;
    }
}

fn classify_fragment(
    f: &mut File,
    path: &Path,
    offset: u64,
    frag: &[u8],
) -> Result<Tail, LogError> {
    let complete = std::str::from_utf8(frag)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .is_some_and(|v| v.is_object());
    if complete {
        return Ok(Tail::MissingNewline);
    }
    Ok(Tail::Torn {
        offset,
        bytes: frag.len() as u64,
        line: count_lines_before(f, path, offset)? + 1,
    })
}

fn count_lines_before(f: &mut File, path: &Path, offset: u64) -> Result<u64, LogError> {
    f.seek(SeekFrom::Start(0))
        .map_err(io("cannot seek", path))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, f.take(offset));
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = reader.read(&mut buf).map_err(io("cannot read", path))?;
        if k == 0 {
            return Ok(n);
        }
        n += memchr::memchr_iter(b'\n', &buf[..k]).count() as u64;
    }
}

/// An open, exclusively locked log; dropping it releases the lock.
pub struct LockedLog {
    file: File,
    path: PathBuf,
}

impl LockedLog {
    /// Opens (creating if needed) and locks the log exclusively, waiting for other writers.
    pub fn open(path: &Path) -> Result<LockedLog, LogError> {
        if let Some(parent) = path.parent() {
            crate::atomic::create_dir_all_durable(parent).map_err(io("cannot create", parent))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io("cannot open", path))?;
        file.lock().map_err(io("cannot lock", path))?;
        Ok(LockedLog {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Makes the end of the file safe to append to: adds a missing newline, moves a torn fragment aside.
    pub fn repair_tail(&mut self) -> Result<Option<TornTail>, LogError> {
        match tail_of(&mut self.file, &self.path)? {
            Tail::Clean => Ok(None),
            Tail::MissingNewline => {
                self.file
                    .write_all(b"\n")
                    .map_err(io("cannot write", &self.path))?;
                self.file
                    .sync_data()
                    .map_err(io("cannot sync", &self.path))?;
                Ok(None)
            }
            Tail::Torn {
                offset,
                bytes,
                line,
            } => {
                let saved_to = self.save_fragment(offset, bytes)?;
                self.file
                    .set_len(offset)
                    .map_err(io("cannot truncate", &self.path))?;
                self.file
                    .sync_all()
                    .map_err(io("cannot sync", &self.path))?;
                Ok(Some(TornTail {
                    line,
                    bytes,
                    saved_to,
                }))
            }
        }
    }

    fn save_fragment(&mut self, offset: u64, bytes: u64) -> Result<PathBuf, LogError> {
        let mut frag = Vec::with_capacity(bytes as usize);
        self.file
            .seek(SeekFrom::Start(offset))
            .map_err(io("cannot seek", &self.path))?;
        (&self.file)
            .take(bytes)
            .read_to_end(&mut frag)
            .map_err(io("cannot read", &self.path))?;
        let dir = self
            .path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("torn");
        std::fs::create_dir_all(&dir).map_err(io("cannot create", &dir))?;
        // Named after the log it was cut from (events.jsonl, a draft journal, ...).
        let stem = self
            .path
            .file_stem()
            .map_or_else(|| "log".into(), |s| s.to_string_lossy().into_owned());
        let name = format!(
            "{stem}-torn-at-byte-{offset}-{}.fragment",
            std::process::id()
        );
        let dest = dir.join(name);
        let mut out = File::create(&dest).map_err(io("cannot create", &dest))?;
        out.write_all(&frag).map_err(io("cannot write", &dest))?;
        out.sync_all().map_err(io("cannot sync", &dest))?;
        sync_dir(&dir)?;
        Ok(dest)
    }

    /// Appends complete lines (each one JSON object, no newline inside) and makes them durable.
    ///
    /// The batch is one `write_all`, so concurrent writers holding the lock in turn never interleave.
    pub fn append(&mut self, lines: &[String]) -> Result<(), LogError> {
        let mut buf = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for line in lines {
            if line.contains('\n') || line.contains('\r') {
                return Err(LogError::InvalidLine("the line contains a newline".into()));
            }
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(v) if v.is_object() => {}
                Ok(_) => return Err(LogError::InvalidLine("not a JSON object".into())),
                Err(e) => return Err(LogError::InvalidLine(e.to_string())),
            }
            buf.push_str(line);
            buf.push('\n');
        }
        self.file
            .write_all(buf.as_bytes())
            .map_err(io("cannot append to", &self.path))?;
        self.file
            .sync_data()
            .map_err(io("cannot sync", &self.path))?;
        Ok(())
    }

    /// Current length in bytes.
    pub fn len(&self) -> Result<u64, LogError> {
        Ok(self
            .file
            .metadata()
            .map_err(io("cannot stat", &self.path))?
            .len())
    }

    /// True when the log has no bytes.
    pub fn is_empty(&self) -> Result<bool, LogError> {
        Ok(self.len()? == 0)
    }
}

/// Fsyncs a directory so a newly created entry survives a crash.
pub fn sync_dir(dir: &Path) -> Result<(), LogError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("cannot sync", dir))
}

/// Appends lines durably: lock, repair the tail, write, fsync. Returns a torn-tail repair if one happened.
pub fn append_lines(path: &Path, lines: &[String]) -> Result<Option<TornTail>, LogError> {
    let created = !path.exists();
    let mut log = LockedLog::open(path)?;
    let torn = log.repair_tail()?;
    log.append(lines)?;
    if created && let Some(parent) = path.parent() {
        sync_dir(parent)?;
    }
    Ok(torn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn append_creates_and_terminates_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events/events.jsonl");
        append_lines(&p, &[r#"{"a":1}"#.into(), r#"{"b":2}"#.into()]).unwrap();
        assert_eq!(read(&p), "{\"a\":1}\n{\"b\":2}\n");
    }

    #[test]
    fn a_complete_last_line_without_newline_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events.jsonl");
        std::fs::write(&p, "{\"a\":1}\n{\"b\":2}").unwrap();
        assert_eq!(inspect_tail(&p).unwrap(), Tail::MissingNewline);
        let torn = append_lines(&p, &[r#"{"c":3}"#.into()]).unwrap();
        assert_eq!(torn, None);
        assert_eq!(read(&p), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    }

    #[test]
    fn a_torn_tail_is_saved_aside_and_cut_without_losing_complete_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events.jsonl");
        std::fs::write(&p, "{\"a\":1}\n{\"b\":2}\n{\"event_type\":\"x\",\"ti").unwrap();
        assert!(matches!(
            inspect_tail(&p).unwrap(),
            Tail::Torn { line: 3, .. }
        ));
        let torn = append_lines(&p, &[r#"{"c":3}"#.into()]).unwrap().unwrap();
        assert_eq!(torn.line, 3);
        assert_eq!(read(&torn.saved_to), "{\"event_type\":\"x\",\"ti");
        assert_eq!(read(&p), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    }

    #[test]
    fn invalid_lines_are_refused_before_anything_is_written() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("events.jsonl");
        std::fs::write(&p, "{\"a\":1}\n").unwrap();
        assert!(append_lines(&p, &["{\"ok\":1}".into(), "{nope".into()]).is_err());
        assert!(append_lines(&p, &["{\"a\":\n1}".into()]).is_err());
        assert!(append_lines(&p, &["[1]".into()]).is_err());
        assert_eq!(read(&p), "{\"a\":1}\n");
    }
}
