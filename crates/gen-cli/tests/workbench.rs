//! `gen workbench` over HTTP, as a page or a script uses it: the real binary on a free port, its
//! first stdout line, the token, the API of `docs/workbench-api.md`, live updates, agents against
//! scripted model servers, and a clean exit on SIGTERM.

mod common;

use common::{gen_command, gen_ok};
use gen_testkit::scripted::{Reply, Scripted};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running workbench.
struct Bench {
    child: Child,
    base: String,
    token: String,
    port: u16,
    stderr: PathBuf,
}

impl Bench {
    fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Bench {
        let stderr = dir.join(format!(
            "workbench-{}.err",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let mut all = vec!["workbench", "--no-open", "--port", "0"];
        all.extend_from_slice(args);
        let mut command = gen_command(dir, &all);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("gen workbench starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .strip_prefix("Workbench: ")
            .unwrap_or_else(|| {
                panic!(
                    "first line {first:?}; stderr: {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                )
            })
            .to_string();
        let (base, token) = url.split_once("/?token=").expect("URL with a token");
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        let port = base.rsplit(':').next().unwrap().parse().unwrap();
        Bench {
            child,
            base: base.to_string(),
            token: token.to_string(),
            port,
            stderr,
        }
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into()
    }

    fn answer(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
        let mut response = response.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn get(&self, path: &str) -> (u16, Value) {
        Self::answer(
            Self::agent()
                .get(&format!("{}{path}", self.base))
                .header("Authorization", &format!("Bearer {}", self.token))
                .call(),
        )
    }

    fn send(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let agent = Self::agent();
        let auth = format!("Bearer {}", self.token);
        let request = match method {
            "PUT" => agent.put(&url),
            _ => agent.post(&url),
        };
        Self::answer(
            request
                .header("Authorization", &auth)
                .header("Origin", &self.base)
                .header("Content-Type", "application/json")
                .send(body),
        )
    }

    fn post(&self, path: &str, body: &str) -> (u16, Value) {
        self.send("POST", path, body)
    }

    /// One raw request: for headers a client library would not let us forge.
    fn raw(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut text = String::new();
        let _ = stream.read_to_string(&mut text);
        text
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// SIGTERM, then the exit code.
    fn stop(self) -> Option<i32> {
        self.signal(libc::SIGTERM)
    }

    /// A crash: SIGKILL, no chance to clean up.
    fn kill(self) {
        self.signal(libc::SIGKILL);
    }

    fn signal(mut self, signal: i32) -> Option<i32> {
        unsafe {
            libc::kill(self.child.id() as i32, signal);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "the workbench did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    gen_ok(dir.path(), &["init", "--project", "demo"]);
    dir
}

fn node_ids(view: &Value) -> Vec<String> {
    view["draft"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_session_over_http_edits_undoes_redoes_and_survives_a_restart() {
    let dir = workspace();
    let bench = Bench::start(dir.path(), &["--name", "release"], &[]);
    let (status, view) = bench.get("/api/draft");
    assert_eq!(status, 200);
    assert_eq!(
        (view["revision"].as_u64(), view["kind"].as_str()),
        (Some(0), Some("draft"))
    );

    let (status, view) = bench.post(
        "/api/actions",
        r#"[{"intent":"add","node":{"id":"build","label":"Build","type":"action"}},
            {"intent":"add","node":{"id":"deploy","label":"Deploy","type":"action"},"connectFrom":"build"}]"#,
    );
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["report"]["message"], "Applied 2 changes");
    assert_eq!(view["revision"], 1);
    assert_eq!(view["undo"], 1, "one request, one undo step");
    assert_eq!(node_ids(&view), ["build", "deploy"]);

    // A dangling connection is refused by the reducer: the draft does not move.
    let (status, refused) = bench.post(
        "/api/actions",
        r#"{"intent":"connect","source":"build","target":"ghost"}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(
        refused["report"]["message"],
        "Couldn't connect steps: one of them was not found."
    );
    assert_eq!(
        (refused["revision"].clone(), refused["draft"].clone()),
        (view["revision"].clone(), view["draft"].clone())
    );

    // Input the strict parser refuses never reaches the reducer.
    let (status, bad) = bench.post("/api/actions", r#"{"intent":"Add","node":{}}"#);
    assert_eq!(status, 422);
    assert_eq!(
        bad["report"]["message"],
        "I couldn't apply that change: the request was invalid."
    );
    assert_eq!(bad["revision"], 1);

    // Positions are view state: no undo step, no new revision.
    let (status, _) = bench.send(
        "PUT",
        "/api/layout",
        r#"{"positions":{"build":{"x":10,"y":20}}}"#,
    );
    assert_eq!(status, 200);
    let (_, view) = bench.get("/api/draft");
    assert_eq!(
        (view["revision"].as_u64(), view["undo"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        view["layout"]["positions"]["build"],
        json!({"x": 10.0, "y": 20.0})
    );

    let (_, undone) = bench.post("/api/undo", "");
    assert_eq!(undone["message"], "Applied 2 changes");
    assert!(node_ids(&undone).is_empty());
    let (_, redone) = bench.post("/api/redo", "");
    assert_eq!(node_ids(&redone), ["build", "deploy"]);
    let (_, nothing) = bench.post("/api/redo", "");
    assert_eq!(
        nothing["message"],
        Value::Null,
        "nothing to redo is not an error"
    );
    assert_eq!(bench.stop(), Some(0), "SIGTERM ends it cleanly");

    // The terminal sees what the page did; a restart loses nothing, history included.
    let shown: Value = serde_json::from_str(&gen_ok(
        dir.path(),
        &["draft", "show", "--name", "release", "--json"],
    ))
    .unwrap();
    assert_eq!(shown, redone["draft"]);
    let bench = Bench::start(dir.path(), &["--name", "release"], &[]);
    let (_, view) = bench.get("/api/draft");
    assert_eq!(view["draft"], redone["draft"]);
    assert_eq!(
        (view["undo"].as_u64(), view["redo"].as_u64()),
        (Some(1), Some(0))
    );
    let (_, undone) = bench.post("/api/undo", "");
    assert!(
        node_ids(&undone).is_empty(),
        "the undo history survived the restart"
    );
    bench.post("/api/redo", "");

    // An undone delete brings the step back where it was.
    let (_, deleted) = bench.post(
        "/api/actions",
        r#"{"action":"deleteNodes","nodeIds":["build"]}"#,
    );
    assert_eq!(node_ids(&deleted), ["deploy"]);
    assert_eq!(deleted["layout"]["positions"].get("build"), None);
    let (_, back) = bench.post("/api/undo", "");
    assert_eq!(node_ids(&back), ["build", "deploy"]);

    // A crash right after an answer loses nothing: what was answered was durable.
    let (_, renamed) = bench.post(
        "/api/actions",
        r#"{"intent":"rename","nodeId":"deploy","label":"Ship"}"#,
    );
    bench.kill();
    let bench = Bench::start(dir.path(), &["--name", "release"], &[]);
    let (_, view) = bench.get("/api/draft");
    assert_eq!(
        (view["draft"].clone(), view["revision"].clone()),
        (renamed["draft"].clone(), renamed["revision"].clone())
    );
    assert_eq!(view["undoMessage"], "Renamed Deploy to Ship");
    assert_eq!(
        back["layout"]["positions"]["build"],
        json!({"x": 10.0, "y": 20.0})
    );
}

#[test]
fn strangers_are_refused_and_the_token_url_logs_a_browser_in() {
    let dir = workspace();
    let bench = Bench::start(dir.path(), &[], &[]);
    let agent = Bench::agent();
    let url = |p: &str| format!("{}{p}", bench.base);

    let (status, body) = Bench::answer(agent.get(&url("/api/draft")).call());
    assert_eq!(status, 401, "{body}");
    let (status, _) = Bench::answer(
        agent
            .get(&url("/api/status"))
            .header("Authorization", "Bearer wrong")
            .call(),
    );
    assert_eq!(status, 401);
    let (status, _) = Bench::answer(agent.post(&url("/api/undo")).send(""));
    assert_eq!(status, 401, "no token, no change");

    // With the token but from another site: refused before anything runs.
    let (status, _) = Bench::answer(
        agent
            .post(&url("/api/actions"))
            .header("Authorization", &format!("Bearer {}", bench.token))
            .header("Origin", "http://evil.example")
            .send(r#"{"intent":"add","node":{"id":"x","label":"X","type":"action"}}"#),
    );
    assert_eq!(status, 403);
    let (_, view) = bench.get("/api/draft");
    assert_eq!(view["revision"], 0, "the foreign request changed nothing");

    // DNS rebinding: a page on another name that resolves here is not us.
    let answer = bench.raw(&format!(
        "GET /api/draft HTTP/1.1\r\nHost: evil.example:{}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        bench.port, bench.token
    ));
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    let answer = bench.raw(&format!(
        "GET /api/draft HTTP/1.1\r\nHost: localhost:{}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        bench.port, bench.token
    ));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // The token URL sets an HttpOnly cookie and sends the browser on without the token.
    let response = agent
        .get(&format!("{}/?token={}", bench.base, bench.token))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let (status, _) = Bench::answer(agent.get(&url("/api/draft")).header("Cookie", &pair).call());
    assert_eq!(status, 200, "the cookie is the token");
    let (status, _) = Bench::answer(agent.get(&format!("{}/?token=nope", bench.base)).call());
    assert_eq!(status, 401);

    // The page itself: a strict Content-Security-Policy.
    let page = agent.get(&url("/")).call().unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");

    // Bodies are capped before they are read: a request announcing 2 MiB is refused after its
    // first kilobyte (the rest is never sent, so the answer cannot be waiting on it).
    let answer = bench.raw(&format!(
        "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{{\"message\":\"{}",
        bench.port,
        bench.token,
        2 * 1024 * 1024,
        "x".repeat(1024)
    ));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        !bench.stderr().contains(&bench.token),
        "the token is never logged"
    );
}

/// Reads server-sent events until one of `name` arrives, or panics after 10 s.
fn wait_for_event(stream: &mut BufReader<TcpStream>, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if stream.read_line(&mut line).unwrap_or(0) == 0 {
            continue;
        }
        if line.trim() == format!("event: {name}") {
            let mut data = String::new();
            stream.read_line(&mut data).unwrap();
            return data.trim().trim_start_matches("data:").trim().to_string();
        }
    }
    panic!("no `{name}` event within 10 s");
}

#[test]
fn the_terminal_and_the_event_log_reach_open_pages_live() {
    let dir = workspace();
    let bench = Bench::start(dir.path(), &[], &[]);
    let stream = TcpStream::connect(("127.0.0.1", bench.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    write!(
        writer,
        "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {}\r\nAccept: text/event-stream\r\n\r\n",
        bench.port, bench.token
    )
    .unwrap();
    let mut events = BufReader::new(stream);
    std::thread::sleep(Duration::from_millis(300));

    let mut apply = gen_command(dir.path(), &["draft", "apply", "-"]);
    let mut child = apply
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"intent":"add","node":{"id":"lint","label":"Lint","type":"action"}}"#)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(wait_for_event(&mut events, "draft"), r#"{"revision":1}"#);
    let (_, view) = bench.get("/api/draft");
    assert_eq!(
        node_ids(&view),
        ["lint"],
        "the page sees the terminal's edit"
    );

    gen_ok(
        dir.path(),
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-ONE-001",
            "--edge",
            "intent→requirements",
        ],
    );
    assert_eq!(wait_for_event(&mut events, "map"), "{}");
    let (_, map) = bench.get("/api/map");
    let edge = map["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "intent→requirements")
        .expect("the edge is on the map");
    assert_eq!(edge["iterating"], 1, "{edge}");
    let feature = &map["features"][0];
    assert_eq!(
        (feature["id"].as_str(), feature["here"].as_str()),
        (Some("REQ-F-ONE-001"), Some("intent→requirements"))
    );
    drop(events);
    assert_eq!(
        bench.stop(),
        Some(0),
        "an open event stream does not hold the server up"
    );
}

#[test]
fn status_is_what_gen_status_prints() {
    let dir = workspace();
    gen_ok(
        dir.path(),
        &[
            "event",
            "emit",
            "edge_started",
            "--feature",
            "REQ-F-ONE-001",
            "--edge",
            "intent→requirements",
        ],
    );
    let bench = Bench::start(dir.path(), &[], &[]);
    let (status, mut api) = bench.get("/api/status");
    assert_eq!(status, 200);
    let mut cli: Value = serde_json::from_str(&gen_ok(dir.path(), &["status", "--json"])).unwrap();
    // The two differ only in when they were asked.
    api["as_of"] = Value::Null;
    cli["as_of"] = Value::Null;
    assert_eq!(api["features"], cli["features"]);
    assert_eq!(api["rollup"], cli["rollup"]);
    assert_eq!(api["state"], cli["state"]);
}

#[test]
fn the_topology_is_saved_only_when_the_configs_still_validate() {
    let dir = workspace();
    let topology = dir.path().join(".ai-workspace/graph/graph_topology.yml");
    let before = std::fs::read_to_string(&topology).unwrap();
    let bench = Bench::start(dir.path(), &["--topology"], &[]);
    let (_, view) = bench.get("/api/draft");
    assert_eq!(view["kind"], "topology");
    assert!(
        node_ids(&view).contains(&"design".to_string()),
        "asset types are the nodes"
    );

    // Removing an asset type the profiles rely on leaves configs that do not validate.
    let (status, _) = bench.post("/api/actions", r#"{"intent":"remove","nodeId":"design"}"#);
    assert_eq!(status, 200);
    let (_, view) = bench.get("/api/draft");
    assert!(
        view["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["message"].as_str().unwrap().starts_with("If saved now:")),
        "what validate would say is shown before saving: {}",
        view["problems"]
    );
    let (status, refused) = bench.post("/api/save", "");
    assert_eq!(status, 422, "{refused}");
    assert!(
        !refused["problems"].as_array().unwrap().is_empty(),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(&topology).unwrap(),
        before,
        "nothing was written"
    );

    bench.post("/api/undo", "");
    let (status, _) = bench.post("/api/actions", r#"{"action":"setNodeDescription","nodeId":"design","description":"How it will be built, reviewed"}"#);
    assert_eq!(status, 200);
    let (status, saved) = bench.post("/api/save", "");
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["kind"], "topology");
    assert!(
        std::fs::read_to_string(&topology)
            .unwrap()
            .contains("How it will be built, reviewed")
    );
    gen_ok(dir.path(), &["validate"]);
}

/// An OpenAI chat completion answering through the edit tool.
fn tool_reply(arguments: &str) -> Reply {
    Reply::json(
        200,
        &json!({
            "choices": [{"message": {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "edit_workflow", "arguments": arguments}}
            ]}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20},
        })
        .to_string(),
    )
}

fn chat(bench: &Bench, message: &str) -> Value {
    let (status, v) = bench.post("/api/chat", &json!({ "message": message }).to_string());
    assert_eq!(status, 200, "{v}");
    v
}

#[test]
fn an_openai_agent_is_untrusted_and_the_reducer_has_the_last_word() {
    let dir = workspace();
    let add_build = r#"{"edits":[{"intent":"add","node":{"id":"build","label":"Build","type":"action"}},{"intent":"add","node":{"id":"test","label":"Test","type":"action"},"connectFrom":"build"}]}"#;
    let script_label =
        r#"{"edits":{"intent":"rename","nodeId":"test","label":"<img src=x onerror=alert(1)>"}}"#;
    let server = Scripted::start(vec![
        // 1. good: two steps through the tool
        tool_reply(add_build),
        // 2. malformed, then repaired after the structured error
        tool_reply(r#"{"edits":[{"intent":"add","node":{"id":"n4""#),
        tool_reply(
            r#"{"edits":{"intent":"add","node":{"id":"deploy","label":"Deploy","type":"action"},"connectFrom":"test"}}"#,
        ),
        // 3. malformed twice: refused, nothing changes
        tool_reply(r#"{"edits":{"intent":"Add"}}"#),
        Reply::chat("```json\n{\"intent\":\"delete\",\"nodeId\":\"build\"}\n```"),
        // 4. dangling edge: parsed, refused by the reducer
        tool_reply(r#"{"edits":{"intent":"connect","source":"build","target":"ghost"}}"#),
        // 5. partial: two apply, one fails, one undo step
        tool_reply(
            r#"{"edits":[{"intent":"rename","nodeId":"build","label":"Compile"},{"intent":"remove","nodeId":"ghost"},{"intent":"add","node":{"id":"notify","label":"Notify","type":"action"},"connectFrom":"deploy"}]}"#,
        ),
        // 6. a label that is a script: stored as text
        tool_reply(script_label),
        // 7. oversized: the reply is refused before it is parsed
        tool_reply(&format!(
            r#"{{"edits":[{}]}}"#,
            r#"{"intent":"remove","nodeId":"build"},"#.repeat(40_000)
        )),
        // 8. a question back: words only
        Reply::chat("Do you mean the 'Compile' step or the 'Notify' step?"),
        // 9. a model that claims a change it never made
        Reply::chat("I have removed every step."),
    ]);
    let bench = Bench::start(
        dir.path(),
        &[
            "--agent",
            "openai",
            "--model",
            "m1",
            "--base-url",
            &format!("{}/v1", server.url),
        ],
        &[("OPENAI_API_KEY", "sk-secret-key-123")],
    );

    let v = chat(&bench, "add build and test");
    assert_eq!(v["reply"], "Applied 2 changes");
    assert_eq!(node_ids(&v), ["build", "test"]);
    assert_eq!(v["changed"], json!(["build", "test"]));
    let first = server.requests()[0].clone();
    let body: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["tools"][0]["function"]["name"], "edit_workflow");
    assert!(
        body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("<draft>"),
        "the agent sees the canonical draft as data"
    );
    assert!(
        first
            .headers
            .contains(&("authorization".into(), "Bearer sk-secret-key-123".into()))
    );

    let v = chat(&bench, "add deploy after test");
    assert_eq!(v["reply"], "Added Deploy");
    let repair: Value = serde_json::from_str(&server.requests()[2].body).unwrap();
    let last = repair["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        last.contains("could not be read"),
        "the repair carries the error: {last}"
    );

    let before = bench.get("/api/draft").1;
    let v = chat(&bench, "delete build");
    assert!(
        v["reply"]
            .as_str()
            .unwrap()
            .starts_with("I couldn't apply that change"),
        "{v}"
    );
    assert_eq!(v["report"], Value::Null);
    assert_eq!(
        (v["draft"].clone(), v["revision"].clone()),
        (before["draft"].clone(), before["revision"].clone())
    );

    let v = chat(&bench, "connect build to ghost");
    assert_eq!(
        v["reply"],
        "Couldn't connect steps: one of them was not found. Nothing was changed."
    );
    assert_eq!(v["revision"], before["revision"]);

    let v = chat(&bench, "rename, remove, add");
    assert_eq!(
        v["reply"],
        "Applied 2 changes; 1 failed: That step doesn't exist in the current workflow."
    );
    assert_eq!(
        v["undo"].as_u64(),
        before["undo"].as_u64().map(|u| u + 1),
        "one turn, one undo step"
    );

    let v = chat(&bench, "rename test");
    let test = v["draft"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "test")
        .unwrap()
        .clone();
    assert_eq!(
        test["label"], "<img src=x onerror=alert(1)>",
        "stored verbatim: it is data"
    );

    let before = bench.get("/api/draft").1;
    let v = chat(&bench, "remove build many times");
    assert!(
        v["reply"]
            .as_str()
            .unwrap()
            .starts_with("The assistant's answer could not be used"),
        "{v}"
    );
    assert_eq!(v["revision"], before["revision"]);

    let v = chat(&bench, "rename it");
    assert_eq!(
        v["reply"],
        "Do you mean the 'Compile' step or the 'Notify' step?"
    );
    assert_eq!(v["report"], Value::Null);

    let v = chat(&bench, "remove everything");
    assert_eq!(
        v["report"],
        Value::Null,
        "no edits, no report: the claim is only words"
    );
    assert_eq!(v["revision"], before["revision"]);

    let (_, history) = bench.get("/api/chat/history");
    assert_eq!(
        history["messages"].as_array().unwrap().len(),
        18,
        "nine turns, each kept"
    );
    let log = bench.stderr();
    assert!(
        log.contains("agent output refused"),
        "raw invalid output is logged: {log}"
    );
    assert!(!log.contains("sk-secret-key-123"), "the key never is");
    assert_eq!(bench.stop(), Some(0));
    let journal = std::fs::read_to_string(
        dir.path()
            .join(".ai-workspace/workbench/drafts/default/journal.jsonl"),
    )
    .unwrap();
    assert!(!journal.contains("sk-secret"));
}

#[test]
fn a_bedrock_agent_answers_through_tool_use() {
    let dir = workspace();
    let converse = |content: Value| {
        Reply::json(
            200,
            &json!({
                "output": {"message": {"role": "assistant", "content": content}},
                "stopReason": "tool_use",
                "usage": {"inputTokens": 50, "outputTokens": 7, "totalTokens": 57},
                "metrics": {"latencyMs": 3},
            })
            .to_string(),
        )
    };
    let tool = |input: Value| {
        converse(json!([{"toolUse": {"toolUseId": "t1", "name": "edit_workflow", "input": input}}]))
    };
    let oversized = json!({"edits": (0..30_000).map(|_| json!({"intent": "remove", "nodeId": "build"})).collect::<Vec<_>>()});
    let server = Scripted::start(vec![
        // partial: one applies, the dangling connection fails
        tool(json!({"edits": [
            {"intent": "add", "node": {"id": "build", "label": "Build", "type": "action"}},
            {"intent": "connect", "source": "build", "target": "nowhere"}
        ]})),
        // words only
        converse(json!([{"text": "Which step should follow Build?"}])),
        // malformed, then repaired
        tool(json!({"edits": {"intent": "Add", "node": {"id": "x"}}})),
        tool(
            json!({"edits": {"intent": "add", "node": {"id": "test", "label": "Test", "type": "action"}, "connectFrom": "build"}}),
        ),
        // oversized twice: refused, nothing changes
        tool(oversized.clone()),
        tool(oversized),
        // a script in a label is data
        tool(
            json!({"edits": {"intent": "rename", "nodeId": "test", "label": "<script>alert(1)</script>"}}),
        ),
        // a dangling edge alone: nothing applies
        tool(json!({"edits": {"intent": "connect", "source": "test", "target": "ghost"}})),
    ]);
    let bench = Bench::start(
        dir.path(),
        &[
            "--agent",
            "bedrock",
            "--model",
            "scripted.model-v1:0",
            "--region",
            "us-east-1",
            "--bedrock-endpoint-url",
            &server.url,
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDTEST"),
            ("AWS_SECRET_ACCESS_KEY", "secret-test-value"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    let v = chat(&bench, "add build and connect it");
    assert_eq!(
        v["reply"],
        "Applied 1 change; 1 failed: Couldn't connect steps: one of them was not found."
    );
    assert_eq!(node_ids(&v), ["build"]);
    let request: Value = serde_json::from_str(&server.requests()[0].body).unwrap();
    assert_eq!(
        request["toolConfig"]["tools"][0]["toolSpec"]["name"],
        "edit_workflow"
    );
    let v = chat(&bench, "and then?");
    assert_eq!(v["reply"], "Which step should follow Build?");
    let v = chat(&bench, "add test after build");
    assert_eq!(v["reply"], "Added Test");
    let repair: Value = serde_json::from_str(&server.requests()[3].body).unwrap();
    let messages = repair["messages"].as_array().unwrap();
    assert_eq!(
        messages.len(),
        3,
        "the original ask, the bad answer, the correction"
    );
    let before = bench.get("/api/draft").1;
    let v = chat(&bench, "remove build a lot");
    assert!(
        v["reply"]
            .as_str()
            .unwrap()
            .starts_with("I couldn't apply that change"),
        "{v}"
    );
    assert_eq!(v["revision"], before["revision"]);
    let v = chat(&bench, "rename test");
    assert_eq!(v["draft"]["nodes"][1]["label"], "<script>alert(1)</script>");
    let v = chat(&bench, "connect test to ghost");
    assert_eq!(
        v["reply"],
        "Couldn't connect steps: one of them was not found. Nothing was changed."
    );
    assert!(bench.stderr().contains("agent output refused"));
    assert!(!bench.stderr().contains("secret-test-value"));
}

#[test]
fn the_builtin_agent_edits_offline_and_shares_one_history_with_the_canvas() {
    let dir = workspace();
    let bench = Bench::start(dir.path(), &["--name", "ci"], &[]);
    let v = chat(&bench, "add Build");
    assert_eq!(v["reply"], "Added Build");
    let v = chat(&bench, "add step Deploy after Build");
    assert_eq!(node_ids(&v), ["build", "deploy"]);
    let v = chat(&bench, "add Test between Build and Deploy");
    assert_eq!(
        v["draft"]["edges"],
        json!([{"source": "build", "target": "test"}, {"source": "test", "target": "deploy"}])
    );
    assert!(
        v["changed"].as_array().unwrap().contains(&json!("test")),
        "{v}"
    );

    // The canvas renames, the chat undoes it: one history for both.
    let (_, canvas) = bench.post(
        "/api/actions",
        r#"{"intent":"rename","nodeId":"deploy","label":"Release"}"#,
    );
    assert_eq!(canvas["report"]["message"], "Renamed Deploy to Release");
    let v = chat(&bench, "undo");
    assert_eq!(v["reply"], "Undid: Renamed Deploy to Release");
    let v = chat(&bench, "undo");
    assert!(v["reply"].as_str().unwrap().starts_with("Undid:"), "{v}");
    assert_eq!(node_ids(&v), ["build", "deploy"]);
    let v = chat(&bench, "redo");
    assert_eq!(node_ids(&v), ["build", "test", "deploy"]);

    // Saved or not is derived from the saved blueprint: an undo past the save makes it unsaved again.
    assert_eq!(v["dirty"], true);
    let (status, saved) = bench.post("/api/save", "");
    assert_eq!(
        (status, saved["saved"].as_str()),
        (200, Some("blueprints/ci.json"))
    );
    assert_eq!(bench.get("/api/draft").1["dirty"], false);
    assert_eq!(bench.post("/api/undo", "").1["dirty"], true);
    assert_eq!(bench.post("/api/redo", "").1["dirty"], false);

    // An ambiguous reference gets a question and changes nothing.
    chat(&bench, "add Send Slack; add Send Email");
    let before = bench.get("/api/draft").1;
    let v = chat(&bench, "remove send");
    assert_eq!(
        v["reply"],
        "Do you mean the 'Send Slack' step or the 'Send Email' step?"
    );
    assert_eq!(v["revision"], before["revision"]);
    let (_, history) = bench.get("/api/chat/history");
    let messages = history["messages"].as_array().unwrap();
    assert_eq!(messages.last().unwrap()["role"], "agent");
    assert_eq!(messages.len(), 16);
}

#[test]
fn the_team_agent_config_is_used_and_never_holds_a_key() {
    let dir = workspace();
    let server = Scripted::start(vec![tool_reply(
        r#"{"edits":{"intent":"add","node":{"id":"build","label":"Build","type":"action"}}}"#,
    )]);
    let config = dir.path().join(".ai-workspace/workbench/agent.yml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        format!(
            "agent: openai\nmodel: team-model\nbase_url: {}/v1\napi_key_env: TEAM_KEY\n",
            server.url
        ),
    )
    .unwrap();
    let bench = Bench::start(dir.path(), &[], &[("TEAM_KEY", "sk-team-1")]);
    let v = chat(&bench, "add build");
    assert_eq!(v["reply"], "Added Build");
    let request = &server.requests()[0];
    assert!(
        request
            .headers
            .contains(&("authorization".into(), "Bearer sk-team-1".into()))
    );
    assert_eq!(
        serde_json::from_str::<Value>(&request.body).unwrap()["model"],
        "team-model"
    );
    drop(bench);

    // A flag wins over the file.
    let bench = Bench::start(dir.path(), &["--agent", "builtin"], &[]);
    assert_eq!(chat(&bench, "add Test")["reply"], "Added Test");
    drop(bench);

    std::fs::write(&config, "agent: openai\napi_key: sk-oops\n").unwrap();
    let out = gen_command(dir.path(), &["workbench", "--no-open", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("workbench/agent.yml:2:1") && stderr.contains("looks like a secret"),
        "{stderr}"
    );
    assert!(!stderr.contains("sk-oops"), "the key is not echoed back");
}
