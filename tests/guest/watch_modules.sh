# SPDX-License-Identifier: GPL-2.0
# Several modules in one run: `kmlab watch A B ...` watches them with one
# observer, each object and finding goes to the module that allocated it
# (a SLUB report to the module whose object it is), each module gets its
# own report, and the exit status is the worst of them.  busybox sh in
# the lab guest (slub_debug on), TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}
loaded() { grep -q "^$1 " /proc/modules; }
# the JSON lines of one module: its findings, its summary
of() { grep "\"type\":\"$2\"" "$3" | grep "\"module\":\"$1\""; }

# 1. two modules kmlab loads, each with its parameters: kmlab_leaky leaks
# its last buffer, kmlab_late writes past a 128-byte buffer (SLUB's red
# zone, on every kernel); each finding is its own module's
"$kmlab" watch "$tko/kmlab_leaky.ko" names=first,last values=100,3000 \
	"$tko/kmlab_late.ko" mode=overflow_end --unload-after 1 --json /tmp/m.json --perfetto /tmp/m.trace \
	>/tmp/m.txt 2>/tmp/m.err
rc=$?
[ $rc -eq 1 ]
ok $? "watch leaky.ko PARAMS late.ko PARAMS: exit 1, findings" "rc=$rc $(tail -n 4 /tmp/m.err)"
of kmlab_leaky finding /tmp/m.json | grep -q '"kind":"leak".*"size":3000,.*\[kmlab_leaky\]' &&
	[ "$(of kmlab_leaky finding /tmp/m.json | wc -l)" -eq 1 ]
ok $? "kmlab_leaky: its one leak, 3000 bytes, at its own site" "$(grep finding /tmp/m.json)"
of kmlab_late finding /tmp/m.json | grep -q '"kind":"overflow".*\[kmlab_late\]' &&
	! of kmlab_late finding /tmp/m.json | grep -q '"kind":"leak"'
ok $? "kmlab_late: its overflow (a SLUB report, placed by address), no leak" "$(grep finding /tmp/m.json)"
has /tmp/m.json '"type":"summary","module":"kmlab_leaky"' '"module_loaded":true' &&
	has /tmp/m.json '"type":"summary","module":"kmlab_late"' '"module_unloaded":true' &&
	grep -q '"target":"kmlab_leaky kmlab_late"' /tmp/m.json
ok $? "one summary line per module in the JSON, its header naming both" "$(grep -E 'summary|header' /tmp/m.json | cut -c1-200)"
# the allocation events of each carry their module: none of kmlab_late's
# 128-byte buffers in kmlab_leaky's, and the reverse
! grep '"event":"alloc"' /tmp/m.json | grep '"module":"kmlab_leaky"' | grep -q '\[kmlab_late\]' &&
	! grep '"event":"alloc"' /tmp/m.json | grep '"module":"kmlab_late"' | grep -q '\[kmlab_leaky\]' &&
	grep '"event":"alloc"' /tmp/m.json | grep -q '"module":"kmlab_late"'
ok $? "every allocation event is in its own module's stream" "$(grep -c '"event":"alloc"' /tmp/m.json)"
# (a finding's verdict is "inconclusive" when the machine lost events
# that could have been more: a loaded lab may)
[ "$(grep -cE '^verdict: (findings|inconclusive)$' /tmp/m.txt)" -eq 2 ] &&
	grep -qE '^2 modules: kmlab_leaky (findings|inconclusive), kmlab_late (findings|inconclusive)$' /tmp/m.txt &&
	grep -q 'timeline (ms since kmlab saw the first of the modules watched, kmlab_leaky)' /tmp/m.txt
ok $? "the text: a report each, one clock, then each one's verdict" "$(grep -E '^verdict|modules:|^timeline|^note' /tmp/m.txt | tr '\n' '|')"
# one picture of both, on the one clock: each module's objects drawn
grep -q '"traceEvents":\[' /tmp/m.trace && grep -q '\[kmlab_leaky\]' /tmp/m.trace &&
	grep -q '\[kmlab_late\]' /tmp/m.trace && grep -q '"state":"leaked"' /tmp/m.trace
ok $? "--perfetto draws both modules' objects in one trace" "$(wc -c </tmp/m.trace) bytes"
! loaded kmlab_leaky && ! loaded kmlab_late &&
	grep -n 'unloading\|loading' /tmp/m.err | tr '\n' ' ' | grep -q 'loading.*kmlab_leaky.*loading.*kmlab_late.*unloading kmlab_late.*unloading kmlab_leaky'
ok $? "loaded in order, unloaded in reverse, both gone" "$(grep -i loading /tmp/m.err | tr '\n' ' ')"

# 2. a module loaded into another watched module's freed init text: its
# allocations are its own.  kmlab_tenant has 32 KiB of init text;
# kmlab_cases mode=hold (16 KiB of core) holds 200 bytes until its unload.
: >/tmp/t.err
"$kmlab" watch kmlab_tenant kmlab_cases --timeout 120 --json /tmp/t.json >/tmp/t.txt 2>/tmp/t.err &
pid=$!
i=0
until grep -q 'watching kmlab_cases: load it now' /tmp/t.err || [ $i -gt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
insmod "$tko/kmlab_tenant.ko"
sleep 1	# its init text is freed by a work item, after an RCU grace period
insmod "$tko/kmlab_cases.ko" mode=hold
rmmod kmlab_cases
rmmod kmlab_tenant
wait $pid
rc=$?
[ $rc -eq 0 ]
ok $? "watch kmlab_tenant kmlab_cases, both by insmod and rmmod: clean, exit 0" "rc=$rc $(grep finding /tmp/t.json | head -n 3) $(tail -n 3 /tmp/t.err)"
grep '"event":"alloc"' /tmp/t.json | grep '"size":200,' | grep -q '"module":"kmlab_cases"' &&
	! grep '"event":"alloc"' /tmp/t.json | grep '"size":200,' | grep -q '"module":"kmlab_tenant"' &&
	grep '"event":"alloc"' /tmp/t.json | grep '"size":128,' | grep -q '"module":"kmlab_tenant"'
ok $? "kmlab_cases' 200 bytes are kmlab_cases', kmlab_tenant's 128 its own" "$(grep '"event":"alloc"' /tmp/t.json | cut -c1-160)"
grep -q '^2 modules: kmlab_tenant clean, kmlab_cases clean$' /tmp/t.txt
ok $? "both clean" "$(tail -n 2 /tmp/t.txt)"

# 3. one already loaded (watched from now on) and one kmlab loads: the
# one kmlab loaded is unloaded and reported; the other stays loaded, so
# its report is inconclusive, and the run's status is the worst: findings
insmod "$tko/kmlab_tenant.ko"
"$kmlab" watch kmlab_tenant "$tko/kmlab_leaky.ko" names=x values=64 --unload-after 1 \
	--json /tmp/a.json >/tmp/a.txt 2>/tmp/a.err
rc=$?
still=$(loaded kmlab_tenant && echo yes)
rmmod kmlab_tenant
[ $rc -eq 1 ] && [ "$still" = yes ] && ! loaded kmlab_leaky &&
	grep -q 'watching kmlab_tenant, already loaded, from now on' /tmp/a.err &&
	grep -q 'kmlab_tenant is still loaded' /tmp/a.err
ok $? "attached to one, loaded the other: exit 1, the loaded one left alone" "rc=$rc still=$still $(cat /tmp/a.err | tr '\n' ' ')"
of kmlab_leaky finding /tmp/a.json | grep -q '"kind":"leak".*"size":64,' &&
	of kmlab_tenant summary /tmp/a.json | grep -q '"verdict":"inconclusive"' &&
	grep -qE '^2 modules: kmlab_tenant inconclusive, kmlab_leaky (findings|inconclusive)$' /tmp/a.txt
ok $? "kmlab_leaky's leak; kmlab_tenant inconclusive (attached, still loaded)" "$(grep -E '^(note|verdict|2 modules)' /tmp/a.txt) $(grep -E 'finding|summary' /tmp/a.json | cut -c1-200)"

# 4. one refused by the kernel: the one before it is unloaded and
# reported; its leak makes the exit 1 (findings come before the 2 a
# module not seen would give)
"$kmlab" watch "$tko/kmlab_leaky.ko" names=y values=32 "$tko/kmlab_cases.ko" mode=tailfree count=x \
	--unload-after 1 --json /tmp/r.json >/tmp/r.txt 2>/tmp/r.err
rc=$?
[ $rc -eq 1 ] && ! loaded kmlab_leaky && ! loaded kmlab_cases &&
	grep -q 'kmlab_cases was not loaded' /tmp/r.err &&
	of kmlab_leaky finding /tmp/r.json | grep -q '"kind":"leak".*"size":32,'
ok $? "the second refused (count=x): said, the first unloaded and its leak reported" "rc=$rc $(cat /tmp/r.err | tr '\n' ' ')"

# 4b. ... and with nothing found in the other, the exit is 2
"$kmlab" watch "$tko/kmlab_cases.ko" mode=hold "$tko/kmlab_leaky.ko" churn=many \
	--unload-after 1 --json /tmp/r2.json >/tmp/r2.txt 2>/tmp/r2.err
rc=$?
[ $rc -eq 2 ] && ! loaded kmlab_cases && grep -q 'kmlab_leaky was not loaded' /tmp/r2.err &&
	of kmlab_cases summary /tmp/r2.json | grep -q '"verdict":"clean"' &&
	grep -q '^2 modules: kmlab_cases clean, kmlab_leaky not loaded$' /tmp/r2.txt
ok $? "a clean one and one refused: exit 2, the clean one's report clean" "rc=$rc $(tail -n 1 /tmp/r2.txt) $(cat /tmp/r2.err | tr '\n' ' ')"

# 5. bad command lines: clear errors, exit 2, nothing loaded
"$kmlab" watch kmlab_leaky kmlab_leaky >/dev/null 2>/tmp/e1.err
rc1=$?
"$kmlab" watch names=a "$tko/kmlab_leaky.ko" >/dev/null 2>/tmp/e2.err
rc2=$?
"$kmlab" watch m1 m2 m3 m4 m5 m6 m7 m8 m9 >/dev/null 2>/tmp/e3.err
rc3=$?
[ $rc1 -eq 2 ] && grep -q 'kmlab_leaky is named twice' /tmp/e1.err &&
	[ $rc2 -eq 2 ] && grep -q "'names=a' looks like a module parameter, but no PATH.ko comes before it" /tmp/e2.err &&
	[ $rc3 -eq 2 ] && grep -q "at most 8 modules at once: 'm9'" /tmp/e3.err
ok $? "a module named twice, a parameter before any PATH.ko, nine modules: each said, exit 2" \
	"$rc1 $rc2 $rc3 $(cat /tmp/e1.err /tmp/e2.err /tmp/e3.err | grep kmlab | tr '\n' ' ')"

tap_end
