//! Config model and validation for a Genesis workspace: graph topology, edge parameters, profiles,
//! project constraints, evaluator defaults, feature vectors and sync settings.
//!
//! Everything here works on file *texts* handed in by the workspace crate ([`SourceFile`], [`ConfigSet`]);
//! nothing reads the disk. Parsing is lenient (real files differ in shape) and every problem found is a
//! [`Diagnostic`] with the file, a 1-based line:column and a hint, so `gen validate` can say what is wrong,
//! where, and what to do.

mod constraints;
mod defaults;
mod edge_params;
mod evaluators;
mod feature;
mod new_vector;
mod profile;
mod sync_config;
mod topology;
mod validate;
pub mod yaml;
pub mod yaml_text;

pub use constraints::{Constraints, Resolved, VarRef, var_refs};
pub use defaults::{DEFAULT_PROFILES, default_config_set, default_files};
pub use edge_params::{Check, EdgeParams};
pub use evaluators::{EVALUATOR_KINDS, EvaluatorDefaults};
pub use feature::{FeatureVector, TrajectoryEntry};
pub use new_vector::{
    NewVector, VECTOR_TYPES, default_profile, feature_id_problem, render_new_vector,
};
pub use profile::{EdgeRef, Include, Profile, ResolvedEdges};
pub use sync_config::{
    Backend, DEFAULT_STALENESS_SECS, DIRECTIONS, LAST_SYNC_KEYS, SYNC_KEYS, SyncConfig,
    SyncEditError, SyncSettings, format_duration_secs, parse_duration_secs, render_sync_config,
    set_last_sync,
};
pub use topology::{
    AssetType, ConstraintDimension, Dialect, EdgeType, Topology, TrajectoryKey, Transition,
    listed_asset_name,
};
pub use validate::{Config, Report, WordedReport, load, load_sync_config, validate};
// The parser's position type, used throughout; its one public path is `config::yaml::Pos`.
use yaml::Pos;

#[cfg(test)]
mod tests_corpus;

use std::fmt;

/// How bad a [`Diagnostic`] is: errors fail `gen validate`, warnings are reported but do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The config is broken: a reference dangles, a value is invalid, a file does not parse.
    Error,
    /// The config works but is incomplete or unusual enough that a person should look.
    Warning,
}

/// One finding about one file, located to the line and column so editors and people can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Workspace-relative path with forward slashes, as given in the [`SourceFile`].
    pub file: String,
    /// 1-based line, when the finding has a place in the file.
    pub line: Option<u32>,
    /// 1-based column (in characters), when known.
    pub column: Option<u32>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it, when there is something specific to suggest.
    pub hint: Option<String>,
    /// A fix the front end knows how to offer in its own terms (a command to run); the library
    /// names no commands, so such findings carry this instead of a hint.
    pub remedy: Option<Remedy>,
}

/// Fixes that a front end (the CLI, a UI) words for its users, e.g. by naming the command that does it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Remedy {
    /// The workspace has no graph topology: write the default one (or add the file).
    CreateDefaultGraph,
    /// Edge params live outside the workspace: copy them in, or rewrite the defaults.
    RefreshEdgeParams,
    /// There is no project constraints file: add one (the default one is written on init).
    CreateConstraints,
    /// A blueprint's file name is not a valid blueprint name, so it cannot be opened by name.
    RenameBlueprint,
    /// A blueprint file does not parse: fix it, or re-save it from a draft.
    FixBlueprint,
    /// A v0 task workspace: adopt the graph method in place, leaving its tasks alone.
    AdoptGraphMethod,
}

impl Diagnostic {
    /// Builds an error at a position; the common case for rule violations.
    pub fn error(file: &str, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, pos, message)
    }

    /// Builds a warning at a position.
    pub fn warning(file: &str, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, pos, message)
    }

    /// Shared constructor so both severities fill the location the same way.
    pub fn new(
        severity: Severity,
        file: &str,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            file: file.to_string(),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
            message: message.into(),
            hint: None,
            remedy: None,
        }
    }

    /// Attaches the "what to do" part, kept apart from the message so UIs can style it.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Attaches a fix the front end words itself (see [`Remedy`]).
    #[must_use]
    pub fn with_remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }
}

impl fmt::Display for Diagnostic {
    /// Renders `file:line:col: error: message` (the form compilers use, so terminals make it clickable).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {label}: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// A finding as `--json` output and the server show it: the location and message of a
/// [`Diagnostic`] with its hint already worded by the front end (a [`Remedy`] becomes the
/// front end's own words), so every consumer reads the same `{file, line, column, message, hint}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// Workspace-relative path with forward slashes.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column (in characters), when known.
    pub column: Option<u32>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it, in the front end's words.
    pub hint: Option<String>,
}

impl Finding {
    /// The finding of `d` with `hint` as its advice (the front end's wording of `d.hint`/`d.remedy`).
    pub fn worded(d: &Diagnostic, hint: Option<String>) -> Self {
        Self {
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            hint,
        }
    }
}

/// One config file as text, with the path it will be reported under; the only input the pure core needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceFile {
    /// Workspace-relative path with forward slashes (e.g. `graph/edge_params/tdd.yml`).
    pub path: String,
    /// The whole file content.
    pub text: String,
}

impl SourceFile {
    /// Convenience constructor used by tests and by the workspace loader.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The last path component (`tdd.yml`), which is how topology `edge_config` values are matched.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The file name without its extension (`standard` for `profiles/standard.yml`).
    pub fn stem(&self) -> &str {
        let name = self.file_name();
        match name.rfind('.') {
            Some(0) | None => name,
            Some(i) => &name[..i],
        }
    }
}

/// Every config file of one workspace or plugin config dir, already read; what [`validate()`] checks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigSet {
    /// `graph/graph_topology.yml` (workspace) or `graph_topology.yml` (flat plugin dir).
    pub topology: Option<SourceFile>,
    /// `graph/edge_params/*.yml`, `graph/edges/*.yml` or `edge_params/*.yml`.
    pub edge_params: Vec<SourceFile>,
    /// `profiles/*.yml`.
    pub profiles: Vec<SourceFile>,
    /// The project constraints in force (`<tenant>/context/` or `context/project_constraints.yml`, or the
    /// plugin's `project_constraints_template.yml`).
    pub constraints: Option<SourceFile>,
    /// `graph/evaluator_defaults.yml` or `evaluator_defaults.yml` (multi-document).
    pub evaluator_defaults: Option<SourceFile>,
    /// `features/{active,completed,archived}/*.yml`.
    pub features: Vec<SourceFile>,
    /// Other `*.yml` files that must at least parse and be non-empty.
    pub extra_yaml: Vec<SourceFile>,
    /// `config/workspace_config.yml` of a v0 task workspace (tasks, no graph), when present.
    pub v0_config: Option<SourceFile>,
    /// `bedrock/sync_config.yml`, the sync settings, when present.
    pub sync_config: Option<SourceFile>,
}

/// Rewrites an edge spelling to the canonical id used by events, profiles and edge params.
///
/// `a->b`, `a → b` and `a→b` all become `a→b`; `a<->b` and `a ↔ b` become `a↔b`. Text without an arrow is
/// returned trimmed, unchanged otherwise (underscored names like `design_code` need a topology to resolve,
/// see [`Topology::resolve_edge`]).
pub fn canonical_edge_id(raw: &str) -> String {
    let replaced = raw.trim().replace("<->", "↔").replace("->", "→");
    let mut out = String::with_capacity(replaced.len());
    let mut pieces = replaced.split(['→', '↔']).peekable();
    let mut arrows = replaced.chars().filter(|c| *c == '→' || *c == '↔');
    while let Some(piece) = pieces.next() {
        out.push_str(piece.trim());
        if pieces.peek().is_some()
            && let Some(arrow) = arrows.next()
        {
            out.push(arrow);
        }
    }
    out
}

/// The canonical id of an edge from its parts (`source→target`, or `source↔target` for co-evolution).
pub fn edge_id(source: &str, target: &str, co_evolution: bool) -> String {
    let arrow = if co_evolution { '↔' } else { '→' };
    format!("{source}{arrow}{target}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_edge_id_normalises_arrows_and_spaces() {
        assert_eq!(canonical_edge_id("design→code"), "design→code");
        assert_eq!(canonical_edge_id("design->code"), "design→code");
        assert_eq!(
            canonical_edge_id("intent → named_composition"),
            "intent→named_composition"
        );
        assert_eq!(
            canonical_edge_id("  code <-> unit_tests "),
            "code↔unit_tests"
        );
        assert_eq!(canonical_edge_id("code ↔ unit_tests"), "code↔unit_tests");
        assert_eq!(canonical_edge_id("a -> b -> c"), "a→b→c");
        assert_eq!(canonical_edge_id("intent_dispatch"), "intent_dispatch");
        assert_eq!(canonical_edge_id(""), "");
        assert_eq!(canonical_edge_id("→"), "→");
    }

    #[test]
    fn edge_id_uses_the_two_arrows() {
        assert_eq!(edge_id("code", "unit_tests", true), "code↔unit_tests");
        assert_eq!(edge_id("design", "code", false), "design→code");
    }

    #[test]
    fn diagnostic_display_is_clickable() {
        let d = Diagnostic::error("a.yml", Some(Pos::new(3, 7)), "bad").with_hint("fix it");
        assert_eq!(d.to_string(), "a.yml:3:7: error: bad\n  hint: fix it");
        let w = Diagnostic::warning("b.yml", None, "meh");
        assert_eq!(w.to_string(), "b.yml: warning: meh");
    }

    #[test]
    fn source_file_names() {
        let f = SourceFile::new("graph/edge_params/tdd.yml", "");
        assert_eq!(f.file_name(), "tdd.yml");
        assert_eq!(f.stem(), "tdd");
        assert_eq!(SourceFile::new(".hidden", "").stem(), ".hidden");
        assert_eq!(SourceFile::new("noext", "").stem(), "noext");
    }
}
