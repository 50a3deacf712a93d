#!/usr/bin/env bash
# The main job on a fresh machine: build everything (the web UI with npm, then gen with the UI
# embedded), set up a demo workspace in target/demo/ — shared through the embedded default remote,
# a local folder (no AWS account), with a few features in flight and a workflow draft — and start
# the workbench on it. It prints the workbench's URL (with this run's token) and serves until Ctrl-C.
# GEN_PORT picks the port (default 4870; 0 = any free port); GEN_NO_OPEN=1 does not open a browser.
# GEN_INSTALL=1 also installs `gen` on the PATH (cargo install into ~/.cargo/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

scripts/web-build
cargo build --release -p gen-cli
gen="$PWD/target/release/gen"
demo="$PWD/target/demo/project"
rm -rf "$PWD/target/demo"
mkdir -p "$demo"
cd "$demo"

quiet() { "$gen" --quiet "$@" >/dev/null; }
emit() { quiet event emit "$@"; }

printf '==> demo workspace: %s\n' "$demo"
quiet init --project demo
quiet sync init --backend local --root ../remote

# Three features in flight: one done with its first edge and on the second, one iterating, one stuck.
quiet features new REQ-F-AUTH-001 --title "Sign in with a magic link"
quiet features new REQ-F-BILL-002 --title "Monthly invoices as PDF"
quiet features new REQ-F-SRCH-003 --title "Search across projects"
emit edge_started --feature REQ-F-AUTH-001 --edge 'intent→requirements'
emit iteration_completed --feature REQ-F-AUTH-001 --edge 'intent→requirements' --data '{"iteration": 1, "delta": 2}'
emit iteration_completed --feature REQ-F-AUTH-001 --edge 'intent→requirements' --data '{"iteration": 2, "delta": 0}'
emit edge_converged --feature REQ-F-AUTH-001 --edge 'intent→requirements'
emit edge_started --feature REQ-F-AUTH-001 --edge 'requirements→design'
emit edge_started --feature REQ-F-BILL-002 --edge 'intent→requirements'
emit iteration_completed --feature REQ-F-BILL-002 --edge 'intent→requirements' --data '{"iteration": 1, "delta": 3}'
emit edge_started --feature REQ-F-SRCH-003 --edge 'intent→requirements'
for i in 1 2 3; do
  emit iteration_completed --feature REQ-F-SRCH-003 --edge 'intent→requirements' --data "{\"iteration\": $i, \"delta\": 2}"
done
quiet sync push
quiet sync pull

# A release workflow to edit: the canvas and the chat work on this one draft.
quiet draft new --name release --title "Release"
"$gen" --quiet draft apply --name release - >/dev/null <<'JSON'
[{"intent":"add","node":{"id":"build","label":"Build","type":"trigger","description":"On every push to main"}},
 {"intent":"add","node":{"id":"test","label":"Test","type":"action"},"connectFrom":"build"},
 {"intent":"add","node":{"id":"review","label":"Review","type":"condition"},"connectFrom":"test"},
 {"intent":"add","node":{"id":"deploy","label":"Deploy","type":"action","properties":{"region":"eu-west-1"}},"connectFrom":"review"},
 {"intent":"connect","source":"review","target":"test","label":"changes requested"}]
JSON

if [[ "${GEN_INSTALL:-}" == 1 ]]; then
  cargo install --path "$repo/crates/gen-cli" --locked
fi
printf '==> the workbench on draft `release` (the Project map tab shows the three features); Ctrl-C stops it\n'
printf '    also try: %s --workspace %s workbench --topology\n' "$gen" "$demo"
open=()
if [[ "${GEN_NO_OPEN:-}" == 1 ]]; then open=(--no-open); fi
exec "$gen" workbench --name release --port "${GEN_PORT:-4870}" "${open[@]}"
