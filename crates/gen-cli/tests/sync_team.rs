//! The four resources of `gen sync` as a team uses them — configs up and down (git-like, with
//! conflicts), feature vectors and artifacts down — each scenario on both backends: a folder that
//! plays the cloud, and a local DynamoDB + S3 (moto; `scripts/test.sh` starts one and exports
//! `AWS_ENDPOINT_URL`, `GEN_SKIP_CLOUD=1` skips those on purpose).

mod common;

use common::gen_command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Where the team's cloud is.
#[derive(Clone)]
enum Cloud {
    /// A folder (`--backend local`).
    Folder,
    /// DynamoDB + S3 at this endpoint.
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    Aws(String),
}

#[cfg(feature = "aws")]
fn moto() -> Option<Cloud> {
    if std::env::var("GEN_SKIP_CLOUD").is_ok_and(|v| !v.is_empty() && v != "0") {
        eprintln!("SKIPPED: the AWS half of this scenario (GEN_SKIP_CLOUD is set)");
        return None;
    }
    let url = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| {
            panic!(
                "AWS_ENDPOINT_URL is not set: run the tests through scripts/test.sh, or `scripts/local-cloud start` \
                 and export the AWS_ENDPOINT_URL it prints (GEN_SKIP_CLOUD=1 skips this test)"
            )
        });
    Some(Cloud::Aws(url))
}

/// Two teammates, ana and bo, on one project.
struct Team {
    tmp: tempfile::TempDir,
    cloud: Cloud,
    project: String,
    ana: PathBuf,
    bo: PathBuf,
}

impl Team {
    fn new(cloud: Cloud) -> Team {
        let tmp = tempfile::tempdir().unwrap();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let project = format!("team-{}-{nanos}", std::process::id());
        let (ana, bo) = (tmp.path().join("ana"), tmp.path().join("bo"));
        let team = Team {
            tmp,
            cloud,
            project,
            ana,
            bo,
        };
        for (i, root) in [&team.ana, &team.bo].into_iter().enumerate() {
            std::fs::create_dir_all(root).unwrap();
            team.ok(root, &["init", "-q", "--project", "billing"]);
            let mut args = vec!["sync", "init", "--project-id", &team.project];
            match &team.cloud {
                Cloud::Folder => args.extend(["--backend", "local", "--root", "../remote"]),
                Cloud::Aws(url) => {
                    args.extend(["--backend", "aws", "--endpoint-url", url]);
                    args.extend(["--region", "us-east-1"]);
                    if i == 0 {
                        args.push("--provision");
                    }
                }
            }
            team.ok(root, &args);
        }
        team
    }

    /// `gen` in `dir` with dummy credentials for the local cloud.
    fn run(&self, dir: &Path, args: &[&str]) -> Output {
        gen_command(dir, args)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap()
    }

    /// Stdout of a run that must succeed.
    fn ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.run(dir, args);
        assert!(
            out.status.success(),
            "gen {args:?} failed ({}):\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// A `--json` sync run: its exit code and report.
    fn sync(&self, dir: &Path, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["sync"];
        all.extend_from_slice(args);
        all.push("--json");
        let out = self.run(dir, &all);
        let text = String::from_utf8_lossy(&out.stdout);
        let report = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "gen {all:?}: no JSON ({e}):\nstdout: {text}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), report)
    }

    fn file(&self, who: &Path, rel: &str) -> PathBuf {
        who.join(".ai-workspace").join(rel)
    }

    fn read(&self, who: &Path, rel: &str) -> String {
        std::fs::read_to_string(self.file(who, rel)).unwrap()
    }

    fn write(&self, who: &Path, rel: &str, text: &str) {
        let path = self.file(who, rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn append(&self, who: &Path, rel: &str, text: &str) {
        let old = self.read(who, rel);
        self.write(who, rel, &format!("{old}{text}"));
    }

    /// The artifacts bucket's name, as the sync config says.
    fn artifacts_bucket(&self) -> String {
        let config = self.read(&self.ana, "bedrock/sync_config.yml");
        config
            .lines()
            .find_map(|l| l.trim().strip_prefix("s3_artifacts_bucket:"))
            .unwrap()
            .trim()
            .trim_matches('"')
            .to_string()
    }

    /// Puts objects into the artifacts bucket the way the cloud would (any key at all).
    fn plant_artifacts(&self, objects: &[(String, String)]) {
        match &self.cloud {
            Cloud::Folder => {
                for (key, text) in objects {
                    let path = self
                        .tmp
                        .path()
                        .join("remote")
                        .join(&self.project)
                        .join("artifacts")
                        .join(key);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(path, text).unwrap();
                }
            }
            Cloud::Aws(url) => {
                // boto3 (installed with moto): it sends any key as it is, `..` and all.
                let status = std::process::Command::new("python3")
                    .args([
                        "-c",
                        "import sys, json, boto3\n\
                         s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')\n\
                         for key, text in json.load(sys.stdin):\n    s3.put_object(Bucket=sys.argv[2], Key=key, Body=text.encode())",
                        url,
                        &self.artifacts_bucket(),
                    ])
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .and_then(|mut child| {
                        use std::io::Write;
                        let json = serde_json::to_vec(objects).unwrap();
                        child.stdin.take().unwrap().write_all(&json)?;
                        child.wait()
                    })
                    .unwrap();
                assert!(status.success(), "planting {} objects", objects.len());
            }
        }
    }

    fn plant_artifact(&self, key: &str, text: &str) {
        self.plant_artifacts(&[(key.to_string(), text.to_string())]);
    }
}

fn conflict_paths(report: &Value, resource: &str) -> Vec<String> {
    report[resource]["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect()
}

/// A teammate's config change reaches the other; the same file changed on both sides is a conflict
/// on both commands and nothing is overwritten; `--force`, `--theirs`, `--delete`, `--dry-run`,
/// validation before upload, and a symlinked config pushed as its content.
fn configs_scenario(cloud: Cloud) {
    let t = Team::new(cloud);
    let (ana, bo) = (&t.ana, &t.bo);
    let (code, first) = t.sync(ana, &["push"]);
    assert_eq!(code, 0, "{first}");
    assert!(first["configs"]["added"].as_u64().unwrap() >= 10, "{first}");
    for key in ["events", "configs", "features", "artifacts"] {
        for count in ["added", "changed", "deleted", "skipped"] {
            assert!(first[key][count].is_u64(), "{key}.{count} in {first}");
        }
        assert!(first[key]["conflicts"].is_array());
    }
    // Same `gen init` on both sides: the first pull agrees with everything.
    let (code, pulled) = t.sync(bo, &["pull"]);
    assert_eq!(code, 0, "{pulled}");
    assert_eq!(pulled["configs"]["added"], 0, "{pulled}");

    // A teammate's change reaches bo.
    t.append(ana, "profiles/poc.yml", "# ana: tighter poc\n");
    let (_, pushed) = t.sync(ana, &["push", "--only", "configs"]);
    assert_eq!(pushed["configs"]["changed"], 1, "{pushed}");
    // A dry run shows it and changes nothing.
    let (_, dry) = t.sync(bo, &["pull", "--only", "configs", "--dry-run"]);
    assert_eq!(dry["configs"]["changed"], 1, "{dry}");
    assert!(!t.read(bo, "profiles/poc.yml").contains("ana: tighter"));
    let (code, pulled) = t.sync(bo, &["pull", "--only", "configs"]);
    assert_eq!((code, &pulled["configs"]["changed"]), (0, &Value::from(1)));
    assert_eq!(
        t.read(bo, "profiles/poc.yml"),
        t.read(ana, "profiles/poc.yml")
    );

    // Both change the same file: a conflict both ways, and nothing overwritten anywhere.
    t.append(ana, "profiles/poc.yml", "# ana again\n");
    t.sync(ana, &["push", "--only", "configs"]);
    let anas = t.read(ana, "profiles/poc.yml");
    t.append(bo, "profiles/poc.yml", "# bo's own\n");
    let bos = t.read(bo, "profiles/poc.yml");
    let (code, refused) = t.sync(bo, &["push", "--only", "configs"]);
    assert_eq!(code, 1, "{refused}");
    assert_eq!(conflict_paths(&refused, "configs"), ["profiles/poc.yml"]);
    let reason = refused["configs"]["conflicts"][0]["reason"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("changed here (") && reason.contains("remote pushed"),
        "both hashes and both times: {reason}"
    );
    let (code, refused) = t.sync(bo, &["pull", "--only", "configs"]);
    assert_eq!(code, 1, "{refused}");
    assert_eq!(conflict_paths(&refused, "configs"), ["profiles/poc.yml"]);
    assert_eq!(t.read(bo, "profiles/poc.yml"), bos, "bo's edit is kept");
    assert_eq!(
        t.read(bo, "profiles/poc.yml.remote"),
        anas,
        "ana's version beside it"
    );
    let (_, nothing) = t.sync(ana, &["pull", "--only", "configs"]);
    assert_eq!(
        nothing["configs"]["changed"], 0,
        "the remote still holds ana's"
    );
    assert_eq!(t.read(ana, "profiles/poc.yml"), anas);
    // bo decides: --force sends his; ana (unchanged since) then gets it.
    let (code, forced) = t.sync(bo, &["push", "--only", "configs", "--force"]);
    assert_eq!((code, &forced["configs"]["changed"]), (0, &Value::from(1)));
    t.sync(ana, &["pull", "--only", "configs"]);
    assert_eq!(t.read(ana, "profiles/poc.yml"), bos);

    // Configs `gen validate` rejects are not pushed, unless --force, which says so.
    let topology = t.read(ana, "graph/graph_topology.yml");
    t.write(ana, "graph/graph_topology.yml", "asset_types: [unclosed\n");
    let out = t.run(ana, &["sync", "push", "--only", "configs"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("graph_topology.yml") && err.contains("nothing was pushed"),
        "{err}"
    );
    let (_, dry) = t.sync(bo, &["pull", "--only", "configs", "--dry-run"]);
    assert_eq!(dry["configs"]["changed"], 0, "nothing reached the remote");
    let out = t.run(ana, &["sync", "push", "--only", "configs", "--force"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force: pushing configs although"));
    t.write(ana, "graph/graph_topology.yml", &topology);
    t.sync(ana, &["push", "--only", "configs"]);

    // A symlinked config goes up as the content it points to and comes down as a file.
    let shared = t.tmp.path().join("plugin-evaluators.yml");
    let linked = format!(
        "{}# from the plugin\n",
        t.read(ana, "graph/evaluator_defaults.yml")
    );
    std::fs::write(&shared, &linked).unwrap();
    let link = t.file(ana, "graph/evaluator_defaults.yml");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&shared, &link).unwrap();
    let (code, sent) = t.sync(ana, &["push", "--only", "configs"]);
    assert_eq!((code, &sent["configs"]["changed"]), (0, &Value::from(1)));
    t.sync(bo, &["pull", "--only", "configs"]);
    let there = t.file(bo, "graph/evaluator_defaults.yml");
    assert!(!there.is_symlink());
    assert_eq!(std::fs::read_to_string(there).unwrap(), linked);

    // Deleted here: kept remotely until --delete; then gone for bo too (unchanged there).
    std::fs::remove_file(t.file(ana, "profiles/spike.yml")).unwrap();
    let (_, kept) = t.sync(ana, &["push", "--only", "configs"]);
    assert_eq!(kept["configs"]["deleted"], 0);
    t.sync(bo, &["pull", "--only", "configs"]);
    assert!(t.file(bo, "profiles/spike.yml").exists());
    let (code, deleted) = t.sync(ana, &["push", "--only", "configs", "--delete"]);
    assert_eq!((code, &deleted["configs"]["deleted"]), (0, &Value::from(1)));
    let (_, gone) = t.sync(bo, &["pull", "--only", "configs"]);
    assert_eq!(gone["configs"]["deleted"], 1, "{gone}");
    assert!(!t.file(bo, "profiles/spike.yml").exists());

    // A teammate's new file arrives; the status of both is clean.
    t.write(
        ana,
        "blueprints/review.yml",
        "name: review\nnodes: []\nedges: []\n",
    );
    t.sync(ana, &["push", "--only", "configs"]);
    t.sync(bo, &["pull", "--only", "configs"]);
    assert!(t.file(bo, "blueprints/review.yml").exists());
    let (_, status) = t.sync(bo, &["status", "--only", "configs"]);
    assert_eq!(status["configs"]["push"]["changed"], 0, "{status}");
    // The poc conflict copy stays until bo removes it; it never syncs.
    assert!(t.file(bo, "profiles/poc.yml.remote").exists());
    assert_eq!(
        status["configs"]["conflicts"],
        serde_json::json!([]),
        "{status}"
    );
}

#[test]
fn configs_travel_between_teammates_through_a_folder() {
    configs_scenario(Cloud::Folder);
}

#[cfg(feature = "aws")]
#[test]
fn configs_travel_between_teammates_through_s3() {
    if let Some(cloud) = moto() {
        configs_scenario(cloud);
    }
}

/// Two teammates pushing at the same moment: different files both land; the same file cannot be
/// won by both.
fn concurrent_scenario(cloud: Cloud) {
    let t = Team::new(cloud);
    let (ana, bo) = (&t.ana, &t.bo);
    t.sync(ana, &["push"]);
    t.sync(bo, &["pull"]);
    for round in 0..3 {
        t.append(ana, "profiles/poc.yml", &format!("# ana {round}\n"));
        t.append(bo, "profiles/hotfix.yml", &format!("# bo {round}\n"));
        let both = std::thread::scope(|s| {
            let a = s.spawn(|| t.sync(ana, &["push", "--only", "configs"]));
            let b = s.spawn(|| t.sync(bo, &["push", "--only", "configs"]));
            [a.join().unwrap(), b.join().unwrap()]
        });
        for (code, report) in &both {
            assert_eq!(*code, 0, "different files both land: {report}");
        }
        t.sync(ana, &["pull", "--only", "configs"]);
        t.sync(bo, &["pull", "--only", "configs"]);
        for file in ["profiles/poc.yml", "profiles/hotfix.yml"] {
            assert_eq!(t.read(ana, file), t.read(bo, file), "{file}");
        }
    }
    // The same file, at once: at most one wins; the other's copy stays its own.
    t.append(ana, "profiles/full.yml", "# ana's\n");
    t.append(bo, "profiles/full.yml", "# bo's\n");
    let (anas, bos) = (
        t.read(ana, "profiles/full.yml"),
        t.read(bo, "profiles/full.yml"),
    );
    let both = std::thread::scope(|s| {
        let a = s.spawn(|| t.sync(ana, &["push", "--only", "configs"]));
        let b = s.spawn(|| t.sync(bo, &["push", "--only", "configs"]));
        [a.join().unwrap(), b.join().unwrap()]
    });
    let winners: Vec<usize> = (0..2).filter(|i| both[*i].0 == 0).collect();
    assert_eq!(winners.len(), 1, "exactly one push wins: {both:?}");
    let loser = &both[1 - winners[0]].1;
    assert_eq!(conflict_paths(loser, "configs"), ["profiles/full.yml"]);
    // Whoever lost sees the winner's version beside their own.
    let (winner_text, loser_dir, loser_text) = if winners[0] == 0 {
        (anas, bo, bos)
    } else {
        (bos, ana, anas)
    };
    t.sync(loser_dir, &["pull", "--only", "configs"]);
    assert_eq!(t.read(loser_dir, "profiles/full.yml"), loser_text);
    assert_eq!(t.read(loser_dir, "profiles/full.yml.remote"), winner_text);
}

#[test]
fn teammates_pushing_at_once_through_a_folder() {
    concurrent_scenario(Cloud::Folder);
}

#[cfg(feature = "aws")]
#[test]
fn teammates_pushing_at_once_through_s3() {
    if let Some(cloud) = moto() {
        concurrent_scenario(cloud);
    }
}

const VECTOR: &str = "feature: REQ-F-ONE-001\ntitle: First feature\nprofile: standard\nstatus: pending\ntrajectory:\n  requirements:\n    status: pending\n";

/// Feature vectors: seeded by a push, refreshed from events, pulled as YAML; a local edit survives.
fn features_scenario(cloud: Cloud) {
    let t = Team::new(cloud);
    let (ana, bo) = (&t.ana, &t.bo);
    let vector = "features/active/REQ-F-ONE-001.yml";
    t.write(ana, vector, VECTOR);
    let emit = |who: &Path, kind: &str| {
        t.ok(
            who,
            &[
                "event",
                "emit",
                kind,
                "--feature",
                "REQ-F-ONE-001",
                "--edge",
                "intent→requirements",
            ],
        );
    };
    emit(ana, "edge_started");
    let (code, pushed) = t.sync(ana, &["push"]);
    assert_eq!(
        (code, &pushed["features"]["added"]),
        (0, &Value::from(1)),
        "{pushed}"
    );
    let (code, pulled) = t.sync(bo, &["pull"]);
    assert_eq!(
        (code, &pulled["features"]["added"]),
        (0, &Value::from(1)),
        "{pulled}"
    );
    let bos = t.read(bo, vector);
    assert!(
        bos.contains("status: in_progress"),
        "derived from events: {bos}"
    );
    assert!(
        bos.contains("title: First feature"),
        "authored from ana's file"
    );
    // ana's own file is replaced by the table's (it was the seed, unchanged since).
    t.sync(ana, &["pull", "--only", "features"]);
    assert_eq!(t.read(ana, vector), bos);

    // bo edits the vector by hand; ana's next events change the table item.
    let edited = bos.replace("First feature", "First feature (bo's wording)");
    t.write(bo, vector, &edited);
    emit(ana, "edge_converged");
    let (_, pushed) = t.sync(ana, &["push"]);
    assert_eq!(pushed["features"]["changed"], 1, "{pushed}");
    // bo's events are pushed too: the item is recomputed from all of them, not overwritten blindly.
    let (code, pulled) = t.sync(bo, &["pull"]);
    assert_eq!(code, 1, "{pulled}");
    assert_eq!(conflict_paths(&pulled, "features"), [vector]);
    assert_eq!(
        t.read(bo, vector),
        edited,
        "the local edit survives the pull"
    );
    let theirs = t.read(bo, &format!("{vector}.remote"));
    assert!(theirs.contains("status: converged"), "{theirs}");
    // --theirs takes the table's.
    let (code, _) = t.sync(bo, &["pull", "--only", "features", "--theirs"]);
    assert_eq!(code, 0);
    assert_eq!(t.read(bo, vector), theirs);
    let (_, quiet) = t.sync(bo, &["pull", "--only", "features"]);
    assert_eq!(quiet["features"]["skipped"], 1, "{quiet}");
}

#[test]
fn feature_vectors_come_down_and_a_local_edit_survives_through_a_folder() {
    features_scenario(Cloud::Folder);
}

#[cfg(feature = "aws")]
#[test]
fn feature_vectors_come_down_and_a_local_edit_survives_through_dynamodb() {
    if let Some(cloud) = moto() {
        features_scenario(cloud);
    }
}

/// Hostile artifact keys are refused and reported; the good ones arrive; a local change survives.
fn artifacts_scenario(cloud: Cloud) {
    let t = Team::new(cloud.clone());
    let bo = &t.bo;
    let good = [
        ("code/src/main.rs", "fn main() {}\n"),
        ("designs/ADR 001 – résumé.md", "# ADR\n"),
        ("tests/日本語.txt", "ok\n"),
    ];
    let mut planted: Vec<(String, String)> = good
        .iter()
        .map(|(k, t)| (k.to_string(), t.to_string()))
        .collect();
    let mut hostile = vec![
        "%2e%2e%2fescape-percent",
        "\u{FF0E}\u{FF0E}\u{FF0F}escape-fullwidth",
        "code\u{2215}..\u{2215}..\u{2215}escape-division-slash",
        "a\\..\\escape-backslash",
        "evil\u{202E}txt.exe",
        "linked/escape-through-symlink",
    ];
    if matches!(cloud, Cloud::Aws(_)) {
        // Keys a folder cannot even hold.
        hostile.extend([
            "../escape-dotdot",
            "code/../../escape-deep",
            "/etc/escape-absolute",
        ]);
    }
    planted.extend(
        hostile
            .iter()
            .map(|k| (k.to_string(), "pwned\n".to_string())),
    );
    t.plant_artifacts(&planted);
    let outside = t.tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let artifacts = t.file(bo, "artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::os::unix::fs::symlink(&outside, artifacts.join("linked")).unwrap();

    let (_, dry) = t.sync(bo, &["pull", "--only", "artifacts", "--dry-run"]);
    assert_eq!(dry["artifacts"]["added"], 3, "{dry}");
    assert!(!artifacts.join("code").exists(), "a dry run writes nothing");
    let (code, pulled) = t.sync(bo, &["pull", "--only", "artifacts"]);
    assert_eq!(code, 1, "refusals are reported in the exit code: {pulled}");
    assert_eq!(pulled["artifacts"]["added"], 3, "{pulled}");
    let mut refused = conflict_paths(&pulled, "artifacts");
    refused.sort();
    let mut expected: Vec<String> = hostile.iter().map(|k| k.to_string()).collect();
    expected.sort();
    assert_eq!(refused, expected);
    for c in pulled["artifacts"]["conflicts"].as_array().unwrap() {
        assert!(
            c["reason"].as_str().unwrap().starts_with("refused: "),
            "{c}"
        );
    }
    for (key, text) in good {
        assert_eq!(std::fs::read_to_string(artifacts.join(key)).unwrap(), text);
    }
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing through the link"
    );
    let escaped: Vec<_> = walk(t.tmp.path())
        .into_iter()
        .filter(|p| {
            p.to_string_lossy().contains("escape") && !p.starts_with(t.tmp.path().join("remote"))
        })
        .collect();
    assert!(escaped.is_empty(), "{escaped:?}");
    assert!(!Path::new("/etc/escape-absolute").exists());

    // A re-run moves nothing; a changed object comes down; a local edit is kept.
    let (_, again) = t.sync(bo, &["pull", "--only", "artifacts"]);
    assert_eq!(
        (&again["artifacts"]["added"], &again["artifacts"]["changed"]),
        (&Value::from(0), &Value::from(0))
    );
    assert_eq!(again["artifacts"]["skipped"], 3);
    t.plant_artifact("code/src/main.rs", "fn main() { println!(\"v2\"); }\n");
    let (_, changed) = t.sync(bo, &["pull", "--only", "artifacts"]);
    assert_eq!(changed["artifacts"]["changed"], 1, "{changed}");
    std::fs::write(artifacts.join("tests/日本語.txt"), "mine\n").unwrap();
    t.plant_artifact("tests/日本語.txt", "theirs\n");
    let (_, kept) = t.sync(bo, &["pull", "--only", "artifacts"]);
    assert!(conflict_paths(&kept, "artifacts").contains(&"tests/日本語.txt".to_string()));
    assert_eq!(
        std::fs::read_to_string(artifacts.join("tests/日本語.txt")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(artifacts.join("tests/日本語.txt.remote")).unwrap(),
        "theirs\n"
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        out.push(path.clone());
        if entry.file_type().is_ok_and(|k| k.is_dir()) {
            out.extend(walk(&path));
        }
    }
    out
}

#[test]
fn hostile_artifact_keys_are_refused_and_good_ones_arrive_through_a_folder() {
    artifacts_scenario(Cloud::Folder);
}

#[cfg(feature = "aws")]
#[test]
fn hostile_artifact_keys_are_refused_and_good_ones_arrive_through_s3() {
    if let Some(cloud) = moto() {
        artifacts_scenario(cloud);
    }
}

/// `gen sync` killed (SIGKILL) at growing moments while it moves many files, then run again until
/// it finishes: the result is whole, with no partial file anywhere.
#[cfg(unix)]
fn killed_scenario(cloud: Cloud, files: usize) {
    use std::os::unix::process::CommandExt;
    let t = Team::new(cloud);
    let (ana, bo) = (&t.ana, &t.bo);
    let planted: Vec<(String, String)> = (0..files)
        .map(|i| {
            (
                format!("run/{:02}/out-{i}.txt", i % 17),
                format!("artifact {i}\n").repeat(20),
            )
        })
        .collect();
    t.plant_artifacts(&planted);
    for i in 0..files {
        t.write(
            ana,
            &format!("graph/edge_params/generated_{i}.yml"),
            &format!("# generated {i}\ncheck_{i}:\n  - name: c{i}\n"),
        );
    }
    let kill_loop = |dir: &Path, args: &[&str]| -> u32 {
        let mut delay = 20u64;
        for round in 0.. {
            let mut cmd = gen_command(dir, args);
            cmd.env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .env("AWS_REGION", "us-east-1")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .process_group(0);
            let mut child = cmd.spawn().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay));
            if child.try_wait().unwrap().is_some() {
                return round;
            }
            // SAFETY: kill(2) on the process group this test started.
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            child.wait().unwrap();
            delay = delay * 3 / 2 + 10;
        }
        unreachable!()
    };
    let kills = kill_loop(ana, &["sync", "push", "--only", "configs", "--force"]);
    let (code, done) = t.sync(ana, &["push", "--only", "configs", "--force"]);
    assert_eq!(code, 0, "{done}");
    let (code, pulled) = t.sync(bo, &["pull", "--only", "configs"]);
    assert_eq!(code, 0, "{pulled}");
    for i in 0..files {
        let rel = format!("graph/edge_params/generated_{i}.yml");
        assert_eq!(t.read(bo, &rel), t.read(ana, &rel), "{rel}");
    }
    let kills_pull = kill_loop(bo, &["sync", "pull", "--only", "artifacts"]);
    let (code, pulled) = t.sync(bo, &["pull", "--only", "artifacts"]);
    assert_eq!(code, 0, "{pulled}");
    let dir = t.file(bo, "artifacts");
    let all = walk(&dir);
    let partial: Vec<_> = all
        .iter()
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert!(partial.is_empty(), "no partial files: {partial:?}");
    for i in 0..files {
        let got =
            std::fs::read_to_string(dir.join(format!("run/{:02}/out-{i}.txt", i % 17))).unwrap();
        assert_eq!(got, format!("artifact {i}\n").repeat(20));
    }
    eprintln!("killed: config push {kills}×, artifact pull {kills_pull}× before finishing");
}

#[cfg(unix)]
#[test]
fn a_sync_killed_midway_converges_with_no_partial_files_through_a_folder() {
    killed_scenario(Cloud::Folder, 600);
}

#[cfg(all(unix, feature = "aws"))]
#[test]
fn a_sync_killed_midway_converges_with_no_partial_files_through_s3() {
    if let Some(cloud) = moto() {
        killed_scenario(cloud, 150);
    }
}
