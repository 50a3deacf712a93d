//! Rules for project constraints and evaluator defaults.

use super::*;

impl Validator {
    pub(super) fn check_constraints(
        &mut self,
        file: &str,
        constraints: &Constraints,
        topology: Option<&Topology>,
        profiles: &[Profile],
    ) {
        let root = &constraints.root;
        if root.get("project").is_none_or(Node::is_blank) {
            self.warn(
                file,
                root.pos,
                "the constraints file has no `project` section; the reference ignores such a file"
                    .into(),
                "add `project: {name: <your project>, default_profile: standard}`",
            );
        }
        if let Some(default) = constraints.default_profile()
            && !profiles.is_empty()
            && !profiles.iter().any(|p| p.name == default)
        {
            let pos = constraints
                .lookup("project.default_profile")
                .map_or(root.pos, |n| n.pos);
            self.warn(
                file,
                pos,
                format!("default_profile `{default}` is not one of the profiles"),
                "use the name of a file in profiles/",
            );
        }
        if let Some(topology) = topology {
            for d in &topology.constraint_dimensions {
                if d.mandatory != Some(false) && constraints.dimension(&d.name).is_none() {
                    self.warn(
                        file,
                        root.pos,
                        format!("mandatory constraint dimension `{}` has no binding in the constraints", d.name),
                        &format!("add `constraint_dimensions: {{{}: {{...}}}}` with the project's choices", d.name),
                    );
                }
            }
        }
    }

    pub(super) fn check_evaluator_defaults(&mut self, file: &str, defaults: &EvaluatorDefaults) {
        let root = &defaults.root;
        if root
            .get("evaluator_types")
            .and_then(Node::entries)
            .is_none()
        {
            self.error(
                file,
                root.pos,
                "evaluator defaults have no `evaluator_types` mapping".into(),
                "define `evaluator_types:` with human, agent and deterministic",
            );
            return;
        }
        for kind in EVALUATOR_KINDS {
            match defaults.evaluator(kind) {
                None => self.error(
                    file,
                    root.get("evaluator_types").map_or(root.pos, |n| n.pos),
                    format!("evaluator type `{kind}` is not defined"),
                    "define all three evaluator types: human, agent, deterministic",
                ),
                Some(node) => {
                    let missing: Vec<String> = ["type", "description", "mechanism", "convergence"]
                        .iter()
                        .filter(|k| node.get(k).is_none_or(Node::is_blank))
                        .map(|k| (*k).to_string())
                        .collect();
                    if !missing.is_empty() {
                        self.warn(
                            file,
                            node.pos,
                            format!("evaluator type `{kind}` has no {}", join(&missing)),
                            "agents read these fields to know how to evaluate",
                        );
                    }
                }
            }
        }
        if defaults.composition.as_deref() != Some("all_must_pass") {
            let pos = root
                .get("convergence_rules")
                .and_then(|c| c.get("composition"))
                .map_or(root.pos, |n| n.pos);
            self.warn(
                file,
                pos,
                format!(
                    "`convergence_rules.composition` is {}, but the methodology converges only when all \
                     evaluators pass",
                    defaults.composition.as_deref().map_or("missing".to_string(), |c| format!("`{c}`"))
                ),
                "set `convergence_rules: {composition: all_must_pass}`",
            );
        }
    }
}
