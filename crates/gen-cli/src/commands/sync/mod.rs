//! `gen sync …`: the workspace and its remote (seed `000_*`), every resource in the direction the
//! seed gives it — events both ways on the per-origin stream, configs up (git-like, with conflicts)
//! and down for teammates, feature vectors and artifacts down. The remote comes from
//! `bedrock/sync_config.yml`.

pub(crate) mod init;
pub(crate) mod push;
pub(crate) mod status;

use crate::report::{Exit, UserError};
use crate::terminal::{errln, outln, safe};
use clap::{Args, Subcommand, ValueEnum};
use gen_core::config::{Backend, SourceFile, SyncConfig, load_sync_config};
use gen_sync::features::{FeatureStore, FolderFeatures};
use gen_sync::objects::{FolderObjects, Objects};
use gen_sync::{LocalRemote, Moved, Problem, Remote, RemoteError, Summary, SyncError};
use gen_workspace::Workspace;
use miette::Result;

/// `gen sync …`
#[derive(Debug, Subcommand)]
pub(crate) enum SyncCommand {
    /// Write bedrock/sync_config.yml for a remote: `--backend local --root DIR` (a folder, e.g. on a
    /// shared drive, that plays the cloud) or `--backend aws --project-id P` (DynamoDB + S3;
    /// `--provision` creates the tables and buckets).
    Init(init::SyncInitArgs),
    /// Send what this workspace authored: events the remote lacks, configs changed here (validated
    /// first), and the feature table items those events touch (idempotent; safe to re-run).
    Push(SyncArgs),
    /// Bring what teammates and the cloud wrote: events (appended, never reordered), configs,
    /// feature vectors and artifacts; a local change is never overwritten.
    Pull(SyncArgs),
    /// What push and pull would move, and when each resource last synced.
    Status(SyncArgs),
}

/// The resources sync moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Resource {
    /// The event stream.
    Events,
    /// Graph topology, edge parameters, profiles, evaluator defaults, constraints, blueprints.
    Configs,
    /// Feature vectors (the features table).
    Features,
    /// Iterate artifacts (the artifacts bucket).
    Artifacts,
}

impl Resource {
    /// All four, in the order a sync moves them.
    pub(crate) const ALL: [Resource; 4] = [
        Resource::Events,
        Resource::Configs,
        Resource::Features,
        Resource::Artifacts,
    ];

    /// Its name in `--only`, the JSON keys and `last_sync` entries.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Resource::Events => "events",
            Resource::Configs => "configs",
            Resource::Features => "features",
            Resource::Artifacts => "artifacts",
        }
    }
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
    /// Push: send configs even where the remote changed too (overwrites theirs), and even when
    /// `gen validate` finds errors.
    #[arg(long)]
    pub force: bool,
    /// Pull: take the remote's version of a conflicting config, vector or artifact (overwrites ours).
    #[arg(long)]
    pub theirs: bool,
    /// Push: delete remotely the configs deleted here since the last sync.
    #[arg(long)]
    pub delete: bool,
}

impl SyncArgs {
    /// Whether this run moves `resource`.
    pub(crate) fn moves(&self, resource: Resource) -> bool {
        self.only.is_none_or(|only| only == resource)
    }
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

/// Everything a sync talks to — the event stream, the config and artifacts buckets, the features
/// table — each opened on first use (an AWS client costs a credentials lookup; `--only configs`
/// should not pay for four).
pub(crate) struct Remotes<'a> {
    ws: &'a Workspace,
    settings: &'a Settings,
    events: std::cell::OnceCell<Box<dyn Remote>>,
    configs: std::cell::OnceCell<Box<dyn Objects>>,
    artifacts: std::cell::OnceCell<Box<dyn Objects>>,
    features: std::cell::OnceCell<Box<dyn FeatureStore>>,
}

impl<'a> Remotes<'a> {
    /// Nothing opened yet.
    pub(crate) fn new(ws: &'a Workspace, settings: &'a Settings) -> Remotes<'a> {
        Remotes {
            ws,
            settings,
            events: Default::default(),
            configs: Default::default(),
            artifacts: Default::default(),
            features: Default::default(),
        }
    }

    /// The event stream.
    pub(crate) fn events(&self) -> Result<&dyn Remote> {
        if self.events.get().is_none() {
            let _ = self.events.set(remote(self.ws, self.settings)?);
        }
        Ok(self.events.get().map(|b| b.as_ref()).ok_or_else(opened)?)
    }

    /// The config bucket.
    pub(crate) fn configs(&self) -> Result<&dyn Objects> {
        if self.configs.get().is_none()
            && let Opened::Bucket(b) = self.open(Resource::Configs)?
        {
            let _ = self.configs.set(b);
        }
        Ok(self.configs.get().map(|b| b.as_ref()).ok_or_else(opened)?)
    }

    /// The artifacts bucket.
    pub(crate) fn artifacts(&self) -> Result<&dyn Objects> {
        if self.artifacts.get().is_none()
            && let Opened::Bucket(b) = self.open(Resource::Artifacts)?
        {
            let _ = self.artifacts.set(b);
        }
        Ok(self
            .artifacts
            .get()
            .map(|b| b.as_ref())
            .ok_or_else(opened)?)
    }

    /// The features table.
    pub(crate) fn features(&self) -> Result<&dyn FeatureStore> {
        if self.features.get().is_none()
            && let Opened::Table(t) = self.open(Resource::Features)?
        {
            let _ = self.features.set(t);
        }
        Ok(self.features.get().map(|b| b.as_ref()).ok_or_else(opened)?)
    }

    /// Opens the bucket of `which` (configs or artifacts), or (features) the features table.
    fn open(&self, which: Resource) -> Result<Opened> {
        let config = &self.settings.config;
        match config.backend {
            Backend::Local => {
                let root = config.local_root_in(&self.ws.root).ok_or_else(|| {
                    UserError::new(
                        "the sync config says `backend: local` but names no `local_root`",
                        "add `local_root: DIR` under `sync:` (the folder that plays the cloud)",
                    )
                })?;
                // LocalRemote::new checks that the project id can name a folder.
                LocalRemote::new(&root, &self.settings.project_id).map_err(|e| {
                    UserError::new(e.to_string(), "fix `project_id` in bedrock/sync_config.yml")
                })?;
                let project = root.join(&self.settings.project_id);
                Ok(match which {
                    Resource::Features => {
                        Opened::Table(Box::new(FolderFeatures::new(&project.join("features"))))
                    }
                    Resource::Artifacts => {
                        Opened::Bucket(Box::new(FolderObjects::new(&project.join("artifacts"))))
                    }
                    _ => Opened::Bucket(Box::new(FolderObjects::new(&project.join("config")))),
                })
            }
            Backend::Aws => aws_stores(config, which),
        }
    }
}

/// A bucket or the features table, freshly opened.
enum Opened {
    Bucket(Box<dyn Objects>),
    Table(Box<dyn FeatureStore>),
}

fn opened() -> UserError {
    UserError::new("a remote could not be opened", "run the same command again")
}

/// The AWS bucket of `which` (configs or artifacts), or the features table, as the config names.
#[cfg(feature = "aws")]
fn aws_stores(config: &SyncConfig, which: Resource) -> Result<Opened> {
    let advice = "check `s3_config_bucket`, `s3_artifacts_bucket`, `dynamodb_features_table`, `region` and `endpoint_url` in bedrock/sync_config.yml";
    if which == Resource::Features {
        let table = gen_sync_aws::AwsFeatures::open(config)
            .map_err(|e| UserError::new(e.to_string(), advice))?;
        return Ok(Opened::Table(Box::new(table)));
    }
    let (name, key) = match which {
        Resource::Artifacts => (&config.s3_artifacts_bucket, "s3_artifacts_bucket"),
        _ => (&config.s3_config_bucket, "s3_config_bucket"),
    };
    let name = name
        .as_deref()
        .ok_or_else(|| UserError::new(format!("the sync config names no `{key}`"), advice))?;
    Ok(Opened::Bucket(Box::new(
        gen_sync_aws::S3Objects::open(config, name)
            .map_err(|e| UserError::new(e.to_string(), advice))?,
    )))
}

/// Without the `aws` feature there are no AWS buckets to open.
#[cfg(not(feature = "aws"))]
fn aws_stores(_config: &SyncConfig, _which: Resource) -> Result<Opened> {
    Err(no_aws().into())
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

/// What a push or pull did to each resource: `--json` prints exactly this.
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct Report {
    /// The event stream.
    pub events: Summary,
    /// Config files.
    pub configs: Summary,
    /// Feature vectors.
    pub features: Summary,
    /// Artifacts.
    pub artifacts: Summary,
}

impl Report {
    /// One resource's summary.
    pub(crate) fn get(&self, resource: Resource) -> &Summary {
        match resource {
            Resource::Events => &self.events,
            Resource::Configs => &self.configs,
            Resource::Features => &self.features,
            Resource::Artifacts => &self.artifacts,
        }
    }

    /// One resource's summary, to fill in.
    pub(crate) fn get_mut(&mut self, resource: Resource) -> &mut Summary {
        match resource {
            Resource::Events => &mut self.events,
            Resource::Configs => &mut self.configs,
            Resource::Features => &mut self.features,
            Resource::Artifacts => &mut self.artifacts,
        }
    }
}

/// The event stream's outcome in the shape every resource shares: a conflict's path is the log
/// and the event id, its reason carries both lines.
pub(crate) fn events_summary(ws: &Workspace, moved: &Moved) -> Summary {
    let log = ws.relative(&ws.events_path());
    Summary {
        added: moved.added,
        changed: 0,
        deleted: 0,
        skipped: moved.skipped,
        conflicts: moved
            .conflicts
            .iter()
            .map(|c| Problem {
                path: format!("{log}#{}", c.event_id),
                reason: match (&c.remote, &c.remote_origin) {
                    (Some(remote), Some(origin)) => format!(
                        "the same event id holds other content on the remote (put by origin {origin}); both are kept as they are — here: {} — remote: {remote}",
                        c.local
                    ),
                    _ => c.reason.clone(),
                },
            })
            .collect(),
    }
}

/// The words for one resource's summary line.
pub(crate) fn summary(name: &str, s: &Summary, dry_run: bool) -> String {
    let would = if dry_run { "would be " } else { "" };
    format!(
        "{name}: {} {would}added, {} {would}changed, {} {would}deleted, {} skipped, {} conflict(s)",
        s.added,
        s.changed,
        s.deleted,
        s.skipped,
        s.conflicts.len()
    )
}

/// Prints a report (human or JSON): a line per resource moved, then what was left alone.
pub(crate) fn print(report: &Report, json: bool, moved: &[Resource], dry_run: bool) -> Result<()> {
    if json {
        return super::print_json(report);
    }
    for resource in moved {
        let s = report.get(*resource);
        outln!("{}", summary(resource.name(), s, dry_run));
        for c in &s.conflicts {
            outln!("  {}: {}", safe(&c.path), safe(&c.reason));
        }
    }
    Ok(())
}
