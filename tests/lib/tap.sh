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

tap_end() {
	echo "1..$n"
	[ "$fail" -eq 0 ]
}
