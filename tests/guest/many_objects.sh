# SPDX-License-Identifier: GPL-2.0
# A module that holds more objects at once than a fixed 32k-entry map
# would: kmlab_cases mode=many holds 40,000 (kmalloc 32) while loaded.
# The observer's live map is sized from the machine's memory and fills
# as it is used, so none is lost: freed at exit, the watch is clean;
# leaked (leak=1), all 40,000 are reported.  busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}
count=40000

field() {	# field NAME: a number of the JSON summary in /tmp/m.json
	grep '"type":"summary"' /tmp/m.json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}
why() { echo "rc=$rc $(tail -n 3 /tmp/m.err) $(grep '^note' /tmp/m.txt) $(tail -n 1 /tmp/m.json | cut -c1-600)"; }

start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --unload-after 2 --json /tmp/m.json -- mode=many count=$count >/tmp/m.txt 2>/tmp/m.err
rc=$?
echo "# held and freed $count: $(($(date +%s) - start)) s"
[ $rc -eq 0 ] && [ "$(verdict_of /tmp/m.json)" = clean ]
ok $? "$count objects held, then freed: exit 0, verdict clean" "$(why)"
[ "$(field lost_live_full)" = 0 ] && [ "$(field lost_relevant)" = 0 ] && [ "$(field live_max)" -gt $count ]
ok $? "no allocation lost: the live map had room for all $count ($(field live_max))" "$(why)"

start=$(date +%s)
"$kmlab" watch "$tko/kmlab_cases.ko" --unload-after 2 --json /tmp/m.json -- mode=many count=$count leak=1 >/tmp/m.txt 2>/tmp/m.err
rc=$?
echo "# held and leaked $count: $(($(date +%s) - start)) s"
# (a free missed in an interrupt may still make it "inconclusive")
[ $rc -eq 1 ] && [ "$(field leaks)" = $count ] &&
	[ "$(field lost_live_full)" = 0 ] && [ "$(field lost_ringbuf)" = 0 ]
ok $? "$count leaked: exit 1, all $count reported as leaks, none lost" "$(why)"
grep -A1 "leak: (unnamed), 32 bytes" /tmp/m.txt | grep -Eq "allocated at cases_(many|init)\+0x"
ok $? "the leaks name their size and site (cases_many, maybe inlined into cases_init)" "$(grep -m 3 -A1 'leak:' /tmp/m.txt)"
! grep -q kmlab_cases /proc/modules
ok $? "the module was unloaded"
tap_end
