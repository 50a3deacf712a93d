//! Feature vector files: reading them with their folder, and writing refreshed ones on request.

use crate::atomic::{WriteError, write_atomic};
use gen_core::config::feature::FeatureVector;
use gen_core::config::{Diagnostic, SourceFile};
use gen_core::projection::status::{Location, VectorInfo};
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
    /// The facts status needs.
    pub fn infos(&self) -> Vec<VectorInfo> {
        self.files
            .iter()
            .map(|f| VectorInfo {
                feature: f.vector.feature.clone(),
                title: f.vector.title.clone(),
                status: f.vector.status.clone(),
                profile: f.vector.profile.clone(),
                location: f.location,
            })
            .collect()
    }
}

/// Reads `features/{active,completed,archived}/*.yml` of a workspace folder.
pub fn load_vectors(ws_dir: &Path) -> Vectors {
    let mut out = Vectors::default();
    for (sub, location) in [
        ("active", Location::Active),
        ("completed", Location::Completed),
        ("archived", Location::Archived),
    ] {
        for path in crate::config::yaml_files(&ws_dir.join("features").join(sub)) {
            let rel = format!(
                "features/{sub}/{}",
                path.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            );
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

/// Writes a refreshed vector document as YAML, atomically; returns false when nothing changed.
pub fn write_vector(file: &VectorFile, doc: &serde_json::Value) -> Result<bool, WriteError> {
    if &file.vector.root.to_json() == doc {
        return Ok(false);
    }
    let text = serde_saphyr::to_string(doc).map_err(|e| WriteError {
        path: file.path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    write_atomic(&file.path, text.as_bytes())?;
    Ok(true)
}
