//! Loading config files from disk into a [`ConfigSet`], across every layout real workspaces use.
//!
//! Workspace layout: `graph/graph_topology.yml` (possibly a symlink), `graph/edge_params/` or
//! `graph/edges/`, `graph/evaluator_defaults.yml`, `profiles/`, constraints in `<tenant>/context/` or
//! `context/`, vectors in `features/{active,completed,archived}/`, sync settings in
//! `bedrock/sync_config.yml`. A plugin config dir (the flat layout the Genesis plugins ship) is also
//! accepted, so a config set can be validated before it is installed.

use crate::Workspace;
use crate::layout::{BLUEPRINTS, FEATURE_FOLDERS};
use gen_core::config::{ConfigSet, SourceFile};
use std::path::{Path, PathBuf};

/// A file that exists but could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Workspace-relative path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The config files of a workspace or plugin dir, plus files that could not be read (reported as errors by the caller).
#[derive(Debug, Clone, Default)]
pub struct ConfigFiles {
    /// The files, as the validator wants them.
    pub set: ConfigSet,
    /// Files that exist but are not readable UTF-8.
    pub unreadable: Vec<Unreadable>,
    /// Which edge-params folder was used (`graph/edge_params` or `graph/edges`), if any.
    pub edge_params_dir: Option<String>,
    /// Saved workbench blueprints (`blueprints/*.json`), checked by `gen validate` with the
    /// workbench's strict parser (`gen_session::blueprints::check_blueprints`).
    pub blueprints: Vec<SourceFile>,
}

struct Reader<'a> {
    base: &'a Path,
    loaded: ConfigFiles,
}

impl Reader<'_> {
    fn rel(&self, p: &Path) -> String {
        let rel = p.strip_prefix(self.base).unwrap_or(p);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn file(&mut self, p: &Path) -> Option<SourceFile> {
        if !p.is_file() {
            return None;
        }
        let rel = self.rel(p);
        match std::fs::read(p) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Some(SourceFile::new(rel, text)),
                Err(e) => {
                    self.loaded.unreadable.push(Unreadable {
                        path: rel,
                        reason: format!(
                            "not UTF-8 (invalid byte at offset {})",
                            e.utf8_error().valid_up_to()
                        ),
                    });
                    None
                }
            },
            Err(e) => {
                self.loaded.unreadable.push(Unreadable {
                    path: rel,
                    reason: e.to_string(),
                });
                None
            }
        }
    }

    fn dir(&mut self, d: &Path) -> Vec<SourceFile> {
        yaml_files(d)
            .into_iter()
            .filter_map(|p| self.file(&p))
            .collect()
    }
}

/// `*.yml` / `*.yaml` files directly in `dir`, sorted by name (so reports are stable).
pub(crate) fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    out.sort();
    out
}

/// Reads the configs that shape the graph and who must walk it — topology, profiles, constraints —
/// and nothing else: what status needs, without paying for every vector and edge-parameter file.
pub fn load_graph_configs(ws_dir: &Path) -> ConfigFiles {
    let ws = Workspace::from_dir(ws_dir);
    let mut r = Reader {
        base: &ws.dir,
        loaded: ConfigFiles::default(),
    };
    r.loaded.set.topology = r.file(&ws.topology_path());
    r.loaded.set.profiles = r.dir(&ws.profiles_dir());
    r.loaded.set.constraints = ws.constraints_path().and_then(|p| r.file(&p));
    r.loaded
}

/// Reads a workspace's configs (`ws_dir` is the `.ai-workspace/` folder); paths come from the layout.
pub fn load_workspace(ws_dir: &Path) -> ConfigFiles {
    let ws = Workspace::from_dir(ws_dir);
    let mut r = Reader {
        base: &ws.dir,
        loaded: ConfigFiles::default(),
    };
    r.loaded.set.topology = r.file(&ws.topology_path());
    let mut edge_params = Vec::new();
    for d in ws.edge_params_dirs() {
        if d.is_dir() {
            if r.loaded.edge_params_dir.is_none() {
                r.loaded.edge_params_dir = Some(r.rel(&d));
            }
            for f in r.dir(&d) {
                // When both folders exist the first spelling wins per file name.
                if !edge_params
                    .iter()
                    .any(|e: &SourceFile| e.file_name() == f.file_name())
                {
                    edge_params.push(f);
                }
            }
        }
    }
    r.loaded.set.edge_params = edge_params;
    r.loaded.set.evaluator_defaults = r.file(&ws.evaluator_defaults_path());
    r.loaded.set.profiles = r.dir(&ws.profiles_dir());
    let constraints = ws.constraints_candidates();
    r.loaded.set.constraints = constraints.first().and_then(|p| r.file(p));
    let mut features = Vec::new();
    for folder in FEATURE_FOLDERS {
        features.extend(r.dir(&ws.features_dir(folder)));
    }
    r.loaded.set.features = features;
    let known = [ws.topology_path(), ws.evaluator_defaults_path()];
    let extra: Vec<PathBuf> = yaml_files(&ws.graph_dir())
        .into_iter()
        .filter(|p| !known.contains(p))
        .collect();
    let mut extra_files: Vec<SourceFile> = extra.iter().filter_map(|p| r.file(p)).collect();
    for p in constraints.iter().skip(1) {
        extra_files.extend(r.file(p));
    }
    r.loaded.set.extra_yaml = extra_files;
    r.loaded.set.v0_config = r.file(&ws.v0_config_path());
    r.loaded.set.sync_config = r.file(&ws.sync_config_path());
    let (blueprints, unreadable) = blueprint_sources(&ws.dir);
    r.loaded.blueprints = blueprints;
    r.loaded.unreadable.extend(
        unreadable
            .into_iter()
            .map(|(path, reason)| Unreadable { path, reason }),
    );
    r.loaded
}

/// Every `blueprints/*.json` of a workspace as text, sorted by name, for `gen validate`; files that
/// cannot be read as UTF-8 come back as `(path, reason)`.
pub fn blueprint_sources(ws_dir: &Path) -> (Vec<SourceFile>, Vec<(String, String)>) {
    let dir = Workspace::from_dir(ws_dir).blueprints_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (Vec::new(), Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for p in paths {
        let rel = format!(
            "{BLUEPRINTS}/{}",
            p.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        match std::fs::read(&p).map(String::from_utf8) {
            Ok(Ok(text)) => files.push(SourceFile::new(rel, text)),
            Ok(Err(e)) => unreadable.push((
                rel,
                format!(
                    "not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )),
            Err(e) => unreadable.push((rel, e.to_string())),
        }
    }
    (files, unreadable)
}

/// Reads a flat plugin config dir (`graph_topology.yml`, `edge_params/`, `profiles/`, templates).
pub fn load_config_dir(dir: &Path) -> ConfigFiles {
    let mut r = Reader {
        base: dir,
        loaded: ConfigFiles::default(),
    };
    r.loaded.set.topology = r.file(&dir.join("graph_topology.yml"));
    for name in ["edge_params", "edges"] {
        let d = dir.join(name);
        if d.is_dir() && r.loaded.edge_params_dir.is_none() {
            r.loaded.edge_params_dir = Some(name.to_string());
            r.loaded.set.edge_params = r.dir(&d);
        }
    }
    r.loaded.set.evaluator_defaults = r.file(&dir.join("evaluator_defaults.yml"));
    r.loaded.set.profiles = r.dir(&dir.join("profiles"));
    r.loaded.set.constraints = r
        .file(&dir.join("project_constraints.yml"))
        .or_else(|| r.file(&dir.join("project_constraints_template.yml")));
    let taken = [
        "graph_topology.yml",
        "evaluator_defaults.yml",
        "project_constraints.yml",
        "project_constraints_template.yml",
    ];
    let mut extra: Vec<SourceFile> = yaml_files(dir)
        .into_iter()
        .filter(|p| !p.file_name().is_some_and(|n| taken.iter().any(|k| n == *k)))
        .filter_map(|p| r.file(&p))
        .collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut subdirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n == "edge_params" || n == "edges" || n == "profiles")
            })
            .collect();
        subdirs.sort();
        for d in subdirs {
            extra.extend(r.dir(&d));
        }
    }
    r.loaded.set.extra_yaml = extra;
    r.loaded
}

/// True when `dir` looks like a flat plugin config dir rather than a workspace.
pub fn is_config_dir(dir: &Path) -> bool {
    dir.join("graph_topology.yml").is_file() && !dir.join(".ai-workspace").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_layout_variants_are_found() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path();
        std::fs::create_dir_all(ws.join("graph/edges")).unwrap();
        std::fs::create_dir_all(ws.join("claude/context")).unwrap();
        std::fs::create_dir_all(ws.join("context")).unwrap();
        std::fs::create_dir_all(ws.join("features/completed")).unwrap();
        std::fs::write(ws.join("graph/graph_topology.yml"), "asset_types: {}\n").unwrap();
        std::fs::write(ws.join("graph/edges/tdd.yml"), "edge: a→b\n").unwrap();
        std::fs::write(
            ws.join("claude/context/project_constraints.yml"),
            "project: {name: x}\n",
        )
        .unwrap();
        std::fs::write(
            ws.join("context/project_constraints.yml"),
            "project: {name: y}\n",
        )
        .unwrap();
        std::fs::write(
            ws.join("features/completed/REQ-F-A-001.yml"),
            "feature: REQ-F-A-001\n",
        )
        .unwrap();
        let loaded = load_workspace(ws);
        assert_eq!(loaded.set.sync_config, None, "no sync config, nothing read");
        std::fs::create_dir_all(ws.join("bedrock")).unwrap();
        std::fs::write(ws.join("bedrock/sync_config.yml"), "sync: {}\n").unwrap();
        let loaded = load_workspace(ws);
        assert_eq!(
            loaded.set.sync_config.map(|f| f.path).as_deref(),
            Some("bedrock/sync_config.yml")
        );
        assert_eq!(loaded.edge_params_dir.as_deref(), Some("graph/edges"));
        assert_eq!(loaded.set.edge_params[0].path, "graph/edges/tdd.yml");
        assert_eq!(
            loaded.set.constraints.unwrap().path,
            "claude/context/project_constraints.yml",
            "tenant context wins"
        );
        assert_eq!(
            loaded.set.features[0].path,
            "features/completed/REQ-F-A-001.yml"
        );
        assert!(
            loaded
                .set
                .extra_yaml
                .iter()
                .any(|f| f.path == "context/project_constraints.yml")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_topology_is_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("ws");
        std::fs::create_dir_all(ws.join("graph")).unwrap();
        std::fs::write(tmp.path().join("real.yml"), "asset_types: {}\n").unwrap();
        std::os::unix::fs::symlink(
            tmp.path().join("real.yml"),
            ws.join("graph/graph_topology.yml"),
        )
        .unwrap();
        let loaded = load_workspace(&ws);
        assert_eq!(loaded.set.topology.unwrap().text, "asset_types: {}\n");
    }

    #[test]
    fn non_utf8_files_are_reported() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("profiles")).unwrap();
        std::fs::write(tmp.path().join("profiles/bad.yml"), [0xff, 0xfe]).unwrap();
        let loaded = load_workspace(tmp.path());
        assert_eq!(loaded.unreadable[0].path, "profiles/bad.yml");
    }
}
