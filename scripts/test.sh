#!/usr/bin/env bash
# The one test command (README, .ci/run): formatting, lints, every test, a short fuzz run of each parser.
# Installs what it needs itself (cargo-fuzz, the web UI's npm packages, Debian's Chromium and
# playwright-core for the browser tests); nothing has to be set up by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "web UI (npm ci + vite build into web/dist, embedded by gen-server)"
scripts/web-build

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo doc -D warnings (every public item documented, no dead links)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "cargo test"
# The corpus tests (../shared/corpus, or GEN_CORPUS) fail when the corpus is missing; GEN_SKIP_CORPUS=1
# skips them on purpose, and says so here where it cannot be missed.
if [[ -n "${GEN_SKIP_CORPUS:-}" && "${GEN_SKIP_CORPUS}" != 0 ]]; then
  printf '\n*** corpus tests SKIPPED (GEN_SKIP_CORPUS=%s) ***\n\n' "$GEN_SKIP_CORPUS"
fi
# The AWS remote's tests run against a local DynamoDB + S3 (moto, installed with pip if missing),
# stopped again however this script ends. GEN_SKIP_CLOUD=1 skips them on purpose, and says so.
if [[ -n "${GEN_SKIP_CLOUD:-}" && "${GEN_SKIP_CLOUD}" != 0 ]]; then
  printf '\n*** AWS remote tests SKIPPED (GEN_SKIP_CLOUD=%s) ***\n\n' "$GEN_SKIP_CLOUD"
else
  endpoint="$(scripts/local-cloud start | tail -n 1)"
  trap 'scripts/local-cloud stop' EXIT
  export "${endpoint?}" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  unset AWS_PROFILE
  printf 'local cloud: %s\n' "$endpoint"
fi
cargo test --workspace

step "browser tests (Debian's Chromium through playwright-core)"
scripts/browser-deps
cargo build -p gen-cli --quiet
(cd e2e && GEN_BIN="$PWD/../target/debug/gen" npm test --silent)

step "fuzz (${GEN_FUZZ_SECONDS:-20}s per target)"
scripts/fuzz.sh "${GEN_FUZZ_SECONDS:-20}"

if [[ -n "${GEN_SKIP_CLOUD:-}" && "${GEN_SKIP_CLOUD}" != 0 ]]; then
  printf '\n(AWS remote tests SKIPPED: GEN_SKIP_CLOUD=%s)\n' "$GEN_SKIP_CLOUD"
fi
if [[ -n "${GEN_SKIP_CORPUS:-}" && "${GEN_SKIP_CORPUS}" != 0 ]]; then
  printf '\nall checks passed, but corpus tests SKIPPED (GEN_SKIP_CORPUS=%s)\n' "$GEN_SKIP_CORPUS"
else
  printf '\nall checks passed\n'
fi
