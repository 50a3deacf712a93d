//! Shared helpers for end-to-end tests: an isolated workspace and the real `gen` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `gen` with `args` in `dir`, isolated from the caller's environment.
pub fn gen_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env_remove("GEN_WORKSPACE")
        .env("GEN_AGENT_ID", "tester")
        .output()
        .expect("gen runs")
}

/// Runs `gen` and returns stdout, failing the test with stderr when it exits non-zero.
pub fn gen_ok(dir: &Path, args: &[&str]) -> String {
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
pub fn corpus() -> Option<PathBuf> {
    gen_testkit::corpus()
}

/// Copies a folder recursively (the corpus is read-only input; commands run on a copy).
pub fn copy_dir(from: &Path, to: &Path) {
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

/// Runs `rounds` rounds of: start `command(round)` in its own process group, let it work for a
/// pseudo-random 5..5+`max_ms` ms (from `seed`, so a failure reproduces), then SIGKILL the whole group.
#[cfg(unix)]
pub fn kill_repeatedly(
    rounds: u32,
    max_ms: u64,
    mut seed: u64,
    mut command: impl FnMut(u32) -> Command,
) {
    use std::os::unix::process::CommandExt;
    for round in 0..rounds {
        let mut child = command(round).process_group(0).spawn().expect("spawns");
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(std::time::Duration::from_millis(5 + seed % max_ms));
        let killed = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status()
            .expect("kill runs");
        assert!(killed.success(), "round {round}: kill failed");
        let _ = child.wait();
    }
}
