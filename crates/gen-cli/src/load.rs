//! Gathering what several commands need from one workspace: project name, config facts, the status view.

use gen_core::config::profile::{Include, Profile};
use gen_core::config::topology::Topology;
use gen_core::config::{SourceFile, constraints::Constraints};
use gen_core::projection::status::{ProfileEdges, StatusInputs};
use gen_core::projection::{StatusReport, project_status};
use gen_workspace::Workspace;
use gen_workspace::features::{Vectors, load_vectors};
use gen_workspace::status_cache::{FoldedLog, fold_log};
use miette::{IntoDiagnostic, Result};
use std::collections::BTreeMap;

/// Everything `status` and `features` show.
pub struct Loaded {
    /// The status view.
    pub report: StatusReport,
    /// The folded log (for malformed-line details and where the answer came from).
    pub log: FoldedLog,
    /// Vector files.
    pub vectors: Vectors,
}

fn read(ws: &Workspace, rel: &str) -> Option<SourceFile> {
    let text = std::fs::read_to_string(ws.dir.join(rel)).ok()?;
    Some(SourceFile::new(rel, text))
}

/// The constraints in force, if any parse.
pub fn constraints(ws: &Workspace) -> Option<Constraints> {
    gen_workspace::config::constraints_candidates(&ws.dir)
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            Constraints::parse(&SourceFile::new(ws.relative(p), text)).ok()
        })
        .find(|c| c.project_name().is_some_and(|n| !n.trim().is_empty()))
}

/// The project name: constraints `project.name`, else the project folder's name.
pub fn project_name(ws: &Workspace) -> String {
    constraints(ws)
        .and_then(|c| c.project_name())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            ws.root
                .file_name()
                .map_or_else(|| "project".into(), |n| n.to_string_lossy().into_owned())
        })
}

/// Config facts for status: topology order, profile edges, default profile.
pub fn status_inputs(ws: &Workspace) -> StatusInputs {
    let topology = read(ws, "graph/graph_topology.yml").and_then(|f| Topology::parse(&f).ok());
    let mut profiles = BTreeMap::new();
    for path in gen_workspace::config::yaml_files(&ws.dir.join("profiles")) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(profile) = Profile::parse(&SourceFile::new(ws.relative(&path), text)) else {
            continue;
        };
        let edges = match &topology {
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
    let default_profile = constraints(ws)
        .and_then(|c| c.default_profile())
        .or_else(|| profiles.contains_key("standard").then(|| "standard".into()));
    StatusInputs {
        project: project_name(ws),
        topology_edges: topology.map(|t| t.edge_ids()).unwrap_or_default(),
        profiles,
        default_profile,
        see_also: crate::report::status_see_also(),
        ..StatusInputs::default()
    }
}

/// Reads the log (through the status cache unless `no_cache`) and the vectors; derives the status view.
pub fn load(ws: &Workspace, no_cache: bool) -> Result<Loaded> {
    let cache_dir = ws.dir.join(".gen").join("cache");
    let log = fold_log(
        &ws.events_path(),
        (!no_cache).then_some(cache_dir.as_path()),
    )
    .into_diagnostic()?;
    let vectors = load_vectors(&ws.dir);
    let mut inputs = status_inputs(ws);
    inputs.vectors = vectors.infos();
    inputs.lines = log.lines;
    inputs.malformed = log.malformed.len() as u64;
    inputs.untimed = log.untimed.len() as u64;
    inputs.duplicates = log.duplicates.len() as u64;
    let mut report = project_status(&log.fold, &log.symbols, &inputs);
    // A vector that cannot be read must not silently turn into "no vector file".
    for (i, problem) in vectors.problems.iter().enumerate() {
        report.signals.insert(
            i,
            format!(
                "{}{}: {} — this vector is ignored until fixed (`gen validate` shows where); its feature \
                 is shown from events only",
                problem.file,
                match (problem.line, problem.column) {
                    (Some(l), Some(c)) => format!(":{l}:{c}"),
                    (Some(l), None) => format!(":{l}"),
                    _ => String::new(),
                },
                problem.message
            ),
        );
    }
    Ok(Loaded {
        report,
        log,
        vectors,
    })
}
