//! The workspace's graph topology (`graph/graph_topology.yml`) opened as a draft and saved back.
//!
//! The conversion itself is pure and lives in [`gen_workbench::topology`] (asset types ↔ steps,
//! transitions kept verbatim in the source step's `$transitions`); the YAML rewrite that keeps
//! comments and untouched items byte for byte is [`super::yaml`]. This module adds the file rules:
//!
//! * saving refuses — and writes nothing — unless the whole config set, with the new topology in
//!   place, passes `gen_core::config::validate`; the errors are returned for the user;
//! * the previous file is first copied to `workbench/backups/graph_topology-<UTC time>.yml`;
//! * the write is atomic and durable, and goes to the real file when the topology is a symlink (so
//!   the link survives);
//! * a save that would not change a byte writes nothing (and makes no backup).

use std::path::{Path, PathBuf};

use gen_core::config::yaml::Node;
use gen_core::config::yaml::Pos;
use gen_core::config::{Diagnostic, SourceFile, validate, yaml};
use gen_workbench::{Draft, TopologyError, draft_from_topology, topology_from_draft};

use crate::yaml::{SpliceError, render_topology};
use crate::{DraftError, io};
use gen_workspace::write_atomic;

/// The topology's path inside `.ai-workspace/`, as reported in messages.
pub const TOPOLOGY: &str = "graph/graph_topology.yml";

/// Why the topology could not be opened or saved.
#[derive(Debug, thiserror::Error)]
pub enum TopologyProblem {
    /// The workspace has no topology file.
    #[error("{} does not exist", .path.display())]
    Missing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The file is not readable YAML.
    #[error("{0}")]
    Unparsable(Diagnostic),
    /// The topology cannot be a draft, or the draft cannot be a topology.
    #[error("{file}{}: {error}", .pos.map(|p| format!(":{}:{}", p.line, p.column)).unwrap_or_default())]
    Convert {
        /// `graph/graph_topology.yml` when opening, `draft` when saving.
        file: String,
        /// Where in the file, when known.
        pos: Option<Pos>,
        /// What is wrong.
        error: TopologyError,
    },
    /// The text could not be produced.
    #[error("{0}")]
    Splice(#[from] SpliceError),
    /// The topology file changed after the draft was opened from it; saving would discard that change.
    #[error("{TOPOLOGY} changed since draft `{draft}` was opened from it; nothing was written")]
    ChangedSinceOpen {
        /// The draft being saved.
        draft: String,
    },
    /// The draft never came from the topology, so saving would replace the file wholesale.
    #[error("draft `{draft}` was not opened from the topology; nothing was written")]
    NotFromTopology {
        /// The draft being saved.
        draft: String,
    },
    /// The saved topology would not validate; nothing was written.
    #[error("the saved topology would leave {} config error(s); nothing was written", .errors.len())]
    Invalid {
        /// The errors, located in the topology as it would have been written.
        errors: Vec<Diagnostic>,
    },
}

fn problem(p: TopologyProblem) -> DraftError {
    p.into()
}

/// The position of a path like `transitions[3].target` or `asset_types.code` in a YAML tree.
fn locate(root: &Node, at: &str) -> Option<Pos> {
    let mut node = root;
    let mut pos = None;
    for part in at.split('.') {
        let (key, rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !key.is_empty() {
            let entry = node.entry(key)?;
            pos = Some(entry.key_pos);
            node = &entry.value;
        }
        for index in rest.split(']').filter(|s| !s.is_empty()) {
            let i: usize = index.trim_start_matches('[').parse().ok()?;
            node = node.items()?.get(i)?;
            pos = Some(node.pos);
        }
    }
    pos
}

/// A fingerprint of the topology text, recorded when a draft opens it so a later save can tell whether
/// someone else changed the file in between.
pub fn fingerprint(text: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// How a save may treat the file on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard<'a> {
    /// Only if the file still has this fingerprint (recorded when the draft opened it).
    Unchanged(&'a str),
    /// The draft was not opened from the topology: refuse.
    NotOpened,
    /// Overwrite whatever is there (`--force`); a backup is still kept.
    Overwrite,
}

/// Reads the topology and opens it as a draft; also returns the fingerprint of the text read.
pub fn open(ws_dir: &Path) -> Result<(Draft, String), DraftError> {
    let path = ws_dir.join(TOPOLOGY);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(problem(TopologyProblem::Missing { path }));
        }
        Err(e) => return Err(io("cannot read", &path)(e)),
    };
    let file = SourceFile::new(TOPOLOGY, text);
    let root = yaml::load_mapping(&file)
        .map_err(|d| problem(TopologyProblem::Unparsable(d)))?
        .root;
    let base = fingerprint(&file.text);
    let draft = draft_from_topology(&root.to_json()).map_err(|error| {
        let at = match &error {
            TopologyError::Shape { at, .. }
            | TopologyError::UnknownAssetType { at, .. }
            | TopologyError::SelfLoop { at, .. }
            | TopologyError::DuplicateAssetType { at, .. }
            | TopologyError::ReservedKey { at, .. }
            | TopologyError::MisplacedTransition { at, .. }
            | TopologyError::Invalid { at, .. } => at.clone(),
        };
        problem(TopologyProblem::Convert {
            file: TOPOLOGY.to_string(),
            pos: locate(&root, &at),
            error,
        })
    })?;
    Ok((draft, base))
}

/// What a topology save did.
#[derive(Debug, Clone)]
pub struct TopologySaved {
    /// The file written (the symlink's target when the topology is a symlink).
    pub path: PathBuf,
    /// Where the previous version was copied, if anything was written.
    pub backup: Option<PathBuf>,
    /// True when the file already said exactly this (nothing written).
    pub unchanged: bool,
    /// What the topology could not keep from the draft (labels, types, …).
    pub notes: Vec<String>,
    /// Validation warnings about the saved topology.
    pub warnings: Vec<Diagnostic>,
    /// Fingerprint of the file as it now is (the new base for later saves).
    pub fingerprint: String,
}

/// What `gen validate` would say about the configs if `draft` were the topology: the errors only,
/// located in the topology as it would be written. Nothing is written; the workbench shows these on
/// the steps they name while the topology is edited.
pub fn check(ws_dir: &Path, draft: &Draft) -> Result<Vec<Diagnostic>, DraftError> {
    let graph = topology_from_draft(draft).map_err(|error| {
        problem(TopologyProblem::Convert {
            file: "draft".to_string(),
            pos: None,
            error,
        })
    })?;
    let path = ws_dir.join(TOPOLOGY);
    let original = std::fs::read_to_string(&path).unwrap_or_default();
    let text = render_topology(&original, &graph.asset_types, &graph.transitions)
        .map_err(|e| problem(e.into()))?;
    let mut loaded = gen_workspace::load_workspace(ws_dir);
    loaded.set.topology = Some(SourceFile::new(TOPOLOGY, text));
    Ok(validate(&loaded.set).errors)
}

/// Saves a draft as the workspace topology; see the module docs. `now` names the backup; `guard`
/// protects changes made to the file by someone else since the draft opened it.
pub fn save(
    ws_dir: &Path,
    name: &str,
    draft: &Draft,
    now: jiff::Timestamp,
    guard: Guard<'_>,
) -> Result<TopologySaved, DraftError> {
    let graph = topology_from_draft(draft).map_err(|error| {
        problem(TopologyProblem::Convert {
            file: "draft".to_string(),
            pos: None,
            error,
        })
    })?;
    let path = ws_dir.join(TOPOLOGY);
    let original = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io("cannot read", &path)(e)),
    };
    let text = render_topology(
        original.as_deref().unwrap_or_default(),
        &graph.asset_types,
        &graph.transitions,
    )
    .map_err(|e| problem(e.into()))?;
    let target = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    if original.as_deref() == Some(text.as_str()) {
        return Ok(TopologySaved {
            path: target,
            backup: None,
            unchanged: true,
            notes: graph.notes,
            warnings: Vec::new(),
            fingerprint: fingerprint(&text),
        });
    }
    match (guard, &original) {
        (Guard::Overwrite, _) | (_, None) => {}
        (Guard::NotOpened, Some(_)) => {
            return Err(problem(TopologyProblem::NotFromTopology {
                draft: name.to_string(),
            }));
        }
        (Guard::Unchanged(base), Some(current)) if fingerprint(current) != base => {
            return Err(problem(TopologyProblem::ChangedSinceOpen {
                draft: name.to_string(),
            }));
        }
        (Guard::Unchanged(_), Some(_)) => {}
    }
    let mut loaded = gen_workspace::load_workspace(ws_dir);
    loaded.set.topology = Some(SourceFile::new(TOPOLOGY, text.clone()));
    let report = validate(&loaded.set);
    if !report.errors.is_empty() {
        return Err(problem(TopologyProblem::Invalid {
            errors: report.errors,
        }));
    }
    let backup = match &original {
        Some(old) => Some(backup(ws_dir, old, now)?),
        None => None,
    };
    write_atomic(&target, text.as_bytes())?;
    Ok(TopologySaved {
        path: target,
        backup,
        unchanged: false,
        fingerprint: fingerprint(&text),
        notes: graph.notes,
        warnings: report
            .warnings
            .into_iter()
            .filter(|w| w.file == TOPOLOGY)
            .collect(),
    })
}

/// Copies the previous topology to a new file in `workbench/backups/`, durably.
fn backup(ws_dir: &Path, text: &str, now: jiff::Timestamp) -> Result<PathBuf, DraftError> {
    let dir = gen_workspace::Workspace::from_dir(ws_dir).topology_backups_dir();
    let stamp = now
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let mut candidate = dir.join(format!("graph_topology-{stamp}.yml"));
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("graph_topology-{stamp}-{n}.yml"));
        n += 1;
    }
    write_atomic(&candidate, text.as_bytes())?;
    Ok(candidate)
}

#[cfg(test)]
mod tests {
    use gen_workbench::{History, parse_canvas_input};
    use serde_json::{Value, json};

    use super::*;

    const TOPOLOGY_TEXT: &str = "\
# Our graph
asset_types:
  design:
    description: \"Tech design\"
    schema: {components: list}
    markov_criteria: [has_components]
  code:
    description: \"Source\"
    schema: {files: list}
    markov_criteria: [compiles]
  unit_tests:
    description: \"Tests\"
    schema: {files: list}
    markov_criteria: [all_pass]

transitions:
  - name: \"Design → Code\"
    source: design
    target: code
    edge_type: standard
    evaluators: [agent, deterministic]
    constructor: agent
  - name: \"Code ↔ Unit Tests\"
    source: code
    target: unit_tests
    edge_type: co_evolution
    evaluators: [agent, deterministic]
    constructor: agent

graph_properties:
  version: \"1.0.0\"
";

    fn workspace(text: &str) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("graph")).unwrap();
        std::fs::write(tmp.path().join(TOPOLOGY), text).unwrap();
        tmp
    }

    fn now() -> jiff::Timestamp {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    fn edit(draft: &Draft, value: Value) -> Draft {
        let mut history = History::new(draft.clone());
        let actions = parse_canvas_input(value.to_string().as_bytes()).unwrap();
        assert!(history.apply(&actions).changed());
        history.draft().clone()
    }

    fn topology_json(text: &str) -> Value {
        yaml::parse(text).unwrap().root.to_json()
    }

    #[test]
    fn open_then_save_without_edits_writes_nothing() {
        let ws = workspace(TOPOLOGY_TEXT);
        let (draft, _base) = open(ws.path()).unwrap();
        assert_eq!(draft.node_count(), 3);
        let saved = save(ws.path(), "t", &draft, now(), Guard::Overwrite).unwrap();
        assert!(saved.unchanged && saved.backup.is_none());
        assert_eq!(
            std::fs::read_to_string(ws.path().join(TOPOLOGY)).unwrap(),
            TOPOLOGY_TEXT
        );
    }

    #[test]
    fn an_edit_is_validated_backed_up_and_written_keeping_comments() {
        let ws = workspace(TOPOLOGY_TEXT);
        let draft = edit(
            &open(ws.path()).unwrap().0,
            json!([{"intent": "add", "node": {"id": "test_cases", "label": "Test Cases", "type": "asset_type",
                     "description": "Integration tests", "properties": {"schema": {"files": "list"}, "markov_criteria": ["all_pass"]}}},
                   {"intent": "connect", "source": "design", "target": "test_cases"}]),
        );
        let saved = save(ws.path(), "t", &draft, now(), Guard::Overwrite).unwrap();
        let backup = saved.backup.expect("backup");
        assert_eq!(
            backup,
            ws.path()
                .join("workbench/backups/graph_topology-20260301T120000Z.yml")
        );
        assert_eq!(std::fs::read_to_string(&backup).unwrap(), TOPOLOGY_TEXT);
        let text = std::fs::read_to_string(ws.path().join(TOPOLOGY)).unwrap();
        assert!(
            text.starts_with("# Our graph\nasset_types:\n  design:\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "  test_cases:\n    description: Integration tests\n    schema: {files: list}\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "  - name: \"Design → Test Cases\"\n    source: design\n    target: test_cases\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("graph_properties:\n  version: \"1.0.0\"\n"),
            "{text}"
        );
        assert!(
            saved
                .notes
                .iter()
                .any(|n| n.contains("design→test_cases is new")),
            "{:?}",
            saved.notes
        );
        // A second save of the same draft is a no-op; a third with another edit gets its own backup.
        assert!(
            save(ws.path(), "t", &draft, now(), Guard::Overwrite)
                .unwrap()
                .unchanged
        );
        let again = edit(&draft, json!({"intent": "remove", "nodeId": "test_cases"}));
        let third = save(ws.path(), "t", &again, now(), Guard::Overwrite).unwrap();
        assert!(
            third
                .backup
                .unwrap()
                .ends_with("graph_topology-20260301T120000Z-2.yml")
        );
        assert_eq!(
            topology_json(&std::fs::read_to_string(ws.path().join(TOPOLOGY)).unwrap()),
            topology_json(TOPOLOGY_TEXT)
        );
    }

    #[test]
    fn an_invalid_result_is_refused_and_nothing_is_written() {
        let ws = workspace(TOPOLOGY_TEXT);
        let draft = edit(
            &open(ws.path()).unwrap().0,
            json!({"intent": "configure", "nodeId": "design", "properties": {
                "$transitions": [{"name": "Design → Code", "source": "design", "target": "code",
                                  "edge_type": "sideways", "evaluators": ["oracle"], "constructor": "wizard"}]}}),
        );
        let err = save(ws.path(), "t", &draft, now(), Guard::Overwrite).expect_err("refused");
        let DraftError::Topology(problem) = err else {
            panic!("{err:?}")
        };
        let TopologyProblem::Invalid { errors } = *problem else {
            panic!("{problem:?}")
        };
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            text.iter().any(|e| e.contains("constructor `wizard`")),
            "{text:?}"
        );
        assert_eq!(
            std::fs::read_to_string(ws.path().join(TOPOLOGY)).unwrap(),
            TOPOLOGY_TEXT
        );
        assert!(!ws.path().join("workbench/backups").exists());
    }

    #[test]
    fn opening_a_topology_that_cannot_be_a_draft_names_the_line() {
        let broken = TOPOLOGY_TEXT.replace("    target: unit_tests\n", "    target: tests\n");
        let ws = workspace(&broken);
        let err = open(ws.path()).unwrap_err();
        assert!(
            err.to_string().starts_with("graph/graph_topology.yml:25:"),
            "{err}"
        );
        assert!(
            err.to_string().contains("`tests` is not an asset type"),
            "{err}"
        );
        let missing = open(tempfile::tempdir().unwrap().path()).unwrap_err();
        assert!(
            matches!(&missing, DraftError::Topology(p) if matches!(**p, TopologyProblem::Missing { .. })),
            "{missing:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_topology_stays_a_symlink() {
        let ws = workspace("");
        let real = ws.path().join("real.yml");
        std::fs::write(&real, TOPOLOGY_TEXT).unwrap();
        let link = ws.path().join(TOPOLOGY);
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let draft = edit(
            &open(ws.path()).unwrap().0,
            json!({"intent": "remove", "nodeId": "unit_tests"}),
        );
        save(ws.path(), "t", &draft, now(), Guard::Overwrite).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            !std::fs::read_to_string(&real)
                .unwrap()
                .contains("unit_tests")
        );
    }

    /// The real claude topology: 18 asset types, 22 transitions, two of them sharing
    /// `intent→named_composition`. Fails where the shared corpus is absent, unless
    /// `GEN_SKIP_CORPUS=1` skips it (`gen_testkit::corpus`).
    #[test]
    fn the_claude_topology_round_trips() {
        let Some(corpus) = gen_testkit::corpus() else {
            return;
        };
        let text = std::fs::read_to_string(corpus.join("genesis-claude-config/graph_topology.yml"))
            .expect("the corpus holds the claude topology");
        let ws = workspace(&text);
        let (draft, _base) = open(ws.path()).unwrap();
        assert_eq!((draft.node_count(), draft.edge_count()), (18, 21));
        let intent = draft.node("intent").unwrap();
        let kept = intent.properties.as_ref().unwrap().as_map()["$transitions"]
            .as_array()
            .unwrap();
        assert_eq!(
            kept.iter()
                .filter(|t| t["target"] == "named_composition")
                .count(),
            2
        );
        // The conversion alone gives back the same asset types and transitions, every field kept.
        let before = topology_json(&text);
        let graph = gen_workbench::topology_from_draft(&draft).unwrap();
        assert_eq!(
            Value::Object(graph.asset_types.clone()),
            before["asset_types"]
        );
        assert_eq!(
            Value::Array(graph.transitions.clone()),
            before["transitions"]
        );
        assert!(graph.notes.is_empty(), "{:?}", graph.notes);
        // No edit: byte-identical, nothing written, and the config set validates.
        assert!(
            save(ws.path(), "t", &draft, now(), Guard::Overwrite)
                .unwrap()
                .unchanged
        );
        let loaded = gen_workspace::load_workspace(ws.path());
        let report = validate(&loaded.set);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        // An edit elsewhere keeps both transitions of the shared pair and every field.
        let edited = edit(
            &draft,
            json!({"intent": "configure", "nodeId": "telemetry", "properties": {"owner": "sre"}}),
        );
        let saved = save(ws.path(), "t", &edited, now(), Guard::Overwrite).unwrap();
        assert!(!saved.unchanged);
        let after = topology_json(&std::fs::read_to_string(ws.path().join(TOPOLOGY)).unwrap());
        assert_eq!(after["transitions"], before["transitions"]);
        assert_eq!(
            after["constraint_dimensions"],
            before["constraint_dimensions"]
        );
        assert_eq!(after["asset_types"]["telemetry"]["owner"], "sre");
        assert_eq!(after["asset_types"].as_object().unwrap().len(), 18);
    }

    #[test]
    fn a_topology_changed_since_open_is_not_overwritten() {
        let ws = workspace(TOPOLOGY_TEXT);
        let (draft, base) = open(ws.path()).unwrap();
        let edited = edit(
            &draft,
            json!({"action": "setNodeDescription", "nodeId": "code", "description": "All the source"}),
        );
        // Someone else edits the file meanwhile.
        let theirs = TOPOLOGY_TEXT.replace("Tech design", "Technical design");
        std::fs::write(ws.path().join(TOPOLOGY), &theirs).unwrap();
        let err = save(ws.path(), "t", &edited, now(), Guard::Unchanged(&base)).unwrap_err();
        assert!(err.to_string().contains("changed since draft `t`"), "{err}");
        assert_eq!(
            std::fs::read_to_string(ws.path().join(TOPOLOGY)).unwrap(),
            theirs
        );
        // Unchanged file: the same guard lets the save through, and the new fingerprint is returned.
        std::fs::write(ws.path().join(TOPOLOGY), TOPOLOGY_TEXT).unwrap();
        let saved = save(ws.path(), "t", &edited, now(), Guard::Unchanged(&base)).unwrap();
        let on_disk = std::fs::read_to_string(ws.path().join(TOPOLOGY)).unwrap();
        assert_eq!(saved.fingerprint, fingerprint(&on_disk));
        assert!(on_disk.contains("All the source"));
    }

    #[test]
    fn a_draft_not_opened_from_the_topology_needs_force() {
        let ws = workspace(TOPOLOGY_TEXT);
        let (draft, _) = open(ws.path()).unwrap();
        let edited = edit(&draft, json!({"action": "setTitle", "title": "Other"}));
        let edited = edit(
            &edited,
            json!({"action": "setNodeDescription", "nodeId": "code", "description": "x"}),
        );
        let err = save(ws.path(), "t", &edited, now(), Guard::NotOpened).unwrap_err();
        assert!(
            err.to_string().contains("was not opened from the topology"),
            "{err}"
        );
        assert!(save(ws.path(), "t", &edited, now(), Guard::Overwrite).is_ok());
    }
}
