// SPDX-License-Identifier: GPL-2.0
/*
 * irfuzz: throw random and mutated IR blobs at /dev/kmlab, in the guest.
 *
 * Mutations start from a few valid plans built here (the same ones
 * `irfuzz -b NAME` prints, for hand tests): flipped bytes, changed
 * opcodes, indices, sizes and counts, truncated or extended blobs, huge
 * repeat counts.  Each accepted plan runs its DEMAND phase and is reset.
 * The test passes if the kernel logged no oops and (with -u) the module
 * still unloads.  The RNG seed is printed so that a failure replays.
 *
 * Build: gcc -static -O2 -Wall -Werror -Imodule tests/guest/irfuzz.c
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "kmlab/ir.h"

#define MAX_BLOB (sizeof(struct kmlab_ir_header) + \
		  KMLAB_MAX_OBJS * sizeof(struct kmlab_ir_obj) + \
		  KMLAB_MAX_OPS * sizeof(struct kmlab_ir_op))

struct plan {
	struct kmlab_ir_header hdr;
	struct kmlab_ir_obj objs[KMLAB_MAX_OBJS];
	struct kmlab_ir_op ops[KMLAB_MAX_OPS];
};

static uint64_t rng;

static uint64_t rnd(void)
{
	/* xorshift64*: small, seeded, reproducible */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- building plans ---------------------------------------------------- */

static void plan_init(struct plan *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->hdr.magic = KMLAB_IR_MAGIC;
	p->hdr.version = KMLAB_IR_VERSION;
	snprintf(p->hdr.plan, sizeof(p->hdr.plan), "%s", name);
}

static uint32_t obj(struct plan *p, const char *name, uint32_t fam)
{
	struct kmlab_ir_obj *o = &p->objs[p->hdr.nr_objs];

	snprintf(o->name, sizeof(o->name), "%s", name);
	o->family = fam;
	o->line = p->hdr.nr_objs + 1;
	return p->hdr.nr_objs++;
}

static struct kmlab_ir_op *op(struct plan *p, uint16_t code, uint8_t phase,
			      uint32_t o)
{
	struct kmlab_ir_op *x = &p->ops[p->hdr.nr_ops];

	x->code = code;
	x->phase = phase;
	x->obj = o;
	x->line = 100 + p->hdr.nr_ops++;
	return x;
}

static struct kmlab_ir_op *alloc(struct plan *p, uint16_t code, uint32_t o,
				 uint64_t size, uint32_t gfp)
{
	struct kmlab_ir_op *x = op(p, code, KMLAB_PHASE_LOAD, o);

	x->size = size;
	x->gfp = gfp;
	return x;
}

static struct kmlab_ir_op *touch(struct plan *p, uint16_t code, uint32_t o,
				 uint64_t off, uint64_t len)
{
	struct kmlab_ir_op *x = op(p, code, KMLAB_PHASE_LOAD, o);

	x->off = off;
	x->len = len;
	x->fill = 0xab;
	return x;
}

static size_t plan_size(struct plan *p)
{
	return sizeof(p->hdr) + p->hdr.nr_objs * sizeof(struct kmlab_ir_obj) +
	       p->hdr.nr_ops * sizeof(struct kmlab_ir_op);
}

/* Lay out header, objects and ops contiguously, as the module wants. */
static size_t serialize(struct plan *p, unsigned char *out)
{
	size_t n = sizeof(p->hdr);

	p->hdr.size = plan_size(p);
	memcpy(out, &p->hdr, sizeof(p->hdr));
	memcpy(out + n, p->objs, p->hdr.nr_objs * sizeof(p->objs[0]));
	n += p->hdr.nr_objs * sizeof(p->objs[0]);
	memcpy(out + n, p->ops, p->hdr.nr_ops * sizeof(p->ops[0]));
	return n + p->hdr.nr_ops * sizeof(p->ops[0]);
}

/* alloc, write, read, free, forget, on kmalloc */
static void build_basic(struct plan *p)
{
	uint32_t buf, z;

	plan_init(p, "basic");
	buf = obj(p, "buf", KMLAB_FAM_KMALLOC);
	z = obj(p, "zbuf", KMLAB_FAM_KMALLOC);
	alloc(p, KMLAB_OP_KMALLOC, buf, 1000, KMLAB_GFP_KERNEL);
	touch(p, KMLAB_OP_WRITE, buf, 0, 64);
	touch(p, KMLAB_OP_READ, buf, 0, 16);
	alloc(p, KMLAB_OP_KZALLOC, z, 100, KMLAB_GFP_KERNEL);
	touch(p, KMLAB_OP_READ, z, 0, 16);
	touch(p, KMLAB_OP_READ, buf, 8, 32)->phase = KMLAB_PHASE_DEMAND;
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_UNLOAD, buf);
	op(p, KMLAB_OP_FORGET, KMLAB_PHASE_UNLOAD, z);
}

/* kfree twice: for real with slub_debug=FZPU, refused without */
static void build_double_free(struct plan *p)
{
	uint32_t buf;

	plan_init(p, "double_free");
	buf = obj(p, "buf", KMLAB_FAM_KMALLOC);
	alloc(p, KMLAB_OP_KMALLOC, buf, 1024, KMLAB_GFP_KERNEL);
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_LOAD, buf);
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_LOAD, buf)->flags = KMLAB_OPF_HAZARD;
}

static void build_late_read(struct plan *p)
{
	uint32_t buf;

	plan_init(p, "late_read");
	buf = obj(p, "buf", KMLAB_FAM_KMALLOC);
	alloc(p, KMLAB_OP_KMALLOC, buf, 1024, KMLAB_GFP_KERNEL);
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_LOAD, buf);
	touch(p, KMLAB_OP_READ, buf, 0, 16)->flags = KMLAB_OPF_HAZARD;
}

/* every family, allocated, touched and freed with its own function */
static void build_families(struct plan *p)
{
	uint32_t v, vz, kv, kc, kr, c, co, pg, gp, pe, pc, i;
	struct kmlab_ir_op *x;

	plan_init(p, "families");
	v = obj(p, "v", KMLAB_FAM_VMALLOC);
	vz = obj(p, "vz", KMLAB_FAM_VMALLOC);
	kv = obj(p, "kv", KMLAB_FAM_KVMALLOC);
	kc = obj(p, "kc", KMLAB_FAM_KMALLOC);
	kr = obj(p, "kr", KMLAB_FAM_KMALLOC);
	c = obj(p, "cache", KMLAB_FAM_SLAB);
	co = obj(p, "cobj", KMLAB_FAM_CACHE);
	pg = obj(p, "pg", KMLAB_FAM_PAGES);
	gp = obj(p, "gp", KMLAB_FAM_GFP_PAGES);
	pe = obj(p, "pe", KMLAB_FAM_PAGES_EXACT);
	pc = obj(p, "pc", KMLAB_FAM_PERCPU);
	alloc(p, KMLAB_OP_VMALLOC, v, 10000, 0);
	alloc(p, KMLAB_OP_VZALLOC, vz, 5000, 0);
	alloc(p, KMLAB_OP_KVMALLOC, kv, 1 << 20, KMLAB_GFP_KERNEL);
	x = alloc(p, KMLAB_OP_KCALLOC, kc, 24, KMLAB_GFP_KERNEL);
	x->count = 10;
	alloc(p, KMLAB_OP_KREALLOC, kr, 100, KMLAB_GFP_KERNEL);
	alloc(p, KMLAB_OP_KREALLOC, kr, 3000, KMLAB_GFP_KERNEL);
	x = alloc(p, KMLAB_OP_CACHE_CREATE, c, 200, 0);
	x->slab = KMLAB_SLAB_GUARDED;
	alloc(p, KMLAB_OP_CACHE_ALLOC, co, 0, KMLAB_GFP_KERNEL)->arg = c;
	alloc(p, KMLAB_OP_ALLOC_PAGES, pg, 1, KMLAB_GFP_KERNEL);
	alloc(p, KMLAB_OP_GET_FREE_PAGES, gp, 0, KMLAB_GFP_KERNEL);
	alloc(p, KMLAB_OP_PAGES_EXACT, pe, 12000, KMLAB_GFP_KERNEL);
	alloc(p, KMLAB_OP_ALLOC_PERCPU, pc, 64, KMLAB_GFP_KERNEL);
	for (i = 0; i < p->hdr.nr_objs; i++) {
		if (i == c)
			continue;
		touch(p, KMLAB_OP_WRITE, i, 0, 16);
		touch(p, KMLAB_OP_READ, i, 0, 16);
	}
	/* an atomic section: GFP_ATOMIC runs, GFP_KERNEL is refused */
	op(p, KMLAB_OP_ATOMIC, KMLAB_PHASE_DEMAND, 0)->arg =
		KMLAB_ATOMIC_IRQOFF;
	x = op(p, KMLAB_OP_REPEAT, KMLAB_PHASE_DEMAND, 0);
	x->count = 10;
	x = op(p, KMLAB_OP_KMALLOC, KMLAB_PHASE_DEMAND, kc);
	x->size = 64;
	x->gfp = KMLAB_GFP_ATOMIC;
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_DEMAND, kc);
	op(p, KMLAB_OP_REPEAT_END, KMLAB_PHASE_DEMAND, 0);
	x = op(p, KMLAB_OP_KMALLOC, KMLAB_PHASE_DEMAND, kc);
	x->size = 64;
	x->gfp = KMLAB_GFP_KERNEL;
	op(p, KMLAB_OP_ATOMIC_END, KMLAB_PHASE_DEMAND, 0);
	op(p, KMLAB_OP_PAUSE, KMLAB_PHASE_DEMAND, 0)->count = 5;
	op(p, KMLAB_OP_VFREE, KMLAB_PHASE_UNLOAD, v);
	op(p, KMLAB_OP_VFREE, KMLAB_PHASE_UNLOAD, vz);
	op(p, KMLAB_OP_KVFREE, KMLAB_PHASE_UNLOAD, kv);
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_UNLOAD, kr);
	op(p, KMLAB_OP_CACHE_FREE, KMLAB_PHASE_UNLOAD, co)->arg = c;
	op(p, KMLAB_OP_CACHE_DESTROY, KMLAB_PHASE_UNLOAD, c);
	op(p, KMLAB_OP_FREE_PAGES, KMLAB_PHASE_UNLOAD, pg);
	op(p, KMLAB_OP_FREE_PAGES, KMLAB_PHASE_UNLOAD, gp);
	op(p, KMLAB_OP_FREE_PAGES_EXACT, KMLAB_PHASE_UNLOAD, pe);
	op(p, KMLAB_OP_FREE_PERCPU, KMLAB_PHASE_UNLOAD, pc);
}

/* hazards on a guarded plan cache and on other families */
static void build_hazards(struct plan *p)
{
	uint32_t c, a, b, v, k;
	struct kmlab_ir_op *x;

	plan_init(p, "hazards");
	c = obj(p, "cache", KMLAB_FAM_SLAB);
	a = obj(p, "a", KMLAB_FAM_CACHE);
	b = obj(p, "b", KMLAB_FAM_CACHE);
	v = obj(p, "v", KMLAB_FAM_VMALLOC);
	k = obj(p, "k", KMLAB_FAM_KMALLOC);
	x = alloc(p, KMLAB_OP_CACHE_CREATE, c, 100, 0);
	x->slab = KMLAB_SLAB_GUARDED;
	alloc(p, KMLAB_OP_CACHE_ALLOC, a, 0, KMLAB_GFP_KERNEL)->arg = c;
	alloc(p, KMLAB_OP_CACHE_ALLOC, b, 0, KMLAB_GFP_KERNEL)->arg = c;
	op(p, KMLAB_OP_CACHE_FREE, KMLAB_PHASE_LOAD, a)->arg = c;
	touch(p, KMLAB_OP_READ, a, 0, 16);		/* late read: real */
	op(p, KMLAB_OP_CACHE_FREE, KMLAB_PHASE_LOAD, a)->arg = c; /* real */
	op(p, KMLAB_OP_CACHE_FREE, KMLAB_PHASE_LOAD, b)->arg = c;
	op(p, KMLAB_OP_CACHE_FREE, KMLAB_PHASE_LOAD, b)->off = 8; /* late + interior */
	alloc(p, KMLAB_OP_VMALLOC, v, 4096, 0);
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_LOAD, v);	/* wrong family */
	op(p, KMLAB_OP_VFREE, KMLAB_PHASE_LOAD, v);
	touch(p, KMLAB_OP_READ, v, 0, 16);		/* faults */
	alloc(p, KMLAB_OP_KMALLOC, k, 100, KMLAB_GFP_KERNEL);
	touch(p, KMLAB_OP_WRITE, k, 100, 20);		/* past end, in ksize */
	touch(p, KMLAB_OP_WRITE, k, 100, 100);		/* past ksize: refused */
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_LOAD, k)->off = 16;	/* interior */
	op(p, KMLAB_OP_VFREE, KMLAB_PHASE_LOAD, k);	/* wrong family */
	op(p, KMLAB_OP_KFREE, KMLAB_PHASE_UNLOAD, k);
	op(p, KMLAB_OP_CACHE_DESTROY, KMLAB_PHASE_UNLOAD, c);
}

static const struct {
	const char *name;
	void (*build)(struct plan *p);
} seeds[] = {
	{ "basic", build_basic },
	{ "double_free", build_double_free },
	{ "late_read", build_late_read },
	{ "families", build_families },
	{ "hazards", build_hazards },
};
#define NR_SEEDS (sizeof(seeds) / sizeof(seeds[0]))

/* ---- mutating ------------------------------------------------------------ */

static const uint64_t edge[] = {
	0, 1, 2, 7, 8, 64, 1000, 4095, 4096, 4097, 8192, 8193,
	KMLAB_MAX_KMALLOC, KMLAB_MAX_KMALLOC + 1, KMLAB_MAX_VMALLOC,
	KMLAB_MAX_VMALLOC + 1, KMLAB_MAX_PERCPU + 1, KMLAB_MAX_ORDER,
	KMLAB_MAX_ORDER + 1, KMLAB_MAX_REPEAT, KMLAB_MAX_REPEAT + 1,
	0x7fffffff, 0xffffffff, 0x100000000ULL, ~0ULL, ~0ULL - 7,
};
#define NR_EDGE (sizeof(edge) / sizeof(edge[0]))

static uint64_t interesting(void)
{
	return below(4) ? edge[below(NR_EDGE)] : rnd() >> below(64);
}

static void mutate_op(struct plan *p)
{
	struct kmlab_ir_op *x;

	if (!p->hdr.nr_ops)
		return;
	x = &p->ops[below(p->hdr.nr_ops)];
	switch (below(12)) {
	case 0:
		x->code = below(3) ? below(KMLAB_OP_MAX + 2) : rnd();
		break;
	case 1:
		x->obj = below(4) ? below(p->hdr.nr_objs + 2) : rnd();
		break;
	case 2:
		x->arg = below(4) ? below(p->hdr.nr_objs + 2) : rnd();
		break;
	case 3:
		x->size = interesting();
		break;
	case 4:
		x->off = interesting();
		break;
	case 5:
		x->len = interesting();
		break;
	case 6:
		x->count = interesting();
		break;
	case 7:
		x->gfp = below(2) ? below(KMLAB_GFP_ALL + 2) : rnd();
		break;
	case 8:
		x->phase = below(KMLAB_PHASE_MAX + 1);
		break;
	case 9:
		if (below(2))
			x->flags = below(2) ? below(4) : rnd();
		else
			x->slab = below(2) ? below(64) : rnd();
		break;
	case 10: {
		/* swap two ops: breaks nesting and orders frees oddly */
		struct kmlab_ir_op t = *x, *y = &p->ops[below(p->hdr.nr_ops)];

		*x = *y;
		*y = t;
		break;
	}
	default:
		/* wrap a stretch in a repeat, sometimes a huge one */
		if (p->hdr.nr_ops + 2 <= KMLAB_MAX_OPS) {
			uint32_t at = below(p->hdr.nr_ops + 1), n = p->hdr.nr_ops;

			memmove(&p->ops[at + 1], &p->ops[at],
				(n - at) * sizeof(p->ops[0]));
			memset(&p->ops[at], 0, sizeof(p->ops[0]));
			p->ops[at].code = below(2) ? KMLAB_OP_REPEAT :
						     KMLAB_OP_ATOMIC;
			p->ops[at].count = interesting();
			p->ops[at].arg = 1 + below(2);
			p->ops[at].phase = p->ops[at + 1 < n + 1 ? at + 1 : at].phase;
			p->hdr.nr_ops++;
			at += 1 + below(p->hdr.nr_ops - at);
			memmove(&p->ops[at + 1], &p->ops[at],
				(p->hdr.nr_ops - at) * sizeof(p->ops[0]));
			p->ops[at] = p->ops[at - 1];
			p->ops[at].code = below(2) ? KMLAB_OP_REPEAT_END :
						     KMLAB_OP_ATOMIC_END;
			p->hdr.nr_ops++;
		}
	}
}

static void mutate_obj(struct plan *p)
{
	struct kmlab_ir_obj *o;

	if (!p->hdr.nr_objs)
		return;
	o = &p->objs[below(p->hdr.nr_objs)];
	switch (below(3)) {
	case 0:
		o->family = below(KMLAB_FAM_MAX + 1);
		break;
	case 1:
		o->name[below(sizeof(o->name))] = rnd();
		break;
	default:
		memcpy(o->name, p->objs[0].name, sizeof(o->name));
	}
}

/*
 * Keep accepted plans quick (under slub_debug and TCG a million steps
 * take minutes): pauses go down to a few ms and repeats to 64 or less;
 * counts above the limits stay, to be refused.
 */
static void tame(struct plan *p)
{
	uint32_t i;

	for (i = 0; i < p->hdr.nr_ops && i < KMLAB_MAX_OPS; i++) {
		if (p->ops[i].code == KMLAB_OP_PAUSE &&
		    p->ops[i].count <= KMLAB_MAX_PAUSE_MS)
			p->ops[i].count %= 3;
		/* nested, these still reach the module's step bound */
		if (p->ops[i].code == KMLAB_OP_REPEAT &&
		    p->ops[i].count <= KMLAB_MAX_REPEAT)
			p->ops[i].count %= 65;
	}
}

/* One fuzz case into buf; returns its length. */
static size_t make_case(unsigned char *buf)
{
	static struct plan p;
	size_t len;
	int i, n;

	seeds[below(NR_SEEDS)].build(&p);
	n = 1 + below(4);
	for (i = 0; i < n; i++) {
		if (below(4))
			mutate_op(&p);
		else
			mutate_obj(&p);
	}
	tame(&p);
	len = serialize(&p, buf);
	switch (below(10)) {
	case 0:		/* flip bytes anywhere, header included */
		for (i = 1 + below(8); i > 0; i--)
			buf[below(len)] ^= 1 << below(8);
		break;
	case 1:		/* truncate */
		len = below(len);
		break;
	case 2:		/* extend with junk, sometimes with a matching size */
		n = below(MAX_BLOB - len + 64);
		for (i = 0; i < n && len < MAX_BLOB + 64; i++)
			buf[len++] = rnd();
		if (below(2))
			((struct kmlab_ir_header *)buf)->size = len;
		break;
	case 3:		/* lie in the header counts */
		((struct kmlab_ir_header *)buf)->nr_ops = interesting();
		break;
	}
	return len;
}

/* ---- the run ----------------------------------------------------------- */

static const char *const bad_words[] = {
	"Oops", "kernel BUG at", "BUG: ", "general protection fault",
	"Kernel panic", "soft lockup", "hard LOCKUP", "rcu_sched detected",
	"self-detected stall", "scheduling while atomic",
};

static int kmsg_fd = -1;
static int oopses, warnings;

/* Read new kernel log records; count oopses and warnings in them. */
static void scan_kmsg(int verbose)
{
	char rec[8192];
	ssize_t n;
	size_t i;

	if (kmsg_fd < 0)
		return;
	for (;;) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: skip on */
		if (n <= 0)
			return;
		rec[n] = '\0';
		if (strstr(rec, "WARNING:") && ++warnings <= 5)
			printf("# kernel warning: %s", strchr(rec, ';') ?
			       strchr(rec, ';') + 1 : rec);
		for (i = 0; i < sizeof(bad_words) / sizeof(bad_words[0]); i++) {
			if (strstr(rec, bad_words[i])) {
				oopses++;
				if (verbose || oopses < 5)
					printf("# kernel: %s", strchr(rec, ';') ?
					       strchr(rec, ';') + 1 : rec);
			}
		}
	}
}

static int dev_write(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: irfuzz [-n CASES] [-s SEED] [-t SECONDS] [-d DEV] [-u MODULE] [-v FROM]\n"
		"       irfuzz -s SEED -x CASE   (print case CASE of SEED as a blob)\n"
		"       irfuzz -b NAME   (print a built-in plan blob: basic, double_free,\n"
		"                         late_read, families, hazards)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static unsigned char buf[MAX_BLOB + 128];
	const char *dev = "/dev/kmlab", *unload = NULL, *blob = NULL;
	long cases = 20000, secs = 0, accepted = 0, rejected = 0, odd = 0, i;
	long show = -1, dump = -1;
	uint64_t seed = time(NULL) ^ getpid();
	int opt, fd, t = 0, failed = 0;
	time_t start = time(NULL);

	while ((opt = getopt(argc, argv, "n:s:t:d:u:b:v:x:")) != -1) {
		switch (opt) {
		case 'n': cases = atol(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 't': secs = atol(optarg); break;
		case 'd': dev = optarg; break;
		case 'u': unload = optarg; break;
		case 'b': blob = optarg; break;
		case 'v': show = atol(optarg); break;
		case 'x': dump = atol(optarg); break;
		default: usage();
		}
	}
	if (blob) {
		static struct plan p;
		size_t k;

		for (k = 0; k < NR_SEEDS; k++) {
			if (!strcmp(blob, seeds[k].name)) {
				seeds[k].build(&p);
				return fwrite(buf, serialize(&p, buf), 1,
					      stdout) == 1 ? 0 : 1;
			}
		}
		fprintf(stderr, "irfuzz: no built-in plan \"%s\"\n", blob);
		usage();
	}
	rng = seed ? seed : 1;
	if (dump >= 0) {
		size_t len = 0;

		/* replay: print case DUMP of this seed as a blob */
		for (i = 0; i <= dump; i++)
			len = make_case(buf);
		return fwrite(buf, len, 1, stdout) == 1 ? 0 : 1;
	}
	printf("TAP version 13\n# irfuzz seed=%llu cases=%ld (replay: irfuzz -s %llu -n %ld)\n",
	       (unsigned long long)seed, cases, (unsigned long long)seed, cases);
	fflush(stdout);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		printf("not ok %d - open %s # %s: insmod kmlab_dp.ko first\n",
		       ++t, dev, strerror(errno));
		return 1;
	}
	{
		struct stat st;

		/* a plain file left by a stray write would swallow everything */
		if (fstat(fd, &st) || !S_ISCHR(st.st_mode)) {
			printf("not ok %d - open %s # not a character device: remove it and reload kmlab_dp\n",
			       ++t, dev);
			return 1;
		}
	}
	printf("ok %d - open %s\n", ++t, dev);

	/* every seed plan must be accepted as built */
	for (i = 0; i < (long)NR_SEEDS; i++) {
		static struct plan p;
		int err;

		seeds[i].build(&p);
		err = dev_write(fd, buf, serialize(&p, buf));
		dev_write(fd, "demand", 6);
		dev_write(fd, "reset", 5);
		if (err)
			failed++;
		printf("%sok %d - seed plan %s accepted%s%s\n", err ? "not " : "",
		       ++t, seeds[i].name, err ? " # " : "",
		       err ? strerror(-err) : "");
	}

	for (i = 0; i < cases; i++) {
		size_t len = make_case(buf);
		int err;

		if (show >= 0 && i >= show) {
			printf("# case %ld\n", i);
			fflush(stdout);
		}
		err = dev_write(fd, buf, len);

		if (!err) {
			accepted++;
			if (below(2))
				dev_write(fd, "demand", 6);
			err = dev_write(fd, "reset", 5);
			if (err)
				odd++;
		} else if (err == -EINVAL || err == -EFBIG) {
			rejected++;
		} else {
			odd++;
			if (odd < 5)
				printf("# case %ld: write gave %s\n", i,
				       strerror(-err));
		}
		if (!(i % 100))
			scan_kmsg(0);
		if (secs && time(NULL) - start >= secs)
			break;
	}
	dev_write(fd, "reset", 5);
	close(fd);
	printf("# %ld cases in %lds: %ld accepted, %ld rejected, %ld other errors\n",
	       i, (long)(time(NULL) - start), accepted, rejected, odd);
	printf("%sok %d - every write answered accepted or -EINVAL/-EFBIG\n",
	       odd ? "not " : "", ++t);
	failed += !!odd;

	if (unload) {
		int err = syscall(SYS_delete_module, unload, O_NONBLOCK);

		printf("%sok %d - %s unloads%s%s\n", err ? "not " : "", ++t,
		       unload, err ? " # " : "", err ? strerror(errno) : "");
		failed += !!err;
	}
	scan_kmsg(1);
	printf("# kernel log: %d oops/BUG lines, %d WARNING lines\n", oopses,
	       warnings);
	printf("%sok %d - no oops in the kernel log\n", oopses ? "not " : "",
	       ++t);
	failed += !!oopses;
	printf("1..%d\n", t);
	return failed ? 1 : 0;
}
