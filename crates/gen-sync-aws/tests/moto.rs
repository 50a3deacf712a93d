//! The AWS remote against a local DynamoDB + S3 (moto): `scripts/test.sh` starts one and exports
//! `AWS_ENDPOINT_URL`; by hand, `eval "$(scripts/local-cloud start | tail -1)"` first, or
//! `GEN_SKIP_CLOUD=1` to skip these on purpose. Every test uses its own tables and buckets.

use gen_core::config::{
    Backend, SourceFile, SyncConfig, SyncSettings, load_sync_config, render_sync_config,
};
use gen_sync::{Remote, RemoteError, SyncError, SyncReport};
use gen_sync_aws::{AwsRemote, provision};
use gen_workspace::Workspace;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

fn push(
    ws: &Workspace,
    remote: &dyn Remote,
    project: &str,
    dry_run: bool,
) -> Result<SyncReport, SyncError> {
    gen_sync::push(ws, remote, project, dry_run, &mut |_| {})
}

fn pull(ws: &Workspace, remote: &dyn Remote, dry_run: bool) -> Result<SyncReport, SyncError> {
    gen_sync::pull(ws, remote, dry_run, &mut |_| {})
}

/// The endpoint, or `None` when the cloud tests are skipped on purpose.
fn endpoint() -> Option<String> {
    if std::env::var("GEN_SKIP_CLOUD").is_ok_and(|v| !v.is_empty() && v != "0") {
        eprintln!("SKIPPED: the moto tests of gen-sync-aws (GEN_SKIP_CLOUD is set)");
        return None;
    }
    let url = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|u| !u.is_empty());
    let Some(url) = url else {
        panic!(
            "AWS_ENDPOINT_URL is not set: run these tests through scripts/test.sh, or start a local \
             cloud with `eval \"$(scripts/local-cloud start | tail -1)\"; export AWS_ENDPOINT_URL` \
             (GEN_SKIP_CLOUD=1 skips them)"
        )
    };
    static CREDENTIALS: Once = Once::new();
    CREDENTIALS.call_once(|| {
        // SAFETY: set once, before this test makes any request, to the same dummy values every
        // test wants; the SDK reads the environment through std, which serialises access.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "test");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
            std::env::set_var("AWS_REGION", "us-east-1");
        }
    });
    Some(url)
}

/// A sync config whose project, tables and buckets no other test uses.
fn config(tag: &str, endpoint: &str) -> SyncConfig {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let project = format!(
        "it-{tag}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut settings = SyncSettings::new(&project, Backend::Aws);
    settings.dynamodb_events_table = format!("{project}-events");
    settings.dynamodb_features_table = format!("{project}-features");
    settings.region = Some("us-east-1".into());
    settings.endpoint_url = Some(endpoint.to_string());
    let text = render_sync_config(&settings);
    let (config, report) = load_sync_config(&SourceFile::new("bedrock/sync_config.yml", text));
    config.unwrap_or_else(|| panic!("{:?}", report.errors))
}

fn remote(config: &SyncConfig) -> AwsRemote {
    provision(config).unwrap();
    AwsRemote::open(config).unwrap()
}

fn project(config: &SyncConfig) -> String {
    config.project_id.clone().unwrap()
}

fn workspace(root: &Path) -> Workspace {
    let ws = Workspace::planned(root);
    std::fs::create_dir_all(ws.dir.join("events")).unwrap();
    ws
}

fn event(id: &str, ts: &str, feature: &str) -> String {
    format!(
        r#"{{"event_type":"edge_started","timestamp":"{ts}","project":"billing","event_id":"{id}","feature":"{feature}","edge":"design→code"}}"#
    )
}

fn append(ws: &Workspace, lines: &[String]) {
    gen_workspace::append_lines(&ws.events_path(), lines).unwrap();
}

fn lines(ws: &Workspace) -> BTreeSet<String> {
    std::fs::read_to_string(ws.events_path())
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn provisioning_twice_creates_once_and_then_finds_everything_there() {
    let Some(url) = endpoint() else { return };
    let config = config("prov", &url);
    let first = provision(&config).unwrap();
    assert_eq!(first.created.len(), 4, "{first:?}");
    assert!(first.existing.is_empty());
    let second = provision(&config).unwrap();
    assert!(second.created.is_empty(), "{second:?}");
    assert_eq!(second.existing.len(), 4);
}

#[test]
fn events_pushed_from_one_workspace_are_pulled_verbatim_into_an_empty_one_and_a_repush_moves_nothing()
 {
    let Some(url) = endpoint() else { return };
    let config = config("roundtrip", &url);
    let remote = remote(&config);
    let tmp = tempfile::tempdir().unwrap();
    let a = workspace(&tmp.path().join("a"));
    let b = workspace(&tmp.path().join("b"));
    let sent: Vec<String> = (0..30)
        .map(|i| {
            event(
                &format!("e{i:02}"),
                &format!("2026-03-01T09:{i:02}:00Z"),
                "REQ-F-1",
            )
        })
        .collect();
    append(&a, &sent);
    // An untimed line another tool wrote, with unicode.
    append(
        &a,
        &[r#"{"event_type":"note","event_id":"u1","text":"ünïcode ✓"}"#.to_string()],
    );

    let pushed = push(&a, &remote, &project(&config), false).unwrap();
    assert_eq!(pushed.events.added, 31);
    let pulled = pull(&b, &remote, false).unwrap();
    assert_eq!(pulled.events.added, 31);
    assert_eq!(lines(&a), lines(&b));

    // Again, from both sides: nothing moves.
    assert_eq!(
        push(&a, &remote, &project(&config), false)
            .unwrap()
            .events
            .added,
        0
    );
    assert_eq!(
        push(&b, &remote, &project(&config), false)
            .unwrap()
            .events
            .added,
        0
    );
    assert_eq!(pull(&a, &remote, false).unwrap().events.added, 0);
    assert_eq!(pull(&b, &remote, false).unwrap().events.added, 0);
    assert_eq!(remote.all_events().unwrap().len(), 31);
    assert_eq!(
        std::fs::read_to_string(b.events_path())
            .unwrap()
            .lines()
            .count(),
        31
    );
}

#[test]
fn the_same_event_id_with_other_content_is_a_conflict_and_nothing_is_overwritten() {
    let Some(url) = endpoint() else { return };
    let config = config("conflict", &url);
    let remote = remote(&config);
    let tmp = tempfile::tempdir().unwrap();
    let a = workspace(&tmp.path().join("a"));
    let b = workspace(&tmp.path().join("b"));
    let mine = event("same", "2026-03-01T09:00:00Z", "REQ-F-A");
    let theirs = event("same", "2026-03-01T09:00:00Z", "REQ-F-B");
    append(&a, std::slice::from_ref(&mine));
    append(&b, std::slice::from_ref(&theirs));
    assert_eq!(
        push(&a, &remote, &project(&config), false)
            .unwrap()
            .events
            .added,
        1
    );
    let report = push(&b, &remote, &project(&config), false).unwrap();
    assert_eq!(report.events.conflicts.len(), 1, "{report:?}");
    assert_eq!(
        report.events.conflicts[0].remote.as_deref(),
        Some(mine.as_str())
    );
    assert_eq!(report.events.conflicts[0].local, theirs);
    let stored = remote.all_events().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].line, mine);
    // The same bytes from a third workspace are already there, not a conflict.
    let c = workspace(&tmp.path().join("c"));
    append(&c, std::slice::from_ref(&mine));
    let report = push(&c, &remote, &project(&config), false).unwrap();
    assert_eq!(
        (report.events.added, report.events.skipped),
        (0, 1),
        "{report:?}"
    );
    assert!(report.events.conflicts.is_empty());
    // And b, pulling, gets nothing new: its own version stays, the conflict stands.
    pull(&b, &remote, false).unwrap();
    assert_eq!(lines(&b), BTreeSet::from([theirs]));
}

#[test]
fn concurrent_pushers_all_land_and_every_workspace_ends_with_every_line() {
    let Some(url) = endpoint() else { return };
    let config = config("concurrent", &url);
    provision(&config).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let workspaces: Vec<Workspace> = (0..4)
        .map(|w| {
            let ws = workspace(&tmp.path().join(format!("w{w}")));
            let mine: Vec<String> = (0..15)
                .map(|i| {
                    event(
                        &format!("w{w}-{i}"),
                        &format!("2026-03-0{}T10:{i:02}:00Z", w + 1),
                        "REQ-F-C",
                    )
                })
                .collect();
            // One event every workspace holds (a line copied around by hand).
            append(&ws, &mine);
            append(&ws, &[event("shared", "2026-03-09T00:00:00Z", "REQ-F-C")]);
            ws
        })
        .collect();
    std::thread::scope(|s| {
        for ws in &workspaces {
            let config = &config;
            s.spawn(move || {
                let remote = AwsRemote::open(config).unwrap();
                let report = push(ws, &remote, &project(config), false).unwrap();
                assert!(report.events.conflicts.is_empty(), "{report:?}");
            });
        }
    });
    let remote = AwsRemote::open(&config).unwrap();
    assert_eq!(remote.all_events().unwrap().len(), 4 * 15 + 1);
    assert_eq!(remote.heads().unwrap().len(), 4);
    for ws in &workspaces {
        pull(ws, &remote, false).unwrap();
    }
    let first = lines(&workspaces[0]);
    assert_eq!(first.len(), 4 * 15 + 1);
    for ws in &workspaces[1..] {
        assert_eq!(lines(ws), first);
        assert_eq!(
            std::fs::read_to_string(ws.events_path())
                .unwrap()
                .lines()
                .count(),
            first.len(),
            "no line twice"
        );
    }
}

#[test]
fn a_missing_table_an_oversized_event_and_an_unreachable_endpoint_say_what_is_wrong() {
    let Some(url) = endpoint() else { return };
    let config = config("errors", &url);
    let remote = AwsRemote::open(&config).unwrap();
    let err = remote.heads().unwrap_err();
    assert!(matches!(err, RemoteError::Missing { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains(config.dynamodb_events_table.as_deref().unwrap()),
        "{err}"
    );

    provision(&config).unwrap();
    let remote = AwsRemote::open(&config).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let a = workspace(&tmp.path().join("a"));
    let big = format!(
        r#"{{"event_type":"note","timestamp":"2026-03-01T09:00:00Z","event_id":"big","text":"{}"}}"#,
        "x".repeat(500 * 1024)
    );
    let small = event("small", "2026-03-01T09:01:00Z", "REQ-F-A");
    append(&a, &[big, small.clone()]);
    // The oversized event is refused with its id and size; the rest of the push goes on.
    let report = push(&a, &remote, &project(&config), false).unwrap();
    assert_eq!(report.events.added, 1, "{report:?}");
    let refused = &report.events.conflicts;
    assert_eq!(refused.len(), 1, "{report:?}");
    assert_eq!(refused[0].event_id, "big");
    assert!(
        refused[0]
            .reason
            .contains("over the remote's limit of 409600 bytes")
            && refused[0].remote.is_none(),
        "{refused:?}"
    );
    let stored: Vec<String> = remote
        .all_events()
        .unwrap()
        .into_iter()
        .map(|i| i.line)
        .collect();
    assert_eq!(stored, [small]);
    // Still refused on the next push, never dropped silently.
    assert_eq!(
        push(&a, &remote, &project(&config), false)
            .unwrap()
            .events
            .conflicts
            .len(),
        1
    );

    let mut closed = config.clone();
    closed.endpoint_url = Some("http://127.0.0.1:9".into());
    let err = AwsRemote::open(&closed).unwrap().heads().unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("cannot reach http://127.0.0.1:9"),
        "{text}"
    );
    assert!(!text.contains('\n') && !text.contains("test"), "{text}");
}

#[test]
fn a_racing_teammate_who_replaced_our_event_is_caught_by_the_next_pull_and_everyone_gets_it_once() {
    let Some(url) = endpoint() else { return };
    let config = config("race", &url);
    let remote = remote(&config);
    let project = project(&config);
    let tmp = tempfile::tempdir().unwrap();
    let a = workspace(&tmp.path().join("a"));
    let ours = event("raced", "2026-03-01T09:00:00Z", "REQ-F-A");
    let theirs = event("raced", "2026-03-01T09:00:00Z", "REQ-F-B");
    append(&a, std::slice::from_ref(&ours));
    assert_eq!(push(&a, &remote, &project, false).unwrap().events.added, 1);

    // What a teammate pushing the same id at the same instant does: its check found the key free
    // too, so its batch write replaced ours, and its block names it.
    let parsed = gen_core::event::parse_line(&theirs).unwrap();
    let sk = gen_sync::sort_key(&parsed);
    let item = gen_sync::EventItem {
        project_id: project.clone(),
        sk: sk.clone(),
        event_id: "raced".into(),
        line: theirs.clone(),
        hash: {
            use sha2::Digest;
            use std::fmt::Write;
            sha2::Sha256::digest(theirs.as_bytes())
                .iter()
                .fold(String::new(), |mut s, b| {
                    let _ = write!(s, "{b:02x}");
                    s
                })
        },
        event_type: Some("edge_started".into()),
        feature_id: Some("REQ-F-B".into()),
        edge: None,
        agent_id: None,
        origin: "0190-racer".into(),
        seq: 1,
    };
    remote.create_events(&[item]).unwrap();
    remote
        .put_block(
            "0190-racer",
            &gen_sync::Block {
                first: 1,
                pointers: vec![gen_sync::Pointer::Item(sk)],
            },
        )
        .unwrap();
    remote.raise_head("0190-racer", 1).unwrap();

    // Our next pull tells us, with both lines, and leaves our log alone.
    let pulled = pull(&a, &remote, false).unwrap();
    assert_eq!(pulled.events.added, 0, "{pulled:?}");
    assert_eq!(pulled.events.conflicts.len(), 1, "{pulled:?}");
    assert_eq!(pulled.events.conflicts[0].local, ours);
    assert_eq!(
        pulled.events.conflicts[0].remote.as_deref(),
        Some(theirs.as_str())
    );
    assert_eq!(lines(&a), BTreeSet::from([ours.clone()]));
    // …and so does every push after it until someone resolves it.
    assert_eq!(
        push(&a, &remote, &project, false)
            .unwrap()
            .events
            .conflicts
            .len(),
        1
    );

    // A third workspace follows both blocks and gets the event once: through its creator's pointer.
    let c = workspace(&tmp.path().join("c"));
    let got = pull(&c, &remote, false).unwrap();
    assert_eq!((got.events.added, got.events.skipped), (1, 1), "{got:?}");
    assert_eq!(lines(&c), BTreeSet::from([theirs]));
}

#[test]
fn an_s3_bucket_lists_gets_puts_and_deletes_and_a_conditional_put_loses_a_race() {
    use gen_sync::objects::{Expect, Objects};
    let Some(url) = endpoint() else { return };
    let config = config("objects", &url);
    provision(&config).unwrap();
    let bucket =
        gen_sync_aws::S3Objects::open(&config, config.s3_config_bucket.as_deref().unwrap())
            .unwrap();
    assert!(bucket.list("config/").unwrap().is_empty());
    let t1 = bucket.put("config/a.yml", b"one").unwrap();
    bucket.put("config/sub/b.yml", b"two").unwrap();
    bucket.put("other/c", b"three").unwrap();
    let listed: Vec<(String, u64, String)> = bucket
        .list("config/")
        .unwrap()
        .into_iter()
        .map(|o| (o.key, o.size, o.tag))
        .collect();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        listed[0],
        ("config/a.yml".into(), 3, t1.clone()),
        "the listing's tag is the put's"
    );
    assert_eq!(
        bucket.get("config/a.yml").unwrap(),
        Some((b"one".to_vec(), t1))
    );
    assert_eq!(bucket.get("config/none").unwrap(), None);
    // The manifest dance, on S3's own conditions.
    assert!(
        bucket
            .put_if("config/manifest.json", b"v1", &Expect::Absent)
            .unwrap()
            .is_some()
    );
    assert!(
        bucket
            .put_if("config/manifest.json", b"v1b", &Expect::Absent)
            .unwrap()
            .is_none()
    );
    let (_, tag) = bucket.get("config/manifest.json").unwrap().unwrap();
    assert!(
        bucket
            .put_if("config/manifest.json", b"v2", &Expect::Tag(tag.clone()))
            .unwrap()
            .is_some()
    );
    assert!(
        bucket
            .put_if("config/manifest.json", b"v3", &Expect::Tag(tag))
            .unwrap()
            .is_none(),
        "a writer that read v1 cannot overwrite v2"
    );
    assert_eq!(
        bucket.get("config/manifest.json").unwrap().unwrap().0,
        b"v2"
    );
    bucket.delete("config/a.yml").unwrap();
    assert_eq!(bucket.get("config/a.yml").unwrap(), None);
    assert!(
        bucket.put("../escape", b"x").is_err(),
        "keys that escape are refused before sending"
    );
}

fn status_json(ws: &Workspace) -> serde_json::Value {
    let view = gen_workspace::Project::load_for_status(ws)
        .status(true, gen_core::projection::SeeAlso::default())
        .unwrap();
    let mut json = serde_json::to_value(&view.report).unwrap();
    json["project"] = serde_json::Value::Null;
    json
}

#[test]
fn offline_work_with_late_events_converges_in_any_order_through_dynamodb() {
    let Some(url) = endpoint() else { return };
    let config = config("offline", &url);
    let remote = remote(&config);
    let project = project(&config);
    let tmp = tempfile::tempdir().unwrap();
    let a = workspace(&tmp.path().join("a"));
    let b = workspace(&tmp.path().join("b"));
    let sync = |ws: &Workspace| {
        push(ws, &remote, &project, false).unwrap();
        pull(ws, &remote, false).unwrap();
    };
    // A works offline (lines appended by another tool); B works two days later and pushes first.
    append(
        &a,
        &[
            event("a1", "2026-03-01T09:00:00Z", "REQ-F-A"),
            event("a2", "2026-03-01T09:30:00Z", "REQ-F-A"),
        ],
    );
    append(
        &b,
        &[
            event("b1", "2026-03-03T10:00:00Z", "REQ-F-B"),
            event("b2", "2026-03-03T11:00:00Z", "REQ-F-B"),
        ],
    );
    sync(&b);
    sync(&a);
    // More offline work on both sides, older than what each already holds; synced the other way round.
    append(&a, &[event("a3", "2026-03-01T10:00:00Z", "REQ-F-A")]);
    append(&b, &[event("b3", "2026-02-27T08:00:00Z", "REQ-F-C")]);
    for _ in 0..3 {
        sync(&a);
        sync(&b);
    }
    assert_eq!(lines(&a), lines(&b));
    let count = |ws: &Workspace| {
        std::fs::read_to_string(ws.events_path())
            .unwrap()
            .lines()
            .count()
    };
    assert_eq!((count(&a), count(&b)), (6, 6), "no line twice");
    assert_eq!(status_json(&a), status_json(&b));
}

#[test]
fn the_corpus_pushed_through_dynamodb_is_pulled_byte_for_byte_into_an_empty_workspace() {
    let Some(url) = endpoint() else { return };
    let Some(corpus) = gen_testkit::corpus() else {
        return;
    };
    let config = config("corpus", &url);
    let remote = remote(&config);
    let project = project(&config);
    let tmp = tempfile::tempdir().unwrap();
    let a = workspace(&tmp.path().join("a"));
    let b = workspace(&tmp.path().join("b"));
    let original =
        std::fs::read(corpus.join("genesis-method/.ai-workspace/events/events.jsonl")).unwrap();
    std::fs::write(a.events_path(), &original).unwrap();
    assert_eq!(
        push(&a, &remote, &project, false).unwrap().events.added,
        2306
    );
    assert_eq!(pull(&b, &remote, false).unwrap().events.added, 2306);
    let split = |bytes: &[u8]| -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = bytes
            .split(|c| *c == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        split(&std::fs::read(b.events_path()).unwrap()),
        split(&original)
    );
    assert_eq!(status_json(&a), status_json(&b));
}
