//! Fuzzes the event-line reader: any bytes must give an event or a located error, never a panic,
//! and a line that parses must give the same id however often it is parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match gen_core::event::parse_line(text) {
        Ok(event) => {
            let again = gen_core::event::parse_line(text).expect("deterministic");
            assert_eq!(event.id, again.id);
            let light = gen_core::event::parse_line_for_projection(text).expect("same verdict");
            assert_eq!(event.event_type, light.event_type);
            assert_eq!(event.feature, light.feature);
            assert_eq!(event.edge, light.edge);
            assert_eq!(event.delta(), light.delta());
        }
        Err(gen_core::event::LineError::Json { column, .. }) => {
            assert!(column <= text.len() + 1);
        }
        Err(_) => {}
    }
});
