//! Sync between a workspace and its remote, after seed `000_*` (the local-cloud hybrid workspace).
//!
//! Events are the shared stream: each workspace pushes the events it holds and the remote lacks
//! (written offline days ago or a second ago), and pulls the ones others pushed, verbatim, in time
//! for `gen status` to fold them in any order. The remote behind the [`Remote`] trait is a directory
//! ([`LocalRemote`], the embedded default); the AWS remote (DynamoDB + S3) implements the same trait
//! in its own crate. What moves is planned as data ([`number`], [`blocks`], [`plan_pull`]); the engine
//! ([`push`], [`pull`]) only carries the plan out, in an order that a kill at any point cannot
//! break.

pub mod artifacts;
pub mod configs;
mod engine;
pub mod features;
mod local;
pub mod objects;
mod plan;
mod remote;
mod state;
mod summary;
mod transfer;

pub use engine::{
    Conflict, Moved, OnProgress, SyncError, SyncReport, materialise, pull, push, sort_key,
};
pub use local::LocalRemote;
pub use plan::{BLOCK_BYTES, BLOCK_POINTERS, Local, blocks, number, plan_pull, pointers_between};
pub use remote::{Block, EventItem, Pointer, Progress, Put, Remote, RemoteError};
pub use state::{Held, Locked, Outgoing, Pulled, StateError, SyncState};
pub use summary::{Problem, Summary};
