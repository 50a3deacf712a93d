//! `gen draft export`: the draft as pretty JSON, a Mermaid flowchart or a Graphviz digraph, on
//! stdout or written atomically to a file.

use super::DraftNameArg;
use super::{draft_name, fail, report_torn};
use crate::report::Exit;
use crate::terminal::{esay, out, quiet};
use clap::Args;
use gen_session::Drafts;
use gen_workbench::{to_dot, to_mermaid};
use miette::{IntoDiagnostic, Result};
use std::path::PathBuf;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    /// The BlueprintDraft, pretty-printed.
    Json,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

/// `gen draft export`
#[derive(Debug, Args)]
pub(crate) struct DraftExportArgs {
    /// Which draft to export.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: ExportFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs the command.
pub(super) fn run(drafts: &Drafts, args: &DraftExportArgs) -> Result<Exit> {
    let name = draft_name(&args.draft.name)?;
    let session = drafts.load(&name).map_err(fail)?;
    report_torn(&session);
    let draft = session.history.draft();
    let text = match args.format {
        ExportFormat::Json => {
            let mut text = serde_json::to_string_pretty(draft).into_diagnostic()?;
            text.push('\n');
            text
        }
        ExportFormat::Mermaid => to_mermaid(draft),
        ExportFormat::Dot => to_dot(draft),
    };
    match &args.output {
        Some(path) => {
            gen_workspace::write_atomic(path, text.as_bytes()).into_diagnostic()?;
            if !quiet() {
                esay!("Wrote {}", path.display());
            }
        }
        None => out!("{text}"),
    }
    Ok(Exit::Success)
}
