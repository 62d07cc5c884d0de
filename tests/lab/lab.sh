#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the lab itself (scripts/lab), in TAP.  First the kernel
# trouble scanner on console logs captured from real guest runs (an oops
# and a WARN from a throwaway module, a sysrq panic, and a double free
# that slub_debug caught, which must NOT count as trouble); then live
# boots: exit status, shared files, modules, slub_debug on/off, panic,
# hang, two labs at once.  About 2 minutes.
#
#   bash tests/lab/lab.sh [--scan-only]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
lab=$top/scripts/lab
data=$top/tests/lab/consoles
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1 # $2"; }
check() { if [ "$2" = 0 ]; then ok "$1"; else nok "$1" "${3:-failed}"; fi; }
scan() { awk -f "$top/scripts/lab.d/trouble.awk" "$data/$1"; }

# --- the scanner, on captured consoles ----------------------------------------
out=$(scan oops.log)
grep -q '^BUG: kernel NULL pointer dereference' <<<"$out"
check "scanner: a NULL dereference oops is trouble" $? "got: $out"
out=$(scan warn.log)
grep -q '^WARNING: CPU: .* warn_init' <<<"$out"
check "scanner: a WARN is trouble" $? "got: $out"
out=$(scan panic.log)
grep -q '^Kernel panic - not syncing: sysrq triggered crash' <<<"$out"
check "scanner: a panic is trouble" $? "got: $out"
out=$(scan slub-double-free.log)
grep -q 'Call Trace' "$data/slub-double-free.log" && [ -z "$out" ]
check "scanner: a double free caught by slub_debug (with its Call Trace) is not" $? "got: $out"
out=$(scan wrong-cache.log)
grep -q '^WARNING: CPU: .* cache_from_obj' <<<"$out"
check "scanner: SLUB's wrong-cache warning is trouble when not expected" $? "got: $out"
out=$(awk -v expect=cache_from_obj: -f "$top/scripts/lab.d/trouble.awk" "$data/wrong-cache.log")
[ -z "$out" ]
check "scanner: --expect-warn cache_from_obj: lets that warning pass" $? "got: $out"
out=$(awk -v expect=cache_from_obj: -f "$top/scripts/lab.d/trouble.awk" "$data/warn.log")
grep -q '^WARNING: CPU: .* warn_init' <<<"$out"
check "scanner: an expected warning excuses no other" $? "got: $out"
out=$(sed 's/KMLAB-START/KMLAB-XSTART/' "$data/oops.log" | awk -f "$top/scripts/lab.d/trouble.awk")
[ -z "$out" ]
check "scanner: only the command's window counts" $? "got: $out"

if [ "${1:-}" = --scan-only ]; then
	echo "1..$n"
	exit $((failed > 0))
fi

# --- live boots ----------------------------------------------------------------
work=$(mktemp -d)
other=$(mktemp -d)
trap 'rm -rf "$work" "$other"' EXIT
cd "$work" || exit 2
kver=$(cat "$("$top/scripts/guest-kernel")/version")

out=$("$lab" exec -- 'uname -r; lsmod; ls /sys/kernel/tracing/events/kmem' 2>&1)
rc=$?
[ $rc = 0 ] && grep -qx "$kver" <<<"$out" && grep -q '^9p ' <<<"$out" &&
	grep -qx 'kmalloc' <<<"$out" && grep -qx 'kfree' <<<"$out"
check "boots $kver, 9p loaded, kmem tracepoints there" $? "rc $rc: $(tail -n 5 <<<"$out")"

"$lab" exec -- 'echo out; echo err >&2; exit 3' >stdout.txt 2>stderr.txt
rc=$?
[ $rc = 3 ]
check "the command's exit status (3) is lab's" $? "got $rc"
[ "$(cat stdout.txt)" = "$(printf 'out\nerr')" ]
check "guest stdout and stderr arrive on stdout, without CRs" $? "got: $(od -c stdout.txt | head -3)"

"$lab" exec -- sh -c 'echo hello >rel.txt; pwd >pwd.txt; echo abs >"$1"' x "$other/abs.txt"
[ "$(cat rel.txt 2>/dev/null)" = hello ] && [ "$(cat pwd.txt)" = "$(pwd -P)" ]
check "the guest runs in the host's cwd; files written there land on the host" $?
[ "$(cat "$other/abs.txt" 2>/dev/null)" = abs ]
check "a file written at an absolute path argument lands on the host" $?

out=$("$lab" exec -- 'modprobe dummy && modprobe bonding && lsmod' 2>&1)
rc=$?
[ $rc = 0 ] && grep -q '^dummy ' <<<"$out" && grep -q '^tls ' <<<"$out"
check "modprobe loads Debian modules with their dependencies (bonding needs tls)" $? \
	"rc $rc: $(tail -n 3 <<<"$out")"

if [ -f "$top/module/kmlab_dp.ko" ]; then
	out=$("$lab" exec -- 'echo $KMLAB_MODULE; modinfo -F name $KMLAB_MODULE; which kmlab' 2>&1)
	[ "$(head -n1 <<<"$out")" = "/lib/modules/$kver/extra/kmlab_dp.ko" ] &&
		grep -qx kmlab_dp <<<"$out" && grep -q '/kmlab$' <<<"$out"
	check "KMLAB_MODULE points at the project's module; kmlab is on PATH" $? "got: $out"
else
	ok "KMLAB_MODULE points at the project's module # SKIP module/kmlab_dp.ko not built"
fi

on=$("$lab" exec -- 'cat /sys/kernel/slab/kmalloc-1k/sanity_checks' 2>&1)
off=$("$lab" exec --no-slub-debug -- 'cat /sys/kernel/slab/kmalloc-1k/sanity_checks' 2>&1)
[ "$on" = 1 ] && [ "$off" = 0 ]
check "slub_debug is on by default, off with --no-slub-debug" $? "on: $on, off: $off"

out=$("$lab" exec -- 'echo c >/proc/sysrq-trigger; echo survived' 2>&1)
rc=$?
[ $rc = 125 ] && grep -q 'FAIL: guest kernel panic' <<<"$out" && ! grep -q survived <<<"$out"
check "a guest panic is failure 125 with the panic line" $? "rc $rc: $(head -n 3 <<<"$out")"

start=$(date +%s)
out=$(LAB_TIMEOUT=25 "$lab" exec -- 'echo sleeping; sleep 1000' 2>&1)
rc=$?
took=$(($(date +%s) - start))
[ $rc = 125 ] && grep -q 'guest hung' <<<"$out" && grep -q '^sleeping' <<<"$out" && [ $took -lt 40 ]
check "a hang is failure 125 after LAB_TIMEOUT (25 s; took ${took}s)" $? "rc $rc: $(head -n 3 <<<"$out")"

"$lab" exec -- 'exit 4' >/dev/null 2>&1 &
a=$!
"$lab" exec -- 'exit 5' >/dev/null 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
[ $ra = 4 ] && [ $rb = 5 ]
check "two labs run at once" $? "got $ra and $rb"

"$lab" run >/dev/null 2>&1
rc=$?
[ $rc = 2 ]
check "lab run without a plan is a usage error (2)" $? "got $rc"

echo "1..$n"
exit $((failed > 0))
