# SPDX-License-Identifier: GPL-2.0
# lab-options: --timeout 900
# Predicted vs observed, for every plan in tests/plans/ (lessons, hazards,
# families, clean plans): `kmlab run` marks each finding with whether the
# verifier predicted it and whether the observer saw it; they must agree.
# A predicted hazard the data plane refused (it would corrupt memory on
# this kernel) agrees when the refusal is at the same line; a family the
# observer cannot see yet is said so explicitly.
#
# Then the same plan compiled by `kmlab gen` (scripts/gen-corpus built
# g_<dir>_<plan>.ko for this kernel), run with `kmlab run --compiled`:
# its findings must be the data plane's, one for one (kind, object,
# line, size, predicted, observed), including the hazards refused.  One
# difference is the kernel's, not the paths': a late access or second
# free runs only while the freed slot is still free, and another task
# may take it first in either run; such a hazard must agree on all but
# whether it ran, and the line says so.
# busybox sh, TAP.
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko
n=0

field() {	# field LINE NAME: a scalar JSON field of one line
	echo "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\)\"\{0,1\}[,}].*/\1/p"
}

# reused JSON: the object@line of each hazard the guard refused because
# the freed memory had been handed out again (module/guard.c): whether
# another task took that slot between the free and the hazard is a race
# in the kernel, and either path may lose it
reused() {
	grep '"type":"finding"' "$1" | grep '"kind":"refused"' |
		grep '"reason":"the freed memory was handed out again"' |
		while read -r f; do
			echo "$(field "$f" object)@$(field "$f" line)"
		done
}

# findings JSON RACY: one sorted line per finding, what must agree; at an
# object@line in the file RACY, the hazard's line once, without whether
# or how often it ran (a repeated hazard runs until the slot is taken)
findings() {
	grep '"type":"finding"' "$1" | while read -r f; do
		at="$(field "$f" object)@$(field "$f" line)"
		kind=$(field "$f" kind)
		if grep -qxF "$at" "$2"; then
			[ "$kind" = refused ] && continue
			echo "$kind $at size=$(field "$f" size) predicted=$(field "$f" predicted) (ran or refused: the slot's reuse)"
		else
			echo "$kind $at size=$(field "$f" size) predicted=$(field "$f" predicted) observed=$(field "$f" observed)"
		fi
	done | sort | awk '!/the slot.s reuse\)$/ || !seen[$0]++'
}

compiled() {	# compiled PLAN NAME: the generated module against /tmp/c.json
	d=${1%/*}
	gen=${KMLAB_KO_DIR:-module}/g_${d##*/}_$(basename "$1" .kml).ko
	n=$((n + 1))
	if [ ! -f "$gen" ]; then
		echo "not ok $n - $2 compiled: no $gen (scripts/gen-corpus builds it)"
		return
	fi
	"$kmlab" run "$1" --module "$ko" --compiled "$gen" --json /tmp/g.json >/tmp/g.txt 2>/tmp/g.err
	grc=$?
	if [ "$grc" -ne 0 ] && [ "$grc" -ne 1 ] && [ "$grc" -ne 3 ]; then
		echo "not ok $n - $2 compiled: kmlab run --compiled failed (status $grc)"
		sed 's/^/#   /' /tmp/g.err | tail -n 5
		return
	fi
	{ reused /tmp/c.json; reused /tmp/g.json; } | sort -u >/tmp/racy
	findings /tmp/c.json /tmp/racy >/tmp/c.sig
	findings /tmp/g.json /tmp/racy >/tmp/g.sig
	racy=""
	[ -s /tmp/racy ] &&
		racy=" # at $(tr "\\n" " " </tmp/racy)the freed slot was taken again and the guard refused the hazard: $(reused /tmp/c.json | wc -l) time(s) interpreted, $(reused /tmp/g.json | wc -l) compiled"
	if cmp -s /tmp/c.sig /tmp/g.sig && { [ "$grc" -eq "$rc" ] || [ -n "$racy" ]; }; then
		echo "ok $n - $2 compiled: the same $(wc -l </tmp/g.sig) findings as the data plane, exit $grc$racy"
	elif cmp -s /tmp/c.sig /tmp/g.sig && { [ "$grc" -eq 3 ] || [ "$rc" -eq 3 ]; }; then
		echo "ok $n - $2 compiled: the same $(wc -l </tmp/g.sig) findings as the data plane # exit $grc against $rc: $(grep -o '"lost_events":[0-9]*' /tmp/g.json) compiled, $(grep -o '"lost_events":[0-9]*' /tmp/c.json) interpreted"
	else
		echo "not ok $n - $2 compiled: exit $grc, findings differ from the data plane's (exit $rc)"
		diff /tmp/c.sig /tmp/g.sig | sed 's/^/#   /'
	fi
}

for plan in tests/plans/*/*.kml; do
	name=${plan#tests/plans/}
	"$kmlab" run "$plan" --module "$ko" --json /tmp/c.json >/tmp/c.txt 2>/tmp/c.err
	rc=$?
	n=$((n + 1))
	# 0 clean, 1 findings, 3 inconclusive: anything else is a failure
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$rc" -ne 3 ]; then
		echo "not ok $n - $name: kmlab run failed (status $rc)"
		sed 's/^/#   /' /tmp/c.err | tail -n 5
		continue
	fi
	agree=1 notes="" predicted="" observed=""
	refused=$(grep '"type":"finding"' /tmp/c.json | grep '"kind":"refused"')
	grep '"type":"finding"' /tmp/c.json | grep -v '"kind":"refused"' >/tmp/c.f
	while read -r f; do
		kind=$(field "$f" kind)
		line=$(field "$f" line)
		p=$(field "$f" predicted)
		o=$(field "$f" observed)
		[ "$p" = true ] && predicted="$predicted $kind@$line"
		[ "$o" = true ] && observed="$observed $kind@$line"
		[ "$p" = "$o" ] && continue
		if [ "$p" = true ] &&
		   echo "$refused" | grep -q "\"line\":$line[,}]"; then
			notes="$notes $kind@$line refused by the data plane;"
		elif [ "$p" = true ] && echo "$f" | grep -q '"observable":false'; then
			notes="$notes $kind@$line: the observer cannot see this family yet;"
		else
			agree=0
		fi
	done </tmp/c.f
	lost=$(sed -n 's/.*"lost_events":\([0-9]*\).*/\1/p' /tmp/c.json)
	if [ "$agree" -eq 1 ]; then
		echo "ok $n - $name: predicted [${predicted# }] observed [${observed# }]${notes:+ #}$notes"
	else
		echo "not ok $n - $name: predicted [${predicted# }] but observed [${observed# }]"
		grep '"type":"finding"' /tmp/c.json | sed 's/^/#   /'
	fi
	verdict=$(sed -n 's/.*"type":"summary".*"verdict":"\([a-z]*\)".*/\1/p' /tmp/c.json)
	[ "${lost:-0}" -eq 0 ] ||
		echo "# $name: $lost events lost, verdict ${verdict:-?} ($(grep -o '"lost_relevant":[0-9]*' /tmp/c.json))"
	compiled "$plan" "$name"
done
echo "1..$n"
