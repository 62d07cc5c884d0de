# SPDX-License-Identifier: GPL-2.0
# Cases that fooled the observer before, made by our own test modules
# (tests/modules/): a double free reached through tail calls, kmallocs
# large enough to be backed by pages, a module loaded into another's
# freed init text, and a module whose init fails after allocating (busybox
# insmod then tries again).  busybox sh in the lab guest (slub_debug on,
# so the real double free is caught by SLUB and survived); prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko

# watch MODULE: start kmlab watch, JSON in /tmp/h.json, wait until ready
watch() {
	# empty before the start: the wait below must not find an earlier run's line
	: >/tmp/h.err
	"$kmlab" watch "$1" --timeout 120 --json /tmp/h.json >/tmp/h.txt 2>/tmp/h.err &
	pid=$!
	i=0
	while ! grep -q "watching $1: load it now" /tmp/h.err && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
finish() {	# wait for the watch: its status in rc
	wait $pid
	rc=$?
}
findings() { grep '"type":"finding"' /tmp/h.json; }
why() { echo "rc=$rc $(findings | head -n 3) $(tail -n 3 /tmp/h.err)"; }

# 1. exit() { release(p); release(p); }: both kfree()s are jumps, and the
# second release() is one too, so that kfree's call site is
# delete_module, not the module.  Still a double free of its object.
dmesg -c >/dev/null
watch kmlab_cases
insmod "$tko/kmlab_cases.ko" mode=tailfree
rmmod kmlab_cases
finish
has /tmp/h.json '"kind":"double_free"' '"size":200,'
ok $? "tail-call double free found, with the object's size" "$(why)"
[ "$rc" -eq 1 ]
ok $? "watch exits 1 on it" "$(why)"
# SLUB's words depend on the slab: "Object already free", or when the
# object was the only one allocated in its slab, "Slab has 0 allocated
# objects but 1 are to be freed"
dmesg | grep -qE "Object already free|Slab has 0 allocated objects but 1 are to be freed"
ok $? "SLUB saw the same double free (and the kernel survived)" "$(dmesg | grep -E '^\[[ 0-9.]*\] (BUG|FIX) ' | head -n 4)"

# 2. kmallocs of 64 KiB and 8 KiB: their pages are freed inside kfree().
# One free each: no double free, no finding.
watch kmlab_cases
insmod "$tko/kmlab_cases.ko" mode=large
rmmod kmlab_cases
finish
! findings | grep -q .
ok $? "64 KiB and 8 KiB kmallocs freed once: no finding" "$(why)"
a=$(grep -c '"event":"alloc".*"size":65536,.*"family":"kmalloc"' /tmp/h.json)
f=$(grep -c '"event":"free".*"size":65536,' /tmp/h.json)
[ "$a" -eq 1 ] && [ "$f" -eq 1 ]
ok $? "the 64 KiB object: one kmalloc, one free (no page object)" "alloc=$a free=$f"

# 2b. the same through the seed's interface of the data plane
watch kmlab_dp
insmod "$ko" names=small,large values=8192,65536
rmmod kmlab_dp
finish
no_finding "$rc" /tmp/h.json && ! findings | grep -q .
ok $? "insmod kmlab_dp.ko names=small,large values=8192,65536: clean" "$(why)"

# 3. a module loaded after kmlab_tenant's init text was freed may land in
# it: its allocations are its own.  kmlab_cases mode=hold keeps 200
# bytes from its init until its own unload, after kmlab_tenant's.
watch kmlab_tenant
insmod "$tko/kmlab_tenant.ko"
sleep 1	# the init text is freed by a work item, after an RCU grace period
insmod "$tko/kmlab_cases.ko" mode=hold
text=$(cat /sys/module/kmlab_cases/sections/.text)
rmmod kmlab_tenant
finish
rmmod kmlab_cases
no_finding "$rc" /tmp/h.json && ! findings | grep -q .
ok $? "a module loaded after kmlab_tenant's init is not blamed on it" "$(why)"
set -- $(grep '"event":"module_load"' /tmp/h.json |
	sed -n 's/.*"init_text":"\(0x[0-9a-f]*\)","init_text_size":\([0-9]*\).*/\1 \2/p')
# the layout is the kernel's choice: say whether this run tested reuse.
# Modules live in the top 1 GiB (0xffffffffc...): compare the low 32
# bits, which busybox's signed arithmetic holds.
lo() { echo $((0x${1#0xffffffff})); }
if [ $# -eq 2 ] && [ $(($(lo "$text") - $(lo "$1"))) -ge 0 ] &&
	[ $(($(lo "$text") - $(lo "$1"))) -lt "$2" ]; then
	echo "ok $((n += 1)) - kmlab_cases' text ($text) is in kmlab_tenant's freed init text ($1, $2 bytes)"
else
	echo "ok $((n += 1)) - kmlab_cases' text ($text) outside kmlab_tenant's init text (${1:-?}) # SKIP the kernel placed it elsewhere"
fi

# 4. init allocates 64 bytes and fails; busybox insmod tries again with
# init_module(): two loads, a leak each
watch kmlab_cases
insmod "$tko/kmlab_cases.ko" mode=initfail 2>/dev/null
finish
leaks=$(grep -c '"kind":"leak".*"size":64,' /tmp/h.json)
l=$(grep -c '"event":"module_load"' /tmp/h.json)
[ "$leaks" -eq "$l" ] && [ "$l" -ge 1 ]
ok $? "a failing init leaks once per attempt ($l loads, $leaks leaks)" "$(why)"
if [ "$l" -ge 2 ]; then
	has /tmp/h.json '"kind":"leak"' '"size":64,' '"load":1' &&
		has /tmp/h.json '"kind":"leak"' '"size":64,' '"load":2'
	ok $? "each leak names its attempt" "$(why)"
fi
has /tmp/h.json '"event":"module_free"' '"init_failed":true'
ok $? "the unload says the init failed" "$(grep module_free /tmp/h.json)"

# 5. kfree_rcu() at exit: freed as far as the module is concerned
watch kmlab_cases
insmod "$tko/kmlab_cases.ko" mode=rcu
rmmod kmlab_cases
finish
no_finding "$rc" /tmp/h.json && ! findings | grep -q .
ok $? "kfree_rcu at exit: no leak, no double free" "$(why)"

# 6. a timer allocates in softirq context with GFP_ATOMIC: the observer
# sees the module act in an interrupt (so a missed event there could be
# its own: the summary counts it)
watch kmlab_cases
insmod "$tko/kmlab_cases.ko" mode=timer
sleep 1
rmmod kmlab_cases
finish
irq=$(sed -n 's/.*"module_irq_events":\([0-9]*\).*/\1/p' /tmp/h.json)
atomic=$(sed -n 's/.*"module_atomic_allocs":\([0-9]*\).*/\1/p' /tmp/h.json)
no_finding "$rc" /tmp/h.json && [ "${irq:-0}" -ge 1 ] && [ "${atomic:-0}" -ge 1 ]
ok $? "a timer's GFP_ATOMIC allocation: clean, seen in interrupt context" \
	"rc=$rc irq=$irq atomic=$atomic $(grep summary /tmp/h.json)"

# 7. somebody reads /dev/kmlab (its status buffer is a 16 KiB kmalloc,
# backed by pages) while a plan runs and while the module is watched:
# the reader's buffers are allocated and freed once each, no finding.
reader() { while :; do cat /dev/kmlab >/dev/null 2>&1; done; }
reader &
rpid=$!
"$kmlab" run tests/plans/clean/repeat10k.kml --module "$ko" \
	--json /tmp/h.json >/tmp/h.txt 2>/tmp/h.err
rc=$?
kill $rpid 2>/dev/null
wait $rpid 2>/dev/null
[ "$rc" -eq 0 ] && ! findings | grep -q . &&
	has /tmp/h.json '"type":"summary"' '"verdict":"clean"'
ok $? "a /dev/kmlab reader during kmlab run: clean" "$(why)"
watch kmlab_dp
insmod "$ko"
i=0
while [ $i -lt 20 ]; do
	cat /dev/kmlab >/dev/null
	i=$((i + 1))
done
rmmod kmlab_dp
finish
st=$(grep -c '"event":"alloc".*"size":16384,' /tmp/h.json)
no_finding "$rc" /tmp/h.json && ! findings | grep -q . && [ "$st" -ge 20 ]
ok $? "20 reads of /dev/kmlab under kmlab watch: seen ($st buffers), clean" "$(why)"


# 8. init frees a buffer and keeps the pointer; another module is handed
# the slot, frees it, and has the first free the stale pointer again
# (kmlab_late mode=free_again, kmlab_tenant take=ADDR).  The observer
# lets go of an address's free record when anyone is handed it again
# (the free that follows may be the new tenant's), so only SLUB sees
# this double free: its refusal, by its stack, is the finding.
# Both on CPU 0: a free that makes a full slab partial puts it on the
# freeing CPU's own partial list, where only that CPU's allocations look
# (CI once saw the tenant miss the slot in 262,144 tries on another CPU).
on0=
taskset 1 true 2>/dev/null && on0="taskset 1"
dmesg -c >/dev/null
watch kmlab_late
$on0 insmod "$tko/kmlab_late.ko" mode=free_again
addr=$(dmesg | sed -n 's/.*kmlab_late: freed \([0-9a-f]*\)$/\1/p' | tail -n 1)
$on0 insmod "$tko/kmlab_tenant.ko" take="0x${addr:-0}"
took=$?
rmmod kmlab_tenant 2>/dev/null
rmmod kmlab_late
finish
[ "$took" -eq 0 ] && [ "$rc" -eq 1 ] &&
	findings | grep -F '"kind":"double_free"' | grep -F '"size":128,' |
	grep -F '"seen_by":["slub"]' | grep -qF '"site":"kmlab_late_free_again+0x' &&
	grep -q 'freed again at kmlab_late_free_again+0x[0-9a-f]* \[kmlab_late\]' /tmp/h.txt &&
	! grep -q "SLUB found it corrupted" /tmp/h.txt
ok $? "a second free after another module was handed the slot and freed it: the double free SLUB caught, at its site" \
	"took=$took addr=$addr $(dmesg | grep kmlab_tenant | tail -n 1) $(why)"

# 9. kmem_cache_alloc_bulk() fires no kmem tracepoint: its objects are
# seen through its entry and exit.  Eight 96-byte objects, all given
# back by kmem_cache_free_bulk() and the cache destroyed: clean; then
# two kept, and the cache with them: three leaks.
# (its site: init text, which kallsyms no longer names after the init)
bulk_allocs() { grep -c '"event":"alloc".*"size":96,.*"cache":"kmlab_bulk".*"site":"[^"]* \[kmlab_cases\]"' /tmp/h.json; }
watch kmlab_cases
insmod "$tko/kmlab_cases.ko" mode=bulk
rmmod kmlab_cases
finish
[ "$rc" -eq 0 ] && [ "$(bulk_allocs)" -eq 8 ] &&
	[ "$(grep -c '"event":"free".*"size":96,' /tmp/h.json)" -eq 8 ] &&
	! findings | grep -q .
ok $? "8 objects by kmem_cache_alloc_bulk, given back in bulk: seen, clean" "$(bulk_allocs) allocs; $(why)"
watch kmlab_cases
insmod "$tko/kmlab_cases.ko" mode=bulk leak=1
rmmod kmlab_cases
finish
[ "$rc" -eq 1 ] && [ "$(bulk_allocs)" -eq 8 ] &&
	[ "$(findings | grep -F '"kind":"leak"' | grep -F '"size":96,' | grep -cF ' [kmlab_cases]"')" -eq 2 ] &&
	findings | grep -F '"kind":"leak"' | grep -qF '"family":"kmem_cache_create"'
ok $? "two of them kept, and their cache: their leaks, at the bulk call" "$(why)"
tap_end
