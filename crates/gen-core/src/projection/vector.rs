//! Refreshing the event-derived fields of a feature vector file, changing nothing else.
//!
//! Only the top-level `status` and, per `trajectory` entry, `status`, `iteration`, `delta`,
//! `started_at` and `converged_at` are derived; every other byte of the file is authored. The
//! refresh is a text splice (see [`super::vector_text`]): the file is never re-serialised, so
//! comments, quoting, key order, number and date spellings and `---` documents stay as written.
//!
//! Rules, in the order they apply:
//!
//! - Only vectors in `features/active/` are refreshed unless [`Scope::include_history`] is set
//!   (`completed/` and `archived/` are history). Placeholder ids ([`PLACEHOLDER_FEATURES`]) and
//!   features without a single event are left as written: nothing can be derived for them.
//! - The log may start after the work did (history migrated before it existed), so a missing event
//!   is not evidence. An authored `converged` is never lowered at the top level, and a trajectory
//!   entry authored `converged` is left as written unless the vector is active and the log itself
//!   shows the edge converging and then reopening (the reopened entry loses its stale
//!   `converged_at`). `iteration` never decreases, `started_at` never moves later and `converged_at`
//!   never earlier, for the same reason; times written to the whole second are not rewritten for a
//!   sub-second difference. `blocked`, `time_box_expired` and any other word the refresh does not
//!   derive are human decisions, overturned only by convergence.
//! - Two edges into the same asset would both fall back to the asset's key; keys are claimed in
//!   path order and a taken key falls back to the underscored `source_target` form (the convention
//!   `fd_route` reads). A new key must belong to the topology when one is known; an edge the topology
//!   does not have gets no new entry (its progress stays in the log), as `gen validate` would flag it.
//! - The plan, the splice and a read-back check are all pure; writing is the caller's business.

use super::fold::PLACEHOLDER_FEATURES;
use super::status::{EdgeStatus, FeatureStatus, Location};
use super::vector_text::{self, Skip, SkipReason};
use crate::config::Topology;
use crate::config::yaml::{self, Node, Yaml};
use crate::event::split_edge;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;

/// The trajectory entry fields the refresh owns, in the order new entries are written.
pub const DERIVED_ENTRY_FIELDS: [&str; 5] =
    ["status", "iteration", "delta", "started_at", "converged_at"];

/// Which vector files a refresh may touch (history is opt-in because it predates the log), and the
/// topology new trajectory keys must belong to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    /// Also refresh `completed/` and `archived/` vectors (still never lowering `converged`).
    pub include_history: bool,
    /// When known, a new trajectory key must be one of its asset types or edges (any spelling), so
    /// the refresh never writes a key `gen validate` warns about; existing keys are matched anyway.
    pub topology: Option<&'a Topology>,
}

/// A value the refresh writes into a derived field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Derived {
    /// A status word (`converged`, `in_progress`, `iterating`, ...).
    Word(&'static str),
    /// An integer (`iteration`, `delta`).
    Number(i64),
    /// A point in time (`started_at`, `converged_at`).
    Time(Timestamp),
}

impl Derived {
    /// Whether `node` already holds this value, however it is spelled (`'2'`, `2`, a timestamp with
    /// another offset, or written to the whole second), so equal values are never rewritten.
    pub fn matches(&self, node: Option<&Node>) -> bool {
        let Some(node) = node else {
            return false;
        };
        match self {
            Derived::Word(w) => node.as_str() == Some(*w),
            Derived::Number(n) => number(node) == Some(*n),
            // At the precision written: the Python writers store whole seconds.
            Derived::Time(t) => timestamp(node).is_some_and(|w| {
                w == *t || (w.subsec_nanosecond() == 0 && w.as_second() == t.as_second())
            }),
        }
    }
}

impl fmt::Display for Derived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Derived::Word(w) => f.write_str(w),
            Derived::Number(n) => write!(f, "{n}"),
            Derived::Time(t) => write!(f, "{t}"),
        }
    }
}

/// One derived field of one trajectory entry to set (`Some`) or remove (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPlan {
    /// One of [`DERIVED_ENTRY_FIELDS`].
    pub field: &'static str,
    /// The value to write, or `None` to remove the key.
    pub want: Option<Derived>,
}

/// The fields of one trajectory entry that differ from what the events say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPlan {
    /// The trajectory key (existing or claimed for a new entry).
    pub key: String,
    /// Fields to change, in [`DERIVED_ENTRY_FIELDS`] order.
    pub fields: Vec<FieldPlan>,
}

/// Everything a refresh changes in one file; empty when the file already agrees with the events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// New top-level `status`.
    pub status: Option<Derived>,
    /// Trajectory entries to change, in path order.
    pub entries: Vec<EntryPlan>,
}

impl Plan {
    /// True when nothing needs to change.
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.entries.is_empty()
    }
}

/// One planned change, as shown to the user before and after `--write`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Change {
    /// `status` or `trajectory.<key>.<field>`.
    pub field: String,
    /// The value as the file has it (`None`: the key is new).
    pub before: Option<String>,
    /// The value written (`None`: the key is removed).
    pub after: Option<String>,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.before, &self.after) {
            (None, Some(after)) => write!(f, "{}: (new) {after}", self.field),
            (Some(before), None) => write!(f, "{}: {before} (removed)", self.field),
            (before, after) => write!(
                f,
                "{}: {} → {}",
                self.field,
                before.as_deref().unwrap_or("(none)"),
                after.as_deref().unwrap_or("(none)")
            ),
        }
    }
}

/// Why a vector file is deliberately not refreshed (a rule, not a problem).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeftReason {
    /// The feature id is a placeholder writers use, not a feature.
    #[error("`{0}` is a placeholder feature id, not a feature; nothing to refresh")]
    Placeholder(String),
    /// The file is in `completed/` or `archived/` and history was not asked for.
    #[error("{} is history", folder(.0))]
    History(Location),
    /// The log has no event about the feature.
    #[error("no events for this feature yet; nothing to derive")]
    NoEvents,
}

fn folder(location: &Location) -> &'static str {
    match location {
        Location::Active => "features/active/",
        Location::Completed => "features/completed/",
        Location::Archived => "features/archived/",
        Location::EventsOnly => "an events-only feature",
    }
}

/// What a refresh of one file came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The file already says what the events say.
    Unchanged,
    /// The refreshed text (differs from the original, passed the read-back check).
    Changed(String),
    /// Not refreshed by rule.
    Left(LeftReason),
    /// Refused: the file cannot be spliced safely; the reason says what and where.
    Skipped(Skip),
}

/// The planned changes and the outcome of refreshing one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refresh {
    /// What changes (or would change); empty for `Left` and for unparsable files.
    pub changes: Vec<Change>,
    /// What came of it.
    pub outcome: Outcome,
}

impl Refresh {
    /// A refresh that was not attempted by rule.
    pub fn left(reason: LeftReason) -> Self {
        Self {
            changes: Vec::new(),
            outcome: Outcome::Left(reason),
        }
    }

    /// A refresh refused before any plan was made.
    pub fn skipped(skip: Skip) -> Self {
        Self {
            changes: Vec::new(),
            outcome: Outcome::Skipped(skip),
        }
    }
}

/// The rule that keeps a file out of the refresh, if any; callers use it to avoid reading such files.
pub fn left_reason(
    status: &FeatureStatus,
    location: Location,
    scope: Scope<'_>,
) -> Option<LeftReason> {
    if PLACEHOLDER_FEATURES.contains(&status.feature.as_str()) {
        return Some(LeftReason::Placeholder(status.feature.clone()));
    }
    if !scope.include_history && location != Location::Active {
        return Some(LeftReason::History(location));
    }
    (status.events == 0).then_some(LeftReason::NoEvents)
}

/// Refreshes the derived fields of the vector file `text` (at `location`) from `status`.
///
/// The result is either the new text, which differs only in derived values and has been parsed
/// back and checked, or the reason nothing was produced.
pub fn refresh_vector(
    text: &str,
    status: &FeatureStatus,
    location: Location,
    scope: Scope<'_>,
) -> Refresh {
    if let Some(reason) = left_reason(status, location, scope) {
        return Refresh::left(reason);
    }
    let loaded = match yaml::parse(text) {
        Ok(l) => l,
        Err(e) => {
            let pos = match &e {
                yaml::YamlError::Syntax { pos, .. } => *pos,
                _ => None,
            };
            return Refresh::skipped(Skip {
                pos,
                reason: SkipReason::Unparsable(e.to_string()),
            });
        }
    };
    if loaded.root.entries().is_none() {
        return Refresh::skipped(Skip {
            pos: loaded.root.pos.known(),
            reason: SkipReason::NotAMapping,
        });
    }
    let plan = plan_refresh(&loaded.root, status, location, scope.topology);
    let changes = describe(&loaded.root, &plan);
    if plan.is_empty() {
        return Refresh {
            changes,
            outcome: Outcome::Unchanged,
        };
    }
    let outcome = match vector_text::splice(text, &loaded.root, &plan)
        .and_then(|new| vector_text::verify(text, &loaded, &new, &plan).map(|()| new))
    {
        Ok(new) if new == text => Outcome::Unchanged,
        Ok(new) => Outcome::Changed(new),
        Err(skip) => Outcome::Skipped(skip),
    };
    Refresh { changes, outcome }
}

/// Marks `edge_id`'s trajectory entry of the vector `text` `blocked` — stuck, waiting for a spawned
/// discovery — the way the refresh edits a file: one value spliced (the entry opened if it is
/// missing, under the key the refresh would claim), read back and checked. `None` when it is blocked
/// already or the topology knows no key for the edge.
pub fn mark_edge_blocked(
    text: &str,
    edge_id: &str,
    topology: Option<&Topology>,
) -> Result<Option<String>, Skip> {
    let loaded = yaml::parse(text).map_err(|e| Skip {
        pos: None,
        reason: SkipReason::Unparsable(e.to_string()),
    })?;
    if loaded.root.entries().is_none() {
        return Err(Skip {
            pos: loaded.root.pos.known(),
            reason: SkipReason::NotAMapping,
        });
    }
    let trajectory = loaded.root.get("trajectory");
    let existing: Vec<&str> = trajectory
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    let accepts = |key: &str| topology.is_none_or(|t| t.classify_trajectory_key(key).is_some());
    let Some(key) = claim_key(&existing, edge_id, &mut HashSet::new(), &accepts) else {
        return Ok(None);
    };
    let blocked = Derived::Word("blocked");
    if blocked.matches(
        trajectory
            .and_then(|t| t.get(&key))
            .and_then(|e| e.get("status")),
    ) {
        return Ok(None);
    }
    let plan = Plan {
        status: None,
        entries: vec![EntryPlan {
            key,
            fields: vec![FieldPlan {
                field: "status",
                want: Some(blocked),
            }],
        }],
    };
    let new = vector_text::splice(text, &loaded.root, &plan)?;
    vector_text::verify(text, &loaded, &new, &plan)?;
    Ok(Some(new))
}

/// What the events say the derived fields of `root` (a vector file at `location`) should be, as the
/// differences to make; new keys are limited to `topology` when it is known.
pub fn plan_refresh(
    root: &Node,
    status: &FeatureStatus,
    location: Location,
    topology: Option<&Topology>,
) -> Plan {
    let mut plan = Plan::default();
    let authored = root.get("status");
    if let Some(word) = top_status(authored, status.status)
        && !Derived::Word(word).matches(authored)
    {
        plan.status = Some(Derived::Word(word));
    }
    let trajectory = root.get("trajectory");
    let existing: Vec<&str> = trajectory
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    let mut claimed = HashSet::new();
    for edge_id in &status.path {
        // Every edge on the path claims its key, active or not, so an edge's key does not move when
        // an earlier edge into the same asset starts later.
        let accepts = |key: &str| topology.is_none_or(|t| t.classify_trajectory_key(key).is_some());
        let key = claim_key(&existing, edge_id, &mut claimed, &accepts);
        let (Some(key), Some(edge)) = (key, status.edges.get(edge_id)) else {
            continue;
        };
        if edge.iterations == 0 && edge.started_at.is_none() && edge.converged_at.is_none() {
            continue;
        }
        // Reopening lowers an entry only in active vectors; history records a completion.
        let reopened = location == Location::Active
            && edge.status != "converged"
            && status.converged_edges.iter().any(|e| e == edge_id);
        let entry = trajectory.and_then(|t| t.get(&key));
        let fields = plan_entry(entry, edge, reopened);
        if !fields.is_empty() {
            plan.entries.push(EntryPlan { key, fields });
        }
    }
    plan
}

/// The top-level status the events support, or `None` to keep what is written.
fn top_status(authored: Option<&Node>, events: &str) -> Option<&'static str> {
    if events == "converged" {
        return Some("converged");
    }
    if events == "pending" {
        return None;
    }
    match authored.filter(|n| !n.is_null()) {
        None => Some("in_progress"),
        Some(n) => match n.as_str() {
            Some("pending" | "in_progress") => Some("in_progress"),
            // `converged` is never lowered (missing events are not evidence); `blocked`,
            // `time_box_expired` and unknown words are authored decisions.
            _ => None,
        },
    }
}

/// The changes one trajectory entry needs; empty when it agrees or is left as written.
///
/// `reopened` says the log itself shows the edge converging and then starting again (and the vector
/// is active). An entry authored `converged` that the events do not show converged now is left
/// untouched unless it was reopened: otherwise the log is merely missing its history.
///
/// Values the log may know only part of never move backwards: `iteration` only grows, `started_at`
/// only moves earlier, `converged_at` (the latest convergence) only later. A converged entry has
/// `delta: 0`, as convergence means no failing check (the reference sets V = 0 on `edge_converged`).
///
/// A written entry carries `converged_at` exactly when its status is `converged`: when events reopen
/// an edge, the stale `converged_at` is removed. Readers (people, `fd_route`-style tools) take a
/// `converged_at` as "done at that time", which the events now contradict; the convergence itself
/// stays in the event log, which is the history.
fn plan_entry(entry: Option<&Node>, edge: &EdgeStatus, reopened: bool) -> Vec<FieldPlan> {
    let get = |field: &str| entry.and_then(|e| e.get(field));
    let authored = get("status").filter(|n| !n.is_null());
    let events_word = match edge.status {
        "converged" => "converged",
        "pending" => "pending",
        _ => "iterating",
    };
    let refreshable = match authored {
        None => true,
        Some(n) => match n.as_str() {
            Some("pending" | "iterating" | "in_progress" | "stuck") => true,
            Some("converged") => edge.status == "converged" || reopened,
            _ => edge.status == "converged",
        },
    };
    if !refreshable {
        return Vec::new();
    }
    let mut fields = Vec::new();
    let mut set = |field: &'static str, want: Derived| {
        if !want.matches(get(field)) {
            fields.push(FieldPlan {
                field,
                want: Some(want),
            });
        }
    };
    set("status", Derived::Word(events_word));
    if edge.iterations > 0 {
        let written = get("iteration").and_then(number).unwrap_or(i64::MIN);
        let count = i64::from(edge.iterations);
        if written < count {
            set("iteration", Derived::Number(count));
        }
    }
    let delta = if events_word == "converged" {
        Some(0)
    } else {
        edge.delta
    };
    if let Some(d) = delta {
        set("delta", Derived::Number(d));
    }
    // An authored time we cannot read is an authored value, not a gap: it is left alone.
    let authored = |key: &str| match get(key).filter(|n| !n.is_null()) {
        None => Authored::Missing,
        Some(n) => timestamp(n).map_or(Authored::Unreadable, Authored::At),
    };
    if let Some(t) = edge.started_at {
        match authored("started_at") {
            Authored::Missing => set("started_at", Derived::Time(t)),
            Authored::At(w) if w > t => set("started_at", Derived::Time(t)),
            _ => {}
        }
    }
    if events_word == "converged" {
        if let Some(t) = edge.converged_at {
            match authored("converged_at") {
                Authored::Missing => set("converged_at", Derived::Time(t)),
                Authored::At(w) if w < t => set("converged_at", Derived::Time(t)),
                _ => {}
            }
        }
    } else if reopened && get("converged_at").is_some() {
        // Only the log showing a convergence and then a restart makes an authored time stale; an
        // entry whose history the log simply lacks keeps it.
        fields.push(FieldPlan {
            field: "converged_at",
            want: None,
        });
    }
    fields
}

/// Claims the trajectory key for `edge_id`: an unclaimed existing key in any convention (canonical
/// id, `source_target`, target asset), else a new key `accepts`: the target asset, or `source_target`
/// when another edge already claimed the asset. `None` when no key is left.
fn claim_key(
    existing: &[&str],
    edge_id: &str,
    claimed: &mut HashSet<String>,
    accepts: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let candidates: Vec<String> = match split_edge(edge_id) {
        Some((source, target, _)) => vec![
            edge_id.to_string(),
            format!("{source}_{target}"),
            target.to_string(),
        ],
        None => vec![edge_id.to_string()],
    };
    let free = |k: &String, claimed: &HashSet<String>| !claimed.contains(k);
    // An existing key naming the edge with another arrow spelling (`a->b`, `a → b`) is the edge's own.
    let respelled = existing.iter().map(|k| k.to_string()).find(|k| {
        k != edge_id && crate::config::canonical_edge_id(k) == edge_id && free(k, claimed)
    });
    let key = respelled
        .as_ref()
        .or_else(|| {
            candidates
                .iter()
                .find(|k| existing.contains(&k.as_str()) && free(k, claimed))
        })
        .or_else(|| {
            // New keys: the asset name first (what the Python tools write), then the underscored edge.
            candidates
                .iter()
                .rev()
                .find(|k| !existing.contains(&k.as_str()) && free(k, claimed) && accepts(k))
        })
        .cloned()?;
    claimed.insert(key.clone());
    Some(key)
}

/// The changes of `plan` against `root`, for display.
fn describe(root: &Node, plan: &Plan) -> Vec<Change> {
    let shown = |n: Option<&Node>| n.map(|n| n.scalar_text().unwrap_or_else(|| n.kind().into()));
    let mut out = Vec::new();
    if let Some(want) = &plan.status {
        out.push(Change {
            field: "status".into(),
            before: shown(root.get("status").filter(|n| !n.is_null())),
            after: Some(want.to_string()),
        });
    }
    let trajectory = root.get("trajectory");
    for entry in &plan.entries {
        let node = trajectory.and_then(|t| t.get(&entry.key));
        for f in &entry.fields {
            out.push(Change {
                field: format!("trajectory.{}.{}", entry.key, f.field),
                before: shown(node.and_then(|n| n.get(f.field))),
                after: f.want.as_ref().map(Derived::to_string),
            });
        }
    }
    out
}

/// An integer however it is written (`2`, `2.0`, `'2'`).
fn number(node: &Node) -> Option<i64> {
    match &node.value {
        Yaml::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Yaml::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A timestamp written as text (RFC 3339, any offset).
/// An authored time in the forms people and tools write: RFC 3339 with an offset, or a date or a
/// date-time without one (read as UTC, which is how the Python tools write them).
fn timestamp(node: &Node) -> Option<Timestamp> {
    let text = node.scalar_text()?;
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    let utc = jiff::tz::TimeZone::UTC;
    if let Ok(dt) = text.replacen(' ', "T", 1).parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(utc).ok().map(|z| z.timestamp());
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(utc).ok())
        .map(|z| z.timestamp())
}

/// What an entry already says about a time.
enum Authored {
    Missing,
    Unreadable,
    At(Timestamp),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::{EdgeStatus, Location};
    use std::collections::BTreeMap;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// A feature with `edges` as (id, status, iterations); `reopened` edges converged earlier.
    fn status(edges: &[(&str, &'static str, u32)], reopened: &[&str]) -> FeatureStatus {
        let mut map = BTreeMap::new();
        for (id, s, it) in edges {
            map.insert(
                id.to_string(),
                EdgeStatus {
                    status: s,
                    iterations: *it,
                    delta: Some(0),
                    required: true,
                    started_at: Some(ts("2026-03-01T10:00:00Z")),
                    converged_at: (*s == "converged" || reopened.contains(id))
                        .then(|| ts("2026-03-01T11:00:00Z")),
                },
            );
        }
        let all_converged = edges.iter().all(|e| e.1 == "converged");
        FeatureStatus {
            feature: "REQ-F-A-001".into(),
            title: None,
            location: Location::Active,
            vector_status: None,
            parent: None,
            disposition: None,
            spawned: false,
            profile: None,
            status: if all_converged {
                "converged"
            } else {
                "in_progress"
            },
            t: 1,
            v: 0,
            h: 1,
            current_edge: None,
            path: edges.iter().map(|e| e.0.to_string()).collect(),
            converged_edges: edges
                .iter()
                .filter(|e| e.1 == "converged" || reopened.contains(&e.0))
                .map(|e| e.0.to_string())
                .collect(),
            edges: map,
            started_at: None,
            last_at: None,
            events: 2,
        }
    }

    fn refreshed(text: &str, s: &FeatureStatus) -> String {
        refreshed_at(text, s, Location::Active, Scope::default())
    }

    fn refreshed_at(text: &str, s: &FeatureStatus, location: Location, scope: Scope<'_>) -> String {
        match refresh_vector(text, s, location, scope).outcome {
            Outcome::Changed(t) => t,
            Outcome::Unchanged => text.to_string(),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn json(text: &str) -> serde_json::Value {
        yaml::parse(text).unwrap().root.to_json()
    }

    #[test]
    fn authored_fields_survive_and_keys_follow_existing_conventions() {
        let text = "feature: REQ-F-A-001\ntitle: A\nstatus: pending\nowner: kim\ntrajectory:\n  design_code:\n    status: pending\n    notes: keep me\n";
        let out = refreshed(
            text,
            &status(
                &[
                    ("design→code", "converged", 2),
                    ("code↔unit_tests", "iterating", 1),
                ],
                &[],
            ),
        );
        let doc = json(&out);
        assert_eq!(doc["owner"], "kim");
        assert_eq!(doc["status"], "in_progress");
        assert_eq!(doc["trajectory"]["design_code"]["notes"], "keep me");
        assert_eq!(doc["trajectory"]["design_code"]["status"], "converged");
        assert_eq!(
            doc["trajectory"]["design_code"]["converged_at"],
            "2026-03-01T11:00:00Z"
        );
        assert_eq!(doc["trajectory"]["unit_tests"]["status"], "iterating");
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["feature", "title", "status", "owner", "trajectory"]);
    }

    #[test]
    fn authored_times_in_other_forms_are_read_or_left_alone() {
        // started_at in the events is 2026-03-01T10:00:00Z (see `status`).
        let text = "feature: X\ntrajectory:\n  b:\n    status: iterating\n    started_at: 2020-01-01\n  c:\n    status: iterating\n    started_at: \"2020-01-01 10:00:00\"\n  d:\n    status: iterating\n    started_at: last tuesday\n";
        let s = status(
            &[
                ("a→b", "iterating", 1),
                ("b→c", "iterating", 1),
                ("c→d", "iterating", 1),
            ],
            &[],
        );
        let out = refreshed(text, &s);
        let v = json(&out);
        assert_eq!(
            v["trajectory"]["b"]["started_at"], "2020-01-01",
            "earlier date kept"
        );
        assert_eq!(
            v["trajectory"]["c"]["started_at"], "2020-01-01 10:00:00",
            "earlier time kept"
        );
        assert_eq!(
            v["trajectory"]["d"]["started_at"], "last tuesday",
            "unreadable left alone"
        );
    }

    #[test]
    fn a_key_spelled_with_another_arrow_is_the_edges_own() {
        let text = "feature: X\ntrajectory:\n  \"a->b\":\n    status: pending\n  \"b → c\":\n    status: pending\n";
        let s = status(&[("a→b", "converged", 1), ("b→c", "iterating", 1)], &[]);
        let v = json(&refreshed(text, &s));
        let keys: Vec<&String> = v["trajectory"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a->b", "b → c"], "no duplicate entries");
        assert_eq!(v["trajectory"]["a->b"]["status"], "converged");
        assert_eq!(v["trajectory"]["b → c"]["status"], "iterating");
    }

    #[test]
    fn a_converged_at_the_log_never_contradicts_is_kept() {
        let text = "feature: X\ntrajectory:\n  b:\n    status: pending\n    converged_at: '2025-01-01T00:00:00Z'\n";
        let v = json(&refreshed(text, &status(&[("a→b", "iterating", 1)], &[])));
        assert_eq!(v["trajectory"]["b"]["status"], "iterating");
        assert_eq!(v["trajectory"]["b"]["converged_at"], "2025-01-01T00:00:00Z");
    }

    #[test]
    fn blocked_is_an_authored_decision() {
        let out = refreshed(
            "feature: X\nstatus: blocked\n",
            &status(&[("a→b", "iterating", 1)], &[]),
        );
        assert_eq!(json(&out)["status"], "blocked");
    }

    #[test]
    fn refreshing_twice_changes_nothing_more() {
        let s = status(&[("a→b", "converged", 1), ("b→c", "iterating", 3)], &[]);
        let once = refreshed("feature: X\n", &s);
        assert_ne!(once, "feature: X\n");
        let again = refresh_vector(&once, &s, Location::Active, Scope::default());
        assert_eq!(again.outcome, Outcome::Unchanged);
        assert!(again.changes.is_empty(), "{:?}", again.changes);
    }

    #[test]
    fn an_authored_converged_vector_is_never_lowered() {
        let text = "feature: X\nstatus: converged\ntrajectory:\n  b:\n    status: converged\n    iteration: 4\n    converged_at: '2025-12-01T00:00:00Z'\n";
        // Events know only a little of the history: iterating, never converged.
        let s = status(&[("a→b", "iterating", 1)], &[]);
        let r = refresh_vector(
            text,
            &s,
            Location::Completed,
            Scope {
                include_history: true,
                topology: None,
            },
        );
        assert_eq!(r.outcome, Outcome::Unchanged, "{:?}", r.changes);
        // Without --all, history is not even looked at.
        assert_eq!(
            refresh_vector(text, &s, Location::Completed, Scope::default()).outcome,
            Outcome::Left(LeftReason::History(Location::Completed))
        );
        // Active too: the authored converged stays, and so does the entry.
        assert_eq!(
            refresh_vector(text, &s, Location::Active, Scope::default()).outcome,
            Outcome::Unchanged
        );
    }

    #[test]
    fn events_that_reopen_an_entry_lower_it_and_drop_the_stale_converged_at() {
        let text = "feature: X\nstatus: in_progress\ntrajectory:\n  b:\n    status: converged  # was done\n    converged_at: '2026-03-01T11:00:00Z'\n    notes: x\n";
        let s = status(&[("a→b", "iterating", 2)], &["a→b"]);
        let r = refresh_vector(text, &s, Location::Active, Scope::default());
        let Outcome::Changed(out) = &r.outcome else {
            panic!("{r:?}")
        };
        assert_eq!(
            out,
            "feature: X\nstatus: in_progress\ntrajectory:\n  b:\n    status: iterating  # was done\n    notes: x\n    iteration: 2\n    delta: 0\n    started_at: '2026-03-01T10:00:00Z'\n"
        );
        assert!(
            r.changes
                .iter()
                .any(|c| c.to_string()
                    == "trajectory.b.converged_at: 2026-03-01T11:00:00Z (removed)")
        );
        // A converged entry keeps an authored converged_at the events agree with.
        let done = status(&[("a→b", "converged", 2)], &[]);
        let kept = refreshed(
            "trajectory:\n  b:\n    status: converged\n    converged_at: 2026-03-01T12:00:00+01:00\n    iteration: 2\n    delta: 0\n    started_at: '2026-03-01T10:00:00Z'\n",
            &done,
        );
        assert!(
            kept.contains("converged_at: 2026-03-01T12:00:00+01:00\n"),
            "{kept}"
        );
    }

    #[test]
    fn placeholders_and_features_without_events_are_left_alone() {
        let mut s = status(&[("a→b", "iterating", 1)], &[]);
        s.feature = "unknown".into();
        assert_eq!(
            refresh_vector(
                "feature: unknown\nstatus: pending\n",
                &s,
                Location::Archived,
                Scope {
                    include_history: true,
                    topology: None,
                }
            )
            .outcome,
            Outcome::Left(LeftReason::Placeholder("unknown".into()))
        );
        let mut quiet = status(&[], &[]);
        quiet.events = 0;
        quiet.status = "pending";
        assert_eq!(
            refresh_vector(
                "feature: X\nstatus: in_progress\n",
                &quiet,
                Location::Active,
                Scope::default()
            )
            .outcome,
            Outcome::Left(LeftReason::NoEvents)
        );
    }

    #[test]
    fn two_edges_into_one_asset_get_distinct_keys() {
        let s = status(
            &[
                ("requirements→design", "converged", 1),
                ("design_recommendations→design", "iterating", 2),
            ],
            &[],
        );
        let out = refreshed(
            "feature: X\ntrajectory:\n  design:\n    status: pending\n",
            &s,
        );
        let doc = json(&out);
        assert_eq!(doc["trajectory"]["design"]["status"], "converged");
        assert_eq!(
            doc["trajectory"]["design_recommendations_design"]["status"],
            "iterating"
        );
        assert_eq!(
            doc["trajectory"]["design_recommendations_design"]["iteration"],
            2
        );
        // And again: each edge finds its own key, nothing moves.
        assert_eq!(refreshed(&out, &s), out);
    }

    #[test]
    fn a_key_stays_with_its_edge_when_an_earlier_edge_into_the_asset_starts_later() {
        let mut s = status(
            &[
                ("requirements→design", "pending", 0),
                ("design_recommendations→design", "iterating", 2),
            ],
            &[],
        );
        s.edges.get_mut("requirements→design").unwrap().started_at = None;
        let out = refreshed("feature: X\n", &s);
        let doc = json(&out);
        assert!(doc["trajectory"].get("design").is_none(), "{out}");
        assert_eq!(
            doc["trajectory"]["design_recommendations_design"]["status"],
            "iterating"
        );
    }

    #[test]
    fn new_keys_must_belong_to_the_topology() {
        let topology = crate::config::Topology::parse(&crate::config::SourceFile::new(
            "graph/graph_topology.yml",
            "asset_types:\n  requirements: {}\n  design: {}\n  design_recommendations: {}\ntransitions:\n  - {source: requirements, target: design}\n  - {source: design_recommendations, target: design}\n",
        ))
        .expect("topology");
        let s = status(
            &[
                ("requirements→design", "converged", 1),
                ("design_recommendations→design", "iterating", 1),
                ("feature_decomposition→design", "iterating", 1),
                ("closure", "converged", 1),
            ],
            &[],
        );
        let scope = Scope {
            include_history: false,
            topology: Some(&topology),
        };
        let out = match refresh_vector("feature: X\n", &s, Location::Active, scope).outcome {
            Outcome::Changed(t) => t,
            other => panic!("{other:?}"),
        };
        let keys: Vec<String> = json(&out)["trajectory"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["design", "design_recommendations_design"]);
        // An existing key is refreshed whatever the topology says.
        let out = match refresh_vector(
            "feature: X\ntrajectory:\n  closure:\n    status: pending\n",
            &s,
            Location::Active,
            scope,
        )
        .outcome
        {
            Outcome::Changed(t) => t,
            other => panic!("{other:?}"),
        };
        assert_eq!(json(&out)["trajectory"]["closure"]["status"], "converged");
    }

    #[test]
    fn iteration_never_decreases_and_started_at_never_moves_later() {
        let text = "trajectory:\n  b:\n    status: iterating\n    iteration: 9\n    delta: 0\n    started_at: '2025-01-01T00:00:00Z'\n";
        let s = status(&[("a→b", "iterating", 2)], &[]);
        let r = refresh_vector(text, &s, Location::Active, Scope::default());
        assert_eq!(
            r.changes,
            vec![Change {
                field: "status".into(),
                before: None,
                after: Some("in_progress".into())
            }]
        );
    }

    #[test]
    fn times_are_compared_at_the_precision_written_and_never_move_backwards() {
        let mut s = status(&[("a→b", "converged", 1)], &[]);
        let edge = s.edges.get_mut("a→b").unwrap();
        edge.converged_at = Some(ts("2026-03-01T11:00:00.4Z"));
        edge.delta = Some(11);
        let text = "status: converged\ntrajectory:\n  b:\n    status: converged\n    iteration: 1\n    delta: 0\n    started_at: '2026-03-01T10:00:00Z'\n    converged_at: '2026-03-01T11:00:00Z'\n";
        let r = refresh_vector(text, &s, Location::Active, Scope::default());
        assert_eq!(r.outcome, Outcome::Unchanged, "{:?}", r.changes);
        // A later convergence the log does not hold stays; an earlier one is updated.
        let later = text.replace("11:00:00Z", "12:00:00Z");
        assert_eq!(
            refresh_vector(&later, &s, Location::Active, Scope::default()).outcome,
            Outcome::Unchanged
        );
        let earlier = text.replace("11:00:00Z", "09:00:00Z");
        let r = refresh_vector(&earlier, &s, Location::Active, Scope::default());
        assert_eq!(
            r.changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["trajectory.b.converged_at: 2026-03-01T09:00:00Z → 2026-03-01T11:00:00.4Z"]
        );
    }

    #[test]
    fn history_entries_are_not_lowered_even_when_the_log_reopens_them() {
        let text = "status: converged\ntrajectory:\n  b:\n    status: converged\n    converged_at: '2026-03-01T11:00:00Z'\n";
        let s = status(&[("a→b", "iterating", 2)], &["a→b"]);
        let all = Scope {
            include_history: true,
            topology: None,
        };
        for location in [Location::Completed, Location::Archived] {
            let r = refresh_vector(text, &s, location, all);
            assert_eq!(
                r.outcome,
                Outcome::Unchanged,
                "{location:?} {:?}",
                r.changes
            );
        }
        // In an active vector the reopen is taken.
        assert_ne!(refreshed(text, &s), text);
    }

    #[test]
    fn changes_read_like_a_diff() {
        let s = status(&[("a→code", "converged", 1)], &[]);
        let r = refresh_vector("status: pending\n", &s, Location::Active, Scope::default());
        let lines: Vec<String> = r.changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "status: pending → converged",
                "trajectory.code.status: (new) converged",
                "trajectory.code.iteration: (new) 1",
                "trajectory.code.delta: (new) 0",
                "trajectory.code.started_at: (new) 2026-03-01T10:00:00Z",
                "trajectory.code.converged_at: (new) 2026-03-01T11:00:00Z",
            ]
        );
    }
}
