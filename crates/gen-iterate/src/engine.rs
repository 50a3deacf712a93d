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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constructor {
    /// Nothing: the loop only evaluates (someone else changes the asset).
    None,
    /// A user's generator, run like a check (`sh -c` in the project root) with the iteration's
    /// context in the environment: `GEN_FEATURE`, `GEN_EDGE`, `GEN_ITERATION`, `GEN_ASSET`, and
    /// `GEN_FAILURES_FILE` — the previous iteration's required failures, one `name: message` a line
    /// (empty on the first iteration).
    Command(String),
}

impl Constructor {
    fn name(&self) -> &'static str {
        match self {
            Constructor::None => "none",
            Constructor::Command(_) => "command",
        }
    }
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
}

/// What a run came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Iterated {
    /// How it ended.
    pub outcome: RunOutcome,
    /// The run's root (`edge_started`).
    pub correlation_id: String,
    /// Each iteration's evaluation.
    pub iterations: Vec<Evaluated>,
    /// Ids of every event the run wrote, in order.
    pub events: Vec<String>,
}

/// A run's settings.
#[derive(Debug, Clone)]
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
    for k in 0..req.max_iterations {
        let iteration = req.first_iteration + k;
        if let Constructor::Command(command) = &req.constructor {
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
            ];
            let ran = crate::runner::run_with(command, &ws.root, req.env_remove, &env, &req.limits);
            let _ = std::fs::remove_file(&failures);
            let failed = !matches!(ran.ended, Ended::Exited(Some(0)));
            if failed {
                let (at, id) = stamp();
                let failure = events::custom(
                    &req.scope,
                    &Link {
                        at,
                        event_id: id.clone(),
                        causation_id: root.clone(),
                        correlation_id: root.clone(),
                    },
                    "fp_failure",
                    json!({
                        "iteration": iteration,
                        "phase": "construct",
                        "transport": "command",
                        "classification": match ran.ended {
                            Ended::Stalled(_) | Ended::WallLimit(_) => "timeout",
                            Ended::NotStarted(_) => "not_started",
                            Ended::Exited(_) => "nonzero_exit",
                        },
                        "error": ran.message().chars().take(500).collect::<String>(),
                        "duration_ms": ran.duration.as_millis() as u64,
                    }),
                );
                gen_workspace::append_event(ws, &failure)?;
                written.push(id);
            }
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
            },
            observer,
        )?;
        written.extend(done.events.iter().cloned());
        let status = done.status;
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
    }
    if outcome == RunOutcome::Abandoned {
        let (at, id) = stamp();
        let last = iterations.last();
        let abandoned = events::custom(
            &req.scope,
            &Link {
                at,
                event_id: id.clone(),
                causation_id: root.clone(),
                correlation_id: root.clone(),
            },
            "iteration_abandoned",
            json!({
                "iterations_attempted": iterations.len(),
                "max_iterations": req.max_iterations,
                "final_delta": last.map_or(-1, |l| l.evaluation.delta),
                "reason": "max_iterations",
            }),
        );
        gen_workspace::append_event(ws, &abandoned)?;
        written.push(id);
    }
    Ok(Iterated {
        outcome,
        correlation_id: root,
        iterations,
        events: written,
    })
}
