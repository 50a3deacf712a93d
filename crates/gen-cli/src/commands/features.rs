//! `gen features`: event-derived state next to what each vector claims; `--write` refreshes vectors.

use super::print_json;
use crate::cli::FeaturesArgs;
use gen_core::projection::refresh_vector;
use gen_workspace::Workspace;
use gen_workspace::features::write_vector;
use miette::{IntoDiagnostic, Result};
use serde_json::json;
use std::process::ExitCode;

/// Runs the command.
pub fn run(ws: &Workspace, args: &FeaturesArgs, json: bool) -> Result<ExitCode> {
    let loaded = crate::load::load(ws, false)?;
    for p in &loaded.vectors.problems {
        eprintln!("warning: {p}");
    }
    let mut rows = Vec::new();
    for f in &loaded.report.features {
        let file = loaded
            .vectors
            .files
            .iter()
            .find(|v| v.vector.feature == f.feature);
        let mut written = false;
        if let (true, Some(file)) = (args.write, file) {
            let doc = refresh_vector(&file.vector.root.to_json(), f);
            written = write_vector(file, &doc).into_diagnostic()?;
        }
        rows.push((f, file.map(|v| ws.relative(&v.path)), written));
    }
    if json {
        let items: Vec<_> = rows
            .iter()
            .map(|(f, path, written)| {
                json!({"feature": f.feature, "status": f.status, "vector_status": f.vector_status,
                       "location": f.location, "file": path, "written": written,
                       "T": f.t, "V": f.v, "H": f.h})
            })
            .collect();
        print_json(&items)?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = rows
        .iter()
        .map(|(f, ..)| f.feature.len())
        .max()
        .unwrap_or(7)
        .max(7);
    println!(
        "{:<width$}  {:<11}  {:<16}  {:<11}  file",
        "feature", "events say", "vector says", "where"
    );
    let mut changed = 0;
    for (f, path, written) in &rows {
        changed += usize::from(*written);
        println!(
            "{:<width$}  {:<11}  {:<16}  {:<11}  {}{}",
            f.feature,
            f.status,
            f.vector_status.as_deref().unwrap_or("-"),
            format!("{:?}", f.location).to_lowercase(),
            path.as_deref().unwrap_or("-"),
            if *written { "  (updated)" } else { "" }
        );
    }
    if args.write {
        println!("{changed} vector file(s) updated");
    } else {
        println!(
            "(read-only; `gen features --write` refreshes status and trajectory progress in the vector files)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
