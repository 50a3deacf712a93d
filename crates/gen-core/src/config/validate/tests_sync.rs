//! One test per sync config rule: the seed file, broken one way at a time, with the exact message,
//! hint and line:column of each finding.

use super::*;
use crate::config::Backend;
use crate::config::sync_config::tests::SEED;

const PATH: &str = "bedrock/sync_config.yml";

/// Every finding on `text`, errors first, as `gen validate` prints them.
fn findings(text: &str) -> Vec<String> {
    let (_, report) = load_sync_config(&SourceFile::new(PATH, text));
    report.all().map(Diagnostic::to_string).collect()
}

fn one(text: &str) -> String {
    let all = findings(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all[0].clone()
}

#[test]
fn the_seed_is_clean_and_read_as_written() {
    assert_eq!(findings(SEED), Vec::<String>::new());
    let (config, report) = load_sync_config(&SourceFile::new(PATH, SEED));
    assert!(report.is_ok());
    let config = config.expect("no error, so the model comes back");
    assert_eq!(config.backend, Backend::Aws);
    assert_eq!(config.project_id.as_deref(), Some("project-foo"));
    assert_eq!(
        config.s3_config_bucket.as_deref(),
        Some("aisdlc-project-foo-config")
    );
    assert_eq!(
        config.dynamodb_features_table.as_deref(),
        Some("aisdlc-features")
    );
    assert_eq!(config.staleness_secs, 3600);
    assert_eq!(
        config
            .last_sync
            .get("events_pulled")
            .map(ToString::to_string),
        Some("2026-02-23T10:28:00Z".into())
    );
    assert_eq!(config.last_sync.len(), 3);
    assert_eq!(
        config.direction.get("configs").map(String::as_str),
        Some("local_to_cloud")
    );
}

#[test]
fn an_error_withholds_the_model_from_sync_but_not_from_validate() {
    let text = SEED.replace(
        "\"cloud_to_local\"\n    artifacts",
        "\"local_to_cloud\"\n    artifacts",
    );
    let (config, report) = load_sync_config(&SourceFile::new(PATH, &text));
    assert!(config.is_none());
    assert_eq!(report.errors.len(), 1);
    // Through the whole-workspace loader the lenient model is kept and the finding is filed.
    let set = ConfigSet {
        sync_config: Some(SourceFile::new(PATH, text)),
        ..super::tests::base()
    };
    let (config, report) = load(&set);
    assert_eq!(config.sync.as_ref().map(|s| s.path.as_str()), Some(PATH));
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].file, PATH);
    assert_eq!(
        (report.errors[0].line, report.errors[0].column),
        (Some(13), Some(13))
    );
}

#[test]
fn a_wrong_direction_says_why_and_what_to_write() {
    let text = SEED.replace("events: \"cloud_to_local\"", "events: \"local_to_cloud\"");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:13:13: error: `sync.direction.events` is `local_to_cloud`, but the seed \
         fixes each resource's direction: configs are authored locally and pushed; events, features and \
         artifacts come from the cloud\n  hint: write `events: cloud_to_local`"
    );
    let text = SEED.replace("configs: \"local_to_cloud\"", "configs: both");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:12:14: error: `sync.direction.configs` is `both`, but the seed fixes each \
         resource's direction: configs are authored locally and pushed; events, features and artifacts \
         come from the cloud\n  hint: write `configs: local_to_cloud`"
    );
    let text = SEED.replace(
        "    artifacts: \"cloud_to_local\"",
        "    features: \"cloud_to_local\"\n    artefacts: x",
    );
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:15:5: warning: unknown `direction` resource `artefacts`; it is ignored\n  \
         hint: did you mean `artifacts`? (the known resources are `configs`, `events`, `features`, `artifacts`)"
    );
    let text = SEED.replace("  direction:\n", "  direction: [configs]\n").replace("    configs: \"local_to_cloud\"\n    events: \"cloud_to_local\"\n    artifacts: \"cloud_to_local\"\n", "");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:11:14: error: `sync.direction` is a list, expected a mapping of resources to \
         directions\n  hint: write `direction:` with `configs: local_to_cloud` and `events`, `features`, \
         `artifacts`: `cloud_to_local`, or remove it (those are the defaults)"
    );
}

#[test]
fn the_root_must_hold_a_sync_mapping() {
    assert_eq!(
        one("- sync\n"),
        "bedrock/sync_config.yml:1:1: error: the file's top level is a list, expected a mapping of keys\n  \
         hint: write the file as `key: value` lines at the top level"
    );
    assert_eq!(
        findings("project_id: x\n"),
        [
            "bedrock/sync_config.yml:1:1: error: the sync config has no `sync` mapping\n  hint: write the \
             settings under a top-level `sync:` key, as the seed does",
            "bedrock/sync_config.yml:1:1: warning: unknown top-level key `project_id`; only `sync` is read\n  \
             hint: move it under `sync:` if it is a sync setting, or remove it",
        ]
    );
    assert_eq!(
        one("sync: aws\n"),
        "bedrock/sync_config.yml:1:7: error: `sync` is a string, expected a mapping of sync settings\n  \
         hint: write `sync:` followed by indented `key: value` lines"
    );
    assert_eq!(
        one("sync:\n"),
        "bedrock/sync_config.yml:1:1: error: `sync` is null, expected a mapping of sync settings\n  \
         hint: write `sync:` followed by indented `key: value` lines"
    );
    assert!(one("sync: [\n").contains("error: invalid YAML"));
}

#[test]
fn project_id_is_required_non_empty_and_safe_as_a_key_part() {
    let text = SEED.replace("  project_id: \"project-foo\"\n", "");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:1:1: error: `sync.project_id` is missing; every synced record is keyed by it\n  \
         hint: add `project_id: \"<your-project>\"` under `sync:` (letters, digits, `-`, `_`, `.`)"
    );
    let text = SEED.replace("project_id: \"project-foo\"", "project_id: \"  \"");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:6:15: error: `sync.project_id` is empty; every synced record is keyed by it\n  \
         hint: write the project's id, e.g. `project_id: \"project-foo\"`"
    );
    for (id, problem) in [
        ("team/foo", "it has `/`"),
        ("foo#1", "it has `#`"),
        ("my project", "it has a space"),
        ("..", "it is only dots, which names a folder, not a project"),
    ] {
        let text = SEED.replace("\"project-foo\"", &format!("\"{id}\""));
        assert_eq!(
            one(&text),
            format!(
                "bedrock/sync_config.yml:6:15: error: `sync.project_id` `{id}` cannot be part of a record key: \
                 {problem}\n  hint: use only letters, digits, `-`, `_` and `.` (no `/`, `#` or spaces)"
            )
        );
    }
    let text = SEED.replace("\"project-foo\"", "\"Project_Foo.v2\"");
    assert_eq!(findings(&text), Vec::<String>::new());
}

#[test]
fn the_aws_backend_needs_four_valid_remote_names() {
    let text = SEED.replace("  dynamodb_events_table: \"aisdlc-events\"\n", "");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:1:1: error: `sync.dynamodb_events_table` is missing; the aws backend needs it\n  \
         hint: write `dynamodb_events_table: \"aisdlc-events\"` under `sync:`, or use `backend: local`"
    );
    let text = SEED.replace(
        "s3_config_bucket: \"aisdlc-project-foo-config\"",
        "s3_config_bucket: \"\"",
    );
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:2:21: error: `sync.s3_config_bucket` is empty; the aws backend needs it\n  \
         hint: write `s3_config_bucket: \"aisdlc-project-foo-config\"` under `sync:`, or use `backend: local`"
    );
    for (name, problem) in [
        ("Aisdlc-Foo", "it has `A`"),
        ("ab", "it is 2 characters long"),
        ("my_bucket", "it has `_`"),
        (
            "-bucket",
            "it does not start and end with a letter or digit",
        ),
    ] {
        let text = SEED.replace("\"aisdlc-project-foo-artifacts\"", &format!("\"{name}\""));
        assert_eq!(
            one(&text),
            format!(
                "bedrock/sync_config.yml:3:24: error: `sync.s3_artifacts_bucket` `{name}` is not a valid name for \
                 an S3 bucket: {problem}\n  hint: bucket names are 3–63 characters of lowercase letters, digits, \
                 `-` and `.`, starting and ending with a letter or digit"
            )
        );
    }
    let long = "a".repeat(64);
    let text = SEED.replace("\"aisdlc-project-foo-artifacts\"", &long);
    assert!(one(&text).contains("it is 64 characters long"));
    let text = SEED.replace("\"aisdlc-features\"", "\"Aisdlc Features\"");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:5:28: error: `sync.dynamodb_features_table` `Aisdlc Features` is not a valid \
         name for a DynamoDB table: it has a space\n  hint: table names are 3–255 characters of letters, digits, \
         `_`, `-` and `.`"
    );
    let text = SEED.replace("\"aisdlc-features\"", "\"Aisdlc_Features.v2\"");
    assert_eq!(
        findings(&text),
        Vec::<String>::new(),
        "tables allow capitals and `_`"
    );
}

#[test]
fn backend_is_aws_or_local_and_local_needs_a_root() {
    let text = SEED.replacen("sync:\n", "sync:\n  backend: gcp\n", 1);
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:2:12: error: `sync.backend` is `gcp`, expected `aws` or `local`\n  hint: write \
         `backend: aws` (the default: S3 and DynamoDB) or `backend: local` with a `local_root`"
    );
    let local = "sync:\n  backend: local\n  project_id: foo\n";
    assert_eq!(
        one(local),
        "bedrock/sync_config.yml:1:1: error: `sync.local_root` is missing; the local backend needs the folder that \
         plays the cloud\n  hint: add `local_root: \"../team-sync\"` under `sync:` (relative paths are relative to \
         the project folder)"
    );
    let ok = format!("{local}  local_root: ../team-sync\n");
    assert_eq!(
        findings(&ok),
        Vec::<String>::new(),
        "local needs no remote names"
    );
    let (config, _) = load_sync_config(&SourceFile::new(PATH, ok));
    let config = config.expect("clean");
    assert_eq!(config.backend, Backend::Local);
    assert_eq!(
        config.local_root_in(std::path::Path::new("/p")),
        Some(std::path::PathBuf::from("/p/../team-sync"))
    );
}

#[test]
fn keys_the_backend_does_not_read_are_warnings() {
    let text = "sync:\n  backend: local\n  project_id: foo\n  local_root: /srv/sync\n  region: eu-west-1\n  \
                endpoint_url: http://localhost:4566\n";
    assert_eq!(
        findings(text),
        [
            "bedrock/sync_config.yml:5:3: warning: `sync.region` is only read by the aws backend; with \
             `backend: local` it is ignored\n  hint: remove it, or use `backend: aws`",
            "bedrock/sync_config.yml:6:3: warning: `sync.endpoint_url` is only read by the aws backend; with \
             `backend: local` it is ignored\n  hint: remove it, or use `backend: aws`",
        ]
    );
    let text = SEED.replacen("sync:\n", "sync:\n  local_root: ../x\n", 1);
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:2:3: warning: `sync.local_root` is only read by the local backend; with \
         `backend: aws` it is ignored\n  hint: remove it, or use `backend: local`"
    );
}

#[test]
fn endpoint_url_must_be_http_or_https_with_a_host() {
    for (url, problem) in [
        (
            "localhost:4566",
            "it does not start with `http://` or `https://`",
        ),
        (
            "ftp://host",
            "it does not start with `http://` or `https://`",
        ),
        ("http://", "it has no host"),
        ("http://:4566/", "it has no host"),
        ("https://a b", "it has a space or line break"),
    ] {
        let text = SEED.replacen("sync:\n", &format!("sync:\n  endpoint_url: \"{url}\"\n"), 1);
        assert_eq!(
            one(&text),
            format!(
                "bedrock/sync_config.yml:2:17: error: `sync.endpoint_url` `{url}` is not an http(s) URL: {problem}\n  \
                 hint: write the full URL of the S3/DynamoDB-compatible service, e.g. `http://localhost:4566`"
            )
        );
    }
    for url in [
        "http://localhost:4566",
        "https://s3.eu-west-1.amazonaws.com/",
        "http://user@minio:9000",
    ] {
        let text = SEED.replacen("sync:\n", &format!("sync:\n  endpoint_url: {url}\n"), 1);
        assert_eq!(findings(&text), Vec::<String>::new(), "{url}");
    }
}

#[test]
fn unknown_keys_under_sync_are_typo_warnings() {
    let text = SEED.replacen("sync:\n", "sync:\n  projet_id: foo\n  colour: blue\n", 1);
    assert_eq!(
        findings(&text),
        [
            "bedrock/sync_config.yml:2:3: warning: unknown key `projet_id` under `sync`; it is ignored\n  hint: \
             did you mean `project_id`? (the known keys are `backend`, `project_id`, `s3_config_bucket`, \
             `s3_artifacts_bucket`, `dynamodb_events_table`, `dynamodb_features_table`, `region`, `profile`, \
             `endpoint_url`, `local_root`, `staleness_threshold`, `last_sync`, `direction`)",
            "bedrock/sync_config.yml:3:3: warning: unknown key `colour` under `sync`; it is ignored\n  hint: \
             the known keys are `backend`, `project_id`, `s3_config_bucket`, `s3_artifacts_bucket`, \
             `dynamodb_events_table`, `dynamodb_features_table`, `region`, `profile`, `endpoint_url`, \
             `local_root`, `staleness_threshold`, `last_sync`, `direction`; check the spelling",
        ]
    );
}

#[test]
fn settings_are_single_values() {
    let text = SEED.replacen("sync:\n", "sync:\n  region: [eu-west-1]\n", 1);
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:2:11: error: `sync.region` is a list, expected one value\n  hint: write \
         `region: \"…\"` on one line"
    );
}

#[test]
fn last_sync_times_are_rfc_3339() {
    let text = SEED.replace("\"2026-02-23T10:28:00Z\"", "\"yesterday\"");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:9:20: error: `sync.last_sync.events_pulled` is `yesterday`, not an RFC 3339 \
         time\n  hint: write a time with its offset, like `\"2026-02-23T10:28:00Z\"`, or remove the line to sync \
         from the start"
    );
    for bad in ["2026-02-23", "2026-02-23T10:28:00", "1700000000"] {
        let text = SEED.replace("\"2026-02-23T10:28:00Z\"", bad);
        assert!(one(&text).contains("not an RFC 3339 time"), "{bad}");
    }
    for good in [
        "2026-02-23T10:28:00Z",
        "'2026-02-23T11:28:00+01:00'",
        "\"2026-02-23T10:28:00.123456Z\"",
        "~",
    ] {
        let text = SEED.replace("\"2026-02-23T10:28:00Z\"", good);
        assert_eq!(findings(&text), Vec::<String>::new(), "{good}");
    }
    let text = SEED.replace("    events_pulled:", "    event_pulled:");
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:9:5: warning: unknown `last_sync` entry `event_pulled`; it is ignored\n  hint: \
         did you mean `events_pulled`? (the known entries are `configs_pushed`, `configs_pulled`, \
         `events_pushed`, `events_pulled`, `features_pushed`, `features_pulled`, `artifacts_pulled`)"
    );
    let text = SEED.replace(
        "  last_sync:\n    configs_pushed: \"2026-02-23T10:30:00Z\"\n    events_pulled: \"2026-02-23T10:28:00Z\"\n    \
         artifacts_pulled: \"2026-02-23T10:29:00Z\"\n",
        "  last_sync: yesterday\n",
    );
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:7:14: error: `sync.last_sync` is a string, expected a mapping of entries to \
         times\n  hint: write `last_sync:` with lines like `events_pulled: \"2026-02-23T10:28:00Z\"`, or remove it"
    );
}

#[test]
fn staleness_threshold_is_a_duration() {
    for (value, secs) in [
        ("30m", 1800),
        ("1h", 3600),
        ("2h30m", 9000),
        ("1d", 86_400),
        ("90", 90),
        ("\"45s\"", 45),
    ] {
        let text = SEED.replacen(
            "sync:\n",
            &format!("sync:\n  staleness_threshold: {value}\n"),
            1,
        );
        let (config, report) = load_sync_config(&SourceFile::new(PATH, text));
        assert!(report.all().next().is_none(), "{value}: {report:?}");
        assert_eq!(config.map(|c| c.staleness_secs), Some(secs), "{value}");
    }
    let text = SEED.replacen("sync:\n", "sync:\n  staleness_threshold: 1h30\n", 1);
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:2:24: error: `sync.staleness_threshold` `1h30` is not a duration: `30` has no \
         unit (d, h, m or s)\n  hint: write seconds (`3600`) or a duration like `30m`, `1h`, `2h30m`, `1d` \
         (default: `1h`)"
    );
    let text = SEED.replacen("sync:\n", "sync:\n  staleness_threshold: 0\n", 1);
    assert_eq!(
        one(&text),
        "bedrock/sync_config.yml:2:24: warning: `sync.staleness_threshold` is zero, so every pull counts as stale \
         at once\n  hint: write seconds (`3600`) or a duration like `30m`, `1h`, `2h30m`, `1d` (default: `1h`)"
    );
}

#[test]
fn the_workspace_loader_path_reports_under_the_file() {
    let set = ConfigSet {
        sync_config: Some(SourceFile::new(PATH, "sync: [\n")),
        ..super::tests::base()
    };
    let report = validate(&set);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].file, PATH);
    assert_eq!(report.errors[0].line, Some(1));
}
