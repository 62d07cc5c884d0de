# SPDX-License-Identifier: GPL-2.0
# lab-options: --no-slub-debug
# Without slub_debug a real double free would oops the guest: the data
# plane refuses it, and the report must say so.  Prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}

"$kmlab" run tests/plans/hazards/double_free.kml --module "${KMLAB_KO_DIR:-module}/kmlab_dp.ko" \
	--json /tmp/r.json >/tmp/r.txt 2>/tmp/r.err
rc=$?
ok $((rc != 1)) "run exits 1 (a refusal is a finding)" "rc=$rc $(head -n 3 /tmp/r.err)"
grep '"kind":"refused"' /tmp/r.json | grep -q '"observed":true'
ok $? "the refusal is a finding" "$(grep finding /tmp/r.json)"
grep '"kind":"double_free"' /tmp/r.json | grep -q '"predicted":true,"observed":false'
ok $? "the double free: predicted, not observed" "$(grep double_free /tmp/r.json)"
grep -q "observed: no (the data plane refused it" /tmp/r.txt
ok $? "the text report says why it was not observed"

tap_end
