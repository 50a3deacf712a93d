//! What a remote must offer the event stream, whatever plays the cloud (a directory, DynamoDB + S3).
//!
//! Two kinds of record, after DESIGN.md §3:
//!
//! * the **event item**, keyed by project and `<fixed-width UTC timestamp>#<event id>` (the seed's key
//!   schema, so time queries work), holding the original line verbatim and the fields readers filter on;
//!   it is never rewritten with other bytes: a push reads before it writes, and reports the same key
//!   with other content as a conflict;
//! * the **block** of an origin's sequence: each workspace (origin) numbers the events it creates,
//!   1, 2, 3, …, and after their items exist writes one block that says, for a run of numbers, which
//!   item each one is (or that the number was left empty on purpose), then raises its **head**. A
//!   reader keeps a cursor per origin and reads only the blocks past it, so an event written offline
//!   last week and pushed today is found by its new number, not missed behind a timestamp cursor.
//!   Blocks are create-only; writing a block again with the same content is a no-op.

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

impl Put {
    /// What a push finds for `want` given what the remote holds under its key.
    pub fn judge(want: &EventItem, there: Option<EventItem>) -> Put {
        match there {
            None => Put::Created,
            Some(there) if there.hash == want.hash && there.event_id == want.event_id => {
                Put::AlreadyThere(Box::new(there))
            }
            Some(there) => Put::Conflict(Box::new(there)),
        }
    }
}

/// A pointer in an origin's sequence: the item it names, or a hole the writer left on purpose
/// (the event turned out to be someone else's, or in conflict) so the sequence stays contiguous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pointer {
    /// The sort key of the event item.
    Item(String),
    /// No event at this number.
    Void,
}

/// A run of an origin's numbers, `first ..= first + pointers.len() - 1`, written in one piece.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// The first number.
    pub first: u64,
    /// One pointer per number, in order.
    pub pointers: Vec<Pointer>,
}

impl Block {
    /// The last number of the block.
    pub fn last(&self) -> u64 {
        self.first + self.pointers.len() as u64 - 1
    }
}

/// How far a long transfer has come, for progress bars (the CLI draws them; libraries never print).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What is moving, as a bar labels it: `"sending events"`, `"receiving artifacts"`, ….
    pub stage: &'static str,
    /// Items done so far in this stage.
    pub done: u64,
    /// Items in this stage.
    pub total: u64,
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
        "event {event_id} is {size} bytes, over the remote's limit of {limit} bytes per item; it is not pushed (storing large events elsewhere is not supported yet): shorten it, or keep it local"
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
///
/// Calls take whole batches so that a remote can send them the way it is fastest (DynamoDB: 100 keys
/// per read, 25 items per write, several requests in flight, partial failures retried).
pub trait Remote {
    /// Refuses an item the remote could never hold (DynamoDB: over 400 KB), before anything is
    /// written, so the rest of a push goes on and that event is reported.
    fn check_size(&self, item: &EventItem) -> Result<(), RemoteError> {
        let _ = item;
        Ok(())
    }
    /// The items under these sort keys; keys with no item are left out.
    fn get_events(&self, sks: &[String]) -> Result<Vec<EventItem>, RemoteError>;
    /// Creates items the caller has just found absent.
    ///
    /// A remote that can refuse to overwrite (the local directory) reports what it found for each
    /// item; one that cannot do that in bulk (DynamoDB batch writes) reports `Created` for all and
    /// relies on the caller's read just before. Two pushers racing on one key with different content
    /// are then caught by the next pull instead: an item names the origin and number that created it,
    /// readers follow only that pointer, and the pusher whose version lost is told (see
    /// [`crate::pull`]).
    fn create_events(&self, items: &[EventItem]) -> Result<Vec<Put>, RemoteError>;
    /// Creates a block of `origin`; the same block again is a no-op, another one with the same first
    /// number is [`RemoteError::PointerTaken`].
    fn put_block(&self, origin: &str, block: &Block) -> Result<(), RemoteError>;
    /// The blocks of `origin` from the one that starts at `first` (a reader's cursor + 1: cursors
    /// always end a block) through the one that holds `last`, in order; they stop early at a gap.
    fn blocks_between(
        &self,
        origin: &str,
        first: u64,
        last: u64,
    ) -> Result<Vec<Block>, RemoteError>;
    /// Every origin's head: the highest number below which all blocks exist.
    fn heads(&self) -> Result<BTreeMap<String, u64>, RemoteError>;
    /// Raises `origin`'s head to `seq` (never lowers it).
    fn raise_head(&self, origin: &str, seq: u64) -> Result<(), RemoteError>;
    /// Every event item of the project in key (time) order: for `--remote` reads.
    fn all_events(&self) -> Result<Vec<EventItem>, RemoteError>;
}
