//! Fuzzes what a model says back: to the judge (any text is a verdict or a reason why not) and to
//! the workbench agent (any tool input or text is edits, words, or a refusal) — never a panic, and
//! the same text always reads the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let first = gen_core::iterate::parse_verdict(text);
    assert_eq!(first, gen_core::iterate::parse_verdict(text));
    if let Ok(v) = first {
        assert!(v.reason.chars().count() <= 2000);
    }
    // The same bytes as a tool call's arguments and as a plain answer.
    let as_tool = gen_agent::edits_from_reply(Some(text), "");
    assert_eq!(as_tool, gen_agent::edits_from_reply(Some(text), ""));
    if let Ok(Some(actions)) = &as_tool {
        assert!(!actions.is_empty() && actions.len() <= gen_workbench::limits::MAX_ACTIONS_PER_TURN);
    }
    let as_text = gen_agent::edits_from_reply(None, text);
    assert_eq!(as_text, gen_agent::edits_from_reply(None, text));
});
