#!/usr/bin/env python3
"""The peer for `gen status`: the Python reference's status derivation, re-implemented from its
documented behaviour (shared/reference/genesis-reference.md §3.7 and §4.2), written for this benchmark.

It does what `imp_claude/code/genesis` does for a status view: json.loads every line, `normalize_event`
(OL → flat, CamelCase → snake_case, `sdlc:payload` lifted; `_metadata` ignored), then file-order
replays: converged edges, Hamiltonian (T, V, H) per feature, stuck features (last three deltas equal and
> 0), abandoned starts, unactioned intents. It prints a short summary so its work cannot be skipped.

usage: peer_reference.py path/to/events.jsonl
"""
import json
import re
import sys
from collections import defaultdict

CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def normalize_event(raw):
    if "event_type" in raw:
        return raw
    facets = (raw.get("run") or {}).get("facets") or {}
    et = (facets.get("sdlc:event_type") or {}).get("type")
    if not et:
        return raw
    out = dict(raw)
    out["event_type"] = CAMEL.sub("_", et).lower()
    out["timestamp"] = raw.get("eventTime")
    ns = (raw.get("job") or {}).get("namespace", "")
    out["project"] = ns[len("aisdlc://"):] if ns.startswith("aisdlc://") else ns
    for k, v in (facets.get("sdlc:payload") or {}).items():
        if not k.startswith("_"):
            out[k] = v
    return out


def load_events(path):
    events = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                events.append(normalize_event(json.loads(line)))
            except json.JSONDecodeError:
                continue
    return events


def as_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def main(path):
    events = load_events(path)
    converged = defaultdict(set)
    t = defaultdict(int)
    v = defaultdict(int)
    deltas = defaultdict(list)
    started = {}
    progressed = set()
    abandoned_marked = set()
    intents, answered = [], set()
    for e in events:
        et = e.get("event_type")
        f = e.get("feature") or (e.get("data") or {}).get("feature")
        edge = e.get("edge") or (e.get("data") or {}).get("edge")
        data = e.get("data") if isinstance(e.get("data"), dict) else {}
        if et == "intent_raised":
            intents.append(e.get("intent_id") or data.get("intent_id"))
        elif et in ("spawn_created", "review_completed", "spec_modified"):
            iid = e.get("intent_id") or data.get("intent_id")
            if iid:
                answered.add(iid)
        if not f:
            continue
        if et == "iteration_completed":
            t[f] += 1
            d = as_int(e.get("delta", data.get("delta")))
            if d is not None:
                v[f] = max(0, d)
                deltas[(f, edge)].append(d)
            progressed.add((f, edge))
        elif et == "edge_converged":
            converged[f].add(edge)
            v[f] = 0
            progressed.add((f, edge))
        elif et == "edge_started":
            started[(f, edge)] = True
        elif et == "iteration_abandoned":
            abandoned_marked.add((f, edge))
    stuck = [k for k, ds in deltas.items() if len(ds) >= 3 and ds[-1] == ds[-2] == ds[-3] and ds[-1] > 0]
    abandoned = [k for k in started if k not in progressed and k not in abandoned_marked]
    unactioned = [i for i in intents if not i or i not in answered]
    features = set(t) | set(converged)
    print(f"events {len(events)} features {len(features)} converged_edges {sum(len(s) for s in converged.values())} "
          f"H {sum(t[f] + v[f] for f in features)} stuck {len(stuck)} abandoned {len(abandoned)} "
          f"unactioned {len(unactioned)}")


if __name__ == "__main__":
    main(sys.argv[1])
