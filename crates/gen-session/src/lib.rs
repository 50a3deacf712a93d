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
//! `torn/`, exactly as the event log does, through [`gen_workspace::LockedLog`]), replays the journal,
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

mod blueprints;
mod chat;
mod name;
mod report;
mod topology;
mod yaml;

pub use blueprints::{
    DIR as BLUEPRINTS_DIR, check_blueprints, open as open_blueprint, path as blueprint_path,
    save as save_blueprint,
};
pub use chat::{CHAT_SHOWN, ChatLine};
pub use report::{
    Counters, DraftApplied, DraftCreated, DraftHistory, DraftListed, DraftOpened, DraftSaved,
    DraftState, HistoryLine, InputRejected, TopologyNotSaved, Walked, utc_seconds,
};
pub use topology::{
    Guard, TOPOLOGY, TopologyProblem, TopologySaved, check as check_topology,
    fingerprint as topology_fingerprint, open as open_topology, save as save_topology,
};
pub use yaml::{SpliceError, render_topology};

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use gen_workbench::{
    Action, BatchReport, Draft, History, JournalRecord, Layout, Rejection, ReplayError,
};

use gen_workspace::{LockedLog, LogError, sync_dir};
use gen_workspace::{WriteError, write_atomic};

pub use name::{BlueprintName, DraftName, NameError};

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

impl Drafts {
    /// The drafts of the workspace whose `.ai-workspace/` folder is `ws_dir`.
    pub fn new(ws_dir: &Path) -> Drafts {
        Drafts {
            dir: gen_workspace::Workspace::from_dir(ws_dir).drafts_dir(),
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

    /// The node positions file of a draft (view state; watched by the workbench for live updates).
    pub fn layout_path(&self, name: &DraftName) -> PathBuf {
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
        gen_workspace::create_dir_all_durable(&folder).map_err(io("cannot create", &folder))?;
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

mod journal;
mod layout;
mod lock;

pub use journal::{Compaction, TornJournal};
use journal::{modified, read_journal, record_line, replay};
use lock::DraftLock;

#[cfg(test)]
mod tests;
