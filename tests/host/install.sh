#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make install` as a packager runs it (PREFIX, DESTDIR): the binary, two
# man pages that render cleanly and document every option the commands
# take, bash completion that completes, and the data plane's source that
# dkms builds for a kernel of the lab.  Host only.  TAP.
. "$(dirname "$0")/../lib/tap.sh"
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
version=$(sed -n 's/^#define KMLAB_VERSION "\(.*\)"/\1/p' "$top/include/kmlab/version.h")
src=$dest/usr/src/kmlab-dp-$version

make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr >"$tmp/make.out" 2>&1
rc=$?
modes=$(cd "$dest" && stat -c '%a %n' usr/bin/kmlab usr/share/man/man1/kmlab.1 usr/share/man/man5/kmlab-plan.5 \
	usr/share/bash-completion/completions/kmlab "usr/src/kmlab-dp-$version/dkms.conf" 2>&1 | tr '\n' ' ')
[ $rc -eq 0 ] && [ "$modes" = "755 usr/bin/kmlab 644 usr/share/man/man1/kmlab.1 644 usr/share/man/man5/kmlab-plan.5 644 usr/share/bash-completion/completions/kmlab 644 usr/src/kmlab-dp-$version/dkms.conf " ]
ok $? "make install DESTDIR PREFIX=/usr: binary 0755, man pages, completion, dkms source" "rc=$rc $modes $(tail -n 3 "$tmp/make.out")"
"$dest/usr/bin/kmlab" --version | grep -qx "kmlab $version"
ok $? "the installed kmlab says its version, $version (include/kmlab/version.h)" "$("$dest/usr/bin/kmlab" --version)"
[ ! -e "$dest/usr/local" ] && [ ! -e "$tmp/usr" ]
ok $? "nothing outside DESTDIR/PREFIX" "$(find "$dest" -maxdepth 2)"

# man pages: no groff warnings; every long option of every command is in kmlab(1)
for m in man1/kmlab.1 man5/kmlab-plan.5; do
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$dest/usr/share/man/$m" 2>&1 >"$tmp/page")
	[ -z "$warn" ] && [ "$(wc -l <"$tmp/page")" -gt 60 ] && grep -q "kmlab $version" "$tmp/page" &&
		! grep -q '@VERSION@' "$tmp/page"
	ok $? "$m renders without warnings, with the version filled in" "$warn"
done
missing=
for c in check run watch trace report; do
	for o in $("$top/build/kmlab" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		case $o in --help|--usage|--version) continue ;; esac
		grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$dest/usr/share/man/man1/kmlab.1" ||
			missing="$missing $c$o"
	done
done
[ -z "$missing" ]
ok $? "kmlab(1) documents every option of check, run, watch, trace and report" "missing:$missing"
# kmlab-plan(5)'s examples are plans kmlab compiles, as the page says
sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$top/docs/kmlab-plan.5" | sed -n '/^\.nf/,/^\.fi/p' |
	sed '1d;$d' >"$tmp/synopsis.kml"
sed -n '/^\.SH EXAMPLES/,/^\.SH SEE/p' "$top/docs/kmlab-plan.5" | sed -n '/^\.nf/,/^\.fi/p' |
	sed '1d;$d' >"$tmp/example.kml"
"$top/build/kmlab" check "$tmp/synopsis.kml" >"$tmp/s.out" 2>&1
rs=$?
"$top/build/kmlab" check "$tmp/example.kml" >"$tmp/e.out" 2>&1
re=$?
[ $rs -eq 1 ] && grep -q '3 defects predicted: 1 leak 1 double_free 1 late_access' "$tmp/s.out" && [ $re -eq 0 ]
ok $? "kmlab-plan(5): its synopsis predicts the lesson's 3 defects, its example compiles clean" \
	"synopsis rc=$rs example rc=$re $(cat "$tmp/s.out" "$tmp/e.out" | tail -n 4)"

# bash completion: commands, options from --help, plans
comp() {	# comp WORD...: what completing the last word offers
	(
		cd "$top" || exit 1
		PATH=$top/build:$PATH
		. "$dest/usr/share/bash-completion/completions/kmlab"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_kmlab
		echo "${COMPREPLY[*]}"
	)
}
[ "$(comp kmlab ru)" = run ] && [ "$(comp kmlab trace --to)" = --top ] &&
	[ "$(comp kmlab check tests/plans/lessons/dang)" = tests/plans/lessons/dangling.kml ] &&
	[ "$(comp kmlab run --js)" = --json ] && [[ " $(comp kmlab trace -- tru) " == *" true "* ]]
ok $? "completion: commands, each command's options, .kml plans, the command after trace --" \
	"ru: $(comp kmlab ru) | trace --to: $(comp kmlab trace --to) | check dang: $(comp kmlab check tests/plans/lessons/dang) | trace -- tru: $(comp kmlab trace -- tru)"

# dkms builds the installed source for the lab's 6.1 kernel, from its
# cached headers (a private dkms tree: the system's is not touched)
g=$("$top/scripts/guest-kernel" 6.1 2>/dev/null)
kver=$(cat "$g/version" 2>/dev/null)
if [ -z "$kver" ] || ! command -v dkms >/dev/null; then
	ok 1 "dkms builds kmlab-dp/$version for 6.1" "no dkms ($(command -v dkms)) or no 6.1 headers ($g): run scripts/deps"
else
	mkdir -p "$tmp/dkms"
	dkms build "kmlab-dp/$version" --dkmstree "$tmp/dkms" --sourcetree "$dest/usr/src" -k "$kver" \
		--kernelsourcedir "$g/usr/src/linux-headers-$kver" >"$tmp/dkms.out" 2>&1
	rc=$?
	ko=$(find "$tmp/dkms/kmlab-dp/$version/$kver" -name kmlab_dp.ko 2>/dev/null | head -n 1)
	[ $rc -eq 0 ] && [ -n "$ko" ] && [ "$(modinfo -F version "$ko")" = "$version" ] &&
		modinfo -F vermagic "$ko" | grep -q "^$kver "
	ok $? "dkms build kmlab-dp/$version -k $kver: kmlab_dp.ko, version $version, vermagic $kver" \
		"rc=$rc ko=$ko $(tail -n 5 "$tmp/dkms.out" "$(find "$tmp/dkms" -name make.log | head -n 1)" 2>/dev/null)"
fi
tap_end
