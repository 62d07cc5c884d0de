# SPDX-License-Identifier: GPL-2.0
# A module that allocates without pause, for as long as it is loaded
# (kmlab_cases mode=flood): under TCG its events come faster than kmlab
# reads them.  kmlab must still keep its own time: unload the module at
# --unload-after, end, and say what it could not read.  It once never
# returned from reading (libbpf reads on while records keep coming), so
# the module stayed loaded and kmlab ran for good.  busybox sh; TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}

start=$(cut -d. -f1 /proc/uptime)
timeout 240 "$kmlab" watch "$tko/kmlab_cases.ko" --unload-after 3 --json /tmp/f.json -- mode=flood >/tmp/f.txt 2>/tmp/f.err
rc=$?
took=$(($(cut -d. -f1 /proc/uptime) - start))
echo "# kmlab exit $rc after ${took} s; $(grep '^summary' /tmp/f.txt)"
[ $rc -ne 124 ] && [ ! -d /sys/module/kmlab_cases ]
ok $? "a module allocating without pause is unloaded at --unload-after and kmlab ends (${took} s)" "rc=$rc $(tail -n 3 /tmp/f.err)"
sum=$(tail -n 1 /tmp/f.json)
v=$(verdict_of /tmp/f.json)
lost=$(echo "$sum" | sed -n 's/.*"lost_events":\([0-9]*\).*/\1/p')
relevant=$(echo "$sum" | sed -n 's/.*"lost_relevant":\([0-9]*\).*/\1/p')
{ [ "$v" = clean ] && [ "${relevant:-1}" -eq 0 ] && [ $rc -eq 0 ]; } ||
	{ [ "$v" = inconclusive ] && [ "${relevant:-0}" -gt 0 ] && [ $rc -eq 3 ]; }
ok $? "its report: clean with no loss that matters, or inconclusive with the loss counted (${lost:-?} lost, ${relevant:-?} that matter, $v)" "rc=$rc $sum"
tap_end
