//! The text editor of the splice: collects byte-range edits (scalar values replaced in their quotes,
//! new entries and trajectory blocks inserted, stale lines removed) and applies them in one pass.

use super::layout::{Shape, flow_close, indent, last_entry};
use super::{Skip, SkipReason, mismatch, skip};
use crate::config::yaml::{Entry, Node, Yaml};
use crate::config::yaml_text::{self, Eol, Quote};
use crate::projection::{Derived, EntryPlan, Plan};
use std::cmp::Reverse;

/// One byte range of the original text and what replaces it; `depth` orders insertions at one point
/// (inner mappings end before outer ones).
struct Edit {
    start: usize,
    end: usize,
    text: String,
    depth: u8,
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

pub(super) struct Splicer<'a> {
    pub(super) text: &'a str,
    eol: Eol,
    /// Byte offset of each line start.
    pub(super) lines: Vec<usize>,
    /// The file's indentation step (2 unless a nested block mapping says otherwise).
    pub(super) step: usize,
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
