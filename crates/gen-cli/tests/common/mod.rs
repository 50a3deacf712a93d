//! Shared helpers for end-to-end tests: an isolated workspace and the real `gen` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `gen` with `args` in `dir`, isolated from the caller's environment, ready to adjust and run.
pub(crate) fn gen_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gen"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("GEN_WORKSPACE")
        .env_remove("NO_COLOR")
        .env("GEN_AGENT_ID", "tester");
    command
}

/// Runs `gen` with `args` in `dir`, isolated from the caller's environment.
pub(crate) fn gen_in(dir: &Path, args: &[&str]) -> Output {
    gen_command(dir, args).output().expect("gen runs")
}

/// Runs `gen` and returns stdout, failing the test with stderr when it exits non-zero.
pub(crate) fn gen_ok(dir: &Path, args: &[&str]) -> String {
    let out = gen_in(dir, args);
    assert!(
        out.status.success(),
        "gen {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// The shared corpus: `None` only when `GEN_SKIP_CORPUS=1` opts out; a missing corpus fails the test
/// (see `gen_testkit::corpus`).
pub(crate) fn corpus() -> Option<PathBuf> {
    gen_testkit::corpus()
}

/// Copies a folder recursively (the corpus is read-only input; commands run on a copy).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let ty = entry.file_type().unwrap();
        if ty.is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            let mut perms = std::fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).unwrap();
        }
    }
}

/// A crash test's kill loop: real writers, each round ended by SIGKILL of its whole process group.
///
/// Even rounds kill at a pseudo-random 5..5+`max_ms` ms after the start (from `seed`, so a failure
/// reproduces): kills land anywhere, in start-up, parsing, fsync, printing or compaction. Odd rounds
/// watch `watch` and kill the moment it has grown without ending in a newline, i.e. during a write,
/// so torn tails are not left to chance (after 5+4×`max_ms` ms without such a moment they kill anyway).
#[cfg(unix)]
pub(crate) struct KillRounds<'a> {
    /// Rounds to run at least, whatever the counts.
    pub min_rounds: u32,
    /// Rounds after which a test whose minimums are still unmet fails.
    pub max_rounds: u32,
    /// Upper bound of the random wait of even rounds, in ms.
    pub max_ms: u64,
    /// Seed of the random waits.
    pub seed: u64,
    /// The file the writer appends to.
    pub watch: &'a Path,
    /// Where each round's standard error goes (`stderr-<round>.txt`), shown when a round goes wrong.
    pub logs: &'a Path,
}

#[cfg(unix)]
impl KillRounds<'_> {
    /// Runs rounds of `command(round)` until at least `min_rounds` ran and `progress(round)` (called
    /// after each round) returns `Ok`; panics when `max_rounds` pass first, with `progress`'s last
    /// `Err` saying which minimum was not met. Every round must end by SIGKILL: a writer that exits
    /// on its own (it failed) fails the test with its standard error. Returns the rounds run.
    pub(crate) fn run(
        &self,
        mut command: impl FnMut(u32) -> Command,
        mut progress: impl FnMut(u32) -> Result<(), String>,
    ) -> u32 {
        use std::os::unix::process::{CommandExt, ExitStatusExt};
        use std::time::{Duration, Instant};
        let mut seed = self.seed;
        let mut missing = String::from("no round ran");
        for round in 0..self.max_rounds {
            let stderr_path = self.logs.join(format!("stderr-{round}.txt"));
            let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
            let mut cmd = command(round);
            cmd.process_group(0).stdin(Stdio::null()).stderr(stderr);
            let mut child = cmd.spawn().expect("the writer starts");
            let start = Instant::now();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            if round % 2 == 0 {
                std::thread::sleep(Duration::from_millis(5 + seed % self.max_ms));
            } else {
                wait_for_a_write(
                    self.watch,
                    start + Duration::from_millis(5 + 4 * self.max_ms),
                );
            }
            let pgid = child.id() as libc::pid_t;
            // SAFETY: kill(2) on the process group this test started; no memory is involved.
            let killed = unsafe { libc::kill(-pgid, libc::SIGKILL) };
            let kill = if killed == 0 {
                "kill succeeded".to_string()
            } else {
                format!("kill failed: {}", std::io::Error::last_os_error())
            };
            let status = child.wait().expect("the writer is reaped");
            if killed != 0 || status.signal() != Some(libc::SIGKILL) {
                panic!(
                    "round {round}: the writer was not ended by our SIGKILL ({kill}; it ended with {status}): \
                     it failed on its own instead of writing until killed. Its stderr:\n{}",
                    std::fs::read_to_string(&stderr_path).unwrap_or_default()
                );
            }
            match progress(round) {
                Ok(()) if round + 1 >= self.min_rounds => return round + 1,
                Ok(()) => {}
                Err(m) => missing = m,
            }
        }
        panic!(
            "after {} rounds the crash test has not seen enough: {missing}",
            self.max_rounds
        );
    }
}

/// Returns as soon as `path` has grown (or shrunk) since the last look and does not end in a newline:
/// a write is under way. Returns at `deadline` regardless.
#[cfg(unix)]
fn wait_for_a_write(path: &Path, deadline: std::time::Instant) {
    use std::io::{Read, Seek, SeekFrom};
    let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    let mut last = len(path);
    while std::time::Instant::now() < deadline {
        let now = len(path);
        if now != last
            && let Some(n) = now.filter(|n| *n > 0)
            && let Ok(mut f) = std::fs::File::open(path)
        {
            let mut byte = [0u8];
            if f.seek(SeekFrom::Start(n - 1)).is_ok()
                && f.read_exact(&mut byte).is_ok()
                && byte[0] != b'\n'
            {
                return;
            }
        }
        last = now;
        std::hint::spin_loop();
    }
}

/// One round's acknowledgements: the lines the writer printed to `path` after each durable write.
///
/// Every complete line must parse: only the round's last line may be cut off by the kill, and then it
/// is dropped (or kept, when the kill fell between the JSON and its newline). Each round prints to its
/// own file, so a torn acknowledgement never swallows the next round's first one.
pub(crate) fn round_acks(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read(path).unwrap_or_default();
    let mut acks = Vec::new();
    for line in text.split_inclusive(|b| *b == b'\n') {
        match line.strip_suffix(b"\n") {
            Some(complete) => acks.push(serde_json::from_slice(complete).unwrap_or_else(|e| {
                panic!(
                    "{}: a complete acknowledgement line does not parse ({e})",
                    path.display()
                )
            })),
            None => acks.extend(serde_json::from_slice::<serde_json::Value>(line).ok()),
        }
    }
    acks
}

/// Files in `dir` (0 when it does not exist).
pub(crate) fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}
