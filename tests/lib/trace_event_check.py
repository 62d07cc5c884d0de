#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a file against Chrome's trace-event format (JSON Object Format),
which ui.perfetto.dev and chrome://tracing load, as the "Trace Event
Format" document (Google, the catapult project) defines it.

usage: trace_event_check.py FILE
Prints one line per problem and exits 1, or prints a summary of what the
trace holds ("tracks: NAME, ...") and exits 0.
"""
import json
import sys

PHASES = set("BEXiIbnePSTFsftfCMNODRcv(),")


def check(path):
    errs = []
    with open(path, encoding="utf-8") as f:
        try:
            doc = json.load(f)
        except ValueError as e:
            print(f"{path}: not JSON: {e}")
            return 1
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        print(f"{path}: not an object with a traceEvents array")
        return 1
    if doc.get("displayTimeUnit", "ms") not in ("ms", "ns"):
        errs.append(f"displayTimeUnit {doc['displayTimeUnit']!r} is not ms or ns")
    names = {}
    slices = []
    for n, e in enumerate(doc["traceEvents"]):
        where = f"event {n} ({json.dumps(e)[:80]})"
        if not isinstance(e, dict):
            errs.append(f"{where}: not an object")
            continue
        ph = e.get("ph")
        if ph not in PHASES:
            errs.append(f"{where}: phase {ph!r} unknown")
        if not isinstance(e.get("name"), str):
            errs.append(f"{where}: no name")
        for k in ("pid", "tid"):
            if not isinstance(e.get(k), int) or isinstance(e.get(k), bool):
                errs.append(f"{where}: {k} is not an integer")
        if "args" in e and not isinstance(e["args"], dict):
            errs.append(f"{where}: args is not an object")
        if ph == "M":
            if e.get("name") in ("process_name", "thread_name") and \
                    not isinstance(e.get("args", {}).get("name"), str):
                errs.append(f"{where}: metadata without args.name")
            if e.get("name") == "thread_name":
                names[(e.get("pid"), e.get("tid"))] = e["args"]["name"]
            continue
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or isinstance(ts, bool) or ts < 0:
            errs.append(f"{where}: ts is not a number >= 0")
        if ph == "X":
            d = e.get("dur")
            if not isinstance(d, (int, float)) or isinstance(d, bool) or d < 0:
                errs.append(f"{where}: a complete event needs dur >= 0")
            slices.append(e)
        if ph in ("i", "I") and e.get("s", "t") not in ("t", "p", "g"):
            errs.append(f"{where}: instant scope {e.get('s')!r} is not t, p or g")
    for e in slices:
        if (e["pid"], e["tid"]) not in names:
            errs.append(f"slice {e['name']!r}: its track (tid {e['tid']}) has no thread_name")
    for e in errs:
        print(f"{path}: {e}")
    if errs:
        return 1
    print("tracks: " + ", ".join(sorted(set(names.values()))))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(check(sys.argv[1]))
