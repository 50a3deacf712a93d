//! One loader for a workspace: its configs, vectors, project name and status view.
//!
//! `gen status`, `gen features`, `gen event emit`, the workbench server and sync all need the same
//! facts about a workspace. They get them from here, so no two of them can pick a different
//! constraints file, read profiles differently or disagree on the project name.

use crate::Workspace;
use crate::config::{ConfigFiles, load_graph_configs, load_workspace};
use crate::features::{Vectors, load_vectors};
use crate::log::LogError;
use crate::status_cache::{FoldedLog, fold_log};
use gen_core::config::Constraints;
use gen_core::config::Include;
use gen_core::config::{Config, Report, SourceFile};
use gen_core::projection::{IgnoredLogInfo, ProfileEdges, SeeAlso, StatusInputs};
use gen_core::projection::{StatusReport, project_status};
use std::collections::BTreeMap;

/// A workspace read once: config files, their typed models and findings, and the vectors.
#[derive(Debug)]
pub struct Project {
    /// Where it is.
    pub workspace: Workspace,
    /// The config files as text (what `validate` checks and sync pushes).
    pub files: ConfigFiles,
    /// The typed models, as far as they parse.
    pub config: Config,
    /// Validation findings of the config files.
    pub findings: Report,
    /// Feature vectors.
    pub vectors: Vectors,
}

/// The status view with what it was derived from.
#[derive(Debug)]
pub struct StatusView {
    /// The status.
    pub report: StatusReport,
    /// The folded log (malformed lines, where the answer came from).
    pub log: FoldedLog,
}

impl Project {
    /// Reads every config file and vector of the workspace (what `validate`, the server and sync
    /// want: all the files, their typed models and every finding).
    pub fn load(workspace: &Workspace) -> Project {
        Project::from_files(workspace, load_workspace(&workspace.dir))
    }

    /// Reads what status needs: the topology, profiles and constraints (their findings only), and
    /// the vectors. Edge parameters, evaluator defaults and blueprints are left unread, so
    /// `files` and `config` hold just those three.
    pub fn load_for_status(workspace: &Workspace) -> Project {
        Project::from_files(workspace, load_graph_configs(&workspace.dir))
    }

    fn from_files(workspace: &Workspace, files: ConfigFiles) -> Project {
        let (config, findings) = gen_core::config::load(&files.set);
        let vectors = load_vectors(&workspace.dir);
        Project {
            workspace: workspace.clone(),
            files,
            config,
            findings,
            vectors,
        }
    }

    /// The project name (see [`project_name`]).
    pub fn name(&self) -> String {
        name_from(&self.workspace, self.config.constraints.as_ref())
    }

    /// The config facts status needs: topology order, profile edges, default profile, vectors.
    pub fn status_inputs(&self) -> StatusInputs {
        let topology = self.config.topology.as_ref();
        let mut profiles = BTreeMap::new();
        for profile in &self.config.profiles {
            let edges = match topology {
                Some(t) => {
                    let r = profile.resolve_edges(t);
                    ProfileEdges {
                        required: r.required,
                        optional: r.optional,
                    }
                }
                None => ProfileEdges {
                    required: match &profile.include {
                        Include::Edges(e) => e.clone(),
                        Include::All => Vec::new(),
                    },
                    optional: profile.optional.clone(),
                },
            };
            profiles.insert(profile.name.clone(), edges);
        }
        let default_profile = self
            .config
            .constraints
            .as_ref()
            .and_then(Constraints::default_profile)
            .or_else(|| profiles.contains_key("standard").then(|| "standard".into()));
        StatusInputs {
            project: self.name(),
            topology_edges: topology.map(|t| t.edge_ids()).unwrap_or_default(),
            profiles,
            default_profile,
            vectors: self.vectors.infos(topology),
            ..StatusInputs::default()
        }
    }

    /// Folds the event log (through the status cache unless `no_cache`) into the status view;
    /// `see_also` carries the front end's pointers for looking closer.
    pub fn status(&self, no_cache: bool, see_also: SeeAlso) -> Result<StatusView, LogError> {
        let ws = &self.workspace;
        let file = ws.event_log();
        let cache_dir = ws.cache_dir();
        let log = fold_log(&file.path, (!no_cache).then_some(cache_dir.as_path()))?;
        let mut inputs = self.status_inputs();
        inputs.lines = log.lines;
        inputs.malformed = log.malformed.len() as u64;
        inputs.untimed = log.untimed.len() as u64;
        inputs.duplicates = log.duplicates.len() as u64;
        inputs.log_file = ws.relative(&file.path);
        inputs.log_exists = file.path.is_file();
        inputs.see_also = see_also;
        inputs.ignored_logs = file
            .ignored
            .iter()
            .map(|i| IgnoredLogInfo {
                file: ws.relative(&i.path),
                migration_leftover: i.reason == crate::IgnoredReason::MigrationLeftover,
            })
            .collect();
        let report = project_status(&log.fold, &log.symbols, &inputs);
        Ok(StatusView { report, log })
    }
}

/// The project name: `project.name` of the constraints file in force, else the project folder's
/// name. Cheaper than [`Project::load`] for commands that need only the name (`event emit`).
pub fn project_name(workspace: &Workspace) -> String {
    let constraints = workspace.constraints_path().and_then(|p| {
        let text = std::fs::read_to_string(&p).ok()?;
        Constraints::parse(&SourceFile::new(workspace.relative(&p), text)).ok()
    });
    name_from(workspace, constraints.as_ref())
}

fn name_from(workspace: &Workspace, constraints: Option<&Constraints>) -> String {
    constraints
        .and_then(Constraints::project_name)
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            workspace
                .root
                .file_name()
                .map_or_else(|| "project".into(), |n| n.to_string_lossy().into_owned())
        })
}
