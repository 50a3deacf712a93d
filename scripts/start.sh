#!/usr/bin/env bash
# The main job on a fresh machine: build gen, then a short tour on a new workspace in target/tour/
# (init → emit → validate → status). Needs nothing but the Rust toolchain; no AWS account.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p gen-cli
gen="$PWD/target/release/gen"
tour="$PWD/target/tour"
rm -rf "$tour"
mkdir -p "$tour"
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

printf '\nThe tour workspace is %s; try `%s --workspace %s status --json`.\n' "$tour" "$gen" "$tour"
