# SPDX-License-Identifier: GPL-2.0
# The kernel types kept for the boot (loader/observer/btf_min.h): the
# first run of a boot reads the kernel's whole BTF and keeps the part the
# observer's CO-RE relocations read; later runs hand libbpf only that
# part, and load the fexit and tp_btf programs with the BTF ids kept
# beside it.  Both must relocate every program to the same instructions
# (KMLAB_INSNS writes them as loaded), in watch mode (every family, the
# module events) and in trace mode (the fork and exit tracepoints); a
# kept file that was changed is not used.  busybox sh in the lab guest;
# prints TAP.
. "$(dirname "$0")/../lib/tap.sh"
kmlab=${KMLAB:-build/kmlab}
tko=${KMLAB_KO_DIR:-tests/modules}

# watch_run INSNS: kmlab watch kmlab_cases until ready, then Ctrl-C
watch_run() {
	: >/tmp/c.err
	KMLAB_INSNS=$1 "$kmlab" watch -v kmlab_cases --timeout 120 >/tmp/c.txt 2>/tmp/c.err &
	pid=$!
	i=0
	while ! grep -q "watching kmlab_cases" /tmp/c.err &&
		kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -INT $pid 2>/dev/null
	wait $pid
}
read_btf() { grep -q "loading kernel BTF '/sys/kernel/btf/vmlinux'" /tmp/c.err; }
progs() { grep -c '^[a-z_]* [0-9]*$' "$1"; }

insmod "$tko/kmlab_cases.ko"
rm -rf /run/kmlab
watch_run /tmp/c.full
read_btf
ok $? "the first run of the boot: libbpf reads the kernel's BTF" "$(tail -n 3 /tmp/c.err)"
[ -s /run/kmlab/btf-core ]
ok $? "... and the types the relocations read are kept" "$(ls -l /run/kmlab)"

watch_run /tmp/c.kept
! read_btf && grep -q "watching kmlab_cases" /tmp/c.err
ok $? "the next run: ready without libbpf reading the kernel's BTF" "$(grep -i btf /tmp/c.err | head -n 3)"
[ "$(progs /tmp/c.full)" -gt 20 ] && cmp -s /tmp/c.full /tmp/c.kept
ok $? "watch: every program ($(progs /tmp/c.full)) relocated to the same instructions against the kept types as against the whole BTF" \
	"$(diff /tmp/c.full /tmp/c.kept | head -n 5)"
grep -q "^on_module_load " /tmp/c.kept && grep -q "^on_module_free " /tmp/c.kept &&
	grep -q "_exit " /tmp/c.kept
ok $? "... the tp_btf and fexit programs among them, loaded by the BTF ids kept" "$(grep '^[a-z_]* [0-9]*$' /tmp/c.kept | tr '\n' ' ')"

# a module loaded while watched: the module events work as loaded
"$kmlab" watch --unload-after 1 --json /tmp/c.json "$tko/kmlab_leaky.ko" -- names=first,last values=100,3000 >/tmp/c.txt 2>/tmp/c.err
rc=$?
[ $rc -eq 1 ] && has /tmp/c.json '"kind":"leak"' '"size":3000' '[kmlab_leaky]"' 
ok $? "kmlab watch PATH.ko with the kept types: its load and unload seen, its leak found" "rc=$rc $(tail -n 3 /tmp/c.err)"

# trace mode: the fork and exit programs (tp_btf), kmem's
rm -rf /run/kmlab
KMLAB_INSNS=/tmp/t.full "$kmlab" trace --quiet -- true >/dev/null 2>&1
KMLAB_INSNS=/tmp/t.kept "$kmlab" trace -v --quiet -- true >/dev/null 2>/tmp/c.err
rc=$?
! read_btf && [ $rc -ne 2 ] && grep -q "^on_fork " /tmp/t.kept && cmp -s /tmp/t.full /tmp/t.kept
ok $? "trace: the same instructions, on_fork and on_exit among them, without the whole BTF" \
	"rc=$rc $(diff /tmp/t.full /tmp/t.kept | head -n 5)"

# changed behind kmlab's back: not used, read again and kept again
echo junk >>/run/kmlab/btf-core
watch_run /tmp/c.again
read_btf && cmp -s /tmp/c.full /tmp/c.again
ok $? "a kept file that changed is not used: the whole BTF is read again" "$(tail -n 3 /tmp/c.err)"
watch_run /tmp/c.kept2
! read_btf && cmp -s /tmp/c.full /tmp/c.kept2
ok $? "... and kept anew for the run after" "$(tail -n 3 /tmp/c.err)"
rmmod kmlab_cases
tap_end
