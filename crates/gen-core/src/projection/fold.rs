//! The fold: one pass over records in total order, accumulating per feature and edge.
//!
//! The state is plain data so the edge crate can cache it and continue folding when new events sort after
//! everything already folded; anything else (a late, older event) means a fresh fold.

use super::record::{NONE, Record, Sym, Symbols};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Per (feature, edge) accumulation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EdgeAcc {
    /// Edge symbol.
    pub edge: Sym,
    /// Count of `iteration_completed` (T for this edge).
    pub iterations: u32,
    /// Last non-null delta.
    pub delta: Option<i64>,
    /// The last three deltas, oldest first, for the stuck rule.
    pub recent: Vec<i64>,
    /// First `edge_started` (or first activity) time.
    #[serde(with = "super::nanos::opt")]
    pub started_at: Option<Timestamp>,
    /// Time of the latest `edge_converged`.
    #[serde(with = "super::nanos::opt")]
    pub converged_at: Option<Timestamp>,
    /// True from a convergence until the edge is started again or an iteration reports failing checks.
    pub converged: bool,
    /// Ever converged (the reference's `get_converged_edges`).
    pub ever_converged: bool,
    /// An `edge_started` (its event id and time) not yet followed by progress.
    #[serde(with = "super::nanos::open_start")]
    pub open_start: Option<(Box<str>, Option<Timestamp>)>,
    /// An explicit `iteration_abandoned` was recorded.
    pub abandoned_marker: bool,
    /// The feature moved on to another edge while this start was still open.
    pub superseded: bool,
    /// Latest activity on this edge.
    #[serde(with = "super::nanos::opt")]
    pub last_at: Option<Timestamp>,
}

/// Per feature accumulation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureAcc {
    /// Feature symbol.
    pub feature: Sym,
    /// All `iteration_completed` of the feature (T).
    pub iterations: u32,
    /// Current delta (V): the last iteration's delta, zeroed by a later convergence.
    pub delta: i64,
    /// Edges in first-seen order.
    pub edges: Vec<EdgeAcc>,
    /// Latest event time for the feature.
    #[serde(with = "super::nanos::opt")]
    pub last_at: Option<Timestamp>,
    /// The edge of the latest lifecycle event.
    pub current_edge: Sym,
    /// A legacy `feature_converged` was recorded (not evidence of convergence: the method derives
    /// that from the feature's edges).
    pub feature_converged: bool,
    /// Events about the feature.
    pub events: u64,
}

/// An `intent_raised` event and whether anything answered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentAcc {
    /// Intent id symbol, or [`NONE`] when the event carries none (never actionable).
    pub intent: Sym,
    /// Id of the raising event (ids, unlike line numbers, do not depend on file order).
    pub id: Box<str>,
    /// When it was raised.
    #[serde(with = "super::nanos::opt")]
    pub at: Option<Timestamp>,
}

/// A feature made known by a spawn before it has a vector or events of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpawnAcc {
    /// The spawned feature.
    pub child: Sym,
    /// The feature it was spawned from, or [`NONE`].
    pub parent: Sym,
}

/// Everything the fold has accumulated so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    /// Feature accumulators, indexed through `feature_slot`.
    pub features: Vec<FeatureAcc>,
    /// Maps a feature symbol to its accumulator slot.
    pub feature_slot: Vec<u32>,
    /// Raised intents.
    pub intents: Vec<IntentAcc>,
    /// Intent ids referenced by answering events.
    pub answered: Vec<Sym>,
    /// Spawned features, in order (first spawn of a child wins).
    pub spawns: Vec<SpawnAcc>,
    /// Event count per type symbol.
    pub by_kind: Vec<(Sym, u64)>,
    /// Records folded.
    pub total: u64,
    /// Order key of the last record folded (continuing is only valid past it).
    #[serde(with = "super::nanos::last_key")]
    pub last_key: Option<(bool, Option<Timestamp>, u8, String)>,
    /// Latest timestamp seen.
    #[serde(with = "super::nanos::opt")]
    pub latest: Option<Timestamp>,
}

/// Event types the projections give meaning to; interned once per fold.
#[derive(Debug, Clone, Copy)]
pub struct Kinds {
    edge_started: Sym,
    iteration_completed: Sym,
    edge_converged: Sym,
    convergence_achieved: Sym,
    iteration_abandoned: Sym,
    iteration_started: Sym,
    feature_converged: Sym,
    intent_raised: Sym,
    spawn_created: Sym,
    feature_spawned: Sym,
    review_completed: Sym,
    spec_modified: Sym,
}

impl Kinds {
    /// Interns the known type names in `symbols`.
    pub fn new(symbols: &mut Symbols) -> Kinds {
        Kinds {
            edge_started: symbols.intern("edge_started"),
            iteration_completed: symbols.intern("iteration_completed"),
            edge_converged: symbols.intern("edge_converged"),
            convergence_achieved: symbols.intern("convergence_achieved"),
            iteration_abandoned: symbols.intern("iteration_abandoned"),
            iteration_started: symbols.intern("iteration_started"),
            feature_converged: symbols.intern("feature_converged"),
            intent_raised: symbols.intern("intent_raised"),
            spawn_created: symbols.intern("spawn_created"),
            feature_spawned: symbols.intern("feature_spawned"),
            review_completed: symbols.intern("review_completed"),
            spec_modified: symbols.intern("spec_modified"),
        }
    }
}

/// Feature ids that writers use as placeholders; they are kept in the log but are not features.
pub const PLACEHOLDER_FEATURES: &[&str] = &["unknown", "all", "none", "null"];

impl Fold {
    /// True when `record` sorts strictly after everything folded, so folding it continues this state.
    pub fn can_continue_with(&self, record: &Record) -> bool {
        match &self.last_key {
            None => true,
            Some((untimed, ts, rank, id)) => {
                record.order_key() > (*untimed, *ts, *rank, id.as_str())
            }
        }
    }

    /// Folds one record; records must arrive in [`Record::order_key`] order.
    pub fn push(&mut self, r: &Record, kinds: &Kinds, placeholders: &[Sym]) {
        self.total += 1;
        self.last_key = Some((r.timestamp.is_none(), r.timestamp, r.rank, r.id.to_string()));
        if r.timestamp > self.latest {
            self.latest = r.timestamp;
        }
        match self.by_kind.iter_mut().find(|(k, _)| *k == r.kind) {
            Some((_, n)) => *n += 1,
            None => self.by_kind.push((r.kind, 1)),
        }
        if r.kind == kinds.intent_raised {
            self.intents.push(IntentAcc {
                intent: r.intent,
                id: r.id.clone(),
                at: r.timestamp,
            });
        } else if r.intent != NONE
            && (r.kind == kinds.spawn_created
                || r.kind == kinds.review_completed
                || r.kind == kinds.spec_modified)
        {
            self.answered.push(r.intent);
        }
        if r.child != NONE
            && (r.kind == kinds.spawn_created || r.kind == kinds.feature_spawned)
            && !placeholders.contains(&r.child)
        {
            match self.spawns.iter_mut().find(|s| s.child == r.child) {
                // The first spawn that names a parent decides it; a later one only fills a gap.
                Some(known) => {
                    if known.parent == NONE {
                        known.parent = r.parent;
                    }
                }
                None => self.spawns.push(SpawnAcc {
                    child: r.child,
                    parent: r.parent,
                }),
            }
        }
        if r.feature == NONE || placeholders.contains(&r.feature) {
            return;
        }
        let f = self.feature_mut(r.feature);
        f.events += 1;
        if r.timestamp.is_some() {
            f.last_at = r.timestamp;
        }
        if r.kind == kinds.feature_converged {
            f.feature_converged = true;
        }
        let iteration_completed = r.kind == kinds.iteration_completed;
        if iteration_completed {
            f.iterations += 1;
            if let Some(d) = r.delta {
                f.delta = d.max(0);
            }
        }
        // `convergence_achieved` (`ConvergenceAchieved`) is the method's canonical name for it.
        let converged = r.kind == kinds.edge_converged || r.kind == kinds.convergence_achieved;
        if converged {
            f.delta = 0;
        }
        if r.edge == NONE {
            return;
        }
        let lifecycle = [
            kinds.edge_started,
            kinds.iteration_started,
            kinds.iteration_completed,
            kinds.iteration_abandoned,
        ];
        if !converged && !lifecycle.contains(&r.kind) {
            return;
        }
        // Work on an edge (a start or an iteration) moves the feature to it. A convergence only closes
        // its own edge: at one timestamp it sorts after the next edge's start, which it must not
        // displace or mark as abandoned.
        if !converged || f.current_edge == NONE {
            f.current_edge = r.edge;
        }
        if !converged {
            for other in f
                .edges
                .iter_mut()
                .filter(|e| e.edge != r.edge && e.open_start.is_some())
            {
                other.superseded = true;
            }
        }
        let e = match f.edges.iter().position(|e| e.edge == r.edge) {
            Some(i) => &mut f.edges[i],
            None => {
                f.edges.push(EdgeAcc {
                    edge: r.edge,
                    ..EdgeAcc::default()
                });
                f.edges.last_mut().expect("just pushed")
            }
        };
        e.last_at = r.timestamp.or(e.last_at);
        if e.started_at.is_none() {
            e.started_at = r.timestamp;
        }
        if r.kind == kinds.edge_started {
            e.open_start = Some((r.id.clone(), r.timestamp));
            e.superseded = false;
            // A new start after convergence reopens the edge.
            e.converged = false;
        } else if iteration_completed {
            e.open_start = None;
            e.iterations += 1;
            if let Some(d) = r.delta {
                e.delta = Some(d);
                // Failing checks after a convergence mean the edge is being worked on again.
                if d > 0 {
                    e.converged = false;
                }
                if e.recent.len() == 3 {
                    e.recent.remove(0);
                }
                e.recent.push(d);
            }
        } else if converged {
            e.open_start = None;
            e.converged = true;
            e.ever_converged = true;
            e.converged_at = r.timestamp;
        } else if r.kind == kinds.iteration_abandoned {
            e.abandoned_marker = true;
        }
    }

    fn feature_mut(&mut self, feature: Sym) -> &mut FeatureAcc {
        let idx = feature as usize;
        if self.feature_slot.len() <= idx {
            self.feature_slot.resize(idx + 1, u32::MAX);
        }
        if self.feature_slot[idx] == u32::MAX {
            self.feature_slot[idx] = self.features.len() as u32;
            self.features.push(FeatureAcc {
                feature,
                current_edge: NONE,
                ..FeatureAcc::default()
            });
        }
        let slot = self.feature_slot[idx] as usize;
        &mut self.features[slot]
    }
}

/// Folds sorted records from scratch.
pub fn fold(records: &[Record], symbols: &mut Symbols) -> Fold {
    let kinds = Kinds::new(symbols);
    let placeholders = placeholder_syms(symbols);
    let mut state = Fold::default();
    for r in records {
        state.push(r, &kinds, &placeholders);
    }
    state
}

/// The symbols of [`PLACEHOLDER_FEATURES`], interned so records added later still match them.
pub fn placeholder_syms(symbols: &mut Symbols) -> Vec<Sym> {
    PLACEHOLDER_FEATURES
        .iter()
        .map(|p| symbols.intern(p))
        .collect()
}
