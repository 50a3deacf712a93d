//! Fuzzes what a model says back to the judge: any text is a verdict or a reason why not — never a
//! panic — and a verdict is only ever read from text that names pass or fail.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(v) = gen_core::iterate::parse_verdict(text) {
        let lower = text.to_ascii_lowercase();
        assert!(
            lower.contains(if v.pass { "pass" } else { "fail" }),
            "a verdict from text that does not say it: {text:?}"
        );
    }
});
