//! The compact form of an event that projections fold over.
//!
//! A million events must fit in a few hundred megabytes and fold in milliseconds, so strings that repeat
//! (types, features, edges) become interned symbols and only the fields projections read are kept.

use crate::event::Event;
use jiff::Timestamp;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// An interned string: an index into [`Symbols`].
pub type Sym = u32;

/// Marks an absent symbol without paying for an `Option` tag in every record.
pub const NONE: Sym = u32::MAX;

/// Interned strings shared by all records of one log.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Symbols {
    names: Vec<Box<str>>,
    #[serde(skip)]
    index: FxHashMap<Box<str>, Sym>,
}

impl Symbols {
    /// Returns the symbol for `name`, adding it on first sight.
    pub fn intern(&mut self, name: &str) -> Sym {
        if self.index.is_empty() && !self.names.is_empty() {
            self.rebuild_index();
        }
        if let Some(&s) = self.index.get(name) {
            return s;
        }
        let s = self.names.len() as Sym;
        self.names.push(name.into());
        self.index.insert(name.into(), s);
        s
    }

    /// Interns an optional string, giving [`NONE`] for absence.
    pub fn intern_opt(&mut self, name: Option<&str>) -> Sym {
        name.map_or(NONE, |n| self.intern(n))
    }

    /// Looks a symbol up without adding it.
    pub fn get(&mut self, name: &str) -> Option<Sym> {
        if self.index.is_empty() && !self.names.is_empty() {
            self.rebuild_index();
        }
        self.index.get(name).copied()
    }

    /// The text of a symbol (empty for [`NONE`]).
    pub fn name(&self, s: Sym) -> &str {
        self.names.get(s as usize).map_or("", |n| n)
    }

    fn rebuild_index(&mut self) {
        self.index = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as Sym))
            .collect();
    }
}

/// What a projection needs of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The event id (explicit or derived), the tie-breaker of the total order.
    pub id: Box<str>,
    /// 1-based line in events.jsonl, for reports.
    pub line: u64,
    /// Normalised UTC time; `None` sorts last.
    #[serde(with = "super::nanos::opt")]
    pub timestamp: Option<Timestamp>,
    /// Canonical event type.
    pub kind: Sym,
    /// Feature id.
    pub feature: Sym,
    /// Canonical edge id.
    pub edge: Sym,
    /// `delta` of iteration events.
    pub delta: Option<i64>,
    /// [`crate::event::lifecycle_rank`] of the type: orders events that share a timestamp.
    pub rank: u8,
    /// The intent this event raises (`intent_raised`) or answers (`spawn_created`, `spec_modified`, ...).
    pub intent: Sym,
    /// The feature a spawn creates (`child_feature`, `child`, `child_vector`), else [`NONE`].
    pub child: Sym,
    /// The feature it was spawned from: named explicitly, else the event's own feature.
    pub parent: Sym,
}

/// Payload keys naming a spawn's child, in the order they are trusted.
const CHILD_KEYS: &[&str] = &["child_feature", "child_id", "child", "child_vector"];
/// Payload keys naming a spawn's parent.
const PARENT_KEYS: &[&str] = &["parent_feature", "parent", "parent_vector", "parent_id"];

/// What a record keeps of an event, before interning: computed per line in parallel by the log
/// scanner, interned in order. The one place that decides which fields projections read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Canonical event type.
    pub kind: Option<String>,
    /// Feature id.
    pub feature: Option<String>,
    /// Canonical edge id.
    pub edge: Option<String>,
    /// `delta` of iteration events.
    pub delta: Option<i64>,
    /// The intent raised or answered (`intent_id`, else `trigger_intent`).
    pub intent: Option<String>,
    /// The feature a spawn creates.
    pub child: Option<String>,
    /// The feature it was spawned from.
    pub parent: Option<String>,
}

impl Facts {
    /// Takes the projected fields of an event.
    pub fn of(event: &Event) -> Facts {
        let intent = event
            .payload_str("intent_id")
            .or_else(|| event.payload_str("trigger_intent"));
        let child = CHILD_KEYS
            .iter()
            .find_map(|k| event.payload_str(k))
            .map(str::trim)
            .filter(|c| !c.is_empty());
        // A parent equal to the child (a writer that put the child in `feature`) names nothing.
        let parent = child.and_then(|c| {
            PARENT_KEYS
                .iter()
                .filter_map(|k| event.payload_str(k))
                .chain(event.feature.as_deref())
                .map(str::trim)
                .find(|p| !p.is_empty() && *p != c)
        });
        Facts {
            kind: event.event_type.clone(),
            feature: event.feature.clone(),
            edge: event.edge.clone(),
            delta: event.delta(),
            intent: intent.map(str::to_string),
            child: child.map(str::to_string),
            parent: parent.map(str::to_string),
        }
    }
}

impl Record {
    /// Compacts an event, interning its strings.
    pub fn from_event(event: &Event, line: u64, symbols: &mut Symbols) -> Record {
        Record::from_facts(
            event.id.as_str().into(),
            line,
            event.timestamp,
            &Facts::of(event),
            symbols,
        )
    }

    /// Builds a record from facts taken earlier, interning their strings.
    pub fn from_facts(
        id: Box<str>,
        line: u64,
        timestamp: Option<Timestamp>,
        facts: &Facts,
        symbols: &mut Symbols,
    ) -> Record {
        Record {
            id,
            line,
            timestamp,
            kind: symbols.intern_opt(facts.kind.as_deref()),
            feature: symbols.intern_opt(facts.feature.as_deref()),
            edge: symbols.intern_opt(facts.edge.as_deref()),
            delta: facts.delta,
            rank: crate::event::lifecycle_rank(facts.kind.as_deref()),
            intent: symbols.intern_opt(facts.intent.as_deref()),
            child: symbols.intern_opt(facts.child.as_deref()),
            parent: symbols.intern_opt(facts.parent.as_deref()),
        }
    }

    /// The total order (see [`crate::event::order_key`]): timestamp, lifecycle rank, id; untimed last.
    pub fn order_key(&self) -> (bool, Option<Timestamp>, u8, &str) {
        (
            self.timestamp.is_none(),
            self.timestamp,
            self.rank,
            &self.id,
        )
    }
}

/// The total order: (timestamp, id), then the event's content, so that even two lines repeating one
/// `event_id` sort the same way whatever the file order (symbols are compared by name, not number,
/// because numbering follows file order).
pub fn total_cmp(a: &Record, b: &Record, symbols: &Symbols) -> std::cmp::Ordering {
    a.order_key().cmp(&b.order_key()).then_with(|| {
        let content = |r: &Record| {
            (
                symbols.name(r.kind),
                symbols.name(r.feature),
                symbols.name(r.edge),
                r.delta,
                symbols.name(r.intent),
                symbols.name(r.child),
                symbols.name(r.parent),
            )
        };
        content(a).cmp(&content(b))
    })
}

/// Removes repeated events from records already in [`total_cmp`] order, keeping the first of each;
/// returns the lines of the removed ones.
///
/// A repeat is a line with the same `event_id` and timestamp as one already read: the same event recorded
/// twice, counted once. (Derived ids never repeat: identical content gets occurrence numbers.) Repeats
/// share a timestamp but not necessarily a type, so they need not be neighbours: each run of equal
/// timestamps is checked as a set.
pub fn drop_repeated_ids(records: &mut Vec<Record>) -> Vec<u64> {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let hasher = BuildHasherDefault::<rustc_hash::FxHasher>::default();
    let mut removed = Vec::new();
    let mut keep = 0;
    let mut run_start = 0;
    // Id hashes of the current run; a hit is confirmed by comparing the ids, so a run of many events
    // sharing one time stays linear.
    let mut seen = rustc_hash::FxHashSet::<u64>::default();
    for i in 0..records.len() {
        if keep > 0 && records[keep - 1].timestamp != records[i].timestamp {
            run_start = keep;
            seen.clear();
        }
        let h = hasher.hash_one(&*records[i].id);
        let repeat = !seen.insert(h)
            && records[run_start..keep]
                .iter()
                .any(|kept| kept.id == records[i].id);
        if repeat {
            removed.push(records[i].line);
        } else {
            records.swap(keep, i);
            keep += 1;
        }
    }
    records.truncate(keep);
    removed.sort_unstable();
    removed
}

/// Puts records into the one order every projection uses, whatever order the file holds them in, and
/// drops repeated ids; returns the lines dropped.
pub fn sort_records(records: &mut Vec<Record>, symbols: &Symbols) -> Vec<u64> {
    records.sort_unstable_by(|a, b| total_cmp(a, b, symbols));
    drop_repeated_ids(records)
}
