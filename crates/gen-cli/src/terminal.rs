//! Text from events, vectors and drafts is data: before it reaches a terminal, control characters are
//! made visible, so a synced event cannot retitle, clear or recolour a teammate's terminal.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `s` with C0/C1 control characters, DEL and bidirectional overrides written as `\u{…}` escapes.
pub fn safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`safe`] for a block of our own output: its line breaks stay, everything else is escaped.
pub fn safe_block(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for line in s.split_inclusive('\n') {
        match line.strip_suffix('\n') {
            Some(body) => {
                out.push_str(&safe(body));
                out.push('\n');
            }
            None => out.push_str(&safe(line)),
        }
    }
    Cow::Owned(out)
}

/// `println!` for output that carries data (labels, titles, messages): escaped by [`safe_block`].
macro_rules! say {
    () => {
        println!()
    };
    ($($arg:tt)*) => {
        println!("{}", $crate::terminal::safe_block(&format!($($arg)*)))
    };
}
pub(crate) use say;

/// `eprintln!` for messages that carry data, escaped like [`say`].
macro_rules! esay {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::terminal::safe_block(&format!($($arg)*)))
    };
}
pub(crate) use esay;

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi_overrides() {
        assert_eq!(safe("REQ-F-A-001"), "REQ-F-A-001");
        assert_eq!(safe("F\u{1b}]0;pwned\u{7}"), "F\\u{1b}]0;pwned\\u{7}");
        assert_eq!(safe("a\u{202e}b\nc"), "a\\u{202e}b\\u{a}c");
        assert_eq!(safe("design→code ✓"), "design→code ✓");
        assert_eq!(safe_block("a\u{1b}[2J\nb\n"), "a\\u{1b}[2J\nb\n");
    }
}
