//! Sync between a workspace and its remote, after seed `000_*` (the local-cloud hybrid workspace).
//!
//! Events are the shared stream: each workspace pushes the events it holds and the remote lacks
//! (written offline days ago or a second ago), and pulls the ones others pushed, verbatim, in time
//! for `gen status` to fold them in any order. The remote behind the [`Remote`] trait is a directory
//! ([`LocalRemote`], the embedded default); the AWS remote (DynamoDB + S3) implements the same trait
//! in its own crate. What moves is planned as data ([`plan_push`], [`plan_pull`]); the engine
//! ([`push`], [`pull`]) only carries the plan out, in an order that a kill at any point cannot
//! break.

mod engine;
mod local;
mod plan;
mod remote;
mod state;

pub use engine::{Conflict, Moved, SyncError, SyncReport, materialise, pull, push, sort_key};
pub use local::LocalRemote;
pub use plan::{Local, PushPlan, plan_pull, plan_push};
pub use remote::{EventItem, Pointer, Put, Remote, RemoteError};
pub use state::{Locked, Outgoing, StateError, SyncState};
