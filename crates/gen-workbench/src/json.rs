//! Strict JSON reading: size and depth checks on raw bytes before serde runs, and a value reader
//! that refuses duplicate keys (serde_json's `Value` would silently keep the last one).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Problem;

/// What the byte scan learned without parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prescan {
    /// Number of elements when the document is a top-level array (approximate on malformed input,
    /// which the parser rejects anyway).
    pub top_level_items: Option<usize>,
}

/// Checks the byte cap and the nesting depth in one linear pass, so oversized or deeply nested
/// payloads are refused before any allocation proportional to their structure happens.
pub(crate) fn prescan(
    bytes: &[u8],
    max_bytes: usize,
    max_depth: usize,
) -> Result<Prescan, Problem> {
    if bytes.len() > max_bytes {
        return Err(Problem::PayloadTooLarge {
            bytes: bytes.len(),
            max: max_bytes,
        });
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut top_array = false;
    let mut commas = 0usize;
    let mut has_item = false;
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                if depth == 1 {
                    has_item = true;
                }
            }
            b'[' | b'{' => {
                if depth == 0 && b == b'[' {
                    top_array = true;
                } else if depth == 1 {
                    has_item = true;
                }
                depth += 1;
                if depth > max_depth {
                    return Err(Problem::TooDeep { max: max_depth });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => commas += 1,
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ if depth == 1 => has_item = true,
            _ => {}
        }
    }
    let top_level_items = top_array.then(|| if has_item { commas + 1 } else { 0 });
    Ok(Prescan { top_level_items })
}

/// Parses bytes into a JSON value, rejecting duplicate object keys, trailing data and invalid text.
pub(crate) fn parse_strict(bytes: &[u8]) -> Result<Value, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match value {
        Ok(StrictValue(v)) => Ok(v),
        Err(e) => Err(Problem::Syntax {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }),
    }
}

/// A JSON value read with duplicate keys refused at every level.
pub(crate) struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(StrictValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key {}",
                    crate::error::shown(&key)
                )));
            }
            let StrictValue(v) = access.next_value()?;
            map.insert(key, v);
        }
        Ok(Value::Object(map))
    }
}

/// A node's free-form configuration: a JSON object whose keys are unique (checked when read).
///
/// Values are arbitrary JSON. Keys such as `__proto__` or `constructor` are ordinary keys here; the
/// browser side must store them in a `Map`, never merge them into a prototype.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct Properties(pub Map<String, Value>);

impl Properties {
    /// The properties as a JSON map, in insertion order.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// Nesting depth where the properties object itself is level 1; computed without recursion so
    /// a hostile in-memory value cannot overflow the stack.
    pub fn depth(&self) -> usize {
        let mut max = 1;
        let mut stack: Vec<(&Value, usize)> = self.0.values().map(|v| (v, 2)).collect();
        while let Some((value, level)) = stack.pop() {
            match value {
                Value::Array(items) => {
                    max = max.max(level);
                    stack.extend(items.iter().map(|v| (v, level + 1)));
                }
                Value::Object(map) => {
                    max = max.max(level);
                    stack.extend(map.values().map(|v| (v, level + 1)));
                }
                _ => {}
            }
        }
        max
    }

    /// Size of the compact JSON encoding, which is what the per-node byte cap limits.
    pub fn encoded_len(&self) -> usize {
        let mut counter = ByteCounter(0);
        // Writing into a counter cannot fail; a failure would only undercount, never panic.
        let _ = serde_json::to_writer(&mut counter, &self.0);
        counter.0
    }
}

impl From<Map<String, Value>> for Properties {
    fn from(map: Map<String, Value>) -> Self {
        Properties(map)
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match StrictValue::deserialize(deserializer)?.0 {
            Value::Object(map) => Ok(Properties(map)),
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a JSON object",
            )),
        }
    }
}

/// Describes a JSON value for an "invalid type" error without echoing its content.
pub(crate) fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("number"),
        Value::String(_) => de::Unexpected::Other("string"),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

/// Reads an optional field that, when present, must hold a value (explicit `null` is refused so
/// "absent" has one spelling).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Reads a field that must be present but may be `null` (the explicit "clear this" spelling).
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}

struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prescan_refuses_oversized_payload_without_parsing() {
        let bytes = vec![b'['; 2000];
        assert_eq!(
            prescan(&bytes, 1000, 48),
            Err(Problem::PayloadTooLarge {
                bytes: 2000,
                max: 1000
            })
        );
    }

    #[test]
    fn prescan_refuses_deep_nesting() {
        let deep = format!("{}{}", "[".repeat(49), "]".repeat(49));
        assert_eq!(
            prescan(deep.as_bytes(), 1 << 20, 48),
            Err(Problem::TooDeep { max: 48 })
        );
        let ok = format!("{}{}", "[".repeat(48), "]".repeat(48));
        assert!(prescan(ok.as_bytes(), 1 << 20, 48).is_ok());
    }

    #[test]
    fn prescan_ignores_brackets_inside_strings() {
        let s = format!("{{\"a\":\"{}\\\"{}\"}}", "[".repeat(100), "{".repeat(100));
        assert_eq!(
            prescan(s.as_bytes(), 1 << 20, 4).map(|p| p.top_level_items),
            Ok(None)
        );
    }

    #[test]
    fn prescan_counts_top_level_items() {
        let count = |s: &str| {
            prescan(s.as_bytes(), 1 << 20, 48)
                .ok()
                .and_then(|p| p.top_level_items)
        };
        assert_eq!(count("[]"), Some(0));
        assert_eq!(count("[ ]"), Some(0));
        assert_eq!(count("[1]"), Some(1));
        assert_eq!(count(r#"[{"a":[1,2,3]},"x,y",{}]"#), Some(3));
    }

    #[test]
    fn strict_parse_refuses_duplicate_keys_at_any_depth() {
        assert!(matches!(
            parse_strict(br#"{"a":1,"a":2}"#),
            Err(Problem::Syntax { .. })
        ));
        assert!(matches!(
            parse_strict(br#"{"x":{"b":[{"c":1,"c":1}]}}"#),
            Err(Problem::Syntax { .. })
        ));
        assert!(parse_strict(br#"{"a":1,"b":{"a":2}}"#).is_ok());
    }

    #[test]
    fn strict_parse_refuses_trailing_data_nan_comments_and_lone_surrogates() {
        for bad in [
            &br#"{"a":1}{"b":2}"#[..],
            br#"{"a":NaN}"#,
            br#"{"a":1,}"#,
            b"{\"a\":1 // c\n}",
            br#"{"a":"\ud800"}"#,
            b"{\"a\":\"\xff\"}",
            br#"{"intent":"add","node":{"id":"n4""#,
        ] {
            assert!(
                parse_strict(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn properties_depth_and_size_are_measured() {
        let p: Properties =
            serde_json::from_str(r#"{"a":{"b":[1,{"c":2}]},"d":3}"#).expect("valid");
        assert_eq!(p.depth(), 4);
        assert_eq!(p.encoded_len(), r#"{"a":{"b":[1,{"c":2}]},"d":3}"#.len());
        assert_eq!(Properties::default().depth(), 1);
    }

    #[test]
    fn properties_refuse_non_objects_and_duplicates() {
        assert!(serde_json::from_str::<Properties>(r#""{\"a\":1}""#).is_err());
        assert!(serde_json::from_str::<Properties>(r#"{"a":1,"a":1}"#).is_err());
        assert!(serde_json::from_str::<Properties>("[]").is_err());
    }
}
