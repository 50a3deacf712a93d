//! YAML loading with positions: every node keeps its 1-based line:column so semantic rules can point at
//! the offending key or value, and multi-document files are merged into one mapping the way the reference
//! `config_loader.load_yaml` does (`evaluator_defaults.yml` is three documents).
//!
//! Parsing uses serde-saphyr with strict booleans (`yes`/`no` stay strings, as in YAML 1.2) and duplicate
//! keys rejected; the first syntax error is reported with its location.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;
use thiserror::Error;

use super::{Diagnostic, SourceFile};

/// A 1-based line and column (characters) in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

impl Pos {
    /// Builds a position; used by tests and by diagnostics computed from byte offsets.
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }

    /// Converts a byte offset into `text` to a 1-based line:column, for places inside a scalar.
    pub fn from_offset(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Self::new(to_u32(line), to_u32(column))
    }

    /// A position is known when it is not the 0:0 "unknown" sentinel.
    pub fn known(self) -> Option<Pos> {
        (self.line > 0).then_some(self)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The value of one YAML node; maps keep their keys in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// `~`, `null`, or an empty value.
    Null,
    /// `true` / `false` (YAML 1.2 spellings only).
    Bool(bool),
    /// An integer or finite float.
    Number(serde_json::Number),
    /// Any string scalar (including non-finite float spellings such as `.inf`).
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<Entry>),
}

/// One key/value pair of a mapping; the key is kept as text with its own position.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as text (`1` and `true` keys are written as such).
    pub key: String,
    /// Where the key is.
    pub key_pos: Pos,
    /// The value node.
    pub value: Node,
}

/// A YAML node with where it came from; the unit all config models are built from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Yaml,
    /// Where the node starts (for an alias: where the alias is used).
    pub pos: Pos,
    /// Byte offset of the node in the file text, when known (used to locate `$vars` inside scalars).
    pub offset: Option<usize>,
    /// Byte length of the node's source text, when known.
    pub len: Option<usize>,
}

impl Node {
    /// A node without a source position, for values built in code.
    pub fn detached(value: Yaml) -> Self {
        Self {
            value,
            pos: Pos::default(),
            offset: None,
            len: None,
        }
    }

    /// Looks a key up in a mapping node (the last entry wins, like a dict update).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .rev()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    /// The entry (key position included) for `key` in a mapping node.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().rev().find(|e| e.key == key)
    }

    /// The entries when this node is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Yaml::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items when this node is a sequence.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Yaml::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The text when this node is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Yaml::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean when this node is `true`/`false`.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Yaml::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Any scalar rendered as text (strings as is, numbers and booleans spelled out); `None` for
    /// null, sequences and mappings. Lenient readers use it for ids written as numbers.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Yaml::String(s) => Some(s.clone()),
            Yaml::Number(n) => Some(n.to_string()),
            Yaml::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// True for `~`/`null`/empty values.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Yaml::Null)
    }

    /// True when the value is "absent in spirit": null, an empty string, an empty list or map.
    pub fn is_blank(&self) -> bool {
        match &self.value {
            Yaml::Null => true,
            Yaml::String(s) => s.trim().is_empty(),
            Yaml::Seq(items) => items.is_empty(),
            Yaml::Map(entries) => entries.is_empty(),
            _ => false,
        }
    }

    /// A short name of the node's kind for messages ("a list", "a mapping", ...).
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Yaml::Null => "null",
            Yaml::Bool(_) => "a boolean",
            Yaml::Number(_) => "a number",
            Yaml::String(_) => "a string",
            Yaml::Seq(_) => "a list",
            Yaml::Map(_) => "a mapping",
        }
    }

    /// The strings of a list node (non-string items are skipped); a lone string counts as a one-item
    /// list, because real configs write `evaluator: deterministic` as well as `[agent, deterministic]`.
    pub fn string_list(&self) -> Vec<String> {
        match &self.value {
            Yaml::Seq(items) => items.iter().filter_map(Node::scalar_text).collect(),
            Yaml::String(s) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    /// Converts to JSON (keys in file order) for code that prefers `serde_json::Value`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            Yaml::Null => Value::Null,
            Yaml::Bool(b) => Value::Bool(*b),
            Yaml::Number(n) => Value::Number(n.clone()),
            Yaml::String(s) => Value::String(s.clone()),
            Yaml::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Yaml::Map(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for e in entries {
                    map.insert(e.key.clone(), e.value.to_json());
                }
                Value::Object(map)
            }
        }
    }
}

/// Why a file could not be loaded as YAML; converted to a [`Diagnostic`] for reports.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum YamlError {
    /// The text is not valid YAML (or breaks a rule such as duplicate keys).
    #[error("invalid YAML: {message}")]
    Syntax {
        /// Where the parser stopped, when it knows.
        pos: Option<Pos>,
        /// The parser's explanation.
        message: String,
    },
    /// The file has no content (only whitespace, comments or null documents).
    #[error("the file is empty (no YAML content, only comments or blank lines)")]
    Empty,
    /// A document of a multi-document file is not a mapping, so the documents cannot be merged.
    #[error(
        "document {index} is {found}, but every document of a multi-document file must be a mapping"
    )]
    DocumentNotMapping {
        /// 1-based document number (counting non-empty documents).
        index: usize,
        /// What it is instead.
        found: &'static str,
        /// Where the document starts.
        pos: Option<Pos>,
    },
}

impl YamlError {
    /// Turns the error into a located diagnostic for `file`.
    pub fn to_diagnostic(&self, file: &str) -> Diagnostic {
        match self {
            YamlError::Syntax { pos, message } => {
                Diagnostic::error(file, *pos, format!("invalid YAML: {message}")).with_hint(
                    "fix the YAML syntax at this position (indentation, quoting, unique keys)",
                )
            }
            YamlError::Empty => Diagnostic::error(file, None, self.to_string())
                .with_hint("add the expected content or delete the file"),
            YamlError::DocumentNotMapping { pos, .. } => {
                Diagnostic::error(file, *pos, self.to_string())
                    .with_hint("make each `---` document a mapping of keys, or split the file")
            }
        }
    }
}

/// A parsed file: its merged root node and how many non-empty documents it had.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The single document, or the merge of all mapping documents.
    pub root: Node,
    /// Number of non-empty documents found (evaluator_defaults.yml has 3).
    pub documents: usize,
}

/// Deepest nesting accepted. Real configs nest about six levels; the deserialiser recurses once per level
/// (tens of KiB of stack per level in debug builds), so a small cap keeps hostile input from overflowing
/// the stack of a 2 MiB thread.
pub const MAX_DEPTH: usize = 32;

fn options() -> serde_saphyr::Options {
    let mut opts = serde_saphyr::Options::default();
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    opts.budget = Some(budget);
    opts.strict_booleans = true;
    opts.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    opts.with_snippet = false;
    opts.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::AsString;
    opts
}

/// Parses a YAML text (possibly several `---` documents) into one root node.
///
/// Null documents are skipped. One document is returned as is; several must all be mappings and are merged
/// with later keys replacing earlier ones (Python `dict.update`), which is how the reference reads
/// multi-document configs.
pub fn parse(text: &str) -> Result<Loaded, YamlError> {
    let docs: Vec<Spanned<Raw>> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| syntax_error(&e))?;
    let mut nodes: Vec<Node> = docs
        .into_iter()
        .map(node_from)
        .filter(|n| !n.is_null())
        .collect();
    let documents = nodes.len();
    match documents {
        0 => Err(YamlError::Empty),
        1 => Ok(Loaded {
            root: nodes.remove(0),
            documents,
        }),
        _ => {
            let mut merged: Vec<Entry> = Vec::new();
            let mut root_pos = None;
            for (i, node) in nodes.into_iter().enumerate() {
                let pos = node.pos;
                match node.value {
                    Yaml::Map(entries) => {
                        root_pos.get_or_insert(pos);
                        for entry in entries {
                            match merged.iter_mut().find(|e| e.key == entry.key) {
                                Some(existing) => *existing = entry,
                                None => merged.push(entry),
                            }
                        }
                    }
                    _ => {
                        return Err(YamlError::DocumentNotMapping {
                            index: i + 1,
                            found: Node::detached(node.value).kind(),
                            pos: pos.known(),
                        });
                    }
                }
            }
            Ok(Loaded {
                root: Node {
                    value: Yaml::Map(merged),
                    pos: root_pos.unwrap_or_default(),
                    offset: None,
                    len: None,
                },
                documents,
            })
        }
    }
}

/// Parses a source file, reporting failure as a located diagnostic for that file.
pub fn load(file: &SourceFile) -> Result<Loaded, Diagnostic> {
    parse(&file.text).map_err(|e| e.to_diagnostic(&file.path))
}

/// Parses a file whose root must be a mapping (every Genesis config is), with a located diagnostic
/// otherwise.
pub fn load_mapping(file: &SourceFile) -> Result<Loaded, Diagnostic> {
    let loaded = load(file)?;
    if loaded.root.entries().is_none() {
        return Err(Diagnostic::error(
            &file.path,
            loaded.root.pos.known(),
            format!(
                "the file's top level is {}, expected a mapping of keys",
                loaded.root.kind()
            ),
        )
        .with_hint("write the file as `key: value` lines at the top level"));
    }
    Ok(loaded)
}

fn syntax_error(err: &serde_saphyr::Error) -> YamlError {
    let err = err.without_snippet();
    let pos = err
        .location()
        .and_then(|l| {
            let line = u32::try_from(l.line()).ok()?;
            let column = u32::try_from(l.column()).ok()?;
            Some(Pos::new(line, column))
        })
        .and_then(Pos::known);
    let mut message = err.to_string();
    // serde-saphyr appends " at line X, column Y"; we report the position separately.
    if let Some(p) = pos {
        for suffix in [
            format!(" at line {}, column {}", p.line, p.column),
            format!(" at line {} column {}", p.line, p.column),
        ] {
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = stripped.to_string();
            }
        }
    }
    let (pos, message) = match located_custom(&message) {
        Some((p, m)) => (Some(p), m.to_string()),
        None => (pos, message),
    };
    YamlError::Syntax {
        pos,
        message: reword(message.trim()),
    }
}

/// Marker for errors raised by our own visitor, which serde-saphyr reports without a location (it also
/// escapes control characters in messages, so the marker is printable).
const LOCATED: &str = "[[gen-pos ";

fn located_message(pos: Pos, message: &str) -> String {
    format!("{LOCATED}{}:{}]]{message}", pos.line, pos.column)
}

fn located_custom(message: &str) -> Option<(Pos, &str)> {
    let start = message.find(LOCATED)?;
    let rest = &message[start + LOCATED.len()..];
    let (coords, text) = rest.split_once("]]")?;
    let (line, column) = coords.split_once(':')?;
    Some((Pos::new(line.parse().ok()?, column.parse().ok()?), text))
}

/// Replaces parser wording that refers to library settings with advice for a config author.
fn reword(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!("duplicate key `{key}`: each key may appear only once in a mapping");
    }
    if message.starts_with("budget breached: Depth") {
        return format!("the YAML is nested more than {MAX_DEPTH} levels deep");
    }
    if let Some(what) = message.strip_prefix("budget breached: ") {
        return format!("the YAML exceeds a safety limit of the reader ({what})");
    }
    message.to_string()
}

/// Deserialisation target that captures any YAML value, with spans on every child.
struct Raw(Yaml);

fn node_from(spanned: Spanned<Raw>) -> Node {
    let loc = spanned.referenced;
    let span = loc.span();
    Node {
        value: spanned.value.0,
        pos: Pos::new(
            u32::try_from(loc.line()).unwrap_or(u32::MAX),
            u32::try_from(loc.column()).unwrap_or(u32::MAX),
        ),
        offset: span.byte_offset().and_then(|o| usize::try_from(o).ok()),
        len: span.byte_len().and_then(|o| usize::try_from(o).ok()),
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

fn float_node<E: de::Error>(v: f64) -> Result<Raw, E> {
    Ok(Raw(match serde_json::Number::from_f64(v) {
        Some(n) => Yaml::Number(n),
        None => Yaml::String(v.to_string()),
    }))
}

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw(Yaml::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw(Yaml::Number(v.into())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw(Yaml::Number(v.into())))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        match i64::try_from(v) {
            Ok(i) => Ok(Raw(Yaml::Number(i.into()))),
            Err(_) => Ok(Raw(Yaml::String(v.to_string()))),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        match u64::try_from(v) {
            Ok(u) => Ok(Raw(Yaml::Number(u.into()))),
            Err(_) => Ok(Raw(Yaml::String(v.to_string()))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        float_node(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw(Yaml::String(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw(Yaml::String(v)))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw(Yaml::String(String::from_utf8_lossy(v).into_owned())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw(Yaml::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw(Yaml::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
            items.push(node_from(item));
        }
        Ok(Raw(Yaml::Seq(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries: Vec<Entry> = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Raw>>()? {
            let key = node_from(key);
            let value = node_from(map.next_value::<Spanned<Raw>>()?);
            let text = match &key.value {
                Yaml::Null => "null".to_string(),
                Yaml::Seq(_) | Yaml::Map(_) => {
                    return Err(de::Error::custom(located_message(
                        key.pos,
                        &format!(
                            "a mapping key is {}; keys must be plain scalars",
                            key.kind()
                        ),
                    )));
                }
                _ => key.scalar_text().unwrap_or_default(),
            };
            // Keys equal as text but different in YAML (`1` and "1") would silently collide.
            if let Some(first) = entries.iter().find(|e| e.key == text) {
                return Err(de::Error::custom(located_message(
                    key.pos,
                    &format!(
                        "duplicate key `{text}` (first defined at line {} column {}): each key may appear only once in a mapping",
                        first.key_pos.line, first.key_pos.column
                    ),
                )));
            }
            entries.push(Entry {
                key: text,
                key_pos: key.pos,
                value,
            });
        }
        Ok(Raw(Yaml::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        match parse(text) {
            Ok(l) => l.root,
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }

    #[test]
    fn positions_are_one_based_on_keys_and_values() {
        let root = parse_ok("a: 1\nb:\n  c: [x, y]\n");
        let b = root.entry("b").expect("b");
        assert_eq!(b.key_pos, Pos::new(2, 1));
        let c = b.value.entry("c").expect("c");
        assert_eq!(c.key_pos, Pos::new(3, 3));
        let items = c.value.items().expect("list");
        assert_eq!(items[1].as_str(), Some("y"));
        assert_eq!(items[1].pos, Pos::new(3, 10));
        assert_eq!(
            root.get("a").and_then(|n| n.scalar_text()),
            Some("1".into())
        );
    }

    #[test]
    fn strict_booleans_keep_yes_no_as_strings() {
        let root = parse_ok("a: yes\nb: no\nc: true\nd: False\n");
        assert_eq!(root.get("a").and_then(Node::as_str), Some("yes"));
        assert_eq!(root.get("b").and_then(Node::as_str), Some("no"));
        assert_eq!(root.get("c").and_then(Node::as_bool), Some(true));
        assert_eq!(root.get("d").and_then(Node::as_bool), Some(false));
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = parse("a: 1\nb: [unclosed\nc: 2\n").expect_err("must fail");
        match err {
            YamlError::Syntax {
                pos: Some(p),
                message,
            } => {
                assert!(p.line >= 2, "line {p:?}");
                assert!(p.column >= 1);
                assert!(!message.is_empty());
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bad_indentation_error_has_exact_line_and_column() {
        let err = parse("a: 1\n  b: 2\n").expect_err("must fail");
        let YamlError::Syntax { pos, message } = err else {
            panic!("expected syntax error")
        };
        assert_eq!(pos, Some(Pos::new(2, 4)), "{message}");
        assert!(
            message.contains("mapping values are not allowed"),
            "{message}"
        );
    }

    #[test]
    fn duplicate_key_is_rejected_with_position() {
        let err = parse("name: a\nother: 1\nname: b\n").expect_err("duplicate");
        let YamlError::Syntax { pos, message } = err else {
            panic!("expected syntax error")
        };
        assert_eq!(pos.map(|p| p.line), Some(3), "{message}");
        assert_eq!(pos, Some(Pos::new(3, 1)));
        assert!(message.starts_with("duplicate key `name`"), "{message}");
    }

    #[test]
    fn nested_duplicate_key_is_rejected() {
        let err = parse("top:\n  a: 1\n  a: 2\n").expect_err("duplicate");
        let YamlError::Syntax { pos, .. } = err else {
            panic!("expected syntax error")
        };
        assert_eq!(pos.map(|p| p.line), Some(3));
    }

    #[test]
    fn multi_document_files_merge_into_one_mapping() {
        let text = "# header\n---\na: 1\nb: 1\n---\n# only a comment\n---\nb: 2\nc: 3\n";
        let loaded = parse(text).expect("parse");
        assert_eq!(loaded.documents, 2);
        let json = loaded.root.to_json();
        assert_eq!(json, serde_json::json!({"a": 1, "b": 2, "c": 3}));
        assert_eq!(loaded.root.entry("c").map(|e| e.key_pos.line), Some(9));
    }

    #[test]
    fn multi_document_with_a_scalar_document_is_rejected() {
        let err = parse("a: 1\n---\njust text\n").expect_err("not mergeable");
        assert!(
            matches!(err, YamlError::DocumentNotMapping { index: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        for n in [MAX_DEPTH + 1, 1000, 100_000] {
            let flow = format!("{}{}", "[".repeat(n), "]".repeat(n));
            assert!(
                matches!(parse(&flow), Err(YamlError::Syntax { pos: Some(_), .. })),
                "{n}"
            );
        }
        let block: String = (0..200)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let err = parse(&block).expect_err("too deep");
        assert_eq!(
            err,
            YamlError::Syntax {
                pos: Some(Pos::new(33, 33)),
                message: format!("the YAML is nested more than {MAX_DEPTH} levels deep"),
            }
        );
    }

    #[test]
    fn empty_and_comment_only_files_are_empty() {
        assert_eq!(parse("").expect_err("empty"), YamlError::Empty);
        assert_eq!(parse("# nothing\n\n").expect_err("empty"), YamlError::Empty);
        assert_eq!(parse("---\n...\n").expect_err("empty"), YamlError::Empty);
    }

    #[test]
    fn byte_offsets_locate_scalars() {
        let text = "k: \"héllo $x\"\n";
        let root = parse_ok(text);
        let node = root.get("k").expect("k");
        let off = node.offset.expect("offset");
        assert!(text[off..].starts_with('"'), "offset {off}");
        assert_eq!(Pos::from_offset(text, off), node.pos);
    }

    #[test]
    fn pos_from_offset_counts_characters() {
        let text = "ab\nçd$x\n";
        let off = text.find('$').expect("dollar");
        assert_eq!(Pos::from_offset(text, off), Pos::new(2, 3));
        assert_eq!(Pos::from_offset(text, 10_000), Pos::new(3, 1));
    }

    #[test]
    fn odd_scalars_do_not_fail() {
        let root = parse_ok("a: .inf\nb: 123456789012345678901234567890\nc: ~\n1: x\ntrue: y\n");
        assert!(root.get("a").is_some());
        assert!(root.get("b").is_some());
        assert!(root.get("c").is_some_and(Node::is_null));
        assert_eq!(root.get("1").and_then(Node::as_str), Some("x"));
        assert_eq!(root.get("true").and_then(Node::as_str), Some("y"));
    }

    #[test]
    fn keys_colliding_as_text_are_rejected() {
        let err = parse("1: a\n\"1\": b\n").expect_err("collision");
        let YamlError::Syntax { pos, message } = err else {
            panic!("expected syntax error")
        };
        assert_eq!(pos, Some(Pos::new(2, 1)));
        assert!(message.starts_with("duplicate key `1`"), "{message}");
    }

    #[test]
    fn complex_keys_are_rejected_not_panicking() {
        let err = parse("? [a, b]\n: c\n").expect_err("complex key");
        let YamlError::Syntax { pos, message } = err else {
            panic!("expected syntax error")
        };
        assert_eq!(pos, Some(Pos::new(1, 3)));
        assert!(message.contains("keys must be plain scalars"), "{message}");
    }

    #[test]
    fn anchors_and_merge_keys_work() {
        let root = parse_ok("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n");
        assert_eq!(
            root.get("derived").map(Node::to_json),
            Some(serde_json::json!({"x": 1, "y": 2}))
        );
    }

    #[test]
    fn load_mapping_rejects_a_list_root() {
        let file = SourceFile::new("x.yml", "- a\n- b\n");
        let d = load_mapping(&file).expect_err("list root");
        assert_eq!(d.file, "x.yml");
        assert_eq!(d.line, Some(1));
    }
}
