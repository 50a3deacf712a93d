//! Names of drafts and blueprints: they become file and folder names, so they are held to a strict
//! pattern (`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`) that cannot escape the folder they live in, hide a
//! file (leading dot), or differ only in ways a file system might fold.

use std::fmt;

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} name {shown} is not allowed: {reason}; use 1–64 ASCII letters, digits, `_`, `.` or `-`, starting with a letter or digit"
)]
pub struct NameError {
    /// `draft` or `blueprint`.
    pub what: &'static str,
    /// The refused name, quoted and escaped.
    pub shown: String,
    /// Which rule it breaks.
    pub reason: &'static str,
}

fn check(what: &'static str, name: &str) -> Result<(), NameError> {
    let refuse = |reason| NameError {
        what,
        shown: format!("{:?}", name.chars().take(80).collect::<String>()),
        reason,
    };
    let Some(first) = name.chars().next() else {
        return Err(refuse("it is empty"));
    };
    if name.len() > 64 {
        return Err(refuse("it is longer than 64 characters"));
    }
    if !first.is_ascii_alphanumeric() {
        return Err(refuse("it must start with a letter or digit"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(refuse(
            "it contains a character other than letters, digits, `_`, `.` and `-`",
        ));
    }
    Ok(())
}

/// The name of a workbench draft (a session); its journal lives in `workbench/drafts/<name>/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DraftName(String);

impl DraftName {
    /// Checks a user-given name.
    pub fn parse(name: &str) -> Result<DraftName, NameError> {
        check("draft", name).map(|()| DraftName(name.to_string()))
    }

    /// The name as text (also its folder name).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DraftName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a saved blueprint; its file is `blueprints/<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlueprintName(String);

impl BlueprintName {
    /// Checks a user-given name.
    pub fn parse(name: &str) -> Result<BlueprintName, NameError> {
        check("blueprint", name).map(|()| BlueprintName(name.to_string()))
    }

    /// The name as text (its file name without `.json`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BlueprintName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_names_are_accepted() {
        for ok in [
            "default",
            "a",
            "Release-2.1",
            "my_flow",
            "0day",
            &"x".repeat(64),
        ] {
            assert!(DraftName::parse(ok).is_ok(), "{ok}");
            assert!(BlueprintName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn names_that_could_escape_hide_or_confuse_are_refused() {
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "-flag",
            "_x",
            "a b",
            "café",
            "a\u{200b}",
            "a\0",
            "C:",
            &"x".repeat(65),
        ] {
            let err = DraftName::parse(bad).expect_err(bad);
            assert!(err.to_string().starts_with("draft name"), "{err}");
        }
    }

    #[test]
    fn the_error_says_what_to_do() {
        let err = BlueprintName::parse("../etc").unwrap_err();
        assert_eq!(
            err.to_string(),
            "blueprint name \"../etc\" is not allowed: it must start with a letter or digit; use 1–64 ASCII \
             letters, digits, `_`, `.` or `-`, starting with a letter or digit"
        );
    }
}
