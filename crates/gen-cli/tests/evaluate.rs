//! `gen evaluate` on a tiny real project: a shell "calculator" whose test fails until it is fixed.
//! The checks' commands really run (after the user allowed them), the iteration's events land in
//! the log in order, a human check holds the edge, and the exit code says which of those it was.

mod common;

use common::{gen_in, gen_ok};
use serde_json::Value;
use std::path::Path;

const EDGE_PARAMS: &str = r#"edge: "code↔unit_tests"
description: "The calculator adds; its test says so."
checklist:
  - name: tests_pass
    type: deterministic
    criterion: "The tests pass."
    command: "sh tests/run.sh"
    required: true
  - name: style
    type: deterministic
    criterion: "Style is clean (advisory)."
    command: "echo 'style: 1 warning' >&2; false"
    required: false
  - name: signoff
    type: human
    criterion: "A person signed off."
    required: true
convergence:
  rule: all_required_checks_pass
"#;

fn project(root: &Path) {
    gen_ok(root, &["init", "-q", "--project", "calc"]);
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        EDGE_PARAMS,
    )
    .unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("tests")).unwrap();
    std::fs::write(root.join("src/calc.sh"), "echo $(( $1 - $2 ))\n").unwrap();
    std::fs::write(
        root.join("tests/run.sh"),
        "out=$(sh src/calc.sh 2 3)\n[ \"$out\" = 5 ] || { echo \"add 2 3: expected 5, got $out\" >&2; exit 1; }\n",
    )
    .unwrap();
    gen_ok(
        root,
        &[
            "features",
            "new",
            "REQ-F-CALC-001",
            "--title",
            "Add two numbers",
        ],
    );
}

fn events(root: &Path) -> Vec<Value> {
    std::fs::read_to_string(root.join(".ai-workspace/events/events.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &Value| e["event_type"] != "project_initialized")
        .collect()
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["event_type"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn checks_run_for_real_and_the_exit_code_says_what_is_left() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    let evaluate = [
        "evaluate",
        "--feature",
        "REQ-F-CALC-001",
        "--edge",
        "code<->unit_tests",
    ];

    // Commands never run here before are shown first; without a terminal and --yes nothing runs.
    let refused = gen_in(root, &evaluate);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("sh tests/run.sh") && err.contains("--yes"),
        "{err}"
    );
    assert!(events(root).is_empty(), "nothing ran, nothing written");

    // The bug: the test fails (required), style fails (advisory), the human waits.
    let mut args = evaluate.to_vec();
    args.extend(["--asset", "src/calc.sh", "--yes"]);
    let first = gen_in(root, &args);
    assert_eq!(
        first.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = String::from_utf8_lossy(&first.stdout);
    assert!(out.contains("iterating — delta 1"), "{out}");
    assert!(
        out.contains("FAIL tests_pass: add 2 3: expected 5, got -1"),
        "{out}"
    );
    assert!(
        out.contains("FAIL style (not required): style: 1 warning"),
        "{out}"
    );
    let live = String::from_utf8_lossy(&first.stderr);
    assert!(
        live.contains("tests_pass") && live.contains("FAIL"),
        "a live line per check: {live}"
    );
    let log = events(root);
    assert_eq!(
        types(&log),
        [
            "iteration_started",
            "evaluator_detail",
            "evaluator_detail",
            "human_gate_entered",
            "iteration_completed"
        ]
    );
    let root_id = &log[0]["event_id"];
    assert!(log.iter().all(|e| &e["correlation_id"] == root_id));
    assert_eq!(log[4]["delta"], 1);
    assert_eq!(log[4]["iteration"], 1);
    assert_eq!(log[1]["message"], "add 2 3: expected 5, got -1\n");

    // Fixed: only the person is left (exit 3); the same asset asks no second time.
    std::fs::write(root.join("src/calc.sh"), "echo $(( $1 + $2 ))\n").unwrap();
    let second = gen_in(root, &args);
    assert_eq!(
        second.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let log = events(root);
    assert_eq!(
        types(&log[5..]),
        [
            "iteration_started",
            "evaluator_detail",
            "human_gate_entered",
            "iteration_completed"
        ]
    );
    assert_eq!(log[8]["status"], "awaiting_human");
    assert_eq!(log[8]["iteration"], 2);
    assert_eq!(gen_in(root, &args).status.code(), Some(3));
    assert_eq!(
        types(&events(root)[9..]),
        [
            "iteration_started",
            "evaluator_detail",
            "iteration_completed"
        ],
        "one gate per version of the asset"
    );

    // The person's side: the waiting check, a rejection with its reason, then an approval.
    let waiting: Value =
        serde_json::from_str(&gen_ok(root, &["review", "list", "--json"])).unwrap();
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");
    assert_eq!(waiting[0]["check"], "signoff");
    let decide = |verb: &str, extra: &[&str]| {
        let mut a = vec![
            "review",
            verb,
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--check",
            "signoff",
            "--agent",
            "bo",
        ];
        a.extend_from_slice(extra);
        gen_in(root, &a)
    };
    assert_eq!(
        decide("reject", &[]).status.code(),
        Some(2),
        "a rejection needs a reason"
    );
    assert_eq!(
        decide("reject", &["--reason", "no test for negatives"])
            .status
            .code(),
        Some(0)
    );
    let rejected = gen_in(root, &args);
    assert_eq!(rejected.status.code(), Some(1));
    let out = String::from_utf8_lossy(&rejected.stdout);
    assert!(
        out.contains("FAIL signoff: rejected by bo: no test for negatives"),
        "{out}"
    );
    assert_eq!(
        decide("approve", &[]).status.code(),
        Some(1),
        "nothing waits on this asset"
    );
    // A new version of the asset asks again; approved, the edge converges and status sees it.
    std::fs::write(root.join("src/calc.sh"), "# adds\necho $(( $1 + $2 ))\n").unwrap();
    assert_eq!(gen_in(root, &args).status.code(), Some(3));
    assert_eq!(decide("approve", &[]).status.code(), Some(0));
    let mut json_args = args.clone();
    json_args.push("--json");
    let done: Value = serde_json::from_str(&gen_ok(root, &json_args)).unwrap();
    assert_eq!(done["status"], "converged");
    assert_eq!(done["evaluation"]["delta"], 0);
    assert_eq!(done["edge"], "code↔unit_tests");
    assert_eq!(events(root).last().unwrap()["event_type"], "edge_converged");
    let empty: Value = serde_json::from_str(&gen_ok(root, &["review", "list", "--json"])).unwrap();
    assert_eq!(empty, serde_json::json!([]));
    let status: Value = serde_json::from_str(&gen_ok(
        root,
        &["status", "--json", "--feature", "REQ-F-CALC-001"],
    ))
    .unwrap();
    assert!(status.to_string().contains("converged"), "{status}");
}

#[test]
fn what_cannot_be_evaluated_says_why_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    for (args, says) in [
        (
            vec!["evaluate", "--feature", "REQ-F-NONE", "--yes"],
            "has no vector and no events",
        ),
        (
            vec![
                "evaluate",
                "--feature",
                "REQ-F-CALC-001",
                "--edge",
                "code→nowhere",
                "--yes",
            ],
            "has no edge",
        ),
        (
            vec![
                "evaluate",
                "--feature",
                "REQ-F-CALC-001",
                "--edge",
                "code<->unit_tests",
                "--asset",
                "missing.txt",
                "--yes",
            ],
            "is not a file",
        ),
    ] {
        let out = gen_in(root, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}"
        );
    }
    std::fs::remove_file(root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml")).unwrap();
    let out = gen_in(
        root,
        &[
            "evaluate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no edge parameters for code↔unit_tests")
    );
    assert!(events(root).is_empty());
}

/// The edge parameters without the human check.
fn without_signoff() -> String {
    EDGE_PARAMS
        .split("  - name: signoff")
        .next()
        .unwrap()
        .to_string()
        + "convergence:\n  rule: all_required_checks_pass\n"
}

#[test]
fn gen_iterate_with_a_scripted_constructor_converges_in_two_iterations_with_the_exact_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        without_signoff(),
    )
    .unwrap();
    // The generator: the first call changes nothing, the second fixes the bug; each call keeps the
    // feedback it was given.
    std::fs::create_dir_all(root.join("tools")).unwrap();
    std::fs::write(
        root.join("tools/fix.sh"),
        "n=$(cat .calls 2>/dev/null || echo 0); n=$((n+1)); echo $n > .calls\n\
         cp \"$GEN_FAILURES_FILE\" \"feedback-$n.txt\"\n\
         cp \"$GEN_PROMPT_FILE\" \"prompt-$n.txt\"\n\
         echo \"$GEN_FEATURE $GEN_EDGE $GEN_ITERATION\" > \"context-$n.txt\"\n\
         if [ \"$n\" -ge 2 ]; then echo 'echo $(( $1 + $2 ))' > src/calc.sh; fi\n",
    )
    .unwrap();
    let out = gen_in(
        root,
        &[
            "iterate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--asset",
            "src/calc.sh",
            "--constructor",
            "command",
            "--constructor-command",
            "sh tools/fix.sh",
            "--yes",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("REQ-F-CALC-001 on code↔unit_tests: converged")
    );
    let log = events(root);
    assert_eq!(
        types(&log),
        [
            "edge_started",
            "iteration_started",
            "evaluator_detail",
            "evaluator_detail",
            "iteration_completed",
            "iteration_started",
            "evaluator_detail",
            "iteration_completed",
            "edge_converged",
        ]
    );
    let run = &log[0]["event_id"];
    assert!(
        log.iter().all(|e| &e["correlation_id"] == run),
        "one correlation"
    );
    assert_eq!(
        log[1]["causation_id"], *run,
        "an iteration is caused by the run"
    );
    assert_eq!(log[5]["causation_id"], *run);
    assert_eq!(log[2]["causation_id"], log[1]["event_id"]);
    assert_eq!(
        log[8]["causation_id"], log[7]["event_id"],
        "converged because of the last iteration"
    );
    assert_eq!(
        (&log[4]["delta"], &log[7]["delta"]),
        (&Value::from(1), &Value::from(0))
    );
    assert_ne!(
        log[1]["input_hash"], log[5]["input_hash"],
        "the asset changed in between"
    );
    // The failures of iteration 1 were the generator's feedback for iteration 2.
    assert_eq!(
        std::fs::read_to_string(root.join("feedback-1.txt")).unwrap(),
        ""
    );
    assert_eq!(
        std::fs::read_to_string(root.join("feedback-2.txt")).unwrap(),
        "tests_pass: add 2 3: expected 5, got -1\n"
    );
    let prompt = std::fs::read_to_string(root.join("prompt-2.txt")).unwrap();
    assert!(
        prompt.contains("Fix these failures")
            && prompt.contains("- tests_pass: add 2 3: expected 5, got -1"),
        "{prompt}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("context-2.txt")).unwrap(),
        "REQ-F-CALC-001 code↔unit_tests 2\n"
    );
    // The vector's trajectory says so, as `gen features --write` would have written it.
    let vector =
        std::fs::read_to_string(root.join(".ai-workspace/features/active/REQ-F-CALC-001.yml"))
            .unwrap();
    assert!(vector.contains("converged"), "{vector}");
}

#[test]
fn gen_iterate_with_a_budget_of_one_abandons_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        without_signoff(),
    )
    .unwrap();
    let out = gen_in(
        root,
        &[
            "iterate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--max-iterations",
            "1",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("not converged after 1 iteration(s): abandoned")
    );
    let log = events(root);
    let last = log.last().unwrap();
    assert_eq!(last["event_type"], "iteration_abandoned");
    assert_eq!(
        (
            &last["iterations_attempted"],
            &last["max_iterations"],
            &last["final_delta"],
            &last["reason"]
        ),
        (
            &Value::from(1),
            &Value::from(1),
            &Value::from(1),
            &Value::from("max_iterations")
        )
    );
    assert_eq!(last["correlation_id"], log[0]["event_id"]);
    // A usage mistake writes nothing.
    let before = events(root).len();
    let bad = gen_in(
        root,
        &[
            "iterate",
            "--feature",
            "REQ-F-CALC-001",
            "--constructor",
            "command",
            "--yes",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(events(root).len(), before);
}

/// A run killed mid-check (SIGKILL, as a crash would) is recorded as abandoned by the next run,
/// once.
#[cfg(unix)]
#[test]
fn a_run_killed_mid_check_is_recorded_as_abandoned_by_the_next_run_once() {
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    let params = root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml");
    std::fs::write(
        &params,
        without_signoff().replace("sh tests/run.sh", "sleep 3; sh tests/run.sh"),
    )
    .unwrap();
    let mut child = common::gen_command(
        root,
        &[
            "iterate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--yes",
        ],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .process_group(0)
    .spawn()
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !types(&events_or_empty(root))
        .iter()
        .any(|t| t == "iteration_started")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SAFETY: kill(2) on the process group this test started.
    unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
    child.wait().unwrap();
    let killed_run = events(root)[0]["event_id"].clone();

    std::fs::write(&params, without_signoff()).unwrap();
    let next = gen_in(
        root,
        &[
            "evaluate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--yes",
        ],
    );
    assert!(
        String::from_utf8_lossy(&next.stderr)
            .contains("recorded 1 run(s) an earlier session left open as abandoned"),
        "{}",
        String::from_utf8_lossy(&next.stderr)
    );
    let gaps: Vec<Value> = events(root)
        .into_iter()
        .filter(|e| e["reason"] == "session_gap")
        .collect();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["event_type"], "iteration_abandoned");
    assert_eq!(gaps[0]["correlation_id"], killed_run);
    assert!(gaps[0]["last_event_timestamp"].is_string());
    let again = gen_in(
        root,
        &[
            "evaluate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--yes",
        ],
    );
    assert!(!String::from_utf8_lossy(&again.stderr).contains("recorded"));
    assert_eq!(
        events(root)
            .iter()
            .filter(|e| e["reason"] == "session_gap")
            .count(),
        1
    );
}

fn events_or_empty(root: &Path) -> Vec<Value> {
    if root.join(".ai-workspace/events/events.jsonl").exists() {
        events(root)
    } else {
        Vec::new()
    }
}

/// Stuck → spawn (reference §4 behaviour 8): three equal deltas above zero (counted across runs)
/// stop the loop, start a discovery vector for the parent, and write `spawn_created` — no
/// abandonment; the next stuck run starts the next number.
#[test]
fn three_equal_deltas_spawn_a_discovery_vector_instead_of_abandoning() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        without_signoff(),
    )
    .unwrap();
    let iterate = [
        "iterate",
        "--feature",
        "REQ-F-CALC-001",
        "--edge",
        "code<->unit_tests",
        "--max-iterations",
        "5",
        "--yes",
    ];
    let out = gen_in(root, &iterate);
    assert_eq!(out.status.code(), Some(1), "a spawn is not a green edge");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("stuck (the same delta three times): started REQ-F-DISCOVERY-001"),
        "{said}"
    );
    let log = events(root);
    assert_eq!(
        log.iter()
            .filter(|e| e["event_type"] == "iteration_completed")
            .count(),
        3,
        "stopped after the third"
    );
    let last = log.last().unwrap();
    assert_eq!(last["event_type"], "spawn_created");
    assert_eq!(last["child_feature"], "REQ-F-DISCOVERY-001");
    assert_eq!(last["parent_feature"], "REQ-F-CALC-001");
    assert_eq!(last["triggered_at_edge"], "code↔unit_tests");
    assert!(
        last["question"]
            .as_str()
            .unwrap()
            .contains("Failing checks: tests_pass")
    );
    assert!(!log.iter().any(|e| e["event_type"] == "iteration_abandoned"));
    let child =
        std::fs::read_to_string(root.join(".ai-workspace/features/active/REQ-F-DISCOVERY-001.yml"))
            .unwrap();
    assert!(
        child.contains("vector_type: \"discovery\"")
            && child.contains("feature: \"REQ-F-CALC-001\""),
        "{child}"
    );
    // The parent's edge is marked blocked in its vector, and a refresh keeps it so.
    let parent_path = root.join(".ai-workspace/features/active/REQ-F-CALC-001.yml");
    let parent = std::fs::read_to_string(&parent_path).unwrap();
    assert!(
        parent.contains("unit_tests:\n    status: blocked"),
        "{parent}"
    );
    gen_ok(root, &["features", "--write"]);
    assert!(
        std::fs::read_to_string(&parent_path)
            .unwrap()
            .contains("status: blocked")
    );
    // Still stuck on the next run (history counts): the next number, at once.
    let again = gen_in(root, &iterate);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        events(root).last().unwrap()["child_feature"],
        "REQ-F-DISCOVERY-002"
    );
    let v: Value = serde_json::from_str(&gen_ok(root, &["validate", "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
}

/// Agent checks judged by a model behind a scripted OpenAI-compatible server: a verdict is taken
/// as given, a malformed reply is corrected once and then is an ERROR (never a pass), and the key
/// goes in the request header only.
#[test]
fn agent_checks_are_judged_by_a_model_and_malformed_verdicts_never_pass() {
    use gen_testkit::scripted::{Reply, Scripted};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    std::fs::write(root.join("src/calc.sh"), "echo $(( $1 + $2 ))\n").unwrap();
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        "edge: \"code↔unit_tests\"\nchecklist:\n  - name: tests_pass\n    type: deterministic\n    command: \"sh tests/run.sh\"\n  - name: reads_well\n    type: agent\n    criterion: \"A reader sees at once what the script computes.\"\nconvergence:\n  rule: all_required_checks_pass\n",
    )
    .unwrap();
    let server = Scripted::start(vec![
        Reply::chat(r#"{"outcome": "fail", "reason": "nothing says it adds"}"#),
        Reply::chat("Looks fine to me."),
        Reply::chat("```json\n{\"outcome\": \"pass\", \"reason\": \"clear\"}\n```"),
        Reply::chat("sure"),
        Reply::chat("still not json"),
    ]);
    let run = |extra: &[&str]| {
        let mut args = vec![
            "evaluate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--asset",
            "src/calc.sh",
            "--yes",
            "--judge",
            "openai",
            "--model",
            "scripted-1",
            "--base-url",
        ];
        let base = format!("{}/v1", server.url);
        args.push(&base);
        args.extend_from_slice(extra);
        let out = common::gen_command(root, &args)
            .env("OPENAI_API_KEY", "sk-secret-zzz")
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!said.contains("sk-secret-zzz"), "the key is never shown");
        (out.status.code(), said)
    };
    let (code, said) = run(&[]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("FAIL reads_well: nothing says it adds"),
        "{said}"
    );
    let (code, said) = run(&[]);
    assert_eq!(code, Some(0), "corrected once, then a verdict: {said}");
    let (code, said) = run(&[]);
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("ERROR reads_well: judge reply was not a verdict"),
        "{said}"
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    let first: Value = serde_json::from_str(&requests[0].body).unwrap();
    let user = first["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.contains("A reader sees at once what the script computes.")
            && user.contains("echo $(( $1 + $2 ))"),
        "{user}"
    );
    assert!(
        requests[0]
            .headers
            .contains(&("authorization".into(), "Bearer sk-secret-zzz".into()))
    );
    let correction: Value = serde_json::from_str(&requests[2].body).unwrap();
    assert!(
        correction["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Your previous reply was not a verdict")
    );
    let log = std::fs::read_to_string(root.join(".ai-workspace/events/events.jsonl")).unwrap();
    assert!(!log.contains("sk-secret"), "the key is never written");
}

/// Tokens and cost are counted per iteration and per run; `--budget-usd` stops the run before an
/// iteration once the judge has cost that much (reference §4 behaviour 7, by money).
#[test]
fn the_money_budget_stops_a_run_and_every_iteration_says_what_it_cost() {
    use gen_testkit::scripted::{Reply, Scripted};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    std::fs::write(root.join("src/calc.sh"), "echo $(( $1 + $2 ))\n").unwrap();
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        "edge: \"code↔unit_tests\"\nchecklist:\n  - name: reads_well\n    type: agent\n    criterion: \"Clear.\"\n",
    )
    .unwrap();
    // Each answer: 100 prompt + 20 completion tokens; at $10 / $30 per million that is $0.0016.
    let server = Scripted::start(
        (0..5)
            .map(|_| Reply::chat(r#"{"outcome": "fail", "reason": "unclear"}"#))
            .collect(),
    );
    let base = format!("{}/v1", server.url);
    let args = [
        "iterate",
        "--feature",
        "REQ-F-CALC-001",
        "--edge",
        "code<->unit_tests",
        "--asset",
        "src/calc.sh",
        "--yes",
        "--judge",
        "openai",
        "--model",
        "m",
        "--base-url",
        &base,
        "--price-in",
        "10",
        "--price-out",
        "30",
        "--budget-usd",
        "0.002",
        "--max-iterations",
        "5",
    ];
    let without_price: Vec<&str> = args[..14].iter().chain(&args[18..]).copied().collect();
    let no_price = gen_in(root, &without_price);
    assert_eq!(no_price.status.code(), Some(2), "a budget needs a price");
    assert!(
        String::from_utf8_lossy(&no_price.stderr).contains("--budget-usd needs the model's price")
    );
    let out = gen_in(root, &args);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("the budget of $0.0020 is spent"), "{said}");
    assert!(
        said.contains("model tokens: 200 in, 40 out; cost $0.0032"),
        "{said}"
    );
    let log = events(root);
    let completed: Vec<&Value> = log
        .iter()
        .filter(|e| e["event_type"] == "iteration_completed")
        .collect();
    assert_eq!(completed.len(), 2, "stopped before the third");
    assert_eq!(completed[0]["usage"]["input_tokens"], 100);
    assert!((completed[0]["usage"]["cost_usd"].as_f64().unwrap() - 0.0016).abs() < 1e-9);
    let last = log.last().unwrap();
    assert_eq!(
        (&last["event_type"], &last["reason"]),
        (
            &Value::from("iteration_abandoned"),
            &Value::from("budget_usd")
        )
    );
    assert_eq!(last["iterations_attempted"], 2);
}

/// A model as constructor (reference §4 behaviour 9): it is shown the checks, the asset and, from
/// the second iteration on, the failures to fix; its files land atomically; a path outside the
/// project is refused (`fp_failure`) and nothing of that reply is written.
#[test]
fn a_model_constructor_gets_the_failures_as_feedback_and_cannot_write_outside_the_project() {
    use gen_testkit::scripted::{Reply, Scripted};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        without_signoff(),
    )
    .unwrap();
    let files = |content: &str| {
        Reply::chat(
            &serde_json::json!({"files": [{"path": "src/calc.sh", "content": content}], "notes": "n"}).to_string(),
        )
    };
    let server = Scripted::start(vec![
        Reply::chat(
            &serde_json::json!({"files": [{"path": "../escaped.sh", "content": "x"}, {"path": "src/calc.sh", "content": "echo 0\n"}]})
                .to_string(),
        ),
        Reply::chat("I would rather explain in prose."),
        files("echo $(( $1 + $2 ))\n"),
    ]);
    let base = format!("{}/v1", server.url);
    let out = common::gen_command(
        root,
        &[
            "iterate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--asset",
            "src/calc.sh",
            "--yes",
            "--constructor",
            "openai",
            "--model",
            "builder-1",
            "--base-url",
            &base,
        ],
    )
    .env("OPENAI_API_KEY", "sk-build-456")
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!tmp.path().parent().unwrap().join("escaped.sh").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("src/calc.sh")).unwrap(),
        "echo $(( $1 + $2 ))\n"
    );
    let log = events(root);
    let refused = log
        .iter()
        .find(|e| e["event_type"] == "fp_failure")
        .unwrap();
    assert_eq!(refused["classification"], "path_refused");
    assert_eq!(refused["iteration"], 1);
    // Iteration 1: nothing written (the reply held a bad path), the bug stays, the test fails.
    // Iteration 2: a prose reply, corrected once, then whole files: fixed.
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let user = |i: usize| -> String {
        let v: Value = serde_json::from_str(&requests[i].body).unwrap();
        v["messages"][1]["content"].as_str().unwrap().to_string()
    };
    assert!(
        user(0).contains("First iteration") && user(0).contains("echo $(( $1 - $2 ))"),
        "{}",
        user(0)
    );
    assert!(
        user(1).contains("- tests_pass: add 2 3: expected 5, got -1"),
        "{}",
        user(1)
    );
    assert!(user(2).contains("Your previous reply could not be used"));
    assert_eq!(log.last().unwrap()["event_type"], "edge_converged");
    let usage = &log
        .iter()
        .rev()
        .find(|e| e["event_type"] == "iteration_completed")
        .unwrap()["usage"];
    assert_eq!(
        usage["input_tokens"], 200,
        "the constructor's tokens count in its iteration"
    );
}

/// The same judge through Bedrock's Converse API (a scripted endpoint standing in for AWS).
#[cfg(feature = "aws")]
#[test]
fn agent_checks_are_judged_through_bedrock_converse() {
    use gen_testkit::scripted::{Reply, Scripted};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    std::fs::write(root.join("src/calc.sh"), "echo $(( $1 + $2 ))\n").unwrap();
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        "edge: \"code↔unit_tests\"\nchecklist:\n  - name: reads_well\n    type: agent\n    criterion: \"Clear.\"\n",
    )
    .unwrap();
    let converse = |text: &str| {
        Reply::json(
            200,
            &serde_json::json!({
                "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 80, "outputTokens": 9, "totalTokens": 89},
                "metrics": {"latencyMs": 3},
            })
            .to_string(),
        )
    };
    let server = Scripted::start(vec![converse(r#"{"outcome": "pass", "reason": "plain"}"#)]);
    let out = common::gen_command(
        root,
        &[
            "evaluate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--asset",
            "src/calc.sh",
            "--yes",
            "--judge",
            "bedrock",
            "--model",
            "scripted.judge-v1:0",
            "--region",
            "us-east-1",
            "--bedrock-endpoint-url",
            &server.url,
        ],
    )
    .env("AWS_ACCESS_KEY_ID", "test")
    .env("AWS_SECRET_ACCESS_KEY", "test")
    .env_remove("AWS_PROFILE")
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].request_line.contains("/converse"));
    assert!(
        requests[0]
            .headers
            .iter()
            .any(|(k, _)| k == "authorization"),
        "signed (SigV4)"
    );
    let completed = events(root)
        .into_iter()
        .rev()
        .find(|e| e["event_type"] == "iteration_completed")
        .unwrap();
    assert_eq!(completed["usage"]["input_tokens"], 80);
}

/// Ids, times and durations vary from run to run; the shape around them must not.
fn scrubbed(mut v: Value) -> Value {
    fn walk(key: &str, v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    walk(k, child);
                }
            }
            Value::Array(items) => {
                for item in items.iter_mut() {
                    walk(key, item);
                }
            }
            _ if key == "duration_ms" => *v = Value::from(0),
            _ if key.ends_with("_id") || key == "events" || key == "opened_at" => {
                *v = Value::from("[scrubbed]")
            }
            _ => {}
        }
    }
    walk("", &mut v);
    v
}

/// The `--json` shapes of `evaluate`, `iterate` and `review list` are a contract like every other
/// command's (README, "JSON contract").
#[test]
fn the_json_shapes_of_evaluate_iterate_and_review_are_pinned() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    let evaluate = [
        "evaluate",
        "--feature",
        "REQ-F-CALC-001",
        "--edge",
        "code<->unit_tests",
        "--asset",
        "src/calc.sh",
        "--yes",
        "--json",
    ];
    let first: Value =
        serde_json::from_str(&String::from_utf8_lossy(&gen_in(root, &evaluate).stdout)).unwrap();
    insta::assert_json_snapshot!("evaluate", scrubbed(first));
    let waiting: Value =
        serde_json::from_str(&gen_ok(root, &["review", "list", "--json"])).unwrap();
    insta::assert_json_snapshot!("review_list", scrubbed(waiting));
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        without_signoff(),
    )
    .unwrap();
    std::fs::write(root.join("src/calc.sh"), "echo $(( $1 + $2 ))\n").unwrap();
    let run: Value = serde_json::from_str(&gen_ok(
        root,
        &[
            "iterate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--asset",
            "src/calc.sh",
            "--yes",
            "--json",
        ],
    ))
    .unwrap();
    insta::assert_json_snapshot!("iterate", scrubbed(run));
}

/// The edge parameters say where a constructor may write (`construct.outputs`): a reply writing
/// elsewhere is refused whole.
#[test]
fn a_model_constructor_writes_only_where_the_edge_parameters_say() {
    use gen_testkit::scripted::{Reply, Scripted};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    std::fs::write(
        root.join(".ai-workspace/graph/edge_params/code_unit_tests.yml"),
        without_signoff() + "construct:\n  outputs: [\"src/\"]\n",
    )
    .unwrap();
    let reply = serde_json::json!({"files": [
        {"path": "src/calc.sh", "content": "echo $(( $1 + $2 ))\n"},
        {"path": "README.md", "content": "hi"},
    ]});
    let server = Scripted::start(vec![Reply::chat(&reply.to_string())]);
    let base = format!("{}/v1", server.url);
    let out = gen_in(
        root,
        &[
            "iterate",
            "--feature",
            "REQ-F-CALC-001",
            "--edge",
            "code<->unit_tests",
            "--yes",
            "--max-iterations",
            "1",
            "--constructor",
            "openai",
            "--model",
            "m",
            "--base-url",
            &base,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!root.join("README.md").exists());
    assert_eq!(
        std::fs::read_to_string(root.join("src/calc.sh")).unwrap(),
        "echo $(( $1 - $2 ))\n",
        "all or nothing"
    );
    let failure = events(root)
        .into_iter()
        .find(|e| e["event_type"] == "fp_failure")
        .unwrap();
    assert_eq!(failure["classification"], "path_refused");
    assert!(
        failure["error"].as_str().unwrap().contains("only src/"),
        "{failure}"
    );
}

/// Without `--edge` the feature's next edge is taken (reference §4 behaviour 12): the first edge of
/// its profile not converged yet; once that converges, the one after it.
#[test]
fn without_an_edge_the_features_next_edge_is_evaluated() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    project(root);
    let simple = "checklist:\n  - name: ok\n    type: deterministic\n    criterion: \"Fine.\"\n    command: \"true\"\n    required: true\nconvergence:\n  rule: all_required_checks_pass\n";
    for (file, edge) in [
        ("intent_requirements.yml", "intent→requirements"),
        ("requirements_design.yml", "requirements→design"),
    ] {
        std::fs::write(
            root.join(".ai-workspace/graph/edge_params").join(file),
            format!("edge: \"{edge}\"\n{simple}"),
        )
        .unwrap();
    }
    let first: Value = serde_json::from_str(&gen_ok(
        root,
        &["evaluate", "--feature", "REQ-F-CALC-001", "--yes", "--json"],
    ))
    .unwrap();
    assert_eq!(first["edge"], "intent→requirements");
    assert_eq!(first["status"], "converged");
    let next: Value = serde_json::from_str(&gen_ok(
        root,
        &["evaluate", "--feature", "REQ-F-CALC-001", "--yes", "--json"],
    ))
    .unwrap();
    assert_eq!(
        next["edge"], "requirements→design",
        "the converged edge is behind it"
    );
}
