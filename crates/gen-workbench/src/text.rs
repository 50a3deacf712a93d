//! Rules for the text fields of the IR, shared by validation and by the JSON Schema patterns so the
//! two cannot disagree about which characters are allowed.

use crate::error::Problem;
use crate::limits::MAX_ID_BYTES;

/// How a text field may look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextRule {
    /// A short name (label, title, type, edge label): no C0 controls except tab and newline, no
    /// DEL, must contain a visible character.
    Name { max_chars: usize },
    /// Prose (summary, description): may be empty, may contain tab, CR and LF.
    Prose { max_chars: usize },
}

/// Characters `char::is_whitespace` accepts, spelled out for the schema pattern.
pub(crate) const WHITESPACE_CLASS: &str =
    r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// Characters refused in names.
pub(crate) const NAME_FORBIDDEN_CLASS: &str = r"\u0000-\u0008\u000B-\u001F\u007F";
/// Characters refused in prose.
pub(crate) const PROSE_FORBIDDEN_CLASS: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F";
/// The id pattern from the reference contract §4.2 (ASCII only, so no look-alike ids).
pub(crate) const ID_PATTERN: &str = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$";

fn name_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}')
}

fn prose_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}')
}

/// Checks one text value against its rule.
pub(crate) fn check_text(value: &str, rule: TextRule) -> Result<(), Problem> {
    let (max, forbidden, needs_visible): (usize, fn(char) -> bool, bool) = match rule {
        TextRule::Name { max_chars } => (max_chars, name_forbidden, true),
        TextRule::Prose { max_chars } => (max_chars, prose_forbidden, false),
    };
    if needs_visible && value.is_empty() {
        return Err(Problem::Empty);
    }
    let mut chars = 0usize;
    let mut visible = false;
    for (position, c) in value.chars().enumerate() {
        chars += 1;
        if forbidden(c) {
            return Err(Problem::ControlChar {
                codepoint: c as u32,
                position,
            });
        }
        visible |= !c.is_whitespace();
    }
    if chars > max {
        return Err(Problem::TooLong { chars, max });
    }
    if needs_visible && !visible {
        return Err(Problem::Blank);
    }
    Ok(())
}

/// Checks a node id against [`ID_PATTERN`].
pub(crate) fn check_id(id: &str) -> Result<(), Problem> {
    let bad = |reason| {
        Err(Problem::BadId {
            id: crate::error::shown(id),
            reason,
        })
    };
    let bytes = id.as_bytes();
    let Some(first) = bytes.first() else {
        return bad("it is empty");
    };
    if bytes.len() > MAX_ID_BYTES {
        return bad("it is longer than 64 bytes");
    }
    if !first.is_ascii_alphanumeric() {
        return bad("it must start with an ASCII letter or digit");
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
    {
        return bad("only ASCII letters, digits and _ . : - are allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: TextRule = TextRule::Name { max_chars: 5 };
    const PROSE: TextRule = TextRule::Prose { max_chars: 5 };

    #[test]
    fn names_need_a_visible_character() {
        assert_eq!(check_text("", NAME), Err(Problem::Empty));
        assert_eq!(check_text(" \t\n", NAME), Err(Problem::Blank));
        assert_eq!(check_text("\u{3000}", NAME), Err(Problem::Blank));
        assert_eq!(check_text(" a ", NAME), Ok(()));
    }

    #[test]
    fn names_refuse_c0_controls_except_tab_and_newline() {
        assert_eq!(
            check_text("a\u{0}", NAME),
            Err(Problem::ControlChar {
                codepoint: 0,
                position: 1
            })
        );
        assert_eq!(
            check_text("a\rb", NAME),
            Err(Problem::ControlChar {
                codepoint: 13,
                position: 1
            })
        );
        assert_eq!(
            check_text("a\u{7f}", NAME),
            Err(Problem::ControlChar {
                codepoint: 0x7f,
                position: 1
            })
        );
        assert_eq!(check_text("a\tb\nc", NAME), Ok(()));
    }

    #[test]
    fn bidi_and_zero_width_characters_are_data_not_errors() {
        // Rendering neutralises them; rejecting would lose legitimate RTL text.
        assert_eq!(check_text("a\u{202e}b", NAME), Ok(()));
        assert_eq!(check_text("a\u{200b}", NAME), Ok(()));
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(check_text("日本語です", NAME), Ok(()));
        assert_eq!(
            check_text("日本語ですね", NAME),
            Err(Problem::TooLong { chars: 6, max: 5 })
        );
    }

    #[test]
    fn prose_may_be_empty_and_multiline() {
        assert_eq!(check_text("", PROSE), Ok(()));
        assert_eq!(check_text("a\r\nb", PROSE), Ok(()));
        assert!(check_text("a\u{1b}", PROSE).is_err());
    }

    #[test]
    fn ids_follow_the_ascii_pattern() {
        for good in [
            "n1",
            "A",
            "jira.search_issues",
            "a:b-c_d.e",
            &"x".repeat(64),
        ] {
            assert_eq!(check_id(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-n",
            "_n",
            "n 1",
            "n1\u{200b}",
            "n1\u{0}",
            "é",
            &"x".repeat(65),
            "n/1",
        ] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
    }
}
