//! Test support shared by the `gen` crates; a dev-dependency only, never part of a shipped binary.
//!
//! # The shared corpus
//!
//! The compatibility tests read real Genesis workspaces from `../shared/corpus` beside the checkout.
//! Every crate finds it through [`corpus`], so one convention holds everywhere:
//!
//! - `GEN_CORPUS=/path` reads the corpus from `/path` instead (a relative path is taken from the
//!   workspace root). The folder must exist.
//! - `GEN_SKIP_CORPUS=1` skips the corpus tests on purpose. The skip is announced once per test binary
//!   on the real standard error, past the test harness's output capture, and `scripts/test.sh` prints
//!   `corpus tests SKIPPED (GEN_SKIP_CORPUS=1)`.
//! - Otherwise a missing corpus fails the test, saying where it looked and how to opt out: a corpus test
//!   never passes without having read the corpus.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The variable that points the corpus tests at another folder.
pub const CORPUS_VAR: &str = "GEN_CORPUS";

/// The variable that skips the corpus tests on purpose (`1`).
pub const SKIP_VAR: &str = "GEN_SKIP_CORPUS";

/// The workspace root (the folder holding the top-level `Cargo.toml`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether `GEN_SKIP_CORPUS` asks to skip (`1`, `true` or `yes`; unset, empty or `0` does not).
fn skip_requested(value: Option<&str>) -> bool {
    match value.map(str::trim) {
        None | Some("") | Some("0") => false,
        Some(v) if ["1", "true", "yes"].contains(&v.to_ascii_lowercase().as_str()) => true,
        Some(other) => panic!(
            "{SKIP_VAR}={other:?} is not understood: set {SKIP_VAR}=1 to skip the corpus tests, or unset it"
        ),
    }
}

/// Where the corpus is looked for: `GEN_CORPUS` (relative to the workspace root) or `../shared/corpus`.
fn location(var: Option<&str>) -> (PathBuf, String) {
    match var.filter(|v| !v.trim().is_empty()) {
        Some(v) => (workspace_root().join(v), format!("{CORPUS_VAR}={v}")),
        None => (
            workspace_root().join("../shared/corpus"),
            format!("the default ../shared/corpus beside the checkout ({CORPUS_VAR} unset)"),
        ),
    }
}

/// The shared corpus folder, or `None` when `GEN_SKIP_CORPUS=1` opts out.
///
/// Call it at the top of a corpus test and `return` on `None`:
///
/// ```no_run
/// let Some(corpus) = gen_testkit::corpus() else { return };
/// assert!(corpus.join("genesis-method").is_dir());
/// ```
///
/// # Panics
///
/// When the corpus is not there and the tests were not opted out, with a message naming the folder it
/// looked in and both variables; also when `GEN_SKIP_CORPUS` holds a value it does not understand.
pub fn corpus() -> Option<PathBuf> {
    let skip = std::env::var(SKIP_VAR).ok();
    let var = std::env::var(CORPUS_VAR).ok();
    let found = resolve(skip.as_deref(), var.as_deref());
    if found.is_none() {
        announce_skip();
    }
    found
}

/// [`corpus`] with the two variables' values given.
fn resolve(skip: Option<&str>, var: Option<&str>) -> Option<PathBuf> {
    if skip_requested(skip) {
        return None;
    }
    let (dir, how) = location(var);
    if !dir.is_dir() {
        panic!(
            "the shared corpus is missing: looked for {} ({how}). Put the corpus there, point {CORPUS_VAR} \
             at it, or set {SKIP_VAR}=1 to skip the corpus tests on purpose.",
            dir.display()
        );
    }
    Some(dir.canonicalize().unwrap_or(dir))
}

/// Prints the skip once per test binary, on the real standard error: the harness captures `eprintln!`
/// of passing tests, which would hide it.
fn announce_skip() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let exe = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr().lock(),
            "corpus tests SKIPPED ({SKIP_VAR}=1) in {exe}"
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_explicit_value_skips() {
        assert!(!skip_requested(None));
        assert!(!skip_requested(Some("")));
        assert!(!skip_requested(Some("0")));
        assert!(skip_requested(Some("1")));
        assert!(skip_requested(Some("TRUE")));
        assert!(std::panic::catch_unwind(|| skip_requested(Some("maybe"))).is_err());
    }

    #[test]
    fn the_override_is_taken_from_the_workspace_root() {
        let (dir, how) = location(Some("some/where"));
        assert_eq!(dir, workspace_root().join("some/where"));
        assert!(how.contains("GEN_CORPUS=some/where"));
        let (abs, _) = location(Some("/abs/corpus"));
        assert_eq!(abs, PathBuf::from("/abs/corpus"));
        let (default, how) = location(None);
        assert!(
            default.ends_with("../shared/corpus"),
            "{}",
            default.display()
        );
        assert!(how.contains("unset"));
    }

    #[test]
    fn a_missing_corpus_fails_unless_skipped() {
        let missing = std::env::temp_dir().join("gen-testkit-no-such-corpus");
        let missing = missing.to_str().unwrap();
        let message = std::panic::catch_unwind(|| resolve(None, Some(missing)))
            .expect_err("a missing corpus panics")
            .downcast::<String>()
            .unwrap();
        assert!(message.contains(missing), "{message}");
        assert!(message.contains("GEN_SKIP_CORPUS=1"), "{message}");
        assert_eq!(resolve(Some("1"), Some(missing)), None);
        let here = env!("CARGO_MANIFEST_DIR");
        assert_eq!(
            resolve(None, Some(here)),
            Some(Path::new(here).canonicalize().unwrap())
        );
    }
}

/// A scripted HTTP server for model-client tests: it answers each request with the next reply of
/// its script (then 500 "script exhausted") and records every request it was sent, so a test can
/// assert what a client asked as well as what it made of the answers.
pub mod scripted {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// One scripted answer.
    #[derive(Debug, Clone)]
    pub struct Reply {
        /// HTTP status.
        pub status: u16,
        /// Extra headers.
        pub headers: Vec<(String, String)>,
        /// The body.
        pub body: String,
        /// Wait this long before answering.
        pub delay: Duration,
    }

    impl Reply {
        /// `status` with a JSON body, at once.
        pub fn json(status: u16, body: &str) -> Reply {
            Reply {
                status,
                headers: Vec::new(),
                body: body.to_string(),
                delay: Duration::ZERO,
            }
        }

        /// An OpenAI-style chat completion whose first choice says `content`.
        pub fn chat(content: &str) -> Reply {
            let body = serde_json::json!({
                "choices": [{"message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20},
            });
            Reply::json(200, &body.to_string())
        }
    }

    /// One request as received.
    #[derive(Debug, Clone)]
    pub struct Recorded {
        /// `POST /v1/chat/completions`.
        pub request_line: String,
        /// Headers, names lower-cased.
        pub headers: Vec<(String, String)>,
        /// The body.
        pub body: String,
    }

    /// The running server (stops with the test process).
    pub struct Scripted {
        /// `http://127.0.0.1:PORT`.
        pub url: String,
        requests: Arc<Mutex<Vec<Recorded>>>,
    }

    impl Scripted {
        /// Starts a server answering with `replies`, in order.
        pub fn start(replies: Vec<Reply>) -> Scripted {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
            let url = format!("http://{}", listener.local_addr().expect("local address"));
            let requests = Arc::new(Mutex::new(Vec::new()));
            let recorded = Arc::clone(&requests);
            let script = Arc::new(Mutex::new(replies.into_iter()));
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let mut reader = BufReader::new(match stream.try_clone() {
                        Ok(s) => s,
                        Err(_) => continue,
                    });
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).is_err() {
                        continue;
                    }
                    let mut headers = Vec::new();
                    let mut length = 0usize;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
                            break;
                        }
                        if let Some((k, v)) = line.trim_end().split_once(':') {
                            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
                            if k == "content-length" {
                                length = v.parse().unwrap_or(0);
                            }
                            headers.push((k, v));
                        }
                    }
                    let mut body = vec![0u8; length];
                    let _ = reader.read_exact(&mut body);
                    recorded.lock().unwrap().push(Recorded {
                        request_line: request_line.trim_end().to_string(),
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let reply = script
                        .lock()
                        .unwrap()
                        .next()
                        .unwrap_or_else(|| Reply::json(500, r#"{"error":"script exhausted"}"#));
                    std::thread::sleep(reply.delay);
                    let mut out = stream;
                    let mut head = format!(
                        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                        reply.status,
                        reply.body.len()
                    );
                    for (k, v) in &reply.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = out.write_all(head.as_bytes());
                    let _ = out.write_all(reply.body.as_bytes());
                    let _ = out.flush();
                }
            });
            Scripted { url, requests }
        }

        /// Every request so far, in order.
        pub fn requests(&self) -> Vec<Recorded> {
            self.requests.lock().unwrap().clone()
        }
    }
}
