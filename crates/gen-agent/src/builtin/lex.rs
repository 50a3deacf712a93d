//! Splitting a message into commands, and a command into tokens.
//!
//! Tokens keep their byte span in the line, so names and values can be cut out of the message
//! verbatim (spacing and punctuation included) instead of being rebuilt from words.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A run of non-space characters.
    Word,
    /// Text between quotes; `text` is the content without the quotes.
    Quoted,
    /// `,`
    Comma,
    /// `;` (a command separator).
    Semi,
    /// `->`, `=>`, `→`, …
    Arrow,
    /// `=` between a property key and its value.
    Eq,
}

/// One token of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tok {
    /// What it is.
    pub(super) kind: Kind,
    /// The word, or the content of a quoted string.
    pub(super) text: String,
    /// Byte offset of its first character in the line (the opening quote for quoted text).
    pub(super) start: usize,
    /// Byte offset just past its last character (past the closing quote for quoted text).
    pub(super) end: usize,
}

impl Tok {
    /// Whether this is the unquoted word `word` (ASCII, case-insensitive).
    pub(super) fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    /// Whether this is one of the unquoted `words`.
    pub(super) fn is_any(&self, words: &[&str]) -> bool {
        words.iter().any(|w| self.is(w))
    }

    /// Whether this token can be (part of) a name: a word or quoted text.
    pub(super) fn is_name(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::Quoted)
    }
}

/// One command of a message: the line it came from and its tokens.
#[derive(Debug, Clone)]
pub(super) struct Command<'m> {
    /// The whole line, which the token spans index.
    pub(super) line: &'m str,
    /// The tokens of this command only.
    pub(super) toks: Vec<Tok>,
}

/// Verbs that start a new command after "and" or "," ("add X after Y and connect it to Z").
/// Deliberately only unmistakable verbs: "set" or "link" can start a step name in a list.
const CHAINING_VERBS: &[&str] = &[
    "add",
    "create",
    "insert",
    "remove",
    "delete",
    "rename",
    "connect",
    "configure",
    "branch",
    "move",
    "reorder",
    "disconnect",
];

/// Splits a message into commands: lines, `;`, "then", "and <verb>", and sentences ending in a
/// full stop followed by a verb. Quoted text is never split.
pub(super) fn split_commands(message: &str) -> Vec<Command<'_>> {
    let mut commands = Vec::new();
    for line in message.split(['\n', '\r', '\u{2028}', '\u{2029}']) {
        let toks = tokenize(line);
        let mut current: Vec<Tok> = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            let tok = &toks[i];
            let next = toks.get(i + 1);
            let after_next = toks.get(i + 2);
            let chained = (tok.kind == Kind::Comma || tok.is("and"))
                && !current.is_empty()
                && next.is_some_and(|n| n.is_any(CHAINING_VERBS))
                && after_next.is_some();
            if tok.kind == Kind::Semi || tok.is("then") || chained {
                finish(line, &mut current, &mut commands);
            } else if tok.kind == Kind::Word
                && tok.text.ends_with('.')
                && !tok.text.ends_with("..")
                && next.is_some_and(|n| n.is_any(CHAINING_VERBS))
            {
                current.push(tok.clone());
                finish(line, &mut current, &mut commands);
            } else {
                current.push(tok.clone());
            }
            i += 1;
        }
        finish(line, &mut current, &mut commands);
    }
    commands
}

/// Closes the command being collected: drops dangling separators and trailing punctuation.
fn finish<'m>(line: &'m str, current: &mut Vec<Tok>, commands: &mut Vec<Command<'m>>) {
    let mut toks = std::mem::take(current);
    while let Some(last) = toks.last_mut() {
        match last.kind {
            Kind::Comma | Kind::Semi | Kind::Arrow | Kind::Eq => {
                toks.pop();
            }
            Kind::Word if last.is("and") => {
                toks.pop();
            }
            Kind::Word => {
                let trimmed = last
                    .text
                    .trim_end_matches(['.', '!', '?', '。', '！', '？', '…'])
                    .to_string();
                if trimmed.is_empty() {
                    toks.pop();
                } else {
                    last.end = last.start + trimmed.len();
                    last.text = trimmed;
                    break;
                }
            }
            Kind::Quoted => break,
        }
    }
    while toks
        .first()
        .is_some_and(|t| matches!(t.kind, Kind::Comma | Kind::Semi) || t.is("and"))
    {
        toks.remove(0);
    }
    if !toks.is_empty() {
        commands.push(Command { line, toks });
    }
}

/// Quote characters that open quoted text anywhere, with the characters that close them.
fn double_quote(c: char) -> Option<&'static [char]> {
    match c {
        '"' => Some(&['"', '\u{201d}']),
        '\u{201c}' => Some(&['\u{201d}', '"']),
        '\u{201d}' => Some(&['\u{201d}', '"']),
        '\u{201e}' => Some(&['\u{201c}', '\u{201d}', '"']),
        '\u{ab}' => Some(&['\u{bb}']),
        '`' => Some(&['`']),
        _ => None,
    }
}

/// Quote characters that open quoted text only at the start of a word (they double as
/// apostrophes: "Bob's step").
fn single_quote(c: char) -> Option<&'static [char]> {
    match c {
        '\'' => Some(&['\'', '\u{2019}']),
        '\u{2018}' => Some(&['\u{2019}', '\'']),
        _ => None,
    }
}

/// Index (into `chars`) of the quote closing the one at `open`, if any.
fn find_close(
    chars: &[(usize, char)],
    open: usize,
    closers: &[char],
    single: bool,
) -> Option<usize> {
    (open + 1..chars.len()).find(|&j| {
        let c = chars[j].1;
        if !closers.contains(&c) {
            return false;
        }
        if !single {
            return true;
        }
        // An apostrophe inside a word ("Bob's") does not close a single-quoted name.
        chars.get(j + 1).is_none_or(|&(_, next)| {
            next.is_whitespace() || ",;.!?:)]=-".contains(next) || next == '\u{2192}'
        })
    })
}

const ARROWS: &[&str] = &[
    "-->", "->", "=>", "\u{2192}", "\u{21d2}", "\u{27f6}", "\u{2794}",
];

/// Splits one line into tokens.
pub(super) fn tokenize(line: &str) -> Vec<Tok> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut toks: Vec<Tok> = Vec::new();
    let mut word: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        let next_pos = chars.get(i + 1).map_or(line.len(), |&(p, _)| p);
        if c.is_whitespace() {
            flush(line, &mut word, pos, &mut toks);
            i += 1;
            continue;
        }
        let punct = match c {
            ',' | '\u{ff0c}' => Some(Kind::Comma),
            ';' | '\u{ff1b}' => Some(Kind::Semi),
            _ => None,
        };
        if let Some(kind) = punct {
            flush(line, &mut word, pos, &mut toks);
            toks.push(Tok {
                kind,
                text: line[pos..next_pos].to_string(),
                start: pos,
                end: next_pos,
            });
            i += 1;
            continue;
        }
        let quote = double_quote(c).map(|closers| (closers, false)).or_else(|| {
            if word.is_none() {
                single_quote(c).map(|closers| (closers, true))
            } else {
                None
            }
        });
        if let Some((closers, single)) = quote
            && let Some(j) = find_close(&chars, i, closers, single)
        {
            flush(line, &mut word, pos, &mut toks);
            let (close_pos, close) = chars[j];
            toks.push(Tok {
                kind: Kind::Quoted,
                text: line[next_pos..close_pos].to_string(),
                start: pos,
                end: close_pos + close.len_utf8(),
            });
            i = j + 1;
            continue;
        }
        let rest = &line[pos..];
        if let Some(arrow) = ARROWS.iter().find(|a| rest.starts_with(**a)) {
            flush(line, &mut word, pos, &mut toks);
            let end = pos + arrow.len();
            toks.push(Tok {
                kind: Kind::Arrow,
                text: (*arrow).to_string(),
                start: pos,
                end,
            });
            while i < chars.len() && chars[i].0 < end {
                i += 1;
            }
            continue;
        }
        // Only the first `=` of a word separates key and value: `url=https://x?a=b`.
        let in_value = word.is_some() && toks.last().is_some_and(|t| t.kind == Kind::Eq);
        if c == '=' && !in_value {
            flush(line, &mut word, pos, &mut toks);
            toks.push(Tok {
                kind: Kind::Eq,
                text: "=".to_string(),
                start: pos,
                end: next_pos,
            });
            i += 1;
            continue;
        }
        if word.is_none() {
            word = Some(pos);
        }
        i += 1;
    }
    flush(line, &mut word, line.len(), &mut toks);
    toks
}

fn flush(line: &str, word: &mut Option<usize>, end: usize, toks: &mut Vec<Tok>) {
    if let Some(start) = word.take()
        && start < end
    {
        toks.push(Tok {
            kind: Kind::Word,
            text: line[start..end].to_string(),
            start,
            end,
        });
    }
}

/// The text a run of tokens spans: quoted text alone is taken as-is, anything else is the slice
/// of the line with runs of whitespace collapsed.
pub(super) fn phrase(line: &str, toks: &[Tok]) -> String {
    match toks {
        [] => String::new(),
        [only] if only.kind == Kind::Quoted => only.text.clone(),
        [first, .., last] | [first @ last] => line
            .get(first.start..last.end)
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}
