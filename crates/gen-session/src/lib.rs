//! Durable workbench sessions ("drafts"), saved blueprints and the topology as a draft, on disk.
//!
//! This edge crate depends on the pure `gen-workbench` crate (allowed by the architecture: I/O at
//! the edges, decisions in the pure crates). Everything that decides — the reducer, history, journal
//! replay and compaction records, blueprint and topology conversions — is in `gen-workbench`; this
//! module only moves bytes between the disk and those functions.
//!
//! # Layout
//!
//! ```text
//! .ai-workspace/workbench/drafts/<name>/journal.jsonl   the session journal (JSON Lines)
//! .ai-workspace/workbench/drafts/<name>/lock            lock file (never replaced, never written)
//! .ai-workspace/workbench/drafts/<name>/layout.json     node positions: view state, not history
//! .ai-workspace/workbench/drafts/<name>/topology-base   fingerprint of the topology it was opened from
//! .ai-workspace/workbench/drafts/<name>/torn/           torn journal tails moved aside on repair
//! .ai-workspace/workbench/backups/graph_topology-<UTC>.yml   topology before each save
//! .ai-workspace/blueprints/<name>.json                  saved blueprints (configs, see blueprints)
//! ```
//!
//! The journal holds one [`JournalRecord`] per line: `open` (or, after compaction, `snapshot`)
//! first, then one `batch`, `undo` or `redo` per accepted action. Opening a draft replays it.
//!
//! # Durability and concurrency
//!
//! Every change takes the exclusive lock on `lock`, repairs a torn tail left by a crash (moved to
//! `torn/`, exactly as the event log does, through [`crate::log::LockedLog`]), replays the journal,
//! runs the action through the history, appends the record and fsyncs it — and only then reports
//! success. Readers take the shared lock, so they never see a half-compacted draft. The lock lives
//! in its own file because compaction replaces `journal.jsonl` by an atomic rename: a writer that
//! waited on the old journal's lock would otherwise append to a file nobody reads any more.
//!
//! # Compaction
//!
//! Replay cost grows with the journal, so after a change the journal is rewritten (atomically: temp
//! file, fsync, rename) as a single `snapshot` record when it holds more than
//! [`Compaction::max_records`] records, or when the records after the first one outweigh both
//! [`Compaction::min_bytes`] and the first record itself. The snapshot reproduces the draft *and*
//! both undo stacks, their messages and the revision; a crash during compaction leaves the old
//! journal, which replays to the same state.

pub mod blueprints;
pub mod name;
pub mod report;
pub mod topology;
pub mod yaml;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use gen_workbench::{
    Action, BatchReport, Draft, History, JournalRecord, Layout, Rejection, ReplayError,
};

use gen_workspace::atomic::{WriteError, write_atomic};
use gen_workspace::log::{LockedLog, LogError, TornTail, sync_dir};

pub use name::{BlueprintName, DraftName, NameError};

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

    fn due(&self, records: usize, first_bytes: u64, total_bytes: u64) -> bool {
        let rest = total_bytes.saturating_sub(first_bytes);
        self.max_records.is_some_and(|max| records > max)
            || self
                .min_bytes
                .is_some_and(|min| rest > min && rest > first_bytes)
    }
}

/// Everything that can go wrong with drafts, each naming the file involved.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// A refused draft or blueprint name.
    #[error(transparent)]
    Name(#[from] NameError),
    /// No draft of that name.
    #[error("no draft named `{name}` in {dir}")]
    NotFound {
        /// The name asked for.
        name: String,
        /// Where drafts live.
        dir: PathBuf,
    },
    /// `new` for a name that is taken.
    #[error("a draft named `{name}` already exists ({path})")]
    Exists {
        /// The name asked for.
        name: String,
        /// Its journal.
        path: PathBuf,
    },
    /// A complete journal line that is not a record (hand edits, another program).
    #[error("{path}:{line}: not a journal record: {message}")]
    CorruptRecord {
        /// The journal.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What the parser said.
        message: String,
    },
    /// The journal's records do not replay (written by a different reducer version, or edited).
    #[error("{path}: {source}")]
    Replay {
        /// The journal.
        path: PathBuf,
        /// What replay found.
        #[source]
        source: ReplayError,
    },
    /// Lock, append or repair of the journal failed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// An atomic rewrite failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Any other OS error.
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
    /// A blueprint file that does not pass the strict parser.
    #[error("{path}: {rejection}")]
    InvalidBlueprint {
        /// The blueprint file.
        path: PathBuf,
        /// What is wrong, with its JSON path or line.
        rejection: Box<Rejection>,
    },
    /// No blueprint of that name.
    #[error("no blueprint named `{name}` ({path} does not exist)")]
    BlueprintNotFound {
        /// The name asked for.
        name: String,
        /// The file it would be.
        path: PathBuf,
    },
    /// A topology problem; see [`topology::TopologyProblem`] (boxed: it is much larger than the
    /// other variants).
    #[error(transparent)]
    Topology(Box<topology::TopologyProblem>),
}

impl From<topology::TopologyProblem> for DraftError {
    fn from(problem: topology::TopologyProblem) -> Self {
        DraftError::Topology(Box::new(problem))
    }
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> DraftError + 'a {
    move |source| DraftError::Io {
        action,
        path: path.to_path_buf(),
        source,
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

/// A replayed draft with its history and view state.
#[derive(Debug, Clone)]
pub struct Session {
    /// Its name.
    pub name: DraftName,
    /// Draft, undo and redo stacks, revision.
    pub history: History,
    /// Node positions (view state).
    pub layout: Layout,
    /// When the journal last changed.
    pub modified: Option<SystemTime>,
    /// Records in the journal (1 right after compaction).
    pub records: usize,
    /// A torn tail found (and, on changes, repaired).
    pub torn: Option<TornJournal>,
    /// Why `layout.json` could not be used (positions are then reset; the draft is unaffected).
    pub layout_problem: Option<String>,
}

/// What a change did.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The session after the change (unchanged when nothing applied).
    pub session: Session,
    /// Whether the journal was compacted after this change.
    pub compacted: bool,
    /// A compaction that failed after the change was already durable (the change stands).
    pub compaction_error: Option<String>,
}

/// The result of `apply`: what the reducer did, and the session after it.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The reducer's report (the source of every line shown to the user).
    pub report: BatchReport,
    /// The session after the batch.
    pub changed: Changed,
}

/// One line of `gen draft list`.
#[derive(Debug, Clone)]
pub struct DraftSummary {
    /// The draft's name.
    pub name: String,
    /// The replayed session, or why it could not be replayed.
    pub session: Result<Session, String>,
}

/// The drafts of one workspace.
#[derive(Debug, Clone)]
pub struct Drafts {
    dir: PathBuf,
    compaction: Compaction,
}

/// The exclusive or shared lock of one draft; released on drop.
struct DraftLock {
    _file: File,
}

impl DraftLock {
    fn take(path: &Path, exclusive: bool) -> Result<DraftLock, DraftError> {
        // Readers open it read-only when it exists, so a read-only workspace can still be shown.
        let existing = if exclusive {
            None
        } else {
            File::open(path).ok()
        };
        let file = match existing {
            Some(file) => file,
            None => OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(io("cannot open", path))?,
        };
        if exclusive {
            file.lock().map_err(io("cannot lock", path))?;
        } else {
            file.lock_shared().map_err(io("cannot lock", path))?;
        }
        Ok(DraftLock { _file: file })
    }
}

/// The journal read from disk: records, their count and sizes, and a torn tail.
struct Journal {
    records: Vec<JournalRecord>,
    first_bytes: u64,
    total_bytes: u64,
    torn: Option<TornJournal>,
}

impl Drafts {
    /// The drafts of the workspace whose `.ai-workspace/` folder is `ws_dir`.
    pub fn new(ws_dir: &Path) -> Drafts {
        Drafts {
            dir: ws_dir.join("workbench").join("drafts"),
            compaction: Compaction::default(),
        }
    }

    /// The same store with another compaction policy.
    pub fn with_compaction(mut self, compaction: Compaction) -> Drafts {
        self.compaction = compaction;
        self
    }

    /// Where the drafts live.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn folder(&self, name: &DraftName) -> PathBuf {
        self.dir.join(name.as_str())
    }

    /// The journal file of a draft.
    pub fn journal_path(&self, name: &DraftName) -> PathBuf {
        self.folder(name).join("journal.jsonl")
    }

    fn layout_path(&self, name: &DraftName) -> PathBuf {
        self.folder(name).join("layout.json")
    }

    fn not_found(&self, name: &DraftName) -> DraftError {
        DraftError::NotFound {
            name: name.to_string(),
            dir: self.dir.clone(),
        }
    }

    /// Whether a draft has a journal with at least one record.
    pub fn exists(&self, name: &DraftName) -> bool {
        std::fs::metadata(self.journal_path(name)).is_ok_and(|m| m.len() > 0)
    }

    /// Starts a new draft (fails if the name is taken); durable before it returns.
    pub fn create(
        &self,
        name: &DraftName,
        draft: Draft,
        layout: &Layout,
    ) -> Result<Session, DraftError> {
        let folder = self.folder(name);
        gen_workspace::atomic::create_dir_all_durable(&folder).map_err(io("cannot create", &folder))?;
        let _lock = DraftLock::take(&folder.join("lock"), true)?;
        let path = self.journal_path(name);
        let mut log = LockedLog::open(&path)?;
        let torn = log.repair_tail()?;
        if !log.is_empty()? {
            return Err(DraftError::Exists {
                name: name.to_string(),
                path,
            });
        }
        let history = History::new(draft);
        log.append(&[record_line(&history.open_record())])?;
        drop(log);
        sync_dir(&folder)?;
        // A reused folder must not keep standing for the topology (see `save --topology`).
        self.clear_topology_base(name)?;
        let mut layout = layout.clone();
        layout.retain_nodes(history.draft());
        if !layout.positions.is_empty() {
            self.write_layout(name, &layout)?;
        }
        Ok(Session {
            name: name.clone(),
            history,
            layout,
            modified: modified(&path),
            records: 1,
            torn: torn.map(TornJournal::from),
            layout_problem: None,
        })
    }

    /// Reads a draft under the shared lock (a torn tail is reported, not repaired).
    pub fn load(&self, name: &DraftName) -> Result<Session, DraftError> {
        if !self.exists(name) {
            return Err(self.not_found(name));
        }
        let _lock = DraftLock::take(&self.folder(name).join("lock"), false)?;
        let path = self.journal_path(name);
        let journal = read_journal(&path)?;
        let history = replay(&path, &journal.records)?;
        let (layout, layout_problem) = self.read_layout(name, history.draft())?;
        Ok(Session {
            name: name.clone(),
            layout,
            layout_problem,
            history,
            modified: modified(&path),
            records: journal.records.len(),
            torn: journal.torn,
        })
    }

    /// Runs one change under the exclusive lock: repair, replay, `act`, append + fsync, compact.
    /// `act` returns the record to append, or `None` when nothing changed (nothing is written).
    fn change<T>(
        &self,
        name: &DraftName,
        act: impl FnOnce(&mut History) -> (T, Option<JournalRecord>),
    ) -> Result<(T, Changed), DraftError> {
        if !self.exists(name) {
            return Err(self.not_found(name));
        }
        let _lock = DraftLock::take(&self.folder(name).join("lock"), true)?;
        let path = self.journal_path(name);
        let mut log = LockedLog::open(&path)?;
        let torn = log.repair_tail()?.map(TornJournal::from);
        let journal = read_journal(&path)?;
        let mut history = replay(&path, &journal.records)?;
        let (outcome, record) = act(&mut history);
        let mut records = journal.records.len();
        let mut total_bytes = journal.total_bytes;
        if let Some(record) = &record {
            let line = record_line(record);
            total_bytes += line.len() as u64 + 1;
            log.append(&[line])?;
            records += 1;
        }
        drop(log);
        let mut compacted = false;
        let mut compaction_error = None;
        if record.is_some()
            && self
                .compaction
                .due(records, journal.first_bytes, total_bytes)
        {
            match self.compact(name, &history) {
                Ok(()) => {
                    compacted = true;
                    records = 1;
                }
                Err(e) => compaction_error = Some(e.to_string()),
            }
        }
        let (layout, layout_problem) = self.read_layout(name, history.draft())?;
        let session = Session {
            name: name.clone(),
            layout,
            layout_problem,
            history,
            modified: modified(&path),
            records,
            torn,
        };
        Ok((
            outcome,
            Changed {
                session,
                compacted,
                compaction_error,
            },
        ))
    }

    /// Rewrites the journal as one snapshot record (caller holds the exclusive lock).
    fn compact(&self, name: &DraftName, history: &History) -> Result<(), DraftError> {
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

    /// Applies one turn or gesture; journaled and durable before it returns when anything changed.
    pub fn apply(&self, name: &DraftName, actions: &[Action]) -> Result<Applied, DraftError> {
        let (report, changed) = self.change(name, |history| {
            let report = history.apply(actions);
            let record = history.record_for(actions, &report);
            (report, record)
        })?;
        Ok(Applied { report, changed })
    }

    /// Undoes the last edit; `Ok((None, _))` when there is nothing to undo (nothing is written).
    pub fn undo(&self, name: &DraftName) -> Result<(Option<String>, Changed), DraftError> {
        self.change(name, |history| {
            let message = history.undo_message().map(str::to_string);
            if history.undo() {
                let record = JournalRecord::Undo {
                    revision: history.revision(),
                };
                (message, Some(record))
            } else {
                (None, None)
            }
        })
    }

    /// Re-applies the last undone edit; `Ok((None, _))` when there is nothing to redo.
    pub fn redo(&self, name: &DraftName) -> Result<(Option<String>, Changed), DraftError> {
        self.change(name, |history| {
            let message = history.redo_message().map(str::to_string);
            if history.redo() {
                let record = JournalRecord::Redo {
                    revision: history.revision(),
                };
                (message, Some(record))
            } else {
                (None, None)
            }
        })
    }

    /// Loads `draft` into a session: a new draft when `name` is free, otherwise one undoable
    /// "replace the workflow" edit of the existing draft. The layout is replaced either way (view
    /// state is not part of history).
    pub fn open(
        &self,
        name: &DraftName,
        draft: Draft,
        layout: &Layout,
    ) -> Result<Opened, DraftError> {
        if !self.exists(name) {
            let session = self.create(name, draft, layout)?;
            return Ok(Opened {
                created: true,
                report: None,
                changed: Changed {
                    session,
                    compacted: false,
                    compaction_error: None,
                },
            });
        }
        let replace = vec![Action::ReplaceDraft(gen_workbench::ReplaceDraft {
            draft: draft.to_blueprint(),
        })];
        let mut applied = self.apply(name, &replace)?;
        let mut layout = layout.clone();
        layout.retain_nodes(applied.changed.session.history.draft());
        self.set_layout(name, &layout)?;
        applied.changed.session.layout = layout;
        Ok(Opened {
            created: false,
            report: Some(applied.report),
            changed: applied.changed,
        })
    }

    /// Replaces a draft's node positions (view state: no history entry, no revision change).
    pub fn set_layout(&self, name: &DraftName, layout: &Layout) -> Result<(), DraftError> {
        if !self.exists(name) {
            return Err(self.not_found(name));
        }
        let _lock = DraftLock::take(&self.folder(name).join("lock"), true)?;
        self.write_layout(name, layout)
    }

    /// Fingerprint of the topology text this draft was last opened from or saved to, if any.
    pub fn topology_base(&self, name: &DraftName) -> Option<String> {
        std::fs::read_to_string(self.folder(name).join("topology-base"))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// Forgets the topology fingerprint: the draft no longer stands for the topology file.
    pub fn clear_topology_base(&self, name: &DraftName) -> Result<(), DraftError> {
        let path = self.folder(name).join("topology-base");
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(io("cannot remove", &path)(e))
            }
            _ => Ok(()),
        }
    }

    /// Records the topology fingerprint a later `save --topology` must find unchanged.
    pub fn set_topology_base(&self, name: &DraftName, fingerprint: &str) -> Result<(), DraftError> {
        write_atomic(
            &self.folder(name).join("topology-base"),
            format!("{fingerprint}\n").as_bytes(),
        )?;
        Ok(())
    }

    fn write_layout(&self, name: &DraftName, layout: &Layout) -> Result<(), DraftError> {
        let path = self.layout_path(name);
        if layout.positions.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(io("cannot remove", &path)(e))
                }
                _ => Ok(()),
            };
        }
        let mut text = serde_json::to_string_pretty(layout).unwrap_or_default();
        text.push('\n');
        write_atomic(&path, text.as_bytes())?;
        Ok(())
    }

    /// The stored positions of steps the draft has (a missing or unreadable file is no positions:
    /// view state is never worth failing a command over).
    /// Positions are view state: an unreadable file costs the layout, never the draft, and is reported.
    fn read_layout(
        &self,
        name: &DraftName,
        draft: &Draft,
    ) -> Result<(Layout, Option<String>), DraftError> {
        let path = self.layout_path(name);
        let (mut layout, problem) = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Layout>(&bytes) {
                Ok(layout) => (layout, None),
                Err(e) => (
                    Layout::default(),
                    Some(format!(
                        "{} is not a valid layout ({e}); node positions were reset",
                        path.display()
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Layout::default(), None),
            Err(e) => return Err(io("cannot read", &path)(e)),
        };
        layout.retain_nodes(draft);
        Ok((layout, problem))
    }

    /// Every draft, sorted by name; a draft that cannot be replayed is listed with the reason.
    pub fn list(&self) -> Result<Vec<DraftSummary>, DraftError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io("cannot read", &self.dir)(e)),
        };
        let mut names: Vec<DraftName> = entries
            .flatten()
            .filter_map(|e| DraftName::parse(&e.file_name().to_string_lossy()).ok())
            .filter(|n| self.exists(n))
            .collect();
        names.sort();
        Ok(names
            .into_iter()
            .map(|name| DraftSummary {
                name: name.to_string(),
                session: self.load(&name).map_err(|e| e.to_string()),
            })
            .collect())
    }
}

/// What `open` did.
#[derive(Debug, Clone)]
pub struct Opened {
    /// True when a new draft was started.
    pub created: bool,
    /// The replace edit's report, when an existing draft was replaced.
    pub report: Option<BatchReport>,
    /// The session afterwards.
    pub changed: Changed,
}

fn record_line(record: &JournalRecord) -> String {
    // Records are plain data; serialising them cannot fail.
    serde_json::to_string(record).unwrap_or_default()
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Reads and parses a journal; a final line without newline that does not parse is a torn tail
/// (reported, not replayed), any other bad line is an error.
fn read_journal(path: &Path) -> Result<Journal, DraftError> {
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

fn replay(path: &Path, records: &[JournalRecord]) -> Result<History, DraftError> {
    History::replay(records).map_err(|source| DraftError::Replay {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use gen_workbench::{Position, parse_canvas_input, parse_draft_document};
    use serde_json::json;

    use super::*;

    fn store() -> (tempfile::TempDir, Drafts) {
        let tmp = tempfile::tempdir().unwrap();
        let drafts = Drafts::new(tmp.path());
        (tmp, drafts)
    }

    fn name(n: &str) -> DraftName {
        DraftName::parse(n).unwrap()
    }

    fn start() -> Draft {
        parse_draft_document(
            json!({"title": "Release", "summary": "", "nodes": [
                {"id": "build", "label": "Build", "type": "action"},
                {"id": "ship", "label": "Ship", "type": "action"}],
                "edges": [{"source": "build", "target": "ship"}]})
            .to_string()
            .as_bytes(),
        )
        .unwrap()
    }

    fn actions(value: serde_json::Value) -> Vec<Action> {
        parse_canvas_input(value.to_string().as_bytes()).unwrap()
    }

    fn add(id: &str) -> Vec<Action> {
        actions(json!({"intent": "add", "node": {"id": id, "label": id, "type": "action"}}))
    }

    #[test]
    fn an_unreadable_layout_resets_positions_and_says_so() {
        let (_tmp, drafts) = store();
        let n = name("default");
        drafts.create(&n, start(), &Layout::default()).unwrap();
        std::fs::write(drafts.layout_path(&n), b"{not json").unwrap();
        let session = drafts.load(&n).unwrap();
        assert!(session.layout.positions.is_empty());
        let problem = session.layout_problem.expect("reported");
        assert!(
            problem.contains("layout.json") && problem.contains("reset"),
            "{problem}"
        );
        assert_eq!(
            session.history.draft().node_count(),
            2,
            "the draft is unaffected"
        );
    }

    #[test]
    fn a_session_survives_a_restart_with_its_history() {
        let (_tmp, drafts) = store();
        let n = name("default");
        drafts.create(&n, start(), &Layout::default()).unwrap();
        let applied = drafts.apply(&n, &add("lint")).unwrap();
        assert_eq!(applied.report.message(), "Added lint");
        drafts.apply(&n, &add("test")).unwrap();
        drafts.undo(&n).unwrap();
        // "Restart": a fresh store reads the same files.
        let again = Drafts::new(drafts.dir.parent().unwrap().parent().unwrap())
            .load(&n)
            .unwrap();
        assert_eq!(again.history.draft().node_count(), 3);
        assert_eq!(again.history.undo_message(), Some("Added lint"));
        assert_eq!(again.history.redo_message(), Some("Added test"));
        assert_eq!(again.history.revision(), 3);
        assert_eq!(again.records, 4, "open, 2 batches, undo");
    }

    #[test]
    fn rejected_and_no_op_turns_write_nothing() {
        let (_tmp, drafts) = store();
        let n = name("d");
        drafts.create(&n, start(), &Layout::default()).unwrap();
        let path = drafts.journal_path(&n);
        let before = std::fs::read(&path).unwrap();
        let ghost = actions(json!({"intent": "remove", "nodeId": "ghost"}));
        let applied = drafts.apply(&n, &ghost).unwrap();
        assert!(!applied.report.changed());
        let same = actions(json!({"intent": "rename", "nodeId": "build", "label": "Build"}));
        assert!(!drafts.apply(&n, &same).unwrap().report.changed());
        assert_eq!(drafts.undo(&n).unwrap().0, None);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn create_refuses_a_taken_name_and_missing_drafts_are_reported() {
        let (_tmp, drafts) = store();
        let n = name("d");
        drafts.create(&n, start(), &Layout::default()).unwrap();
        assert!(matches!(
            drafts.create(&n, start(), &Layout::default()),
            Err(DraftError::Exists { .. })
        ));
        let missing = name("nope");
        assert!(matches!(
            drafts.load(&missing),
            Err(DraftError::NotFound { .. })
        ));
        assert!(matches!(
            drafts.apply(&missing, &add("x")),
            Err(DraftError::NotFound { .. })
        ));
        assert!(!drafts.dir.join("nope").exists(), "reads create nothing");
    }

    #[test]
    fn a_torn_tail_is_reported_by_readers_and_moved_aside_by_the_next_change() {
        let (_tmp, drafts) = store();
        let n = name("d");
        drafts.create(&n, start(), &Layout::default()).unwrap();
        drafts.apply(&n, &add("lint")).unwrap();
        let path = drafts.journal_path(&n);
        let complete = std::fs::read(&path).unwrap();
        let mut torn = complete.clone();
        torn.extend_from_slice(br#"{"record":"batch","revision":2,"actions":[{"int"#);
        std::fs::write(&path, &torn).unwrap();

        let read = drafts.load(&n).unwrap();
        assert_eq!(read.torn.as_ref().map(|t| t.line), Some(3));
        assert_eq!(read.history.revision(), 1, "the torn record never happened");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            torn,
            "readers change nothing"
        );

        let applied = drafts.apply(&n, &add("test")).unwrap();
        let repaired = applied.changed.session.torn.expect("repaired");
        let saved = repaired.saved_to.expect("saved aside");
        assert!(saved.starts_with(drafts.dir.join("d").join("torn")));
        let text = std::fs::read(&path).unwrap();
        assert!(text.starts_with(&complete), "no complete line touched");
        assert_eq!(drafts.load(&n).unwrap().history.revision(), 2);
    }

    #[test]
    fn a_corrupt_middle_line_is_an_error_with_its_line_number() {
        let (_tmp, drafts) = store();
        let n = name("d");
        drafts.create(&n, start(), &Layout::default()).unwrap();
        drafts.apply(&n, &add("lint")).unwrap();
        let path = drafts.journal_path(&n);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}{{\"record\":\"nonsense\"}}\n")).unwrap();
        match drafts.load(&n) {
            Err(DraftError::CorruptRecord { line: 3, .. }) => {}
            other => panic!("{other:?}"),
        }
        std::fs::write(
            &path,
            format!("{text}{{\"record\":\"undo\",\"revision\":7}}\n"),
        )
        .unwrap();
        assert!(matches!(drafts.load(&n), Err(DraftError::Replay { .. })));
    }

    #[test]
    fn compaction_keeps_the_draft_the_stacks_and_the_revision() {
        let (_tmp, drafts) = store();
        let drafts = drafts.with_compaction(Compaction {
            max_records: Some(8),
            min_bytes: None,
        });
        let n = name("d");
        drafts.create(&n, start(), &Layout::default()).unwrap();
        let mut compactions = 0;
        for i in 0..20 {
            let changed = drafts.apply(&n, &add(&format!("s{i}"))).unwrap().changed;
            compactions += usize::from(changed.compacted);
            if i % 5 == 4 {
                compactions += usize::from(drafts.undo(&n).unwrap().1.compacted);
            }
        }
        assert!(compactions >= 2, "{compactions}");
        let uncompacted = {
            let tmp = tempfile::tempdir().unwrap();
            let plain = Drafts::new(tmp.path()).with_compaction(Compaction::NEVER);
            plain.create(&n, start(), &Layout::default()).unwrap();
            for i in 0..20 {
                plain.apply(&n, &add(&format!("s{i}"))).unwrap();
                if i % 5 == 4 {
                    plain.undo(&n).unwrap();
                }
            }
            plain.load(&n).unwrap()
        };
        let compacted = drafts.load(&n).unwrap();
        assert!(compacted.records < 9);
        assert_eq!(compacted.history.snapshot(), uncompacted.history.snapshot());
        let lines = std::fs::read_to_string(drafts.journal_path(&n)).unwrap();
        assert!(lines.starts_with(r#"{"record":"snapshot""#), "{lines}");
        let leftovers: Vec<_> = std::fs::read_dir(drafts.dir.join("d"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn compaction_by_size_is_due_only_past_both_thresholds() {
        let policy = Compaction {
            max_records: None,
            min_bytes: Some(100),
        };
        assert!(!policy.due(10, 50, 140), "rest 90 ≤ 100");
        assert!(!policy.due(10, 500, 700), "rest 200 ≤ first 500");
        assert!(policy.due(10, 50, 200));
        assert!(!Compaction::NEVER.due(1_000_000, 1, u64::MAX));
    }

    #[test]
    fn open_replaces_an_existing_draft_as_one_undoable_edit_and_keeps_positions() {
        let (_tmp, drafts) = store();
        let n = name("d");
        drafts.create(&n, start(), &Layout::default()).unwrap();
        let other = parse_draft_document(
            json!({"title": "Other", "summary": "", "nodes": [
                {"id": "a", "label": "A", "type": "t"}], "edges": []})
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        let mut layout = Layout::default();
        layout
            .positions
            .insert("a".into(), Position { x: 1.0, y: 2.0 });
        layout
            .positions
            .insert("gone".into(), Position { x: 0.0, y: 0.0 });
        let opened = drafts.open(&n, other, &layout).unwrap();
        assert!(!opened.created);
        assert_eq!(
            opened.report.map(|r| r.message()).as_deref(),
            Some("Replaced the workflow with Other (1 step)")
        );
        let session = drafts.load(&n).unwrap();
        assert_eq!(session.layout.positions.len(), 1, "stale position dropped");
        assert_eq!(
            session.history.undo_message(),
            Some("Replaced the workflow with Other (1 step)")
        );
        drafts.undo(&n).unwrap();
        let back = drafts.load(&n).unwrap();
        assert_eq!(back.history.draft().title(), "Release");
        assert!(
            back.layout.positions.is_empty(),
            "positions of steps not in the draft are hidden"
        );
    }

    #[test]
    fn list_shows_every_draft_and_explains_broken_ones() {
        let (_tmp, drafts) = store();
        assert!(drafts.list().unwrap().is_empty());
        drafts
            .create(&name("b"), start(), &Layout::default())
            .unwrap();
        drafts
            .create(&name("a"), start(), &Layout::default())
            .unwrap();
        std::fs::write(
            drafts.journal_path(&name("b")),
            "{\"record\":\"undo\",\"revision\":1}\n",
        )
        .unwrap();
        std::fs::create_dir_all(drafts.dir.join("..bad")).unwrap();
        let list = drafts.list().unwrap();
        let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(list[0].session.is_ok());
        assert!(list[1].session.as_ref().unwrap_err().contains("record 0"));
    }
}
