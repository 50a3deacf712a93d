#!/usr/bin/env bash
# Runs every fuzz target for N seconds (default 60). A crash fails the script and leaves the input in
# fuzz/artifacts/<target>/; reproduce with `cargo +nightly fuzz run <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz (one time)"
  cargo install cargo-fuzz --locked --version 0.13.2
fi

# cargo-fuzz needs nightly features; use the nightly toolchain when present, else let stable accept them.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  toolchain=()
  export RUSTC_BOOTSTRAP=1
fi

cd fuzz
targets=(event_line config_yaml workbench_input draft_files sync_input model_reply)
# Build every target first: a target that no longer compiles is a build failure, said as such,
# before any time is spent fuzzing the others.
for target in "${targets[@]}"; do
  if ! cargo "${toolchain[@]}" fuzz build "$target" >/dev/null 2>"build-$target.log"; then
    tail -n 40 "build-$target.log" >&2
    rm -f "build-$target.log"
    echo "fuzz target $target does not build (see above)" >&2
    exit 1
  fi
  rm -f "build-$target.log"
done
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  cp -n seeds/"$target"/* "corpus/$target/" 2>/dev/null || true
  echo "fuzzing $target for ${seconds}s"
  log="$(mktemp)"
  if ! cargo "${toolchain[@]}" fuzz run "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^Done ' "$log" || tail -n 3 "$log"
  rm -f "$log"
done
