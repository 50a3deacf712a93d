//! `gen iterate`'s loop (reference §1.7): construct, evaluate, repeat until the edge converges, a
//! person's decision is awaited, or the iteration budget is spent (abandoned). One run is one
//! correlation: `edge_started` is its root, every iteration points at it, and the run ends with
//! `edge_converged`, `iteration_abandoned`, or — waiting for a human — nothing more.

use crate::evaluate::{EvaluateError, Evaluated, Observer, Request, evaluate};
use crate::runner::{Ended, Limits};
use gen_core::iterate::events::{self, Link, Scope};
use gen_core::iterate::{Outcome, ResolvedCheck};
use gen_workspace::Workspace;
use serde_json::json;
use std::path::Path;

/// What writes or revises the asset before each evaluation.
#[derive(Debug, Clone)]
pub enum Constructor {
    /// Nothing: the loop only evaluates (someone else changes the asset).
    None,
    /// A user's generator, run like a check (`sh -c` in the project root) with the iteration's
    /// context in the environment: `GEN_FEATURE`, `GEN_EDGE`, `GEN_ITERATION`, `GEN_ASSET`,
    /// `GEN_FAILURES_FILE` — the previous iteration's required failures, one `name: message` a line
    /// (empty on the first iteration) — and `GEN_PROMPT_FILE`, the question a model constructor
    /// would be asked.
    Command(String),
    /// A model behind an OpenAI-compatible endpoint: it is shown the edge, the checklist, the asset
    /// and the last iteration's failures, and answers with whole files, which land atomically where
    /// they say — inside the project, never in `.git/` or `.ai-workspace/`, never through a symlink.
    Model(std::sync::Arc<dyn gen_model::ChatModel>),
}

impl Constructor {
    fn name(&self) -> &'static str {
        match self {
            Constructor::None => "none",
            Constructor::Command(_) => "command",
            Constructor::Model(m) => m.kind(),
        }
    }
}

/// Why a construction failed (`fp_failure`'s classification and error).
struct Failed {
    classification: &'static str,
    error: String,
}

/// The first symlink between the project root and `rel`, if any.
fn symlink_on_path(root: &Path, rel: &str) -> Option<String> {
    let mut here = root.to_path_buf();
    for seg in rel.split('/') {
        here.push(seg);
        if std::fs::symlink_metadata(&here).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(here.display().to_string());
        }
    }
    None
}

/// Asks the model for the asset and writes what it answers; the tokens it spent.
fn construct_with_model(
    ws: &Workspace,
    model: &std::sync::Arc<dyn gen_model::ChatModel>,
    req: &RunRequest,
    checks: &[ResolvedCheck],
    iteration: u32,
    failures: &[String],
) -> ((u64, u64), Option<Failed>) {
    let context = format!(
        "You write or revise one asset of an AI-assisted software process.\nFeature: {}\nEdge: {}\nIteration: {iteration}",
        req.scope.feature,
        gen_core::config::canonical_edge_id(&req.scope.edge)
    );
    let asset = req.asset.map(|a| {
        let rel = a.strip_prefix(&ws.root).unwrap_or(a).display().to_string();
        (rel, std::fs::read_to_string(a).unwrap_or_default())
    });
    let mut ask = gen_model::Ask {
        system: "You are the constructor of an edge in an AI-assisted software process. You answer with whole files only.".into(),
        user: gen_core::iterate::construct_prompt(
            &context,
            checks,
            asset.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
            failures,
        ),
        max_tokens: 8000,
        ..gen_model::Ask::default()
    };
    let mut spent = (0, 0);
    let mut files = None;
    let mut last_error = String::new();
    // One answer and up to two corrections.
    for _ in 0..3 {
        let answer = match model.ask(&ask) {
            Ok(a) => a,
            Err(e) => {
                return (
                    spent,
                    Some(Failed {
                        classification: "model_error",
                        error: e.to_string(),
                    }),
                );
            }
        };
        spent.0 += answer.input_tokens;
        spent.1 += answer.output_tokens;
        match gen_core::iterate::parse_construction(&answer.text) {
            Ok(f) => {
                files = Some(f);
                break;
            }
            Err(why) => {
                last_error = why.clone();
                ask.user = format!(
                    "{}\n\nYour previous reply could not be used: {why}. {}",
                    ask.user,
                    gen_core::iterate::CONSTRUCT_FORMAT
                );
            }
        }
    }
    let Some(files) = files else {
        return (
            spent,
            Some(Failed {
                classification: "malformed_output",
                error: last_error,
            }),
        );
    };
    // Every path is checked before any file is written: a reply writes all of its files or none.
    for f in &files {
        let outside = !req.outputs.is_empty()
            && !req.outputs.iter().any(|o| {
                if o.ends_with('/') {
                    f.path.starts_with(o.as_str())
                } else {
                    &f.path == o
                }
            });
        let refused = gen_core::iterate::path_problem(&f.path)
            .or_else(|| {
                outside.then(|| {
                    format!(
                        "the edge parameters let the constructor write only {}",
                        req.outputs.join(", ")
                    )
                })
            })
            .or_else(|| {
                symlink_on_path(&ws.root, &f.path)
                    .map(|l| format!("a symlink is on the path ({l})"))
            });
        if let Some(why) = refused {
            return (
                spent,
                Some(Failed {
                    classification: "path_refused",
                    error: format!("{}: {why}; nothing was written", f.path),
                }),
            );
        }
    }
    for f in &files {
        let target = ws.root.join(&f.path);
        if let Err(e) = gen_workspace::write_atomic(&target, f.content.as_bytes()) {
            return (
                spent,
                Some(Failed {
                    classification: "write_failed",
                    error: e.to_string(),
                }),
            );
        }
    }
    (spent, None)
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// Delta 0 and nobody to wait for.
    Converged,
    /// Nothing fails, a person's decision is awaited.
    AwaitingHuman,
    /// The iteration budget was spent with checks still failing.
    Abandoned,
    /// Stuck (three equal deltas above zero): a discovery vector was started, the edge waits for it.
    Spawned,
}

/// What a run came to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Iterated {
    /// How it ended.
    pub outcome: RunOutcome,
    /// The run's root (`edge_started`).
    pub correlation_id: String,
    /// Each iteration's evaluation.
    pub iterations: Vec<Evaluated>,
    /// Ids of every event the run wrote, in order.
    pub events: Vec<String>,
    /// The discovery vector started when the edge was stuck.
    pub spawned: Option<gen_workspace::FeatureCreated>,
    /// Prompt tokens spent in the run.
    pub input_tokens: u64,
    /// Completion tokens spent in the run.
    pub output_tokens: u64,
    /// What they cost, when the price is known.
    pub cost_usd: Option<f64>,
}

/// A run's settings.
#[derive(Clone)]
pub struct RunRequest<'a> {
    /// Who writes, about which feature and edge.
    pub scope: Scope,
    /// The asset.
    pub asset: Option<&'a Path>,
    /// The number the first iteration of this run gets (iterations before it are history).
    pub first_iteration: u32,
    /// Iterations this run may take.
    pub max_iterations: u32,
    /// What builds the asset.
    pub constructor: Constructor,
    /// Limits of each command.
    pub limits: Limits,
    /// Variables kept out of every command's environment.
    pub env_remove: &'a [&'a str],
    /// What judges agent checks.
    pub judge: Option<&'a dyn crate::Judge>,
    /// The models' price.
    pub price: Option<events::Price>,
    /// Stop before an iteration once this much was spent (needs a price).
    pub budget_usd: Option<f64>,
    /// Where a model constructor may write (project-relative paths or folder prefixes ending in
    /// `/`, from the edge parameters' `construct.outputs`); empty: anywhere in the project but
    /// `.git/` and `.ai-workspace/`.
    pub outputs: Vec<String>,
}

/// The lines a constructor reads as feedback (reference §1.7): each required failure of the last
/// iteration that says something, its message cut to 300 characters.
pub fn feedback(previous: Option<&Evaluated>) -> Vec<String> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    previous
        .checks
        .iter()
        .filter(|c| c.required && matches!(c.outcome, Outcome::Fail | Outcome::Error))
        .filter(|c| !c.message.trim().is_empty())
        .map(|c| {
            let message: String = c.message.trim().chars().take(300).collect();
            format!("{}: {}", c.name, message.replace('\n', " "))
        })
        .collect()
}

fn stamp() -> (jiff::Timestamp, String) {
    let (at, id) = gen_workspace::event_stamp();
    (at.round(jiff::Unit::Microsecond).unwrap_or(at), id)
}

/// A new event of the run rooted at `root`, caused by the root itself.
fn from_root(root: &str) -> Link {
    let (at, event_id) = stamp();
    Link {
        at,
        event_id,
        causation_id: root.to_string(),
        correlation_id: root.to_string(),
    }
}

/// Runs the loop; see the module docs.
pub fn iterate(
    ws: &Workspace,
    checks: &[ResolvedCheck],
    req: &RunRequest,
    observer: &mut dyn Observer,
) -> Result<Iterated, EvaluateError> {
    let mut written = Vec::new();
    let (at, root) = stamp();
    let started = events::custom(
        &req.scope,
        &Link {
            at,
            event_id: root.clone(),
            causation_id: root.clone(),
            correlation_id: root.clone(),
        },
        "edge_started",
        json!({
            "max_iterations": req.max_iterations,
            "constructor": req.constructor.name(),
            "source": "gen iterate",
        }),
    );
    gen_workspace::append_event(ws, &started)?;
    written.push(root.clone());
    let mut iterations: Vec<Evaluated> = Vec::new();
    let mut outcome = RunOutcome::Abandoned;
    let mut deltas = history_deltas(ws, &req.scope)?;
    let mut spawned = None;
    let mut spent = 0.0f64;
    let mut abandon_reason = "max_iterations";
    for k in 0..req.max_iterations {
        let iteration = req.first_iteration + k;
        if req.budget_usd.is_some_and(|budget| spent >= budget) {
            abandon_reason = "budget_usd";
            break;
        }
        let mut construct_tokens = (0, 0);
        let failed: Option<Failed> = match &req.constructor {
            Constructor::None => None,
            Constructor::Model(model) => {
                let lines = feedback(iterations.last());
                let (spent, failed) =
                    construct_with_model(ws, model, req, checks, iteration, &lines);
                construct_tokens = spent;
                failed
            }
            Constructor::Command(command) => {
                let lines = feedback(iterations.last());
                let failures = ws.cache_dir().join(format!("iterate-failures-{root}.txt"));
                std::fs::create_dir_all(ws.cache_dir()).map_err(|source| EvaluateError::Asset {
                    path: ws.cache_dir(),
                    source,
                })?;
                let text = if lines.is_empty() {
                    String::new()
                } else {
                    lines.join("\n") + "\n"
                };
                std::fs::write(&failures, text).map_err(|source| EvaluateError::Asset {
                    path: failures.clone(),
                    source,
                })?;
                // The same question a model constructor gets, for generators that ask one.
                let prompt_path = ws.cache_dir().join(format!("iterate-prompt-{root}.txt"));
                let asset_now = req.asset.map(|a| {
                    (
                        a.strip_prefix(&ws.root).unwrap_or(a).display().to_string(),
                        std::fs::read_to_string(a).unwrap_or_default(),
                    )
                });
                let prompt = gen_core::iterate::construct_prompt(
                    &format!(
                        "Feature: {}\nEdge: {}\nIteration: {iteration}",
                        req.scope.feature,
                        gen_core::config::canonical_edge_id(&req.scope.edge)
                    ),
                    checks,
                    asset_now.as_ref().map(|(p, t)| (p.as_str(), t.as_str())),
                    &lines,
                );
                std::fs::write(&prompt_path, prompt).map_err(|source| EvaluateError::Asset {
                    path: prompt_path.clone(),
                    source,
                })?;
                let env = [
                    ("GEN_FEATURE", req.scope.feature.clone()),
                    (
                        "GEN_EDGE",
                        gen_core::config::canonical_edge_id(&req.scope.edge),
                    ),
                    ("GEN_ITERATION", iteration.to_string()),
                    (
                        "GEN_ASSET",
                        req.asset
                            .map(|a| a.display().to_string())
                            .unwrap_or_default(),
                    ),
                    ("GEN_FAILURES_FILE", failures.display().to_string()),
                    ("GEN_PROMPT_FILE", prompt_path.display().to_string()),
                ];
                let ran =
                    crate::runner::run_with(command, &ws.root, req.env_remove, &env, &req.limits);
                let _ = std::fs::remove_file(&failures);
                let _ = std::fs::remove_file(&prompt_path);
                (!matches!(ran.ended, Ended::Exited(Some(0)))).then(|| Failed {
                    classification: match ran.ended {
                        Ended::Stalled(_) | Ended::WallLimit(_) => "timeout",
                        Ended::NotStarted(_) => "not_started",
                        Ended::Exited(_) => "nonzero_exit",
                    },
                    error: ran.message(),
                })
            }
        };
        if let Some(f) = failed {
            let link = from_root(&root);
            let id = link.event_id.clone();
            let failure = events::custom(
                &req.scope,
                &link,
                "fp_failure",
                json!({
                    "iteration": iteration,
                    "phase": "construct",
                    "transport": req.constructor.name(),
                    "classification": f.classification,
                    "error": f.error.chars().take(500).collect::<String>(),
                }),
            );
            gen_workspace::append_event(ws, &failure)?;
            written.push(id);
        }
        let done = evaluate(
            ws,
            checks,
            &Request {
                scope: req.scope.clone(),
                iteration,
                asset: req.asset,
                limits: req.limits,
                env_remove: req.env_remove,
                correlation_id: Some(root.clone()),
                judge: req.judge,
                price: req.price,
                construct_tokens,
            },
            observer,
        )?;
        spent += done.cost_usd.unwrap_or(0.0);
        written.extend(done.events.iter().cloned());
        let status = done.status;
        deltas.push(done.evaluation.delta);
        iterations.push(done);
        match status {
            "converged" => {
                outcome = RunOutcome::Converged;
                break;
            }
            "awaiting_human" => {
                outcome = RunOutcome::AwaitingHuman;
                break;
            }
            _ => {}
        }
        if let Some(delta) = gen_core::iterate::stuck_delta(&deltas)
            && let Some(last) = iterations.last()
        {
            let (child, id) = spawn(ws, req, &root, last, delta)?;
            written.push(id);
            spawned = Some(child);
            outcome = RunOutcome::Spawned;
            break;
        }
    }
    if outcome == RunOutcome::Abandoned {
        let link = from_root(&root);
        let id = link.event_id.clone();
        let last = iterations.last();
        let abandoned = events::custom(
            &req.scope,
            &link,
            "iteration_abandoned",
            json!({
                "iterations_attempted": iterations.len(),
                "max_iterations": req.max_iterations,
                "final_delta": last.map_or(-1, |l| l.evaluation.delta),
                "reason": abandon_reason,
                "cost_usd": req.price.map(|_| spent),
            }),
        );
        gen_workspace::append_event(ws, &abandoned)?;
        written.push(id);
    }
    let input_tokens = iterations.iter().map(|i| i.tokens.0).sum();
    let output_tokens = iterations.iter().map(|i| i.tokens.1).sum();
    Ok(Iterated {
        outcome,
        correlation_id: root,
        iterations,
        events: written,
        spawned,
        input_tokens,
        output_tokens,
        cost_usd: req.price.map(|_| spent),
    })
}

/// The deltas of every `iteration_completed` already in the log for this feature and edge, in
/// file order (stuck counts across runs, as the method says).
fn history_deltas(ws: &Workspace, scope: &Scope) -> Result<Vec<i64>, EvaluateError> {
    let path = ws.events_path();
    let mut deltas = Vec::new();
    if !path.exists() {
        return Ok(deltas);
    }
    let edge = gen_core::config::canonical_edge_id(&scope.edge);
    gen_workspace::each_line(
        &path,
        |e| e.event_type.as_deref() == Some("iteration_completed"),
        |item| {
            let gen_workspace::LineItem::Event(e) = item else {
                return;
            };
            if e.event.feature.as_deref() == Some(scope.feature.as_str())
                && e.event.edge.as_deref() == Some(edge.as_str())
                && let Some(d) = e.event.delta()
            {
                deltas.push(d);
            }
        },
    )?;
    Ok(deltas)
}

/// Marks the stuck edge `blocked` in the parent's vector (a human decision the refresh keeps until the
/// edge converges). A vector that cannot be edited safely is left as written: the events
/// (`spawn_created`) say the same, and `gen features` shows why the file was not touched.
fn mark_parent_blocked(ws: &Workspace, feature: &str, edge: &str) {
    let project = gen_workspace::Project::load_for_status(ws);
    let Some(file) = project
        .vectors
        .files
        .iter()
        .find(|v| v.vector.feature == feature)
    else {
        return;
    };
    let Ok(text) = std::fs::read_to_string(&file.path) else {
        return;
    };
    if let Ok(Some(new)) =
        gen_core::projection::mark_edge_blocked(&text, edge, project.config.topology.as_ref())
        && std::fs::read_to_string(&file.path).is_ok_and(|now| now == text)
    {
        let _ = gen_workspace::write_atomic(&file.path, new.as_bytes());
    }
}

/// Starts the discovery vector of a stuck edge and writes `spawn_created`; the vector and the
/// event's id.
fn spawn(
    ws: &Workspace,
    req: &RunRequest,
    root: &str,
    last: &Evaluated,
    delta: i64,
) -> Result<(gen_workspace::FeatureCreated, String), EvaluateError> {
    let edge = gen_core::config::canonical_edge_id(&req.scope.edge);
    let failing: Vec<String> = last
        .checks
        .iter()
        .filter(|c| c.required && matches!(c.outcome, Outcome::Fail | Outcome::Error))
        .map(|c| c.name.clone())
        .collect();
    let question = gen_core::iterate::spawn_question(&req.scope.feature, &edge, &failing, delta);
    let (at, id) = stamp();
    let mut created = None;
    // Two spawners racing on one number: the loser reads the folder again and takes the next.
    for _ in 0..8 {
        let mut existing: Vec<String> = gen_workspace::load_vectors(&ws.dir)
            .files
            .iter()
            .map(|v| v.vector.feature.clone())
            .collect();
        if let Ok(entries) = std::fs::read_dir(ws.features_dir("active")) {
            existing.extend(entries.flatten().filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".yml").map(str::to_string)
            }));
        }
        let vector = gen_core::config::NewVector {
            feature: gen_core::iterate::next_child_id("discovery", &existing),
            title: question.chars().take(80).collect(),
            vector_type: "discovery".into(),
            profile: "minimal".into(),
            parent: Some(req.scope.feature.clone()),
            created: at,
        };
        match gen_workspace::create_vector(ws, &vector) {
            Ok(c) => {
                created = Some(c);
                break;
            }
            Err(gen_workspace::CreateError::Exists { .. }) => continue,
            Err(gen_workspace::CreateError::Write(e)) => {
                return Err(EvaluateError::Asset {
                    path: e.path,
                    source: e.source,
                });
            }
        }
    }
    let Some(created) = created else {
        return Err(EvaluateError::Asset {
            path: ws.features_dir("active"),
            source: std::io::Error::other("no free discovery id"),
        });
    };
    mark_parent_blocked(ws, &req.scope.feature, &edge);
    let event = events::custom(
        &req.scope,
        &Link {
            at,
            event_id: id.clone(),
            causation_id: last
                .events
                .last()
                .cloned()
                .unwrap_or_else(|| root.to_string()),
            correlation_id: root.to_string(),
        },
        "spawn_created",
        json!({
            "parent_feature": req.scope.feature,
            "child_feature": created.feature,
            "child_path": created.path,
            "vector_type": "discovery",
            "triggered_at_edge": edge,
            "question": question,
            "profile": "minimal",
        }),
    );
    gen_workspace::append_event(ws, &event)?;
    Ok((created, id))
}
