# SPDX-License-Identifier: GPL-2.0
# Memory core code allocates for a module (tests/modules/kmlab_helpers.c):
# radix tree and XArray nodes, a mempool's reserve, an sk_buff, devm
# strings and a platform device, a char device region.  Each call site
# is in core code; the module is found on the stack.  With leak=1 the
# module forgets its teardown: each kind is a leak named by its size,
# the module's line and the core function it went through.  Without,
# nothing, though idr_destroy() and xa_destroy() free their nodes by
# call_rcu(), after the unload.  busybox sh in the lab guest; prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}

# run MODE LEAK: kmlab loads the module, unloads it 1 s later; status in rc
run() {
	"$kmlab" watch --json /tmp/hp.json --unload-after 1 \
		"$tko/kmlab_helpers.ko" mode="$1" leak="$2" >/tmp/hp.txt 2>&1
	rc=$?
}
leaks() { grep '"type":"finding"' /tmp/hp.json | grep '"kind":"leak"'; }
why() { echo "rc=$rc $(leaks | head -n 2) $(grep -E '^(summary|verdict)' /tmp/hp.txt)"; }

# MODE  the leak's size ("-": the kernel's, devres headers differ)  the
# core function it goes through (kallsyms may add GCC's .constprop.0)
# and how many objects at least (a tree has one node per 64 slots)
while read -r mode size via least; do
	run "$mode" 0
	# clean, or inconclusive when an interrupt's event went unseen
	no_finding "$rc" /tmp/hp.json && ! leaks | grep -q .
	ok $? "$mode: torn down at exit, no leak" "$(why)"
	# the module's objects were seen, through the helper
	[ "$(grep -c "\"event\":\"alloc\".*\"site\":\"helpers_init+.*\"via\":\"$via[.+]" /tmp/hp.json)" -ge "$least" ]
	ok $? "$mode: $least or more of the module's objects seen through $via" \
		"$(grep -c "\"via\":\"$via[.+]" /tmp/hp.json) through $via; $(why)"

	run "$mode" 1
	[ "$rc" -eq 1 ] && [ "$(leaks | grep -c "\"via\":\"$via[.+]")" -ge "$least" ]
	ok $? "$mode: leak=1 leaks $least or more objects through $via" "$(why)"
	[ "$size" = - ] && size=
	has /tmp/hp.json '"kind":"leak"' "\"size\":$size${size:+,}" "\"via\":\"$via" \
		'"site":"helpers_init+' '[kmlab_helpers]' 'kmlab_helpers.c:'
	ok $? "$mode: a ${size:-sized} ${size:+byte }leak at the module's line, through $via" "$(why)"
done <<'EOF'
idr 576 radix_tree_node_alloc 3
xarray 576 xas_alloc 3
mempool 256 mempool_init_node 4
skb 232 __alloc_skb 1
devm - devm_kstrdup 1
chrdev 96 __register_chrdev_region 1
EOF

# the kernel survived all of it, and SLUB found nothing amiss
! dmesg | grep -qE '^\[[ 0-9.]*\] (BUG|WARNING|Oops)'
ok $? "no kernel trouble" "$(dmesg | grep -E 'BUG|WARNING|Oops' | head -n 3)"
tap_end
