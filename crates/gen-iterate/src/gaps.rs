//! Runs a crash left open, recorded as abandoned before a new run starts (the rule is
//! `gen_core::iterate::session_gaps`).

use gen_core::iterate::events::{self, Link, Scope};
use gen_core::iterate::{Gap, RunEvent, session_gaps};
use gen_workspace::{LineItem, Workspace};
use serde_json::json;

const TYPES: [&str; 7] = [
    "edge_started",
    "iteration_started",
    "iteration_completed",
    "evaluator_detail",
    "edge_converged",
    "iteration_abandoned",
    "spawn_created",
];

/// Writes one `iteration_abandoned` (reason `session_gap`) for each run left open; returns them.
pub fn record_session_gaps(
    ws: &Workspace,
    project: &str,
    agent: &str,
) -> Result<Vec<Gap>, crate::EvaluateError> {
    let path = ws.events_path();
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut seen = Vec::new();
    gen_workspace::each_line(
        &path,
        |e| e.event_type.as_deref().is_some_and(|t| TYPES.contains(&t)),
        |item| {
            let LineItem::Event(e) = item else { return };
            let v: serde_json::Value = serde_json::from_str(&e.raw).unwrap_or_default();
            let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            seen.push(RunEvent {
                event_id: e.event.id.clone(),
                event_type: e.event.event_type.clone().unwrap_or_default(),
                feature: e.event.feature.clone().unwrap_or_default(),
                edge: e.event.edge.clone().unwrap_or_default(),
                correlation_id: text("correlation_id"),
                status: text("status"),
                timestamp: text("timestamp").unwrap_or_default(),
            });
        },
    )?;
    let gaps = session_gaps(&seen);
    for gap in &gaps {
        let (at, id) = gen_workspace::event_stamp();
        let scope = Scope {
            project: project.to_string(),
            agent: agent.to_string(),
            feature: gap.feature.clone(),
            edge: gap.edge.clone(),
        };
        let event = events::custom(
            &scope,
            &Link {
                at,
                event_id: id,
                causation_id: gap.run_id.clone(),
                correlation_id: gap.run_id.clone(),
            },
            "iteration_abandoned",
            json!({
                "last_event_timestamp": gap.last_event_timestamp,
                "reason": "session_gap",
            }),
        );
        gen_workspace::append_event(ws, &event)?;
    }
    Ok(gaps)
}
