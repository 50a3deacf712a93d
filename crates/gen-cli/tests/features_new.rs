//! `gen features new` as a user starts a feature: the vector lands where the workspace keeps
//! vectors, passes `gen validate`, shows in `gen status`, takes the events' progress through
//! `gen features --write`, and is never written over.

mod common;

use common::{gen_in, gen_ok};
use serde_json::Value;

#[test]
fn a_started_feature_is_valid_shows_in_status_and_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "-q", "--project", "billing"]);

    // An event for a feature with no vector: status says how to start one.
    gen_ok(
        root,
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-PAY-001",
            "--edge",
            "intent→requirements",
        ],
    );
    let status: Value = serde_json::from_str(&gen_ok(root, &["status", "--json"])).unwrap();
    assert!(
        status["signals"]
            .to_string()
            .contains("no vector file: start one with `gen features new ID --title TEXT`"),
        "{}",
        status["signals"]
    );

    let out = gen_ok(
        root,
        &[
            "features",
            "new",
            "REQ-F-PAY-001",
            "--title",
            "Pay by card: \"3-D Secure\" # really",
        ],
    );
    assert!(out.contains("features/active/REQ-F-PAY-001.yml"), "{out}");
    let v: Value = serde_json::from_str(&gen_ok(root, &["validate", "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let status: Value = serde_json::from_str(&gen_ok(root, &["status", "--json"])).unwrap();
    assert!(!status["signals"].to_string().contains("no vector file"));
    let feature = status["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "REQ-F-PAY-001")
        .unwrap()
        .clone();
    assert_eq!(feature["title"], "Pay by card: \"3-D Secure\" # really");
    assert_eq!(feature["location"], "active");

    // The events' progress goes in through the usual refresh.
    gen_ok(root, &["features", "--write"]);
    let text =
        std::fs::read_to_string(root.join(".ai-workspace/features/active/REQ-F-PAY-001.yml"))
            .unwrap();
    assert!(
        text.contains("status: in_progress") && text.contains("requirements:"),
        "{text}"
    );

    // Never over an existing vector, in any folder; nothing is written.
    let again = gen_in(
        root,
        &["features", "new", "REQ-F-PAY-001", "--title", "Other"],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a vector"));
    let after =
        std::fs::read_to_string(root.join(".ai-workspace/features/active/REQ-F-PAY-001.yml"))
            .unwrap();
    assert_eq!(after, text);

    // A child of it, on the spike profile its type implies.
    let child: Value = serde_json::from_str(&gen_ok(
        root,
        &[
            "features",
            "new",
            "REQ-F-PAY-002",
            "--title",
            "Spike: 3DS vendors",
            "--type",
            "spike",
            "--parent",
            "REQ-F-PAY-001",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(child["profile"], "spike");
    assert_eq!(child["parent"], "REQ-F-PAY-001");
}

#[test]
fn bad_requests_say_what_to_do_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    gen_ok(root, &["init", "-q"]);
    for (args, says) in [
        (
            vec!["features", "new", "../evil", "--title", "x"],
            "cannot start `../evil`",
        ),
        (
            vec!["features", "new", "REQ/F-1", "--title", "x"],
            "use ASCII letters",
        ),
        (
            vec![
                "features",
                "new",
                "REQ-F-A",
                "--title",
                "x",
                "--profile",
                "nope",
            ],
            "use one of: full",
        ),
        (
            vec![
                "features",
                "new",
                "REQ-F-A",
                "--title",
                "x",
                "--parent",
                "REQ-F-NONE",
            ],
            "has no vector",
        ),
        (
            vec![
                "features", "new", "REQ-F-A", "--title", "x", "--type", "epic",
            ],
            "discovery",
        ),
        (
            vec!["features", "new", "REQ-F-A", "--title", "  "],
            "--title is empty",
        ),
    ] {
        let out = gen_in(root, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert!(
        !root.join(".ai-workspace/features/active").exists()
            || std::fs::read_dir(root.join(".ai-workspace/features/active"))
                .unwrap()
                .count()
                == 0
    );
}
