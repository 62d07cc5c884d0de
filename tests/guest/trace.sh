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
tap_end
