//! Every path inside `.ai-workspace/`, spelled once.
//!
//! Real workspaces put things in more than one place (a log at `events/events.jsonl` or, in older tools,
//! at `.ai-workspace/events.jsonl`; edge parameters in `graph/edge_params/` or `graph/edges/`;
//! constraints in a tenant's `context/` or the shared one). The rules that pick among them live here and
//! nowhere else, so `validate`, `status`, `event emit`, sync and the server always agree on which file
//! is meant.

use crate::discover::Workspace;
use std::path::{Path, PathBuf};

/// Tenants whose `context/` may hold the constraints; looked up before the shared `context/`.
pub const TENANTS: &[&str] = &["claude", "bedrock", "gemini", "codex"];

/// The folders of `features/`, in the order they are read.
pub const FEATURE_FOLDERS: [&str; 3] = ["active", "completed", "archived"];

/// The folder of saved workbench blueprints (workspace configs: `gen validate` checks them, sync
/// pushes them).
pub const BLUEPRINTS: &str = "blueprints";

/// The edge-parameter folder spellings, in the order they win.
pub const EDGE_PARAM_FOLDERS: [&str; 2] = ["edge_params", "edges"];

/// Where the event log of a workspace is, and which other log-like files were left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLogFile {
    /// The file that is read and appended to.
    pub path: PathBuf,
    /// Which of the known places it is.
    pub place: LogPlace,
    /// Log-like files that are deliberately not read (so no event is counted twice).
    pub ignored: Vec<IgnoredLog>,
}

/// The places an event log is found in real workspaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogPlace {
    /// `events/events.jsonl`, the current layout (also where a new log is created).
    Events,
    /// `.ai-workspace/events.jsonl`, written by older tools and the v1→v2 migration.
    WorkspaceRoot,
}

/// A log-like file next to the log in use that is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredLog {
    /// The file.
    pub path: PathBuf,
    /// Why it is not read.
    pub reason: IgnoredReason,
}

/// Why a log-like file is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoredReason {
    /// `events.v1.jsonl`: the pre-migration copy the v1→v2 migration leaves beside the migrated log;
    /// its events are already in the log, so reading it would count them twice.
    MigrationLeftover,
    /// `.ai-workspace/events.jsonl` while `events/events.jsonl` also exists: the newer place wins.
    Superseded,
}

/// What kind of `.ai-workspace/` this is, so commands can say what they found instead of failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    /// The graph method: a topology, or events, features or profiles of it.
    Graph,
    /// A v0 task workspace (`config/workspace_config.yml`, `tasks/`, `templates/`) with no graph.
    TaskV0,
    /// Nothing recognisable yet (a new or empty folder).
    Empty,
}

/// Folders whose every file is a shared config (seed `000_*`: authored here, pushed to the config
/// bucket, pulled by teammates): the graph, profiles and saved blueprints.
pub const CONFIG_FOLDERS: [&str; 3] = ["graph", "profiles", BLUEPRINTS];

/// Names that are never configs: hidden files, editor leftovers, sync's own `.remote` copies.
fn ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".remote")
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

/// Whether a workspace-relative, `/`-separated path is a place a shared config may live: inside one
/// of [`CONFIG_FOLDERS`] or a constraints file. Guards what a pull may write.
pub fn is_config_path(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return false;
    }
    let Some(name) = parts.last() else {
        return false;
    };
    if ignored_name(name) {
        return false;
    }
    match parts.as_slice() {
        [folder, _, ..] if CONFIG_FOLDERS.contains(folder) => true,
        ["context", "project_constraints.yml"] => true,
        [tenant, "context", "project_constraints.yml"] => TENANTS.contains(tenant),
        _ => false,
    }
}

impl Workspace {
    /// A workspace from its `.ai-workspace/` folder (the project folder is its parent).
    pub fn from_dir(dir: &Path) -> Workspace {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        Workspace {
            root: dir.parent().map_or_else(|| dir.clone(), Path::to_path_buf),
            dir,
        }
    }

    /// `graph/`.
    pub fn graph_dir(&self) -> PathBuf {
        self.dir.join("graph")
    }

    /// `graph/graph_topology.yml` (often a symlink into a plugin).
    pub fn topology_path(&self) -> PathBuf {
        self.graph_dir().join("graph_topology.yml")
    }

    /// `graph/evaluator_defaults.yml`.
    pub fn evaluator_defaults_path(&self) -> PathBuf {
        self.graph_dir().join("evaluator_defaults.yml")
    }

    /// `graph/edge_params/` and `graph/edges/`, in the order they win per file name.
    pub fn edge_params_dirs(&self) -> [PathBuf; 2] {
        EDGE_PARAM_FOLDERS.map(|name| self.graph_dir().join(name))
    }

    /// `profiles/`.
    pub fn profiles_dir(&self) -> PathBuf {
        self.dir.join("profiles")
    }

    /// `features/<folder>/` for one of [`FEATURE_FOLDERS`].
    pub fn features_dir(&self, folder: &str) -> PathBuf {
        self.dir.join("features").join(folder)
    }

    /// Every `project_constraints.yml` that exists, in lookup order: tenants' `context/`, then `context/`.
    pub fn constraints_candidates(&self) -> Vec<PathBuf> {
        TENANTS
            .iter()
            .map(|t| self.dir.join(t).join("context"))
            .chain(std::iter::once(self.dir.join("context")))
            .map(|dir| dir.join("project_constraints.yml"))
            .filter(|p| p.is_file())
            .collect()
    }

    /// The constraints file in force: the first candidate that exists. One rule for every command —
    /// a file that exists but does not parse is reported by `validate`, never skipped in favour of
    /// another, so `validate` and `status` cannot disagree on the project name or default profile.
    pub fn constraints_path(&self) -> Option<PathBuf> {
        self.constraints_candidates().into_iter().next()
    }

    /// Where `gen init` writes a new constraints file.
    pub fn default_constraints_path(&self) -> PathBuf {
        self.dir.join("context").join("project_constraints.yml")
    }

    /// Every shared config file (see [`CONFIG_FOLDERS`] and the constraints candidates) as
    /// (workspace-relative `/` path, path), sorted: what `gen sync push` sends. Symlinks are
    /// followed (a linked topology is pushed as the content it points to).
    pub fn config_files(&self) -> Vec<(String, PathBuf)> {
        fn walk(dir: &Path, rel: &str, depth: u32, out: &mut Vec<(String, PathBuf)>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                    continue;
                };
                if ignored_name(&name) {
                    continue;
                }
                let path = entry.path();
                let child = format!("{rel}/{name}");
                match std::fs::metadata(&path) {
                    Ok(m) if m.is_dir() && depth < 8 => walk(&path, &child, depth + 1, out),
                    Ok(m) if m.is_file() => out.push((child, path)),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        for folder in CONFIG_FOLDERS {
            walk(&self.dir.join(folder), folder, 0, &mut out);
        }
        for path in self.constraints_candidates() {
            out.push((self.relative(&path), path));
        }
        out.sort();
        out
    }

    /// `blueprints/`: saved workbench blueprints (workspace configs; they sync like them).
    pub fn blueprints_dir(&self) -> PathBuf {
        self.dir.join(BLUEPRINTS)
    }

    /// `workbench/`: draft sessions and topology backups.
    pub fn workbench_dir(&self) -> PathBuf {
        self.dir.join("workbench")
    }

    /// `workbench/drafts/`: one folder per draft session (journal, lock, positions).
    pub fn drafts_dir(&self) -> PathBuf {
        self.workbench_dir().join("drafts")
    }

    /// `workbench/backups/`: the topology as it was before each save from a draft.
    pub fn topology_backups_dir(&self) -> PathBuf {
        self.workbench_dir().join("backups")
    }

    /// `bedrock/sync_config.yml`: the seed's sync settings (remote names, `last_sync.*`, directions).
    pub fn sync_config_path(&self) -> PathBuf {
        self.dir.join("bedrock").join("sync_config.yml")
    }

    /// `bedrock/sync_state.json`: this workspace's origin id, sequence and per-origin cursors. Not
    /// derived (losing it means a full re-pull), never pushed.
    pub fn sync_state_path(&self) -> PathBuf {
        self.dir.join("bedrock").join("sync_state.json")
    }

    /// `.gen/cache/`: derived data (safe to delete, never synced).
    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join(".gen").join("cache")
    }

    /// `config/workspace_config.yml` of a v0 task workspace.
    pub fn v0_config_path(&self) -> PathBuf {
        self.dir.join("config").join("workspace_config.yml")
    }

    /// The event log in use: `events/events.jsonl` when it exists, else `.ai-workspace/events.jsonl`
    /// when that exists, else `events/events.jsonl` (where a new log is created).
    pub fn event_log(&self) -> EventLogFile {
        let current = self.dir.join("events").join("events.jsonl");
        let root = self.dir.join("events.jsonl");
        let (path, place) = if current.is_file() || !root.is_file() {
            (current, LogPlace::Events)
        } else {
            (root.clone(), LogPlace::WorkspaceRoot)
        };
        let mut ignored = Vec::new();
        if place == LogPlace::Events && root.is_file() {
            ignored.push(IgnoredLog {
                path: root,
                reason: IgnoredReason::Superseded,
            });
        }
        for leftover in [
            self.dir.join("events").join("events.v1.jsonl"),
            self.dir.join("events.v1.jsonl"),
        ] {
            if leftover.is_file() {
                ignored.push(IgnoredLog {
                    path: leftover,
                    reason: IgnoredReason::MigrationLeftover,
                });
            }
        }
        EventLogFile {
            path,
            place,
            ignored,
        }
    }

    /// `events/events.jsonl`, or the older place when that is the log in use.
    pub fn events_path(&self) -> PathBuf {
        self.event_log().path
    }

    /// Which kind of workspace this is. One rule, the same as `validate`'s: a topology or profiles
    /// make it a graph workspace; else `config/workspace_config.yml` makes it a v0 task workspace
    /// (even after an event was emitted into it, so `gen init` still adopts it); else events or
    /// features make it a graph workspace that has no graph yet.
    pub fn kind(&self) -> WorkspaceKind {
        if self.topology_path().exists() || self.profiles_dir().is_dir() {
            WorkspaceKind::Graph
        } else if self.v0_config_path().is_file() {
            WorkspaceKind::TaskV0
        } else if self.dir.join("features").is_dir() || self.event_log().path.is_file() {
            WorkspaceKind::Graph
        } else {
            WorkspaceKind::Empty
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws() -> (tempfile::TempDir, Workspace) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(".ai-workspace");
        std::fs::create_dir_all(&dir).unwrap();
        let ws = Workspace::from_dir(&dir);
        (tmp, ws)
    }

    #[test]
    fn a_new_workspace_logs_to_events_folder() {
        let (_t, ws) = ws();
        let log = ws.event_log();
        assert_eq!(log.path, ws.dir.join("events/events.jsonl"));
        assert_eq!(log.place, LogPlace::Events);
        assert!(log.ignored.is_empty());
        assert_eq!(ws.kind(), WorkspaceKind::Empty);
    }

    #[test]
    fn the_old_place_is_read_and_the_migration_copy_is_not() {
        let (_t, ws) = ws();
        std::fs::write(ws.dir.join("events.jsonl"), "{}\n").unwrap();
        std::fs::write(ws.dir.join("events.v1.jsonl"), "{}\n").unwrap();
        let log = ws.event_log();
        assert_eq!(log.path, ws.dir.join("events.jsonl"));
        assert_eq!(log.place, LogPlace::WorkspaceRoot);
        assert_eq!(
            log.ignored,
            vec![IgnoredLog {
                path: ws.dir.join("events.v1.jsonl"),
                reason: IgnoredReason::MigrationLeftover
            }]
        );
        assert_eq!(ws.kind(), WorkspaceKind::Graph);
    }

    #[test]
    fn the_events_folder_wins_over_the_old_place() {
        let (_t, ws) = ws();
        std::fs::create_dir_all(ws.dir.join("events")).unwrap();
        std::fs::write(ws.dir.join("events/events.jsonl"), "{}\n").unwrap();
        std::fs::write(ws.dir.join("events.jsonl"), "{}\n").unwrap();
        let log = ws.event_log();
        assert_eq!(log.place, LogPlace::Events);
        assert_eq!(log.ignored[0].reason, IgnoredReason::Superseded);
    }

    #[test]
    fn a_v0_task_workspace_is_recognised() {
        let (_t, ws) = ws();
        std::fs::create_dir_all(ws.dir.join("config")).unwrap();
        std::fs::create_dir_all(ws.dir.join("tasks/active")).unwrap();
        std::fs::write(ws.v0_config_path(), "version: 0\n").unwrap();
        assert_eq!(ws.kind(), WorkspaceKind::TaskV0);
        // An event emitted into it does not make it a graph workspace; a topology does.
        std::fs::create_dir_all(ws.dir.join("events")).unwrap();
        std::fs::write(ws.dir.join("events/events.jsonl"), "{}\n").unwrap();
        assert_eq!(ws.kind(), WorkspaceKind::TaskV0);
        std::fs::create_dir_all(ws.graph_dir()).unwrap();
        std::fs::write(ws.topology_path(), "asset_types: {}\n").unwrap();
        assert_eq!(ws.kind(), WorkspaceKind::Graph);
    }

    #[test]
    fn one_constraints_rule_the_first_existing_candidate() {
        let (_t, ws) = ws();
        assert_eq!(ws.constraints_path(), None);
        std::fs::create_dir_all(ws.dir.join("context")).unwrap();
        std::fs::create_dir_all(ws.dir.join("gemini/context")).unwrap();
        std::fs::write(ws.dir.join("context/project_constraints.yml"), "a: 1\n").unwrap();
        // Exists but names no project: still the one in force (validate reports what it lacks).
        std::fs::write(
            ws.dir.join("gemini/context/project_constraints.yml"),
            "x: [\n",
        )
        .unwrap();
        assert_eq!(
            ws.constraints_path(),
            Some(ws.dir.join("gemini/context/project_constraints.yml"))
        );
        assert_eq!(ws.constraints_candidates().len(), 2);
    }
}
