//! Writing a topology's `asset_types` and `transitions` back into its YAML text while keeping
//! everything else byte for byte (pure text in, text out).
//!
//! The file is a hand-written config full of comments, so it is not re-serialised. Each section
//! is cut into items (an asset type entry, a transition list item, each with the comment lines
//! above it); an item whose content did not change is copied verbatim, a changed or new item is
//! written fresh in block style at the section's indentation, a removed item disappears. Text
//! outside the two sections (header comments, `constraint_dimensions`, `graph_properties`, unknown
//! keys) is never touched. A section written in flow style (`asset_types: {a: …}`) is rewritten
//! whole. The result is parsed again and compared with what was meant to be written before it is
//! handed out, so a formatting mistake can never save a different topology.
//!
//! Fresh items are written by the rules of [`gen_core::config::yaml_text`]: scalars are quoted
//! unless they read the same in YAML 1.1 and 1.2 (`yes`, `on`, `null`, numbers-as-text and friends
//! are quoted, because the Genesis Python tools read these files with a YAML 1.1 parser), and new
//! lines take the file's line ending (a CRLF topology stays CRLF). Fresh text is built with `\n`
//! and converted as it is placed; copied items keep their bytes.

use gen_core::config::yaml::{self, Node};
use gen_core::config::yaml_text::{self, Eol, json_scalar as scalar, key, literal_block};
use serde_json::{Map, Value};

/// Why the topology text could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpliceError {
    /// The current file does not parse, so it cannot be edited in place.
    #[error("the current topology is not valid YAML ({0})")]
    Unparsable(String),
    /// The current file's root is not a mapping.
    #[error("the current topology is not a mapping of sections; fix it first")]
    NotAMapping,
    /// The produced text does not read back as what was meant (a bug; nothing is written).
    #[error(
        "internal error: the rewritten topology reads back differently ({0}); nothing was written"
    )]
    Mismatch(String),
}

/// `{a: x, b: y}` for a small mapping of scalars, the way hand-written topologies spell them.
fn short_flow_map(map: &Map<String, Value>) -> Option<String> {
    let parts: Option<Vec<String>> = map
        .iter()
        .map(|(k, v)| scalar(v).map(|v| format!("{}: {v}", key(k))))
        .collect();
    let text = format!("{{{}}}", parts?.join(", "));
    (map.len() <= 4 && text.len() <= 60).then_some(text)
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Writes what follows `key:` (a space and a scalar, or a newline and a nested block) with nested
/// content at `indent`.
fn value_after_key(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if map.is_empty() => out.push_str(" {}\n"),
        Value::Object(map) if short_flow_map(map).is_some() => {
            out.push(' ');
            out.push_str(&short_flow_map(map).unwrap_or_default());
            out.push('\n');
        }
        Value::Object(map) => {
            out.push('\n');
            for (k, v) in map {
                pad(out, indent);
                out.push_str(&key(k));
                out.push(':');
                value_after_key(out, v, indent + 2);
            }
        }
        Value::Array(items) if items.is_empty() => out.push_str(" []\n"),
        Value::Array(items) => {
            let flow: Option<Vec<String>> = items.iter().map(scalar).collect();
            match flow {
                Some(parts) if parts.iter().map(|p| p.len() + 2).sum::<usize>() <= 72 => {
                    out.push_str(" [");
                    out.push_str(&parts.join(", "));
                    out.push_str("]\n");
                }
                _ => {
                    out.push('\n');
                    for item in items {
                        pad(out, indent);
                        out.push('-');
                        list_item(out, item, indent + 2);
                    }
                }
            }
        }
        Value::String(s) if literal_block(s).is_some() => {
            out.push(' ');
            out.push_str(literal_block(s).unwrap_or("|"));
            out.push('\n');
            for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
                if !line.is_empty() {
                    pad(out, indent);
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other).unwrap_or_default());
            out.push('\n');
        }
    }
}

/// Writes what follows a `-` of a block list, with the item's own content at `indent`.
fn list_item(out: &mut String, item: &Value, indent: usize) {
    match item {
        Value::Object(map) if !map.is_empty() => {
            for (i, (k, v)) in map.iter().enumerate() {
                if i == 0 {
                    out.push(' ');
                } else {
                    pad(out, indent);
                }
                out.push_str(&key(k));
                out.push(':');
                value_after_key(out, v, indent + 2);
            }
        }
        Value::Object(_) | Value::Array(_) => {
            out.push(' ');
            out.push_str(&yaml_text::flow(item));
            out.push('\n');
        }
        other => value_after_key(out, other, indent),
    }
}

/// One asset type entry at `indent`.
fn asset_type_text(name: &str, value: &Value, indent: usize) -> String {
    let mut out = String::new();
    pad(&mut out, indent);
    out.push_str(&key(name));
    out.push(':');
    value_after_key(&mut out, value, indent + 2);
    out
}

/// One transition list item with its dash at `indent`.
fn transition_text(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    pad(&mut out, indent);
    out.push('-');
    list_item(&mut out, value, indent + 2);
    out
}

/// The new items of one section, in order.
enum Items<'a> {
    /// `asset_types`: name → mapping.
    Map(&'a Map<String, Value>),
    /// `transitions`: list of mappings.
    Seq(&'a [Value]),
}

impl Items<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Items::Map(m) => m.is_empty(),
            Items::Seq(s) => s.is_empty(),
        }
    }

    /// The whole section written fresh, key line included.
    fn fresh_section(&self, name: &str, indent: usize) -> String {
        if self.is_empty() {
            return format!(
                "{name}: {}\n",
                if matches!(self, Items::Map(_)) {
                    "{}"
                } else {
                    "[]"
                }
            );
        }
        let mut out = format!("{name}:\n");
        match self {
            Items::Map(map) => {
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&asset_type_text(k, v, indent));
                }
            }
            Items::Seq(items) => {
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&transition_text(v, indent));
                }
            }
        }
        out
    }
}

/// A line that belongs to no item: blank, a comment, or a document marker.
fn is_trivia(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// One original item: where its text is and what it holds.
struct Original {
    /// The mapping key (asset types) or empty (transitions).
    key: String,
    /// Its content as JSON.
    json: Value,
    /// Comment and blank lines above it (0-based, half-open line range).
    leading: (usize, usize),
    /// Its own lines.
    own: (usize, usize),
}

/// What replaces the lines `[start, end)` of the file.
struct Replacement {
    start: usize,
    end: usize,
    text: String,
}

fn slice(lines: &[&str], (start, end): (usize, usize)) -> String {
    lines[start..end].concat()
}

/// Plans the rewrite of one existing section (`entry` is its root entry; `end` is the 0-based line
/// where the next root entry starts, or the line count) with fresh lines ending in `eol`.
fn plan_section(
    lines: &[&str],
    entry: &yaml::Entry,
    end: usize,
    items: &Items<'_>,
    eol: Eol,
) -> Replacement {
    let key_line = entry.key_pos.line.saturating_sub(1) as usize;
    // Where the section's content ends: trailing comments and blanks stay for what follows.
    let mut content_end = end;
    while content_end > key_line + 1 && is_trivia(lines[content_end - 1]) {
        content_end -= 1;
    }
    let rewrite_whole = |indent: usize| Replacement {
        start: key_line,
        end: content_end.max(key_line + 1),
        text: eol.convert(&items.fresh_section(&entry.key, indent)),
    };
    let after_key = lines[key_line]
        .split_once(':')
        .map_or("", |(_, rest)| rest)
        .trim();
    let block_header = after_key.is_empty() || after_key.starts_with('#');
    // Start line (0-based), column (0-based) and JSON of each original item.
    let starts: Vec<(usize, usize, String, Value)> = match (&entry.value.value, items) {
        (yaml::Yaml::Map(entries), Items::Map(_)) => entries
            .iter()
            .map(|e| {
                (
                    e.key_pos.line.saturating_sub(1) as usize,
                    e.key_pos.column.saturating_sub(1) as usize,
                    e.key.clone(),
                    e.value.to_json(),
                )
            })
            .collect(),
        (yaml::Yaml::Seq(nodes), Items::Seq(_)) => nodes
            .iter()
            .map(|n| {
                let line = n.pos.line.saturating_sub(1) as usize;
                let dash = lines.get(line).map_or(usize::MAX, |l| indent_of(l));
                (line, dash, String::new(), n.to_json())
            })
            .collect(),
        _ => return rewrite_whole(2),
    };
    let is_block_item = |(line, column, _, _): &(usize, usize, String, Value)| {
        let Some(text) = lines.get(*line) else {
            return false;
        };
        match items {
            Items::Map(_) => text.get(..*column).is_some_and(|p| p.trim().is_empty()),
            Items::Seq(_) => text
                .get(*column..)
                .is_some_and(|rest| rest.starts_with('-')),
        }
    };
    let spliceable = block_header
        && !starts.is_empty()
        && starts.iter().all(is_block_item)
        && starts[0].0 > key_line
        && starts.windows(2).all(|w| w[0].0 < w[1].0)
        && starts.iter().all(|s| s.1 == starts[0].1)
        && starts.last().is_some_and(|s| s.0 < content_end);
    if !spliceable {
        let block_indent = starts
            .first()
            .map(|s| s.1)
            .filter(|i| block_header && (1..=16).contains(i));
        return rewrite_whole(block_indent.unwrap_or(2));
    }
    let indent = starts[0].1;
    let mut originals: Vec<Original> = Vec::with_capacity(starts.len());
    let mut leading_start = starts[0].0;
    for (i, (line, _, key, json)) in starts.iter().enumerate() {
        let next = starts.get(i + 1).map_or(content_end, |s| s.0);
        // Trailing comment/blank lines at or left of the item's indentation introduce the next item.
        let mut own_end = next;
        while own_end > line + 1
            && is_trivia(lines[own_end - 1])
            && (lines[own_end - 1].trim().is_empty() || indent_of(lines[own_end - 1]) <= indent)
        {
            own_end -= 1;
        }
        originals.push(Original {
            key: key.clone(),
            json: json.clone(),
            leading: (leading_start, *line),
            own: (*line, own_end),
        });
        leading_start = own_end;
    }
    let first_leading = originals[0].leading;
    originals[0].leading = (first_leading.1, first_leading.1);
    let header_end = first_leading.1;
    let trailer = (leading_start, content_end);
    let separated = originals.iter().skip(1).any(|o| {
        lines[o.leading.0..o.leading.1]
            .iter()
            .any(|l| l.trim().is_empty())
    });
    if items.is_empty() {
        return Replacement {
            start: key_line,
            end: content_end,
            text: eol.convert(&items.fresh_section(&entry.key, indent)),
        };
    }
    let mut used = vec![false; originals.len()];
    let mut text = String::new();
    let push_fresh = |text: &mut String, fresh: String, first: bool| {
        eol.end_line(text);
        if separated && !first {
            text.push_str(eol.as_str());
        }
        text.push_str(&eol.convert(&fresh));
    };
    match items {
        Items::Map(map) => {
            for (i, (name, value)) in map.iter().enumerate() {
                match originals.iter().position(|o| o.key == *name) {
                    Some(o) => {
                        used[o] = true;
                        let original = &originals[o];
                        eol.end_line(&mut text);
                        text.push_str(&slice(lines, original.leading));
                        if original.json == *value {
                            text.push_str(&slice(lines, original.own));
                        } else {
                            text.push_str(&eol.convert(&asset_type_text(name, value, indent)));
                        }
                    }
                    None => push_fresh(&mut text, asset_type_text(name, value, indent), i == 0),
                }
            }
        }
        Items::Seq(values) => {
            for (i, value) in values.iter().enumerate() {
                let found = originals
                    .iter()
                    .enumerate()
                    .position(|(o, original)| !used[o] && original.json == *value);
                match found {
                    Some(o) => {
                        used[o] = true;
                        eol.end_line(&mut text);
                        text.push_str(&slice(lines, originals[o].leading));
                        text.push_str(&slice(lines, originals[o].own));
                    }
                    None => push_fresh(&mut text, transition_text(value, indent), i == 0),
                }
            }
        }
    }
    if trailer.0 < trailer.1 {
        eol.end_line(&mut text);
        text.push_str(&slice(lines, trailer));
    }
    Replacement {
        start: header_end,
        end: content_end,
        text,
    }
}

/// The name of a list-form asset type and the key that holds it (`None` for a bare `- name`).
fn listed_name(item: &Value) -> Option<(&str, Option<&'static str>)> {
    match item {
        Value::String(name) => Some((name, None)),
        Value::Object(fields) => ["name", "id"]
            .into_iter()
            .find_map(|key| Some((fields.get(key)?.as_str()?, Some(key)))),
        _ => None,
    }
}

/// The topology text with `asset_types` and `transitions` replaced by the given ones; see the
/// module docs. `original` may be empty (a new file is written).
pub fn render_topology(
    original: &str,
    asset_types: &Map<String, Value>,
    transitions: &[Value],
) -> Result<String, SpliceError> {
    // A topology in the Gemini dialect keeps `asset_types` as a list of `- name: …` items: it is
    // written back in that form, each item in the spelling it had (`name:`, `id:` or a bare name),
    // not converted behind the user's back.
    let original_list: Option<Vec<Value>> = if original.trim().is_empty() {
        None
    } else {
        yaml::parse(original).ok().and_then(|l| {
            l.root
                .get("asset_types")
                .and_then(Node::items)
                .map(|items| items.iter().map(Node::to_json).collect())
        })
    };
    let listed = original_list.is_some();
    let list_items: Vec<Value> = asset_types
        .iter()
        .filter(|_| listed)
        .map(|(name, fields)| {
            let fields = fields.as_object().cloned().unwrap_or_default();
            let before = original_list
                .iter()
                .flatten()
                .find(|item| listed_name(item).is_some_and(|(n, _)| n == name.as_str()));
            match before.and_then(listed_name) {
                Some((_, None)) if fields.is_empty() => Value::String(name.clone()),
                Some((_, Some(key))) => {
                    let mut item = Map::new();
                    item.insert(key.into(), Value::String(name.clone()));
                    item.extend(fields);
                    Value::Object(item)
                }
                _ => {
                    let mut item = Map::new();
                    item.insert("name".into(), Value::String(name.clone()));
                    item.extend(fields);
                    Value::Object(item)
                }
            }
        })
        .collect();
    let sections = [
        (
            "asset_types",
            if listed {
                Items::Seq(&list_items)
            } else {
                Items::Map(asset_types)
            },
        ),
        ("transitions", Items::Seq(transitions)),
    ];
    let eol = Eol::detect(original);
    let (text, root_before) = if original.trim().is_empty() {
        let mut text = String::new();
        for (i, (name, items)) in sections.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            text.push_str(&items.fresh_section(name, 2));
        }
        (text, None)
    } else {
        let root = yaml::parse(original)
            .map_err(|e| SpliceError::Unparsable(e.to_string()))?
            .root;
        let Some(entries) = root.entries() else {
            return Err(SpliceError::NotAMapping);
        };
        let lines: Vec<&str> = original.split_inclusive('\n').collect();
        let mut key_lines: Vec<usize> = entries
            .iter()
            .map(|e| e.key_pos.line.saturating_sub(1) as usize)
            .collect();
        key_lines.sort_unstable();
        let mut replacements = Vec::new();
        let mut appended = String::new();
        for (name, items) in &sections {
            match entries.iter().rev().find(|e| e.key == *name) {
                Some(entry) => {
                    let line = entry.key_pos.line.saturating_sub(1) as usize;
                    let end = key_lines
                        .iter()
                        .copied()
                        .find(|l| *l > line)
                        .unwrap_or(lines.len());
                    replacements.push(plan_section(&lines, entry, end, items, eol));
                }
                None => {
                    appended.push('\n');
                    appended.push_str(&items.fresh_section(name, 2));
                }
            }
        }
        replacements.sort_by_key(|r| r.start);
        let mut text = String::with_capacity(original.len() + appended.len());
        let mut at = 0;
        for r in &replacements {
            text.push_str(&lines[at..r.start].concat());
            text.push_str(&r.text);
            at = r.end;
        }
        text.push_str(&lines[at..].concat());
        if !appended.is_empty() {
            eol.end_line(&mut text);
            text.push_str(&eol.convert(&appended));
        }
        (text, Some(root))
    };
    check_reads_back(
        original,
        &text,
        asset_types,
        transitions,
        root_before.as_ref(),
    )?;
    Ok(text)
}

/// Parses the produced text and compares it with what was meant, key order and line endings
/// included.
fn check_reads_back(
    original: &str,
    text: &str,
    asset_types: &Map<String, Value>,
    transitions: &[Value],
    before: Option<&Node>,
) -> Result<(), SpliceError> {
    let root = yaml_text::read_back(original, text)
        .map_err(SpliceError::Mismatch)?
        .root
        .to_json();
    let got_types = match root.get("asset_types") {
        // The Gemini list form reads back as the same mapping, keyed by each item's name.
        Some(Value::Array(items)) => Value::Object(
            items
                .iter()
                .filter_map(|item| {
                    let (name, key) = listed_name(item)?;
                    let mut fields = item.as_object().cloned().unwrap_or_default();
                    if let Some(key) = key {
                        fields.shift_remove(key);
                    }
                    Some((name.to_string(), Value::Object(fields)))
                })
                .collect(),
        ),
        other => other.cloned().unwrap_or(Value::Null),
    };
    let want_types = Value::Object(asset_types.clone());
    let same_types = got_types == want_types
        || (asset_types.is_empty() && got_types.as_object().is_some_and(Map::is_empty));
    let same_order = got_types
        .as_object()
        .is_none_or(|m| m.keys().eq(asset_types.keys()));
    if !same_types || !same_order {
        return Err(SpliceError::Mismatch("asset_types differ".into()));
    }
    let got_transitions = root.get("transitions").cloned().unwrap_or(Value::Null);
    if got_transitions != Value::Array(transitions.to_vec()) {
        return Err(SpliceError::Mismatch("transitions differ".into()));
    }
    if let Some(before) = before.map(Node::to_json)
        && let (Some(old), Some(new)) = (before.as_object(), root.as_object())
    {
        for (k, v) in old {
            if k != "asset_types" && k != "transitions" && new.get(k) != Some(v) {
                return Err(SpliceError::Mismatch(format!("section `{k}` changed")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SMALL: &str = "\
# Header comment
---
asset_types:

  # the design
  design:
    description: \"Tech design\"
    schema: {components: list}   # flow is fine
    markov_criteria: [has_components]

  code:
    description: \"Source\"
    # a comment inside code
    markov_criteria:
      - compiles

# ── Edges ──
transitions:

  - name: \"Design → Code\"
    source: design
    target: code
    edge_type: standard
    evaluators: [agent, deterministic]
    constructor: agent

graph_properties:
  version: \"1.0.0\"   # keep me
";

    fn sections(text: &str) -> (Map<String, Value>, Vec<Value>) {
        let root = yaml::parse(text).expect("parses").root.to_json();
        (
            root["asset_types"].as_object().cloned().unwrap_or_default(),
            root["transitions"].as_array().cloned().unwrap_or_default(),
        )
    }

    #[test]
    fn unchanged_sections_give_the_same_bytes() {
        let (types, transitions) = sections(SMALL);
        assert_eq!(
            render_topology(SMALL, &types, &transitions).expect("renders"),
            SMALL
        );
    }

    #[test]
    fn a_changed_item_is_rewritten_and_everything_else_kept() {
        let (mut types, mut transitions) = sections(SMALL);
        types["code"]["markov_criteria"] = json!(["compiles", "yes"]);
        types.insert(
            "unit_tests".into(),
            json!({"description": "Tests\nwith two lines\n", "markov_criteria": ["all_pass"]}),
        );
        transitions.push(
            json!({"name": "Code ↔ Unit Tests", "source": "code", "target": "unit_tests",
            "edge_type": "co_evolution", "evaluators": ["agent", "human"], "constructor": "agent",
            "note": "on: off"}),
        );
        let text = render_topology(SMALL, &types, &transitions).expect("renders");
        assert!(
            text.starts_with("# Header comment\n---\nasset_types:\n\n  # the design\n  design:\n")
        );
        assert!(
            text.contains("schema: {components: list}   # flow is fine"),
            "{text}"
        );
        assert!(
            !text.contains("# a comment inside code"),
            "rewritten item: {text}"
        );
        assert!(
            text.contains("      - compiles\n      - \"yes\"\n")
                || text.contains("[compiles, \"yes\"]"),
            "{text}"
        );
        assert!(
            text.contains("    description: |\n      Tests\n      with two lines\n"),
            "{text}"
        );
        assert!(text.contains("\n# ── Edges ──\ntransitions:\n"), "{text}");
        assert!(text.contains("    note: \"on: off\"\n"), "{text}");
        assert!(
            text.ends_with("graph_properties:\n  version: \"1.0.0\"   # keep me\n"),
            "{text}"
        );
        let (back_types, back_transitions) = sections(&text);
        assert_eq!(back_types, types);
        assert_eq!(back_transitions, transitions);
    }

    #[test]
    fn removed_items_go_with_their_comments() {
        let (mut types, transitions) = sections(SMALL);
        types.shift_remove("design");
        let transitions: Vec<Value> = transitions.into_iter().take(0).collect();
        let text = render_topology(SMALL, &types, &transitions).expect("renders");
        assert!(!text.contains("design:"), "{text}");
        assert!(text.contains("transitions: []\n"), "{text}");
        assert!(
            text.contains("# a comment inside code"),
            "untouched item: {text}"
        );
    }

    #[test]
    fn flow_sections_and_missing_sections_are_written_whole() {
        let original = "asset_types: {a: {description: x}}\ngraph_properties: {version: '1'}\n";
        let mut types = Map::new();
        types.insert("a".into(), json!({"description": "x"}));
        types.insert(
            "b".into(),
            json!({"description": "y", "n": 1.5, "t": true, "z": null}),
        );
        let transitions =
            vec![json!({"name": "A → B", "source": "a", "target": "b", "evaluators": []})];
        let text = render_topology(original, &types, &transitions).expect("renders");
        assert!(
            text.starts_with("asset_types:\n  a: {description: x}\n\n  b: {description: \"y\", \"n\": 1.5, t: true, z: null}\n"),
            "{text}"
        );
        assert!(
            text.contains("graph_properties: {version: '1'}\n"),
            "{text}"
        );
        assert!(text.ends_with("transitions:\n  - name: \"A → B\"\n    source: a\n    target: b\n    evaluators: []\n"), "{text}");
        let (t, tr) = sections(&text);
        assert_eq!((t, tr), (types, transitions));
    }

    #[test]
    fn an_empty_file_gets_both_sections() {
        let mut types = Map::new();
        types.insert("a".into(), json!({}));
        let text = render_topology("", &types, &[]).expect("renders");
        assert_eq!(text, "asset_types:\n  a: {}\n\ntransitions: []\n");
    }

    /// Every line break of `text` is CRLF.
    fn all_crlf(text: &str) -> bool {
        text.matches('\n').count() == text.matches("\r\n").count()
    }

    #[test]
    fn a_crlf_file_gets_crlf_in_changed_and_new_items() {
        let original = SMALL.replace('\n', "\r\n");
        let (mut types, mut transitions) = sections(&original);
        types["code"]["markov_criteria"] = json!(["compiles", "yes"]);
        types.insert(
            "unit_tests".into(),
            json!({"description": "Tests\nwith two lines\n", "markov_criteria": ["all_pass"]}),
        );
        transitions
            .push(json!({"name": "Code ↔ Unit Tests", "source": "code", "target": "unit_tests"}));
        let text = render_topology(&original, &types, &transitions).expect("renders");
        assert!(all_crlf(&text), "{text:?}");
        // The same text as for the LF file, line endings aside: kept and fresh items alike.
        let lf = render_topology(SMALL, &types, &transitions).expect("renders");
        assert!(lf.contains("  unit_tests:\n    description: |\n"), "{lf}");
        assert_eq!(text, lf.replace('\n', "\r\n"));
        assert_eq!(sections(&text), (types, transitions));
    }

    #[test]
    fn a_crlf_file_gets_crlf_in_whole_and_appended_sections() {
        // A flow section rewritten whole, a missing section appended, no final line break.
        let original = "asset_types: {a: {description: x}}\r\ngraph_properties: {version: '1'}";
        let mut types = Map::new();
        types.insert("a".into(), json!({"description": "x"}));
        types.insert("b".into(), json!({"description": "on"}));
        let transitions = vec![json!({"name": "A → B", "source": "a", "target": "b"})];
        let text = render_topology(original, &types, &transitions).expect("renders");
        assert!(all_crlf(&text), "{text:?}");
        assert_eq!(
            text,
            "asset_types:\r\n  a: {description: x}\r\n\r\n  b: {description: \"on\"}\r\n\
             graph_properties: {version: '1'}\r\n\r\n\
             transitions:\r\n  - name: \"A → B\"\r\n    source: a\r\n    target: b\r\n"
        );
        assert_eq!(sections(&text), (types, transitions));
        // The Gemini list form is written back as a list, in CRLF too.
        let listed = "asset_types:\r\n  - name: a\r\n    description: x\r\ntransitions: []\r\n";
        let mut types = Map::new();
        types.insert("a".into(), json!({"description": "x"}));
        types.insert("b".into(), json!({"description": "y"}));
        let text = render_topology(listed, &types, &[]).expect("renders");
        assert!(all_crlf(&text), "{text:?}");
        assert!(
            text.starts_with(
                "asset_types:\r\n  - name: a\r\n    description: x\r\n  - name: b\r\n"
            ),
            "{text:?}"
        );
    }

    #[test]
    fn list_form_items_keep_their_spelling_name_id_or_bare() {
        let original =
            "asset_types:\n  - id: a\n    description: x\n  - b\n  - name: c\ntransitions: []\n";
        let mut types = Map::new();
        types.insert("a".into(), json!({"description": "x"}));
        types.insert("b".into(), json!({}));
        types.insert("c".into(), json!({}));
        // Nothing changed: nothing is rewritten.
        assert_eq!(render_topology(original, &types, &[]).unwrap(), original);
        // A changed item keeps its key; a new one is written with `name:`.
        types.insert("a".into(), json!({"description": "changed"}));
        types.insert("d".into(), json!({"description": "new"}));
        let text = render_topology(original, &types, &[]).unwrap();
        assert!(
            text.contains("  - id: a\n    description: changed\n"),
            "{text}"
        );
        assert!(text.contains("  - b\n  - name: c\n"), "{text}");
        assert!(
            text.contains("  - name: d\n    description: new\n"),
            "{text}"
        );
    }

    #[test]
    fn a_mixed_file_keeps_its_lines_and_takes_its_dominant_ending() {
        // Mostly LF with one CRLF line outside the sections: that line is kept, new lines are LF.
        let original =
            "graph_properties: {version: '1'}\r\nasset_types:\n  a: {}\ntransitions: []\n";
        let mut types = Map::new();
        types.insert("a".into(), json!({}));
        types.insert("b".into(), json!({}));
        let text = render_topology(original, &types, &[]).expect("renders");
        assert_eq!(
            text,
            "graph_properties: {version: '1'}\r\nasset_types:\n  a: {}\n  b: {}\ntransitions: []\n"
        );
    }

    const FLOW_AND_ODD: &str = "\
asset_types: {a: {description: x}, b: {}}
transitions:
- {name: one, source: a, target: b}
-
  name: two
  source: b
  target: a
extra: [1, 2]
";

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Dropping, reordering, editing and adding items always produces a text that reads back
        /// as exactly the intended sections (the self-check never fires) with every other section
        /// kept, in the file's line ending.
        #[test]
        fn any_edit_of_the_sections_is_written_faithfully(
            which in 0..2usize,
            crlf in proptest::bool::ANY,
            keep in proptest::collection::vec(proptest::bool::ANY, 8),
            rotate in 0..4usize,
            edit in proptest::option::of(0..4usize),
            add in proptest::bool::ANY,
        ) {
            let original = [SMALL, FLOW_AND_ODD][which];
            let original = if crlf { original.replace('\n', "\r\n") } else { original.to_string() };
            let original = original.as_str();
            let (types, transitions) = sections(original);
            let mut types: Map<String, Value> = types
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep[i % keep.len()])
                .map(|(_, kv)| kv)
                .collect();
            let mut transitions: Vec<Value> = transitions
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep[(i + 3) % keep.len()])
                .map(|(_, t)| t)
                .collect();
            if !transitions.is_empty() {
                let n = rotate % transitions.len();
                transitions.rotate_left(n);
            }
            let count = types.len().max(1);
            if let Some(e) = edit
                && let Some((_, v)) = types.iter_mut().nth(e % count)
            {
                v["note"] = json!("edited: yes\nsecond line\n");
            }
            if add {
                types.insert("new_type".into(), json!({"description": "on", "list": ["a b", 1, null]}));
                transitions.push(json!({"name": "New", "source": "x", "target": "y", "evaluators": ["agent"]}));
            }
            let text = render_topology(original, &types, &transitions).expect("renders");
            proptest::prop_assert_eq!(all_crlf(&text), crlf, "{:?}", text);
            let (back_types, back_transitions) = sections(&text);
            proptest::prop_assert_eq!(back_types, types);
            proptest::prop_assert_eq!(back_transitions, transitions);
        }
    }

    #[test]
    fn a_broken_file_is_refused() {
        assert!(matches!(
            render_topology("a: [\n", &Map::new(), &[]),
            Err(SpliceError::Unparsable(_))
        ));
        assert!(matches!(
            render_topology("- a\n- b\n", &Map::new(), &[]),
            Err(SpliceError::NotAMapping)
        ));
    }
}
