//! Configs through a folder bucket whose connection drops after any number of writes: a push cut
//! anywhere (before, during or after its manifest claim) is finished by the next, a teammate's pull
//! in between never writes bytes the manifest does not vouch for, and both end with the same files.

use gen_sync::configs::{self, MANIFEST_KEY, Manifest, Resolve};
use gen_sync::objects::{Expect, FolderObjects, ObjectInfo, Objects};
use gen_sync::{RemoteError, Summary, SyncError};
use gen_workspace::Workspace;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Mutex;

/// A bucket whose writes fail once the budget is spent (`None`: never).
struct Cut<'a> {
    inner: &'a FolderObjects,
    writes_left: Mutex<Option<usize>>,
}

impl Cut<'_> {
    fn spend(&self) -> Result<(), RemoteError> {
        let mut left = self.writes_left.lock().unwrap();
        match *left {
            Some(0) => Err(RemoteError::Unavailable("the connection dropped".into())),
            Some(n) => {
                *left = Some(n - 1);
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl Objects for Cut<'_> {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, RemoteError> {
        self.inner.list(prefix)
    }
    fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, RemoteError> {
        self.inner.get(key)
    }
    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, RemoteError> {
        self.spend()?;
        self.inner.put(key, bytes)
    }
    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expect: &Expect,
    ) -> Result<Option<String>, RemoteError> {
        self.spend()?;
        self.inner.put_if(key, bytes, expect)
    }
    fn delete(&self, key: &str) -> Result<(), RemoteError> {
        self.spend()?;
        self.inner.delete(key)
    }
}

fn workspace(root: &Path) -> Workspace {
    let ws = Workspace::planned(root);
    std::fs::create_dir_all(&ws.dir).unwrap();
    ws
}

fn write(ws: &Workspace, rel: &str, text: &str) {
    let path = ws.dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn push(ws: &Workspace, bucket: &dyn Objects) -> Result<Summary, SyncError> {
    configs::push(
        ws,
        bucket,
        Resolve::default(),
        false,
        &mut |_| {},
        &mut |_| Ok(()),
    )
}

fn pull(ws: &Workspace, bucket: &dyn Objects) -> Summary {
    configs::pull(ws, bucket, Resolve::default(), false, &mut |_| {}).unwrap()
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn manifest(bucket: &FolderObjects) -> Manifest {
    bucket
        .get(MANIFEST_KEY)
        .unwrap()
        .map(|(b, _)| serde_json::from_slice(&b).unwrap())
        .unwrap_or_default()
}

fn files(ws: &Workspace) -> Vec<(String, String)> {
    ws.config_files()
        .into_iter()
        .map(|(rel, path)| (rel, std::fs::read_to_string(path).unwrap()))
        .collect()
}

#[test]
fn a_push_cut_after_any_write_is_finished_by_the_next_and_pulls_never_take_unvouched_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = FolderObjects::new(&tmp.path().join("bucket"));
    let ana = workspace(&tmp.path().join("ana"));
    let bo = workspace(&tmp.path().join("bo"));
    let mut cuts = 0;
    for version in 0..4 {
        let mut budget = 0;
        // Each round changes some files, adds some, and the push is cut at a growing point.
        for i in 0..12 {
            if i % 3 != version % 3 {
                write(
                    &ana,
                    &format!("graph/edge_params/e{i}.yml"),
                    &format!("# v{version}\ncheck_{i}: {version}\n"),
                );
            }
        }
        write(&ana, &format!("profiles/p{version}.yml"), "name: p\n");
        loop {
            let cut = Cut {
                inner: &bucket,
                writes_left: Mutex::new(Some(budget)),
            };
            budget += 1;
            let done = push(&ana, &cut);
            // Whatever state the cut left, bo's pull writes only bytes the manifest vouches for.
            pull(&bo, &bucket);
            let m = manifest(&bucket);
            for (rel, text) in files(&bo) {
                if let Some(entry) = m.files.get(&rel) {
                    let local = sha(text.as_bytes());
                    let object = bucket
                        .get(&format!("config/{rel}"))
                        .unwrap()
                        .map(|(b, _)| sha(&b));
                    assert!(
                        local == entry.sha256 || object.as_deref() != Some(entry.sha256.as_str()),
                        "{rel}: bo holds bytes the manifest does not name although the object is there"
                    );
                }
            }
            if done.is_ok() {
                break;
            }
            cuts += 1;
        }
        // One uncut push finishes anything left; then both sides hold the same files.
        assert_eq!(push(&ana, &bucket).unwrap().conflicts, []);
        let summary = pull(&bo, &bucket);
        assert_eq!(summary.conflicts, [], "round {version}");
        assert_eq!(files(&ana), files(&bo), "round {version}");
        let m = manifest(&bucket);
        for (rel, text) in files(&ana) {
            assert_eq!(m.files[&rel].sha256, sha(text.as_bytes()), "{rel}");
            let (object, _) = bucket.get(&format!("config/{rel}")).unwrap().unwrap();
            assert_eq!(object, text.as_bytes(), "{rel}");
        }
    }
    assert!(cuts > 20, "the cuts landed at many points ({cuts})");
}

#[test]
fn a_push_refused_by_its_caller_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = FolderObjects::new(&tmp.path().join("bucket"));
    let ana = workspace(&tmp.path().join("ana"));
    write(&ana, "profiles/p.yml", "name: p\n");
    let refused = configs::push(
        &ana,
        &bucket,
        Resolve::default(),
        false,
        &mut |_| {},
        &mut |plan| Err(format!("{} to add", plan.added)),
    );
    assert!(matches!(refused, Err(SyncError::Stopped(why)) if why == "1 to add"));
    assert!(bucket.list("").unwrap().is_empty());
}
