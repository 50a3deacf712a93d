//! The human gates and decisions of a workspace, read from its log, and a decision written to it.

use gen_core::iterate::events::Scope;
use gen_core::iterate::{Decision, Gate};
use gen_workspace::{LineItem, Workspace};

/// Every gate and decision in the log, in file order.
pub fn read_reviews(ws: &Workspace) -> Result<(Vec<Gate>, Vec<Decision>), gen_workspace::LogError> {
    let mut gates = Vec::new();
    let mut decisions = Vec::new();
    let path = ws.events_path();
    if !path.exists() {
        return Ok((gates, decisions));
    }
    gen_workspace::each_line(
        &path,
        |e| {
            matches!(
                e.event_type.as_deref(),
                Some("human_gate_entered" | "review_completed")
            )
        },
        |item| {
            let LineItem::Event(e) = item else { return };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&e.raw) else {
                return;
            };
            let text = |k: &str| {
                v.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            match e.event.event_type.as_deref() {
                Some("human_gate_entered") => gates.push(Gate {
                    gate_id: e.event.id.clone(),
                    correlation_id: text("correlation_id"),
                    feature: e.event.feature.clone().unwrap_or_default(),
                    edge: e.event.edge.clone().unwrap_or_default(),
                    check: text("check_name"),
                    criterion: text("criterion"),
                    input_hash: text("input_hash"),
                    iteration: v.get("iteration").and_then(|i| i.as_u64()).unwrap_or(0),
                    opened_at: text("timestamp"),
                }),
                Some("review_completed") => decisions.push(Decision {
                    gate_id: text("gate_event_id"),
                    approved: text("decision") == "approve",
                    reason: text("reason"),
                    by: text("agent_id"),
                }),
                _ => {}
            }
        },
    )?;
    Ok((gates, decisions))
}

/// Writes a person's decision on `gate`, durably; returns the event's id.
pub fn decide(
    ws: &Workspace,
    project: &str,
    agent: &str,
    gate: &Gate,
    approved: bool,
    reason: &str,
) -> Result<String, gen_workspace::WriteEventError> {
    let (at, id) = gen_workspace::event_stamp();
    let scope = Scope {
        project: project.to_string(),
        agent: agent.to_string(),
        feature: gate.feature.clone(),
        edge: gate.edge.clone(),
    };
    let event = gen_core::iterate::review_completed(&scope, at, &id, gate, approved, reason);
    gen_workspace::append_event(ws, &event)?;
    Ok(id)
}
