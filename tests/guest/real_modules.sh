# SPDX-License-Identifier: GPL-2.0
# lab-options: --timeout 480
# Debian's own modules under `kmlab watch`: each one is loaded, given real
# work (devices, links, packets, blocks), torn down and unloaded while
# kmlab watches it.  Stock modules are assumed correct, so any leak or
# double free reported here is a false finding of the observer until
# shown otherwise.  Run by tests/guest/run-in-lab with busybox sh; prints
# TAP.  The JSON of each watch and the kernel log are kept in
# build/tests/real_modules/ (MOD.json, MOD.err, MOD.log: the work's
# output, dmesg.txt) for a look at the events behind a failure.
#
# A watch takes 10-30 s to attach under TCG, so the next module's watch
# attaches while the current module works: one module at a time is
# loaded, at most two watches run.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-kmlab}
command -v "$kmlab" >/dev/null || kmlab=build/kmlab
out=${KMLAB_REAL_MODULES_OUT:-build/tests/real_modules}
# 10-25 s of kmlab per module under TCG: the default set took 115-240 s
# (host load); KMLAB_REAL_MODULES=all (or a list) is passed in by the lab.
mods="dummy nlmon veth tun bonding bridge ipvlan brd zram loop"
case "${KMLAB_REAL_MODULES:-}" in
"") ;;
all) mods="$mods macvlan ifb null_blk" ;;
*) mods=$KMLAB_REAL_MODULES ;;
esac
mkdir -p "$out" && rm -f "$out"/*.json "$out"/*.err "$out"/*.txt "$out"/*.log "$out"/*.t "$out"/*.pid

up() { cut -d' ' -f1 /proc/uptime; }

# start MOD: start kmlab watch on MOD in the background
start() {
	up >"$out/$1.t"
	"$kmlab" watch "$1" --timeout 150 --json "$out/$1.json" \
		>"$out/$1.txt" 2>"$out/$1.err" &
	echo $! >"$out/$1.pid"
}

# attached MOD: wait until kmlab watches MOD (up to 60 s)
attached() {
	p=$(cat "$out/$1.pid")
	i=0
	while ! grep -q "watching $1: load it now" "$out/$1.err" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 "$p" 2>/dev/null; then
			echo "# kmlab watch $1 did not attach: $(tail -n 3 "$out/$1.err")"
			return 1
		fi
		sleep 0.1
	done
}

# step WHAT CMD...: one step of the current module's work; the first
# failure is kept for the report
step() {
	what=$1
	shift
	"$@" >>"$out/$mod.log" 2>&1 && return 0
	[ -n "$werr_step" ] || werr_step="$what failed: $* (see $out/$mod.log)"
	return 1
}

# field NAME: a number from the summary line of this watch
field() {
	sed -n 's/.*"type":"summary".*"'"$1"'":\([0-9]*\).*/\1/p' "$wjson"
}

# finish MOD: wait for kmlab to report, then assert on what it saw
finish() {
	wjson=$out/$mod.json
	werr=$out/$mod.err
	wpid=$(cat "$out/$mod.pid")
	t_unloaded=$(up)
	i=0
	while kill -0 "$wpid" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill "$wpid" 2>/dev/null
	wait "$wpid"
	rc=$?
	echo "# $mod: attach $(echo "$t_attached - $(cat "$out/$mod.t")" | bc) s," \
		"work $(echo "$t_unloaded - $t_attached" | bc) s," \
		"report $(echo "$(up) - $t_unloaded" | bc) s"
	sum=$(grep '"type":"summary"' "$wjson" 2>/dev/null)
	leaks=$(field leaks)
	dfs=$(field double_frees)
	lost=$(field lost_events)
	# kmalloc(0) gives ZERO_SIZE_PTR: an alloc event, but no object to free
	allocs=$(grep '"event":"alloc"' "$wjson" 2>/dev/null | grep -vc '"ptr":"0x10"')
	zero=$(grep '"event":"alloc"' "$wjson" 2>/dev/null | grep -c '"ptr":"0x10"')
	frees=$(grep -c '"event":"free"' "$wjson" 2>/dev/null)
	frees=${frees:-0}
	verdict=$(echo "$sum" | sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p')
	echo "# $mod: kmlab exit $rc, $allocs allocs (+$zero of 0 bytes), $frees frees, ${leaks:-?} leaks," \
		"${dfs:-?} double frees, ${lost:-?} events lost, verdict ${verdict:-none}"
	[ -z "$werr_step" ]
	ok $? "$mod: load, work, teardown and unload ran" "$werr_step"
	echo "$sum" | grep -q '"module_loaded":true,"module_unloaded":true'
	ok $? "$mod: kmlab saw the load and the unload" \
		"exit $rc: $(tail -n 2 "$werr" | tr '\n' ' ') $sum"
	[ "${leaks:-x}" = 0 ]
	ok $? "$mod: no leak" "leaks=$leaks: $(grep '"type":"finding"' "$wjson" | head -n 3)"
	[ "${dfs:-x}" = 0 ]
	ok $? "$mod: no double free" \
		"double_frees=$dfs: $(grep '"kind":"double_free"' "$wjson" | head -n 2)"
	[ -n "$verdict" ] && [ "$verdict" != findings ]
	ok $? "$mod: verdict is not findings" "verdict ${verdict:-missing}"
	# "net: Move {l,t,d}stats allocation to core" (v6.7): dummy and
	# nlmon ask the core for their per-CPU stats and allocate nothing
	# themselves any more
	case "$mod:$(uname -r)" in
	dummy:6.[7-9]*|dummy:6.[1-9][0-9]*|nlmon:6.[7-9]*|nlmon:6.[1-9][0-9]*)
		[ "$allocs" -eq 0 ]
		ok $? "$mod: allocates nothing itself on $(uname -r) (the core does)" \
			"$allocs alloc events in $wjson" ;;
	*)	[ "$allocs" -gt 0 ]
		ok $? "$mod: its allocations were seen" "no alloc event in $wjson" ;;
	esac
	[ -n "$leaks" ] && [ "$allocs" -eq $((frees + leaks)) ]
	ok $? "$mod: every allocation freed or reported as a leak" \
		"$allocs allocs != $frees frees + ${leaks:-?} leaks"
}

# rm_mod MOD: unload, retrying while the kernel still holds it briefly
rm_mod() {
	i=0
	until rmmod "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 50 ] || { step "rmmod $1" rmmod "$1"; return 1; }
		sleep 0.1
	done
}

nonzero() {	# nonzero FILE: a counter in sysfs moved
	[ "$(cat "$1")" -gt 0 ]
}

# A lower device for the stacked drivers (loaded by them, not watched).
lower_up() {
	step lower modprobe dummy numdummies=1 && step lower_up ip link set dummy0 up
}
lower_down() {
	rmmod dummy 2>/dev/null
}

# --- net: dummy, two devices at load, one more by netlink, packets out
work_dummy() {
	step modprobe modprobe dummy numdummies=2
	step addr ip addr add 10.9.0.1/24 dev dummy0
	step up ip link set dummy0 up
	step up1 ip link set dummy1 up
	step add ip link add dummy9 type dummy
	step up9 ip link set dummy9 up
	ping -c 3 -i 0.2 -W 1 10.9.0.2 >>"$out/$mod.log" 2>&1	# no reply: a dummy eats it
	step tx nonzero /sys/class/net/dummy0/statistics/tx_packets
	step del ip link del dummy9
	step down ip link set dummy0 down
	rm_mod dummy
}

# --- net: nlmon taps the kernel's netlink traffic
work_nlmon() {
	step modprobe modprobe nlmon
	step add ip link add nlmon0 type nlmon
	step up ip link set nlmon0 up
	step traffic sh -c 'ip link show; ip addr show; ip route show' 
	step rx nonzero /sys/class/net/nlmon0/statistics/rx_packets
	step del ip link del nlmon0
	rm_mod nlmon
}

# --- net: veth pair, one end in another network namespace, ping across
work_veth() {
	step modprobe modprobe veth
	step add ip link add vtest0 type veth
	peer=$(ip -o link show | sed -n 's/^[0-9]*: \(veth[0-9]*\)@vtest0.*/\1/p')
	unshare -n sleep 60 &
	ns=$!
	sleep 0.2
	step netns ip link set "$peer" netns $ns
	step addr ip addr add 10.9.1.1/24 dev vtest0
	step up ip link set vtest0 up
	step peer_addr nsenter -t $ns -n ip addr add 10.9.1.2/24 dev "$peer"
	step peer_up nsenter -t $ns -n ip link set "$peer" up
	step ping ping -c 3 -i 0.2 -W 2 10.9.1.2
	step del ip link del vtest0
	kill $ns
	wait $ns 2>/dev/null
	rm_mod veth
}

# --- net: tun, a persistent tap device
work_tun() {
	step modprobe modprobe tun
	step create tunctl -t tap9
	step addr ip addr add 10.9.2.1/24 dev tap9
	step up ip link set tap9 up
	ping -c 2 -i 0.2 -W 1 10.9.2.2 >>"$out/$mod.log" 2>&1	# no reader: no reply
	step down ip link set tap9 down
	step delete tunctl -d tap9
	rm_mod tun
}

# --- net: bonding, one bond, a dummy slave attached and detached
work_bonding() {
	lower_up
	step lower_down ip link set dummy0 down	# a slave must be down to join
	step modprobe modprobe bonding max_bonds=1
	step slave sh -c 'echo +dummy0 >/sys/class/net/bond0/bonding/slaves'
	step addr ip addr add 10.9.3.1/24 dev bond0
	step up ip link set bond0 up
	ping -c 3 -i 0.2 -W 1 10.9.3.2 >>"$out/$mod.log" 2>&1	# the dummy eats it
	step tx nonzero /sys/class/net/bond0/statistics/tx_packets
	step down ip link set bond0 down
	step unslave sh -c 'echo -dummy0 >/sys/class/net/bond0/bonding/slaves'
	step add ip link add bond9 type bond
	step del ip link del bond9
	rm_mod bonding
	lower_down
}

# --- net: bridge, a port added and removed, frames flooded through it
work_bridge() {
	lower_up
	step modprobe modprobe bridge
	step add ip link add br9 type bridge
	step port ip link set dummy0 master br9
	step addr ip addr add 10.9.4.1/24 dev br9
	step up ip link set br9 up
	ping -c 3 -i 0.2 -W 1 10.9.4.2 >>"$out/$mod.log" 2>&1	# floods to the dummy
	step tx nonzero /sys/class/net/br9/statistics/tx_packets
	step unport ip link set dummy0 nomaster
	step del ip link del br9
	rm_mod bridge
	rmmod stp llc 2>/dev/null
	lower_down
}

# --- net: macvlan on the dummy (its port is freed with kfree_rcu)
work_macvlan() {
	lower_up
	step modprobe modprobe macvlan
	step add ip link add mv9 link dummy0 type macvlan
	step addr ip addr add 10.9.6.1/24 dev mv9
	step up ip link set mv9 up
	ping -c 3 -i 0.2 -W 1 10.9.6.2 >>"$out/$mod.log" 2>&1
	step tx nonzero /sys/class/net/mv9/statistics/tx_packets
	step del ip link del mv9
	rm_mod macvlan
	lower_down
}

# --- net: ipvlan on the dummy, an address added and removed
work_ipvlan() {
	lower_up
	step modprobe modprobe ipvlan
	step add ip link add ipv9 link dummy0 type ipvlan
	step up ip link set ipv9 up
	step addr ip addr add 10.9.5.1/24 dev ipv9
	ping -c 3 -i 0.2 -W 1 10.9.5.2 >>"$out/$mod.log" 2>&1
	step deladdr ip addr del 10.9.5.1/24 dev ipv9
	step del ip link del ipv9
	rm_mod ipvlan
	lower_down
}

# --- net: ifb, one device brought up and down
work_ifb() {
	step modprobe modprobe ifb numifbs=1
	step up ip link set ifb0 up
	step add ip link add ifb9 type ifb
	step up9 ip link set ifb9 up
	step del ip link del ifb9
	step down ip link set ifb0 down
	rm_mod ifb
}

# --- block: brd, one 8 MiB RAM disk written and read back
work_brd() {
	step modprobe modprobe brd rd_nr=1 rd_size=8192
	step dd dd if=/tmp/rm.blk of=/dev/ram0 bs=64k
	step sync sync
	step readback sh -c 'dd if=/dev/ram0 bs=64k count=32 2>/dev/null | cmp - /tmp/rm.blk'
	step mkfs mke2fs -q /dev/ram0
	rm_mod brd
}

# --- block: zram, a 16 MiB compressed disk written, read back, reset
work_zram() {
	step modprobe modprobe zram num_devices=1
	step size sh -c 'echo 16M >/sys/block/zram0/disksize'
	step dd dd if=/tmp/rm.blk of=/dev/zram0 bs=64k
	step zeros dd if=/dev/zero of=/dev/zram0 bs=64k seek=32 count=32
	step sync sync
	step readback sh -c 'dd if=/dev/zram0 bs=64k count=32 2>/dev/null | cmp - /tmp/rm.blk'
	step reset sh -c 'echo 1 >/sys/block/zram0/reset'
	rm_mod zram
}

# --- block: loop over a file, written through and read back
work_loop() {
	step modprobe modprobe loop max_loop=2
	step file truncate -s 4M /tmp/rm.img
	step attach losetup /dev/loop0 /tmp/rm.img
	step dd dd if=/tmp/rm.blk of=/dev/loop0 bs=64k
	step sync sync
	step readback sh -c 'dd if=/tmp/rm.img bs=64k count=32 2>/dev/null | cmp - /tmp/rm.blk'
	step detach losetup -d /dev/loop0
	rm_mod loop
}

# --- block: null_blk, one device read and written
work_null_blk() {
	step modprobe modprobe null_blk nr_devices=1 gb=1
	step write dd if=/dev/zero of=/dev/nullb0 bs=64k count=64
	step read dd if=/dev/nullb0 of=/dev/null bs=64k count=64
	rm_mod null_blk
}

# 2 MiB of random data for the block devices to store and give back.
dd if=/dev/urandom of=/tmp/rm.blk bs=64k count=32 2>/dev/null

# One module at a time; the next one's watch attaches meanwhile.
set -- $mods
[ $# -gt 0 ] && start "$1"
while [ $# -gt 0 ]; do
	mod=$1
	shift
	[ $# -gt 0 ] && start "$1"
	werr_step=
	if ! type "work_$mod" >/dev/null 2>&1; then
		t_attached=$(up)
		werr_step="no workload for $mod in $0: add work_$mod"
		kill "$(cat "$out/$mod.pid")" 2>/dev/null
	elif attached "$mod"; then
		t_attached=$(up)
		"work_$mod"
	else
		t_attached=$(cat "$out/$mod.t")
		werr_step="kmlab watch $mod did not attach (see $out/$mod.err)"
	fi
	finish
done

dmesg >"$out/dmesg.txt"
tap_end
