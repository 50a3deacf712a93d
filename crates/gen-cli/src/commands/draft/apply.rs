//! `gen draft apply`: one turn or gesture from a file or stdin, through the reducer, journaled and
//! durable before the report is printed. The report is the reducer's: its line
//! (`BatchReport::message()`) and one line per action saying what it did or why it failed.

use super::DraftNameArg;
use super::{draft_name, fail, report_change, state_line};
use crate::commands::print_json;
use crate::report::Exit;
use crate::report::UserError;
use crate::terminal::say;
use clap::Args;
use gen_session::{DraftApplied, InputRejected};
use gen_session::{DraftError, Drafts};
use gen_workbench::limits::MAX_INPUT_BYTES;
use gen_workbench::{BatchReport, Rejection, parse_canvas_input};
use miette::Result;
use std::io::Read;
use std::path::Path;
use std::path::PathBuf;

/// `gen draft apply`
#[derive(Debug, Args)]
pub(crate) struct DraftApplyArgs {
    /// Which draft to edit.
    #[command(flatten)]
    pub draft: DraftNameArg,
    /// One intent or action, a JSON array of them, or {"draft": {...}} to replace the draft; `-` reads stdin.
    #[arg(value_name = "FILE|-")]
    pub input: PathBuf,
}

/// Runs the command.
pub(super) fn run(drafts: &Drafts, args: &DraftApplyArgs, json: bool) -> Result<Exit> {
    let name = draft_name(&args.draft.name)?;
    if !drafts.exists(&name) {
        return Err(fail(DraftError::NotFound {
            name: name.to_string(),
            dir: drafts.dir().to_path_buf(),
        }));
    }
    let (source, bytes) = read_input(&args.input)?;
    let actions = match parse_canvas_input(&bytes) {
        Ok(actions) => actions,
        Err(rejection) => {
            print_rejected(&source, &rejection, json)?;
            return Ok(Exit::Refused);
        }
    };
    let applied = drafts.apply(&name, &actions).map_err(fail)?;
    report_change(&applied.changed);
    let history = &applied.changed.session.history;
    let report = &applied.report;
    if json {
        print_json(&DraftApplied::new(&applied))?;
    } else {
        say!("{}", report.message());
        for line in action_lines(report) {
            say!("  {line}");
        }
        if report.changed() {
            say!("Draft `{name}`: {}", state_line(history));
        } else {
            say!(
                "Nothing was applied; draft `{name}` is unchanged ({}).",
                state_line(history)
            );
        }
    }
    Ok(Exit::done_if(report.changed()))
}

/// Reads the input (a file, or stdin for `-`), at most one byte past the per-turn cap so an
/// oversized payload is refused by the parser without being read whole.
fn read_input(input: &Path) -> Result<(String, Vec<u8>)> {
    let limit = MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    if input == Path::new("-") {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                UserError::new(
                    format!("cannot read stdin: {e}"),
                    "pipe the JSON in, or pass a file",
                )
            })?;
        return Ok(("stdin".to_string(), bytes));
    }
    std::fs::File::open(input)
        .and_then(|f| f.take(limit).read_to_end(&mut bytes))
        .map_err(|e| {
            UserError::new(
                format!("cannot read {}: {e}", input.display()),
                "pass a JSON file with one intent, an array of intents/actions, or {\"draft\": {...}}; `-` reads stdin",
            )
        })?;
    Ok((input.display().to_string(), bytes))
}

/// One line per action of the batch, in input order.
fn action_lines(report: &BatchReport) -> Vec<String> {
    let mut lines: Vec<(Option<usize>, String)> = Vec::new();
    for a in &report.applied {
        lines.push((
            Some(a.index),
            format!("[{}] applied: {}", a.index, a.change.summary()),
        ));
    }
    for i in &report.unchanged {
        lines.push((
            Some(*i),
            format!("[{i}] unchanged: the workflow already looks like that"),
        ));
    }
    for f in &report.failed {
        let detail = format!("{} ({})", f.rejection.user_text(), f.rejection);
        lines.push(match f.index {
            Some(i) => (Some(i), format!("[{i}] failed: {detail}")),
            None => (None, format!("[batch] reverted: {detail}")),
        });
    }
    lines.sort_by_key(|(index, _)| index.map_or(0, |i| i + 1));
    lines.into_iter().map(|(_, line)| line).collect()
}

/// The report of an input refused whole (malformed, over a cap, not the contract's shape).
fn print_rejected(source: &str, rejection: &Rejection, json: bool) -> Result<()> {
    if json {
        return print_json(&InputRejected::new(source, rejection.clone()));
    }
    say!("{}", rejection.user_text());
    say!("  rejected: {source}: {rejection}");
    say!("Nothing was applied; the draft is unchanged.");
    Ok(())
}
