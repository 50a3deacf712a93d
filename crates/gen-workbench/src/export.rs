//! Text exports of a draft (Mermaid flowchart, Graphviz DOT) for docs, terminals and reviews.
//!
//! Labels are untrusted data: every character that could end a string, start markup or change the
//! statement structure is escaped, and bidirectional-override characters are dropped so an export
//! cannot display text in a different order than it is stored.

use std::fmt::Write;

use crate::draft::Draft;

/// Bidi embedding/override/isolate controls and marks, which reorder how text displays.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Mermaid text inside `"…"`: letters, digits, spaces and harmless punctuation stay; everything
/// else becomes a `#<code>;` entity, so quotes, `<`, `|`, `;`, `#` and friends can never act as syntax.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !is_bidi_control(*c)) {
        if c.is_control() {
            out.push(' ');
        } else if c.is_alphanumeric() || c == ' ' || ".,:!?'+-_=/@*()".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", c as u32);
        }
    }
    out
}

/// DOT quoted-string content: backslash and quote escaped (which also disables `\N`-style
/// substitutions), newlines as `\n`, other control characters as spaces.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !is_bidi_control(*c)) {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid `flowchart TD`; nodes get positional ids (`n0`, `n1`, …) so ids never need escaping.
pub fn to_mermaid(draft: &Draft) -> String {
    let mut out = String::from("flowchart TD\n");
    let _ = writeln!(out, "  %% {}", mermaid_text(draft.title()));
    let mut index = std::collections::HashMap::with_capacity(draft.node_count());
    for (i, node) in draft.nodes().enumerate() {
        index.insert(node.id.as_str(), i);
        let _ = writeln!(out, "  n{i}[\"{}\"]", mermaid_text(&node.label));
    }
    for edge in draft.edges() {
        let (Some(s), Some(t)) = (
            index.get(edge.source.as_str()),
            index.get(edge.target.as_str()),
        ) else {
            continue;
        };
        match &edge.label {
            Some(label) => {
                let _ = writeln!(out, "  n{s} -->|\"{}\"| n{t}", mermaid_text(label));
            }
            None => {
                let _ = writeln!(out, "  n{s} --> n{t}");
            }
        }
    }
    out
}

/// A Graphviz `digraph` with the node ids as DOT ids and the labels as quoted labels.
pub fn to_dot(draft: &Draft) -> String {
    let mut out = String::from("digraph workflow {\n");
    let _ = writeln!(out, "  label=\"{}\";", dot_text(draft.title()));
    out.push_str("  node [shape=box];\n");
    for node in draft.nodes() {
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{}\"];",
            dot_text(node.id.as_str()),
            dot_text(&node.label)
        );
    }
    for edge in draft.edges() {
        let _ = write!(
            out,
            "  \"{}\" -> \"{}\"",
            dot_text(edge.source.as_str()),
            dot_text(edge.target.as_str())
        );
        if let Some(label) = &edge.label {
            let _ = write!(out, " [label=\"{}\"]", dot_text(label));
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BlueprintDraft, Edge, Node};

    fn draft(label: &str, edge_label: &str) -> Draft {
        let mut edge = Edge::new("a", "b");
        edge.label = Some(edge_label.to_string());
        Draft::from_blueprint(BlueprintDraft {
            title: "Flow".into(),
            summary: String::new(),
            nodes: vec![
                Node::new("a", label, "trigger"),
                Node::new("b", "B", "action"),
            ],
            edges: vec![edge],
        })
        .expect("valid")
    }

    #[test]
    fn mermaid_renders_nodes_and_edges() {
        assert_eq!(
            to_mermaid(&draft("Start", "yes")),
            "flowchart TD\n  %% Flow\n  n0[\"Start\"]\n  n1[\"B\"]\n  n0 -->|\"yes\"| n1\n"
        );
    }

    #[test]
    fn mermaid_escapes_markup_quotes_and_statement_breaks() {
        let out = to_mermaid(&draft(
            "<img src=x onerror=alert(1)>\"]; click n0 evil",
            "a|b\nc",
        ));
        assert!(
            out.contains("n0[\"#60;img src=x onerror=alert(1)#62;#34;#93;#59; click n0 evil\"]"),
            "{out}"
        );
        assert!(out.contains("-->|\"a#124;b c\"|"), "{out}");
        assert_eq!(out.lines().count(), 5, "no injected lines: {out}");
    }

    #[test]
    fn dot_escapes_quotes_backslashes_and_newlines() {
        let out = to_dot(&draft("say \"hi\" \\N\nnext", "x"));
        assert!(
            out.contains("[label=\"say \\\"hi\\\" \\\\N\\nnext\"]"),
            "{out}"
        );
        assert!(out.contains("\"a\" -> \"b\" [label=\"x\"];"), "{out}");
    }

    #[test]
    fn exports_drop_bidi_overrides() {
        let spoof = "invoice\u{202e}fdp.exe";
        assert!(!to_dot(&draft(spoof, "x")).contains('\u{202e}'));
        assert!(!to_mermaid(&draft(spoof, "x")).contains("8238"));
    }

    #[test]
    fn non_ascii_labels_survive() {
        assert!(to_mermaid(&draft("日本語", "x")).contains("n0[\"日本語\"]"));
        assert!(to_dot(&draft("日本語", "x")).contains("label=\"日本語\""));
    }
}
