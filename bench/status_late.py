#!/usr/bin/env python3
"""`gen status` right after a pull that appended late events, against a full read of the same log.

usage: python3 bench/status_late.py [--lines N] [--late 1000] [--days 180] [--rounds 5] [--seed 1]

What it does (stdlib only, deterministic for a seed):

1. Builds a release `gen` (`cargo build --release -p gen-cli`), unless GEN_BIN names one.
2. Writes a workspace with N events from bench/gen_events.py, whose step between events is stretched so
   the log spans --days days (gen_events.py alone spans ~29 days per million events: at 100k events
   "days late" would be a third of the log, not the small suffix it is in a long-lived project).
3. Runs `gen status` once to build the cache, and keeps a copy of the cache.
4. Each round: cuts the log back to its generated size, puts the cache copy back, appends --late events
   (one append, as `gen sync pull` does) whose timestamps are 2–3 days older than the newest event,
   and times the next `gen status`. The peer, `gen status --no-cache` (the full read), is timed on the
   same log. The two answers (`--json`) are compared once.

Prints a markdown table: median (min–max) of --rounds rounds, and the cache's size on disk.
"""
import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MEAN_STEP_S = (50 + 5000) / 2 / 1000  # gen_events.py: 50–5000 ms between events


def gen_events_module(stretch, late_arrivals=True):
    """bench/gen_events.py, with the step between events multiplied by `stretch` (and, for the late
    batch, without its own 1% of out-of-order lines, so every late line is 2–3 days old)."""
    spec = importlib.util.spec_from_file_location("gen_events", ROOT / "bench" / "gen_events.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    class Dt:
        datetime = dt.datetime

        @staticmethod
        def timedelta(**kw):
            if "milliseconds" in kw:
                kw = {"milliseconds": kw["milliseconds"] * stretch}
            elif not late_arrivals:
                kw = {}
            return dt.timedelta(**kw)

    mod.dt = Dt
    return mod


def write_events(path, lines, seed, stretch, start, late_arrivals=True, mode="w"):
    mod = gen_events_module(stretch, late_arrivals)
    argv = ["gen_events.py", "--lines", str(lines), "--seed", str(seed), "--start", start]
    with open(path, mode) as f, contextlib.redirect_stdout(f):
        old, sys.argv = sys.argv, argv
        try:
            mod.main()
        finally:
            sys.argv = old


TS = re.compile(r'"(?:timestamp|eventTime)":\s*"([^"]+)"')


def newest_time(path):
    """The newest timestamp among the last lines of the log (they are written in time order)."""
    with open(path, "rb") as f:
        f.seek(max(0, os.path.getsize(path) - (4 << 20)))
        tail = f.read().decode("utf-8", "replace")
    stamps = [dt.datetime.fromisoformat(m.replace("Z", "+00:00")) for m in TS.findall(tail)]
    return max(s.astimezone(dt.timezone.utc).replace(tzinfo=None) for s in stamps)


def gen_binary():
    if os.environ.get("GEN_BIN"):
        return pathlib.Path(os.environ["GEN_BIN"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    subprocess.run(["nice", "-n", "10", "cargo", "build", "--release", "-p", "gen-cli"], cwd=ROOT, check=True)
    return target / "release" / "gen"


def run(gen, ws, *args):
    return subprocess.run([str(gen), *args], cwd=ws, check=True, capture_output=True, text=True).stdout


def timed(gen, ws, args, setup):
    setup()
    t0 = time.perf_counter()
    subprocess.run([str(gen), *args], cwd=ws, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def fmt(samples):
    med, lo, hi = statistics.median(samples), min(samples), max(samples)
    unit = (lambda x: f"{x * 1000:.0f} ms") if med < 1 else (lambda x: f"{x:.2f} s")
    return f"{unit(med)} ({unit(lo)}–{unit(hi)})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--late", type=int, default=1000)
    ap.add_argument("--days", type=float, default=180)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    gen = gen_binary()

    ws = OUT / f"status-late-{a.lines}-{a.days:g}d-{a.seed}"
    events = ws / ".ai-workspace" / "events" / "events.jsonl"
    size_file = ws / "generated-size"
    stretch = a.days * 86400 / (a.lines * MEAN_STEP_S)
    if not events.exists() or not size_file.exists():
        events.parent.mkdir(parents=True, exist_ok=True)
        print(f"writing {a.lines} events over ~{a.days:g} days ...", file=sys.stderr)
        write_events(events, a.lines, a.seed, stretch, "2026-02-19T08:00:00")
        size_file.write_text(str(events.stat().st_size))
    base = int(size_file.read_text())
    os.truncate(events, base)
    newest = newest_time(events)

    # The late batch: a teammate's day of work, written offline, from three days before the newest
    # event to two days before it.
    late = ws / "late.jsonl"
    write_events(late, a.late, a.seed + 1, 0.9 * 86400 / (a.late * MEAN_STEP_S),
                 (newest - dt.timedelta(days=3)).isoformat(), late_arrivals=False)
    late_bytes = late.read_bytes()
    late_times = [dt.datetime.fromisoformat(m.replace("Z", "+00:00")).replace(tzinfo=None)
                  for m in TS.findall(late_bytes.decode())]
    assert len(late_times) >= a.late
    assert newest - dt.timedelta(days=3) <= min(late_times) and max(late_times) <= newest - dt.timedelta(days=2), \
        (newest, min(late_times), max(late_times))

    gen_dir = ws / ".ai-workspace" / ".gen"
    shutil.rmtree(gen_dir, ignore_errors=True)
    run(gen, ws, "status")  # the full read that fills the cache
    saved = ws / "cache-after-full-read"
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(gen_dir, saved)
    cache_files = {p.name: p.stat().st_size for p in saved.rglob("*") if p.is_file()}

    def after_pull():
        os.truncate(events, base)
        shutil.rmtree(gen_dir, ignore_errors=True)
        shutil.copytree(saved, gen_dir)
        with open(events, "ab") as f:
            f.write(late_bytes)

    def same_log():
        pass

    cached = [timed(gen, ws, ["status"], after_pull) for _ in range(a.rounds)]
    full = [timed(gen, ws, ["status", "--no-cache"], same_log) for _ in range(a.rounds)]
    # The cached answer is the full read's.
    after_pull()
    answer = json.loads(run(gen, ws, "status", "--json"))
    reference = json.loads(run(gen, ws, "status", "--no-cache", "--json"))
    assert answer == reference, "the cached status differs from the full read"

    size_mb = base / 2**20
    print(f"\n`gen status` after a pull appended {a.late:,} events 2–3 days older than the newest, "
          f"to {a.lines:,} events ({size_mb:.0f} MB, {newest - dt.datetime(2026, 2, 19, 8):} of events); "
          f"median (min–max) of {a.rounds} rounds\n")
    print("| case | gen status (cache) | gen status --no-cache (full read) | |")
    print("|---|---|---|---|")
    print(f"| {a.late:,} late events appended | {fmt(cached)} | {fmt(full)} | "
          f"{statistics.median(full) / statistics.median(cached):.0f}× faster |")
    total = sum(cache_files.values())
    # One file per snapshot (`cp-…`) and per segment of recent records (`rec-…`): sizes by kind.
    kinds = {}
    for name, size in cache_files.items():
        kind = name.split("-")[0] + "-*" if name.startswith(("cp-", "rec-")) else name
        count, sum_ = kinds.get(kind, (0, 0))
        kinds[kind] = (count + 1, sum_ + size)
    print(f"\ncache on disk after the full read: {total / 2**20:.1f} MiB "
          f"({', '.join(f'{k} ' + (f'{n} files ' if n > 1 else '') + f'{v / 2**20:.1f} MiB' for k, (n, v) in sorted(kinds.items()))})")
    print(f"gen: {gen}")


if __name__ == "__main__":
    main()
