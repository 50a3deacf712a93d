//! What a workspace remembers between syncs (`bedrock/sync_state.json`): its origin id, the next
//! number of its sequence, the numbers handed out but not yet confirmed (the outbox), and how far it
//! has read every other origin. Written atomically; a push or pull holds the lock beside it.

use gen_workspace::Workspace;
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
    /// Events given a number whose pointer may not be written yet: finished by the next push.
    #[serde(default)]
    pub outbox: Vec<Outgoing>,
    /// Per other origin, the last number read.
    #[serde(default)]
    pub cursors: BTreeMap<String, u64>,
    /// Ids the remote is known to hold (pushed or pulled), so they are not offered again.
    #[serde(default)]
    pub known: BTreeSet<String>,
}

/// One numbered event on its way out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The event's id.
    pub event_id: String,
    /// Its number in this origin's sequence.
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
                known: BTreeSet::new(),
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
