//! The edge of the program: where library data becomes words for a user and an exit status.
//!
//! The libraries return typed errors and findings and never name a `gen` command; every hint that
//! tells the user which command to run next is written here, once, so the advice changes with the
//! command line and not with the data. The exit status of every command is an [`Exit`].

use gen_core::config::{Diagnostic, Finding, Remedy};
use gen_core::projection::LeftReason;
use gen_core::projection::SeeAlso;
use gen_core::projection::SkipReason;
use gen_session::DraftError;
use gen_session::SpliceError;
use gen_session::{TOPOLOGY, TopologyProblem};
use gen_workspace::WorkspaceError;
use std::process::ExitCode;

/// How a run ended, as scripts see it; the README's "Exit codes" lists the same four.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked (0).
    Success,
    /// The request was refused or not fully carried out; nothing half-done was left (1).
    Refused,
    /// The command could not run; the message says why and what to do (2).
    CannotRun,
    /// `evaluate`/`iterate`: nothing else is failing, a person's decision is awaited (3).
    AwaitingHuman,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Refused => 1,
            Exit::CannotRun => 2,
            Exit::AwaitingHuman => 3,
        }
    }

    /// Success when `done`, else Refused: the common end of a command that may have nothing to do.
    pub fn done_if(done: bool) -> Exit {
        if done { Exit::Success } else { Exit::Refused }
    }

    /// Ends the process now with this status (for a closed output pipe, where there is no one to tell).
    pub fn now(self) -> ! {
        std::process::exit(i32::from(self.code()))
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// A user-facing error: what went wrong and, when there is one, the next step to take.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
pub(crate) struct UserError {
    /// What went wrong.
    pub message: String,
    /// What to do.
    #[help]
    pub help: Option<String>,
}

impl UserError {
    /// An error with a hint.
    pub(crate) fn new(message: impl Into<String>, help: impl Into<String>) -> UserError {
        UserError {
            message: message.into(),
            help: Some(help.into()),
        }
    }
}

/// No workspace where one was looked for.
pub(crate) fn no_workspace(error: WorkspaceError) -> miette::Report {
    UserError::new(
        error.to_string(),
        "run `gen init` to create one here, or pass --workspace PATH (or set GEN_WORKSPACE)",
    )
    .into()
}

/// A draft error with its hint.
pub(crate) fn draft_error(error: DraftError) -> miette::Report {
    UserError {
        help: draft_hint(&error),
        message: error.to_string(),
    }
    .into()
}

/// A refused topology save, rendered as a diagnostic for stderr (the command still exits [`Exit::Refused`]).
pub(crate) fn refused_topology(problem: &TopologyProblem) -> String {
    format!(
        "{:?}",
        miette::Report::new(UserError {
            message: problem.to_string(),
            help: topology_hint(problem),
        })
    )
}

/// What the user can do about a draft error.
pub(crate) fn draft_hint(error: &DraftError) -> Option<String> {
    Some(match error {
        DraftError::Name(_) => "pick a name like `release-flow` or `v2.draft`".into(),
        DraftError::NotFound { name, .. } => {
            format!("create it with `gen draft new --name {name}`, or see `gen draft list`")
        }
        DraftError::Exists { name, .. } => {
            format!("choose another name, or work on it with `gen draft show --name {name}`")
        }
        DraftError::CorruptRecord { path, line, .. } => format!(
            "restore {} from a backup, or remove line {line} and everything after it (those records build on it)",
            path.display()
        ),
        DraftError::Replay { .. } => {
            "record n is on line n+1 of the journal; it was written by a different version of gen \
             or edited by hand: restore it from a backup, or start a new draft from a saved blueprint"
                .into()
        }
        DraftError::InvalidBlueprint { .. } => {
            "fix the file at the location shown (`gen validate` checks every blueprint)".into()
        }
        DraftError::BlueprintNotFound { .. } => {
            "save one with `gen draft save --name DRAFT --blueprint NAME`; saved blueprints are in \
             .ai-workspace/blueprints/"
                .into()
        }
        DraftError::Topology(problem) => return topology_hint(problem),
        DraftError::Log(_) | DraftError::Write(_) | DraftError::Io { .. } => return None,
    })
}

/// What the user can do about a topology that cannot be opened or saved.
pub(crate) fn topology_hint(problem: &TopologyProblem) -> Option<String> {
    Some(match problem {
        TopologyProblem::Missing { .. } => {
            "run `gen init` to create the default graph, or open a blueprint instead".into()
        }
        TopologyProblem::Unparsable(_) => "fix the YAML first (`gen validate` shows where)".into(),
        TopologyProblem::ChangedSinceOpen { draft } => format!(
            "open it again (`gen draft open --name {draft} --topology`, one undoable step) and redo your \
             edits, or pass --force to overwrite the other change (a backup is kept)"
        ),
        TopologyProblem::NotFromTopology { draft } => format!(
            "open the topology into a draft first (`gen draft open --name {draft} --topology`), or pass \
             --force to replace the file with this draft (a backup is kept)"
        ),
        TopologyProblem::Convert { file, .. } if file == TOPOLOGY => {
            "fix the topology first (`gen validate`), then open it again".into()
        }
        TopologyProblem::Convert { .. } => {
            "fix the step's properties with `gen draft apply` (e.g. a `configure` or `replaceProperties`), \
             then save again"
                .into()
        }
        TopologyProblem::Splice(SpliceError::Unparsable(_)) => {
            "fix it first (`gen validate` shows where)".into()
        }
        TopologyProblem::Splice(SpliceError::NotAMapping) => "fix it first".into(),
        TopologyProblem::Splice(SpliceError::Mismatch(_)) => return None,
        TopologyProblem::Invalid { .. } => {
            "edit the draft until these errors are gone (`gen draft undo` reverts the last edit), then save again"
                .into()
        }
    })
}

/// The hint for a config finding: the library's own, or the words for its [`Remedy`].
pub(crate) fn config_hint(d: &Diagnostic) -> Option<String> {
    let Some(remedy) = d.remedy else {
        return d.hint.clone();
    };
    Some(
        match remedy {
            Remedy::CreateDefaultGraph => {
                "run `gen init` to write the default graph, or add graph/graph_topology.yml"
            }
            Remedy::RefreshEdgeParams => {
                "copy edge params into graph/edge_params or run gen init --force"
            }
            Remedy::CreateConstraints => "add context/project_constraints.yml (gen init writes one)",
            Remedy::RenameBlueprint => {
                "rename the file; `gen draft open --blueprint NAME` addresses blueprints by file name"
            }
            Remedy::FixBlueprint => {
                "fix the blueprint there, or re-save it from a draft with `gen draft save --blueprint`"
            }
            Remedy::AdoptGraphMethod => {
                "to adopt the graph method here, run `gen init`: it adds graph/, profiles/, context/ and \
                 events/ and leaves config/, tasks/ and templates/ untouched"
            }
        }
        .to_string(),
    )
}

/// The finding with its hint worded for the command line (for `Display` and `--json`).
pub(crate) fn advised(d: &Diagnostic) -> Diagnostic {
    Diagnostic {
        hint: config_hint(d),
        ..d.clone()
    }
}

/// A config finding as `--json` shows it, its hint worded for the command line.
pub(crate) fn finding(d: &Diagnostic) -> Finding {
    Finding::worded(d, config_hint(d))
}

/// Why `gen features` left a vector file as it was.
pub(crate) fn left_reason(reason: &LeftReason) -> String {
    match reason {
        LeftReason::History(_) => {
            format!("{reason}; `gen features --all` includes it (never lowering `converged`)")
        }
        _ => reason.to_string(),
    }
}

/// Why `gen features` could not refresh a vector file.
pub(crate) fn skip_reason(reason: &SkipReason) -> String {
    match reason {
        SkipReason::Unparsable(_) => format!("{reason}; fix it first (`gen validate` shows where)"),
        _ => reason.to_string(),
    }
}

/// Where `gen status` points for a closer look.
pub(crate) fn status_see_also() -> SeeAlso {
    SeeAlso {
        malformed_lines: Some("run `gen event log` to see them".into()),
        unactioned_intents: Some("gen event log --type intent_raised".into()),
        evidence_gaps: Some("`gen status --json` lists them all under `evidence_gaps`".into()),
        create_vector: Some("start one with `gen features new ID --title TEXT`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_documented_ones() {
        assert_eq!(
            [
                Exit::Success,
                Exit::Refused,
                Exit::CannotRun,
                Exit::AwaitingHuman
            ]
            .map(Exit::code),
            [0, 1, 2, 3]
        );
    }

    #[test]
    fn every_remedy_names_what_to_run() {
        for remedy in [
            Remedy::CreateDefaultGraph,
            Remedy::RefreshEdgeParams,
            Remedy::CreateConstraints,
            Remedy::RenameBlueprint,
            Remedy::FixBlueprint,
            Remedy::AdoptGraphMethod,
        ] {
            let d = Diagnostic::error("a.yml", None, "x").with_remedy(remedy);
            assert!(
                config_hint(&d).is_some_and(|h| h.contains("gen ")),
                "{remedy:?}"
            );
        }
        let plain = Diagnostic::error("a.yml", None, "x").with_hint("do y");
        assert_eq!(config_hint(&plain).as_deref(), Some("do y"));
    }

    #[test]
    fn a_missing_draft_says_how_to_create_it() {
        let report = draft_error(DraftError::NotFound {
            name: "r".into(),
            dir: "/w".into(),
        });
        let help = report.help().map(|h| h.to_string()).unwrap_or_default();
        assert!(help.contains("gen draft new --name r"), "{help}");
    }
}
