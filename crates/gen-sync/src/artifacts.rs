//! Iterate artifacts come down from the artifacts bucket to `.ai-workspace/artifacts/` (seed `000_*`:
//! S3 is their source of truth, "`aws s3 sync` from artifacts bucket").
//!
//! One paginated listing says what the bucket holds; each object's tag is compared with the one
//! this workspace last pulled, so only changed objects move, eight at a time. A file is written to
//! a temporary name beside its target and renamed over it (a reader never sees half an artifact;
//! temporaries of a killed pull are swept by the next), and the whole pull is flushed to disk
//! before it reports success. A local file changed since it was pulled is never overwritten: the
//! bucket's version goes beside it as `<name>.remote`. A key that could write outside the folder is
//! refused and reported, and the rest of the pull goes on.

use crate::engine::SyncError;
use crate::objects::sha256_hex;
use crate::objects::{ObjectInfo, Objects, check_key};
use crate::state::{Locked, Pulled};
use crate::summary::Summary;
use crate::{OnProgress, transfer};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Temporaries of a pull, swept by the next one.
const PARTIAL: &str = ".gen-partial-";

/// The folder artifacts land in, under the workspace.
pub const ARTIFACTS_DIR: &str = "artifacts";

/// Characters that render as nothing or reorder text: a key holding one shows a name that is not
/// the one written.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}' | '\u{061C}'
        | '\u{180E}')
}

/// Characters drawn like `/` or `\\`: a name holding one reads as a path with another shape.
fn slash_like(c: char) -> bool {
    matches!(
        c,
        '\u{2044}'
            | '\u{2215}'
            | '\u{2216}'
            | '\u{2571}'
            | '\u{2572}'
            | '\u{27CB}'
            | '\u{27CD}'
            | '\u{29F5}'
            | '\u{29F8}'
            | '\u{29F9}'
            | '\u{3033}'
            | '\u{FE68}'
            | '\u{FF0F}'
            | '\u{FF3C}'
            | '\u{1735}'
            | '\u{2CF9}'
            | '\u{2CFA}'
    )
}

fn percent_decoded(key: &str) -> Option<String> {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut changed = false;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = key.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            changed = true;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    changed.then(|| String::from_utf8_lossy(&out).into_owned())
}

/// Why an object key cannot be written under the artifacts folder, if it cannot: whatever
/// [`check_key`] refuses, control and invisible characters, and any key that turns into one of
/// those after percent-decoding or Unicode compatibility normalisation (`%2e%2e%2f`, fullwidth
/// `．．／`, a division slash), so no reader or later tool can take it for a path that escapes.
pub fn key_problem(key: &str) -> Option<String> {
    if let Err(why) = check_key(key) {
        return Some(why);
    }
    if key.chars().any(char::is_control) {
        return Some("the key holds a control character".into());
    }
    if key.chars().any(invisible) {
        return Some("the key holds an invisible or text-direction character".into());
    }
    if key.chars().any(slash_like) {
        return Some("the key holds a character drawn like a slash or backslash".into());
    }
    if key.split('/').any(|seg| seg.len() > 255) {
        return Some("a segment of the key is longer than a file name may be".into());
    }
    if key.split('/').any(|seg| seg.starts_with(PARTIAL)) {
        return Some(format!(
            "the key uses the name gen gives temporaries (`{PARTIAL}…`)"
        ));
    }
    let mut seen = key.to_string();
    for _ in 0..3 {
        let Some(decoded) = percent_decoded(&seen) else {
            break;
        };
        if check_key(&decoded).is_err() || decoded.chars().any(char::is_control) {
            return Some(format!(
                "the key is percent-encoded into a path that escapes or confuses (`{}`)",
                decoded.escape_debug()
            ));
        }
        seen = decoded;
    }
    let normal: String = key.nfkc().collect();
    if normal != key
        && (check_key(&normal).is_err() || normal.split('/').count() != key.split('/').count())
    {
        return Some(format!(
            "the key reads as another path once its Unicode look-alikes are normalised (`{}`)",
            normal.escape_debug()
        ));
    }
    None
}

/// The first symlink on the way from the workspace to `rel` under the artifacts folder, if any: a
/// write there would land wherever the link points.
fn symlink_on_path(ws_dir: &Path, rel: &str) -> Option<String> {
    let mut here = ws_dir.join(ARTIFACTS_DIR);
    let mut shown = ARTIFACTS_DIR.to_string();
    if here.is_symlink() {
        return Some(shown);
    }
    for seg in rel.split('/') {
        here.push(seg);
        shown.push('/');
        shown.push_str(seg);
        match std::fs::symlink_metadata(&here) {
            Ok(m) if m.file_type().is_symlink() => return Some(shown),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
}

/// What the local file is, compared with the last pull.
enum Here {
    Absent,
    /// As pulled (same fingerprint, or same bytes).
    AsPulled,
    /// Changed since (or never pulled): its SHA-256.
    Other(String),
}

fn here(path: &Path, base: Option<&Pulled>) -> Result<Here, SyncError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Here::Absent),
        Err(source) => {
            return Err(SyncError::Local {
                what: "inspect",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if let Some(b) = base
        && b.size == meta.len()
        && b.mtime_ns == mtime_ns(&meta)
    {
        return Ok(Here::AsPulled);
    }
    let bytes = std::fs::read(path).map_err(|source| SyncError::Local {
        what: "read",
        path: path.to_path_buf(),
        source,
    })?;
    let sha = sha256_hex(&bytes);
    Ok(match base {
        Some(b) if b.sha256 == sha => Here::AsPulled,
        _ => Here::Other(sha),
    })
}

/// One object to fetch and what to do with it.
struct Fetch {
    info: ObjectInfo,
    path: PathBuf,
    /// The local file's SHA-256 when it differs from the last pull: equal bytes agree, other bytes
    /// go beside it.
    guard: Option<String>,
    replaces: bool,
}

/// What became of one fetch.
enum Outcome {
    Written(Pulled),
    /// The local file already held these bytes.
    Agreed(Pulled),
    /// Written beside the changed local file.
    Beside,
    Gone,
    Failed(String),
}

/// Writes `bytes` to a temporary beside `path`, then renames it over `path` (no fsync here: the
/// whole pull is flushed once at the end).
fn place(path: &Path, bytes: &[u8]) -> std::io::Result<std::fs::Metadata> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{PARTIAL}{}", uuid::Uuid::now_v7().simple()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        std::fs::metadata(path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Removes the temporaries a killed pull left (the sync lock is held: no pull is writing them).
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            sweep(&entry.path());
        } else if entry.file_name().to_string_lossy().starts_with(PARTIAL) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Flushes every write of the pull to disk before it is reported (one `syncfs` for the whole
/// file system instead of one fsync per artifact).
fn flush(dir: &Path) -> Result<(), SyncError> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let d = std::fs::File::open(dir).map_err(|source| SyncError::Local {
            what: "open",
            path: dir.to_path_buf(),
            source,
        })?;
        // SAFETY: syncfs only reads the descriptor, which stays open for the call.
        if unsafe { libc::syncfs(d.as_raw_fd()) } != 0 {
            return Err(SyncError::Local {
                what: "flush",
                path: dir.to_path_buf(),
                source: std::io::Error::last_os_error(),
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        // Elsewhere: the directory itself, which is what a crash-safe rename needs most.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Objects fetched (and held in memory) at once.
const SLICE: usize = 256;

/// Writes one fetched object where it belongs (or beside a changed local file).
fn settle(f: &Fetch, got: crate::objects::Fetched) -> Outcome {
    let (bytes, tag) = match got {
        Ok(Some(got)) => got,
        Ok(None) => return Outcome::Gone,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let sha = sha256_hex(&bytes);
    let pulled = |meta: &std::fs::Metadata| Pulled {
        tag: tag.clone(),
        sha256: sha.clone(),
        size: meta.len(),
        mtime_ns: mtime_ns(meta),
    };
    if let Some(local) = &f.guard {
        if *local == sha {
            return match std::fs::metadata(&f.path) {
                Ok(meta) => Outcome::Agreed(pulled(&meta)),
                Err(e) => Outcome::Failed(e.to_string()),
            };
        }
        let beside = PathBuf::from(format!("{}.remote", f.path.display()));
        return match place(&beside, &bytes) {
            Ok(_) => Outcome::Beside,
            Err(e) => Outcome::Failed(format!("cannot write {}: {e}", beside.display())),
        };
    }
    match place(&f.path, &bytes) {
        Ok(meta) => Outcome::Written(pulled(&meta)),
        Err(e) => Outcome::Failed(format!("cannot write {}: {e}", f.path.display())),
    }
}

/// Brings the bucket's changed objects; see the module docs.
pub fn pull(
    ws: &gen_workspace::Workspace,
    objects: &dyn Objects,
    theirs: bool,
    dry_run: bool,
    progress: OnProgress<'_>,
) -> Result<Summary, SyncError> {
    let mut locked = Locked::open(ws)?;
    let dir = ws.dir.join(ARTIFACTS_DIR);
    if !dry_run {
        sweep(&dir);
    }
    let listing = objects.list("")?;
    let mut summary = Summary::default();
    let mut fetch = Vec::new();
    for info in listing {
        if let Some(why) = key_problem(&info.key) {
            summary.conflict(info.key.clone(), format!("refused: {why}; not written"));
            continue;
        }
        if let Some(link) = symlink_on_path(&ws.dir, &info.key) {
            summary.conflict(
                info.key.clone(),
                format!("refused: `{link}` is a symlink, so the file would land outside the artifacts folder; not written"),
            );
            continue;
        }
        let path = dir.join(&info.key);
        let base = locked.state.artifacts.get(&info.key);
        let same_object = base.is_some_and(|b| b.tag == info.tag);
        // A path this pull cannot inspect (a folder where a file should be, no permission) is
        // that key's problem, not the whole pull's.
        let here = match here(&path, base) {
            Ok(here) => here,
            Err(e) => {
                summary.conflict(info.key.clone(), format!("not written: {e}"));
                continue;
            }
        };
        match here {
            Here::AsPulled if same_object => summary.skipped += 1,
            // Changed here only: the bucket has nothing new for it.
            Here::Other(_) if same_object => summary.skipped += 1,
            Here::Absent => fetch.push(Fetch {
                info,
                path,
                guard: None,
                replaces: false,
            }),
            Here::AsPulled => fetch.push(Fetch {
                info,
                path,
                guard: None,
                replaces: true,
            }),
            Here::Other(sha) if theirs => {
                let _ = sha;
                fetch.push(Fetch {
                    info,
                    path,
                    guard: None,
                    replaces: true,
                });
            }
            Here::Other(sha) => fetch.push(Fetch {
                info,
                path,
                guard: Some(sha),
                replaces: true,
            }),
        }
    }
    if dry_run {
        for f in &fetch {
            match (&f.guard, f.replaces) {
                (Some(_), _) => summary.conflict(
                    f.info.key.clone(),
                    "changed here since the last pull, and changed in the bucket (unless the bytes agree): the bucket's version would go beside it as .remote",
                ),
                (None, true) => summary.changed += 1,
                (None, false) => summary.added += 1,
            }
        }
        return Ok(summary);
    }
    // In slices, so memory holds one slice of artifacts at a time, however large the pull.
    let mut done = transfer::counter("receiving artifacts", fetch.len(), progress);
    let mut results = Vec::with_capacity(fetch.len());
    for slice in fetch.chunks(SLICE) {
        let keys: Vec<String> = slice.iter().map(|f| f.info.key.clone()).collect();
        let got = objects.get_many(&keys, &mut done);
        let settled: Vec<Outcome> = slice
            .par_iter()
            .zip(got)
            .map(|(f, got)| settle(f, got))
            .collect();
        results.extend(settled);
    }
    let mut failed = None;
    for (f, result) in fetch.iter().zip(results) {
        let key = f.info.key.clone();
        match result {
            Outcome::Written(p) => {
                if f.replaces {
                    summary.changed += 1;
                } else {
                    summary.added += 1;
                }
                locked.state.artifacts.insert(key, p);
            }
            Outcome::Agreed(p) => {
                summary.skipped += 1;
                locked.state.artifacts.insert(key, p);
            }
            Outcome::Beside => summary.conflict(
                key.clone(),
                format!(
                    "changed here since the last pull and changed in the bucket: the bucket's version is beside it as artifacts/{key}.remote — `gen sync pull --theirs` takes it"
                ),
            ),
            Outcome::Gone => summary.skipped += 1,
            Outcome::Failed(why) => {
                summary.conflict(key, format!("not written: {why}"));
                failed.get_or_insert(());
            }
        }
    }
    if dir.exists() {
        flush(&dir)?;
    }
    locked.save()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::key_problem;

    #[test]
    fn hostile_keys_are_refused_and_ordinary_ones_pass() {
        for bad in [
            "../escape",
            "a/../../escape",
            "/etc/passwd",
            "C:/Windows/x",
            "a\\..\\b",
            "%2e%2e/escape",
            "%2E%2E%2Fescape",
            "a/%2e%2e%2f%2e%2e%2fx",
            "%252e%252e%252fx",
            "\u{FF0E}\u{FF0E}\u{FF0F}escape",
            "a\u{2215}..\u{2215}b",
            "x\u{202E}gpj.exe",
            "zero\u{200B}width",
            "bell\u{7}",
            "a//b",
            "a/./b",
            ".gen-partial-1234",
        ] {
            assert!(key_problem(bad).is_some(), "{bad:?} should be refused");
        }
        for good in [
            "code/src/main.rs",
            "designs/ADR 001 – résumé.md",
            "日本語/ファイル.txt",
            "x..y/z",
            "100%/done.txt",
        ] {
            assert_eq!(key_problem(good), None, "{good:?} should pass");
        }
    }
}
