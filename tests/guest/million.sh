# SPDX-License-Identifier: GPL-2.0
# A million planned steps (tests/bench/million.kml: 1,020,000 kmallocs
# and kfrees over three phases) under `kmlab run`: nothing lost, verdict
# clean, the text timeline one block per phase, and the loader's memory
# flat: its peak RSS (ring buffer mappings included) within 64 MiB,
# where keeping every object took 270 MiB.  busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko
plan=tests/bench/million.kml

start=$(date +%s)
"$kmlab" run $plan --module "$ko" >/tmp/mi.txt 2>/tmp/mi.err &
pid=$!
hwm=0
while kill -0 $pid 2>/dev/null; do
	# VmHWM is the high-water mark: the last reading is the peak
	h=$(sed -n 's/^VmHWM:[ \t]*\([0-9]*\) kB/\1/p' /proc/$pid/status 2>/dev/null)
	[ -n "$h" ] && hwm=$h
	sleep 0.5
done
wait $pid
rc=$?
echo "# million: $(($(date +%s) - start)) s, loader peak RSS $((hwm / 1024)) MiB; $(grep '^note: the data plane' /tmp/mi.txt)"
why() { echo "rc=$rc $(tail -n 3 /tmp/mi.err) $(grep -E '^(summary|note|verdict)' /tmp/mi.txt)"; }

[ $rc -eq 0 ] && grep -qx 'verdict: clean' /tmp/mi.txt
ok $? "1,020,000 steps: kmlab run exits 0, verdict clean" "$(why)"
grep -q '^summary: 0 findings .*; lost: 0 ring buffer, 0 live map full, 0 freed map, 0 freed records aged,' /tmp/mi.txt
ok $? "1,020,000 steps: no event lost" "$(why)"
[ "$(grep -c '\.\.\. x170000: 169999 more lived the same way' /tmp/mi.txt)" = 3 ]
ok $? "the text timeline: one block of 170,000 lifecycles per phase" "$(grep -F '... x' /tmp/mi.txt)"
[ "$hwm" -gt 0 ] && [ "$hwm" -le $((64 * 1024)) ]
ok $? "the loader's peak RSS stayed within 64 MiB ($((hwm / 1024)) MiB)" "VmHWM $hwm kB"
! grep -q kmlab_dp /proc/modules
ok $? "kmlab_dp was unloaded"
tap_end
