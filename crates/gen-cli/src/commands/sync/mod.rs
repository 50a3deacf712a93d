//! `gen sync …`: the workspace and its remote (seed `000_*`). Events go up and come down on the
//! per-origin stream of `gen-sync`; the remote comes from `bedrock/sync_config.yml`.

pub(crate) mod init;
pub(crate) mod push;
pub(crate) mod status;

use crate::report::{Exit, UserError};
use crate::terminal::{errln, outln, safe};
use clap::{Args, Subcommand, ValueEnum};
use gen_core::config::{Backend, SourceFile, SyncConfig, load_sync_config};
use gen_sync::{LocalRemote, Moved, SyncReport};
use gen_workspace::Workspace;
use miette::Result;

/// `gen sync …`
#[derive(Debug, Subcommand)]
pub(crate) enum SyncCommand {
    /// Write bedrock/sync_config.yml for a remote: `--backend local --root DIR` (a folder, e.g. on a
    /// shared drive, that plays the cloud).
    Init(init::SyncInitArgs),
    /// Send the events this workspace holds and the remote lacks (idempotent; safe to re-run).
    Push(SyncArgs),
    /// Append the events others pushed that this workspace lacks (never reorders the log).
    Pull(SyncArgs),
    /// What push and pull would move, and when each resource last synced.
    Status(SyncArgs),
}

/// The resources sync moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Resource {
    /// The event stream.
    Events,
}

/// Flags every moving sync command takes.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Sync only this resource (default: all).
    #[arg(long, value_enum)]
    pub only: Option<Resource>,
    /// Show exactly what would move and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs a sync command.
pub(crate) fn run(ws: &Workspace, command: &SyncCommand, json: bool) -> Result<Exit> {
    match command {
        SyncCommand::Init(args) => init::run(ws, args, json),
        SyncCommand::Push(args) => push::run(ws, args, json, push::Direction::Push),
        SyncCommand::Pull(args) => push::run(ws, args, json, push::Direction::Pull),
        SyncCommand::Status(args) => status::run(ws, args, json),
    }
}

/// A sync config that validated: the model, its project id and its text (for `last_sync`).
pub(crate) struct Settings {
    /// The model.
    pub config: SyncConfig,
    /// `project_id` (required, so always there once the file validated).
    pub project_id: String,
    /// The file's text as read.
    pub text: String,
}

/// The workspace's sync config, or why there is none to use.
pub(crate) fn config(ws: &Workspace) -> Result<Settings> {
    let path = ws.sync_config_path();
    let text = std::fs::read_to_string(&path).map_err(|_| {
        UserError::new(
            format!("{} has no sync config ({})", ws.dir.display(), ws.relative(&path)),
            "run `gen sync init --backend local --root DIR` to share this workspace through a folder",
        )
    })?;
    let (config, report) = load_sync_config(&SourceFile::new(ws.relative(&path), text.clone()));
    for d in report.errors.iter().chain(report.warnings.iter()) {
        errln!("{}", safe(&crate::report::advised(d).to_string()));
    }
    let config = config.ok_or_else(|| {
        UserError::new(
            format!(
                "{} has errors (above); nothing was synced",
                ws.relative(&path)
            ),
            "fix them, then run the sync again (`gen validate` shows every config)",
        )
    })?;
    let project_id = config.project_id.clone().unwrap_or_default();
    Ok(Settings {
        config,
        project_id,
        text,
    })
}

/// Opens the remote the config names.
pub(crate) fn remote(ws: &Workspace, settings: &Settings) -> Result<LocalRemote> {
    let config = &settings.config;
    match config.backend {
        Backend::Local => {
            let root = config.local_root_in(&ws.root).ok_or_else(|| {
                UserError::new(
                    "the sync config says `backend: local` but names no `local_root`",
                    "add `local_root: DIR` under `sync:` (the folder that plays the cloud)",
                )
            })?;
            Ok(LocalRemote::new(&root, &settings.project_id).map_err(|e| {
                UserError::new(e.to_string(), "fix `project_id` in bedrock/sync_config.yml")
            })?)
        }
        Backend::Aws => Err(UserError::new(
            "this build of gen syncs through a local-directory remote only; the AWS remote (DynamoDB + S3) is not in it yet",
            "use `gen sync init --backend local --root DIR --force` to share through a folder meanwhile",
        )
        .into()),
    }
}

/// Where `--remote` reads from: flags (or `GEN_*`), else the sync config of the workspace around.
#[derive(Debug, Args, Default)]
pub(crate) struct RemoteArgs {
    /// Read the project straight from its remote instead of a local workspace (no checkout needed).
    #[arg(long)]
    pub remote: bool,
    /// With --remote: the remote kind (`local`: a folder).
    #[arg(long, value_enum, env = "GEN_BACKEND", requires = "remote")]
    pub backend: Option<init::BackendArg>,
    /// With --remote: the folder that plays the cloud.
    #[arg(long, env = "GEN_ROOT", value_name = "DIR", requires = "remote")]
    pub root: Option<std::path::PathBuf>,
    /// With --remote: the project's id on the remote.
    #[arg(long, env = "GEN_PROJECT_ID", requires = "remote")]
    pub project_id: Option<String>,
}

/// The remote's events as a throwaway workspace (kept alive by the returned folder).
pub(crate) fn remote_view(
    explicit: Option<&std::path::Path>,
    args: &RemoteArgs,
) -> Result<(tempfile::TempDir, Workspace)> {
    let (remote, project_id) = match (&args.root, &args.project_id) {
        (Some(root), Some(project_id)) => {
            let (Some(init::BackendArg::Local) | None) = args.backend;
            let remote = LocalRemote::new(root, project_id)
                .map_err(|e| UserError::new(e.to_string(), "check --project-id"))?;
            (remote, project_id.clone())
        }
        (None, None) => {
            let ws = super::open(explicit).map_err(|_| {
                UserError::new(
                    "--remote needs a remote: --backend local --root DIR --project-id P (or GEN_BACKEND, GEN_ROOT, GEN_PROJECT_ID)",
                    "or run it inside a workspace that has bedrock/sync_config.yml",
                )
            })?;
            let settings = config(&ws)?;
            (remote(&ws, &settings)?, settings.project_id)
        }
        _ => {
            return Err(UserError::new(
                "--remote with --root needs --project-id too, and the other way round",
                "give both (or neither, inside a workspace that syncs)",
            )
            .into());
        }
    };
    let dir = tempfile::tempdir().map_err(|e| UserError::new(e.to_string(), "check TMPDIR"))?;
    // The folder is named after the project, so the view's project name is the project id.
    let ws = gen_sync::materialise(&remote, &dir.path().join(&project_id))
        .map_err(|e| UserError::new(e.to_string(), "check the remote, then try again"))?;
    Ok((dir, ws))
}

/// The words for one resource's summary line.
pub(crate) fn summary(name: &str, moved: &Moved, verb: &str) -> String {
    format!(
        "{name}: {} {verb}, {} already there, {} conflict(s)",
        moved.added,
        moved.skipped,
        moved.conflicts.len()
    )
}

/// Prints a report (human or JSON).
pub(crate) fn print(report: &SyncReport, json: bool, verb: &str) -> Result<()> {
    if json {
        return super::print_json(report);
    }
    outln!("{}", summary("events", &report.events, verb));
    for c in &report.events.conflicts {
        outln!(
            "  conflict: event {} differs here and on the remote (put by origin {}); both are kept as they are",
            safe(&c.event_id),
            safe(&c.remote_origin)
        );
        outln!("    here:   {}", safe(&c.local));
        outln!("    remote: {}", safe(&c.remote));
    }
    Ok(())
}
