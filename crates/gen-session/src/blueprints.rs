//! Saved blueprints: `.ai-workspace/blueprints/<name>.json`, a draft plus its node positions (the
//! format is [`gen_workbench::blueprint_file`]).
//!
//! They are workspace configs: they live beside the other configs under `.ai-workspace/`, so a
//! config push of `.ai-workspace/**` shares them, and `gen validate` checks each one with the same
//! strict parser that opens them ([`check_blueprints`]). Writes are atomic and durable.

use std::path::{Path, PathBuf};

use gen_core::config::yaml::Pos;
use gen_core::config::{Diagnostic, Remedy, SourceFile};
use gen_workbench::{BlueprintFile, Draft, Layout, Problem, parse_blueprint_file};

use crate::{BlueprintName, DraftError, io};
use gen_workspace::write_atomic;

/// The folder of saved blueprints inside `.ai-workspace/`.
pub const DIR: &str = gen_workspace::BLUEPRINTS;

/// The file of a blueprint.
pub fn path(ws_dir: &Path, name: &BlueprintName) -> PathBuf {
    ws_dir.join(DIR).join(format!("{name}.json"))
}

/// Saves a draft and the positions of its steps (positions of removed steps are dropped),
/// replacing any previous file atomically; durable before it returns.
pub fn save(
    ws_dir: &Path,
    name: &BlueprintName,
    draft: &Draft,
    layout: &Layout,
) -> Result<PathBuf, DraftError> {
    let file = BlueprintFile::new(draft.clone(), layout.clone());
    let path = path(ws_dir, name);
    write_atomic(&path, file.to_json_pretty().as_bytes())?;
    Ok(path)
}

/// Reads a saved blueprint with the strict parser.
pub fn open(ws_dir: &Path, name: &BlueprintName) -> Result<BlueprintFile, DraftError> {
    let path = path(ws_dir, name);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DraftError::BlueprintNotFound {
                name: name.to_string(),
                path,
            });
        }
        Err(e) => return Err(io("cannot read", &path)(e)),
    };
    parse_blueprint_file(&bytes).map_err(|rejection| DraftError::InvalidBlueprint {
        path,
        rejection: Box::new(rejection),
    })
}

/// Checks blueprint files the way `gen draft open --blueprint` reads them: every problem is an
/// error naming the file and the JSON path (or line and column for syntax errors).
pub fn check_blueprints(files: &[SourceFile]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for file in files {
        let stem = file
            .file_name()
            .strip_suffix(".json")
            .unwrap_or(file.file_name());
        if let Err(e) = BlueprintName::parse(stem) {
            out.push(
                Diagnostic::error(&file.path, None, e.to_string())
                    .with_remedy(Remedy::RenameBlueprint),
            );
        }
        if let Err(rejection) = parse_blueprint_file(file.text.as_bytes()) {
            let pos = match &rejection.problem {
                Problem::Syntax { line, column, .. } => Some(Pos::new(
                    u32::try_from(*line).unwrap_or(u32::MAX),
                    u32::try_from(*column).unwrap_or(u32::MAX),
                )),
                _ => locate(&file.text, &rejection.at),
            };
            let message = match &rejection.problem {
                Problem::Syntax { message, .. } => format!("invalid JSON: {message}"),
                problem => format!("{}: {problem}", rejection.at),
            };
            out.push(Diagnostic::error(&file.path, pos, message).with_remedy(Remedy::FixBlueprint));
        }
    }
    out
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn segments(at: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    for part in at.strip_prefix('$')?.split('.').filter(|s| !s.is_empty()) {
        let (key, rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !key.is_empty() {
            out.push(Segment::Key(key.to_string()));
        }
        for index in rest.split(']').filter(|s| !s.is_empty()) {
            out.push(Segment::Index(index.trim_start_matches('[').parse().ok()?));
        }
    }
    Some(out)
}

/// Where the value at a JSON path (`$.draft.nodes[2].id`) starts in the text, found by one scan
/// that tracks the path of every value, so an editor can jump to the problem.
fn locate(text: &str, at: &str) -> Option<Pos> {
    let target = segments(at)?;
    // Each open container: its kind and the key or index of the value being read in it.
    let mut stack: Vec<(bool, Segment)> = Vec::new();
    let mut expect_value = true;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let value_start = expect_value && !matches!(b, b']' | b'}' | b',' | b':');
        if value_start
            && stack.len() == target.len()
            && stack.iter().map(|(_, s)| s).eq(target.iter())
        {
            return Some(Pos::from_offset(text, i));
        }
        match b {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let in_object_key = !expect_value && matches!(stack.last(), Some((false, _)));
                if in_object_key && let Some((_, seg)) = stack.last_mut() {
                    let raw = text.get(start..i.min(bytes.len())).unwrap_or_default();
                    *seg = Segment::Key(
                        serde_json::from_str(&format!("\"{raw}\"")).unwrap_or_default(),
                    );
                }
                expect_value = false;
                i += 1;
            }
            b'{' => {
                stack.push((false, Segment::Key(String::new())));
                expect_value = false;
                i += 1;
            }
            b'[' => {
                stack.push((true, Segment::Index(0)));
                expect_value = true;
                i += 1;
            }
            b']' | b'}' => {
                stack.pop();
                expect_value = false;
                i += 1;
            }
            b':' => {
                expect_value = true;
                i += 1;
            }
            b',' => {
                if let Some((is_array, seg)) = stack.last_mut() {
                    if *is_array && let Segment::Index(n) = seg {
                        *n += 1;
                    }
                    expect_value = *is_array;
                }
                i += 1;
            }
            _ => {
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b']' | b'}')
                    && !bytes[i].is_ascii_whitespace()
                {
                    i += 1;
                }
                expect_value = false;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use gen_workbench::{Position, parse_draft_document};
    use serde_json::json;

    use super::*;

    fn draft() -> Draft {
        parse_draft_document(
            json!({"title": "Release", "summary": "ship it", "nodes": [
                {"id": "build", "label": "Build", "type": "action", "properties": {"cmd": "make"}},
                {"id": "ship", "label": "Ship", "type": "action"}],
                "edges": [{"source": "build", "target": "ship", "label": "on green"}]})
            .to_string()
            .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn save_then_open_gives_the_same_draft_and_positions() {
        let tmp = tempfile::tempdir().unwrap();
        let name = BlueprintName::parse("release").unwrap();
        let mut layout = Layout::default();
        layout
            .positions
            .insert("build".into(), Position { x: 10.0, y: 20.0 });
        layout
            .positions
            .insert("removed".into(), Position { x: 0.0, y: 0.0 });
        let path = save(tmp.path(), &name, &draft(), &layout).unwrap();
        assert_eq!(path, tmp.path().join("blueprints/release.json"));
        let back = open(tmp.path(), &name).unwrap();
        assert_eq!(back.draft, draft());
        assert_eq!(
            back.layout.positions.len(),
            1,
            "positions of removed steps are dropped"
        );
        assert_eq!(
            back.layout.positions["build"],
            Position { x: 10.0, y: 20.0 }
        );
        let (files, unreadable) = gen_workspace::blueprint_sources(tmp.path());
        assert_eq!(files.len(), 1);
        assert!(unreadable.is_empty());
        assert!(check_blueprints(&files).is_empty());
    }

    #[test]
    fn missing_and_invalid_blueprints_are_distinct_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let name = BlueprintName::parse("x").unwrap();
        assert!(matches!(
            open(tmp.path(), &name),
            Err(DraftError::BlueprintNotFound { .. })
        ));
        std::fs::create_dir_all(tmp.path().join(DIR)).unwrap();
        std::fs::write(path(tmp.path(), &name), "{\"draft\": {}}").unwrap();
        let err = open(tmp.path(), &name).unwrap_err();
        assert!(err.to_string().contains("x.json: $.draft"), "{err}");
    }

    #[test]
    fn validate_reports_file_path_and_line() {
        let text = serde_json::to_string_pretty(&json!({"draft": {
            "title": "T", "summary": "", "nodes": [
                {"id": "a", "label": "A", "type": "t"},
                {"id": "a", "label": "B", "type": "t"}],
            "edges": []}}))
        .unwrap();
        let files = vec![
            SourceFile::new("blueprints/dup.json", text),
            SourceFile::new("blueprints/syntax.json", "{\n  \"draft\": ,\n}"),
            SourceFile::new("blueprints/bad name.json", "{}"),
        ];
        assert_eq!(
            locate(
                "{\n \"a\": [1, {\"b\": 2}],\n \"c\": {\"d\": [true]}\n}",
                "$.c.d[0]"
            ),
            Some(Pos::new(3, 14))
        );
        assert_eq!(
            locate("{\"a\": [1, {\"b\": 2}]}", "$.a[1].b"),
            Some(Pos::new(1, 17))
        );
        let diagnostics = check_blueprints(&files);
        let shown: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        assert!(
            shown[0].starts_with("blueprints/dup.json:")
                && shown[0].contains("$.draft.nodes[1].id"),
            "{shown:?}"
        );
        assert!(diagnostics[0].line.is_some_and(|l| l >= 8), "{shown:?}");
        assert!(
            shown[1].starts_with("blueprints/syntax.json:2:"),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.contains("blueprint name \"bad name\"")),
            "{shown:?}"
        );
    }
}
