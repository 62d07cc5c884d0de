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
#
# -v expect=TEXT: a warning whose message holds TEXT was provoked on
# purpose (the lab's --expect-warn); its splat, up to "---[ end trace",
# is not trouble either.

		{ sub(/\r$/, ""); sub(/^\[ *[0-9.]+\] /, "") }
/KMLAB-START /	{ on = 1; next }
/KMLAB-EXIT /	{ on = 0 }
!on		{ next }

/^BUG [^ :]+ \(/	{ slub = 1; next }
/^FIX [^ :]+: /		{ slub = 0; next }
/^====================/ && slub	{ slub = 0 }
expect != "" && index($0, expect)	{ warned = 1; next }
/^---\[ end trace/ && warned		{ warned = 0; next }
warned				{ next }

/Kernel panic|Oops|BUG: |kernel BUG at|general protection fault|WARNING: CPU|watchdog: BUG|soft lockup|hard LOCKUP|INFO: task .* blocked|detected stalls/ {
	print; next
}
/Call Trace/ && !slub	{ print }
