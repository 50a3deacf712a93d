//! `gen validate` checks `bedrock/sync_config.yml` like every config: located findings, exit 1 on errors.

mod common;

use common::{gen_in, gen_ok};
use serde_json::Value;

const SEED: &str = "\
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

#[test]
fn validate_reports_a_bad_sync_direction_at_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "--project", "foo"]);
    let bedrock = root.join(".ai-workspace/bedrock");
    std::fs::create_dir_all(&bedrock).unwrap();
    let file = bedrock.join("sync_config.yml");

    std::fs::write(&file, SEED).unwrap();
    let v: Value = serde_json::from_str(&gen_ok(root, &["validate", "--json"])).unwrap();
    assert_eq!(v["ok"], true, "the seed is clean: {v}");
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(0), "{v}");

    std::fs::write(
        &file,
        SEED.replace("events: \"cloud_to_local\"", "events: \"local_to_cloud\""),
    )
    .unwrap();
    let out = gen_in(root, &["validate"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "bedrock/sync_config.yml:13:13: error: `sync.direction.events` is `local_to_cloud`"
        ),
        "{err}"
    );
    assert!(err.contains("write `events: cloud_to_local`"), "{err}");

    let out = gen_in(root, &["validate", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &v["errors"][0];
    assert_eq!(e["file"], "bedrock/sync_config.yml", "{v}");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(13), Some(13)),
        "{v}"
    );
    assert_eq!(e["hint"], "write `events: cloud_to_local`", "{v}");
}
