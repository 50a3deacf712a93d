//! The model, the duration reader, the `last_sync` splice and the renderer.

use super::*;
use crate::config::{load_sync_config, yaml};
use proptest::prelude::*;

/// The Genesis seed's `bedrock/sync_config.yml`, as it ships.
pub(crate) const SEED: &str = "\
sync:
  s3_config_bucket: \"aisdlc-project-foo-config\"
  s3_artifacts_bucket: \"aisdlc-project-foo-artifacts\"
  dynamodb_events_table: \"aisdlc-events\"
  dynamodb_features_table: \"aisdlc-features\"
  project_id: \"project-foo\"
  last_sync:
    configs_pushed: \"2026-02-23T10:30:00Z\"
    events_pulled: \"2026-02-23T10:28:00Z\"
    artifacts_pulled: \"2026-02-23T10:29:00Z\"
  direction:
    configs: \"local_to_cloud\"
    events: \"cloud_to_local\"
    artifacts: \"cloud_to_local\"
";

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().expect("a time")
}

fn set(text: &str, entry: &str, at: &str) -> String {
    set_last_sync(text, entry, ts(at)).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn parsed(text: &str) -> SyncConfig {
    SyncConfig::parse(&SourceFile::new("bedrock/sync_config.yml", text)).expect("parses")
}

#[test]
fn durations_read_and_spell_back() {
    for (text, secs) in [
        ("30m", 1800),
        ("1h", 3600),
        ("2h30m", 9000),
        ("1d", 86_400),
        ("1d2h3m4s", 93_784),
        ("90s", 90),
        ("3600", 3600),
        (" 1h ", 3600),
        ("0", 0),
    ] {
        assert_eq!(parse_duration_secs(text), Ok(secs), "{text}");
    }
    for (text, why) in [
        ("", "it is empty"),
        ("h", "`h` is not a number followed by a unit"),
        ("1h30", "`30` has no unit (d, h, m or s)"),
        ("1w", "`w` is not a unit (d, h, m or s)"),
        (
            "30m1h",
            "its units are out of order or repeated (write days, hours, minutes, seconds)",
        ),
        (
            "1h1h",
            "its units are out of order or repeated (write days, hours, minutes, seconds)",
        ),
        ("-5", "`-` is not a number followed by a unit"),
        ("1.5h", "`.` is not a unit (d, h, m or s)"),
        (
            "99999999999999999999",
            "it is too large to be a number of seconds",
        ),
        ("999999999999999d", "it is too long"),
    ] {
        assert_eq!(parse_duration_secs(text), Err(why.to_string()), "{text}");
    }
    for (secs, text) in [
        (0, "0s"),
        (90, "1m30s"),
        (3600, "1h"),
        (9000, "2h30m"),
        (86_400, "1d"),
    ] {
        assert_eq!(format_duration_secs(secs), text);
        assert_eq!(parse_duration_secs(text), Ok(secs));
    }
}

#[test]
fn the_model_is_lenient() {
    let c = parsed(
        "sync:\n  backend: gcp\n  staleness_threshold: soon\n  last_sync: {events_pulled: never}\n",
    );
    assert_eq!(
        c.backend,
        Backend::Aws,
        "unknown backends read as the default"
    );
    assert_eq!(c.staleness_secs, DEFAULT_STALENESS_SECS);
    assert!(c.last_sync.is_empty());
    assert!(c.project_id.is_none());
    let c = parsed("other: 1\n");
    assert!(c.sync_node().is_none());
    assert!(SyncConfig::parse(&SourceFile::new("x.yml", "- a\n")).is_err());
}

#[test]
fn staleness_compares_the_last_sync_with_now() {
    let c = parsed(SEED);
    assert!(
        !c.is_stale("events_pulled", ts("2026-02-23T11:28:00Z")),
        "exactly the threshold"
    );
    assert!(c.is_stale("events_pulled", ts("2026-02-23T11:28:01Z")));
    assert!(
        !c.is_stale("events_pulled", ts("2026-02-23T09:00:00Z")),
        "a clock behind"
    );
    assert!(
        c.is_stale("features_pulled", ts("2026-02-23T10:28:00Z")),
        "never pulled"
    );
}

#[test]
fn an_existing_time_is_replaced_in_its_quotes_and_nothing_else_moves() {
    let out = set(SEED, "events_pulled", "2026-03-01T09:15:00Z");
    assert_eq!(
        out,
        SEED.replace(
            "events_pulled: \"2026-02-23T10:28:00Z\"",
            "events_pulled: \"2026-03-01T09:15:00Z\""
        )
    );
    let single = SEED.replace("\"2026-02-23T10:28:00Z\"", "'2026-02-23T10:28:00Z'");
    let out = set(&single, "events_pulled", "2026-03-01T09:15:00.5Z");
    assert!(
        out.contains("events_pulled: '2026-03-01T09:15:00.5Z'\n"),
        "{out}"
    );
    let plain = SEED.replace("\"2026-02-23T10:28:00Z\"", "2026-02-23T10:28:00Z");
    let out = set(&plain, "events_pulled", "2026-03-01T09:15:00Z");
    assert!(
        out.contains("events_pulled: 2026-03-01T09:15:00Z\n"),
        "{out}"
    );
    // Another offset is written back in UTC.
    let out = set(SEED, "configs_pushed", "2026-03-01T10:15:00+01:00");
    assert!(
        out.contains("configs_pushed: \"2026-03-01T09:15:00Z\"\n"),
        "{out}"
    );
}

#[test]
fn comments_and_crlf_are_kept() {
    let commented = "\
# Sync settings (seed)
sync:   # the only section
  project_id: \"project-foo\"  # key part
  s3_config_bucket: \"aisdlc-project-foo-config\"
  s3_artifacts_bucket: \"aisdlc-project-foo-artifacts\"
  dynamodb_events_table: \"aisdlc-events\"
  dynamodb_features_table: \"aisdlc-features\"
  last_sync:
    # written by sync
    events_pulled: \"2026-02-23T10:28:00Z\"   # last pull
    # more to come
  # directions are fixed
# end
";
    let out = set(commented, "events_pulled", "2026-03-01T00:00:00Z");
    assert_eq!(
        out,
        commented.replace("2026-02-23T10:28:00Z", "2026-03-01T00:00:00Z")
    );
    let out = set(commented, "events_pushed", "2026-03-01T00:00:00Z");
    assert_eq!(
        out,
        commented.replace(
            "   # last pull\n",
            "   # last pull\n    events_pushed: \"2026-03-01T00:00:00Z\"\n"
        )
    );

    let crlf = SEED.replace('\n', "\r\n");
    let out = set(&crlf, "events_pulled", "2026-03-01T00:00:00Z");
    assert_eq!(
        out,
        crlf.replace("2026-02-23T10:28:00Z", "2026-03-01T00:00:00Z")
    );
    let out = set(&crlf, "features_pulled", "2026-03-01T00:00:00Z");
    assert_eq!(
        out,
        crlf.replace(
            "    artifacts_pulled: \"2026-02-23T10:29:00Z\"\r\n",
            "    artifacts_pulled: \"2026-02-23T10:29:00Z\"\r\n    features_pulled: \"2026-03-01T00:00:00Z\"\r\n"
        )
    );
    assert!(!out.replace("\r\n", "").contains('\n'), "no bare LF");
}

#[test]
fn a_missing_last_sync_block_is_inserted_at_the_end_of_sync() {
    let text = "# top\nsync:\n    project_id: foo\n    direction: {configs: local_to_cloud}\n# trailing comment\n";
    let out = set(text, "events_pulled", "2026-03-01T00:00:00Z");
    assert_eq!(
        out,
        "# top\nsync:\n    project_id: foo\n    direction: {configs: local_to_cloud}\n    last_sync:\n        \
         events_pulled: \"2026-03-01T00:00:00Z\"\n# trailing comment\n"
    );
    assert_eq!(
        parsed(&out).last_sync.get("events_pulled"),
        Some(&ts("2026-03-01T00:00:00Z"))
    );
    // The last line has no line break: one is added before the new lines, and they end with one.
    let out = set(
        "sync:\n  project_id: foo",
        "configs_pushed",
        "2026-03-01T00:00:00Z",
    );
    assert_eq!(
        out,
        "sync:\n  project_id: foo\n  last_sync:\n    configs_pushed: \"2026-03-01T00:00:00Z\"\n"
    );
    // Single quotes are the file's habit, so new times take them.
    let out = set(
        "sync:\n  project_id: 'foo'\n  region: 'eu'\n",
        "configs_pushed",
        "2026-03-01T00:00:00Z",
    );
    assert!(
        out.ends_with("  last_sync:\n    configs_pushed: '2026-03-01T00:00:00Z'\n"),
        "{out}"
    );
}

#[test]
fn an_empty_last_sync_is_opened_as_a_block() {
    for empty in [
        "last_sync:",
        "last_sync: ~",
        "last_sync: null",
        "last_sync: {}",
        "last_sync: { }  # none yet",
    ] {
        let text = format!(
            "sync:\n  project_id: foo\n  {empty}\n  direction:\n    events: cloud_to_local\n"
        );
        let out = set(&text, "events_pulled", "2026-03-01T00:00:00Z");
        let kept = if empty.ends_with("# none yet") {
            "  # none yet"
        } else {
            ""
        };
        assert_eq!(
            out,
            format!(
                "sync:\n  project_id: foo\n  last_sync:{kept}\n    events_pulled: \"2026-03-01T00:00:00Z\"\n  \
                 direction:\n    events: cloud_to_local\n"
            ),
            "{empty}"
        );
    }
    let out = set(
        "sync:\n  project_id: foo\n  last_sync: {}",
        "events_pulled",
        "2026-03-01T00:00:00Z",
    );
    assert_eq!(
        out,
        "sync:\n  project_id: foo\n  last_sync:\n    events_pulled: \"2026-03-01T00:00:00Z\"\n"
    );
    // A null entry gets a value after its colon.
    let out = set(
        "sync:\n  last_sync:\n    events_pulled:\n",
        "events_pulled",
        "2026-03-01T00:00:00Z",
    );
    assert_eq!(
        out,
        "sync:\n  last_sync:\n    events_pulled: \"2026-03-01T00:00:00Z\"\n"
    );
}

#[test]
fn flow_mappings_are_edited_only_in_place() {
    let text = "sync:\n  last_sync: {events_pulled: '2026-02-23T10:28:00Z', configs_pushed: x}\n";
    let out = set(text, "events_pulled", "2026-03-01T00:00:00Z");
    assert_eq!(
        out,
        text.replace("2026-02-23T10:28:00Z", "2026-03-01T00:00:00Z")
    );
    let out = set(text, "configs_pushed", "2026-03-01T00:00:00Z");
    assert_eq!(
        out,
        text.replace(
            "configs_pushed: x",
            "configs_pushed: '2026-03-01T00:00:00Z'"
        ),
        "the file's quotes"
    );
    let err =
        set_last_sync(text, "features_pulled", ts("2026-03-01T00:00:00Z")).expect_err("no new key");
    assert_eq!(
        err.to_string(),
        "`sync.last_sync` is a flow mapping (`{…}`), which gets no new keys here; record the time by hand or \
         rewrite it as a plain block mapping"
    );
    let err = set_last_sync(
        "sync: {project_id: foo}\n",
        "events_pulled",
        ts("2026-03-01T00:00:00Z"),
    )
    .expect_err("flow sync");
    assert!(
        matches!(err, SyncEditError::Layout { ref what, .. } if what == "`sync`"),
        "{err:?}"
    );
}

#[test]
fn what_cannot_be_edited_safely_is_refused() {
    let at = ts("2026-03-01T00:00:00Z");
    assert_eq!(
        set_last_sync(SEED, "events", at),
        Err(SyncEditError::UnknownEntry("events".into()))
    );
    assert!(matches!(
        set_last_sync("sync: [\n", "events_pulled", at),
        Err(SyncEditError::Unparsable(_))
    ));
    assert_eq!(
        set_last_sync("other: 1\n", "events_pulled", at),
        Err(SyncEditError::NoSyncSection {
            pos: Some(yaml::Pos::new(1, 1))
        })
    );
    assert_eq!(
        set_last_sync("sync: 1\n", "events_pulled", at),
        Err(SyncEditError::NoSyncSection {
            pos: Some(yaml::Pos::new(1, 7))
        })
    );
    let list = "sync:\n  last_sync: [a]\n";
    assert_eq!(
        set_last_sync(list, "events_pulled", at)
            .expect_err("a list")
            .to_string(),
        "`sync.last_sync` is a list, not a mapping of entries to times; record the time by hand or rewrite it \
         as a plain block mapping"
    );
    // An anchored mapping shared by an alias: a new key would show up in both places.
    let shared = "base: &t\n  events_pulled: '2026-02-23T10:28:00Z'\nsync:\n  last_sync: *t\n";
    assert!(matches!(
        set_last_sync(shared, "events_pulled", at),
        Err(SyncEditError::Layout { .. })
    ));
    let anchored = "sync:\n  last_sync: &t\n    events_pulled: x\n  copy: *t\n";
    assert!(matches!(
        set_last_sync(anchored, "configs_pushed", at),
        Err(SyncEditError::Mismatch(_))
    ));
    let tagged = "sync:\n  last_sync:\n    events_pulled: !!str x\n";
    assert!(matches!(
        set_last_sync(tagged, "events_pulled", at),
        Err(SyncEditError::Layout { .. })
    ));
    let block = "sync:\n  last_sync:\n    events_pulled: |\n      x\n";
    assert!(matches!(
        set_last_sync(block, "events_pulled", at),
        Err(SyncEditError::Layout { .. })
    ));
    let docs = "sync:\n  project_id: a\n---\nsync:\n  project_id: b\n";
    assert!(matches!(
        set_last_sync(docs, "events_pulled", at),
        Err(SyncEditError::Layout { .. })
    ));
}

#[test]
fn rendered_files_are_clean_for_both_backends() {
    let aws = render_sync_config(&SyncSettings::new("project-foo", Backend::Aws));
    insta::assert_snapshot!("render_aws", aws);
    let (config, report) = load_sync_config(&SourceFile::new("bedrock/sync_config.yml", aws));
    assert_eq!(report.all().count(), 0, "{report:?}");
    let config = config.expect("clean");
    assert_eq!(
        config.s3_config_bucket.as_deref(),
        Some("aisdlc-project-foo-config")
    );
    assert_eq!(config.direction.len(), 4);

    let mut local = SyncSettings::new("Team_Foo", Backend::Local);
    local.local_root = Some("../team sync".into());
    local.staleness_secs = 9000;
    let text = render_sync_config(&local);
    insta::assert_snapshot!("render_local", text);
    let (config, report) = load_sync_config(&SourceFile::new("bedrock/sync_config.yml", text));
    assert_eq!(report.all().count(), 0, "{report:?}");
    let config = config.expect("clean");
    assert_eq!(config.backend, Backend::Local);
    assert_eq!(
        config.s3_artifacts_bucket.as_deref(),
        Some("aisdlc-team-foo-artifacts")
    );
    assert_eq!(config.local_root.as_deref(), Some("../team sync"));
    assert_eq!(config.staleness_secs, 9000);
}

/// Settings a user could pick at `gen sync init`, with values that need quoting now and then.
fn settings() -> impl Strategy<Value = SyncSettings> {
    (
        "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,20}",
        prop::bool::ANY,
        prop::option::of("[a-z]{2}-[a-z]{4,9}-[1-3]"),
        prop::option::of("[a-z][a-z0-9 '\"#:-]{0,10}"),
        prop::option::of("https?://[a-z]{1,8}(:[0-9]{2,5})?/?"),
        "[a-zA-Z0-9 ./_'\"#:-]{1,20}",
        0u64..400_000,
    )
        .prop_map(|(id, local, region, profile, endpoint, root, staleness)| {
            let mut s = SyncSettings::new(&id, if local { Backend::Local } else { Backend::Aws });
            if local {
                s.local_root = Some(root);
            } else {
                s.region = region;
                s.profile = profile;
                s.endpoint_url = endpoint;
            }
            s.staleness_secs = staleness;
            s
        })
}

fn time() -> impl Strategy<Value = jiff::Timestamp> {
    (
        0i64..4_102_444_800,
        prop_oneof![Just(0i32), 0i32..1_000_000_000],
    )
        .prop_map(|(secs, nanos)| jiff::Timestamp::new(secs, nanos).expect("in range"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any sequence of recorded times on a rendered config (LF or CRLF) reads back: each entry
    /// holds the last time written to it, and every other value stays what it was.
    #[test]
    fn recorded_times_read_back_and_leave_the_rest_alone(
        s in settings(),
        crlf in prop::bool::ANY,
        writes in prop::collection::vec((0usize..LAST_SYNC_KEYS.len(), time()), 1..6),
    ) {
        let mut text = render_sync_config(&s);
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let original = parsed(&text);
        let mut want = std::collections::BTreeMap::new();
        for (i, at) in writes {
            let entry = LAST_SYNC_KEYS[i];
            let next = set_last_sync(&text, entry, at).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert_eq!(next.matches("\r\n").count() == next.matches('\n').count(), crlf, "{}", next);
            text = next;
            want.insert(entry.to_string(), at);
            let now = parsed(&text);
            prop_assert_eq!(&now.last_sync, &want);
            let mut expected = original.root.to_json();
            expected["sync"]["last_sync"] = serde_json::Value::Object(
                want.iter().map(|(k, t)| (k.clone(), serde_json::Value::String(t.to_string()))).collect(),
            );
            prop_assert_eq!(now.root.to_json(), expected);
            prop_assert_eq!(now.project_id, original.project_id.clone());
            prop_assert_eq!(now.local_root, original.local_root.clone());
        }
        prop_assert!(text.starts_with("# Sync settings written by `gen sync init`"));
    }
}
