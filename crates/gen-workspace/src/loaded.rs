//! The one loader of a workspace's status: configs, vectors and the event log folded into the
//! status view, plus what the workspace says about itself. The CLI, the workbench server and sync
//! share it.

use gen_core::config::Topology;
use gen_core::projection::{SeeAlso, StatusReport};

use crate::{FoldedLog, LogError, Project, StatusView, Vectors, Workspace};

/// Everything `status` and `features` show.
pub struct Loaded {
    /// The status view.
    pub report: StatusReport,
    /// The folded log (for malformed-line details and where the answer came from).
    pub log: FoldedLog,
    /// Vector files.
    pub vectors: Vectors,
    /// The topology, when present and parseable.
    pub topology: Option<Topology>,
}

/// Reads the workspace through [`Project`] and derives the status view with every signal about
/// the workspace itself (unreadable vectors, stale sync, a v0 layout): what `gen status`, the
/// workbench's project map and `/api/status` all show, from this one loader.
pub fn load_status(ws: &Workspace, no_cache: bool, see_also: SeeAlso) -> Result<Loaded, LogError> {
    let project = Project::load_for_status(ws);
    let StatusView { mut report, log } = project.status(no_cache, see_also)?;
    // A vector that cannot be read must not silently turn into "no vector file".
    for (i, problem) in project.vectors.problems.iter().enumerate() {
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
    if let Some(warning) = staleness(ws) {
        report.signals.insert(0, warning);
    }
    if ws.kind() == crate::WorkspaceKind::TaskV0 {
        report.signals.insert(
            0,
            "this is a v0 task workspace (config/workspace_config.yml, tasks/): it has no asset graph, so \
             there are no features to show; `gen init` adopts the graph method here and leaves tasks/, \
             templates/ and config/ untouched"
                .into(),
        );
    }
    Ok(Loaded {
        report,
        log,
        vectors: project.vectors,
        topology: project.config.topology,
    })
}

/// A workspace that syncs and has not pulled within its staleness threshold may be missing what
/// teammates did: say so. A workspace without a sync config hears nothing about sync.
fn staleness(ws: &Workspace) -> Option<String> {
    let path = ws.sync_config_path();
    let text = std::fs::read_to_string(&path).ok()?;
    let (config, _) = gen_core::config::load_sync_config(&gen_core::config::SourceFile::new(
        ws.relative(&path),
        text,
    ));
    let config = config?;
    let now = jiff::Timestamp::now();
    // What teammates and the cloud wrote reaches this workspace by pulls: one line for every resource
    // whose last pull is older than the threshold (or missing).
    let stale: Vec<String> = ["events", "configs", "features", "artifacts"]
        .into_iter()
        .filter(|r| config.is_stale(&format!("{r}_pulled"), now))
        .map(|r| match config.last_sync.get(&format!("{r}_pulled")) {
            Some(at) => format!(
                "{r} {} ago",
                gen_core::config::format_duration_secs(
                    u64::try_from(now.as_second() - at.as_second()).unwrap_or(0)
                )
            ),
            None => format!("{r} never"),
        })
        .collect();
    if stale.is_empty() {
        return None;
    }
    let threshold = gen_core::config::format_duration_secs(config.staleness_secs);
    Some(format!(
        "last pulled: {} (threshold {threshold}): teammates' work may be missing; run `gen sync pull`",
        stale.join(", ")
    ))
}
