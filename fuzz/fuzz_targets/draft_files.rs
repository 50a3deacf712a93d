//! Fuzzes what the workbench reads back from disk: blueprint files, session journal lines and a graph
//! topology turned into a draft. Any bytes must give a value or a located error, never a panic; whatever
//! parses must survive its own round trip.
#![no_main]

use gen_workbench::{
    Draft, History, JournalRecord, draft_from_topology, parse_blueprint_file, topology_from_draft,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => {
            if let Ok(file) = parse_blueprint_file(rest) {
                let again = parse_blueprint_file(file.to_json_pretty().as_bytes())
                    .expect("a written blueprint reads back");
                assert_eq!(again.to_json_pretty(), file.to_json_pretty());
            }
        }
        1 => {
            // A journal line after a valid opening: replay must accept it or say why.
            if let Ok(record) = serde_json::from_slice::<JournalRecord>(rest) {
                let open = History::new(Draft::new("Fuzz", "").expect("valid")).open_record();
                let _ = History::replay([&open, &record]);
                let _ = History::replay([&record]);
            }
        }
        _ => {
            if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(rest)
                && let Ok(draft) = draft_from_topology(&doc)
            {
                draft.validate().expect("a converted topology is a valid draft");
                let _ = topology_from_draft(&draft);
            }
        }
    }
});
