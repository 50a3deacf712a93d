//! `gen sync …`: the workspace and its remote (seed `000_*`). Events go up and come down on the
//! per-origin stream of `gen-sync`; the remote comes from `bedrock/sync_config.yml`.

pub(crate) mod init;
pub(crate) mod push;
pub(crate) mod status;

use crate::report::{Exit, UserError};
use crate::terminal::{errln, outln, safe};
use clap::{Args, Subcommand, ValueEnum};
use gen_core::config::{Backend, SourceFile, SyncConfig, load_sync_config};
use gen_sync::{LocalRemote, Moved, Remote, RemoteError, SyncError, SyncReport};
use gen_workspace::Workspace;
use miette::Result;

/// `gen sync …`
#[derive(Debug, Subcommand)]
pub(crate) enum SyncCommand {
    /// Write bedrock/sync_config.yml for a remote: `--backend local --root DIR` (a folder, e.g. on a
    /// shared drive, that plays the cloud) or `--backend aws --project-id P` (DynamoDB + S3;
    /// `--provision` creates the tables and buckets).
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
            "run `gen sync init --backend local --root DIR` to share this workspace through a folder, or `gen sync init --backend aws --project-id P` through DynamoDB",
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
pub(crate) fn remote(ws: &Workspace, settings: &Settings) -> Result<Box<dyn Remote>> {
    let config = &settings.config;
    match config.backend {
        Backend::Local => {
            let root = config.local_root_in(&ws.root).ok_or_else(|| {
                UserError::new(
                    "the sync config says `backend: local` but names no `local_root`",
                    "add `local_root: DIR` under `sync:` (the folder that plays the cloud)",
                )
            })?;
            Ok(Box::new(
                LocalRemote::new(&root, &settings.project_id).map_err(|e| {
                    UserError::new(e.to_string(), "fix `project_id` in bedrock/sync_config.yml")
                })?,
            ))
        }
        Backend::Aws => aws_remote(config),
    }
}

/// The AWS remote a (validated) sync config names.
#[cfg(feature = "aws")]
fn aws_remote(config: &SyncConfig) -> Result<Box<dyn Remote>> {
    let remote = gen_sync_aws::AwsRemote::open(config).map_err(|e| {
        UserError::new(
            e.to_string(),
            "check `region`, `profile` and `endpoint_url` in bedrock/sync_config.yml",
        )
    })?;
    Ok(Box::new(remote))
}

/// Without the `aws` feature there is no AWS remote to open.
#[cfg(not(feature = "aws"))]
fn aws_remote(_config: &SyncConfig) -> Result<Box<dyn Remote>> {
    Err(no_aws().into())
}

#[cfg(not(feature = "aws"))]
fn no_aws() -> UserError {
    UserError::new(
        "this gen was built without the AWS remote (cargo feature `aws`)",
        "use a gen built with default features, or `--backend local --root DIR`",
    )
}

/// Creates what the config names in AWS; the names it created and the names it found.
#[cfg(feature = "aws")]
pub(crate) fn provision(config: &SyncConfig) -> Result<(Vec<String>, Vec<String>)> {
    let done = gen_sync_aws::provision(config).map_err(|e| {
        UserError::new(
            format!("provisioning failed: {e}"),
            "nothing was written; fix that, then run the same command again (what was created stays and is reused)",
        )
    })?;
    Ok((done.created, done.existing))
}

/// Without the `aws` feature there is nothing to provision with.
#[cfg(not(feature = "aws"))]
pub(crate) fn provision(_config: &SyncConfig) -> Result<(Vec<String>, Vec<String>)> {
    Err(no_aws().into())
}

/// What to do about a failed sync: the remote's own advice where it has some.
pub(crate) fn failed(e: SyncError, otherwise: &str) -> UserError {
    let advice = match &e {
        SyncError::Remote(RemoteError::Missing { .. }) => {
            "create the tables and buckets with `gen sync init --backend aws --project-id P --provision --force` (same settings as now), or ask whoever runs the AWS account"
        }
        SyncError::Remote(RemoteError::TooLarge { .. }) => {
            "shorten that event (or remove it from the log) and push again"
        }
        _ => otherwise,
    };
    UserError::new(e.to_string(), advice)
}

/// Where `--remote` reads from: flags (or `GEN_*`), else the sync config of the workspace around.
#[derive(Debug, Args, Default)]
pub(crate) struct RemoteArgs {
    /// Read the project straight from its remote instead of a local workspace (no checkout needed).
    #[arg(long)]
    pub remote: bool,
    /// With --remote: the remote kind (`local`: a folder; `aws`: DynamoDB).
    #[arg(long, value_enum, env = "GEN_BACKEND", requires = "remote")]
    pub backend: Option<init::BackendArg>,
    /// With --remote: the folder that plays the cloud.
    #[arg(long, env = "GEN_ROOT", value_name = "DIR", requires = "remote")]
    pub root: Option<std::path::PathBuf>,
    /// With --remote: the project's id on the remote.
    #[arg(long, env = "GEN_PROJECT_ID", requires = "remote")]
    pub project_id: Option<String>,
    /// With --remote --backend aws: the AWS region (default: AWS_REGION or the profile's).
    #[arg(long, requires = "remote")]
    pub region: Option<String>,
    /// With --remote --backend aws: the AWS credentials profile (default: AWS_PROFILE).
    #[arg(long, requires = "remote")]
    pub profile: Option<String>,
    /// With --remote --backend aws: a DynamoDB-compatible endpoint instead of AWS's.
    #[arg(long, value_name = "URL", requires = "remote")]
    pub endpoint_url: Option<String>,
}

/// A sync config for `--backend aws` flags: the seed's names for the project, the flags' settings.
fn aws_flags_config(args: &RemoteArgs, project_id: &str) -> Result<SyncConfig> {
    let mut settings = gen_core::config::SyncSettings::new(project_id, Backend::Aws);
    settings.region = args.region.clone();
    settings.profile = args.profile.clone();
    settings.endpoint_url = args.endpoint_url.clone();
    let text = gen_core::config::render_sync_config(&settings);
    let (config, report) = load_sync_config(&SourceFile::new("--remote flags", text));
    config.ok_or_else(|| {
        let first = report
            .errors
            .first()
            .map(|d| crate::report::advised(d).to_string())
            .unwrap_or_default();
        UserError::new(
            format!("these --remote flags do not make a valid remote: {first}"),
            "check --project-id, --region and --endpoint-url",
        )
        .into()
    })
}

/// The remote's events as a throwaway workspace (kept alive by the returned folder).
pub(crate) fn remote_view(
    explicit: Option<&std::path::Path>,
    args: &RemoteArgs,
) -> Result<(tempfile::TempDir, Workspace)> {
    let (remote, project_id): (Box<dyn Remote>, String) = match (
        args.backend,
        &args.root,
        &args.project_id,
    ) {
        (Some(init::BackendArg::Aws), None, Some(project_id)) => {
            let config = aws_flags_config(args, project_id)?;
            (aws_remote(&config)?, project_id.clone())
        }
        (Some(init::BackendArg::Aws), Some(_), _) => {
            return Err(UserError::new(
                "--root is for --backend local",
                "with --backend aws give --project-id (and --region, --endpoint-url as needed)",
            )
            .into());
        }
        (Some(init::BackendArg::Local) | None, Some(root), Some(project_id)) => {
            let remote = LocalRemote::new(root, project_id)
                .map_err(|e| UserError::new(e.to_string(), "check --project-id"))?;
            (Box::new(remote), project_id.clone())
        }
        (None, None, None) => {
            let ws = super::open(explicit).map_err(|_| {
                    UserError::new(
                        "--remote needs a remote: --backend local --root DIR --project-id P, or --backend aws --project-id P [--region R] [--endpoint-url URL] (or GEN_BACKEND, GEN_ROOT, GEN_PROJECT_ID)",
                        "or run it inside a workspace that has bedrock/sync_config.yml",
                    )
                })?;
            let settings = config(&ws)?;
            (remote(&ws, &settings)?, settings.project_id)
        }
        _ => {
            return Err(UserError::new(
                "--remote needs --project-id and, for --backend local (the default), --root too",
                "give them (or none, inside a workspace that syncs)",
            )
            .into());
        }
    };
    let dir = tempfile::tempdir().map_err(|e| UserError::new(e.to_string(), "check TMPDIR"))?;
    // The folder is named after the project, so the view's project name is the project id.
    let ws = gen_sync::materialise(remote.as_ref(), &dir.path().join(&project_id))
        .map_err(|e| failed(e, "check the remote, then try again"))?;
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
        match (&c.remote, &c.remote_origin) {
            (Some(remote), Some(origin)) => {
                outln!(
                    "  conflict: event {} differs here and on the remote (put by origin {}); both are kept as they are",
                    safe(&c.event_id),
                    safe(origin)
                );
                outln!("    here:   {}", safe(&c.local));
                outln!("    remote: {}", safe(remote));
            }
            _ => outln!("  not moved: {}", safe(&c.reason)),
        }
    }
    Ok(())
}
