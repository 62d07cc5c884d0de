#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the lab itself (scripts/lab), in TAP.  First the kernel
# trouble scanner on console logs captured from real guest runs (an oops
# and a WARN from a throwaway module, a sysrq panic; and a double free
# that slub_debug caught and allocations the kernel declined with a
# stack dump, which must NOT count as trouble); then live boots of the
# lab's kernel (LAB_KERNEL, default 6.1): exit status, shared files,
# modules, slub_debug on/off, panic, an oops that stops the guest at
# once, hang, two labs at once, run --compiled, --kernel.  About 3
# minutes.
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
out=$(scan slub-double-free-6.12.log)
grep -q 'WARNING: CPU: .* object_err' "$data/slub-double-free-6.12.log" && [ -z "$out" ]
check "scanner (6.12): a double free caught by slub_debug, with SLUB's own WARN_ON, is not" $? "got: $out"
out=$(grep -v 'BUG kmalloc-128 (' "$data/slub-double-free-6.12.log" | awk -f "$top/scripts/lab.d/trouble.awk")
grep -q '^WARNING: CPU: .* object_err' <<<"$out"
check "scanner: that WARN outside a SLUB report is trouble" $? "got: $out"
# 6.1-rt under a burst of SLUB reports: printk dropped the next report's
# header, its stack dump (object_err's) arrives alone
out=$(scan slub-dropped-6.1-rt.log)
grep -q 'printk messages dropped' "$data/slub-dropped-6.1-rt.log" && [ -z "$out" ]
check "scanner: a SLUB report's stack dump whose header printk dropped is not" $? "got: $out"
out=$(sed 's/ object_err+0x/ other_fn+0x/' "$data/slub-dropped-6.1-rt.log" | awk -f "$top/scripts/lab.d/trouble.awk")
grep -q '^Call Trace' <<<"$out"
check "scanner: any other stack dump after dropped lines is trouble" $? "got: $out"
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
# A 4 MiB debug cache (kmem_cache_create fails, dump_stack), an 8 MiB
# kmalloc (order too big: WARN in __alloc_pages), order-10 pages until
# none is left (warn_alloc, Mem-Info): then the module's own WARN_ON.
for v in 6.1 6.12; do
	f=alloc-failure-$v.log
	out=$(scan "$f")
	[ "$(grep -c 'Call Trace' "$data/$f")" = 4 ] &&
		[ "$out" = "$(printf '%s\nCall Trace:' "$(grep -o 'WARNING: CPU: .*walloc.c.*' "$data/$f" | tr -d '\r')")" ]
	check "scanner ($v): allocations the kernel declined with a stack dump are not trouble; the WARN after them is" $? "got: $out"
done
out=$(sed '/Mem-Info:/a [   17.081500] Call Trace:' "$data/alloc-failure-6.1.log" | awk -f "$top/scripts/lab.d/trouble.awk")
[ "$(grep -c 'Call Trace' <<<"$out")" = 2 ]
check "scanner: a failed allocation's report excuses its own stack dump, not another" $? "got: $out"
out=$(sed '/page allocation failure/a [   17.070000] BUG: unable to handle page fault for address: 0000000000001234' "$data/alloc-failure-6.1.log" |
	awk -f "$top/scripts/lab.d/trouble.awk")
grep -q '^BUG: unable to handle page fault' <<<"$out" && [ "$(grep -c 'Call Trace' <<<"$out")" = 2 ]
check "scanner: an oops inside a failed allocation's report is trouble, its stack too" $? "got: $out"

if [ "${1:-}" = --scan-only ]; then
	echo "1..$n"
	exit $((failed > 0))
fi

# --- live boots ----------------------------------------------------------------
work=$(mktemp -d)
other=$(mktemp -d)
trap 'rm -rf "$work" "$other"' EXIT
cd "$work" || exit 2
guest=$("$top/scripts/guest-kernel") || exit 2
kver=$(cat "$guest/version")
kdir=$guest/usr/src/linux-headers-$kver

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

if [ -f "$top/build/kmod/$kver/module/kmlab_dp.ko" ]; then
	out=$("$lab" exec -- 'echo $KMLAB_MODULE; echo $KMLAB_KO_DIR; modinfo -F name $KMLAB_MODULE;
		modinfo -F vermagic $KMLAB_KO_DIR/kmlab_dp.ko; which kmlab' 2>&1)
	[ "$(sed -n 1p <<<"$out")" = "/lib/modules/$kver/extra/kmlab_dp.ko" ] &&
		[ "$(sed -n 2p <<<"$out")" = "/lib/modules/$kver/extra" ] &&
		grep -qx kmlab_dp <<<"$out" && grep -q "^$kver " <<<"$out" && grep -q '/kmlab$' <<<"$out"
	check "KMLAB_MODULE and KMLAB_KO_DIR name the project's modules built for $kver; kmlab is on PATH" $? "got: $out"
else
	ok "KMLAB_MODULE and KMLAB_KO_DIR name the project's modules # SKIP build/kmod/$kver/module/kmlab_dp.ko not built (make module)"
fi

on=$("$lab" exec -- 'cat /sys/kernel/slab/kmalloc-1k/sanity_checks' 2>&1)
off=$("$lab" exec --no-slub-debug -- 'cat /sys/kernel/slab/kmalloc-1k/sanity_checks' 2>&1)
[ "$on" = 1 ] && [ "$off" = 0 ]
check "slub_debug is on by default, off with --no-slub-debug" $? "on: $on, off: $off"

out=$("$lab" exec -- 'echo c >/proc/sysrq-trigger; echo survived' 2>&1)
rc=$?
[ $rc = 125 ] && grep -q 'FAIL: guest kernel panic' <<<"$out" && ! grep -q survived <<<"$out"
check "a guest panic is failure 125 with the panic line" $? "rc $rc: $(head -n 3 <<<"$out")"

# A throwaway module that oopses or warns at load, built for this kernel.
mkdir -p "$work/oopsmod"
cat >"$work/oopsmod/labtrouble.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
/* tests/lab/lab.sh: kernel trouble on demand (oops=1 or warn=1). */
#include <linux/bug.h>
#include <linux/module.h>

static int oops;
module_param(oops, int, 0);
static int warn;
module_param(warn, int, 0);

static int __init labtrouble_init(void)
{
	WARN_ON(warn);
	if (oops)
		return *(volatile int *)0;
	return 0;
}
module_init(labtrouble_init);
MODULE_LICENSE("GPL");
EOF
echo 'obj-m := labtrouble.o' >"$work/oopsmod/Kbuild"
if make -s -C "$kdir" M="$work/oopsmod" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$work/oopsmod/log" 2>&1; then
	export LAB_MODULES="$work/oopsmod/labtrouble.ko"
	start=$(date +%s)
	out=$(LAB_TIMEOUT=200 "$lab" exec -- 'insmod $KMLAB_KO_DIR/labtrouble.ko oops=1; echo insmod returned; sleep 1000' 2>&1)
	rc=$?
	took=$(($(date +%s) - start))
	[ $rc = 125 ] && grep -q 'FAIL: kernel trouble during the command: BUG: kernel NULL pointer' <<<"$out" &&
		grep -q 'not waiting for LAB_TIMEOUT' <<<"$out" && grep -q '^insmod returned' <<<"$out" && [ $took -lt 80 ]
	check "an oops stops the guest within seconds, not at LAB_TIMEOUT (took ${took}s of 200)" $? "rc $rc: $(head -n 5 <<<"$out")"
	out=$("$lab" exec -- 'insmod $KMLAB_KO_DIR/labtrouble.ko warn=1; echo still running' 2>&1)
	rc=$?
	[ $rc = 125 ] && grep -q '^still running' <<<"$out" && grep -q 'FAIL: kernel trouble during the command: WARNING: CPU' <<<"$out"
	check "a WARNING fails the run (125) but lets the command finish" $? "rc $rc: $(head -n 5 <<<"$out")"
	unset LAB_MODULES
else
	nok "a throwaway module builds for $kver" "$(tail -n 5 "$work/oopsmod/log")"
fi

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

# the plan's own module: kmlab gen and kbuild here, kmlab run --compiled there
out=$(cd "$top" && "$lab" run --compiled tests/plans/clean/seed.kml 2>&1)
rc=$?
[ $rc = 0 ] && grep -q '^kmlab: plan tests/plans/clean/seed.kml, compiled' <<<"$out" &&
	grep -q 'module kmlab_seed (' <<<"$out" && grep -q '^verdict: clean' <<<"$out" &&
	[ "$(grep -c 'freed by kfree at plan_unload' <<<"$out")" = 2 ]
check "lab run --compiled: the seed's plan built for the guest's kernel, run in its own module, clean" $? "rc $rc: $(tail -n 5 <<<"$out")"
"$lab" exec --compiled -- true >/dev/null 2>&1
rc=$?
[ $rc = 2 ]
check "--compiled belongs to lab run alone (2)" $? "got $rc"

out=$("$lab" exec --kernel 5.4 -- true 2>&1)
rc=$?
[ $rc = 126 ] && grep -q "no Debian kernel for flavour '5.4'" <<<"$out" && grep -q 'offers: .*6\.1' <<<"$out"
check "--kernel with a flavour the archive lacks says which it has (126)" $? "rc $rc: $out"

# The other kernel of make check, booted by --kernel (cached by scripts/deps).
other=6.12
[ "$kver" != "${kver#6.12}" ] && other=6.1
if og=$("$top/scripts/guest-kernel" "$other" 2>/dev/null); then
	ov=$(cat "$og/version")
	out=$("$lab" exec --kernel "$other" -- 'uname -r; echo $KMLAB_KO_DIR' 2>&1)
	rc=$?
	[ $rc = 0 ] && [ "$(head -n1 <<<"$out")" = "$ov" ] && grep -qx "/lib/modules/$ov/extra" <<<"$out"
	check "--kernel $other boots $ov" $? "rc $rc: $(tail -n 3 <<<"$out")"
else
	ok "--kernel $other boots it # SKIP $other not cached (scripts/deps)"
fi

echo "1..$n"
exit $((failed > 0))
