//! The text side of the sync config: recording a sync time in the file as written, and writing a
//! fresh file.
//!
//! [`set_last_sync`] never re-serialises the file (it is authored: comments, quoting, line
//! endings). It makes one edit located from the parser's spans, the way the vector refresh does
//! (`projection::vector_text`): an existing `last_sync.<entry>` value is replaced where it stands
//! in its own quotes (a trailing comment stays); a missing entry is a new line after the last line
//! of the `last_sync` block, at its keys' indentation; an empty `last_sync` (`last_sync:`, `~`,
//! `{}`) is opened as a block; a missing `last_sync` is a new block at the end of `sync:`. Spelling
//! and line endings follow [`yaml_text`]. Whatever it would have to guess at (flow mappings that
//! need a new key, anchors, aliases, tags, block scalars, several documents) is refused with where,
//! and the result is parsed back and compared with the original before it is handed out.

use super::super::yaml::{Entry, Node, Pos, Yaml};
use super::super::yaml_text::{self, Eol, Quote, flow_close};
use super::{DIRECTIONS, LAST_SYNC_KEYS, SyncConfig, SyncSettings, format_duration_secs};

/// Why [`set_last_sync`] left the text alone; each names the place and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncEditError {
    /// The entry is not one sync writes (a caller's mistake, not the file's).
    #[error(
        "`{0}` is not a `last_sync` entry (known: configs_pushed, events_pushed, events_pulled, features_pulled, artifacts_pulled)"
    )]
    UnknownEntry(String),
    /// The text is not valid YAML.
    #[error("the sync config does not parse ({0}); fix it first")]
    Unparsable(String),
    /// There is no `sync:` mapping to write into.
    #[error("the sync config has no `sync:` mapping to record the time in; fix the file first")]
    NoSyncSection {
        /// Where the root or the `sync` value is.
        pos: Option<Pos>,
    },
    /// The place to write is spelled in a way that cannot be edited without guessing.
    #[error("{what} {why}; record the time by hand or rewrite it as a plain block mapping")]
    Layout {
        /// `sync`, `sync.last_sync` or `sync.last_sync.<entry>`.
        what: String,
        /// Where it is.
        pos: Option<Pos>,
        /// What about it is in the way.
        why: String,
    },
    /// The edited text would not read back as intended (a bug or an unforeseen spelling).
    #[error(
        "the edited sync config would not read back as intended ({0}); the file was left as it is"
    )]
    Mismatch(String),
}

/// `text` (a sync config) with `last_sync.<entry>` set to `at`, every other byte kept; see the
/// module docs. `entry` is one of [`LAST_SYNC_KEYS`].
pub fn set_last_sync(
    text: &str,
    entry: &str,
    at: jiff::Timestamp,
) -> Result<String, SyncEditError> {
    if !LAST_SYNC_KEYS.contains(&entry) {
        return Err(SyncEditError::UnknownEntry(entry.to_string()));
    }
    let loaded =
        super::super::yaml::parse(text).map_err(|e| SyncEditError::Unparsable(e.to_string()))?;
    let root = &loaded.root;
    if loaded.documents > 1 {
        return Err(layout("the file", root.pos, "has several YAML documents"));
    }
    let sync = root
        .entry("sync")
        .filter(|e| e.value.entries().is_some())
        .ok_or(SyncEditError::NoSyncSection {
            pos: root.get("sync").map_or(root.pos, |n| n.pos).known(),
        })?;
    let ed = Editor::new(text);
    let stamp = yaml_text::timestamp(&at);
    let fresh = |indent: usize| ed.line(indent, entry, &yaml_text::string(&stamp, ed.fresh));
    let edit = match sync.value.entry("last_sync") {
        None => {
            let reference = ed.block_reference(&sync.value, "sync")?;
            let indent = indent(reference.key_pos);
            let step = indent.saturating_sub(self::indent(sync.key_pos)).max(1);
            let mut lines = ed.line(indent, "last_sync", "");
            lines.push_str(&fresh(indent + step));
            ed.insert(ed.boundary(ed.node_end(&sync.value)), lines)
        }
        Some(ls) => {
            let what = "sync.last_sync";
            ed.plain_place(ls, what)?;
            match &ls.value.value {
                Yaml::Map(entries) if !entries.is_empty() => match ls.value.entry(entry) {
                    Some(e) => ed.replace(e, &format!("{what}.{entry}"), &stamp)?,
                    None => {
                        let reference = ed.block_reference(&ls.value, what)?;
                        let line = fresh(indent(reference.key_pos));
                        ed.insert(ed.boundary(ed.node_end(&ls.value)), line)
                    }
                },
                Yaml::Map(_) | Yaml::Null => {
                    let step = ed.step(&sync.value, sync.key_pos);
                    let mut edit = ed.open_block(ls, what)?;
                    edit.text = fresh(indent(ls.key_pos) + step);
                    edit
                }
                _ => {
                    return Err(layout(
                        what,
                        ls.value.pos,
                        &format!("is {}, not a mapping of entries to times", ls.value.kind()),
                    ));
                }
            }
        }
    };
    let out = ed.apply(edit);
    verify(text, &out, entry, at)?;
    Ok(out)
}

fn layout(what: &str, pos: Pos, why: &str) -> SyncEditError {
    SyncEditError::Layout {
        what: format!("`{what}`"),
        pos: pos.known(),
        why: why.to_string(),
    }
}

/// One byte range of the original text and what replaces it (the removal of an empty value and
/// the lines that open it as a block are one edit).
struct Edit {
    start: usize,
    end: usize,
    /// Text put at `start` (for a removal followed by an insertion: at `insert_at`).
    text: String,
    /// Where `text` goes when it is not `start` (lines after a removed `{}`).
    insert_at: Option<usize>,
}

struct Editor<'a> {
    text: &'a str,
    eol: Eol,
    /// Byte offset of each line start.
    lines: Vec<usize>,
    /// How new times are quoted: the file's majority quote, double when it does not say (the seed's).
    fresh: Quote,
}

impl<'a> Editor<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = vec![0];
        lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Editor {
            text,
            eol: Eol::detect(text),
            lines,
            fresh: if text.matches(": '").count() > text.matches(": \"").count() {
                Quote::Single
            } else {
                Quote::Double
            },
        }
    }

    fn line(&self, indent: usize, key: &str, value: &str) -> String {
        let mut out = " ".repeat(indent);
        out.push_str(&yaml_text::key(key));
        out.push(':');
        if !value.is_empty() {
            out.push(' ');
            out.push_str(value);
        }
        out.push_str(self.eol.as_str());
        out
    }

    /// New lines at `at` (a line start, or the end of the text, whose last line is ended first).
    fn insert(&self, at: usize, mut text: String) -> Edit {
        if at == self.text.len() {
            text.insert_str(0, self.eol.break_after(self.text));
        }
        Edit {
            start: at,
            end: at,
            text,
            insert_at: None,
        }
    }

    fn apply(&self, edit: Edit) -> String {
        let mut out = String::with_capacity(self.text.len() + edit.text.len() + 2);
        out.push_str(&self.text[..edit.start]);
        match edit.insert_at {
            None => {
                out.push_str(&edit.text);
                out.push_str(&self.text[edit.end..]);
            }
            Some(at) => {
                out.push_str(&self.text[edit.end..at]);
                if at == self.text.len() {
                    out.push_str(self.eol.break_after(&out));
                }
                out.push_str(&edit.text);
                out.push_str(&self.text[at..]);
            }
        }
        out
    }

    /// The indentation step under `map` (whose key is at `key_pos`): how far its nested block
    /// mappings are indented, else how far its own keys are, else 2.
    fn step(&self, map: &Node, key_pos: Pos) -> usize {
        let entries = map.entries().unwrap_or_default();
        entries
            .iter()
            .find_map(|e| {
                let child = e.value.entries()?.first()?;
                (self.is_block(&e.value) && child.key_pos.column > e.key_pos.column)
                    .then(|| indent(child.key_pos) - indent(e.key_pos))
            })
            .or_else(|| {
                let first = entries.first()?;
                (first.key_pos.column > key_pos.column)
                    .then(|| indent(first.key_pos) - indent(key_pos))
            })
            .unwrap_or(2)
    }

    /// The first key of a block mapping, checked to start its line, for indentation.
    fn block_reference<'n>(&self, map: &'n Node, what: &str) -> Result<&'n Entry, SyncEditError> {
        if !self.is_block(map) {
            return Err(layout(
                what,
                map.pos,
                "is a flow mapping (`{…}`), which gets no new keys here",
            ));
        }
        match map.entries().and_then(<[Entry]>::first) {
            Some(e) if self.leads_line(e) && !self.is_merged(e) => Ok(e),
            Some(e) => Err(layout(
                what,
                e.key_pos,
                "does not start its keys on their own lines",
            )),
            None => Err(layout(what, map.pos, "is empty")),
        }
    }

    /// Refuses a key that comes from a merge key or whose value is an alias: the text to edit is
    /// elsewhere. (An anchored mapping that gains a key changes its aliases too; the read-back
    /// check refuses that.)
    fn plain_place(&self, e: &Entry, what: &str) -> Result<(), SyncEditError> {
        let alias = e.value.len.is_some_and(|l| l > 0)
            && e.value
                .offset
                .and_then(|o| self.text.get(o..))
                .is_some_and(|t| t.starts_with('*'));
        if self.is_merged(e) || alias {
            return Err(layout(what, e.key_pos, "comes from an alias or merge key"));
        }
        Ok(())
    }

    /// Replaces a scalar value in place, keeping its quotes (a plain time stays plain in block
    /// context; a null or empty value gets the file's quotes).
    fn replace(&self, e: &Entry, what: &str, stamp: &str) -> Result<Edit, SyncEditError> {
        if self.is_merged(e) {
            return Err(layout(what, e.key_pos, "comes from a merge key"));
        }
        let node = &e.value;
        if let Yaml::Map(_) | Yaml::Seq(_) = node.value {
            return Err(layout(
                what,
                node.pos,
                &format!("is {}, not a time", node.kind()),
            ));
        }
        let unusual = || {
            layout(
                what,
                node.pos,
                "is written with an anchor, alias, tag or block scalar",
            )
        };
        let (Some(start), Some(len)) = (node.offset, node.len) else {
            return Err(unusual());
        };
        if len == 0 {
            // `key:` with nothing after it; the parser points at the colon.
            if !self.text[start..].starts_with(':') {
                return Err(unusual());
            }
            return Ok(Edit {
                start: start + 1,
                end: start + 1,
                text: format!(" {}", yaml_text::string(stamp, self.fresh)),
                insert_at: None,
            });
        }
        let spelled = self.text.get(start..start + len).ok_or_else(unusual)?;
        if spelled.starts_with(['*', '|', '>', '&', '!']) || !self.follows_key(start) {
            return Err(unusual());
        }
        let in_flow = !self.leads_line(e);
        let text = match spelled.chars().next() {
            Some('\'') => yaml_text::string(stamp, Quote::Single),
            Some('"') => yaml_text::string(stamp, Quote::Double),
            _ if node.is_null() || in_flow => yaml_text::string(stamp, self.fresh),
            _ => stamp.to_string(),
        };
        Ok(Edit {
            start,
            end: start + len,
            text,
            insert_at: None,
        })
    }

    /// Removes an empty value (`~`, `null`, `{}`) after `key:` so a block can follow; the
    /// returned edit's lines go at the start of the next line.
    fn open_block(&self, e: &Entry, what: &str) -> Result<Edit, SyncEditError> {
        if !self.leads_line(e) {
            return Err(layout(what, e.key_pos, "is inside a flow mapping"));
        }
        let node = &e.value;
        let unusual = || layout(what, node.pos, "is written with an anchor, alias or tag");
        let (Some(start), Some(len)) = (node.offset, node.len) else {
            return Err(unusual());
        };
        if len == 0 {
            return match self.text.get(start..) {
                Some(t) if t.starts_with(':') => {
                    let at = self.boundary(start + 1);
                    Ok(Edit {
                        start: at,
                        end: at,
                        text: String::new(),
                        insert_at: Some(at),
                    })
                }
                _ => Err(unusual()),
            };
        }
        if !self.follows_key(start) {
            return Err(unusual());
        }
        let end = if self.text[start..].starts_with('{') {
            flow_close(self.text, start).ok_or_else(unusual)?
        } else {
            start + len
        };
        let blanks =
            self.text[..start].len() - self.text[..start].trim_end_matches([' ', '\t']).len();
        Ok(Edit {
            start: start - blanks,
            end,
            text: String::new(),
            insert_at: Some(self.boundary(end)),
        })
    }

    /// True for a mapping written as an indented block (not `{…}`).
    fn is_block(&self, node: &Node) -> bool {
        let first = node
            .offset
            .and_then(|o| self.text.get(o..))
            .and_then(|t| t.chars().next());
        node.entries().is_some() && first != Some('{') && first != Some('*')
    }

    /// Byte offset of a 1-based line:column (columns count characters).
    fn offset_of(&self, pos: Pos) -> Option<usize> {
        let start = *self.lines.get((pos.line as usize).checked_sub(1)?)?;
        let line = &self.text[start..];
        let (byte, _) = line
            .char_indices()
            .chain(std::iter::once((line.len(), ' ')))
            .nth((pos.column as usize).checked_sub(1)?)?;
        Some(start + byte)
    }

    fn line_start(&self, offset: usize) -> usize {
        let i = self.lines.partition_point(|&s| s <= offset);
        self.lines[i.saturating_sub(1)]
    }

    /// `offset` when it starts a line, else the start of the next line (or the end of the text).
    fn boundary(&self, offset: usize) -> usize {
        if offset == 0 || self.text.as_bytes().get(offset - 1) == Some(&b'\n') {
            return offset;
        }
        let i = self.lines.partition_point(|&s| s <= offset);
        self.lines.get(i).copied().unwrap_or(self.text.len())
    }

    /// True when the entry's key starts its line (after indentation), i.e. block context.
    fn leads_line(&self, entry: &Entry) -> bool {
        self.offset_of(entry.key_pos)
            .is_some_and(|k| self.text[self.line_start(k)..k].chars().all(|c| c == ' '))
    }

    /// True when the value at `offset` follows `key:` and blanks on the same line.
    fn follows_key(&self, offset: usize) -> bool {
        self.text[self.line_start(offset)..offset]
            .trim_end_matches([' ', '\t'])
            .ends_with(':')
    }

    fn is_merged(&self, entry: &Entry) -> bool {
        self.offset_of(entry.key_pos)
            .and_then(|k| self.text.get(k..))
            .is_some_and(|t| t.starts_with(['*', '<']))
    }

    /// Where a node's text ends (the end of its last value; flow collections at their bracket).
    fn node_end(&self, node: &Node) -> usize {
        let start = node.offset.unwrap_or(0);
        let len = node.len.unwrap_or(0);
        let first = self.text.get(start..).and_then(|t| t.chars().next());
        match &node.value {
            Yaml::Map(_) | Yaml::Seq(_) if matches!(first, Some('{' | '[')) => {
                flow_close(self.text, start).unwrap_or(start + len)
            }
            Yaml::Map(entries) => entries
                .iter()
                .map(|e| self.node_end(&e.value))
                .chain(node.offset)
                .max()
                .unwrap_or(0),
            Yaml::Seq(items) => items
                .iter()
                .map(|n| self.node_end(n))
                .chain(node.offset)
                .max()
                .unwrap_or(0),
            _ => {
                let spelled = self.text.get(start..start + len).unwrap_or("");
                start + spelled.trim_end_matches([' ', '\t']).len()
            }
        }
    }
}

fn indent(pos: Pos) -> usize {
    pos.column.saturating_sub(1) as usize
}

/// Parses the edited text back: same line endings, one document, every value equal to the
/// original's but `sync.last_sync.<entry>`, which must read as `at`.
fn verify(
    before: &str,
    after: &str,
    entry: &str,
    at: jiff::Timestamp,
) -> Result<(), SyncEditError> {
    let mismatch = SyncEditError::Mismatch;
    let back = yaml_text::read_back(before, after).map_err(mismatch)?;
    if back.documents != 1 {
        return Err(mismatch("the document count changed".into()));
    }
    let mut want = super::super::yaml::parse(before)
        .map_err(|e| mismatch(e.to_string()))?
        .root
        .to_json();
    let stamp = serde_json::Value::String(yaml_text::timestamp(&at));
    let sync = want
        .get_mut("sync")
        .and_then(serde_json::Value::as_object_mut)
        .ok_or_else(|| mismatch("`sync` is gone".into()))?;
    let last = sync
        .entry("last_sync")
        .or_insert_with(|| serde_json::json!({}));
    if !last.is_object() {
        *last = serde_json::json!({});
    }
    if let Some(map) = last.as_object_mut() {
        map.insert(entry.to_string(), stamp);
    }
    if back.root.to_json() != want {
        return Err(mismatch(
            "a value other than the recorded time changed".into(),
        ));
    }
    let config = SyncConfig::from_node("", back.root);
    if config.last_sync.get(entry) != Some(&at) {
        return Err(mismatch(format!(
            "`last_sync.{entry}` does not read back as {at}"
        )));
    }
    Ok(())
}

/// A fresh, commented sync config for `gen sync init`, in the seed's shape (every value
/// double-quoted, as the seed writes them); `last_sync` starts empty.
pub fn render_sync_config(s: &SyncSettings) -> String {
    let q = |v: &str| yaml_text::string(v, Quote::Double);
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line("# Sync settings written by `gen sync init`: where this workspace's shared data lives.");
    line("# `gen validate` checks this file; the README's \"Sync configuration\" lists every key.");
    line("sync:");
    line(
        "  # aws: S3 buckets and DynamoDB tables. local: a folder that plays the cloud (local_root).",
    );
    line(&format!("  backend: {}", q(s.backend.as_str())));
    line(
        "  # Part of the key of every record this project syncs: letters, digits, -, _ and . only.",
    );
    line(&format!("  project_id: {}", q(&s.project_id)));
    line("  # Remote names (the aws backend needs all four).");
    line(&format!("  s3_config_bucket: {}", q(&s.s3_config_bucket)));
    line(&format!(
        "  s3_artifacts_bucket: {}",
        q(&s.s3_artifacts_bucket)
    ));
    line(&format!(
        "  dynamodb_events_table: {}",
        q(&s.dynamodb_events_table)
    ));
    line(&format!(
        "  dynamodb_features_table: {}",
        q(&s.dynamodb_features_table)
    ));
    let optional = [
        ("region", &s.region, "AWS region (else the environment's)."),
        (
            "profile",
            &s.profile,
            "AWS credentials profile (else the default chain).",
        ),
        (
            "endpoint_url",
            &s.endpoint_url,
            "An S3/DynamoDB-compatible endpoint instead of AWS (LocalStack, MinIO).",
        ),
        (
            "local_root",
            &s.local_root,
            "The folder that plays the cloud; relative paths are relative to the project folder.",
        ),
    ];
    for (key, value, comment) in optional {
        if let Some(value) = value {
            line(&format!("  # {comment}"));
            line(&format!("  {key}: {}", q(value)));
        }
    }
    line("  # How old a pull may be before status calls it stale: seconds, or 30m, 1h, 2h30m, 1d.");
    line(&format!(
        "  staleness_threshold: {}",
        q(&format_duration_secs(s.staleness_secs))
    ));
    line("  # When each resource was last synced (RFC 3339, UTC); sync records these.");
    line("  last_sync: {}");
    line("  # Fixed by the seed: configs are authored locally and pushed; events, features and");
    line("  # artifacts come from the cloud.");
    line("  direction:");
    for (resource, direction) in DIRECTIONS {
        line(&format!("    {resource}: {}", q(direction)));
    }
    out
}
