//! Writing YAML text by hand: the one place that decides how a value is spelled, which line ending
//! new lines get, and how a written text is read back before it is handed out.
//!
//! Two writers splice fresh lines into authored files instead of re-serialising them (the vector
//! refresh, `projection::vector_text`, and the topology save in the workspace crate). Both use these
//! rules, so a value written by one reads back the same as one written by the other.
//!
//! **Scalars.** The files are read by this crate (YAML 1.2, strict booleans) and by the Genesis
//! Python tools (PyYAML, YAML 1.1, where `yes`, `on`, `n`, `1_000`, `0o7`, `2026-03-01` and
//! `12:30` are not strings). A string is written plain only when every such reader reads it back as
//! the same string: it starts with an ASCII letter or `_` (so it cannot look like a number, a
//! timestamp, `~`, `.inf`, `<<`, `=` or start with an indicator), holds only ASCII letters, digits,
//! single inner spaces and `_ - . /` (so no `: `, ` #`, flow brackets or commas, quotes, tabs or line
//! breaks, and it reads the same in block and flow context), is at most 120 bytes and is none of the
//! reserved words below in any letter case. Everything else is double-quoted, escaping what YAML
//! does not allow raw or reads as a line break (`\n`, controls, `U+0085`, `U+2028`, `U+2029`,
//! BOM). Keys follow the same rule. Numbers are spelled so that both versions read a number (`1e300`
//! is a string to YAML 1.1, so floats are written `1.0e+300`); booleans `true`/`false`; null `null`;
//! timestamps RFC 3339 (`2026-03-01T11:00:00Z`).
//!
//! The two writers used to disagree: the vector writer's key rule allowed neither spaces nor `/`
//! (both are safe, and the table in the tests proves it) but missed `nan`/`inf`, and the topology
//! writer's rule wrote `1e300` plain and used JSON escaping, which leaves DEL, C1 controls and
//! `U+2028` raw. The rule above is the union of their restrictions plus those fixes; the only
//! output that changes is for values one of them got wrong.
//!
//! **Line endings.** A file's style is the one most of its line breaks use ([`Eol::detect`]; a tie or
//! a file without breaks is LF). Writers build new text with `\n` and convert it with
//! [`Eol::convert`]; text copied from the file keeps its bytes. A file whose last line has no line
//! break keeps that unless lines are appended after it, in which case the last line is ended first
//! ([`Eol::break_after`], [`Eol::end_line`]); appended lines always end with a line break.
//!
//! **Read-back.** [`read_back`] parses the written text and checks that it added no line break of
//! the other style; the caller then compares what it reads with what it meant to write.

use super::yaml::{self, Loaded};

/// Words no plain string may be, in any case: YAML 1.1 booleans and both versions' null, plus the
/// float words some readers take without their leading dot.
const RESERVED: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

/// Longest plain string; longer ones are quoted so a line stays readable and well under the
/// 1024-character limit YAML puts on implicit keys.
const PLAIN_MAX: usize = 120;

/// Which quotes a writer would like a string in (for instance, the ones the author used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// No quotes where that is safe, else double quotes.
    Plain,
    /// `'…'` where it can hold the string, else double quotes.
    Single,
    /// `"…"`, always possible.
    Double,
}

/// True when `s` can be written without quotes and reads back as the same string in YAML 1.1 and
/// 1.2, in block and in flow context; see the module docs.
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && s.len() <= PLAIN_MAX
        && !s.ends_with(' ')
        && !s.contains("  ")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/'))
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

/// True for a character that must be escaped inside quotes: YAML forbids it raw, or some reader
/// takes it for a line break or a byte-order mark.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// `s` as a double-quoted scalar, which can hold any string.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` as a single-quoted scalar, when one can hold it (one line, nothing to escape).
pub fn single_quoted(s: &str) -> Option<String> {
    (!s.chars().any(|c| c != '\t' && needs_escape(c)))
        .then(|| format!("'{}'", s.replace('\'', "''")))
}

/// `s` as a string scalar in the preferred quotes, falling back to double quotes where those cannot
/// hold it or, for [`Quote::Plain`], where a reader would take it for something else.
pub fn string(s: &str, prefer: Quote) -> String {
    match prefer {
        Quote::Plain if is_plain_safe(s) => s.to_string(),
        Quote::Single => single_quoted(s).unwrap_or_else(|| double_quoted(s)),
        _ => double_quoted(s),
    }
}

/// A mapping key: plain when safe, else double-quoted (the same rule as string values).
pub fn key(k: &str) -> String {
    string(k, Quote::Plain)
}

/// A number spelled so YAML 1.1 and 1.2 both read a number: an exponent gets a decimal point and a
/// sign (`1e300` is a string to YAML 1.1; `1.0e+300` is a float to both).
pub fn number(n: &serde_json::Number) -> String {
    let text = n.to_string();
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return text;
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let exponent = if exponent.starts_with(['+', '-']) {
        exponent.to_string()
    } else {
        format!("+{exponent}")
    };
    format!("{mantissa}e{exponent}")
}

/// A boolean as both YAML versions spell it.
pub fn boolean(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Null as both YAML versions spell it.
pub const NULL: &str = "null";

/// A point in time as the Genesis tools write it (RFC 3339 in UTC, `2026-03-01T11:00:00Z`). Plain,
/// it is a timestamp to YAML 1.1 readers and a string to YAML 1.2 ones; quote it (with [`string`])
/// to have a string everywhere.
pub fn timestamp(t: &jiff::Timestamp) -> String {
    t.to_string()
}

/// A JSON scalar as YAML by the rules above (strings plain when safe, else double-quoted); `None`
/// for a list or a mapping.
pub fn json_scalar(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    Some(match value {
        Value::Null => NULL.to_string(),
        Value::Bool(b) => boolean(*b).to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => string(s, Quote::Plain),
        Value::Array(_) | Value::Object(_) => return None,
    })
}

/// Any JSON value as one line of flow YAML (`[a, "yes"]`, `{k: 1.0e+300}`), by the same rules; for
/// values nested too deep or too odd for block style.
pub fn flow(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), flow(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        scalar => json_scalar(scalar).unwrap_or_default(),
    }
}

/// The literal block header (`|` or `|-`) for a multi-line string that a literal block reads back
/// exactly, or `None` when it needs quotes (leading blank on the first line, lines of only blanks,
/// trailing line breaks beyond one, characters that must be escaped).
pub fn literal_block(s: &str) -> Option<&'static str> {
    let body = s.strip_suffix('\n').unwrap_or(s);
    let ok = s.contains('\n')
        && !body.ends_with('\n')
        && !body.starts_with([' ', '\t', '\n'])
        && !s.chars().any(|c| c != '\n' && c != '\t' && needs_escape(c))
        && body
            .split('\n')
            .all(|line| line.is_empty() || !line.trim().is_empty());
    ok.then(|| if s.ends_with('\n') { "|" } else { "|-" })
}

/// A file's line ending, which every line a writer adds to it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eol {
    /// `\n`.
    Lf,
    /// `\r\n`.
    Crlf,
}

impl Eol {
    /// The style most of `text`'s line breaks use (LF on a tie or when there are none).
    pub fn detect(text: &str) -> Self {
        let (crlf, lf) = count_breaks(text);
        if crlf > lf { Eol::Crlf } else { Eol::Lf }
    }

    /// The line break itself.
    pub fn as_str(self) -> &'static str {
        match self {
            Eol::Lf => "\n",
            Eol::Crlf => "\r\n",
        }
    }

    /// Fresh text written with `\n` line breaks, in this style.
    pub fn convert(self, fresh: &str) -> String {
        match self {
            Eol::Lf => fresh.to_string(),
            Eol::Crlf => fresh.replace('\n', "\r\n"),
        }
    }

    /// What must come after `text` before a new line can: this line break when its last line has
    /// none, else nothing.
    pub fn break_after(self, text: &str) -> &'static str {
        if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            self.as_str()
        }
    }

    /// Ends `text`'s last line, if it has one without a line break, so more lines can follow.
    pub fn end_line(self, text: &mut String) {
        text.push_str(self.break_after(text));
    }
}

/// How many `\r\n` and how many bare `\n` line breaks `text` has.
fn count_breaks(text: &str) -> (usize, usize) {
    let all = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    (crlf, all - crlf)
}

/// Parses the text a writer produced from `before`, checking that it added no line break of the
/// other style; the caller compares the values with what it meant. The error says what is wrong.
pub fn read_back(before: &str, after: &str) -> Result<Loaded, String> {
    let (crlf_before, lf_before) = count_breaks(before);
    let (crlf_after, lf_after) = count_breaks(after);
    match Eol::detect(before) {
        Eol::Crlf if lf_after > lf_before => {
            return Err("it adds LF line breaks to a CRLF file".into());
        }
        Eol::Lf if crlf_after > crlf_before => {
            return Err("it adds CRLF line breaks to an LF file".into());
        }
        _ => {}
    }
    yaml::parse(after).map_err(|e| format!("it does not parse: {e}"))
}

/// The offset just past the bracket closing the flow collection (`{…}`, `[…]`) opened at `start`,
/// skipping quoted scalars and comments; for splicers that must know where a flow value ends.
pub(crate) fn flow_close(text: &str, start: usize) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::yaml::Yaml;
    use proptest::prelude::*;

    /// The strings every writer must get right.
    const TRICKY: &[&str] = &[
        "",
        " ",
        "yes",
        "Yes",
        "No",
        "n",
        "Y",
        "on",
        "OFF",
        "true",
        "False",
        "null",
        "Null",
        "~",
        "nan",
        "NaN",
        ".inf",
        "-.inf",
        ".nan",
        "1.0",
        "1",
        "-1",
        "+1",
        "007",
        "0x1F",
        "0o17",
        "0b101",
        "1_000",
        "1e3",
        "1E-3",
        "12:30",
        "190:20:30",
        "-",
        "- a",
        "a: b",
        "a:b",
        "a #b",
        "#a",
        " lead",
        "trail ",
        "two  spaces",
        "'",
        "\"",
        "it's",
        "say \"hi\"",
        "→",
        "a → b",
        "a ↔ b",
        "line\nbreak",
        "line\n",
        "\n",
        "tab\there",
        "\t",
        "cr\rhere",
        "@x",
        "`x",
        "%x",
        "!x",
        "&x",
        "*x",
        "|",
        ">",
        "?x",
        "? x",
        "[x",
        "]x",
        "{x",
        "}x",
        "a,b",
        "a, b",
        ",",
        "2026-03-01",
        "2026-03-01T11:00:00Z",
        "2026-3-1 1:00:00",
        "<<",
        "=",
        "\\",
        "a\\b",
        "del\u{7f}",
        "nel\u{85}",
        "ls\u{2028}",
        "ps\u{2029}",
        "bom\u{feff}",
        "nul\0",
        "bell\u{7}",
        "agent",
        "design_code",
        "two words",
        "yes please",
        "edge_params/tdd.yml",
        "v1.0.0",
        "a-b",
        "_hidden",
        "x",
    ];

    /// Whether a YAML 1.1 reader (PyYAML's resolvers) could read the plain scalar `s` as something
    /// other than a string. An over-approximation: every 1.1 bool, null, int, float, timestamp,
    /// merge and value pattern either is one of the words below or starts with a digit, a sign,
    /// a dot, `~`, `<` or `=`; so `false` here means "a string for certain".
    fn yaml11_not_a_string(s: &str) -> bool {
        const WORDS: &[&str] = &[
            "", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
            "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null",
            "NULL",
        ];
        WORDS.contains(&s) || s.starts_with(|c: char| c.is_ascii_digit() || "+-.~<=".contains(c))
    }

    /// The string `written` reads back as, as a value, as a key, and inside a flow list.
    fn read_all(written_value: &str, written_key: &str) -> [Option<String>; 3] {
        let as_str = |text: String, pick: &dyn Fn(&Loaded) -> Option<String>| {
            yaml::parse(&text).ok().as_ref().and_then(pick)
        };
        [
            as_str(format!("k: {written_value}\n"), &|l| {
                l.root.get("k")?.as_str().map(str::to_string)
            }),
            as_str(format!("{written_key}: 1\n"), &|l| {
                l.root.entries()?.first().map(|e| e.key.clone())
            }),
            as_str(format!("k: [{written_value}, z]\n"), &|l| {
                l.root
                    .get("k")?
                    .items()?
                    .first()?
                    .as_str()
                    .map(str::to_string)
            }),
        ]
    }

    fn assert_round_trip(s: &str) {
        for prefer in [Quote::Plain, Quote::Single, Quote::Double] {
            let written = string(s, prefer);
            let back = read_all(&written, &key(s));
            let want = Some(s.to_string());
            assert_eq!(
                back,
                [want.clone(), want.clone(), want],
                "{s:?} written {written:?}"
            );
            if !written.starts_with(['"', '\'']) {
                assert!(
                    !yaml11_not_a_string(&written),
                    "{s:?} is plain: {written:?}"
                );
                assert_eq!(prefer, Quote::Plain, "{s:?}");
            }
        }
    }

    #[test]
    fn tricky_strings_read_back_as_themselves_everywhere() {
        for s in TRICKY {
            assert_round_trip(s);
        }
    }

    #[test]
    fn only_safe_strings_are_plain() {
        for (s, plain) in [
            ("agent", true),
            ("two words", true),
            ("yes please", true),
            ("edge_params/tdd.yml", true),
            ("_hidden", true),
            ("yes", false),
            ("No", false),
            ("INF", false),
            ("1.0", false),
            ("2026-03-01", false),
            ("a: b", false),
            ("a #b", false),
            ("trail ", false),
            ("a → b", false),
            ("", false),
            (&"x".repeat(121), false),
        ] {
            assert_eq!(is_plain_safe(s), plain, "{s:?}");
        }
        // The over-approximation of YAML 1.1 resolution does flag what it must.
        for s in [
            "yes",
            "Off",
            "~",
            "1_000",
            "0o17",
            ".inf",
            "12:30",
            "2026-03-01",
            "<<",
            "=",
        ] {
            assert!(yaml11_not_a_string(s), "{s}");
        }
    }

    #[test]
    fn quotes_are_chosen_and_escaped() {
        assert_eq!(string("it's", Quote::Single), "'it''s'");
        assert_eq!(string("it's", Quote::Double), "\"it's\"");
        assert_eq!(string("agent", Quote::Single), "'agent'");
        assert_eq!(string("a\nb", Quote::Single), "\"a\\nb\"");
        assert_eq!(string("on", Quote::Plain), "\"on\"");
        assert_eq!(
            double_quoted("a\u{2028}\u{7f}\"\\"),
            "\"a\\u2028\\u007F\\\"\\\\\""
        );
        assert_eq!(key("design→code"), "\"design→code\"");
        assert_eq!(key("design_code"), "design_code");
    }

    #[test]
    fn numbers_booleans_null_and_times_are_spelled_for_both_versions() {
        let n = |v: serde_json::Value| match v {
            serde_json::Value::Number(n) => number(&n),
            _ => unreachable!("a number"),
        };
        assert_eq!(n(serde_json::json!(3)), "3");
        assert_eq!(n(serde_json::json!(-3)), "-3");
        assert_eq!(n(serde_json::json!(1.5)), "1.5");
        assert_eq!(n(serde_json::json!(1e300)), "1.0e+300");
        assert_eq!(n(serde_json::json!(1.5e-7)), "1.5e-7");
        for v in [
            serde_json::json!(1e300),
            serde_json::json!(1.5e-7),
            serde_json::json!(1.5),
        ] {
            let text = format!("k: {}\n", n(v.clone()));
            let back = yaml::parse(&text).expect("parses");
            assert!(matches!(
                back.root.get("k").map(|k| &k.value),
                Some(Yaml::Number(_))
            ));
            assert_eq!(back.root.to_json()["k"], v, "{text}");
        }
        assert_eq!(boolean(true), "true");
        assert_eq!(boolean(false), "false");
        let back = yaml::parse(&format!("a: {}\nb: {NULL}\n", boolean(true))).expect("parses");
        assert_eq!(
            back.root.to_json(),
            serde_json::json!({"a": true, "b": null})
        );
        let t: jiff::Timestamp = "2026-03-01T11:00:00.5Z".parse().expect("a time");
        assert_eq!(timestamp(&t), "2026-03-01T11:00:00.5Z");
        assert_eq!(
            string(&timestamp(&t), Quote::Plain),
            "\"2026-03-01T11:00:00.5Z\""
        );
    }

    #[test]
    fn json_values_are_written_as_flow_that_reads_back_the_same() {
        for value in [
            serde_json::json!(null),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!(["yes", 1e300, null, true, "a, b", ["→"], {"on": "off"}]),
            serde_json::json!({"n": 1.5, "": "", "k": {"x": [1, "2"]}, "a: b": "#"}),
        ] {
            let text = format!("k: {}\n", flow(&value));
            let back = yaml::parse(&text).expect(&text);
            assert_eq!(back.root.to_json()["k"], value, "{text}");
        }
        assert_eq!(
            flow(&serde_json::json!({"n": ["yes", 1e300, "agent"]})),
            "{\"n\": [\"yes\", 1.0e+300, agent]}"
        );
    }

    #[test]
    fn literal_blocks_only_where_they_read_back_exactly() {
        for (s, header) in [
            ("a\nb\n", Some("|")),
            ("a\nb", Some("|-")),
            ("a\n  indented\n", Some("|")),
            ("one line", None),
            (" lead\nb\n", None),
            ("a\n\n\n", None),
            ("a\n  \nb\n", None),
            ("a\u{2028}\nb\n", None),
        ] {
            assert_eq!(literal_block(s), header, "{s:?}");
            if let Some(header) = header {
                let body: String = s
                    .strip_suffix('\n')
                    .unwrap_or(s)
                    .split('\n')
                    .map(|l| {
                        if l.is_empty() {
                            "\n".into()
                        } else {
                            format!("  {l}\n")
                        }
                    })
                    .collect();
                let back = yaml::parse(&format!("k: {header}\n{body}")).expect("parses");
                assert_eq!(
                    back.root.get("k").and_then(|k| k.as_str()),
                    Some(s),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn line_endings_follow_the_file() {
        assert_eq!(Eol::detect("a: 1\nb: 2\n"), Eol::Lf);
        assert_eq!(Eol::detect("a: 1\r\nb: 2\r\n"), Eol::Crlf);
        assert_eq!(
            Eol::detect("a: 1\r\nb: 2\r\nc: 3\n"),
            Eol::Crlf,
            "mostly CRLF"
        );
        assert_eq!(Eol::detect("a: 1\r\nb: 2\nc: 3\n"), Eol::Lf, "mostly LF");
        assert_eq!(Eol::detect("a: 1\r\nb: 2\n"), Eol::Lf, "a tie");
        assert_eq!(Eol::detect("a: 1"), Eol::Lf, "no line break");
        assert_eq!(Eol::Crlf.convert("a:\n  b: 1\n"), "a:\r\n  b: 1\r\n");
        assert_eq!(Eol::Lf.convert("a:\n  b: 1\n"), "a:\n  b: 1\n");
        for (eol, text, ended) in [
            (Eol::Crlf, "a: 1", "a: 1\r\n"),
            (Eol::Crlf, "a: 1\r\n", "a: 1\r\n"),
            (Eol::Lf, "a: 1", "a: 1\n"),
            (Eol::Lf, "", ""),
        ] {
            let mut text = text.to_string();
            eol.end_line(&mut text);
            assert_eq!(text, ended);
        }
    }

    #[test]
    fn read_back_refuses_the_other_line_ending_and_broken_text() {
        assert!(read_back("a: 1\r\n", "a: 1\r\nb: 2\r\n").is_ok());
        assert!(read_back("a: 1\n", "a: 1\nb: 2\n").is_ok());
        assert!(
            read_back("a: 1", "a: 1\nb: 2").is_ok(),
            "no final newline is LF"
        );
        assert!(
            read_back("a: 1\r\nb: 2\n", "a: 1\r\nb: 2\n").is_ok(),
            "mixed, kept"
        );
        let err = read_back("a: 1\r\n", "a: 1\r\nb: 2\n").expect_err("bare LF");
        assert!(err.contains("LF line breaks"), "{err}");
        let err = read_back("a: 1\n", "a: 1\nb: 2\r\n").expect_err("CRLF");
        assert!(err.contains("CRLF line breaks"), "{err}");
        let err = read_back("a: 1\n", "a: [\n").expect_err("broken");
        assert!(err.starts_with("it does not parse"), "{err}");
        let back = read_back("a: 1\n", "a: 2\n").expect("parses");
        assert_eq!(back.root.to_json(), serde_json::json!({"a": 2}));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Any string, in any preferred quotes, as a value, a key or a flow item, reads back as
        /// itself; and whatever is written plain is a string to YAML 1.1 readers too.
        #[test]
        fn any_string_reads_back_as_itself(s in "(\\PC|[ \t\n\r\u{85}\u{2028}\u{7f}'\"#:,\\[\\]{}-]){0,24}") {
            assert_round_trip(&s);
        }

        /// Short strings made of the characters that matter most, so the plain branch is taken often.
        #[test]
        fn word_like_strings_read_back_as_themselves(s in "[a-zA-Z_0-9 ./:#-]{0,12}") {
            assert_round_trip(&s);
        }
    }
}
