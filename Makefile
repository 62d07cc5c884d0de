# SPDX-License-Identifier: GPL-2.0
# kmlab: `make demo` runs the lab, `make check` runs every test.
# Everything generated goes to build/, the modules too: one tree per
# kernel, build/kmod/<kver>/module/ (kbuild runs on a tree of links to
# module/'s sources, so module/ itself stays clean).  V=1 shows commands.
#
# Kernels are Debian flavours (scripts/guest-kernel --list): 6.1, 6.12,
# 6.1-rt, 6.12-rt.  LAB_KERNEL=K picks the lab's kernel (default 6.1):
# `make module` and `make demo` use it, and `make check` then runs the
# guest tests on it alone; otherwise make check runs them on
# CHECK_KERNELS and check-matrix on MATRIX_KERNELS.

OUT	:= build
ifdef LAB_KERNEL
CHECK_KERNELS ?= $(LAB_KERNEL)
else
CHECK_KERNELS ?= 6.1 6.12
endif
MATRIX_KERNELS ?= 6.1 6.12 6.1-rt 6.12-rt
# sub-makes (check runs one) keep the list; the scripts default to 6.1
export CHECK_KERNELS
LAB_KERNEL ?= 6.1
# The one BPF build serves every kernel (CO-RE): its vmlinux.h comes
# from the release's default kernel, whichever kernel the lab boots.
GUEST	 = $(shell scripts/guest-kernel 6.1)

CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
CFLAGS	?= -g -O2
CFLAGS	+= -Wall -Wextra -Wno-unused-parameter -Werror -std=gnu11
# the loader's stages, left to right: plan (the compiler), dataplane,
# observer, timeline, findings, report; cmd on top
LOADER_DIRS := plan dataplane observer timeline findings report cmd
CPPFLAGS += -I$(OUT) -Iinclude $(addprefix -Iloader/,$(LOADER_DIRS)) -D_GNU_SOURCE
# where `kmlab gen` tells a generated module to find module/ and include/:
# this tree, or once it is gone the data plane's source `make install` put
CPPFLAGS += -DKMLAB_SRCDIR='"$(CURDIR)"' -DKMLAB_DPSRC='"$(DP_SRC)"'
# static, so the same binary runs in the busybox guest
LDLIBS	:= -lbpf -lelf -lz
LDFLAGS	+= -static

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: all deps module modules gen-modules bpf loader kmlab-check demo check check-matrix unit fuzz bench bench-timeline clean lab install uninstall

all: loader module

deps:
	$(Q)scripts/deps $(CHECK_KERNELS)

# The contract of all three planes: the IR, its ops and families, the
# step record, the observer's events (include/kmlab/).
CONTRACT := $(wildcard include/kmlab/*.h)

# --- observer --------------------------------------------------------------
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
# which build of the programs: what the loader keeps for a boot
# (symcache.h) is only for the programs it was made for
BPF_IDS := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.id.h,$(BPF_SRCS))

# vmlinux.h comes from the GUEST kernel's BTF (6.1): CO-RE relocates it
# to whatever kernel the objects load on (the host runs 6.18).
# VMLINUX_BTF=/sys/kernel/btf/vmlinux builds from your own kernel's BTF
# instead (outside the lab, no guest kernel download).
$(OUT)/vmlinux.h: scripts/vmlinux-h | $(OUT)
	$(call msg,BTF,$@)
	$(Q)$(if $(VMLINUX_BTF),$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c,scripts/vmlinux-h $(GUEST)) > $@

$(OUT)/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard bpf/*.h) $(CONTRACT) | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 \
		-I$(OUT) -Iinclude -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUT)/%.bpf.id.h: $(OUT)/%.bpf.o
	$(Q)printf '#define KMLAB_BPF_ID 0x%sULL\n' \
		"$$(sha256sum $< | cut -c1-16)" > $@

bpf: $(BPF_OBJS) $(BPF_SKELS) $(BPF_IDS)

# --- loader ----------------------------------------------------------------
LOADER_SRCS := $(wildcard loader/*/*.c)
LOADER_HDRS := $(wildcard loader/*/*.h)
# the data plane's IR checker, compiled into kmlab as well (ir_check.h)
SHARED_SRCS := module/ir_check.c
LOADER_OBJS := $(patsubst loader/%.c,$(OUT)/loader/%.o,$(LOADER_SRCS)) \
	       $(patsubst module/%.c,$(OUT)/loader/%.o,$(SHARED_SRCS))
# pure parts (no libbpf), linked into unit tests and the fuzzer
PURE_SRCS := $(filter-out loader/cmd/% loader/observer/observer.c loader/observer/maps_ahead.c loader/observer/watchpoints.c loader/observer/btf_min.c loader/observer/btf_attach.c loader/dataplane/%,$(LOADER_SRCS)) \
	     $(SHARED_SRCS)

$(OUT)/loader/%.o: loader/%.c $(LOADER_HDRS) $(CONTRACT) $(BPF_SKELS) $(BPF_IDS) | $(OUT)/loader
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/loader/%.o: module/%.c $(LOADER_HDRS) $(CONTRACT) | $(OUT)/loader
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/kmlab: $(LOADER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

loader: $(OUT)/kmlab

# The plan compiler alone, `kmlab check` (build/kmlab-check): only a C
# compiler and libc, no libbpf, bpftool, clang or kernel BTF.
CHECK_SRCS := $(PURE_SRCS) loader/cmd/cmd_check.c loader/cmd/cmd_gen.c loader/cmd/cmd_report.c loader/cmd/main.c

$(OUT)/kmlab-check: $(CHECK_SRCS) $(LOADER_HDRS) $(CONTRACT) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DKMLAB_CHECK_ONLY $(CHECK_SRCS) -o $@

kmlab-check: $(OUT)/kmlab-check

# --- data plane --------------------------------------------------------------
# Out-of-tree modules, per kernel: module/ and, once it has a Kbuild,
# tests/modules/ (the guest tests' own modules).  scripts/lab ships
# build/kmod/<kver>/*/*.ko to the kernel it boots.
KMOD_DIRS := module $(if $(wildcard tests/modules/Kbuild),tests/modules)

# kmod_build KDIR: build KMOD_DIRS against the headers in KDIR into
# build/kmod/<its kernel release>/.  Each tree is links to the sources
# (Kbuild, Makefiles, C, headers, assembly; no generated files), made
# afresh each time so added and removed sources follow; kbuild writes
# its objects next to the links.  The .ko files go first, so a module
# that moved or went away leaves no stale copy for the lab to ship
# (kbuild relinks the rest).  include/ is linked beside the trees, where
# their Kbuilds look for the contract.  tests/modules may use kmlab_dp's
# exports (KBUILD_EXTRA_SYMBOLS).  No module BTF, on any kernel: 6.1's
# kbuild lacks the tools, and 6.12's would need pahole (dwarves), whose
# output a kernel may refuse at load; the observer does not use it.
define kmod_build
	kdir=$(1); \
	kver=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$$/\1/p' "$$kdir/include/generated/utsrelease.h") && \
	[ -n "$$kver" ] || { echo "make: $$kdir is not a kernel build tree (no UTS_RELEASE in include/generated/utsrelease.h)" >&2; exit 1; }; \
	ln -sfn $(CURDIR)/include "$(CURDIR)/$(KMOD)/$$kver/include" 2>/dev/null || \
		{ mkdir -p "$(CURDIR)/$(KMOD)/$$kver" && ln -sfn $(CURDIR)/include "$(CURDIR)/$(KMOD)/$$kver/include"; }; \
	for d in $(KMOD_DIRS); do \
		o=$(CURDIR)/$(KMOD)/$$kver/$$d; \
		$(if $(Q),printf '  %-8s %s\n' KBUILD "$(KMOD)/$$kver/$$d";) \
		mkdir -p "$$o" && find "$$o" -xtype l -delete && rm -f "$$o"/*.ko && \
		(cd "$$d" && find . -mindepth 1 -name '.*' -prune -o -type d -print) | (cd "$$o" && xargs -r mkdir -p) && \
		(cd "$$d" && find . -mindepth 1 -name '.*' -prune -o -type f \( -name Kbuild -o -name Makefile \
			-o \( -name '*.[chS]' ! -name '*.mod.c' \) \) -print) | \
			while read -r f; do ln -sfn "$(CURDIR)/$$d/$${f#./}" "$$o/$${f#./}"; done && \
		syms=$$([ "$$d" = module ] || echo "KBUILD_EXTRA_SYMBOLS=$(CURDIR)/$(KMOD)/$$kver/module/Module.symvers") && \
		$(MAKE) -s -C "$$kdir" M="$$o" $$syms CONFIG_DEBUG_INFO_BTF_MODULES= modules || exit 1; \
	done
endef
KMOD	:= $(OUT)/kmod

# `make module`: the lab's kernel (LAB_KERNEL), or any kernel's build
# tree with KDIR=; `make modules`: every kernel of CHECK_KERNELS.
ifdef KDIR
module:
	$(Q)$(call kmod_build,$(KDIR))
else
module: kmod-$(LAB_KERNEL)
endif
modules: $(addprefix kmod-,$(CHECK_KERNELS))

# `kmlab gen` on every plan of tests/plans/, built for each kernel of
# CHECK_KERNELS into build/kmod/<kver>/gen/ (tests/guest/corpus.sh runs
# each beside kmlab_dp)
gen-modules: $(addprefix gen-,$(CHECK_KERNELS))

gen-%: kmod-% $(OUT)/kmlab
	$(Q)g=$$(scripts/guest-kernel $*) && \
	Q=$(Q) scripts/gen-corpus $(OUT)/kmlab $$g/usr/src/linux-headers-$$(cat $$g/version)

kmod-%:
	$(Q)g=$$(scripts/guest-kernel $*) && \
	$(call kmod_build,$$g/usr/src/linux-headers-$$(cat $$g/version))

# --- tests, demo -------------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

$(OUT)/tests/%: tests/unit/%.c $(PURE_SRCS) $(LOADER_HDRS) $(CONTRACT) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=address,undefined \
		$< $(PURE_SRCS) -o $@

# a .ko's symbols and lines need libelf, and a relocatable object with
# DWARF to read: one compiled here as a module is (-g, -c)
$(OUT)/tests/fixture_lines.o: tests/unit/fixtures/lines.c tests/unit/fixtures/lines_inline.h | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -g -O0 -c $< -o $@

MODSYMS_SRCS := loader/dataplane/modsyms.c loader/dataplane/modlines.c
$(OUT)/tests/test_modsyms: tests/unit/test_modsyms.c $(MODSYMS_SRCS) $(LOADER_HDRS) $(OUT)/tests/fixture_lines.o | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=address,undefined \
		-DFIXTURE='"$(OUT)/tests/fixture_lines.o"' \
		$< $(MODSYMS_SRCS) -lelf -lz -o $@

# the kernel types kept for libbpf: libbpf's BTF API
$(OUT)/tests/test_btf_min: tests/unit/test_btf_min.c loader/observer/btf_min.c $(LOADER_HDRS) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=address,undefined \
		$< loader/observer/btf_min.c -lbpf -lelf -lz -o $@

unit: $(UNIT_BINS)

# static programs the guest tests run (busybox guest: no shared libc)
$(OUT)/irfuzz: tests/guest/irfuzz.c $(CONTRACT) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -static -O2 -Wall -Werror -Iinclude $< -o $@

$(OUT)/allocloop: tests/bench/allocloop.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -static -O2 -Wall -Werror $< -o $@

# the benchmark's floor: empty programs on the observer's tracepoints
$(OUT)/floor.bpf.o: tests/bench/floor.bpf.c $(OUT)/vmlinux.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -I$(OUT) -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(OUT)/benchfloor: tests/bench/floor.c $(OUT)/floor.skel.h | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(LDLIBS) -o $@

GUEST_BINS := $(OUT)/irfuzz $(OUT)/allocloop

$(OUT)/fuzz_parser: tests/fuzz/fuzz_parser.c $(PURE_SRCS) | $(OUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		$< $(PURE_SRCS) -o $@

$(OUT)/fuzz_report: tests/fuzz/fuzz_report.c $(PURE_SRCS) | $(OUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		$< $(PURE_SRCS) -o $@

# on a scratch copy of the corpus: the repository stays as it is
fuzz: $(OUT)/fuzz_parser $(OUT)/fuzz_report
	tests/fuzz/run $${FUZZ_SECONDS:-600}
	tests/fuzz/run $${FUZZ_SECONDS:-600} report

# The lesson has three defects on purpose: kmlab exits 1 when it finds
# them, which is the demo going right; 0 (nothing seen) or anything else
# (the lab or the kernel in trouble) is the demo failing.
demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/lab run tests/plans/lessons/dangling.kml; rc=$$?; \
	if [ $$rc -eq 1 ]; then \
		echo "make demo: the lesson's defects were found, as it meant them (kmlab exit 1: findings)"; \
	else \
		echo "make demo: kmlab exited $$rc, not 1: the lesson's defects were not all found (see above)" >&2; \
		exit 1; \
	fi

# host tests once, then the guest suite on each of CHECK_KERNELS
check: deps
	$(Q)$(MAKE) --no-print-directory loader modules gen-modules bpf unit $(OUT)/fuzz_parser $(OUT)/fuzz_report $(GUEST_BINS)
	$(Q)LAB_KERNELS="$(CHECK_KERNELS)" tests/run

# the same on the PREEMPT_RT flavours too
check-matrix:
	$(Q)$(MAKE) --no-print-directory check CHECK_KERNELS="$(MATRIX_KERNELS)"

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/allocloop $(OUT)/benchfloor
	$(Q)scripts/bench

# the timeline's cost per event up to a million lifecycles (no kernel)
$(OUT)/bench_timeline: tests/bench/timeline.c $(PURE_SRCS) $(LOADER_HDRS) $(CONTRACT) | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< $(PURE_SRCS) -o $@

bench-timeline: $(OUT)/bench_timeline
	$(Q)$(OUT)/bench_timeline

# --- install -----------------------------------------------------------------
# `make install [PREFIX=/usr/local] [DESTDIR=]`: the loader, kmlab(1),
# kmlab-plan(5), bash completion, and the data plane's source with its
# dkms.conf under DKMSDIR (dkms looks in /usr/src, whatever the PREFIX).
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DKMSDIR	?= /usr/src
VERSION	:= $(shell sed -n 's/^\#define KMLAB_VERSION "\(.*\)"/\1/p' include/kmlab/version.h)
DP_SRC	:= $(DKMSDIR)/kmlab-dp-$(VERSION)
DP_FILES := module/Kbuild $(wildcard module/*.[ch])

install: $(OUT)/kmlab
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX) $(DESTDIR)$(DP_SRC))
	$(Q)install -D -m 0755 $(OUT)/kmlab $(DESTDIR)$(BINDIR)/kmlab
	$(Q)for m in docs/kmlab.1 docs/kmlab-plan.5; do \
		d=$(DESTDIR)$(MANDIR)/man$${m##*.}; \
		install -d "$$d" && sed 's/@VERSION@/$(VERSION)/' "$$m" >"$$d/$${m##*/}" && \
		chmod 0644 "$$d/$${m##*/}" || exit 1; \
	done
	$(Q)install -D -m 0644 scripts/completion/kmlab $(DESTDIR)$(BASHCOMPDIR)/kmlab
	$(Q)install -d $(DESTDIR)$(DP_SRC)/module $(DESTDIR)$(DP_SRC)/include/kmlab
	$(Q)install -m 0644 $(DP_FILES) $(DESTDIR)$(DP_SRC)/module/
	$(Q)install -m 0644 $(CONTRACT) $(DESTDIR)$(DP_SRC)/include/kmlab/
	$(Q)sed 's/@VERSION@/$(VERSION)/' module/dkms.conf >$(DESTDIR)$(DP_SRC)/dkms.conf
	$(Q)chmod 0644 $(DESTDIR)$(DP_SRC)/dkms.conf

uninstall:
	$(Q)rm -f $(DESTDIR)$(BINDIR)/kmlab $(DESTDIR)$(MANDIR)/man1/kmlab.1 \
		$(DESTDIR)$(MANDIR)/man5/kmlab-plan.5 $(DESTDIR)$(BASHCOMPDIR)/kmlab
	$(Q)rm -rf $(DESTDIR)$(DP_SRC)

$(OUT) $(OUT)/loader $(OUT)/tests:
	$(Q)mkdir -p $@

clean:
	$(Q)rm -rf $(OUT)
	$(Q)$(MAKE) -s -C module clean 2>/dev/null || true
