//! What a workspace remembers between syncs (`bedrock/sync_state.json`): its origin id, the next
//! number of its sequence, the numbers handed out but not yet confirmed (the outbox), how far it has
//! read every other origin, and how much of its own log the remote is known to hold. Written
//! atomically; a push or pull holds the lock beside it.

use crate::configs::{FileState, Files};
use gen_workspace::{LogMark, Workspace};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::PathBuf;

/// The sync state of one workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// This workspace's origin id (a UUIDv7 made on the first push).
    pub origin: String,
    /// The number the next pushed event gets.
    pub next_seq: u64,
    /// Events given a number whose block may not be written yet: finished by the next push.
    #[serde(default)]
    pub outbox: Vec<Outgoing>,
    /// Per other origin, the last number read.
    #[serde(default)]
    pub cursors: BTreeMap<String, u64>,
    /// The prefix of the local log whose every event the remote holds (pushed, pulled, or found
    /// there): push and pull read only past it while it still holds.
    #[serde(default)]
    pub synced: Option<LogMark>,
    /// Events in that prefix that another origin created and this workspace has not pulled (it had
    /// them already): a pull must not append them again. Dropped once the cursor passes them.
    #[serde(default)]
    pub held: Vec<Held>,
    /// Ids the last push found in conflict: offered again until resolved.
    #[serde(default)]
    pub conflicts: BTreeSet<String>,
    /// Events in the synced prefix that may not be on the remote: a pull moved the prefix past lines
    /// written here and not pushed yet. Offered by the next push, which empties the list.
    #[serde(default)]
    pub unpushed: BTreeSet<String>,
    /// Config files as they were at this workspace's last config sync: the base of the three-way
    /// plan that tells a change here from a change there.
    #[serde(default)]
    pub configs: Files,
    /// Config changes this workspace claimed in the remote manifest whose objects may not be
    /// written yet (path → the claimed state, `None` for a deletion): finished by the next push.
    #[serde(default)]
    pub configs_claimed: BTreeMap<String, Option<FileState>>,
    /// Per feature id, the SHA-256 of its vector text as last pulled (or seeded from here).
    #[serde(default)]
    pub features: BTreeMap<String, String>,
    /// Features whose events were pushed and whose table item may not be updated yet.
    #[serde(default)]
    pub features_pending: BTreeSet<String>,
    /// Per artifact key, what was last pulled.
    #[serde(default)]
    pub artifacts: BTreeMap<String, Pulled>,
}

/// An artifact as the last pull left it: the object's tag, and the local file's fingerprint (a
/// file whose size and modification time still match is not read again to see if it changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pulled {
    /// The object's tag when pulled.
    pub tag: String,
    /// SHA-256 of the bytes written.
    pub sha256: String,
    /// Their size.
    pub size: u64,
    /// The file's modification time after the write, in nanoseconds since the epoch.
    pub mtime_ns: i128,
}

/// One numbered event on its way out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The event's id.
    pub event_id: String,
    /// Its number in this origin's sequence.
    pub seq: u64,
    /// The sort key of its item (blocks are cut by size, so they must not depend on the log).
    pub sk: String,
}

/// An event this workspace holds that another origin created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// The event's id.
    pub event_id: String,
    /// The origin that created it.
    pub origin: String,
    /// Its number there.
    pub seq: u64,
}

/// Why the state could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but is not a sync state.
    #[error(
        "{path} is damaged ({why}); move it aside to start the sync state afresh (a full pull follows)"
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// Reading, writing or locking failed.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// What was tried.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

fn id_hash(id: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(id.as_bytes())
}

/// The state, held under the workspace's sync lock until dropped.
#[derive(Debug)]
pub struct Locked {
    /// The state as read (or new).
    pub state: SyncState,
    path: PathBuf,
    _lock: File,
}

impl Locked {
    /// Takes the sync lock of the workspace and reads its state (a new origin when there is none).
    pub fn open(ws: &Workspace) -> Result<Locked, StateError> {
        let path = ws.sync_state_path();
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        gen_workspace::create_dir_all_durable(&dir).map_err(|e| StateError::Io {
            what: "create",
            path: dir.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let lock_path = path.with_extension("lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| StateError::Io {
                what: "open",
                path: lock_path.clone(),
                source,
            })?;
        lock.lock().map_err(|source| StateError::Io {
            what: "lock",
            path: lock_path,
            source,
        })?;
        let state = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StateError::Damaged {
                path: path.clone(),
                why: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => SyncState {
                origin: uuid::Uuid::now_v7().to_string(),
                next_seq: 1,
                outbox: Vec::new(),
                cursors: BTreeMap::new(),
                synced: None,
                held: Vec::new(),
                conflicts: BTreeSet::new(),
                unpushed: BTreeSet::new(),
                configs: Files::new(),
                configs_claimed: BTreeMap::new(),
                features: BTreeMap::new(),
                features_pending: BTreeSet::new(),
                artifacts: BTreeMap::new(),
            },
            Err(source) => {
                return Err(StateError::Io {
                    what: "read",
                    path,
                    source,
                });
            }
        };
        Ok(Locked {
            state,
            path,
            _lock: lock,
        })
    }

    /// Records ids of events this workspace created on the remote, durably (`sync_state.created`,
    /// 16 bytes each, append-only). A pull consults it so that an event of ours that a racing teammate
    /// also wrote never comes back as a second line.
    pub fn record_created(&self, ids: &[String]) -> Result<(), StateError> {
        use std::io::Write;
        if ids.is_empty() {
            return Ok(());
        }
        let path = self.path.with_extension("created");
        let mut bytes = Vec::with_capacity(ids.len() * 16);
        for id in ids {
            bytes.extend_from_slice(&id_hash(id).to_le_bytes());
        }
        let io = |what| {
            let path = path.clone();
            move |source| StateError::Io { what, path, source }
        };
        let mut file = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io("open"))?;
        file.write_all(&bytes).map_err(io("write"))?;
        file.sync_data().map_err(io("write"))
    }

    /// Which of `ids` this workspace created on the remote (per [`Locked::record_created`]).
    pub fn created_among(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashSet<String>, StateError> {
        let path = self.path.with_extension("created");
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(StateError::Io {
                    what: "read",
                    path,
                    source,
                });
            }
        };
        let wanted: std::collections::HashMap<u128, &str> =
            ids.iter().map(|id| (id_hash(id), *id)).collect();
        Ok(bytes
            .chunks_exact(16)
            .filter_map(|c| {
                let h = u128::from_le_bytes(c.try_into().unwrap_or([0; 16]));
                wanted.get(&h).map(|id| id.to_string())
            })
            .collect())
    }

    /// Writes the state durably (temp file, fsync, rename).
    pub fn save(&self) -> Result<(), StateError> {
        let bytes = serde_json::to_vec_pretty(&self.state).unwrap_or_default();
        gen_workspace::write_atomic(&self.path, &bytes).map_err(|e| StateError::Io {
            what: "write",
            path: self.path.clone(),
            source: std::io::Error::other(e.to_string()),
        })
    }
}
