//! Edge-parameter files (`edge_params/*.yml`): the evaluator checklist and convergence rule of one edge.
//!
//! Most files carry a `checklist:` of checks; a few (intent_dispatch, schema_discovery, workspace_analysis)
//! use `evaluators:` instead, and supplementary ones (traceability) have neither. The model keeps all of
//! them; validation decides what is required.

use super::constraints::Constraints;
use super::yaml::{self, Node, Pos};
use super::{Diagnostic, SourceFile};

/// One checklist entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Unique name within the file.
    pub name: Option<String>,
    /// `deterministic`, `agent` or `human`.
    pub check_type: Option<String>,
    /// What must hold; may contain `$vars`.
    pub criterion: Option<String>,
    /// `true`/`false` or a `$var` string; see [`Check::is_required`].
    pub required: Option<Node>,
    /// Shell command for deterministic checks; may contain `$vars`.
    pub command: Option<String>,
    /// How the command's result is judged; may contain `$vars`.
    pub pass_criterion: Option<String>,
    /// Where the check comes from (`default`, `traceability`, ...).
    pub source: Option<String>,
    /// The functional unit (`evaluate`, `construct`, ...).
    pub functional_unit: Option<String>,
    /// Where the list item starts.
    pub pos: Pos,
    /// The raw mapping.
    pub node: Node,
}

impl Check {
    /// Whether the check blocks convergence, resolving a `$var` through the constraints when given.
    ///
    /// A missing `required` counts as true (a check is blocking unless it says otherwise).
    pub fn is_required(&self, constraints: Option<&Constraints>) -> bool {
        match (&self.required, constraints) {
            (None, _) => true,
            (Some(node), Some(c)) => c.resolve_required(node),
            (Some(node), None) => {
                Constraints::from_node(Node::detached(yaml::Yaml::Null)).resolve_required(node)
            }
        }
    }

    /// Position of a field's value (or of the item when the field is missing), for diagnostics.
    pub fn field_pos(&self, key: &str) -> Pos {
        self.node.get(key).map_or(self.pos, |n| n.pos)
    }
}

/// One parsed edge-parameter file.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeParams {
    /// Workspace-relative path of the file.
    pub path: String,
    /// The `edge:` value as written (canonical id in most files).
    pub edge: Option<String>,
    /// Checklist entries (empty when the file has none).
    pub checklist: Vec<Check>,
    /// Whether a `checklist:` key is present at all.
    pub has_checklist: bool,
    /// Number of `evaluators:` entries, for files that use that style.
    pub evaluator_entries: usize,
    /// The `convergence:` block as JSON, when present.
    pub convergence: Option<serde_json::Value>,
    /// Number of non-empty YAML documents in the file.
    pub documents: usize,
    /// The merged raw root.
    pub root: Node,
}

impl EdgeParams {
    /// Parses an edge-parameter file; only YAML failures are errors here.
    pub fn parse(file: &SourceFile) -> Result<EdgeParams, Diagnostic> {
        let loaded = yaml::load_mapping(file)?;
        Ok(EdgeParams::from_node(
            &file.path,
            loaded.root,
            loaded.documents,
        ))
    }

    /// Builds the model leniently from a parsed root.
    pub fn from_node(path: &str, root: Node, documents: usize) -> EdgeParams {
        let checklist = root
            .get("checklist")
            .and_then(Node::items)
            .unwrap_or_default()
            .iter()
            .filter(|item| item.entries().is_some())
            .map(|item| {
                let text = |k: &str| item.get(k).and_then(Node::scalar_text);
                Check {
                    name: text("name"),
                    check_type: text("type"),
                    criterion: text("criterion"),
                    required: item.get("required").cloned(),
                    command: text("command"),
                    pass_criterion: text("pass_criterion"),
                    source: text("source"),
                    functional_unit: text("functional_unit"),
                    pos: item.pos,
                    node: item.clone(),
                }
            })
            .collect();
        let evaluator_entries = match root.get("evaluators") {
            Some(n) => n
                .items()
                .map(<[Node]>::len)
                .or_else(|| n.entries().map(<[yaml::Entry]>::len))
                .unwrap_or(0),
            None => 0,
        };
        EdgeParams {
            path: path.to_string(),
            edge: root.get("edge").and_then(Node::scalar_text),
            checklist,
            has_checklist: root.get("checklist").is_some(),
            evaluator_entries,
            convergence: root.get("convergence").map(Node::to_json),
            documents,
            root,
        }
    }

    /// Checks that are required under the given constraints, in file order.
    pub fn required_checks<'a>(
        &'a self,
        constraints: Option<&'a Constraints>,
    ) -> impl Iterator<Item = &'a Check> + 'a {
        self.checklist
            .iter()
            .filter(move |c| c.is_required(constraints))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TDD: &str = "\
# comment
---
edge: \"code↔unit_tests\"
checklist:
  - name: tests_pass
    type: deterministic
    criterion: All tests pass
    required: true
    command: \"$tools.test_runner.command\"
  - name: type_check
    type: deterministic
    criterion: Types
    required: \"$tools.type_checker.required\"
    source: default
  - {name: advisory, type: agent, criterion: nice, required: false}
convergence: {rule: all_required_checks_pass}
";

    #[test]
    fn parses_checklist_and_convergence() {
        let p = EdgeParams::parse(&SourceFile::new("edge_params/tdd.yml", TDD)).expect("parse");
        assert_eq!(p.edge.as_deref(), Some("code↔unit_tests"));
        assert_eq!(p.checklist.len(), 3);
        assert_eq!(p.checklist[1].pos.line, 10);
        assert_eq!(
            p.checklist[0].command.as_deref(),
            Some("$tools.test_runner.command")
        );
        assert!(p.convergence.is_some());
        assert_eq!(p.documents, 1);
    }

    #[test]
    fn required_resolves_through_constraints() {
        let p = EdgeParams::parse(&SourceFile::new("edge_params/tdd.yml", TDD)).expect("parse");
        let off = Constraints::parse(&SourceFile::new(
            "c.yml",
            "tools: {type_checker: {required: false}}\n",
        ))
        .expect("constraints");
        let on = Constraints::parse(&SourceFile::new(
            "c.yml",
            "tools: {type_checker: {required: true}}\n",
        ))
        .expect("constraints");
        let names = |c: &Constraints| -> Vec<String> {
            p.required_checks(Some(c))
                .filter_map(|c| c.name.clone())
                .collect()
        };
        assert_eq!(names(&off), ["tests_pass"]);
        assert_eq!(names(&on), ["tests_pass", "type_check"]);
        // Without constraints the reference leaves "$tools..." in place, which is truthy.
        assert!(p.checklist[1].is_required(None));
        assert!(!p.checklist[2].is_required(None));
    }

    #[test]
    fn evaluator_style_files_are_counted() {
        let p = EdgeParams::parse(&SourceFile::new(
            "edge_params/intent_dispatch.yml",
            "edge: intent_dispatch\nevaluators:\n  - {name: a}\n  - {name: b}\nconvergence: {rule: x}\n",
        ))
        .expect("parse");
        assert!(!p.has_checklist);
        assert_eq!(p.evaluator_entries, 2);
    }
}
