//! The `.ai-workspace/` folder on disk.
//!
//! Discovery and the one layout type (every path spelled once), the one project loader, the
//! append-only event log (lock, durable append, torn tail), the status cache, feature YAML, and the
//! scaffold `gen init` writes. Everything that decides lives in `gen-core`; this crate only moves
//! bytes between the disk and those pure functions. Draft sessions live in `gen-session`, so sync
//! does not compile the workbench.

mod atomic;
mod config;
mod discover;
mod events;
mod features;
mod layout;
mod loaded;
mod log;
mod mark;
mod project;
mod scaffold;
mod scan;
mod status_cache;

pub use atomic::{WriteError, create_dir_all_durable, write_atomic};
pub use config::{
    ConfigFiles, Unreadable, blueprint_sources, is_config_dir, load_config_dir, load_graph_configs,
    load_workspace,
};
pub use discover::{DIR_NAME, Workspace, WorkspaceError};
pub use events::{Emitted, WriteEventError, append_event, event_stamp};
pub use features::{
    CreateError, FeatureCreated, FeatureRow, RefreshState, Refreshed, VectorFile, Vectors,
    create_vector, load_vectors, refresh_vector_file,
};
pub use layout::{
    BLUEPRINTS, CONFIG_FOLDERS, EDGE_PARAM_FOLDERS, EventLogFile, FEATURE_FOLDERS, IgnoredLog,
    IgnoredReason, LogPlace, TENANTS, WorkspaceKind, is_config_path,
};
pub use loaded::{Loaded, load_status};
pub use log::{LockedLog, LogError, Tail, TornTail, append_lines, inspect_tail, sync_dir};
pub use mark::{LogMark, LogPoint};
pub use project::{Project, StatusView, project_name};
pub use scaffold::{Initialized, ScaffoldError, ScaffoldMode, Scaffolded, scaffold, scaffold_mode};
pub use scan::{
    EventRow, LineItem, LogLines, LogScan, LoggedEvent, Malformed, TailRead, Untimed, each_line,
    each_line_after, read_lines, scan_records,
};
pub use status_cache::{FoldedLog, Source as FoldSource, fold_log};
