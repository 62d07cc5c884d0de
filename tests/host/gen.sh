#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `kmlab gen` as a user runs it: a module's C, Kbuild and Makefile for
# every plan of the corpus, the same bytes twice, each plan line quoted
# above its statement; the seed's plan gives the seed's calls and nothing
# more; bad names, plans and directories get a clear error and exit 2.
# Building and running the modules is the guest's (make gen-modules,
# tests/guest/corpus.sh).  Host only, no root needed.  TAP.
. "$(dirname "$0")/../lib/tap.sh"
set -u
kmlab=${KMLAB:-build/kmlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

all=1 same=1 quoted=1 bad=""
for plan in tests/plans/*/*.kml; do
	d=${plan%/*}
	name=g_${d##*/}_$(basename "$plan" .kml)
	if ! "$kmlab" gen "$plan" -o "$tmp/$name" --name "$name" >/dev/null 2>"$tmp/err" ||
	   [ ! -s "$tmp/$name/$name.c" ] || [ ! -s "$tmp/$name/Kbuild" ] ||
	   [ ! -s "$tmp/$name/Makefile" ]; then
		all=0 bad="$bad $plan: $(head -c 200 "$tmp/err")"
		continue
	fi
	"$kmlab" gen "$plan" -o "$tmp/again" --name "$name" >/dev/null 2>&1
	cmp -s "$tmp/$name/$name.c" "$tmp/again/$name.c" || same=0
	# every op's line is quoted above its statement
	for l in $(grep -o '\.line = [0-9]*' "$tmp/$name/$name.c" | sed 's/.* //' | sort -un); do
		grep -q "/\* $l: \|^	* \* $l: " "$tmp/$name/$name.c" || { quoted=0 bad="$bad $plan: line $l not quoted"; }
	done
done
ok $((1 - all)) "kmlab gen writes NAME.c, Kbuild and Makefile for every corpus plan" "$bad"
ok $((1 - same)) "the same plan gives the same C twice"
ok $((1 - quoted)) "each statement's plan line is quoted above it" "$bad"

# the seed's module: kmalloc 1024 and 4096 in init, their kfrees in exit
"$kmlab" gen tests/plans/clean/seed.kml -o "$tmp/seed" >"$tmp/out" 2>&1
c=$tmp/seed/kmlab_seed.c
[ -f "$c" ] && grep -q 'wrote .*kmlab_seed.c' "$tmp/out"
ok $? "the default name is kmlab_<plan>, and gen says what it wrote" "$(cat "$tmp/out")"
code() {	# code FILE: its lines that are not comments
	grep -v '^[[:space:]]*/\?\*' "$1"
}
calls=$(code "$c" | grep -oE '\b(kmalloc|kzalloc|kfree|vmalloc|vfree|kmem_cache_[a-z]+|alloc_pages|__free_pages)\(' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
[ "$calls" = " 2 kfree(; 2 kmalloc(;" ] &&
	grep -q 'ret = kmalloc(1024, GFP_KERNEL);' "$c" &&
	grep -q 'ret = kmalloc(4096, GFP_KERNEL);' "$c" &&
	grep -q 'kfree(plan.st\[OBJ_buffer\].ptr);' "$c" &&
	grep -q 'kfree(plan.st\[OBJ_big_buffer\].ptr);' "$c"
ok $? "the seed's plan: kmalloc(1024) and kmalloc(4096), two kfrees, no other allocator call" "calls: $calls"
code "$c" | sed -n '/^static void plan_load/,/^}/p' | grep -c 'kmalloc(' | grep -qx 2 &&
	code "$c" | sed -n '/^static void plan_unload/,/^}/p' | grep -c 'kfree(' | grep -qx 2 &&
	grep -q 'plan_load();' "$c" && grep -q 'module_init(plan_init);' "$c" &&
	grep -q 'plan_unload();' "$c" && grep -q 'module_exit(plan_exit);' "$c"
ok $? "... the allocations run in module_init, the frees in module_exit"
! grep -q 'demand' "$c"
ok $? "... and a plan without a demand phase has no demand parameter"
grep -q 'module_param_cb(demand' "$tmp/g_clean_phases/g_clean_phases.c"
ok $? "a plan with a demand phase gets the demand parameter that runs it"
grep -q '^MODULE_INFO(kmlab_plan, "[0-9a-f]\{16\}");' "$c"
ok $? "the module carries the plan's digest, which run --compiled checks"
grep -q "KMLAB ?= $(pwd)" "$tmp/seed/Kbuild" && grep -q 'KBUILD_EXTRA_SYMBOLS=$(KMLAB_SYMVERS)' "$tmp/seed/Makefile"
ok $? "Kbuild finds kmlab's headers, the Makefile kmlab_dp's symbols" "$(cat "$tmp/seed/Kbuild")"

# errors: exit 2 and a sentence that says what to do
err() {	# err WANT ARGS...: kmlab gen ARGS exits 2 and says WANT
	want=$1
	shift
	"$kmlab" gen "$@" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 2 ] && grep -q -- "$want" "$tmp/out"
	ok $? "kmlab gen $*: exit 2, '$want'" "rc=$rc: $(head -c 300 "$tmp/out")"
}
err "cannot name a module" tests/plans/clean/seed.kml --name 9lives -o "$tmp/x"
err "cannot name a module" tests/plans/clean/seed.kml --name bad-name -o "$tmp/x"
err "cannot name a module" tests/plans/clean/seed.kml -o "$tmp/x" --name "$(printf 'm%.0s' $(seq 60))"
err "the data plane's name" tests/plans/clean/seed.kml --name kmlab_dp -o "$tmp/x"
err "which plan" -o "$tmp/x"
printf 'plan broken\nx = kmalloc(\n' >"$tmp/broken.kml"
err "does not compile" "$tmp/broken.kml" -o "$tmp/x"
[ ! -e "$tmp/x" ]
ok $? "nothing is written for a plan or a name that was refused"
err "cannot create" tests/plans/clean/seed.kml -o /proc/nonexistent/dir
err "the kmlab tree" tests/plans/clean/seed.kml -o "$tmp/y" --kmlab /nonexistent
err "has no module/kmlab_dp.h" tests/plans/clean/seed.kml -o "$tmp/y" --kmlab /tmp
[ ! -e "$tmp/y" ]
ok $? "nothing is written without the kmlab tree either"
tap_end
