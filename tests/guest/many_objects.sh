# SPDX-License-Identifier: GPL-2.0
# A module that holds more objects at once than a fixed 32k-entry map
# would: kmlab_cases mode=many holds 40,000 (kmalloc 32) while loaded.
# The observer's live map is sized from the machine's memory and fills
# as it is used, so none is lost: freed at exit, the watch is clean;
# leaked (leak=1), all 40,000 are reported.  A map too small (--live)
# is counted and named, with the room that would do (first: the 40,000
# leaked stay in kmalloc-32, which SLUB validates at each end after).
# busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}
count=40000

# The JSON's last line is its summary: read once per run (tail seeks to
# the end; tens of MB of leak findings are slow to scan under TCG)
summary() { tail -n 1 /tmp/m.json > /tmp/m.sum; }
field() {	# field NAME: a number of the JSON summary in /tmp/m.sum
	sed -n "s/.*\"type\":\"summary\".*\"$1\":\([0-9]*\).*/\1/p" /tmp/m.sum
}
why() { echo "rc=$rc $(tail -n 3 /tmp/m.err) $(tail -n 30 /tmp/m.txt | grep '^note') $(cut -c1-600 /tmp/m.sum)"; }

# Too little room, asked for: the full map is counted, named, and the
# note says what room would do; with that room, nothing is lost.
small=4096 few=10000
start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --live $small --unload-after 2 --json /tmp/m.json -- mode=many count=$few >/tmp/m.txt 2>/tmp/m.err
rc=$?
summary
echo "# $few objects in room for $small: $(($(date +%s) - start)) s"
lost=$(field lost_live_full)
[ $rc -eq 3 ] && [ "$(field live_max)" = $small ] && [ "$lost" -ge $((few - small)) ] &&
	[ "$(verdict_of /tmp/m.sum)" = inconclusive ]
ok $? "--live $small for $few objects: exit 3, inconclusive, $lost allocations counted as lost to the full map" "$(why)"
want=$(sed -n "s/^note: the module held more objects at once than the observer's live map has room for ($small): [0-9]* of its allocations were not followed.* --live \([0-9]*\) gives room for all of them$/\1/p" /tmp/m.txt)
[ -n "$want" ] && [ "$want" -ge $few ]
ok $? "the report names the full map and the room that would do: --live $want" "$(grep '^note' /tmp/m.txt)"
start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --live "${want:-$few}" --unload-after 2 --json /tmp/m.json -- mode=many count=$few >/tmp/m.txt 2>/tmp/m.err
rc=$?
summary
echo "# $few objects in room for ${want:-?}: $(($(date +%s) - start)) s"
[ $rc -eq 0 ] && [ "$(field lost_live_full)" = 0 ] && [ "$(field live_max)" = "$want" ]
ok $? "with --live $want: exit 0, none lost" "$(why)"
start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --live 2000000000 -- mode=many count=1 >/tmp/m.txt 2>/tmp/m.err
rc=$?
echo "# refused: $(($(date +%s) - start)) s"
[ $rc -eq 2 ] && grep -q "more than half of the .* MiB available: give --live [0-9]* or less" /tmp/m.err &&
	! grep -q kmlab_cases /proc/modules
ok $? "--live beyond the memory: exit 2, says what fits, loads nothing" "rc=$rc $(cat /tmp/m.err)"

start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --unload-after 2 --json /tmp/m.json -- mode=many count=$count >/tmp/m.txt 2>/tmp/m.err
rc=$?
summary
echo "# held and freed $count: $(($(date +%s) - start)) s"
[ $rc -eq 0 ] && [ "$(verdict_of /tmp/m.sum)" = clean ]
ok $? "$count objects held, then freed: exit 0, verdict clean" "$(why)"
[ "$(field lost_live_full)" = 0 ] && [ "$(field lost_relevant)" = 0 ] && [ "$(field live_max)" -gt $count ]
ok $? "no allocation lost: the live map had room for all $count ($(field live_max))" "$(why)"

start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --unload-after 2 --json /tmp/m.json -- mode=many count=$count leak=1 >/tmp/m.txt 2>/tmp/m.err
rc=$?
summary
echo "# held and leaked $count: $(($(date +%s) - start)) s"
# (a free missed in an interrupt may still make it "inconclusive")
[ $rc -eq 1 ] && [ "$(field leaks)" = $count ] &&
	[ "$(field lost_live_full)" = 0 ] && [ "$(field lost_ringbuf)" = 0 ]
ok $? "$count leaked: exit 1, all $count reported as leaks, none lost" "$(why)"
grep -A1 "leak: (unnamed), 32 bytes" /tmp/m.txt | grep -Eq "allocated at cases_(many|init)\+0x"
ok $? "the leaks name their size and site (cases_many, maybe inlined into cases_init)" "$(grep -m 3 -A1 'leak:' /tmp/m.txt)"

! grep -q kmlab_cases /proc/modules
ok $? "the module was unloaded"
echo "# the whole test: $(cut -d. -f1 /proc/uptime) s since boot"
tap_end
