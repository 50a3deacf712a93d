//! `gen workbench`: the browser editor over one draft — canvas and chat on the same journaled
//! session, a live project map — served on 127.0.0.1 until interrupted.

use crate::report::{Exit, UserError};
use crate::terminal::errln;
use clap::Args;
use gen_agent::{Agent, Builtin, ModelAgent};
use gen_server::{Kind, Options};
use gen_session::{BlueprintName, DraftName, TOPOLOGY};
use gen_workspace::Workspace;
use miette::Result;
use std::io::Write as _;
use std::sync::Arc;

/// Who answers in the chat panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum AgentKind {
    /// Short commands ("add step Deploy after Build"), offline.
    Builtin,
    /// Any OpenAI-compatible endpoint (--model, --base-url, the key in OPENAI_API_KEY).
    Openai,
    /// Bedrock's Converse API (--model is the model id; the standard AWS credentials).
    Bedrock,
}

/// `gen workbench`
#[derive(Debug, Args)]
pub(crate) struct WorkbenchArgs {
    /// The draft to edit (created when missing; `gen draft list` shows them).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["topology", "blueprint"])]
    pub name: Option<String>,
    /// Edit the workspace's graph topology (saved back only when `gen validate` passes).
    #[arg(long, conflicts_with = "blueprint")]
    pub topology: bool,
    /// Edit a saved blueprint (.ai-workspace/blueprints/NAME.json).
    #[arg(long, value_name = "NAME")]
    pub blueprint: Option<String>,
    /// The port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 4870)]
    pub port: u16,
    /// Do not open a browser.
    #[arg(long)]
    pub no_open: bool,
    /// Who answers in the chat panel.
    #[arg(long, value_enum, default_value = "builtin")]
    pub agent: AgentKind,
    /// The model the agent asks (with openai or bedrock).
    #[command(flatten)]
    pub model: super::evaluate::ModelArgs,
}

fn name(text: &str) -> Result<DraftName> {
    DraftName::parse(text).map_err(|e| {
        UserError::new(
            e.to_string(),
            "draft names are letters, digits, `_`, `.`, `-` (at most 64)",
        )
        .into()
    })
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &WorkbenchArgs) -> Result<Exit> {
    let (draft, kind) = if args.topology {
        if !ws.dir.join(TOPOLOGY).is_file() {
            return Err(UserError::new(
                format!("this workspace has no {TOPOLOGY}"),
                "run `gen init` to start one, or edit a draft: `gen workbench --name NAME`",
            )
            .into());
        }
        (name("topology")?, Kind::Topology)
    } else if let Some(blueprint) = &args.blueprint {
        let b = BlueprintName::parse(blueprint).map_err(|e| {
            UserError::new(
                e.to_string(),
                "see .ai-workspace/blueprints/ for the saved ones",
            )
        })?;
        (name(&format!("blueprint-{blueprint}"))?, Kind::Blueprint(b))
    } else {
        (
            name(args.name.as_deref().unwrap_or("default"))?,
            Kind::Draft,
        )
    };
    let agent: Arc<dyn Agent> = match args.agent {
        AgentKind::Builtin => Arc::new(Builtin),
        AgentKind::Openai => {
            let endpoint = args.model.endpoint("--agent openai")?;
            Arc::new(ModelAgent::new(Arc::new(endpoint), "openai"))
        }
        AgentKind::Bedrock => Arc::new(ModelAgent::new(
            args.model.bedrock("--agent bedrock")?,
            "bedrock",
        )),
    };
    let options = Options {
        workspace: ws.clone(),
        name: draft,
        kind,
        agent,
        log: Arc::new(|line: &str| errln!("{}", crate::terminal::safe(line))),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| UserError::new(format!("cannot start the server: {e}"), "try again"))?;
    runtime.block_on(async {
        let bound = gen_server::bind(options, args.port).await.map_err(|e| {
            UserError::new(
                e.to_string(),
                "pick another port with --port, or --port 0 for any free one",
            )
        })?;
        let url = bound.url();
        // The first line of stdout is the contract scripts rely on: print it, flush it, then serve.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "Workbench: {url}")
            .and_then(|()| stdout.flush())
            .map_err(|e| {
                UserError::new(format!("cannot write to stdout: {e}"), "check the terminal")
            })?;
        drop(stdout);
        errln!("Serving until Ctrl-C. The address holds this run's token: share it with no one.");
        if !args.no_open {
            open_browser(&url);
        }
        bound
            .serve(stopped())
            .await
            .map_err(|e| UserError::new(e.to_string(), "start it again"))?;
        Ok::<(), miette::Report>(())
    })?;
    Ok(Exit::Success)
}

/// Resolves on SIGINT or SIGTERM.
async fn stopped() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Best effort: the URL is printed either way.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
