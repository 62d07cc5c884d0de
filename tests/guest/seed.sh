# SPDX-License-Identifier: GPL-2.0
# The seed's interface, as written:
#   insmod kmlab_dp.ko names="buffer,big_buffer" values=1024,4096
# under `kmlab watch`: both buffers allocated at load and freed at unload,
# each step logged, no findings.  Bad parameters are refused with a
# message, and the kernel is fine afterwards.  busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko
count() { grep -c "$1" "$2"; }

dmesg -c >/dev/null
: >/tmp/s.err
"$kmlab" watch kmlab_dp --timeout 120 --json /tmp/s.json >/tmp/s.txt 2>/tmp/s.err &
pid=$!
i=0
until grep -q '^watching kmlab_dp' /tmp/s.err || [ $i -gt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
insmod "$ko" names="buffer,big_buffer" values=1024,4096
ok $? "insmod kmlab_dp.ko names=\"buffer,big_buffer\" values=1024,4096 loads"
rmmod kmlab_dp
ok $? "rmmod kmlab_dp"
wait $pid
rc=$?
no_finding $rc /tmp/s.json
ok $? "kmlab watch reports no findings (exit 0 clean, or 3 inconclusive)" "rc=$rc: $(cat /tmp/s.err /tmp/s.txt | tail -n 5)"
grep -q '"type":"summary".*"findings":0' /tmp/s.json &&
	! grep -q '"verdict":"findings"' /tmp/s.json
ok $? "the summary counts no findings" "$(grep summary /tmp/s.json)"
# an interrupt's allocation the observer had to skip makes it inconclusive,
# never clean: say so, it is not a failure of the module
grep -q '"verdict":"inconclusive"' /tmp/s.json &&
	echo "# verdict inconclusive: $(grep -o '"lost_events":[0-9]*' /tmp/s.json)"
allocs=$(grep '"type":"event"' /tmp/s.json | grep -cE '"event":"alloc".*"size":(1024|4096),')
ok $((allocs != 2)) "both buffers' allocations (1024 and 4096 bytes) were seen" "saw $allocs: $(grep '"event":"alloc"' /tmp/s.json | head -n 3)"
dmesg >/tmp/s.dmesg
grep -q 'buffer' /tmp/s.dmesg && grep -q 'big_buffer' /tmp/s.dmesg
ok $? "the module logs each buffer by name" "$(tail -n 5 /tmp/s.dmesg)"
[ "$(count 'kfree\|free' /tmp/s.dmesg)" -ge 2 ]
ok $? "the module logs both frees at unload" "$(tail -n 5 /tmp/s.dmesg)"

# bad input: clear error, -EINVAL, nothing loaded, kernel fine
for args in 'names=a,b values=1' 'names=bad-name values=8' 'names=x values=0' \
	    'names=x values=99999999999' 'names=,, values=1,2,3'; do
	dmesg -c >/dev/null
	# shellcheck disable=SC2086
	insmod "$ko" $args 2>/tmp/s.ins
	rc=$?
	msg=$(dmesg | grep kmlab_dp | tail -n 1)
	[ $rc -ne 0 ] && [ -n "$msg" ] && ! grep -q '^kmlab_dp ' /proc/modules
	ok $? "insmod $args is refused with a message: ${msg#*] }" "rc=$rc msg='$msg'"
done
insmod "$ko" names=after values=64 && rmmod kmlab_dp
ok $? "the module still loads and unloads after the refusals"
tap_end
