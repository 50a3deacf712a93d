//! Every size cap of the workbench in one place.
//!
//! Two budgets exist on purpose:
//!
//! * **Per-turn input** — what one chat turn or one canvas gesture may send: [`MAX_INPUT_BYTES`],
//!   [`MAX_ACTIONS_PER_TURN`], [`MAX_JSON_DEPTH`]. These are checked on the raw bytes *before* the
//!   payload is deserialized, so a 50 MB reply or a 10⁴-deep nesting never reaches serde.
//! * **Whole draft** — what a stored draft may hold: [`MAX_NODES`], [`MAX_EDGES`] and the per-field
//!   caps. A draft may be far larger than one turn (we benchmark 10 000-node drafts), so documents
//!   read from disk use [`MAX_DRAFT_DOCUMENT_BYTES`] instead of the per-turn byte cap.
//!
//! String lengths count Unicode scalar values (what JSON Schema's `maxLength` counts), ids count
//! bytes (ids are ASCII by construction).

/// Byte cap on one agent reply or canvas payload, checked before parsing so size bombs cost nothing.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// Byte cap on a stored draft document (disk, journal line), which may be much larger than one turn.
pub const MAX_DRAFT_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// Deepest array/object nesting accepted in any document; bounds recursion before serde runs.
pub const MAX_JSON_DEPTH: usize = 48;

/// Deepest nesting inside one node's `properties` (the properties object itself is depth 1).
pub const MAX_PROPERTIES_DEPTH: usize = 32;

/// Largest compact-JSON size of one node's `properties`, so a node cannot carry a document.
pub const MAX_PROPERTIES_BYTES: usize = 64 * 1024;

/// Most actions (intents) one turn may carry; a model emitting more is malfunctioning.
pub const MAX_ACTIONS_PER_TURN: usize = 200;

/// Most branches one `branch` intent may add.
pub const MAX_BRANCHES: usize = 64;

/// Most nodes a draft may hold: well above the 10 000-node benchmark, well below what freezes a UI.
pub const MAX_NODES: usize = 20_000;

/// Most edges a draft may hold (about 2.5 per node at the node cap).
pub const MAX_EDGES: usize = 50_000;

/// Longest node id in bytes; the id pattern is `^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`.
pub const MAX_ID_BYTES: usize = 64;

/// Longest node label, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

/// Longest workflow title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// Longest node `type` (a primitive such as `action` or a tool id such as `jira.search_issues`).
pub const MAX_TYPE_CHARS: usize = 128;

/// Longest edge label, in characters.
pub const MAX_EDGE_LABEL_CHARS: usize = 200;

/// Longest workflow summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 4000;

/// Longest node description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// Undo depth when the caller does not choose one (ADR-003 names 50).
pub const DEFAULT_HISTORY_LIMIT: usize = 50;

/// Largest undo depth a caller may configure, so a setting typo cannot pin unbounded memory.
pub const MAX_HISTORY_LIMIT: usize = 1000;
