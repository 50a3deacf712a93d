//! One module per command, each with its arguments beside it; each returns an [`Exit`] or a
//! diagnostic for the user.

pub(crate) mod completions;
pub(crate) mod draft;
pub(crate) mod evaluate;
pub(crate) mod event_emit;
pub(crate) mod event_log;
pub(crate) mod features;
pub(crate) mod features_new;
pub(crate) mod init;
pub(crate) mod iterate;
pub(crate) mod review;
pub(crate) mod status;
pub(crate) mod sync;
pub(crate) mod validate;
pub(crate) mod workbench;

use crate::cli::{Cli, Command};
use crate::report::{Exit, no_workspace};
use crate::terminal::outln;
use clap::Subcommand;
use gen_workspace::Workspace;
use miette::{IntoDiagnostic, Result};
use std::path::Path;

/// `gen event ...`
#[derive(Debug, Subcommand)]
pub(crate) enum EventCommand {
    /// Append one flat event; returns only after it is durable on disk.
    Emit(event_emit::EmitArgs),
    /// List events in time order (timestamp, then id), never file order.
    Log(event_log::LogArgs),
}

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> Result<Exit> {
    let json = cli.json;
    let explicit = cli.workspace.as_deref();
    match cli.command {
        Command::Init(args) => init::run(explicit, &args, json),
        Command::Event(EventCommand::Emit(args)) => event_emit::run(&open(explicit)?, &args, json),
        Command::Event(EventCommand::Log(args)) if args.remote.remote => {
            let (_dir, ws) = sync::remote_view(explicit, &args.remote)?;
            event_log::run(&ws, &args, json)
        }
        Command::Event(EventCommand::Log(args)) => event_log::run(&open(explicit)?, &args, json),
        Command::Validate(args) => validate::run(explicit, &args, json),
        Command::Status(args) if args.remote.remote => {
            let (_dir, ws) = sync::remote_view(explicit, &args.remote)?;
            status::run(&ws, &args, json)
        }
        Command::Status(args) => status::run(&open(explicit)?, &args, json),
        Command::Features(args) => features::run(&open(explicit)?, &args, json),
        Command::Evaluate(args) => evaluate::run(&open(explicit)?, &args, json),
        Command::Review(command) => review::run(&open(explicit)?, &command, json),
        Command::Iterate(args) => iterate::run(&open(explicit)?, &args, json),
        Command::Draft(command) => draft::run(&open(explicit)?, &command, json),
        Command::Sync(command) => sync::run(&open(explicit)?, &command, json),
        Command::Workbench(args) => workbench::run(&open(explicit)?, &args),
        Command::Completions(args) => completions::run(&args),
    }
}

/// Finds the workspace or explains how to get one.
pub(crate) fn open(explicit: Option<&Path>) -> Result<Workspace> {
    let cwd = std::env::current_dir().into_diagnostic()?;
    Workspace::find(&cwd, explicit).map_err(no_workspace)
}

/// Who is writing: `--agent`, else `GEN_AGENT_ID`, else `USER`, else `primary` — one rule for every
/// command that records events.
pub(crate) fn agent_id(explicit: Option<&str>) -> String {
    let from_env = |name: &str| std::env::var(name).ok().filter(|a| !a.trim().is_empty());
    explicit
        .map(str::to_string)
        .or_else(|| from_env("GEN_AGENT_ID"))
        .or_else(|| from_env("USER"))
        .unwrap_or_else(|| "primary".into())
}

/// Prints a value as one line of JSON.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<()> {
    outln!("{}", serde_json::to_string(value).into_diagnostic()?);
    Ok(())
}
