//! Live updates: a watcher notices any change of the draft's journal (whoever wrote it: this server,
//! another tab, `gen draft apply` in a terminal), of its positions and conversation, and of the
//! event log (`gen event emit`, another tool, a sync pull), and every open page hears of it through
//! Server-Sent Events.
//!
//! The watcher polls file metadata (length, modification time, inode) every 100 ms: portable,
//! cheap, and it cannot miss an atomic rename the way a watch on the old inode can.

use std::convert::Infallible;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::state::{App, Live};

/// How often the files are looked at.
const POLL: Duration = Duration::from_millis(100);

type Stamp = Option<(u64, i64, i64, u64)>;

fn stamp(path: &Path) -> Stamp {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.mtime(), m.mtime_nsec(), m.ino()))
}

/// Starts the watcher; it ends when the server does.
pub(crate) fn watch(app: Arc<App>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let journal: PathBuf = app.drafts.journal_path(&app.name);
        let events: PathBuf = app.workspace.event_log().path;
        let layout: PathBuf = app.drafts.layout_path(&app.name);
        let chat: PathBuf = app.drafts.chat_path(&app.name);
        let look = || {
            (
                stamp(&journal),
                stamp(&events),
                stamp(&layout),
                stamp(&chat),
            )
        };
        let mut seen = look();
        let mut stopping = app.stopping.subscribe();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = stopping.changed() => return,
            }
            let now = look();
            if now.0 != seen.0 {
                let reader = app.clone();
                let revision = tokio::task::spawn_blocking(move || {
                    reader.session().map(|s| s.history.revision())
                })
                .await;
                if let Ok(Ok(revision)) = revision {
                    let _ = app.live.send(Live::Draft(revision));
                }
            }
            if now.1 != seen.1 {
                let _ = app.live.send(Live::Map);
            }
            if now.2 != seen.2 {
                let _ = app.live.send(Live::Layout);
            }
            if now.3 != seen.3 {
                let _ = app.live.send(Live::Chat);
            }
            seen = now;
        }
    })
}

/// `GET /api/events`: the stream of live updates, ended when the server stops.
pub(crate) async fn events(
    State(app): State<Arc<App>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = app.live.subscribe();
    let stopping = app.stopping.subscribe();
    let stream = futures_util::stream::unfold(
        (receiver, stopping),
        |(mut receiver, mut stopping)| async move {
            if *stopping.borrow() {
                return None;
            }
            let next = tokio::select! {
                next = receiver.recv() => next,
                _ = stopping.changed() => return None,
            };
            let event = match next {
                Ok(Live::Draft(revision)) => Event::default()
                    .event("draft")
                    .data(format!("{{\"revision\":{revision}}}")),
                Ok(Live::Map) => Event::default().event("map").data("{}"),
                Ok(Live::Layout) => Event::default().event("layout").data("{}"),
                Ok(Live::Chat) => Event::default().event("chat").data("{}"),
                // Missed some: the page refetches everything, which is what both events ask.
                Err(RecvError::Lagged(_)) => Event::default().event("draft").data("{}"),
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(event), (receiver, stopping)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
