//! What a remote must offer the event stream, whatever plays the cloud (a directory, DynamoDB + S3).
//!
//! Two kinds of record, after DESIGN.md §3:
//!
//! * the **event item**, keyed by project and `<fixed-width UTC timestamp>#<event id>` (the seed's key
//!   schema, so time queries work), holding the original line verbatim and the fields readers filter on;
//!   it is created once and never rewritten, so a second put of the same bytes is a no-op and a put of
//!   other bytes under the same key is a conflict;
//! * the **pointer** `(origin, seq)`: each workspace (origin) numbers the events it puts, 1, 2, 3, …,
//!   and publishes a **head** once every pointer up to it exists. A reader keeps a cursor per origin
//!   and reads only the pointers past it, so an event written offline last week and pushed today is
//!   found by its new sequence number, not missed behind a timestamp cursor.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One event as the remote stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventItem {
    /// The project it belongs to (the partition).
    pub project_id: String,
    /// `<fixed-width UTC timestamp>#<event id>`; untimed events sort last under `~untimed`.
    pub sk: String,
    /// The event's id (its own `event_id`, or the derived one).
    pub event_id: String,
    /// The line exactly as the originating log holds it (no newline).
    pub line: String,
    /// SHA-256 of `line`, hex: same id and other content is a conflict.
    pub hash: String,
    /// Canonical event type, for type-time queries.
    pub event_type: Option<String>,
    /// Feature id, for feature-time queries.
    pub feature_id: Option<String>,
    /// Canonical edge id.
    pub edge: Option<String>,
    /// Who wrote it, for agent-time queries.
    pub agent_id: Option<String>,
    /// The workspace that put it.
    pub origin: String,
    /// Its number in that origin's sequence.
    pub seq: u64,
}

/// What a create-only put found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Put {
    /// The item is new.
    Created,
    /// The same bytes were already there (a re-run, or a teammate who pushed the same event).
    AlreadyThere(Box<EventItem>),
    /// Another item with the same key and other content: never overwritten, reported.
    Conflict(Box<EventItem>),
}

/// A pointer in an origin's sequence: the item it names, or a hole the writer filled on purpose
/// (the event turned out to be someone else's, or in conflict) so the sequence stays contiguous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pointer {
    /// The sort key of the event item.
    Item(String),
    /// No event at this number.
    Void,
}

/// Why the remote could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The remote cannot be reached or read (the message says which and why).
    #[error("{0}")]
    Unavailable(String),
    /// The remote holds something that is not what gen writes there.
    #[error("{what} in the remote is damaged: {why}")]
    Damaged {
        /// The object or item.
        what: String,
        /// What is wrong with it.
        why: String,
    },
    /// Something the remote needs does not exist there (a table or bucket not created yet).
    #[error("{what} does not exist")]
    Missing {
        /// What is missing, named as the remote names it.
        what: String,
    },
    /// An event is larger than one remote item may be.
    #[error(
        "event {event_id} is {size} bytes, over the remote's limit of {limit} bytes per item (storing large events elsewhere is not supported yet)"
    )]
    TooLarge {
        /// The event's id.
        event_id: String,
        /// Its size as the remote counts it.
        size: usize,
        /// The remote's limit.
        limit: usize,
    },
    /// A pointer already holds another value: two writers used one origin id.
    #[error(
        "origin {origin} already has a different event at number {seq}: two workspaces share one origin id"
    )]
    PointerTaken {
        /// The origin.
        origin: String,
        /// The sequence number.
        seq: u64,
    },
}

/// The event stream of one project on one remote.
pub trait Remote {
    /// Creates the item unless one with its key exists; says what it found.
    fn put_event(&self, item: &EventItem) -> Result<Put, RemoteError>;
    /// The item with this sort key, if any.
    fn get_event(&self, sk: &str) -> Result<Option<EventItem>, RemoteError>;
    /// Creates pointer `seq` of `origin`; the same value again is a no-op, another value an error.
    fn put_pointer(&self, origin: &str, seq: u64, pointer: &Pointer) -> Result<(), RemoteError>;
    /// Pointer `seq` of `origin`, if written.
    fn get_pointer(&self, origin: &str, seq: u64) -> Result<Option<Pointer>, RemoteError>;
    /// Every origin's head: the highest number below which all pointers exist.
    fn heads(&self) -> Result<BTreeMap<String, u64>, RemoteError>;
    /// Raises `origin`'s head to `seq` (never lowers it).
    fn raise_head(&self, origin: &str, seq: u64) -> Result<(), RemoteError>;
    /// Every event item of the project in key (time) order: for `--remote` reads.
    fn all_events(&self) -> Result<Vec<EventItem>, RemoteError>;
}
