#![warn(missing_docs)]
//! Pure workbench core: the Blueprint IR, edit intents and canvas actions, strict parsing,
//! validation, the one reducer, bounded undo/redo history and text exports.
//!
//! Nothing here touches files, the network, clocks or stdout, so every rule is a plain function of
//! its inputs: the server, the CLI and the fuzzer all drive the same code with the same results.
//!
//! The flow of one edit:
//! 1. untrusted bytes → [`parse_agent_turn`] / [`parse_canvas_input`] (caps in [`limits`] are checked
//!    on the raw bytes first) → `Vec<Action>`;
//! 2. [`History::apply`] (or [`apply_batch`]) runs the actions through the reducer against the
//!    current [`Draft`] and returns a [`BatchReport`] whose [`BatchReport::message`] is the chat line;
//! 3. every refusal is a [`Rejection`]: a short [`UserMessage`] plus a precise developer error.
//!
//! Around that flow: [`History::snapshot_record`] and [`patch`] compact a session journal,
//! [`blueprint_file`] is the saved form of a blueprint with its node positions, and [`topology`]
//! opens the project's graph topology as a draft and turns a draft back into one.

pub mod action;
pub mod blueprint_file;
pub mod canvas;
pub mod draft;
pub mod error;
pub mod export;
pub mod footprint;
pub mod history;
pub mod input;
pub mod intent;
pub mod json;
pub mod limits;
pub mod model;
pub mod patch;
pub mod reducer;
pub mod schema;
mod text;
pub mod topology;
pub mod validate;

pub use action::{Action, ReplaceDraft};
pub use blueprint_file::{BlueprintFile, Layout, Position, parse_blueprint_file};
pub use canvas::CanvasAction;
pub use draft::Draft;
pub use error::{Problem, Rejection, UserMessage};
pub use export::{to_dot, to_mermaid};
pub use footprint::{Footprint, footprint};
pub use history::{History, HistorySnapshot, JournalRecord, PatchedEntry, ReplayError};
pub use input::{parse_agent_turn, parse_canvas_input, parse_draft_document};
pub use intent::EditIntent;
pub use json::Properties;
pub use model::{BlueprintDraft, Edge, Node, NodeId};
pub use patch::DraftPatch;
pub use reducer::{Applied, BatchReport, BatchResult, Change, apply, apply_batch};
pub use schema::workbench_ir_schema;
pub use topology::{TopologyError, TopologyGraph, draft_from_topology, topology_from_draft};
