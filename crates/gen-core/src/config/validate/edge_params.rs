//! Rules for edge-parameter files: the edge they name, checklists, `$vars` against the constraints.

use super::*;

impl Validator {
    pub(super) fn check_edge_params(
        &mut self,
        file: &SourceFile,
        params: &EdgeParams,
        topology: Option<&Topology>,
        constraints: Option<&Constraints>,
    ) {
        let path = file.path.as_str();
        let root = &params.root;
        if let (Some(edge), Some(node)) = (&params.edge, root.get("edge")) {
            let canonical = canonical_edge_id(edge);
            let has_arrow = canonical.contains(['→', '↔']);
            let resolved = topology.and_then(|t| t.resolve_edge(edge));
            if !has_arrow && resolved.is_none() {
                self.warn(
                    path,
                    node.pos,
                    format!("`edge: {edge}` is not an edge id (`source→target`)"),
                    "use the canonical id of the transition this file parameterises, or drop `edge:` if the \
                     file is not tied to one edge",
                );
            } else if let Some(id) = resolved.as_ref().filter(|id| *id != edge) {
                self.warn(
                    path,
                    node.pos,
                    format!(
                        "`edge: {edge}` is not written canonically; events and profiles use `{id}`"
                    ),
                    &format!("write `edge: \"{id}\"`"),
                );
            } else if resolved.is_none() && topology.is_some() {
                self.warn(
                    path,
                    node.pos,
                    format!("`edge: {edge}` is not a transition of the topology"),
                    "fix the edge id or add the transition to graph_topology.yml",
                );
            } else if topology.is_none() && canonical != *edge {
                self.warn(
                    path,
                    node.pos,
                    format!("`edge: {edge}` is not written canonically; write `{canonical}`"),
                    &format!("write `edge: \"{canonical}\"`"),
                );
            }
        }

        if root.get("convergence").is_none_or(Node::is_null) {
            self.error(
                path,
                root.pos,
                "the edge-parameter file has no `convergence` block".into(),
                "add `convergence: {rule: all_required_checks_pass}`",
            );
        }

        if let Some(e) = root.entry("checklist") {
            match e.value.items() {
                None => self.error(
                    path,
                    e.value.pos,
                    format!("`checklist` must be a list, found {}", e.value.kind()),
                    "write each check as a `- name: ...` list item",
                ),
                Some([]) => self.error(
                    path,
                    e.key_pos,
                    "`checklist` is empty".into(),
                    "add at least one check, or remove the key",
                ),
                Some(items) => {
                    for item in items.iter().filter(|i| i.entries().is_none()) {
                        self.error(
                            path,
                            item.pos,
                            format!("a checklist entry must be a mapping, found {}", item.kind()),
                            "write `- {name, type, criterion, required}`",
                        );
                    }
                }
            }
        }

        let mut names: HashMap<String, u32> = HashMap::new();
        for check in &params.checklist {
            let label = check
                .name
                .clone()
                .unwrap_or_else(|| format!("at line {}", check.pos.line));
            let missing: Vec<String> = CHECK_FIELDS
                .iter()
                .filter(|k| check.node.get(k).is_none_or(Node::is_null))
                .map(|k| (*k).to_string())
                .collect();
            if !missing.is_empty() {
                self.error(
                    path,
                    check.pos,
                    format!("check `{label}` has no {}", join(&missing)),
                    "every check needs name, type, criterion and required",
                );
            }
            if let Some(name) = &check.name {
                if let Some(first) = names.get(name) {
                    self.error(
                        path,
                        check.field_pos("name"),
                        format!(
                            "check name `{name}` is used twice in this file (first at line {first})"
                        ),
                        "rename one of the checks; names identify checks in evaluator results",
                    );
                } else {
                    names.insert(name.clone(), check.pos.line);
                }
            }
            if let Some(kind) = &check.check_type
                && !EVALUATOR_KINDS.contains(&kind.as_str())
            {
                self.error(
                    path,
                    check.field_pos("type"),
                    format!(
                        "check `{label}`: type `{kind}` is not one of deterministic, agent, human"
                    ),
                    "use deterministic, agent or human",
                );
            }
            if check.check_type.as_deref() == Some("deterministic")
                && check.command.is_none()
                && check.source.is_none()
                && !check.criterion.as_deref().is_some_and(|c| c.contains('$'))
            {
                self.error(
                    path,
                    check.pos,
                    format!("deterministic check `{label}` has no `command` to run"),
                    "add `command:` (e.g. \"$tools.test_runner.command $tools.test_runner.args\"), a `$var` \
                     criterion, or a `source:`",
                );
            }
            if let Some(req) = &check.required
                && !matches!(
                    req.value,
                    yaml::Yaml::Bool(_) | yaml::Yaml::String(_) | yaml::Yaml::Null
                )
            {
                self.warn(
                    path,
                    req.pos,
                    format!("check `{label}`: `required` is {}, expected true/false or a `$var`", req.kind()),
                    "write `required: true`, `required: false` or `required: \"$tools.x.required\"`",
                );
            }
            self.check_vars(file, check, &label, constraints);
        }
    }

    /// `$var` references in checklist strings must resolve against the constraints (else the engine
    /// skips the check at run time: a warning naming the var at its exact position).
    pub(super) fn check_vars(
        &mut self,
        file: &SourceFile,
        check: &crate::config::Check,
        label: &str,
        constraints: Option<&Constraints>,
    ) {
        for field in VAR_FIELDS {
            let Some(node) = check.node.get(field) else {
                continue;
            };
            let Some(value) = node.as_str() else { continue };
            let refs = var_refs(value);
            if refs.is_empty() {
                continue;
            }
            let located = locate_refs(&file.text, node);
            for (i, r) in refs.iter().enumerate() {
                let resolved = constraints.is_some_and(|c| c.var_value(&r.name).is_some());
                if resolved {
                    continue;
                }
                let pos = located
                    .iter()
                    .filter(|(name, _)| *name == r.name)
                    .nth(refs[..i].iter().filter(|p| p.name == r.name).count())
                    .map_or(node.pos, |(_, p)| *p);
                match constraints {
                    Some(_) => self.warn(
                        &file.path,
                        pos,
                        format!(
                            "check `{label}`: `${}` in `{field}` does not resolve in the project constraints; \
                             the engine will skip this check",
                            r.name
                        ),
                        &format!(
                            "add `{}` to project_constraints.yml, or fix the variable name",
                            r.name
                        ),
                    ),
                    None => self.report.push(
                        Diagnostic::warning(
                            &file.path,
                            pos.known(),
                            format!(
                                "check `{label}`: `${}` in `{field}` cannot be resolved because there is no \
                                 project constraints file",
                                r.name
                            ),
                        )
                        .with_remedy(Remedy::CreateConstraints),
                    ),
                }
            }
        }
    }
}

/// Finds the `$var` references inside a scalar's source text, with their positions; works for plain,
/// quoted and block scalars because var names never contain characters that quoting changes.
fn locate_refs(text: &str, node: &Node) -> Vec<(String, Pos)> {
    let Some(start) = node.offset.filter(|o| *o <= text.len()) else {
        return Vec::new();
    };
    let end = node
        .len
        .map_or(text.len(), |l| start.saturating_add(l).min(text.len()));
    let Some(raw) = text.get(start..end) else {
        return Vec::new();
    };
    var_refs(raw)
        .into_iter()
        .map(|r| (r.name, Pos::from_offset(text, start + r.start)))
        .collect()
}
