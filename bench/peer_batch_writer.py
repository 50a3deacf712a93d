#!/usr/bin/env python3
"""The peer for `gen sync push`: what a straightforward Python sync would do with boto3.

Reads events.jsonl, builds one item per line in the same key schema as gen (PK project_id, SK
`<timestamp>#<id>`, the line verbatim plus event_type, feature_id, edge, agent_id and a SHA-256), and
writes them with boto3's `Table.batch_writer()` (BatchWriteItem of 25, unprocessed items resent).
It does less than gen: no existence check, no conflict detection, no read-back, no sequence blocks,
no state — so the ratio flatters the peer.

usage: peer_batch_writer.py EVENTS_JSONL TABLE PROJECT     (endpoint from AWS_ENDPOINT_URL)
"""
import hashlib
import json
import sys

import boto3


def field(obj, *names):
    for n in names:
        v = obj.get(n)
        if isinstance(v, str) and v:
            return v
    return None


def main():
    path, table_name, project = sys.argv[1:4]
    table = boto3.resource("dynamodb").Table(table_name)
    seen = set()
    with table.batch_writer(overwrite_by_pkeys=["project_id", "sk"]) as batch, open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.decode("utf-8").rstrip("\r\n")
            if not line.strip():
                continue
            obj = json.loads(line)
            digest = hashlib.sha256(line.encode()).hexdigest()
            event_id = field(obj, "event_id", "eventId") or f"sha-{digest[:32]}-{n}"
            ts = field(obj, "timestamp", "eventTime") or "~untimed"
            sk = f"{ts}#{event_id}"
            if sk in seen:
                continue
            seen.add(sk)
            item = {"project_id": project, "sk": sk, "event_id": event_id, "line": line, "hash": digest}
            for name, keys in (("event_type", ("event_type", "eventType")), ("feature_id", ("feature",)),
                               ("edge", ("edge",)), ("agent_id", ("agent_id", "actor"))):
                v = field(obj, *keys)
                if v:
                    item[name] = v
            batch.put_item(Item=item)


if __name__ == "__main__":
    main()
