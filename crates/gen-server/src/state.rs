//! What the server holds: the workspace, the one draft it serves, the agent, the token, and the
//! channels of live updates.

use std::net::SocketAddr;
use std::sync::Arc;

use gen_agent::Agent;
use gen_session::{BlueprintName, DraftName, Drafts, Session, open_blueprint, open_topology};
use gen_workbench::{Draft, Layout};
use gen_workspace::Workspace;
use tokio::sync::{broadcast, watch};

use crate::ServerError;

/// Which draft the workbench edits and where Save writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A plain draft; Save writes the blueprint of the same name.
    Draft,
    /// The workspace's graph topology; Save writes it back only when the configs still validate.
    Topology,
    /// A saved blueprint; Save writes it back.
    Blueprint(BlueprintName),
}

impl Kind {
    /// How the API names it.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Kind::Draft => "draft",
            Kind::Topology => "topology",
            Kind::Blueprint(_) => "blueprint",
        }
    }
}

/// How to start the server.
pub struct Options {
    /// The workspace.
    pub workspace: Workspace,
    /// The draft session to serve (created, or opened from the topology/blueprint, when missing).
    pub name: DraftName,
    /// What the draft is.
    pub kind: Kind,
    /// Who answers chat messages.
    pub agent: Arc<dyn Agent>,
    /// Where the server's diagnostics go (refused agent output, failed requests): never the token,
    /// never a key.
    pub log: Arc<dyn Fn(&str) + Send + Sync>,
}

/// A live update, as the browser's event stream names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Live {
    /// The draft changed (from anywhere): its new revision.
    Draft(u64),
    /// The event log changed: the project map and status are stale.
    Map,
    /// Node positions changed (a drag or auto layout in another tab).
    Layout,
    /// The conversation grew (a chat turn in another tab).
    Chat,
}

/// The running server's state.
pub(crate) struct App {
    pub workspace: Workspace,
    pub drafts: Drafts,
    pub name: DraftName,
    pub kind: Kind,
    pub agent: Arc<dyn Agent>,
    pub log: Arc<dyn Fn(&str) + Send + Sync>,
    pub token: String,
    pub addr: SocketAddr,
    pub live: broadcast::Sender<Live>,
    pub stopping: watch::Sender<bool>,
    /// One chat turn at a time: a turn reads the draft, asks the agent and applies; two at once
    /// would each edit a draft the other is changing.
    pub chat_turn: tokio::sync::Mutex<()>,
}

impl App {
    pub(crate) fn open(options: Options, addr: SocketAddr) -> Result<App, ServerError> {
        let drafts = Drafts::new(&options.workspace.dir);
        if !drafts.exists(&options.name) {
            match &options.kind {
                Kind::Draft => {
                    let draft = Draft::new(options.name.as_str(), "")
                        .map_err(|r| ServerError::Serve(std::io::Error::other(r.to_string())))?;
                    drafts.create(&options.name, draft, &Layout::default())?;
                }
                Kind::Topology => {
                    let (draft, base) = open_topology(&options.workspace.dir)?;
                    drafts.open(&options.name, draft, &Layout::default())?;
                    drafts.set_topology_base(&options.name, &base)?;
                }
                Kind::Blueprint(blueprint) => {
                    let file = open_blueprint(&options.workspace.dir, blueprint)?;
                    drafts.open(&options.name, file.draft, &file.layout)?;
                }
            }
        }
        let (live, _) = broadcast::channel(64);
        let (stopping, _) = watch::channel(false);
        Ok(App {
            workspace: options.workspace,
            drafts,
            name: options.name,
            kind: options.kind,
            agent: options.agent,
            log: options.log,
            token: token(),
            addr,
            live,
            stopping,
            chat_turn: tokio::sync::Mutex::new(()),
        })
    }

    /// The session as it is on disk now.
    pub(crate) fn session(&self) -> Result<Session, gen_session::DraftError> {
        self.drafts.load(&self.name)
    }
}

/// 244 random bits, hex: two v4 UUIDs (the OS's random source, through `uuid`).
fn token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}
