// A pure library says nothing: it returns data and the edge decides what to print.
#![cfg_attr(
    not(test),
    deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)
)]
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
//! Around that flow: [`History::snapshot_record`] and [`DraftPatch`] compact a session journal,
//! [`BlueprintFile`] is the saved form of a blueprint with its node positions, and [`draft_from_topology`]
//! opens the project's graph topology as a draft and turns a draft back into one.

mod action;
mod blueprint_file;
pub mod canvas;
mod draft;
mod error;
mod export;
mod footprint;
mod history;
mod input;
pub mod intent;
mod json;
pub mod limits;
mod lint;
mod model;
mod patch;
mod reducer;
mod schema;
mod text;
mod topology;
mod validate;

pub use action::{Action, ReplaceDraft};
pub use blueprint_file::{BlueprintFile, Layout, Position, parse_blueprint_file};
pub use draft::Draft;
pub use error::{Problem, Rejection, UserMessage};
pub use export::{to_dot, to_mermaid};
pub use footprint::{Footprint, footprint};
pub use history::{
    History, HistoryEntry, HistorySnapshot, JournalRecord, PatchedEntry, ReplayError,
};
pub use input::{parse_agent_turn, parse_canvas_input, parse_draft_document};
pub use json::Properties;
pub use lint::{Finding, lint};
pub use model::{BlueprintDraft, Edge, Node, NodeId};
pub use patch::{DraftPatch, Piece};
pub use reducer::{
    Applied, AppliedChange, BatchReport, BatchResult, Change, Failure, NOTHING_CHANGED, apply,
    apply_batch,
};
pub use schema::{workbench_ir_schema, workbench_ir_schema_text};
pub use topology::{
    ASSET_TYPE, TRANSITIONS_KEY, TopologyError, TopologyGraph, draft_from_topology, label_for,
    topology_from_draft,
};
pub use validate::check_fields;
