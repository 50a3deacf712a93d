//! Canonical JSON (RFC 8785 style) and the deterministic event ids derived from it.
//!
//! Real logs spell the same event in many byte forms (`\u2192` or a raw `→`, `", "` or `","`), so identity
//! must be defined on the parsed value: keys sorted by UTF-16 code units, no whitespace, minimal string
//! escapes, integral numbers without a fraction. Two machines hashing the same event get the same id.

use super::json::Json;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Writes `value` in canonical form; the basis of content-derived ids.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_json(&mut out, &Json::from_value(value));
    out
}

/// Writes a parsed tree in canonical form (repeated keys keep the last value, as JSON parsers do).
pub fn write_json(out: &mut String, value: &Json<'_>) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Num(n) => write_number(out, n),
        // A string serde_json could borrow had no escapes in the line, so it holds no quote, backslash
        // or control character and its canonical form is the text itself.
        Json::Str(std::borrow::Cow::Borrowed(s)) => {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }
        Json::Str(s) => write_string(out, s),
        Json::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Json::Obj(members) => {
            let mut order: Vec<usize> = (0..members.len()).collect();
            // RFC 8785 orders keys by UTF-16 code units; for ASCII keys that equals byte order.
            if members.iter().all(|(k, _)| k.is_ascii()) {
                order.sort_by(|a, b| members[*a].0.cmp(&members[*b].0));
            } else {
                order.sort_by(|a, b| {
                    members[*a]
                        .0
                        .encode_utf16()
                        .cmp(members[*b].0.encode_utf16())
                });
            }
            out.push('{');
            let mut first = true;
            for (pos, &i) in order.iter().enumerate() {
                // A repeated key: only its last occurrence counts (stable sort keeps text order).
                if order
                    .get(pos + 1)
                    .is_some_and(|&j| members[j].0 == members[i].0)
                {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                match &members[i].0 {
                    std::borrow::Cow::Borrowed(k) => {
                        out.push('"');
                        out.push_str(k);
                        out.push('"');
                    }
                    k => write_string(out, k),
                }
                out.push(':');
                write_json(out, &members[i].1);
            }
            out.push('}');
        }
    }
}

fn write_number(out: &mut String, n: &serde_json::Number) {
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(f) = n.as_f64() {
        if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
            // `2.0` and `2` are the same JSON number; ES6 prints it without a fraction.
            let _ = write!(out, "{}", f as i128);
        } else {
            let _ = write!(out, "{f}");
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The content hash part of a derived id: 128 bits of SHA-256 over the canonical JSON, in hex.
pub fn content_hash(value: &Value) -> String {
    content_hash_json(&Json::from_value(value))
}

/// [`content_hash`] of an already parsed tree, reusing one buffer per thread.
pub fn content_hash_json(value: &Json<'_>) -> String {
    thread_local! {
        static BUF: std::cell::RefCell<String> = std::cell::RefCell::new(String::with_capacity(4096));
    }
    let digest = BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        write_json(&mut buf, value);
        Sha256::digest(buf.as_bytes())
    });
    let mut hex = String::with_capacity(32);
    for byte in &digest[..16] {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// A derived id: the content hash plus the occurrence number of that exact content in the log.
///
/// The occurrence number keeps two genuinely repeated events apart (nothing collapses), and because
/// identical events are indistinguishable, any arrival order yields the same multiset of ids.
pub fn derived_id(hash: &str, occurrence: u32) -> String {
    format!("cj-{hash}-{occurrence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn escaped_and_raw_arrows_agree() {
        let a = parse(r#"{"edge":"design\u2192code","n":1}"#);
        let b = parse(r#"{"n": 1, "edge": "design→code"}"#);
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(content_hash(&a), content_hash(&b));
    }

    #[test]
    fn keys_sort_and_whitespace_goes() {
        let v = parse(r#"{ "b": [1, 2.0, {"z": null, "a": true}], "a": "x\ny" }"#);
        assert_eq!(
            canonical_json(&v),
            r#"{"a":"x\ny","b":[1,2,{"a":true,"z":null}]}"#
        );
    }

    #[test]
    fn keys_sort_by_utf16_units() {
        // U+E000 (one unit 0xE000) sorts after U+1F600 (surrogates 0xD83D…) in UTF-16, before it in UTF-8.
        let v = parse(r#"{"\ue000":1,"😀":2}"#);
        assert_eq!(canonical_json(&v), "{\"😀\":2,\"\u{e000}\":1}");
    }

    #[test]
    fn control_characters_are_escaped_minimally() {
        let v = Value::String("a\u{1}b\"c\\".into());
        assert_eq!(canonical_json(&v), r#""a\u0001b\"c\\""#);
    }

    #[test]
    fn repeated_keys_keep_the_last_value() {
        let j = Json::parse(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        let mut out = String::new();
        write_json(&mut out, &j);
        assert_eq!(out, r#"{"a":2,"b":3}"#);
    }

    #[test]
    fn different_content_gives_different_hashes() {
        assert_ne!(
            content_hash(&parse(r#"{"a":1}"#)),
            content_hash(&parse(r#"{"a":2}"#))
        );
        assert_eq!(derived_id("ab", 2), "cj-ab-2");
    }
}
