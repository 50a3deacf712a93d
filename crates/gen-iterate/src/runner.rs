//! A check's command, run the way the method runs it (reference §1.5): `sh -c` in the project
//! root, stdin closed, in its own process group, output captured. It is stopped — SIGTERM to the
//! whole group, SIGKILL after a grace period — when it prints nothing for the stall limit or runs
//! past the wall limit. Whatever the command left running in its group is killed when it ends, so
//! a check never outlives its evaluation (and a background child cannot hold the pipes open).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a command may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// No output for this long: the command is stalled (the reference's `--fd-timeout`, 60 s).
    pub stall: Duration,
    /// Running for this long: stopped whatever it prints (the reference's `max(20 × stall, 1 h)`).
    pub wall: Duration,
    /// Between SIGTERM and SIGKILL.
    pub grace: Duration,
    /// Bytes kept per stream (the tail, where failures are).
    pub max_output: usize,
}

impl Limits {
    /// The reference's limits for a stall timeout.
    pub fn for_stall(stall: Duration) -> Limits {
        Limits {
            stall,
            wall: (stall * 20).max(Duration::from_secs(3600)),
            grace: Duration::from_secs(3),
            max_output: 1 << 20,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The command exited (its code, or `None` when a signal ended it).
    Exited(Option<i32>),
    /// Stopped: nothing printed for the stall limit.
    Stalled(Duration),
    /// Stopped: the wall limit passed.
    WallLimit(Duration),
    /// `sh` could not be started.
    NotStarted(String),
}

/// What a run came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// How it ended.
    pub ended: Ended,
    /// Its standard output (the last [`Limits::max_output`] bytes, lossily UTF-8).
    pub stdout: String,
    /// Its standard error (likewise).
    pub stderr: String,
    /// How long it ran.
    pub duration: Duration,
}

impl Ran {
    /// The exit code when the command exited by itself.
    pub fn exit_code(&self) -> Option<i32> {
        match self.ended {
            Ended::Exited(code) => code,
            _ => None,
        }
    }

    /// What a failure says: standard error, or standard output when that is empty (reference §4.2),
    /// or why the run was stopped.
    pub fn message(&self) -> String {
        match &self.ended {
            Ended::Stalled(d) => format!(
                "Stall: no output for {}s — process may be hung",
                d.as_secs()
            ),
            Ended::WallLimit(d) => format!("Wall ceiling reached after {}s", d.as_secs()),
            Ended::NotStarted(why) => format!("could not start the command: {why}"),
            Ended::Exited(_) if self.stderr.trim().is_empty() => self.stdout.clone(),
            Ended::Exited(_) => self.stderr.clone(),
        }
    }
}

/// Keeps the tail of a stream and when its last byte came.
struct Sink {
    bytes: Mutex<Vec<u8>>,
    max: usize,
}

impl Sink {
    fn push(&self, chunk: &[u8]) {
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        bytes.extend_from_slice(chunk);
        if bytes.len() > self.max * 2 {
            let cut = bytes.len() - self.max;
            bytes.drain(..cut);
        }
    }

    fn text(&self) -> String {
        let bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        let start = bytes.len().saturating_sub(self.max);
        String::from_utf8_lossy(&bytes[start..]).into_owned()
    }
}

fn signal_group(pgid: u32, signal: i32) {
    // SAFETY: kill(2) on the process group this function's caller started; no memory involved.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), signal);
    }
}

/// Runs `command` with `sh -c` in `cwd`, without the variables named in `env_remove` (a model's API
/// key has no business in a check's environment).
pub fn run(command: &str, cwd: &Path, env_remove: &[&str], limits: &Limits) -> Ran {
    run_with(command, cwd, env_remove, &[], limits)
}

/// [`run`] with variables set for the command (a constructor's context).
pub fn run_with(
    command: &str,
    cwd: &Path,
    env_remove: &[&str],
    env: &[(&str, String)],
    limits: &Limits,
) -> Ran {
    use std::os::unix::process::CommandExt;
    let start = Instant::now();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    for name in env_remove {
        cmd.env_remove(name);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Ran {
                ended: Ended::NotStarted(e.to_string()),
                stdout: String::new(),
                stderr: String::new(),
                duration: start.elapsed(),
            };
        }
    };
    let pgid = child.id();
    // Milliseconds since `start` of the last byte on either stream.
    let last = Arc::new(AtomicU64::new(0));
    let sinks = [
        Arc::new(Sink {
            bytes: Mutex::new(Vec::new()),
            max: limits.max_output,
        }),
        Arc::new(Sink {
            bytes: Mutex::new(Vec::new()),
            max: limits.max_output,
        }),
    ];
    let streams: [Option<Box<dyn Read + Send>>; 2] = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ];
    let readers: Vec<_> = streams
        .into_iter()
        .zip(sinks.iter().cloned())
        .filter_map(|(stream, sink)| {
            let mut stream = stream?;
            let last = Arc::clone(&last);
            Some(std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.push(&buf[..n]);
                    last.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
                }
            }))
        })
        .collect();
    let ended = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ended::Exited(status.code()),
            Ok(None) => {}
            Err(e) => break Ended::NotStarted(e.to_string()),
        }
        let now = start.elapsed();
        let quiet = now.saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
        let stop = if quiet >= limits.stall {
            Some(Ended::Stalled(limits.stall))
        } else if now >= limits.wall {
            Some(Ended::WallLimit(limits.wall))
        } else {
            None
        };
        if let Some(why) = stop {
            signal_group(pgid, libc::SIGTERM);
            let deadline = Instant::now() + limits.grace;
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
            signal_group(pgid, libc::SIGKILL);
            let _ = child.wait();
            break why;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Nothing of the check outlives it: a background child would also keep the pipes open.
    signal_group(pgid, libc::SIGKILL);
    for reader in readers {
        let _ = reader.join();
    }
    Ran {
        ended,
        stdout: sinks[0].text(),
        stderr: sinks[1].text(),
        duration: start.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick(stall_ms: u64) -> Limits {
        Limits {
            stall: Duration::from_millis(stall_ms),
            wall: Duration::from_secs(30),
            grace: Duration::from_millis(200),
            max_output: 1 << 16,
        }
    }

    fn here() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn exit_codes_output_and_the_failure_message() {
        let dir = here();
        assert_eq!(
            run("true", dir.path(), &[], &quick(5000)).exit_code(),
            Some(0)
        );
        let failed = run(
            "echo out; echo err >&2; exit 3",
            dir.path(),
            &[],
            &quick(5000),
        );
        assert_eq!(failed.exit_code(), Some(3));
        assert_eq!(failed.stdout, "out\n");
        assert_eq!(failed.message(), "err\n", "stderr when there is some");
        let quiet = run("echo only-out; false", dir.path(), &[], &quick(5000));
        assert_eq!(quiet.message(), "only-out\n", "else stdout");
        let pwd = run("pwd", dir.path(), &[], &quick(5000));
        assert_eq!(
            std::fs::canonicalize(pwd.stdout.trim()).unwrap(),
            std::fs::canonicalize(dir.path()).unwrap(),
            "runs in the given folder"
        );
    }

    #[test]
    fn a_silent_command_is_stopped_with_everything_it_started() {
        let dir = here();
        let marker = dir.path().join("grandchild-alive");
        // The background child would touch the marker after 2 s if it survived the group kill.
        let ran = run(
            &format!("(sleep 2; touch '{}') & sleep 30", marker.display()),
            dir.path(),
            &[],
            &quick(300),
        );
        assert_eq!(ran.ended, Ended::Stalled(Duration::from_millis(300)));
        assert!(ran.message().starts_with("Stall: no output for"));
        assert!(ran.duration < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(2500));
        assert!(!marker.exists(), "the whole process group was killed");
    }

    #[test]
    fn a_chatty_command_is_not_stalled_but_the_wall_stops_it() {
        let dir = here();
        let ran = run(
            "for i in 1 2 3 4 5 6; do echo tick; sleep 0.1; done",
            dir.path(),
            &[],
            &quick(1500),
        );
        assert_eq!(ran.exit_code(), Some(0), "{ran:?}");
        let mut limits = quick(10_000);
        limits.wall = Duration::from_millis(300);
        let ran = run(
            "while :; do echo tick; sleep 0.05; done",
            dir.path(),
            &[],
            &limits,
        );
        assert_eq!(ran.ended, Ended::WallLimit(Duration::from_millis(300)));
    }

    #[test]
    fn a_background_child_cannot_hold_the_run_open_and_secrets_stay_out() {
        let dir = here();
        let ran = run("sleep 30 & echo started", dir.path(), &[], &quick(5000));
        assert_eq!(ran.exit_code(), Some(0));
        assert!(ran.duration < Duration::from_secs(10), "{:?}", ran.duration);
        // SAFETY: setting a variable in this test process before spawning; no other test reads it.
        unsafe { std::env::set_var("GEN_TEST_SECRET_KEY", "sk-do-not-leak") };
        let ran = run(
            "echo \"[$GEN_TEST_SECRET_KEY]\"",
            dir.path(),
            &["GEN_TEST_SECRET_KEY"],
            &quick(5000),
        );
        assert_eq!(ran.stdout, "[]\n");
    }

    #[test]
    fn a_flood_of_output_keeps_its_tail() {
        let dir = here();
        let mut limits = quick(5000);
        limits.max_output = 1000;
        let ran = run("seq 1 100000; echo END", dir.path(), &[], &limits);
        assert!(ran.stdout.len() <= 1000);
        assert!(ran.stdout.ends_with("END\n"));
    }
}
