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

# A ring buffer far too small for the module's records (--ring 1: room
# for about 4,700 allocation records; 40,000 come in one loop, faster
# than kmlab reads them): those it had no room for are counted and the
# report names the room that would do; but the live map followed every
# object, so the answer stands: clean when all were freed, every leak
# (its size and site) when none was.
start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --ring 1 --unload-after 2 --json /tmp/m.json -- mode=many count=$count >/tmp/m.txt 2>/tmp/m.err
rc=$?
summary
lost_a=$(field lost_ringbuf_allocs) lost_f=$(field lost_ringbuf_frees)
echo "# --ring 1, held and freed $count: $(($(date +%s) - start)) s; records lost: $lost_a allocations, $lost_f frees; $(field frees_unseen) shown freed without their record"
[ "$(field ring_bytes)" = 1048576 ] && [ $((lost_a + lost_f)) -gt 0 ] && [ "$(field lost_ringbuf)" -ge $((lost_a + lost_f)) ]
ok $? "--ring 1: a 1 MiB ring buffer, and records it had no room for counted ($lost_a allocations, $lost_f frees)" "$(why)"
[ $rc -eq 0 ] && [ "$(verdict_of /tmp/m.sum)" = clean ] && [ "$(field leaks)" = 0 ] && [ "$(field lost_relevant)" = 0 ]
ok $? "... all freed: still exit 0, verdict clean, no leak (the live map saw every free)" "$(why)"
grep -Eq "^note: the ring buffer \(1 MiB\) had no room for $lost_a allocation and $lost_f free records: the timeline lacks them; the observer's live map followed every object.*; --ring [0-9]+ gives room for them$" /tmp/m.txt
ok $? "the report says what the timeline lacks, why the verdict stands, and the --ring that would do" "$(grep '^note: the ring' /tmp/m.txt)"

start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --ring 1 --unload-after 2 --json /tmp/m.json -- mode=many count=$count leak=1 >/tmp/m.txt 2>/tmp/m.err
rc=$?
summary
lost_a=$(field lost_ringbuf_allocs)
echo "# --ring 1, held and leaked $count: $(($(date +%s) - start)) s; allocation records lost: $lost_a"
# (the lost records count for nothing in lost_relevant; a free missed in
# an interrupt still may, and make it inconclusive)
[ $rc -eq 1 ] && [ "$(field leaks)" = $count ] && [ "$(field lost_live_full)" = 0 ] && [ "$lost_a" -gt 0 ] &&
	[ "$(field lost_relevant)" -le "$(field recursion_misses)" ]
ok $? "--ring 1, $count leaked: exit 1, all $count reported as leaks though $lost_a allocation records were lost" "$(why)"
# each leak's line, then its site's: as many sites in the module
leaks=$(grep -c "leak: (unnamed), 32 bytes" /tmp/m.txt)
sites=$(grep -A1 "leak: (unnamed), 32 bytes" /tmp/m.txt | grep -Ec "allocated at cases_(many|init)\+0x")
[ "$leaks" -ge 1 ] && [ "$sites" = "$leaks" ]
ok $? "... each with its size and site, also those whose record was lost ($sites of $leaks leak lines name cases_many or cases_init)" "$(grep -m 3 -A1 'leak:' /tmp/m.txt)"

! grep -q kmlab_cases /proc/modules
ok $? "the module was unloaded"
echo "# the whole test: $(cut -d. -f1 /proc/uptime) s since boot"
tap_end
