# SPDX-License-Identifier: GPL-2.0
# The data plane uses the real allocators: while tests/plans/clean/realmem.kml
# pauses, its slab cache is listed in /proc/slabinfo and its vmalloc area in
# /proc/vmallocinfo (caller inside kmlab_dp); both are gone afterwards.
# busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}

"$kmlab" run tests/plans/clean/realmem.kml --module "${KMLAB_KO_DIR:-module}/kmlab_dp.ko" >/tmp/m.txt 2>&1 &
pid=$!
i=0
# the pause comes after the cache, the object and the vmalloc area
until grep -q '^kmlab_pool' /proc/slabinfo && grep -q 'kmlab_dp' /proc/vmallocinfo || [ $i -gt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
slab=$(grep '^kmlab_pool' /proc/slabinfo)
vm=$(grep 'kmlab_dp' /proc/vmallocinfo | grep -v 'load_module\|module_alloc')
wait $pid
rc=$?
[ -n "$slab" ]
ok $? "the plan's cache is a real kmem_cache in /proc/slabinfo: $(echo "$slab" | awk '{print $1, "objsize", $4}')" "not listed"
echo "$slab" | awk '{ exit !($4 >= 192) }'
ok $? "its objects are at least the 192 bytes asked for" "$slab"
echo "$vm" | grep -q '1052672\|1048576\|1056768'
ok $? "the 1 MiB vmalloc area is in /proc/vmallocinfo, called from kmlab_dp" "$vm"
no_finding $rc /tmp/m.txt
ok $? "kmlab run realmem.kml: no findings" "rc=$rc $(tail -n 3 /tmp/m.txt)"
! grep -q '^kmlab_pool' /proc/slabinfo
ok $? "the cache is gone after kmem_cache_destroy" "$(grep '^kmlab_pool' /proc/slabinfo)"
tap_end
