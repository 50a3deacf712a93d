//! What a checklist's outcomes add up to (reference §1.6): delta is the number of required checks
//! that failed or erred; SKIP never counts; a non-required failure is reported but does not block.
//! Unlike the reference, a required human check still waiting for its decision is *pending* and
//! keeps the edge from converging — a person's check is not passed by being absent.

use super::CheckKind;

/// One check's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It holds.
    Pass,
    /// It does not hold.
    Fail,
    /// It could not be evaluated (a crash, a stall, a model that would not answer): counts as a failure.
    Error,
    /// Not evaluated on purpose (no command, unresolved `$vars`, unknown type); never counts.
    Skip,
    /// A human decision is awaited.
    Pending,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckResult {
    /// The check's name.
    pub name: String,
    /// How it was evaluated.
    #[serde(rename = "type")]
    pub kind: CheckKind,
    /// What came of it.
    pub outcome: Outcome,
    /// Whether a failure blocks convergence.
    pub required: bool,
    /// Why (the failing command's output, the model's reason, why it was skipped).
    pub message: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

/// One iteration's evaluation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evaluation {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed or erred (required or not).
    pub failed: usize,
    /// Checks skipped.
    pub skipped: usize,
    /// Checks waiting for a human.
    pub pending: usize,
    /// All checks.
    pub total: usize,
    /// Required checks that failed or erred: the distance to convergence.
    pub delta: i64,
    /// Required checks waiting for a human.
    pub pending_required: usize,
    /// The method's escalation notes for required failures (`η_D→P: …`, `η_P→H: …`), verbatim.
    pub escalations: Vec<String>,
}

impl Evaluation {
    /// Adds up the results.
    pub fn of(results: &[CheckResult]) -> Evaluation {
        let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
        let blocking =
            |r: &&CheckResult| r.required && matches!(r.outcome, Outcome::Fail | Outcome::Error);
        Evaluation {
            passed: count(Outcome::Pass),
            failed: count(Outcome::Fail) + count(Outcome::Error),
            skipped: count(Outcome::Skip),
            pending: count(Outcome::Pending),
            total: results.len(),
            delta: results.iter().filter(blocking).count() as i64,
            pending_required: results
                .iter()
                .filter(|r| r.required && r.outcome == Outcome::Pending)
                .count(),
            escalations: results
                .iter()
                .filter(blocking)
                .filter_map(|r| match r.kind {
                    CheckKind::Deterministic => {
                        Some(format!("η_D→P: {} — deterministic failure", r.name))
                    }
                    CheckKind::Agent => {
                        Some(format!("η_P→H: {} — agent evaluation failed", r.name))
                    }
                    _ => None,
                })
                .collect(),
        }
    }

    /// `converged` (delta 0, nobody to wait for), `awaiting_human` (delta 0, a required human
    /// check pending) or `iterating`.
    pub fn status(&self) -> &'static str {
        match (self.delta, self.pending_required) {
            (0, 0) => "converged",
            (0, _) => "awaiting_human",
            _ => "iterating",
        }
    }
}

/// Whether a command's result passes its criterion (reference §1.5): a coverage criterion
/// (`coverage >= 0.8`) compares the percentage in a `TOTAL … NN%` or `Total coverage: NN%` line
/// (falling back to the exit code when there is none); anything else passes on exit code 0.
pub fn interpret(pass_criterion: Option<&str>, exit_code: i32, stdout: &str, stderr: &str) -> bool {
    let ok = exit_code == 0;
    let Some(criterion) = pass_criterion else {
        return ok;
    };
    let lower = criterion.to_ascii_lowercase();
    if lower.contains("exit code 0") || !(lower.contains("coverage") && lower.contains(">=")) {
        return ok;
    }
    let Some(threshold) = lower
        .split(">=")
        .nth(1)
        .and_then(|rest| leading_number(rest.trim_start()))
    else {
        return ok;
    };
    match coverage_percent(stdout).or_else(|| coverage_percent(stderr)) {
        Some(actual) => actual / 100.0 >= threshold,
        None => ok,
    }
}

fn leading_number(s: &str) -> Option<f64> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(s.len(), |(i, _)| i);
    s[..end].parse().ok()
}

/// The percentage of `TOTAL <n> <n> NN%` (coverage.py) or `Total coverage: NN%`.
fn coverage_percent(text: &str) -> Option<f64> {
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"TOTAL")
            && words.len() >= 4
            && words[1].parse::<u64>().is_ok()
            && words[2].parse::<u64>().is_ok()
            && let Some(p) = words[3].strip_suffix('%')
            && let Ok(v) = p.parse::<f64>()
        {
            return Some(v);
        }
        if let Some(rest) = line.trim().strip_prefix("Total coverage:")
            && let Some(p) = rest.trim().strip_suffix('%')
            && let Ok(v) = p.trim().parse::<f64>()
        {
            return Some(v);
        }
    }
    None
}

/// The delta an edge is stuck at: its last three iterations ended with the same delta above 0
/// (the method's rule, across runs). Status and the iterate loop share it.
pub fn stuck_delta(recent: &[i64]) -> Option<i64> {
    let last: Vec<i64> = recent.iter().rev().take(3).copied().collect();
    if last.len() < 3 {
        return None;
    }
    let d = last[0];
    (d > 0 && last.iter().all(|x| *x == d)).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, kind: CheckKind, outcome: Outcome, required: bool) -> CheckResult {
        CheckResult {
            name: name.into(),
            kind,
            outcome,
            required,
            message: String::new(),
            duration_ms: 0,
        }
    }

    /// Reference §4 behaviour 3, scenarios A and D.
    #[test]
    fn delta_counts_required_failures_only_and_a_pending_human_holds_the_edge() {
        use CheckKind::*;
        use Outcome::*;
        let a = [
            r("builds", Deterministic, Pass, true),
            r("tests", Deterministic, Fail, true),
            r("lint", Deterministic, Pass, false),
            r("coverage", Deterministic, Skip, true),
            r("tags", Deterministic, Skip, true),
            r("review", Agent, Skip, true),
            r("signoff", Human, Skip, true),
        ];
        let e = Evaluation::of(&a);
        assert_eq!(
            (e.passed, e.failed, e.skipped, e.total, e.delta),
            (2, 1, 4, 7, 1)
        );
        assert_eq!(e.escalations, ["η_D→P: tests — deterministic failure"]);
        assert_eq!(e.status(), "iterating");
        let mut d = a.clone();
        d[1].outcome = Pass;
        d[2].outcome = Fail;
        let e = Evaluation::of(&d);
        assert_eq!(
            (e.delta, e.failed),
            (0, 1),
            "a non-required failure does not block"
        );
        assert_eq!(e.status(), "converged", "required SKIPs never count");
        d[6].outcome = Pending;
        let e = Evaluation::of(&d);
        assert_eq!((e.delta, e.pending_required), (0, 1));
        assert_eq!(e.status(), "awaiting_human");
        d[5].outcome = Error;
        assert_eq!(
            Evaluation::of(&d).escalations,
            ["η_P→H: review — agent evaluation failed"]
        );
    }

    #[test]
    fn results_pass_on_exit_code_or_on_the_coverage_line() {
        assert!(interpret(None, 0, "", ""));
        assert!(!interpret(Some("exit code 0"), 1, "", ""));
        let report = "Name Stmts Miss Cover\nTOTAL 10 2 80%\n";
        assert!(interpret(Some("coverage >= 0.70"), 1, report, ""));
        assert!(!interpret(Some("coverage >= 0.90"), 0, report, ""));
        assert!(interpret(
            Some("coverage >= 0.5"),
            0,
            "",
            "Total coverage: 51.5%"
        ));
        assert!(
            !interpret(Some("coverage >= 0.8"), 1, "no report", ""),
            "no line: the exit code"
        );
    }

    #[test]
    fn stuck_is_three_equal_deltas_above_zero() {
        assert_eq!(stuck_delta(&[2, 2, 2]), Some(2));
        assert_eq!(stuck_delta(&[5, 1, 1, 1]), Some(1));
        assert_eq!(stuck_delta(&[1, 1]), None);
        assert_eq!(stuck_delta(&[0, 0, 0]), None);
        assert_eq!(stuck_delta(&[2, 1, 2]), None);
    }
}
