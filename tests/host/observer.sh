#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The observer on the host kernel (6.18, no modules): the same BPF object
# built against the guest's 6.1 BTF must load, attach and see real
# allocations here.  Needs root and build/kmlab.  Prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kmlab=$top/build/kmlab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" -ne 0 ] || [ ! -x "$kmlab" ]; then
	echo "1..0 # SKIP needs root and build/kmlab (make loader)"
	exit 0
fi

# 1. watch: loads and attaches, says so, gives up cleanly
"$kmlab" watch nosuchmodule --timeout 2 >"$tmp/watch.out" 2>"$tmp/watch.err" &
pid=$!
for _ in $(seq 50); do
	grep -q "watching nosuchmodule: load it now" "$tmp/watch.err" && break
	sleep 0.1
done
grep -q "watching nosuchmodule: load it now" "$tmp/watch.err"
ok $? "watch attaches and says 'load it now'" "$(tail -n 3 "$tmp/watch.err")"
progs=$(bpftool prog show 2>/dev/null | grep -cE "name on_(kmalloc|kfree|cache_alloc|cache_free) ")
[ "$progs" -ge 4 ]
ok $? "4 kmem programs attached while watching" "bpftool shows $progs"
wait $pid
rc=$?
[ $rc -eq 2 ] && grep -q "nosuchmodule was not loaded while watching" "$tmp/watch.err"
ok $? "watch of a module that never loads exits 2 and says so" "rc=$rc"
! grep -qi "libbpf:" "$tmp/watch.err"
ok $? "no libbpf warnings on the host kernel" "$(grep -i libbpf: "$tmp/watch.err" | head -n 2)"

# 2. trace: sees the allocations a named process makes
cp /bin/true "$tmp/kmlabprobe"
"$kmlab" trace --comm kmlabprobe --duration 3 --quiet --json "$tmp/trace.json" \
	>"$tmp/trace.out" 2>"$tmp/trace.err" &
pid=$!
for _ in $(seq 50); do
	grep -q "tracing" "$tmp/trace.err" && break
	sleep 0.1
done
for _ in 1 2 3 4 5; do "$tmp/kmlabprobe"; done
wait $pid
rc=$?
no_finding $rc "$tmp/trace.json"
ok $? "trace --comm runs for its duration, exit status as its verdict (0 clean, 3 events lost)" "rc=$rc $(tail -n 2 "$tmp/trace.err")"
allocs=$(grep -c '"event":"alloc","ms":[0-9.]*,"pid":[0-9]*,"comm":"kmlabprobe"' "$tmp/trace.json")
[ "$allocs" -ge 5 ]
ok $? "trace saw the probe's kmallocs (5 execs)" "saw $allocs"
others=$(grep '"event":"alloc"' "$tmp/trace.json" | grep -vc '"comm":"kmlabprobe"')
[ "$others" -eq 0 ]
ok $? "--comm filters in BPF: no other process's allocations" "saw $others"
# (recursion misses, allocations in interrupts while the program ran,
# can happen on a busy host: counted and shown, not a failure)
grep -q '"type":"summary".*"lost_ringbuf":0,"lost_live_full":0,' "$tmp/trace.json"
ok $? "no ring buffer or map losses" "$(tail -n 1 "$tmp/trace.json")"
grep -q "^summary: [0-9]* allocations" "$tmp/trace.out"
ok $? "summary line printed" "$(tail -n 1 "$tmp/trace.out")"

# 3. size filters
"$kmlab" trace --min-size 100000 --max-size 10 --duration 1 >/dev/null 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "min-size is above --max-size" "$tmp/bad.err"
ok $? "contradictory size filters are a usage error" "rc=$rc"

# 4. run needs modules: the host has none, and says where to go
"$kmlab" run tests/plans/clean/mixed.kml >/dev/null 2>"$tmp/run.err"
rc=$?
[ $rc -eq 2 ] && grep -q "scripts/lab run" "$tmp/run.err"
ok $? "run on a kernel without modules points to the lab" "rc=$rc $(cat "$tmp/run.err")"

tap_end
