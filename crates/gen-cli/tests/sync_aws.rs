//! `gen sync` through the AWS remote, against a local DynamoDB + S3 (moto): `scripts/test.sh` starts
//! one and exports `AWS_ENDPOINT_URL`; `GEN_SKIP_CLOUD=1` skips this on purpose.

#![cfg(feature = "aws")]

mod common;

use common::gen_command;
use serde_json::Value;
use std::path::Path;

fn endpoint() -> Option<String> {
    if std::env::var("GEN_SKIP_CLOUD").is_ok_and(|v| !v.is_empty() && v != "0") {
        eprintln!("SKIPPED: gen sync --backend aws against moto (GEN_SKIP_CLOUD is set)");
        return None;
    }
    Some(
        std::env::var("AWS_ENDPOINT_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| {
                panic!(
                    "AWS_ENDPOINT_URL is not set: run the tests through scripts/test.sh, or `scripts/local-cloud start` \
                     and export the AWS_ENDPOINT_URL it prints (GEN_SKIP_CLOUD=1 skips this test)"
                )
            }),
    )
}

/// `gen` with dummy credentials for the local cloud; stdout, or the test fails with stderr.
fn gen_aws(dir: &Path, args: &[&str]) -> String {
    let out = gen_command(dir, args)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gen {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn two_teammates_share_their_events_through_dynamodb() {
    let Some(url) = endpoint() else { return };
    let project = format!(
        "cli-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let tmp = tempfile::tempdir().unwrap();
    let (ana, bo) = (tmp.path().join("ana"), tmp.path().join("bo"));
    for root in [&ana, &bo] {
        std::fs::create_dir_all(root).unwrap();
        gen_aws(root, &["init", "-q", "--project", "billing"]);
        let init = gen_aws(
            root,
            &[
                "sync",
                "init",
                "--backend",
                "aws",
                "--project-id",
                &project,
                "--endpoint-url",
                &url,
                "--region",
                "us-east-1",
                "--provision",
            ],
        );
        assert!(init.contains("Wrote"), "{init}");
    }
    for (root, feature) in [(&ana, "REQ-F-A-001"), (&bo, "REQ-F-B-001")] {
        gen_aws(
            root,
            &[
                "event",
                "emit",
                "edge_started",
                "--feature",
                feature,
                "--edge",
                "design→code",
            ],
        );
    }
    for _ in 0..2 {
        for root in [&ana, &bo] {
            gen_aws(root, &["sync", "push"]);
            gen_aws(root, &["sync", "pull"]);
        }
    }
    let log = |root: &Path| {
        let mut lines: Vec<String> =
            std::fs::read_to_string(root.join(".ai-workspace/events/events.jsonl"))
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect();
        lines.sort();
        lines
    };
    assert_eq!(log(&ana), log(&bo));
    let again: Value = serde_json::from_str(&gen_aws(&ana, &["sync", "push", "--json"])).unwrap();
    assert_eq!(again["events"]["added"], 0);

    // The project read straight from DynamoDB, with no workspace around.
    let elsewhere = tmp.path().join("ci");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let remote: Value = serde_json::from_str(&gen_aws(
        &elsewhere,
        &[
            "status",
            "--remote",
            "--backend",
            "aws",
            "--project-id",
            &project,
            "--endpoint-url",
            &url,
            "--region",
            "us-east-1",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(remote["events"]["total"], log(&ana).len(), "{remote}");
}
