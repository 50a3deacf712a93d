//! What a model constructor is asked and what its reply may write (reference §1.3–1.4): the reply is
//! untrusted — its size is capped, it must be one JSON object `{"files": [{"path", "content"}],
//! "notes"}`, and every path must stay inside the project, out of `.git/` and `.ai-workspace/`.

use super::ResolvedCheck;

/// The most of a reply a construction is read from.
pub const MAX_CONSTRUCT_BYTES: usize = 2 << 20;
/// The most files one reply may write.
pub const MAX_FILES: usize = 50;

/// What the constructor is asked to answer, word for word.
pub const CONSTRUCT_FORMAT: &str = r#"Reply with exactly one JSON object and nothing else: {"files": [{"path": "path/relative/to/the/project", "content": "the whole new file"}], "notes": "what you changed"}"#;

/// One file a construction writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    /// Relative to the project root, `/`-separated.
    pub path: String,
    /// The whole content.
    pub content: String,
}

/// Why a path may not be written by a constructor: absolute, `..`, backslashes, control
/// characters, empty segments, or inside `.git/` or `.ai-workspace/`.
pub fn path_problem(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("the path is empty".into());
    }
    if path.starts_with('/') || path.as_bytes().get(1) == Some(&b':') {
        return Some("the path is absolute".into());
    }
    if path.contains('\\') || path.chars().any(char::is_control) {
        return Some("the path holds a backslash or a control character".into());
    }
    let segments: Vec<&str> = path.split('/').collect();
    if segments
        .iter()
        .any(|s| s.is_empty() || *s == "." || *s == "..")
    {
        return Some("the path has an empty, `.` or `..` segment".into());
    }
    if matches!(segments[0], ".git" | ".ai-workspace") {
        return Some(format!("the path is inside {}/", segments[0]));
    }
    None
}

/// Reads the files of a construction from a reply (a ```json fence around it is fine); or why not.
pub fn parse_construction(reply: &str) -> Result<Vec<NewFile>, String> {
    if reply.len() > MAX_CONSTRUCT_BYTES {
        return Err(format!(
            "the reply is {} bytes, over {MAX_CONSTRUCT_BYTES}",
            reply.len()
        ));
    }
    let value = super::verdict::json_reply(reply)?;
    let files = value
        .get("files")
        .and_then(|f| f.as_array())
        .ok_or("no `files` list")?;
    if files.is_empty() {
        return Err("`files` is empty".into());
    }
    if files.len() > MAX_FILES {
        return Err(format!("{} files, over {MAX_FILES}", files.len()));
    }
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let path = f
                .get("path")
                .and_then(|p| p.as_str())
                .ok_or(format!("files[{i}] has no `path`"))?;
            let content = f
                .get("content")
                .and_then(|c| c.as_str())
                .ok_or(format!("files[{i}] has no `content`"))?;
            Ok(NewFile {
                path: path.to_string(),
                content: content.to_string(),
            })
        })
        .collect()
}

/// The constructor's question: the edge, its checklist, the asset as it is, and what failed last
/// time (or that this is the first iteration).
pub fn construct_prompt(
    context: &str,
    checks: &[ResolvedCheck],
    asset: Option<(&str, &str)>,
    failures: &[String],
) -> String {
    let mut out = format!("{context}\n\nThe checks the result must pass:\n");
    for c in checks {
        out.push_str(&format!(
            "- {} ({}, {}): {}\n",
            c.name,
            c.kind.as_str(),
            if c.required { "required" } else { "advisory" },
            c.criterion
        ));
    }
    match asset {
        Some((path, text)) => {
            out.push_str(&format!("\nThe asset now, {path}:\n```\n{text}\n```\n"))
        }
        None => out.push_str("\nThe asset does not exist yet.\n"),
    }
    if failures.is_empty() {
        out.push_str("\nFirst iteration: nothing to fix yet.\n");
    } else {
        out.push_str("\nFix these failures of the last iteration:\n");
        for f in failures {
            out.push_str(&format!("- {f}\n"));
        }
    }
    out.push('\n');
    out.push_str(CONSTRUCT_FORMAT);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_in_the_project_and_replies_are_one_files_object() {
        for bad in [
            "",
            "/etc/x",
            "C:/x",
            "../x",
            "a/../../x",
            "a\\b",
            ".git/config",
            ".ai-workspace/events/events.jsonl",
            "a//b",
        ] {
            assert!(path_problem(bad).is_some(), "{bad:?}");
        }
        assert_eq!(path_problem("src/calc.sh"), None);
        let files = parse_construction(
            "```json\n{\"files\": [{\"path\": \"src/a.sh\", \"content\": \"x\"}]}\n```",
        )
        .unwrap();
        assert_eq!(
            files,
            [NewFile {
                path: "src/a.sh".into(),
                content: "x".into()
            }]
        );
        for bad in [
            "sure!",
            r#"{"files": []}"#,
            r#"{"files": [{"path": "a"}]}"#,
            r#"{"notes": "x"}"#,
        ] {
            assert!(parse_construction(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_prompt_carries_the_checks_the_asset_and_the_failures() {
        let checks = [ResolvedCheck {
            name: "tests_pass".into(),
            kind: crate::iterate::CheckKind::Deterministic,
            criterion: "The tests pass.".into(),
            command: Some("make test".into()),
            pass_criterion: None,
            required: true,
            unresolved: Vec::new(),
        }];
        let first = construct_prompt("Feature: F", &checks, None, &[]);
        assert!(first.contains("- tests_pass (deterministic, required): The tests pass."));
        assert!(first.contains("First iteration") && first.contains("does not exist yet"));
        let next = construct_prompt(
            "Feature: F",
            &checks,
            Some(("src/a.sh", "echo 1")),
            &["tests_pass: boom".into()],
        );
        assert!(
            next.contains("- tests_pass: boom")
                && next.contains("echo 1")
                && !next.contains("First iteration")
        );
    }
}
