//! `evaluator_defaults.yml`: the three evaluator kinds and the convergence composition rule. The real file
//! is several YAML documents, so it is read through the merging loader.

use super::yaml::{self, Node};
use super::{Diagnostic, SourceFile};

/// The evaluator kinds every topology, profile and checklist may name.
pub const EVALUATOR_KINDS: [&str; 3] = ["human", "agent", "deterministic"];

/// Parsed evaluator defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluatorDefaults {
    /// Evaluator type names in file order (`human`, `agent`, `deterministic`).
    pub types: Vec<String>,
    /// `convergence_rules.composition` (`all_must_pass`).
    pub composition: Option<String>,
    /// Number of non-empty YAML documents merged (3 in the real files).
    pub documents: usize,
    /// The merged root.
    pub root: Node,
}

impl EvaluatorDefaults {
    /// Parses the (multi-document) file.
    pub fn parse(file: &SourceFile) -> Result<EvaluatorDefaults, Diagnostic> {
        let loaded = yaml::load_mapping(file)?;
        Ok(EvaluatorDefaults::from_node(loaded.root, loaded.documents))
    }

    /// Builds the model from a merged root.
    pub fn from_node(root: Node, documents: usize) -> EvaluatorDefaults {
        EvaluatorDefaults {
            types: root
                .get("evaluator_types")
                .and_then(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(|e| e.key.clone())
                .collect(),
            composition: root
                .get("convergence_rules")
                .and_then(|c| c.get("composition"))
                .and_then(Node::scalar_text),
            documents,
            root,
        }
    }

    /// The mapping describing one evaluator type.
    pub fn evaluator(&self, kind: &str) -> Option<&Node> {
        self.root.get("evaluator_types")?.get(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_documents() {
        let e = EvaluatorDefaults::parse(&SourceFile::new(
            "evaluator_defaults.yml",
            "# c\n---\nevaluator_types:\n  human: {type: human}\n  agent: {type: agent}\n---\n# nothing\n---\nconvergence_rules: {composition: all_must_pass}\n",
        ))
        .expect("parse");
        assert_eq!(e.documents, 2);
        assert_eq!(e.types, ["human", "agent"]);
        assert_eq!(e.composition.as_deref(), Some("all_must_pass"));
        assert!(e.evaluator("agent").is_some());
        assert!(e.evaluator("deterministic").is_none());
    }
}
