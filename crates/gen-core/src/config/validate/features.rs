//! Rules for feature vectors: identity, status, forbidden keys, profile and trajectory references.

use super::*;

impl Validator {
    pub(super) fn check_feature(
        &mut self,
        file: &SourceFile,
        feature: &FeatureVector,
        topology: Option<&Topology>,
        profiles: &[Profile],
    ) {
        let path = file.path.as_str();
        let root = &feature.root;
        if !feature.declared {
            self.warn(
                path,
                root.pos,
                format!(
                    "the feature vector has no `feature:` id; the file name `{}` is used",
                    file.stem()
                ),
                &format!("add `feature: {}`", file.stem()),
            );
        } else if feature.feature != file.stem() {
            self.warn(
                path,
                root.get("feature").map_or(root.pos, |n| n.pos),
                format!(
                    "feature `{}` is in a file named `{}`",
                    feature.feature,
                    file.file_name()
                ),
                "name the file after the feature id; tools find vectors by file name",
            );
        }
        match &feature.status {
            None => self.warn(
                path,
                root.pos,
                format!("feature `{}` has no `status`", feature.feature),
                "set `status: pending` (or in_progress, converged, blocked, time_box_expired)",
            ),
            Some(s) if !FEATURE_STATUSES.contains(&s.as_str()) => self.warn(
                path,
                root.get("status").map_or(root.pos, |n| n.pos),
                format!("feature `{}` has unknown status `{s}`", feature.feature),
                "use pending, in_progress, converged, blocked or time_box_expired",
            ),
            Some(_) => {}
        }
        if let Some(vt) = &feature.vector_type
            && !VECTOR_TYPES.contains(&vt.as_str())
        {
            self.warn(
                path,
                root.get("vector_type").map_or(root.pos, |n| n.pos),
                format!(
                    "feature `{}` has unknown vector_type `{vt}`",
                    feature.feature
                ),
                "use feature, discovery, spike, poc or hotfix",
            );
        }
        // An error (issue 2: vectors reference known profiles): the profile decides which edges gate the
        // feature's convergence, so an unknown one makes its status meaningless. Without any profiles
        // (older workspaces rely on the plugin's copies) there is nothing to check against.
        if let Some(p) = &feature.profile
            && !profiles.is_empty()
            && !profiles.iter().any(|x| &x.name == p)
        {
            self.error(
                path,
                root.get("profile").map_or(root.pos, |n| n.pos),
                format!(
                    "feature `{}` uses profile `{p}`, which is not in profiles/",
                    feature.feature
                ),
                "use one of the workspace's profiles or add the profile file",
            );
        }
        if let Some(tr) = root.get("trajectory")
            && tr.entries().is_none()
            && !tr.is_null()
        {
            self.warn(
                path,
                tr.pos,
                format!(
                    "`trajectory` must be a mapping of asset/edge → progress, found {}",
                    tr.kind()
                ),
                "write `trajectory: {requirements: {status: converged}, ...}`",
            );
        }
        if let Some(topology) = topology {
            for entry in &feature.trajectory {
                if topology.classify_trajectory_key(&entry.key).is_none() {
                    self.warn(
                        path,
                        entry.pos,
                        format!(
                            "trajectory key `{}` of feature `{}` is neither an asset type nor an edge of the topology",
                            entry.key, feature.feature
                        ),
                        "use an asset type name (design), an edge id (design→code) or its underscored form (design_code)",
                    );
                }
            }
        }
        if matches!(feature.folder(), Some("active" | "completed")) {
            for e in root.entries().unwrap_or_default() {
                if FORBIDDEN_FEATURE_KEYS.contains(&e.key.as_str()) {
                    self.warn(
                        path,
                        e.key_pos,
                        format!(
                            "`{}` is a spec-level key; the reference engine refuses workspace vectors that have it \
                             (WorkspaceSchemaViolation)",
                            e.key
                        ),
                        "move it to the specification's feature list, or remove it from the workspace vector",
                    );
                }
            }
        }
    }

    pub(super) fn check_feature_ids(&mut self, features: &[FeatureVector]) {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for f in features {
            if let Some(first) = seen.get(f.feature.as_str()) {
                self.warn(
                    &f.path,
                    f.root.get("feature").map_or(f.root.pos, |n| n.pos),
                    format!("feature `{}` is also defined in {first}", f.feature),
                    "keep one vector per feature (move it between active/completed instead of copying)",
                );
            } else {
                seen.insert(&f.feature, &f.path);
            }
        }
    }
}
