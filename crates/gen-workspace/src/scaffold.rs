//! Laying out a workspace for `gen init`: new, refreshed, or adopted from a v0 task workspace.
//!
//! The files come from `gen_core::config::defaults`; this module decides which of them may be
//! written (never authored context on a refresh, never a symlinked config, never anything of a v0
//! workspace) and writes them atomically.

use crate::Workspace;
use crate::atomic::{WriteError, write_atomic};
use crate::layout::{FEATURE_FOLDERS, WorkspaceKind};
use std::path::PathBuf;

/// What `init` does to the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaffoldMode {
    /// No `.ai-workspace/` yet.
    New,
    /// An existing graph workspace: the configs gen owns (graph/, profiles/) are rewritten.
    Refresh,
    /// A v0 task workspace: the graph method is added beside its tasks, nothing of it is touched.
    AdoptV0,
}

/// Why the workspace was not laid out.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// A workspace exists and no refresh was asked for.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    /// A folder could not be created.
    #[error("cannot create {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What was written and what was left as it was (workspace-relative paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scaffolded {
    /// The mode it ran in.
    pub mode: ScaffoldMode,
    /// Files written.
    pub written: Vec<String>,
    /// Default files that exist and were kept.
    pub kept: Vec<String>,
}

/// What `gen init --json` reports (and the server will): the workspace written, and which default
/// config files were written and which were kept as they were.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Initialized {
    /// The `.ai-workspace/` folder.
    pub workspace: PathBuf,
    /// The project name recorded.
    pub project: String,
    /// The default profile for new features.
    pub profile: String,
    /// True when an existing workspace's configs were refreshed (`--force`).
    pub refreshed: bool,
    /// True when a v0 task workspace adopted the graph method.
    pub adopted: bool,
    /// Config files written, workspace-relative.
    pub written: Vec<String>,
    /// Config files left as they were (authored context, symlinks, v0 files).
    pub kept: Vec<String>,
}

/// Decides the mode: `force` is needed to refresh an existing graph workspace.
pub fn scaffold_mode(ws: &Workspace, force: bool) -> Result<ScaffoldMode, ScaffoldError> {
    if !ws.dir.exists() {
        return Ok(ScaffoldMode::New);
    }
    if ws.kind() == WorkspaceKind::TaskV0 {
        return Ok(ScaffoldMode::AdoptV0);
    }
    if force {
        Ok(ScaffoldMode::Refresh)
    } else {
        Err(ScaffoldError::Exists(ws.dir.clone()))
    }
}

/// Creates the folders and writes `files` (workspace-relative path, text) as `mode` allows.
pub fn scaffold(
    ws: &Workspace,
    mode: ScaffoldMode,
    files: Vec<(String, String)>,
) -> Result<Scaffolded, ScaffoldError> {
    let mut folders = vec![
        ws.event_log()
            .path
            .parent()
            .map_or_else(|| ws.dir.clone(), std::path::Path::to_path_buf),
        ws.edge_params_dirs()[0].clone(),
        ws.profiles_dir(),
        ws.default_constraints_path()
            .parent()
            .map_or_else(|| ws.dir.clone(), std::path::Path::to_path_buf),
        ws.blueprints_dir(),
    ];
    folders.extend(FEATURE_FOLDERS.iter().map(|f| ws.features_dir(f)));
    for path in folders {
        std::fs::create_dir_all(&path).map_err(|source| ScaffoldError::Folder { path, source })?;
    }
    let mut written = Vec::new();
    let mut kept = Vec::new();
    for (rel, text) in files {
        let path = ws.dir.join(&rel);
        let keep = match mode {
            ScaffoldMode::New => false,
            // Nothing of a v0 workspace is touched (config/, tasks/, templates/ are not ours).
            ScaffoldMode::AdoptV0 => path.exists(),
            // Authored context survives a refresh; the graph and profiles are ours to replace.
            ScaffoldMode::Refresh => rel.starts_with("context/") && path.exists(),
        };
        // A symlinked config points at a file gen does not own (e.g. a plugin's topology): leave both.
        if keep || path.is_symlink() {
            kept.push(rel);
            continue;
        }
        write_atomic(&path, text.as_bytes())?;
        written.push(rel);
    }
    Ok(Scaffolded {
        mode,
        written,
        kept,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<(String, String)> {
        vec![
            (
                "graph/graph_topology.yml".into(),
                "asset_types: {}\n".into(),
            ),
            (
                "context/project_constraints.yml".into(),
                "project: {name: p}\n".into(),
            ),
        ]
    }

    #[test]
    fn initialized_json_shape_is_pinned() {
        let done = Initialized {
            workspace: "/home/ana/billing/.ai-workspace".into(),
            project: "billing".into(),
            profile: "standard".into(),
            refreshed: true,
            adopted: false,
            written: vec!["graph/graph_topology.yml".into()],
            kept: vec!["context/project_constraints.yml".into()],
        };
        insta::assert_json_snapshot!(done);
        let value = serde_json::to_value(&done).unwrap();
        assert_eq!(
            serde_json::from_value::<Initialized>(value).ok(),
            Some(done)
        );
    }

    #[test]
    fn new_refresh_and_adopt_write_only_what_they_may() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspace::planned(tmp.path());
        assert_eq!(scaffold_mode(&ws, false).unwrap(), ScaffoldMode::New);
        let done = scaffold(&ws, ScaffoldMode::New, files()).unwrap();
        assert_eq!(done.written.len(), 2);
        assert!(ws.dir.join("events").is_dir() && ws.features_dir("archived").is_dir());
        assert!(matches!(
            scaffold_mode(&ws, false),
            Err(ScaffoldError::Exists(_))
        ));
        std::fs::write(ws.default_constraints_path(), "project: {name: mine}\n").unwrap();
        let again = scaffold(&ws, scaffold_mode(&ws, true).unwrap(), files()).unwrap();
        assert_eq!(again.kept, ["context/project_constraints.yml"]);
        assert_eq!(
            std::fs::read_to_string(ws.default_constraints_path()).unwrap(),
            "project: {name: mine}\n"
        );

        let v0 = tempfile::tempdir().unwrap();
        let ws = Workspace::planned(v0.path());
        std::fs::create_dir_all(ws.dir.join("tasks/active")).unwrap();
        std::fs::create_dir_all(ws.dir.join("graph")).unwrap();
        std::fs::write(ws.topology_path(), "mine\n").unwrap();
        // A v0 folder with a stray graph file is still adopted without touching that file... but it
        // is a graph workspace by then, so only `--force` refreshes it.
        assert!(matches!(
            scaffold_mode(&ws, false),
            Err(ScaffoldError::Exists(_))
        ));
        std::fs::remove_file(ws.topology_path()).unwrap();
        std::fs::create_dir_all(ws.dir.join("config")).unwrap();
        std::fs::write(
            ws.dir.join("config/workspace_config.yml"),
            "version: '1.0'\n",
        )
        .unwrap();
        assert_eq!(scaffold_mode(&ws, false).unwrap(), ScaffoldMode::AdoptV0);
        let adopted = scaffold(&ws, ScaffoldMode::AdoptV0, files()).unwrap();
        assert_eq!(adopted.written.len(), 2);
        assert!(ws.dir.join("tasks/active").is_dir());
    }
}
