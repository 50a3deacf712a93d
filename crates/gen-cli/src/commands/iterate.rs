//! `gen iterate --feature F [--edge E]`: run one edge of the graph for real — construct (a user's
//! generator command, or nothing), evaluate, repeat until the edge converges, a person's decision is
//! awaited, or the iteration budget is spent. The vector's trajectory is refreshed afterwards the way
//! `gen features --write` does it. Models as constructors and judges come next
//! (`docs/iterate-plan.md`).

use super::evaluate::{Lines, Target, confirm, target};
use crate::report::{Exit, UserError};
use crate::terminal::{errln, outln, quiet, safe};
use clap::{Args, ValueEnum};
use gen_core::iterate::events::Scope;
use gen_iterate::{Constructor, Limits, RunOutcome, RunRequest};
use gen_workspace::{Project, Workspace, refresh_vector_file};
use miette::Result;
use std::time::Duration;

/// What writes the asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ConstructorArg {
    /// Nothing: only evaluate, iteration after iteration.
    None,
    /// `--constructor-command CMD`: a generator run before each evaluation (GEN_FAILURES_FILE holds
    /// the last iteration's required failures).
    Command,
    /// A model behind an OpenAI-compatible endpoint (--model, --base-url, the key in OPENAI_API_KEY)
    /// writes whole files, with the last iteration's failures as feedback.
    Openai,
    /// The same with Bedrock's Converse (--model is the model id; --region, --aws-profile).
    Bedrock,
}

/// `gen iterate`
#[derive(Debug, Args)]
pub(crate) struct IterateArgs {
    /// What to run, and how commands run.
    #[command(flatten)]
    pub edge: super::evaluate::EdgeArgs,
    /// Iterations this run may take (default: the edge's `convergence.max_iterations`, else 5).
    #[arg(long, value_name = "N")]
    pub max_iterations: Option<u32>,
    /// What writes the asset before each evaluation.
    #[arg(long, value_enum, default_value = "none")]
    pub constructor: ConstructorArg,
    /// The generator for `--constructor command`, run with `sh -c` in the project root.
    #[arg(long, value_name = "CMD")]
    pub constructor_command: Option<String>,
    /// Stop before an iteration once the models have cost this much (USD; needs --price-in/--price-out).
    #[arg(long, value_name = "USD")]
    pub budget_usd: Option<f64>,
    /// Who judges agent checks.
    #[command(flatten)]
    pub judge: super::evaluate::JudgeArgs,
}

/// What `gen iterate --json` prints.
#[derive(serde::Serialize)]
struct Report<'a> {
    feature: &'a str,
    edge: &'a str,
    #[serde(flatten)]
    run: &'a gen_iterate::Iterated,
}

/// The edge's own budget (`convergence.max_iterations` in its parameters), if it sets one.
fn edge_budget(project: &Project, edge: &str) -> Option<u32> {
    let topology = project.config.topology.as_ref()?;
    let transition = topology.transitions.iter().find(|t| t.edge_id() == edge)?;
    let params = project.config.edge_params_for(transition)?;
    params
        .convergence
        .as_ref()?
        .get("max_iterations")?
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
}

/// Where the edge's parameters let a constructor write (`construct: {outputs: [...]}`).
fn construct_outputs(project: &Project, edge: &str) -> Vec<String> {
    let Some(topology) = project.config.topology.as_ref() else {
        return Vec::new();
    };
    let Some(params) = topology
        .transitions
        .iter()
        .find(|t| t.edge_id() == edge)
        .and_then(|t| project.config.edge_params_for(t))
    else {
        return Vec::new();
    };
    params
        .root
        .get("construct")
        .and_then(|c| c.get("outputs"))
        .and_then(|o| o.to_json().as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &IterateArgs, json: bool) -> Result<Exit> {
    let constructor = match (args.constructor, &args.constructor_command) {
        (ConstructorArg::Command, Some(cmd)) if !cmd.trim().is_empty() => {
            Constructor::Command(cmd.clone())
        }
        (ConstructorArg::Command, _) => {
            return Err(UserError::new(
                "--constructor command needs --constructor-command CMD",
                "give the generator to run before each evaluation",
            )
            .into());
        }
        (ConstructorArg::None, Some(_)) => {
            return Err(UserError::new(
                "--constructor-command is for --constructor command",
                "add --constructor command, or drop --constructor-command",
            )
            .into());
        }
        (ConstructorArg::None, None) => Constructor::None,
        (ConstructorArg::Openai, None) => Constructor::Model(std::sync::Arc::new(
            args.judge.model.endpoint("--constructor openai")?,
        )),
        (ConstructorArg::Bedrock, None) => {
            Constructor::Model(args.judge.model.bedrock("--constructor bedrock")?)
        }
        (ConstructorArg::Openai | ConstructorArg::Bedrock, Some(_)) => {
            return Err(UserError::new(
                "--constructor-command is for --constructor command",
                "drop --constructor-command",
            )
            .into());
        }
    };
    let Target {
        project,
        edge,
        checks,
        asset,
        next_iteration,
    } = target(
        ws,
        &args.edge.feature,
        args.edge.edge.as_deref(),
        args.edge.asset.as_deref(),
    )?;
    let max_iterations = args
        .max_iterations
        .or_else(|| edge_budget(&project, &edge))
        .unwrap_or(5);
    if max_iterations == 0 {
        return Err(UserError::new("--max-iterations is 0", "give at least 1").into());
    }
    let extra: Vec<&str> = match &constructor {
        Constructor::Command(c) => vec![c.as_str()],
        Constructor::None | Constructor::Model(_) => Vec::new(),
    };
    let judge = args.judge.build(asset.as_deref())?;
    let price = args.judge.model.price()?;
    if args.budget_usd.is_some() && price.is_none() {
        return Err(UserError::new(
            "--budget-usd needs the model's price: --price-in and --price-out (USD per million tokens)",
            "give both, e.g. --price-in 0.15 --price-out 0.6",
        )
        .into());
    }
    confirm(ws, &checks, &extra, args.edge.yes)?;
    let env_remove = super::evaluate::secret_vars(&args.judge.model);
    let env_remove: Vec<&str> = env_remove.iter().map(String::as_str).collect();
    let agent = super::agent_id(args.edge.agent.as_deref());
    super::evaluate::record_gaps(ws, &project, &agent)?;
    let request = RunRequest {
        scope: Scope {
            project: project.name(),
            agent,
            feature: args.edge.feature.clone(),
            edge: edge.clone(),
        },
        asset: asset.as_deref(),
        first_iteration: next_iteration,
        max_iterations,
        constructor,
        limits: Limits::for_stall(Duration::from_secs(args.edge.fd_timeout.max(1))),
        env_remove: &env_remove,
        judge: judge.as_ref().map(|j| j as &dyn gen_iterate::Judge),
        price,
        budget_usd: args.budget_usd,
        outputs: construct_outputs(&project, &edge),
    };
    if !quiet() && !json {
        errln!(
            "iterating {} on {} (up to {max_iterations} iteration(s), {} checks)",
            safe(&args.edge.feature),
            edge,
            checks.len()
        );
    }
    let done = gen_iterate::iterate(ws, &checks, &request, &mut Lines)
        .map_err(super::evaluate::run_failed)?;
    refresh_trajectory(ws, &args.edge.feature);
    if json {
        super::print_json(&Report {
            feature: &args.edge.feature,
            edge: &edge,
            run: &done,
        })?;
    } else {
        outln!("iteration  delta  status          passed  failed  skipped  pending");
        for it in &done.iterations {
            let e = &it.evaluation;
            outln!(
                "{:>9}  {:>5}  {:<14}  {:>6}  {:>6}  {:>7}  {:>7}",
                it.iteration,
                e.delta,
                it.status,
                e.passed,
                e.failed,
                e.skipped,
                e.pending
            );
        }
        let verdict = match done.outcome {
            RunOutcome::Converged => "converged".to_string(),
            RunOutcome::AwaitingHuman => {
                "waiting for a person: `gen review list` shows the check".to_string()
            }
            RunOutcome::Abandoned
                if args
                    .budget_usd
                    .is_some_and(|b| done.cost_usd.is_some_and(|c| c >= b)) =>
            {
                format!(
                    "not converged after {} iteration(s): the budget of ${:.4} is spent (abandoned)",
                    done.iterations.len(),
                    args.budget_usd.unwrap_or_default()
                )
            }
            RunOutcome::Abandoned => format!(
                "not converged after {} iteration(s): abandoned",
                done.iterations.len()
            ),
            RunOutcome::Spawned => format!(
                "stuck (the same delta three times): started {} to find out why ({})",
                done.spawned
                    .as_ref()
                    .map_or("a discovery vector", |c| c.feature.as_str()),
                done.spawned.as_ref().map_or("", |c| c.path.as_str()),
            ),
        };
        outln!("{} on {}: {verdict}", safe(&args.edge.feature), edge);
        if done.input_tokens + done.output_tokens > 0 {
            outln!(
                "model tokens: {} in, {} out{}",
                done.input_tokens,
                done.output_tokens,
                done.cost_usd
                    .map(|c| format!("; cost ${c:.4}"))
                    .unwrap_or_default()
            );
        }
        if let Some(last) = done.iterations.last() {
            super::evaluate::print_failures(&last.checks);
        }
    }
    Ok(match done.outcome {
        RunOutcome::Converged => Exit::Success,
        RunOutcome::AwaitingHuman => Exit::AwaitingHuman,
        // A spawn is not a green edge: the edge waits for the discovery.
        RunOutcome::Abandoned | RunOutcome::Spawned => Exit::Refused,
    })
}

/// Splices the run's progress into the feature's vector, as `gen features --write` does; a vector
/// that cannot be refreshed safely is left as it is (and `gen features` says why).
fn refresh_trajectory(ws: &Workspace, feature: &str) {
    let project = Project::load_for_status(ws);
    let Ok(view) = project.status(false, crate::report::status_see_also()) else {
        return;
    };
    let Some(status) = view.report.features.iter().find(|f| f.feature == feature) else {
        return;
    };
    let Some(file) = project
        .vectors
        .files
        .iter()
        .find(|v| v.vector.feature == feature)
    else {
        return;
    };
    let scope = gen_core::projection::Scope {
        include_history: false,
        topology: project.config.topology.as_ref(),
    };
    if let Err(e) = refresh_vector_file(file, status, scope, true) {
        errln!("warning: the vector was not refreshed: {e}");
    }
}
