#!/usr/bin/env bash
# The main job on a fresh machine: build gen, then a short tour in target/tour/: a new workspace
# (init → emit → validate → status), shared with a teammate's through the embedded default remote, a
# local folder (sync init → push → pull). Needs nothing but the Rust toolchain; no AWS account.
# GEN_INSTALL=1 also installs `gen` on the PATH (cargo install into ~/.cargo/bin); without it the
# script only prints the command that does.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

cargo build --release -p gen-cli
gen="$PWD/target/release/gen"
tour="$PWD/target/tour/ana"
teammate="$PWD/target/tour/bo"
rm -rf "$PWD/target/tour"
mkdir -p "$tour" "$teammate"
cd "$tour"

run() { printf '\n$ gen %s\n' "$*"; "$gen" "$@"; }

run init --project tour
run validate
run event emit edge_started --feature REQ-F-TOUR-001 --edge 'intent→requirements'
run event emit iteration_completed --feature REQ-F-TOUR-001 --edge 'intent→requirements' --data '{"iteration": 1, "delta": 2}'
run event emit iteration_completed --feature REQ-F-TOUR-001 --edge 'intent→requirements' --data '{"iteration": 2, "delta": 0}'
run event emit edge_converged --feature REQ-F-TOUR-001 --edge 'intent→requirements'
run event emit edge_started --feature REQ-F-TOUR-001 --edge 'requirements→design'
run event log
run status
run status --feature REQ-F-TOUR-001

printf '\n# Sharing: a folder plays the cloud (a shared drive works the same); the teammate pulls.\n'
run sync init --backend local --root ../remote
run sync push
cd "$teammate"
run init --project tour
run sync init --backend local --root ../remote
run sync pull
run status
cd "$tour"

printf '\nThe tour workspace is %s; try `%s --workspace %s status --json`.\n' "$tour" "$gen" "$tour"

install=(cargo install --path "$repo/crates/gen-cli" --locked)
if [[ "${GEN_INSTALL:-}" == 1 ]]; then
  printf '\n$ %s\n' "${install[*]}"
  "${install[@]}"
  printf 'gen is installed in %s; type `gen --help`.\n' "${CARGO_HOME:-$HOME/.cargo}/bin"
elif command -v gen >/dev/null 2>&1 && [[ "$(command -v gen)" != "$gen" ]]; then
  printf '\n`gen` on your PATH is %s; to replace it with this build: %s\n' "$(command -v gen)" "${install[*]}"
else
  printf '\nTo type `gen` anywhere, put it on your PATH (into %s):\n  %s\n(or run this script again with GEN_INSTALL=1)\n' \
    "${CARGO_HOME:-$HOME/.cargo}/bin" "${install[*]}"
fi
