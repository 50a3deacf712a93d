//! `gen sync init`: writes `bedrock/sync_config.yml` with the seed's keys for the chosen remote.

use crate::report::{Exit, UserError};
use crate::terminal::{outln, quiet};
use clap::{Args, ValueEnum};
use gen_core::config::{Backend, SyncSettings, render_sync_config};
use gen_workspace::Workspace;
use miette::{IntoDiagnostic, Result};
use std::path::PathBuf;

/// Where the events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BackendArg {
    /// A folder that plays the cloud (a shared drive, or a local folder to try gen).
    Local,
    /// DynamoDB (the event stream) and S3 (configs, artifacts) in an AWS account.
    Aws,
}

/// `gen sync init`
#[derive(Debug, Args)]
pub(crate) struct SyncInitArgs {
    /// The remote: `local` (a folder) or `aws` (DynamoDB + S3).
    #[arg(long, value_enum, env = "GEN_BACKEND")]
    pub backend: BackendArg,
    /// The folder that plays the cloud (with `--backend local`); relative to the project folder.
    #[arg(long, env = "GEN_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The project's id on the remote (default: the project name, made safe for keys).
    #[arg(long, env = "GEN_PROJECT_ID")]
    pub project_id: Option<String>,
    /// With `--backend aws`: the AWS region (default: AWS_REGION or the profile's).
    #[arg(long)]
    pub region: Option<String>,
    /// With `--backend aws`: the AWS credentials profile (default: AWS_PROFILE or `default`).
    #[arg(long)]
    pub profile: Option<String>,
    /// With `--backend aws`: a DynamoDB/S3-compatible endpoint instead of AWS's (e.g. the one
    /// `scripts/local-cloud start` prints).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// With `--backend aws`: create the tables and buckets first (already there is fine).
    #[arg(long)]
    pub provision: bool,
    /// Replace an existing sync config.
    #[arg(long)]
    pub force: bool,
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &SyncInitArgs, json: bool) -> Result<Exit> {
    let path = ws.sync_config_path();
    if path.exists() && !args.force {
        return Err(UserError::new(
            format!("{} already exists", ws.relative(&path)),
            "nothing was changed; `--force` replaces it (its last_sync times start afresh)",
        )
        .into());
    }
    let project_id = args.project_id.clone().unwrap_or_else(|| {
        gen_workspace::project_name(ws)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    });
    let (settings, place) = match args.backend {
        BackendArg::Local => {
            let root = args.root.clone().ok_or_else(|| {
                UserError::new(
                    "--backend local needs --root DIR",
                    "name the folder that plays the cloud, e.g. --root ../team-remote (or set GEN_ROOT)",
                )
            })?;
            if args.provision
                || args.endpoint_url.is_some()
                || args.region.is_some()
                || args.profile.is_some()
            {
                return Err(UserError::new(
                    "--provision, --region, --profile and --endpoint-url are for --backend aws",
                    "a local remote is a folder: give --root DIR only",
                )
                .into());
            }
            let mut settings = SyncSettings::new(&project_id, Backend::Local);
            settings.local_root = Some(root.to_string_lossy().into_owned());
            (settings, root.display().to_string())
        }
        BackendArg::Aws => {
            if args.root.is_some() {
                return Err(UserError::new(
                    "--root is for --backend local",
                    "with --backend aws give --project-id (and --region, --profile, --endpoint-url as needed)",
                )
                .into());
            }
            let mut settings = SyncSettings::new(&project_id, Backend::Aws);
            settings.region = args.region.clone();
            settings.profile = args.profile.clone();
            settings.endpoint_url = args.endpoint_url.clone();
            let place = format!(
                "DynamoDB table {} on {}",
                settings.dynamodb_events_table,
                args.endpoint_url.as_deref().unwrap_or("AWS")
            );
            (settings, place)
        }
    };
    let text = render_sync_config(&settings);
    // The file is checked like every config before it is written.
    let (config, report) = gen_core::config::load_sync_config(&gen_core::config::SourceFile::new(
        ws.relative(&path),
        text.clone(),
    ));
    if config.is_none() {
        let first = report
            .errors
            .first()
            .map(|d| crate::report::advised(d).to_string())
            .unwrap_or_default();
        return Err(UserError::new(
            format!("these settings would not make a valid sync config: {first}"),
            "use a project id of letters, digits, `-`, `_` and `.`",
        )
        .into());
    }
    // Provisioned before the file is written: a failure leaves everything as it was.
    let provisioned = match (&config, args.provision) {
        (Some(config), true) => Some(super::provision(config)?),
        _ => None,
    };
    gen_workspace::write_atomic(&path, text.as_bytes()).into_diagnostic()?;
    let backend = match args.backend {
        BackendArg::Local => "local",
        BackendArg::Aws => "aws",
    };
    if json {
        super::super::print_json(&serde_json::json!({
            "config": ws.relative(&path), "backend": backend, "project_id": project_id,
            "root": args.root, "remote": place,
            "created": provisioned.as_ref().map(|p| &p.0),
            "existing": provisioned.as_ref().map(|p| &p.1),
        }))?;
    } else if !quiet() {
        if let Some((created, existing)) = &provisioned {
            for name in created {
                outln!("Created {name}");
            }
            for name in existing {
                outln!("Found {name} (kept as it is)");
            }
        }
        outln!(
            "Wrote {}: project `{project_id}` syncs through {place}",
            ws.relative(&path),
        );
        outln!("  next: gen sync push · gen sync pull · gen sync status");
    }
    Ok(Exit::Success)
}
