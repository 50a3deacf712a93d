//! Object stores, what configs and artifacts sync through (seed `000_*`: the config bucket and the
//! artifacts bucket): keys to bytes, listed with a content tag per object (S3: the ETag; the folder
//! remote: a SHA-256), and a conditional put for the one object two writers may race on (a manifest).
//!
//! Groundwork for issue 9 (configs up, artifacts down): the folder implementation is here; the S3 one
//! goes in `gen-sync-aws`.

use crate::remote::RemoteError;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::path::{Path, PathBuf};

/// One object as a listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Its key (`/`-separated).
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// A tag that changes whenever the content does (S3: the ETag; folder: SHA-256 hex).
    pub tag: String,
}

/// What a conditional put expects to find under its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Nothing: the put creates the object.
    Absent,
    /// The object with this tag: the put replaces exactly what the writer read.
    Tag(String),
}

/// What one fetch of [`Objects::get_many`] came to.
pub type Fetched = Result<Option<(Vec<u8>, String)>, RemoteError>;
/// What one write of [`Objects::put_many`] came to (the new tag).
pub type Stored = Result<String, RemoteError>;

/// A bucket, or what plays one.
pub trait Objects: Send + Sync {
    /// Every object whose key starts with `prefix`, in key order.
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, RemoteError>;
    /// The object's bytes and tag, if it exists.
    fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, RemoteError>;
    /// Writes the object whole (readers see the old or the new bytes, never a mix); returns its tag.
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, RemoteError>;
    /// Writes only if the key holds what `expect` says; `None` when it did not (someone else wrote).
    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expect: &Expect,
    ) -> Result<Option<String>, RemoteError>;
    /// Removes the object (absent already is fine).
    fn delete(&self, key: &str) -> Result<(), RemoteError>;
    /// Many objects, several at a time, in the order asked; `done` hears of each as it finishes.
    fn get_many(&self, keys: &[String], done: &mut dyn FnMut()) -> Vec<Fetched> {
        crate::transfer::each(keys, done, |key| self.get(key))
    }
    /// Writes many objects, several at a time; results in the order given.
    fn put_many(&self, items: &[(String, Vec<u8>)], done: &mut dyn FnMut()) -> Vec<Stored> {
        crate::transfer::each(items, done, |(key, bytes)| self.put(key, bytes))
    }
}

/// Why a key cannot name an object: empty, absolute, `.`/`..` segments, backslashes, NUL or a
/// drive letter. The same rule guards what a pull writes locally.
pub fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("the key is empty".into());
    }
    if key.starts_with('/') {
        return Err("the key is absolute".into());
    }
    if key.contains('\\') || key.contains('\0') {
        return Err("the key holds a backslash or a NUL".into());
    }
    if key.as_bytes().get(1) == Some(&b':') {
        return Err("the key starts with a drive letter".into());
    }
    if key
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return Err("the key has an empty, `.` or `..` segment".into());
    }
    Ok(())
}

/// SHA-256 of `bytes`, lowercase hex: the content hash every resource compares by.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A bucket as a folder: `<dir>/<key>`, written by temporary file, fsync and rename; conditional puts
/// under a lock file beside the bucket.
#[derive(Debug, Clone)]
pub struct FolderObjects {
    dir: PathBuf,
}

impl FolderObjects {
    /// The bucket at `dir` (created on first write).
    pub fn new(dir: &Path) -> FolderObjects {
        FolderObjects {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self, key: &str) -> Result<PathBuf, RemoteError> {
        check_key(key).map_err(|why| RemoteError::Damaged {
            what: format!("object key `{key}`"),
            why,
        })?;
        Ok(self.dir.join(key))
    }

    fn io(what: &str, path: &Path, e: impl std::fmt::Display) -> RemoteError {
        RemoteError::Unavailable(format!("cannot {what} {}: {e}", path.display()))
    }
}

impl Objects for FolderObjects {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, RemoteError> {
        let mut out = Vec::new();
        let mut stack = vec![self.dir.clone()];
        while let Some(dir) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Self::io("list", &dir, e)),
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(".tmp-") || name == ".lock" {
                    continue;
                }
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(rel) = path.strip_prefix(&self.dir) else {
                    continue;
                };
                let key = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                if !key.starts_with(prefix) {
                    continue;
                }
                let bytes = std::fs::read(&path).map_err(|e| Self::io("read", &path, e))?;
                out.push(ObjectInfo {
                    key,
                    size: bytes.len() as u64,
                    tag: sha256_hex(&bytes),
                });
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, RemoteError> {
        let path = self.path(key)?;
        match std::fs::read(&path) {
            Ok(bytes) => {
                let tag = sha256_hex(&bytes);
                Ok(Some((bytes, tag)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Self::io("read", &path, e)),
        }
    }

    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, RemoteError> {
        let path = self.path(key)?;
        gen_workspace::write_atomic(&path, bytes).map_err(|e| Self::io("write", &path, e))?;
        Ok(sha256_hex(bytes))
    }

    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expect: &Expect,
    ) -> Result<Option<String>, RemoteError> {
        self.path(key)?;
        gen_workspace::create_dir_all_durable(&self.dir)
            .map_err(|e| Self::io("create", &self.dir, e))?;
        let lock_path = self.dir.join(".lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Self::io("open", &lock_path, e))?;
        lock.lock().map_err(|e| Self::io("lock", &lock_path, e))?;
        let now = self.get(key)?.map(|(_, tag)| tag);
        let matches = match (expect, &now) {
            (Expect::Absent, None) => true,
            (Expect::Tag(want), Some(tag)) => want == tag,
            _ => false,
        };
        if !matches {
            return Ok(None);
        }
        // The lock is held until `lock` drops, after the write.
        self.put(key, bytes).map(Some)
    }

    fn delete(&self, key: &str) -> Result<(), RemoteError> {
        let path = self.path(key)?;
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Self::io("delete", &path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_would_escape_or_confuse_a_folder_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/./b",
            "c:/x",
            "C:x",
            "a\\b",
            "a\0b",
            "a/",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        for good in [
            "config/graph/graph_topology.yml",
            "artifacts/a b/ü.txt",
            "x..y/z",
        ] {
            assert_eq!(check_key(good), Ok(()), "{good:?}");
        }
    }

    #[test]
    fn a_folder_bucket_lists_gets_puts_and_deletes_and_a_conditional_put_loses_a_race() {
        let tmp = tempfile::tempdir().unwrap();
        let bucket = FolderObjects::new(&tmp.path().join("bucket"));
        assert!(bucket.list("").unwrap().is_empty());
        let t1 = bucket.put("config/a.yml", b"one").unwrap();
        bucket.put("config/sub/b.yml", b"two").unwrap();
        bucket.put("other/c", b"three").unwrap();
        let listed: Vec<(String, u64)> = bucket
            .list("config/")
            .unwrap()
            .into_iter()
            .map(|o| (o.key, o.size))
            .collect();
        assert_eq!(
            listed,
            [("config/a.yml".into(), 3), ("config/sub/b.yml".into(), 3)]
        );
        assert_eq!(
            bucket.get("config/a.yml").unwrap(),
            Some((b"one".to_vec(), t1.clone()))
        );
        // The manifest dance: create once, then replace only what was read.
        assert!(
            bucket
                .put_if("m.json", b"v1", &Expect::Absent)
                .unwrap()
                .is_some()
        );
        assert!(
            bucket
                .put_if("m.json", b"v1b", &Expect::Absent)
                .unwrap()
                .is_none()
        );
        let (_, tag) = bucket.get("m.json").unwrap().unwrap();
        assert!(
            bucket
                .put_if("m.json", b"v2", &Expect::Tag(tag.clone()))
                .unwrap()
                .is_some()
        );
        assert!(
            bucket
                .put_if("m.json", b"v3", &Expect::Tag(tag))
                .unwrap()
                .is_none(),
            "a writer that read v1 cannot overwrite v2"
        );
        assert_eq!(bucket.get("m.json").unwrap().unwrap().0, b"v2");
        bucket.delete("config/a.yml").unwrap();
        bucket.delete("config/a.yml").unwrap();
        assert_eq!(bucket.get("config/a.yml").unwrap(), None);
        assert!(bucket.put("../escape", b"x").is_err());
    }
}
