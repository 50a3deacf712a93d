#!/usr/bin/env bash
# The one test command (README, .ci/run): formatting, lints, every test, a short fuzz run of each parser.
# Installs what it needs itself (cargo-fuzz); nothing has to be set up by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace

step "fuzz (${GEN_FUZZ_SECONDS:-20}s per target)"
scripts/fuzz.sh "${GEN_FUZZ_SECONDS:-20}"

printf '\nall checks passed\n'
