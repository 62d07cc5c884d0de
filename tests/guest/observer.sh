# SPDX-License-Identifier: GPL-2.0
# The observer in the lab guest (6.1, slub_debug): what `kmlab run` and
# `kmlab watch` report about real modules.  Run by tests/guest/run-in-lab
# with busybox sh; prints TAP.  kmlab_leaky's wrong_cache=1 makes SLUB
# warn on purpose:
# lab-options: --expect-warn cache_from_obj:
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko

watch_leaky() {	# watch_leaky INSMOD-ARGS...: JSON in /tmp/w.json, status in rc
	# empty before the start: the wait below must not find an earlier run's line
	: >/tmp/w.err
	"$kmlab" watch kmlab_leaky --timeout 120 --json /tmp/w.json >/tmp/w.txt 2>/tmp/w.err &
	pid=$!
	i=0
	while ! grep -q "watching kmlab_leaky: load it now" /tmp/w.err && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	insmod "${KMLAB_KO_DIR:-tests/modules}/kmlab_leaky.ko" "$@"
	rmmod kmlab_leaky
	wait $pid
	rc=$?
}

run() {	# run PLAN: report in /tmp/r.txt, JSON in /tmp/r.json, status in rc
	"$kmlab" run "$1" --module "$ko" --json /tmp/r.json >/tmp/r.txt 2>/tmp/r.err
	rc=$?
}

# 1. watch: a module that leaks its last seed buffer at unload
watch_leaky names=first,last values=100,3000
ok $((rc != 1)) "watch exits 1 on a leaky module" "rc=$rc $(tail -n 2 /tmp/w.err)"
has /tmp/w.json '"kind":"leak"' '"size":3000' '[kmlab_leaky]"'
ok $? "watch: the 3000-byte buffer leaks, site in kmlab_leaky" "$(grep finding /tmp/w.json)"
! has /tmp/w.json '"kind":"leak"' '"size":100,'
ok $? "watch: the 100-byte buffer was freed: no leak"
has /tmp/w.json '"type":"summary"' '"leaks":1,' '"module_unloaded":true'
ok $? "watch: summary counts one leak" "$(tail -n 1 /tmp/w.json)"

# 1b. watch: copies core helpers make for the module.  kasprintf()
# reaches kmalloc through kvasprintf(): the call site is core code, and
# the stack scan finds the module behind it.  kstrdup_const() tail-calls
# kstrdup(), whose kmalloc_track_caller() names the module itself.
watch_leaky names=first values=100 helpers=1
has /tmp/w.json '"kind":"leak"' '"size":56,' '[kmlab_leaky]"' '"via":"kasprintf+'
ok $? "watch: kasprintf's 56-byte copy leaks, owned by kmlab_leaky, through kasprintf" \
	"rc=$rc $(grep finding /tmp/w.json)"
has /tmp/w.json '"kind":"leak"' '"size":48,' '"site":".text+' '[kmlab_leaky]"' '"kstrdup+'
ok $? "watch: kstrdup_const's 48-byte copy leaks, owned by kmlab_leaky" \
	"rc=$rc $(grep finding /tmp/w.json)"
grep -q "allocated at .*\[kmlab_leaky\] through kasprintf+" /tmp/w.txt
ok $? "watch: the text report names the helper" "$(grep -A1 'leak:' /tmp/w.txt)"
has /tmp/w.json '"type":"summary"' '"leaks":3,'
ok $? "watch: three leaks: the two copies and the seed buffer" \
	"$(tail -n 1 /tmp/w.json)"

# 1c. watch: kmem_cache_free() into another cache.  The kernel warns
# (expected: see lab-options) and frees the object into its own cache;
# kmlab names both caches.
dmesg -c >/dev/null
watch_leaky names=first values=100 wrong_cache=1
has /tmp/w.json '"kind":"wrong_free"' '"freed_into":"kmlab_leaky_b"' '[kmlab_leaky]"'
ok $? "watch: a free into the wrong cache is a finding, naming the cache given" \
	"rc=$rc $(grep finding /tmp/w.json)"
grep -q "allocated from kmlab_leaky_a at" /tmp/w.txt &&
	grep -q "freed into kmlab_leaky_b at" /tmp/w.txt
ok $? "watch: the text report names both caches" "$(grep -A2 'wrong_free' /tmp/w.txt)"
dmesg | grep -q "Wrong slab cache. kmlab_leaky_b but object is from kmlab_leaky_a"
ok $? "the kernel warned about the same free (and survived it)"

# 1d. watch: more frees than the freed map keeps (sized from memory: about
# 61k in the 1 GiB guest): the summary says some records may have aged
# out, and the verdict is "inconclusive"
watch_leaky names=first values=100 churn=70000
aged=$(grep '"type":"summary"' /tmp/w.json | sed -n 's/.*"lost_freed_aged":\([0-9]*\).*/\1/p')
[ "${aged:-0}" -gt 0 ] && has /tmp/w.json '"type":"summary"' '"verdict":"inconclusive"'
ok $? "watch: 70000 frees, more than the freed map keeps: aged-out records counted, verdict inconclusive" \
	"rc=$rc aged=$aged $(tail -n 1 /tmp/w.json)"
grep -q "the oldest frees' records may have aged out" /tmp/w.txt
ok $? "watch: the text report says what aging out costs" "$(grep '^note' /tmp/w.txt)"

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
no_finding $rc /tmp/r.json
ok $? "clean loop: exit 0 (clean) or 3 (inconclusive), as its verdict" "rc=$rc $(tail -n 1 /tmp/r.json)"
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
	no_finding $rc /tmp/r.json || bad=$((bad + 1))
done
ok $bad "clean/mixed.kml 4 times: no false double free" "$bad of 4 runs had findings: $(grep finding /tmp/r.json | head -n 2)"

tap_end
