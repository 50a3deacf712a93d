//! Writing one event: the clock and id come from here, the envelope from `gen_core`, the durable
//! append from [`crate::log`]. Every writer (`init`, `event emit`, sync, iterate) goes through it.

use crate::Workspace;
use crate::log::{LogError, TornTail, append_lines};
use gen_core::event::{EnvelopeError, NewEvent};

/// Why an event was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteEventError {
    /// The event itself cannot be written (readers would misread it).
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The log could not be appended to.
    #[error(transparent)]
    Log(#[from] LogError),
}

/// The time and a fresh UUIDv7 id for an event written now.
pub fn event_stamp() -> (jiff::Timestamp, String) {
    (jiff::Timestamp::now(), uuid::Uuid::now_v7().to_string())
}

/// Appends one event to the workspace's log (the file in use, see [`Workspace::event_log`]), durable
/// before it returns; reports a torn tail that had to be moved aside first.
pub fn append_event(ws: &Workspace, event: &NewEvent) -> Result<Option<TornTail>, WriteEventError> {
    let line = event.to_line()?;
    Ok(append_lines(&ws.events_path(), &[line])?)
}

/// What `gen event emit --json` prints (and the server will answer) once an event is durable: its
/// id, the object as written, and the line of a torn tail moved aside first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Emitted {
    /// The event's id.
    pub id: String,
    /// The event object exactly as appended.
    pub event: serde_json::Map<String, serde_json::Value>,
    /// The line a torn tail occupied before it was moved aside, if there was one.
    pub repaired_torn_line: Option<u64>,
}

impl Emitted {
    /// The report of `event` appended after `torn` was repaired.
    pub fn new(event: &NewEvent, torn: Option<&TornTail>) -> Self {
        Emitted {
            id: event.event_id.clone(),
            event: event.to_object(),
            repaired_torn_line: torn.map(|t| t.line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emitted_json_shape_is_pinned() {
        let mut payload = serde_json::Map::new();
        payload.insert("delta".into(), 2.into());
        let event = NewEvent {
            event_type: "iteration_completed".into(),
            timestamp: "2026-03-01T10:00:00Z".parse().unwrap(),
            project: "billing".into(),
            event_id: "0195f000-0000-7000-8000-000000000001".into(),
            agent_id: "ana".into(),
            feature: Some("REQ-F-PAY-001".into()),
            edge: Some("intent→requirements".into()),
            payload,
        };
        let torn = TornTail {
            line: 7,
            bytes: 12,
            saved_to: "events/torn/x".into(),
        };
        let emitted = Emitted::new(&event, Some(&torn));
        insta::assert_json_snapshot!(emitted);
        let value = serde_json::to_value(&emitted).unwrap();
        assert_eq!(serde_json::from_value::<Emitted>(value).ok(), Some(emitted));
    }
}
