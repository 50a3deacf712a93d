//! One command → the actions that carry it out, read against the draft as it stands before it.

use std::collections::HashSet;

use gen_workbench::canvas::{
    CanvasAction, DeleteEdge, SetNodeDescription, SetNodeType, SetSummary, SetTitle,
};
use gen_workbench::intent::{
    Add, Branch, BranchArm, Configure, Connect, EditIntent, Remove, Rename, Reorder,
};
use gen_workbench::limits::{MAX_BRANCHES, MAX_ID_BYTES};
use gen_workbench::{Action, Draft, Edge, Node, NodeId, Properties};
use serde_json::{Map, Number, Value};

use super::lex::{Command, Kind, Tok};
use super::resolve::{Ctx, Lookup, Stop, is_quoted, lookup, resolve, shorten, slug};

/// The type of a new step when the command names none.
const DEFAULT_KIND: &str = "action";
/// Type words accepted right after "add": "add a condition step Check".
const TYPE_WORDS: &[&str] = &["trigger", "action", "condition"];

/// What a command did: its actions and the step it was about (for a later "it").
pub(super) struct Output {
    /// The actions, in order.
    pub(super) actions: Vec<Action>,
    /// The step a following "it" refers to.
    pub(super) focus: Option<NodeId>,
}

type Parsed = Result<Output, Stop>;

/// Commands that are not edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    /// Revert the last edit.
    Undo,
    /// Restore the last undone edit.
    Redo,
    /// Show what the agent understands.
    Help,
}

/// Drops "please", "can you", "let's", … from the start of a command and "please" from its end.
pub(super) fn strip_politeness(toks: &[Tok]) -> &[Tok] {
    let mut toks = toks;
    loop {
        match toks {
            [first, rest @ ..]
                if first.is_any(&[
                    "please", "pls", "kindly", "also", "and", "ok", "okay", "now", "just", "let's",
                    "lets", "then",
                ]) =>
            {
                toks = rest;
            }
            [first, rest @ ..] if first.kind == Kind::Comma => toks = rest,
            [first, second, rest @ ..]
                if first.is_any(&["can", "could", "would", "will"]) && second.is("you") =>
            {
                toks = rest;
            }
            [first, second, third, rest @ ..]
                if first.is_any(&["i'd", "i\u{2019}d", "we'd", "we\u{2019}d"])
                    && second.is_any(&["like", "love"])
                    && third.is("to") =>
            {
                toks = rest;
            }
            [first, second, third, rest @ ..]
                if first.is_any(&["i", "we"])
                    && second.is_any(&["want", "need", "would", "wish"])
                    && third.is_any(&["to", "like"]) =>
            {
                toks = match rest {
                    [to, tail @ ..] if to.is("to") => tail,
                    _ => rest,
                };
            }
            [init @ .., last] if last.is("please") => toks = init,
            _ => return toks,
        }
    }
}

/// Whether a command is "undo", "redo" or "help" rather than an edit.
pub(super) fn special(cmd: &Command<'_>) -> Option<Special> {
    let toks = strip_politeness(&cmd.toks);
    let (first, rest) = toks.split_first()?;
    let filler = [
        "that", "it", "this", "last", "the", "change", "changes", "edit", "step", "my", "please",
        "again", "one",
    ];
    let only_filler = rest
        .iter()
        .all(|t| t.kind == Kind::Comma || t.is_any(&filler));
    if first.is("undo") && only_filler {
        return Some(Special::Undo);
    }
    if first.is("redo") && only_filler {
        return Some(Special::Redo);
    }
    if first.is_any(&[
        "help", "commands", "examples", "usage", "hi", "hello", "hey",
    ]) || (first.is("what") && rest.first().is_some_and(|t| t.is_any(&["can", "do"])))
        || (first.is("how")
            && rest
                .first()
                .is_some_and(|t| t.is_any(&["do", "can", "does"])))
    {
        return Some(Special::Help);
    }
    None
}

/// Reads one command; `Err(Stop::Unknown)` when it is not one the agent knows.
pub(super) fn parse(ctx: &Ctx<'_>, cmd: &Command<'_>) -> Parsed {
    let toks = strip_politeness(&cmd.toks);
    let Some((verb, rest)) = toks.split_first() else {
        return Err(Stop::Unknown);
    };
    let verb_text = if verb.kind == Kind::Word {
        verb.text.trim_end_matches(':').to_ascii_lowercase()
    } else {
        String::new()
    };
    match verb_text.as_str() {
        "add" | "create" | "insert" | "append" | "new" => add(ctx, rest),
        "remove" | "delete" | "drop" | "rm" | "del" | "erase" => remove(ctx, rest),
        "disconnect" | "unlink" | "unconnect" | "detach" => disconnect(ctx, rest),
        "rename" | "relabel" | "retitle" => rename(ctx, rest),
        "connect" | "link" | "join" | "wire" => connect(ctx, rest),
        "configure" | "config" | "setup" => configure(ctx, rest),
        "set" | "change" | "update" => set(ctx, rest),
        "unset" | "clear" => unset(ctx, rest),
        "branch" | "split" | "fork" => branch(ctx, rest),
        "fan" => branch(ctx, strip_words(rest, &["out"])),
        "move" | "put" | "place" => move_steps(ctx, rest),
        "make" | "turn" => make(ctx, rest),
        "reorder" | "order" | "sort" | "arrange" | "rearrange" => reorder(ctx, rest),
        _ => Err(Stop::Unknown),
    }
}

// ---- small helpers ----

fn edit(actions: Vec<Action>, focus: Option<NodeId>) -> Parsed {
    Ok(Output { actions, focus })
}

fn ask(question: impl Into<String>) -> Stop {
    Stop::Ask(question.into())
}

/// Drops leading tokens that are any of `words`, keeping at least one token.
fn strip_words<'t>(toks: &'t [Tok], words: &[&str]) -> &'t [Tok] {
    let mut toks = toks;
    while toks.len() > 1 && toks[0].is_any(words) {
        toks = &toks[1..];
    }
    toks
}

/// Drops trailing tokens that are any of `words` or commas.
fn strip_trailing<'t>(toks: &'t [Tok], words: &[&str]) -> &'t [Tok] {
    let mut toks = toks;
    while let [init @ .., last] = toks
        && (last.is_any(words) || last.kind == Kind::Comma)
    {
        toks = init;
    }
    toks
}

/// Most split points weighed per choice (the first and last halves are kept), so a message
/// full of "to to to …" costs a bounded number of lookups.
const MAX_SPLITS: usize = 16;

/// Keeps the first and last `MAX_SPLITS / 2` candidates.
fn bounded(mut positions: Vec<usize>) -> Vec<usize> {
    if positions.len() > MAX_SPLITS {
        let keep = MAX_SPLITS / 2;
        let end = positions.len() - keep;
        positions.drain(keep..end);
    }
    positions
}

/// Positions `i` (with tokens on both sides) where `is_sep` holds, bounded by [`MAX_SPLITS`].
fn separators(toks: &[Tok], is_sep: impl Fn(&Tok) -> bool) -> Vec<usize> {
    bounded(
        (1..toks.len().saturating_sub(1))
            .filter(|&i| is_sep(&toks[i]))
            .collect(),
    )
}

/// Most steps one list may name ("remove A, B, C, …").
const MAX_LIST: usize = 100;

/// The candidate with the highest score; ties go to the earliest (or latest) candidate.
fn best<T: Copy>(candidates: &[T], latest: bool, score: impl Fn(T) -> u8) -> Option<T> {
    let mut chosen: Option<(T, u8)> = None;
    for &candidate in candidates {
        let s = score(candidate);
        let better = match chosen {
            None => true,
            Some((_, best)) => s > best || (latest && s == best),
        };
        if better {
            chosen = Some((candidate, s));
        }
    }
    chosen.map(|(candidate, _)| candidate)
}

fn label_of(draft: &Draft, id: &NodeId) -> String {
    draft
        .node(id.as_str())
        .map_or_else(|| id.to_string(), |n| n.label.clone())
}

/// A fresh id for a new step: the slug of its label, made unique with `-2`, `-3`, … against the
/// draft and against ids already chosen in this command.
pub(super) fn new_id(draft: &Draft, label: &str, taken: &HashSet<String>) -> String {
    const ROOM_FOR_SUFFIX: usize = 8;
    let mut base = slug(label);
    base.truncate(MAX_ID_BYTES - ROOM_FOR_SUFFIX);
    let base = base.trim_matches('-');
    let base = if base.is_empty() { "step" } else { base };
    let free = |candidate: &str| !draft.contains_node(candidate) && !taken.contains(candidate);
    if free(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| free(candidate))
        .unwrap_or_else(|| base.to_string())
}

fn add_action(node: Node, after: Option<NodeId>, from: Option<NodeId>) -> Action {
    EditIntent::Add(Add {
        node,
        after_node_id: after,
        connect_from: from,
    })
    .into()
}

fn connect_action(source: &NodeId, target: &NodeId, label: Option<String>) -> Action {
    EditIntent::Connect(Connect {
        source: source.clone(),
        target: target.clone(),
        label,
    })
    .into()
}

fn delete_edge_action(source: &NodeId, target: &NodeId) -> Action {
    CanvasAction::DeleteEdge(DeleteEdge {
        source: source.clone(),
        target: target.clone(),
    })
    .into()
}

fn edge(draft: &Draft, source: &NodeId, target: &NodeId) -> Option<Edge> {
    draft.edge(source.as_str(), target.as_str()).cloned()
}

/// A list of existing steps: "Lint, Test and Deploy". A part that names a step exactly is kept
/// whole ("Build and Test" when such a step exists); otherwise parts split at "and", "or", "&".
fn reference_list(ctx: &Ctx<'_>, toks: &[Tok], what: &str) -> Result<Vec<NodeId>, Stop> {
    if toks.is_empty() {
        return Err(ask(what));
    }
    if lookup(ctx, toks).is_exact() {
        return resolve(ctx, toks, what).map(|id| vec![id]);
    }
    let mut ids: Vec<NodeId> = Vec::new();
    let separators = toks
        .iter()
        .filter(|t| matches!(t.kind, Kind::Comma | Kind::Arrow) || t.is_any(&["and", "or", "&"]))
        .count();
    if separators >= MAX_LIST {
        return Err(ask(format!(
            "That is a lot of steps for one command. Name at most {MAX_LIST} at a time."
        )));
    }
    for segment in toks.split(|t| matches!(t.kind, Kind::Comma | Kind::Arrow)) {
        let segment = strip_words(segment, &["and", "or", "&", "then"]);
        if segment.is_empty() || (segment.len() == 1 && segment[0].is_any(&["and", "or", "&"])) {
            continue;
        }
        let found = if lookup(ctx, segment).is_exact() {
            vec![resolve(ctx, segment, what)?]
        } else {
            let parts: Vec<&[Tok]> = segment
                .split(|t| t.is_any(&["and", "or", "&", "plus"]))
                .filter(|p| !p.is_empty())
                .collect();
            let each: Result<Vec<NodeId>, Stop> =
                parts.iter().map(|p| resolve(ctx, p, what)).collect();
            match each {
                Ok(found) => found,
                // "Build and Test" may still name one step by prefix.
                Err(stop) => match resolve(ctx, segment, what) {
                    Ok(id) if parts.len() > 1 => vec![id],
                    _ => return Err(stop),
                },
            }
        };
        for id in found {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(ask(what));
    }
    Ok(ids)
}

/// Names of new steps: "Approve, Reject and Escalate" (split at commas, arrows, "and", "or").
fn name_list(ctx: &Ctx<'_>, toks: &[Tok]) -> Vec<String> {
    toks.split(|t| {
        matches!(t.kind, Kind::Comma | Kind::Arrow) || t.is_any(&["and", "or", "&", "/"])
    })
    .map(|part| strip_words(part, &["a", "an", "the", "step", "new"]))
    .map(|part| ctx.text(part))
    .filter(|name| !name.is_empty())
    .collect()
}

// ---- add ----

const POSITION_WORDS: &[&str] = &["after", "before", "between"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    After,
    Before,
    Between,
}

fn add(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let mut toks: Vec<Tok> = rest.to_vec();
    let mut kind: Option<String> = None;
    // "… of type http.request" / "… type webhook", right before a position or at the end.
    let type_at = (1..toks.len().saturating_sub(1)).rev().find(|&k| {
        toks[k].is("type")
            && toks[k + 1].is_name()
            && toks.get(k + 2).is_none_or(|t| t.is_any(POSITION_WORDS))
    });
    if let Some(k) = type_at {
        kind = Some(toks[k + 1].text.clone());
        let from = if k >= 2 && toks[k - 1].is_any(&["of", "with", "as"]) {
            k - 1
        } else {
            k
        };
        toks.drain(from..k + 2);
    }
    // Where it goes: the position word whose reference matches best, the last one on ties
    // ("add Cleanup after failure after Build").
    let places = separators(&toks, |t| t.is_any(POSITION_WORDS));
    let place = best(&places, true, |i| {
        let target = &toks[i + 1..];
        if toks[i].is("between") {
            best_pair_score(ctx, target)
        } else {
            lookup(ctx, target).score()
        }
    });
    let name_toks = place.map_or(&toks[..], |i| &toks[..i]);
    let unnamed = match name_toks {
        [only] => only.is_any(&["step", "node", "new", "another"]),
        _ => name_toks
            .iter()
            .all(|t| t.is_any(&["a", "an", "the", "new", "another", "step", "node"])),
    };
    if unnamed {
        return Err(ask(
            "What should the new step be called? For example: add Deploy after Build",
        ));
    }
    let (name_toks, word_kind) = strip_add_name(name_toks);
    let kind = kind
        .or(word_kind)
        .unwrap_or_else(|| DEFAULT_KIND.to_string());
    let mut label = ctx.text(name_toks);
    if let [only] = name_toks
        && only.is_any(TYPE_WORDS)
    {
        // "add a trigger": a step named after its type.
        let mut chars = only.text.chars();
        label = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
    }
    if label.is_empty() {
        return Err(ask(
            "What should the new step be called? For example: add Deploy after Build",
        ));
    }
    let id = NodeId::new(&new_id(ctx.draft, &label, &HashSet::new()));
    let node = Node::new(id.as_str(), &label, &kind);
    let Some(i) = place else {
        return edit(vec![add_action(node, None, None)], Some(id));
    };
    let target = &toks[i + 1..];
    let which = if toks[i].is("after") {
        Place::After
    } else if toks[i].is("before") {
        Place::Before
    } else {
        Place::Between
    };
    let hint = |stop: Stop| match stop {
        Stop::Ask(q) if q.starts_with("I couldn't find") => Stop::Ask(format!(
            "{q} (If the new step's name contains words like \"after\", put it in quotes.)"
        )),
        other => other,
    };
    match which {
        Place::After => {
            let anchor = resolve(ctx, target, "After which step should I add it?").map_err(hint)?;
            add_after(ctx.draft, node, &anchor, None)
        }
        Place::Before => {
            let anchor =
                resolve(ctx, target, "Before which step should I add it?").map_err(hint)?;
            add_before(ctx.draft, node, &anchor)
        }
        Place::Between => {
            let (a, b) =
                pair(ctx, target, "Between which two steps should I add it?").map_err(hint)?;
            // "between A and B" when only B → A exists means that connection.
            let (a, b) = if edge(ctx.draft, &a, &b).is_none() && edge(ctx.draft, &b, &a).is_some() {
                (b, a)
            } else {
                (a, b)
            };
            add_after(ctx.draft, node, &a, Some(&b))
        }
    }
}

/// Splits "a condition step called Check" into the name tokens and the type word, if any.
fn strip_add_name(toks: &[Tok]) -> (&[Tok], Option<String>) {
    let mut toks = toks;
    let mut kind = None;
    loop {
        match toks {
            [first, next, ..] if is_name_filler(first, next) => toks = &toks[1..],
            [first, _, ..] if kind.is_none() && first.is_any(TYPE_WORDS) => {
                kind = Some(first.text.to_ascii_lowercase());
                toks = &toks[1..];
            }
            [only] if kind.is_none() && only.is_any(TYPE_WORDS) => {
                return (toks, Some(only.text.to_ascii_lowercase()));
            }
            _ => return (toks, kind),
        }
    }
}

/// Whether `first` is filler before a new step's name: a lower-case article ("a", not the
/// name "A"), "new", "called", or "step" not followed by a number ("Step 2" is a name).
fn is_name_filler(first: &Tok, next: &Tok) -> bool {
    let article = matches!(first.text.as_str(), "a" | "an" | "the") && first.kind == Kind::Word;
    let step = first.is_any(&["step", "node"])
        && !(next.kind == Kind::Word && next.text.chars().all(|c| c.is_ascii_digit()));
    article || step || first.is_any(&["new", "another", "called", "named"])
}

/// Inserts `node` after `anchor` (display order and an edge from it). With `then` the new step
/// also leads there; without, when `anchor` had exactly one successor the new step is spliced in
/// front of it. A spliced connection's label stays on the connection leaving `anchor`.
fn add_after(draft: &Draft, node: Node, anchor: &NodeId, then: Option<&NodeId>) -> Parsed {
    let id = node.id.clone();
    let next = match then {
        Some(b) => Some(b.clone()),
        None => match draft
            .outgoing(anchor.as_str())
            .collect::<Vec<_>>()
            .as_slice()
        {
            [only] => Some(only.target.clone()),
            _ => None,
        },
    };
    let mut actions = vec![add_action(node, Some(anchor.clone()), Some(anchor.clone()))];
    if let Some(next) = next
        && next != *anchor
    {
        actions.push(connect_action(&id, &next, None));
        if let Some(old) = edge(draft, anchor, &next) {
            actions.push(delete_edge_action(anchor, &next));
            if old.label.is_some() {
                actions.push(connect_action(anchor, &id, old.label));
            }
        }
    }
    edit(actions, Some(id))
}

/// Inserts `node` before `anchor`: in display order, and every connection into `anchor` now
/// enters the new step, which leads to `anchor`.
fn add_before(draft: &Draft, node: Node, anchor: &NodeId) -> Parsed {
    let id = node.id.clone();
    let position = draft.position(anchor.as_str()).unwrap_or(0);
    let previous = position
        .checked_sub(1)
        .and_then(|p| draft.nodes().nth(p))
        .map(|n| n.id.clone());
    let first = previous.is_none();
    let incoming: Vec<Edge> = draft.incoming(anchor.as_str()).cloned().collect();
    // With one predecessor the `add` itself makes the connection into the new step.
    let from = match incoming.as_slice() {
        [only] => Some(only.source.clone()),
        _ => None,
    };
    let mut actions = vec![add_action(node, previous, from.clone())];
    for e in incoming {
        if from.is_none() || e.label.is_some() {
            actions.push(connect_action(&e.source, &id, e.label.clone()));
        }
        actions.push(delete_edge_action(&e.source, anchor));
    }
    actions.push(connect_action(&id, anchor, None));
    if first {
        // `add` can only insert after a step; put the new one in front explicitly.
        let mut order = vec![id.clone()];
        order.extend(draft.nodes().map(|n| n.id.clone()));
        actions.push(EditIntent::Reorder(Reorder { node_ids: order }).into());
    }
    edit(actions, Some(id))
}

// ---- two references ----

const PAIR_SEPARATORS: &[&str] = &["and", "to", "&", "from", "with", "into"];

/// The best score of splitting tokens into two references.
fn best_pair_score(ctx: &Ctx<'_>, toks: &[Tok]) -> u8 {
    separators(toks, is_pair_separator)
        .into_iter()
        .map(|i| lookup(ctx, &toks[..i]).score() + lookup(ctx, &toks[i + 1..]).score())
        .max()
        .unwrap_or(0)
}

fn is_pair_separator(t: &Tok) -> bool {
    t.kind == Kind::Arrow || t.kind == Kind::Comma || t.is_any(PAIR_SEPARATORS)
}

/// Two existing steps: "A and B", "A to B", "A -> B".
fn pair(ctx: &Ctx<'_>, toks: &[Tok], what: &str) -> Result<(NodeId, NodeId), Stop> {
    let seps = separators(toks, is_pair_separator);
    let Some(i) = best(&seps, false, |i| {
        lookup(ctx, &toks[..i]).score() + lookup(ctx, &toks[i + 1..]).score()
    }) else {
        return Err(ask(what));
    };
    let a = resolve(ctx, &toks[..i], what)?;
    let b = resolve(ctx, &toks[i + 1..], what)?;
    Ok((a, b))
}

// ---- connect ----

const LABEL_WORDS: &[&str] = &[
    "as",
    "labelled",
    "labeled",
    "label",
    "labelling",
    "labeling",
    "saying",
    "when",
    "if",
];

/// Splits "Deploy as on success" into the target tokens and an optional connection label,
/// preferring the split whose target names a step best (the whole phrase on ties).
fn split_label<'t>(ctx: &Ctx<'_>, toks: &'t [Tok]) -> (&'t [Tok], Option<String>, u8) {
    let whole = side_score(ctx, toks);
    let mut chosen: (&[Tok], Option<String>, u8) = (toks, None, whole);
    let starts = bounded(
        (1..toks.len())
            .filter(|&j| {
                let t = &toks[j];
                t.is_any(LABEL_WORDS)
                    || (t.is("with")
                        && toks.get(j + 1).is_some_and(|n| n.is_any(&["label", "the"])))
            })
            .collect(),
    );
    for j in starts {
        let t = &toks[j];
        let keep_keyword = t.is_any(&["when", "if"]);
        let label_toks = if keep_keyword {
            &toks[j..]
        } else {
            &toks[j + 1..]
        };
        let label_toks = if keep_keyword {
            label_toks
        } else {
            strip_words(label_toks, &["label", "the", "as", "of", ":"])
        };
        let label = ctx.text(label_toks);
        if label.is_empty() {
            continue;
        }
        let score = side_score(ctx, &toks[..j]);
        if score > chosen.2 {
            chosen = (&toks[..j], Some(label), score);
        }
    }
    chosen
}

fn connect(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let toks = strip_words(rest, &["from"]);
    let what = "Which two steps should I connect? For example: connect Build to Deploy";
    if toks.iter().any(|t| t.kind == Kind::Arrow) {
        // A chain: "A -> B -> C as done" (the label goes on the last connection).
        let segments: Vec<&[Tok]> = toks.split(|t| t.kind == Kind::Arrow).collect();
        if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
            return Err(ask(what));
        }
        let mut ids = Vec::with_capacity(segments.len());
        let mut label = None;
        for (n, segment) in segments.iter().enumerate() {
            let segment = if n + 1 == segments.len() {
                let (target, found, _) = split_label(ctx, segment);
                label = found;
                target
            } else {
                segment
            };
            ids.push(resolve(ctx, segment, what)?);
        }
        let count = ids.len() - 1;
        let actions = ids
            .windows(2)
            .enumerate()
            .map(|(n, w)| {
                let label = if n + 1 == count { label.clone() } else { None };
                connect_action(&w[0], &w[1], label)
            })
            .collect();
        return edit(actions, ids.last().cloned());
    }
    let seps = separators(toks, |t| t.is_any(&["to", "into", "and", "&", "with"]));
    let Some(i) = best(&seps, false, |i| {
        side_score(ctx, &toks[..i]) + split_label(ctx, &toks[i + 1..]).2
    }) else {
        return Err(ask(what));
    };
    let sources = side(ctx, &toks[..i], what)?;
    let (target_toks, label, _) = split_label(ctx, &toks[i + 1..]);
    let targets = side(ctx, target_toks, what)?;
    let mut actions = Vec::new();
    for source in &sources {
        for target in targets.iter().filter(|t| *t != source) {
            actions.push(connect_action(source, target, label.clone()));
        }
    }
    if actions.is_empty() {
        return Err(ask(format!(
            "A step cannot connect to itself. Which step should '{}' connect to?",
            sources
                .first()
                .map(|s| label_of(ctx.draft, s))
                .unwrap_or_default()
        )));
    }
    edit(actions, targets.last().cloned())
}

/// How well one side of a connection names steps: one step, or a short list ("Test and Deploy")
/// scored by its weakest item.
fn side_score(ctx: &Ctx<'_>, toks: &[Tok]) -> u8 {
    let single = lookup(ctx, toks).score();
    if single > 0 {
        return single;
    }
    let parts: Vec<&[Tok]> = toks
        .split(|t| t.kind == Kind::Comma || t.is_any(&["and", "&"]))
        .map(|p| strip_words(p, &["and"]))
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 || parts.len() > MAX_SPLITS {
        return 0;
    }
    parts
        .iter()
        .map(|p| lookup(ctx, p).score())
        .min()
        .unwrap_or(0)
}

/// The steps one side of a connection names: one, or a list when no single step matches.
fn side(ctx: &Ctx<'_>, toks: &[Tok], what: &str) -> Result<Vec<NodeId>, Stop> {
    match lookup(ctx, toks) {
        Lookup::Missing(_) if side_score(ctx, toks) > 0 => reference_list(ctx, toks, what),
        _ => resolve(ctx, toks, what).map(|id| vec![id]),
    }
}

fn disconnect(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let toks = strip_words(rest, &["from", "between", "the"]);
    let what = "Which connection should I remove? For example: disconnect Build from Deploy";
    let seps = separators(toks, is_pair_separator);
    let Some(i) = best(&seps, false, |i| {
        lookup(ctx, &toks[..i]).score() + lookup(ctx, &toks[i + 1..]).score()
    }) else {
        return Err(ask(what));
    };
    let a = resolve(ctx, &toks[..i], what)?;
    let b = resolve(ctx, &toks[i + 1..], what)?;
    let directed = toks[i].kind == Kind::Arrow || toks[i].is("to");
    let forward = edge(ctx.draft, &a, &b).is_some();
    let backward = edge(ctx.draft, &b, &a).is_some();
    let mut actions = Vec::new();
    if forward {
        actions.push(delete_edge_action(&a, &b));
    }
    if backward && !(directed && forward) {
        actions.push(delete_edge_action(&b, &a));
    }
    if actions.is_empty() {
        return Err(ask(format!(
            "'{}' and '{}' are not connected. Which connection should I remove?",
            label_of(ctx.draft, &a),
            label_of(ctx.draft, &b)
        )));
    }
    edit(actions, None)
}

// ---- remove ----

const EDGE_WORDS: &[&str] = &[
    "connection",
    "connections",
    "edge",
    "edges",
    "link",
    "links",
    "arrow",
    "arrows",
];

fn remove(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "Which step should I remove? For example: remove Lint";
    let toks = strip_words(rest, &["the", "a", "an"]);
    if toks.len() > 1 && toks[0].is_any(EDGE_WORDS) && !lookup(ctx, toks).is_exact() {
        return disconnect(ctx, &toks[1..]);
    }
    let ids = reference_list(ctx, toks, what)?;
    let actions = ids
        .into_iter()
        .map(|node_id| EditIntent::Remove(Remove { node_id }).into())
        .collect();
    edit(actions, None)
}

// ---- rename ----

const WORKFLOW_NAMES: &[&str] = &[
    "workflow",
    "the workflow",
    "this workflow",
    "workflow title",
    "the workflow title",
    "title",
    "the title",
    "blueprint",
    "the blueprint",
];

fn is_workflow(ctx: &Ctx<'_>, toks: &[Tok]) -> bool {
    !lookup(ctx, toks).is_exact()
        && !is_quoted(toks)
        && WORKFLOW_NAMES.contains(&ctx.text(toks).to_lowercase().as_str())
}

fn rename(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "Which step should I rename, and to what? For example: rename Deploy to Release";
    let seps = separators(rest, |t| {
        t.is_any(&["to", "as", "into"]) || matches!(t.kind, Kind::Arrow | Kind::Eq)
    });
    let Some(i) = best(&seps, false, |i| lookup(ctx, &rest[..i]).score()) else {
        return Err(ask(what));
    };
    let label = ctx.text(&rest[i + 1..]);
    if label.is_empty() {
        return Err(ask(what));
    }
    if is_workflow(ctx, &rest[..i]) {
        return edit(vec![set_title(label)], None);
    }
    let node_id = resolve(ctx, &rest[..i], what)?;
    edit(
        vec![
            EditIntent::Rename(Rename {
                node_id: node_id.clone(),
                label,
            })
            .into(),
        ],
        Some(node_id),
    )
}

fn set_title(title: String) -> Action {
    CanvasAction::SetTitle(SetTitle { title }).into()
}

// ---- configure / set / unset ----

/// A typed property value: numbers, booleans and `null` are JSON, anything else (and anything
/// quoted) is a string.
fn value(ctx: &Ctx<'_>, toks: &[Tok]) -> Value {
    if is_quoted(toks) {
        return Value::String(ctx.text(toks));
    }
    let text = ctx.text(toks);
    match text.to_ascii_lowercase().as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        _ => {}
    }
    if let Ok(n) = text.parse::<i64>() {
        return Value::Number(n.into());
    }
    let numeric = text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    if numeric
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text)
}

/// Indices of property keys: a word or quoted text directly followed by `=`.
fn key_positions(toks: &[Tok]) -> Vec<usize> {
    (0..toks.len().saturating_sub(1))
        .filter(|&i| toks[i].is_name() && toks[i + 1].kind == Kind::Eq)
        .collect()
}

/// `region=eu-west-1 retries=3, debug=true and note="two words"`.
fn pairs(ctx: &Ctx<'_>, toks: &[Tok], step: &str) -> Result<Map<String, Value>, Stop> {
    let keys = key_positions(toks);
    let example = || {
        ask(format!(
            "What should I set on '{step}'? For example: configure {} with retries=3 region=eu-west-1",
            shorten(step, 40)
        ))
    };
    let Some(&first) = keys.first() else {
        return Err(example());
    };
    let connectors = ["with", "and", "using", "setting", "to", "have", ":"];
    if toks[..first]
        .iter()
        .any(|t| !(t.kind == Kind::Comma || t.is_any(&connectors)))
    {
        return Err(example());
    }
    let mut map = Map::new();
    for (n, &k) in keys.iter().enumerate() {
        let end = keys.get(n + 1).copied().unwrap_or(toks.len());
        let value_toks = strip_trailing(&toks[k + 2..end], &["and", "with"]);
        let key = ctx.text(&toks[k..=k]);
        if value_toks.is_empty() {
            return Err(ask(format!(
                "What value should '{}' have? For example: {}=3",
                shorten(&key, 40),
                shorten(&key, 40)
            )));
        }
        map.insert(key, value(ctx, value_toks));
    }
    Ok(map)
}

fn configure_action(node_id: NodeId, map: Map<String, Value>) -> Action {
    EditIntent::Configure(Configure {
        node_id,
        properties: Properties(map),
    })
    .into()
}

fn configure(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "Which step should I configure? For example: configure Deploy with retries=3";
    let keys = key_positions(rest);
    let end = keys.first().copied().unwrap_or(rest.len());
    let reference = strip_trailing(
        &rest[..end],
        &[
            "with", "using", "setting", "set", "to", "have", "so", "that", ":",
        ],
    );
    let node_id = resolve(ctx, reference, what)?;
    let map = pairs(
        ctx,
        &rest[reference.len()..],
        &label_of(ctx.draft, &node_id),
    )?;
    edit(vec![configure_action(node_id.clone(), map)], Some(node_id))
}

/// Applies one "set KEY of STEP to VALUE": node fields (type, description, label/name) get their
/// own actions, anything else is a property.
fn set_field(ctx: &Ctx<'_>, node_id: NodeId, key: &str, value_toks: &[Tok]) -> Parsed {
    let text = ctx.text(value_toks);
    let clears = text.eq_ignore_ascii_case("null") && !is_quoted(value_toks);
    let action: Action = match key.to_lowercase().as_str() {
        "type" | "kind" => CanvasAction::SetNodeType(SetNodeType {
            node_id: node_id.clone(),
            kind: text,
        })
        .into(),
        "description" => CanvasAction::SetNodeDescription(SetNodeDescription {
            node_id: node_id.clone(),
            description: (!clears).then_some(text),
        })
        .into(),
        "label" | "name" => EditIntent::Rename(Rename {
            node_id: node_id.clone(),
            label: text,
        })
        .into(),
        _ => {
            let mut map = Map::new();
            map.insert(key.to_string(), value(ctx, value_toks));
            configure_action(node_id.clone(), map)
        }
    };
    edit(vec![action], Some(node_id))
}

const OF_WORDS: &[&str] = &["of", "on", "for", "in", "at"];
const TO_WORDS: &[&str] = &["to", "as", ":"];

fn set(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "What should I set? For example: set region of Deploy to eu-west-1";
    if rest.first().is_some_and(|t| t.is("up")) {
        return configure(ctx, &rest[1..]);
    }
    // The workflow's own title and summary.
    let head = strip_words(rest, &["the", "workflow", "workflow's", "workflows"]);
    if let [field, sep, value @ ..] = head
        && field.is_any(&["title", "summary"])
        && (sep.is_any(TO_WORDS) || sep.kind == Kind::Eq)
        && !value.is_empty()
    {
        let text = ctx.text(value);
        let action = if field.is("title") {
            set_title(text)
        } else {
            CanvasAction::SetSummary(SetSummary { summary: text }).into()
        };
        return edit(vec![action], None);
    }
    let keys = key_positions(rest);
    if keys.first() == Some(&0) {
        // "set retries=3 region=eu on Deploy"
        let ofs = separators(rest, |t| t.is_any(OF_WORDS));
        let Some(i) = best(&ofs, true, |i| lookup(ctx, &rest[i + 1..]).score()) else {
            return Err(ask(what));
        };
        let node_id = resolve(ctx, &rest[i + 1..], what)?;
        let map = pairs(ctx, &rest[..i], &label_of(ctx.draft, &node_id))?;
        return edit(vec![configure_action(node_id.clone(), map)], Some(node_id));
    }
    if let Some(&k) = keys.first() {
        // "set Deploy region=eu": a step, then properties.
        if lookup(ctx, strip_trailing(&rest[..k], &["with", ":"])).score() > 0 {
            return configure(ctx, rest);
        }
    }
    // "set Check to condition": a step and one of the type words.
    if let [init @ .., sep, kind] = rest
        && !init.is_empty()
        && sep.is("to")
        && kind.is_any(TYPE_WORDS)
        && lookup(ctx, init).score() > 0
        && !rest.iter().any(|t| t.is_any(OF_WORDS))
    {
        let node_id = resolve(ctx, init, what)?;
        return set_field(ctx, node_id, "type", std::slice::from_ref(kind));
    }
    // "set KEY of STEP to VALUE" or "set KEY to VALUE for STEP".
    let ofs = separators(rest, |t| t.is_any(OF_WORDS));
    let tos = separators(rest, |t| t.is_any(TO_WORDS) || t.kind == Kind::Eq);
    let mut forms: Vec<(usize, usize, bool)> = Vec::new();
    for &i in &ofs {
        for &j in &tos {
            if j > i + 1 {
                forms.push((i, j, true));
            }
            if i > j + 1 {
                forms.push((j, i, false));
            }
        }
    }
    let step_of = |(a, b, of_first): (usize, usize, bool)| -> &[Tok] {
        if of_first {
            &rest[a + 1..b]
        } else {
            &rest[b + 1..]
        }
    };
    let Some(form) = best(&forms, false, |f| lookup(ctx, step_of(f)).score()) else {
        return Err(ask(what));
    };
    let (a, b, of_first) = form;
    let key = ctx.text(strip_words(&rest[..a], &["the"]));
    let value_toks = if of_first {
        &rest[b + 1..]
    } else {
        &rest[a + 1..b]
    };
    if key.is_empty() || value_toks.is_empty() {
        return Err(ask(what));
    }
    let node_id = resolve(ctx, step_of(form), what)?;
    if !of_first {
        return set_field(ctx, node_id, &key, value_toks);
    }
    // "… to 3 and region to eu": more settings of the same step, merged into one `configure`.
    let mut settings: Vec<(String, &[Tok])> = Vec::new();
    let mut current_key = key;
    let mut start = 0;
    let mut j = 0;
    while j < value_toks.len() {
        let more = (value_toks[j].kind == Kind::Comma || value_toks[j].is("and"))
            && j > start
            && value_toks.get(j + 1).is_some_and(|t| t.kind == Kind::Word)
            && value_toks
                .get(j + 2)
                .is_some_and(|t| t.is_any(TO_WORDS) || t.kind == Kind::Eq)
            && j + 3 < value_toks.len();
        if more {
            settings.push((current_key, &value_toks[start..j]));
            current_key = ctx.text(&value_toks[j + 1..j + 2]);
            start = j + 3;
            j = start;
        } else {
            j += 1;
        }
    }
    settings.push((current_key, &value_toks[start..]));
    let mut actions = Vec::new();
    let mut map = Map::new();
    for (key, toks) in settings {
        if matches!(
            key.to_lowercase().as_str(),
            "type" | "kind" | "description" | "label" | "name"
        ) {
            actions.extend(set_field(ctx, node_id.clone(), &key, toks)?.actions);
        } else {
            map.insert(key, value(ctx, toks));
        }
    }
    if !map.is_empty() {
        actions.push(configure_action(node_id.clone(), map));
    }
    edit(actions, Some(node_id))
}

fn unset(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "What should I clear? For example: unset region of Deploy";
    let ofs = separators(rest, |t| t.is_any(&["of", "on", "from", "for", "in"]));
    let Some(i) = best(&ofs, true, |i| lookup(ctx, &rest[i + 1..]).score()) else {
        return Err(ask(what));
    };
    let node_id = resolve(ctx, &rest[i + 1..], what)?;
    let keys: Vec<String> = rest[..i]
        .split(|t| t.kind == Kind::Comma || t.is("and"))
        .map(|k| ctx.text(strip_words(k, &["the", "property", "key"])))
        .filter(|k| !k.is_empty())
        .collect();
    if keys.is_empty() {
        return Err(ask(what));
    }
    let mut map = Map::new();
    let mut actions = Vec::new();
    for key in keys {
        if key.eq_ignore_ascii_case("description") {
            actions.push(
                CanvasAction::SetNodeDescription(SetNodeDescription {
                    node_id: node_id.clone(),
                    description: None,
                })
                .into(),
            );
        } else {
            map.insert(key, Value::Null);
        }
    }
    if !map.is_empty() {
        actions.push(configure_action(node_id.clone(), map));
    }
    edit(actions, Some(node_id))
}

/// "make Check a condition", "turn Notify into an action step": changes a step's type.
fn make(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "Which step should change type, and to what? For example: make Check a condition";
    let seps = separators(rest, |t| t.is_any(&["a", "an", "into", "to"]));
    let Some(i) = best(&seps, true, |i| lookup(ctx, &rest[..i]).score()) else {
        return Err(Stop::Unknown);
    };
    let kind = strip_trailing(strip_words(&rest[i + 1..], &["a", "an"]), &["step", "node"]);
    if kind.len() != 1 {
        return Err(Stop::Unknown);
    }
    let node_id = resolve(ctx, &rest[..i], what)?;
    set_field(ctx, node_id, "type", kind)
}

// ---- branch ----

const JOIN_WORDS: &[&str] = &[
    "join",
    "joining",
    "rejoin",
    "rejoining",
    "merge",
    "merging",
    "converge",
    "converging",
    "continue",
    "continuing",
    "lead",
    "leading",
    "both",
    "all",
    "each",
];

fn branch(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "Where should the branch start, and which steps should it lead to? For example: \
                branch from Check to Approve and Reject";
    let toks = strip_words(rest, &["from", "off", "out", "of", "at", "after", "the"]);
    let seps = separators(toks, |t| {
        t.is_any(&["to", "into", "with", "in"]) || t.kind == Kind::Arrow
    });
    let Some(i) = best(&seps, false, |i| lookup(ctx, &toks[..i]).score()) else {
        return Err(ask(what));
    };
    let from = resolve(ctx, &toks[..i], what)?;
    let mut arms_toks = &toks[i + 1..];
    // "… joining at Notify" / "… both leading to Notify".
    let mut join: Option<NodeId> = None;
    if let Some(m) = arms_toks.iter().position(|t| t.is_any(JOIN_WORDS))
        && m > 0
    {
        let filler: Vec<&str> = JOIN_WORDS
            .iter()
            .copied()
            .chain(["back", "again", "at", "into", "to", "on", "in", "with"])
            .collect();
        let target = strip_words(&arms_toks[m..], &filler);
        join = Some(resolve(ctx, target, what)?);
        arms_toks = strip_trailing(&arms_toks[..m], &["and", "then"]);
    }
    let names = name_list(ctx, arms_toks);
    if names.is_empty() {
        return Err(ask(what));
    }
    if names.len() > MAX_BRANCHES {
        return Err(ask(format!(
            "A branch can have at most {MAX_BRANCHES} arms. Which ones should I add first?"
        )));
    }
    let mut taken = HashSet::new();
    let nodes: Vec<Node> = names
        .iter()
        .map(|name| {
            let id = new_id(ctx.draft, name, &taken);
            taken.insert(id.clone());
            Node::new(&id, name, DEFAULT_KIND)
        })
        .collect();
    let focus = nodes.first().map(|n| n.id.clone());
    // Arms continue to the join step, else to the step `from` led to (when just one), and that
    // direct connection is replaced by the arms.
    let successors: Vec<NodeId> = ctx
        .draft
        .outgoing(from.as_str())
        .map(|e| e.target.clone())
        .collect();
    let target = join.or_else(|| match successors.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    });
    let Some(target) = target.filter(|t| *t != from) else {
        // No step to continue to: plain new steps after `from`.
        let mut previous = from.clone();
        let mut actions = Vec::with_capacity(nodes.len());
        for node in nodes {
            let id = node.id.clone();
            actions.push(add_action(node, Some(previous), Some(from.clone())));
            previous = id;
        }
        return edit(actions, focus);
    };
    let branches = nodes
        .into_iter()
        .map(|node| BranchArm {
            node,
            connect_to: target.clone(),
        })
        .collect();
    let mut actions: Vec<Action> = vec![
        EditIntent::Branch(Branch {
            from_node_id: from.clone(),
            branches,
        })
        .into(),
    ];
    if edge(ctx.draft, &from, &target).is_some() {
        actions.push(delete_edge_action(&from, &target));
    }
    edit(actions, focus)
}

// ---- reorder ----

fn reorder_action(order: Vec<NodeId>) -> Action {
    EditIntent::Reorder(Reorder { node_ids: order }).into()
}

fn order_of(draft: &Draft) -> Vec<NodeId> {
    draft.nodes().map(|n| n.id.clone()).collect()
}

fn move_steps(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "Which step should I move, and where? For example: move Deploy before Build";
    let toks = strip_trailing(rest, &[]);
    let ends: &[(&[&str], i8)] = &[
        (&["top", "start", "beginning", "front", "first"], -2),
        (&["end", "bottom", "last"], 2),
        (&["up", "earlier"], -1),
        (&["down", "later"], 1),
    ];
    if let [init @ .., last] = toks
        && !init.is_empty()
        && let Some((_, shift)) = ends.iter().find(|(words, _)| last.is_any(words))
        && !lookup(ctx, toks).is_exact()
    {
        let moved = strip_trailing(init, &["to", "the", "at", "one", "a", "position", "very"]);
        let ids = reference_list(ctx, moved, what)?;
        let mut order = order_of(ctx.draft);
        match shift {
            -2 | 2 => {
                order.retain(|id| !ids.contains(id));
                let at = if *shift < 0 { 0 } else { order.len() };
                order.splice(at..at, ids.iter().cloned());
            }
            _ => {
                for id in &ids {
                    if let Some(p) = order.iter().position(|o| o == id) {
                        let q = if *shift < 0 {
                            p.saturating_sub(1)
                        } else {
                            (p + 1).min(order.len() - 1)
                        };
                        order.swap(p, q);
                    }
                }
            }
        }
        return edit(vec![reorder_action(order)], ids.first().cloned());
    }
    let places = separators(toks, |t| t.is_any(&["before", "after", "above", "below"]));
    let Some(i) = best(&places, true, |i| lookup(ctx, &toks[i + 1..]).score()) else {
        return Err(ask(what));
    };
    let anchor = resolve(ctx, &toks[i + 1..], what)?;
    let ids = reference_list(
        ctx,
        strip_trailing(&toks[..i], &["to", "right", "just"]),
        what,
    )?;
    if ids.contains(&anchor) {
        return Err(ask(format!(
            "I can't move '{}' relative to itself. Where should it go?",
            label_of(ctx.draft, &anchor)
        )));
    }
    let mut order = order_of(ctx.draft);
    order.retain(|id| !ids.contains(id));
    let anchor_at = order.iter().position(|id| *id == anchor).unwrap_or(0);
    let at = if toks[i].is_any(&["after", "below"]) {
        anchor_at + 1
    } else {
        anchor_at
    };
    order.splice(at..at, ids.iter().cloned());
    edit(vec![reorder_action(order)], ids.first().cloned())
}

/// "reorder Build, Test, Deploy": the listed steps take the places the listed steps occupy now,
/// in the listed order; the others stay where they are.
fn reorder(ctx: &Ctx<'_>, rest: &[Tok]) -> Parsed {
    let what = "In which order? For example: reorder Build, Test, Deploy";
    let toks = strip_words(
        rest,
        &[
            "the", "steps", "nodes", "as", "to", "like", "so", "this", ":",
        ],
    );
    let toks = match toks {
        [first, tail @ ..]
            if first.text.ends_with(':') && !tail.is_empty() && {
                let head = first.text.trim_end_matches(':');
                ["steps", "nodes", "order", "them", "as"]
                    .iter()
                    .any(|w| head.eq_ignore_ascii_case(w))
            } =>
        {
            tail
        }
        _ => toks,
    };
    let ids = reference_list(ctx, toks, what)?;
    let mut order = order_of(ctx.draft);
    let mut slots: Vec<usize> = ids
        .iter()
        .filter_map(|id| order.iter().position(|o| o == id))
        .collect();
    slots.sort_unstable();
    for (slot, id) in slots.into_iter().zip(&ids) {
        if let Some(place) = order.get_mut(slot) {
            *place = id.clone();
        }
    }
    edit(vec![reorder_action(order)], ids.first().cloned())
}

/// The one-line name of a command, for "I didn't understand …".
pub(super) fn quoted_command(cmd: &Command<'_>) -> String {
    shorten(&super::lex::phrase(cmd.line, &cmd.toks), 60)
}
