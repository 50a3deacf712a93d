#!/usr/bin/env python3
"""The peer for `gen event emit`: the reference writer (`fd_emit.emit_event`), re-implemented from its
documented behaviour: a flat dict with the payload at the top level, compact json.dumps, appended under
fcntl.flock(LOCK_EX). Like the reference it does not fsync.

usage: peer_emit.py events.jsonl TYPE FEATURE EDGE
"""
import datetime
import fcntl
import json
import sys


def main(path, etype, feature, edge):
    event = {"event_type": etype,
             "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
             "project": "bench", "feature": feature, "edge": edge, "iteration": 1, "delta": 1}
    line = json.dumps(event, separators=(",", ":")) + "\n"
    with open(path, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(line)
        fcntl.flock(f, fcntl.LOCK_UN)


if __name__ == "__main__":
    main(*sys.argv[1:5])
