//! What `status` and `features` show: the library's one loader, plus the words for what it found.

use gen_core::config::Topology;
use gen_core::projection::StatusReport;
use gen_workspace::FoldedLog;
use gen_workspace::Vectors;
use gen_workspace::Workspace;
use gen_workspace::{Project, StatusView};
use miette::{IntoDiagnostic, Result};

/// Everything `status` and `features` show.
pub(crate) struct Loaded {
    /// The status view.
    pub report: StatusReport,
    /// The folded log (for malformed-line details and where the answer came from).
    pub log: FoldedLog,
    /// Vector files.
    pub vectors: Vectors,
    /// The topology, when present and parseable.
    pub topology: Option<Topology>,
}

/// Reads the workspace through [`Project`] and derives the status view.
pub(crate) fn load(ws: &Workspace, no_cache: bool) -> Result<Loaded> {
    let project = Project::load_for_status(ws);
    let StatusView { mut report, log } = project
        .status(no_cache, crate::report::status_see_also())
        .into_diagnostic()?;
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
    if ws.kind() == gen_workspace::WorkspaceKind::TaskV0 {
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
