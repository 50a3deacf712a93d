#!/usr/bin/env python3
"""Synthetic events.jsonl in the five line shapes real Genesis logs hold (reference §3.1).

Deterministic for a given --seed. Shares follow the real corpus (v1 22%, mixed 23%, OpenLineage native 26%,
migrated 29%, _v1_compat <1%), with all five timestamp spellings, escaped and raw arrows, ~1% of lines
out of time order, and per-feature edge lifecycles (started → iterations with deltas → converged).

usage: gen_events.py --lines N [--seed S] [--features F] > events.jsonl
"""
import argparse, json, random, uuid, datetime as dt, sys

EDGES = ["intent→requirements", "requirements→design", "design→code", "code↔unit_tests",
         "design→test_cases", "design→uat_tests", "code→cicd"]
NS = "aisdlc://bench_project"
PRODUCER = "https://github.com/foolishimp/ai_sdlc_method"


def ts(t, style):
    if style == 0:
        return t.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    if style == 1:
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    if style == 2:
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == 3:
        return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def camel(name):
    return "".join(p.capitalize() for p in name.split("_"))


def facet(schema, **kw):
    d = {"_producer": PRODUCER, "_schemaURL": f"{PRODUCER}/spec/facets/{schema}.json"}
    d.update(kw)
    return d


def v1(etype, when, feature, edge, payload, rng):
    ev = {"event_type": etype, "timestamp": when, "project": "bench_project"}
    if rng.random() < 0.5:
        ev.update({"feature": feature, "edge": edge})
        ev.update(payload)
        return json.dumps(ev, separators=(",", ":"), ensure_ascii=rng.random() < 0.5)
    ev["feature"] = feature
    ev["edge"] = edge
    ev["data"] = payload
    return json.dumps(ev, ensure_ascii=rng.random() < 0.5)


def mixed(etype, when, feature, edge, payload, rng):
    ol = "START" if etype == "edge_started" else "COMPLETE" if etype == "edge_converged" else "OTHER"
    ev = {"event_type": etype, "timestamp": when, "project": "bench_project", "data": payload,
          "eventType": ol, "eventTime": when,
          "run": {"runId": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "facets": {
              "sdlc_req_keys": {"_schemaURL": "https://aisdlc.org/schema/v2.8/facets/sdlc_req_keys.json",
                                "feature_id": feature, "edge": edge, "req_keys": []},
              "sdlc_event_type": {"_schemaURL": "https://aisdlc.org/schema/v2.8/facets/sdlc_event_type.json",
                                  "type": etype, "regime": "probabilistic"},
              "sdlc_delta": {"_schemaURL": "https://aisdlc.org/schema/v2.8/facets/sdlc_delta.json",
                             "value": payload.get("delta", 0), "converged": payload.get("delta", 1) == 0}}},
          "job": {"namespace": "aisdlc://bench_project", "name": f"{feature}:{edge}"},
          "inputs": [], "outputs": [], "producer": "aisdlc://imp_gemini/v2.8",
          "schemaURL": "https://openlineage.io/spec/1-0-2/OpenLineage.json#RunEvent",
          "_metadata": {"project": "bench_project", "original_data": payload}}
    for k, v in payload.items():
        ev.setdefault(k, v)
    return json.dumps(ev)


def native(etype, when, feature, edge, payload, rng):
    rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    ol = "COMPLETE" if etype == "edge_converged" else "START" if etype == "iteration_started" else "OTHER"
    p = {"feature": feature, "edge": edge}
    p.update(payload)
    ev = {"eventType": ol, "eventTime": when, "run": {"runId": rid, "facets": {
        "sdlc:universal": facet("sdlc_universal", instance_id=feature, actor="genesis-engine",
                                causation_id=rid, correlation_id=rid),
        "sdlc:event_type": facet("sdlc_event_type", type=camel(etype)),
        "sdlc:payload": facet("sdlc_payload", **p)}},
        "job": {"namespace": NS, "name": edge, "facets": {}}, "inputs": [], "outputs": [],
        "producer": PRODUCER, "schemaURL": "https://openlineage.io/spec/1-0-5/OpenLineage.json"}
    return json.dumps(ev, separators=(",", ":"), ensure_ascii=False)


def migrated(etype, when, feature, edge, payload, rng):
    ol = {"edge_started": "START", "edge_converged": "COMPLETE"}.get(etype, "OTHER")
    facets = {"sdlc:req_keys": facet("sdlc_req_keys", feature_id=feature, edge=edge, implements=[],
                                     validates=[], telemetry=[])}
    if ol == "OTHER":
        facets["sdlc:event_type"] = facet("sdlc_event_type", type=etype)
    if "delta" in payload:
        facets["sdlc:delta"] = facet("sdlc_delta", delta=payload["delta"], required_failing=payload["delta"])
    original = {"event_type": etype, "timestamp": when, "project": "bench_project", "feature": feature,
                "edge": edge, "data": payload}
    ev = {"eventType": ol, "eventTime": when,
          "run": {"runId": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "facets": facets},
          "job": {"namespace": NS, "name": edge}, "inputs": [], "outputs": [], "producer": PRODUCER,
          "schemaURL": "https://openlineage.io/spec/1-0-5/OpenLineage.json",
          "_metadata": {"project": "bench_project", "original_data": original}}
    return json.dumps(ev)


def compat(etype, when, feature, edge, payload, rng):
    ev = {"eventType": "OTHER", "eventTime": when,
          "run": {"runId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                  "facets": {"sdlc:event_type": facet("sdlc_event_type", type=etype)}},
          "job": {"namespace": NS, "name": f"SPEC_EVOLUTION:{feature}"}, "outputs": [],
          "producer": PRODUCER, "schemaURL": "https://openlineage.io/spec/1-0-5/OpenLineage.json",
          "_v1_compat": {"event_type": etype, "project": "bench_project",
                         "data": dict(payload, feature=feature, edge=edge)}}
    return json.dumps(ev)


WRITERS = [(v1, 0.22), (mixed, 0.23), (native, 0.26), (migrated, 0.285), (compat, 0.005)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--features", type=int, default=2000)
    ap.add_argument("--start", default="2026-02-19T08:00:00")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    t = dt.datetime.fromisoformat(a.start)
    feats = [{"id": f"REQ-F-B{i:05d}-001", "edge": 0, "it": 0, "stage": "start"} for i in range(a.features)]
    writers = [w for w, _ in WRITERS]
    weights = [p for _, p in WRITERS]
    out = sys.stdout
    for n in range(a.lines):
        t += dt.timedelta(milliseconds=rng.randint(50, 5000))
        f = rng.choice(feats)
        edge = EDGES[f["edge"] % len(EDGES)]
        if f["stage"] == "start":
            etype, payload = "edge_started", {"iteration": 0}
            f["stage"], f["it"] = "iterate", 0
        elif f["stage"] == "iterate":
            f["it"] += 1
            delta = max(0, rng.randint(-1, 4) - f["it"] // 2)
            etype = "iteration_completed"
            payload = {"iteration": f["it"], "delta": delta, "status": "converged" if delta == 0 else "iterating",
                       "evaluators": {"passed": 10 - delta, "failed": delta, "skipped": 0, "total": 10}}
            if delta == 0 or f["it"] > 6:
                f["stage"] = "converge"
        else:
            etype, payload = "edge_converged", {"iteration": f["it"], "convergence_type": "standard"}
            f["stage"], f["edge"] = "start", f["edge"] + 1
        if rng.random() < 0.08:
            etype, payload = rng.choice([("intent_raised", {"intent_id": f"INT-{n}", "description": "gap"}),
                                         ("spec_modified", {"file": "spec/x.md", "new_hash": f"sha256:{n:064x}"}),
                                         ("artifact_modified", {"file": f"src/m{n % 97}.rs"})])
        when = t
        if rng.random() < 0.01:
            when = t - dt.timedelta(seconds=rng.randint(60, 65000))  # late arrival: file order != time order
        writer = rng.choices(writers, weights)[0]
        out.write(writer(etype, ts(when, rng.randint(0, 4)), f["id"], edge, payload, rng))
        out.write("\n")


if __name__ == "__main__":
    main()
