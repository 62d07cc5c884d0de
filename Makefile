# SPDX-License-Identifier: GPL-2.0
# kmlab: `make demo` runs the lab, `make check` runs every test.
# Everything generated goes to build/ (the module builds in module/,
# as kbuild wants).  V=1 shows commands.

OUT	:= build
GUEST	 = $(shell scripts/guest-kernel)
KVER	 = $(shell cat $(GUEST)/version)
KDIR	?= $(GUEST)/usr/src/linux-headers-$(KVER)

CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool
CFLAGS	?= -g -O2
CFLAGS	+= -Wall -Wextra -Wno-unused-parameter -Werror -std=gnu11
CPPFLAGS += -I$(OUT) -Iloader -D_GNU_SOURCE
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
.PHONY: all deps module bpf loader demo check unit fuzz bench clean lab

all: loader module

deps:
	$(Q)scripts/deps

# --- observer --------------------------------------------------------------
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))

# vmlinux.h comes from the GUEST kernel's BTF (6.1): CO-RE relocates it
# to whatever kernel the objects load on (the host runs 6.18).
# VMLINUX_BTF=/sys/kernel/btf/vmlinux builds from your own kernel's BTF
# instead (outside the lab, no guest kernel download).
$(OUT)/vmlinux.h: scripts/vmlinux-h | $(OUT)
	$(call msg,BTF,$@)
	$(Q)$(if $(VMLINUX_BTF),$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c,scripts/vmlinux-h $(GUEST)) > $@

$(OUT)/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h $(wildcard bpf/*.h) module/kmlab_ir.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 \
		-I$(OUT) -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

bpf: $(BPF_OBJS) $(BPF_SKELS)

# --- loader ----------------------------------------------------------------
LOADER_SRCS := $(wildcard loader/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(OUT)/loader/%.o,$(LOADER_SRCS))
# pure parts (no libbpf), linked into unit tests and the fuzzer
PURE_SRCS := $(filter-out loader/main.c loader/cmd_%.c loader/observer.c loader/modload.c,$(LOADER_SRCS))

$(OUT)/loader/%.o: loader/%.c $(wildcard loader/*.h) module/kmlab_ir.h $(BPF_SKELS) | $(OUT)/loader
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/kmlab: $(LOADER_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

loader: $(OUT)/kmlab

# --- data plane --------------------------------------------------------------
module:
	$(call msg,KBUILD,module/kmlab_dp.ko against $(KDIR))
	$(Q)$(MAKE) -s -C $(KDIR) M=$(CURDIR)/module modules

# --- tests, demo -------------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

$(OUT)/tests/%: tests/unit/%.c $(filter-out loader/main.c loader/cmd_%.c loader/observer.c loader/modload.c,$(LOADER_SRCS)) $(wildcard loader/*.h) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=address,undefined \
		$< $(PURE_SRCS) -o $@

unit: $(UNIT_BINS)

# static programs the guest tests run (busybox guest: no shared libc)
$(OUT)/irfuzz: tests/guest/irfuzz.c module/kmlab_ir.h | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -static -O2 -Wall -Werror -Imodule $< -o $@

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

# on a scratch copy of the corpus: the repository stays as it is
fuzz: $(OUT)/fuzz_parser
	tests/fuzz/run $${FUZZ_SECONDS:-600}

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/lab run tests/plans/lessons/dangling.kml

check: deps
	$(Q)$(MAKE) --no-print-directory all bpf unit $(OUT)/fuzz_parser $(GUEST_BINS)
	$(Q)tests/run

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(OUT)/allocloop $(OUT)/benchfloor
	$(Q)scripts/bench

$(OUT) $(OUT)/loader $(OUT)/tests:
	$(Q)mkdir -p $@

clean:
	$(Q)rm -rf $(OUT)
	$(Q)$(MAKE) -s -C module clean 2>/dev/null || true
