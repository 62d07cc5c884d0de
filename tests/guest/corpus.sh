# SPDX-License-Identifier: GPL-2.0
# lab-options: --timeout 900
# Predicted vs observed, for every plan in tests/plans/ (lessons, hazards,
# families, clean plans): `kmlab run` marks each finding with whether the
# verifier predicted it and whether the observer saw it; they must agree.
# A predicted hazard the data plane refused (it would corrupt memory on
# this kernel) agrees when the refusal is at the same line; a family the
# observer cannot see yet is said so explicitly.  busybox sh, TAP.
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko
n=0

field() {	# field LINE NAME: a scalar JSON field of one line
	echo "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\)\"\{0,1\}[,}].*/\1/p"
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
done
echo "1..$n"
