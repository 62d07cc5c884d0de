# SPDX-License-Identifier: GPL-2.0
# The observer never crashes the kernel it watches: attach and detach
# kmlab watch KMLAB_STRESS_CYCLES times (default 50) while a shell forks
# continuously and a module allocates with every family from a kernel
# thread (kmlab_cases mode=busy).  Any oops, BUG, soft lockup or RCU
# stall fails the run (scripts/lab watches the console).  busybox sh in
# the lab guest; prints TAP.
# lab-options: --timeout 2400
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}
cycles=${KMLAB_STRESS_CYCLES:-50}

insmod "$tko/kmlab_cases.ko" mode=busy
ok $? "kmlab_cases mode=busy loads (a thread allocating with every family)"
rounds() { cat /sys/module/kmlab_cases/parameters/rounds; }

# fork continuously (page tables, stacks, mm structs), an exec every
# tenth time, pausing 20 ms between: under single-threaded TCG a loop
# without pauses leaves kmlab a third of one host CPU (70 s a cycle;
# 14 s with these pauses)
( i=0; while :; do
	( : )
	i=$((i + 1))
	[ $((i % 10)) -eq 0 ] && /bin/true
	usleep 20000
done ) &
forker=$!

done=0 ready=0 t0=$(date +%s)
while [ $done -lt "$cycles" ]; do
	# a module that never loads: the programs attach all the same
	# empty before the start: the wait below must not find an earlier run's line
	: >/tmp/st.err
	"$kmlab" watch kmlab_absent --timeout 300 >/dev/null 2>/tmp/st.err &
	pid=$!
	i=0 c0=$(cut -d' ' -f1 /proc/uptime)
	# poll gently: every grep is a fork and exec the guest pays for
	while ! grep -q "load it now" /tmp/st.err && [ $i -lt 300 ] &&
		kill -0 $pid 2>/dev/null; do
		sleep 0.2
		i=$((i + 1))
	done
	c1=$(cut -d' ' -f1 /proc/uptime)
	grep -q "load it now" /tmp/st.err && ready=$((ready + 1))
	kill -INT $pid 2>/dev/null
	wait $pid
	done=$((done + 1))
	echo "# cycle $done: ready after $c0 -> $c1, gone at $(cut -d' ' -f1 /proc/uptime)"
done
t1=$(date +%s)
r0=$(rounds)
sleep 1
r1=$(rounds)
kill $forker 2>/dev/null
wait $forker 2>/dev/null

[ $ready -eq "$cycles" ]
ok $? "$cycles watch cycles attached (ready) and detached in $((t1 - t0)) s" \
	"ready $ready of $cycles; last: $(tail -n 2 /tmp/st.err)"
[ "$r1" -gt "$r0" ]
ok $? "the module still allocates afterwards ($r0 -> $r1 rounds)"
rmmod kmlab_cases
ok $? "rmmod kmlab_cases (its thread stops, its kfree_rcu()s drain)"
dmesg | grep -E "BUG:|Oops|soft lockup|rcu.*stall|general protection" >/tmp/st.bad
[ ! -s /tmp/st.bad ]
ok $? "the kernel log shows no trouble" "$(head -n 3 /tmp/st.bad)"

tap_end
