//! What moves, decided as data: no remote and no disk here, so every rule is tested with plain values.

use crate::remote::{Block, Pointer};
use crate::state::Outgoing;
use std::collections::BTreeMap;
use std::ops::Range;

/// Numbers in one block at most.
pub const BLOCK_POINTERS: usize = 1000;
/// Bytes of sort keys in one block at most (a DynamoDB item holds 400 KB).
pub const BLOCK_BYTES: usize = 256 * 1024;

/// One local event as push sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    /// Its id (own or derived).
    pub event_id: String,
    /// The fixed-width UTC time, or `None` for an untimed event.
    pub time: Option<String>,
    /// The sort key of its item.
    pub sk: String,
}

/// Numbers the events the remote lacks, from `next_seq` on: time order (untimed last), then id,
/// so the same log gives the same numbers on every run. Returns the outbox and the next free number.
pub fn number(mut fresh: Vec<Local>, next_seq: u64) -> (Vec<Outgoing>, u64) {
    fresh.sort_by(|a, b| {
        (a.time.is_none(), &a.time, &a.event_id).cmp(&(b.time.is_none(), &b.time, &b.event_id))
    });
    fresh.dedup_by(|a, b| a.event_id == b.event_id);
    let mut next = next_seq;
    let outbox = fresh
        .into_iter()
        .map(|e| {
            let out = Outgoing {
                event_id: e.event_id,
                seq: next,
                sk: e.sk,
            };
            next += 1;
            out
        })
        .collect();
    (outbox, next)
}

/// Cuts an outbox into the runs written as one block each: at most [`BLOCK_POINTERS`] numbers and
/// [`BLOCK_BYTES`] of keys. Depends only on the outbox, so a re-run after a kill cuts the same blocks.
pub fn blocks(outbox: &[Outgoing]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, o) in outbox.iter().enumerate() {
        if i > start && (i - start == BLOCK_POINTERS || bytes + o.sk.len() > BLOCK_BYTES) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += o.sk.len();
    }
    if start < outbox.len() {
        out.push(start..outbox.len());
    }
    out
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

/// The pointers `first ..= last` out of the blocks read past a cursor, or the first number that no
/// block covers (the remote is damaged: its head promised more).
pub fn pointers_between(
    blocks: &[Block],
    first: u64,
    last: u64,
) -> Result<Vec<(u64, Pointer)>, u64> {
    let mut out = Vec::new();
    let mut next = first;
    for block in blocks {
        if next > last {
            break;
        }
        if block.pointers.is_empty() || block.first != next {
            return Err(next);
        }
        for (i, p) in block.pointers.iter().enumerate() {
            let seq = block.first + i as u64;
            if seq > last {
                break;
            }
            out.push((seq, p.clone()));
            next = seq + 1;
        }
    }
    if next <= last {
        return Err(next);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: &str, time: Option<&str>) -> Local {
        Local {
            event_id: id.into(),
            time: time.map(str::to_string),
            sk: format!("{}#{id}", time.unwrap_or("~untimed")),
        }
    }

    #[test]
    fn fresh_events_are_numbered_in_time_order_with_untimed_last_and_each_id_once() {
        let local = vec![
            ev("late", Some("2025-12-30")),
            ev("b", Some("2026-01-02")),
            ev("untimed", None),
            ev("a", Some("2026-01-01")),
            ev("a", Some("2026-01-01")),
        ];
        let (outbox, next) = number(local, 5);
        let got: Vec<(&str, u64)> = outbox
            .iter()
            .map(|o| (o.event_id.as_str(), o.seq))
            .collect();
        assert_eq!(got, [("late", 5), ("a", 6), ("b", 7), ("untimed", 8)]);
        assert_eq!(next, 9);
    }

    #[test]
    fn blocks_are_cut_by_count_and_by_bytes_and_cover_the_outbox_once() {
        let out = |n: usize, sk_len: usize| -> Vec<Outgoing> {
            (0..n)
                .map(|i| Outgoing {
                    event_id: i.to_string(),
                    seq: i as u64 + 1,
                    sk: "k".repeat(sk_len),
                })
                .collect()
        };
        assert_eq!(blocks(&out(2500, 10)), [0..1000, 1000..2000, 2000..2500]);
        assert_eq!(blocks(&out(0, 10)), Vec::<Range<usize>>::new());
        // 100 KiB keys: two fit under 256 KiB, the third opens a new block.
        assert_eq!(blocks(&out(5, 100 * 1024)), [0..2, 2..4, 4..5]);
        // One key larger than the limit still gets a block of its own.
        assert_eq!(blocks(&out(2, 300 * 1024)), [0..1, 1..2]);
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

    #[test]
    fn pointers_between_stop_at_the_head_and_name_the_first_gap() {
        let block = |first: u64, n: usize| Block {
            first,
            pointers: (0..n)
                .map(|i| Pointer::Item(format!("k{}", first + i as u64)))
                .collect(),
        };
        let got = pointers_between(&[block(3, 2), block(5, 3)], 3, 6).unwrap();
        assert_eq!(
            got.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            [3, 4, 5, 6]
        );
        assert_eq!(pointers_between(&[block(3, 2), block(6, 1)], 3, 6), Err(5));
        assert_eq!(pointers_between(&[block(3, 2)], 3, 6), Err(5));
        assert_eq!(pointers_between(&[], 1, 1), Err(1));
    }
}
