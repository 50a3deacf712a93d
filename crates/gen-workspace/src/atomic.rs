//! Atomic file replacement: write a temp file beside the target, fsync, rename, fsync the folder.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be replaced.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    /// The target file.
    pub path: PathBuf,
    /// The OS error.
    #[source]
    pub source: std::io::Error,
}

/// Creates `dir` and any missing parents, fsyncing each parent that gained an entry, so a folder a
/// durable write relies on survives a power loss as well as the file in it.
pub fn create_dir_all_durable(dir: &Path) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.is_dir() {
            break;
        }
        missing.push(d.to_path_buf());
        cur = d.parent();
    }
    if missing.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    for created in missing.iter().rev() {
        if let Some(parent) = created.parent() {
            std::fs::File::open(parent)?.sync_all()?;
        }
    }
    Ok(())
}

/// The permissions a replacement should carry: the old file's, or an ordinary 0644 for a new one
/// (temp files are created 0600, which would otherwise hide shared configs from the team).
fn permissions_for(path: &Path) -> Option<std::fs::Permissions> {
    match std::fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            Some(std::fs::Permissions::from_mode(0o644))
        }
        #[cfg(not(unix))]
        Err(_) => None,
    }
}

/// Replaces `path` with `bytes` so a crash leaves either the old or the new file, never a mix.
///
/// A symlink is written through (its target is replaced, the link stays), and the file keeps its
/// permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let target = if path.is_symlink() {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    } else {
        path.to_path_buf()
    };
    let err = |source| WriteError {
        path: target.clone(),
        source,
    };
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    create_dir_all_durable(dir).map_err(err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    if let Some(perms) = permissions_for(&target) {
        tmp.as_file().set_permissions(perms).map_err(err)?;
    }
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(&target).map_err(|e| err(e.error))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(err)?;
    Ok(())
}

/// Replaces `path` atomically but without fsync: for derived data (caches) that is verified on read
/// and cheap to rebuild, where a lost or empty file after a crash costs only speed.
pub(crate) fn replace_derived(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    replace_derived_with(path, |w| w.write_all(bytes))
}

/// [`replace_derived`] with the content streamed by `write` (no whole-file buffer in memory).
pub(crate) fn replace_derived_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, tmp);
    write(&mut out).map_err(err)?;
    let tmp = out.into_inner().map_err(|e| err(e.into_error()))?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_and_writes_through_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real.yml");
        std::fs::write(&real, b"old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = tmp.path().join("link.yml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(link.is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let fresh = tmp.path().join("a/b/fresh.yml");
        write_atomic(&fresh, b"x").unwrap();
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "new files are not owner-only");
    }

    #[test]
    fn replaces_content_and_leaves_no_temp_files() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("a/b.yml");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(tmp.path().join("a")).unwrap().count(), 1);
    }
}
