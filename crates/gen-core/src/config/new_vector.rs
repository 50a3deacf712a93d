//! A new feature vector's text: what `gen features new` writes (and a spawn will), in the shape of
//! the method's template (`feature_vector_template.yml`) cut to the fields gen reads and refreshes.
//! Pure: the caller gives the time and decides where the file goes.

use super::yaml_text::double_quoted;

/// The vector types of the method, each with the profile it starts on.
pub const VECTOR_TYPES: [(&str, &str); 5] = [
    ("feature", "standard"),
    ("discovery", "minimal"),
    ("spike", "spike"),
    ("poc", "poc"),
    ("hotfix", "hotfix"),
];

/// What a new vector says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVector {
    /// Its id (`REQ-F-PAY-001`).
    pub feature: String,
    /// One line saying what it is.
    pub title: String,
    /// One of [`VECTOR_TYPES`].
    pub vector_type: String,
    /// The projection profile it walks.
    pub profile: String,
    /// The feature it was split from, if any.
    pub parent: Option<String>,
    /// When it was created.
    pub created: jiff::Timestamp,
}

/// Why `id` cannot name a new feature (and its file): empty, too long, or holding anything but ASCII
/// letters, digits, `-`, `_` and `.` (not first).
pub fn feature_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("the feature id is empty".into());
    }
    if id.len() > 100 {
        return Some("the feature id is longer than 100 characters".into());
    }
    if id.starts_with('.') || id.starts_with('-') {
        return Some("the feature id starts with `.` or `-`".into());
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(format!(
            "the feature id holds `{}`; use ASCII letters, digits, `-`, `_` and `.`",
            c.escape_debug()
        ));
    }
    None
}

/// The profile a vector type starts on (`feature` → `standard`); `None` for an unknown type.
pub fn default_profile(vector_type: &str) -> Option<&'static str> {
    VECTOR_TYPES
        .iter()
        .find(|(t, _)| *t == vector_type)
        .map(|(_, p)| *p)
}

/// The YAML text of a new vector: pending, no trajectory yet (events fill it in through
/// `gen features --write`), no children, no time box.
pub fn render_new_vector(v: &NewVector) -> String {
    let at = double_quoted(&v.created.to_string());
    let parent = match &v.parent {
        Some(p) => format!("parent:\n  feature: {}\n", double_quoted(p)),
        None => "parent: null\n".to_string(),
    };
    format!(
        "# Feature vector {id}, written by `gen features new`.\n\
         # Authored fields are yours to edit; status and trajectory follow the events.\n\
         feature: {id_q}\n\
         title: {title}\n\
         vector_type: {vtype}\n\
         profile: {profile}\n\
         status: pending\n\
         created: {at}\n\
         updated: {at}\n\
         {parent}\
         children: []\n\
         time_box:\n  enabled: false\n\
         constraints:\n  acceptance_criteria: []\n  threshold_overrides: {{}}\n  additional_checks: []\n\
         trajectory: {{}}\n",
        id = v.feature,
        id_q = double_quoted(&v.feature),
        title = double_quoted(&v.title),
        vtype = double_quoted(&v.vector_type),
        profile = double_quoted(&v.profile),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FeatureVector, SourceFile};

    fn vector(parent: Option<&str>) -> NewVector {
        NewVector {
            feature: "REQ-F-PAY-001".into(),
            title: "Pay by card: \"3-D Secure\" # not a comment".into(),
            vector_type: "feature".into(),
            profile: "standard".into(),
            parent: parent.map(str::to_string),
            created: "2026-12-02T10:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_new_vector_reads_back_as_written() {
        let text = render_new_vector(&vector(Some("REQ-F-PAY")));
        let parsed = FeatureVector::parse(&SourceFile::new(
            "features/active/REQ-F-PAY-001.yml",
            text.clone(),
        ))
        .unwrap();
        assert_eq!(parsed.feature, "REQ-F-PAY-001");
        assert!(parsed.declared);
        assert_eq!(
            parsed.title.as_deref(),
            Some("Pay by card: \"3-D Secure\" # not a comment")
        );
        assert_eq!(parsed.status.as_deref(), Some("pending"));
        assert_eq!(parsed.profile.as_deref(), Some("standard"));
        assert_eq!(parsed.vector_type.as_deref(), Some("feature"));
        assert_eq!(parsed.parent_feature().as_deref(), Some("REQ-F-PAY"));
        assert!(parsed.trajectory.is_empty());
        let orphan = render_new_vector(&vector(None));
        let parsed = FeatureVector::parse(&SourceFile::new("f.yml", orphan)).unwrap();
        assert_eq!(parsed.parent_feature(), None);
    }

    #[test]
    fn ids_that_cannot_name_a_file_are_refused() {
        for bad in [
            "",
            ".hidden",
            "-x",
            "a/b",
            "a b",
            "é",
            "a\\b",
            &"x".repeat(101),
        ] {
            assert!(feature_id_problem(bad).is_some(), "{bad:?}");
        }
        for good in ["REQ-F-PAY-001", "REQ-F-A.B_C", "f1"] {
            assert_eq!(feature_id_problem(good), None, "{good:?}");
        }
        assert_eq!(default_profile("discovery"), Some("minimal"));
        assert_eq!(default_profile("epic"), None);
    }
}
