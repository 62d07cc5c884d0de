// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kmlab/events.h"
#include "watchpoints.h"

struct watchpoints {
	struct bpf_program *prog;
	int map_fd;
	int nr_cpus;
	int nr_slots;		/* debug registers taken on every CPU */
	int *fd;		/* [slot * nr_cpus + cpu], -1 if none */
	struct bpf_link **link;
	__u64 watched;
};

static void bp_attr(struct perf_event_attr *a, __u64 addr)
{
	memset(a, 0, sizeof(*a));
	a->type = PERF_TYPE_BREAKPOINT;
	a->size = sizeof(*a);
	a->bp_type = HW_BREAKPOINT_RW;	/* x86 has no read-only one */
	a->bp_addr = addr;
	a->bp_len = HW_BREAKPOINT_LEN_8;
	a->sample_period = 1;
	a->disabled = 1;
	a->exclude_user = 1;
	a->exclude_hv = 1;
}

static int bp_open(__u64 addr, int cpu)
{
	struct perf_event_attr a;

	bp_attr(&a, addr);
	return syscall(__NR_perf_event_open, &a, -1, cpu, -1,
		       PERF_FLAG_FD_CLOEXEC);
}

/* the slot's events on every CPU: all or none */
static int slot_open(struct watchpoints *wp, int s, __u64 addr)
{
	int cpu, *fd = &wp->fd[s * wp->nr_cpus];

	for (cpu = 0; cpu < wp->nr_cpus; cpu++) {
		fd[cpu] = bp_open(addr, cpu);
		/* an offline CPU runs nothing: no watch needed there */
		if (fd[cpu] < 0 && errno == ENODEV)
			continue;
		if (fd[cpu] < 0)
			return -errno;
		wp->link[s * wp->nr_cpus + cpu] =
			bpf_program__attach_perf_event(wp->prog, fd[cpu]);
		if (!wp->link[s * wp->nr_cpus + cpu])
			return -errno;
		/* attaching enabled it: off until there is a free to watch */
		ioctl(fd[cpu], PERF_EVENT_IOC_DISABLE, 0);
	}
	return 0;
}

static void slot_close(struct watchpoints *wp, int s)
{
	int cpu, i;

	for (cpu = 0; cpu < wp->nr_cpus; cpu++) {
		i = s * wp->nr_cpus + cpu;
		bpf_link__destroy(wp->link[i]);
		wp->link[i] = NULL;
		if (wp->fd[i] >= 0)
			close(wp->fd[i]);
		wp->fd[i] = -1;
	}
}

/*
 * Take as many debug registers as every CPU can give (others may hold
 * some: a debugger, perf, kgdb), pointed at a harmless place until the
 * first free: the watches map itself, which only this program reads.
 */
struct watchpoints *watchpoints_open(struct bpf_program *prog, int map_fd,
				     char *why, size_t len)
{
	struct watchpoints *wp = calloc(1, sizeof(*wp));
	int s, err = 0, n;

	if (!wp) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	wp->prog = prog;
	wp->map_fd = map_fd;
	wp->nr_cpus = libbpf_num_possible_cpus();
	n = wp->nr_cpus > 0 ? KMLAB_WATCH_SLOTS * wp->nr_cpus : 0;
	wp->fd = malloc(n * sizeof(*wp->fd));
	wp->link = calloc(n ? n : 1, sizeof(*wp->link));
	if (!n || !wp->fd || !wp->link) {
		snprintf(why, len, "out of memory");
		watchpoints_close(wp);
		return NULL;
	}
	memset(wp->fd, -1, n * sizeof(*wp->fd));
	for (s = 0; s < KMLAB_WATCH_SLOTS; s++) {
		err = slot_open(wp, s, (__u64)(unsigned long)&wp->watched);
		if (err) {
			slot_close(wp, s);
			break;
		}
		wp->nr_slots++;
	}
	if (!wp->nr_slots) {
		snprintf(why, len, "no hardware breakpoint to take (%s)",
			 strerror(-err));
		watchpoints_close(wp);
		return NULL;
	}
	return wp;
}

/*
 * Move one CPU's event of slot @s: PERF_EVENT_IOC_MODIFY_ATTRIBUTES (4.17+)
 * changes a breakpoint's address in place; where it fails, a new event.
 */
static void cpu_point(struct watchpoints *wp, int s, int cpu, __u64 addr)
{
	int i = s * wp->nr_cpus + cpu, fd = wp->fd[i];
	struct perf_event_attr a;

	if (!addr) {
		ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
		return;
	}
	bp_attr(&a, addr);
	a.disabled = 0;
	if (!ioctl(fd, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, &a))
		return;

	bpf_link__destroy(wp->link[i]);
	wp->link[i] = NULL;
	close(fd);
	wp->fd[i] = bp_open(addr, cpu);
	if (wp->fd[i] < 0)
		return;
	wp->link[i] = bpf_program__attach_perf_event(wp->prog, wp->fd[i]);
	if (wp->link[i])
		ioctl(wp->fd[i], PERF_EVENT_IOC_ENABLE, 0);
}

static void slot_point(struct watchpoints *wp, int s, __u64 addr)
{
	int cpu;

	for (cpu = 0; cpu < wp->nr_cpus; cpu++)
		if (wp->fd[s * wp->nr_cpus + cpu] >= 0)
			cpu_point(wp, s, cpu, addr);
}

void watchpoints_move(struct watchpoints *wp, __u64 obj, __u64 size)
{
	struct kmlab_watch w;
	__u32 s;

	if (!wp)
		return;
	if (obj)
		wp->watched++;
	for (s = 0; s < (__u32)wp->nr_slots; s++) {
		w.obj = obj;
		w.addr = (__u64)s * KMLAB_WATCH_LEN < size ?
			 obj + (__u64)s * KMLAB_WATCH_LEN : 0;
		/* the map first: a hit on the old address no longer counts */
		bpf_map_update_elem(wp->map_fd, &s, &w, BPF_ANY);
		slot_point(wp, s, w.addr);
	}
}

int watchpoints_slots(const struct watchpoints *wp)
{
	return wp ? wp->nr_slots : 0;
}

void watchpoints_stats(const struct watchpoints *wp, __u64 *watched,
		       int *slots)
{
	*watched = wp ? wp->watched : 0;
	*slots = wp ? wp->nr_slots : 0;
}

void watchpoints_close(struct watchpoints *wp)
{
	int s;

	if (!wp)
		return;
	for (s = 0; s < wp->nr_slots; s++)
		slot_close(wp, s);
	free(wp->fd);
	free(wp->link);
	free(wp);
}
