//! The status view: per feature and edge state, the project rollup, signals and next actions.

use super::fold::{EdgeAcc, FeatureAcc, Fold};
use super::record::{NONE, Symbols};
use crate::event::split_edge;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Where a feature vector file lives; only `active` ones are worked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// `features/active/`
    Active,
    /// `features/completed/`
    Completed,
    /// `features/archived/`
    Archived,
    /// No vector file: the feature is known only from events.
    EventsOnly,
}

/// The authored facts of a feature vector that status needs.
#[derive(Debug, Clone)]
pub struct VectorInfo {
    /// Feature id (`feature:` key, or the file stem).
    pub feature: String,
    /// Human title.
    pub title: Option<String>,
    /// The `status:` the YAML claims.
    pub status: Option<String>,
    /// Profile name.
    pub profile: Option<String>,
    /// Folder the file sits in.
    pub location: Location,
    /// Workspace-relative path of the file, for reports.
    pub file: String,
    /// The feature it was spawned from (`parent:`), when the vector says.
    pub parent: Option<String>,
    /// `disposition:` (`abandoned`, `blocked_accepted`, `blocked_deferred`, ...): a decision that takes
    /// the feature out of what must converge, or accepts it as bounded.
    pub disposition: Option<String>,
    /// Trajectory entries the vector claims are converged, resolved against the topology.
    pub converged_claims: Vec<Claim>,
}

/// A trajectory key claimed converged, and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The key as written.
    pub key: String,
    /// What it names.
    pub target: ClaimTarget,
}

/// What a trajectory key names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimTarget {
    /// An edge (canonical id).
    Edge(String),
    /// An asset type: converged by any edge into it.
    Asset(String),
    /// Neither, in this topology: matched as written.
    Unknown,
}

/// A log-like file that was not read, so nobody wonders where its events went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredLogInfo {
    /// Workspace-relative path.
    pub file: String,
    /// True for `events.v1.jsonl`, the copy the v1→v2 migration leaves beside the log it rewrote.
    pub migration_leftover: bool,
}

/// Edges a profile requires and merely allows.
#[derive(Debug, Clone, Default)]
pub struct ProfileEdges {
    /// Edges that must converge for the feature to converge.
    pub required: Vec<String>,
    /// Edges that may run but do not gate convergence.
    pub optional: Vec<String>,
}

/// Config and file facts handed in by the edge crate.
#[derive(Debug, Clone, Default)]
pub struct StatusInputs {
    /// Project name to show.
    pub project: String,
    /// Canonical edge ids in topology order.
    pub topology_edges: Vec<String>,
    /// Profiles by name.
    pub profiles: BTreeMap<String, ProfileEdges>,
    /// Profile for vectors that name none.
    pub default_profile: Option<String>,
    /// Feature vectors found on disk.
    pub vectors: Vec<VectorInfo>,
    /// Lines in events.jsonl (including malformed ones).
    pub lines: u64,
    /// Lines that are not events.
    pub malformed: u64,
    /// Events whose timestamp is missing or unusable.
    pub untimed: u64,
    /// Lines repeating an `event_id` already in the log (counted once).
    pub duplicates: u64,
    /// Workspace-relative path of the log that was read.
    pub log_file: String,
    /// Log-like files beside it that were not read.
    pub ignored_logs: Vec<IgnoredLogInfo>,
    /// Whether the log in use exists yet (a workspace with only a migration leftover has none).
    pub log_exists: bool,
    /// How the caller's user can look closer; the library names no commands of its own.
    pub see_also: SeeAlso,
}

/// Pointers the front end adds to signals and next actions (e.g. the command that shows more).
#[derive(Debug, Clone, Default)]
pub struct SeeAlso {
    /// Where malformed lines can be seen, appended to their signal in parentheses.
    pub malformed_lines: Option<String>,
    /// How to list unactioned intents, appended to the triage action after a colon.
    pub unactioned_intents: Option<String>,
    /// Where the full list of evidence gaps is, appended to their summary in parentheses.
    pub evidence_gaps: Option<String>,
    /// How to start a vector for a feature that has only events, appended after a colon.
    pub create_vector: Option<String>,
}

/// The project's convergence state in the method's terms (ADR-S-026), over the features that must
/// converge; derived from events, with the vectors' authored `blocked` status and `disposition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProjectState {
    /// Some feature is being worked on (in progress or stuck).
    Iterating,
    /// Nothing iterates, and something not converged is waiting without a decision (a blocked or
    /// pending feature with no `disposition`).
    Quiescent,
    /// Every feature that must converge has (abandoned and deferred ones are not required); also
    /// an empty project, which has nothing left to converge.
    Converged,
    /// Nothing iterates, and every feature left unconverged has an accepted disposition.
    Bounded,
}

impl ProjectState {
    /// The upper-case label used in human output.
    pub fn label(self) -> &'static str {
        match self {
            ProjectState::Iterating => "ITERATING",
            ProjectState::Quiescent => "QUIESCENT",
            ProjectState::Converged => "CONVERGED",
            ProjectState::Bounded => "BOUNDED",
        }
    }
}

/// Dispositions that take a feature out of what must converge.
pub const NOT_REQUIRED_DISPOSITIONS: &[&str] = &["abandoned", "blocked_deferred"];

/// One edge of one feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeStatus {
    /// pending | iterating | converged | stuck
    pub status: &'static str,
    /// Completed iterations.
    pub iterations: u32,
    /// Last delta.
    pub delta: Option<i64>,
    /// Whether the profile requires it.
    pub required: bool,
    /// First activity.
    pub started_at: Option<Timestamp>,
    /// Latest convergence.
    pub converged_at: Option<Timestamp>,
}

/// One feature's trajectory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureStatus {
    /// Feature id.
    pub feature: String,
    /// Title from the vector.
    pub title: Option<String>,
    /// Where the vector lives.
    pub location: Location,
    /// What the vector YAML claims.
    pub vector_status: Option<String>,
    /// Profile used for required edges.
    pub profile: Option<String>,
    /// The feature it was spawned from, when a spawn or the vector says so.
    pub parent: Option<String>,
    /// A spawn created it: it is work to do even before it has a vector or events of its own.
    pub spawned: bool,
    /// The vector's `disposition`, when it has one.
    pub disposition: Option<String>,
    /// pending | in_progress | converged | stuck | blocked (the vector says blocked and events
    /// show no convergence)
    pub status: &'static str,
    /// Iterations (count of `iteration_completed`).
    #[serde(rename = "T")]
    pub t: u32,
    /// Current delta.
    #[serde(rename = "V")]
    pub v: i64,
    /// H = T + V.
    #[serde(rename = "H")]
    pub h: i64,
    /// Edge of the latest lifecycle event.
    pub current_edge: Option<String>,
    /// Per edge state.
    pub edges: BTreeMap<String, EdgeStatus>,
    /// Edges in display order (profile/topology order, then others).
    pub path: Vec<String>,
    /// Edges that ever converged.
    pub converged_edges: Vec<String>,
    /// First and latest activity.
    pub started_at: Option<Timestamp>,
    /// Latest activity.
    pub last_at: Option<Timestamp>,
    /// Count of events about the feature.
    pub events: u64,
}

/// An edge whose last three deltas are equal and positive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stuck {
    /// Feature id.
    pub feature: String,
    /// Edge id.
    pub edge: String,
    /// The repeated delta.
    pub delta: i64,
}

/// An edge started but never progressed nor explicitly abandoned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Abandoned {
    /// Feature id.
    pub feature: String,
    /// Edge id.
    pub edge: String,
    /// Id of the dangling `edge_started`.
    pub event: String,
    /// When it started.
    pub started_at: Option<Timestamp>,
}

/// An `intent_raised` nothing answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unactioned {
    /// Intent id, when the event has one.
    pub intent: Option<String>,
    /// Id of the event.
    pub event: String,
    /// When it was raised.
    pub at: Option<Timestamp>,
}

/// A trajectory entry a vector claims converged with no convergence event behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceGap {
    /// Feature id.
    pub feature: String,
    /// The trajectory key as written.
    pub edge: String,
    /// The vector file.
    pub file: String,
}

/// Event counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventCounts {
    /// The log that was read (workspace-relative).
    pub file: String,
    /// Log-like files beside it that were not read.
    pub ignored: Vec<IgnoredLogInfo>,
    /// Lines in the log.
    pub total: u64,
    /// Lines that are not events (kept in the file).
    pub malformed: u64,
    /// Events without a usable timestamp (ordered last).
    pub untimed: u64,
    /// Lines repeating an `event_id` already in the log, counted once.
    pub duplicates: u64,
    /// Count per canonical type (`(untyped)` for none).
    pub by_type: BTreeMap<String, u64>,
}

/// The project rollup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    /// Required edges converged across active features.
    pub edges_converged: usize,
    /// Required edges across active features.
    pub edges_total: usize,
    /// Active features by status.
    pub converged: usize,
    /// Active features in progress.
    pub in_progress: usize,
    /// Active features not started.
    pub pending: usize,
    /// Active features stuck.
    pub stuck: usize,
    /// Active features whose vector says blocked.
    pub blocked: usize,
    /// Active features that must converge (no `abandoned` / `blocked_deferred` disposition).
    pub required: usize,
    /// Vectors in completed/.
    pub completed_vectors: usize,
    /// Unanswered intents.
    pub unactioned_intents: usize,
}

/// Everything `gen status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    /// Project name.
    pub project: String,
    /// Overall state.
    pub state: ProjectState,
    /// Latest event time (the maximum, not the last line's).
    pub as_of: Option<Timestamp>,
    /// Counts.
    pub events: EventCounts,
    /// Every feature: active first, then the rest.
    pub features: Vec<FeatureStatus>,
    /// Rollup over active features.
    pub rollup: Rollup,
    /// Stuck edges.
    pub stuck: Vec<Stuck>,
    /// Dangling starts.
    pub abandoned: Vec<Abandoned>,
    /// Unanswered intents.
    pub unactioned_intents: Vec<Unactioned>,
    /// Trajectory entries claimed converged without a convergence event (active and completed vectors).
    pub evidence_gaps: Vec<EvidenceGap>,
    /// Things worth a look.
    pub signals: Vec<String>,
    /// What to do next.
    pub next_actions: Vec<String>,
}

impl FeatureStatus {
    /// Whether the feature must converge for the project to: not abandoned, not deferred.
    pub fn is_required(&self) -> bool {
        self.disposition
            .as_deref()
            .is_none_or(|d| !NOT_REQUIRED_DISPOSITIONS.contains(&d))
    }

    /// Active features are the ones being worked on: vectors in active/ and event-only, unconverged ones.
    pub fn is_active(&self) -> bool {
        match self.location {
            Location::Active => true,
            // Known only from events: work when it is on an edge, or when a spawn created it (a
            // spawned feature is work to do even before its vector exists); a mere mention is not.
            Location::EventsOnly => {
                self.status != "converged" && (!self.edges.is_empty() || self.spawned)
            }
            Location::Completed | Location::Archived => false,
        }
    }
}

/// Builds the status view from a fold and config facts.
pub fn project_status(fold: &Fold, symbols: &Symbols, inputs: &StatusInputs) -> StatusReport {
    let topo: HashSet<&str> = inputs.topology_edges.iter().map(String::as_str).collect();
    let alias = |edge: &str| -> String { alias_edge(edge, &topo) };
    let mut features = Vec::new();
    let mut seen = HashSet::new();
    for v in &inputs.vectors {
        if !seen.insert(v.feature.clone()) {
            continue;
        }
        let acc = fold
            .features
            .iter()
            .find(|f| symbols.name(f.feature) == v.feature);
        features.push(feature_status(
            &v.feature,
            Some(v),
            acc,
            symbols,
            inputs,
            &alias,
        ));
    }
    for acc in &fold.features {
        let name = symbols.name(acc.feature);
        if !seen.insert(name.to_string()) {
            continue;
        }
        features.push(feature_status(
            name,
            None,
            Some(acc),
            symbols,
            inputs,
            &alias,
        ));
    }
    // A spawn makes its child known (pending, with its parent) before it has a vector or events.
    for spawn in &fold.spawns {
        let child = symbols.name(spawn.child);
        if seen.insert(child.to_string()) {
            features.push(feature_status(child, None, None, symbols, inputs, &alias));
        }
    }
    for f in &mut features {
        if let Some(spawn) = fold
            .spawns
            .iter()
            .find(|s| symbols.name(s.child) == f.feature)
        {
            f.spawned = true;
            if f.parent.is_none() && spawn.parent != NONE {
                f.parent = Some(symbols.name(spawn.parent).to_string());
            }
        }
    }
    features.sort_by(|a, b| {
        (!a.is_active(), a.location as u8, &a.feature).cmp(&(
            !b.is_active(),
            b.location as u8,
            &b.feature,
        ))
    });

    let mut stuck = Vec::new();
    let mut abandoned = Vec::new();
    for acc in &fold.features {
        for e in &acc.edges {
            if let Some(d) = stuck_delta(e) {
                stuck.push(Stuck {
                    feature: symbols.name(acc.feature).to_string(),
                    edge: alias(symbols.name(e.edge)),
                    delta: d,
                });
            }
            // A start with no progress is abandoned once the feature has moved on to another edge;
            // the edge a feature is currently on is simply "just started".
            if let (Some((id, at)), true, false) = (&e.open_start, e.superseded, e.abandoned_marker)
            {
                abandoned.push(Abandoned {
                    feature: symbols.name(acc.feature).to_string(),
                    edge: alias(symbols.name(e.edge)),
                    event: id.to_string(),
                    started_at: *at,
                });
            }
        }
    }
    stuck.sort_by(|a, b| (&a.feature, &a.edge).cmp(&(&b.feature, &b.edge)));
    abandoned.sort_by(|a, b| (&a.feature, &a.edge).cmp(&(&b.feature, &b.edge)));

    let answered: HashSet<u32> = fold.answered.iter().copied().collect();
    let unactioned_intents: Vec<Unactioned> = fold
        .intents
        .iter()
        .filter(|i| i.intent == NONE || !answered.contains(&i.intent))
        .map(|i| Unactioned {
            intent: (i.intent != NONE).then(|| symbols.name(i.intent).to_string()),
            event: i.id.to_string(),
            at: i.at,
        })
        .collect();

    let active: Vec<&FeatureStatus> = features.iter().filter(|f| f.is_active()).collect();
    let count = |s: &str| active.iter().filter(|f| f.status == s).count();
    let required: Vec<&&FeatureStatus> = active.iter().filter(|f| f.is_required()).collect();
    let (mut edges_converged, mut edges_total) = (0, 0);
    for f in &active {
        for e in f.edges.values().filter(|e| e.required) {
            edges_total += 1;
            if e.status == "converged" {
                edges_converged += 1;
            }
        }
    }
    let rollup = Rollup {
        edges_converged,
        edges_total,
        converged: count("converged"),
        in_progress: count("in_progress"),
        pending: count("pending"),
        stuck: count("stuck"),
        blocked: count("blocked"),
        required: required.len(),
        completed_vectors: features
            .iter()
            .filter(|f| f.location == Location::Completed)
            .count(),
        unactioned_intents: unactioned_intents.len(),
    };
    // The method's order (compute_project_convergence_state): iterating beats everything; then
    // converged; then anything undecided makes it quiescent; otherwise it is bounded.
    let state = if active
        .iter()
        .any(|f| f.status == "in_progress" || f.status == "stuck")
    {
        ProjectState::Iterating
    } else if required.iter().all(|f| f.status == "converged") {
        ProjectState::Converged
    } else if active
        .iter()
        .any(|f| f.status != "converged" && f.disposition.is_none())
    {
        ProjectState::Quiescent
    } else {
        ProjectState::Bounded
    };
    let evidence_gaps = evidence_gaps(&features, inputs);

    let mut by_type = BTreeMap::new();
    for (k, n) in &fold.by_kind {
        let name = if *k == NONE {
            "(untyped)".to_string()
        } else {
            symbols.name(*k).to_string()
        };
        *by_type.entry(name).or_insert(0) += n;
    }
    let events = EventCounts {
        file: inputs.log_file.clone(),
        ignored: inputs.ignored_logs.clone(),
        total: inputs.lines,
        malformed: inputs.malformed,
        untimed: inputs.untimed,
        duplicates: inputs.duplicates,
        by_type,
    };
    let legacy: Vec<&str> = fold
        .features
        .iter()
        .filter(|a| a.feature_converged)
        .map(|a| symbols.name(a.feature))
        .filter(|name| {
            features
                .iter()
                .any(|f| f.feature == *name && f.status != "converged")
        })
        .collect();
    let next_actions = next_actions(
        &inputs.see_also,
        &active,
        &stuck,
        &abandoned,
        &unactioned_intents,
    );
    let mut report = StatusReport {
        project: inputs.project.clone(),
        state,
        as_of: fold.latest,
        events,
        features,
        rollup,
        stuck,
        abandoned,
        unactioned_intents,
        evidence_gaps,
        signals: Vec::new(),
        next_actions,
    };
    report.signals = signals(&inputs.see_also, &report, &legacy, inputs.log_exists);
    report
}

/// INTRO-008 of the method: every trajectory entry a vector (active or completed) claims converged
/// needs a convergence event for that feature and edge in the log.
fn evidence_gaps(features: &[FeatureStatus], inputs: &StatusInputs) -> Vec<EvidenceGap> {
    let mut gaps = Vec::new();
    for v in &inputs.vectors {
        if !matches!(v.location, Location::Active | Location::Completed) {
            continue;
        }
        let converged: &[String] = features
            .iter()
            .find(|f| f.feature == v.feature)
            .map_or(&[], |f| &f.converged_edges);
        for claim in &v.converged_claims {
            let evidenced = converged.iter().any(|edge| match &claim.target {
                ClaimTarget::Edge(id) => edge == id,
                // An edge into the asset produced it; a co-evolution edge converges both sides.
                ClaimTarget::Asset(asset) => {
                    edge == asset
                        || split_edge(edge).is_some_and(|(source, target, co)| {
                            target == asset || (co && source == asset)
                        })
                }
                ClaimTarget::Unknown => {
                    *edge == crate::config::canonical_edge_id(&claim.key)
                        || split_edge(edge).is_some_and(|(_, target, _)| target == claim.key)
                }
            });
            if !evidenced {
                gaps.push(EvidenceGap {
                    feature: v.feature.clone(),
                    edge: claim.key.clone(),
                    file: v.file.clone(),
                });
            }
        }
    }
    gaps
}

/// Maps an edge written with the wrong arrow onto the topology's spelling: `a→b` onto `a↔b` when only
/// the co-evolution edge exists, and `a↔b` onto `a→b` when only the directed one does (writers
/// confuse the two either way).
fn alias_edge(edge: &str, topo: &HashSet<&str>) -> String {
    if topo.contains(edge) {
        return edge.to_string();
    }
    if let Some((a, b, co)) = split_edge(edge) {
        let other = if co {
            format!("{a}→{b}")
        } else {
            format!("{a}↔{b}")
        };
        if topo.contains(other.as_str()) {
            return other;
        }
    }
    edge.to_string()
}

fn stuck_delta(e: &EdgeAcc) -> Option<i64> {
    if e.converged {
        return None;
    }
    crate::iterate::stuck_delta(&e.recent)
}

fn feature_status(
    name: &str,
    vector: Option<&VectorInfo>,
    acc: Option<&FeatureAcc>,
    symbols: &Symbols,
    inputs: &StatusInputs,
    alias: &dyn Fn(&str) -> String,
) -> FeatureStatus {
    let profile = vector
        .and_then(|v| v.profile.clone())
        .or_else(|| inputs.default_profile.clone());
    let profile_edges = profile.as_ref().and_then(|p| inputs.profiles.get(p));
    let mut edges: BTreeMap<String, EdgeStatus> = BTreeMap::new();
    let mut converged_edges = BTreeSet::new();
    let mut any_stuck = false;
    if let Some(acc) = acc {
        for e in &acc.edges {
            let id = alias(symbols.name(e.edge));
            let is_stuck = stuck_delta(e).is_some();
            any_stuck |= is_stuck;
            if e.ever_converged {
                converged_edges.insert(id.clone());
            }
            let status = if e.converged {
                "converged"
            } else if is_stuck {
                "stuck"
            } else {
                "iterating"
            };
            let entry = edges.entry(id).or_insert(EdgeStatus {
                status,
                iterations: 0,
                delta: None,
                required: false,
                started_at: e.started_at,
                converged_at: None,
            });
            // Two spellings of one edge merge: progress adds up, convergence of either counts.
            entry.iterations += e.iterations;
            entry.delta = e.delta.or(entry.delta);
            if status == "converged" || entry.status != "converged" {
                entry.status = status;
            }
            entry.converged_at = e.converged_at.max(entry.converged_at);
            entry.started_at = match (entry.started_at, e.started_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    let required: Vec<String> = match profile_edges {
        Some(p) if !p.required.is_empty() => p.required.clone(),
        _ => Vec::new(),
    };
    for r in &required {
        edges
            .entry(r.clone())
            .or_insert(EdgeStatus {
                status: "pending",
                iterations: 0,
                delta: None,
                required: true,
                started_at: None,
                converged_at: None,
            })
            .required = true;
    }
    if required.is_empty() {
        // Without a profile every edge the feature touched gates its convergence.
        for e in edges.values_mut() {
            e.required = true;
        }
    }
    let mut path: Vec<String> = inputs
        .topology_edges
        .iter()
        .filter(|e| edges.contains_key(*e))
        .cloned()
        .collect();
    for e in edges.keys() {
        if !path.contains(e) {
            path.push(e.clone());
        }
    }
    let gating: Vec<&EdgeStatus> = edges.values().filter(|e| e.required).collect();
    let status = if any_stuck {
        "stuck"
    } else if !gating.is_empty() && gating.iter().all(|e| e.status == "converged") {
        "converged"
    } else if vector.is_some_and(|v| v.status.as_deref() == Some("blocked")) {
        // Blocking is a decision recorded in the vector; no event says it.
        "blocked"
    } else if acc.is_some_and(|a| a.iterations > 0 || !a.edges.is_empty()) {
        "in_progress"
    } else {
        // Known from a vector, a spawn or a mention, with no work on any edge yet.
        "pending"
    };
    let (t, v) = acc.map_or((0, 0), |a| (a.iterations, a.delta));
    FeatureStatus {
        feature: name.to_string(),
        title: vector.and_then(|v| v.title.clone()),
        location: vector.map_or(Location::EventsOnly, |v| v.location),
        vector_status: vector.and_then(|v| v.status.clone()),
        profile,
        parent: vector.and_then(|v| v.parent.clone()),
        spawned: false,
        disposition: vector.and_then(|v| v.disposition.clone()),
        status,
        t,
        v,
        h: i64::from(t).saturating_add(v),
        current_edge: acc
            .filter(|a| a.current_edge != NONE)
            .map(|a| alias(symbols.name(a.current_edge))),
        edges,
        path,
        converged_edges: converged_edges.into_iter().collect(),
        started_at: acc.and_then(|a| a.edges.iter().filter_map(|e| e.started_at).min()),
        last_at: acc.and_then(|a| a.last_at),
        events: acc.map_or(0, |a| a.events),
    }
}

fn signals(
    see_also: &SeeAlso,
    report: &StatusReport,
    legacy_converged: &[&str],
    log_exists: bool,
) -> Vec<String> {
    let StatusReport {
        features,
        events,
        stuck,
        abandoned,
        unactioned_intents: unactioned,
        evidence_gaps: gaps,
        ..
    } = report;
    let mut out = Vec::new();
    for ignored in &events.ignored {
        out.push(if ignored.migration_leftover && !log_exists {
            format!(
                "{} is the copy the v1→v2 migration keeps of the old log, and there is no {}: the migration \
                 did not finish; nothing is read until it does (rename the copy to {} to read it as it is)",
                ignored.file, events.file, events.file
            )
        } else if ignored.migration_leftover {
            format!(
                "{} is the copy the v1→v2 migration kept of the old log; it is not read (its events are \
                 already in {}, and reading both would count them twice)",
                ignored.file, events.file
            )
        } else {
            format!(
                "{} is not read: the log in use is {}; move any events only it has into that one",
                ignored.file, events.file
            )
        });
    }
    if events.malformed > 0 {
        out.push(format!(
            "{} malformed line(s) in events.jsonl are kept but not counted{}",
            events.malformed,
            see_also
                .malformed_lines
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        ));
    }
    if events.duplicates > 0 {
        out.push(format!(
            "{} line(s) repeat an event_id already in the log; each event is counted once",
            events.duplicates
        ));
    }
    if events.untimed > 0 {
        out.push(format!(
            "{} event(s) have no usable timestamp and are ordered last",
            events.untimed
        ));
    }
    for s in stuck {
        out.push(format!(
            "{} is stuck on {}: delta {} for 3 iterations",
            s.feature, s.edge, s.delta
        ));
    }
    if !abandoned.is_empty() {
        out.push(format!(
            "{} edge start(s) never progressed (abandoned iterations)",
            abandoned.len()
        ));
    }
    if !unactioned.is_empty() {
        out.push(format!("{} unactioned intent_raised", unactioned.len()));
    }
    for f in features {
        if f.vector_status.as_deref() == Some("converged")
            && f.status != "converged"
            && f.location == Location::Active
        {
            let done = f
                .edges
                .values()
                .filter(|e| e.required && e.status == "converged")
                .count();
            let total = f.edges.values().filter(|e| e.required).count();
            out.push(format!(
                "{} vector says converged; events show {done}/{total} required edges converged",
                f.feature
            ));
        }
    }
    if gaps.len() <= 5 {
        for g in gaps {
            out.push(format!(
                "{}: {} claims {} converged, but the log has no convergence event for it (evidence gap)",
                g.feature, g.file, g.edge
            ));
        }
    } else {
        let features: BTreeSet<&str> = gaps.iter().map(|g| g.feature.as_str()).collect();
        let named: Vec<&str> = features.iter().take(5).copied().collect();
        out.push(format!(
            "{} trajectory entries of {} features claim convergence the log has no event for (evidence \
             gaps): {}{}{}",
            gaps.len(),
            features.len(),
            named.join(", "),
            if features.len() > 5 { ", …" } else { "" },
            see_also
                .evidence_gaps
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        ));
    }
    for feature in legacy_converged {
        out.push(format!(
            "{feature}: a legacy feature_converged event is not evidence of convergence; the method derives \
             it from the edges its profile requires"
        ));
    }
    let orphans = features
        .iter()
        .filter(|f| f.location == Location::EventsOnly)
        .count();
    if orphans > 0 {
        let how = see_also
            .create_vector
            .as_deref()
            .map(|h| format!(": {h}"))
            .unwrap_or_default();
        out.push(format!(
            "{orphans} feature(s) appear in events but have no vector file{how}"
        ));
    }
    out
}

fn next_actions(
    see_also: &SeeAlso,
    active: &[&FeatureStatus],
    stuck: &[Stuck],
    abandoned: &[Abandoned],
    unactioned: &[Unactioned],
) -> Vec<String> {
    let mut out = Vec::new();
    for f in active {
        if f.status == "converged" || f.status == "stuck" {
            continue;
        }
        let next = f
            .path
            .iter()
            .find(|e| {
                f.edges
                    .get(*e)
                    .is_some_and(|s| s.required && s.status == "iterating")
            })
            .or_else(|| {
                f.path.iter().find(|e| {
                    f.edges
                        .get(*e)
                        .is_some_and(|s| s.required && s.status != "converged")
                })
            });
        if let Some(edge) = next {
            out.push(format!("iterate {} on {}", f.feature, edge));
        }
    }
    for s in stuck {
        out.push(format!(
            "review {} on {}: the same {} check(s) keep failing",
            s.feature, s.edge, s.delta
        ));
    }
    if let Some(a) = abandoned.first() {
        out.push(format!(
            "resume or close {} on {} (started {}){}",
            a.feature,
            a.edge,
            a.started_at.map_or_else(
                || "at an unknown time".to_string(),
                |t| t.strftime("%Y-%m-%d %H:%M").to_string()
            ),
            if abandoned.len() > 1 {
                format!(", and {} more", abandoned.len() - 1)
            } else {
                String::new()
            }
        ));
    }
    if !unactioned.is_empty() {
        out.push(format!(
            "triage {} unactioned intent(s){}",
            unactioned.len(),
            see_also
                .unactioned_intents
                .as_deref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        ));
    }
    out
}
