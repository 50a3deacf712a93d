//! Fuzzes what a sync reads from a remote it does not control: an artifact key must be refused or
//! be a plain relative path that stays under its folder (also once percent-decoded or normalised),
//! and a config manifest must parse or fail, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Component, Path};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = serde_json::from_str::<gen_sync::configs::Manifest>(text);
    if gen_sync::artifacts::key_problem(text).is_none() {
        assert!(!text.is_empty());
        assert!(
            Path::new(text)
                .components()
                .all(|c| matches!(c, Component::Normal(_))),
            "accepted a key that is not a plain relative path: {text:?}"
        );
        assert!(!text.contains(['\\', '\0']), "{text:?}");
        assert!(text.split('/').all(|s| !s.is_empty() && s != "." && s != ".."), "{text:?}");
        assert!(!text.chars().any(char::is_control), "{text:?}");
    }
});
