//! `gen features`: event-derived state next to what each vector claims, and what `--write` changes.
//!
//! Without `--write` the command plans the refresh of every vector and shows, per file, the changes
//! it would make, so they can be reviewed first; with it the same plan is written. Files kept out by
//! rule are counted, files that cannot be refreshed safely are listed with file:line:col and why.

use super::print_json;
use crate::report::Exit;
use clap::Args;
use gen_core::projection::FeatureStatus;
use gen_core::projection::{LeftReason, Outcome, Scope};
use gen_workspace::Workspace;
use gen_workspace::{FeatureRow, RefreshState, Refreshed, refresh_vector_file};
use miette::{IntoDiagnostic, Result};
use std::fmt::Write as _;

use crate::terminal::{errln, out, safe_block};

/// One feature with its vector file and what the refresh made of it.
struct Row<'a> {
    feature: &'a FeatureStatus,
    file: Option<String>,
    refreshed: Option<Refreshed>,
}

impl Row<'_> {
    /// The short outcome shared by the table and `--json`.
    fn outcome(&self) -> RefreshState {
        RefreshState::of(self.refreshed.as_ref())
    }

    /// `file:line:col: reason` for a skipped file.
    fn skip_message(&self) -> Option<String> {
        let Outcome::Skipped(skip) = &self.refreshed.as_ref()?.refresh.outcome else {
            return None;
        };
        let at = skip
            .pos
            .map(|p| format!(":{}:{}", p.line, p.column))
            .unwrap_or_default();
        Some(format!(
            "{}{at}: {}",
            self.file.as_deref().unwrap_or("-"),
            crate::report::skip_reason(&skip.reason)
        ))
    }

    /// The row as `--json` prints it, reasons worded for the command line.
    fn json(&self) -> FeatureRow {
        FeatureRow::new(
            self.feature,
            self.file.clone(),
            self.refreshed.as_ref(),
            |outcome| match outcome {
                Outcome::Left(reason) => Some(crate::report::left_reason(reason)),
                Outcome::Skipped(skip) => Some(crate::report::skip_reason(&skip.reason)),
                _ => None,
            },
        )
    }
}

/// `gen features`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct FeaturesArgs {
    /// Start a feature instead of listing them.
    #[command(subcommand)]
    pub command: Option<FeaturesCommand>,
    /// Write the event-derived fields (status, trajectory progress) into vector files; only those values change.
    #[arg(long)]
    pub write: bool,
    /// Include completed/ and archived/ vectors (history); an authored `converged` is never lowered.
    #[arg(long)]
    pub all: bool,
}

/// `gen features …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum FeaturesCommand {
    /// Start a feature: write its vector from the method's template to features/active/ID.yml
    /// (never over an existing one), ready for `gen event emit` and `gen iterate`.
    New(super::features_new::NewArgs),
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &FeaturesArgs, json: bool) -> Result<Exit> {
    if let Some(FeaturesCommand::New(new)) = &args.command {
        return super::features_new::run(ws, new, json);
    }
    let loaded = crate::load::load(ws, false)?;
    for p in &loaded.vectors.problems {
        errln!("warning: {}", safe_block(&p.to_string()));
    }
    // A vector that cannot be read cannot be refreshed: with --write that is a refusal too.
    let unreadable = args.write
        && loaded
            .vectors
            .problems
            .iter()
            .any(|p| p.file.starts_with("features/active/") || args.all);
    // New trajectory keys must be ones `gen validate` accepts; without a readable topology, any.
    let scope = Scope {
        include_history: args.all,
        topology: loaded.topology.as_ref(),
    };
    let mut rows = Vec::new();
    for f in &loaded.report.features {
        let file = loaded
            .vectors
            .files
            .iter()
            .find(|v| v.vector.feature == f.feature);
        let refreshed = match file {
            Some(file) => Some(refresh_vector_file(file, f, scope, args.write).into_diagnostic()?),
            None => None,
        };
        rows.push(Row {
            feature: f,
            file: file.map(|v| ws.relative(&v.path)),
            refreshed,
        });
    }
    // A `--write` that had to leave a file as it was did not do what was asked: say so in the exit code.
    let refused = args.write
        && rows.iter().any(|r| {
            matches!(
                r.refreshed.as_ref().map(|x| &x.refresh.outcome),
                Some(Outcome::Skipped(_))
            )
        });
    let code = Exit::done_if(!(refused || unreadable));
    if json {
        print_json(&rows.iter().map(Row::json).collect::<Vec<_>>())?;
        return Ok(code);
    }
    // Feature ids, statuses and file text are data: escaped before they reach the terminal.
    let mut out = String::new();
    print_table(&mut out, &rows, args.write);
    print_changes(&mut out, &rows, args);
    out!("{}", safe_block(&out));
    Ok(code)
}

fn print_table(o: &mut String, rows: &[Row], write: bool) {
    let width = rows
        .iter()
        .map(|r| r.feature.feature.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        o,
        "{:<width$}  {:<11}  {:<16}  {:<11}  file",
        "feature", "events say", "vector says", "where"
    );
    for r in rows {
        let f = r.feature;
        let mark = match (r.outcome(), r.refreshed.as_ref().is_some_and(|x| x.written)) {
            (RefreshState::Update, true) => "  (updated)",
            (RefreshState::Update, false) if !write => "  (would update)",
            (RefreshState::Skipped, _) => "  (skipped)",
            _ => "",
        };
        let _ = writeln!(
            o,
            "{:<width$}  {:<11}  {:<16}  {:<11}  {}{mark}",
            f.feature,
            f.status,
            f.vector_status.as_deref().unwrap_or("-"),
            format!("{:?}", f.location).to_lowercase(),
            r.file.as_deref().unwrap_or("-"),
        );
    }
}

fn print_changes(o: &mut String, rows: &[Row], args: &FeaturesArgs) {
    let (mut updates, mut written, mut skipped) = (0, 0, 0);
    let (mut history, mut quiet, mut placeholders) = (0, 0, 0);
    for r in rows {
        let Some(refreshed) = &r.refreshed else {
            continue;
        };
        match &refreshed.refresh.outcome {
            Outcome::Changed(_) => {
                updates += 1;
                written += usize::from(refreshed.written);
                let _ = writeln!(o);
                let _ = writeln!(
                    o,
                    "{}{}",
                    r.file.as_deref().unwrap_or("-"),
                    if refreshed.written {
                        " (updated)"
                    } else {
                        " (would update)"
                    }
                );
                for c in &refreshed.refresh.changes {
                    let _ = writeln!(o, "  {c}");
                }
            }
            Outcome::Skipped(_) => skipped += 1,
            Outcome::Left(LeftReason::History(_)) => history += 1,
            Outcome::Left(LeftReason::NoEvents) => quiet += 1,
            Outcome::Left(LeftReason::Placeholder(_)) => placeholders += 1,
            Outcome::Unchanged => {}
        }
    }
    if skipped > 0 {
        let _ = writeln!(o);
        for message in rows.iter().filter_map(Row::skip_message) {
            let _ = writeln!(o, "skipped {message}");
        }
    }
    let _ = writeln!(o);
    if args.write {
        let _ = writeln!(o, "{written} vector file(s) updated");
    } else if updates > 0 {
        let _ = writeln!(
            o,
            "{updates} vector file(s) would be updated; `gen features --write{}` writes them",
            if args.all { " --all" } else { "" }
        );
    } else {
        let _ = writeln!(o, "vector files agree with the events; nothing to write");
    }
    if skipped > 0 {
        let _ = writeln!(
            o,
            "{skipped} vector file(s) skipped: they cannot be refreshed safely (see above)"
        );
    }
    if history > 0 {
        let _ = writeln!(
            o,
            "{history} vector file(s) in completed/ or archived/ left as written: history (`--all` includes them)"
        );
    }
    if quiet > 0 {
        let _ = writeln!(
            o,
            "{quiet} vector file(s) have no events yet: nothing to derive"
        );
    }
    if placeholders > 0 {
        let _ = writeln!(
            o,
            "{placeholders} placeholder vector(s) (`unknown`, `all`, ...) left as written"
        );
    }
}
