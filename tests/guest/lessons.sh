# SPDX-License-Identifier: GPL-2.0
# The lessons teach what they say (tests/plans/lessons/), on a kernel
# booted with slub_debug as the lab is: each `kmlab run` shows the bug
# the lesson is about, and what the kernel's checkers made of it, or the
# data plane's refusal with the true reason.  busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko

# run PLAN: kmlab run it; rc, /tmp/l.json, /tmp/l.txt
run() {
	"$kmlab" run "$1" --module "$ko" --json /tmp/l.json >/tmp/l.txt 2>/tmp/l.err
	rc=$?
}
why() { echo "rc=$rc $(grep -E '"finding"' /tmp/l.json) $(tail -n 3 /tmp/l.err)"; }

run tests/plans/lessons/dangling.kml
[ $rc -eq 1 ] && has /tmp/l.json '"kind":"late_access"' '"line":6,' '"bytes":"6b6b6b6b6b6b6b6b"' &&
	has /tmp/l.json '"kind":"double_free"' '"line":7,' '"seen_by":["plan","slub"]' '"observed":true' &&
	has /tmp/l.json '"kind":"leak"' '"object":"big_buffer"' '"observed":true'
ok $? "dangling: a late read of SLUB's poison, a double free SLUB refused, a leak" "$(why)"

run tests/plans/lessons/poison.kml
[ $rc -eq 1 ] && has /tmp/l.json '"kind":"late_access"' '"line":9,' '"bytes":"6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b"'
ok $? "poison: the freed object reads as 0x6b" "$(why)"

run tests/plans/lessons/red_zone.kml
[ $rc -eq 1 ] && has /tmp/l.json '"kind":"overflow"' '"line":7,' '"access":"write","off":124,"len":8' \
	'"seen_by":["plan","slub"]' '"observed":true' &&
	grep -q "write \[124, 132) of a 128-byte object, found by SLUB's red zone check" /tmp/l.txt &&
	grep -q "freed by kfree at .*; SLUB found it corrupted and refused the free: it stays allocated" /tmp/l.txt
ok $? "red_zone: 4 bytes past a 128-byte kmalloc, SLUB's red zone report joined to the finding, the free it refused" "$(why)"

run tests/plans/lessons/interior_free.kml
[ $rc -eq 1 ] && has /tmp/l.json '"kind":"refused"' '"line":8,' '"reason":"SLUB would write at the inner address before checking it"'
ok $? "interior_free: refused, with the true reason" "$(why)"

run tests/plans/lessons/wrong_free.kml
[ $rc -eq 1 ] && has /tmp/l.json '"kind":"refused"' '"line":8,' '"reason":"this free does not match the allocator"' &&
	grep -q 'depending on the pair, the wrong free corrupts memory, or the kernel warns and leaks the object' /tmp/l.txt
ok $? "wrong_free: refused, with the true reason" "$(why)"

# the data plane never calls ksize(): on 6.2+ that would switch off
# SLUB's check of the bytes between kmalloc(100) and its 128-byte bucket
run tests/plans/hazards/overflow_requested.kml
case $(uname -r) in
6.1.*)
	[ $rc -eq 1 ] && has /tmp/l.json '"kind":"overflow"' '"line":5,' '"seen_by":["plan"]' &&
		has /tmp/l.json '"type":"summary"' '"slub_rounding_blind":1,' &&
		grep -q "does not check the bytes between what a kmalloc asked for and its bucket: 1 of the module's objects have such bytes (100 asked for, 128 given)" /tmp/l.txt
	ok $? "6.1: a write past kmalloc(100) within its bucket: the plan's finding, and the report says SLUB cannot see there" "$(why)" ;;
*)
	[ $rc -eq 1 ] && has /tmp/l.json '"kind":"overflow"' '"line":5,' '"seen_by":["plan","slub"]' &&
		has /tmp/l.json '"type":"summary"' '"slub_rounding_blind":0,'
	ok $? "6.2+: a write past kmalloc(100) within its bucket: SLUB's kmalloc red zone sees it too" "$(why)" ;;
esac

# a second free 1000 times over: SLUB prints each report while the CPU
# waits (20k of them kept a TCG guest busy for minutes), so the data
# plane runs KMLAB_MAX_REPORTS (32) of them and refuses the rest.  Each
# runs only while the slot is still free: another task may take it in
# between, and those are refused for that (module/guard.c).
run tests/plans/hazards/double_free_loop.kml
at8() { grep "\"type\":\"finding\",\"kind\":\"$1\"" /tmp/l.json | grep -F '"line":8,' | grep -F "$2" | grep -c '"observed":true'; }
df=$(at8 double_free '"object":"x"')
rf=$(at8 refused "\"reason\":\"the kernel already reported as many of this plan's hazards as one run may make it print\"")
ru=$(at8 refused '"reason":"the freed memory was handed out again"')
# (a second free after another task was handed the slot and freed it is
# SLUB's to see alone: its refusal, by its stack, is the finding)
[ $rc -eq 1 ] && [ "$df" -ge 1 ] && [ "$df" -le 32 ] && [ $((df + rf + ru)) -eq 1000 ] &&
	grep -q "warning: with every repeat multiplied out the plan makes 1000 hazards the kernel reports" /tmp/l.err &&
	{ [ "$rf" -eq 0 ] || grep -q "refused: the kernel already reported .* (line 8) x[0-9]*, the last at" /tmp/l.txt; } &&
	[ "$(wc -l </tmp/l.txt)" -lt 200 ]
ok $? "a double free repeated 1000 times: at most 32 run, each found, the rest refused with the reason, the text folds them" \
	"rc=$rc double frees $df, refused $rf (reports) $ru (reused), $(wc -l </tmp/l.txt) text lines; $(head -n 3 /tmp/l.err)"
# a second free and a late write through x once the pool handed x's slot
# to y, which never wrote it: the slot reads as SLUB's poison still, and
# only its red zone says it is y's.  Both refused, y freed once, cleanly
# (run, the free would have freed y, and y's own free been the double).
run tests/plans/hazards/reused_slot.kml
px=$(grep '"event":"step"' /tmp/l.json | grep '"line":9,' | sed -n 's/.*"ptr":"\([^"]*\)".*/\1/p')
py=$(grep '"event":"step"' /tmp/l.json | grep '"line":11,' | sed -n 's/.*"ptr":"\([^"]*\)".*/\1/p')
if [ -n "$px" ] && [ "$px" != "$py" ]; then
	ok 0 "reused_slot: # SKIP y was not given x's slot ($px, $py: KFENCE sampled one)"
else
	reused='"reason":"the freed memory was handed out again"'
	[ $rc -eq 1 ] && [ -n "$px" ] &&
		has /tmp/l.json '"kind":"refused","module":"kmlab_dp","object":"x","line":12,' "$reused" &&
		has /tmp/l.json '"kind":"refused","module":"kmlab_dp","object":"x","line":13,' "$reused" &&
		has /tmp/l.json '"event":"step"' '"line":14,' '"result":0,' &&
		has /tmp/l.json '"type":"summary"' '"double_frees":0,' '"late_accesses":0,' '"refused":2,' '"slub_reports":0,' &&
		grep -q "kmem_cache_free refused: the freed memory was handed out again (line 12)" /tmp/l.txt
	ok $? "reused_slot: a second free and a write through a pointer whose slot another object holds, unwritten: both refused, that object freed cleanly" "$(why)"
fi
tap_end
