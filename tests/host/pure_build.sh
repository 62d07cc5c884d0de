# SPDX-License-Identifier: GPL-2.0
# The plan compiler needs only a C compiler: build/kmlab-check built into
# a fresh directory with clang and bpftool made unusable, its headers
# listed by the compiler (none from libbpf, no skeleton, no vmlinux.h),
# and the result compiling plans like `kmlab check`.  Prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
make -s OUT="$out" CLANG=false BPFTOOL=false "$out/kmlab-check" >"$out/make.log" 2>&1
ok $? "kmlab-check builds with no clang and no bpftool" "$(tail -n 5 "$out/make.log")"
# the plan compiler's stages and the shared checker, and the command
srcs="$(ls loader/plan/*.c loader/findings/*.c) module/ir_check.c loader/cmd/cmd_check.c loader/cmd/main.c"
deps=$(${CC:-gcc} -MM -D_GNU_SOURCE -DKMLAB_CHECK_ONLY -Iinclude \
	$(for d in loader/*/; do printf ' -I%s' "$d"; done) $srcs 2>&1)
! echo "$deps" | grep -qE 'bpf/|skel\.h|vmlinux\.h|events\.h|timeline\.h|error:'
ok $? "the compiler includes nothing of libbpf or the observer (no skeleton, vmlinux.h, events)" \
	"$(echo "$deps" | grep -oE '[^ ]*(bpf/|skel\.h|vmlinux\.h|events\.h|timeline\.h|error:)[^ ]*' | head -n 3)"
! nm "$out/kmlab-check" 2>/dev/null | grep -q ' bpf_'
ok $? "and it links no libbpf symbol"
"$out/kmlab-check" check tests/plans/hazards/leak.kml >"$out/o.txt" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "predicted leak: kept (512 bytes)" "$out/o.txt"
ok $? "kmlab-check check leak.kml: the leak, exit 1" "rc=$rc $(head -n 2 "$out/o.txt")"
"$out/kmlab-check" run tests/plans/hazards/leak.kml >"$out/o.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "unknown command 'run': use check, gen, report (" "$out/o.txt"
ok $? "it has no run: exit 2, says it offers only check, gen and report" "rc=$rc $(cat "$out/o.txt")"
tap_end
