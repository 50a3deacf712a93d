#!/usr/bin/env python3
"""Sync benchmarks against a local DynamoDB (moto), gen and its peer on the same server in the same run.

usage: python3 bench/sync.py [--events N] [--big M] [--runs R]     (results: bench/out/sync.md)

  --events N  size of the main project (default 100000)
  --big M     also measure incremental pull out of an M-event project (e.g. 1000000; slow to set up)
  --runs R    rounds per measurement (default 3)

Measured (wall time of whole processes, median with min–max):
  * push of N events: `gen sync push` vs bench/peer_batch_writer.py (boto3 batch_writer), each into a
    fresh table, plus the requests each sent (counted from the server's access log);
  * a no-op push and a no-op pull right after;
  * the first pull of all N into an empty workspace;
  * incremental pull of 1,000 new events into a workspace that already pulled N (and M): a teammate
    appends 1,000 events and pushes, then the timed pull.
Needs target/release/gen (`cargo build --release -p gen-cli`); starts its own moto server.
"""
import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GEN = pathlib.Path(os.environ.get("GEN_BIN", ROOT / "target" / "release" / "gen"))
CLOUD_DIR = OUT / "cloud"


def run(cmd, cwd=None, env=None, quiet=True):
    return subprocess.run(cmd, cwd=cwd, env=env, check=True,
                          stdout=subprocess.DEVNULL if quiet else None,
                          stderr=subprocess.PIPE, text=True)


def cloud():
    env = dict(os.environ, CARGO_TARGET_DIR=str(CLOUD_DIR))
    out = subprocess.run([str(ROOT / "scripts" / "local-cloud"), "start"], env=env, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return out.split("=", 1)[1]


def stop_cloud():
    env = dict(os.environ, CARGO_TARGET_DIR=str(CLOUD_DIR))
    subprocess.run([str(ROOT / "scripts" / "local-cloud"), "stop"], env=env, check=False)


def requests_so_far():
    log = CLOUD_DIR / "local-cloud" / "moto.log"
    with open(log, "rb") as f:
        return sum(1 for line in f if b'"POST ' in line)


def stats(samples):
    return statistics.median(samples), min(samples), max(samples)


def fmt(s):
    med, lo, hi = s
    unit = lambda x: f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"
    return f"{unit(med)} ({unit(lo)}–{unit(hi)})"


def workspace(path, lines=0, seed=1):
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    run([str(GEN), "init"], cwd=path)
    log = path / ".ai-workspace" / "events" / "events.jsonl"
    if lines:
        with open(log, "ab") as f:
            subprocess.run([sys.executable, str(ROOT / "bench" / "gen_events.py"), "--lines", str(lines),
                            "--seed", str(seed)], stdout=f, check=True)
    return path


def append_new(path, n, tag):
    """n events as gen writes them (own event_id), stamped now."""
    log = path / ".ai-workspace" / "events" / "events.jsonl"
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    with open(log, "a") as f:
        for i in range(n):
            f.write('{"event_type":"iteration_completed","timestamp":"%s.%06dZ","event_id":"%s-%d",'
                    '"project":"bench","feature":"REQ-F-BENCH-%03d","edge":"design→code","delta":%d}\n'
                    % (now, i, tag, i, i % 50, i % 3))


def sync_init(path, project, endpoint, provision):
    cmd = [str(GEN), "sync", "init", "--backend", "aws", "--project-id", project,
           "--endpoint-url", endpoint, "--region", "us-east-1"]
    if provision:
        cmd.append("--provision")
    run(cmd, cwd=path)


def timed(cmd, cwd, setup=None, runs=3):
    samples = []
    for _ in range(runs):
        if setup:
            setup()
        t0 = time.perf_counter()
        run(cmd, cwd=cwd)
        samples.append(time.perf_counter() - t0)
    return stats(samples)


def peer_table(name):
    import boto3
    ddb = boto3.client("dynamodb")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "project_id", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "project_id", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}])


def incremental(reader, writer, runs, tag):
    """Times the reader's pull of 1,000 events the writer just pushed."""
    samples = []
    for r in range(runs):
        append_new(writer, 1000, f"{tag}-{r}-{uuid.uuid4().hex[:6]}")
        run([str(GEN), "sync", "push"], cwd=writer)
        t0 = time.perf_counter()
        run([str(GEN), "sync", "pull"], cwd=reader)
        samples.append(time.perf_counter() - t0)
    return stats(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-push", action="store_true", help="measure pulls only (no peer, one push)")
    args = ap.parse_args()
    if not GEN.exists():
        sys.exit(f"{GEN} is missing: cargo build --release -p gen-cli")
    OUT.mkdir(parents=True, exist_ok=True)
    endpoint = cloud()
    os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1")
    n = args.events
    work = OUT / "sync"

    class Rows(list):
        def append(self, row):
            print("| " + " | ".join(row) + " |", flush=True)
            super().append(row)

    rows = Rows()
    try:
        source = workspace(work / "source", n)
        log = source / ".ai-workspace" / "events" / "events.jsonl"

        a = work / "a"
        if args.skip_push:
            project = f"bench-{uuid.uuid4().hex[:8]}"
            if a.exists():
                shutil.rmtree(a)
            shutil.copytree(source, a)
            sync_init(a, project, endpoint, provision=True)
            t0 = time.perf_counter()
            run([str(GEN), "sync", "push"], cwd=a)
            rows.append((f"push {n:,} events (once, no peer)", fmt((time.perf_counter() - t0,) * 3), "—", "—", "—", ""))
        else:
            # Push of n events: gen and the peer alternate, each into a fresh table.
            gen_s, peer_s, gen_req, peer_req = [], [], [], []
            for r in range(args.runs):
                project = f"bench-{uuid.uuid4().hex[:8]}"
                a = work / "a"
                if a.exists():
                    shutil.rmtree(a)
                shutil.copytree(source, a)
                sync_init(a, project, endpoint, provision=True)
                before = requests_so_far()
                t0 = time.perf_counter()
                run([str(GEN), "sync", "push"], cwd=a)
                gen_s.append(time.perf_counter() - t0)
                gen_req.append(requests_so_far() - before)
                table = f"peer-{uuid.uuid4().hex[:8]}"
                peer_table(table)
                before = requests_so_far()
                t0 = time.perf_counter()
                run([sys.executable, str(ROOT / "bench" / "peer_batch_writer.py"), str(log), table, "bench"])
                peer_s.append(time.perf_counter() - t0)
                peer_req.append(requests_so_far() - before)
                print(f"push round {r + 1}: gen {gen_s[-1]:.2f} s ({gen_req[-1]} requests), "
                      f"peer {peer_s[-1]:.2f} s ({peer_req[-1]} requests)", flush=True)
            g, p = stats(gen_s), stats(peer_s)
            rows.append((f"push {n:,} events", fmt(g), fmt(p), f"{g[0] / p[0]:.2f}× the peer's time",
                         "≤ 1.2×", f"gen {statistics.median(gen_req):.0f} requests, peer {statistics.median(peer_req):.0f}"))

        # No-op push and pull in the workspace that just pushed everything (project of the last round).
        rows.append(("no-op push", fmt(timed([str(GEN), "sync", "push"], a, runs=5)), "—", "—", "≤ 0.2 s", ""))
        rows.append(("no-op pull", fmt(timed([str(GEN), "sync", "pull"], a, runs=5)), "—", "—", "≤ 0.2 s", ""))

        # A teammate's first pull of everything, then incremental pulls of 1,000.
        b = workspace(work / "b")
        sync_init(b, project, endpoint, provision=False)
        t0 = time.perf_counter()
        run([str(GEN), "sync", "pull"], cwd=b)
        rows.append((f"first pull of {n:,} events into an empty workspace", fmt((time.perf_counter() - t0,) * 3),
                     "—", "—", "—", ""))
        rows.append((f"pull 1,000 new out of {n:,} already pulled", fmt(incremental(b, a, args.runs, "inc")),
                     "—", "—", "flat in table size", ""))

        if args.big:
            big_a = workspace(work / "big-a", args.big, seed=7)
            project = f"big-{uuid.uuid4().hex[:8]}"
            sync_init(big_a, project, endpoint, provision=True)
            t0 = time.perf_counter()
            run([str(GEN), "sync", "push"], cwd=big_a)
            rows.append((f"push {args.big:,} events", fmt((time.perf_counter() - t0,) * 3), "—", "—", "—", ""))
            big_b = workspace(work / "big-b")
            sync_init(big_b, project, endpoint, provision=False)
            t0 = time.perf_counter()
            run([str(GEN), "sync", "pull"], cwd=big_b)
            rows.append((f"first pull of {args.big:,} events", fmt((time.perf_counter() - t0,) * 3), "—", "—", "—", ""))
            rows.append((f"pull 1,000 new out of {args.big:,} already pulled",
                         fmt(incremental(big_b, big_a, args.runs, "big")), "—", "—", "flat in table size", ""))
            rows.append(("no-op push (big)", fmt(timed([str(GEN), "sync", "push"], big_a, runs=5)), "—", "—", "≤ 0.2 s", ""))
            rows.append(("no-op pull (big)", fmt(timed([str(GEN), "sync", "pull"], big_b, runs=5)), "—", "—", "≤ 0.2 s", ""))
    finally:
        stop_cloud()
    text = ["| measurement | gen | peer | ratio | goal | notes |", "|---|---|---|---|---|---|"]
    text += ["| " + " | ".join(r) + " |" for r in rows]
    out = "\n".join(text) + "\n"
    (OUT / "sync.md").write_text(out)
    print(out)


if __name__ == "__main__":
    main()
