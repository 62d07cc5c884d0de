# SPDX-License-Identifier: GPL-2.0
# kmlab watch NAME of a module that is already loaded: kmlab attaches to
# it and watches from then on.  What it allocated before is unknown: its
# frees of that are no findings, a second free of it is, a leak made
# after the attach is found, and a watch with nothing found says
# "inconclusive" (exit 3), since a leak among the earlier allocations
# would go unseen.  busybox sh in the lab guest (slub_debug on: the real
# double free is caught by SLUB and survived); prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}
poke=/sys/module/kmlab_cases/parameters/poke

# attach: start kmlab watch kmlab_cases, JSON in /tmp/a.json, wait until ready
attach() {
	# empty before the start: the wait below must not find an earlier run's line
	: >/tmp/a.err
	"$kmlab" watch kmlab_cases --timeout 120 --json /tmp/a.json >/tmp/a.txt 2>/tmp/a.err &
	pid=$!
	i=0
	while ! grep -q "watching kmlab_cases, already loaded, from now on" /tmp/a.err &&
		kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
finish() {	# rmmod, then wait for the watch: its status in rc
	rmmod kmlab_cases
	wait $pid
	rc=$?
}
findings() { grep '"type":"finding"' /tmp/a.json; }
why() { echo "rc=$rc $(findings | head -n 3) $(tail -n 4 /tmp/a.err) $(tail -n 1 /tmp/a.json)"; }

# 1. a busy module (every family, kfree_rcu too): what it got before the
# attach and frees after it is no finding
insmod "$tko/kmlab_cases.ko" mode=busy
sleep 1
attach
sleep 3
finish
[ $rc -eq 3 ] && [ "$(verdict_of /tmp/a.json)" = inconclusive ] && ! findings >/dev/null &&
	has /tmp/a.json '"type":"summary"' '"attached":true' '"module_unloaded":true' &&
	has /tmp/a.json '"event":"module_load"' '"module":"kmlab_cases"' '"attached":true'
ok $? "a busy module already loaded: attached, its earlier objects' frees are no findings, exit 3 inconclusive" "$(why)"
grep -q '^note: kmlab attached to kmlab_cases after its load: what it allocated before is unknown' /tmp/a.txt &&
	grep -q '^verdict: inconclusive' /tmp/a.txt
ok $? "the report says it attached late and why it cannot say clean" "$(grep -E '^(note|verdict)' /tmp/a.txt)"
uf=$(sed -n 's/.*"unknown_frees":\([0-9]*\).*/\1/p' /tmp/a.json)
[ "${uf:-0}" -gt 0 ]
ok $? "frees of objects allocated before the attach are counted (unknown_frees=$uf)" "$(why)"

# 2. a leak made after the attach is found, with its size and site
insmod "$tko/kmlab_cases.ko" mode=hold
attach
echo leak >$poke
finish
[ $rc -eq 1 ] && has /tmp/a.json '"kind":"leak"' '"size":96,' '"site":"poke_set+0x' '"comm":"sh"' &&
	[ "$(findings | wc -l)" -eq 1 ]
ok $? "a leak made after the attach: found (96 bytes, at poke_set, by sh), and only it; exit 1" "$(why)"
has /tmp/a.json '"kind":"leak"' '"bytes":"6b6d6c61625f63617365733a20706f6b656400' &&
	grep -q '^     hex dump (first 32 bytes):$' /tmp/a.txt &&
	grep -q '^       6b 6d 6c 61 62 5f 63 61 73 65 73 3a 20 70 6f 6b  kmlab_cases: pok$' /tmp/a.txt
ok $? "its first 32 bytes, as the module wrote them: a hex dump in the text and the JSON" "$(grep -A3 'hex dump' /tmp/a.txt) $(findings | grep -o '"bytes":"[^"]*"')"

grep -q "kmlab_cases ($KMLAB_KO_DIR/kmlab_cases.ko)" /tmp/a.txt
ok $? "its symbols from the .ko modules.dep names, the same build as the module loaded: the report names the file" "$(grep -m1 'kmlab_cases' /tmp/a.txt)"

# 2b. modules.dep names another build of it: not used, kallsyms names
# the site all the same
md=/lib/modules/$(uname -r)
mkdir -p "$md/other" && cp "$tko/kmlab_late.ko" "$md/other/kmlab_cases.ko"
cp "$md/modules.dep" /tmp/dep.save
{ echo "other/kmlab_cases.ko:"; cat /tmp/dep.save; } >"$md/modules.dep"
insmod "$tko/kmlab_cases.ko" mode=hold
attach
echo leak >$poke
finish
cp /tmp/dep.save "$md/modules.dep"
[ $rc -eq 1 ] && has /tmp/a.json '"kind":"leak"' '"site":"poke_set+0x' &&
	! grep -q "other/kmlab_cases.ko" /tmp/a.txt
ok $? "a .ko of another build under its name: not used (build IDs differ), the leak's site named from kallsyms" "$(why)"

# 3. the object it held from its init, freed twice after the attach: the
# second free is a double free, though its allocation was never seen
insmod "$tko/kmlab_cases.ko" mode=hold
attach
echo twice >$poke
finish
[ $rc -eq 1 ] && has /tmp/a.json '"kind":"double_free"' '[kmlab_cases]' && [ "$(findings | wc -l)" -eq 1 ]
ok $? "an object from before the attach freed twice: the double free is found, exit 1" "$(why)"

# 4. Ctrl-C while it stays loaded: its objects are not leaks yet; its
# unload unseen, the exit status is 2 (as for any watch without one)
insmod "$tko/kmlab_cases.ko" mode=hold
attach
echo leak >$poke
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 2 ] && [ "$(verdict_of /tmp/a.json)" = inconclusive ] && ! findings >/dev/null &&
	grep -q 'kmlab_cases is still loaded' /tmp/a.err && grep -q '^kmlab_cases ' /proc/modules
ok $? "Ctrl-C: the module it did not load stays loaded, no leak claimed, inconclusive (exit 2)" "$(why)"
rmmod kmlab_cases

# 5. PATH.ko of a loaded module: kmlab cannot load it, and says what to do
insmod "$tko/kmlab_cases.ko" mode=hold
"$kmlab" watch "$tko/kmlab_cases.ko" --unload-after 1 >/tmp/p.txt 2>/tmp/p.err
rc=$?
[ $rc -eq 2 ] && grep -q 'kmlab watch kmlab_cases' /tmp/p.err && grep -q '^kmlab_cases ' /proc/modules
ok $? "watch PATH.ko of a loaded module: exit 2, pointing to kmlab watch NAME" "rc=$rc $(cat /tmp/p.err)"
rmmod kmlab_cases
! grep -q '^kmlab_cases ' /proc/modules
ok $? "kmlab_cases is unloaded afterwards"
tap_end
