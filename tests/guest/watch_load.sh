# SPDX-License-Identifier: GPL-2.0
# The driver author's way: `kmlab watch PATH.ko -- PARAMS` loads the
# module itself, with its parameters, and unloads it after --unload-after
# S or on Ctrl-C; the report is the same as for insmod/rmmod by hand.
# busybox sh, TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
leaky=${KMLAB_KO_DIR:-tests/modules}/kmlab_leaky.ko
loaded() { grep -q "^$1 " /proc/modules; }

# 1. --unload-after: loads it with its parameters, unloads it, reports
"$kmlab" watch "$leaky" --unload-after 1 --json /tmp/l.json --html /tmp/l.html --perfetto /tmp/l.trace \
	-- names=first,last values=100,3000 >/tmp/l.txt 2>/tmp/l.err
rc=$?
ok $((rc != 1)) "watch PATH.ko --unload-after 1 -- PARAMS: exit 1, the leak found" "rc=$rc $(tail -n 3 /tmp/l.err)"
has /tmp/l.json '"kind":"leak"' '"size":3000' '[kmlab_leaky]"' &&
	! has /tmp/l.json '"kind":"leak"' '"size":100,'
ok $? "the parameters reached the module: its 3000-byte buffer leaks, the 100-byte one does not" \
	"$(grep finding /tmp/l.json)"
has /tmp/l.json '"type":"summary"' '"leaks":1,' '"module_loaded":true' '"module_unloaded":true' &&
	grep -q 'loading .*kmlab_leaky.ko names=first,last values=100,3000' /tmp/l.err
ok $? "the summary saw the load and the unload kmlab made" "$(tail -n 1 /tmp/l.json) $(head -n 2 /tmp/l.err)"
! loaded kmlab_leaky
ok $? "kmlab_leaky is unloaded afterwards"
# its init text is long freed when the report is written: the .ko names it,
# and its DWARF gives the line of the call (leaky.c:108, kmlab_seed_init())
grep '"kind":"leak"' /tmp/l.json | grep -q '"kmlab_leaky_init+0x[0-9a-f]* \[kmlab_leaky\] (leaky.c:108)"'
ok $? "the leak's stack names the freed init function and its line, kmlab_leaky_init+0x.. (leaky.c:108), from the .ko" \
	"$(grep '"kind":"leak"' /tmp/l.json | grep -o '"stack":\[[^]]*\]')"
[ "$(stat -c %a /tmp/l.html /tmp/l.trace | tr '\n' ' ')" = "600 600 " ] &&
	grep -q '<svg id="timeline"' /tmp/l.html && grep -q 'class="life leaked"' /tmp/l.html &&
	grep -q '"traceEvents":\[' /tmp/l.trace && grep -q '"state":"leaked"' /tmp/l.trace
ok $? "--html and --perfetto: the page and the trace, 0600, the leaked buffer drawn in both" \
	"$(stat -c '%a %s %n' /tmp/l.html /tmp/l.trace 2>&1 | tr '\n' ' ') $(grep -c 'class="life' /tmp/l.html)"

# 2. without --unload-after: Ctrl-C unloads the module kmlab loaded
: >/tmp/c.err
"$kmlab" watch "$leaky" --json /tmp/c.json names=a values=64 >/tmp/c.txt 2>/tmp/c.err &
pid=$!
i=0
until grep -q 'loaded: rmmod kmlab_leaky when done' /tmp/c.err || [ $i -gt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
loaded kmlab_leaky
ok $? "without --unload-after the module stays loaded, and kmlab says to rmmod it" "$(cat /tmp/c.err)"
kill -INT $pid
wait $pid
rc=$?
! loaded kmlab_leaky && grep -q 'unloading kmlab_leaky (interrupted)' /tmp/c.err &&
	has /tmp/c.json '"type":"summary"' '"module_unloaded":true'
ok $? "Ctrl-C: kmlab unloads it and reports the whole life (parameters without -- too)" \
	"rc=$rc $(tail -n 3 /tmp/c.err) $(tail -n 1 /tmp/c.json)"
has /tmp/c.json '"kind":"leak"' '"size":64,'
ok $? "its leak (the last buffer, 64 bytes) is reported" "$(grep finding /tmp/c.json)"

# 3. a parameter's value the kernel cannot parse: it refuses the module
# before its init (unknown parameters it only ignores); exit 2
"$kmlab" watch "$leaky" --unload-after 1 -- churn=many >/tmp/b.txt 2>/tmp/b.err
rc=$?
[ $rc -eq 2 ] && grep -q 'kmlab_leaky was not loaded' /tmp/b.err && ! loaded kmlab_leaky
ok $? "churn=many: the kernel refuses the module, kmlab says so and exits 2" "rc=$rc $(cat /tmp/b.err)"
# 3b. an init that fails (churn above 1048576: -EINVAL): reported, not a hang
"$kmlab" watch "$leaky" --unload-after 1 --json /tmp/f.json -- churn=2000000 >/tmp/f.txt 2>/tmp/f.err
rc=$?
grep -q "kmlab_leaky's init failed (Invalid argument): reporting what it did until then" /tmp/f.err &&
	no_finding $rc /tmp/f.json && has /tmp/f.json '"event":"module_free"' '"init_failed":true' &&
	! loaded kmlab_leaky
ok $? "an init that fails: kmlab says so and reports its whole (short) life" "rc=$rc $(cat /tmp/f.err) $(tail -n 1 /tmp/f.json)"

# 4. a module kmlab cannot load: not a module, already loaded
echo junk >/tmp/junk.ko
"$kmlab" watch /tmp/junk.ko --unload-after 1 >/tmp/j.txt 2>/tmp/j.err
rc=$?
[ $rc -eq 2 ] && grep -q 'is not a kernel module' /tmp/j.err
ok $? "a file that is not a module: exit 2, saying so" "rc=$rc $(cat /tmp/j.err)"
insmod "$leaky"
"$kmlab" watch "$leaky" --unload-after 1 >/tmp/a.txt 2>/tmp/a.err
rc=$?
rmmod kmlab_leaky
[ $rc -eq 2 ] && grep -q 'kmlab_leaky is already loaded' /tmp/a.err
ok $? "a module already loaded: exit 2, rmmod it first" "rc=$rc $(cat /tmp/a.err)"
tap_end
