//! `gen review list|approve|reject`: a person's side of a human check. `gen evaluate` opens a gate
//! for each human check (once per version of the asset); the decision recorded here is what the next
//! evaluation reads — approve passes the check, reject fails it with the reason as feedback.

use crate::report::{Exit, UserError};
use crate::terminal::{errln, outln, safe};
use clap::{Args, Subcommand};
use gen_core::iterate::{Gate, open_gates};
use gen_workspace::{Project, Workspace};
use miette::Result;

/// `gen review …`
#[derive(Debug, Subcommand)]
pub(crate) enum ReviewCommand {
    /// The human checks waiting for a decision.
    List(ListArgs),
    /// Approve a waiting human check: the next `gen evaluate` passes it.
    Approve(DecideArgs),
    /// Reject a waiting human check: the next `gen evaluate` fails it, with your reason.
    Reject(DecideArgs),
}

/// `gen review list`
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this feature's.
    #[arg(long)]
    pub feature: Option<String>,
}

/// `gen review approve|reject`
#[derive(Debug, Args)]
pub(crate) struct DecideArgs {
    /// The feature.
    #[arg(long)]
    pub feature: String,
    /// The edge (any spelling).
    #[arg(long)]
    pub edge: String,
    /// The human check's name.
    #[arg(long)]
    pub check: String,
    /// Why (required to reject: it is the feedback for the next iteration).
    #[arg(long)]
    pub reason: Option<String>,
    /// Who decides (default: GEN_AGENT_ID, then USER).
    #[arg(long)]
    pub agent: Option<String>,
}

/// Runs a review command.
pub(crate) fn run(ws: &Workspace, command: &ReviewCommand, json: bool) -> Result<Exit> {
    let (gates, decisions) = gen_iterate::read_reviews(ws)
        .map_err(|e| UserError::new(e.to_string(), "check events/events.jsonl"))?;
    let open = open_gates(&gates, &decisions);
    match command {
        ReviewCommand::List(args) => {
            let shown: Vec<&Gate> = open
                .into_iter()
                .filter(|g| args.feature.as_ref().is_none_or(|f| &g.feature == f))
                .collect();
            if json {
                super::print_json(&shown)?;
            } else if shown.is_empty() {
                outln!("no human check is waiting");
            } else {
                for g in &shown {
                    outln!(
                        "{}  {}  {}  (iteration {}, since {}): {}",
                        safe(&g.feature),
                        g.edge,
                        safe(&g.check),
                        g.iteration,
                        g.opened_at,
                        safe(&g.criterion)
                    );
                }
            }
            Ok(Exit::Success)
        }
        ReviewCommand::Approve(args) => decide(ws, args, true, &open, json),
        ReviewCommand::Reject(args) => decide(ws, args, false, &open, json),
    }
}

fn decide(
    ws: &Workspace,
    args: &DecideArgs,
    approved: bool,
    open: &[&Gate],
    json: bool,
) -> Result<Exit> {
    let reason = args.reason.clone().unwrap_or_default();
    if !approved && reason.trim().is_empty() {
        return Err(UserError::new(
            "a rejection needs --reason",
            "say what is wrong: it becomes the feedback for the next iteration",
        )
        .into());
    }
    let edge = gen_core::config::canonical_edge_id(&args.edge);
    let Some(gate) = open
        .iter()
        .rev()
        .find(|g| g.feature == args.feature && g.edge == edge && g.check == args.check)
    else {
        errln!(
            "error: no human check `{}` is waiting on {} for {}\n  help: `gen review list` shows what waits; `gen evaluate` opens a check",
            safe(&args.check),
            edge,
            safe(&args.feature)
        );
        return Ok(Exit::Refused);
    };
    let project = Project::load_for_status(ws);
    let agent = super::agent_id(args.agent.as_deref());
    let id = gen_iterate::decide(ws, &project.name(), &agent, gate, approved, &reason)
        .map_err(|e| UserError::new(e.to_string(), "check the workspace folder's permissions"))?;
    if json {
        super::print_json(&serde_json::json!({
            "event_id": id,
            "gate_event_id": gate.gate_id,
            "decision": if approved { "approve" } else { "reject" },
        }))?;
    } else {
        outln!(
            "{} {} on {} for {}: the next `gen evaluate` {} it",
            if approved { "Approved" } else { "Rejected" },
            safe(&gate.check),
            gate.edge,
            safe(&gate.feature),
            if approved { "passes" } else { "fails" }
        );
    }
    Ok(Exit::Success)
}
