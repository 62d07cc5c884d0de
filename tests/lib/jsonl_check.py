#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a kmlab --json stream against docs/json.md, schema version 1.

usage: jsonl_check.py FILE [COMMAND]
Prints nothing and exits 0 when every line is one JSON object of a known
type carrying that type's fields, the first is the header (version 1,
the COMMAND if given) and the last the summary (watch of several modules:
one per module, each naming it); otherwise prints
each problem with its line number and exits 1.
"""
import json
import sys

VERSION = 1
KINDS = ("leak double_free late_access wrong_free interior_free overflow "
         "stale_free failed_alloc refused").split()
PLURAL = {k: ("refused" if k == "refused" else
              k + ("es" if k.endswith("access") else "s")) for k in KINDS}
# the fields each type always has; a type's optional fields are in the doc
REQUIRED = {
    "header": {"version": int, "tool": str, "tool_version": str,
               "command": str},
    "diagnostic": {"level": str, "site": str, "line": int, "col": int,
                   "message": str},
    "event": {"event": str, "ms": (int, float)},
    "finding": {"kind": str, "size": int, "line": int, "predicted": bool,
                "observed": bool, "message": str},
    "site": {"site": str, "allocs": int, "bytes": int, "outstanding": int,
             "outstanding_bytes": int},
    "summary": {"findings": int, "verdict": str},
}
VERDICTS = {"clean", "findings", "inconclusive", "interrupted", "error"}


def check(path, command):
    errs = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    objs = []
    for n, line in enumerate(lines, 1):
        try:
            o = json.loads(line)
        except ValueError as e:
            errs.append(f"{n}: not JSON ({e}): {line[:80]}")
            continue
        if not isinstance(o, dict) or o.get("type") not in REQUIRED:
            errs.append(f"{n}: not an object of a known type: {line[:80]}")
            continue
        for key, typ in REQUIRED[o["type"]].items():
            if not isinstance(o.get(key), typ) or (
                    typ is int and isinstance(o.get(key), bool)):
                errs.append(f"{n}: {o['type']} without {key} of type "
                            f"{getattr(typ, '__name__', typ)}: {line[:80]}")
        objs.append((n, o))
    if not objs or objs[0][1]["type"] != "header":
        errs.append("1: the first object is not the header")
    else:
        h = objs[0][1]
        if h.get("version") != VERSION:
            errs.append(f"1: version {h.get('version')}, not {VERSION}")
        if command and h.get("command") != command:
            errs.append(f"1: command {h.get('command')}, not {command}")
    sums = [t for t in objs if t[1]["type"] == "summary"]
    # watch of several modules: a summary each, naming its module
    mods = [o.get("module") for _, o in sums]
    if len(sums) > 1 and (None in mods or len(set(mods)) != len(mods)):
        errs.append(f"{len(sums)} summaries, not one per module")
    if not sums or sums[-1] is not objs[-1]:
        errs.append("the summary is not the last object")
    for n, o in sums:
        if o.get("verdict") not in VERDICTS:
            errs.append(f"{n}: verdict {o.get('verdict')!r}")
        if command in ("check", "run", "watch"):
            missing = [PLURAL[k] for k in KINDS if PLURAL[k] not in o]
            if missing:
                errs.append(f"{n}: summary without {', '.join(missing)}")
            elif sum(o[PLURAL[k]] for k in KINDS) != o["findings"]:
                errs.append(f"{n}: the counts do not add up to findings")
    for n, o in objs:
        if o["type"] == "finding" and o["kind"] not in KINDS:
            errs.append(f"{n}: unknown finding kind {o['kind']!r}")
    for e in errs:
        print(f"{path}:{e}")
    return 1 if errs else 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(check(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None))
