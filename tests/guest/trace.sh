# SPDX-License-Identifier: GPL-2.0
# kmlab trace on Debian's kernels: -- CMD traces the command and every
# process it starts (fork and exit followed in BPF), nothing else; the
# host test (tests/host/trace.sh) covers the rest on the host's kernel.
# busybox sh in the lab guest; prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}

"$kmlab" trace --json /tmp/t.json -- sh -c 'ls -R /sys/module >/dev/null & ls -R /proc/sys >/dev/null; wait' \
	>/tmp/t.out 2>/tmp/t.err
rc=$?
spid=$(sed -n 's/^tracing sh (pid \([0-9]*\)).*/\1/p' /tmp/t.err)
lspids=$(grep '"event":"alloc"' /tmp/t.json | grep '"comm":"ls"' | sed 's/.*"pid":\([0-9]*\),.*/\1/' | sort -u | wc -l)
others=$(grep '"event":"alloc"' /tmp/t.json | grep -v '"comm":"\(sh\|ls\|kmlab\)"' | head -n 3)
no_finding $rc /tmp/t.json && [ -n "$spid" ] && [ "$lspids" -eq 2 ] && [ -z "$others" ]
ok $? "trace -- sh -c 'ls & ls': both children's allocations (2 pids), none from outside the tree" \
	"rc=$rc sh=$spid ls pids=$lspids others: $others $(tail -n 2 /tmp/t.err)"
grep -q '"type":"summary".*"lost_unfollowed":0,' /tmp/t.json
ok $? "every process it started was followed (lost_unfollowed 0)" "$(tail -n 1 /tmp/t.json)"
# --top's outstanding counts add up to what the live map still holds:
# the maple tree nodes kmem_cache_free_bulk() gives back (each fork and
# exec) fire no kmem event, and are counted freed when their address is
# handed out again, not left outstanding for ever
"$kmlab" trace --quiet --top 1000000 --json /tmp/o.json -- \
	sh -c 'for i in $(seq 200); do /bin/true; done; ls -R /sys/kernel >/dev/null 2>&1' \
	>/tmp/o.out 2>/tmp/o.err
rc=$?
sum=$(grep '"type":"site"' /tmp/o.json | sed 's/.*"outstanding":\([0-9]*\),.*/\1/' | awk '{ s += $1 } END { print s + 0 }')
summary=$(grep '"type":"summary"' /tmp/o.json)
live=$(echo "$summary" | sed -n 's/.*"live":\([0-9]*\),.*/\1/p')
ring=$(echo "$summary" | sed -n 's/.*"lost_ringbuf":\([0-9]*\),.*/\1/p')
missed=$(echo "$summary" | sed -n 's/.*"frees_missed":\([0-9]*\),.*/\1/p')
# objects freed between the last read and the count: a little slack
[ -n "$live" ] && [ "${ring:-1}" -eq 0 ] && [ -n "$missed" ] &&
	[ "$sum" -le $((live + live / 20 + 50)) ] && [ "$sum" -ge $((live - live / 20 - 50)) ]
ok $? "--top: the sites' outstanding objects add up to the live map's ($sum, $live; $missed freed without a kmem event)" \
	"rc=$rc sum=$sum live=$live lost_ringbuf=$ring frees_missed=$missed $(grep -A1 '^summary' /tmp/o.out)"
tap_end
