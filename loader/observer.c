// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "../module/kmlab_ir.h"
#include "observer.h"
#include "kmlab.skel.h"

#define RINGBUF_SIZE	(16U << 20)	/* ~70k events */

struct observer {
	struct kmlab_bpf *skel;
	struct ring_buffer *rb;
	observer_event_fn fn;
	void *ctx;
	bool has_modules;
};

static bool verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt,
		    va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void observer_verbose(bool on)
{
	verbose = on;
}

static const char *tracefs_dir(void)
{
	if (!access("/sys/kernel/tracing/events", F_OK))
		return "/sys/kernel/tracing";
	if (!access("/sys/kernel/debug/tracing/events", F_OK))
		return "/sys/kernel/debug/tracing";
	return NULL;
}

/* Classic tracepoints need tracefs; mount it if nobody did. */
static int need_tracefs(void)
{
	if (tracefs_dir())
		return 0;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    errno != EBUSY) {
		fprintf(stderr, "kmlab: tracefs is not mounted and mounting "
			"it failed (%s): run 'mount -t tracefs nodev "
			"/sys/kernel/tracing' as root\n", strerror(errno));
		return -errno;
	}
	return tracefs_dir() ? 0 : -ENOENT;
}

/* tp_btf programs need the BTF type of the tracepoint */
static bool btf_has_tp(const struct btf *btf, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct observer *ob = ctx;

	if (len < sizeof(struct kmlab_event))
		return 0;
	return ob->fn(ob->ctx, data);
}

static int check_env(void)
{
	if (geteuid()) {
		fprintf(stderr, "kmlab: BPF needs root (CAP_BPF, "
			"CAP_PERFMON): run kmlab as root or with sudo\n");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "kmlab: this kernel has no BTF "
			"(/sys/kernel/btf/vmlinux): boot a kernel built with "
			"CONFIG_DEBUG_INFO_BTF=y\n");
		return -ENOENT;
	}
	return need_tracefs();
}

int observer_open(struct observer **out, const struct observer_opts *opts,
		  observer_event_fn fn, void *ctx)
{
	struct observer *ob;
	struct btf *btf;
	int err;

	libbpf_set_print(print_fn);
	err = check_env();
	if (err)
		return err;

	ob = calloc(1, sizeof(*ob));
	if (!ob)
		return -ENOMEM;
	ob->fn = fn;
	ob->ctx = ctx;
	ob->skel = kmlab_bpf__open();
	if (!ob->skel) {
		err = -errno;
		fprintf(stderr, "kmlab: cannot open the BPF observer: %s\n",
			strerror(-err));
		goto err_free;
	}

	if (opts->target)
		snprintf((char *)ob->skel->rodata->target_name,
			 sizeof(ob->skel->rodata->target_name), "%s",
			 opts->target);
	ob->skel->rodata->trace_mode = opts->trace;
	ob->skel->rodata->trace_pid = opts->pid;
	if (opts->comm)
		snprintf((char *)ob->skel->rodata->trace_comm,
			 sizeof(ob->skel->rodata->trace_comm), "%s",
			 opts->comm);
	ob->skel->rodata->trace_min_size = opts->min_size;
	ob->skel->rodata->trace_max_size = opts->max_size ?
					   opts->max_size : ~0ULL;

	/* a plan's loop can emit 100k events faster than we read them */
	err = bpf_map__set_max_entries(ob->skel->maps.events, RINGBUF_SIZE);
	if (err) {
		fprintf(stderr, "kmlab: cannot size the ring buffer: %s\n",
			strerror(-err));
		goto err_close;
	}

	/* kernels without CONFIG_MODULES (the host) lack the module events */
	btf = btf__load_vmlinux_btf();
	ob->has_modules = btf_has_tp(btf, "module_load") &&
			  btf_has_tp(btf, "module_free");
	btf__free(btf);
	if (!ob->has_modules || opts->trace) {
		bpf_program__set_autoload(ob->skel->progs.on_module_load,
					  false);
		bpf_program__set_autoload(ob->skel->progs.on_module_free,
					  false);
	}
	/* its tracepoint only exists once the module is in */
	if (opts->step && ob->has_modules)
		bpf_program__set_autoattach(ob->skel->progs.on_step, false);
	else
		bpf_program__set_autoload(ob->skel->progs.on_step, false);

	err = kmlab_bpf__load(ob->skel);
	if (err) {
		fprintf(stderr, "kmlab: the kernel refused the BPF observer "
			"(%s): run with -v to see the verifier's log\n",
			strerror(-err));
		goto err_close;
	}
	err = kmlab_bpf__attach(ob->skel);
	if (err) {
		fprintf(stderr, "kmlab: cannot attach the BPF observer to the "
			"kmem tracepoints (%s): run with -v for details\n",
			strerror(-err));
		goto err_close;
	}
	ob->rb = ring_buffer__new(bpf_map__fd(ob->skel->maps.events),
				  on_sample, ob, NULL);
	if (!ob->rb) {
		err = -errno;
		fprintf(stderr, "kmlab: cannot open the observer's ring "
			"buffer: %s\n", strerror(-err));
		goto err_close;
	}
	*out = ob;
	return 0;

err_close:
	kmlab_bpf__destroy(ob->skel);
err_free:
	free(ob);
	return err;
}

bool observer_has_modules(const struct observer *ob)
{
	return ob->has_modules;
}

/* "field:__u8 data[16];	offset:104;	size:16;	signed:0;" */
static int field_offset(const char *fmt, const char *field, int *size)
{
	char key[64];
	const char *p;
	int off;

	snprintf(key, sizeof(key), " %s;", field);
	p = strstr(fmt, key);
	if (!p) {
		snprintf(key, sizeof(key), " %s[", field);
		p = strstr(fmt, key);
	}
	if (!p || !(p = strstr(p, "offset:")) ||
	    sscanf(p, "offset:%d;\tsize:%d;", &off, size) != 2)
		return -1;
	return off;
}

/* The record layout is a contract (kmlab_ir.h): make sure it holds. */
static int check_step_format(void)
{
	static const struct {
		const char *name;
		int off, size;
	} want[] = {
		{ "ptr", offsetof(struct kmlab_step_record, ptr), 8 },
		{ "result", offsetof(struct kmlab_step_record, result), 4 },
		{ "op", offsetof(struct kmlab_step_record, op), 2 },
		{ "name", offsetof(struct kmlab_step_record, name),
		  KMLAB_NAME_LEN },
		{ "data", offsetof(struct kmlab_step_record, data),
		  KMLAB_DATA_LEN },
	};
	char path[256], fmt[8192];
	size_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/kmlab/kmlab_step/format",
		 tracefs_dir() ? tracefs_dir() : "/sys/kernel/tracing");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "kmlab: %s: %s: is the loaded module the "
			"kmlab data plane?\n", path, strerror(errno));
		return -ENOENT;
	}
	n = fread(fmt, 1, sizeof(fmt) - 1, f);
	fclose(f);
	fmt[n] = '\0';
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int size = 0, off = field_offset(fmt, want[i].name, &size);

		if (off != want[i].off || size != want[i].size) {
			fprintf(stderr, "kmlab: kmlab_step field '%s' is at "
				"offset %d size %d, kmlab_ir.h says %d/%d: "
				"rebuild the module and kmlab from the same "
				"tree\n", want[i].name, off, size,
				want[i].off, want[i].size);
			return -EINVAL;
		}
	}
	return 0;
}

int observer_attach_step(struct observer *ob)
{
	int err;

	if (!ob->has_modules)
		return -EOPNOTSUPP;
	err = check_step_format();
	if (err)
		return err;
	ob->skel->links.on_step =
		bpf_program__attach(ob->skel->progs.on_step);
	if (!ob->skel->links.on_step) {
		err = -errno;
		fprintf(stderr, "kmlab: cannot attach to kmlab:kmlab_step "
			"(%s): run with -v for details\n", strerror(-err));
		return err;
	}
	return 0;
}

void observer_detach_step(struct observer *ob)
{
	bpf_link__destroy(ob->skel->links.on_step);
	ob->skel->links.on_step = NULL;
}

int observer_poll(struct observer *ob, int timeout_ms)
{
	int err = ring_buffer__poll(ob->rb, timeout_ms);

	return err == -EINTR ? 0 : err;
}

void observer_lost(struct observer *ob, __u64 lost[KMLAB_LOST_MAX],
		   __u64 *recursion_misses)
{
	struct bpf_program *prog;
	int i;

	for (i = 0; i < KMLAB_LOST_MAX; i++)
		lost[i] = ob->skel->bss->lost[i];
	*recursion_misses = 0;
	bpf_object__for_each_program(prog, ob->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		*recursion_misses += info.recursion_misses;
	}
}

void observer_print_stats(struct observer *ob, FILE *f)
{
	struct bpf_program *prog;
	bool any = false;

	bpf_object__for_each_program(prog, ob->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		if (!info.run_cnt)
			continue;
		any = true;
		fprintf(f, "stats: %-22s run_cnt=%llu run_time_ns=%llu avg=%.1f ns recursion_misses=%llu\n",
			bpf_program__name(prog),
			(unsigned long long)info.run_cnt,
			(unsigned long long)info.run_time_ns,
			(double)info.run_time_ns / info.run_cnt,
			(unsigned long long)info.recursion_misses);
	}
	if (!any)
		fprintf(f, "stats: no program ran with bpf_stats on (sysctl kernel.bpf_stats_enabled=1 first)\n");
}

int observer_for_each_live(struct observer *ob,
			   int (*fn)(void *ctx, __u64 ptr,
				     const struct kmlab_live *v),
			   void *ctx)
{
	int fd = bpf_map__fd(ob->skel->maps.live), err;
	__u64 key, next, *prev = NULL;
	struct kmlab_live v;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		err = fn(ctx, key, &v);
		if (err)
			return err;
	}
	return 0;
}

void observer_close(struct observer *ob)
{
	if (!ob)
		return;
	ring_buffer__free(ob->rb);
	kmlab_bpf__destroy(ob->skel);
	free(ob);
}
