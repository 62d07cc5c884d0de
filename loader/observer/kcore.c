// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kcore.h"

#define KCORE_SEGS_MAX	256

struct kcore_seg {
	__u64 vaddr, size, off;
};

struct kcore {
	int fd;
	int nr;
	struct kcore_seg seg[KCORE_SEGS_MAX];
};

/* The PT_LOAD headers: each maps a kernel range to a file offset. */
static int read_segments(struct kcore *kc)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i;

	if (pread(kc->fd, &eh, sizeof(eh), 0) != sizeof(eh))
		return -EIO;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph))
		return -ENOEXEC;
	for (i = 0; i < eh.e_phnum && kc->nr < KCORE_SEGS_MAX; i++) {
		if (pread(kc->fd, &ph, sizeof(ph),
			  eh.e_phoff + (__u64)i * sizeof(ph)) != sizeof(ph))
			return -EIO;
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		kc->seg[kc->nr].vaddr = ph.p_vaddr;
		kc->seg[kc->nr].size = ph.p_filesz;
		kc->seg[kc->nr].off = ph.p_offset;
		kc->nr++;
	}
	return kc->nr ? 0 : -ENOEXEC;
}

struct kcore *kcore_open(const char *path)
{
	struct kcore *kc = calloc(1, sizeof(*kc));
	int err;

	if (!kc)
		return NULL;
	kc->fd = open(path ? path : "/proc/kcore", O_RDONLY | O_CLOEXEC);
	if (kc->fd < 0) {
		free(kc);
		return NULL;
	}
	err = read_segments(kc);
	if (err) {
		kcore_close(kc);
		errno = -err;
		return NULL;
	}
	return kc;
}

long kcore_read(struct kcore *kc, __u64 addr, void *buf, size_t len)
{
	const struct kcore_seg *s;
	ssize_t n;
	int i;

	for (i = 0; i < kc->nr; i++) {
		s = &kc->seg[i];
		if (addr - s->vaddr >= s->size)
			continue;
		if (len > s->size - (addr - s->vaddr))
			len = s->size - (addr - s->vaddr);
		n = pread(kc->fd, buf, len, s->off + (addr - s->vaddr));
		return n < 0 ? -errno : n;
	}
	return -ENXIO;
}

void kcore_close(struct kcore *kc)
{
	if (!kc)
		return;
	close(kc->fd);
	free(kc);
}
