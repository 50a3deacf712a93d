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
}

/// `gen sync init`
#[derive(Debug, Args)]
pub(crate) struct SyncInitArgs {
    /// The remote: `local` (a folder).
    #[arg(long, value_enum, env = "GEN_BACKEND")]
    pub backend: BackendArg,
    /// The folder that plays the cloud (with `--backend local`); relative to the project folder.
    #[arg(long, env = "GEN_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The project's id on the remote (default: the project name, made safe for keys).
    #[arg(long, env = "GEN_PROJECT_ID")]
    pub project_id: Option<String>,
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
    let BackendArg::Local = args.backend;
    let root = args.root.clone().ok_or_else(|| {
        UserError::new(
            "--backend local needs --root DIR",
            "name the folder that plays the cloud, e.g. --root ../team-remote (or set GEN_ROOT)",
        )
    })?;
    let mut settings = SyncSettings::new(&project_id, Backend::Local);
    settings.local_root = Some(root.to_string_lossy().into_owned());
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
    gen_workspace::write_atomic(&path, text.as_bytes()).into_diagnostic()?;
    if json {
        super::super::print_json(&serde_json::json!({
            "config": ws.relative(&path), "backend": "local", "project_id": project_id,
            "root": root,
        }))?;
    } else if !quiet() {
        outln!(
            "Wrote {}: project `{project_id}` syncs through {}",
            ws.relative(&path),
            root.display()
        );
        outln!("  next: gen sync push · gen sync pull · gen sync status");
    }
    Ok(Exit::Success)
}
