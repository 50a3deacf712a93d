//! `gen draft export`: the draft as pretty JSON, a Mermaid flowchart or a Graphviz digraph, on
//! stdout or written atomically to a file.

use super::{draft_name, fail, report_torn};
use crate::cli::{DraftExportArgs, ExportFormat};
use crate::terminal::esay;
use gen_workbench::{to_dot, to_mermaid};
use gen_workspace::drafts::Drafts;
use miette::{IntoDiagnostic, Result};
use std::process::ExitCode;

/// Runs the command.
pub fn run(drafts: &Drafts, args: &DraftExportArgs) -> Result<ExitCode> {
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
            gen_workspace::atomic::write_atomic(path, text.as_bytes()).into_diagnostic()?;
            esay!("Wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
