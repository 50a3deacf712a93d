//! The lock of one draft: its own file, so compaction can replace the journal by rename without a
//! waiting writer appending to a file nobody reads any more.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::{DraftError, io};

/// The exclusive or shared lock of one draft; released on drop.
pub(crate) struct DraftLock {
    _file: File,
}

impl DraftLock {
    pub(crate) fn take(path: &Path, exclusive: bool) -> Result<DraftLock, DraftError> {
        // Readers open it read-only when it exists, so a read-only workspace can still be shown.
        let existing = if exclusive {
            None
        } else {
            File::open(path).ok()
        };
        let file = match existing {
            Some(file) => file,
            None => OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(io("cannot open", path))?,
        };
        if exclusive {
            file.lock().map_err(io("cannot lock", path))?;
        } else {
            file.lock_shared().map_err(io("cannot lock", path))?;
        }
        Ok(DraftLock { _file: file })
    }
}
