//! `gen draft show`: the draft as people read it, or with `--json` the BlueprintDraft exactly.

use super::DraftNameArg;
use super::{count, draft_name, fail, report_torn, state_line};
use crate::report::Exit;
use crate::terminal::{outln, say};
use gen_session::Drafts;
use miette::{IntoDiagnostic, Result};

/// Runs the command.
pub(super) fn run(drafts: &Drafts, args: &DraftNameArg, json: bool) -> Result<Exit> {
    let name = draft_name(&args.name)?;
    let session = drafts.load(&name).map_err(fail)?;
    report_torn(&session);
    let draft = session.history.draft();
    if json {
        // JSON escapes what it must; the data goes out exactly.
        outln!("{}", serde_json::to_string(draft).into_diagnostic()?);
        return Ok(Exit::Success);
    }
    say!(
        "{} — draft `{name}`, {}",
        draft.title(),
        state_line(&session.history)
    );
    if !draft.summary().is_empty() {
        say!("{}", draft.summary());
    }
    say!("{}:", count(draft.node_count(), "step", "steps"));
    let width = draft
        .nodes()
        .map(|n| n.id.as_str().len())
        .max()
        .unwrap_or(0);
    for node in draft.nodes() {
        say!(
            "  {:width$}  {}  ({})",
            node.id.as_str(),
            node.label,
            node.kind
        );
    }
    say!(
        "{}:",
        count(draft.edge_count(), "connection", "connections")
    );
    for edge in draft.edges() {
        match &edge.label {
            Some(label) => say!("  {} → {}  [{label}]", edge.source, edge.target),
            None => say!("  {} → {}", edge.source, edge.target),
        }
    }
    Ok(Exit::Success)
}
