//! The `.ai-workspace/` folder on disk.
//!
//! Discovery and the one layout type (every path spelled once), the one project loader, the
//! append-only event log (lock, durable append, torn tail), the status cache, feature YAML, and the
//! scaffold `gen init` writes. Everything that decides lives in `gen-core`; this crate only moves
//! bytes between the disk and those pure functions. Draft sessions live in `gen-session`, so sync
//! does not compile the workbench.

pub mod atomic;
pub mod config;
pub mod discover;
pub mod events;
pub mod features;
pub mod layout;
pub mod log;
pub mod project;
pub mod scaffold;
pub mod scan;
pub mod status_cache;

pub use discover::{Workspace, WorkspaceError};
pub use layout::{EventLogFile, IgnoredLog, IgnoredReason, LogPlace, WorkspaceKind};
