# SPDX-License-Identifier: GPL-2.0
# The data plane paces itself against `kmlab run`: ten thousand
# allocate-and-free rounds (about 50,000 events, more than the
# observer's ring buffer holds) end clean with nothing lost, even when
# the reader stops for seconds; a plain write of a plan is not paced.
# busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko
plan=tests/plans/clean/repeat10k.kml

field() {	# field NAME: a number of the JSON summary in /tmp/p.json
	grep '"type":"summary"' /tmp/p.json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

start=$(date +%s)
"$kmlab" run $plan --module "$ko" --progress --json /tmp/p.json >/tmp/p.txt 2>/tmp/p.err
rc=$?
echo "# repeat10k: $(($(date +%s) - start)) s, $(grep -c '"event":"step"' /tmp/p.json) steps seen; $(grep '^note: the data plane' /tmp/p.txt)"
ok $rc "repeat10k: kmlab run exits 0" "rc=$rc $(tail -n 3 /tmp/p.err)"
[ "$(field lost_ringbuf)" = 0 ]
ok $? "repeat10k: no event lost to the ring buffer" "$(tail -n 1 /tmp/p.json)"
has /tmp/p.json '"type":"summary"' '"verdict":"clean"'
ok $? "repeat10k: verdict clean" "$(grep -E '^(summary|note|verdict)' /tmp/p.txt)"
tr '\r' '\n' </tmp/p.err | grep -q '^kmlab: [1-9][0-9]* steps, [1-9][0-9]* events, [0-9.]* s$'
ok $? "repeat10k --progress: the steps and events so far, on stderr" "$(tr '\r' '\n' </tmp/p.err | tail -n 3)"
# the text timeline folds the 10,000 lifecycles
[ "$(grep -c 'allocated 64 bytes' /tmp/p.txt)" -le 2 ] && grep -q '\.\.\. x10000: 9999 more lived the same way' /tmp/p.txt
ok $? "repeat10k: the text timeline folds 10,000 same lifecycles into one block" "$(grep -c 'allocated' /tmp/p.txt) allocations printed; $(grep -F '... x' /tmp/p.txt)"

# the reader stops for 6 s: without pacing the data plane would run on
# and finish; paced, it waits, gives up after 2 s without an ack, runs
# one more window, and so on; the ring buffer holds several windows
dmesg -c >/dev/null
"$kmlab" run $plan --module "$ko" --json /tmp/p.json >/tmp/p.txt 2>/tmp/p.err &
pid=$!
i=0
until dmesg | grep -q 'plan repeat10k: .* load' || [ $i -gt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -STOP $pid
sleep 6
kill -CONT $pid
wait $pid
rc=$?
ok $rc "stopped reader: kmlab run exits 0" "rc=$rc $(tail -n 3 /tmp/p.err)"
grep -q '^note: the data plane waited for this reader [0-9]* times; [1-9][0-9]* times it had no ack' /tmp/p.txt
ok $? "stopped reader: the report says the data plane waited, then went on" "$(grep '^note' /tmp/p.txt)"
dmesg | grep -q 'acknowledged nothing for 2000 ms'
ok $? "stopped reader: the data plane logged the stall" "$(dmesg | grep kmlab_dp | tail -n 3)"
[ "$(field lost_ringbuf)" = 0 ]
ok $? "stopped reader: still no event lost to the ring buffer" "$(tail -n 1 /tmp/p.json)"

# no loader, no pacing: a plain write runs the plan to its end
insmod "$ko"
build/irfuzz -b basic >/tmp/basic.blob &&
	cat /tmp/basic.blob >/dev/kmlab && echo reset >/dev/kmlab
ok $? "a plain write of a plan runs without a reader (irfuzz -b basic)"
grep -q '^pace: window=0 ' /dev/kmlab
ok $? "and is not paced" "$(head -n 1 /dev/kmlab)"
rmmod kmlab_dp
tap_end
