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
    /// Rewrite the event-derived fields (status, trajectory progress) of vector files; authored fields are kept.
    #[arg(long)]
    pub write: bool,
}
