//! `gen draft ...`: workbench drafts from the command line, one file per subcommand.
//!
//! Every line these commands print about an edit comes from the reducer's report
//! (`BatchReport::message()` and its per-action changes), never from the input: a script or an
//! agent learns exactly what was applied. Exit codes: 0 when the command did what was asked, 1 when
//! it was refused or changed nothing (nothing applied, nothing to undo, a topology save that would
//! not validate) — the draft is untouched then — and 2 when it could not run at all.
//!
//! `GEN_DRAFT_COMPACT_AFTER=N` (records, or `never`) overrides when journals are compacted; tests
//! and benchmarks use it, users have no reason to.

mod apply;
mod export;
mod history;
mod list;
mod new;
mod open;
mod redo;
mod save;
mod show;
mod undo;

use crate::report::Exit;
use crate::report::UserError;
use crate::terminal::{esay, quiet, say};
use clap::{Args, Subcommand};
use gen_session::Walked;
use gen_session::{BlueprintName, Changed, Compaction, DraftError, DraftName, Drafts, Session};
use gen_workbench::History;
use gen_workspace::Workspace;
use miette::Result;

/// `gen draft ...`: every change is journaled in `.ai-workspace/workbench/drafts/NAME/` and durable
/// before it is reported, so a crash or restart keeps the draft and its undo/redo history.
#[derive(Debug, Subcommand)]
pub(crate) enum DraftCommand {
    /// Start a new, empty draft.
    New(new::DraftNewArgs),
    /// Load a saved blueprint or the workspace topology into a draft (a new draft, or one undoable
    /// "replace the workflow" edit of an existing one).
    Open(open::DraftOpenArgs),
    /// List the drafts of this workspace.
    List,
    /// Show a draft; with --json, the BlueprintDraft exactly as the wire format has it.
    Show(DraftNameArg),
    /// Apply intents or canvas actions and print what the reducer applied (exit 1 when nothing did).
    Apply(apply::DraftApplyArgs),
    /// Revert the last edit (exit 1 when there is nothing to undo).
    Undo(DraftNameArg),
    /// Re-apply the last undone edit (exit 1 when there is nothing to redo).
    Redo(DraftNameArg),
    /// Show the undo and redo stacks.
    History(DraftNameArg),
    /// Save a draft as a blueprint, or as the workspace topology (only if the configs still validate).
    Save(save::DraftSaveArgs),
    /// Print a draft as JSON, Mermaid or Graphviz DOT.
    Export(export::DraftExportArgs),
}

/// The draft a command works on.
#[derive(Debug, Args)]
pub(crate) struct DraftNameArg {
    /// Draft name: letters, digits, `_`, `.`, `-` (at most 64).
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub name: String,
}

/// Where `open` reads from or `save` writes to: exactly one of a blueprint or the topology.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct DraftPlace {
    /// A saved blueprint: .ai-workspace/blueprints/NAME.json.
    #[arg(long, value_name = "NAME")]
    pub blueprint: Option<String>,
    /// The workspace graph topology: .ai-workspace/graph/graph_topology.yml.
    #[arg(long)]
    pub topology: bool,
}

/// Runs one `gen draft` subcommand.
pub(crate) fn run(ws: &Workspace, command: &DraftCommand, json: bool) -> Result<Exit> {
    let drafts = store(ws)?;
    match command {
        DraftCommand::New(args) => new::run(&drafts, args, json),
        DraftCommand::Open(args) => open::run(ws, &drafts, args, json),
        DraftCommand::List => list::run(&drafts, json),
        DraftCommand::Show(args) => show::run(&drafts, args, json),
        DraftCommand::Apply(args) => apply::run(&drafts, args, json),
        DraftCommand::Undo(args) => undo::run(&drafts, args, json),
        DraftCommand::Redo(args) => redo::run(&drafts, args, json),
        DraftCommand::History(args) => history::run(&drafts, args, json),
        DraftCommand::Save(args) => save::run(ws, &drafts, args, json),
        DraftCommand::Export(args) => export::run(&drafts, args),
    }
}

/// The workspace's drafts, with the compaction policy from the environment.
fn store(ws: &Workspace) -> Result<Drafts> {
    let drafts = Drafts::new(&ws.dir);
    let Ok(value) = std::env::var("GEN_DRAFT_COMPACT_AFTER") else {
        return Ok(drafts);
    };
    let compaction = match value.trim() {
        "never" => Compaction::NEVER,
        n => Compaction {
            max_records: Some(n.parse().map_err(|_| {
                UserError::new(
                    format!("GEN_DRAFT_COMPACT_AFTER={value:?} is not a number of records"),
                    "set it to a positive number, `never`, or unset it",
                )
            })?),
            ..Compaction::default()
        },
    };
    Ok(drafts.with_compaction(compaction))
}

/// Checks a draft name from the command line.
fn draft_name(name: &str) -> Result<DraftName> {
    DraftName::parse(name).map_err(|e| fail(e.into()))
}

/// Checks a blueprint name from the command line.
fn blueprint_name(name: &str) -> Result<BlueprintName> {
    BlueprintName::parse(name).map_err(|e| fail(e.into()))
}

/// A draft error as a user-facing diagnostic with its hint.
fn fail(error: DraftError) -> miette::Report {
    crate::report::draft_error(error)
}

/// Tells the user about a torn journal tail (an interrupted, never acknowledged write) or an
/// unreadable layout file.
fn report_torn(session: &Session) {
    if let Some(problem) = &session.layout_problem {
        esay!("warning: {problem}");
    }
    if let Some(torn) = &session.torn
        && !quiet()
    {
        let what = match &torn.saved_to {
            Some(path) => format!("moved aside to {}", path.display()),
            None => "it will be moved aside by the next change".to_string(),
        };
        esay!(
            "note: line {} of draft `{}`'s journal ({} bytes) was cut off by an interrupted write that was never \
             acknowledged; {what}",
            torn.line,
            session.name,
            torn.bytes
        );
    }
}

/// Reports what a change did to the journal besides the change itself.
fn report_change(changed: &Changed) {
    report_torn(&changed.session);
    if let Some(error) = &changed.compaction_error {
        esay!(
            "warning: the change is saved, but compacting the journal failed ({error}); it will be retried"
        );
    }
}

/// "revision 3 · undo 2 · redo 0": where the history stands.
fn state_line(history: &History) -> String {
    format!(
        "revision {} · undo {} · redo {}",
        history.revision(),
        history.undo_len(),
        history.redo_len()
    )
}

/// "3 steps", "1 connection": counts in words.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Which way `undo` / `redo` walks the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Undo,
    Redo,
}

/// Undo or redo one step and report it; exit 1 (nothing written) when there is none.
fn walk(drafts: &Drafts, name: &DraftName, direction: Direction, json: bool) -> Result<Exit> {
    let (message, changed) = match direction {
        Direction::Undo => drafts.undo(name),
        Direction::Redo => drafts.redo(name),
    }
    .map_err(fail)?;
    report_change(&changed);
    let history = &changed.session.history;
    let (verb, noun) = match direction {
        Direction::Undo => ("Undid", "undo"),
        Direction::Redo => ("Redid", "redo"),
    };
    if json {
        super::print_json(&Walked::new(message.clone(), &changed))?;
    } else {
        match &message {
            Some(message) => say!("{verb}: {message}\nDraft `{name}`: {}", state_line(history)),
            None => say!(
                "Nothing to {noun}: draft `{name}` is unchanged ({}).",
                state_line(history)
            ),
        }
    }
    Ok(Exit::done_if(message.is_some()))
}
