//! Runs a crash left open (reference §1.7, "session gaps"): before a new run starts, each earlier
//! run that never ended is recorded as abandoned, once. A run of ours is its `edge_started` and the
//! events that carry its id as `correlation_id`; it ended when one of them is `edge_converged`,
//! `iteration_abandoned` or `spawn_created`, or when its last iteration waits for a person. An
//! `edge_started` of another tool (no correlation) follows the reference rule: ended when the
//! feature and edge have any `edge_converged`, `iteration_completed` or `iteration_abandoned`.

use std::collections::{BTreeMap, BTreeSet};

/// What the gap check needs of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEvent {
    /// Its id.
    pub event_id: String,
    /// Its type.
    pub event_type: String,
    /// Feature.
    pub feature: String,
    /// Canonical edge.
    pub edge: String,
    /// `correlation_id`, when it has one.
    pub correlation_id: Option<String>,
    /// `status` (of an `iteration_completed`).
    pub status: Option<String>,
    /// Its timestamp as written.
    pub timestamp: String,
}

/// A run left open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The open run's `edge_started`.
    pub run_id: String,
    /// Feature.
    pub feature: String,
    /// Edge.
    pub edge: String,
    /// The time of the run's last event.
    pub last_event_timestamp: String,
}

fn terminal(t: &str) -> bool {
    matches!(
        t,
        "edge_converged" | "iteration_abandoned" | "spawn_created"
    )
}

/// The runs left open, in log order.
pub fn session_gaps(events: &[RunEvent]) -> Vec<Gap> {
    let mut by_run: BTreeMap<&str, Vec<&RunEvent>> = BTreeMap::new();
    for e in events {
        if let Some(c) = &e.correlation_id {
            by_run.entry(c.as_str()).or_default().push(e);
        }
    }
    let settled_pairs: BTreeSet<(&str, &str)> = events
        .iter()
        .filter(|e| {
            matches!(
                e.event_type.as_str(),
                "edge_converged" | "iteration_completed" | "iteration_abandoned"
            )
        })
        .map(|e| (e.feature.as_str(), e.edge.as_str()))
        .collect();
    events
        .iter()
        .filter(|e| e.event_type == "edge_started")
        .filter_map(|start| {
            let ours = start.correlation_id.as_deref() == Some(start.event_id.as_str());
            let open = if ours {
                let run = by_run.get(start.event_id.as_str())?;
                let ended = run.iter().any(|e| terminal(&e.event_type));
                let waiting = run
                    .iter()
                    .rev()
                    .find(|e| e.event_type == "iteration_completed")
                    .is_some_and(|e| e.status.as_deref() == Some("awaiting_human"));
                !ended && !waiting
            } else {
                !settled_pairs.contains(&(start.feature.as_str(), start.edge.as_str()))
            };
            open.then(|| Gap {
                run_id: start.event_id.clone(),
                feature: start.feature.clone(),
                edge: start.edge.clone(),
                last_event_timestamp: if ours {
                    by_run
                        .get(start.event_id.as_str())
                        .and_then(|r| r.last())
                        .map_or_else(|| start.timestamp.clone(), |e| e.timestamp.clone())
                } else {
                    start.timestamp.clone()
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(id: &str, t: &str, corr: Option<&str>, status: Option<&str>) -> RunEvent {
        RunEvent {
            event_id: id.into(),
            event_type: t.into(),
            feature: "F".into(),
            edge: "a→b".into(),
            correlation_id: corr.map(str::to_string),
            status: status.map(str::to_string),
            timestamp: format!("t-{id}"),
        }
    }

    #[test]
    fn only_runs_that_never_ended_are_gaps_and_a_recorded_gap_ends_its_run() {
        let mut log = vec![
            e("r1", "edge_started", Some("r1"), None),
            e("i1", "iteration_started", Some("r1"), None),
            e("c1", "iteration_completed", Some("r1"), Some("iterating")),
            // r2 converged, r3 waits for a person: both ended.
            e("r2", "edge_started", Some("r2"), None),
            e("v2", "edge_converged", Some("r2"), None),
            e("r3", "edge_started", Some("r3"), None),
            e(
                "c3",
                "iteration_completed",
                Some("r3"),
                Some("awaiting_human"),
            ),
        ];
        let gaps = session_gaps(&log);
        assert_eq!(gaps.len(), 1);
        assert_eq!(
            (
                gaps[0].run_id.as_str(),
                gaps[0].last_event_timestamp.as_str()
            ),
            ("r1", "t-c1")
        );
        log.push(e("a1", "iteration_abandoned", Some("r1"), None));
        assert!(session_gaps(&log).is_empty(), "recorded once");
        // Another tool's edge_started: the reference rule.
        let other = vec![e("x", "edge_started", None, None)];
        assert_eq!(session_gaps(&other).len(), 1);
        let settled = vec![
            e("x", "edge_started", None, None),
            e("y", "iteration_completed", None, None),
        ];
        assert!(session_gaps(&settled).is_empty());
    }
}
