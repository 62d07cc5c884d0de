# SPDX-License-Identifier: GPL-2.0
# TAP for the shell tests (bash on the host, busybox sh in the guest).
# Source it; then `ok STATUS NAME [WHY]` per check and `tap_end` last,
# which prints the plan and fails the script if any check failed.
n=0
fail=0

ok() {	# ok STATUS NAME [WHY]: STATUS 0 passes
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2 # ${3:-}"
		fail=$((fail + 1))
	fi
}

# has FILE PATTERN...: one line of FILE holds every fixed string
has() {
	_f=$1
	shift
	_line=$(grep -F -- "$1" "$_f")
	shift
	for _p in "$@"; do
		_line=$(echo "$_line" | grep -F -- "$_p")
	done
	[ -n "$_line" ]
}

# verdict_of FILE: the verdict a kmlab report gives, from its JSON
# summary or its text ("verdict: clean")
verdict_of() {
	sed -n 's/.*"type":"summary".*"verdict":"\([a-z]*\)".*/\1/p; s/^verdict: \([a-z]*\).*/\1/p' "$1" | tail -n 1
}

# no_finding STATUS FILE: kmlab found nothing, and its exit status says
# the same as its verdict: 0 "clean", or 3 "inconclusive" (events lost)
no_finding() {
	_v=$(verdict_of "$2")
	{ [ "$1" -eq 0 ] && [ "$_v" = clean ]; } || { [ "$1" -eq 3 ] && [ "$_v" = inconclusive ]; }
}

tap_end() {
	echo "1..$n"
	[ "$fail" -eq 0 ]
}
