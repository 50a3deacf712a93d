#!/usr/bin/env python3
"""Object-sync benchmarks against a local S3 (moto): gen and its peers on the same server in the same run.

usage: python3 bench/objects.py [--files N] [--runs R] [--skip-gen] [--skip-push | --skip-pull] [--keep]
       (results: bench/out/objects.md; ~8 min for the peers alone at the defaults on 2 cores)

  --files N    objects per measurement (default 10000)
  --runs R     rounds per measurement (default 3)
  --skip-gen   measure the peers only (no gen binary needed)
  --skip-push, --skip-pull   leave out the config pushes or the artifact pulls
  --keep       keep the workspaces under bench/out/objects/ (default: removed at the end)

Measured (wall time of whole processes, median with min–max; requests counted from moto's access log):
  1. config push of N small YAML files (~200–400 bytes, graph/edge_params/), each tool into a fresh
     bucket per round: `gen sync push --only configs` vs `aws s3 sync` vs `rclone sync`;
  2. a no-op push right after each push (nothing changed);
  3. artifact pull of N objects (1–4 KB, a few folders; uploaded once) into an empty directory:
     `gen sync pull --only artifacts` vs `aws s3 sync` vs `rclone sync`, then a no-op re-pull.

The peers sync `.ai-workspace/graph/` (the N edge-param files, plus gen init's own few when gen ran) to
s3://BUCKET/config/, and the whole artifacts bucket into a fresh folder. rclone is configured by
environment variables only (remote `moto:`), with RCLONE_FLAGS below. Peers: bench/install-peers.sh.

gen (target/release/gen of this checkout, or GEN_BIN): each round `gen init`, the same N files, then
`gen sync init --backend aws --project-id P --endpoint-url URL --region us-east-1 --provision`
(buckets aisdlc-P-config and aisdlc-P-artifacts). For the pull, P is chosen so that the default
s3_artifacts_bucket is the bucket holding the artifacts (aisdlc-objbench-XXXXXX-artifacts); the script
checks that line in .ai-workspace/bedrock/sync_config.yml and rewrites it if it differs. Starts its own
moto server (scripts/local-cloud, CARGO_TARGET_DIR=bench/out/cloud) and stops it at the end.
"""
import argparse
import concurrent.futures
import os
import pathlib
import random
import resource
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
WORK = OUT / "objects"
GEN = pathlib.Path(os.environ.get("GEN_BIN", ROOT / "target" / "release" / "gen"))
CLOUD_DIR = OUT / "cloud"
MOTO_LOG = CLOUD_DIR / "local-cloud" / "moto.log"

# rclone: 8 parallel transfers and checkers; --fast-list lists a bucket in one paged walk;
# --checksum compares MD5 with the listing's ETag instead of a HEAD per object for the modtime
# (rclone's default check sends one HEAD per object on every re-sync); --s3-no-head skips the HEAD
# rclone otherwise sends after each upload to read the object back.
RCLONE_FLAGS = ["--transfers", "8", "--checkers", "8", "--fast-list", "--checksum", "--s3-no-head"]
# aws s3 sync: the CLI's defaults (10 concurrent requests, size + mtime comparison).
AWS_FLAGS = []

REQUEST = re.compile(rb'"(GET|PUT|POST|HEAD|DELETE) (\S+)')


class BenchError(Exception):
    pass


def run(cmd, cwd=None, env=None):
    """Runs cmd; a failure raises with its stderr (and stdout) so the reason is on screen."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    except FileNotFoundError as e:
        raise BenchError(f"cannot run {cmd[0]}: {e}") from None
    if p.returncode != 0:
        tail = "\n".join((p.stderr or p.stdout or "").strip().splitlines()[-15:])
        raise BenchError(f"`{' '.join(map(str, cmd))}` (in {cwd or os.getcwd()}) exited {p.returncode}:\n{tail}")
    return p.stdout


# ---------------------------------------------------------------- the server and its log

def cloud():
    env = dict(os.environ, CARGO_TARGET_DIR=str(CLOUD_DIR))
    out = run([str(ROOT / "scripts" / "local-cloud"), "start"], env=env).strip().splitlines()[-1]
    return out.split("=", 1)[1]


def stop_cloud():
    env = dict(os.environ, CARGO_TARGET_DIR=str(CLOUD_DIR))
    subprocess.run([str(ROOT / "scripts" / "local-cloud"), "stop"], env=env, check=False)


def log_size():
    """The access log's size once it stopped growing (moto logs a request after answering it)."""
    size = MOTO_LOG.stat().st_size
    while True:
        time.sleep(0.15)
        now = MOTO_LOG.stat().st_size
        if now == size:
            return size
        size = now


def requests_between(start, end):
    """{method: count} of the S3 requests logged between two log offsets (moto's own API left out)."""
    counts = {}
    with open(MOTO_LOG, "rb") as f:
        f.seek(start)
        for line in f.read(end - start).splitlines():
            m = REQUEST.search(line)
            if m and not m.group(2).startswith(b"/moto-api"):
                method = m.group(1).decode()
                counts[method] = counts.get(method, 0) + 1
    return counts


def requests_total(counts):
    return sum(v for k, v in counts.items() if not k.startswith("_"))


def timed(cmd, cwd=None, env=None):
    """(seconds, {method: requests, "_cpu": client CPU seconds}) of one run of cmd."""
    before = log_size()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    run(cmd, cwd=cwd, env=env)
    seconds = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    counts = requests_between(before, log_size())
    counts["_cpu"] = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return seconds, counts


# ---------------------------------------------------------------- inputs

def edge_param_files(folder, n, seed=11):
    """n edge-parameter YAML files of ~250–500 bytes, each with its own content, all of them valid
    (`gen sync push` sends only configs `gen validate` accepts): agent and human checks, and
    deterministic ones with a command."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    words = ["builds", "tests", "lint", "docs", "trace", "review", "schema", "coverage", "perf", "security"]
    for i in range(n):
        checks = ""
        for k in range(rnd.randint(1, 3)):
            kind = rnd.choice(["agent", "deterministic", "human"])
            checks += f"  - name: {rnd.choice(words)}_{i:05d}_{k}\n    type: {kind}\n"
            if kind == "deterministic":
                checks += f"    command: \"make check-{i}-{k}\"\n"
            checks += (f"    criterion: \"Check {k} of edge {i} holds ({rnd.randrange(10**6):06d}).\"\n"
                       f"    required: {rnd.choice(['true', 'false'])}\n")
        text = (f"# Bench edge parameters {i:05d}\n"
                f"edge: \"bench_{i:05d}→code\"\n"
                f"description: \"Synthetic edge {i} for bench/objects.py.\"\n"
                f"checklist:\n{checks}"
                f"convergence:\n  rule: all_required_checks_pass\n")
        (folder / f"bench_{i:05d}.yml").write_text(text)


def artifact_bodies(n, seed=23):
    """(key, bytes) of n artifacts of 1–4 KB in a few folders."""
    rnd = random.Random(seed)
    folders = ["reports", "reports/coverage", "docs/design", "docs/adr", "builds/logs", "evidence"]
    for i in range(n):
        folder = folders[i % len(folders)]
        size = rnd.randint(1024, 4096)
        line = f"artifact {i:06d} {folder} ".encode()
        body = (line * (size // len(line) + 1))[:size - 8] + rnd.randbytes(4).hex().encode()
        yield f"{folder}/artifact-{i:06d}.txt", body


def count_files(path):
    return sum(len(files) for _, _, files in os.walk(path)) if path.exists() else 0


def fresh(path):
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


# ---------------------------------------------------------------- S3 helpers (boto3)

def s3():
    import boto3
    return boto3.client("s3")


def make_bucket(name):
    s3().create_bucket(Bucket=name)
    return name


def object_count(bucket):
    n = 0
    for page in s3().get_paginator("list_objects_v2").paginate(Bucket=bucket):
        n += page.get("KeyCount", 0)
    return n


def upload_artifacts(bucket, n):
    client = s3()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda kv: client.put_object(Bucket=bucket, Key=kv[0], Body=kv[1]),
                      artifact_bodies(n)))


# ---------------------------------------------------------------- the tools

def rclone_env(endpoint):
    env = dict(os.environ, RCLONE_CONFIG="/dev/null", RCLONE_CONFIG_MOTO_TYPE="s3",
               RCLONE_CONFIG_MOTO_PROVIDER="Other", RCLONE_CONFIG_MOTO_ENDPOINT=endpoint,
               RCLONE_CONFIG_MOTO_ACCESS_KEY_ID="test", RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY="test",
               RCLONE_CONFIG_MOTO_REGION="us-east-1")
    # rclone cannot load a custom CA bundle into its transport and refuses to start with one set;
    # the endpoint is plain http anyway.
    env.pop("AWS_CA_BUNDLE", None)
    return env


def gen_workspace(path, project, endpoint, files):
    fresh(path)
    run([str(GEN), "init"], cwd=path)
    if files:
        edge_param_files(path / ".ai-workspace" / "graph" / "edge_params", files)
    run([str(GEN), "sync", "init", "--backend", "aws", "--project-id", project, "--endpoint-url", endpoint,
         "--region", "us-east-1", "--provision"], cwd=path)
    return path


def point_artifacts_at(ws, bucket):
    """Makes s3_artifacts_bucket in the workspace's sync config name `bucket`."""
    config = ws / ".ai-workspace" / "bedrock" / "sync_config.yml"
    text = config.read_text()
    line = re.compile(r'^(\s*s3_artifacts_bucket:\s*).*$', re.M)
    if not line.search(text):
        raise BenchError(f"{config} has no s3_artifacts_bucket line:\n{text}")
    config.write_text(line.sub(lambda m: f'{m.group(1)}"{bucket}"', text, count=1))


def check_gen():
    if not GEN.exists():
        raise BenchError(f"{GEN} is missing: cargo build --release -p gen-cli (or set GEN_BIN), or run with --skip-gen")
    for direction, what in (("push", "configs"), ("pull", "artifacts")):
        help_text = run([str(GEN), "sync", direction, "--help"])
        if what not in help_text:
            raise BenchError(f"{GEN} has no `gen sync {direction} --only {what}` yet (see `gen sync {direction} "
                             f"--help`): build a gen that has it, or run with --skip-gen")


# ---------------------------------------------------------------- reporting

def stats(samples):
    return statistics.median(samples), min(samples), max(samples)


def unit(x):
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def fmt(samples):
    med, lo, hi = stats(samples)
    return f"{unit(med)} ({unit(lo)}–{unit(hi)})"


def fmt_requests(samples):
    """Median total, with the split by method of the run nearest that median."""
    totals = [requests_total(c) for c in samples]
    med = statistics.median(totals)
    near = min(samples, key=lambda c: abs(requests_total(c) - med))
    methods = [m for m in near if not m.startswith("_")]
    split = ", ".join(f"{m} {near[m]:,}" for m in sorted(methods, key=lambda m: -near[m]))
    return f"{med:,.0f} ({split})" if split else f"{med:,.0f}"


class Results:
    def __init__(self):
        self.rows = []

    def add(self, measurement, tool, secs, reqs, note="", goal="—", versus=None):
        ratio = "—"
        if versus and tool == "gen":
            ratio = ", ".join(f"{statistics.median(secs) / statistics.median(v):.2f}× {name}"
                              for name, v in versus.items() if v)
        cpu = fmt([q.get("_cpu", 0.0) for q in reqs])
        row = (measurement, tool, fmt(secs), ratio, goal if tool == "gen" else "—", fmt_requests(reqs), cpu, note)
        self.rows.append(row)
        print("| " + " | ".join(row) + " |", flush=True)

    def markdown(self, header):
        text = [header, "", "| measurement | tool | wall time | gen / peer | goal | requests | client CPU | notes |",
                "|---|---|---|---|---|---|---|---|"]
        text += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(text) + "\n"


# ---------------------------------------------------------------- the measurements

def bench_push(args, endpoint, results):
    n, tag = args.files, uuid.uuid4().hex[:6]
    # The peers' source: the same tree gen pushes (gen init's files too when gen runs).
    source = fresh(WORK / "push-source")
    if not args.skip_gen:
        run([str(GEN), "init"], cwd=source)
    edge_param_files(source / ".ai-workspace" / "graph" / "edge_params", n)
    peer_dir = source / ".ai-workspace" / "graph"
    tools = ["aws", "rclone"] if args.skip_gen else ["gen", "aws", "rclone"]
    secs = {(t, k): [] for t in tools for k in ("push", "noop")}
    reqs = {(t, k): [] for t in tools for k in ("push", "noop")}
    stored = {t: [] for t in tools}
    renv = rclone_env(endpoint)
    for r in range(args.runs):
        for tool in tools:
            if tool == "gen":
                project = f"objbench-push-{tag}-{r}"
                ws = gen_workspace(WORK / "gen-push", project, endpoint, n)
                bucket = f"aisdlc-{project}-config"
                cmd, cwd, env = [str(GEN), "sync", "push", "--only", "configs"], ws, None
            elif tool == "aws":
                bucket = make_bucket(f"objbench-aws-{tag}-{r}")
                cmd = ["aws", "s3", "sync", str(peer_dir), f"s3://{bucket}/config/", "--endpoint-url", endpoint,
                       "--only-show-errors", *AWS_FLAGS]
                cwd, env = None, None
            else:
                bucket = make_bucket(f"objbench-rclone-{tag}-{r}")
                cmd = ["rclone", "sync", str(peer_dir), f"moto:{bucket}/config/", *RCLONE_FLAGS]
                cwd, env = None, renv
            for kind in ("push", "noop"):
                s, q = timed(cmd, cwd, env)
                secs[(tool, kind)].append(s)
                reqs[(tool, kind)].append(q)
            stored[tool].append(object_count(bucket))
            print(f"push round {r + 1} {tool}: {secs[(tool, 'push')][-1]:.2f} s "
                  f"({requests_total(reqs[(tool, 'push')][-1])} requests, {stored[tool][-1]} objects), "
                  f"no-op {secs[(tool, 'noop')][-1]:.2f} s ({requests_total(reqs[(tool, 'noop')][-1])} requests)",
                  flush=True)
    files = count_files(peer_dir)
    for kind, label, goal in (("push", f"config push, {n:,} files", "—"),
                              ("noop", "no-op config push", "gen ≤ 0.2 s")):
        versus = {t: secs[(t, kind)] for t in tools if t != "gen"}
        for tool in tools:
            note = f"{statistics.median(stored[tool]):,.0f} objects in the bucket" if kind == "push" else ""
            if kind == "push" and tool != "gen":
                note += f" ({files:,} files in graph/)"
            results.add(label, tool, secs[(tool, kind)], reqs[(tool, kind)], note, goal, versus)


def bench_pull(args, endpoint, results):
    n, tag = args.files, uuid.uuid4().hex[:6]
    project = f"objbench-{tag}"
    bucket = make_bucket(f"aisdlc-{project}-artifacts")
    t0 = time.perf_counter()
    upload_artifacts(bucket, n)
    print(f"uploaded {n:,} artifacts to s3://{bucket}/ in {time.perf_counter() - t0:.1f} s "
          f"({object_count(bucket):,} objects)", flush=True)
    tools = ["aws", "rclone"] if args.skip_gen else ["gen", "aws", "rclone"]
    secs = {(t, k): [] for t in tools for k in ("pull", "noop")}
    reqs = {(t, k): [] for t in tools for k in ("pull", "noop")}
    got = {t: [] for t in tools}
    renv = rclone_env(endpoint)
    for r in range(args.runs):
        for tool in tools:
            if tool == "gen":
                target = gen_workspace(WORK / "gen-pull", project, endpoint, 0)
                point_artifacts_at(target, bucket)
                cmd, env = [str(GEN), "sync", "pull", "--only", "artifacts"], None
            elif tool == "aws":
                target = fresh(WORK / "aws-pull")
                cmd = ["aws", "s3", "sync", f"s3://{bucket}/", str(target), "--endpoint-url", endpoint,
                       "--only-show-errors", *AWS_FLAGS]
                env = None
            else:
                target = fresh(WORK / "rclone-pull")
                cmd = ["rclone", "sync", f"moto:{bucket}", str(target), *RCLONE_FLAGS]
                env = renv
            before = count_files(target)
            for kind in ("pull", "noop"):
                s, q = timed(cmd, target, env)
                secs[(tool, kind)].append(s)
                reqs[(tool, kind)].append(q)
            got[tool].append(count_files(target) - before)
            if got[tool][-1] < n:
                print(f"warning: {tool} left {got[tool][-1]:,} new files, not {n:,}", file=sys.stderr, flush=True)
            print(f"pull round {r + 1} {tool}: {secs[(tool, 'pull')][-1]:.2f} s "
                  f"({requests_total(reqs[(tool, 'pull')][-1])} requests, {got[tool][-1]} files), "
                  f"no-op {secs[(tool, 'noop')][-1]:.2f} s ({requests_total(reqs[(tool, 'noop')][-1])} requests)",
                  flush=True)
    for kind, label, goal in (("pull", f"artifact pull, {n:,} objects", "—"),
                              ("noop", "no-op artifact pull", "—")):
        versus = {t: secs[(t, kind)] for t in tools if t != "gen"}
        for tool in tools:
            note = f"{statistics.median(got[tool]):,.0f} files written" if kind == "pull" else ""
            results.add(label, tool, secs[(tool, kind)], reqs[(tool, kind)], note, goal, versus)


def versions(skip_gen):
    lines = []
    if not skip_gen:
        lines.append(f"gen: {GEN}")
    try:
        lines.append("aws: " + run(["aws", "--version"]).strip())
        lines.append("rclone: " + run(["rclone", "version"]).splitlines()[0].strip())
    except BenchError as e:
        raise BenchError(f"{e}\n(install the peers with bench/install-peers.sh)") from None
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-gen", action="store_true", help="measure the peers only")
    ap.add_argument("--skip-push", action="store_true", help="measure the artifact pulls only")
    ap.add_argument("--skip-pull", action="store_true", help="measure the config pushes only")
    ap.add_argument("--keep", action="store_true", help="keep the workspaces under bench/out/objects/")
    args = ap.parse_args()
    if args.files < 1 or args.runs < 1:
        ap.error("--files and --runs must be at least 1")
    try:
        if not args.skip_gen:
            check_gen()
        tools = versions(args.skip_gen)
        import boto3  # noqa: F401  (fails here, clearly, rather than mid-run)
    except (BenchError, ImportError) as e:
        sys.exit(f"bench/objects.py: {e}")

    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1",
                      AWS_DEFAULT_REGION="us-east-1")
    results = Results()
    try:
        endpoint = cloud()
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        print(f"moto on {endpoint}; log {MOTO_LOG}", flush=True)
        if not args.skip_push:
            bench_push(args, endpoint, results)
        if not args.skip_pull:
            bench_pull(args, endpoint, results)
    except BenchError as e:
        sys.exit(f"bench/objects.py: {e}")
    finally:
        stop_cloud()
        if not args.keep and WORK.exists():
            shutil.rmtree(WORK, ignore_errors=True)
    header = (f"Object sync on moto, {args.files:,} files, {args.runs} rounds "
              f"({time.strftime('%Y-%m-%d %H:%M', time.localtime())}; load {os.getloadavg()[0]:.2f}).\n\n"
              + "\n".join(f"- {t}" for t in tools)
              + f"\n- aws s3 sync flags: {' '.join(AWS_FLAGS) or '(defaults)'} --only-show-errors"
              + f"\n- rclone sync flags: {' '.join(RCLONE_FLAGS)}")
    out = results.markdown(header)
    (OUT / "objects.md").write_text(out)
    print(out)


if __name__ == "__main__":
    main()
