//! Reading the source text's layout: byte offsets of parser positions, line starts and boundaries,
//! indentation steps, what shape a value is written in, and where a node's text ends.

use super::splice::Splicer;
use crate::config::yaml::{Entry, Node, Pos, Yaml};
pub(super) use crate::config::yaml_text::flow_close;

/// What a mapping-valued key holds, as far as splicing is concerned.
pub(super) enum Shape {
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

/// The entry written last in the file (for a merged multi-document root: in the last document).
pub(super) fn last_entry(map: &Node) -> Option<&Entry> {
    map.entries()?.iter().max_by_key(|e| e.key_pos)
}

impl Splicer<'_> {
    /// The indentation step of the first nested block mapping found.
    pub(super) fn find_step(&self, map: &Node) -> Option<usize> {
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
    pub(super) fn child_step(&self, map: &Node) -> usize {
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

    pub(super) fn root_indent(&self, root: &Node) -> usize {
        last_entry(root).map_or(0, |e| indent(e.key_pos))
    }

    pub(super) fn shape(&self, node: &Node) -> Shape {
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
    pub(super) fn offset_of(&self, pos: Pos) -> Option<usize> {
        let start = *self.lines.get((pos.line as usize).checked_sub(1)?)?;
        let line = &self.text[start..];
        let col = (pos.column as usize).checked_sub(1)?;
        let (byte, _) = line
            .char_indices()
            .chain(std::iter::once((line.len(), ' ')))
            .nth(col)?;
        Some(start + byte)
    }

    pub(super) fn line_start(&self, offset: usize) -> usize {
        let i = self.lines.partition_point(|&s| s <= offset);
        self.lines[i.saturating_sub(1)]
    }

    /// `offset` when it starts a line, else the start of the next line (or the end of the text).
    pub(super) fn boundary(&self, offset: usize) -> usize {
        if offset == 0 || self.text.as_bytes().get(offset - 1) == Some(&b'\n') {
            return offset;
        }
        let i = self.lines.partition_point(|&s| s <= offset);
        self.lines.get(i).copied().unwrap_or(self.text.len())
    }

    /// True when `entry`'s key starts its line (after indentation or `- `), i.e. block context.
    pub(super) fn leads_line(&self, entry: &Entry) -> bool {
        let Some(k) = self.offset_of(entry.key_pos) else {
            return false;
        };
        self.text[self.line_start(k)..k]
            .chars()
            .all(|c| c == ' ' || c == '-')
    }

    /// True when the value at `offset` follows `key:` and blanks on the same line (no anchor, tag,
    /// block scalar header or line break in between).
    pub(super) fn follows_key(&self, offset: usize) -> bool {
        self.text[self.line_start(offset)..offset]
            .trim_end_matches([' ', '\t'])
            .ends_with(':')
    }

    pub(super) fn is_merged(&self, entry: &Entry) -> bool {
        self.offset_of(entry.key_pos)
            .and_then(|k| self.text.get(k..))
            .is_some_and(|t| t.starts_with('*'))
    }

    /// Where a node's text ends (block scalars: before the next line's indentation).
    pub(super) fn node_end(&self, node: &Node) -> usize {
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
}

fn first_key(node: &Node) -> Option<Pos> {
    node.entries()?.first().map(|e| e.key_pos)
}

pub(super) fn indent(pos: Pos) -> usize {
    pos.column.saturating_sub(1) as usize
}
