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
    /// Who answers in the chat panel (default: `agent:` in .ai-workspace/workbench/agent.yml, else builtin).
    #[arg(long, value_enum)]
    pub agent: Option<AgentKind>,
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
    let config = AgentConfig::read(ws)?;
    let mut model = args.model.clone();
    config.fill(&mut model);
    let who = args.agent.or(config.agent).unwrap_or(AgentKind::Builtin);
    let agent: Arc<dyn Agent> = match who {
        AgentKind::Builtin => Arc::new(Builtin),
        AgentKind::Openai => {
            let endpoint = model.endpoint("--agent openai")?;
            Arc::new(ModelAgent::new(Arc::new(endpoint), "openai"))
        }
        AgentKind::Bedrock => Arc::new(ModelAgent::new(
            model.bedrock("--agent bedrock")?,
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

/// `.ai-workspace/workbench/agent.yml`: the team's choice of chat agent, so nobody has to remember the
/// flags. Flags and the environment win over it. It never holds a key: only the name of the variable
/// that does (`api_key_env`); a file with a key in it is refused.
#[derive(Debug, Default)]
struct AgentConfig {
    agent: Option<AgentKind>,
    model: Option<String>,
    base_url: Option<String>,
    api_key_env: Option<String>,
    region: Option<String>,
    aws_profile: Option<String>,
}

const AGENT_CONFIG: &str = "workbench/agent.yml";

impl AgentConfig {
    fn read(ws: &Workspace) -> Result<AgentConfig> {
        let path = ws.dir.join(AGENT_CONFIG);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AgentConfig::default()),
            Err(e) => {
                return Err(UserError::new(
                    format!("cannot read {AGENT_CONFIG}: {e}"),
                    "fix its permissions, or remove it",
                )
                .into());
            }
        };
        let file = gen_core::config::SourceFile::new(AGENT_CONFIG, text);
        let root = gen_core::config::yaml::load_mapping(&file)
            .map_err(|d| UserError::new(d.to_string(), "fix the YAML of the agent config"))?
            .root;
        let mut config = AgentConfig::default();
        for entry in root.entries().unwrap_or_default() {
            let at = format!(
                "{AGENT_CONFIG}:{}:{}",
                entry.key_pos.line, entry.key_pos.column
            );
            let text = || {
                entry.value.scalar_text().ok_or_else(|| {
                    UserError::new(
                        format!("{at}: `{}` must be a string", entry.key),
                        "e.g. model: gpt-4o-mini",
                    )
                })
            };
            match entry.key.as_str() {
                "agent" => {
                    let value = text()?;
                    config.agent = Some(
                        <AgentKind as clap::ValueEnum>::from_str(&value, true).map_err(|_| {
                            UserError::new(
                                format!("{at}: unknown agent `{value}`"),
                                "agent: builtin, openai or bedrock",
                            )
                        })?,
                    );
                }
                "model" => config.model = Some(text()?),
                "base_url" => config.base_url = Some(text()?),
                "api_key_env" => config.api_key_env = Some(text()?),
                "region" => config.region = Some(text()?),
                "aws_profile" => config.aws_profile = Some(text()?),
                key if key.contains("key") || key.contains("secret") || key.contains("token") => {
                    return Err(UserError::new(
                        format!("{at}: `{key}` looks like a secret; keys never go into workspace files"),
                        "remove it, put the key in an environment variable and name that variable with `api_key_env:`",
                    )
                    .into());
                }
                other => {
                    return Err(UserError::new(
                        format!("{at}: unknown key `{other}`"),
                        "known keys: agent, model, base_url, api_key_env, region, aws_profile",
                    )
                    .into());
                }
            }
        }
        Ok(config)
    }

    /// Fills what neither a flag nor the environment gave.
    fn fill(&self, model: &mut super::evaluate::ModelArgs) {
        let from_env = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
        if model.model.is_none() {
            model.model = self.model.clone();
        }
        if let Some(url) = &self.base_url
            && !from_env("OPENAI_BASE_URL")
            && model.base_url == super::evaluate::DEFAULT_BASE_URL
        {
            model.base_url = url.clone();
        }
        if let Some(var) = &self.api_key_env
            && model.api_key_env == super::evaluate::DEFAULT_API_KEY_ENV
        {
            model.api_key_env = var.clone();
        }
        if model.region.is_none() {
            model.region = self.region.clone();
        }
        if model.aws_profile.is_none() {
            model.aws_profile = self.aws_profile.clone();
        }
    }
}
