#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `kmlab watch`'s command line on the host, where no module can load:
# a module's name or its PATH.ko with parameters, and each mistake a clear
# error with exit 2 before anything is attached.  (tests/guest/watch_load.sh
# loads modules for real.)  TAP.
. "$(dirname "$0")/../lib/tap.sh"
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kmlab=${KMLAB:-$top/build/kmlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

try() {	# try ARGS...: status in rc, stderr in $tmp/err
	"$kmlab" watch "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
says() { [ $rc -eq 2 ] && grep -q -- "$1" "$tmp/err"; }

try kmlab_leaky names=a
says "'names=a' looks like a module parameter, but no PATH.ko comes before it: only a module kmlab loads takes parameters"
ok $? "parameters after a module's name: exit 2, they need PATH.ko" "rc=$rc $(cat "$tmp/err")"
try kmlab_leaky kmlab_cases kmlab-leaky
says "kmlab_leaky is named twice: watch each module once"
ok $? "a module named twice (- and _ are the same): exit 2" "rc=$rc $(cat "$tmp/err")"
try a b c d e f g h i
says "at most 8 modules at once: 'i' is one too many"
ok $? "nine modules: exit 2, at most 8" "rc=$rc $(cat "$tmp/err")"
try kmlab_leaky "$tmp/none.ko" names=a
says "cannot open module $tmp/none.ko: No such file or directory"
ok $? "a name, then a PATH.ko that does not exist: exit 2, naming the file" "rc=$rc $(cat "$tmp/err")"
try "$tmp/none.ko" mymod
grep -q "'mymod' after $tmp/none.ko is taken as its parameter (mymod=y); to watch a module by name, name it before the first PATH.ko" "$tmp/err"
ok $? "a bare word after PATH.ko: taken as its bool parameter, and kmlab says so" "rc=$rc $(cat "$tmp/err")"
try kmlab_leaky --unload-after 3
says "unload-after needs a module kmlab loads"
ok $? "--unload-after with a name: exit 2" "rc=$rc $(cat "$tmp/err")"
try "$tmp/x.ko" --unload-after 0
says "unload-after wants whole seconds > 0, not '0'"
ok $? "--unload-after 0: exit 2" "rc=$rc $(cat "$tmp/err")"
try "$tmp/none.ko" -- names=a
says "cannot open module $tmp/none.ko: No such file or directory"
ok $? "a PATH.ko that does not exist: exit 2, naming it" "rc=$rc $(cat "$tmp/err")"
echo junk >"$tmp/junk.ko"
try "$tmp/junk.ko"
says "is not a kernel module (no .modinfo"
ok $? "a file that is not a module: exit 2" "rc=$rc $(cat "$tmp/err")"
try "$tmp"/
says "is not a kernel module: give the .ko file"
ok $? "a directory: exit 2" "rc=$rc $(cat "$tmp/err")"
# a module built for the lab's 6.1 kernel, on this kernel
ko=$(ls "$top"/build/kmod/6.1.*-amd64/tests/modules/kmlab_leaky.ko 2>/dev/null | head -n 1)
if [ -z "$ko" ]; then
	ok 1 "a module built for another kernel" "no build/kmod/6.1*/tests/modules/kmlab_leaky.ko: make modules"
else
	try "$ko" --unload-after 1 -- names=a values=64
	says "was built for kernel '6.1.*', this is '$(uname -r)': rebuild it against this kernel's headers (make -C /lib/modules/$(uname -r)/build M=\$PWD"
	ok $? "a module built for 6.1 on $(uname -r): exit 2, rebuild it for this kernel" "rc=$rc $(cat "$tmp/err")"
fi
"$kmlab" watch --help >"$tmp/help" 2>&1
grep -q 'PATH.ko \[--\] \[PARAM=VALUE...\]' "$tmp/help" && grep -q -- '--unload-after=S' "$tmp/help" &&
	grep -q 'MODULE\.\.\.' "$tmp/help" && grep -q 'Several modules (up to 8' "$tmp/help"
ok $? "--help shows the forms, several modules and --unload-after" "$(head -n 3 "$tmp/help")"
tap_end
