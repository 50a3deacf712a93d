//! `gen status`: the you-are-here view derived from the event log.

use super::print_json;
use crate::report::Exit;
use crate::report::UserError;
use crate::terminal::{errln, out, safe, safe_block};
use clap::Args;
use gen_core::projection::StatusReport;
use gen_core::projection::{FeatureStatus, Location};
use gen_workspace::Workspace;
use miette::Result;
use std::fmt::Write as _;

/// `gen status`
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Show one feature's trajectory.
    #[arg(long, value_name = "ID")]
    pub feature: Option<String>,
    /// Read the whole event log instead of using the cache in .ai-workspace/.gen/cache/.
    #[arg(long)]
    pub no_cache: bool,
    /// Where `--remote` reads from.
    #[command(flatten)]
    pub remote: super::sync::RemoteArgs,
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &StatusArgs, json: bool) -> Result<Exit> {
    let loaded = crate::load::load(ws, args.no_cache)?;
    let report = &loaded.report;
    if let Some(id) = &args.feature {
        let Some(f) = report.features.iter().find(|f| &f.feature == id) else {
            return Err(UserError::new(
                format!("no feature `{id}` in the events or feature vectors"),
                "run `gen status` to list features",
            )
            .into());
        };
        if json {
            print_json(f)?;
        } else {
            out!("{}", safe_block(&render_feature(f)));
        }
        return Ok(Exit::Success);
    }
    if json {
        print_json(report)?;
    } else {
        out!("{}", safe_block(&render(report)));
        for u in loaded.log.untimed.iter().take(5) {
            errln!(
                "warning: events.jsonl line {}: {} — the event is ordered after all timed events; give it an RFC 3339 UTC timestamp",
                u.line,
                safe(&u.reason)
            );
        }
        let torn_dir = ws
            .event_log()
            .path
            .parent()
            .map(|dir| ws.relative(&dir.join("torn")))
            .unwrap_or_else(|| "torn".into());
        for m in loaded.log.malformed.iter().take(5) {
            errln!(
                "warning: events.jsonl line {}: {}{}",
                m.line,
                m.error,
                if m.torn {
                    format!(
                        " (torn final line from an interrupted write; the next `gen event emit` moves it to {torn_dir}/)"
                    )
                } else {
                    " (kept in the file; fix or remove the line by hand)".to_string()
                }
            );
        }
    }
    Ok(Exit::Success)
}

fn marker(status: &str) -> &'static str {
    match status {
        "converged" => "✓",
        "iterating" => "●",
        "stuck" => "✗",
        "blocked" => "■",
        _ => "○",
    }
}

/// `intent ✓ → requirements ● → design ○` from the feature's edges in topology order.
pub(crate) fn you_are_here(f: &FeatureStatus) -> String {
    let mut out = String::new();
    let mut last_target: Option<&str> = None;
    for id in &f.path {
        let Some(e) = f.edges.get(id) else { continue };
        let (src, tgt, co) = match gen_core::event::split_edge(id) {
            Some(parts) => parts,
            None => ("", id.as_str(), false),
        };
        if last_target != Some(src) {
            if !out.is_empty() {
                out.push_str("  ·  ");
            }
            if !src.is_empty() {
                out.push_str(src);
            }
        }
        let arrow = if co { " ↔ " } else { " → " };
        let _ = write!(out, "{arrow}{tgt} {}", marker(e.status));
        last_target = Some(tgt);
    }
    if out.is_empty() {
        out.push_str("(no edges yet)");
    }
    out
}

fn render(r: &StatusReport) -> String {
    let mut o = String::new();
    let title = format!("gen status — {}", r.project);
    let _ = writeln!(o, "{title}\n{}", "=".repeat(title.chars().count()));
    let _ = writeln!(
        o,
        "State: {} — {}   ({} events from {}{}{}{})",
        r.state.label(),
        state_meaning(r),
        r.events.total - r.events.malformed,
        r.events.file,
        if r.events.malformed > 0 {
            format!(", {} malformed", r.events.malformed)
        } else {
            String::new()
        },
        r.as_of
            .map(|t| format!(", latest {}", t.strftime("%Y-%m-%d %H:%M")))
            .unwrap_or_default(),
        if r.events.untimed > 0 {
            format!(", {} untimed", r.events.untimed)
        } else {
            String::new()
        },
    );
    let active: Vec<&FeatureStatus> = r.features.iter().filter(|f| f.is_active()).collect();
    if !active.is_empty() {
        let _ = writeln!(o, "\nYou are here:");
        let width = active.iter().map(|f| f.feature.len()).max().unwrap_or(0);
        for f in &active {
            let _ = writeln!(o, "  {:<width$}  {}", f.feature, you_are_here(f));
        }
    }
    let ro = &r.rollup;
    let pct = (ro.edges_converged * 100)
        .checked_div(ro.edges_total)
        .unwrap_or(0);
    let _ = writeln!(o, "\nProject rollup:");
    let _ = writeln!(
        o,
        "  Edges converged: {}/{} ({pct}%)",
        ro.edges_converged, ro.edges_total
    );
    let _ = writeln!(
        o,
        "  Features:        {} converged, {} in progress, {} pending, {} stuck, {} blocked  ({} completed vectors)",
        ro.converged, ro.in_progress, ro.pending, ro.stuck, ro.blocked, ro.completed_vectors
    );
    let active_count = r.features.iter().filter(|f| f.is_active()).count();
    if ro.required < active_count {
        let _ = writeln!(
            o,
            "                   {} of {} must converge (the rest are abandoned or deferred)",
            ro.required, active_count
        );
    }
    let _ = writeln!(
        o,
        "  Intents:         {} unactioned intent_raised",
        ro.unactioned_intents
    );
    if !active.is_empty() {
        let _ = writeln!(o, "\nActive features:");
        let width = active
            .iter()
            .map(|f| f.feature.len())
            .max()
            .unwrap_or(7)
            .max(7);
        let _ = writeln!(
            o,
            "  {:<width$}  {:<11}  {:<28}  {:>4}  {:>3}  {:>4}  title",
            "feature", "status", "edge", "T", "V", "H"
        );
        for f in &active {
            let _ = writeln!(
                o,
                "  {:<width$}  {:<11}  {:<28}  {:>4}  {:>3}  {:>4}  {}",
                f.feature,
                f.status,
                f.current_edge.as_deref().unwrap_or("-"),
                f.t,
                f.v,
                f.h,
                f.title.as_deref().unwrap_or("")
            );
        }
    }
    if !r.signals.is_empty() {
        let _ = writeln!(o, "\nSignals:");
        for s in &r.signals {
            let _ = writeln!(o, "  ! {s}");
        }
    }
    let _ = writeln!(o, "\nNext actions:");
    if r.next_actions.is_empty() {
        let _ = writeln!(o, "  nothing pending");
    }
    for (i, a) in r.next_actions.iter().enumerate().take(10) {
        let _ = writeln!(o, "  {}. {a}", i + 1);
    }
    if r.next_actions.len() > 10 {
        let _ = writeln!(
            o,
            "  … and {} more (gen status --json)",
            r.next_actions.len() - 10
        );
    }
    o
}

/// The method's project states in a few words.
fn state_meaning(r: &StatusReport) -> &'static str {
    use gen_core::projection::ProjectState;
    match r.state {
        ProjectState::Iterating => "features are being worked on",
        ProjectState::Converged
            if r.rollup.completed_vectors > 0 && r.features.iter().all(|f| !f.is_active()) =>
        {
            "every feature is completed"
        }
        ProjectState::Converged if r.features.iter().all(|f| !f.is_active()) => {
            "nothing to converge yet"
        }
        ProjectState::Converged => "every feature that must converge has",
        ProjectState::Quiescent => "nothing iterates; some unconverged feature awaits a decision",
        ProjectState::Bounded => {
            "nothing iterates; every unconverged feature has an accepted disposition"
        }
    }
}

fn render_feature(f: &FeatureStatus) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}{}",
        f.feature,
        f.title
            .as_deref()
            .map(|t| format!(" — {t}"))
            .unwrap_or_default()
    );
    let vector = match f.location {
        Location::EventsOnly => "no vector file".to_string(),
        Location::Active => format!(
            "vector in features/active/ says {}",
            f.vector_status.as_deref().unwrap_or("no status")
        ),
        Location::Completed => format!(
            "vector in features/completed/ says {}",
            f.vector_status.as_deref().unwrap_or("no status")
        ),
        Location::Archived => format!(
            "vector in features/archived/ says {}",
            f.vector_status.as_deref().unwrap_or("no status")
        ),
    };
    let _ = writeln!(
        o,
        "Status: {} from events ({vector}); profile {}",
        f.status,
        f.profile.as_deref().unwrap_or("(none)"),
    );
    if let Some(parent) = &f.parent {
        let _ = writeln!(o, "Spawned from {parent}");
    }
    if let Some(d) = &f.disposition {
        let _ = writeln!(
            o,
            "Disposition: {d}{}",
            if f.is_required() {
                ""
            } else {
                " (not required to converge)"
            }
        );
    }
    let _ = writeln!(o, "T={}  V={}  H={}   {}", f.t, f.v, f.h, you_are_here(f));
    let _ = writeln!(o, "\nTrajectory:");
    for id in &f.path {
        let Some(e) = f.edges.get(id) else { continue };
        let detail = match e.status {
            "converged" => format!(
                "converged {}",
                e.converged_at
                    .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default()
            ),
            "pending" => "pending".to_string(),
            s => format!(
                "{s} (iteration {}, delta {})",
                e.iterations,
                e.delta.map_or("-".into(), |d| d.to_string())
            ),
        };
        let _ = writeln!(
            o,
            "  {} {:<32} {}{}",
            marker(e.status),
            id,
            detail,
            if e.required {
                ""
            } else {
                "  (not required by profile)"
            }
        );
    }
    o
}
