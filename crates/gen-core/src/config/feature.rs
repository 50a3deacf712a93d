//! Feature vectors (`features/{active,completed,archived}/*.yml`), read leniently.
//!
//! Real files differ a lot: `parent` is a string or a map, trajectory keys follow three conventions (asset
//! names, underscored edge names, canonical ids), and many optional keys come and go. The model names the
//! fields status needs and keeps everything else in [`FeatureVector::extra`] untouched.

use super::yaml::{self, Node, Pos};
use super::{Diagnostic, SourceFile};

/// One `trajectory` entry: progress of the feature on one asset or edge.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryEntry {
    /// The key as written (`design`, `design_code` or `design→code`).
    pub key: String,
    /// `status` of the entry (`pending`, `iterating`, `converged`), when present.
    pub status: Option<String>,
    /// The whole entry as JSON.
    pub data: serde_json::Value,
    /// Where the key is.
    pub pos: Pos,
}

/// One feature vector.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureVector {
    /// Workspace-relative path.
    pub path: String,
    /// The feature id: `feature:` when present, else the file stem (they are equal in every real file).
    pub feature: String,
    /// Whether `feature:` was present in the file.
    pub declared: bool,
    /// `title`.
    pub title: Option<String>,
    /// `status` (`pending`, `in_progress`, `converged`, `blocked`, `time_box_expired`).
    pub status: Option<String>,
    /// `profile` name.
    pub profile: Option<String>,
    /// `vector_type` (`feature`, `discovery`, `spike`, `poc`, `hotfix`).
    pub vector_type: Option<String>,
    /// `trajectory` entries in file order.
    pub trajectory: Vec<TrajectoryEntry>,
    /// Every other top-level key, in file order.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The raw root mapping.
    pub root: Node,
}

const NAMED: [&str; 6] = [
    "feature",
    "title",
    "status",
    "profile",
    "vector_type",
    "trajectory",
];

impl FeatureVector {
    /// Parses a feature file; only YAML failures (and a non-mapping root) are errors.
    pub fn parse(file: &SourceFile) -> Result<FeatureVector, Diagnostic> {
        let loaded = yaml::load_mapping(file)?;
        Ok(FeatureVector::from_node(
            &file.path,
            file.stem(),
            loaded.root,
        ))
    }

    /// Builds the model leniently from a parsed root.
    pub fn from_node(path: &str, stem: &str, root: Node) -> FeatureVector {
        let text = |k: &str| root.get(k).and_then(Node::scalar_text);
        let declared_feature = text("feature").filter(|f| !f.trim().is_empty());
        let trajectory = root
            .get("trajectory")
            .and_then(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|e| TrajectoryEntry {
                key: e.key.clone(),
                status: e.value.get("status").and_then(Node::scalar_text),
                data: e.value.to_json(),
                pos: e.key_pos,
            })
            .collect();
        let mut extra = serde_json::Map::new();
        for e in root.entries().unwrap_or_default() {
            if !NAMED.contains(&e.key.as_str()) {
                extra.insert(e.key.clone(), e.value.to_json());
            }
        }
        FeatureVector {
            path: path.to_string(),
            declared: declared_feature.is_some(),
            feature: declared_feature.unwrap_or_else(|| stem.to_string()),
            title: text("title"),
            status: text("status"),
            profile: text("profile"),
            vector_type: text("vector_type"),
            trajectory,
            extra,
            root,
        }
    }

    /// The parent feature id, whether `parent` is written as a string or as `{feature: ...}`
    /// (older files use `parent_id`).
    pub fn parent_feature(&self) -> Option<String> {
        let parent = self
            .root
            .get("parent")
            .or_else(|| self.root.get("parent_id"))?;
        parent
            .scalar_text()
            .or_else(|| parent.get("feature").and_then(Node::scalar_text))
            .filter(|s| !s.trim().is_empty())
    }

    /// Which of `features/active`, `completed` or `archived` the file is in, from its path.
    pub fn folder(&self) -> Option<&str> {
        let mut parts = self.path.rsplit('/');
        parts.next()?;
        let dir = parts.next()?;
        matches!(dir, "active" | "completed" | "archived" | "fold-back").then_some(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_fields_and_extra() {
        let f = FeatureVector::parse(&SourceFile::new(
            "features/completed/REQ-F-X-001.yml",
            "feature: REQ-F-X-001\ntitle: X\nstatus: converged\nprofile: standard\nparent: {feature: REQ-F-P-001, edge: design→code}\n\
             priority: high\ntrajectory:\n  requirements: {status: converged}\n  design_code: {status: iterating, iteration: 2}\n",
        ))
        .expect("parse");
        assert_eq!(f.feature, "REQ-F-X-001");
        assert!(f.declared);
        assert_eq!(f.parent_feature().as_deref(), Some("REQ-F-P-001"));
        assert_eq!(f.trajectory.len(), 2);
        assert_eq!(f.trajectory[1].key, "design_code");
        assert_eq!(f.trajectory[1].status.as_deref(), Some("iterating"));
        assert_eq!(f.trajectory[1].pos, Pos::new(9, 3));
        assert_eq!(f.extra.keys().collect::<Vec<_>>(), ["parent", "priority"]);
        assert_eq!(f.folder(), Some("completed"));
    }

    #[test]
    fn parent_as_string_and_missing_feature() {
        let f = FeatureVector::parse(&SourceFile::new(
            "features/active/REQ-F-Y-002.yml",
            "parent: REQ-F-P-001\nstatus: in_progress\n",
        ))
        .expect("parse");
        assert_eq!(f.feature, "REQ-F-Y-002");
        assert!(!f.declared);
        assert_eq!(f.parent_feature().as_deref(), Some("REQ-F-P-001"));
        assert!(f.trajectory.is_empty());
    }
}
