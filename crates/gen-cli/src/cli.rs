//! The command line: flags are declared here once; each command's behaviour lives in `commands/`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// gen — a local-first tool for Genesis `.ai-workspace/` folders.
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, long_about = None)]
pub struct Cli {
    /// The workspace to use: a project folder or its .ai-workspace/ (default: nearest one above the cwd).
    #[arg(long, global = true, env = "GEN_WORKSPACE", value_name = "PATH")]
    pub workspace: Option<PathBuf>,

    /// Print machine-readable JSON instead of the human view.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace with the default graph, profiles and constraints template.
    Init(InitArgs),
    /// Append to and read the event log.
    #[command(subcommand)]
    Event(EventCommand),
    /// Check every config file: YAML, topology references, edge params, profiles, vectors, $vars.
    Validate(ValidateArgs),
    /// Where every feature stands, derived from the event log.
    Status(StatusArgs),
    /// List features with their event-derived state; `--write` refreshes the vector YAML.
    Features(FeaturesArgs),
    /// Edit workflow drafts: durable sessions with undo/redo, saved blueprints, the graph topology.
    #[command(subcommand)]
    Draft(DraftCommand),
}

/// `gen init`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project name (default: the folder name).
    #[arg(long)]
    pub project: Option<String>,
    /// Default profile for new features.
    #[arg(long, default_value = "standard")]
    pub profile: String,
    /// Refresh the configs (graph/, profiles/) of an existing workspace; events, features and context are kept.
    #[arg(long)]
    pub force: bool,
    /// Where to create it (default: --workspace, else the current folder).
    pub path: Option<PathBuf>,
}

/// `gen event ...`
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Append one flat event; returns only after it is durable on disk.
    Emit(EmitArgs),
    /// List events in time order (timestamp, then id), never file order.
    Log(LogArgs),
}

/// `gen event emit`
#[derive(Debug, Args)]
pub struct EmitArgs {
    /// Event type, snake_case (e.g. edge_started, iteration_completed).
    #[arg(value_name = "TYPE")]
    pub event_type: String,
    /// Feature id the event is about.
    #[arg(long)]
    pub feature: Option<String>,
    /// Edge id (`design→code`; `design->code` is accepted).
    #[arg(long)]
    pub edge: Option<String>,
    /// Payload: a JSON object, or @FILE to read one from a file (`@-` for stdin).
    #[arg(long, value_name = "JSON|@FILE")]
    pub data: Option<String>,
    /// Project name (default: constraints project.name, else the folder name).
    #[arg(long)]
    pub project: Option<String>,
    /// Agent id (default: $GEN_AGENT_ID, else $USER, else "primary").
    #[arg(long, env = "GEN_AGENT_ID")]
    pub agent: Option<String>,
}

/// `gen event log`
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only this event type.
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Only this feature.
    #[arg(long)]
    pub feature: Option<String>,
    /// Only this edge.
    #[arg(long)]
    pub edge: Option<String>,
    /// Only events at or after this time (RFC 3339, or a date like 2026-03-01).
    #[arg(long)]
    pub since: Option<String>,
    /// Only events before this time (RFC 3339, or a date).
    #[arg(long)]
    pub until: Option<String>,
    /// Show only the most recent N matching events (still oldest first).
    #[arg(long)]
    pub limit: Option<usize>,
}

/// `gen validate`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Validate a flat plugin config dir (graph_topology.yml, edge_params/, profiles/) instead of a workspace.
    #[arg(long, value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
}

/// `gen status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Show one feature's trajectory.
    #[arg(long, value_name = "ID")]
    pub feature: Option<String>,
    /// Read the whole event log instead of using the cache in .ai-workspace/.gen/cache/.
    #[arg(long)]
    pub no_cache: bool,
}

/// `gen features`
#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// Write the event-derived fields (status, trajectory progress) into vector files; only those values change.
    #[arg(long)]
    pub write: bool,
    /// Include completed/ and archived/ vectors (history); an authored `converged` is never lowered.
    #[arg(long)]
    pub all: bool,
}

/// `gen draft ...`: every change is journaled in `.ai-workspace/workbench/drafts/NAME/` and durable
/// before it is reported, so a crash or restart keeps the draft and its undo/redo history.
#[derive(Debug, Subcommand)]
pub enum DraftCommand {
    /// Start a new, empty draft.
    New(DraftNewArgs),
    /// Load a saved blueprint or the workspace topology into a draft (a new draft, or one undoable
    /// "replace the workflow" edit of an existing one).
    Open(DraftOpenArgs),
    /// List the drafts of this workspace.
    List,
    /// Show a draft; with --json, the BlueprintDraft exactly as the wire format has it.
    Show(DraftNameArg),
    /// Apply intents or canvas actions and print what the reducer applied (exit 1 when nothing did).
    Apply(DraftApplyArgs),
    /// Revert the last edit (exit 1 when there is nothing to undo).
    Undo(DraftNameArg),
    /// Re-apply the last undone edit (exit 1 when there is nothing to redo).
    Redo(DraftNameArg),
    /// Show the undo and redo stacks.
    History(DraftNameArg),
    /// Save a draft as a blueprint, or as the workspace topology (only if the configs still validate).
    Save(DraftSaveArgs),
    /// Print a draft as JSON, Mermaid or Graphviz DOT.
    Export(DraftExportArgs),
}

/// The draft a command works on.
#[derive(Debug, Args)]
pub struct DraftNameArg {
    /// Draft name: letters, digits, `_`, `.`, `-` (at most 64).
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub name: String,
}

/// `gen draft new`
#[derive(Debug, Args)]
pub struct DraftNewArgs {
    /// Which draft to create.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// Workflow title (default: the draft name).
    #[arg(long)]
    pub title: Option<String>,
    /// One-paragraph summary.
    #[arg(long, default_value = "")]
    pub summary: String,
}

/// Where `open` reads from or `save` writes to: exactly one of a blueprint or the topology.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct DraftPlace {
    /// A saved blueprint: .ai-workspace/blueprints/NAME.json.
    #[arg(long, value_name = "NAME")]
    pub blueprint: Option<String>,
    /// The workspace graph topology: .ai-workspace/graph/graph_topology.yml.
    #[arg(long)]
    pub topology: bool,
}

/// `gen draft open`
#[derive(Debug, Args)]
pub struct DraftOpenArgs {
    /// Which draft to load into.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// What to load.
    #[command(flatten)]
    pub from: DraftPlace,
}

/// `gen draft save`
#[derive(Debug, Args)]
pub struct DraftSaveArgs {
    /// Which draft to save.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// Where to save it.
    #[command(flatten)]
    pub to: DraftPlace,
    /// With --topology: overwrite the topology even if it changed since this draft opened it (or the
    /// draft never came from it). The previous file is still backed up.
    #[arg(long)]
    pub force: bool,
}

/// `gen draft apply`
#[derive(Debug, Args)]
pub struct DraftApplyArgs {
    /// Which draft to edit.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// One intent or action, a JSON array of them, or {"draft": {...}} to replace the draft; `-` reads stdin.
    #[arg(value_name = "FILE|-")]
    pub input: PathBuf,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The BlueprintDraft, pretty-printed.
    Json,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

/// `gen draft export`
#[derive(Debug, Args)]
pub struct DraftExportArgs {
    /// Which draft to export.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}
