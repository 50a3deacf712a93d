//! Fuzzes what a model says back to the judge: any text is a verdict or a reason why not — never a
//! panic — and the same text always reads the same way.
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
});
