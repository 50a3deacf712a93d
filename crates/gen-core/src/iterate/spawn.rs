//! Stuck → spawn (reference §1.7): when an edge's last three iterations ended with the same delta
//! above zero, the run stops and a discovery vector is started to find out why.

/// The question a discovery vector is started with.
pub fn spawn_question(feature: &str, edge: &str, failing: &[String], delta: i64) -> String {
    format!(
        "Why is {feature} stuck on {edge}? Failing checks: {}. Delta has been {delta} for 3 consecutive iterations.",
        if failing.is_empty() {
            "none named".to_string()
        } else {
            failing.join(", ")
        }
    )
}

/// The next free `REQ-F-<KIND>-NNN` id among `existing` feature ids (1 + the highest number used).
pub fn next_child_id(kind: &str, existing: &[String]) -> String {
    let prefix = format!("REQ-F-{}-", kind.to_ascii_uppercase());
    let highest = existing
        .iter()
        .filter_map(|id| id.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    format!("{prefix}{:03}", highest + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_numbered_after_the_highest_and_the_question_names_the_failures() {
        assert_eq!(next_child_id("discovery", &[]), "REQ-F-DISCOVERY-001");
        let existing = [
            "REQ-F-DISCOVERY-001".to_string(),
            "REQ-F-DISCOVERY-007".into(),
            "REQ-F-X".into(),
        ];
        assert_eq!(next_child_id("discovery", &existing), "REQ-F-DISCOVERY-008");
        assert_eq!(
            spawn_question("F", "a→b", &["tests_pass".into()], 1),
            "Why is F stuck on a→b? Failing checks: tests_pass. Delta has been 1 for 3 consecutive iterations."
        );
    }
}
