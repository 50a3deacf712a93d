//! The envelope of every event `gen` writes, built in one place.
//!
//! `init`, `event emit`, sync and iterate all write events; they differ only in type and payload.
//! The envelope — flat v1, key order as the reference writer uses it, UTC timestamp with microseconds,
//! a UUIDv7 `event_id`, `agent_id` — is decided here, so every writer produces the same shape.

use jiff::Timestamp;
use serde_json::{Map, Value};

/// Keys the envelope owns: a payload may not set them, because readers take them as the event's
/// identity, time, feature, edge or agent.
pub const RESERVED_KEYS: &[&str] = &[
    "event_type",
    "timestamp",
    "project",
    "event_id",
    "agent_id",
    "feature",
    "feature_id",
    "edge",
    "actor",
    "eventType",
    "eventTime",
    "_metadata",
    "_v1_compat",
];

/// An event about to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// snake_case type.
    pub event_type: String,
    /// When it happened (the caller's clock).
    pub timestamp: Timestamp,
    /// Project name.
    pub project: String,
    /// Its id (a UUIDv7 from the caller).
    pub event_id: String,
    /// Who wrote it.
    pub agent_id: String,
    /// Feature it is about.
    pub feature: Option<String>,
    /// Edge it is about (any spelling; written canonical).
    pub edge: Option<String>,
    /// The rest, written at the top level after the envelope.
    pub payload: Map<String, Value>,
}

/// Why an event cannot be written as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The type is not snake_case.
    #[error("event type `{0}` is not snake_case")]
    BadType(String),
    /// The payload sets a key the envelope owns (`data.` prefixed when nested in `data`).
    #[error("the payload sets `{0}`, which the envelope owns")]
    ReservedKey(String),
    /// An envelope field is blank.
    #[error("`{0}` is empty")]
    Blank(&'static str),
}

impl NewEvent {
    /// Checks the event can be written without readers misreading it.
    pub fn check(&self) -> Result<(), EnvelopeError> {
        let t = self.event_type.trim();
        if t.is_empty()
            || t != self.event_type
            || !t
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(EnvelopeError::BadType(self.event_type.clone()));
        }
        // Readers also take feature/edge/agent from a nested `data` object, so it may not set them either.
        let nested = self.payload.get("data").and_then(Value::as_object);
        let keys = self.payload.keys().map(|k| (k.as_str(), false)).chain(
            nested
                .into_iter()
                .flat_map(|d| d.keys().map(|k| (k.as_str(), true))),
        );
        for (key, in_data) in keys {
            if RESERVED_KEYS.contains(&key) {
                return Err(EnvelopeError::ReservedKey(if in_data {
                    format!("data.{key}")
                } else {
                    key.to_string()
                }));
            }
        }
        for (name, value) in [
            ("project", Some(&self.project)),
            ("event_id", Some(&self.event_id)),
            ("agent_id", Some(&self.agent_id)),
            ("feature", self.feature.as_ref()),
            ("edge", self.edge.as_ref()),
        ] {
            if value.is_some_and(|v| v.trim().is_empty()) {
                return Err(EnvelopeError::Blank(name));
            }
        }
        Ok(())
    }

    /// The event as a JSON object: envelope first, in the reference writer's order, then the payload.
    pub fn to_object(&self) -> Map<String, Value> {
        let mut event = Map::new();
        event.insert("event_type".into(), self.event_type.clone().into());
        event.insert(
            "timestamp".into(),
            self.timestamp
                .strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string()
                .into(),
        );
        event.insert("project".into(), self.project.clone().into());
        event.insert("event_id".into(), self.event_id.clone().into());
        event.insert("agent_id".into(), self.agent_id.clone().into());
        if let Some(f) = &self.feature {
            event.insert("feature".into(), f.trim().into());
        }
        if let Some(e) = &self.edge {
            event.insert("edge".into(), crate::config::canonical_edge_id(e).into());
        }
        for (k, v) in &self.payload {
            event.insert(k.clone(), v.clone());
        }
        event
    }

    /// The line to append (no newline), after [`NewEvent::check`].
    pub fn to_line(&self) -> Result<String, EnvelopeError> {
        self.check()?;
        Ok(Value::Object(self.to_object()).to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> NewEvent {
        NewEvent {
            event_type: "edge_started".into(),
            timestamp: "2026-03-01T10:00:00Z".parse().unwrap(),
            project: "p".into(),
            event_id: "0190-x".into(),
            agent_id: "ana".into(),
            feature: Some(" REQ-F-A-001 ".into()),
            edge: Some("design -> code".into()),
            payload: serde_json::from_str(r#"{"delta": 2}"#).unwrap(),
        }
    }

    #[test]
    fn the_envelope_comes_first_and_is_normalised() {
        assert_eq!(
            event().to_line().unwrap(),
            r#"{"event_type":"edge_started","timestamp":"2026-03-01T10:00:00.000000Z","project":"p","event_id":"0190-x","agent_id":"ana","feature":"REQ-F-A-001","edge":"design→code","delta":2}"#
        );
    }

    #[test]
    fn the_written_line_reads_back_as_the_same_event() {
        let line = event().to_line().unwrap();
        let read = crate::event::parse_line(&line).unwrap();
        assert_eq!(read.event_type.as_deref(), Some("edge_started"));
        assert_eq!(read.feature.as_deref(), Some("REQ-F-A-001"));
        assert_eq!(read.edge.as_deref(), Some("design→code"));
        assert_eq!(read.agent.as_deref(), Some("ana"));
        assert_eq!(read.id, "0190-x");
        assert_eq!(read.delta(), Some(2));
    }

    #[test]
    fn what_readers_would_misread_is_refused() {
        let mut e = event();
        e.event_type = "EdgeStarted".into();
        assert_eq!(e.check(), Err(EnvelopeError::BadType("EdgeStarted".into())));
        let mut e = event();
        e.payload = serde_json::from_str(r#"{"data": {"edge": "x"}}"#).unwrap();
        assert_eq!(
            e.check(),
            Err(EnvelopeError::ReservedKey("data.edge".into()))
        );
        let mut e = event();
        e.payload = serde_json::from_str(r#"{"event_id": "x"}"#).unwrap();
        assert_eq!(
            e.check(),
            Err(EnvelopeError::ReservedKey("event_id".into()))
        );
        let mut e = event();
        e.feature = Some("  ".into());
        assert_eq!(e.check(), Err(EnvelopeError::Blank("feature")));
    }
}
