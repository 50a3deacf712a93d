//! The events of an iteration (reference §1.9), as flat events with `event_id` and the causal
//! links at the top level (`causation_id`, `correlation_id`: the names the corpus's OpenLineage
//! facet uses). Pure: the caller gives the time, the ids and who writes.

use super::{CheckResult, Evaluation, Outcome, ResolvedCheck};
use crate::event::NewEvent;
use serde_json::{Map, Value, json};

/// Who writes, about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The project name.
    pub project: String,
    /// The writer (`agent_id`).
    pub agent: String,
    /// The feature.
    pub feature: String,
    /// The edge (any spelling; written canonical).
    pub edge: String,
}

/// One event's identity and place in its run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// When it happened.
    pub at: jiff::Timestamp,
    /// Its id.
    pub event_id: String,
    /// The event that caused it (itself for a root).
    pub causation_id: String,
    /// The run's root event.
    pub correlation_id: String,
}

/// An event of this family with its own type and payload (reviews, and what comes next).
pub fn custom(scope: &Scope, link: &Link, event_type: &str, payload: Value) -> NewEvent {
    event(scope, link, event_type, payload)
}

fn event(scope: &Scope, link: &Link, event_type: &str, payload: Value) -> NewEvent {
    let mut map = Map::new();
    if let Value::Object(fields) = payload {
        map.extend(fields);
    }
    map.insert("causation_id".into(), link.causation_id.clone().into());
    map.insert("correlation_id".into(), link.correlation_id.clone().into());
    NewEvent {
        event_type: event_type.into(),
        timestamp: link.at,
        project: scope.project.clone(),
        event_id: link.event_id.clone(),
        agent_id: scope.agent.clone(),
        feature: Some(scope.feature.clone()),
        edge: Some(scope.edge.clone()),
        payload: map,
    }
}

/// `iteration_started`: the asset's hash says what was evaluated.
pub fn iteration_started(
    scope: &Scope,
    link: &Link,
    iteration: u32,
    input_hash: Option<&str>,
    source: &str,
) -> NewEvent {
    event(
        scope,
        link,
        "iteration_started",
        json!({"iteration": iteration, "input_hash": input_hash, "source": source}),
    )
}

/// Characters of a check's message an event keeps.
const MESSAGE_CHARS: usize = 500;

/// `evaluator_detail`: one per check that failed or erred, required or not.
pub fn evaluator_detail(
    scope: &Scope,
    link: &Link,
    iteration: u32,
    result: &CheckResult,
) -> NewEvent {
    let message: String = result.message.chars().take(MESSAGE_CHARS).collect();
    event(
        scope,
        link,
        "evaluator_detail",
        json!({
            "iteration": iteration,
            "check_name": result.name,
            "check_type": result.kind.as_str(),
            "outcome": result.outcome,
            "required": result.required,
            "message": message,
        }),
    )
}

/// `human_gate_entered`: a person's decision is now awaited for `check` on this asset.
pub fn human_gate_entered(
    scope: &Scope,
    link: &Link,
    iteration: u32,
    check: &ResolvedCheck,
    input_hash: Option<&str>,
) -> NewEvent {
    event(
        scope,
        link,
        "human_gate_entered",
        json!({
            "iteration": iteration,
            "check_name": check.name,
            "criterion": check.criterion,
            "input_hash": input_hash,
        }),
    )
}

/// What an iteration spent on models.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Completion tokens.
    pub output_tokens: u64,
    /// Their price, when one is known.
    pub cost_usd: Option<f64>,
}

/// A model's price, in US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    /// Per million prompt tokens.
    pub input_per_mtok: f64,
    /// Per million completion tokens.
    pub output_per_mtok: f64,
}

impl Price {
    /// What `input` and `output` tokens cost.
    pub fn cost(&self, input: u64, output: u64) -> f64 {
        (input as f64 * self.input_per_mtok + output as f64 * self.output_per_mtok) / 1_000_000.0
    }
}

/// `iteration_completed`: the counts, delta, status, every check's outcome and the escalations,
/// and what the models cost when any was asked.
pub fn iteration_completed(
    scope: &Scope,
    link: &Link,
    iteration: u32,
    evaluation: &Evaluation,
    results: &[CheckResult],
    usage: Option<&Usage>,
) -> NewEvent {
    let checks: Vec<Value> = results
        .iter()
        .map(|r| json!({"name": r.name, "type": r.kind.as_str(), "outcome": r.outcome, "required": r.required}))
        .collect();
    event(
        scope,
        link,
        "iteration_completed",
        json!({
            "iteration": iteration,
            "delta": evaluation.delta,
            "status": evaluation.status(),
            "evaluators": {
                "passed": evaluation.passed,
                "failed": evaluation.failed,
                "skipped": evaluation.skipped,
                "pending": evaluation.pending,
                "total": evaluation.total,
                "details": checks,
            },
            "checks": checks,
            "escalations": evaluation.escalations,
            "usage": usage,
        }),
    )
}

/// `edge_converged`.
pub fn edge_converged(scope: &Scope, link: &Link, iteration: u32) -> NewEvent {
    event(
        scope,
        link,
        "edge_converged",
        json!({"iteration": iteration}),
    )
}

/// Whether a result gets an `evaluator_detail`.
pub fn needs_detail(result: &CheckResult) -> bool {
    matches!(result.outcome, Outcome::Fail | Outcome::Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iterate::CheckKind;

    #[test]
    fn an_iteration_completed_has_the_reference_payload_and_the_links() {
        let scope = Scope {
            project: "billing".into(),
            agent: "ana".into(),
            feature: "REQ-F-PAY-001".into(),
            edge: "code<->unit_tests".into(),
        };
        let link = Link {
            at: "2026-12-02T10:00:00Z".parse().unwrap(),
            event_id: "e3".into(),
            causation_id: "e2".into(),
            correlation_id: "e1".into(),
        };
        let results = [
            CheckResult {
                name: "tests_pass".into(),
                kind: CheckKind::Deterministic,
                outcome: Outcome::Fail,
                required: true,
                message: "1 failed".into(),
                duration_ms: 12,
            },
            CheckResult {
                name: "reads_well".into(),
                kind: CheckKind::Agent,
                outcome: Outcome::Skip,
                required: true,
                message: "not judged".into(),
                duration_ms: 0,
            },
        ];
        let e = iteration_completed(&scope, &link, 2, &Evaluation::of(&results), &results, None);
        let line: Value = serde_json::from_str(&e.to_line().unwrap()).unwrap();
        assert_eq!(line["event_type"], "iteration_completed");
        assert_eq!(line["edge"], "code↔unit_tests");
        assert_eq!(line["delta"], 1);
        assert_eq!(line["status"], "iterating");
        assert_eq!(line["evaluators"]["failed"], 1);
        assert_eq!(line["evaluators"]["skipped"], 1);
        assert_eq!(line["evaluators"]["details"], line["checks"]);
        assert_eq!(
            line["checks"][0],
            json!({"name": "tests_pass", "type": "deterministic", "outcome": "fail", "required": true})
        );
        assert_eq!(
            line["escalations"][0],
            "η_D→P: tests_pass — deterministic failure"
        );
        assert_eq!(
            (&line["causation_id"], &line["correlation_id"]),
            (&json!("e2"), &json!("e1"))
        );
        let detail = evaluator_detail(&scope, &link, 2, &results[0])
            .to_line()
            .unwrap();
        assert!(
            detail.contains(r#""check_name":"tests_pass""#)
                && detail.contains(r#""message":"1 failed""#)
        );
    }
}
