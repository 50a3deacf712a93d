//! Refreshing the event-derived fields of a feature vector document, keeping every authored field.
//!
//! Only `status` and the progress fields of `trajectory` entries (`status`, `iteration`, `delta`,
//! `started_at`, `converged_at`) are derived; everything else in the document is authored and is carried
//! over untouched, in its original key order.

use super::status::FeatureStatus;
use crate::event::edge::split_edge;
use serde_json::{Map, Value};

/// Returns the document with event-derived fields refreshed from `status` (unchanged when nothing differs).
pub fn refresh_vector(doc: &Value, status: &FeatureStatus) -> Value {
    let mut doc = doc.clone();
    let Value::Object(root) = &mut doc else {
        return doc;
    };
    let authored = root.get("status").and_then(Value::as_str).unwrap_or("");
    let derived = match status.status {
        "converged" => "converged",
        // Blocked and time-boxed are human decisions the events cannot overturn unless the feature converged.
        _ if matches!(authored, "blocked" | "time_box_expired") => authored,
        "pending" => "pending",
        _ => "in_progress",
    };
    root.insert("status".into(), Value::String(derived.into()));
    let trajectory = root
        .entry("trajectory")
        .or_insert_with(|| Value::Object(Map::new()));
    if !trajectory.is_object() {
        *trajectory = Value::Object(Map::new());
    }
    let Value::Object(traj) = trajectory else {
        return doc;
    };
    for edge_id in &status.path {
        let Some(edge) = status.edges.get(edge_id) else {
            continue;
        };
        if edge.iterations == 0 && edge.started_at.is_none() && edge.converged_at.is_none() {
            continue;
        }
        let key = trajectory_key(traj, edge_id);
        let entry = traj.entry(key).or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(e) = entry else { continue };
        let s = match edge.status {
            "converged" => "converged",
            "pending" => "pending",
            _ => "iterating",
        };
        e.insert("status".into(), s.into());
        if edge.iterations > 0 {
            e.insert("iteration".into(), edge.iterations.into());
        }
        if let Some(d) = edge.delta {
            e.insert("delta".into(), d.into());
        }
        if let Some(t) = edge.started_at {
            e.insert("started_at".into(), t.to_string().into());
        }
        match edge.converged_at {
            Some(t) if edge.status == "converged" => {
                e.insert("converged_at".into(), t.to_string().into());
            }
            _ => {}
        }
    }
    doc
}

/// The trajectory key an edge is recorded under: an existing key in any convention, else the target asset.
fn trajectory_key(traj: &Map<String, Value>, edge_id: &str) -> String {
    let Some((source, target, _)) = split_edge(edge_id) else {
        return edge_id.to_string();
    };
    let underscored = format!("{source}_{target}");
    for candidate in [edge_id, underscored.as_str()] {
        if traj.contains_key(candidate) {
            return candidate.to_string();
        }
    }
    target.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::status::{EdgeStatus, Location};
    use std::collections::BTreeMap;

    fn status(edges: &[(&str, &'static str, u32)]) -> FeatureStatus {
        let mut map = BTreeMap::new();
        for (id, s, it) in edges {
            map.insert(
                id.to_string(),
                EdgeStatus {
                    status: s,
                    iterations: *it,
                    delta: Some(0),
                    required: true,
                    started_at: Some("2026-03-01T10:00:00Z".parse().unwrap()),
                    converged_at: (*s == "converged")
                        .then(|| "2026-03-01T11:00:00Z".parse().unwrap()),
                },
            );
        }
        FeatureStatus {
            feature: "REQ-F-A-001".into(),
            title: None,
            location: Location::Active,
            vector_status: None,
            profile: None,
            status: "in_progress",
            t: 1,
            v: 0,
            h: 1,
            current_edge: None,
            path: map.keys().cloned().collect(),
            edges: map,
            converged_edges: vec![],
            started_at: None,
            last_at: None,
            events: 2,
        }
    }

    #[test]
    fn authored_fields_survive_and_keys_follow_existing_conventions() {
        let doc: Value = serde_json::from_str(
            r#"{"feature":"REQ-F-A-001","title":"A","status":"pending","owner":"kim",
                "trajectory":{"design_code":{"status":"pending","notes":"keep me"}}}"#,
        )
        .unwrap();
        let out = refresh_vector(
            &doc,
            &status(&[
                ("design→code", "converged", 2),
                ("code↔unit_tests", "iterating", 1),
            ]),
        );
        assert_eq!(out["owner"], "kim");
        assert_eq!(out["title"], "A");
        assert_eq!(out["status"], "in_progress");
        assert_eq!(out["trajectory"]["design_code"]["notes"], "keep me");
        assert_eq!(out["trajectory"]["design_code"]["status"], "converged");
        assert_eq!(
            out["trajectory"]["design_code"]["converged_at"],
            "2026-03-01T11:00:00Z"
        );
        assert_eq!(out["trajectory"]["unit_tests"]["status"], "iterating");
        let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["feature", "title", "status", "owner", "trajectory"]);
    }

    #[test]
    fn blocked_is_an_authored_decision() {
        let doc: Value = serde_json::from_str(r#"{"feature":"X","status":"blocked"}"#).unwrap();
        let out = refresh_vector(&doc, &status(&[("a→b", "iterating", 1)]));
        assert_eq!(out["status"], "blocked");
    }

    #[test]
    fn refreshing_twice_changes_nothing_more() {
        let doc: Value = serde_json::from_str(r#"{"feature":"X"}"#).unwrap();
        let s = status(&[("a→b", "converged", 1)]);
        let once = refresh_vector(&doc, &s);
        assert_eq!(refresh_vector(&once, &s), once);
    }
}
