//! `gen evaluate --feature F [--edge E]`: one evaluation of an edge's checklist for real — the
//! deterministic checks run their commands in the project root, human checks wait for a person —
//! with the iteration's events in the log (reference §1.5–1.9). The first step of `gen iterate`;
//! `docs/iterate-plan.md` says what follows (models, the loop, reviews).

use crate::report::{Exit, UserError};
use crate::terminal::{errln, outln, quiet, safe};
use clap::Args;
use gen_core::iterate::{CheckKind, CheckResult, ResolvedCheck, events::Scope, resolve_checklist};
use gen_iterate::{Limits, Observer, Request};
use gen_workspace::{Project, Workspace};
use miette::Result;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// `gen evaluate`
#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    /// What to evaluate, and how commands run.
    #[command(flatten)]
    pub edge: EdgeArgs,
    /// Who judges agent checks.
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// The flags `evaluate` and `iterate` share: which feature, edge and asset, and how commands run.
#[derive(Debug, Args)]
pub(crate) struct EdgeArgs {
    /// The feature.
    #[arg(long)]
    pub feature: String,
    /// The edge (any spelling: `code↔unit_tests`, `code<->unit_tests`); default: the feature's next one.
    #[arg(long)]
    pub edge: Option<String>,
    /// The asset, relative to the project root (its hash keys human decisions; judges read it).
    #[arg(long, value_name = "PATH")]
    pub asset: Option<PathBuf>,
    /// Run the commands without asking (CI); otherwise new commands are shown and confirmed once per workspace.
    #[arg(long)]
    pub yes: bool,
    /// Seconds a command may print nothing before it is stopped as hung.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub fd_timeout: u64,
    /// Who writes the events (default: GEN_AGENT_ID, then USER).
    #[arg(long)]
    pub agent: Option<String>,
}

/// Who judges agent checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum JudgeKind {
    /// Agent checks are skipped, and say so.
    Skip,
    /// Any OpenAI-compatible endpoint (--model, --base-url, the key in OPENAI_API_KEY).
    Openai,
    /// Bedrock's Converse API (--model is the model id; --region, --aws-profile; the standard AWS
    /// credentials).
    Bedrock,
}

/// The judge's flags, shared by `evaluate` and `iterate`.
#[derive(Debug, Args)]
pub(crate) struct JudgeArgs {
    /// Who judges agent checks.
    #[arg(long, value_enum, default_value = "skip")]
    pub judge: JudgeKind,
    /// The model it asks.
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The endpoint asked when neither a flag, the environment nor a config names one.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// The variable the key is read from by default.
pub(crate) const DEFAULT_API_KEY_ENV: &str = "OPENAI_API_KEY";

/// Which model to ask and how: shared by the judge, the constructor and the workbench's agent.
#[derive(Debug, Clone, Args)]
pub(crate) struct ModelArgs {
    /// The model's name (the Bedrock model id with bedrock).
    #[arg(long, env = "GEN_MODEL")]
    pub model: Option<String>,
    /// The endpoint's base URL.
    #[arg(
        long,
        env = "OPENAI_BASE_URL",
        default_value = DEFAULT_BASE_URL,
        value_name = "URL"
    )]
    pub base_url: String,
    /// The variable that holds the API key (keys are never flags: they stay out of shell history).
    #[arg(long, default_value = DEFAULT_API_KEY_ENV, value_name = "VAR")]
    pub api_key_env: String,
    /// Seconds each model request may take.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub request_timeout: u64,
    /// With bedrock: the AWS region (default: AWS_REGION or the profile's).
    #[arg(long)]
    pub region: Option<String>,
    /// With bedrock: the AWS credentials profile (default: AWS_PROFILE).
    #[arg(long)]
    pub aws_profile: Option<String>,
    /// With bedrock: another Bedrock runtime endpoint (default: AWS's, or AWS_ENDPOINT_URL_BEDROCK_RUNTIME).
    #[arg(long, value_name = "URL")]
    pub bedrock_endpoint_url: Option<String>,
    /// The model's price per million prompt tokens, in USD (for the cost in events and the summary).
    #[arg(long, value_name = "USD")]
    pub price_in: Option<f64>,
    /// The model's price per million completion tokens, in USD.
    #[arg(long, value_name = "USD")]
    pub price_out: Option<f64>,
}

impl ModelArgs {
    /// The price the flags give (both or neither), or why they do not make one.
    pub(crate) fn price(&self) -> Result<Option<gen_core::iterate::events::Price>> {
        match (self.price_in, self.price_out) {
            (None, None) => Ok(None),
            (Some(i), Some(o)) if i >= 0.0 && o >= 0.0 && i.is_finite() && o.is_finite() => {
                Ok(Some(gen_core::iterate::events::Price {
                    input_per_mtok: i,
                    output_per_mtok: o,
                }))
            }
            _ => Err(UserError::new(
                "--price-in and --price-out go together, as USD per million tokens (≥ 0)",
                "give both, e.g. --price-in 0.15 --price-out 0.6",
            )
            .into()),
        }
    }

    /// The endpoint the flags name (`--model`, `--base-url`, the key's variable, the timeout).
    pub(crate) fn endpoint(&self, who: &str) -> Result<gen_model::OpenAiCompatible> {
        let model = self.model.clone().ok_or_else(|| {
            UserError::new(
                format!("{who} needs --model (or GEN_MODEL)"),
                "name the model to ask",
            )
        })?;
        let key = std::env::var(&self.api_key_env)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .map(gen_model::Secret::new);
        let mut endpoint = gen_model::OpenAiCompatible::new(&self.base_url, &model, key);
        endpoint.timeout = Duration::from_secs(self.request_timeout.max(1));
        Ok(endpoint)
    }

    /// Bedrock's Converse with the flags' model id, region, profile and endpoint.
    #[cfg(feature = "aws")]
    pub(crate) fn bedrock(&self, who: &str) -> Result<std::sync::Arc<dyn gen_model::ChatModel>> {
        let model_id = self.model.clone().ok_or_else(|| {
            UserError::new(
                format!("{who} needs --model (the Bedrock model id, or GEN_MODEL)"),
                "e.g. --model anthropic.claude-3-5-haiku-20241022-v1:0",
            )
        })?;
        let converse = gen_model_bedrock::Converse::open(&gen_model_bedrock::Settings {
            model_id,
            region: self.region.clone(),
            profile: self.aws_profile.clone(),
            endpoint_url: self.bedrock_endpoint_url.clone(),
            timeout: Duration::from_secs(self.request_timeout.max(1)),
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
        })
        .map_err(|e| {
            UserError::new(
                e.to_string(),
                "check --region, --aws-profile and the AWS credentials",
            )
        })?;
        Ok(std::sync::Arc::new(converse))
    }

    /// Without the `aws` feature there is no Bedrock.
    #[cfg(not(feature = "aws"))]
    pub(crate) fn bedrock(&self, _who: &str) -> Result<std::sync::Arc<dyn gen_model::ChatModel>> {
        Err(UserError::new(
            "this gen was built without AWS (cargo feature `aws`): no Bedrock",
            "use a gen built with default features, or --judge openai",
        )
        .into())
    }
}

impl JudgeArgs {
    /// The judge the flags ask for, or why it cannot be built.
    pub(crate) fn build(
        &self,
        asset: Option<&std::path::Path>,
    ) -> Result<Option<gen_iterate::ModelJudge>> {
        if self.judge == JudgeKind::Skip {
            return Ok(None);
        }
        if asset.is_none() {
            return Err(UserError::new(
                "a model judge needs --asset: the judge reads what it judges",
                "give the asset the edge produces, relative to the project root",
            )
            .into());
        }
        let model: std::sync::Arc<dyn gen_model::ChatModel> = match self.judge {
            JudgeKind::Bedrock => self.model.bedrock("--judge bedrock")?,
            _ => std::sync::Arc::new(self.model.endpoint("--judge openai")?),
        };
        Ok(Some(gen_iterate::ModelJudge { model }))
    }
}

/// Live lines on stderr, one per check as it ends.
pub(crate) struct Lines;

impl Observer for Lines {
    fn check_started(&mut self, _: &ResolvedCheck) {}
    fn check_finished(&mut self, r: &CheckResult) {
        if !quiet() {
            errln!(
                "  {:<28} {:<8} {:>7}",
                safe(&r.name),
                outcome_word(r),
                format!("{:.1}s", r.duration_ms as f64 / 1000.0)
            );
        }
    }
}

fn outcome_word(r: &CheckResult) -> &'static str {
    match r.outcome {
        gen_core::iterate::Outcome::Pass => "pass",
        gen_core::iterate::Outcome::Fail => "FAIL",
        gen_core::iterate::Outcome::Error => "ERROR",
        gen_core::iterate::Outcome::Skip => "skip",
        gen_core::iterate::Outcome::Pending => "pending",
    }
}

/// What `gen evaluate --json` prints.
#[derive(serde::Serialize)]
struct Report<'a> {
    feature: &'a str,
    edge: &'a str,
    #[serde(flatten)]
    evaluated: &'a gen_iterate::Evaluated,
}

/// One line per check that failed or erred: its outcome, name, and the first line of its message.
pub(crate) fn print_failures(checks: &[CheckResult]) {
    for c in checks.iter().filter(|c| {
        matches!(
            c.outcome,
            gen_core::iterate::Outcome::Fail | gen_core::iterate::Outcome::Error
        )
    }) {
        let first = c
            .message
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        outln!(
            "  {} {}{}: {}",
            outcome_word(c),
            safe(&c.name),
            if c.required { "" } else { " (not required)" },
            safe(first)
        );
    }
}

/// Records the runs an earlier session left open before a new one starts, and says so.
pub(crate) fn record_gaps(ws: &Workspace, project: &Project, agent: &str) -> Result<()> {
    let gaps = gen_iterate::record_session_gaps(ws, &project.name(), agent).map_err(|e| {
        UserError::new(
            e.to_string(),
            "check events/events.jsonl and the folder's permissions",
        )
    })?;
    if !gaps.is_empty() && !quiet() {
        errln!(
            "recorded {} run(s) an earlier session left open as abandoned",
            gaps.len()
        );
    }
    Ok(())
}

/// The words for an evaluation or a run that stopped on an error.
pub(crate) fn run_failed(e: gen_iterate::EvaluateError) -> UserError {
    UserError::new(
        e.to_string(),
        "what was written so far stays in the log; fix that and run again",
    )
}

/// Variables a check's or generator's command never sees: model and cloud keys.
pub(crate) fn secret_vars(judge: &ModelArgs) -> Vec<String> {
    let mut vars: Vec<String> = [
        "OPENAI_API_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ]
    .map(String::from)
    .to_vec();
    if !vars.contains(&judge.api_key_env) {
        vars.push(judge.api_key_env.clone());
    }
    vars
}

/// Commands the user has allowed to run in this workspace (their SHA-256s).
fn approvals_path(ws: &Workspace) -> PathBuf {
    ws.dir.join(".gen").join("approved-commands.json")
}

fn command_key(command: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(command.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Shows the commands not run here before — the checks' and `extra` (a constructor's) — and asks
/// (or takes `--yes`); records the answer.
pub(crate) fn confirm(
    ws: &Workspace,
    checks: &[ResolvedCheck],
    extra: &[&str],
    yes: bool,
) -> Result<()> {
    let path = approvals_path(ws);
    let mut approved: Vec<String> = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let new: Vec<&str> = checks
        .iter()
        .filter(|c| c.kind == CheckKind::Deterministic && c.unresolved.is_empty())
        .filter_map(|c| c.command.as_deref())
        .chain(extra.iter().copied())
        .filter(|c| !approved.contains(&command_key(c)))
        .collect();
    if new.is_empty() {
        return Ok(());
    }
    let listed: String = new.iter().map(|c| format!("\n    {}", safe(c))).collect();
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(UserError::new(
                format!("these check commands have not run in this workspace before:{listed}"),
                "read them, then run again with --yes (or answer the prompt in a terminal)",
            )
            .into());
        }
        errln!(
            "These check commands will run in {}:{listed}",
            ws.root.display()
        );
        errln!("Run them? [y/N] ");
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Err(UserError::new(
                "not confirmed: nothing ran",
                "run again and answer y, or pass --yes",
            )
            .into());
        }
    }
    approved.extend(new.iter().map(|c| command_key(c)));
    let bytes = serde_json::to_vec_pretty(&approved).unwrap_or_default();
    gen_workspace::write_atomic(&path, &bytes)
        .map_err(|e| UserError::new(e.to_string(), "check the workspace folder's permissions"))?;
    Ok(())
}

/// What an evaluation or a run works on, resolved from the flags.
pub(crate) struct Target {
    /// The workspace's loaded configs and vectors.
    pub project: Project,
    /// The canonical edge id.
    pub edge: String,
    /// Its checklist, resolved against the constraints.
    pub checks: Vec<ResolvedCheck>,
    /// The asset, absolute.
    pub asset: Option<PathBuf>,
    /// The number the next iteration on this edge gets.
    pub next_iteration: u32,
}

/// Resolves feature, edge, checklist and asset, or says what is missing.
pub(crate) fn target(
    ws: &Workspace,
    feature: &str,
    edge: Option<&str>,
    asset: Option<&std::path::Path>,
) -> Result<Target> {
    let project = Project::load(ws);
    let Some(topology) = project.config.topology.as_ref() else {
        return Err(UserError::new(
            "this workspace has no graph topology (graph/graph_topology.yml) that parses",
            "`gen validate` shows why; `gen init` writes one",
        )
        .into());
    };
    let view = project
        .status(false, crate::report::status_see_also())
        .map_err(|e| UserError::new(e.to_string(), "check events/events.jsonl"))?;
    let status = view.report.features.iter().find(|f| f.feature == feature);
    let edge = match (edge, status) {
        (Some(raw), _) => topology.resolve_edge(raw).ok_or_else(|| {
            UserError::new(
                format!("the topology has no edge `{}`", safe(raw)),
                format!("edges: {}", topology.edge_ids().join(", ")),
            )
        })?,
        // The first edge of the profile's path not converged yet (reference `select_next_edge`);
        // an edge off the path that is being worked on comes after.
        (None, Some(s)) => s
            .path
            .iter()
            .find(|e| !s.converged_edges.contains(e))
            .cloned()
            .or_else(|| {
                s.current_edge
                    .clone()
                    .filter(|e| !s.converged_edges.contains(e))
            })
            .ok_or_else(|| {
                UserError::new(
                    format!(
                        "{} has converged on every edge of its profile",
                        safe(feature)
                    ),
                    "name one with --edge to evaluate it again",
                )
            })?,
        (None, None) => {
            return Err(UserError::new(
                format!("{} has no vector and no events", safe(feature)),
                "start it with `gen features new ID --title TEXT`, or name the edge with --edge",
            )
            .into());
        }
    };
    let Some(transition) = topology.transitions.iter().find(|t| t.edge_id() == edge) else {
        return Err(
            UserError::new(format!("the topology has no edge `{edge}`"), "check --edge").into(),
        );
    };
    let Some(params) = project.config.edge_params_for(transition) else {
        return Err(UserError::new(
            format!(
                "no edge parameters for {edge} (its edge_config names `{}`)",
                transition.edge_config_file_name().unwrap_or("nothing")
            ),
            "add that file under graph/edge_params/ (`gen validate` lists what is there)",
        )
        .into());
    };
    let checks = resolve_checklist(params, project.config.constraints.as_ref());
    let asset = match asset {
        Some(p) => {
            let full = ws.root.join(p);
            if !full.is_file() {
                return Err(UserError::new(
                    format!("the asset {} is not a file", full.display()),
                    "give --asset a file relative to the project root",
                )
                .into());
            }
            Some(full)
        }
        None => None,
    };
    let next_iteration = status
        .and_then(|s| s.edges.get(&edge))
        .map_or(0, |e| e.iterations)
        + 1;
    Ok(Target {
        project,
        edge,
        checks,
        asset,
        next_iteration,
    })
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &EvaluateArgs, json: bool) -> Result<Exit> {
    let Target {
        project,
        edge,
        checks,
        asset,
        next_iteration: iteration,
    } = target(
        ws,
        &args.edge.feature,
        args.edge.edge.as_deref(),
        args.edge.asset.as_deref(),
    )?;
    let judge = args.judge.build(asset.as_deref())?;
    confirm(ws, &checks, &[], args.edge.yes)?;
    let env_remove = secret_vars(&args.judge.model);
    let agent = super::agent_id(args.edge.agent.as_deref());
    record_gaps(ws, &project, &agent)?;
    let request = Request {
        scope: Scope {
            project: project.name(),
            agent,
            feature: args.edge.feature.clone(),
            edge: edge.clone(),
        },
        iteration,
        asset: asset.as_deref(),
        limits: Limits::for_stall(Duration::from_secs(args.edge.fd_timeout.max(1))),
        env_remove: &env_remove.iter().map(String::as_str).collect::<Vec<_>>(),
        correlation_id: None,
        judge: judge.as_ref().map(|j| j as &dyn gen_iterate::Judge),
        price: args.judge.model.price()?,
        construct_tokens: (0, 0),
    };
    if !quiet() && !json {
        errln!(
            "evaluating {} on {} (iteration {iteration}, {} checks)",
            safe(&args.edge.feature),
            edge,
            checks.len()
        );
    }
    let done = gen_iterate::evaluate(ws, &checks, &request, &mut Lines).map_err(run_failed)?;
    if json {
        super::print_json(&Report {
            feature: &args.edge.feature,
            edge: &edge,
            evaluated: &done,
        })?;
    } else {
        let e = &done.evaluation;
        outln!(
            "{} on {}: {} — delta {} ({} passed, {} failed, {} skipped, {} pending of {})",
            safe(&args.edge.feature),
            edge,
            done.status,
            e.delta,
            e.passed,
            e.failed,
            e.skipped,
            e.pending,
            e.total
        );
        print_failures(&done.checks);
    }
    Ok(match done.status {
        "converged" => Exit::Success,
        "awaiting_human" => Exit::AwaitingHuman,
        _ => Exit::Refused,
    })
}
