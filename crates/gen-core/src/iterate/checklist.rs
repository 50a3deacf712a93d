//! An edge's checklist resolved against the project constraints: every `$var` substituted (with
//! `$$` for a literal `$`), the reference's defaults applied (no `type` is an agent check, no
//! `required` is required), and what did not resolve kept by name.

use crate::config::{Check, Constraints, EdgeParams};

/// How a check is evaluated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A command whose result decides.
    Deterministic,
    /// A model's judgement.
    Agent,
    /// A person's decision.
    Human,
    /// A type the method does not know (skipped, said so).
    Other(String),
}

impl CheckKind {
    /// The kind a checklist's `type` names; none is an agent check (the reference's default).
    pub fn of(check_type: Option<&str>) -> CheckKind {
        match check_type.map(str::trim) {
            None | Some("agent") => CheckKind::Agent,
            Some("deterministic") => CheckKind::Deterministic,
            Some("human") => CheckKind::Human,
            Some(other) => CheckKind::Other(other.to_string()),
        }
    }

    /// Its name in events and reports.
    pub fn as_str(&self) -> &str {
        match self {
            CheckKind::Deterministic => "deterministic",
            CheckKind::Agent => "agent",
            CheckKind::Human => "human",
            CheckKind::Other(s) => s,
        }
    }
}

/// One check as it applies to this project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedCheck {
    /// Its name (`check_<n>` when the file gives none).
    pub name: String,
    /// How it is evaluated.
    pub kind: CheckKind,
    /// What must hold, `$vars` substituted.
    pub criterion: String,
    /// The command of a deterministic check, `$vars` substituted.
    pub command: Option<String>,
    /// How the command's result is judged, `$vars` substituted.
    pub pass_criterion: Option<String>,
    /// Whether a failure blocks convergence.
    pub required: bool,
    /// References that did not resolve, in field order (criterion, command, pass criterion,
    /// required), each once.
    pub unresolved: Vec<String>,
}

fn resolve_check(index: usize, check: &Check, constraints: &Constraints) -> ResolvedCheck {
    let mut unresolved: Vec<String> = Vec::new();
    let mut note = |names: Vec<String>| {
        for n in names {
            if !unresolved.contains(&n) {
                unresolved.push(n);
            }
        }
    };
    let mut text = |field: &Option<String>| {
        field.as_ref().map(|t| {
            let r = constraints.resolve(t);
            note(r.unresolved);
            r.text
        })
    };
    let criterion = text(&check.criterion).unwrap_or_default();
    let command = text(&check.command).filter(|c| !c.trim().is_empty());
    let pass_criterion = text(&check.pass_criterion);
    let required = match &check.required {
        None => true,
        Some(node) => {
            let (required, missing) = constraints.resolve_required_refs(node);
            note(missing);
            required
        }
    };
    ResolvedCheck {
        name: check
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("check_{}", index + 1)),
        kind: CheckKind::of(check.check_type.as_deref()),
        criterion,
        command,
        pass_criterion,
        required,
        unresolved,
    }
}

/// The edge's checklist for this project, in file order. Without constraints every `$var` stays
/// unresolved.
pub fn resolve_checklist(
    params: &EdgeParams,
    constraints: Option<&Constraints>,
) -> Vec<ResolvedCheck> {
    let empty = Constraints::from_node(crate::config::yaml::Node::detached(
        crate::config::yaml::Yaml::Map(Vec::new()),
    ));
    let constraints = constraints.unwrap_or(&empty);
    params
        .checklist
        .iter()
        .enumerate()
        .map(|(i, c)| resolve_check(i, c, constraints))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SourceFile;

    fn params(text: &str) -> EdgeParams {
        EdgeParams::parse(&SourceFile::new("graph/edge_params/x.yml", text)).unwrap()
    }

    fn constraints(text: &str) -> Constraints {
        Constraints::parse(&SourceFile::new("context/project_constraints.yml", text)).unwrap()
    }

    /// Reference §4 behaviour 1, with its exact inputs.
    #[test]
    fn vars_resolve_required_follows_them_and_unresolved_names_are_kept() {
        let c = constraints("tools:\n  t:\n    command: pytest\n    required: false\n");
        let p = params(
            "edge: \"code→unit_tests\"\nchecklist:\n  - name: tests\n    type: deterministic\n    command: \"$tools.t.command -q\"\n    criterion: \">= $thresholds.x\"\n    required: \"$tools.t.required\"\n  - name: gate\n    type: deterministic\n    command: \"true\"\n    required: \"$nope.req\"\n  - name: judged\n    criterion: \"reads well\"\n  - name: home\n    type: deterministic\n    command: \"echo $$HOME\"\n",
        );
        let checks = resolve_checklist(&p, Some(&c));
        assert_eq!(checks[0].command.as_deref(), Some("pytest -q"));
        assert!(!checks[0].required);
        assert_eq!(checks[0].unresolved, ["thresholds.x"]);
        assert!(checks[1].required, "an unresolved `required` is required");
        assert_eq!(checks[1].unresolved, ["nope.req"]);
        assert_eq!(checks[2].kind, CheckKind::Agent, "no type: an agent check");
        assert!(checks[2].required, "no `required`: required");
        assert_eq!(checks[3].command.as_deref(), Some("echo $HOME"));
        assert!(checks[3].unresolved.is_empty());
    }
}
