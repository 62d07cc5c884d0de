// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kmlab/ir.h"
#include "btf_attach.h"
#include "btf_min.h"
#include "kprobes.h"
#include "ksyms.h"
#include "maps_ahead.h"
#include "observer.h"
#include "symcache.h"
#include "watchpoints.h"
#include "kmlab.skel.h"
#include "kmlab.bpf.id.h"


#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define FAMILY_LINKS_MAX	40
#define FAMILY_FNS_MAX		24

/*
 * What this kernel can do and how it names things, probed once from its
 * BTF and sysfs: each difference between kernels the loader acts on,
 * named after the change that made it.  `-v` prints it.
 */
struct kernel_caps {
	bool module_events;	/* module:module_load/free (CONFIG_MODULES) */
	bool kprobes;		/* the kprobe PMU (CONFIG_KPROBES) */
	/* kvfree_call_rcu(head, ptr): v6.3 "rcu: Refactor kvfree_call_rcu()
	 * and high-level helpers" (before: head, func) */
	bool rcu_takes_ptr;
	/* __kvmalloc_node_noprof(size, bucket, flags, node): v6.11
	 * "mm/slab: Introduce kmem_buckets" */
	bool kvmalloc_bucket;
	/* *_noprof entry points: v6.10 "mm: introduce memory allocation
	 * profiling" (family_fns takes the name BTF has) */
	bool noprof;
	/* __kmem_cache_create_args(): v6.12 "slab: create kmem_cache_create()
	 * compatibility layer" */
	bool cache_create_args;
	/* SLUB checks a kmalloc's bytes between the size asked for and its
	 * bucket's: v6.2 "mm/slub: extend redzone check to extra allocated
	 * kmalloc space than requested" (skip_orig_size_check() with it) */
	bool kmalloc_redzone;
};

/* the object's tp_btf programs' tracepoints */
enum { TP_MODULE_LOAD, TP_MODULE_FREE, TP_FORK, TP_EXIT, TP_NR };

struct observer {
	struct kmlab_bpf *skel;
	__u64 drains;		/* times the ring buffer was read to its end */
	int polled;		/* records read by this observer_poll() */
	long long poll_end;	/* ... and when it gives the caller a turn */
	__u64 last_ts;		/* the newest record read */
	/* the module load and unload records read from kept_events, by
	 * slot: its count then */
	__u32 kept_seen[KMLAB_KEPT_MAX];
	__u64 kept_lost;	/* ... and those written over unread */
	struct ring_buffer *rb;
	observer_event_fn fn;
	void *ctx;
	struct kernel_caps caps;
	bool has_modules;
	/* the families' kprobe/fexit links, attached by hand */
	struct bpf_link *links[FAMILY_LINKS_MAX];
	int nr_links;
	/* each link's program, and its tracefs kprobe event ("": none, an
	 * fexit, or the PMU's when tracefs would not make one) */
	struct bpf_program *link_prog[FAMILY_LINKS_MAX];
	char link_ev[FAMILY_LINKS_MAX][KPROBE_EV_NAME];
	int kprobes_uncounted;	/* kprobes attached through the PMU */
	/* the kprobe events, made while the programs load; family_fns[i]'s
	 * entry and kretprobe events in it (-1: none) */
	struct kprobe_batch kb;
	struct maps_ahead ma;	/* the big maps, made while BTF is read */
	signed char ev_in[FAMILY_FNS_MAX], ev_out[FAMILY_FNS_MAX];
	char families[256];	/* what is watched beyond kmem: for -v */
	/* family_fns[i]'s name in this kernel, NULL when not attached */
	const char *fn_name[FAMILY_FNS_MAX];
	/* ... which of its names this kernel's BTF has, -1 neither */
	signed char fn_pick[FAMILY_FNS_MAX];
	/* ... that name's BTF id (for an fexit), 0 none; the tp_btf
	 * programs' tracepoints' typedefs' */
	__u32 fn_btf[FAMILY_FNS_MAX];
	__u32 tp_btf[TP_NR];
	struct watchpoints *wp;	/* NULL when not asked or not possible */
	__u64 watch_stale;	/* bss watch_stale when they last moved */
	char watch_why[128];	/* ... and then why */
};

/*
 * The functions modules call to allocate and free outside kmem, each with
 * its kprobe (entry: the caller) and fexit (exit: the object) programs.
 * "mm: introduce memory allocation profiling" (v6.10) renamed several to
 * *_noprof (the old names became macros): the first name this kernel's
 * BTF has is used.  kvmalloc has no second name: 6.10+ changed its
 * arguments too (__kvmalloc_node_noprof takes a bucket).  No exit hook
 * on a function that records __builtin_return_address(0) (vmalloc,
 * kvmalloc_node): the record would name the BPF trampoline.
 */
struct family_fn {
	const char *names[2];
	size_t enter, exit;	/* offsetof(struct kmlab_bpf, progs.X) */
	bool kretprobe;		/* exit by kretprobe: fexit has 6 args */
	unsigned int srcs;	/* the families it serves: 1u << KMLAB_FAM_* */
	/* a tracepoint's program that sees the calls the kprobe misses
	 * (families.bpf.h); 0 for none (no program sits at offset 0) */
	size_t witness;
	/* for an entry program several functions share (free_kprobe, which
	 * takes no exit program): the family of this function's calls, its
	 * kprobe's attach cookie (KMLAB_FAM_BULK for kmem_cache_free_bulk);
	 * 0 for a program of its own */
	__u32 cookie;
};

#define PROG(x)	offsetof(struct kmlab_bpf, progs.x)
#define NOPROG	((size_t)-1)

#define SRC(x)	(1u << KMLAB_FAM_##x)
#define SRC_PAGE_FAMILIES	(SRC(PAGES) | SRC(GFP_PAGES) | SRC(PAGES_EXACT))

/*
 * No page allocator entry point here: pages come from the kmem:mm_page_*
 * tracepoints (families.bpf.h).  alloc_pages_exact() is only asked for
 * the size it was given (a cold function, called by few).
 */
static const struct family_fn family_fns[] = {
	{ { "__vmalloc_node_range", "__vmalloc_node_range_noprof" },
	  PROG(vmalloc_enter), PROG(vmalloc_exit), true,
	  SRC(VMALLOC) | SRC(KVMALLOC), 0, 0 },
	{ { "kvmalloc_node", "__kvmalloc_node_noprof" }, PROG(kvmalloc_enter),
	  NOPROG, false, SRC(KVMALLOC), 0, 0 },
	{ { "alloc_pages_exact", "alloc_pages_exact_noprof" },
	  PROG(exact_enter), NOPROG, false, SRC(PAGES_EXACT), 0, 0 },
	{ { "__alloc_percpu_gfp" }, PROG(percpu_gfp_enter),
	  PROG(percpu_gfp_exit), false, SRC(PERCPU), 0, 0 },
	{ { "__alloc_percpu" }, PROG(percpu_enter), PROG(percpu_exit), false,
	  SRC(PERCPU), 0, 0 },
	{ { "pcpu_alloc_noprof" }, PROG(pcpu_noprof_enter),
	  PROG(pcpu_noprof_exit), false, SRC(PERCPU), 0, 0 },
	{ { "kmem_cache_create" }, PROG(cache_create_enter),
	  PROG(cache_create_exit), false, SRC(SLAB), 0, 0 },
	{ { "__kmem_cache_create_args" }, PROG(cache_args_enter),
	  PROG(cache_args_exit), false, SRC(SLAB), 0, 0 },
	{ { "kmem_cache_alloc_bulk", "kmem_cache_alloc_bulk_noprof" },
	  PROG(bulk_alloc_enter), PROG(bulk_alloc_exit), false, SRC(CACHE),
	  0, 0 },
	{ { "kmem_cache_destroy" }, PROG(free_kprobe), NOPROG, false,
	  SRC(SLAB), 0, KMLAB_FAM_SLAB },
	{ { "vfree" }, PROG(free_kprobe), NOPROG, false,
	  SRC(VMALLOC) | SRC(KVMALLOC), 0, KMLAB_FAM_VMALLOC },
	{ { "kvfree" }, PROG(free_kprobe), NOPROG, false, SRC(KVMALLOC), 0,
	  KMLAB_FAM_KVMALLOC },
	{ { "free_percpu" }, PROG(free_kprobe), NOPROG, false,
	  SRC(PERCPU), PROG(on_percpu_free), KMLAB_FAM_PERCPU },
	{ { "kvfree_call_rcu" }, PROG(free_kprobe), NOPROG, false,
	  SRC(RCU), 0, KMLAB_FAM_RCU },
	{ { "kmem_cache_free_bulk" }, PROG(free_kprobe), NOPROG, false,
	  SRC(BULK), 0, KMLAB_FAM_BULK },
	/* kmem_cache_free() into the wrong cache: SLUB warns, then
	 * print_tracking() names the object */
	{ { "__warn_printk" }, PROG(warn_enter), NOPROG, false, SRC(CACHE), 0,
	  0 },
	{ { "print_tracking" }, PROG(tracking_enter), NOPROG, false,
	  SRC(CACHE), 0, 0 },
	/* SLUB debug restoring bytes it found changed: a late write, an
	 * overflow into a red zone */
	{ { "slab_fix" }, PROG(slub_fix_enter), NOPROG, false,
	  SRC(KMALLOC) | SRC(CACHE), 0, 0 },
	/* KFENCE reporting one of its sampled objects */
	{ { "kfence_report_error" }, PROG(kfence_report_enter), NOPROG, false,
	  SRC(KMALLOC) | SRC(CACHE), 0, 0 },
};
_Static_assert(sizeof(family_fns) / sizeof(family_fns[0]) <= FAMILY_FNS_MAX,
	       "raise FAMILY_FNS_MAX");

/*
 * Core functions that allocate for their caller, and the calls that
 * lead there (enum kmlab_helper_kind): an allocation whose call site is
 * a SITE of some kinds is the module's when the function the module
 * called is an ENTRY of one of them (the observer reads the stack for
 * the module's frame).  Each kind is an object the caller owns and frees
 * (or has freed) by its own call, so a leak of it is the module's.  Not
 * here: what core code allocates for itself when a module asks it
 * something (sysfs and kernfs nodes and their inode numbers, dentries,
 * netlink messages about a new device, a workqueue's pools), which it
 * keeps or frees on its own schedule, after the unload too.  Names as
 * kallsyms has them on 6.1 and 6.12 (6.10's allocation profiling
 * renamed some _noprof); a local function's GCC suffix (.constprop.0)
 * is ignored.
 */
#define SITE(k)		(KMLAB_HK_##k)
#define ENTRY(k)	(KMLAB_HK_##k << KMLAB_HK_ENTRY_SHIFT)
#define BOTH(k)		(SITE(k) | ENTRY(k))
static const struct {
	const char *name;
	__u32 kinds;
} helpers[] = {
	/* copies: kmalloc_track_caller() names the helper's caller, so a
	 * helper is a site when another calls it (kasprintf: kvasprintf) */
	{ "kstrdup", BOTH(COPY) }, { "kstrdup_noprof", BOTH(COPY) },
	{ "kstrndup", BOTH(COPY) }, { "kmemdup", BOTH(COPY) },
	{ "kmemdup_noprof", BOTH(COPY) }, { "kmemdup_nul", BOTH(COPY) },
	{ "kstrdup_const", BOTH(COPY) | SITE(NAME) },
	{ "kvasprintf", BOTH(COPY) }, { "kasprintf", BOTH(COPY) },
	{ "kvasprintf_const", BOTH(COPY) | SITE(NAME) },
	{ "memdup_user", BOTH(COPY) }, { "memdup_user_nul", BOTH(COPY) },
	{ "strndup_user", BOTH(COPY) }, { "vmemdup_user", BOTH(COPY) },
	/* device-managed memory: devm_kmalloc() names its caller */
	{ "devm_kmalloc", BOTH(DEVM) }, { "devm_kmalloc_noprof", BOTH(DEVM) },
	{ "devm_kvasprintf", BOTH(DEVM) }, { "devm_kasprintf", ENTRY(DEVM) },
	{ "devm_kstrdup", BOTH(DEVM) }, { "devm_kstrdup_const", ENTRY(DEVM) },
	{ "devm_kmemdup", BOTH(DEVM) }, { "devm_krealloc", BOTH(DEVM) },
	/* an IDR's, IDA's, radix tree's or XArray's nodes (freed by
	 * call_rcu() when it is destroyed): not idr_preload()'s, which
	 * stock a per-CPU reserve anyone may take from */
	{ "radix_tree_node_alloc", SITE(TREE) }, { "xas_alloc", SITE(TREE) },
	{ "xas_nomem", SITE(TREE) }, { "__xas_nomem", SITE(TREE) },
	{ "ida_alloc_range", BOTH(TREE) },
	{ "idr_alloc", ENTRY(TREE) }, { "idr_alloc_u32", ENTRY(TREE) },
	{ "idr_alloc_cyclic", ENTRY(TREE) },
	{ "radix_tree_insert", ENTRY(TREE) }, { "xa_store", ENTRY(TREE) },
	{ "__xa_store", ENTRY(TREE) }, { "__xa_insert", ENTRY(TREE) },
	{ "__xa_alloc", ENTRY(TREE) }, { "__xa_alloc_cyclic", ENTRY(TREE) },
	{ "__xa_cmpxchg", ENTRY(TREE) }, { "xa_store_range", ENTRY(TREE) },
	/* a mempool, and the elements it keeps in reserve */
	{ "mempool_create", BOTH(POOL) }, { "mempool_create_node", BOTH(POOL) },
	{ "mempool_create_node_noprof", BOTH(POOL) },
	{ "mempool_init_node", BOTH(POOL) }, { "mempool_init", ENTRY(POOL) },
	{ "mempool_init_noprof", ENTRY(POOL) },
	{ "mempool_kmalloc", SITE(POOL) }, { "mempool_alloc_slab", SITE(POOL) },
	{ "mempool_kvmalloc", SITE(POOL) }, { "mempool_alloc", ENTRY(POOL) },
	{ "mempool_alloc_noprof", ENTRY(POOL) },
	/* socket buffers the module asks for: the sk_buff and its data */
	{ "__alloc_skb", BOTH(SKB) }, { "kmalloc_reserve", SITE(SKB) },
	{ "__netdev_alloc_skb", BOTH(SKB) }, { "__napi_alloc_skb", BOTH(SKB) },
	{ "skb_clone", BOTH(SKB) }, { "skb_copy", BOTH(SKB) },
	/* devices, classes and char device regions a driver registers,
	 * and their names */
	{ "platform_device_alloc", BOTH(DEV) | ENTRY(NAME) },
	{ "platform_device_register_full", ENTRY(DEV) | ENTRY(NAME) },
	{ "device_create_groups_vargs", SITE(DEV) },
	{ "device_create", ENTRY(DEV) | ENTRY(NAME) },
	{ "device_create_with_groups", ENTRY(DEV) | ENTRY(NAME) },
	{ "__class_create", BOTH(DEV) | ENTRY(NAME) },
	{ "class_create", BOTH(DEV) | ENTRY(NAME) },
	{ "__register_chrdev_region", SITE(DEV) },
	{ "alloc_chrdev_region", ENTRY(DEV) },
	{ "register_chrdev_region", ENTRY(DEV) },
	{ "__register_chrdev", ENTRY(DEV) }, { "cdev_alloc", BOTH(DEV) },
	{ "kobject_set_name", ENTRY(NAME) }, { "dev_set_name", ENTRY(NAME) },
	{ "kobject_init_and_add", ENTRY(NAME) }, { "kobject_add", ENTRY(NAME) },
	{ "kobject_create_and_add", ENTRY(NAME) },
	{ "kset_create_and_add", ENTRY(NAME) },
};
_Static_assert(sizeof(helpers) / sizeof(helpers[0]) <= KMLAB_HELPERS_MAX,
	       "raise KMLAB_HELPERS_MAX");

static struct bpf_program *fn_prog(struct kmlab_bpf *skel, size_t off)
{
	return off == NOPROG ? NULL :
	       *(struct bpf_program **)((char *)skel + off);
}

/* the tp_btf programs, by tracepoint: each program, and its link */
#define LINK(x)	offsetof(struct kmlab_bpf, links.x)
static const size_t tp_prog[TP_NR][2] = {
	[TP_MODULE_LOAD] = { PROG(on_module_load), LINK(on_module_load) },
	[TP_MODULE_FREE] = { PROG(on_module_free), LINK(on_module_free) },
	[TP_FORK] = { PROG(on_fork), LINK(on_fork) },
	[TP_EXIT] = { PROG(on_exit), LINK(on_exit) },
};

static bool verbose;
static void phase(const char *what);

/* KMLAB_PHASES=2: each program's verifier cost, from its load log */
static bool verifier_stats;

static void print_verifier_stats(const char *fmt, va_list args)
{
	char *log = NULL, name[64];
	const char *t, *p;

	if (!strstr(fmt, "-- BEGIN PROG LOAD LOG --") ||
	    vasprintf(&log, fmt, args) < 0)
		return;
	t = strstr(log, "verification time ");
	p = strstr(log, "processed ");
	if (t && p && strstr(log, "prog '") &&
	    sscanf(strstr(log, "prog '"), "prog '%63[^']'", name) == 1)
		/* "processed N insns (limit L) max_states_per_insn ..." */
		fprintf(stderr, "kmlab: verifier %-24s %8lu us %.*s\n", name,
			strtoul(t + 18, NULL, 10), (int)strcspn(p, "\n"), p);
	free(log);
}

static int print_fn(enum libbpf_print_level level, const char *fmt,
		    va_list args)
{
	if (level == LIBBPF_DEBUG && verifier_stats)
		print_verifier_stats(fmt, args);
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
		fprintf(stderr, "kmlab: tracefs is not mounted and mounting it failed (%s): run 'mount -t tracefs nodev /sys/kernel/tracing' as root\n", strerror(errno));
		return -errno;
	}
	return tracefs_dir() ? 0 : -ENOENT;
}

/*
 * The kernel's functions and typedefs by name, hashed in one pass over
 * its BTF: the observer asks for some thirty names, and each
 * btf__find_by_name_kind() walks all ~120k types (0.6 s in the TCG
 * guest, where a watch should start quickly).
 */
static struct btf_index {
	const struct btf *btf;
	__u32 *slot;		/* type ids, 0 = empty */
	__u32 mask;
} bix;

static __u32 name_hash(const char *s)
{
	__u32 h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void btf_index_build(const struct btf *btf)
{
	__u32 n = btf ? btf__type_cnt(btf) : 0, id, h;
	const struct btf_type *t;

	bix.btf = btf;
	bix.mask = (1u << 18) - 1;
	bix.slot = btf ? calloc(bix.mask + 1, sizeof(*bix.slot)) : NULL;
	if (!bix.slot)
		return;
	for (id = 1; id < n; id++) {
		t = btf__type_by_id(btf, id);
		if (!btf_is_func(t) && !btf_is_typedef(t))
			continue;
		h = name_hash(btf__name_by_offset(btf, t->name_off));
		while (bix.slot[h & bix.mask])
			h++;
		bix.slot[h & bix.mask] = id;
	}
}

static void btf_index_free(void)
{
	free(bix.slot);
	memset(&bix, 0, sizeof(bix));
}

/* @name's type id of @kind (BTF_KIND_FUNC or _TYPEDEF), or -1 */
static int btf_find(const struct btf *btf, const char *name, int kind)
{
	const struct btf_type *t;
	__u32 h, id;

	if (!btf)
		return -1;
	if (btf != bix.btf || !bix.slot)	/* no index: the slow way */
		return btf__find_by_name_kind(btf, name, kind);
	for (h = name_hash(name); (id = bix.slot[h & bix.mask]); h++) {
		t = btf__type_by_id(btf, id);
		if (btf_kind(t) == kind &&
		    !strcmp(btf__name_by_offset(btf, t->name_off), name))
			return id;
	}
	return -1;
}

/* tp_btf programs need the BTF type of the tracepoint */
static bool btf_has_tp(const struct btf *btf, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf_find(btf, name, BTF_KIND_TYPEDEF) > 0;
}

/* The first of @names this kernel's BTF has as a function, or NULL. */
static const char *btf_func(const struct btf *btf, const char *const names[2])
{
	int i;

	for (i = 0; i < 2 && names[i]; i++)
		if (btf_find(btf, names[i], BTF_KIND_FUNC) > 0)
			return names[i];
	return NULL;
}

/* How many arguments function @name takes in this kernel, -1 if none. */
static int btf_func_args(const struct btf *btf, const char *name)
{
	const struct btf_type *t;
	int id;

	id = btf_find(btf, name, BTF_KIND_FUNC);
	if (id <= 0)
		return -1;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	return t ? btf_vlen(t) : -1;
}

/* Does kvfree_call_rcu() take the object itself (v6.3+)? */
static bool rcu_takes_ptr(const struct btf *btf)
{
	const struct btf_param *p;
	const struct btf_type *t;
	int id;

	id = btf_find(btf, "kvfree_call_rcu", BTF_KIND_FUNC);
	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || btf_vlen(t) < 2)
		return false;
	p = btf_params(t);
	return !strcmp(btf__name_by_offset(btf, p[1].name_off), "ptr");
}

/* kprobes need the kprobe PMU (CONFIG_KPROBES): the host has none */
static bool has_kprobes(void)
{
	return !access("/sys/bus/event_source/devices/kprobe/type", F_OK);
}

static void caps_probe(struct kernel_caps *c, const struct btf *btf)
{
	c->module_events = btf_has_tp(btf, "module_load") &&
			   btf_has_tp(btf, "module_free");
	c->rcu_takes_ptr = rcu_takes_ptr(btf);
	c->kvmalloc_bucket = btf_func_args(btf, "__kvmalloc_node_noprof") == 4;
	c->noprof = btf_find(btf, "kmalloc_noprof", BTF_KIND_FUNC) > 0 ||
		    btf_find(btf, "__kmalloc_noprof", BTF_KIND_FUNC) > 0;
	c->cache_create_args = btf_find(btf, "__kmem_cache_create_args",
					BTF_KIND_FUNC) > 0;
	c->kmalloc_redzone = btf_find(btf, "skip_orig_size_check",
				      BTF_KIND_FUNC) > 0;
}

/* Which of each family function's names the BTF has (fn_pick), and its
 * BTF id, for the fexit programs (btf_attach.h). */
static void picks_probe(struct observer *ob, const struct btf *btf)
{
	const char *name;
	size_t i;
	int id;

	for (i = 0; i < ARRAY_LEN(family_fns); i++) {
		name = btf_func(btf, family_fns[i].names);
		ob->fn_pick[i] = !name ? -1 : name == family_fns[i].names[0] ?
				 0 : 1;
		id = name ? btf_find(btf, name, BTF_KIND_FUNC) : -1;
		ob->fn_btf[i] = id > 0 ? id : 0;
	}
}

/* The tracepoints of the object's tp_btf programs: their typedefs' ids */
static const char *const tp_names[TP_NR] = {
	[TP_MODULE_LOAD] = "module_load",
	[TP_MODULE_FREE] = "module_free",
	[TP_FORK] = "sched_process_fork",
	[TP_EXIT] = "sched_process_exit",
};

static void tps_probe(struct observer *ob, const struct btf *btf)
{
	char name[128];
	size_t i;
	int id;

	for (i = 0; i < TP_NR; i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", tp_names[i]);
		id = btf_find(btf, name, BTF_KIND_TYPEDEF);
		ob->tp_btf[i] = id > 0 ? id : 0;
	}
}

/*
 * The BTF facts kept for the boot (symcache.h), as entries: one of the
 * caps' bits, one per family function (its pick + 1, its BTF id), one
 * per tp_btf tracepoint (its BTF id), and the size and hash of the
 * kernel's types the programs' relocations read (btf_min.h), kept
 * beside.  Their tag hashes every name asked about, the version of this
 * list and the programs' build: bump BTF_FACTS_VERSION when caps_probe()
 * asks something new.
 */
#define BTF_FACTS_VERSION	2
enum { FACT_CAPS, FACT_PICK, FACT_TP, FACT_CORE };
#define BTF_FACTS_NR	(1 + ARRAY_LEN(family_fns) + TP_NR + 1)

#define FNV64_BASIS	14695981039346656037ULL
#define FNV64_PRIME	1099511628211ULL

/* FNV-1a, 64 bits: @h with @name's bytes, then @n, folded in */
static __u64 fnv64_add(__u64 h, const char *name, __u64 n)
{
	while (*name)
		h = (h ^ (unsigned char)*name++) * FNV64_PRIME;
	return (h ^ n) * FNV64_PRIME;
}

static __u64 btf_facts_tag(void)
{
	__u64 tag = FNV64_BASIS ^ BTF_FACTS_VERSION;
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(family_fns); i++)
		for (j = 0; j < 2 && family_fns[i].names[j]; j++)
			tag = fnv64_add(tag, family_fns[i].names[j],
					i << 8 | j);
	for (i = 0; i < TP_NR; i++)
		tag = fnv64_add(tag, tp_names[i], i);
	return fnv64_add(tag, "", KMLAB_BPF_ID);
}

static __u64 caps_bits(const struct kernel_caps *c)
{
	return c->module_events | c->rcu_takes_ptr << 1 |
	       c->kvmalloc_bucket << 2 | c->noprof << 3 |
	       c->cache_create_args << 4 | c->kmalloc_redzone << 5;
}

static void caps_from_bits(struct kernel_caps *c, __u64 b)
{
	c->module_events = b & 1;
	c->rcu_takes_ptr = b >> 1 & 1;
	c->kvmalloc_bucket = b >> 2 & 1;
	c->noprof = b >> 3 & 1;
	c->cache_create_args = b >> 4 & 1;
	c->kmalloc_redzone = b >> 5 & 1;
}

/*
 * The facts and the kernel's types kept earlier this boot: true if both
 * are there, whole, and for these programs.
 */
static bool btf_facts_load(struct observer *ob, __u64 tag)
{
	struct symcache_ent v[BTF_FACTS_NR];
	size_t nf = ARRAY_LEN(family_fns), i;
	int n;

	n = symcache_load(SYMCACHE_DIR, SYMCACHE_BTF, tag, v, ARRAY_LEN(v));
	if (n != (int)BTF_FACTS_NR || v[0].role != FACT_CAPS ||
	    v[n - 1].role != FACT_CORE)
		return false;
	for (i = 0; i < nf; i++)
		if (v[1 + i].role != FACT_PICK || v[1 + i].src != i ||
		    v[1 + i].addr > 2 || v[1 + i].len > UINT32_MAX)
			return false;
	for (i = 0; i < TP_NR; i++)
		if (v[1 + nf + i].role != FACT_TP || v[1 + nf + i].src != i ||
		    v[1 + nf + i].addr > UINT32_MAX)
			return false;
	if (!symcache_blob_check(SYMCACHE_DIR, SYMCACHE_CORE, v[n - 1].addr,
				 v[n - 1].len))
		return false;
	caps_from_bits(&ob->caps, v[0].addr);
	for (i = 0; i < nf; i++) {
		ob->fn_pick[i] = (int)v[1 + i].addr - 1;
		ob->fn_btf[i] = v[1 + i].len;
	}
	for (i = 0; i < TP_NR; i++)
		ob->tp_btf[i] = v[1 + nf + i].addr;
	return true;
}

static void btf_facts_store(const struct observer *ob, __u64 tag,
			    size_t core_size, __u64 core_hash)
{
	struct symcache_ent v[BTF_FACTS_NR];
	size_t nf = ARRAY_LEN(family_fns), i;

	v[0] = (struct symcache_ent){ FACT_CAPS, 0, caps_bits(&ob->caps), 0 };
	for (i = 0; i < nf; i++)
		v[1 + i] = (struct symcache_ent){ FACT_PICK, i,
						  ob->fn_pick[i] + 1,
						  ob->fn_btf[i] };
	for (i = 0; i < TP_NR; i++)
		v[1 + nf + i] = (struct symcache_ent){ FACT_TP, i,
						       ob->tp_btf[i], 0 };
	v[1 + nf + TP_NR] = (struct symcache_ent){ FACT_CORE, 0, core_size,
						   core_hash };
	symcache_store(SYMCACHE_DIR, SYMCACHE_BTF, tag, v, BTF_FACTS_NR);
}

/* The kernel's types the programs' relocations read, kept for the next
 * run: its size and hash, 0 and 0 when not kept */
static void core_keep(const struct observer *ob, const struct btf *btf,
		      size_t *size, __u64 *hash)
{
	struct btf *min = btf_min(bpf_object__btf(ob->skel->obj), btf);
	const void *data;
	__u32 len;

	*size = 0;
	*hash = 0;
	if (!min) {
		if (verbose)
			fprintf(stderr, "kmlab: cannot extract the kernel types the observer relocates (%s): each run reads the whole BTF\n",
				strerror(errno));
		return;
	}
	data = btf__raw_data(min, &len);
	if (data)
		*hash = symcache_blob_store(SYMCACHE_DIR, SYMCACHE_CORE, data,
					    len);
	if (*hash)
		*size = len;
	btf__free(min);
}

/*
 * What the loader needs of the kernel's BTF, from the facts kept this
 * boot (@kept) or else from the BTF itself (kept then, with the types
 * the relocations read, for the next run's libbpf); the kprobe PMU's
 * presence always from sysfs.
 */
static void btf_facts(struct observer *ob, bool kept)
{
	size_t core_size;
	__u64 core_hash;
	struct btf *btf;

	if (!kept) {
		/* kernels without CONFIG_MODULES (the host) lack the
		 * module events */
		btf = btf__load_vmlinux_btf();
		phase("vmlinux BTF read");
		btf_index_build(btf);
		caps_probe(&ob->caps, btf);
		picks_probe(ob, btf);
		tps_probe(ob, btf);
		if (btf) {
			core_keep(ob, btf, &core_size, &core_hash);
			btf_facts_store(ob, btf_facts_tag(), core_size,
					core_hash);
		}
		btf_index_free();
		btf__free(btf);
	}
	ob->caps.kprobes = has_kprobes();
}

static void caps_print(const struct kernel_caps *c, FILE *f)
{
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	fprintf(f, "kmlab: kernel %s: module events %s, kprobes %s, kvfree_call_rcu(head, ptr) %s, kvmalloc buckets %s, _noprof allocators %s, __kmem_cache_create_args %s, kmalloc red zone %s\n",
		u.release, c->module_events ? "yes" : "no",
		c->kprobes ? "yes" : "no", c->rcu_takes_ptr ? "yes" : "no",
		c->kvmalloc_bucket ? "yes" : "no", c->noprof ? "yes" : "no",
		c->cache_create_args ? "yes" : "no",
		c->kmalloc_redzone ? "yes" : "no");
}

/*
 * Before load: which family programs this kernel can run.  Without
 * kprobes, or in trace mode, none: kmalloc and kmem_cache still work.
 * Their kprobe events are made from here on, while the programs load.
 */
/* whether any function of family_fns[] whose entry program is @enter
 * is to be attached (its name decided) */
static bool prog_named(const struct observer *ob, size_t enter)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(family_fns); i++)
		if (family_fns[i].enter == enter && ob->fn_name[i])
			return true;
	return false;
}

static void families_prepare(struct observer *ob, bool want,
			     unsigned int families)
{
	struct kmlab_bpf *skel = ob->skel;
	bool kp = want && ob->caps.kprobes;
	const char *tracefs = tracefs_dir();
	size_t i;

	if (!families)
		families = ~0u;
	skel->rodata->rcu_ptr_arg = ob->caps.rcu_takes_ptr;
	skel->rodata->kvmalloc_bucket_arg = ob->caps.kvmalloc_bucket;
	/* tracepoints: no kprobes needed */
	if (!want || !(families & SRC_PAGE_FAMILIES)) {
		bpf_program__set_autoload(skel->progs.on_page_alloc, false);
		bpf_program__set_autoload(skel->progs.on_page_free, false);
	}
	for (i = 0; i < ARRAY_LEN(family_fns); i++) {
		const struct family_fn *fn = &family_fns[i];
		const char *name = kp && (fn->srcs & families) &&
				   ob->fn_pick[i] >= 0 ?
				   fn->names[ob->fn_pick[i]] : NULL;

		/* KFENCE not sampling: nothing for its program to hear */
		if (fn->enter == PROG(kfence_report_enter) &&
		    observer_kfence_interval() <= 0)
			name = NULL;
		ob->fn_name[i] = name;
	}
	for (i = 0; i < ARRAY_LEN(family_fns); i++) {
		const struct family_fn *fn = &family_fns[i];
		struct bpf_program *in = fn_prog(skel, fn->enter);
		struct bpf_program *out = fn_prog(skel, fn->exit);
		const char *name = ob->fn_name[i];

		ob->ev_in[i] = ob->ev_out[i] = -1;

		if (fn->witness) {
			bpf_program__set_autoattach(fn_prog(skel, fn->witness),
						    false);
			bpf_program__set_autoload(fn_prog(skel, fn->witness),
						  name != NULL);
		}
		bpf_program__set_autoattach(in, false);
		if (out)
			bpf_program__set_autoattach(out, false);
		/* a shared program loads if any of its functions is there */
		if (!name && !prog_named(ob, fn->enter)) {
			bpf_program__set_autoload(in, false);
			if (out)
				bpf_program__set_autoload(out, false);
		}
		if (!name || !tracefs)
			continue;
		if (out && fn->kretprobe)
			ob->ev_out[i] = kprobe_batch_add(&ob->kb, name, true);
		ob->ev_in[i] = kprobe_batch_add(&ob->kb, name, false);
	}
	if (tracefs)
		kprobe_batch_start(&ob->kb, tracefs);
	/* the exits by fexit load against the function's BTF id */
	for (i = 0; i < ARRAY_LEN(family_fns); i++) {
		const struct family_fn *fn = &family_fns[i];
		struct bpf_program *out = fn_prog(skel, fn->exit);

		if (ob->fn_name[i] && out && !fn->kretprobe &&
		    (!ob->fn_btf[i] || btf_attach_set(out, ob->fn_btf[i]))) {
			bpf_program__set_autoload(fn_prog(skel, fn->enter),
						  false);
			bpf_program__set_autoload(out, false);
		}
	}
	if (!kp && want && verbose)
		fprintf(stderr, "kmlab: no kprobes in this kernel: only kmalloc and kmem_cache objects are watched\n");
}

/*
 * @prog on @name's entry or return (@ret), through batch event @idx,
 * whose misses kprobe_profile shows (kprobes.h); through the kprobe PMU
 * where tracefs made none, and then its misses go uncounted.  @cookie:
 * what bpf_get_attach_cookie() gives the program there.  @ev: the
 * event's name, "" for none.
 */
static struct bpf_link *kprobe_attach(struct observer *ob,
				      struct bpf_program *prog,
				      const char *name, bool ret, int idx,
				      __u32 cookie, char ev[KPROBE_EV_NAME])
{
	LIBBPF_OPTS(bpf_perf_event_opts, pe, .bpf_cookie = cookie);
	LIBBPF_OPTS(bpf_kprobe_opts, ko, .bpf_cookie = cookie,
		    .retprobe = ret);
	struct bpf_link *link;
	int pfd = kprobe_batch_take(&ob->kb, idx, ev);

	if (pfd >= 0) {
		link = bpf_program__attach_perf_event_opts(prog, pfd, &pe);
		if (link)
			return link;
		close(pfd);
		kprobe_ev_remove(tracefs_dir(), ev);
		ev[0] = '\0';
	}
	if (verbose)
		fprintf(stderr, "kmlab: no tracefs kprobe event on %s (%s): its misses go uncounted\n",
			name, strerror(-pfd));
	link = bpf_program__attach_kprobe_opts(prog, name, &ko);
	if (link)
		ob->kprobes_uncounted++;
	return link;
}

/* Detach link @i, and remove its kprobe event. */
static void link_destroy(struct observer *ob, int i)
{
	bpf_link__destroy(ob->links[i]);
	if (ob->link_ev[i][0] && tracefs_dir())
		kprobe_ev_remove(tracefs_dir(), ob->link_ev[i]);
	ob->link_ev[i][0] = '\0';
}

static void links_destroy(struct observer *ob)
{
	while (ob->nr_links)
		link_destroy(ob, --ob->nr_links);
}

/* @fn's witness, beside its kprobe: without it, its misses still count */
static void witness_attach(struct observer *ob, const struct family_fn *fn)
{
	struct bpf_program *w;
	struct bpf_link *link;

	if (!fn->witness)
		return;
	w = fn_prog(ob->skel, fn->witness);
	if (bpf_program__fd(w) < 0)
		return;
	link = bpf_program__attach(w);
	if (!link) {
		fprintf(stderr, "kmlab: cannot attach %s (%s): a %s its kprobe misses may show as a leak\n",
			bpf_program__section_name(w), strerror(errno),
			fn->names[0]);
		return;
	}
	ob->link_ev[ob->nr_links][0] = '\0';
	ob->links[ob->nr_links] = link;
	ob->link_prog[ob->nr_links++] = w;
}

/* After load: attach each pair, exit first; a failure costs that pair. */
static void families_attach(struct observer *ob)
{
	struct kmlab_bpf *skel = ob->skel;
	size_t i, len = 0;

	for (i = 0; i < ARRAY_LEN(family_fns); i++) {
		const struct family_fn *fn = &family_fns[i];
		struct bpf_program *in = fn_prog(skel, fn->enter);
		struct bpf_program *out = fn_prog(skel, fn->exit);
		struct bpf_link *lin, *lout = NULL;
		const char *name;
		int n;

		name = ob->fn_name[i];
		/* a shared program may be loaded for another function */
		if (!name || bpf_program__fd(in) < 0 ||
		    ob->nr_links + 3 > FAMILY_LINKS_MAX)
			continue;
		n = ob->nr_links;
		ob->link_ev[n][0] = '\0';
		if (out) {
			lout = fn->kretprobe ?
			       kprobe_attach(ob, out, name, true,
					     ob->ev_out[i], 0, ob->link_ev[n]) :
			       bpf_program__attach_trace(out);
			if (!lout) {
				fprintf(stderr, "kmlab: cannot trace the return of %s (%s): its objects go unwatched\n", name, strerror(errno));
				continue;
			}
			ob->links[n] = lout;
			ob->link_prog[n] = out;
			ob->nr_links++;
		}
		lin = kprobe_attach(ob, in, name, false, ob->ev_in[i],
				    fn->cookie, ob->link_ev[ob->nr_links]);
		if (!lin) {
			fprintf(stderr, "kmlab: cannot kprobe %s (%s): its objects go unwatched\n", name,
				strerror(errno));
			while (ob->nr_links > n)
				link_destroy(ob, --ob->nr_links);
			continue;
		}
		ob->links[ob->nr_links] = lin;
		ob->link_prog[ob->nr_links++] = in;
		witness_attach(ob, fn);
		len += snprintf(ob->families + len, len < sizeof(ob->families)
				? sizeof(ob->families) - len : 0, "%s%s",
				len ? " " : "", name);
		if (len >= sizeof(ob->families))
			len = sizeof(ob->families) - 1;
	}
	/* those of programs that did not load */
	kprobe_batch_close(&ob->kb);
	if (ob->kprobes_uncounted)
		fprintf(stderr, "kmlab: %d kprobes made without a tracefs kprobe event (-v says why): a hit the kernel skips on them goes uncounted\n",
			ob->kprobes_uncounted);
	if (verbose)
		fprintf(stderr, "kmlab: also watching %s\n",
			ob->families[0] ? ob->families : "no other family");
}

/*
 * The page API functions a module calls, each with the family it stands
 * for: the observer finds the module on the stack right behind one of
 * them.  Old names and the *_noprof ones of 6.10+ ("mm: introduce memory
 * allocation profiling"); alloc_pages_node() is inline (__alloc_pages).
 */
static const struct {
	const char *name;
	__u32 src;
} page_fns[] = {
	{ "__alloc_pages", KMLAB_FAM_PAGES },
	{ "alloc_pages", KMLAB_FAM_PAGES },
	{ "__alloc_pages_noprof", KMLAB_FAM_PAGES },
	{ "alloc_pages_noprof", KMLAB_FAM_PAGES },
	/* 6.12's alloc_pages_noprof() tail-calls it */
	{ "alloc_pages_mpol_noprof", KMLAB_FAM_PAGES },
	{ "__get_free_pages", KMLAB_FAM_GFP_PAGES },
	{ "get_free_pages_noprof", KMLAB_FAM_GFP_PAGES },
	{ "get_zeroed_page", KMLAB_FAM_GFP_PAGES },
	{ "get_zeroed_page_noprof", KMLAB_FAM_GFP_PAGES },
	{ "alloc_pages_exact", KMLAB_FAM_PAGES_EXACT },
	{ "alloc_pages_exact_noprof", KMLAB_FAM_PAGES_EXACT },
	{ "alloc_pages_exact_nid", KMLAB_FAM_PAGES_EXACT },
	{ "alloc_pages_exact_nid_noprof", KMLAB_FAM_PAGES_EXACT },
};


/*
 * Core functions that read or write memory for their caller: a module's
 * late access made through one of them is the module's (the watchpoints'
 * hit program looks behind them).  No allocator function among them: the
 * allocator touches free objects as its own (free pointers), which is no
 * finding whoever called it.
 */
static const char *const accessor_names[] = {
	"memcpy", "__memcpy", "memcpy_orig", "memmove", "__memmove",
	"memset", "__memset", "memset_orig", "memcmp", "bcmp", "strlen",
	"strcmp", "strncmp", "strscpy", "strncpy", "strcpy",
};

/*
 * Kernel variables the observer reads by address (compat.bpf.h,
 * families.bpf.h): found in the same scan, @src their index here.
 */
static const char *const data_names[] = {
	"__preempt_count", "pcpu_hot", "__per_cpu_offset", "vmemmap_base",
	"page_offset_base",
};

/* What a core kernel symbol is to the observer. */
enum sym_role { SYM_NONE, SYM_HELPER, SYM_KVMALLOC, SYM_PAGE_FN,
		SYM_ACCESSOR, SYM_DATA, SYM_VFREE_WORK };

/*
 * "mm/vmalloc: remove __vunmap()" (v6.3): a vfree() in an interrupt
 * queues the area, and this work frees it with vfree() again, a second
 * vfree of the same address that is not the module's.
 */
#define VFREE_WORK	"delayed_vfree_work"

static enum sym_role sym_role(const char *name, __u32 *src)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(data_names); i++) {
		if (!strcmp(name, data_names[i])) {
			*src = i;
			return SYM_DATA;
		}
	}

	if (!strcmp(name, "kvmalloc_node") ||
	    !strcmp(name, "__kvmalloc_node_noprof"))
		return SYM_KVMALLOC;
	if (!strcmp(name, VFREE_WORK))
		return SYM_VFREE_WORK;
	for (i = 0; i < ARRAY_LEN(helpers); i++) {
		if (!strcmp(name, helpers[i].name)) {
			*src = helpers[i].kinds;
			return SYM_HELPER;
		}
	}
	for (i = 0; i < ARRAY_LEN(accessor_names); i++)
		if (!strcmp(name, accessor_names[i]))
			return SYM_ACCESSOR;
	for (i = 0; i < ARRAY_LEN(page_fns); i++) {
		if (!strcmp(name, page_fns[i].name)) {
			*src = page_fns[i].src;
			return SYM_PAGE_FN;
		}
	}
	return SYM_NONE;
}

/* Keep [lo, lo + len) as what @role says. */
static void sym_keep(struct kmlab_bpf *skel, enum sym_role role, __u32 src,
		     __u64 lo, __u64 len)
{
	struct kmlab_bpf__rodata *ro = skel->rodata;
	__u32 n;

	switch (role) {
	case SYM_HELPER:
		n = ro->nr_helpers;
		if (n >= KMLAB_HELPERS_MAX)
			return;
		((__u64 *)ro->helper_lo)[n] = lo;
		((__u64 *)ro->helper_len)[n] = len;
		((__u32 *)ro->helper_kinds)[n] = src;
		ro->nr_helpers = n + 1;
		break;
	case SYM_ACCESSOR:
		n = ro->nr_accessors;
		if (n >= ARRAY_LEN(ro->accessor_lo))
			return;
		((__u64 *)ro->accessor_lo)[n] = lo;
		((__u64 *)ro->accessor_len)[n] = len;
		ro->nr_accessors = n + 1;
		break;
	case SYM_KVMALLOC:
		ro->kvmalloc_lo = lo;
		ro->kvmalloc_len = len;
		break;
	case SYM_VFREE_WORK:
		ro->vfree_work_lo = lo;
		ro->vfree_work_len = len;
		break;
	case SYM_PAGE_FN:
		n = ro->nr_page_fns;
		if (n >= ARRAY_LEN(ro->page_fn_lo))
			return;
		((__u64 *)ro->page_fn_lo)[n] = lo;
		((__u64 *)ro->page_fn_len)[n] = len;
		((__u32 *)ro->page_fn_src)[n] = src;
		ro->nr_page_fns = n + 1;
		break;
	case SYM_DATA: {
		volatile __u64 *at[] = {
			&ro->ksym_preempt_count, &ro->ksym_pcpu_hot,
			&ro->ksym_per_cpu_offset, &ro->ksym_vmemmap_base,
			&ro->ksym_page_offset_base,
		};

		if (src < ARRAY_LEN(at))
			*at[src] = lo;
		break;
	}
	case SYM_NONE:
		break;
	}
}

/*
 * A filter in front of sym_role(): bit (hash % SYM_BITS) set for each
 * name it knows.  kallsyms has some 160,000 core symbols; comparing
 * each with every name took a third of a second in the TCG guest.
 */
#define SYM_BITS	4096

static __u32 sym_hash(const char *name)
{
	__u32 h = 2166136261U;	/* FNV-1a */

	while (*name)
		h = (h ^ (unsigned char)*name++) * 16777619U;
	return h % SYM_BITS;
}

/*
 * The filter's bits, and what the scan's result depends on besides the
 * kernel: each name and the role and number sym_role() gives it (the
 * cache's tag, symcache.h).
 */
static __u64 sym_filter(unsigned char *bits)
{
	const char *names[3 + ARRAY_LEN(helpers) +
			  ARRAY_LEN(accessor_names) + ARRAY_LEN(page_fns) +
			  ARRAY_LEN(data_names)];
	__u64 tag = FNV64_BASIS;
	size_t i, n = 0;
	__u32 src = 0, role;

	names[n++] = "kvmalloc_node";
	names[n++] = "__kvmalloc_node_noprof";
	names[n++] = VFREE_WORK;
	for (i = 0; i < ARRAY_LEN(helpers); i++)
		names[n++] = helpers[i].name;
	for (i = 0; i < ARRAY_LEN(accessor_names); i++)
		names[n++] = accessor_names[i];
	for (i = 0; i < ARRAY_LEN(page_fns); i++)
		names[n++] = page_fns[i].name;
	for (i = 0; i < ARRAY_LEN(data_names); i++)
		names[n++] = data_names[i];
	memset(bits, 0, SYM_BITS / 8);
	for (i = 0; i < n; i++) {
		bits[sym_hash(names[i]) / 8] |= 1 << (sym_hash(names[i]) % 8);
		role = sym_role(names[i], &src);
		tag = fnv64_add(tag, names[i], role << 16 ^ src);
	}
	return tag;
}

/*
 * The core functions the observer tells apart by address (with
 * @functions), and the variables it reads, from /proc/kallsyms: a
 * function ends where the next symbol starts (the core kernel's symbols
 * come sorted).
 */
#define CORE_SYMS_MAX	256

/* One pass over the core kernel's symbols: the number of entries found. */
static int core_syms_scan(const unsigned char *bits, struct symcache_ent *v)
{
	enum sym_role role, open = SYM_NONE;
	unsigned long addr, start = 0;
	char line[512], *name, *mod, *dot, type;
	__u32 src = 0, open_src = 0, h;
	int n = 0;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && n < CORE_SYMS_MAX) {
		if (ksyms_parse_line(line, &addr, &type, &name, &mod))
			continue;
		if (open != SYM_NONE && addr > start) {
			v[n++] = (struct symcache_ent){ open, open_src, start,
							addr - start };
			open = SYM_NONE;
		}
		/* the core kernel's sorted part ends at the modules */
		if (mod)
			break;
		/* a local function's copy by GCC (.constprop.0, .isra.0,
		 * .part.0) or its cold part (.cold): the helper's own */
		dot = strchr(name, '.');
		if (dot)
			*dot = '\0';
		h = sym_hash(name);
		if (!(bits[h / 8] & (1 << (h % 8))))
			continue;
		role = sym_role(name, &src);
		if (dot && role != SYM_HELPER)
			continue;
		/* a variable: its address (a per-CPU one's is its offset) */
		if (role == SYM_DATA) {
			v[n++] = (struct symcache_ent){ role, src, addr, 0 };
			continue;
		}
		if ((type != 'T' && type != 't') || !addr || role == SYM_NONE)
			continue;
		open = role;
		open_src = src;
		start = addr;
	}
	fclose(f);
	return n;
}

/*
 * The helpers in address order, for the observer's search by halves,
 * and the pages of text that hold a site, for its first test: one bit.
 * A site beyond KMLAB_HELPER_PAGES from the first helper is not marked
 * (core text is some 16 MiB; the bitmap covers 64).
 */
static void helpers_index(struct kmlab_bpf__rodata *ro)
{
	__u64 *lo = (__u64 *)ro->helper_lo, *len = (__u64 *)ro->helper_len;
	__u64 *pages = (__u64 *)ro->helper_pages, t, pg, end;
	__u32 *kinds = (__u32 *)ro->helper_kinds, k;
	__u32 i, j, n = ro->nr_helpers;

	for (i = 1; i < n; i++) {	/* insertion: a few dozen */
		for (j = i; j > 0 && lo[j - 1] > lo[j]; j--) {
			t = lo[j];
			lo[j] = lo[j - 1];
			lo[j - 1] = t;
			t = len[j];
			len[j] = len[j - 1];
			len[j - 1] = t;
			k = kinds[j];
			kinds[j] = kinds[j - 1];
			kinds[j - 1] = k;
		}
	}
	/* the observer's search steps over these: none is at or below a
	 * kernel address */
	for (i = n; i < KMLAB_HELPERS_MAX; i++)
		lo[i] = ~0ULL;
	if (!n)
		return;
	ro->helper_base = lo[0] & ~4095ULL;
	for (i = 0; i < n; i++) {
		if (!len[i] || !(kinds[i] & ((1 << KMLAB_HK_ENTRY_SHIFT) - 1)))
			continue;
		pg = (lo[i] - ro->helper_base) >> 12;
		end = (lo[i] + len[i] - 1 - ro->helper_base) >> 12;
		for (; pg <= end && pg < KMLAB_HELPER_PAGES; pg++)
			pages[pg / 64] |= 1ULL << (pg % 64);
	}
}

static void core_syms_prepare(struct observer *ob, bool functions)
{
	struct symcache_ent v[CORE_SYMS_MAX];
	unsigned char bits[SYM_BITS / 8];
	__u64 tag = sym_filter(bits);
	int n, i;

	n = symcache_load(SYMCACHE_DIR, SYMCACHE_SYMS, tag, v,
			  CORE_SYMS_MAX);
	if (n < 0) {
		n = core_syms_scan(bits, v);
		/* no kallsyms, or addresses hidden (all 0): keep nothing */
		if (n > 0 && v[0].addr)
			symcache_store(SYMCACHE_DIR, SYMCACHE_SYMS, tag, v, n);
	}
	for (i = 0; i < n; i++)
		/* functions only where a module can act: each is one more
		 * compare on every allocation */
		if (v[i].role == SYM_DATA || functions)
			sym_keep(ob->skel, v[i].role, v[i].src, v[i].addr,
				 v[i].len);
	helpers_index(ob->skel->rodata);
	if (verbose)
		fprintf(stderr, "kmlab: core functions: %u helpers, %u accessors, %u page functions, kvmalloc %s; preempt count at %#llx%s, per-CPU offsets %s, page arrays %s\n",
			ob->skel->rodata->nr_helpers,
			ob->skel->rodata->nr_accessors,
			ob->skel->rodata->nr_page_fns,
			ob->skel->rodata->kvmalloc_len ? "found" : "not found",
			(unsigned long long)(ob->skel->rodata->ksym_preempt_count ?
			ob->skel->rodata->ksym_preempt_count :
			ob->skel->rodata->ksym_pcpu_hot),
			ob->skel->rodata->ksym_preempt_count ? "" : " (pcpu_hot)",
			ob->skel->rodata->ksym_per_cpu_offset ? "found" : "not found",
			ob->skel->rodata->ksym_vmemmap_base &&
			ob->skel->rodata->ksym_page_offset_base ? "found" : "not found");
}

/*
 * The maps' room, from the machine's memory: the live map holds every
 * object the watched module (for a trace, the kernel) holds at once, the
 * freed map the module's recent frees.  Both are preallocated (about 110
 * bytes an entry): one live entry per 8 KiB of memory (128k on 1 GiB,
 * as bcc's memleak 1M at most) and one freed per 16 KiB, together under
 * 2% of it.
 */
static __u32 map_room(unsigned long long per, __u32 min, __u32 max)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	unsigned long long n = 0;

	if (pages > 0 && psize > 0)
		n = (unsigned long long)pages * psize / per;
	return n < min ? min : n > max ? max : n;
}

/*
 * A preallocated hash map entry: the kernel's struct htab_elem (48 bytes
 * on 64-bit), the key and the value (a live object's or a freed one's,
 * the same size), all taken when the map is made.
 */
#define MAP_ENTRY_BYTES	(48 + sizeof(__u64) + sizeof(struct kmlab_live))

static unsigned long long mem_available(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb << 10;
}

/*
 * The live and freed maps' room: from the machine's memory, or --live N.
 * A module that held N objects frees them all as it unloads, and the
 * freed map must keep those records (a second free is found by them), so
 * --live N gives the freed map room for N too.  More than half of the
 * memory available is refused here, with what would fit, rather than by
 * the kernel's -ENOMEM (or the OOM killer) as the maps are made.
 */
static int maps_room(__u32 want, __u32 *live, __u32 *freed)
{
	unsigned long long avail, need;

	*live = want ? want : map_room(8192, 32768, 1U << 20);
	*freed = map_room(16384, KMLAB_FREED_MIN, 256U << 10);
	if (!want)
		return 0;
	if (*freed < want)
		*freed = want;
	avail = mem_available();
	need = ((unsigned long long)*live + *freed) * MAP_ENTRY_BYTES;
	if (!avail || need <= avail / 2)
		return 0;
	fprintf(stderr, "kmlab: --live %u needs about %llu MiB of kernel memory for the observer's maps of live and freed objects (%zu bytes an object in each), more than half of the %llu MiB available: give --live %llu or less\n",
		want, need >> 20, MAP_ENTRY_BYTES, avail >> 20,
		avail / 4 / MAP_ENTRY_BYTES);
	return -ENOMEM;
}

/*
 * ... and the ring buffer, a power of two: 1/256 of memory, 16-128 MiB
 * (vmalloc'd whole while kmlab runs), or --ring @mib (a power of two:
 * cmd_options.c), refused beyond half of the memory available.
 */
static int ring_bytes(__u32 mib, __u32 *bytes)
{
	__u32 want = map_room(256, OBSERVER_RING_BYTES, 128U << 20), n;
	unsigned long long avail;

	if (!mib) {
		for (n = OBSERVER_RING_BYTES; n * 2 <= want; n *= 2)
			;
		*bytes = n;
		return 0;
	}
	avail = mem_available();
	if (avail && ((unsigned long long)mib << 20) > avail / 2) {
		for (n = 1; ((unsigned long long)n << 21) <= avail / 2; n *= 2)
			;
		fprintf(stderr, "kmlab: --ring %u is more than half of the %llu MiB available: give --ring %u or less\n",
			mib, avail >> 20, n);
		return -ENOMEM;
	}
	*bytes = mib << 20;
	return 0;
}

/*
 * One record, whose size its type fixes (events.h).  Another size means
 * the BPF object and this loader were built from different sources: stop
 * rather than misread every event after it.
 */
/*
 * How long one observer_poll() reads before it returns, records still
 * waiting: libbpf reads on for as long as records keep coming, and a
 * module that allocates without pause (faster than kmlab reads them, as
 * under TCG) would keep it there for good, its caller's timers
 * (--unload-after, --timeout) and Ctrl-C never looked at.
 */
#define POLL_TURN_NS	(200 * 1000 * 1000LL)
#define POLL_CHECK	64		/* records between looks at the clock */
#define POLL_TURN	(-EINPROGRESS)	/* "my turn is over", not an error */

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int on_sample(void *ctx, void *data, size_t len)
{
	const union kmlab_ev *e = data;
	struct observer *ob = ctx;
	__u32 want;
	int err;

	want = len >= sizeof(e->h) ? kmlab_ev_size(e->h.type) : 0;
	if (!want || len < want) {
		fprintf(stderr, "kmlab: the observer sent a record of %zu bytes, type %u, which this kmlab does not know: the BPF object and the loader disagree; rebuild both (make)\n",
			len, len >= sizeof(e->h) ? e->h.type : 0);
		return -EPROTO;
	}
	if (e->h.ts > ob->last_ts)
		ob->last_ts = e->h.ts;
	err = ob->fn(ob->ctx, e);
	if (err >= 0 && ++ob->polled % POLL_CHECK == 0 &&
	    now_ns() >= ob->poll_end)
		return POLL_TURN;
	return err;
}

static int check_env(void)
{
	if (geteuid()) {
		fprintf(stderr, "kmlab: BPF needs root (CAP_BPF, CAP_PERFMON): run kmlab as root or with sudo\n");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "kmlab: this kernel has no BTF (/sys/kernel/btf/vmlinux): boot a kernel built with CONFIG_DEBUG_INFO_BTF=y\n");
		return -ENOENT;
	}
	return need_tracefs();
}

static void watch_open(struct observer *ob);

/*
 * KMLAB_PHASES=1: how long each step of getting ready took, on stderr
 * (the time to ready is a benchmark: scripts/bench); =2 also each
 * program's verification time and instructions processed.
 */
static void phase(const char *what)
{
	static struct timespec t0;
	static int on = -1;
	struct rusage ru;
	struct timespec t;

	if (on < 0) {
		on = getenv("KMLAB_PHASES") != NULL;
		clock_gettime(CLOCK_MONOTONIC, &t0);
	}
	if (!on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	/* CPU time beside the wall's: in a guest whose vCPUs take turns,
	 * the difference is time spent waiting on the kernel */
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "kmlab: phase %-24s %8.1f ms (cpu: user %.1f sys %.1f ms)\n",
		what, (t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6,
		ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
		ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3);
}

/*
 * KMLAB_INSNS=FILE: each loaded program's instructions as relocated,
 * map references blanked, for tests that compare the relocations of a
 * run against the kernel types kept (btf_min.h) with one against the
 * whole BTF.
 */
static void insns_dump(const struct observer *ob)
{
	const char *path = getenv("KMLAB_INSNS");
	struct bpf_program *prog;
	const struct bpf_insn *in;
	struct bpf_insn x;
	size_t i, n;
	FILE *f;

	if (!path || !(f = fopen(path, "we")))
		return;
	bpf_object__for_each_program(prog, ob->skel->obj) {
		if (bpf_program__fd(prog) < 0)
			continue;
		in = bpf_program__insns(prog);
		n = bpf_program__insn_cnt(prog);
		fprintf(f, "%s %zu\n", bpf_program__name(prog), n);
		for (i = 0; i < n; i++) {
			x = in[i];
			/* a map's fd, or its value's address */
			if (x.code == (BPF_LD | BPF_IMM | BPF_DW) &&
			    (x.src_reg == BPF_PSEUDO_MAP_FD ||
			     x.src_reg == BPF_PSEUDO_MAP_VALUE))
				x.imm = 0;
			fprintf(f, "%02x %x %x %d %d\n", x.code, x.dst_reg,
				x.src_reg, x.off, x.imm);
		}
	}
	fclose(f);
}

int observer_open(struct observer **out, const struct observer_opts *opts,
		  observer_event_fn fn, void *ctx)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct observer *ob;
	int err, i;
	__u32 live, freed, ring;
	bool kept;

	phase("start");
	libbpf_set_print(print_fn);
	err = check_env();
	if (err)
		return err;

	ob = calloc(1, sizeof(*ob));
	if (!ob)
		return -ENOMEM;
	ob->fn = fn;
	ob->ctx = ctx;
	/* before the open: libbpf takes the kernel types kept this boot,
	 * if there are, instead of reading its whole BTF */
	err = btf_attach_register();
	if (err) {
		fprintf(stderr, "kmlab: libbpf would not take the observer's tracing programs: %s\n",
			strerror(-err));
		goto err_free;
	}
	kept = btf_facts_load(ob, btf_facts_tag());
	oo.btf_custom_path = kept ? SYMCACHE_DIR "/" SYMCACHE_CORE : NULL;
	ob->skel = kmlab_bpf__open_opts(&oo);
	if (!ob->skel) {
		err = -errno;
		fprintf(stderr, "kmlab: cannot open the BPF observer: %s\n",
			strerror(-err));
		goto err_free;
	}

	for (i = 0; i < opts->nr_targets && i < KMLAB_MODS_MAX; i++)
		snprintf((char *)ob->skel->rodata->target_names[i],
			 sizeof(ob->skel->rodata->target_names[i]), "%s",
			 opts->targets[i]);
	ob->skel->rodata->nr_targets = i;
	ob->skel->rodata->trace_mode = opts->trace;
	ob->skel->rodata->trace_pid = opts->pid;
	ob->skel->rodata->trace_follow = opts->follow && opts->pid;
	if (!ob->skel->rodata->trace_follow) {
		bpf_program__set_autoload(ob->skel->progs.on_fork, false);
		bpf_program__set_autoload(ob->skel->progs.on_exit, false);
		/* unused: no room kept for it */
		bpf_map__set_max_entries(ob->skel->maps.traced, 1);
	}
	if (opts->comm)
		snprintf((char *)ob->skel->rodata->trace_comm,
			 sizeof(ob->skel->rodata->trace_comm), "%s",
			 opts->comm);
	ob->skel->rodata->trace_min_size = opts->min_size;
	ob->skel->rodata->trace_max_size = opts->max_size ?
					   opts->max_size : ~0ULL;

	/* a plan's loop can emit 100k events faster than we read them, and
	 * the whole kernel (kmlab trace) 500k a second in bursts */
	err = maps_room(opts->live_max, &live, &freed);
	if (!err)
		err = ring_bytes(opts->ring_mib, &ring);
	if (err)
		goto err_close;
	err = bpf_map__set_max_entries(ob->skel->maps.events, ring);
	if (!err)
		err = bpf_map__set_max_entries(ob->skel->maps.live, live);
	if (!err) {
		err = bpf_map__set_max_entries(ob->skel->maps.freed, freed);
		/* the LRU may evict a little before it is full */
		ob->skel->rodata->freed_safe = KMLAB_FREED_SAFE(freed);
	}
	if (err) {
		fprintf(stderr, "kmlab: cannot size the ring buffer and maps: %s\n",
			strerror(-err));
		goto err_close;
	}
	maps_ahead_start(&ob->ma, (struct bpf_map *[]){ ob->skel->maps.live,
			 ob->skel->maps.freed, ob->skel->maps.events }, 3);

	phase("opened");
	btf_facts(ob, kept);
	phase("BTF facts, caps");
	if (verbose)
		caps_print(&ob->caps, stderr);
	ob->has_modules = ob->caps.module_events;
	families_prepare(ob, !opts->trace && ob->has_modules, opts->families);
	phase("families prepared");
	/* the variables every mode reads; the functions where a module can
	 * load */
	core_syms_prepare(ob, !opts->trace && ob->has_modules);
	phase("core symbols");
	if (!ob->has_modules || opts->trace) {
		bpf_program__set_autoload(ob->skel->progs.on_module_load,
					  false);
		bpf_program__set_autoload(ob->skel->progs.on_module_free,
					  false);
	}
	/* loaded against the tracepoint's BTF id, attached by hand; one
	 * the kernel lacks fails the load, saying so (btf_attach.c) */
	for (i = 0; i < TP_NR; i++) {
		struct bpf_program *p = fn_prog(ob->skel, tp_prog[i][0]);

		bpf_program__set_autoattach(p, false);
		if (ob->tp_btf[i])
			btf_attach_set(p, ob->tp_btf[i]);
	}
	/* its tracepoint only exists once the module is in */
	if (opts->step && ob->has_modules)
		bpf_program__set_autoattach(ob->skel->progs.on_step, false);
	else
		bpf_program__set_autoload(ob->skel->progs.on_step, false);

	/* on_free() and on_alloc(), reached by tail call only */
	bpf_program__set_autoattach(ob->skel->progs.free_slow, false);
	bpf_program__set_autoattach(ob->skel->progs.alloc_slow, false);
	/* run by hand, for a module already loaded */
	bpf_program__set_autoattach(ob->skel->progs.attach_loaded, false);
	if (opts->trace || !ob->has_modules)
		bpf_program__set_autoload(ob->skel->progs.attach_loaded, false);

	/* attached by hand, one event per CPU and debug register */
	bpf_program__set_autoattach(ob->skel->progs.on_watch_hit, false);
	if (!opts->watchpoints || !ob->has_modules)
		bpf_program__set_autoload(ob->skel->progs.on_watch_hit, false);

	verifier_stats = getenv("KMLAB_PHASES") &&
			 !strcmp(getenv("KMLAB_PHASES"), "2");
	if (verifier_stats) {
		struct bpf_program *prog;

		/* log level 4: the verifier's statistics only */
		bpf_object__for_each_program(prog, ob->skel->obj)
			bpf_program__set_log_level(prog, 4);
	}
	maps_ahead_finish(&ob->ma);
	phase("maps made");
	err = kmlab_bpf__load(ob->skel);
	phase("loaded (verifier)");
	if (!err)
		insns_dump(ob);
	if (err) {
		fprintf(stderr, "kmlab: the kernel refused the BPF observer (%s): run with -v to see the verifier's log\n",
			strerror(-err));
		goto err_close;
	}
	if (opts->follow && opts->pid) {
		__u32 pid = opts->pid;
		__u8 one = 1;

		/* before the attach: its first allocation is traced */
		err = bpf_map__update_elem(ob->skel->maps.traced, &pid,
					   sizeof(pid), &one, sizeof(one), 0);
		if (err) {
			fprintf(stderr, "kmlab: cannot mark pid %u for tracing: %s\n",
				pid, strerror(-err));
			goto err_close;
		}
	}
	families_attach(ob);
	phase("families attached");
	err = kmlab_bpf__attach(ob->skel);
	for (i = 0; !err && i < TP_NR; i++) {
		struct bpf_program *p = fn_prog(ob->skel, tp_prog[i][0]);
		struct bpf_link **link = (struct bpf_link **)
					 ((char *)ob->skel + tp_prog[i][1]);

		if (bpf_program__fd(p) < 0)	/* not loaded */
			continue;
		*link = bpf_program__attach_trace(p);
		if (!*link)
			err = -errno;
	}
	phase("attached");
	if (err) {
		fprintf(stderr, "kmlab: cannot attach the BPF observer to the kmem tracepoints (%s): run with -v for details\n",
			strerror(-err));
		goto err_close;
	}
	ob->rb = ring_buffer__new(bpf_map__fd(ob->skel->maps.events),
				  on_sample, ob, NULL);
	if (!ob->rb) {
		err = -errno;
		fprintf(stderr, "kmlab: cannot open the observer's ring buffer: %s\n", strerror(-err));
		goto err_close;
	}
	if (opts->watchpoints && ob->has_modules)
		watch_open(ob);
	phase("watchpoints");
	*out = ob;
	return 0;

err_close:
	maps_ahead_finish(&ob->ma);
	kprobe_batch_close(&ob->kb);
	links_destroy(ob);
	kmlab_bpf__destroy(ob->skel);
err_free:
	free(ob);
	return err;
}

/* Without breakpoints the rest still works: say so, and go on. */
static void watch_open(struct observer *ob)
{
	char why[128] = "";

	ob->wp = watchpoints_open(ob->skel->progs.on_watch_hit,
				  bpf_map__fd(ob->skel->maps.watches), why,
				  sizeof(why));
	if (!ob->wp)
		snprintf(ob->watch_why, sizeof(ob->watch_why), "%s", why);
	else if (verbose)
		fprintf(stderr, "kmlab: %d hardware watchpoints per CPU on the module's last free\n",
			watchpoints_slots(ob->wp));
}

void observer_watch_free(struct observer *ob, __u64 ptr, __u64 size)
{
	watchpoints_move(ob->wp, ptr, size);
	ob->watch_stale = ob->skel->bss->watch_stale;
}

/*
 * Hits on memory allocated again since its free: its new owner's every
 * access would trap; the watchpoints rest until the module frees again.
 */
void observer_watch_check(struct observer *ob)
{
	if (!ob->wp || ob->skel->bss->watch_stale == ob->watch_stale)
		return;
	watchpoints_move(ob->wp, 0, 0);
	ob->watch_stale = ob->skel->bss->watch_stale;
}

const char *observer_watch_stats(const struct observer *ob, __u64 *watched,
				 int *slots, __u64 *stale)
{
	watchpoints_stats(ob->wp, watched, slots);
	*stale = ob->skel->bss->watch_stale;

	return ob->wp ? NULL : ob->watch_why;
}

bool observer_kmalloc_redzone(const struct observer *ob)
{
	return ob->caps.kmalloc_redzone;
}

bool observer_has_families(const struct observer *ob)
{
	return ob->nr_links > 0;
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

/*
 * The record layout is a contract (kmlab/step.h): make sure it holds,
 * from where the fields start (after struct trace_entry, whose size
 * differs on PREEMPT_RT kernels).  That start, or -errno.
 */
static int check_step_format(void)
{
	static const struct {
		const char *name;
		int off, size;
	} want[] = {
#define SCALAR(type, name) \
		{ #name, offsetof(struct kmlab_step_fields, name), sizeof(type) },
#define ARRAY(type, name, n) \
		{ #name, offsetof(struct kmlab_step_fields, name), \
		  sizeof(type) * (n) },
		KMLAB_STEP_FIELDS(SCALAR, ARRAY)
#undef SCALAR
#undef ARRAY
	};

	char path[256], fmt[8192];
	int base = -1;
	size_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/kmlab/kmlab_step/format",
		 tracefs_dir() ? tracefs_dir() : "/sys/kernel/tracing");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "kmlab: %s: %s: is the loaded module the kmlab data plane?\n", path, strerror(errno));
		return -ENOENT;
	}
	n = fread(fmt, 1, sizeof(fmt) - 1, f);
	fclose(f);
	fmt[n] = '\0';
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int size = 0, off = field_offset(fmt, want[i].name, &size);

		if (!i && off >= 8 && off <= KMLAB_STEP_BASE_MAX && !(off % 8))
			base = off;
		if (base < 0 || off - base != want[i].off ||
		    size != want[i].size) {
			fprintf(stderr, "kmlab: kmlab_step field '%s' is at offset %d size %d, kmlab/step.h says %d/%d after the first field (at %d): rebuild the module and kmlab from the same tree\n",
				want[i].name, off, size, want[i].off,
				want[i].size, base);
			return -EINVAL;
		}
	}
	return base;
}

int observer_attach_step(struct observer *ob)
{
	int err;

	if (!ob->has_modules)
		return -EOPNOTSUPP;
	err = check_step_format();
	if (err < 0)
		return err;
	ob->skel->data->step_base = err;
	ob->skel->links.on_step =
		bpf_program__attach(ob->skel->progs.on_step);
	if (!ob->skel->links.on_step) {
		err = -errno;
		fprintf(stderr, "kmlab: cannot attach to kmlab:kmlab_step (%s): run with -v for details\n", strerror(-err));
		return err;
	}
	return 0;
}

/* Its struct module: the address of its __this_module section. */
static int module_struct(const char *name, __u64 *addr)
{
	char path[256];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/module/%s/sections/.gnu.linkonce.this_module", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "%llx", (unsigned long long *)addr);
	fclose(f);
	return n == 1 && *addr ? 0 : -EPERM;
}

int observer_attach_loaded(struct observer *ob, const char *name)
{
	__u64 mod = 0;
	LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &mod,
		    .ctx_size_in = sizeof(mod));
	int err;

	if (!ob->has_modules)
		return -EOPNOTSUPP;
	err = module_struct(name, &mod);
	if (err == -ENOENT) {
		fprintf(stderr, "kmlab: %s was unloaded before kmlab could attach to it\n", name);
		return err;
	}
	if (err) {
		fprintf(stderr, "kmlab: cannot find where %s is in memory (/sys/module/%s/sections: %s)\n",
			name, name, strerror(-err));
		return err;
	}
	err = bpf_prog_test_run_opts(
		bpf_program__fd(ob->skel->progs.attach_loaded), &run);
	if (err) {
		err = -errno;
		fprintf(stderr, "kmlab: cannot attach to %s while it is loaded (running the BPF program: %s): rmmod it and watch its load instead\n",
			name, strerror(-err));
		return err;
	}
	if (!run.retval) {
		fprintf(stderr, "kmlab: %s was unloaded while kmlab attached to it\n", name);
		return -ENOENT;
	}
	return 0;
}

void observer_detach_step(struct observer *ob)
{
	bpf_link__destroy(ob->skel->links.on_step);
	ob->skel->links.on_step = NULL;
}

/*
 * The module load and unload records that waited in kept_events, the
 * ring buffer being full (kmlab.bpf.c's life_new()): each handed on once
 * the ring buffer has been read to its end (@drained) or past its time,
 * so that it comes after the records before it, as it would have.  A
 * slot written again before it was read (a module loaded and unloaded
 * over and over, the ring full each time) lost the records between.
 */
static int kept_deliver(struct observer *ob, bool drained)
{
	int fd = bpf_map__fd(ob->skel->maps.kept_events), err;
	union kmlab_ev e;
	__u32 i, seq;

	for (i = 0; i < KMLAB_KEPT_MAX; i++) {
		seq = __atomic_load_n(&ob->skel->bss->kept_seq[i],
				      __ATOMIC_ACQUIRE);
		if (seq == ob->kept_seen[i])
			continue;
		if (bpf_map_lookup_elem(fd, &i, &e))
			continue;
		if (!drained && e.h.ts > ob->last_ts)
			continue;
		ob->kept_lost += seq - ob->kept_seen[i] - 1;
		ob->kept_seen[i] = seq;
		err = ob->fn(ob->ctx, &e);
		if (err < 0)
			return err;
	}
	return 0;
}

int observer_poll(struct observer *ob, int timeout_ms)
{
	int err, kept;

	ob->polled = 0;
	ob->poll_end = now_ns() + POLL_TURN_NS;
	err = ring_buffer__poll(ob->rb, timeout_ms);
	/*
	 * The ring buffer wakes its reader from an irq_work, which may run
	 * only at the next tick of that CPU (hundreds of ms on an idle
	 * guest): records already there are read without waiting for it.
	 */
	if (err == 0 || err == -EINTR)
		err = ring_buffer__consume(ob->rb);
	kept = kept_deliver(ob, err >= 0);
	if (kept < 0)
		return kept;
	/* not read to its end: no drain */
	if (err == POLL_TURN)
		return ob->polled;
	if (err >= 0)
		ob->drains++;
	return err == -EINTR ? 0 : err;
}

/* A loaded program's info (run counts, recursion misses): 0 on success. */
static int prog_info(struct bpf_program *prog, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_program__fd(prog);

	memset(info, 0, sizeof(*info));
	return fd < 0 ? -1 : bpf_obj_get_info_by_fd(fd, info, &len);
}

/*
 * The hits the kernel did not hand to each program: its recursion
 * misses, and the misses of the kprobes it is attached to (kprobes.h),
 * into @missed[] by link.
 */
static __u64 prog_misses(const struct observer *ob, struct bpf_program *prog,
			 const __u64 *missed)
{
	struct bpf_prog_info info;
	__u64 n = 0;
	int i;

	if (!prog_info(prog, &info))
		n = info.recursion_misses;
	for (i = 0; i < ob->nr_links; i++)
		if (ob->link_prog[i] == prog)
			n += missed[i];
	return n;
}

static void links_missed(const struct observer *ob,
			 __u64 missed[FAMILY_LINKS_MAX])
{
	memset(missed, 0, FAMILY_LINKS_MAX * sizeof(*missed));
	if (ob->nr_links && tracefs_dir())
		kprobe_ev_missed(tracefs_dir(), ob->link_ev, missed,
				 ob->nr_links);
}

void observer_lost(struct observer *ob, __u64 lost[KMLAB_LOST_MAX],
		   __u64 *recursion_misses)
{
	__u64 missed[FAMILY_LINKS_MAX];
	struct bpf_program *prog;
	int i;

	for (i = 0; i < KMLAB_LOST_MAX; i++)
		lost[i] = ob->skel->bss->lost[i];
	lost[KMLAB_LOST_RINGBUF] += ob->kept_lost;
	links_missed(ob, missed);
	*recursion_misses = 0;
	bpf_object__for_each_program(prog, ob->skel->obj)
		*recursion_misses += prog_misses(ob, prog, missed);
}

/*
 * What a program's misses could hide: an allocation (the programs that
 * make objects), a free (the others), or the module's life and the
 * plan's steps.  By the skeleton's fields: a program renamed or gone
 * does not compile here, rather than count as a free.
 */
static const size_t alloc_progs[] = {
	PROG(on_kmalloc), PROG(on_cache_alloc), PROG(on_page_alloc),
	PROG(vmalloc_enter), PROG(vmalloc_exit), PROG(kvmalloc_enter),
	PROG(exact_enter), PROG(percpu_gfp_enter), PROG(percpu_gfp_exit),
	PROG(percpu_enter), PROG(percpu_exit), PROG(pcpu_noprof_enter),
	PROG(pcpu_noprof_exit), PROG(cache_create_enter),
	PROG(cache_create_exit), PROG(cache_args_enter),
	PROG(cache_args_exit), PROG(alloc_slow),
};
static const size_t other_progs[] = {
	PROG(on_module_load), PROG(on_module_free), PROG(on_step),
};

static bool prog_in(struct kmlab_bpf *skel, const struct bpf_program *prog,
		    const size_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fn_prog(skel, list[i]) == prog)
			return true;
	return false;
}

void observer_misses(struct observer *ob, struct kmlab_misses *m)
{
	__u64 missed[FAMILY_LINKS_MAX];
	struct bpf_program *prog;

	memset(m, 0, sizeof(*m));
	links_missed(ob, missed);
	bpf_object__for_each_program(prog, ob->skel->obj) {
		__u64 n = prog_misses(ob, prog, missed);

		if (prog_in(ob->skel, prog, alloc_progs,
			    ARRAY_LEN(alloc_progs)))
			m->alloc += n;
		else if (prog_in(ob->skel, prog, other_progs,
				 ARRAY_LEN(other_progs)))
			m->other += n;
		else
			m->free += n;
	}
	/* a free no tail call took to on_free() (free_slow) */
	m->free += ob->skel->bss->free_tail_missed;
	m->alloc += ob->skel->bss->alloc_tail_missed;
	m->atomic_allocs = ob->skel->bss->module_atomic_allocs;
	m->irq_events = ob->skel->bss->module_irq_events;
}

void observer_print_stats(struct observer *ob, FILE *f)
{
	struct bpf_program *prog;
	bool any = false;

	bpf_object__for_each_program(prog, ob->skel->obj) {
		struct bpf_prog_info info;

		if (prog_info(prog, &info))
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

void observer_map_sizes(const struct observer *ob, __u64 *live,
			__u64 *freed, __u64 *ring)
{
	*live = bpf_map__max_entries(ob->skel->maps.live);
	*freed = bpf_map__max_entries(ob->skel->maps.freed);
	*ring = bpf_map__max_entries(ob->skel->maps.events);
}

int observer_kfence_interval(void)
{
	FILE *f = fopen("/sys/module/kfence/parameters/sample_interval", "r");
	int ms = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &ms) != 1)
		ms = -1;
	fclose(f);
	return ms;
}

bool observer_kfence_heard(const struct observer *ob)
{
	return bpf_program__fd(ob->skel->progs.kfence_report_enter) >= 0;
}

__u64 observer_drains(const struct observer *ob)
{
	return ob->drains;
}

bool observer_freed_gone(struct observer *ob, __u64 ptr)
{
	struct kmlab_freed v;

	if (ob->skel->bss->lost[KMLAB_LOST_FREED_AGED] ||
	    ob->skel->bss->lost[KMLAB_LOST_FREED_FULL])
		return false;
	return bpf_map_lookup_elem(bpf_map__fd(ob->skel->maps.freed), &ptr,
				   &v) && errno == ENOENT;
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
	watchpoints_close(ob->wp);
	ring_buffer__free(ob->rb);
	links_destroy(ob);
	kmlab_bpf__destroy(ob->skel);
	free(ob);
}
