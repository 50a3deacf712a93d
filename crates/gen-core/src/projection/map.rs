//! The project map: the graph topology with, on every edge, how many features converged there,
//! are iterating there or are stuck there, and where each active feature is now ("you are here").
//! What the workbench's read-only second view draws; derived from the status view alone, so it
//! agrees with `gen status` by construction.

use serde::Serialize;

use crate::config::Topology;
use crate::projection::{FeatureStatus, StatusReport};

/// The whole map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectMap {
    /// The project's name.
    pub project: String,
    /// Asset types, in file order.
    pub nodes: Vec<MapNode>,
    /// Edges of the topology (and edges only events mention, after them), with their counts.
    pub edges: Vec<MapEdge>,
    /// Every feature, with where it is.
    pub features: Vec<MapFeature>,
}

/// One asset type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapNode {
    /// The asset type's name.
    pub id: String,
    /// What to show (the name).
    pub label: String,
    /// Its description, if the topology gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One edge with the features on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapEdge {
    /// The canonical edge id (`a→b`, `a↔b`).
    pub id: String,
    /// Where it starts.
    pub source: String,
    /// Where it ends.
    pub target: String,
    /// Features that converged this edge.
    pub converged: u32,
    /// Features iterating on it now.
    pub iterating: u32,
    /// Features stuck on it.
    pub stuck: u32,
    /// Which features, and how each stands on this edge (pending ones only when it is their next edge).
    pub features: Vec<EdgeFeature>,
    /// Not in the topology: only events name it.
    pub off_topology: bool,
}

impl MapEdge {
    /// An edge nobody is on yet.
    fn empty(id: String, source: String, target: String, off_topology: bool) -> MapEdge {
        MapEdge {
            id,
            source,
            target,
            converged: 0,
            iterating: 0,
            stuck: 0,
            features: Vec::new(),
            off_topology,
        }
    }
}

/// One feature's state on one edge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeFeature {
    /// The feature id.
    pub id: String,
    /// converged | iterating | stuck | pending
    pub status: String,
}

/// One feature and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapFeature {
    /// The feature id.
    pub id: String,
    /// Its title, from the vector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// pending | in_progress | converged | stuck | blocked
    pub status: String,
    /// The edge it is on now ("you are here"); `None` when it has converged everything or not started.
    pub here: Option<String>,
    /// Its edges in path order.
    pub trajectory: Vec<MapStep>,
}

/// One row of a feature's trajectory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapStep {
    /// The edge id.
    pub edge: String,
    /// pending | iterating | converged | stuck
    pub status: String,
    /// Completed iterations.
    pub iterations: u32,
    /// The last delta.
    pub delta: Option<i64>,
    /// When: the latest convergence, else the first activity (RFC 3339).
    pub at: Option<String>,
}

/// Splits a canonical edge id into its ends.
fn ends(edge: &str) -> Option<(String, String)> {
    edge.split_once('→')
        .or_else(|| edge.split_once('↔'))
        .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
}

/// Where a feature is: the edge it is iterating or stuck on, else the first edge of its path not
/// converged yet (what `gen iterate` would pick), else nowhere.
fn here(feature: &FeatureStatus) -> Option<String> {
    let active = |wanted: &[&str]| {
        feature
            .path
            .iter()
            .find(|e| {
                feature
                    .edges
                    .get(*e)
                    .is_some_and(|s| wanted.contains(&s.status))
            })
            .cloned()
    };
    if feature.status == "converged" {
        return None;
    }
    active(&["stuck"])
        .or_else(|| active(&["iterating"]))
        .or_else(|| {
            feature.current_edge.clone().filter(|e| {
                feature
                    .edges
                    .get(e)
                    .is_some_and(|s| s.status != "converged")
            })
        })
        .or_else(|| {
            feature
                .path
                .iter()
                .find(|e| {
                    feature
                        .edges
                        .get(*e)
                        .is_none_or(|s| s.status != "converged")
                })
                .cloned()
        })
}

/// Draws the map of `topology` (if the workspace has one) with the features of `report`.
pub fn project_map(topology: Option<&Topology>, report: &StatusReport) -> ProjectMap {
    let mut nodes: Vec<MapNode> = Vec::new();
    let mut edges: Vec<MapEdge> = Vec::new();
    let add_node = |nodes: &mut Vec<MapNode>, name: &str, description: Option<String>| {
        if !nodes.iter().any(|n| n.id == name) {
            nodes.push(MapNode {
                id: name.to_string(),
                label: name.to_string(),
                description,
            });
        }
    };
    if let Some(t) = topology {
        for a in &t.asset_types {
            add_node(&mut nodes, &a.name, a.description.clone());
        }
        for id in t.edge_ids() {
            if let Some((source, target)) = ends(&id) {
                add_node(&mut nodes, &source, None);
                add_node(&mut nodes, &target, None);
                edges.push(MapEdge::empty(id, source, target, false));
            }
        }
    }
    let mut features = Vec::new();
    for f in &report.features {
        let here = here(f);
        let mut trajectory = Vec::new();
        let mut order: Vec<&String> = f.path.iter().collect();
        for e in f.edges.keys() {
            if !order.contains(&e) {
                order.push(e);
            }
        }
        for edge in order {
            let state = f.edges.get(edge);
            let status = state.map_or("pending", |s| s.status);
            trajectory.push(MapStep {
                edge: edge.clone(),
                status: status.to_string(),
                iterations: state.map_or(0, |s| s.iterations),
                delta: state.and_then(|s| s.delta),
                at: state
                    .and_then(|s| s.converged_at.or(s.started_at))
                    .map(|t| t.to_string()),
            });
            let shown = status != "pending" || here.as_deref() == Some(edge.as_str());
            if !shown {
                continue;
            }
            let index = match edges.iter().position(|m| &m.id == edge) {
                Some(i) => i,
                None => {
                    let Some((source, target)) = ends(edge) else {
                        continue;
                    };
                    add_node(&mut nodes, &source, None);
                    add_node(&mut nodes, &target, None);
                    edges.push(MapEdge::empty(edge.clone(), source, target, true));
                    edges.len() - 1
                }
            };
            let m = &mut edges[index];
            match status {
                "converged" => m.converged += 1,
                "iterating" => m.iterating += 1,
                "stuck" => m.stuck += 1,
                _ => {}
            }
            m.features.push(EdgeFeature {
                id: f.feature.clone(),
                status: status.to_string(),
            });
        }
        features.push(MapFeature {
            id: f.feature.clone(),
            title: f.title.clone(),
            status: f.status.to_string(),
            here,
            trajectory,
        });
    }
    ProjectMap {
        project: report.project.clone(),
        nodes,
        edges,
        features,
    }
}
