//! Feature vector files: reading them with their folder, and refreshing their event-derived fields
//! on request (the splice and its checks are pure, in `gen_core::projection::vector`; this module
//! reads the text and writes the result atomically).

use crate::atomic::{WriteError, write_atomic};
use gen_core::config::FeatureVector;
use gen_core::config::{Diagnostic, SourceFile};
use gen_core::config::{Topology, TrajectoryKey};
use gen_core::projection::{
    Change as VectorChange, Outcome, Refresh, Scope, left_reason, refresh_vector,
};
use gen_core::projection::{Claim, ClaimTarget, FeatureStatus, Location, VectorInfo};
use gen_core::projection::{Skip, SkipReason};
use std::path::{Path, PathBuf};

/// A vector file as found on disk.
#[derive(Debug, Clone)]
pub struct VectorFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Which folder it sits in.
    pub location: Location,
    /// The parsed vector.
    pub vector: FeatureVector,
}

/// Vectors that parsed, and diagnostics for the ones that did not.
#[derive(Debug, Default)]
pub struct Vectors {
    /// Parsed vectors, active first.
    pub files: Vec<VectorFile>,
    /// Files that could not be read or parsed.
    pub problems: Vec<Diagnostic>,
}

impl Vectors {
    /// The facts status needs; trajectory keys are resolved against the topology when there is one.
    pub fn infos(&self, topology: Option<&Topology>) -> Vec<VectorInfo> {
        self.files
            .iter()
            .map(|f| VectorInfo {
                feature: f.vector.feature.clone(),
                title: f.vector.title.clone(),
                status: f.vector.status.clone(),
                profile: f.vector.profile.clone(),
                location: f.location,
                file: f.vector.path.clone(),
                parent: f.vector.parent_feature(),
                disposition: f
                    .vector
                    .extra
                    .get("disposition")
                    .and_then(serde_json::Value::as_str)
                    .map(str::trim)
                    .filter(|d| !d.is_empty() && *d != "null")
                    .map(str::to_string),
                converged_claims: f
                    .vector
                    .trajectory
                    .iter()
                    .filter(|t| t.status.as_deref() == Some("converged"))
                    .map(|t| Claim {
                        key: t.key.clone(),
                        target: match topology.and_then(|tp| tp.classify_trajectory_key(&t.key)) {
                            Some(TrajectoryKey::Edge(id)) => ClaimTarget::Edge(id),
                            Some(TrajectoryKey::Asset(a)) => ClaimTarget::Asset(a),
                            None => ClaimTarget::Unknown,
                        },
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Reads `features/{active,completed,archived}/*.yml` of a workspace folder.
pub fn load_vectors(ws_dir: &Path) -> Vectors {
    let mut out = Vectors::default();
    let ws = crate::Workspace::from_dir(ws_dir);
    let locations = [Location::Active, Location::Completed, Location::Archived];
    for (sub, location) in crate::layout::FEATURE_FOLDERS.into_iter().zip(locations) {
        for path in crate::config::yaml_files(&ws.features_dir(sub)) {
            let rel = ws.relative(&path);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    out.problems
                        .push(Diagnostic::error(&rel, None, format!("cannot read: {e}")));
                    continue;
                }
            };
            match FeatureVector::parse(&SourceFile::new(rel, text)) {
                Ok(vector) => out.files.push(VectorFile {
                    path,
                    location,
                    vector,
                }),
                Err(d) => out.problems.push(d),
            }
        }
    }
    out
}

/// What refreshing one vector file came to, and whether the new text is on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refreshed {
    /// The planned changes and the outcome (the new text when it changes).
    pub refresh: Refresh,
    /// True when the new text was written.
    pub written: bool,
}

/// The short refresh outcome of one feature, shared by `gen features`' table and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshState {
    /// The feature has no vector file.
    NoFile,
    /// The file changes (or would, without `--write`).
    Update,
    /// The file already says what the events say.
    UpToDate,
    /// Left as written by rule (history, placeholder, no events).
    NotRefreshed,
    /// The file cannot be refreshed safely.
    Skipped,
}

impl RefreshState {
    /// The state of a feature with this refresh (`None`: no vector file).
    pub fn of(refreshed: Option<&Refreshed>) -> Self {
        match refreshed.map(|r| &r.refresh.outcome) {
            None => RefreshState::NoFile,
            Some(Outcome::Changed(_)) => RefreshState::Update,
            Some(Outcome::Unchanged) => RefreshState::UpToDate,
            Some(Outcome::Left(_)) => RefreshState::NotRefreshed,
            Some(Outcome::Skipped(_)) => RefreshState::Skipped,
        }
    }
}

/// One feature as `gen features --json` lists it (and the server will): what the events say,
/// what the vector says, and what the refresh of its file came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeatureRow {
    /// The feature id.
    pub feature: String,
    /// The event-derived status.
    pub status: String,
    /// The status the vector file claims.
    pub vector_status: Option<String>,
    /// Where its vector lives.
    pub location: Location,
    /// The vector file, workspace-relative.
    pub file: Option<String>,
    /// Iterations (count of `iteration_completed`).
    #[serde(rename = "T")]
    pub t: u32,
    /// Current delta.
    #[serde(rename = "V")]
    pub v: i64,
    /// H = T + V.
    #[serde(rename = "H")]
    pub h: i64,
    /// What the refresh came to.
    pub refresh: RefreshState,
    /// True when the new text was written.
    pub written: bool,
    /// The changes made (or that `--write` would make).
    pub changes: Vec<VectorChange>,
    /// Why the file was left or skipped, in the front end's words.
    pub reason: Option<String>,
    /// Where in the file a skip is about.
    pub line: Option<u32>,
    /// The column of that place.
    pub column: Option<u32>,
}

impl FeatureRow {
    /// The row of `status` with its vector `file` and `refreshed`; `reason` words why a file was
    /// left or skipped (the front end's wording of the outcome).
    pub fn new(
        status: &FeatureStatus,
        file: Option<String>,
        refreshed: Option<&Refreshed>,
        reason: impl FnOnce(&Outcome) -> Option<String>,
    ) -> Self {
        let outcome = refreshed.map(|r| &r.refresh.outcome);
        let pos = match outcome {
            Some(Outcome::Skipped(skip)) => skip.pos,
            _ => None,
        };
        FeatureRow {
            feature: status.feature.clone(),
            status: status.status.to_string(),
            vector_status: status.vector_status.clone(),
            location: status.location,
            file,
            t: status.t,
            v: status.v,
            h: status.h,
            refresh: RefreshState::of(refreshed),
            written: refreshed.is_some_and(|r| r.written),
            changes: refreshed
                .map(|r| r.refresh.changes.clone())
                .unwrap_or_default(),
            reason: outcome.and_then(reason),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
        }
    }
}

/// Refreshes one vector file from its feature's status: plans it always, and writes it only when
/// `write` is set, the text changes, and the file still holds the text the plan was made from.
///
/// Files kept out by rule (history without [`Scope::include_history`], placeholders, no events)
/// are not even read. The write is atomic, so a crash leaves the old or the new file. Only a failed
/// write is an error; a file that cannot be read or refreshed safely is reported as skipped so the
/// caller can go on with the others.
pub fn refresh_vector_file(
    file: &VectorFile,
    status: &FeatureStatus,
    scope: Scope<'_>,
    write: bool,
) -> Result<Refreshed, WriteError> {
    let skipped = |reason| Refreshed {
        refresh: Refresh::skipped(Skip { pos: None, reason }),
        written: false,
    };
    if let Some(reason) = left_reason(status, file.location, scope) {
        return Ok(Refreshed {
            refresh: Refresh::left(reason),
            written: false,
        });
    }
    let text = match std::fs::read_to_string(&file.path) {
        Ok(t) => t,
        Err(e) => return Ok(skipped(SkipReason::Unreadable(e.to_string()))),
    };
    let mut refresh = refresh_vector(&text, status, file.location, scope);
    let mut written = false;
    if write && let Outcome::Changed(new) = &refresh.outcome {
        // Another writer may have saved the file since it was read; never overwrite that.
        match std::fs::read_to_string(&file.path) {
            Ok(now) if now == text => {
                write_atomic(&file.path, new.as_bytes())?;
                written = true;
            }
            _ => {
                refresh.outcome = Outcome::Skipped(Skip {
                    pos: None,
                    reason: SkipReason::ChangedMeanwhile,
                });
            }
        }
    }
    Ok(Refreshed { refresh, written })
}

/// Why a new vector was not written.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The feature has a vector already (in any folder): never overwritten.
    #[error("feature {feature} already has a vector: {path}")]
    Exists {
        /// The feature id.
        feature: String,
        /// Its vector, workspace-relative.
        path: String,
    },
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What creating a vector made (`gen features new --json`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeatureCreated {
    /// The feature id.
    pub feature: String,
    /// The new file, workspace-relative.
    pub path: String,
    /// Its vector type.
    pub vector_type: String,
    /// Its profile.
    pub profile: String,
    /// The feature it was split from.
    pub parent: Option<String>,
}

/// Writes a new vector under `features/active/`, durably and create-only: a feature that has a
/// vector in any folder (by file name or by its `feature:`) is refused, and two writers racing on
/// one id cannot both succeed (the file is linked into place, which fails if the name exists).
pub fn create_vector(
    ws: &crate::Workspace,
    vector: &gen_core::config::NewVector,
) -> Result<FeatureCreated, CreateError> {
    let id = &vector.feature;
    for folder in crate::layout::FEATURE_FOLDERS {
        for ext in ["yml", "yaml"] {
            let path = ws.features_dir(folder).join(format!("{id}.{ext}"));
            if path.exists() {
                return Err(CreateError::Exists {
                    feature: id.clone(),
                    path: ws.relative(&path),
                });
            }
        }
    }
    if let Some(file) = load_vectors(&ws.dir)
        .files
        .iter()
        .find(|f| &f.vector.feature == id)
    {
        return Err(CreateError::Exists {
            feature: id.clone(),
            path: ws.relative(&file.path),
        });
    }
    let dir = ws.features_dir("active");
    let target = dir.join(format!("{id}.yml"));
    let err = |source| WriteError {
        path: target.clone(),
        source,
    };
    crate::create_dir_all_durable(&dir).map_err(err)?;
    let text = gen_core::config::render_new_vector(vector);
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(err)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    match std::fs::hard_link(tmp.path(), &target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(CreateError::Exists {
                feature: id.clone(),
                path: ws.relative(&target),
            });
        }
        Err(e) => return Err(err(e).into()),
    }
    drop(tmp);
    std::fs::File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(err)?;
    Ok(FeatureCreated {
        feature: id.clone(),
        path: ws.relative(&target),
        vector_type: vector.vector_type.clone(),
        profile: vector.profile.clone(),
        parent: vector.parent.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gen_core::projection::EdgeStatus;
    use gen_core::projection::LeftReason;
    use std::collections::BTreeMap;

    fn status(feature: &str) -> FeatureStatus {
        let edge = EdgeStatus {
            status: "converged",
            iterations: 1,
            delta: Some(0),
            required: true,
            started_at: Some("2026-03-01T10:00:00Z".parse().unwrap()),
            converged_at: Some("2026-03-01T11:00:00Z".parse().unwrap()),
        };
        FeatureStatus {
            feature: feature.into(),
            title: None,
            location: Location::Active,
            vector_status: None,
            parent: None,
            disposition: None,
            spawned: false,
            profile: None,
            status: "in_progress",
            t: 1,
            v: 0,
            h: 1,
            current_edge: None,
            edges: BTreeMap::from([("intent→requirements".to_string(), edge)]),
            path: vec!["intent→requirements".into(), "requirements→design".into()],
            converged_edges: vec!["intent→requirements".into()],
            started_at: None,
            last_at: None,
            events: 2,
        }
    }

    fn vector_file(dir: &Path, sub: &str, text: &str) -> VectorFile {
        let folder = dir.join("features").join(sub);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("REQ-F-A-001.yml"), text).unwrap();
        let mut vectors = load_vectors(dir);
        assert!(vectors.problems.is_empty(), "{:?}", vectors.problems);
        vectors.files.remove(0)
    }

    #[test]
    fn feature_row_json_shape_is_pinned() {
        let tmp = tempfile::tempdir().unwrap();
        let file = vector_file(
            tmp.path(),
            "active",
            "feature: REQ-F-A-001\nstatus: pending\n",
        );
        let s = status("REQ-F-A-001");
        let plan = refresh_vector_file(&file, &s, Scope::default(), false).unwrap();
        let planned = FeatureRow::new(
            &s,
            Some("features/active/REQ-F-A-001.yml".into()),
            Some(&plan),
            |_| None,
        );
        let flow = "feature: REQ-F-A-001\ntrajectory: {design: {status: pending}}\n";
        let file = vector_file(tmp.path(), "active", flow);
        let skipped = refresh_vector_file(&file, &s, Scope::default(), true).unwrap();
        let skipped = FeatureRow::new(
            &s,
            Some("features/active/REQ-F-A-001.yml".into()),
            Some(&skipped),
            |o| {
                Some(format!(
                    "worded by the front end: {}",
                    matches!(o, Outcome::Skipped(_))
                ))
            },
        );
        let missing = FeatureRow::new(&status("REQ-F-B-002"), None, None, |_| None);
        let rows = vec![planned, skipped, missing];
        insta::assert_json_snapshot!(rows);
        let value = serde_json::to_value(&rows).unwrap();
        assert_eq!(
            serde_json::from_value::<Vec<FeatureRow>>(value).ok(),
            Some(rows)
        );
    }

    #[test]
    fn plans_without_writing_then_writes_once() {
        let tmp = tempfile::tempdir().unwrap();
        let text = "# mine\nfeature: REQ-F-A-001\nstatus: pending\nbig: 12345678901234567890123\n";
        let file = vector_file(tmp.path(), "active", text);
        let s = status("REQ-F-A-001");
        let plan = refresh_vector_file(&file, &s, Scope::default(), false).unwrap();
        assert!(!plan.written);
        assert!(matches!(plan.refresh.outcome, Outcome::Changed(_)));
        assert_eq!(std::fs::read_to_string(&file.path).unwrap(), text);
        let done = refresh_vector_file(&file, &s, Scope::default(), true).unwrap();
        assert!(done.written);
        assert_eq!(done.refresh.changes, plan.refresh.changes);
        assert_eq!(
            std::fs::read_to_string(&file.path).unwrap(),
            "# mine\nfeature: REQ-F-A-001\nstatus: in_progress\nbig: 12345678901234567890123\ntrajectory:\n  requirements:\n    status: converged\n    iteration: 1\n    delta: 0\n    started_at: '2026-03-01T10:00:00Z'\n    converged_at: '2026-03-01T11:00:00Z'\n"
        );
        let again = refresh_vector_file(&file, &s, Scope::default(), true).unwrap();
        assert!(!again.written);
        assert_eq!(again.refresh.outcome, Outcome::Unchanged);
    }

    #[test]
    fn history_is_left_unread_and_refusals_leave_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let file = vector_file(tmp.path(), "completed", "status: converged\n");
        let s = status("REQ-F-A-001");
        let r = refresh_vector_file(&file, &s, Scope::default(), true).unwrap();
        assert_eq!(
            r.refresh.outcome,
            Outcome::Left(LeftReason::History(Location::Completed))
        );
        let flow = "feature: REQ-F-A-001\ntrajectory: {design: {status: pending}}\n";
        let file = vector_file(tmp.path(), "active", flow);
        let r = refresh_vector_file(&file, &s, Scope::default(), true).unwrap();
        assert!(!r.written);
        assert!(matches!(r.refresh.outcome, Outcome::Skipped(_)), "{r:?}");
        assert_eq!(std::fs::read_to_string(&file.path).unwrap(), flow);
    }

    #[test]
    fn a_new_vector_is_created_once_and_its_report_keeps_its_shape() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = crate::Workspace::planned(tmp.path());
        let vector = gen_core::config::NewVector {
            feature: "REQ-F-NEW-001".into(),
            title: "New".into(),
            vector_type: "feature".into(),
            profile: "standard".into(),
            parent: None,
            created: "2026-12-02T10:00:00Z".parse().unwrap(),
        };
        let created = create_vector(&ws, &vector).unwrap();
        insta::assert_json_snapshot!(created);
        let text = std::fs::read_to_string(ws.dir.join(&created.path)).unwrap();
        assert!(matches!(
            create_vector(&ws, &vector),
            Err(CreateError::Exists { .. })
        ));
        // Also when the existing vector sits in another folder under another file name.
        std::fs::remove_file(ws.dir.join(&created.path)).unwrap();
        let moved = ws.features_dir("completed").join("renamed.yml");
        std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
        std::fs::write(&moved, &text).unwrap();
        assert!(matches!(
            create_vector(&ws, &vector),
            Err(CreateError::Exists { path, .. }) if path == "features/completed/renamed.yml"
        ));
    }
}
