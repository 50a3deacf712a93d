//! One evaluation of an edge's checklist (reference §1.5, `gen evaluate`): every check in order, no
//! short-circuit — deterministic ones run their command, agent ones are judged by a model (not yet:
//! they are skipped and said so), human ones wait for a person's decision — and the events of the
//! iteration written as they happen, durable one by one, so a crash leaves a readable trail.

use crate::runner::{Ended, Limits, run};
use gen_core::iterate::events::{self, Link, Scope};
use gen_core::iterate::{
    CheckKind, CheckResult, Evaluation, Outcome, ResolvedCheck, Review, interpret, review_of,
};
use gen_workspace::Workspace;
use std::path::Path;
use std::time::Instant;

/// Why an evaluation could not be carried out (what was written before stays).
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    /// An event could not be written.
    #[error(transparent)]
    Write(#[from] gen_workspace::WriteEventError),
    /// The log could not be read.
    #[error(transparent)]
    Log(#[from] gen_workspace::LogError),
    /// The asset could not be read.
    #[error("cannot read the asset {path}: {source}")]
    Asset {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// Hears of each check as it starts and ends (the CLI's live lines).
pub trait Observer {
    /// A check starts.
    fn check_started(&mut self, check: &ResolvedCheck);
    /// A check ended.
    fn check_finished(&mut self, result: &CheckResult);
}

/// An observer that hears nothing.
pub struct Quiet;

impl Observer for Quiet {
    fn check_started(&mut self, _: &ResolvedCheck) {}
    fn check_finished(&mut self, _: &CheckResult) {}
}

/// What an evaluation needs besides the checks.
#[derive(Clone)]
pub struct Request<'a> {
    /// Who writes, about which feature and edge.
    pub scope: Scope,
    /// The iteration's number on this edge.
    pub iteration: u32,
    /// The asset evaluated (its hash goes in the events and keys human decisions).
    pub asset: Option<&'a Path>,
    /// Limits of each command.
    pub limits: Limits,
    /// Variables kept out of the commands' environment.
    pub env_remove: &'a [&'a str],
    /// The run's root event, when the evaluation is part of a longer run.
    pub correlation_id: Option<String>,
    /// What judges agent checks (`None`: they are skipped, and say so).
    pub judge: Option<&'a dyn crate::Judge>,
    /// The judge's price, for the cost in the events.
    pub price: Option<events::Price>,
    /// Tokens a model constructor spent on this iteration (counted in its usage).
    pub construct_tokens: (u64, u64),
}

/// What an evaluation came to.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluated {
    /// The iteration's number.
    pub iteration: u32,
    /// Every check's result, in checklist order.
    pub checks: Vec<CheckResult>,
    /// What they add up to.
    pub evaluation: Evaluation,
    /// `converged`, `awaiting_human` or `iterating`.
    pub status: &'static str,
    /// `sha256:<hex>` of the asset, when there is one.
    pub input_hash: Option<String>,
    /// The run's root event.
    pub correlation_id: String,
    /// Ids of the events written, in order.
    pub events: Vec<String>,
    /// Tokens the judge spent (prompt, completion).
    pub tokens: (u64, u64),
    /// What they cost, when the price is known.
    pub cost_usd: Option<f64>,
}

/// Stamps events with strictly increasing times (equal timestamps would sort by type, not by the
/// order they were written in).
struct Clock {
    last: Option<jiff::Timestamp>,
}

impl Clock {
    fn next(&mut self) -> (jiff::Timestamp, String) {
        let (mut at, id) = gen_workspace::event_stamp();
        at = at.round(jiff::Unit::Microsecond).unwrap_or(at);
        if let Some(last) = self.last
            && at <= last
        {
            at = last
                .checked_add(jiff::SignedDuration::from_micros(1))
                .unwrap_or(last);
        }
        self.last = Some(at);
        (at, id)
    }
}

fn sha256_file(path: &Path) -> Result<String, EvaluateError> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).map_err(|source| EvaluateError::Asset {
        path: path.to_path_buf(),
        source,
    })?;
    let hex: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("sha256:{hex}"))
}

fn result(check: &ResolvedCheck, outcome: Outcome, message: String, ms: u64) -> CheckResult {
    CheckResult {
        name: check.name.clone(),
        kind: check.kind.clone(),
        outcome,
        required: check.required,
        message,
        duration_ms: ms,
    }
}

/// Runs one deterministic check.
fn deterministic(check: &ResolvedCheck, ws: &Workspace, req: &Request) -> CheckResult {
    if !check.unresolved.is_empty() {
        return result(
            check,
            Outcome::Skip,
            format!(
                "Skipped: unresolved variables: {}",
                check.unresolved.join(", ")
            ),
            0,
        );
    }
    let Some(command) = &check.command else {
        return result(
            check,
            Outcome::Skip,
            "Skipped: no command specified".into(),
            0,
        );
    };
    let ran = run(command, &ws.root, req.env_remove, &req.limits);
    let ms = ran.duration.as_millis() as u64;
    match &ran.ended {
        Ended::Exited(code) => {
            let pass = interpret(
                check.pass_criterion.as_deref(),
                code.unwrap_or(-1),
                &ran.stdout,
                &ran.stderr,
            );
            if pass {
                result(check, Outcome::Pass, String::new(), ms)
            } else {
                result(check, Outcome::Fail, ran.message(), ms)
            }
        }
        _ => result(check, Outcome::Error, ran.message(), ms),
    }
}

/// Evaluates `checks` in order and writes the iteration's events; see the module docs.
pub fn evaluate(
    ws: &Workspace,
    checks: &[ResolvedCheck],
    req: &Request,
    observer: &mut dyn Observer,
) -> Result<Evaluated, EvaluateError> {
    let mut clock = Clock { last: None };
    let input_hash = req.asset.map(sha256_file).transpose()?;
    let mut written = Vec::new();
    let (at, started_id) = clock.next();
    let correlation_id = req
        .correlation_id
        .clone()
        .unwrap_or_else(|| started_id.clone());
    let causation_id = if req.correlation_id.is_some() {
        correlation_id.clone()
    } else {
        started_id.clone()
    };
    let started = events::iteration_started(
        &req.scope,
        &Link {
            at,
            event_id: started_id.clone(),
            causation_id,
            correlation_id: correlation_id.clone(),
        },
        req.iteration,
        input_hash.as_deref(),
        "gen evaluate",
    );
    gen_workspace::append_event(ws, &started)?;
    written.push(started_id.clone());
    let child = |clock: &mut Clock| {
        let (at, event_id) = clock.next();
        Link {
            at,
            event_id,
            causation_id: started_id.clone(),
            correlation_id: correlation_id.clone(),
        }
    };
    let (gates, decisions) = if checks.iter().any(|c| c.kind == CheckKind::Human) {
        crate::reviews::read_reviews(ws)?
    } else {
        (Vec::new(), Vec::new())
    };
    let edge = gen_core::config::canonical_edge_id(&req.scope.edge);
    let asset_text = match (req.judge, req.asset) {
        (Some(_), Some(path)) => {
            std::fs::read_to_string(path).map_err(|source| EvaluateError::Asset {
                path: path.to_path_buf(),
                source,
            })?
        }
        _ => String::new(),
    };
    let mut tokens = req.construct_tokens;
    let mut results = Vec::with_capacity(checks.len());
    for check in checks {
        observer.check_started(check);
        let started_at = Instant::now();
        let r = match &check.kind {
            CheckKind::Deterministic => deterministic(check, ws, req),
            CheckKind::Agent => match req.judge {
                None => result(
                    check,
                    Outcome::Skip,
                    "Skipped: agent check — no model configured (--judge skip)".into(),
                    0,
                ),
                Some(judge) => {
                    let context = format!(
                        "Feature: {}\nEdge: {}\nIteration: {}",
                        req.scope.feature, edge, req.iteration
                    );
                    let judged = judge.judge(check, &asset_text, &context);
                    tokens.0 += judged.input_tokens;
                    tokens.1 += judged.output_tokens;
                    result(
                        check,
                        judged.outcome,
                        judged.message,
                        started_at.elapsed().as_millis() as u64,
                    )
                }
            },
            CheckKind::Human => {
                let hash = input_hash.clone().unwrap_or_default();
                let ms = || started_at.elapsed().as_millis() as u64;
                match review_of(
                    &gates,
                    &decisions,
                    &req.scope.feature,
                    &edge,
                    &check.name,
                    &hash,
                ) {
                    Review::Decided(_, d) if d.approved => {
                        result(check, Outcome::Pass, format!("approved by {}", d.by), ms())
                    }
                    Review::Decided(_, d) => result(
                        check,
                        Outcome::Fail,
                        format!("rejected by {}: {}", d.by, d.reason),
                        ms(),
                    ),
                    Review::Waiting(_) => result(
                        check,
                        Outcome::Pending,
                        "waiting for a human decision".into(),
                        ms(),
                    ),
                    Review::NotAsked => {
                        let gate = events::human_gate_entered(
                            &req.scope,
                            &child(&mut clock),
                            req.iteration,
                            check,
                            input_hash.as_deref(),
                        );
                        gen_workspace::append_event(ws, &gate)?;
                        written.push(gate.event_id.clone());
                        result(
                            check,
                            Outcome::Pending,
                            "waiting for a human decision".into(),
                            ms(),
                        )
                    }
                }
            }
            CheckKind::Other(t) => result(
                check,
                Outcome::Skip,
                format!("Skipped: unknown check type '{t}'"),
                0,
            ),
        };
        if events::needs_detail(&r) {
            let detail =
                events::evaluator_detail(&req.scope, &child(&mut clock), req.iteration, &r);
            gen_workspace::append_event(ws, &detail)?;
            written.push(detail.event_id.clone());
        }
        observer.check_finished(&r);
        results.push(r);
    }
    let evaluation = Evaluation::of(&results);
    let cost_usd = req.price.map(|p| p.cost(tokens.0, tokens.1));
    let usage = (req.judge.is_some() || tokens != (0, 0)).then_some(events::Usage {
        input_tokens: tokens.0,
        output_tokens: tokens.1,
        cost_usd,
    });
    let completed_link = child(&mut clock);
    let completed = events::iteration_completed(
        &req.scope,
        &completed_link,
        req.iteration,
        &evaluation,
        &results,
        usage.as_ref(),
    );
    gen_workspace::append_event(ws, &completed)?;
    written.push(completed.event_id.clone());
    let status = evaluation.status();
    if status == "converged" {
        let (at, event_id) = clock.next();
        let converged = events::edge_converged(
            &req.scope,
            &Link {
                at,
                event_id,
                causation_id: completed.event_id.clone(),
                correlation_id: correlation_id.clone(),
            },
            req.iteration,
        );
        gen_workspace::append_event(ws, &converged)?;
        written.push(converged.event_id.clone());
    }
    Ok(Evaluated {
        iteration: req.iteration,
        checks: results,
        evaluation,
        status,
        input_hash,
        correlation_id,
        events: written,
        tokens,
        cost_usd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gen_core::iterate::CheckKind;
    use std::time::Duration;

    fn check(name: &str, kind: CheckKind, command: Option<&str>, required: bool) -> ResolvedCheck {
        ResolvedCheck {
            name: name.into(),
            kind,
            criterion: format!("{name} holds"),
            command: command.map(str::to_string),
            pass_criterion: None,
            required,
            unresolved: Vec::new(),
        }
    }

    fn lines(ws: &Workspace) -> Vec<serde_json::Value> {
        std::fs::read_to_string(ws.events_path())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn an_evaluation_writes_its_chain_in_order_and_a_gate_once_per_asset() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspace::planned(tmp.path());
        std::fs::create_dir_all(ws.dir.join("events")).unwrap();
        let asset = tmp.path().join("calc.sh");
        std::fs::write(&asset, "echo 2").unwrap();
        let checks = [
            check("builds", CheckKind::Deterministic, Some("true"), true),
            check(
                "tests",
                CheckKind::Deterministic,
                Some("echo boom >&2; false"),
                true,
            ),
            check("lint", CheckKind::Deterministic, Some("false"), false),
            check("reads_well", CheckKind::Agent, None, true),
            check("signoff", CheckKind::Human, None, true),
            check("docs", CheckKind::Deterministic, None, true),
        ];
        let req = Request {
            scope: Scope {
                project: "calc".into(),
                agent: "ci".into(),
                feature: "REQ-F-CALC-001".into(),
                edge: "code<->unit_tests".into(),
            },
            iteration: 1,
            asset: Some(&asset),
            limits: Limits::for_stall(Duration::from_secs(20)),
            env_remove: &[],
            correlation_id: None,
            judge: None,
            price: None,
            construct_tokens: (0, 0),
        };
        let done = evaluate(&ws, &checks, &req, &mut Quiet).unwrap();
        assert_eq!(done.evaluation.delta, 1);
        assert_eq!(done.status, "iterating");
        let outcomes: Vec<Outcome> = done.checks.iter().map(|c| c.outcome).collect();
        use Outcome::*;
        assert_eq!(outcomes, [Pass, Fail, Fail, Skip, Pending, Skip]);
        assert_eq!(done.checks[1].message, "boom\n");
        let log = lines(&ws);
        let types: Vec<&str> = log
            .iter()
            .map(|e| e["event_type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "iteration_started",
                "evaluator_detail",
                "evaluator_detail",
                "human_gate_entered",
                "iteration_completed"
            ]
        );
        let root = log[0]["event_id"].as_str().unwrap();
        for e in &log {
            assert_eq!(e["correlation_id"], root);
        }
        for e in &log[1..] {
            assert_eq!(e["causation_id"], root);
        }
        assert_eq!(log[0]["causation_id"], root, "the root causes itself");
        assert!(
            log[0]["input_hash"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
        assert_eq!(log[1]["check_name"], "tests");
        assert_eq!(log[2]["check_name"], "lint");
        let times: Vec<&str> = log
            .iter()
            .map(|e| e["timestamp"].as_str().unwrap())
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] < w[1]),
            "strictly increasing: {times:?}"
        );

        // Fixed and judged again on the same asset: converged but for the human, whose gate is
        // already open.
        let fixed = [checks[0].clone(), checks[4].clone()];
        let req2 = Request {
            iteration: 2,
            ..req.clone()
        };
        let again = evaluate(&ws, &fixed, &req2, &mut Quiet).unwrap();
        assert_eq!(again.status, "awaiting_human");
        let log = lines(&ws);
        let types: Vec<&str> = log[5..]
            .iter()
            .map(|e| e["event_type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["iteration_started", "iteration_completed"]);
        // Without the human check it converges.
        let req3 = Request {
            iteration: 3,
            ..req
        };
        let last = evaluate(&ws, &checks[..1], &req3, &mut Quiet).unwrap();
        assert_eq!(last.status, "converged");
        assert_eq!(lines(&ws).last().unwrap()["event_type"], "edge_converged");
    }
}
