//! A directory that plays the cloud: the embedded default for trying gen, for an offline team on a
//! shared drive, and for fast tests.
//!
//! ```text
//! <root>/<project>/events/items/<UTC digits>-<sha256(event id)>.json   event items (create-only)
//! <root>/<project>/events/origins/<origin>/<first number, 20 digits>.json  blocks (create-only)
//! <root>/<project>/events/origins/<origin>/head                        the origin's head
//! <root>/<project>/events/tmp/                                         files being written
//! ```
//!
//! Create-only writes go to a temporary file that is fsynced and then hard-linked to its name: the
//! link fails if the name exists, so two processes (or machines on a shared drive) can never both
//! create one item, and a reader never sees half a file. Nothing is ever rewritten but a head, which
//! only its own origin raises (under a lock, by atomic rename). A writer killed mid-write leaves a
//! temporary behind; pushers remove those older than an hour.

use crate::remote::{Block, EventItem, Put, Remote, RemoteError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Temporaries older than this belong to a writer that is gone.
const STALE: Duration = Duration::from_secs(3600);
/// Items above this many per call are written and read by several threads.
const PARALLEL_FROM: usize = 64;

/// The event stream of one project in a directory.
#[derive(Debug, Clone)]
pub struct LocalRemote {
    events: PathBuf,
    project_id: String,
}

impl LocalRemote {
    /// The project's stream under `root` (created on first write).
    pub fn new(root: &Path, project_id: &str) -> Result<LocalRemote, RemoteError> {
        let safe = !project_id.is_empty()
            && project_id != "."
            && project_id != ".."
            && project_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !safe {
            return Err(RemoteError::Unavailable(format!(
                "project id `{project_id}` cannot name a folder (use letters, digits, `-`, `_` and `.`)"
            )));
        }
        Ok(LocalRemote {
            events: root.join(project_id).join("events"),
            project_id: project_id.to_string(),
        })
    }

    fn items(&self) -> PathBuf {
        self.events.join("items")
    }

    fn origin_dir(&self, origin: &str) -> Result<PathBuf, RemoteError> {
        if origin.is_empty()
            || !origin
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(RemoteError::Damaged {
                what: format!("origin `{origin}`"),
                why: "an origin id is a UUID".into(),
            });
        }
        Ok(self.events.join("origins").join(origin))
    }

    fn item_path(&self, sk: &str) -> PathBuf {
        self.items().join(item_file(sk))
    }

    fn tmp(&self) -> PathBuf {
        self.events.join("tmp")
    }

    /// Removes temporaries that writers killed mid-write left behind.
    fn sweep(&self) {
        let Ok(entries) = std::fs::read_dir(self.tmp()) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > STALE);
            if old {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn block_path(&self, origin: &str, first: u64) -> Result<PathBuf, RemoteError> {
        Ok(self.origin_dir(origin)?.join(format!("{first:020}.json")))
    }
}

/// Runs `f` over `items` on a few threads when there are many, keeping the order of the results.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, RemoteError> + Sync,
) -> Result<Vec<R>, RemoteError> {
    if items.len() < PARALLEL_FROM {
        return items.iter().map(&f).collect();
    }
    let per = items.len().div_ceil(4);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|chunk| scope.spawn(|| chunk.iter().map(&f).collect::<Result<Vec<R>, _>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            let part = h
                .join()
                .map_err(|_| RemoteError::Unavailable("a writer thread failed".into()))??;
            out.extend(part);
        }
        Ok(out)
    })
}

/// The file name of an item: its time in digits (so names sort by time) and a hash of its id (ids
/// are arbitrary text; names must be safe on every file system).
fn item_file(sk: &str) -> String {
    let (time, id) = sk.split_once('#').unwrap_or((sk, ""));
    let time: String = time
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '~')
        .collect();
    let hash = hex(&Sha256::digest(id.as_bytes()));
    format!("{time}-{}.json", &hash[..32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unavailable(what: &str, path: &Path, e: &std::io::Error) -> RemoteError {
    RemoteError::Unavailable(format!("cannot {what} {}: {e}", path.display()))
}

/// Writes `bytes` at `path` unless something is there; `false` when it was. The new name is made
/// durable by the caller's [`gen_workspace::sync_dir`] of its folder (once per batch).
fn create_only(tmp_dir: &Path, path: &Path, bytes: &[u8]) -> Result<bool, RemoteError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let tmp = tmp_dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let write = || -> std::io::Result<()> {
        let mut f = File::create_new(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(unavailable("write", &tmp, &e));
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(unavailable("create", path, &e)),
    }
}

fn make_dirs(dirs: &[&Path]) -> Result<(), RemoteError> {
    for dir in dirs {
        gen_workspace::create_dir_all_durable(dir)
            .map_err(|e| RemoteError::Unavailable(e.to_string()))?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<(), RemoteError> {
    gen_workspace::sync_dir(dir).map_err(|e| RemoteError::Unavailable(e.to_string()))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, RemoteError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| RemoteError::Damaged {
                what: path.display().to_string(),
                why: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(unavailable("read", path, &e)),
    }
}

impl Remote for LocalRemote {
    fn get_events(&self, sks: &[String]) -> Result<Vec<EventItem>, RemoteError> {
        let found = in_parallel(sks, |sk| read_json::<EventItem>(&self.item_path(sk)))?;
        Ok(found.into_iter().flatten().collect())
    }

    fn create_events(&self, items: &[EventItem]) -> Result<Vec<Put>, RemoteError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let (dir, tmp) = (self.items(), self.tmp());
        make_dirs(&[&dir, &tmp])?;
        let puts = in_parallel(items, |item| {
            debug_assert_eq!(item.project_id, self.project_id);
            let path = self.item_path(&item.sk);
            let bytes = serde_json::to_vec(item).map_err(|e| RemoteError::Damaged {
                what: item.sk.clone(),
                why: e.to_string(),
            })?;
            if create_only(&tmp, &path, &bytes)? {
                return Ok(Put::Created);
            }
            let existing = read_json(&path)?.ok_or_else(|| RemoteError::Damaged {
                what: path.display().to_string(),
                why: "it vanished after a create was refused".into(),
            })?;
            Ok(Put::judge(item, Some(existing)))
        })?;
        sync_dir(&dir)?;
        Ok(puts)
    }

    fn put_block(&self, origin: &str, block: &Block) -> Result<(), RemoteError> {
        let path = self.block_path(origin, block.first)?;
        let dir = self.origin_dir(origin)?;
        let tmp = self.tmp();
        make_dirs(&[&dir, &tmp])?;
        let bytes = serde_json::to_vec(block).unwrap_or_default();
        if create_only(&tmp, &path, &bytes)? {
            return sync_dir(&dir);
        }
        match read_json::<Block>(&path)? {
            // A run cut short wrote it already; the first write stands.
            Some(existing) if existing.pointers.len() == block.pointers.len() => Ok(()),
            _ => Err(RemoteError::PointerTaken {
                origin: origin.to_string(),
                seq: block.first,
            }),
        }
    }

    fn blocks_between(
        &self,
        origin: &str,
        first: u64,
        last: u64,
    ) -> Result<Vec<Block>, RemoteError> {
        let dir = self.origin_dir(origin)?;
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(unavailable("list", &dir, &e)),
        };
        let mut firsts: Vec<u64> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".json")?.parse().ok()
            })
            .filter(|f| *f >= first && *f <= last)
            .collect();
        firsts.sort_unstable();
        let mut blocks = Vec::with_capacity(firsts.len());
        for at in firsts {
            let path = self.block_path(origin, at)?;
            match read_json::<Block>(&path)? {
                Some(b) if b.first == at && !b.pointers.is_empty() => blocks.push(b),
                _ => {
                    return Err(RemoteError::Damaged {
                        what: path.display().to_string(),
                        why: "it is not the block its name says".into(),
                    });
                }
            }
        }
        Ok(blocks)
    }

    fn heads(&self) -> Result<BTreeMap<String, u64>, RemoteError> {
        let dir = self.events.join("origins");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(unavailable("list", &dir, &e)),
        };
        let mut heads = BTreeMap::new();
        for entry in entries.flatten() {
            let origin = entry.file_name().to_string_lossy().into_owned();
            if let Some(head) = read_head(&entry.path().join("head"))? {
                heads.insert(origin, head);
            }
        }
        Ok(heads)
    }

    fn raise_head(&self, origin: &str, seq: u64) -> Result<(), RemoteError> {
        self.sweep();
        let dir = self.origin_dir(origin)?;
        make_dirs(&[&dir])?;
        let lock_path = dir.join("head.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| unavailable("open", &lock_path, &e))?;
        lock.lock()
            .map_err(|e| unavailable("lock", &lock_path, &e))?;
        let path = dir.join("head");
        if read_head(&path)?.is_some_and(|h| h >= seq) {
            return Ok(());
        }
        gen_workspace::write_atomic(&path, format!("{seq}\n").as_bytes())
            .map_err(|e| RemoteError::Unavailable(e.to_string()))
    }

    fn all_events(&self) -> Result<Vec<EventItem>, RemoteError> {
        let dir = self.items();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(unavailable("list", &dir, &e)),
        };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        let mut items: Vec<EventItem> = in_parallel(&paths, |p| read_json::<EventItem>(p))?
            .into_iter()
            .flatten()
            .collect();
        items.sort_by(|a, b| a.sk.cmp(&b.sk));
        Ok(items)
    }
}

fn read_head(path: &Path) -> Result<Option<u64>, RemoteError> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| RemoteError::Damaged {
                what: path.display().to_string(),
                why: format!("`{}` is not a sequence number", text.trim()),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(unavailable("read", path, &e)),
    }
}
