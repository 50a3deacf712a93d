//! Configs go up, git-like (seed `000_*`, "Team Mode": author locally, push, teammates pull).
//!
//! The config bucket holds each file under `config/<workspace-relative path>` and one **manifest**
//! (`gen/configs-manifest.json`): every file's SHA-256, size, when and by whom it was pushed. What
//! moves is decided by the three-way plan ([`plan_push`], [`plan_pull`]) of the local files, the
//! manifest and this workspace's base (the state at its last sync), never by modification times and
//! never by a request per file.
//!
//! A push **claims** its changes first: the manifest is replaced only if it is still the one read
//! (a conditional put), so two teammates pushing the same file cannot both win — the loser re-reads,
//! finds the file changed there too and reports a conflict — while two pushing different files both
//! succeed after a retry. The claim is recorded locally before the manifest is written, and the
//! objects are written after it, so a push killed anywhere is finished by the next one. A pull
//! writes a file only when the object's bytes hash to what the manifest says (an object mid-push is
//! left for the next pull), and never over a local change: the remote version goes beside it as
//! `<name>.remote`.

mod plan;

pub use plan::{FileState, Files, Resolve, Step, plan_pull, plan_push};

use crate::engine::SyncError;
use crate::objects::sha256_hex;
use crate::objects::{Expect, Objects};
use crate::state::Locked;
use crate::summary::Summary;
use crate::{OnProgress, transfer};
use gen_workspace::Workspace;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the manifest lives in the config bucket.
pub const MANIFEST_KEY: &str = "gen/configs-manifest.json";
/// The prefix of config objects.
pub const CONFIG_PREFIX: &str = "config/";
/// How often a push re-reads the manifest after losing the race to write it.
const CLAIM_TRIES: usize = 8;

/// The remote's record of every config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version (1).
    pub version: u32,
    /// Path → what was pushed there last.
    pub files: BTreeMap<String, Entry>,
}

/// One file in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// When it was pushed (RFC 3339).
    pub pushed_at: String,
    /// The origin (workspace) that pushed it.
    pub pushed_by: String,
}

impl Manifest {
    fn files(&self) -> Files {
        self.files
            .iter()
            .map(|(p, e)| {
                (
                    p.clone(),
                    FileState {
                        sha256: e.sha256.clone(),
                        size: e.size,
                    },
                )
            })
            .collect()
    }
}

fn local_err(what: &'static str, path: PathBuf) -> impl FnOnce(std::io::Error) -> SyncError {
    move |source| SyncError::Local { what, path, source }
}

/// The manifest and its tag (`Absent` when there is none yet).
fn read_manifest(objects: &dyn Objects) -> Result<(Manifest, Expect), SyncError> {
    match objects.get(MANIFEST_KEY)? {
        None => Ok((
            Manifest {
                version: 1,
                ..Manifest::default()
            },
            Expect::Absent,
        )),
        Some((bytes, tag)) => {
            let manifest: Manifest =
                serde_json::from_slice(&bytes).map_err(|e| crate::RemoteError::Damaged {
                    what: format!("config manifest `{MANIFEST_KEY}`"),
                    why: e.to_string(),
                })?;
            Ok((manifest, Expect::Tag(tag)))
        }
    }
}

/// Every shared config file of the workspace, hashed (in parallel), with its path.
fn local_files(ws: &Workspace) -> Result<(Files, BTreeMap<String, PathBuf>), SyncError> {
    let listed = ws.config_files();
    let hashed: Result<Vec<(String, FileState)>, SyncError> = listed
        .par_iter()
        .map(|(rel, path)| {
            let bytes = std::fs::read(path).map_err(local_err("read", path.clone()))?;
            Ok((
                rel.clone(),
                FileState {
                    sha256: sha256_hex(&bytes),
                    size: bytes.len() as u64,
                },
            ))
        })
        .collect();
    Ok((hashed?.into_iter().collect(), listed.into_iter().collect()))
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The words of a conflict, with both hashes and both times.
fn conflict_reason(reason: &str, path: &str, ws: &Workspace, manifest: &Manifest) -> String {
    let here = std::fs::metadata(ws.dir.join(path))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map_or_else(
            || "absent".to_string(),
            |t| {
                t.round(jiff::Unit::Second)
                    .map_or_else(|_| t.to_string(), |t| t.to_string())
            },
        );
    let there = manifest.files.get(path).map_or_else(
        || "deleted".to_string(),
        |e| format!("{} by {}", e.pushed_at, short(&e.pushed_by)),
    );
    format!("{reason} (here modified {here}; remote pushed {there})")
}

/// Counts one step of a plan into a summary.
fn count(summary: &mut Summary, step: &Step, ws: &Workspace, manifest: &Manifest) {
    match step {
        Step::Copy { replaces: true, .. } => summary.changed += 1,
        Step::Copy {
            replaces: false, ..
        } => summary.added += 1,
        Step::Delete { .. } => summary.deleted += 1,
        Step::Agree { .. } | Step::Skip { .. } => summary.skipped += 1,
        Step::Conflict { path, reason } => {
            summary.conflict(path.clone(), conflict_reason(reason, path, ws, manifest));
        }
    }
}

/// The caller's say on a push plan before anything is written (e.g. "only valid configs go"):
/// `Err(why)` stops the push with [`SyncError::Stopped`].
pub type Approve<'a> = &'a mut dyn FnMut(&Summary) -> Result<(), String>;

/// Sends the configs changed here since the last sync; see the module docs. `how.force` overwrites
/// the remote side of conflicts, `how.delete` deletes remotely what was deleted here. `approve`
/// sees the plan of a run that would send something and may stop it (validation is the caller's).
pub fn push(
    ws: &Workspace,
    objects: &dyn Objects,
    how: Resolve,
    dry_run: bool,
    progress: OnProgress<'_>,
    approve: Approve<'_>,
) -> Result<Summary, SyncError> {
    let mut locked = Locked::open(ws)?;
    let origin = locked.state.origin.clone();
    let (local, paths) = local_files(ws)?;
    for _ in 0..CLAIM_TRIES {
        let (mut manifest, expect) = read_manifest(objects)?;
        if !dry_run && !locked.state.configs_claimed.is_empty() {
            finish_claims(&mut locked, objects, &manifest, &paths)?;
        }
        let plan = plan_push(&local, &manifest.files(), &locked.state.configs, how);
        let mut summary = Summary::default();
        for step in &plan {
            count(&mut summary, step, ws, &manifest);
        }
        if summary.added + summary.changed + summary.deleted > 0 {
            approve(&summary).map_err(SyncError::Stopped)?;
        }
        if dry_run {
            return Ok(summary);
        }
        let now = jiff::Timestamp::now()
            .round(jiff::Unit::Millisecond)
            .unwrap_or_else(|_| jiff::Timestamp::now())
            .to_string();
        let mut claims = BTreeMap::new();
        for step in &plan {
            match step {
                Step::Copy { path, .. } => {
                    let state = local[path].clone();
                    manifest.files.insert(
                        path.clone(),
                        Entry {
                            sha256: state.sha256.clone(),
                            size: state.size,
                            pushed_at: now.clone(),
                            pushed_by: origin.clone(),
                        },
                    );
                    claims.insert(path.clone(), Some(state));
                }
                Step::Delete { path } => {
                    manifest.files.remove(path);
                    claims.insert(path.clone(), None);
                }
                Step::Agree { path } => match local.get(path) {
                    Some(state) => {
                        locked.state.configs.insert(path.clone(), state.clone());
                    }
                    None => {
                        locked.state.configs.remove(path);
                    }
                },
                Step::Conflict { .. } | Step::Skip { .. } => {}
            }
        }
        if claims.is_empty() {
            locked.save()?;
            return Ok(summary);
        }
        // The claim is durable here before the manifest names it.
        locked.state.configs_claimed = claims;
        locked.save()?;
        manifest.version = 1;
        let bytes = serde_json::to_vec(&manifest).unwrap_or_default();
        if objects.put_if(MANIFEST_KEY, &bytes, &expect)?.is_none() {
            // A teammate wrote the manifest since it was read: nothing of ours is in it.
            locked.state.configs_claimed.clear();
            locked.save()?;
            continue;
        }
        upload(&mut locked, objects, &paths, progress)?;
        return Ok(summary);
    }
    Err(crate::RemoteError::Unavailable(format!(
        "the config manifest kept changing while this push tried to update it ({CLAIM_TRIES} tries): teammates are pushing right now; push again in a moment"
    ))
    .into())
}

/// Writes (or deletes) the objects of the claims in the state, then moves their base and forgets
/// the claims.
fn upload(
    locked: &mut Locked,
    objects: &dyn Objects,
    paths: &BTreeMap<String, PathBuf>,
    progress: OnProgress<'_>,
) -> Result<(), SyncError> {
    let claims: Vec<(String, Option<FileState>)> = locked
        .state
        .configs_claimed
        .iter()
        .map(|(p, s)| (p.clone(), s.clone()))
        .collect();
    let mut puts = Vec::new();
    for (path, claimed) in &claims {
        let key = format!("{CONFIG_PREFIX}{path}");
        match claimed {
            None => objects.delete(&key)?,
            Some(claimed) => {
                let Some(file) = paths.get(path) else {
                    continue;
                };
                let bytes = std::fs::read(file).map_err(local_err("read", file.clone()))?;
                // Changed again since it was hashed: the next push sends the new content.
                if sha256_hex(&bytes) == claimed.sha256 {
                    puts.push((key, bytes));
                }
            }
        }
    }
    let mut done = transfer::counter("sending configs", puts.len(), progress);
    for put in objects.put_many(&puts, &mut done) {
        put?;
    }
    for (path, claimed) in claims {
        match claimed {
            Some(state) => {
                locked.state.configs.insert(path, state);
            }
            None => {
                locked.state.configs.remove(&path);
            }
        }
    }
    locked.state.configs_claimed.clear();
    locked.save()?;
    Ok(())
}

/// A push cut short after its claim: the claims the manifest still holds are finished (their
/// objects written), the others (a teammate pushed over them since) are dropped.
fn finish_claims(
    locked: &mut Locked,
    objects: &dyn Objects,
    manifest: &Manifest,
    paths: &BTreeMap<String, PathBuf>,
) -> Result<(), SyncError> {
    let still: BTreeMap<String, Option<FileState>> = locked
        .state
        .configs_claimed
        .iter()
        .filter(|(path, claimed)| {
            manifest.files.get(*path).map(|e| &e.sha256) == claimed.as_ref().map(|c| &c.sha256)
        })
        .map(|(p, c)| (p.clone(), c.clone()))
        .collect();
    locked.state.configs_claimed = still;
    upload(locked, objects, paths, &mut |_| {})
}

/// Brings the configs teammates pushed; see the module docs. `how.theirs` overwrites local changes
/// that conflict.
pub fn pull(
    ws: &Workspace,
    objects: &dyn Objects,
    how: Resolve,
    dry_run: bool,
    progress: OnProgress<'_>,
) -> Result<Summary, SyncError> {
    let mut locked = Locked::open(ws)?;
    let (local, _) = local_files(ws)?;
    let (manifest, _) = read_manifest(objects)?;
    let remote = manifest.files();
    let plan = plan_pull(&local, &remote, &locked.state.configs, how);
    let mut summary = Summary::default();
    let mut fetch: Vec<(String, bool, bool)> = Vec::new(); // (path, replaces, beside)
    let mut deletes: Vec<String> = Vec::new();
    for step in &plan {
        match step {
            Step::Copy { path, .. } | Step::Conflict { path, .. }
                if !gen_workspace::is_config_path(path) =>
            {
                summary.conflict(
                    path.clone(),
                    "refused: the manifest names a path outside the workspace's config folders (graph/, profiles/, blueprints/, constraints); it was not written",
                );
            }
            Step::Copy { path, replaces } if ws.dir.join(path).is_symlink() => {
                let _ = replaces;
                summary.conflict(
                    path.clone(),
                    "is a symlink here (into a shared config set): not written through; the remote version is beside it as .remote",
                );
                fetch.push((path.clone(), true, true));
            }
            Step::Copy { path, replaces } => fetch.push((path.clone(), *replaces, false)),
            Step::Conflict { path, .. } => {
                count(&mut summary, step, ws, &manifest);
                fetch.push((path.clone(), true, true));
            }
            Step::Agree { path } => {
                summary.skipped += 1;
                if let Some(state) = remote.get(path) {
                    locked.state.configs.insert(path.clone(), state.clone());
                }
            }
            Step::Delete { path } if gen_workspace::is_config_path(path) => {
                deletes.push(path.clone());
            }
            Step::Skip { .. } | Step::Delete { .. } => summary.skipped += 1,
        }
    }
    summary.deleted += deletes.len();
    if dry_run {
        for (_, replaces, beside) in &fetch {
            match (beside, replaces) {
                (true, _) => {}
                (false, true) => summary.changed += 1,
                (false, false) => summary.added += 1,
            }
        }
        return Ok(summary);
    }
    let keys: Vec<String> = fetch
        .iter()
        .map(|(path, _, _)| format!("{CONFIG_PREFIX}{path}"))
        .collect();
    let mut done = transfer::counter("receiving configs", keys.len(), progress);
    let got = objects.get_many(&keys, &mut done);
    let results: Vec<Result<Option<String>, SyncError>> = fetch
        .par_iter()
        .zip(got)
        .map(|((path, _, beside), got)| {
            let want = &remote[path];
            let Some((bytes, _)) = got? else {
                return Ok(Some("its object is missing from the config bucket (a push in progress?); pull again shortly".to_string()));
            };
            if sha256_hex(&bytes) != want.sha256 {
                return Ok(Some("its object does not match the manifest yet (a push in progress?); pull again shortly".to_string()));
            }
            let target = if *beside {
                ws.dir.join(format!("{path}.remote"))
            } else {
                ws.dir.join(path)
            };
            gen_workspace::write_atomic(&target, &bytes).map_err(|e| SyncError::Local {
                what: "write",
                path: target.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
            Ok(None)
        })
        .collect();
    for path in &deletes {
        let file = ws.dir.join(path);
        match std::fs::remove_file(&file) {
            Ok(()) => {
                if let Some(dir) = file.parent() {
                    gen_workspace::sync_dir(dir).map_err(|e| SyncError::Local {
                        what: "flush",
                        path: dir.to_path_buf(),
                        source: std::io::Error::other(e.to_string()),
                    })?;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(SyncError::Local {
                    what: "delete",
                    path: file,
                    source,
                });
            }
        }
        locked.state.configs.remove(path);
    }
    for ((path, replaces, beside), result) in fetch.iter().zip(results) {
        match result? {
            Some(why) => summary.conflict(path.clone(), why),
            None if *beside => {}
            None => {
                if *replaces {
                    summary.changed += 1;
                } else {
                    summary.added += 1;
                }
                locked
                    .state
                    .configs
                    .insert(path.clone(), remote[path].clone());
            }
        }
    }
    locked.save()?;
    Ok(summary)
}
