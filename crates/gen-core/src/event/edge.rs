//! Edge id spelling: real logs write `design→code`, `design\u2192code`, `design->code` and `a → b`.

/// Rewrites arrow spellings to the canonical U+2192 / U+2194 form with no spaces around the arrow.
///
/// Values without an arrow (`closure`, `design`) are kept as written: they are not edges we can fix.
/// One rule for events and configs alike, so it lives with the config model.
pub fn normalise_edge(raw: &str) -> String {
    crate::config::canonical_edge_id(raw)
}

/// True when a string is spelled like an edge id (it has an arrow), as OpenLineage job names sometimes are.
pub fn looks_like_edge(s: &str) -> bool {
    s.contains('→') || s.contains('↔') || s.contains("->")
}

/// Splits a canonical edge id into (source, target, co-evolution).
pub fn split_edge(id: &str) -> Option<(&str, &str, bool)> {
    if let Some((a, b)) = id.split_once('↔') {
        Some((a, b, true))
    } else {
        id.split_once('→').map(|(a, b)| (a, b, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_spellings_agree() {
        assert_eq!(normalise_edge("design->uat_tests"), "design→uat_tests");
        assert_eq!(
            normalise_edge("intent → named_composition"),
            "intent→named_composition"
        );
        assert_eq!(normalise_edge("code<->unit_tests"), "code↔unit_tests");
        assert_eq!(normalise_edge("code↔unit_tests"), "code↔unit_tests");
        assert_eq!(normalise_edge("closure"), "closure");
    }

    #[test]
    fn split_recognises_both_arrows() {
        assert_eq!(split_edge("a→b"), Some(("a", "b", false)));
        assert_eq!(split_edge("a↔b"), Some(("a", "b", true)));
        assert_eq!(split_edge("ab"), None);
    }
}
