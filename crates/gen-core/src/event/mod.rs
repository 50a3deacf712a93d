//! Events: every line shape found in real `events.jsonl` files, read into one normalised view.
//!
//! Five writers produced the logs users already have (flat v1, the imp_gemini "mixed" lines, native
//! OpenLineage, OpenLineage migrated from v1 with `_metadata.original_data`, and `_v1_compat` lines). The
//! reference implementation loses the type of 137 migrated lines; here every field a line carries anywhere
//! (top level, `data`, facets, `_metadata`, `_v1_compat`) is recovered, while the raw line stays untouched
//! in the file.

mod canonical;
mod edge;
mod envelope;
mod json;
mod time;

pub use canonical::{canonical_json, content_hash, content_hash_json, derived_id, write_json};
pub use edge::{looks_like_edge, normalise_edge, split_edge};
pub use envelope::{EnvelopeError, NewEvent, RESERVED_KEYS};
pub use json::Json;
pub use time::{TimestampError, fixed_width, parse_timestamp};

use jiff::Timestamp;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Which writer produced a line; kept so reports can explain where a field was recovered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `{"event_type", "timestamp", "project", ...}` with the payload at the top level or under `data`.
    V1,
    /// v1 keys and OpenLineage keys on one line (imp_gemini).
    Mixed,
    /// OpenLineage RunEvent with `sdlc:*` facets (the Genesis engine).
    OlNative,
    /// OpenLineage produced by the v1→v2 migration; the whole v1 event sits in `_metadata.original_data`.
    OlMigrated,
    /// OpenLineage with a hand-written `_v1_compat` block.
    OlV1Compat,
    /// A JSON object none of the known writers produce; kept and counted, never dropped.
    Unrecognised,
}

impl Shape {
    /// Stable lowercase name for reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::V1 => "v1",
            Shape::Mixed => "mixed",
            Shape::OlNative => "ol_native",
            Shape::OlMigrated => "ol_migrated",
            Shape::OlV1Compat => "ol_v1_compat",
            Shape::Unrecognised => "unrecognised",
        }
    }
}

/// One event in the normalised view; the raw line itself stays in the file and is never rewritten.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event's identity: its own `event_id`, or `cj-<hash>-<occurrence>` derived from content.
    pub id: String,
    /// True when `id` came from the line's own `event_id`.
    pub explicit_id: bool,
    /// Which writer's shape the line has.
    pub shape: Shape,
    /// Canonical snake_case type (`EdgeConverged` → `edge_converged`).
    pub event_type: Option<String>,
    /// The instant in UTC, when the line's timestamp parsed.
    pub timestamp: Option<Timestamp>,
    /// The timestamp text as written, kept for reports.
    pub timestamp_text: Option<String>,
    /// Why the timestamp could not be used, when it could not.
    pub timestamp_error: Option<TimestampError>,
    /// Feature (vector) id the event is about.
    pub feature: Option<String>,
    /// Edge id with arrow spelling normalised (`->` → `→`).
    pub edge: Option<String>,
    /// Who wrote it (`agent_id`, `actor`, `sdlc:universal.actor`).
    pub agent: Option<String>,
    /// Project name as the line spells it (`project`, `_metadata.project`, `job.namespace`).
    pub project: Option<String>,
    /// Event-specific data with the envelope removed and `data` lifted to the top.
    pub payload: Map<String, Value>,
    /// Content hash used for derived ids (absent when the line has its own `event_id`).
    pub content_hash: Option<String>,
}

/// Why a line could not be read as an event; the line stays in the file and is reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum LineError {
    /// Not JSON at all, or cut off (a torn write).
    #[error("invalid JSON at column {column}: {message}")]
    Json {
        /// 1-based column inside the line.
        column: usize,
        /// What serde_json reported.
        message: String,
    },
    /// Valid JSON that is not an object, so it cannot be an event.
    #[error("expected a JSON object, found {found}")]
    NotAnObject {
        /// The JSON kind found instead.
        found: std::borrow::Cow<'static, str>,
    },
}

const OL_KEYS: &[&str] = &[
    "eventType",
    "eventTime",
    "run",
    "job",
    "inputs",
    "outputs",
    "producer",
    "schemaURL",
    "_metadata",
    "_v1_compat",
];

const ENVELOPE_KEYS: &[&str] = &[
    "event_type",
    "timestamp",
    "project",
    "feature",
    "feature_id",
    "edge",
    "agent_id",
    "actor",
    "event_id",
];

/// Reads one line of `events.jsonl` into the normalised view (the id's occurrence part is provisional).
///
/// Call [`assign_ids`] over the whole log afterwards so repeated identical events get distinct ids.
pub fn parse_line(line: &str) -> Result<Event, LineError> {
    parse_with(line, true)
}

/// Like [`parse_line`] but keeps only the payload keys projections read (`delta`, `intent_id`,
/// `trigger_intent`), which makes reading a million-line log several times cheaper.
pub fn parse_line_for_projection(line: &str) -> Result<Event, LineError> {
    parse_with(line, false)
}

fn parse_with(line: &str, full: bool) -> Result<Event, LineError> {
    let value = Json::parse(line).map_err(|e| LineError::Json {
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let Json::Obj(members) = &value else {
        return Err(LineError::NotAnObject {
            found: value.kind().into(),
        });
    };
    Ok(normalise(&value, members, full))
}

/// Payload keys the projections read; the light parse keeps only these.
const PROJECTED_KEYS: &[&str] = &[
    "delta",
    "intent_id",
    "trigger_intent",
    // Who a spawn creates and from where, in every spelling writers use (see `Record::from_event`).
    "child_feature",
    "child_id",
    "child",
    "child_vector",
    "parent_feature",
    "parent",
    "parent_vector",
    "parent_id",
];

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

type Members<'a> = [(Cow<'a, str>, Json<'a>)];

fn member<'j, 'a>(obj: &'j Members<'a>, key: &str) -> Option<&'j Json<'a>> {
    obj.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn has(obj: &Members<'_>, key: &str) -> bool {
    obj.iter().any(|(k, _)| k == key)
}

/// Classifies a parsed line by the keys its writer leaves behind.
pub fn classify(obj: &serde_json::Map<String, Value>) -> Shape {
    let v = Value::Object(obj.clone());
    let j = Json::from_value(&v);
    classify_members(j.as_obj().unwrap_or(&[]))
}

fn classify_members(obj: &Members<'_>) -> Shape {
    let has_v1 = has(obj, "event_type");
    let has_ol = has(obj, "eventType");
    if has_v1 && has_ol {
        Shape::Mixed
    } else if has_v1 {
        Shape::V1
    } else if member(obj, "_v1_compat").is_some_and(Json::is_obj) {
        Shape::OlV1Compat
    } else if member(obj, "_metadata")
        .and_then(|m| m.get("original_data"))
        .is_some_and(Json::is_obj)
    {
        Shape::OlMigrated
    } else if has_ol {
        Shape::OlNative
    } else {
        Shape::Unrecognised
    }
}

fn normalise(whole: &Json<'_>, obj: &Members<'_>, full: bool) -> Event {
    let shape = classify_members(obj);
    let explicit = str_at(obj, &["event_id"]).filter(|s| !s.is_empty());
    let mut f = Fields {
        full,
        ..Fields::default()
    };
    match shape {
        Shape::V1 | Shape::Unrecognised => f.take_flat(obj, &[]),
        Shape::Mixed => {
            f.take_flat(obj, OL_KEYS);
            f.take_ol(obj);
        }
        Shape::OlMigrated => {
            if let Some(orig) = member(obj, "_metadata")
                .and_then(|m| m.get("original_data"))
                .and_then(Json::as_obj)
            {
                f.take_flat(orig, &[]);
            }
            set_if_none(&mut f.project, str_at(obj, &["_metadata", "project"]));
            f.take_ol(obj);
        }
        Shape::OlV1Compat => {
            if let Some(compat) = member(obj, "_v1_compat").and_then(Json::as_obj) {
                f.take_flat(compat, &[]);
            }
            f.take_ol(obj);
        }
        Shape::OlNative => f.take_ol(obj),
    }
    let (timestamp, timestamp_error) = match &f.timestamp {
        Some(t) => match parse_timestamp(t) {
            Ok(ts) => (Some(ts), None),
            Err(e) => (None, Some(e)),
        },
        None => (None, None),
    };
    let content_hash = if explicit.is_some() {
        None
    } else {
        Some(canonical::content_hash_json(whole))
    };
    Event {
        id: match (&explicit, &content_hash) {
            (Some(id), _) => id.clone(),
            (None, Some(h)) => canonical::derived_id(h, 1),
            (None, None) => String::new(),
        },
        explicit_id: explicit.is_some(),
        shape,
        event_type: f.event_type,
        timestamp,
        timestamp_text: f.timestamp,
        timestamp_error,
        feature: f.feature,
        edge: f.edge.map(|e| normalise_edge(&e)),
        agent: f.agent,
        project: f.project,
        payload: f.payload,
        content_hash,
    }
}

#[derive(Default)]
struct Fields {
    full: bool,
    event_type: Option<String>,
    timestamp: Option<String>,
    feature: Option<String>,
    edge: Option<String>,
    agent: Option<String>,
    project: Option<String>,
    payload: Map<String, Value>,
}

impl Fields {
    /// Adds a payload key unless an earlier source already set it (first writer wins).
    fn put(&mut self, k: &str, v: &Json<'_>) {
        if (self.full || PROJECTED_KEYS.contains(&k)) && !self.payload.contains_key(k) {
            self.payload.insert(k.to_string(), v.to_value());
        }
    }

    /// Reads a flat v1-style object: envelope keys, then everything else as payload with `data` lifted.
    fn take_flat(&mut self, obj: &Members<'_>, skip: &[&str]) {
        let data = member(obj, "data");
        set_if_none(
            &mut self.event_type,
            str_at(obj, &["event_type"]).map(|t| snake_case(&t)),
        );
        set_if_none(&mut self.timestamp, str_at(obj, &["timestamp"]));
        set_if_none(&mut self.project, str_at(obj, &["project"]));
        for path in [
            &["feature"][..],
            &["feature_id"],
            &["data", "feature"],
            &["data", "feature_id"],
        ] {
            set_if_none(&mut self.feature, str_at(obj, path));
        }
        // `ConvergenceAchieved` and other engine events name the feature `instance_id`; one equal to the
        // project is a project-level event, not a feature.
        if self.feature.is_none() {
            let project = self.project.clone().or_else(|| str_at(obj, &["project"]));
            for path in [&["instance_id"][..], &["data", "instance_id"]] {
                if let Some(instance) = str_at(obj, path).filter(|i| Some(i) != project.as_ref()) {
                    self.feature = Some(instance);
                    break;
                }
            }
        }
        for path in [&["edge"][..], &["data", "edge"]] {
            set_if_none(&mut self.edge, str_at(obj, path));
        }
        for path in [
            &["agent_id"][..],
            &["actor"],
            &["data", "agent_id"],
            &["data", "actor"],
        ] {
            set_if_none(&mut self.agent, str_at(obj, path));
        }
        for (k, v) in obj {
            if ENVELOPE_KEYS.contains(&k.as_ref()) || skip.contains(&k.as_ref()) || k == "data" {
                continue;
            }
            self.put(k, v);
        }
        match data {
            Some(Json::Obj(members)) => {
                for (k, v) in members {
                    self.put(k, v);
                }
            }
            Some(v) => self.put("data", v),
            None => {}
        }
    }

    /// Fills what is still missing from OpenLineage keys and facets (native and imp_gemini spellings).
    fn take_ol(&mut self, obj: &Members<'_>) {
        let facets = member(obj, "run").and_then(|r| r.get("facets"));
        let facet = |name: &str, key: &str| -> Option<String> {
            facets
                .and_then(|f| f.get(name))
                .and_then(|f| f.get(key))
                .and_then(scalar_string)
        };
        let ol_type = facet("sdlc:event_type", "type").or_else(|| facet("sdlc_event_type", "type"));
        set_if_none(&mut self.event_type, ol_type.map(|t| snake_case(&t)));
        set_if_none(&mut self.timestamp, str_at(obj, &["eventTime"]));
        if let Some(p) = facets
            .and_then(|f| f.get("sdlc:payload"))
            .and_then(Json::as_obj)
        {
            set_if_none(
                &mut self.feature,
                member(p, "feature").and_then(scalar_string),
            );
            set_if_none(&mut self.edge, member(p, "edge").and_then(scalar_string));
            for (k, v) in p {
                if !k.starts_with('_') && k != "feature" && k != "edge" {
                    self.put(k, v);
                }
            }
        }
        for name in ["sdlc:req_keys", "sdlc_req_keys"] {
            set_if_none(&mut self.feature, facet(name, "feature_id"));
            set_if_none(&mut self.edge, facet(name, "edge"));
        }
        // The engine sets `instance_id` to the project for project-level events; that is not a feature.
        let namespace = str_at(obj, &["job", "namespace"])
            .map(|ns| ns.strip_prefix("aisdlc://").unwrap_or(&ns).to_string());
        let instance = facet("sdlc:universal", "instance_id")
            .filter(|i| Some(i) != namespace.as_ref() && Some(i) != self.project.as_ref());
        set_if_none(&mut self.feature, instance);
        set_if_none(&mut self.agent, facet("sdlc:universal", "actor"));
        // Delta facets: `sdlc:delta.delta` (migration) or `sdlc_delta.value` (imp_gemini).
        if !self.payload.contains_key("delta") {
            let delta = facets
                .and_then(|f| f.get("sdlc:delta"))
                .and_then(|d| d.get("delta"))
                .or_else(|| {
                    facets
                        .and_then(|f| f.get("sdlc_delta"))
                        .and_then(|d| d.get("value"))
                });
            if let Some(d) = delta {
                self.payload.insert("delta".into(), d.to_value());
            }
        }
        if let Some(name) = str_at(obj, &["job", "name"]) {
            // imp_gemini names jobs `feature:edge`; the engine names them after the edge itself.
            match name.split_once(':') {
                Some((feat, edge)) if edge::looks_like_edge(edge) => {
                    set_if_none(&mut self.feature, Some(feat.to_string()));
                    set_if_none(&mut self.edge, Some(edge.to_string()));
                }
                _ if edge::looks_like_edge(&name) => set_if_none(&mut self.edge, Some(name)),
                _ => {}
            }
        }
        set_if_none(&mut self.project, namespace);
    }
}

fn set_if_none(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none()
        && let Some(v) = value.filter(|v| !v.is_empty())
    {
        *slot = Some(v);
    }
}

fn str_at(obj: &Members<'_>, path: &[&str]) -> Option<String> {
    let (first, rest) = path.split_first()?;
    let mut cur = member(obj, first)?;
    for key in rest {
        cur = cur.get(key)?;
    }
    scalar_string(cur)
}

fn scalar_string(v: &Json<'_>) -> Option<String> {
    match v {
        Json::Str(s) => Some(s.to_string()),
        Json::Num(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `EdgeConverged` → `edge_converged`; snake names pass through (the reference's regex, without regex).
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl Event {
    /// The payload's `delta` as an integer, accepting numbers and numeric strings as real logs write them.
    pub fn delta(&self) -> Option<i64> {
        payload_int(&self.payload, "delta")
    }

    /// A payload string field, for ids such as `intent_id` or `child_feature`.
    pub fn payload_str(&self, key: &str) -> Option<&str> {
        self.payload.get(key).and_then(Value::as_str)
    }
}

/// Integers beyond ±2^53 or with a fraction are not counts of failing checks; they are ignored rather
/// than saturated into nonsense.
const MAX_COUNT: i64 = 1 << 53;

fn payload_int(payload: &Map<String, Value>, key: &str) -> Option<i64> {
    let n = match payload.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() <= MAX_COUNT as f64)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    (n.abs() <= MAX_COUNT).then_some(n)
}

/// Gives every event of a log its final id: explicit ids stay, derived ids get their occurrence number.
///
/// Occurrences count identical content in the order given; identical events are indistinguishable, so
/// every order yields the same set of ids and two machines agree.
pub fn assign_ids<'a>(events: impl IntoIterator<Item = &'a mut Event>) {
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for event in events {
        if let Some(hash) = &event.content_hash {
            let n = seen.entry(hash.clone()).or_insert(0);
            *n += 1;
            event.id = canonical::derived_id(hash, *n);
        }
    }
}

/// Where a type sits in an edge's lifecycle, for ordering events that share a timestamp.
///
/// Writers often stamp a whole run with one time (39 such groups in the corpus: an iteration and the
/// convergence it led to, both at 06:15:00). Ordering those by id alone would put a convergence before
/// its own iteration half of the time; the lifecycle order is what happened.
pub fn lifecycle_rank(event_type: Option<&str>) -> u8 {
    match event_type {
        Some("edge_started") => 0,
        Some("iteration_started") => 1,
        Some("iteration_completed") => 2,
        Some("iteration_abandoned") => 3,
        Some("edge_converged" | "convergence_achieved") => 4,
        _ => 5,
    }
}

/// The total order every projection uses: normalised timestamp, lifecycle rank, then id; untimed last.
///
/// File order is not chronological in real logs (64,704 s inversions), and two workspaces holding the same
/// events in different orders must agree, so nothing downstream may depend on file position.
pub fn order_key(event: &Event) -> (bool, Option<Timestamp>, u8, &str) {
    (
        event.timestamp.is_none(),
        event.timestamp,
        lifecycle_rank(event.event_type.as_deref()),
        event.id.as_str(),
    )
}

#[cfg(test)]
mod tests;
