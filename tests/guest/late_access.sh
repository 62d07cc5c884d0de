# SPDX-License-Identifier: GPL-2.0
# A driver author's module that writes through a freed pointer or past
# the end of its buffer (tests/modules/kmlab_late.c), under `kmlab watch
# PATH.ko`: SLUB debug (the lab boots slub_debug=FZPU) finds the bytes
# when kmlab has it check the module's caches at the end, and kmlab joins
# its report to the object: the finding names the object's size, the
# offset, the bytes found and the module's site.  busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-tests/modules}/kmlab_late.ko
loaded() { grep -q "^$1 " /proc/modules; }

# watch MODE: kmlab watch the module loaded with mode=MODE; rc, /tmp/MODE.*
# The late accesses come 400 ms after the free: under TCG, kmlab needs
# about 80 ms to read the free's event and move the watchpoints (on
# hardware about 1 ms), and a use sooner than that goes unseen by them.
watch() {
	"$kmlab" watch "$ko" --unload-after 1 --json "/tmp/$1.json" -- "mode=$1" delay_ms=400 \
		>"/tmp/$1.txt" 2>"/tmp/$1.err"
	rc=$?
}
why() { echo "rc=$rc $(grep -E '"finding"|"summary"' "/tmp/$1.json") $(tail -n 2 "/tmp/$1.err")"; }

# 1. a field cleared 20 ms after the free: a hardware watchpoint on the
# module's last free sees it as it happens, SLUB's poison check again at
# the end (so the access is a write): one finding, seen by both
watch late_write
[ $rc -eq 1 ] && has /tmp/late_write.json '"kind":"late_access"' '"size":128,' '"access":"write","off":16,"len":8' \
	'"seen_by":["slub","watchpoint"]' '"site":"late_use+0x' '"free_site":"late_init+0x'
ok $? "late write: one late_access (write of 8 bytes at offset 16 of a 128-byte object), seen by SLUB and a watchpoint" "$(why late_write)"
grep '"kind":"late_access"' /tmp/late_write.json | grep '"stack":\[[^]]*late_use+0x' |
	grep '"free_stack":\[[^]]*late_init+0x' | grep -q '"alloc_stack":\[[^]]*late_init+0x'
ok $? "... with the three stacks: accessed (late_use), freed and allocated (late_init)" \
	"$(grep '"kind":"late_access"' /tmp/late_write.json | grep -o '"[a-z_]*stack":\[[^]]*\]')"
# the .ko's DWARF: each of the module's frames with its source line; the
# access is the write on line 55, the free's frame returns to line 140
grep '"kind":"late_access"' /tmp/late_write.json | grep -q '"stack":\["late_use+0x[0-9a-f]* \[kmlab_late\] (kmlab_late.c:55)"' &&
	grep -q '^       late_init+0x[0-9a-f]* \[kmlab_late\] (kmlab_late.c:1[0-9][0-9])$' /tmp/late_write.txt
ok $? "stack frames name the module's source lines (late_use: kmlab_late.c:55)" \
	"$(grep '"kind":"late_access"' /tmp/late_write.json | grep -o '"stack":\[[^]]*\]') $(grep -A3 'accessed here' /tmp/late_write.txt)"
# kzalloc() is inlined from slab.h: its frame is the line that called it
grep '"kind":"late_access"' /tmp/late_write.json |
	grep -q '"alloc_stack":\["[^"]*","late_init+0x[0-9a-f]* \[kmlab_late\] (kmlab_late.c:135)"'
ok $? "the allocation's frame: the kzalloc() line in kmlab_late.c (135), not slab.h's inlined body" \
	"$(grep '"kind":"late_access"' /tmp/late_write.json | grep -o '"alloc_stack":\[[^]]*\]')"
grep -q 'note: SLUB checked the poison and red zones of .*kmalloc-128' /tmp/late_write.txt &&
	grep -q 'note: [0-9] hardware watchpoints* per CPU covered the first [0-9]* bytes' /tmp/late_write.txt
ok $? "the text report says which caches SLUB checked and what the watchpoints covered" "$(grep -E 'write|note' /tmp/late_write.txt)"
has /tmp/late_write.json '"type":"summary"' '"late_accesses":1,' '"slub_reports":1,' '"slub_foreign":0,' '"verdict":"findings"'
ok $? "the summary counts one late access and one SLUB report, all the module's" "$(tail -n 1 /tmp/late_write.json)"

# 2. a field read 20 ms after the free: SLUB cannot see a read; the
# watchpoint does, and the poison still there afterwards says "read"
watch late_read
[ $rc -eq 1 ] && has /tmp/late_read.json '"kind":"late_access"' '"size":128,' '"access":"read","off":16,"len":8' \
	'"bytes":"6b6b6b6b6b6b6b6b"' '"seen_by":["watchpoint"]' '"site":"late_use+0x' '"free_site":"late_init+0x'
ok $? "late read: a late_access (read of 8 bytes at offset 16), the poison it read, the reading instruction" "$(why late_read)"
grep -q 'read \[16, 24) [0-9.]* ms after its free at late_init+0x[0-9a-f]* \[kmlab_late\], by late_use+0x[0-9a-f]* \[kmlab_late\] (a hardware watchpoint saw it)' /tmp/late_read.txt
ok $? "the text names the free and the read, and what saw it" "$(grep -E 'read|note' /tmp/late_read.txt)"

# 3. 8 bytes past a 128-byte buffer: the right red zone, on every kernel
watch overflow_end
[ $rc -eq 1 ] && has /tmp/overflow_end.json '"kind":"overflow"' '"size":128,' '"access":"write","off":128,"len":8' \
	'"bytes":"4242424242424242"' '"seen_by":["slub"]' '"site":"late_init+0x'
ok $? "overflow past the cache's object: found, with the bytes written and the allocation site" "$(why overflow_end)"
grep '"kind":"overflow"' /tmp/overflow_end.json | grep -q '"stack":\[[^]]*late_init+0x'
ok $? "... and the stack that allocated it" "$(grep -o '"stack":\[[^]]*\]' /tmp/overflow_end.json)"

# 4. 112 bytes into a 100-byte kmalloc (a 128-byte slot): SLUB knows the
# size asked for only from 6.2 on ("kmalloc Redzone"); 6.1 cannot tell
watch overflow
case $(uname -r) in
6.1.*)
	no_finding $rc /tmp/overflow.json && grep -q 'note: SLUB checked' /tmp/overflow.txt &&
		grep -q "note: this kernel's SLUB (before 6.2) does not check the bytes between what a kmalloc asked for and its bucket: 1 of the module's objects have such bytes (100 asked for, 128 given)" /tmp/overflow.txt &&
		has /tmp/overflow.json '"slub_rounding_blind":1,'
	ok $? "6.1: an overflow inside kmalloc's rounding is beyond SLUB here: clean, and the report says SLUB cannot see there" "$(why overflow)" ;;
*)
	[ $rc -eq 1 ] && has /tmp/overflow.json '"kind":"overflow"' '"size":100,' '"access":"write","off":100,"len":12' \
		'"bytes":"414141414141414141414141"' '"seen_by":["slub"]' &&
		has /tmp/overflow.json '"slub_rounding_blind":0,'
	ok $? "6.2+: 12 bytes past a 100-byte kmalloc, inside its 128-byte slot: found" "$(why overflow)" ;;
esac

# 5. no false finding: the same module, used correctly by another module
# (kmlab_cases mode=hold: 200 bytes held and freed) checked the same way
"$kmlab" watch "${KMLAB_KO_DIR:-tests/modules}/kmlab_cases.ko" --unload-after 1 --json /tmp/hold.json \
	-- mode=hold >/tmp/hold.txt 2>/tmp/hold.err
rc=$?
no_finding $rc /tmp/hold.json && has /tmp/hold.json '"type":"summary"' '"slub_checked":"' 'kmalloc-256'
ok $? "a clean module: SLUB checked its cache (kmalloc-256) and found nothing of its" "$(why hold)"

# 6. no false finding when the module frees and allocates again: SLUB
# hands the watched slot out again, and its debug checks fill it while
# the module's kmalloc() is on the stack (the allocator's access, not
# the module's)
watch reuse
no_finding $rc /tmp/reuse.json && has /tmp/reuse.json '"type":"summary"' '"watch_frees":'
ok $? "a module reusing a freed slot at once: no finding, the watchpoints moved to each free" "$(why reuse)"

! loaded kmlab_late && ! loaded kmlab_cases
ok $? "both modules unloaded, the kernel still here"
tap_end
