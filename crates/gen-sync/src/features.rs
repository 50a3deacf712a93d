//! Feature vectors come down from the features table (seed `000_*`: DynamoDB is their source of
//! truth, "DynamoDB query to local YAML").
//!
//! Who writes the table: `gen sync push`. Each feature touched by pushed events gets its item
//! upserted — the authored text from the table (seeded from the local YAML when the table has none),
//! its event-derived fields (status, trajectory) computed from all of the feature's events this
//! workspace can see (its log plus what the remote holds and a pull would bring), by the same splice
//! `gen features --write` uses. The write is conditional on the version read, so two pushers never
//! lose each other's update: the loser re-reads and recomputes.
//!
//! A pull writes each item's text as YAML where the workspace keeps that vector (or under
//! `features/<folder>/<id>.yml`), never over a local change made since the last pull: the table's
//! version goes beside it as `<name>.remote` and the conflict is reported.

use crate::OnProgress;
use crate::engine::{SyncError, feature_lines};
use crate::objects::sha256_hex;
use crate::objects::{Expect, FolderObjects, Objects};
use crate::remote::{Remote, RemoteError};
use crate::state::Locked;
use crate::summary::Summary;
use gen_core::projection::{Location, Outcome, Scope, project_status, refresh_vector};
use gen_workspace::{FEATURE_FOLDERS, Project, Workspace};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How often a push re-reads an item after losing the race to write it.
const TRIES: usize = 8;

/// One feature as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureItem {
    /// The feature id (the sort key).
    pub feature_id: String,
    /// The vector's folder: `active`, `completed` or `archived`.
    pub folder: String,
    /// The vector as YAML text: the authored fields with the event-derived ones refreshed.
    pub text: String,
    /// The event-derived status, for queries.
    pub status: Option<String>,
    /// Raised by one on every write.
    pub version: u64,
    /// When it was written (RFC 3339).
    pub updated_at: String,
    /// The origin (workspace) that wrote it.
    pub updated_by: String,
}

/// The features table of one project, or what plays it.
pub trait FeatureStore: Send + Sync {
    /// Every item of the project.
    fn list(&self) -> Result<Vec<FeatureItem>, RemoteError>;
    /// One item and its tag (what a conditional write expects), if it exists.
    fn get(&self, feature_id: &str) -> Result<Option<(FeatureItem, String)>, RemoteError>;
    /// Writes the item only if the table holds what `expect` says; false when it did not.
    fn put_if(&self, item: &FeatureItem, expect: &Expect) -> Result<bool, RemoteError>;
}

/// The features table as a folder: one JSON file per feature, written under the folder's lock.
#[derive(Debug, Clone)]
pub struct FolderFeatures {
    objects: FolderObjects,
}

impl FolderFeatures {
    /// The table at `dir`.
    pub fn new(dir: &Path) -> FolderFeatures {
        FolderFeatures {
            objects: FolderObjects::new(dir),
        }
    }

    fn key(feature_id: &str) -> String {
        format!("{}.json", &sha256_hex(feature_id.as_bytes())[..32])
    }
}

impl FeatureStore for FolderFeatures {
    fn list(&self) -> Result<Vec<FeatureItem>, RemoteError> {
        let mut out = Vec::new();
        for info in self.objects.list("")? {
            if let Some((bytes, _)) = self.objects.get(&info.key)? {
                out.push(parse_item(&info.key, &bytes)?);
            }
        }
        Ok(out)
    }

    fn get(&self, feature_id: &str) -> Result<Option<(FeatureItem, String)>, RemoteError> {
        let key = Self::key(feature_id);
        match self.objects.get(&key)? {
            None => Ok(None),
            Some((bytes, tag)) => Ok(Some((parse_item(&key, &bytes)?, tag))),
        }
    }

    fn put_if(&self, item: &FeatureItem, expect: &Expect) -> Result<bool, RemoteError> {
        let bytes = serde_json::to_vec_pretty(item).unwrap_or_default();
        Ok(self
            .objects
            .put_if(&Self::key(&item.feature_id), &bytes, expect)?
            .is_some())
    }
}

fn parse_item(key: &str, bytes: &[u8]) -> Result<FeatureItem, RemoteError> {
    serde_json::from_slice(bytes).map_err(|e| RemoteError::Damaged {
        what: format!("feature item `{key}`"),
        why: e.to_string(),
    })
}

fn location(folder: &str) -> Location {
    match folder {
        "completed" => Location::Completed,
        "archived" => Location::Archived,
        _ => Location::Active,
    }
}

fn folder(location: Location) -> &'static str {
    match location {
        Location::Completed => "completed",
        Location::Archived => "archived",
        _ => "active",
    }
}

/// Upserts the table item of every feature whose events were pushed (`touched`, plus those a push
/// cut short left due), with the events of this log and those on `remote` a pull would bring. See
/// the module docs.
pub fn push(
    ws: &Workspace,
    store: &dyn FeatureStore,
    remote: &dyn Remote,
    touched: &BTreeSet<String>,
    dry_run: bool,
    progress: OnProgress<'_>,
) -> Result<Summary, SyncError> {
    let mut due: BTreeSet<String> = Locked::open(ws)?.state.features_pending.clone();
    due.extend(touched.iter().cloned());
    let mut summary = Summary::default();
    if due.is_empty() {
        return Ok(summary);
    }
    // What the remote holds and this log lacks counts too (the pull takes the lock itself).
    let incoming = crate::engine::pull(ws, remote, true, progress)?.incoming;
    let mut locked = Locked::open(ws)?;
    let origin = locked.state.origin.clone();
    let project = Project::load_for_status(ws);
    // The derived fields come from the due features' events only: fold them apart.
    let lines = feature_lines(ws, &due, &incoming)?;
    let cache = ws.cache_dir();
    std::fs::create_dir_all(&cache).map_err(|source| SyncError::Local {
        what: "create",
        path: cache.clone(),
        source,
    })?;
    let scratch = tempfile::NamedTempFile::new_in(&cache).map_err(|source| SyncError::Local {
        what: "create a scratch file in",
        path: cache.clone(),
        source,
    })?;
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(scratch.path(), text).map_err(|source| SyncError::Local {
        what: "write",
        path: scratch.path().to_path_buf(),
        source,
    })?;
    let folded = gen_workspace::fold_log(scratch.path(), None)?;
    let mut inputs = project.status_inputs();
    inputs.lines = folded.lines;
    let report = project_status(&folded.fold, &folded.symbols, &inputs);
    let topology = project.config.topology.as_ref();
    let scope = Scope {
        include_history: true,
        topology,
    };
    let now = jiff::Timestamp::now().to_string();
    for feature in &due {
        let Some(status) = report.features.iter().find(|f| &f.feature == feature) else {
            summary.skipped += 1;
            locked.state.features_pending.remove(feature);
            continue;
        };
        let local = project
            .vectors
            .files
            .iter()
            .find(|v| &v.vector.feature == feature);
        let mut outcome = None;
        for _ in 0..TRIES {
            let there = store.get(feature)?;
            let (authored, place, expect, seeded) = match (&there, local) {
                (Some((item, tag)), _) => (
                    item.text.clone(),
                    item.folder.clone(),
                    Expect::Tag(tag.clone()),
                    None,
                ),
                (None, Some(file)) => {
                    let text =
                        std::fs::read_to_string(&file.path).map_err(|source| SyncError::Local {
                            what: "read",
                            path: file.path.clone(),
                            source,
                        })?;
                    let sha = sha256_hex(text.as_bytes());
                    (
                        text,
                        folder(file.location).to_string(),
                        Expect::Absent,
                        Some(sha),
                    )
                }
                (None, None) => break,
            };
            let new_text = match refresh_vector(&authored, status, location(&place), scope).outcome
            {
                Outcome::Changed(new) => new,
                _ => authored.clone(),
            };
            if let Some((item, _)) = &there
                && item.text == new_text
            {
                outcome = Some(Done::Same);
                break;
            }
            if dry_run {
                outcome = Some(if there.is_some() {
                    Done::Changed
                } else {
                    Done::Added(None)
                });
                break;
            }
            let item = FeatureItem {
                feature_id: feature.clone(),
                folder: place,
                text: new_text,
                status: Some(status.status.to_string()),
                version: there.as_ref().map_or(1, |(i, _)| i.version + 1),
                updated_at: now.clone(),
                updated_by: origin.clone(),
            };
            if store.put_if(&item, &expect)? {
                outcome = Some(if there.is_some() {
                    Done::Changed
                } else {
                    Done::Added(seeded)
                });
                break;
            }
        }
        let settled = outcome.is_some();
        match outcome {
            Some(Done::Same) => summary.skipped += 1,
            Some(Done::Changed) => summary.changed += 1,
            Some(Done::Added(seeded)) => {
                summary.added += 1;
                // Seeded from here: the local file is what the table was made from, so the next
                // pull may replace it with the table's (refreshed) text.
                if let Some(sha) = seeded {
                    locked.state.features.insert(feature.clone(), sha);
                }
            }
            None if local.is_none() => {
                // No vector anywhere to seed the item from: nothing to write until one exists.
                summary.skipped += 1;
            }
            None => summary.conflict(
                feature.clone(),
                format!("the table item kept changing while this push tried to update it ({TRIES} tries); push again"),
            ),
        }
        if settled || local.is_none() {
            locked.state.features_pending.remove(feature);
        }
    }
    if !dry_run {
        locked.save()?;
    }
    Ok(summary)
}

enum Done {
    Same,
    Changed,
    /// Created; the SHA-256 of the local text it was seeded from, if it was.
    Added(Option<String>),
}

/// Why a table item cannot be written as a vector file here.
fn refused(item: &FeatureItem) -> Option<&'static str> {
    let id = &item.feature_id;
    if id.is_empty()
        || id.len() > 200
        || id.starts_with('.')
        || id
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control() || c == ':')
    {
        return Some("refused: its feature id cannot name a file safely");
    }
    if !FEATURE_FOLDERS.contains(&item.folder.as_str()) {
        return Some("refused: its folder is not active, completed or archived");
    }
    None
}

/// Writes the table's vectors here; see the module docs. `theirs` overwrites local changes.
pub fn pull(
    ws: &Workspace,
    store: &dyn FeatureStore,
    theirs: bool,
    dry_run: bool,
) -> Result<Summary, SyncError> {
    let mut locked = Locked::open(ws)?;
    let items = store.list()?;
    let vectors = gen_workspace::load_vectors(&ws.dir);
    let existing: BTreeMap<&str, &PathBuf> = vectors
        .files
        .iter()
        .map(|v| (v.vector.feature.as_str(), &v.path))
        .collect();
    let mut summary = Summary::default();
    for item in &items {
        let default_path = ws
            .features_dir(&item.folder)
            .join(format!("{}.yml", item.feature_id));
        if let Some(why) = refused(item) {
            summary.conflict(format!("features/{}", item.feature_id), why);
            continue;
        }
        let path = existing
            .get(item.feature_id.as_str())
            .map_or(default_path, |p| (*p).clone());
        let rel = ws.relative(&path);
        let here = match std::fs::read(&path) {
            Ok(bytes) => Some(sha256_hex(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(SyncError::Local {
                    what: "read",
                    path,
                    source,
                });
            }
        };
        let there = sha256_hex(item.text.as_bytes());
        let base = locked.state.features.get(&item.feature_id);
        let (write_to, counted) = match &here {
            Some(h) if *h == there => {
                summary.skipped += 1;
                locked.state.features.insert(item.feature_id.clone(), there);
                continue;
            }
            None => (path.clone(), Counted::Added),
            Some(h) if Some(h) == base || theirs => (path.clone(), Counted::Changed),
            Some(_) => {
                let beside = PathBuf::from(format!("{}.remote", path.display()));
                summary.conflict(
                    rel.clone(),
                    format!(
                        "changed here since the last pull and changed in the features table (version {} by {}); the table's version is beside it as {}.remote — `gen sync pull --theirs` takes it",
                        item.version,
                        item.updated_by.get(..12).unwrap_or(&item.updated_by),
                        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                    ),
                );
                (beside, Counted::Beside)
            }
        };
        match counted {
            Counted::Added => summary.added += 1,
            Counted::Changed => summary.changed += 1,
            Counted::Beside => {}
        }
        if dry_run {
            continue;
        }
        gen_workspace::write_atomic(&write_to, item.text.as_bytes()).map_err(|e| {
            SyncError::Local {
                what: "write",
                path: write_to.clone(),
                source: std::io::Error::other(e.to_string()),
            }
        })?;
        if !matches!(counted, Counted::Beside) {
            locked.state.features.insert(item.feature_id.clone(), there);
        }
    }
    if !dry_run {
        locked.save()?;
    }
    Ok(summary)
}

enum Counted {
    Added,
    Changed,
    Beside,
}
