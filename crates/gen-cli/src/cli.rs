//! The command line's top level: the global flags and the list of commands. Each command's own
//! arguments are declared beside it, in `commands/`.

use crate::commands::draft::DraftCommand;
use crate::commands::{
    EventCommand, completions::CompletionsArgs, features::FeaturesArgs, init::InitArgs,
    status::StatusArgs, validate::ValidateArgs,
};
use crate::terminal::ColorWhen;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// gen reads and writes Genesis `.ai-workspace/` folders: it validates configs, appends to and reads
/// the event log, derives where every feature stands, and edits workflow drafts.
#[derive(Debug, Parser)]
#[command(
    name = "gen",
    version,
    long_about = None,
    after_help = "Exit status: 0 done; 1 refused or not fully carried out (nothing half-done is left); 2 could not run; 3 (evaluate, iterate) a person's decision is awaited."
)]
pub(crate) struct Cli {
    /// The workspace to use: a project folder or its .ai-workspace/ (default: nearest one above the cwd).
    #[arg(long, global = true, env = "GEN_WORKSPACE", value_name = "PATH")]
    pub workspace: Option<PathBuf>,

    /// Print machine-readable JSON instead of the human view.
    #[arg(long, global = true)]
    pub json: bool,

    /// Leave out notes and confirmations; errors, warnings, data and --json output are never left out.
    ///
    /// Left out: the confirmations of `init`, `event emit`, `draft new`, `draft open` and `draft
    /// save`; `validate`'s warnings and its ok/failed summary line (errors are still shown); `draft
    /// export --output`'s "Wrote FILE"; notes about a repaired or torn draft journal. Everything a
    /// command exists to show (status, logs, tables, drafts, the reducer's report) and every error
    /// and warning about your data is still printed.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Colour diagnostics: `auto` (when stderr is a terminal and NO_COLOR is unset), `always`, `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// Evaluate one edge of a feature for real: run its checks, write the iteration's events.
    Evaluate(crate::commands::evaluate::EvaluateArgs),
    /// Run one edge for real: construct, evaluate, repeat until it converges or the budget is spent.
    Iterate(crate::commands::iterate::IterateArgs),
    /// A person's side of human checks: what waits, approve, reject.
    #[command(subcommand)]
    Review(crate::commands::review::ReviewCommand),
    /// Edit workflow drafts: durable sessions with undo/redo, saved blueprints, the graph topology.
    #[command(subcommand)]
    Draft(DraftCommand),
    /// Share the workspace through a remote: events up and down (`gen sync init|push|pull|status`).
    #[command(subcommand)]
    Sync(crate::commands::sync::SyncCommand),
    /// Edit a draft (or the topology, or a blueprint) in the browser: canvas and chat on one draft, a live project map.
    Workbench(crate::commands::workbench::WorkbenchArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions(CompletionsArgs),
}
