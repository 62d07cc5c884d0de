#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `kmlab trace` on the host kernel (6.18, no modules): it streams the
# kernel allocations a test program causes through pipes, UNIX sockets and
# files, named by the kernel functions that made them, and their frees.
# Needs root and BPF.  TAP.
. "$(dirname "$0")/../lib/tap.sh"
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kmlab=${KMLAB:-$top/build/kmlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -O2 -Wall -Werror "$top/tests/host/allocprobe.c" -o "$tmp/allocprobe" ||
	{ echo "not ok 1 - build allocprobe"; exit 1; }
"$kmlab" trace --comm allocprobe --duration 20 --json "$tmp/t.json" \
	>"$tmp/t.out" 2>"$tmp/t.err" &
pid=$!
for _ in $(seq 100); do
	grep -q '^tracing' "$tmp/t.err" && break
	sleep 0.1
done
"$tmp/allocprobe" 20
kill -INT "$pid"
wait "$pid"
rc=$?
no_finding $rc "$tmp/t.json"
ok $? "kmlab trace --comm allocprobe stops on Ctrl-C, its status as its verdict (0 clean, 3 events lost)" \
	"rc=$rc $(tail -n 3 "$tmp/t.err")"

mine() { grep "\"event\":\"$1\"" "$tmp/t.json" | grep '"comm":"allocprobe"' | grep -c "\"site\":\"$2"; }
[ "$(mine alloc alloc_pipe_info)" -ge 20 ]
ok $? "pipes: 20 pipe_inode_info allocations at alloc_pipe_info" "saw $(mine alloc alloc_pipe_info)"
[ "$(mine alloc 'sk_prot_alloc\|sock_alloc_inode')" -ge 40 ]
ok $? "sockets: a socketpair's socks at sk_prot_alloc / sock_alloc_inode" "saw $(mine alloc 'sk_prot_alloc\|sock_alloc_inode')"
[ "$(mine alloc alloc_empty_file)" -ge 40 ]
ok $? "files: struct file allocations at alloc_empty_file" "saw $(mine alloc alloc_empty_file)"
[ "$(grep '"event":"free"' "$tmp/t.json" | grep -c '"site":"free_pipe_info')" -ge 20 ]
ok $? "and the pipes' frees at free_pipe_info" "$(grep -c '"event":"free"' "$tmp/t.json") frees in all"
others=$(grep '"event":"alloc"' "$tmp/t.json" | grep -vc '"comm":"allocprobe"')
[ "$others" -eq 0 ]
ok $? "--comm keeps other processes' allocations out" "$others others"
grep -q '^summary: [0-9]* allocations' "$tmp/t.out"
ok $? "a summary at the end: $(grep '^summary' "$tmp/t.out" | cut -c1-80)" "$(tail -n 2 "$tmp/t.out")"
grep -q '"type":"summary".*"lost_ringbuf":0,"lost_live_full":0,' "$tmp/t.json"
ok $? "no event lost to a full ring buffer or map" "$(grep '"type":"summary"' "$tmp/t.json")"

# --json -: stdout is JSON only (for jq); the summary goes to stderr
timeout -s INT 2 "$kmlab" trace --comm allocprobe --json - >"$tmp/j.out" 2>"$tmp/j.err"
[ "$(grep -vc '^{' "$tmp/j.out")" -eq 0 ] && grep -q '"type":"summary"' "$tmp/j.out" &&
	grep -q '^summary: ' "$tmp/j.err"
ok $? "trace --json -: only JSON on stdout, its summary line included; the text summary on stderr" \
	"$(grep -v '^{' "$tmp/j.out" | head -n 2)"

# -- CMD: kmlab starts the command, traces its process from its first
# allocation, stops when it exits; --top sums the call sites
"$kmlab" trace --top 40 --json "$tmp/c.json" -- "$tmp/allocprobe" 30 >"$tmp/c.out" 2>"$tmp/c.err"
rc=$?
cpid=$(sed -n 's/^tracing .*allocprobe (pid \([0-9]*\)).*/\1/p' "$tmp/c.err")
no_finding $rc "$tmp/c.json" && grep -q 'allocprobe exited with status 0' "$tmp/c.err" && [ -n "$cpid" ]
ok $? "trace -- allocprobe 30: ends when the command exits, no finding, and says how the command exited" \
	"rc=$rc $(tail -n 3 "$tmp/c.err")"
head -n 1 "$tmp/c.out" | grep -q '^ *MS  COMM  *PID  EVENT  *ADDRESS  *REQ/ALLOC  *CALL SITE$'
ok $? "the live lines start with a header naming the columns" "$(head -n 1 "$tmp/c.out")"
pipes=$(grep '"event":"alloc"' "$tmp/c.json" | grep -c '"site":"alloc_pipe_info')
strangers=$(grep '"event":"alloc"' "$tmp/c.json" | grep -vc "\"pid\":${cpid:-x},")
[ "$pipes" -ge 30 ] && [ "$strangers" -eq 0 ]
ok $? "only the command's allocations: its 30 pipes at alloc_pipe_info, no other pid" \
	"pipes=$pipes strangers=$strangers"
bad=$(python3 "$top/tests/lib/jsonl_check.py" "$tmp/c.json" trace 2>&1)
ok $? "trace --json: schema 1 (header, events, sites, one summary with its verdict)" "$bad"
# the per-site table: bytes descending; the pipes' site counts its 30+
# allocations, all freed again (allocprobe closes its pipes)
sites=$(grep -c '"type":"site"' "$tmp/c.json")
sorted=$(grep '"type":"site"' "$tmp/c.json" | sed 's/.*"bytes":\([0-9]*\).*/\1/' | sort -n -r -c 2>&1 && echo yes)
pipe=$(grep '"type":"site"' "$tmp/c.json" | grep '"site":"alloc_pipe_info' | head -n 1)
allocs=$(echo "$pipe" | sed -n 's/.*"allocs":\([0-9]*\).*/\1/p')
[ "$sites" -ge 3 ] && [ "$sites" -le 40 ] && [ "$sorted" = yes ] && [ "${allocs:-0}" -ge 30 ] &&
	echo "$pipe" | grep -q '"outstanding":0,' && grep -q '^top [0-9]* of [0-9]* call sites by bytes' "$tmp/c.out"
ok $? "--top 40: at most 40 sites by bytes, alloc_pipe_info with its 30 allocations and none outstanding" \
	"sites=$sites sorted=$sorted $pipe"
grep -q '^summary: .*; verdict: \(clean\|inconclusive\)$' "$tmp/c.out"
ok $? "the text summary ends with the verdict" "$(grep '^summary' "$tmp/c.out")"
# -- CMD follows the processes it starts: a shell running two probes,
# one in the background; nothing from outside the tree (the command's
# first allocations, before its exec, are kmlab's copy's: comm kmlab)
"$kmlab" trace --json "$tmp/f.json" -- sh -c "'$tmp/allocprobe' 7 & '$tmp/allocprobe' 5; wait" >"$tmp/f.out" 2>"$tmp/f.err"
rc=$?
fpid=$(sed -n 's/^tracing sh (pid \([0-9]*\)).*/\1/p' "$tmp/f.err")
fpipes=$(grep '"event":"alloc"' "$tmp/f.json" | grep -c '"site":"alloc_pipe_info')
fpids=$(grep '"event":"alloc"' "$tmp/f.json" | grep '"site":"alloc_pipe_info' | grep -v "\"pid\":${fpid:-x}," |
	sed 's/.*"pid":\([0-9]*\),.*/\1/' | sort -u | wc -l)
fcomms=$(grep '"event":"alloc"' "$tmp/f.json" | sed 's/.*"comm":"\([^"]*\)".*/\1/' | sort -u | tr '\n' ' ')
no_finding $rc "$tmp/f.json" && [ "$fpipes" -ge 12 ] && [ "$fpids" -eq 2 ] &&
	[ "$(echo "$fcomms" | tr ' ' '\n' | grep -cv '^\(sh\|allocprobe\|kmlab\|\)$')" -eq 0 ]
ok $? "trace -- sh -c 'probe & probe': both children followed (their 12 pipes, 2 pids), nothing from outside" \
	"rc=$rc pipes=$fpipes child pids=$fpids comms=$fcomms $(tail -n 2 "$tmp/f.err")"
"$kmlab" trace -- "$tmp/no-such-program" >"$tmp/n.out" 2>"$tmp/n.err"
rc=$?
[ $rc -eq 2 ] && grep -q "cannot run $tmp/no-such-program: No such file or directory" "$tmp/n.err"
ok $? "trace -- a program that does not exist: exit 2, saying why" "rc=$rc $(cat "$tmp/n.err")"
# --hide-pointers: no kernel address anywhere, yet each free names the
# same pseudonym as its allocation
"$kmlab" trace --hide-pointers --top 5 --json - -- "$tmp/allocprobe" 10 >"$tmp/h.json" 2>"$tmp/h.err"
leaked=$(grep -c '0xffff' "$tmp/h.json")
pairs=$(python3 - "$tmp/h.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if '"type":"event"' in l]
allocs = {e["ptr"] for e in ev if e["event"] == "alloc"}
frees = [e["ptr"] for e in ev if e["event"] == "free"]
print(sum(p in allocs for p in frees), len(frees), all(p.startswith("ptr-") for p in allocs))
PY
)
set -- $pairs
[ "$leaked" -eq 0 ] && [ "${1:-0}" -ge 10 ] && [ "$1" = "${2:-x}" ] && [ "${3:-}" = True ]
ok $? "--hide-pointers: no 0xffff... anywhere; every free names its allocation's pseudonym" \
	"addresses=$leaked frees matched/all/pseudonyms: $pairs"
# --top's outstanding counts are what the live map still holds, call
# site by call site: a free no kmem event shows (maple tree nodes a
# kmem_cache_free_bulk() gives back, kfree_rcu()'s batches) is counted
# when its address is handed out again, not left outstanding for ever
"$kmlab" trace --quiet --top 1000000 --json "$tmp/o.json" -- \
	sh -c 'for i in $(seq 300); do /bin/true; done; ls -R /usr/share/doc >/dev/null' \
	>"$tmp/o.out" 2>"$tmp/o.err"
rc=$?
sum=$(grep '"type":"site"' "$tmp/o.json" | sed 's/.*"outstanding":\([0-9]*\),.*/\1/' | awk '{ s += $1 } END { print s + 0 }')
live=$(grep '"type":"summary"' "$tmp/o.json" | sed -n 's/.*"live":\([0-9]*\),.*/\1/p')
ring=$(grep '"type":"summary"' "$tmp/o.json" | sed -n 's/.*"lost_ringbuf":\([0-9]*\),.*/\1/p')
missed=$(grep '"type":"summary"' "$tmp/o.json" | sed -n 's/.*"frees_missed":\([0-9]*\),.*/\1/p')
# objects freed between the last read and the count: a little slack
[ -n "$live" ] && [ "${ring:-1}" -eq 0 ] && [ -n "$missed" ] &&
	[ "$sum" -le $((live + live / 20 + 50)) ] && [ "$sum" -ge $((live - live / 20 - 50)) ]
ok $? "--top: the sites' outstanding objects add up to the live map's ($sum, $live; $missed freed without a kmem event)" \
	"rc=$rc sum=$sum live=$live lost_ringbuf=$ring frees_missed=$missed $(grep -A1 '^summary' "$tmp/o.out")"

# --live: a live map too small for what the command holds is counted,
# named, and the note says what room would do; enough room loses none
hold="ulimit -n 4096 && exec $tmp/allocprobe 1500 hold"
"$kmlab" trace --quiet --live 1024 --json "$tmp/l.json" -- sh -c "$hold" >"$tmp/l.out" 2>"$tmp/l.err"
rc=$?
lost=$(grep '"type":"summary"' "$tmp/l.json" | sed -n 's/.*"lost_live_full":\([0-9]*\).*"live_max":\([0-9]*\),.*/\1 \2/p')
want=$(sed -n "s/^note: more objects were allocated and alive at once than the observer's live map has room for (1024): [0-9]* allocations were not followed; --live \([0-9]*\) gives room for all of them$/\1/p" "$tmp/l.out")
[ $rc -eq 3 ] && [ "${lost% *}" -gt 0 ] && [ "${lost#* }" = 1024 ] &&
	[ -n "$want" ] && [ "$want" -ge $((1024 + ${lost% *})) ]
ok $? "--live 1024 under 1500 open pipes: exit 3, ${lost% *} allocations lost to the full map, and the note says --live $want" \
	"rc=$rc lost/room=$lost $(grep -A1 '^summary' "$tmp/l.out")"
"$kmlab" trace --quiet --live 65536 --json "$tmp/l.json" -- sh -c "$hold" >"$tmp/l.out" 2>"$tmp/l.err"
grep '"type":"summary"' "$tmp/l.json" | grep -q '"lost_live_full":0,"live_max":65536,'
ok $? "--live 65536: none lost to the map" "$(grep '^summary' "$tmp/l.out")"
"$kmlab" trace --live 100 -- true >"$tmp/n.out" 2>"$tmp/n.err"
rc=$?
[ $rc -eq 2 ] && grep -q -- '--live wants room for 1024 to 2147483648 objects, not 100' "$tmp/n.err"
ok $? "--live 100: a usage error that says the range" "rc=$rc $(cat "$tmp/n.err")"
# (the command, forked first, waits for the observer: when that fails it
# must end without running, not wait forever)
timeout 60 "$kmlab" trace --live 2147483648 -- touch "$tmp/ran" >"$tmp/n.out" 2>"$tmp/n.err"
rc=$?
[ $rc -eq 2 ] && grep -q "more than half of the [0-9]* MiB available: give --live [0-9]* or less" "$tmp/n.err" &&
	[ ! -e "$tmp/ran" ]
ok $? "--live beyond the machine's memory: exit 2 at once, with what would fit; the command never ran" "rc=$rc $(cat "$tmp/n.err")"
"$kmlab" trace --pid 1 -- true >"$tmp/n.out" 2>"$tmp/n.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'drop --pid and --comm' "$tmp/n.err"
ok $? "a command with --pid: a usage error (exit 2)" "rc=$rc $(cat "$tmp/n.err")"
tap_end
