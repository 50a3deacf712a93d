//! Writing one event: the clock and id come from here, the envelope from `gen_core`, the durable
//! append from [`crate::log`]. Every writer (`init`, `event emit`, sync, iterate) goes through it.

use crate::Workspace;
use crate::log::{LogError, TornTail, append_lines};
use gen_core::event::envelope::{EnvelopeError, NewEvent};

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
pub fn stamp() -> (jiff::Timestamp, String) {
    (jiff::Timestamp::now(), uuid::Uuid::now_v7().to_string())
}

/// Appends one event to the workspace's log (the file in use, see [`Workspace::event_log`]), durable
/// before it returns; reports a torn tail that had to be moved aside first.
pub fn append_event(ws: &Workspace, event: &NewEvent) -> Result<Option<TornTail>, WriteEventError> {
    let line = event.to_line()?;
    Ok(append_lines(&ws.events_path(), &[line])?)
}
