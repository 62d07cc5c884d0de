# SPDX-License-Identifier: GPL-2.0
# The observer in the lab guest (6.1, slub_debug): what `kmlab run` and
# `kmlab watch` report about real modules.  Run by tests/guest/run-in-lab
# with busybox sh; prints TAP.
kmlab=${KMLAB:-build/kmlab}
ko=module/kmlab_dp.ko
n=0
fail=0

ok() {	# ok STATUS NAME [WHY]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2 # ${3:-}"
		fail=$((fail + 1))
	fi
}

# has FILE PATTERN...: every pattern is on one line of FILE
has() {
	f=$1
	shift
	line=$(grep -F -- "$1" "$f")
	shift
	for p in "$@"; do
		line=$(echo "$line" | grep -F -- "$p")
	done
	[ -n "$line" ]
}

run() {	# run PLAN: report in /tmp/r.txt, JSON in /tmp/r.json, status in rc
	"$kmlab" run "$1" --module "$ko" --json /tmp/r.json >/tmp/r.txt 2>/tmp/r.err
	rc=$?
}

# 1. watch: a module that leaks its last seed buffer at unload
"$kmlab" watch kmlab_leaky --timeout 60 --json /tmp/w.json >/tmp/w.txt 2>/tmp/w.err &
pid=$!
i=0
while ! grep -q "watching kmlab_leaky: load it now" /tmp/w.err && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
insmod module/kmlab_leaky.ko names=first,last values=100,3000
rmmod kmlab_leaky
wait $pid
rc=$?
ok $((rc != 1)) "watch exits 1 on a leaky module" "rc=$rc $(tail -n 2 /tmp/w.err)"
has /tmp/w.json '"kind":"leak"' '"size":3000' '[kmlab_leaky]"'
ok $? "watch: the 3000-byte buffer leaks, site in kmlab_leaky" "$(grep finding /tmp/w.json)"
! has /tmp/w.json '"kind":"leak"' '"size":100,'
ok $? "watch: the 100-byte buffer was freed: no leak"
has /tmp/w.json '"type":"summary"' '"leaks":1,' '"module_unloaded":true'
ok $? "watch: summary counts one leak" "$(tail -n 1 /tmp/w.json)"

# 2. run: double free on a guarded cache (slub_debug catches it)
run tests/plans/hazards/double_free.kml
ok $((rc != 1)) "run double_free.kml exits 1" "rc=$rc $(head -n 3 /tmp/r.err)"
has /tmp/r.json '"kind":"double_free"' '"object":"twice"' '"line":5,' \
	'"first_free_site":"' '[kmlab_dp]"' '"predicted":true,"observed":true'
ok $? "double free: object, line, both free sites, predicted and observed" \
	"$(grep finding /tmp/r.json)"

# 3. run: late read shows SLUB's poison, and a leak with its age
run tests/plans/lessons/dangling.kml
has /tmp/r.json '"kind":"late_access"' '"object":"buffer"' '"access":"read"' \
	'"bytes":"6b6b' '"observed":true'
ok $? "late read: the poison bytes seen" "$(grep late_access /tmp/r.json)"
grep -q "these bytes are SLUB's poison (0x6b)" /tmp/r.txt
ok $? "late read: the sentence explains the poison"
has /tmp/r.json '"kind":"leak"' '"object":"big_buffer"' '"size":4096,' '"age_ms":'
ok $? "leak: name, size and age at unload" "$(grep '"leak"' /tmp/r.json)"

# 4. run: 1000 alloc/free rounds, nothing lost, nothing left
run tests/plans/clean/repeat.kml
has /tmp/r.json '"type":"summary"' '"findings":0,' '"lost_ringbuf":0,' \
	'"lost_live_full":0,'
ok $? "clean loop of 1000: no findings, no ring buffer loss" "$(tail -n 1 /tmp/r.json)"
ok $rc "clean loop exits 0" "rc=$rc"
allocs=$(grep -c '"event":"alloc",.*"size":256,' /tmp/r.json)
frees=$(grep -c '"event":"free",.*"size":256,' /tmp/r.json)
[ "$allocs" -eq 1000 ] && [ "$frees" -eq 1000 ]
ok $? "every one of the 1000 allocations and frees seen" "allocs=$allocs frees=$frees"

# 5. run: an interior free, seen by the observer (not the module's word)
run tests/plans/hazards/interior_free.kml
if has /tmp/r.json '"kind":"refused"' '"line":4,'; then
	n=$((n + 1))
	echo "ok $n - interior free observed at its line # SKIP the data plane refuses it here"
else
	has /tmp/r.json '"kind":"interior_free"' '"object":"buffer"' '"line":4,' '"observed":true'
	ok $? "interior free observed at its line" "$(grep finding /tmp/r.json)"
fi

# 6. an address the module freed, reused by the kernel on the module's
# behalf (kasprintf of a cache name) and freed again: no double free
bad=0
for i in 1 2 3 4; do
	run tests/plans/clean/mixed.kml
	[ $rc -eq 0 ] || bad=$((bad + 1))
done
ok $bad "clean/mixed.kml 4 times: no false double free" "$bad of 4 runs had findings: $(grep finding /tmp/r.json | head -n 2)"

echo "1..$n"
[ $fail -eq 0 ]
