//! Rules for the sync config (`bedrock/sync_config.yml`).
//!
//! Errors are what would make sync talk to the wrong place or not at all: no `sync` mapping, a
//! missing or unsafe `project_id`, a missing or malformed remote name for the aws backend, a
//! missing `local_root` for the local one, an endpoint that is not an http(s) URL, a `last_sync`
//! time or staleness threshold that cannot be read, a direction the seed does not allow. Warnings
//! are what sync ignores: unknown keys (likely typos) and keys the chosen backend does not read.

use super::*;
use crate::config::sync_config::{
    Backend, DIRECTIONS, LAST_SYNC_KEYS, SYNC_KEYS, SyncConfig, bucket_name_problem,
    endpoint_url_problem, parse_duration_secs, parse_timestamp, project_id_problem,
    table_name_problem,
};

const BUCKET_HINT: &str = "bucket names are 3–63 characters of lowercase letters, digits, `-` and `.`, \
                           starting and ending with a letter or digit";
const TABLE_HINT: &str = "table names are 3–255 characters of letters, digits, `_`, `-` and `.`";
const PROJECT_ID_HINT: &str = "use only letters, digits, `-`, `_` and `.` (no `/`, `#` or spaces)";
const DIRECTION_WHY: &str = "the seed fixes each resource's direction: configs are authored locally \
                             and pushed; events, features and artifacts come from the cloud";

/// Reads and checks one sync config on its own, for code that acts on it (sync): the model comes
/// back only when there is no error; the report holds every finding either way.
pub fn load_sync_config(file: &SourceFile) -> (Option<SyncConfig>, Report) {
    let mut v = Validator {
        report: Report::default(),
    };
    let config = v.load(file).map(|loaded| {
        let config = SyncConfig::from_node(&file.path, loaded.root);
        v.check_sync_config(&file.path, &config);
        config
    });
    let ok = v.report.is_ok();
    (config.filter(|_| ok), v.report)
}

/// The value as a message shows it: a scalar in backticks, anything else by its kind.
fn shown(node: &Node) -> String {
    match node.scalar_text() {
        Some(t) => format!("`{t}`"),
        None => node.kind().to_string(),
    }
}

/// The known word closest to `word` when it is a plausible typo of it (at most two edits).
fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, k)| *d <= 2 && *d < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

/// The hint for an unknown key: a likely meant one, else every known one.
fn known_hint(word: &str, known: &[&str], what: &str) -> String {
    match closest(word, known) {
        Some(k) => format!("did you mean `{k}`? (the known {what} are {})", list(known)),
        None => format!("the known {what} are {}; check the spelling", list(known)),
    }
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Validator {
    pub(super) fn check_sync_config(&mut self, file: &str, config: &SyncConfig) {
        let root = &config.root;
        for e in root.entries().unwrap_or_default() {
            if e.key != "sync" {
                self.warn(
                    file,
                    e.key_pos,
                    format!("unknown top-level key `{}`; only `sync` is read", e.key),
                    "move it under `sync:` if it is a sync setting, or remove it",
                );
            }
        }
        let Some(sync_entry) = root.entry("sync") else {
            self.error(
                file,
                root.pos,
                "the sync config has no `sync` mapping".into(),
                "write the settings under a top-level `sync:` key, as the seed does",
            );
            return;
        };
        let sync = &sync_entry.value;
        if sync.entries().is_none() {
            let pos = if sync.is_null() {
                sync_entry.key_pos
            } else {
                sync.pos
            };
            self.error(
                file,
                pos,
                format!(
                    "`sync` is {}, expected a mapping of sync settings",
                    sync.kind()
                ),
                "write `sync:` followed by indented `key: value` lines",
            );
            return;
        }
        let here = sync_entry.key_pos;
        for e in sync.entries().unwrap_or_default() {
            if !SYNC_KEYS.contains(&e.key.as_str()) {
                self.warn(
                    file,
                    e.key_pos,
                    format!("unknown key `{}` under `sync`; it is ignored", e.key),
                    &known_hint(&e.key, &SYNC_KEYS, "keys"),
                );
            }
        }
        // Every key but the two mappings holds one string (or a number written for one).
        for key in SYNC_KEYS
            .into_iter()
            .filter(|k| !matches!(*k, "last_sync" | "direction"))
        {
            if let Some(node) = sync.get(key)
                && matches!(node.value, yaml::Yaml::Seq(_) | yaml::Yaml::Map(_))
            {
                self.error(
                    file,
                    node.pos,
                    format!("`sync.{key}` is {}, expected one value", node.kind()),
                    &format!("write `{key}: \"…\"` on one line"),
                );
            }
        }
        let backend = self.check_backend(file, sync);
        self.check_project_id(file, sync, here, config);
        self.check_remote_names(file, sync, here, config, backend);
        self.check_backend_keys(file, sync, here, config, backend);
        self.check_staleness(file, sync);
        self.check_last_sync(file, sync);
        self.check_directions(file, sync);
    }

    /// The backend in force (`None` when it is misspelled: backend-specific rules are skipped).
    fn check_backend(&mut self, file: &str, sync: &Node) -> Option<Backend> {
        let Some(node) = sync.get("backend").filter(|n| !n.is_null()) else {
            return Some(Backend::Aws);
        };
        let text = node.scalar_text()?;
        let backend = Backend::parse(&text);
        if backend.is_none() {
            self.error(
                file,
                node.pos,
                format!("`sync.backend` is `{text}`, expected `aws` or `local`"),
                "write `backend: aws` (the default: S3 and DynamoDB) or `backend: local` with a `local_root`",
            );
        }
        backend
    }

    fn check_project_id(&mut self, file: &str, sync: &Node, here: Pos, config: &SyncConfig) {
        let node = sync.get("project_id");
        match (&config.project_id, node) {
            (Some(id), Some(node)) => {
                if let Some(problem) = project_id_problem(id) {
                    self.error(
                        file,
                        node.pos,
                        format!("`sync.project_id` `{id}` cannot be part of a record key: {problem}"),
                        PROJECT_ID_HINT,
                    );
                }
            }
            (_, Some(node)) if node.scalar_text().is_some() || node.is_null() => self.error(
                file,
                node.pos,
                "`sync.project_id` is empty; every synced record is keyed by it".into(),
                "write the project's id, e.g. `project_id: \"project-foo\"`",
            ),
            (_, Some(_)) => {}
            (_, None) => self.error(
                file,
                here,
                "`sync.project_id` is missing; every synced record is keyed by it".into(),
                "add `project_id: \"<your-project>\"` under `sync:` (letters, digits, `-`, `_`, `.`)",
            ),
        }
    }

    fn check_remote_names(
        &mut self,
        file: &str,
        sync: &Node,
        here: Pos,
        config: &SyncConfig,
        backend: Option<Backend>,
    ) {
        let id = config.project_id.as_deref().unwrap_or("project-foo");
        let names = [
            (
                "s3_config_bucket",
                &config.s3_config_bucket,
                true,
                format!("aisdlc-{id}-config"),
            ),
            (
                "s3_artifacts_bucket",
                &config.s3_artifacts_bucket,
                true,
                format!("aisdlc-{id}-artifacts"),
            ),
            (
                "dynamodb_events_table",
                &config.dynamodb_events_table,
                false,
                "aisdlc-events".into(),
            ),
            (
                "dynamodb_features_table",
                &config.dynamodb_features_table,
                false,
                "aisdlc-features".into(),
            ),
        ];
        for (key, value, bucket, example) in names {
            let node = sync.get(key);
            match value {
                Some(name) => {
                    let (problem, what, hint) = if bucket {
                        (bucket_name_problem(name), "an S3 bucket", BUCKET_HINT)
                    } else {
                        (table_name_problem(name), "a DynamoDB table", TABLE_HINT)
                    };
                    if let (Some(problem), Some(node)) = (problem, node) {
                        self.error(
                            file,
                            node.pos,
                            format!(
                                "`sync.{key}` `{name}` is not a valid name for {what}: {problem}"
                            ),
                            hint,
                        );
                    }
                }
                None if backend == Some(Backend::Aws)
                    && node.is_none_or(|n| n.scalar_text().is_some() || n.is_null()) =>
                {
                    let (pos, state) = match node {
                        Some(n) => (n.pos, "empty"),
                        None => (here, "missing"),
                    };
                    self.error(
                        file,
                        pos,
                        format!("`sync.{key}` is {state}; the aws backend needs it"),
                        &format!(
                            "write `{key}: \"{example}\"` under `sync:`, or use `backend: local`"
                        ),
                    );
                }
                None => {}
            }
        }
    }

    fn check_backend_keys(
        &mut self,
        file: &str,
        sync: &Node,
        here: Pos,
        config: &SyncConfig,
        backend: Option<Backend>,
    ) {
        if let (Some(url), Some(node)) = (&config.endpoint_url, sync.get("endpoint_url"))
            && let Some(problem) = endpoint_url_problem(url)
        {
            self.error(
                file,
                node.pos,
                format!("`sync.endpoint_url` `{url}` is not an http(s) URL: {problem}"),
                "write the full URL of the S3/DynamoDB-compatible service, e.g. `http://localhost:4566`",
            );
        }
        match backend {
            Some(Backend::Local) => {
                if config.local_root.is_none() {
                    let pos = sync.get("local_root").map_or(here, |n| n.pos);
                    self.error(
                        file,
                        pos,
                        "`sync.local_root` is missing; the local backend needs the folder that plays the cloud".into(),
                        "add `local_root: \"../team-sync\"` under `sync:` (relative paths are relative to the project folder)",
                    );
                }
                for key in ["region", "profile", "endpoint_url"] {
                    if let Some(e) = sync.entry(key).filter(|e| !e.value.is_blank()) {
                        self.warn(
                            file,
                            e.key_pos,
                            format!("`sync.{key}` is only read by the aws backend; with `backend: local` it is ignored"),
                            "remove it, or use `backend: aws`",
                        );
                    }
                }
            }
            Some(Backend::Aws) => {
                if let Some(e) = sync.entry("local_root").filter(|e| !e.value.is_blank()) {
                    self.warn(
                        file,
                        e.key_pos,
                        "`sync.local_root` is only read by the local backend; with `backend: aws` it is ignored".into(),
                        "remove it, or use `backend: local`",
                    );
                }
            }
            None => {}
        }
    }

    fn check_staleness(&mut self, file: &str, sync: &Node) {
        let Some(node) = sync.get("staleness_threshold").filter(|n| !n.is_null()) else {
            return;
        };
        let Some(text) = node.scalar_text() else {
            return; // reported as not one value
        };
        let hint =
            "write seconds (`3600`) or a duration like `30m`, `1h`, `2h30m`, `1d` (default: `1h`)";
        match parse_duration_secs(&text) {
            Err(why) => self.error(
                file,
                node.pos,
                format!("`sync.staleness_threshold` `{text}` is not a duration: {why}"),
                hint,
            ),
            Ok(0) => self.warn(
                file,
                node.pos,
                "`sync.staleness_threshold` is zero, so every pull counts as stale at once".into(),
                hint,
            ),
            Ok(_) => {}
        }
    }

    fn check_last_sync(&mut self, file: &str, sync: &Node) {
        let Some(node) = sync.get("last_sync").filter(|n| !n.is_null()) else {
            return;
        };
        let Some(entries) = node.entries() else {
            self.error(
                file,
                node.pos,
                format!("`sync.last_sync` is {}, expected a mapping of entries to times", node.kind()),
                "write `last_sync:` with lines like `events_pulled: \"2026-02-23T10:28:00Z\"`, or remove it",
            );
            return;
        };
        for e in entries {
            if !LAST_SYNC_KEYS.contains(&e.key.as_str()) {
                self.warn(
                    file,
                    e.key_pos,
                    format!("unknown `last_sync` entry `{}`; it is ignored", e.key),
                    &known_hint(&e.key, &LAST_SYNC_KEYS, "entries"),
                );
            }
            if e.value.is_null() || e.value.as_str().and_then(parse_timestamp).is_some() {
                continue;
            }
            self.error(
                file,
                e.value.pos,
                format!(
                    "`sync.last_sync.{}` is {}, not an RFC 3339 time",
                    e.key,
                    shown(&e.value)
                ),
                "write a time with its offset, like `\"2026-02-23T10:28:00Z\"`, or remove the line to sync from the start",
            );
        }
    }

    fn check_directions(&mut self, file: &str, sync: &Node) {
        let Some(node) = sync.get("direction").filter(|n| !n.is_null()) else {
            return;
        };
        let resources: Vec<&str> = DIRECTIONS.iter().map(|(r, _)| *r).collect();
        let Some(entries) = node.entries() else {
            self.error(
                file,
                node.pos,
                format!("`sync.direction` is {}, expected a mapping of resources to directions", node.kind()),
                "write `direction:` with `configs: local_to_cloud` and `events`, `features`, `artifacts`: \
                 `cloud_to_local`, or remove it (those are the defaults)",
            );
            return;
        };
        for e in entries {
            let Some((resource, fixed)) = DIRECTIONS.iter().find(|(r, _)| *r == e.key) else {
                self.warn(
                    file,
                    e.key_pos,
                    format!("unknown `direction` resource `{}`; it is ignored", e.key),
                    &known_hint(&e.key, &resources, "resources"),
                );
                continue;
            };
            if e.value.as_str() != Some(*fixed) {
                self.error(
                    file,
                    e.value.pos,
                    format!(
                        "`sync.direction.{resource}` is {}, but {DIRECTION_WHY}",
                        shown(&e.value)
                    ),
                    &format!("write `{resource}: {fixed}`"),
                );
            }
        }
    }
}
