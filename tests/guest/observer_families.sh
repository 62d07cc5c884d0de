# SPDX-License-Identifier: GPL-2.0
# The allocator families beyond kmalloc in the lab guest (6.1, kprobes):
# vmalloc, kvmalloc, pages, percpu are observed (not taken on the data
# plane's word), each once, with its family; their leaks carry a stack;
# and a free that forwards to another (kvfree -> kfree, free_pages ->
# __free_pages) is one free, not a double free.  Prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
ko=${KMLAB_KO_DIR:-module}/kmlab_dp.ko

run() {	# run PLAN: report in /tmp/r.txt, JSON in /tmp/r.json, status in rc
	"$kmlab" run "$1" --module "$ko" --json /tmp/r.json >/tmp/r.txt 2>/tmp/r.err
	rc=$?
}

# count PATTERN...: JSON lines holding every pattern
count() {
	c=$(grep -F -- "$1" /tmp/r.json)
	shift
	for p in "$@"; do
		c=$(echo "$c" | grep -F -- "$p")
	done
	[ -n "$c" ] && echo "$c" | wc -l || echo 0
}

why() {
	echo "rc=$rc $(grep '"finding"' /tmp/r.json | head -n 2) $(head -n 2 /tmp/r.err)"
}

# 1. each family plan: clean, every object's allocation and free observed
# (an alloc event with its family and size, a free event), nothing twice
for spec in vmalloc:vmalloc:1048576 vmalloc:vmalloc:65536 \
	kvmalloc:kvmalloc:512 kvmalloc:kvmalloc:262144 \
	pages:alloc_pages:16384 pages:__get_free_pages:4096 \
	pages_exact:alloc_pages_exact:12288 percpu:percpu:64; do
	plan=${spec%%:*}
	rest=${spec#*:}
	fam=${rest%%:*}
	size=${rest#*:}
	[ "$plan" = "${last:-}" ] || run tests/plans/families/$plan.kml
	last=$plan
	no_finding $rc /tmp/r.json
	ok $? "$plan.kml runs clean" "$(why)"
	a=$(count '"event":"alloc"' "\"size\":$size," "\"family\":\"$fam\"" '[kmlab_dp]"')
	f=$(count '"event":"free"' "\"size\":$size," "\"family\":\"$fam\"")
	ptr=$(grep -F '"event":"alloc"' /tmp/r.json | grep -F "\"size\":$size," |
		grep -F "\"family\":\"$fam\"" | sed -n 's/.*"ptr":"\([^"]*\)".*/\1/p')
	# no second allocation reported at its address while it lives (an
	# earlier object there, freed before, is address reuse, not that)
	k=$(grep -F "\"ptr\":\"${ptr:-none}\"" /tmp/r.json |
		grep -E '"event":"(alloc|free)"' | awk -v size="\"size\":$size," \
		-v fam="\"family\":\"$fam\"" '
		/"event":"alloc"/ && index($0, size) && index($0, fam) && !seen { seen = 1; next }
		seen == 1 && /"event":"free"/ { seen = 2 }
		seen == 1 && /"event":"alloc"/ { k++ }
		END { print k + 0 }')
	[ "$a" -eq 1 ] && [ "$f" -eq 1 ] && [ "$k" -eq 0 ]
	ok $? "$plan: the $size-byte $fam object allocated once, freed once" \
		"alloc=$a free=$f other allocs at its address while it lived=$k"
done

# 2. leaks in the other families, found at unload, each with a stack
cat >/tmp/famleak.kml <<'PLAN'
# leaks in four families
plan famleak
v = vzalloc(8 KiB)
kv = kvmalloc(64 KiB)
pg = alloc_pages(GFP_KERNEL, 1)
pc = alloc_percpu(32)
forget v
forget kv
forget pg
forget pc
PLAN
run /tmp/famleak.kml
for spec in v:8192:vmalloc kv:65536:kvmalloc pg:8192:alloc_pages pc:32:percpu; do
	obj=${spec%%:*}
	rest=${spec#*:}
	size=${rest%%:*}
	fam=${rest#*:}
	c=$(count '"kind":"leak"' "\"object\":\"$obj\"" "\"size\":$size," \
		"\"family\":\"$fam\"" '"stack":["' '[kmlab_dp]"' '"observed":true')
	[ "$c" -eq 1 ]
	ok $? "leak of $fam object $obj ($size bytes) observed, with its stack" "$(why)"
done
[ $rc -eq 1 ]
ok $? "a plan leaking four families exits 1" "$(why)"

# 3. a real kmalloc double free still shows both frees' stacks
run tests/plans/hazards/double_free.kml
c=$(count '"kind":"double_free"' '"stack":["' '"first_free_stack":["' '[kmlab_dp]"')
[ "$c" -eq 1 ]
ok $? "double free: the finding carries both frees' stacks" "$(why)"

# 4. text report: a leak names its family and prints frames
run tests/plans/hazards/leak.kml
grep -q "allocated 512 bytes (.* real) by kmalloc at " /tmp/r.txt &&
	grep -A8 "allocated here:" /tmp/r.txt | grep -q "\[kmlab_dp\]"
ok $? "text report: family named, allocation stack symbolized" "$(grep -A3 'allocated here' /tmp/r.txt)"

# 5. the cache itself is an object: destroying it while busy is refused,
# and the cache leaks (observed, not only predicted)
run tests/plans/hazards/destroy_busy.kml
c=$(count '"kind":"leak"' '"object":"pool"' '"family":"kmem_cache_create"' '"observed":true')
[ "$c" -eq 1 ]
ok $? "destroy_busy: the busy cache pool leaks, observed" "$(why)"
c=$(count '"kind":"leak"' '"object":"obj"' '"observed":true')
[ "$c" -eq 1 ]
ok $? "destroy_busy: its object leaks too" "$(why)"

# 6. observing leaves the kernel's own records alone: /proc/vmallocinfo
# names the module as the caller of its vmalloc/kvmalloc areas, not a BPF
# trampoline (an exit hook on vmalloc() itself would make it so); 5 MiB
# is past kmalloc's limit: kvmalloc falls back to vmalloc
cat >/tmp/vinfo.kml <<'PLAN'
# vmalloc areas alive while the plan pauses
plan vinfo
v = vmalloc(40 KiB)
kv = kvmalloc(5 MiB)
pause 4000 ms
vfree(v)
kvfree(kv)
PLAN
# The observer's own maps are vmalloc areas too (one BPF array was once
# exactly 45056 bytes), so the plan's areas are found by the addresses
# its steps report, in snapshots taken while the plan pauses.
"$kmlab" run /tmp/vinfo.kml --module "$ko" --json /tmp/r.json >/tmp/r.txt 2>/tmp/r.err &
pid=$!
: >/tmp/vi.all
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 1200 ]; do
	grep -E "^0x[0-9a-f]+-0x[0-9a-f]+ +(45056|5246976|629[0-9]{4}) " \
		/proc/vmallocinfo >>/tmp/vi.all
	sleep 0.1
	i=$((i + 1))
done
wait $pid
rc=$?
: >/tmp/vi.txt
for obj in v kv; do
	p=$(grep -F '"event":"step"' /tmp/r.json | grep -F "\"object\":\"$obj\"" |
		grep -oE '"op":"k?vmalloc".*"ptr":"0x[0-9a-f]+"' |
		grep -oE '0x[0-9a-f]+"$' | tr -d '"' | head -n 1)
	[ -n "$p" ] && grep -F -- "$p-" /tmp/vi.all | sort -u | head -n 1 >>/tmp/vi.txt
done
c=$(grep -c "\[kmlab_dp\]" /tmp/vi.txt)
b=$(grep -c "bpf_trampoline\|rethook\|kretprobe" /tmp/vi.txt)
[ "$c" -eq 2 ] && [ "$b" -eq 0 ]
ok $? "vmallocinfo names the module as its areas' caller" "module=$c trampoline=$b: $(cat /tmp/vi.txt)"
c=$(count '"event":"alloc"' '"family":"vmalloc"' '"size":40960,')
k=$(count '"event":"alloc"' '"family":"kvmalloc"' '"size":5242880,')
no_finding "$rc" /tmp/r.json && [ "$c" -eq 1 ] && [ "$k" -eq 1 ]
ok $? "the paused plan's vmalloc and kvmalloc seen once each, clean" "rc=$rc vmalloc=$c kvmalloc=$k"

tap_end
