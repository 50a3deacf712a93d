//! What moves, decided as data: no remote and no disk here, so every rule is tested with plain values.

use crate::state::{Outgoing, SyncState};
use std::collections::{BTreeMap, BTreeSet};

/// One local event as push sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// Its id (own or derived).
    pub event_id: String,
    /// The fixed-width UTC time, or `None` for an untimed event.
    pub time: Option<String>,
}

/// The numbered events a push sends: the unfinished ones of an earlier run first, with the numbers
/// they already had, then every local event the remote is not known to hold, in time order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushPlan {
    /// Every event to send, with its number; numbers are contiguous from the first.
    pub send: Vec<Outgoing>,
    /// The next free number after this plan.
    pub next_seq: u64,
}

/// Plans a push from the local log's events and the state.
pub fn plan_push(local: &[Local], state: &SyncState) -> PushPlan {
    let mut send = state.outbox.clone();
    let queued: BTreeSet<&str> = send.iter().map(|o| o.event_id.as_str()).collect();
    let mut fresh: Vec<&Local> = local
        .iter()
        .filter(|e| !state.known.contains(&e.event_id) && !queued.contains(e.event_id.as_str()))
        .collect();
    // Time order (untimed last), then id: the same log gives the same numbers on every run.
    fresh.sort_by(|a, b| {
        (a.time.is_none(), &a.time, &a.event_id).cmp(&(b.time.is_none(), &b.time, &b.event_id))
    });
    fresh.dedup_by(|a, b| a.event_id == b.event_id);
    let mut next = state.next_seq;
    for e in fresh {
        send.push(Outgoing {
            event_id: e.event_id.clone(),
            seq: next,
        });
        next += 1;
    }
    PushPlan {
        send,
        next_seq: next,
    }
}

/// For each other origin with news, the numbers to read: `(origin, first, last)` inclusive.
pub fn plan_pull(
    heads: &BTreeMap<String, u64>,
    cursors: &BTreeMap<String, u64>,
    own: &str,
) -> Vec<(String, u64, u64)> {
    heads
        .iter()
        .filter(|(origin, _)| origin.as_str() != own)
        .filter_map(|(origin, &head)| {
            let from = cursors.get(origin).copied().unwrap_or(0) + 1;
            (from <= head).then(|| (origin.clone(), from, head))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> SyncState {
        SyncState {
            origin: "o".into(),
            next_seq: 5,
            outbox: vec![Outgoing {
                event_id: "b".into(),
                seq: 4,
            }],
            cursors: BTreeMap::new(),
            known: ["k".to_string()].into(),
        }
    }

    fn ev(id: &str, time: Option<&str>) -> Local {
        Local {
            event_id: id.into(),
            time: time.map(str::to_string),
        }
    }

    #[test]
    fn unfinished_events_keep_their_numbers_and_new_ones_follow_in_time_order() {
        let local = [
            ev("k", Some("2026-01-01")),
            ev("late", Some("2025-12-30")),
            ev("b", Some("2026-01-02")),
            ev("untimed", None),
            ev("a", Some("2026-01-01")),
            ev("a", Some("2026-01-01")),
        ];
        let plan = plan_push(&local, &state());
        let got: Vec<(&str, u64)> = plan
            .send
            .iter()
            .map(|o| (o.event_id.as_str(), o.seq))
            .collect();
        assert_eq!(got, [("b", 4), ("late", 5), ("a", 6), ("untimed", 7)]);
        assert_eq!(plan.next_seq, 8);
    }

    #[test]
    fn pull_reads_only_past_each_cursor_and_never_its_own_origin() {
        let heads = BTreeMap::from([
            ("me".to_string(), 9),
            ("ana".to_string(), 3),
            ("bo".to_string(), 7),
        ]);
        let cursors = BTreeMap::from([("ana".to_string(), 3), ("bo".to_string(), 2)]);
        assert_eq!(
            plan_pull(&heads, &cursors, "me"),
            [("bo".to_string(), 3, 7)]
        );
        assert_eq!(
            plan_pull(&heads, &BTreeMap::new(), "me"),
            [("ana".to_string(), 1, 3), ("bo".to_string(), 1, 7)]
        );
    }
}
