// A library says nothing: the binary decides what goes to the terminal (through `Options::log`).
#![cfg_attr(
    not(test),
    deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)
)]
//! The workbench server: one draft session (the journaled drafts of `gen draft`), its HTTP API,
//! live updates and chat agents, with the web UI embedded. It binds 127.0.0.1 only, wants a per-run
//! token on every API request, refuses foreign Hosts (DNS rebinding) and foreign Origins on
//! mutations (CSRF), caps bodies and times requests out.
//!
//! Every edit — canvas, chat, undo, a `gen draft apply` in a terminal — goes through the session's
//! journal under its lock, so every view shows the same draft and revision, and a crash or restart
//! loses nothing. The contract is `docs/workbench-api.md`.

mod api;
mod chat;
mod guard;
mod live;
mod state;
mod ui;

pub use state::{Kind, Options};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The port is taken or not ours to bind.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// Why.
        source: std::io::Error,
    },
    /// The draft could not be opened or created.
    #[error(transparent)]
    Draft(#[from] gen_session::DraftError),
    /// Serving failed.
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

/// A bound server, not yet serving: its address and token are known, so the caller can print
/// them before the first request can arrive.
pub struct Bound {
    listener: TcpListener,
    app: Arc<state::App>,
}

impl Bound {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.app.addr
    }

    /// The URL that logs a browser in (the token goes into a cookie, then out of the address bar).
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", self.app.addr, self.app.token)
    }

    /// The token (for tests and scripts: `Authorization: Bearer …`).
    pub fn token(&self) -> &str {
        &self.app.token
    }

    /// Serves until `shutdown` resolves, then ends every live stream and returns.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let app = self.app.clone();
        let watcher = live::watch(app.clone());
        let router: Router = api::router(app.clone());
        let stop = app.clone();
        let result = axum::serve(self.listener, router)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Live streams never end by themselves: tell them to, so the graceful shutdown
                // does not wait on them forever.
                stop.stopping.send_replace(true);
            })
            .await
            .map_err(ServerError::Serve);
        app.stopping.send_replace(true);
        watcher.abort();
        result
    }
}

/// Opens (or creates) the session the options name and binds 127.0.0.1:`port` (0: any free port).
pub async fn bind(options: Options, port: u16) -> Result<Bound, ServerError> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| ServerError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServerError::Bind { port, source })?;
    let app = tokio::task::spawn_blocking(move || state::App::open(options, addr))
        .await
        .map_err(|e| ServerError::Serve(std::io::Error::other(e)))??;
    Ok(Bound {
        listener,
        app: Arc::new(app),
    })
}
