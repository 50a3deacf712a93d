//! The sync settings of a workspace (`bedrock/sync_config.yml`, the Genesis seed's file), read
//! leniently, plus the two text writers sync needs: [`set_last_sync`] records when a resource was
//! last synced without touching any other byte, and [`render_sync_config`] writes a fresh file.
//!
//! The seed's shape is one top-level `sync:` mapping with the remote names (`s3_config_bucket`,
//! `s3_artifacts_bucket`, `dynamodb_events_table`, `dynamodb_features_table`), `project_id`,
//! `last_sync` (resource → time) and `direction` (resource → `local_to_cloud`/`cloud_to_local`).
//! We add `backend` (`aws`, the default, or `local`: a folder plays the cloud), `region`,
//! `profile`, `endpoint_url`, `local_root` and `staleness_threshold`.
//!
//! The model never fails on content: a value it cannot read falls back to its default and the
//! validator (`gen validate`) reports it at its line:column. Code that acts on the settings should
//! take them from [`load_sync_config`](super::load_sync_config), which hands them out only when no
//! error was found.

mod text;

#[cfg(test)]
pub(crate) mod tests;

pub use text::{SyncEditError, render_sync_config, set_last_sync};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::yaml::{self, Node};
use super::{Diagnostic, SourceFile};

/// Every key read under `sync:`; anything else is reported as a likely typo.
pub const SYNC_KEYS: [&str; 13] = [
    "backend",
    "project_id",
    "s3_config_bucket",
    "s3_artifacts_bucket",
    "dynamodb_events_table",
    "dynamodb_features_table",
    "region",
    "profile",
    "endpoint_url",
    "local_root",
    "staleness_threshold",
    "last_sync",
    "direction",
];

/// The `last_sync` entries sync writes, one per resource and direction it moves.
pub const LAST_SYNC_KEYS: [&str; 7] = [
    "configs_pushed",
    "configs_pulled",
    "events_pushed",
    "events_pulled",
    "features_pushed",
    "features_pulled",
    "artifacts_pulled",
];

/// The one direction the seed allows per resource: configs are authored locally and pushed;
/// events, features and artifacts come from the cloud.
pub const DIRECTIONS: [(&str, &str); 4] = [
    ("configs", "local_to_cloud"),
    ("events", "cloud_to_local"),
    ("features", "cloud_to_local"),
    ("artifacts", "cloud_to_local"),
];

/// How long a pull stays fresh when the file does not say: one hour.
pub const DEFAULT_STALENESS_SECS: u64 = 3600;

/// Where the synced data lives; the sync engine picks its store by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    /// S3 buckets and DynamoDB tables (the seed's design); the default.
    #[default]
    Aws,
    /// A folder (`local_root`) that plays the cloud: for offline teams, demos and tests.
    Local,
}

impl Backend {
    /// The spelling in the file (`aws`, `local`).
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Aws => "aws",
            Backend::Local => "local",
        }
    }

    /// Reads the file's spelling; `None` for anything else (the validator says what to write).
    pub fn parse(s: &str) -> Option<Backend> {
        match s {
            "aws" => Some(Backend::Aws),
            "local" => Some(Backend::Local),
            _ => None,
        }
    }
}

/// The sync settings of one workspace, as far as they could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncConfig {
    /// Workspace-relative path of the file (`bedrock/sync_config.yml`).
    pub path: String,
    /// `backend`: [`Backend::Aws`] when absent or not understood (the latter is a validation error).
    pub backend: Backend,
    /// `project_id`: the key part every synced record of this project carries.
    pub project_id: Option<String>,
    /// `s3_config_bucket`: where configs are pushed.
    pub s3_config_bucket: Option<String>,
    /// `s3_artifacts_bucket`: where artifacts are pulled from.
    pub s3_artifacts_bucket: Option<String>,
    /// `dynamodb_events_table`: the shared event log.
    pub dynamodb_events_table: Option<String>,
    /// `dynamodb_features_table`: the shared feature vectors.
    pub dynamodb_features_table: Option<String>,
    /// `region`: the AWS region, when not taken from the environment.
    pub region: Option<String>,
    /// `profile`: the AWS credentials profile, when not the default.
    pub profile: Option<String>,
    /// `endpoint_url`: an S3/DynamoDB-compatible endpoint (LocalStack, MinIO) instead of AWS's.
    pub endpoint_url: Option<String>,
    /// `local_root` as written: the folder that plays the cloud for the local backend (relative
    /// paths are relative to the project folder; see [`SyncConfig::local_root_in`]).
    pub local_root: Option<String>,
    /// `staleness_threshold` in seconds: how old a pull may be before status calls it stale
    /// ([`DEFAULT_STALENESS_SECS`] when absent or unreadable).
    pub staleness_secs: u64,
    /// `last_sync`: when each resource was last synced (`events_pulled` → time); entries that
    /// are not RFC 3339 times are left out (and reported by the validator).
    pub last_sync: BTreeMap<String, jiff::Timestamp>,
    /// `direction` as written (`events` → `cloud_to_local`); only [`DIRECTIONS`] are valid.
    pub direction: BTreeMap<String, String>,
    /// The parsed root, so diagnostics can point at any key or value.
    pub root: Node,
}

impl SyncConfig {
    /// Parses a sync config file; only YAML failures and a non-mapping root are errors here.
    pub fn parse(file: &SourceFile) -> Result<SyncConfig, Diagnostic> {
        let loaded = yaml::load_mapping(file)?;
        Ok(SyncConfig::from_node(&file.path, loaded.root))
    }

    /// Builds the model leniently from a parsed root (see the module docs).
    pub fn from_node(path: &str, root: Node) -> SyncConfig {
        let sync = root.get("sync").filter(|n| n.entries().is_some());
        let text = |key: &str| {
            sync.and_then(|s| s.get(key))
                .and_then(Node::scalar_text)
                .filter(|t| !t.trim().is_empty())
        };
        let map = |key: &str| {
            sync.and_then(|s| s.get(key))
                .and_then(Node::entries)
                .unwrap_or_default()
        };
        let last_sync = map("last_sync")
            .iter()
            .filter_map(|e| Some((e.key.clone(), parse_timestamp(e.value.as_str()?)?)))
            .collect();
        let direction = map("direction")
            .iter()
            .filter_map(|e| Some((e.key.clone(), e.value.scalar_text()?)))
            .collect();
        SyncConfig {
            path: path.to_string(),
            backend: text("backend")
                .and_then(|b| Backend::parse(&b))
                .unwrap_or_default(),
            project_id: text("project_id"),
            s3_config_bucket: text("s3_config_bucket"),
            s3_artifacts_bucket: text("s3_artifacts_bucket"),
            dynamodb_events_table: text("dynamodb_events_table"),
            dynamodb_features_table: text("dynamodb_features_table"),
            region: text("region"),
            profile: text("profile"),
            endpoint_url: text("endpoint_url"),
            local_root: text("local_root"),
            staleness_secs: text("staleness_threshold")
                .and_then(|t| parse_duration_secs(&t).ok())
                .unwrap_or(DEFAULT_STALENESS_SECS),
            last_sync,
            direction,
            root,
        }
    }

    /// The `sync:` mapping node, when the file has one; positions for diagnostics come from it.
    pub fn sync_node(&self) -> Option<&Node> {
        self.root.get("sync").filter(|n| n.entries().is_some())
    }

    /// The local backend's folder, resolved against the project folder (the one holding
    /// `.ai-workspace/`) when written relative; `None` when `local_root` is not set.
    pub fn local_root_in(&self, project_dir: &Path) -> Option<PathBuf> {
        self.local_root.as_ref().map(|r| project_dir.join(r))
    }

    /// True when `last_sync.<key>` is missing or older than the staleness threshold at `now`;
    /// status uses it to say "pull before you trust this".
    pub fn is_stale(&self, key: &str, now: jiff::Timestamp) -> bool {
        let Some(at) = self.last_sync.get(key) else {
            return true;
        };
        let age = now.as_second().saturating_sub(at.as_second());
        u64::try_from(age).is_ok_and(|age| age > self.staleness_secs)
    }
}

/// Reads an RFC 3339 time (`2026-02-23T10:30:00Z`, any offset); `None` for anything else.
pub(crate) fn parse_timestamp(s: &str) -> Option<jiff::Timestamp> {
    let s = s.trim();
    // jiff also takes a space for `T` (RFC 3339 allows it) and a bracketed zone after the offset;
    // it never takes a date alone or a time without an offset.
    s.parse().ok()
}

/// Reads a staleness threshold: whole seconds (`3600`) or a duration of days, hours, minutes and
/// seconds in that order, each at most once (`30m`, `1h`, `2h30m`, `1d`, `90s`). The error says
/// what is wrong.
pub fn parse_duration_secs(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("it is empty".into());
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse()
            .map_err(|_| "it is too large to be a number of seconds".into());
    }
    const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3600), ('m', 60), ('s', 1)];
    let mut total: u64 = 0;
    let mut next_unit = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(format!(
                "`{}` is not a number followed by a unit",
                rest.chars().next().unwrap_or(' ')
            ));
        }
        let amount: u64 = rest[..digits]
            .parse()
            .map_err(|_| "a number in it is too large".to_string())?;
        let unit = rest[digits..].chars().next();
        let Some(unit) = unit else {
            return Err(format!("`{amount}` has no unit (d, h, m or s)"));
        };
        let Some(i) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(format!("`{unit}` is not a unit (d, h, m or s)"));
        };
        if i < next_unit {
            return Err(
                "its units are out of order or repeated (write days, hours, minutes, seconds)"
                    .into(),
            );
        }
        next_unit = i + 1;
        total = amount
            .checked_mul(UNITS[i].1)
            .and_then(|secs| total.checked_add(secs))
            .ok_or_else(|| "it is too long".to_string())?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    Ok(total)
}

/// Spells seconds the way [`parse_duration_secs`] reads them back (`1h`, `2h30m`, `1d`, `90s`
/// stays `1m30s`, `0s`); for rendered files and messages.
pub fn format_duration_secs(secs: u64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, size) in [('d', 86_400), ('h', 3600), ('m', 60), ('s', 1)] {
        let n = rest / size;
        rest %= size;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}

/// Why `id` cannot be a `project_id` (it is one part of every synced record's key, and a folder
/// name for the local backend), or `None` when it can.
pub(crate) fn project_id_problem(id: &str) -> Option<String> {
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(format!("it has {}", shown(c)));
    }
    if id.chars().all(|c| c == '.') {
        return Some("it is only dots, which names a folder, not a project".into());
    }
    None
}

/// Why `name` is not an S3 bucket name (3–63 characters of lowercase letters, digits, `-` and
/// `.`, starting and ending with a letter or digit), or `None` when it is one.
pub(crate) fn bucket_name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if !(3..=63).contains(&len) {
        return Some(format!("it is {len} characters long"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.')))
    {
        return Some(format!("it has {}", shown(c)));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return Some("it does not start and end with a letter or digit".into());
    }
    None
}

/// Why `name` is not a DynamoDB table name (3–255 characters of letters, digits, `_`, `-` and
/// `.`), or `None` when it is one.
pub(crate) fn table_name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if !(3..=255).contains(&len) {
        return Some(format!("it is {len} characters long"));
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map(|c| format!("it has {}", shown(c)))
}

/// Why `url` is not an `http://` or `https://` URL with a host, or `None` when it is one.
pub(crate) fn endpoint_url_problem(url: &str) -> Option<&'static str> {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return Some("it does not start with `http://` or `https://`");
    };
    if url.chars().any(char::is_whitespace) {
        return Some("it has a space or line break");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    if host.is_empty() || host.starts_with(':') {
        return Some("it has no host");
    }
    None
}

/// A character named for a message: printable ones in backticks, others by code point.
fn shown(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        c if c.is_control() || c.is_whitespace() => format!("U+{:04X}", u32::from(c)),
        '`' => "a backtick".into(),
        c => format!("`{c}`"),
    }
}

/// What a fresh sync config says, for [`render_sync_config`]: `gen sync init`'s choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// `backend`.
    pub backend: Backend,
    /// `project_id`.
    pub project_id: String,
    /// `s3_config_bucket`.
    pub s3_config_bucket: String,
    /// `s3_artifacts_bucket`.
    pub s3_artifacts_bucket: String,
    /// `dynamodb_events_table`.
    pub dynamodb_events_table: String,
    /// `dynamodb_features_table`.
    pub dynamodb_features_table: String,
    /// `region`, written only when set.
    pub region: Option<String>,
    /// `profile`, written only when set.
    pub profile: Option<String>,
    /// `endpoint_url`, written only when set.
    pub endpoint_url: Option<String>,
    /// `local_root`, written only when set (the local backend needs it).
    pub local_root: Option<String>,
    /// `staleness_threshold` in seconds.
    pub staleness_secs: u64,
}

impl SyncSettings {
    /// Settings named after the seed's convention (`aisdlc-<project_id>-config`,
    /// `aisdlc-<project_id>-artifacts`, `aisdlc-events`, `aisdlc-features`), with no region,
    /// profile, endpoint or local root and the default staleness threshold.
    pub fn new(project_id: &str, backend: Backend) -> Self {
        let bucket_part: String = project_id
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9' | '-' | '.') => c,
                _ => '-',
            })
            .collect();
        SyncSettings {
            backend,
            project_id: project_id.to_string(),
            s3_config_bucket: format!("aisdlc-{bucket_part}-config"),
            s3_artifacts_bucket: format!("aisdlc-{bucket_part}-artifacts"),
            dynamodb_events_table: "aisdlc-events".into(),
            dynamodb_features_table: "aisdlc-features".into(),
            region: None,
            profile: None,
            endpoint_url: None,
            local_root: None,
            staleness_secs: DEFAULT_STALENESS_SECS,
        }
    }
}
