//! Canonical JSON (RFC 8785 style) and the deterministic event ids derived from it.
//!
//! Real logs spell the same event in many byte forms (`\u2192` or a raw `→`, `", "` or `","`), so identity
//! must be defined on the parsed value: keys sorted by UTF-16 code units, no whitespace, minimal string
//! escapes, integral numbers without a fraction. Two machines hashing the same event get the same id.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Writes `value` in canonical form; the basis of content-derived ids.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            // RFC 8785 orders keys by their UTF-16 code units, not by UTF-8 bytes.
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, &map[key.as_str()]);
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
    let digest = Sha256::digest(canonical_json(value).as_bytes());
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
        assert_eq!(canonical_json(&v), r#"{"a":"x\ny","b":[1,2,{"a":true,"z":null}]}"#);
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
    fn different_content_gives_different_hashes() {
        assert_ne!(
            content_hash(&parse(r#"{"a":1}"#)),
            content_hash(&parse(r#"{"a":2}"#))
        );
        assert_eq!(derived_id("ab", 2), "cj-ab-2");
    }
}
