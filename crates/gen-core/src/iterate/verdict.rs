//! An agent check's verdict, read from a model's reply: untrusted text, so its size is capped
//! before parsing, and anything but one JSON object saying pass or fail is refused with the reason
//! (which the judge sends back once as a correction) — never read as a pass.

/// The most of a reply a verdict is read from.
pub const MAX_VERDICT_BYTES: usize = 64 * 1024;

/// What the judge is asked to answer, word for word.
pub const VERDICT_FORMAT: &str = r#"Answer with exactly one JSON object and nothing else: {"outcome": "pass" or "fail", "reason": "one or two sentences"}"#;

/// A parsed verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the check holds.
    pub pass: bool,
    /// The model's reason.
    pub reason: String,
}

/// The one JSON value of a model's reply, a ```json fence around it allowed; or why there is none.
pub(crate) fn json_reply(reply: &str) -> Result<serde_json::Value, String> {
    let mut text = reply.trim();
    if let Some(inner) = text.strip_prefix("```") {
        let inner = inner.strip_prefix("json").unwrap_or(inner);
        text = inner.trim().strip_suffix("```").unwrap_or(inner).trim();
    }
    serde_json::from_str(text).map_err(|e| format!("not one JSON object ({e})"))
}

/// Reads a verdict from a reply: one JSON object (a ```json fence around it is fine) with
/// `outcome` `pass` or `fail` (any case) and an optional `reason`; or why it is not one.
pub fn parse_verdict(reply: &str) -> Result<Verdict, String> {
    if reply.len() > MAX_VERDICT_BYTES {
        return Err(format!(
            "the reply is {} bytes, over the {MAX_VERDICT_BYTES} a verdict may take",
            reply.len()
        ));
    }
    let value = json_reply(reply)?;
    let object = value.as_object().ok_or("not a JSON object")?;
    let object = match object.get("result").and_then(|r| r.as_object()) {
        Some(inner) => inner,
        None => object,
    };
    let outcome = object
        .get("outcome")
        .and_then(|o| o.as_str())
        .ok_or("no `outcome`")?;
    let pass = match outcome.trim().to_ascii_lowercase().as_str() {
        "pass" => true,
        "fail" => false,
        other => return Err(format!("`outcome` is `{other}`, not pass or fail")),
    };
    let reason = object
        .get("reason")
        .and_then(|r| r.as_str())
        .unwrap_or_default()
        .chars()
        .take(2000)
        .collect();
    Ok(Verdict { pass, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_one_object_saying_pass_or_fail_and_nothing_else_passes() {
        let v = parse_verdict(r#"{"outcome": "pass", "reason": "clear"}"#).unwrap();
        assert_eq!(
            v,
            Verdict {
                pass: true,
                reason: "clear".into()
            }
        );
        assert!(
            !parse_verdict("```json\n{\"outcome\":\"FAIL\",\"reason\":\"no tests\"}\n```")
                .unwrap()
                .pass
        );
        assert!(
            parse_verdict(r#"{"result": {"outcome": "pass"}}"#)
                .unwrap()
                .pass
        );
        for bad in [
            "Looks good to me!",
            r#"{"outcome": "probably"}"#,
            r#"{"reason": "fine"}"#,
            "[\"pass\"]",
            "",
            r#"{"outcome": "pass"} and also {"outcome": "fail"}"#,
        ] {
            assert!(parse_verdict(bad).is_err(), "{bad:?}");
        }
        assert!(parse_verdict(&"x".repeat(MAX_VERDICT_BYTES + 1)).is_err());
    }
}
