//! `gen event log`: events in the one total order, filtered.

use super::print_json;
use crate::report::Exit;
use crate::report::UserError;
use crate::terminal::{errln, outln, safe};
use clap::Args;
use gen_core::config::canonical_edge_id;
use gen_core::event::{order_key, parse_timestamp};
use gen_workspace::Workspace;
use gen_workspace::{EventRow, LineItem, LoggedEvent, each_line};
use jiff::Timestamp;
use miette::{IntoDiagnostic, Result};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

/// Orders logged events by the one total order, for keeping the latest N.
struct Latest(LoggedEvent);

impl PartialEq for Latest {
    fn eq(&self, other: &Self) -> bool {
        order_key(&self.0.event) == order_key(&other.0.event)
    }
}
impl Eq for Latest {}
impl PartialOrd for Latest {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Latest {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        order_key(&self.0.event).cmp(&order_key(&other.0.event))
    }
}

/// `gen event log`
#[derive(Debug, Args)]
pub(crate) struct LogArgs {
    /// Only this event type.
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Only this feature.
    #[arg(long)]
    pub feature: Option<String>,
    /// Only this edge.
    #[arg(long)]
    pub edge: Option<String>,
    /// Only events at or after this time (RFC 3339, or a date like 2026-03-01).
    #[arg(long)]
    pub since: Option<String>,
    /// Only events before this time (RFC 3339, or a date).
    #[arg(long)]
    pub until: Option<String>,
    /// Show only the most recent N matching events (still oldest first).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Where `--remote` reads from.
    #[command(flatten)]
    pub remote: super::sync::RemoteArgs,
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &LogArgs, json: bool) -> Result<Exit> {
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
    let matches = |ev: &gen_core::event::Event| {
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
    };
    // With --limit only the N latest matches are held in memory, whatever the size of the log.
    let mut kept: BinaryHeap<Reverse<Latest>> = BinaryHeap::new();
    let mut all: Vec<LoggedEvent> = Vec::new();
    each_line(&ws.events_path(), matches, |item| match item {
        LineItem::Event(e) => match args.limit {
            Some(n) => {
                kept.push(Reverse(Latest(*e)));
                if kept.len() > n {
                    kept.pop();
                }
            }
            None => all.push(*e),
        },
        LineItem::Malformed(m) => errln!(
            "warning: events.jsonl line {}: {}{} — kept in the file, skipped here: {}",
            m.line,
            m.error,
            if m.torn {
                " (torn final line; repaired on the next append)"
            } else {
                ""
            },
            safe(&m.excerpt)
        ),
    })
    .into_diagnostic()?;
    let mut events: Vec<LoggedEvent> = if args.limit.is_some() {
        kept.into_iter().map(|Reverse(Latest(e))| e).collect()
    } else {
        all
    };
    events.sort_by(|a, b| order_key(&a.event).cmp(&order_key(&b.event)));
    if json {
        for e in events {
            print_json(&EventRow::from(e))?;
        }
        return Ok(Exit::Success);
    }
    for e in &events {
        let ev = &e.event;
        let when = ev
            .timestamp
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "(no time)          ".into());
        let mut about = String::new();
        if let Some(f) = &ev.feature {
            about.push_str(&safe(f));
        }
        if let Some(x) = &ev.edge {
            if !about.is_empty() {
                about.push(' ');
            }
            about.push_str(&safe(x));
        }
        if let Some(d) = ev.delta() {
            about.push_str(&format!(" δ={d}"));
        }
        outln!(
            "{when}  {:<22} {:<40} line {}",
            safe(ev.event_type.as_deref().unwrap_or("(untyped)")),
            about,
            e.line
        );
    }
    Ok(Exit::Success)
}
