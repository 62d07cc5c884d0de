# SPDX-License-Identifier: GPL-2.0
# The modules `kmlab gen` writes, loaded by hand as a user would, with
# nobody watching (tests/guest/corpus.sh compares them with kmlab_dp
# under the observer): they need kmlab_dp, and say so through the
# kernel; the demand parameter runs the demand phase only in a loaded
# module; an unload frees what the plan still holds; the kernel is fine
# afterwards.  scripts/gen-corpus built them.  busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
dir=${KMLAB_KO_DIR:-module}
ko=$dir/kmlab_dp.ko
loaded() { grep -q "^$1 " /proc/modules; }

# without kmlab_dp: refused by the kernel, nothing loaded
rmmod kmlab_dp 2>/dev/null
dmesg -c >/dev/null
insmod "$dir/g_clean_seed.ko" 2>/tmp/g.err
rc=$?
[ $rc -ne 0 ] && ! loaded g_clean_seed && dmesg | grep -q 'g_clean_seed: Unknown symbol kmlab_op_begin'
ok $? "without kmlab_dp the seed's module does not load: the kernel names the missing kmlab_op_begin" "rc=$rc: $(dmesg | tail -n 2)"

insmod "$ko" && insmod "$dir/g_clean_seed.ko"
ok $? "with kmlab_dp in, the seed's module loads (its load phase ran in init)"
grep -q '^g_clean_seed ' /proc/modules && grep -q '^kmlab_dp .* g_clean_seed' /proc/modules
ok $? "kmlab_dp is in use by it: it cannot be removed first" "$(grep -E '^(kmlab_dp|g_clean_seed) ' /proc/modules)"
! rmmod kmlab_dp 2>/dev/null && loaded kmlab_dp
ok $? "rmmod kmlab_dp is refused while the module uses it"
rmmod g_clean_seed && ! loaded g_clean_seed
ok $? "rmmod runs its unload phase and removes it"

# demand: refused as a load parameter, run on each write once loaded
dmesg -c >/dev/null
insmod "$dir/g_clean_phases.ko" demand=1 2>/dev/null
rc=$?
[ $rc -ne 0 ] && ! loaded g_clean_phases && dmesg | grep -q 'write to /sys/module/g_clean_phases/parameters/demand after the load'
ok $? "demand=1 at insmod is refused with what to do instead" "rc=$rc: $(dmesg | tail -n 2)"
insmod "$dir/g_clean_phases.ko"
p=/sys/module/g_clean_phases/parameters/demand
[ -f "$p" ] && echo 1 >"$p" && echo 1 >"$p" && echo 1 >"$p"
ok $? "each write to $p runs the demand phase (three runs)"
rmmod g_clean_phases && ! loaded g_clean_phases
ok $? "and the module unloads after them"

# a wrong free the guard refuses: the unload still frees the object
dmesg -c >/dev/null
i=0
while [ $i -lt 20 ]; do
	insmod "$dir/g_hazards_wrong_free.ko" && rmmod g_hazards_wrong_free || break
	i=$((i + 1))
done
[ $i -eq 20 ]
ok $? "a plan whose wrong frees are refused loads and unloads 20 times" "stopped at $i"
[ "$(dmesg | grep -c 'plan wrong_free: reset: kmalloc of buffer still live: freeing it')" -eq 20 ]
ok $? "... and each unload frees what the refused free left live" "$(dmesg | grep wrong_free | tail -n 3)"

rmmod kmlab_dp && ! loaded kmlab_dp
ok $? "kmlab_dp unloads once no generated module uses it"
insmod "$ko" && rmmod kmlab_dp
ok $? "the kernel still loads and unloads kmlab_dp: fine afterwards"
tap_end
