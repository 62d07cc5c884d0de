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
watch() {
	"$kmlab" watch "$ko" --unload-after 1 --json "/tmp/$1.json" -- "mode=$1" \
		>"/tmp/$1.txt" 2>"/tmp/$1.err"
	rc=$?
}
why() { echo "rc=$rc $(grep -E '"finding"|"summary"' "/tmp/$1.json") $(tail -n 2 "/tmp/$1.err")"; }

# 1. a field cleared 20 ms after the free: SLUB's poison check finds it
watch late_write
[ $rc -eq 1 ] && has /tmp/late_write.json '"kind":"late_access"' '"size":128,' '"access":"write","off":16,"len":8' \
	'"bytes":"0000000000000000"' '"seen_by":["slub"]' '"site":"late_init+0x'
ok $? "late write: a late_access (write of 8 bytes at offset 16 of a 128-byte object), its bytes, the module's free site" "$(why late_write)"
grep -q "write \[16, 24) found by SLUB's poison check" /tmp/late_write.txt &&
	grep -q 'note: SLUB checked the poison and red zones of .*kmalloc-128' /tmp/late_write.txt
ok $? "the text report says SLUB found it, and which caches kmlab had SLUB check" "$(grep -E 'write|note' /tmp/late_write.txt)"
has /tmp/late_write.json '"type":"summary"' '"late_accesses":1,' '"slub_reports":1,' '"slub_foreign":0,' '"verdict":"findings"'
ok $? "the summary counts one late access and one SLUB report, all the module's" "$(tail -n 1 /tmp/late_write.json)"

# 2. 8 bytes past a 128-byte buffer: the right red zone, on every kernel
watch overflow_end
[ $rc -eq 1 ] && has /tmp/overflow_end.json '"kind":"overflow"' '"size":128,' '"access":"write","off":128,"len":8' \
	'"bytes":"4242424242424242"' '"seen_by":["slub"]' '"site":"late_init+0x'
ok $? "overflow past the cache's object: found, with the bytes written and the allocation site" "$(why overflow_end)"
grep '"kind":"overflow"' /tmp/overflow_end.json | grep -q '"stack":\[[^]]*late_init+0x'
ok $? "... and the stack that allocated it" "$(grep -o '"stack":\[[^]]*\]' /tmp/overflow_end.json)"

# 3. 112 bytes into a 100-byte kmalloc (a 128-byte slot): SLUB knows the
# size asked for only from 6.2 on ("kmalloc Redzone"); 6.1 cannot tell
watch overflow
case $(uname -r) in
6.1.*)
	no_finding $rc /tmp/overflow.json && grep -q 'note: SLUB checked' /tmp/overflow.txt
	ok $? "6.1: an overflow inside kmalloc's rounding is beyond SLUB here: clean, and the check is said" "$(why overflow)" ;;
*)
	[ $rc -eq 1 ] && has /tmp/overflow.json '"kind":"overflow"' '"size":100,' '"access":"write","off":100,"len":12' \
		'"bytes":"414141414141414141414141"' '"seen_by":["slub"]'
	ok $? "6.2+: 12 bytes past a 100-byte kmalloc, inside its 128-byte slot: found" "$(why overflow)" ;;
esac

# 4. no false finding: the same module, used correctly by another module
# (kmlab_cases mode=hold: 200 bytes held and freed) checked the same way
"$kmlab" watch "${KMLAB_KO_DIR:-tests/modules}/kmlab_cases.ko" --unload-after 1 --json /tmp/hold.json \
	-- mode=hold >/tmp/hold.txt 2>/tmp/hold.err
rc=$?
no_finding $rc /tmp/hold.json && has /tmp/hold.json '"type":"summary"' '"slub_checked":"' 'kmalloc-256'
ok $? "a clean module: SLUB checked its cache (kmalloc-256) and found nothing of its" "$(why hold)"

! loaded kmlab_late && ! loaded kmlab_cases
ok $? "both modules unloaded, the kernel still here"
tap_end
