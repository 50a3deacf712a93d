//! `gen init`: scaffold a workspace with our default graph, or refresh its configs with `--force`.

use super::print_json;
use crate::report::Exit;
use crate::report::UserError;
use crate::terminal::{outln, quiet};
use clap::Args;
use gen_core::config::default_files;
use gen_core::event::NewEvent;
use gen_workspace::Workspace;
use gen_workspace::{Initialized, ScaffoldMode, Scaffolded};
use miette::{IntoDiagnostic, Result};
use std::path::Path;
use std::path::PathBuf;

const PROFILES: &[&str] = &["standard", "full", "minimal", "poc", "spike", "hotfix"];

/// `gen init`
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
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

/// Runs the command.
pub(crate) fn run(explicit: Option<&Path>, args: &InitArgs, json: bool) -> Result<Exit> {
    let root = match (&args.path, explicit) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => p.to_path_buf(),
        (None, None) => std::env::current_dir().into_diagnostic()?,
    };
    let root = if root.file_name().is_some_and(|n| n == ".ai-workspace") {
        root.parent().map(Path::to_path_buf).unwrap_or(root)
    } else {
        root
    };
    if !PROFILES.contains(&args.profile.as_str()) {
        return Err(UserError::new(
            format!("unknown profile `{}`", args.profile),
            format!("choose one of: {}", PROFILES.join(", ")),
        )
        .into());
    }
    let ws = Workspace::planned(&root);
    let mode = match gen_workspace::scaffold_mode(&ws, args.force) {
        Ok(mode) => mode,
        Err(e) => {
            return Err(UserError::new(
                e.to_string(),
                "nothing was changed. `gen init --force` refreshes the configs (graph/, profiles/) from the defaults and keeps events, features and context/ as they are",
            )
            .into());
        }
    };
    let (exists, adopting) = (mode != ScaffoldMode::New, mode == ScaffoldMode::AdoptV0);
    let project = args.project.clone().unwrap_or_else(|| {
        root.file_name()
            .map_or_else(|| "project".into(), |n| n.to_string_lossy().into_owned())
    });
    let Scaffolded { written, kept, .. } =
        gen_workspace::scaffold(&ws, mode, default_files(&project, &args.profile))
            .into_diagnostic()?;
    let (timestamp, event_id) = gen_workspace::event_stamp();
    let mut payload = serde_json::Map::new();
    payload.insert("profile".into(), args.profile.clone().into());
    payload.insert("installer".into(), "gen".into());
    payload.insert("gen_version".into(), env!("CARGO_PKG_VERSION").into());
    payload.insert("files".into(), written.len().into());
    if adopting {
        payload.insert("adopted".into(), "v0_task_workspace".into());
    }
    let event = NewEvent {
        event_type: if exists && !adopting {
            "configs_refreshed"
        } else {
            "project_initialized"
        }
        .into(),
        timestamp,
        project: project.clone(),
        event_id,
        agent_id: super::agent_id(None),
        feature: None,
        edge: None,
        payload,
    };
    gen_workspace::append_event(&ws, &event).into_diagnostic()?;
    if json {
        print_json(&Initialized {
            workspace: ws.dir,
            project,
            profile: args.profile.clone(),
            refreshed: exists && !adopting,
            adopted: adopting,
            written,
            kept,
        })?;
    } else if quiet() {
        // --quiet: the exit code says it worked.
    } else if adopting {
        outln!(
            "Adopted the graph method in {} for project `{project}` (profile {}): {} config files written; \
             config/, tasks/ and templates/ untouched",
            ws.dir.display(),
            args.profile,
            written.len()
        );
    } else if exists {
        outln!(
            "Refreshed {} config files in {} (kept {} authored file(s), events and features untouched)",
            written.len(),
            ws.dir.display(),
            kept.len()
        );
    } else {
        outln!(
            "Initialized {} for project `{project}` (profile {})",
            ws.dir.display(),
            args.profile
        );
        outln!(
            "  {} config files written; recorded project_initialized",
            written.len()
        );
        outln!(
            "  next: gen validate · gen event emit edge_started --feature REQ-F-… --edge 'intent→requirements' · gen status"
        );
    }
    Ok(Exit::Success)
}
