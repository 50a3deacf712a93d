#!/usr/bin/env python3
"""Reproducible benchmarks for gen, each measured next to its peer in the same run.

usage: python3 bench/run.py [--quick]      (writes bench/out/results.md; see BENCHMARKS.md)

Measures wall time of whole processes (what a user waits for), reports median / min / max of N runs,
and peak RSS from /usr/bin/time. Inputs: the shared corpus workspace when present, and synthetic logs
from bench/gen_events.py (seeded, so every machine builds the same files).
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
CORPUS = ROOT.parent / "shared" / "corpus" / "genesis-method"
QUICK = "--quick" in sys.argv


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd, cwd=None, runs=5, setup=None):
    """Median, min, max wall seconds of `cmd` over `runs` runs (stdout discarded)."""
    samples = []
    for _ in range(runs):
        if setup:
            setup()
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), min(samples), max(samples)


def peak_rss_mb(cmd, cwd=None):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(r.stderr.strip().splitlines()[-1]) / 1024


def workspace(name, lines):
    ws = OUT / name
    events = ws / ".ai-workspace" / "events" / "events.jsonl"
    size_file = ws / "generated-size"
    if not events.exists() or not size_file.exists():
        events.parent.mkdir(parents=True, exist_ok=True)
        with open(events, "w") as f:
            sh([sys.executable, str(ROOT / "bench" / "gen_events.py"), "--lines", str(lines), "--seed", "1"], stdout=f)
        size_file.write_text(str(events.stat().st_size))
    # Drop what earlier runs appended, so every run measures the same generated log.
    os.truncate(events, int(size_file.read_text()))
    shutil.rmtree(ws / ".ai-workspace" / ".gen", ignore_errors=True)
    return ws


def fmt(t):
    med, lo, hi = t
    unit = (lambda x: f"{x * 1000:.1f} ms") if med < 1 else (lambda x: f"{x:.2f} s")
    return f"{unit(med)} ({unit(lo)}–{unit(hi)})"


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
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}; {rustc}; Python {platform.python_version()}"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    sh(["cargo", "build", "--release", "-q", "-p", "gen-cli"], cwd=ROOT)
    rows = []
    peer = [sys.executable, str(ROOT / "bench" / "peer_reference.py")]

    def status_rows(label, ws, runs, peer_runs):
        log = ws / ".ai-workspace" / "events" / "events.jsonl"
        cold = timed([str(GEN), "status", "--no-cache"], cwd=ws, runs=runs)
        subprocess.run([str(GEN), "status"], cwd=ws, check=True, stdout=subprocess.DEVNULL)  # fill the cache
        warm = timed([str(GEN), "status"], cwd=ws, runs=runs)
        ref = timed(peer + [str(log)], runs=peer_runs)
        rows.append((f"`gen status` cold — {label}", fmt(cold), fmt(ref), f"{ref[0] / cold[0]:.1f}× faster"))
        rows.append((f"`gen status` warm (cache, nothing new) — {label}", fmt(warm), fmt(ref), f"{ref[0] / warm[0]:.0f}× faster"))

    if CORPUS.is_dir():
        ws = OUT / "corpus"
        shutil.rmtree(ws, ignore_errors=True)
        shutil.copytree(CORPUS, ws, symlinks=True)
        status_rows("corpus workspace (2,306 lines, 3.6 MB)", ws, 20, 10)

    ws100k = workspace("ws-100k", 100_000)
    status_rows("100k synthetic events (99 MB)", ws100k, 5, 3)

    if not QUICK:
        ws1m = workspace("ws-1m", 1_000_000)
        log = ws1m / ".ai-workspace" / "events" / "events.jsonl"
        size = log.stat().st_size / 1e6
        cold = timed([str(GEN), "status", "--no-cache"], cwd=ws1m, runs=3)
        rss = peak_rss_mb([str(GEN), "status", "--no-cache"], cwd=ws1m)
        ref = timed(peer + [str(log)], runs=1)
        ref_rss = peak_rss_mb(peer + [str(log)])
        rows.append((f"`gen status` cold — 1M synthetic events ({size:.0f} MB)", fmt(cold), fmt(ref), f"{ref[0] / cold[0]:.1f}× faster"))
        rows.append(("peak memory, cold status on 1M events", f"{rss:.0f} MB", f"{ref_rss:.0f} MB", f"{ref_rss / rss:.1f}× less"))
        # Warm after 1k appends: build the cache, append 1000 events with gen itself, time the next status.
        subprocess.run([str(GEN), "status"], cwd=ws1m, check=True, stdout=subprocess.DEVNULL)
        samples = []
        for _ in range(3):
            for i in range(1000):
                subprocess.run([str(GEN), "event", "emit", "iteration_completed", "--feature", "REQ-F-B00001-001",
                                "--edge", "design→code", "--data", '{"iteration": %d, "delta": 1}' % i],
                               cwd=ws1m, check=True, stdout=subprocess.DEVNULL)
            t0 = time.perf_counter()
            subprocess.run([str(GEN), "status"], cwd=ws1m, check=True, stdout=subprocess.DEVNULL)
            samples.append(time.perf_counter() - t0)
        warm = (statistics.median(samples), min(samples), max(samples))
        rows.append(("`gen status` warm after 1k appends — 1M events", fmt(warm), fmt(ref), f"{ref[0] / warm[0]:.0f}× faster"))

    # Emit latency: one process per event, as hooks and scripts call it.
    ews = OUT / "ws-emit"
    shutil.rmtree(ews, ignore_errors=True)
    sh([str(GEN), "--workspace", str(ews), "init", "--project", "bench"], stdout=subprocess.DEVNULL)
    n = 50 if QUICK else 200
    emit = timed([str(GEN), "event", "emit", "iteration_completed", "--feature", "REQ-F-E-001", "--edge",
                  "design→code", "--data", '{"iteration":1,"delta":1}'], cwd=ews, runs=n)
    pe = timed([sys.executable, str(ROOT / "bench" / "peer_emit.py"),
                str(ews / ".ai-workspace" / "events" / "events.jsonl"), "iteration_completed", "REQ-F-E-001",
                "design→code"], runs=n)
    rows.append(("`gen event emit` (fsync before exit) per call", fmt(emit), fmt(pe) + " (no fsync)", f"{pe[0] / emit[0]:.1f}× faster"))

    text = ["| measurement | gen | peer (Python reference algorithm) | ratio |", "|---|---|---|---|"]
    text += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    report = f"Machine: {machine()}\n\nmedian (min–max)\n\n" + "\n".join(text) + "\n"
    (OUT / "results.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
