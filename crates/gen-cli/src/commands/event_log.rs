//! `gen event log`: events in the one total order, filtered.

use super::{UserError, print_json};
use crate::cli::LogArgs;
use gen_core::config::canonical_edge_id;
use gen_core::event::{order_key, parse_timestamp};
use gen_workspace::Workspace;
use gen_workspace::scan::read_lines;
use jiff::Timestamp;
use miette::{IntoDiagnostic, Result};
use serde_json::json;
use std::process::ExitCode;

fn bound(text: &str, flag: &str) -> Result<Timestamp> {
    if let Ok(ts) = parse_timestamp(text) {
        return Ok(ts);
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>()
        && let Ok(z) = date.to_zoned(jiff::tz::TimeZone::UTC)
    {
        return Ok(z.timestamp());
    }
    Err(UserError::new(
        format!("{flag} `{text}` is not a date or an RFC 3339 time"),
        "use e.g. 2026-03-01 or 2026-03-01T10:00:00Z",
    )
    .into())
}

/// Runs the command.
pub fn run(ws: &Workspace, args: &LogArgs, json: bool) -> Result<ExitCode> {
    let since = args
        .since
        .as_deref()
        .map(|s| bound(s, "--since"))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|s| bound(s, "--until"))
        .transpose()?;
    let edge = args.edge.as_deref().map(canonical_edge_id);
    let lines = read_lines(&ws.events_path()).into_diagnostic()?;
    for m in &lines.malformed {
        eprintln!(
            "warning: events.jsonl line {}: {}{} — kept in the file, skipped here: {}",
            m.line,
            m.error,
            if m.torn {
                " (torn final line; repaired on the next append)"
            } else {
                ""
            },
            m.excerpt
        );
    }
    let mut events: Vec<_> = lines
        .events
        .iter()
        .filter(|e| {
            let ev = &e.event;
            args.event_type
                .as_deref()
                .is_none_or(|t| ev.event_type.as_deref() == Some(t))
                && args
                    .feature
                    .as_deref()
                    .is_none_or(|f| ev.feature.as_deref() == Some(f))
                && edge
                    .as_deref()
                    .is_none_or(|x| ev.edge.as_deref() == Some(x))
                && since.is_none_or(|s| ev.timestamp.is_some_and(|t| t >= s))
                && until.is_none_or(|u| ev.timestamp.is_some_and(|t| t < u))
        })
        .collect();
    events.sort_by(|a, b| order_key(&a.event).cmp(&order_key(&b.event)));
    if let Some(n) = args.limit {
        let skip = events.len().saturating_sub(n);
        events.drain(..skip);
    }
    for e in &events {
        let ev = &e.event;
        if json {
            print_json(&json!({
                "id": ev.id,
                "type": ev.event_type,
                "timestamp": ev.timestamp.map(|t| t.to_string()),
                "timestamp_raw": ev.timestamp_text,
                "feature": ev.feature,
                "edge": ev.edge,
                "agent": ev.agent,
                "project": ev.project,
                "shape": ev.shape.as_str(),
                "payload": ev.payload,
                "line": e.line,
                "raw": e.raw,
            }))?;
        } else {
            let when = ev
                .timestamp
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_else(|| "(no time)          ".into());
            let mut about = String::new();
            if let Some(f) = &ev.feature {
                about.push_str(f);
            }
            if let Some(x) = &ev.edge {
                if !about.is_empty() {
                    about.push(' ');
                }
                about.push_str(x);
            }
            if let Some(d) = ev.delta() {
                about.push_str(&format!(" δ={d}"));
            }
            println!(
                "{when}  {:<22} {:<40} line {}",
                ev.event_type.as_deref().unwrap_or("(untyped)"),
                about,
                e.line
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
