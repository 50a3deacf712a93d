//! Finding the workspace: `--workspace`, `GEN_WORKSPACE`, or the nearest `.ai-workspace/` above the cwd.

use std::path::{Path, PathBuf};

/// The name of the workspace folder inside a project.
pub const DIR_NAME: &str = ".ai-workspace";

/// A located workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The project folder holding `.ai-workspace/`.
    pub root: PathBuf,
    /// The `.ai-workspace/` folder itself.
    pub dir: PathBuf,
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

/// Why no workspace could be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// Nothing found walking up.
    #[error("no .ai-workspace/ found in {start} or any parent folder")]
    NotFound {
        /// Where the search started.
        start: PathBuf,
    },
    /// An explicit path that is not a workspace.
    #[error(
        "{path} is not a workspace (expected a project folder containing .ai-workspace/, or the .ai-workspace/ folder itself)"
    )]
    NotAWorkspace {
        /// The path given.
        path: PathBuf,
    },
    /// Reading the disk failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl Workspace {
    /// Opens an explicit path: either the project folder or the `.ai-workspace/` folder itself.
    pub fn at(path: &Path) -> Result<Workspace, WorkspaceError> {
        let path = absolute(path);
        if path.file_name().is_some_and(|n| n == DIR_NAME) && path.is_dir() {
            let root = path
                .parent()
                .map_or_else(|| path.clone(), Path::to_path_buf);
            return Ok(Workspace { root, dir: path });
        }
        let dir = path.join(DIR_NAME);
        if dir.is_dir() {
            return Ok(Workspace { root: path, dir });
        }
        Err(WorkspaceError::NotAWorkspace { path })
    }

    /// Finds the workspace: an explicit path or `GEN_WORKSPACE` wins, else walk up from `start`.
    pub fn find(start: &Path, explicit: Option<&Path>) -> Result<Workspace, WorkspaceError> {
        if let Some(p) = explicit {
            return Workspace::at(p);
        }
        let start = absolute(start);
        let mut cur: Option<&Path> = Some(&start);
        while let Some(dir) = cur {
            if dir.join(DIR_NAME).is_dir() {
                return Ok(Workspace {
                    root: dir.to_path_buf(),
                    dir: dir.join(DIR_NAME),
                });
            }
            cur = dir.parent();
        }
        Err(WorkspaceError::NotFound { start })
    }

    /// A workspace that is about to be created by `gen init`.
    pub fn planned(root: &Path) -> Workspace {
        let root = absolute(root);
        Workspace {
            dir: root.join(DIR_NAME),
            root,
        }
    }

    /// A path relative to the workspace folder, with forward slashes, for messages and config keys.
    pub fn relative(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.dir).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn walks_up_to_the_nearest_workspace() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".ai-workspace")).unwrap();
        let deep = tmp.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        let ws = Workspace::find(&deep, None).unwrap();
        assert_eq!(ws.root, tmp.path());
    }

    #[test]
    fn explicit_path_may_name_either_folder() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join(".ai-workspace")).unwrap();
        let a = Workspace::at(tmp.path()).unwrap();
        let b = Workspace::at(&tmp.path().join(".ai-workspace")).unwrap();
        assert_eq!(a, b);
        assert!(matches!(
            Workspace::at(&tmp.path().join("nope")),
            Err(WorkspaceError::NotAWorkspace { .. })
        ));
    }

    #[test]
    fn missing_workspace_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Workspace::find(tmp.path(), None).unwrap_err();
        assert!(err.to_string().contains("no .ai-workspace/ found"));
    }
}
