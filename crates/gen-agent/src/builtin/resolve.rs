//! Finding the step a phrase refers to, and the questions asked when that is not clear.
//!
//! Labels are untrusted data: they are compared and quoted, never parsed.

use std::cell::OnceCell;

use gen_workbench::{Draft, Node, NodeId};

use super::lex::{Kind, Tok, phrase};

/// Why a command produced no actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Stop {
    /// A question back to the person.
    Ask(String),
    /// The command was not understood.
    Unknown,
}

/// What one command is read against.
pub(super) struct Ctx<'a> {
    /// The draft as it will be once the earlier commands of the message have run.
    pub(super) draft: &'a Draft,
    /// The line the command's token spans index.
    pub(super) line: &'a str,
    /// The step the previous command was about, for "it" / "this step".
    pub(super) focus: Option<NodeId>,
    /// Lower-cased labels and slugs, computed once per command rather than once per lookup.
    index: OnceCell<Vec<Entry>>,
}

/// One step as references are matched against it.
struct Entry {
    id: NodeId,
    /// Trimmed, lower-cased label.
    lower: String,
    /// Slug of the label.
    slug: String,
}

impl<'a> Ctx<'a> {
    /// A context for one command.
    pub(super) fn new(draft: &'a Draft, line: &'a str, focus: Option<NodeId>) -> Self {
        Ctx {
            draft,
            line,
            focus,
            index: OnceCell::new(),
        }
    }

    /// The text a run of tokens spans.
    pub(super) fn text(&self, toks: &[Tok]) -> String {
        phrase(self.line, toks).trim().to_string()
    }

    fn entries(&self) -> &[Entry] {
        self.index.get_or_init(|| {
            self.draft
                .nodes()
                .map(|n| Entry {
                    id: n.id.clone(),
                    lower: n.label.trim().to_lowercase(),
                    slug: slug(&n.label),
                })
                .collect()
        })
    }
}

/// How well a phrase matched the steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lookup {
    /// By id, by whole label or by the label's slug; several only when labels repeat.
    Exact(Vec<NodeId>),
    /// By label prefix or substring.
    Fuzzy(Vec<NodeId>),
    /// Nothing matched the (quoted-as-typed) phrase.
    Missing(String),
    /// There was no phrase at all.
    Empty,
}

impl Lookup {
    /// Preference when choosing where to split a command: exact beats fuzzy beats nothing.
    pub(super) fn score(&self) -> u8 {
        match self {
            Lookup::Exact(_) => 2,
            Lookup::Fuzzy(_) => 1,
            Lookup::Missing(_) | Lookup::Empty => 0,
        }
    }

    /// Whether the phrase named a step exactly (id, label or slug).
    pub(super) fn is_exact(&self) -> bool {
        matches!(self, Lookup::Exact(_))
    }
}

/// Words around a reference that carry no meaning: "the build step".
const LEADING_FILLER: &[&str] = &[
    "the", "a", "an", "step", "node", "steps", "nodes", "my", "called", "named", "to", "from",
];
const TRAILING_FILLER: &[&str] = &["step", "node"];
/// Phrases meaning "the step the previous command was about".
const PRONOUNS: &[&str] = &[
    "it",
    "this",
    "that",
    "this step",
    "that step",
    "the new step",
    "new step",
    "the new one",
    "the step",
];

/// Drops filler words from both ends of a reference, keeping at least one token.
pub(super) fn strip_reference(toks: &[Tok]) -> &[Tok] {
    let mut toks = toks;
    while toks.len() > 1 && toks[0].is_any(LEADING_FILLER) {
        toks = &toks[1..];
    }
    while toks.len() > 1 && toks[toks.len() - 1].is_any(TRAILING_FILLER) {
        toks = &toks[..toks.len() - 1];
    }
    toks
}

/// Lower-case ASCII slug of a text: `Send to Slack!` → `send-to-slack`; common accented Latin
/// letters are folded, anything else separates words.
pub(super) fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in text.chars() {
        let folded = fold(c);
        if folded.is_empty() {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push('-');
        }
        gap = false;
        out.push_str(folded);
    }
    out
}

fn fold(c: char) -> &'static str {
    const ASCII: &str = "0123456789abcdefghijklmnopqrstuvwxyz";
    let lower = c.to_ascii_lowercase();
    if lower.is_ascii_alphanumeric() {
        let index = ASCII.find(lower).unwrap_or(0);
        return &ASCII[index..=index];
    }
    match c {
        'à'..='å' | 'À'..='Å' => "a",
        'ç' | 'Ç' => "c",
        'è'..='ë' | 'È'..='Ë' => "e",
        'ì'..='ï' | 'Ì'..='Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò'..='ö' | 'ø' | 'Ò'..='Ö' | 'Ø' => "o",
        'ù'..='ü' | 'Ù'..='Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        _ => "",
    }
}

/// Finds the steps a run of tokens names: exact id, then whole label (case-insensitive), then
/// case-insensitive id or same slug, then a label prefix, then a label substring.
pub(super) fn lookup(ctx: &Ctx<'_>, toks: &[Tok]) -> Lookup {
    let stripped = strip_reference(toks);
    let mut candidates: Vec<String> = Vec::new();
    for c in [ctx.text(toks), ctx.text(stripped)] {
        if !c.is_empty() && !candidates.contains(&c) {
            candidates.push(c);
        }
    }
    if candidates.is_empty() {
        return Lookup::Empty;
    }
    let draft = ctx.draft;
    for c in &candidates {
        if let Some(node) = draft.node(c) {
            return Lookup::Exact(vec![node.id.clone()]);
        }
    }
    let lowered: Vec<String> = candidates.iter().map(|c| c.to_lowercase()).collect();
    let entries = ctx.entries();
    let ids = |keep: &dyn Fn(&Entry) -> bool| -> Vec<NodeId> {
        entries
            .iter()
            .filter(|e| keep(e))
            .map(|e| e.id.clone())
            .collect()
    };
    for c in &lowered {
        let found = ids(&|e| e.lower == *c);
        if !found.is_empty() {
            return Lookup::Exact(found);
        }
    }
    if lowered.iter().any(|c| PRONOUNS.contains(&c.as_str()))
        && let Some(focus) = &ctx.focus
        && draft.contains_node(focus.as_str())
    {
        return Lookup::Exact(vec![focus.clone()]);
    }
    for (c, raw) in lowered.iter().zip(&candidates) {
        let wanted = slug(c);
        let found = ids(&|e| {
            e.id.as_str().eq_ignore_ascii_case(raw) || (!wanted.is_empty() && e.slug == wanted)
        });
        if !found.is_empty() {
            return Lookup::Exact(found);
        }
    }
    // "remove the": no name given ("remove step" may still mean the "Step 1" … steps).
    let filler_only = toks
        .iter()
        .all(|t| t.is_any(LEADING_FILLER) || t.is_any(TRAILING_FILLER));
    let words_only = toks
        .iter()
        .all(|t| t.is_any(&["the", "a", "an", "my", "called", "named", "to", "from"]));
    if words_only {
        return Lookup::Empty;
    }
    for c in lowered.iter().rev() {
        let found = ids(&|e| e.lower.starts_with(c.as_str()));
        if !found.is_empty() {
            return Lookup::Fuzzy(found);
        }
    }
    for c in lowered.iter().rev() {
        let found = ids(&|e| e.lower.contains(c.as_str()));
        if !found.is_empty() {
            return Lookup::Fuzzy(found);
        }
    }
    if filler_only {
        return Lookup::Empty;
    }
    Lookup::Missing(candidates.last().cloned().unwrap_or_default())
}

/// The one step a run of tokens names, or the question to ask; `what` is asked when the
/// phrase is empty ("Which step should I remove?").
pub(super) fn resolve(ctx: &Ctx<'_>, toks: &[Tok], what: &str) -> Result<NodeId, Stop> {
    match lookup(ctx, toks) {
        Lookup::Exact(found) | Lookup::Fuzzy(found) => match found.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(Stop::Ask(which_one(ctx.draft, &found))),
        },
        Lookup::Missing(name) => Err(Stop::Ask(not_found(ctx.draft, &name))),
        Lookup::Empty => Err(Stop::Ask(what.to_string())),
    }
}

/// Most steps named in one question.
const LISTED: usize = 5;

/// "Do you mean the 'Send Slack' step or the 'Send Email' step?"; ids are added when labels
/// repeat, since then only the id tells the steps apart.
pub(super) fn which_one(draft: &Draft, ids: &[NodeId]) -> String {
    let nodes: Vec<&Node> = ids
        .iter()
        .filter_map(|id| draft.node(id.as_str()))
        .collect();
    let shown = &nodes[..nodes.len().min(LISTED)];
    let repeated = |node: &Node| {
        let label = node.label.to_lowercase();
        nodes
            .iter()
            .filter(|other| other.label.to_lowercase() == label)
            .nth(1)
            .is_some()
    };
    let mut items: Vec<String> = shown
        .iter()
        .map(|node| {
            if repeated(node) {
                format!("the '{}' step (id {})", node.label, node.id)
            } else {
                format!("the '{}' step", node.label)
            }
        })
        .collect();
    let rest = nodes.len() - shown.len();
    if rest > 0 {
        items.push(format!(
            "one of {rest} other{}",
            if rest == 1 { "" } else { "s" }
        ));
    }
    format!("Do you mean {}?", join_or(&items, "or"))
}

/// "I couldn't find a step called 'X'. The steps are: 'A', 'B' and 'C'."
pub(super) fn not_found(draft: &Draft, name: &str) -> String {
    let name = shorten(name, 80);
    let count = draft.node_count();
    if count == 0 {
        return format!("I couldn't find a step called '{name}': the workflow has no steps yet.");
    }
    let labels: Vec<String> = draft
        .nodes()
        .take(LISTED)
        .map(|n| format!("'{}'", n.label))
        .collect();
    if count == 1 {
        return format!(
            "I couldn't find a step called '{name}'. The only step is {}.",
            labels.join("")
        );
    }
    if count <= LISTED {
        return format!(
            "I couldn't find a step called '{name}'. The steps are: {}.",
            join_or(&labels, "and")
        );
    }
    format!(
        "I couldn't find a step called '{name}'. Some of the steps: {} and {} more.",
        labels.join(", "),
        count - LISTED
    )
}

/// "a, b or c".
pub(super) fn join_or(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let kept: String = text.chars().take(max).collect();
        format!("{kept}…")
    }
}

/// Whether tokens are all quoted text (a name the person marked explicitly).
pub(super) fn is_quoted(toks: &[Tok]) -> bool {
    matches!(toks, [only] if only.kind == Kind::Quoted)
}
