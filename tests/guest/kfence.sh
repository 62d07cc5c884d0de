# SPDX-License-Identifier: GPL-2.0
# lab-options: --append kfence.sample_interval=100
# KFENCE (6.12's Debian kernel has it, off unless booted with
# kfence.sample_interval=MS; this guest boots with 100, upstream's
# default): a driver author's module makes its bugs on an object KFENCE
# sampled (tests/modules/kmlab_late.c, kfence_* modes), and `kmlab watch
# PATH.ko` joins KFENCE's report to the object, marked as KFENCE's.
# On a kernel without KFENCE, kmlab says nothing of it.  busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
dir=${KMLAB_KO_DIR:-tests/modules}
loaded() { grep -q "^$1 " /proc/modules; }
why() { echo "rc=$rc $(grep -E '"finding"|"summary"' "/tmp/$1.json") $(grep -E 'KFENCE|note' "/tmp/$1.txt") $(tail -n 3 "/tmp/$1.err")"; }
# finding FILE KIND: the JSON line of the first finding of KIND
finding() { grep "\"type\":\"finding\",\"kind\":\"$2\"" "$1" | head -n 1; }

if [ ! -e /sys/module/kfence/parameters/sample_interval ]; then
	"$kmlab" watch "$dir/kmlab_cases.ko" --unload-after 1 --json /tmp/hold.json \
		-- mode=hold >/tmp/hold.txt 2>/tmp/hold.err
	rc=$?
	no_finding $rc /tmp/hold.json && has /tmp/hold.json '"type":"summary"' '"kfence_interval_ms":-1,' &&
		! grep -q KFENCE /tmp/hold.txt
	ok $? "no KFENCE in $(uname -r): the report says nothing of it, the summary says -1" "$(why hold)"
	tap_end
	exit
fi

# watch MODE: kmlab watch the module loaded with mode=MODE; rc, /tmp/MODE.*
# (400 ms between free and use: the watchpoints are in place by then)
watch() {
	"$kmlab" watch "$dir/kmlab_late.ko" --unload-after 1 --json "/tmp/$1.json" -- "mode=$1" delay_ms=400 \
		>"/tmp/$1.txt" 2>"/tmp/$1.err"
	rc=$?
}

# 1. a field cleared 400 ms after the free of a sampled object: KFENCE's
# unmapped page faults, KFENCE reports and lets the write go on
watch kfence_write
f=$(finding /tmp/kfence_write.json late_access)
[ $rc -eq 1 ] && echo "$f" | grep -F '"size":128,' | grep -F '"access":"write","off":16,' |
	grep -E '"seen_by":\[[^]]*"kfence"' | grep -F '"site":"late_use+0x' |
	grep -E '"stack":\["late_use\+0x[0-9a-f]+ \[kmlab_late\] \(kmlab_late.c:55\)"' |
	grep -qE '"free_site":"(kfence_mode|late_init)\+0x'
ok $? "late write: a late_access (write at offset 16 of a 128-byte object) seen by KFENCE, its instruction, stack and free" "$(why kfence_write)"
grep -qE 'write \[16, (17|24)\) [0-9.]+ ms after its free at .*, by late_use\+0x[0-9a-f]+ \[kmlab_late\] \((a hardware watchpoint and )?KFENCE, on a sampled object, saw it\)' /tmp/kfence_write.txt &&
	grep -q 'note: KFENCE sampled one allocation every 100 ms and reported [1-9]' /tmp/kfence_write.txt
ok $? "the text says KFENCE saw it, and that it samples" "$(grep -E 'write|KFENCE' /tmp/kfence_write.txt)"
has /tmp/kfence_write.json '"type":"summary"' '"late_accesses":1,' '"kfence_interval_ms":100,' '"kfence_foreign":0,'
ok $? "one late access; every KFENCE report was the module's" "$(tail -n 1 /tmp/kfence_write.json)"

# 2. the same field read: KFENCE tells a read from a write
watch kfence_read
f=$(finding /tmp/kfence_read.json late_access)
[ $rc -eq 1 ] && echo "$f" | grep -F '"size":128,' | grep -F '"access":"read","off":16,' |
	grep -E '"seen_by":\[[^]]*"kfence"' | grep -qF '"site":"late_use+0x'
ok $? "late read: a late_access (read at offset 16), seen by KFENCE, at the reading instruction" "$(why kfence_read)"

# 3. 112 bytes into a 100-byte object: KFENCE gives exactly 100 bytes,
# the rest is its canary (found at free) or its guard page (as it happens)
watch kfence_overflow
f=$(finding /tmp/kfence_overflow.json overflow)
[ $rc -eq 1 ] && echo "$f" | grep -F '"size":100,' | grep -E '"access":"write","off":1(0[0-9]|1[01]),' |
	grep -E '"seen_by":\[[^]]*"kfence"' | grep -qE '"stack":\[[^]]*(late_init|kfence_mode|kfence_kmalloc|fill)\+0x'
ok $? "overflow past a 100-byte object: one finding, seen by KFENCE, with the module's stack" "$(why kfence_overflow)"
[ "$(grep -c '"kind":"overflow"' /tmp/kfence_overflow.json)" -eq 1 ]
ok $? "... one finding, though KFENCE may report it twice (guard page, then canary)" "$(grep -c '"kind":"overflow"' /tmp/kfence_overflow.json)"

! loaded kmlab_late
ok $? "the module unloaded, the kernel still here"
tap_end
