//! Rules for profiles: required fields, edge references in every section, unique names.

use super::*;

impl Validator {
    pub(super) fn check_profile(
        &mut self,
        file: &SourceFile,
        profile: &Profile,
        topology: Option<&Topology>,
    ) {
        let path = file.path.as_str();
        let root = &profile.root;
        match &profile.declared_name {
            None => self.warn(
                path,
                root.pos,
                format!(
                    "the profile has no `profile:` name; the file name `{}` is used",
                    file.stem()
                ),
                &format!("add `profile: {}`", file.stem()),
            ),
            Some(name) if name != file.stem() => self.warn(
                path,
                root.get("profile").map_or(root.pos, |n| n.pos),
                format!("profile `{name}` is in a file named `{}`", file.file_name()),
                "name the file after the profile; features refer to profiles by name",
            ),
            Some(_) => {}
        }
        let mut missing: Vec<String> = [
            "description",
            "version",
            "evaluators",
            "convergence",
            "context",
        ]
        .iter()
        .filter(|k| root.get(k).is_none_or(Node::is_null))
        .map(|k| (*k).to_string())
        .collect();
        if profile.vector_types.is_empty() {
            missing.push("vector_types (non-empty list)".into());
        }
        if !missing.is_empty() {
            self.warn(
                path,
                root.pos,
                format!("profile `{}` has no {}", profile.name, join(&missing)),
                "the reference profiles define all of these; copy the shape of profiles/standard.yml",
            );
        }
        for vt in &profile.vector_types {
            if !VECTOR_TYPES.contains(&vt.as_str()) {
                let pos = root
                    .get("vector_types")
                    .and_then(Node::items)
                    .and_then(|items| {
                        items
                            .iter()
                            .find(|i| i.scalar_text().as_deref() == Some(vt))
                    })
                    .map_or(root.pos, |n| n.pos);
                self.warn(
                    path,
                    pos,
                    format!(
                        "vector type `{vt}` is not one of feature, discovery, spike, poc, hotfix"
                    ),
                    "use a known vector type",
                );
            }
        }

        let graph = root.get("graph");
        match graph {
            None => self.error(
                path,
                root.pos,
                format!(
                    "profile `{}` has no `graph` section, so it selects no edges",
                    profile.name
                ),
                "add `graph: {include: [...]}` or `graph: {include: all}`",
            ),
            Some(g) if g.entries().is_none() => self.error(
                path,
                g.pos,
                format!("`graph` must be a mapping, found {}", g.kind()),
                "write `graph:` with `include:`, and optionally `optional:` and `skip:`",
            ),
            Some(g) => match g.get("include") {
                None => self.error(
                    path,
                    g.pos,
                    format!("profile `{}` has no `graph.include`", profile.name),
                    "list the edges to traverse, or write `include: all`",
                ),
                Some(inc)
                    if matches!(profile.include, Include::Edges(_))
                        && inc.items().is_none()
                        && inc.as_str().is_none() =>
                {
                    self.error(
                        path,
                        inc.pos,
                        format!(
                            "`graph.include` must be `all` or a list of edge ids, found {}",
                            inc.kind()
                        ),
                        "write `include: all` or `include: [\"intent→requirements\", ...]`",
                    );
                }
                Some(_) => {}
            },
        }

        if let Some(topology) = topology {
            for r in &profile.edge_refs {
                match topology.resolve_edge(&r.raw) {
                    None => self.error(
                        path,
                        r.pos,
                        format!(
                            "profile `{}` {} `{}`, which is not an edge of the topology",
                            profile.name, r.section, r.raw
                        ),
                        "use an edge id `source→target` (or `source↔target` for co_evolution) of a transition in \
                         graph_topology.yml",
                    ),
                    Some(id) if id != r.raw => self.warn(
                        path,
                        r.pos,
                        format!("profile `{}` {} `{}` is not canonical; the edge id is `{id}`", profile.name, r.section, r.raw),
                        &format!("write \"{id}\""),
                    ),
                    Some(_) => {}
                }
            }
        }

        if let Some(ev) = root.get("evaluators") {
            if ev.entries().is_none() {
                self.error(
                    path,
                    ev.pos,
                    format!(
                        "`evaluators` must be a mapping with `default` and `overrides`, found {}",
                        ev.kind()
                    ),
                    "write `evaluators: {default: [agent], overrides: {}}`",
                );
            } else {
                let owner = format!("profile `{}` evaluators.default", profile.name);
                self.check_evaluator_list(path, ev.get("default"), ev.pos, &owner, false);
                if let Some(ov) = ev.get("overrides") {
                    if let Some(entries) = ov.entries() {
                        for e in entries {
                            let owner =
                                format!("profile `{}` override for `{}`", profile.name, e.key);
                            let list = e
                                .value
                                .get("evaluators")
                                .or_else(|| e.value.items().map(|_| &e.value));
                            self.check_evaluator_list(path, list, e.key_pos, &owner, true);
                        }
                    } else if !ov.is_null() {
                        self.error(
                            path,
                            ov.pos,
                            format!("`evaluators.overrides` must be a mapping of edge id → evaluators, found {}", ov.kind()),
                            "write `overrides: {\"design→code\": {evaluators: [agent]}}`",
                        );
                    }
                }
            }
        }

        if profile.iteration_budget.as_deref() == Some("time_boxed") && profile.time_box.is_none() {
            let pos = root
                .get("iteration")
                .and_then(|i| i.get("budget"))
                .map_or(root.pos, |n| n.pos);
            self.error(
                path,
                pos,
                format!("profile `{}` has a time_boxed budget but no `iteration.time_box`", profile.name),
                "add `time_box: {duration: \"1 week\", check_in: daily, on_expiry: fold_back}` under `iteration`",
            );
        }
    }

    pub(super) fn check_profile_names(&mut self, profiles: &[Profile]) {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for p in profiles {
            if let Some(first) = seen.get(p.name.as_str()) {
                self.warn(
                    &p.path,
                    p.root.get("profile").map_or(p.root.pos, |n| n.pos),
                    format!("profile `{}` is defined twice (also in {first})", p.name),
                    "keep one definition per profile name",
                );
            } else {
                seen.insert(&p.name, &p.path);
            }
        }
    }
}
