//! One module per command; each returns the exit code or a diagnostic for the user.

mod draft;
mod event_emit;
mod event_log;
mod features;
mod init;
mod status;
mod validate;

use crate::cli::{Cli, Command, EventCommand};
use gen_workspace::Workspace;
use miette::{Diagnostic, IntoDiagnostic, Result};
use std::path::Path;
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let json = cli.json;
    let explicit = cli.workspace.as_deref();
    match cli.command {
        Command::Init(args) => init::run(explicit, &args, json),
        Command::Event(EventCommand::Emit(args)) => event_emit::run(&open(explicit)?, &args, json),
        Command::Event(EventCommand::Log(args)) => event_log::run(&open(explicit)?, &args, json),
        Command::Validate(args) => validate::run(explicit, &args, json),
        Command::Status(args) => status::run(&open(explicit)?, &args, json),
        Command::Features(args) => features::run(&open(explicit)?, &args, json),
        Command::Draft(command) => draft::run(&open(explicit)?, &command, json),
    }
}

/// A user-facing error with the next step to take.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
pub struct UserError {
    /// What went wrong.
    pub message: String,
    /// What to do.
    #[help]
    pub help: Option<String>,
}

impl UserError {
    /// An error with a hint.
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> UserError {
        UserError {
            message: message.into(),
            help: Some(help.into()),
        }
    }
}

/// Finds the workspace or explains how to get one.
pub fn open(explicit: Option<&Path>) -> Result<Workspace> {
    let cwd = std::env::current_dir().into_diagnostic()?;
    Workspace::find(&cwd, explicit).map_err(|e| {
        UserError::new(
            e.to_string(),
            "run `gen init` to create one here, or pass --workspace PATH (or set GEN_WORKSPACE)",
        )
        .into()
    })
}

/// Who is writing: `--agent`, else `GEN_AGENT_ID`, else `USER`, else `primary` — one rule for every
/// command that records events.
pub fn agent_id(explicit: Option<&str>) -> String {
    let from_env = |name: &str| std::env::var(name).ok().filter(|a| !a.trim().is_empty());
    explicit
        .map(str::to_string)
        .or_else(|| from_env("GEN_AGENT_ID"))
        .or_else(|| from_env("USER"))
        .unwrap_or_else(|| "primary".into())
}

/// Prints a value as one line of JSON.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string(value).into_diagnostic()?);
    Ok(())
}
