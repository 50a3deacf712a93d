//! The `.ai-workspace/` folder on disk.
//!
//! Discovery and layout variants, the append-only event log (lock, durable append, torn tail), config
//! loading with file:line errors, feature YAML, and workbench drafts, blueprints and the topology as a
//! draft. Everything that decides lives in `gen-core` and `gen-workbench`; this crate only moves bytes
//! between the disk and those pure functions.

pub mod atomic;
pub mod config;
pub mod discover;
pub mod drafts;
pub mod events;
pub mod features;
pub mod layout;
pub mod log;
pub mod project;
pub mod scan;
pub mod status_cache;

pub use discover::{Initialized, Workspace, WorkspaceError};
pub use layout::{EventLogFile, IgnoredLog, IgnoredReason, LogPlace, WorkspaceKind};
