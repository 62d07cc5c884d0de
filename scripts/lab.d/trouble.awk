# SPDX-License-Identifier: GPL-2.0
# Kernel trouble in the lab's console log (raw or cleaned): print
# the lines that show a panic, oops, BUG, WARN, lockup or stack dump
# logged while the command ran, i.e. after "KMLAB-START" and before
# "KMLAB-EXIT" (to the end when the guest died before EXIT).
#
# SLUB debug reports ("BUG kmalloc-128 (Tainted: ...): Object already
# free" ... "FIX kmalloc-128: ...") are slub_debug catching a hazard the
# lab provoked on purpose: their stack dumps are not trouble.  Reports
# without a FIX line (slab_err) end at the next "====" rule or report.
# Newer SLUB (6.12, not 6.1) ends object_err() and slab_err() with a
# WARN_ON(1): inside such a report, that splat is part of it too.
#
# KFENCE's reports ("BUG: KFENCE: use-after-free write in f+0x.." to the
# next "====" rule, its stacks printed line by line) are KFENCE catching
# a bug a test module makes on purpose, on an object it sampled: not
# trouble either.
#
# -v expect=TEXT: a warning whose message holds TEXT was provoked on
# purpose (the lab's --expect-warn); its splat, up to "---[ end trace",
# is not trouble either.
#
# Nor is an allocation the kernel declines and reports with a stack
# dump: plans ask for such allocations on purpose (a 4 MiB debug cache,
# a kmalloc too big, memory run out) and the kernel stays healthy.  The
# reports, as 6.1 and 6.12 print them:
#   warn_alloc:   "insmod: page allocation failure: order:10, mode:..."
#                 then CPU/Tainted/Hardware lines, its stack, Mem-Info
#   cache create: "kmem_cache_create_usercopy(big) failed with error -22"
#                 (6.12: "__kmem_cache_create_args(big) ..."), its stack
#   order too big: "WARNING: CPU: 1 PID: 148 at mm/page_alloc.c:5634
#                 __alloc_pages+0x2a9/0x330" (__alloc_pages_noprof on
#                 6.12), a splat up to "---[ end trace"
# Each excuses its own stack dump only: the first two the one "Call
# Trace" that follows their header lines; any other report, in or after
# them, still counts.

		{ sub(/\r$/, ""); sub(/^\[ *[0-9.]+\] /, "") }
/KMLAB-START /	{ on = 1; next }
/KMLAB-EXIT /	{ on = 0 }
!on		{ next }

/^BUG [^ :]+ \(/	{ slub = 1; next }
/^FIX [^ :]+: /		{ slub = 0; next }
/^====================/ && slub	{ slub = 0 }
/^BUG: KFENCE: /	{ kfence = 1; next }
/^====================/ && kfence	{ kfence = 0; next }
kfence			{ next }
slub && /WARNING: CPU: .* at mm\/slub\.c:[0-9]+ (object_err|slab_err)\+/	{ warned = 1; next }
expect != "" && index($0, expect)	{ warned = 1; next }
/WARNING: CPU: .* at mm\/page_alloc\.c:[0-9]+ __alloc_pages(_noprof)?\+/	{ warned = 1; next }
/^---\[ end trace/ && warned		{ warned = 0; next }
warned				{ next }

/: page allocation failure: order:[0-9]+, mode:/	{ declined = 1; next }
/kmem_cache_create[a-z_]*\(.*\) failed with error -?[0-9]+/	{ declined = 1; next }
declined && /Call Trace/	{ declined = 0; next }
# between the header and its stack: only dump_stack()'s own lines
declined && !/^(CPU: |Tainted: |Hardware name: )/	{ declined = 0 }

/Kernel panic|Oops|BUG: |kernel BUG at|general protection fault|WARNING: CPU|watchdog: BUG|soft lockup|hard LOCKUP|INFO: task .* blocked|detected stall|self-detected stall/ {
	print; next
}
# A console that cannot keep up drops lines ("** 181 printk messages
# dropped **": 6.1-rt's, under a burst of SLUB reports): a stack dump
# after that may have lost its header.  It is a SLUB report's when
# object_err() or slab_err() dumped it, as its first frames say.
/^\*\* [0-9]+ printk messages dropped \*\*/	{ dropped = 1; next }
dropped && /Call Trace/ && !slub	{ held = $0; held_n = 0; dropped = 0; next }
held != "" && / (object_err|slab_err)\+0x/	{ held = ""; slub = 1; next }
held != "" && ++held_n > 3	{ print held; held = "" }
/Call Trace/ && !slub	{ print }

END	{ if (held != "") print held }
