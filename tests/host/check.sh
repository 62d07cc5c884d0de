#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `kmlab check` as a user runs it: the exit status says clean (0), defects
# predicted (1) or errors (2); every plan's "# expect:" line agrees with
# what it predicts; --json writes one object per line; errors point at
# file:line:col.  Host only, no root needed.  TAP.
. "$(dirname "$0")/../lib/tap.sh"
set -u
kmlab=${KMLAB:-build/kmlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for plan in tests/plans/*/*.kml; do
	want=$(sed -n 's/^# expect: //p' "$plan")
	"$kmlab" check "$plan" --json "$tmp/c.json" >"$tmp/c.txt" 2>&1
	rc=$?
	got=$(grep '"type":"finding"' "$tmp/c.json" |
	      sed -E 's/.*"kind":"([a-z_]+)".*"line":([0-9]+).*"count":([0-9]+).*/\1@\2 \3/' |
	      awk '{ print ($2 > 1) ? $1 "x" $2 : $1 }' | sort | tr '\n' ' ')
	exp=$(echo "$want" | tr ' ' '\n' | grep -v '^$' | sort | tr '\n' ' ')
	if [ "$want" = clean ]; then
		[ $rc -eq 0 ] && [ -z "$got" ]
		ok $? "check ${plan#tests/plans/}: clean, exit 0" "rc=$rc got: $got"
	else
		[ $rc -eq 1 ] && [ "$got" = "$exp" ]
		ok $? "check ${plan#tests/plans/}: predicts $want, exit 1" "rc=$rc got: $got"
	fi
	bad=$(python3 tests/lib/jsonl_check.py "$tmp/c.json" check 2>&1)
	ok $? "check ${plan#tests/plans/} --json: schema 1 (header, findings, one summary)" "$bad"
done

printf 'buf = kmalloc(64\nx = vmalloc(0)\nfree buf\n' >"$tmp/bad.kml"
"$kmlab" check "$tmp/bad.kml" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "bad.kml:1:17: error: " "$tmp/out" && grep -q '^ *\^' "$tmp/out" && grep -q '^hint: ' "$tmp/out"
ok $? "a syntax error: exit 2, file:line:col, caret and hint" "rc=$rc $(head -n 4 "$tmp/out")"
printf 'a = kmalloc(8 MiB)\nfree b\natomic spinlock {\n  c = vmalloc(64)\n}\n' >"$tmp/sem.kml"
"$kmlab" check "$tmp/sem.kml" >"$tmp/out" 2>&1
rc=$?
errs=$(grep -c ': error: ' "$tmp/out")
[ $rc -eq 2 ] && [ "$errs" -ge 3 ]
ok $? "semantic errors (size, undefined name, sleeping in atomic) all reported at once" "rc=$rc errors=$errs $(grep error "$tmp/out")"
"$kmlab" check "$tmp/nonexistent.kml" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q 'nonexistent.kml' "$tmp/out"
ok $? "a missing plan file: exit 2 naming it" "rc=$rc $(cat "$tmp/out")"
head -c 4096 /dev/urandom >"$tmp/noise.kml"
"$kmlab" check "$tmp/noise.kml" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ]
ok $? "random bytes: errors, exit 2, no crash" "rc=$rc"

# --json -: stdout is JSON only (for jq), the text report goes to stderr
"$kmlab" check tests/plans/lessons/dangling.kml --json - >"$tmp/j.out" 2>"$tmp/j.err"
rc=$?
[ $rc -eq 1 ] && [ "$(grep -vc '^{' "$tmp/j.out")" -eq 0 ] &&
	[ "$(grep -c '"type":"finding"' "$tmp/j.out")" -eq 3 ] &&
	grep -q 'dangling.kml: 3 defects predicted' "$tmp/j.err"
ok $? "check --json -: three findings as JSON on stdout and nothing else, the text on stderr" \
	"rc=$rc $(grep -v '^{' "$tmp/j.out" | head -n 2)"
# a plan that does not compile still gets a whole JSON stream
"$kmlab" check "$tmp/bad.kml" --json "$tmp/e.json" >/dev/null 2>&1
rc=$?
bad=$(python3 tests/lib/jsonl_check.py "$tmp/e.json" check 2>&1)
[ $rc -eq 2 ] && [ -z "$bad" ] && grep -q '"type":"diagnostic","level":"error","site":"bad.kml:1"' "$tmp/e.json" &&
	grep -q '"type":"summary".*"compiled":false.*"verdict":"error"' "$tmp/e.json"
ok $? "check --json of a plan with errors: diagnostics and a summary with verdict error" "rc=$rc $bad"

# reports hold what only root should see: 0600 whatever the umask, an
# existing file included; a device given as the file is left alone
(umask 022 && "$kmlab" check tests/plans/lessons/dangling.kml --json "$tmp/new.json" >/dev/null 2>&1)
touch "$tmp/old.json" && chmod 0644 "$tmp/old.json"
(umask 022 && "$kmlab" check tests/plans/lessons/dangling.kml --json "$tmp/old.json" >/dev/null 2>&1)
null=$(stat -L -c %a /dev/null)
"$kmlab" check tests/plans/lessons/dangling.kml --json /dev/null >/dev/null 2>&1
rc=$?
[ "$(stat -c %a "$tmp/new.json")" = 600 ] && [ "$(stat -c %a "$tmp/old.json")" = 600 ] &&
	[ "$(stat -L -c %a /dev/null)" = "$null" ] && [ $rc -eq 1 ]
ok $? "--json FILE is created 0600 (umask 022), an existing 0644 file becomes 0600, /dev/null keeps its mode" \
	"new=$(stat -c %a "$tmp/new.json") old=$(stat -c %a "$tmp/old.json") /dev/null=$(stat -L -c %a /dev/null) rc=$rc"
tap_end
