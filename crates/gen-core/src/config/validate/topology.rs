//! Rules for `graph_topology.yml`: shape, asset types, transitions (and what each dialect leaves out), edge configs.

use super::*;

impl Validator {
    /// Shape rules the lenient model cannot express (wrong container kinds, non-mapping items).
    pub(super) fn check_topology_shape(&mut self, file: &str, root: &Node) {
        match root.entry("asset_types") {
            None => self.error(
                file,
                root.pos,
                "the topology has no `asset_types` mapping".into(),
                "add `asset_types:` with one entry per asset type (intent, requirements, design, ...)",
            ),
            Some(e) => match (e.value.entries(), e.value.items()) {
                (Some([]), _) | (_, Some([])) => self.error(
                    file,
                    e.key_pos,
                    "`asset_types` is empty, so no transition can be valid".into(),
                    "declare the asset types the transitions connect",
                ),
                (Some(entries), _) => {
                    for a in entries.iter().filter(|a| a.value.entries().is_none()) {
                        self.error(
                            file,
                            a.key_pos,
                            format!("asset type `{}` must be a mapping, found {}", a.key, a.value.kind()),
                            "give it `description`, `schema` and `markov_criteria`",
                        );
                    }
                }
                (None, Some(items)) => {
                    // The Gemini dialect: `- name: intent` items; read as the same graph.
                    let mut seen: Vec<String> = Vec::new();
                    for item in items {
                        if let Some(name) = crate::config::listed_asset_name(item) {
                            if seen.contains(&name) {
                                self.error(
                                    file,
                                    item.pos,
                                    format!("asset type `{name}` is listed twice in `asset_types`"),
                                    "keep one item per asset type; merge the two descriptions",
                                );
                            }
                            seen.push(name);
                        }
                        if crate::config::listed_asset_name(item).is_none() {
                            self.error(
                                file,
                                item.pos,
                                format!("an item of the `asset_types` list has no `name` (found {})", item.kind()),
                                "write each item as `- name: requirements` with a `description`",
                            );
                        }
                    }
                }
                (None, None) => self.error(
                    file,
                    e.value.pos,
                    format!("`asset_types` must be a mapping of name → definition, found {}", e.value.kind()),
                    "write each asset type as `name: {description, schema, markov_criteria}`",
                ),
            },
        }
        match root.entry("transitions") {
            None => self.error(
                file,
                root.pos,
                "the topology has no `transitions` list".into(),
                "add `transitions:` with one item per admissible edge",
            ),
            Some(e) => match e.value.items() {
                None => self.error(
                    file,
                    e.value.pos,
                    format!("`transitions` must be a list, found {}", e.value.kind()),
                    "write each transition as a `- source: ... target: ...` list item",
                ),
                Some([]) => self.warn(
                    file,
                    e.key_pos,
                    "`transitions` is empty: the graph has no edges, so no feature can make progress".into(),
                    "add the transitions between your asset types",
                ),
                Some(items) => {
                    for item in items.iter().filter(|i| i.entries().is_none()) {
                        self.error(
                            file,
                            item.pos,
                            format!("a transition must be a mapping, found {}", item.kind()),
                            "write `- {name, source, target, edge_type, evaluators, constructor}`",
                        );
                    }
                }
            },
        }
        if let Some(e) = root.entry("constraint_dimensions")
            && e.value.entries().is_none()
            && !e.value.is_null()
        {
            self.error(
                file,
                e.value.pos,
                format!(
                    "`constraint_dimensions` must be a mapping, found {}",
                    e.value.kind()
                ),
                "write each dimension as `name: {description, mandatory, resolves_via}`",
            );
        }
    }

    pub(super) fn check_topology(&mut self, file: &str, topology: &Topology) {
        let dialects = topology.dialects();
        // In a dialect, fields the current schema wants but that tool never writes are missing on
        // every item: one warning per field names the dialect and the items, instead of dozens.
        let mut gathered: Vec<(Wanted, String, Pos)> = Vec::new();
        let gather = !dialects.is_empty();
        for d in &dialects {
            self.warn(
                file,
                topology.root.pos,
                format!(
                    "the topology is written in {}; gen reads it as the same graph{}",
                    d.label(),
                    match d {
                        Dialect::AssetTypeList =>
                            " (each list item is an asset type; a transition named `a↔b` is co-evolution)",
                        Dialect::OlderScaffold =>
                            " (a free-form edge_type is a directed edge; `bidirectional: true` is co-evolution)",
                    }
                ),
                "nothing to do to read it; to move to the current schema, write asset_types as a mapping and give \
                 each transition edge_type, evaluators, constructor and edge_config",
            );
        }
        for a in &topology.asset_types {
            if a.node.entries().is_none() {
                continue; // a bare name in a list, or reported by the shape check
            }
            // Warnings, not errors: description and schema are descriptive only (never enforced by any
            // engine) and markov_criteria are read by the evaluating agent, not by `gen`; an asset type
            // without them still routes, converges and shows in status. The workbench also creates asset
            // types incrementally, so an in-progress graph should not be "invalid" for missing prose.
            let mut missing = Vec::new();
            if a.node.get("description").is_none_or(Node::is_blank) {
                missing.push("description".to_string());
            }
            if a.node.get("schema").is_none_or(Node::is_null) {
                missing.push("schema".to_string());
            }
            if a.markov_criteria.is_empty() {
                missing.push("markov_criteria (non-empty list)".to_string());
            }
            if !missing.is_empty() && gather {
                gathered.push((Wanted::AssetProse, a.name.clone(), a.pos));
            } else if !missing.is_empty() {
                self.warn(
                    file,
                    a.pos,
                    format!("asset type `{}` has no {}", a.name, missing.join(", ")),
                    "describe the asset type and list its promotion criteria so evaluators know when it is done",
                );
            }
        }

        let mut seen: HashMap<String, (String, u32)> = HashMap::new();
        for t in &topology.transitions {
            let label = if t.name.is_empty() {
                t.edge_id()
            } else {
                t.name.clone()
            };
            if t.node.get("name").is_none_or(Node::is_blank) && gather {
                gathered.push((Wanted::Name, label.clone(), t.pos));
            } else if t.node.get("name").is_none_or(Node::is_blank) {
                self.warn(
                    file,
                    t.pos,
                    "transition has no `name`".into(),
                    "add a display name such as \"Design → Code\"",
                );
            }
            for (key, value) in [("source", &t.source), ("target", &t.target)] {
                if value.is_empty() {
                    self.error(
                        file,
                        t.pos,
                        format!("transition `{label}` has no `{key}`"),
                        "set it to the name of an asset type",
                    );
                } else if topology.asset_type(value).is_none() {
                    self.error(
                        file,
                        t.field_pos(key),
                        format!("transition `{label}`: {key} `{value}` is not an asset type"),
                        "use a key of `asset_types`, or declare the asset type",
                    );
                }
            }
            // Warnings, not errors: without `edge_type` the edge is read as directed (or co-evolution
            // when named `a↔b` or marked `bidirectional`), so status and routing still work.
            let read_as = if t.is_co_evolution() {
                "co_evolution"
            } else {
                "standard"
            };
            match &t.edge_type {
                None if gather => {
                    gathered.push((Wanted::EdgeType, format!("{label} ({read_as})"), t.pos));
                }
                None => self.warn(
                    file,
                    t.pos,
                    format!("transition `{label}` has no `edge_type`; it is read as {read_as}"),
                    "set `edge_type: standard` (or `co_evolution` for a pair that converges together)",
                ),
                Some(EdgeType::Other(other)) if gather => gathered.push((
                    Wanted::FreeFormEdgeType,
                    format!("{other} ({read_as})"),
                    t.field_pos("edge_type"),
                )),
                Some(EdgeType::Other(other)) => self.warn(
                    file,
                    t.field_pos("edge_type"),
                    format!(
                        "transition `{label}`: edge_type `{other}` is not `standard` or `co_evolution`; it is \
                         read as {read_as}"
                    ),
                    "use `standard` for a directed edge or `co_evolution` for a pair that converges together",
                ),
                Some(_) => {}
            }
            if t.node.get("evaluators").is_none() && gather {
                gathered.push((Wanted::Evaluators, label.clone(), t.pos));
            } else if t.node.get("evaluators").is_none() {
                self.warn(
                    file,
                    t.pos,
                    format!(
                        "transition `{label}` has no `evaluators`; its checks come from its edge parameters alone"
                    ),
                    "list the evaluator kinds, e.g. `evaluators: [agent, human]`",
                );
            } else {
                self.check_evaluator_list(
                    file,
                    t.node.get("evaluators"),
                    t.pos,
                    &format!("transition `{label}`"),
                    true,
                );
            }
            match &t.constructor {
                None if gather => gathered.push((Wanted::Constructor, label.clone(), t.pos)),
                None => self.warn(
                    file,
                    t.pos,
                    format!(
                        "transition `{label}` has no `constructor`; an agent constructs its asset"
                    ),
                    "set `constructor: agent` or `constructor: deterministic`",
                ),
                Some(c) if !CONSTRUCTORS.contains(&c.as_str()) => self.error(
                    file,
                    t.field_pos("constructor"),
                    format!(
                        "transition `{label}`: constructor `{c}` is not `agent` or `deterministic`"
                    ),
                    "use `agent` or `deterministic`",
                ),
                Some(_) => {}
            }
            if let Some(n) = t.node.get("edge_config")
                && n.as_str().is_none_or(|s| s.trim().is_empty())
            {
                self.error(
                    file,
                    n.pos,
                    format!(
                        "transition `{label}`: `edge_config` must be a file path, found {}",
                        n.kind()
                    ),
                    "write e.g. `edge_config: \"edge_params/design_code.yml\"` or remove the key",
                );
            }
            if t.source.is_empty() || t.target.is_empty() {
                continue;
            }
            let id = t.edge_id();
            match seen.get(&id) {
                Some((first, line)) => self.warn(
                    file,
                    t.pos,
                    format!(
                        "transition `{label}` has the same edge id `{id}` as `{first}` (line {line}); events, \
                         profiles and status cannot tell them apart"
                    ),
                    "merge the two transitions, or give one of them a distinct target asset type",
                ),
                None => {
                    seen.insert(id, (label, t.line));
                }
            }
        }

        let dialect = dialects.first().map_or("", |d| d.label());
        for kind in Wanted::ALL {
            let items: Vec<&(Wanted, String, Pos)> =
                gathered.iter().filter(|(k, _, _)| *k == kind).collect();
            let Some((_, _, pos)) = items.first() else {
                continue;
            };
            let names: Vec<String> = items.iter().map(|(_, n, _)| n.clone()).collect();
            let (what, hint) = kind.words();
            self.warn(
                file,
                *pos,
                format!(
                    "{} {what} ({dialect} does not write it): {}",
                    names.len(),
                    join(&names)
                ),
                hint,
            );
        }

        for d in &topology.constraint_dimensions {
            let node = topology
                .root
                .get("constraint_dimensions")
                .and_then(|c| c.get(&d.name));
            if node.is_none_or(|n| n.entries().is_none()) {
                self.warn(
                    file,
                    d.pos,
                    format!("constraint dimension `{}` must be a mapping", d.name),
                    "give it `description`, `mandatory` and `resolves_via`",
                );
                continue;
            }
            let mut missing = Vec::new();
            if d.description.is_none() {
                missing.push("description".to_string());
            }
            if d.mandatory.is_none() {
                missing.push("mandatory (true/false)".to_string());
            }
            if d.resolves_via.is_none() {
                missing.push("resolves_via".to_string());
            }
            if !missing.is_empty() {
                self.warn(
                    file,
                    d.pos,
                    format!(
                        "constraint dimension `{}` has no {}",
                        d.name,
                        missing.join(", ")
                    ),
                    "designers need these to know whether and how the dimension must be resolved",
                );
            }
        }
    }

    /// Evaluator lists appear in transitions, profiles and overrides; all must name known kinds.
    pub(super) fn check_evaluator_list(
        &mut self,
        file: &str,
        node: Option<&Node>,
        owner_pos: Pos,
        owner: &str,
        required: bool,
    ) {
        let Some(node) = node else {
            if required {
                self.error(
                    file,
                    owner_pos,
                    format!("{owner} has no `evaluators`"),
                    "list the evaluator kinds, e.g. `evaluators: [agent, human]`",
                );
            }
            return;
        };
        let Some(items) = node.items() else {
            self.error(
                file,
                node.pos,
                format!(
                    "{owner}: `evaluators` must be a list, found {}",
                    node.kind()
                ),
                "write e.g. `evaluators: [agent, deterministic]`",
            );
            return;
        };
        if items.is_empty() && required {
            self.error(
                file,
                node.pos,
                format!(
                    "{owner}: `evaluators` is empty, so nothing can declare the edge converged"
                ),
                "list at least one of human, agent, deterministic",
            );
        }
        for item in items {
            let name = item
                .scalar_text()
                .unwrap_or_else(|| item.kind().to_string());
            if !EVALUATOR_KINDS.contains(&name.as_str()) {
                self.error(
                    file,
                    item.pos,
                    format!(
                        "{owner}: evaluator `{name}` is not one of human, agent, deterministic"
                    ),
                    "use only human, agent and deterministic",
                );
            }
        }
    }

    /// Every `edge_config` must name an edge-parameter file of the set.
    pub(super) fn check_edge_configs(
        &mut self,
        file: &str,
        topology: &Topology,
        set: &ConfigSet,
        params: &[EdgeParams],
    ) {
        let workspace = file.starts_with("graph/");
        let dir = if workspace {
            "graph/edge_params/"
        } else {
            "edge_params/"
        };
        let mut missing: Vec<(String, Pos)> = Vec::new();
        for t in &topology.transitions {
            let Some(name) = t.edge_config_file_name() else {
                continue;
            };
            let found = set.edge_params.iter().find(|f| f.file_name() == name);
            match found {
                Some(f) => {
                    let Some(p) = params.iter().find(|p| p.path == f.path) else {
                        continue;
                    };
                    if p.checklist.is_empty() && p.evaluator_entries == 0 {
                        self.warn(
                            file,
                            t.field_pos("edge_config"),
                            format!(
                                "edge `{}` uses `{}`, which has no checklist or evaluators entries, so the edge \
                                 converges with nothing checked",
                                t.edge_id(),
                                f.path
                            ),
                            "add a `checklist:` to the edge-parameter file",
                        );
                    }
                }
                None if set.edge_params.is_empty() => {
                    if !missing.iter().any(|(m, _)| m == name) {
                        missing.push((name.to_string(), t.field_pos("edge_config")));
                    }
                }
                None => self.error(
                    file,
                    t.field_pos("edge_config"),
                    format!(
                        "edge `{}`: edge_config `{}` matches none of the {} edge-parameter files",
                        t.edge_id(),
                        t.edge_config.as_deref().unwrap_or_default(),
                        set.edge_params.len()
                    ),
                    &format!("add {dir}{name}, or point edge_config at an existing file"),
                ),
            }
        }
        if let Some((_, pos)) = missing.first() {
            // A warning, not an error: when a workspace has no edge-parameter dir at all, the reference
            // engine (`__main__._find_edge_params`) falls back to the copy shipped with its package, so the
            // edges still run — the real genesis-method workspace is laid out exactly like this. But
            // `verify_genesis_compliance` flags it (iterate invariant) and the checks then depend on whatever
            // package version is installed, so the user should know.
            let names: Vec<String> = missing.iter().map(|(n, _)| n.clone()).collect();
            let message = format!(
                "the topology names {} edge-parameter files ({}) but {} has none; the reference engine falls \
                 back to the copies in its installed package, so these edges are checked by whatever that \
                 version ships",
                names.len(),
                join(&names),
                if workspace {
                    "the workspace (graph/edge_params/ or graph/edges/)"
                } else {
                    "the config dir"
                },
            );
            if workspace {
                self.report.push(
                    Diagnostic::warning(file, pos.known(), message)
                        .with_remedy(Remedy::RefreshEdgeParams),
                );
            } else {
                self.warn(file, *pos, message, "add the files under edge_params/");
            }
        }
    }
}

/// A field the current schema wants that a dialect leaves out, gathered into one warning per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    AssetProse,
    Name,
    EdgeType,
    FreeFormEdgeType,
    Evaluators,
    Constructor,
}

impl Wanted {
    const ALL: [Wanted; 6] = [
        Wanted::AssetProse,
        Wanted::Name,
        Wanted::EdgeType,
        Wanted::FreeFormEdgeType,
        Wanted::Evaluators,
        Wanted::Constructor,
    ];

    /// What is missing (after a count) and what adding it gives.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Wanted::AssetProse => (
                "asset type(s) lack some of description, schema and markov_criteria",
                "describe each asset type and list its promotion criteria so evaluators know when it is done",
            ),
            Wanted::Name => (
                "transition(s) have no `name`",
                "add a display name such as \"Design → Code\"",
            ),
            Wanted::EdgeType => (
                "transition(s) have no `edge_type` and are read as shown",
                "set `edge_type: standard` (or `co_evolution` for a pair that converges together)",
            ),
            Wanted::FreeFormEdgeType => (
                "transition(s) name the edge in `edge_type` and are read as shown",
                "use `standard` for a directed edge or `co_evolution` for a pair that converges together",
            ),
            Wanted::Evaluators => (
                "transition(s) have no `evaluators`; their checks come from edge parameters alone",
                "list the evaluator kinds, e.g. `evaluators: [agent, human]`",
            ),
            Wanted::Constructor => (
                "transition(s) have no `constructor`; an agent constructs their assets",
                "set `constructor: agent` or `constructor: deterministic`",
            ),
        }
    }
}
