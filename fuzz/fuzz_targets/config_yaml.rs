//! Fuzz target: arbitrary text through the config YAML loader and the validator must never panic.
//!
//! The same text is fed as every kind of config file (topology, edge params, profile, constraints,
//! evaluator defaults, feature vector, sync config), alone and next to a valid default config set, so
//! the cross-file rules run on hostile input too; the sync-time splice runs on it as well.
#![no_main]

use gen_core::config::{self, ConfigSet, SourceFile, yaml};

/// The default set, parsed once: validating it per input dominated the run time under ASAN.
fn base() -> &'static ConfigSet {
    static BASE: std::sync::OnceLock<ConfigSet> = std::sync::OnceLock::new();
    BASE.get_or_init(|| config::default_config_set("fuzz", "standard"))
}

/// `role` picks where the text goes: 0 = every role at once, 1..=5 = one file of the default set.
fn fuzz_text(role: u8, text: &str) {
    let _ = yaml::parse(text);
    let _ = config::canonical_edge_id(text);
    let _ = config::var_refs(text);
    // The sync-time splice refuses or verifies, never panics.
    let _ = config::set_last_sync(text, "events_pulled", jiff::Timestamp::UNIX_EPOCH);

    let file = |path: &str| SourceFile::new(path, text);
    if role % 6 != 0 {
        one_role(role % 6 - 1, text);
        return;
    }

    // The text in every role at once.
    let alone = ConfigSet {
        topology: Some(file("graph/graph_topology.yml")),
        edge_params: vec![file("graph/edge_params/tdd.yml")],
        profiles: vec![file("profiles/standard.yml")],
        constraints: Some(file("context/project_constraints.yml")),
        evaluator_defaults: Some(file("graph/evaluator_defaults.yml")),
        features: vec![file("features/active/REQ-F-FUZZ-001.yml")],
        extra_yaml: vec![file("features/feature_index.yml")],
        v0_config: Some(file("config/workspace_config.yml")),
        sync_config: Some(file("bedrock/sync_config.yml")),
    };
    let _ = config::validate(&alone);
}

/// The text replacing one file of an otherwise valid default set.
fn one_role(role: u8, text: &str) {
    let file = |path: &str| SourceFile::new(path, text);
    {
        let mut set = base().clone();
        match role {
            0 => set.topology = Some(file("graph/graph_topology.yml")),
            1 => set.edge_params[0].text = text.to_string(),
            2 => set.profiles[0].text = text.to_string(),
            3 => set.constraints = Some(file("context/project_constraints.yml")),
            _ => set
                .features
                .push(file("features/active/REQ-F-FUZZ-001.yml")),
        }
        let (loaded, _report) = config::load(&set);
        if let (Some(topology), Some(profile)) = (&loaded.topology, loaded.profiles.first()) {
            let _ = profile.resolve_edges(topology);
            for t in &topology.transitions {
                let _ = topology.resolve_edge(&t.edge_id());
            }
        }
        if let Some(c) = &loaded.constraints {
            let _ = c.resolve(text);
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some((role, rest)) = data.split_first()
        && let Ok(text) = std::str::from_utf8(rest)
    {
        fuzz_text(*role, text);
    }
});
