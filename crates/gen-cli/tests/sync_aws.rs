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

/// `gen sync init --backend aws` for `project` at `url`, with extra flags (`--provision`, `--force`).
fn aws_init(root: &Path, project: &str, url: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "sync",
        "init",
        "--backend",
        "aws",
        "--project-id",
        project,
        "--endpoint-url",
        url,
        "--region",
        "us-east-1",
    ];
    args.extend_from_slice(extra);
    gen_aws(root, &args)
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
        let init = aws_init(root, &project, &url, &["--provision"]);
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

/// The proxy of `fixtures/support/tcp_proxy.py` on `port`, forwarding to the local cloud.
fn proxy(port: u16, target: &str) -> std::process::Child {
    use std::io::BufRead;
    let url = target.trim_end_matches('/');
    let hostport = url.rsplit("//").next().unwrap();
    let (host, target_port) = hostport.rsplit_once(':').unwrap();
    let mut child = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/support/tcp_proxy.py"
        ))
        .args([&port.to_string(), host, target_port])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready.trim(), "ready");
    child
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn the_server_or_gen_dying_mid_push_loses_and_duplicates_nothing_once_the_push_is_run_again() {
    let Some(url) = endpoint() else { return };
    let project = format!("kill-{}", std::process::id());
    let port = free_port();
    let through = format!("http://127.0.0.1:{port}");
    let tmp = tempfile::tempdir().unwrap();
    let (ana, bo) = (tmp.path().join("ana"), tmp.path().join("bo"));
    for root in [&ana, &bo] {
        std::fs::create_dir_all(root).unwrap();
        gen_aws(root, &["init", "-q", "--project", "billing"]);
    }
    // Provision straight against the server; the workspaces talk through the proxy.
    aws_init(&ana, &project, &url, &["--provision"]);
    aws_init(&ana, &project, &through, &["--force"]);
    aws_init(&bo, &project, &through, &[]);
    let log = ana.join(".ai-workspace/events/events.jsonl");
    let add = |from: usize, to: usize| {
        let lines: String = (from..to)
            .map(|i| {
                format!(
                    "{{\"event_type\":\"iteration_completed\",\"timestamp\":\"2026-03-01T{:02}:{:02}:{:02}Z\",\"event_id\":\"k{i}\",\"feature\":\"REQ-F-K-{:03}\",\"edge\":\"design→code\",\"delta\":{}}}\n",
                    i / 3600 % 24,
                    i / 60 % 60,
                    i % 60,
                    i % 40,
                    i % 3
                )
            })
            .collect();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .and_then(|mut f| std::io::Write::write_all(&mut f, lines.as_bytes()))
            .unwrap();
    };
    add(0, 6000);

    // Kill the server side at growing moments until one lands mid-push.
    let mut cut_short = 0;
    for delay_ms in [150u64, 300, 600, 1200, 2400] {
        let mut server = proxy(port, &url);
        let push = gen_command(&ana, &["sync", "push"])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        server.kill().unwrap();
        server.wait().unwrap();
        let out = push.wait_with_output().unwrap();
        if out.status.success() {
            break;
        }
        cut_short += 1;
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("127.0.0.1") && err.contains("run the same command again"),
            "a dead server is named with what to do: {err}"
        );
        assert!(!err.contains("test"), "no credential in the message: {err}");
    }
    assert!(cut_short > 0, "the server was never killed mid-push");

    // The server is back: the same push finishes, and a teammate gets every event exactly once.
    let _server = KillOnDrop(proxy(port, &url));
    gen_aws(&ana, &["sync", "push"]);
    let again: Value = serde_json::from_str(&gen_aws(&ana, &["sync", "push", "--json"])).unwrap();
    assert_eq!(again["events"]["added"], 0, "{again}");
    gen_aws(&bo, &["sync", "pull"]);
    let read = |root: &Path| -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_to_string(root.join(".ai-workspace/events/events.jsonl"))
                .unwrap()
                .lines()
                .filter(|l| l.contains("\"k"))
                .map(str::to_string)
                .collect();
        v.sort();
        v
    };
    let (a, b) = (read(&ana), read(&bo));
    assert_eq!(a.len(), 6000);
    assert_eq!(b, a, "bo holds every event of ana's, once");

    // Now gen itself is killed (SIGKILL) mid-push, at growing moments, and run again.
    add(6000, 12000);
    let mut killed = 0;
    for delay_ms in [100u64, 250, 500, 1000, 2000] {
        let mut push = gen_command(&ana, &["sync", "push"])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if push.try_wait().unwrap().is_none() {
            push.kill().unwrap();
            killed += 1;
        }
        push.wait().unwrap();
        // A teammate pulling in between sees only complete blocks, never a line twice.
        gen_aws(&bo, &["sync", "pull"]);
    }
    assert!(killed > 0, "gen was never killed mid-push");
    gen_aws(&ana, &["sync", "push"]);
    gen_aws(&bo, &["sync", "pull"]);
    let (a, b) = (read(&ana), read(&bo));
    assert_eq!(a.len(), 12000);
    assert_eq!(
        b, a,
        "bo holds every event of ana's, once, after gen was killed {killed} times"
    );
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
