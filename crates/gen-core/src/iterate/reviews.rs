//! Human checks as the log records them: a gate opens (`human_gate_entered`) for one check on one
//! version of the asset, a person closes it (`review_completed`: approve or reject, with a reason).
//! A decision holds for the asset it was made on; a changed asset opens a new gate — never a
//! growing chain of gates for the same question (the reference's bug [G]).

use super::events::{Link, Scope};
use crate::event::NewEvent;
use serde_json::json;

/// A gate as opened.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Gate {
    /// The gate event's id.
    pub gate_id: String,
    /// The run it belongs to.
    pub correlation_id: String,
    /// The feature.
    pub feature: String,
    /// The edge (canonical).
    pub edge: String,
    /// The human check.
    pub check: String,
    /// What the person is asked to judge.
    pub criterion: String,
    /// The asset's hash when it opened (`""` without an asset).
    pub input_hash: String,
    /// The iteration that opened it.
    pub iteration: u64,
    /// When (RFC 3339, as written).
    pub opened_at: String,
}

/// A person's decision on a gate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// The gate decided.
    pub gate_id: String,
    /// Approved (else rejected).
    pub approved: bool,
    /// Why, in their words.
    pub reason: String,
    /// Who decided.
    pub by: String,
}

/// Where a human check stands for one version of the asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    /// No gate yet: one is to be opened.
    NotAsked,
    /// Open, waiting.
    Waiting(Gate),
    /// Decided.
    Decided(Gate, Decision),
}

/// The state of `check` on (`feature`, `edge`) for the asset with `input_hash`: the latest gate
/// for that asset and its decision, if any.
pub fn review_of(
    gates: &[Gate],
    decisions: &[Decision],
    feature: &str,
    edge: &str,
    check: &str,
    input_hash: &str,
) -> Review {
    let Some(gate) = gates.iter().rev().find(|g| {
        g.feature == feature && g.edge == edge && g.check == check && g.input_hash == input_hash
    }) else {
        return Review::NotAsked;
    };
    match decisions.iter().rev().find(|d| d.gate_id == gate.gate_id) {
        Some(d) => Review::Decided(gate.clone(), d.clone()),
        None => Review::Waiting(gate.clone()),
    }
}

/// Gates waiting for a decision, oldest first (what `review list` shows): undecided, and the latest
/// for their check (a gate on an older version of the asset is moot).
pub fn open_gates<'a>(gates: &'a [Gate], decisions: &[Decision]) -> Vec<&'a Gate> {
    gates
        .iter()
        .enumerate()
        .filter(|(i, g)| {
            !gates[i + 1..].iter().any(|later| {
                later.feature == g.feature && later.edge == g.edge && later.check == g.check
            })
        })
        .map(|(_, g)| g)
        .filter(|g| !decisions.iter().any(|d| d.gate_id == g.gate_id))
        .collect()
}

/// `review_completed` for `gate`, caused by it and in its run.
pub fn review_completed(
    scope: &Scope,
    at: jiff::Timestamp,
    event_id: &str,
    gate: &Gate,
    approved: bool,
    reason: &str,
) -> NewEvent {
    let link = Link {
        at,
        event_id: event_id.to_string(),
        causation_id: gate.gate_id.clone(),
        correlation_id: gate.correlation_id.clone(),
    };
    super::events::custom(
        scope,
        &link,
        "review_completed",
        json!({
            "check_name": gate.check,
            "decision": if approved { "approve" } else { "reject" },
            "reason": reason,
            "gate_event_id": gate.gate_id,
            "input_hash": gate.input_hash,
            "iteration": gate.iteration,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(id: &str, hash: &str) -> Gate {
        Gate {
            gate_id: id.into(),
            correlation_id: "r".into(),
            feature: "F".into(),
            edge: "a→b".into(),
            check: "signoff".into(),
            criterion: "ok?".into(),
            input_hash: hash.into(),
            iteration: 1,
            opened_at: "t".into(),
        }
    }

    #[test]
    fn a_decision_holds_for_its_asset_only() {
        let gates = [gate("g1", "h1"), gate("g2", "h2")];
        let decisions = [Decision {
            gate_id: "g1".into(),
            approved: true,
            reason: String::new(),
            by: "bo".into(),
        }];
        assert!(matches!(
            review_of(&gates, &decisions, "F", "a→b", "signoff", "h1"),
            Review::Decided(_, d) if d.approved
        ));
        assert!(matches!(
            review_of(&gates, &decisions, "F", "a→b", "signoff", "h2"),
            Review::Waiting(g) if g.gate_id == "g2"
        ));
        assert_eq!(
            review_of(&gates, &decisions, "F", "a→b", "signoff", "h3"),
            Review::NotAsked
        );
        assert_eq!(open_gates(&gates, &decisions), [&gates[1]]);
        let superseded = [gate("g1", "h1"), gate("g2", "h2")];
        assert_eq!(
            open_gates(&superseded, &[]),
            [&superseded[1]],
            "the older asset's gate is moot"
        );
    }
}
