# SPDX-License-Identifier: GPL-2.0
# Ctrl-C during `kmlab run`: SIGINT (and SIGTERM) mid-plan stops the plan
# at the next op, prints what was seen so far with the verdict
# "interrupted", exits 128 + the signal, and leaves no kmlab_dp behind,
# so the next run works.  busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko

# 200 x 50 ms: about 10 s, if nothing stops it
cat >/tmp/long.kml <<'EOF'
# a long plan, to be interrupted
plan long
keep = kmalloc(128)
repeat 200 {
  x = kmalloc(64)
  pause 50 ms
  free x
}
free keep
EOF

# interrupt SIG: run the long plan, send SIG once it runs; report in
# /tmp/i.txt and /tmp/i.json, status in rc, seconds from SIG to exit in took
interrupt() {
	dmesg -c >/dev/null
	"$kmlab" run /tmp/long.kml --module "$ko" --json /tmp/i.json >/tmp/i.txt 2>/tmp/i.err &
	pid=$!
	i=0
	until dmesg | grep -q 'plan long: .* load' || [ $i -gt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	sent=$(date +%s)
	kill "-$1" $pid
	wait $pid
	rc=$?
	took=$(($(date +%s) - sent))
}

interrupt INT
ok $((rc != 130)) "SIGINT mid-plan: kmlab run exits 130 (128 + SIGINT)" "rc=$rc $(tail -n 3 /tmp/i.err)"
[ "$took" -le 15 ]
ok $? "it stops promptly ($took s from SIGINT to exit)"
grep -q '^verdict: interrupted$' /tmp/i.txt
ok $? "the report says: verdict: interrupted" "$(tail -n 4 /tmp/i.txt)"
grep -q '^note: interrupted by SIGINT: the data plane stopped before line [0-9]* of the plan' /tmp/i.txt
ok $? "the report says where the plan stopped" "$(grep '^note' /tmp/i.txt)"
grep -q '^summary: ' /tmp/i.txt && grep -q 'keep (line 3)' /tmp/i.txt
ok $? "the report shows what was seen until then (keep, line 3)" "$(head -n 12 /tmp/i.txt)"
has /tmp/i.json '"type":"summary"' '"verdict":"interrupted"' '"interrupted":"SIGINT"'
ok $? "the JSON summary says interrupted" "$(tail -n 1 /tmp/i.json)"
! grep -q '"kind":"leak"' /tmp/i.json
ok $? "reset freed what the plan held: no leak" "$(grep '"kind"' /tmp/i.json)"
dmesg | grep -q 'plan long: load phase stopped before line [0-9]*: aborted'
ok $? "the data plane stopped the phase on the abort" "$(dmesg | grep kmlab_dp | tail -n 4)"
! lsmod | grep -q '^kmlab_dp '
ok $? "kmlab_dp is no longer loaded" "$(lsmod | grep kmlab)"

"$kmlab" run tests/plans/clean/repeat.kml --module "$ko" >/tmp/n.txt 2>/tmp/n.err
rc=$?
no_finding $rc /tmp/n.txt
ok $? "the next run works (status 0 clean, or 3 inconclusive)" "rc=$rc $(tail -n 3 /tmp/n.err /tmp/n.txt)"
grep -Eq '^verdict: (clean|inconclusive)$' /tmp/n.txt
ok $? "and is not interrupted" "$(tail -n 2 /tmp/n.txt)"

interrupt TERM
ok $((rc != 143)) "SIGTERM mid-plan: exits 143 (128 + SIGTERM)" "rc=$rc $(tail -n 3 /tmp/i.err)"
grep -q '^verdict: interrupted$' /tmp/i.txt &&
	grep -q '^note: interrupted by SIGTERM' /tmp/i.txt
ok $? "SIGTERM: the report says interrupted" "$(tail -n 4 /tmp/i.txt)"
! lsmod | grep -q '^kmlab_dp '
ok $? "SIGTERM: kmlab_dp is no longer loaded" "$(lsmod | grep kmlab)"
tap_end
