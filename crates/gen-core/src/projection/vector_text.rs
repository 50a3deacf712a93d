//! The text side of the vector refresh: splicing derived values into the YAML file as written, and
//! checking that the result reads back as meant.
//!
//! A vector file is authored text (comments, quoting, `007`, `2026-03-01`, `.inf`, several `---`
//! documents); re-serialising any tree of it loses some of that, so it is never re-serialised. Each
//! change is one byte range of the original text, located from the parser's node spans:
//!
//! - a scalar value is replaced where it stands, keeping its quote style (`'pending'` becomes
//!   `'converged'`), and the rest of its line (a trailing comment) stays;
//! - missing keys are new lines after the last line of their block mapping, at the indentation of
//!   that mapping's keys; a missing mapping (`trajectory:`, `code: {}`) is opened as a block under its
//!   key with the file's indentation step;
//! - quoting, number and timestamp spelling and line endings (new lines take the file's dominant
//!   one, so CRLF stays CRLF) are the shared rules of [`crate::config::yaml_text`];
//! - a stale `converged_at` line is removed whole.
//!
//! Whatever cannot be done this way without guessing — inserting into a flow mapping, a value behind
//! an anchor, alias, tag or merge key, a block scalar — is refused with what and where, and the file is
//! left alone. The spliced text is then parsed again and compared with the original: every authored
//! value must be equal and spelled the same, every derived value must be the planned one, and the
//! number of documents must not change. A text that fails is never handed out.

use super::vector::{Derived, EntryPlan, Plan};
use crate::config::yaml::{Entry, Loaded, Node, Pos, Yaml};
use crate::config::yaml_text::{self, Eol, Quote};
use std::cmp::Reverse;

/// A refused vector file: why, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Skip {
    /// The place the reason is about, when there is one.
    pub pos: Option<Pos>,
    /// What is wrong and what to do.
    pub reason: SkipReason,
}

/// Why a vector file cannot be refreshed in place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The file is not valid YAML.
    #[error("the file does not parse ({0})")]
    Unparsable(String),
    /// The top level is a list or a scalar.
    #[error("the file's top level is not a mapping of keys")]
    NotAMapping,
    /// The file could not be read.
    #[error("the file cannot be read ({0})")]
    Unreadable(String),
    /// The file changed between reading and writing.
    #[error("the file changed while it was being refreshed; run the command again")]
    ChangedMeanwhile,
    /// Keys would have to be added to or removed from a flow mapping (`{a: 1}`).
    #[error("{0} is a flow mapping; refresh it by hand or convert it to block style")]
    Flow(String),
    /// A value has a different kind than the refresh writes.
    #[error("{what} is {kind}, expected {expected}; refresh it by hand")]
    Shape {
        /// `trajectory`, `trajectory.code` or `trajectory.code.status`.
        what: String,
        /// What it is.
        kind: &'static str,
        /// What the refresh needs.
        expected: &'static str,
    },
    /// A value written with an anchor, alias, tag, a block scalar or on its own line.
    #[error(
        "{0} is written with an anchor, alias, tag or block scalar (or on its own line); refresh it by hand"
    )]
    Unusual(String),
    /// A value that comes from a merge key, so it is written somewhere else.
    #[error("{0} comes from a merge key (`<<`); refresh it by hand where it is defined")]
    Merged(String),
    /// The spliced text does not read back as intended (a bug or an unforeseen spelling).
    #[error("the refreshed text would not read back as intended ({0}); the file was left as it is")]
    Mismatch(String),
}

fn skip(pos: Pos, reason: SkipReason) -> Skip {
    Skip {
        pos: pos.known(),
        reason,
    }
}

fn mismatch(what: String) -> Skip {
    Skip {
        pos: None,
        reason: SkipReason::Mismatch(what),
    }
}

/// One byte range of the original text and what replaces it; `depth` orders insertions at one point
/// (inner mappings end before outer ones).
struct Edit {
    start: usize,
    end: usize,
    text: String,
    depth: u8,
}

/// What a mapping-valued key holds, as far as splicing is concerned.
enum Shape {
    /// `~`, nothing, or `{}`: can be opened as a block.
    Empty,
    /// `{a: 1}`: values can be replaced, keys not added.
    Flow,
    /// An indented block mapping.
    Block,
    /// `*name`.
    Alias,
    /// A list or a scalar.
    Other(&'static str),
}

/// Applies `plan` to `text` (whose parse is `root`) as a splice; see the module docs.
pub(crate) fn splice(text: &str, root: &Node, plan: &Plan) -> Result<String, Skip> {
    let mut s = Splicer::new(text, root);
    let mut root_lines = String::new();
    let root_indent = s.root_indent(root);
    if let Some(want) = &plan.status {
        match root.entry("status") {
            Some(e) => s.replace(e, want, "status", false)?,
            None => root_lines.push_str(&s.line(root_indent, "status", Some(s.fresh_text(want)))),
        }
    }
    if !plan.entries.is_empty() {
        match root.entry("trajectory") {
            Some(e) => s.trajectory(e, plan)?,
            None => {
                root_lines.push_str(&s.line(root_indent, "trajectory", None));
                for ep in &plan.entries {
                    root_lines.push_str(&s.new_entry(root_indent + s.step, s.step, ep));
                }
            }
        }
    }
    if !root_lines.is_empty() {
        if matches!(s.shape(root), Shape::Flow | Shape::Alias) {
            return Err(skip(root.pos, SkipReason::Flow("the document".into())));
        }
        if let Some(last) = last_entry(root)
            && !s.leads_line(last)
        {
            return Err(skip(last.key_pos, SkipReason::Flow("the document".into())));
        }
        let at = s.boundary(s.node_end(root));
        s.insert(at, root_lines, 0);
    }
    s.apply()
}

/// The entry written last in the file (for a merged multi-document root: in the last document).
fn last_entry(map: &Node) -> Option<&Entry> {
    map.entries()?.iter().max_by_key(|e| e.key_pos)
}

struct Splicer<'a> {
    text: &'a str,
    eol: Eol,
    /// Byte offset of each line start.
    lines: Vec<usize>,
    /// The file's indentation step (2 unless a nested block mapping says otherwise).
    step: usize,
    /// How fresh timestamps are quoted: the file's majority quote (`'…'` when it does not say:
    /// what the Python writers produce).
    fresh: Quote,
    edits: Vec<Edit>,
}

impl<'a> Splicer<'a> {
    fn new(text: &'a str, root: &Node) -> Self {
        let mut lines = vec![0];
        lines.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut s = Self {
            text,
            eol: Eol::detect(text),
            lines,
            step: 2,
            fresh: if text.matches(": \"").count() > text.matches(": '").count() {
                Quote::Double
            } else {
                Quote::Single
            },
            edits: Vec::new(),
        };
        s.step = s.find_step(root).unwrap_or(2);
        s
    }

    /// The indentation step of the first nested block mapping found.
    fn find_step(&self, map: &Node) -> Option<usize> {
        for e in map.entries()? {
            if let (Shape::Block, Some(child)) = (self.shape(&e.value), first_key(&e.value))
                && child.column > e.key_pos.column
                && child.line > e.key_pos.line
            {
                return Some((child.column - e.key_pos.column) as usize);
            }
            if let Some(step) = self.find_step(&e.value) {
                return Some(step);
            }
        }
        None
    }

    /// The step between `map`'s keys and their first block child's keys, else the file's step.
    fn child_step(&self, map: &Node) -> usize {
        map.entries()
            .unwrap_or_default()
            .iter()
            .find_map(|e| match (self.shape(&e.value), first_key(&e.value)) {
                (Shape::Block, Some(child)) if child.column > e.key_pos.column => {
                    Some((child.column - e.key_pos.column) as usize)
                }
                _ => None,
            })
            .unwrap_or(self.step)
    }

    fn root_indent(&self, root: &Node) -> usize {
        last_entry(root).map_or(0, |e| indent(e.key_pos))
    }

    fn shape(&self, node: &Node) -> Shape {
        let first = node
            .offset
            .and_then(|o| self.text.get(o..))
            .and_then(|t| t.chars().next());
        if first == Some('*') && node.len.is_some_and(|l| l > 0) {
            return Shape::Alias;
        }
        match &node.value {
            Yaml::Null => Shape::Empty,
            Yaml::Map(entries) if entries.is_empty() => Shape::Empty,
            Yaml::Map(_) if first == Some('{') && node.len == Some(1) => Shape::Flow,
            Yaml::Map(_) => Shape::Block,
            _ => Shape::Other(Node::detached(node.value.clone()).kind()),
        }
    }

    /// Byte offset of a 1-based line:column (columns count characters).
    fn offset_of(&self, pos: Pos) -> Option<usize> {
        let start = *self.lines.get((pos.line as usize).checked_sub(1)?)?;
        let line = &self.text[start..];
        let col = (pos.column as usize).checked_sub(1)?;
        let (byte, _) = line
            .char_indices()
            .chain(std::iter::once((line.len(), ' ')))
            .nth(col)?;
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

    /// True when `entry`'s key starts its line (after indentation or `- `), i.e. block context.
    fn leads_line(&self, entry: &Entry) -> bool {
        let Some(k) = self.offset_of(entry.key_pos) else {
            return false;
        };
        self.text[self.line_start(k)..k]
            .chars()
            .all(|c| c == ' ' || c == '-')
    }

    /// True when the value at `offset` follows `key:` and blanks on the same line (no anchor, tag,
    /// block scalar header or line break in between).
    fn follows_key(&self, offset: usize) -> bool {
        self.text[self.line_start(offset)..offset]
            .trim_end_matches([' ', '\t'])
            .ends_with(':')
    }

    fn is_merged(&self, entry: &Entry) -> bool {
        self.offset_of(entry.key_pos)
            .and_then(|k| self.text.get(k..))
            .is_some_and(|t| t.starts_with('*'))
    }

    /// Where a node's text ends (block scalars: before the next line's indentation).
    fn node_end(&self, node: &Node) -> usize {
        let start = node.offset.unwrap_or(0);
        let len = node.len.unwrap_or(0);
        let first = self.text.get(start..).and_then(|t| t.chars().next());
        match &node.value {
            _ if first == Some('*') && len > 0 => start + len,
            Yaml::Map(_) | Yaml::Seq(_) if matches!(first, Some('{' | '[')) && len == 1 => {
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

    /// A value for a key that is new: words and numbers plain, timestamps quoted like the file.
    fn fresh_text(&self, want: &Derived) -> String {
        match want {
            Derived::Time(_) => render(want, self.fresh, false),
            _ => render(want, Quote::Plain, false),
        }
    }

    fn line(&self, indent: usize, key: &str, value: Option<String>) -> String {
        let mut out = " ".repeat(indent);
        out.push_str(&yaml_text::key(key));
        out.push(':');
        if let Some(v) = value {
            out.push(' ');
            out.push_str(&v);
        }
        out.push_str(self.eol.as_str());
        out
    }

    /// A whole new trajectory entry at `indent`, its fields `step` further in.
    fn new_entry(&self, indent: usize, step: usize, ep: &EntryPlan) -> String {
        let mut out = self.line(indent, &ep.key, None);
        out.push_str(&self.fields(indent + step, ep));
        out
    }

    fn fields(&self, indent: usize, ep: &EntryPlan) -> String {
        ep.fields
            .iter()
            .filter_map(|f| {
                let want = f.want.as_ref()?;
                Some(self.line(indent, f.field, Some(self.fresh_text(want))))
            })
            .collect()
    }

    fn insert(&mut self, at: usize, mut text: String, depth: u8) {
        if at == self.text.len() {
            text.insert_str(0, self.eol.break_after(self.text));
        }
        self.edits.push(Edit {
            start: at,
            end: at,
            text,
            depth,
        });
    }

    fn trajectory(&mut self, t: &Entry, plan: &Plan) -> Result<(), Skip> {
        if self.is_merged(t) {
            return Err(skip(t.key_pos, SkipReason::Merged("trajectory".into())));
        }
        let node = &t.value;
        match self.shape(node) {
            Shape::Alias => Err(skip(node.pos, SkipReason::Unusual("trajectory".into()))),
            Shape::Other(kind) => Err(skip(
                node.pos,
                SkipReason::Shape {
                    what: "trajectory".into(),
                    kind,
                    expected: "a mapping",
                },
            )),
            Shape::Empty => {
                let at = self.open_block(t, "trajectory")?;
                let indent = indent(t.key_pos) + self.step;
                let text = plan
                    .entries
                    .iter()
                    .map(|ep| self.new_entry(indent, self.step, ep))
                    .collect();
                self.insert(at, text, 1);
                Ok(())
            }
            Shape::Flow => {
                for ep in &plan.entries {
                    match node.entry(&ep.key) {
                        Some(e) => self.entry(e, ep, true)?,
                        None => {
                            return Err(skip(node.pos, SkipReason::Flow("trajectory".into())));
                        }
                    }
                }
                Ok(())
            }
            Shape::Block => {
                let step = self.child_step(node);
                let mut fresh = String::new();
                let mut indent_at = None;
                for ep in &plan.entries {
                    match node.entry(&ep.key) {
                        Some(e) => self.entry(e, ep, false)?,
                        None => {
                            let reference = self.block_reference(node, "trajectory")?;
                            let indent = *indent_at.get_or_insert(indent(reference.key_pos));
                            fresh.push_str(&self.new_entry(indent, step, ep));
                        }
                    }
                }
                if !fresh.is_empty() {
                    let at = self.boundary(self.node_end(node));
                    self.insert(at, fresh, 1);
                }
                Ok(())
            }
        }
    }

    /// The first key of a block mapping, checked to be in block context, for indentation.
    fn block_reference<'n>(&self, map: &'n Node, what: &str) -> Result<&'n Entry, Skip> {
        let first = map
            .entries()
            .unwrap_or_default()
            .iter()
            .find(|e| !self.is_merged(e));
        match first {
            Some(e) if self.leads_line(e) => Ok(e),
            Some(e) => Err(skip(e.key_pos, SkipReason::Flow(what.to_string()))),
            None => Err(skip(map.pos, SkipReason::Merged(what.to_string()))),
        }
    }

    fn entry(&mut self, e: &Entry, ep: &EntryPlan, in_flow: bool) -> Result<(), Skip> {
        let what = format!("trajectory.{}", e.key);
        if self.is_merged(e) {
            return Err(skip(e.key_pos, SkipReason::Merged(what)));
        }
        let node = &e.value;
        match self.shape(node) {
            Shape::Alias => Err(skip(node.pos, SkipReason::Unusual(what))),
            Shape::Other(kind) => Err(skip(
                node.pos,
                SkipReason::Shape {
                    what,
                    kind,
                    expected: "a mapping",
                },
            )),
            Shape::Empty if in_flow => Err(skip(node.pos, SkipReason::Flow("trajectory".into()))),
            Shape::Empty => {
                let at = self.open_block(e, &what)?;
                let text = self.fields(indent(e.key_pos) + self.step, ep);
                self.insert(at, text, 2);
                Ok(())
            }
            Shape::Flow => {
                for f in &ep.fields {
                    match (node.entry(f.field), &f.want) {
                        (Some(field), Some(want)) => {
                            self.replace(field, want, &format!("{what}.{}", f.field), true)?;
                        }
                        _ => return Err(skip(node.pos, SkipReason::Flow(what))),
                    }
                }
                Ok(())
            }
            Shape::Block => {
                let mut fresh = String::new();
                let mut indent_at = None;
                for f in &ep.fields {
                    let field_what = format!("{what}.{}", f.field);
                    match (node.entry(f.field), &f.want) {
                        (Some(field), Some(want)) => {
                            self.replace(field, want, &field_what, false)?
                        }
                        (Some(field), None) => self.remove(field, &field_what)?,
                        (None, Some(want)) => {
                            let reference = self.block_reference(node, &what)?;
                            let indent = *indent_at.get_or_insert(indent(reference.key_pos));
                            fresh.push_str(&self.line(
                                indent,
                                f.field,
                                Some(self.fresh_text(want)),
                            ));
                        }
                        (None, None) => {}
                    }
                }
                if !fresh.is_empty() {
                    let at = self.boundary(self.node_end(node));
                    self.insert(at, fresh, 2);
                }
                Ok(())
            }
        }
    }

    /// Removes an empty value (`~`, `null`, `{}`) after `key:` so a block can follow; returns where
    /// the block's lines go (the start of the next line).
    fn open_block(&mut self, e: &Entry, what: &str) -> Result<usize, Skip> {
        if !self.leads_line(e) {
            return Err(skip(e.key_pos, SkipReason::Flow(what.to_string())));
        }
        let node = &e.value;
        let unusual = || skip(node.pos, SkipReason::Unusual(what.to_string()));
        let (Some(start), Some(len)) = (node.offset, node.len) else {
            return Err(unusual());
        };
        if len == 0 {
            // Nothing written after `key:`; the parser points at the colon.
            return match self.text.get(start..) {
                Some(t) if t.starts_with(':') => Ok(self.boundary(start + 1)),
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
        self.edits.push(Edit {
            start: start - blanks,
            end,
            text: String::new(),
            depth: 0,
        });
        Ok(self.boundary(end))
    }

    /// Replaces a scalar value in place, keeping its quote style.
    fn replace(
        &mut self,
        e: &Entry,
        want: &Derived,
        what: &str,
        in_flow: bool,
    ) -> Result<(), Skip> {
        if self.is_merged(e) {
            return Err(skip(e.key_pos, SkipReason::Merged(what.to_string())));
        }
        let node = &e.value;
        if let Yaml::Map(_) | Yaml::Seq(_) = node.value {
            return Err(skip(
                node.pos,
                SkipReason::Shape {
                    what: what.to_string(),
                    kind: node.kind(),
                    expected: "a single value",
                },
            ));
        }
        let unusual = || skip(node.pos, SkipReason::Unusual(what.to_string()));
        let (Some(start), Some(len)) = (node.offset, node.len) else {
            return Err(unusual());
        };
        let spelled = self.text.get(start..start + len).ok_or_else(unusual)?;
        if len == 0 {
            // `key:` with nothing after it.
            if !self.text[start..].starts_with(':') {
                return Err(unusual());
            }
            let value = format!(" {}", self.fresh_text(want));
            self.edits.push(Edit {
                start: start + 1,
                end: start + 1,
                text: value,
                depth: 0,
            });
            return Ok(());
        }
        if spelled.starts_with('*') || !self.follows_key(start) {
            return Err(unusual());
        }
        let style = match spelled.chars().next() {
            Some('\'') => Quote::Single,
            Some('"') => Quote::Double,
            _ => Quote::Plain,
        };
        self.edits.push(Edit {
            start,
            end: start + len,
            text: render(want, style, in_flow),
            depth: 0,
        });
        Ok(())
    }

    /// Removes a `key: value` line (and the value's continuation lines) from a block mapping.
    fn remove(&mut self, e: &Entry, what: &str) -> Result<(), Skip> {
        if self.is_merged(e) {
            return Err(skip(e.key_pos, SkipReason::Merged(what.to_string())));
        }
        let unusual = || skip(e.key_pos, SkipReason::Unusual(what.to_string()));
        let key = self.offset_of(e.key_pos).ok_or_else(unusual)?;
        let start = self.line_start(key);
        if !self.text[start..key].chars().all(|c| c == ' ') {
            return Err(unusual());
        }
        let end = self.boundary(self.node_end(&e.value).max(key));
        self.edits.push(Edit {
            start,
            end,
            text: String::new(),
            depth: 0,
        });
        Ok(())
    }

    fn apply(mut self) -> Result<String, Skip> {
        self.edits
            .sort_by_key(|e| (e.start, e.end, Reverse(e.depth)));
        let mut out = String::with_capacity(self.text.len() + 256);
        let mut at = 0;
        for e in &self.edits {
            if e.start < at {
                return Err(mismatch("two edits overlap".into()));
            }
            out.push_str(&self.text[at..e.start]);
            out.push_str(&e.text);
            at = e.end;
        }
        out.push_str(&self.text[at..]);
        Ok(out)
    }
}

fn first_key(node: &Node) -> Option<Pos> {
    node.entries()?.first().map(|e| e.key_pos)
}

fn indent(pos: Pos) -> usize {
    pos.column.saturating_sub(1) as usize
}

/// The offset just past the bracket closing the flow collection opened at `start`.
fn flow_close(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        let starts_token = i == start || b" \t\r\n{[,:".contains(&bytes[i - 1]);
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'\'' if starts_token => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'"' if starts_token => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' if i > start && b" \t".contains(&bytes[i - 1]) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A derived value in the quotes it replaces (`style`), by the rules of [`yaml_text`]. A timestamp
/// stays plain only where the author wrote one plain in block context (PyYAML reads plain
/// timestamps as datetimes, quoted ones as the strings the Python writers produce); elsewhere it is
/// quoted, single quotes unless the value had double ones.
fn render(want: &Derived, style: Quote, in_flow: bool) -> String {
    match want {
        Derived::Number(n) => yaml_text::number(&(*n).into()),
        Derived::Word(w) => yaml_text::string(w, style),
        Derived::Time(t) if style == Quote::Plain && !in_flow => yaml_text::timestamp(t),
        Derived::Time(t) => {
            let quote = if style == Quote::Double {
                Quote::Double
            } else {
                Quote::Single
            };
            yaml_text::string(&yaml_text::timestamp(t), quote)
        }
    }
}

/// What the read-back check expects of one key.
enum Expect<'p> {
    /// Authored: equal and spelled the same.
    Same,
    /// Derived: this value.
    Value(&'p Derived),
    /// Derived and removed.
    Absent,
    /// The trajectory: entries per plan.
    Trajectory,
    /// One planned trajectory entry.
    Entry(&'p EntryPlan),
}

/// Parses `after` and checks it against `before` and the plan; see the module docs.
pub(crate) fn verify(
    before_text: &str,
    before: &Loaded,
    after_text: &str,
    plan: &Plan,
) -> Result<(), Skip> {
    let after = yaml_text::read_back(before_text, after_text).map_err(mismatch)?;
    if after.documents != before.documents {
        return Err(mismatch("the number of documents changed".into()));
    }
    let check = Check {
        before: before_text,
        after: after_text,
        plan,
    };
    let root_expect = |key: &str| -> Expect<'_> {
        match key {
            "status" => plan.status.as_ref().map_or(Expect::Same, Expect::Value),
            "trajectory" if !plan.entries.is_empty() => Expect::Trajectory,
            _ => Expect::Same,
        }
    };
    check.map("", Some(&before.root), Some(&after.root), &root_expect)?;
    if let Some(want) = &plan.status
        && !want.matches(after.root.get("status"))
    {
        return Err(mismatch(format!("`status` is not {want}")));
    }
    if !plan.entries.is_empty() && after.root.get("trajectory").is_none() {
        return Err(mismatch("`trajectory` is missing".into()));
    }
    Ok(())
}

struct Check<'a> {
    before: &'a str,
    after: &'a str,
    plan: &'a Plan,
}

impl<'a> Check<'a> {
    fn map<'p>(
        &self,
        path: &str,
        before: Option<&Node>,
        after: Option<&Node>,
        expect: &dyn Fn(&str) -> Expect<'p>,
    ) -> Result<(), Skip> {
        let name = |key: &str| {
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        let shown = if path.is_empty() {
            "the document"
        } else {
            path
        };
        let after = after.ok_or_else(|| mismatch(format!("{shown} is missing")))?;
        let old = before.and_then(Node::entries).unwrap_or_default();
        let new = after
            .entries()
            .ok_or_else(|| mismatch(format!("{shown} is no longer a mapping")))?;
        let had = |key: &str| old.iter().any(|e| e.key == key);
        let kept: Vec<&str> = new
            .iter()
            .map(|e| e.key.as_str())
            .filter(|k| had(k))
            .collect();
        let meant: Vec<&str> = old
            .iter()
            .map(|e| e.key.as_str())
            .filter(|k| !matches!(expect(k), Expect::Absent))
            .collect();
        if kept != meant {
            return Err(mismatch(format!(
                "the keys of {shown} changed order or went missing"
            )));
        }
        for e in old {
            let now = after.get(&e.key);
            self.one(&name(&e.key), Some(&e.value), now, expect(&e.key))?;
        }
        for e in new.iter().filter(|e| !had(&e.key)) {
            let key = name(&e.key);
            match expect(&e.key) {
                Expect::Same | Expect::Absent => {
                    return Err(mismatch(format!("unexpected new key `{key}`")));
                }
                other => self.one(&key, None, Some(&e.value), other)?,
            }
        }
        Ok(())
    }

    fn one(
        &self,
        path: &str,
        before: Option<&Node>,
        after: Option<&Node>,
        expect: Expect<'a>,
    ) -> Result<(), Skip> {
        match expect {
            Expect::Same => {
                let same = match (before, after) {
                    (Some(b), Some(a)) => same(b, self.before, a, self.after),
                    _ => false,
                };
                if !same {
                    return Err(mismatch(format!("`{path}` changed")));
                }
            }
            Expect::Value(want) => {
                if !want.matches(after) {
                    return Err(mismatch(format!("`{path}` is not {want}")));
                }
            }
            Expect::Absent => {
                if after.is_some() {
                    return Err(mismatch(format!("`{path}` is still there")));
                }
            }
            Expect::Trajectory => {
                let plan = self.plan;
                let expect = |key: &str| {
                    plan.entries
                        .iter()
                        .find(|ep| ep.key == key)
                        .map_or(Expect::Same, Expect::Entry)
                };
                self.map(path, before, after, &expect)?;
                let node = after.and_then(Node::entries).unwrap_or_default();
                if let Some(ep) = plan
                    .entries
                    .iter()
                    .find(|ep| !node.iter().any(|e| e.key == ep.key))
                {
                    return Err(mismatch(format!("`{path}.{}` is missing", ep.key)));
                }
            }
            Expect::Entry(ep) => {
                let expect = |key: &str| match ep.fields.iter().find(|f| f.field == key) {
                    Some(f) => f.want.as_ref().map_or(Expect::Absent, Expect::Value),
                    None => Expect::Same,
                };
                self.map(path, before, after, &expect)?;
                for f in &ep.fields {
                    if f.want.is_some() && after.and_then(|a| a.get(f.field)).is_none() {
                        return Err(mismatch(format!("`{path}.{}` is missing", f.field)));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Equal values with the same spelling (positions aside).
fn same(a: &Node, a_text: &str, b: &Node, b_text: &str) -> bool {
    match (&a.value, &b.value) {
        (Yaml::Map(x), Yaml::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.key == q.key && same(&p.value, a_text, &q.value, b_text))
        }
        (Yaml::Seq(x), Yaml::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, a_text, q, b_text))
        }
        (x, y) => x == y && spelling(a, a_text) == spelling(b, b_text),
    }
}

fn spelling<'t>(node: &Node, text: &'t str) -> Option<&'t str> {
    let (start, len) = (node.offset?, node.len?);
    text.get(start..start + len)
        .map(|s| s.trim_end_matches([' ', '\t', '\r', '\n']))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::yaml;
    use crate::projection::vector::FieldPlan;

    fn ts(s: &str) -> Derived {
        Derived::Time(s.parse().unwrap())
    }

    fn field(field: &'static str, want: Derived) -> FieldPlan {
        FieldPlan {
            field,
            want: Some(want),
        }
    }

    fn entry(key: &str, fields: Vec<FieldPlan>) -> EntryPlan {
        EntryPlan {
            key: key.into(),
            fields,
        }
    }

    /// Splices and checks, as the refresh does.
    fn run(text: &str, plan: &Plan) -> Result<String, Skip> {
        let loaded = yaml::parse(text).expect("test input parses");
        let out = splice(text, &loaded.root, plan)?;
        verify(text, &loaded, &out, plan)?;
        Ok(out)
    }

    fn progress(key: &str) -> EntryPlan {
        entry(
            key,
            vec![
                field("status", Derived::Word("converged")),
                field("iteration", Derived::Number(2)),
                field("converged_at", ts("2026-03-01T11:00:00Z")),
            ],
        )
    }

    #[test]
    fn only_derived_values_change_and_every_other_byte_stays() {
        let text = "\
# Vector for REQ-F-A-001 (hand-written)
feature: REQ-F-A-001
status: pending   # set by hand
e: 12345678901234567890123
b: 007
f: .inf
when: 2026-03-01
quoted: 'it''s'
dq: \"tab\\there\"
trajectory:
  # design first
  design:
    status: 'pending'
    started_at: 2026-02-01T09:00:00Z
    notes: |
      line one
      # not a comment
  code:
    status: iterating
    delta: 3 # three to go
tail: [1, 2]  # flow outside the refresh is fine
";
        let plan = Plan {
            status: Some(Derived::Word("in_progress")),
            entries: vec![
                entry(
                    "design",
                    vec![
                        field("status", Derived::Word("converged")),
                        field("started_at", ts("2026-01-15T08:00:00Z")),
                        field("converged_at", ts("2026-03-01T11:00:00Z")),
                    ],
                ),
                entry("code", vec![field("delta", Derived::Number(0))]),
            ],
        };
        let out = run(text, &plan).expect("splices");
        assert_eq!(
            out,
            "\
# Vector for REQ-F-A-001 (hand-written)
feature: REQ-F-A-001
status: in_progress   # set by hand
e: 12345678901234567890123
b: 007
f: .inf
when: 2026-03-01
quoted: 'it''s'
dq: \"tab\\there\"
trajectory:
  # design first
  design:
    status: 'converged'
    started_at: 2026-01-15T08:00:00Z
    notes: |
      line one
      # not a comment
    converged_at: '2026-03-01T11:00:00Z'
  code:
    status: iterating
    delta: 0 # three to go
tail: [1, 2]  # flow outside the refresh is fine
"
        );
    }

    #[test]
    fn multi_document_files_keep_their_documents() {
        let text = "# head\n---\nfeature: X\nstatus: pending\n---\n# second\ntitle: T\ntrajectory:\n  code:\n    status: pending\n...\n";
        let plan = Plan {
            status: Some(Derived::Word("converged")),
            entries: vec![progress("code"), progress("design")],
        };
        let out = run(text, &plan).expect("splices");
        assert_eq!(
            out,
            "# head\n---\nfeature: X\nstatus: converged\n---\n# second\ntitle: T\ntrajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n  design:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n...\n"
        );
        // A missing top-level key goes to the end of the last document.
        let plan = Plan {
            status: Some(Derived::Word("in_progress")),
            entries: vec![],
        };
        let out = run("a: 1\n---\nb: 2\n", &plan).expect("splices");
        assert_eq!(out, "a: 1\n---\nb: 2\nstatus: in_progress\n");
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let text =
            "feature: X\r\nstatus: pending\r\ntrajectory:\r\n  code:\r\n    status: pending\r\n";
        let plan = Plan {
            status: Some(Derived::Word("in_progress")),
            entries: vec![progress("code"), progress("unit_tests")],
        };
        let out = run(text, &plan).expect("splices");
        assert_eq!(
            out.matches('\n').count(),
            out.matches("\r\n").count(),
            "{out:?}"
        );
        assert!(
            out.ends_with("  unit_tests:\r\n    status: converged\r\n    iteration: 2\r\n    converged_at: '2026-03-01T11:00:00Z'\r\n"),
            "{out:?}"
        );
    }

    #[test]
    fn mixed_files_get_their_dominant_line_ending() {
        let plan = Plan {
            status: Some(Derived::Word("in_progress")),
            entries: vec![],
        };
        // Mostly LF, one CRLF line (an editor's stray): the new line is LF.
        let out = run("feature: X\r\nowner: kim\ntitle: T\n", &plan).expect("splices");
        assert_eq!(
            out,
            "feature: X\r\nowner: kim\ntitle: T\nstatus: in_progress\n"
        );
        // Mostly CRLF, and no final line break: the last line is ended in CRLF first.
        let out = run("feature: X\r\nowner: kim\r\ntitle: T", &plan).expect("splices");
        assert_eq!(
            out,
            "feature: X\r\nowner: kim\r\ntitle: T\r\nstatus: in_progress\r\n"
        );
    }

    #[test]
    fn flow_mappings_get_values_replaced_but_never_keys_added() {
        let text = "feature: X\ntrajectory: {code: {status: pending, iteration: 1}}\n";
        let replace_only = Plan {
            status: None,
            entries: vec![entry(
                "code",
                vec![
                    field("status", Derived::Word("converged")),
                    field("iteration", Derived::Number(2)),
                ],
            )],
        };
        assert_eq!(
            run(text, &replace_only).expect("replaces"),
            "feature: X\ntrajectory: {code: {status: converged, iteration: 2}}\n"
        );
        let new_entry = Plan {
            status: None,
            entries: vec![progress("design")],
        };
        let err = run(text, &new_entry).expect_err("refused");
        assert_eq!(err.reason, SkipReason::Flow("trajectory".into()));
        assert_eq!(err.pos, Some(Pos::new(2, 13)));
        assert_eq!(
            err.reason.to_string(),
            "trajectory is a flow mapping; refresh it by hand or convert it to block style"
        );
        let new_field = Plan {
            status: None,
            entries: vec![progress("code")],
        };
        let err = run(text, &new_field).expect_err("refused");
        assert_eq!(err.reason, SkipReason::Flow("trajectory.code".into()));
        let flow_root = Plan {
            status: Some(Derived::Word("in_progress")),
            entries: vec![],
        };
        assert_eq!(
            run("{feature: X}\n", &flow_root)
                .expect_err("refused")
                .reason,
            SkipReason::Flow("the document".into())
        );
    }

    #[test]
    fn new_entries_take_the_indentation_of_their_block() {
        let text = "trajectory:\n    design:\n        status: converged\n    code:\n        status: pending\nowner: kim\n";
        let plan = Plan {
            status: None,
            entries: vec![progress("code"), progress("unit_tests")],
        };
        assert_eq!(
            run(text, &plan).expect("splices"),
            "trajectory:\n    design:\n        status: converged\n    code:\n        status: converged\n        iteration: 2\n        converged_at: '2026-03-01T11:00:00Z'\n    unit_tests:\n        status: converged\n        iteration: 2\n        converged_at: '2026-03-01T11:00:00Z'\nowner: kim\n"
        );
        // An empty or missing trajectory is opened as a block with the file's step (3 here).
        for (text, expected) in [
            (
                "feature: X\nparent:\n   feature: P\ntrajectory:\nowner: kim\n",
                "feature: X\nparent:\n   feature: P\ntrajectory:\n   code:\n      status: converged\n      iteration: 2\n      converged_at: '2026-03-01T11:00:00Z'\nowner: kim\n",
            ),
            (
                "feature: X\ntrajectory: {}  # none yet\nowner: kim\n",
                "feature: X\ntrajectory:  # none yet\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\nowner: kim\n",
            ),
            (
                "feature: X\ntrajectory: ~\ntrajectory_note: x",
                "feature: X\ntrajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\ntrajectory_note: x",
            ),
            (
                "feature: X",
                "feature: X\ntrajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n",
            ),
            (
                "trajectory:\n  code: {}\n",
                "trajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n",
            ),
        ] {
            let plan = Plan {
                status: None,
                entries: vec![progress("code")],
            };
            assert_eq!(run(text, &plan).expect(text), expected, "{text}");
        }
    }

    #[test]
    fn empty_values_quotes_and_removal() {
        let plan = Plan {
            status: Some(Derived::Word("in_progress")),
            entries: vec![entry(
                "code",
                vec![
                    field("status", Derived::Word("iterating")),
                    field("started_at", ts("2026-03-01T10:00:00Z")),
                    FieldPlan {
                        field: "converged_at",
                        want: None,
                    },
                ],
            )],
        };
        let text = "status:\ntrajectory:\n  code:\n    status: \"converged\"\n    converged_at: '2026-02-01T00:00:00Z'  # stale\n    started_at: \"2026-02-01T00:00:00Z\"\n";
        assert_eq!(
            run(text, &plan).expect("splices"),
            "status: in_progress\ntrajectory:\n  code:\n    status: \"iterating\"\n    started_at: \"2026-03-01T10:00:00Z\"\n"
        );
    }

    #[test]
    fn anchors_aliases_merge_keys_and_odd_shapes_are_refused() {
        let plan = Plan {
            status: None,
            entries: vec![progress("code")],
        };
        for (text, reason) in [
            (
                "base: &b {status: pending}\ntrajectory:\n  code: *b\n",
                SkipReason::Unusual("trajectory.code".into()),
            ),
            (
                "base: &b\n  status: pending\ntrajectory:\n  code:\n    <<: *b\n    iteration: 1\n",
                SkipReason::Merged("trajectory.code.status".into()),
            ),
            (
                "trajectory:\n  code:\n    status: &s pending\n",
                SkipReason::Unusual("trajectory.code.status".into()),
            ),
            (
                "trajectory:\n  code:\n    status: |\n      pending\n",
                SkipReason::Unusual("trajectory.code.status".into()),
            ),
            (
                "trajectory: [code]\n",
                SkipReason::Shape {
                    what: "trajectory".into(),
                    kind: "a list",
                    expected: "a mapping",
                },
            ),
            (
                "trajectory:\n  code:\n    status: [a]\n",
                SkipReason::Shape {
                    what: "trajectory.code.status".into(),
                    kind: "a list",
                    expected: "a single value",
                },
            ),
        ] {
            assert_eq!(run(text, &plan).expect_err(text).reason, reason, "{text}");
        }
    }

    #[test]
    fn the_read_back_check_refuses_any_other_difference() {
        let text = "feature: X\nb: 007\nstatus: pending\n";
        let loaded = yaml::parse(text).unwrap();
        let plan = Plan {
            status: Some(Derived::Word("in_progress")),
            entries: vec![],
        };
        for bad in [
            "feature: X\nb: 7\nstatus: in_progress\n",
            "feature: X\nb: 007\nstatus: pending\n",
            "b: 007\nfeature: X\nstatus: in_progress\n",
            "feature: X\nb: 007\nstatus: in_progress\nextra: 1\n",
            "feature: X\nb: 007\nstatus: in_progress\n---\nz: 1\n",
            "feature: X\nb: [007\n",
            "feature: X\nb: 007\r\nstatus: in_progress\n",
        ] {
            let err = verify(text, &loaded, bad, &plan).expect_err(bad);
            assert!(
                matches!(err.reason, SkipReason::Mismatch(_)),
                "{bad}: {err:?}"
            );
        }
        assert!(
            verify(
                text,
                &loaded,
                "feature: X\nb: 007\nstatus: in_progress\n",
                &plan
            )
            .is_ok()
        );
    }

    #[test]
    fn a_last_line_without_newline_gets_one_before_new_lines() {
        let plan = Plan {
            status: None,
            entries: vec![progress("code")],
        };
        assert_eq!(
            run("trajectory:\n  code:\n    status: pending", &plan).expect("splices"),
            "trajectory:\n  code:\n    status: converged\n    iteration: 2\n    converged_at: '2026-03-01T11:00:00Z'\n"
        );
    }

    #[test]
    fn fresh_timestamps_follow_the_files_quotes() {
        let plan = Plan {
            status: None,
            entries: vec![progress("code")],
        };
        let text = "title: \"T\"\nowner: \"kim\"\ntrajectory:\n  code:\n    status: pending\n";
        assert!(
            run(text, &plan)
                .expect("splices")
                .ends_with("    converged_at: \"2026-03-01T11:00:00Z\"\n")
        );
    }

    const FIXTURES: &[&str] = &[
        "feature: X\nstatus: pending\n",
        "# c\nfeature: X\nstatus: 'pending'  # c\ntrajectory:\n  # c\n  requirements:\n    status: converged\n    converged_at: '2026-01-01T00:00:00Z'\n  design:\n    status: \"pending\"\n    notes: |\n      a\n      # b\n\n  code:\n    iteration: 007\n    delta: .inf\nowner: kim\n",
        "feature: X\r\ntrajectory:\r\n    code:\r\n        status: pending\r\n        started_at: 2026-01-01\r\n",
        "---\nfeature: X\n---\nstatus: pending\ntrajectory:\n  design: {status: pending, iteration: 1}\n  code:\n...\n",
        "feature: X\ntrajectory: {}\nlist:\n  - a: 1\n    b: [x, y]\n",
        "feature: X\ntrajectory:\nstatus:\nz: 1",
        "{feature: X, status: pending}\n",
        "feature: X\ntrajectory: {design: {status: pending}}\n",
        "feature: X\ntrajectory:\n  requirements:\n    status: pending\n    nested:\n      deep: 1\n      deeper: {a: 1}\n  design: ~\n",
    ];

    fn arb_value(
        field: &'static str,
    ) -> impl proptest::strategy::Strategy<Value = Option<Derived>> {
        use proptest::prelude::*;
        let times = [
            "2026-03-01T11:00:00Z",
            "2026-03-01T11:00:00.5Z",
            "2025-01-01T00:00:00Z",
        ];
        match field {
            "status" => prop_oneof![
                Just(Some(Derived::Word("converged"))),
                Just(Some(Derived::Word("iterating"))),
                Just(Some(Derived::Word("pending"))),
            ]
            .boxed(),
            "iteration" | "delta" => (0i64..20).prop_map(|n| Some(Derived::Number(n))).boxed(),
            _ => prop_oneof![
                (0..times.len()).prop_map(move |i| Some(ts(times[i]))),
                Just(None),
            ]
            .boxed(),
        }
    }

    fn arb_entry() -> impl proptest::strategy::Strategy<Value = EntryPlan> {
        use proptest::prelude::*;
        let keys = ["requirements", "design", "code", "unit_tests", "new_asset"];
        (
            0..keys.len(),
            arb_value("status"),
            proptest::option::of(arb_value("iteration")),
            proptest::option::of(arb_value("delta")),
            proptest::option::of(arb_value("started_at")),
            proptest::option::of(arb_value("converged_at")),
        )
            .prop_map(move |(k, status, iteration, delta, started, converged)| {
                let mut fields = vec![FieldPlan {
                    field: "status",
                    want: status,
                }];
                for (field, want) in [
                    ("iteration", iteration),
                    ("delta", delta),
                    ("started_at", started),
                    ("converged_at", converged),
                ] {
                    if let Some(want) = want {
                        fields.push(FieldPlan { field, want });
                    }
                }
                entry(keys[k], fields)
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Any plan on any fixture either splices into a text that passes the read-back check, or is
        /// refused for a stated reason; the splicer and the check never disagree.
        #[test]
        fn the_splicer_and_the_check_agree(
            which in 0..FIXTURES.len(),
            status in proptest::option::of(proptest::prop_oneof![
                proptest::strategy::Just(Derived::Word("in_progress")),
                proptest::strategy::Just(Derived::Word("converged")),
            ]),
            entries in proptest::collection::vec(arb_entry(), 0..4),
        ) {
            let mut seen = std::collections::HashSet::new();
            let entries: Vec<EntryPlan> =
                entries.into_iter().filter(|e| seen.insert(e.key.clone())).collect();
            let plan = Plan { status, entries };
            match run(FIXTURES[which], &plan) {
                Ok(out) => {
                    // A second refresh with the same plan changes nothing: not one byte.
                    let again = run(&out, &plan);
                    proptest::prop_assert_eq!(again.as_deref(), Ok(out.as_str()), "{:?}", plan);
                }
                Err(skip) => proptest::prop_assert!(
                    !matches!(skip.reason, SkipReason::Mismatch(_)),
                    "{:?} on {:?}: {skip:?}", plan, FIXTURES[which]
                ),
            }
        }
    }

    #[test]
    fn flow_close_skips_quotes_and_comments() {
        assert_eq!(flow_close("{a: '}', b: \"]\" # }\n}x", 0), Some(21));
    }
}
