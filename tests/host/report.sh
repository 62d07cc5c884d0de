#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `kmlab report` draws a run from its --json stream.  The stream is a
# real one: tests/report/dangling.run.json is what `scripts/lab run
# tests/plans/lessons/dangling.kml --json FILE` wrote in the 6.1 guest
# (the lesson: a late read, a double free, a leak).  The Perfetto trace is
# checked against the trace-event format, the HTML page opened in headless
# Chromium: its elements, and a screenshot.  Host only.  TAP.
. "$(dirname "$0")/../lib/tap.sh"
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kmlab=${KMLAB:-$top/build/kmlab}
run=$top/tests/report/dangling.run.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad=$(python3 "$top/tests/lib/jsonl_check.py" "$run" run 2>&1)
ok $? "the run's own stream follows docs/json.md (schema 1)" "$bad"
(umask 022 && "$kmlab" report "$run" --perfetto "$tmp/t.json" --html "$tmp/p.html" >"$tmp/out" 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q 'kmlab report: 9 objects, 3 findings, verdict findings' "$tmp/out" &&
	[ "$(stat -c %a "$tmp/t.json") $(stat -c %a "$tmp/p.html")" = "600 600" ]
ok $? "report --perfetto --html: both written, 0600 (they hold kernel addresses)" \
	"rc=$rc $(cat "$tmp/out") modes: $(stat -c %a "$tmp/t.json" "$tmp/p.html" 2>&1 | tr '\n' ' ')"

# the trace: valid trace-event JSON, a track per object, the lesson on them
v=$(python3 "$top/tests/lib/trace_event_check.py" "$tmp/t.json" 2>&1)
ok $? "the Perfetto trace is valid trace-event JSON" "$v"
facts=$(python3 - "$tmp/t.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
track = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
life = {track[e["tid"]]: e for e in ev if e["ph"] == "X"}
marks = {}
for e in ev:
    if e["ph"] == "i":
        marks.setdefault(track[e["tid"]], []).append(e)
b, big = life["buffer"], life["big_buffer"]
inside = lambda m, s: s["ts"] <= m["ts"]
late = [m for m in marks["buffer"] if m["cat"] == "late_access"]
df = [m for m in marks["buffer"] if m["name"] == "double_free"]
leak = [m for m in marks["big_buffer"] if m["name"] == "leak"]
print(len(life), b["args"]["state"], big["args"]["state"], b["args"]["size"], big["args"]["size"],
      len(late), late and late[0]["ts"] >= b["ts"] + b["dur"], len(df), len(leak),
      leak and leak[0]["ts"] >= big["ts"] + big["dur"])
PY
)
[ "$facts" = "9 freed leaked 1024 4096 1 True 1 1 True" ]
ok $? "tracks: buffer (1024 B) freed, then read late and freed twice; big_buffer (4096 B) leaked at the end" "$facts"

# the page, in a real browser
if ! command -v chromium >/dev/null; then
	ok 1 "the HTML page in headless Chromium" "no chromium: run scripts/deps"
	ok 1 "a screenshot of the page" "no chromium"
else
	browse() { timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$tmp/profile" "$@" "file://$tmp/p.html" 2>>"$tmp/chromium.err"; }
	browse --dump-dom >"$tmp/dom.html"
	dom=$(python3 - "$tmp/dom.html" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.c = {}; s.verdict = None; s.inv = False; s.kinds = []; s.ext = 0
    def handle_starttag(s, tag, a):
        a = dict(a); cls = a.get("class", "")
        for k in (tag, tag + "." + cls.replace(" ", ".")):
            s.c[k] = s.c.get(k, 0) + 1
        if a.get("id") == "verdict": s.inv = True
        if tag == "div" and "finding" in cls.split(): s.kinds.append(a.get("data-kind"))
        if tag in ("script", "link", "img", "iframe") or a.get("src"): s.ext += 1
    def handle_data(s, d):
        if s.inv: s.verdict = d; s.inv = False
p = P(); p.feed(open(sys.argv[1]).read())
c = p.c.get
print(p.verdict, ",".join(sorted(p.kinds)), c("svg", 0), c("g.object", 0), c("rect.life.leaked", 0),
      c("rect.life.freed", 0), c("circle.mark.finding", 0), c("circle.mark.late_access", 0), c("pre.hexdump", 0), p.ext)
PY
)
	[ "$dom" = "findings double_free,late_access,leak 1 9 1 8 3 1 1 0" ]
	ok $? "Chromium's DOM: verdict, the 3 findings, 9 object rows (1 leaked, 8 freed), the marks, the bytes, nothing fetched" \
		"$dom $(tail -n 2 "$tmp/chromium.err")"
	browse --window-size=1300,560 --screenshot="$tmp/p.png" >/dev/null
	size=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print(*struct.unpack('>II', d[16:24]) if d[:8]==b'\x89PNG\r\n\x1a\n' else 'not-png', len(open(sys.argv[1],'rb').read()) > 20000)" "$tmp/p.png" 2>&1)
	[ "$size" = "1300 560 True" ]
	ok $? "a screenshot of the page: a 1300x560 PNG with something drawn" "$size $(tail -n 2 "$tmp/chromium.err")"
fi

# --hide-pointers: the same pictures, with no kernel address in them
"$kmlab" report --hide-pointers "$run" --perfetto "$tmp/ht.json" --html "$tmp/hp.html" >/dev/null 2>&1
rc=$?
addrs=$(grep -c '0xffff' "$tmp/ht.json" "$tmp/hp.html" | awk -F: '{ s += $2 } END { print s }')
tracks=$(python3 "$top/tests/lib/trace_event_check.py" "$tmp/ht.json" | tr ',' '\n' | grep -c .)
[ $rc -eq 0 ] && [ "$addrs" -eq 0 ] && [ "$(grep -c '"ptr":"ptr-' "$tmp/ht.json")" -eq 9 ] && [ "$tracks" -eq 10 ]
ok $? "report --hide-pointers: 9 objects under pseudonyms, no 0xffff... left" "rc=$rc addresses=$addrs tracks=$tracks"

# what it refuses, saying why
printf 'not json\n' >"$tmp/bad.json"
"$kmlab" report "$tmp/bad.json" --html "$tmp/x.html" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'line 1 is not one JSON object' "$tmp/err"
ok $? "a file that is not JSON lines: exit 2, which line" "rc=$rc $(cat "$tmp/err")"
head -n 20 "$run" >"$tmp/cut.json"
"$kmlab" report "$tmp/cut.json" --html "$tmp/x.html" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'no summary at its end' "$tmp/err"
ok $? "a stream cut short: exit 2, no summary" "rc=$rc $(cat "$tmp/err")"
"$kmlab" report "$run" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q 'what to write? --perfetto FILE, --html FILE or both' "$tmp/err"
ok $? "no output asked for: exit 2, saying what to give" "rc=$rc $(cat "$tmp/err")"
tap_end
