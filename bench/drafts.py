#!/usr/bin/env python3
"""Workbench draft benchmarks: what a user (or an agent driving the CLI) waits for.

usage: python3 bench/drafts.py [--quick]          (prints a table, writes bench/out/drafts.md)

Measures whole `gen` processes (release build), wall time, median / p95 / max:

1. `gen draft apply` latency on a 1000-node draft: lock, replay the journal, reduce, append the record,
   fsync, print the report — one process per edit, 300 edits in a row so journal growth and
   compaction are included. Side by side with the naive peer most editors use for persistence:
   load the whole draft file, edit it, rewrite it atomically with fsync (no history at all).
2. Open/replay time (`gen draft show --json`) of journals holding an `open` record with the 1000-node
   draft plus K batch records (K = 0, 256 — the default compaction point —, 1000, 5000; the long
   ones only exist with compaction off), and of a compacted journal (one `snapshot` record with a
   full 50-entry undo stack).

Inputs are generated here (seeded, deterministic), in bench/out/ws-drafts.
"""
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GEN = ROOT / "target" / "release" / "gen"
QUICK = "--quick" in sys.argv
NODES = 1000


def peer_apply(path, node_id, label):
    """The peer: read the whole draft, rename one node, write the whole file atomically and durably."""
    with open(path) as f:
        draft = json.load(f)
    for node in draft["nodes"]:
        if node["id"] == node_id:
            node["label"] = label
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(draft, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)


def big_draft():
    nodes = [{"id": f"n{i}", "label": f"Step {i}", "type": "action", "properties": {"k": i}} for i in range(NODES)]
    edges = [{"source": f"n{i - 1}", "target": f"n{i}"} for i in range(1, NODES)]
    edges += [{"source": f"n{i}", "target": f"n{i + 3}"} for i in range(0, NODES - 3, 7)]
    return {"title": "Big", "summary": "1000 steps", "nodes": nodes, "edges": edges}


def run(cmd, cwd, env=None):
    return subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          env=env, text=True).stdout


def timed_once(cmd, cwd, env=None):
    t0 = time.perf_counter()
    out = run(cmd, cwd, env)
    return time.perf_counter() - t0, out


def stats(samples):
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return statistics.median(s), p95, s[-1]


def fmt(t):
    return "{:.1f} ms".format(t * 1000)


def fmt_stats(st):
    med, p95, hi = st
    return f"{fmt(med)} (p95 {fmt(p95)}, max {fmt(hi)})"


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}; "
            f"{rustc}; Python {platform.python_version()}; load average at start {load:.1f}")


def synthetic_journal(path, batches):
    """An `open` record with the 1000-node draft, then `batches` renames with their exact messages."""
    draft = big_draft()
    labels = {n["id"]: n["label"] for n in draft["nodes"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        f.write(json.dumps({"record": "open", "draft": draft, "limit": 50}, ensure_ascii=False) + "\n")
        for j in range(1, batches + 1):
            node = f"n{(j * 37) % NODES}"
            new = f"L{j}"
            record = {"record": "batch", "revision": j,
                      "actions": [{"intent": "rename", "nodeId": node, "label": new}],
                      "message": f"Renamed {labels[node]} to {new}"}
            labels[node] = new
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "gen-cli"], cwd=ROOT, check=True)
    info = machine()
    ws = OUT / "ws-drafts"
    shutil.rmtree(ws, ignore_errors=True)
    ws.mkdir(parents=True)
    run([str(GEN), "init", "--project", "bench"], ws)
    (ws / ".ai-workspace" / "blueprints").mkdir(exist_ok=True)
    (ws / ".ai-workspace" / "blueprints" / "big.json").write_text(json.dumps({"draft": big_draft()}))
    rows = []

    # 1. Opening a 1000-node blueprint as a new draft (writes the `open` record durably).
    samples = []
    for i in range(3 if QUICK else 7):
        t, _ = timed_once([str(GEN), "draft", "open", "--name", f"open{i}", "--blueprint", "big"], ws)
        samples.append(t)
    rows.append(("`gen draft open --blueprint` (1000 steps, new draft)", fmt_stats(stats(samples)), "", ""))

    # 2. Apply latency, 300 edits in a row on the 1000-node draft (default compaction).
    run([str(GEN), "draft", "open", "--name", "big", "--blueprint", "big"], ws)
    edits = 100 if QUICK else 300
    inputs = OUT / "draft-inputs"
    shutil.rmtree(inputs, ignore_errors=True)
    inputs.mkdir()
    samples, compactions = [], 0
    for j in range(edits):
        f = inputs / f"e{j}.json"
        f.write_text(json.dumps({"intent": "rename", "nodeId": f"n{(j * 37) % NODES}", "label": f"E{j}"}))
        t, out = timed_once([str(GEN), "--json", "draft", "apply", "--name", "big", str(f)], ws)
        compactions += json.loads(out)["compacted"]
        samples.append(t)
    gen_apply = stats(samples)
    peer_file = OUT / "peer-draft.json"
    peer_file.write_text(json.dumps(big_draft()))
    peer_samples = []
    for j in range(edits):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--peer-apply", str(peer_file), f"n{(j * 37) % NODES}", f"E{j}"],
                       check=True)
        peer_samples.append(time.perf_counter() - t0)
    peer = stats(peer_samples)
    startup = stats([timed_once([sys.executable, "-c", "pass"], ws)[0] for _ in range(30)])
    rows.append((f"`gen draft apply` (rename) on 1000 steps, {edits} edits, {compactions} compactions",
                 fmt_stats(gen_apply), fmt_stats(peer) + " — rewrites the whole file, keeps no history",
                 f"{peer[0] / gen_apply[0]:.1f}×"))
    rows.append(("(peer's share that is interpreter start-up: `python3 -c pass`)", "", fmt_stats(startup), ""))
    small = OUT / "small.json"
    small.write_text(json.dumps({"intent": "rename", "nodeId": "a", "label": "B"}))
    run([str(GEN), "draft", "new", "--name", "small", "--title", "Small"], ws)
    subprocess.run([str(GEN), "draft", "apply", "--name", "small", "-"], cwd=ws, check=True,
                   input='{"intent":"add","node":{"id":"a","label":"A","type":"t"}}', text=True,
                   stdout=subprocess.DEVNULL)
    samples = []
    for j in range(50 if QUICK else 100):
        small.write_text(json.dumps({"intent": "rename", "nodeId": "a", "label": f"S{j}"}))
        t, _ = timed_once([str(GEN), "draft", "apply", "--name", "small", str(small)], ws)
        samples.append(t)
    rows.append(("`gen draft apply` (rename) on 1 step (process + fsync floor)", fmt_stats(stats(samples)), "", ""))

    # 3. Replay time of long journals (written directly; `show` replays without compacting).
    drafts_dir = ws / ".ai-workspace" / "workbench" / "drafts"
    sizes = [0, 256, 1000] if QUICK else [0, 256, 1000, 5000]
    for k in sizes:
        name = f"journal{k}"
        synthetic_journal(drafts_dir / name / "journal.jsonl", k)
        size = (drafts_dir / name / "journal.jsonl").stat().st_size / 1e6
        samples = [timed_once([str(GEN), "draft", "show", "--name", name, "--json"], ws)[0]
                   for _ in range(3 if k >= 5000 else 5)]
        label = "compaction point" if k == 256 else ("only with compaction off" if k > 256 else "just opened")
        rows.append((f"open/replay: `open` + {k} records ({size:.1f} MB, {label})", fmt_stats(stats(samples)), "", ""))

    # 4. A compacted journal: one snapshot record with a full undo stack (50 entries).
    env = dict(os.environ, GEN_DRAFT_COMPACT_AFTER="1")
    f = inputs / "compact.json"
    f.write_text(json.dumps({"intent": "rename", "nodeId": "n1", "label": "Compacted"}))
    out = json.loads(run([str(GEN), "--json", "draft", "apply", "--name", "big", str(f)], ws, env))
    assert out["compacted"] and out["undo"] == 50, out
    journal = drafts_dir / "big" / "journal.jsonl"
    size = journal.stat().st_size / 1e6
    lines = journal.read_text().count("\n")
    samples = [timed_once([str(GEN), "draft", "show", "--name", "big", "--json"], ws)[0] for _ in range(5)]
    rows.append((f"open/replay: compacted ({lines} snapshot record, 50 undo entries, {size:.2f} MB)",
                 fmt_stats(stats(samples)), "", ""))

    text = [f"Machine: {info}", "",
            "| measurement | gen | peer | peer / gen (median) |", "|---|---|---|---|"]
    text += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    report = "\n".join(text) + "\n"
    (OUT / "drafts.md").write_text(report)
    print(report)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--peer-apply":
        peer_apply(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
