// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The /proc/kcore reader on an ELF core of our own making: two PT_LOAD
 * segments (and a PT_NOTE to skip), read by kernel address, clipped at
 * a segment's end, nothing outside them.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "kcore.h"

#define DIRECT	0xffff888000000000ULL
#define VMALLOC	0xffffc90000000000ULL

static void put(int fd, const void *p, size_t n, off_t off)
{
	if (pwrite(fd, p, n, off) != (ssize_t)n)
		abort();
}

static int make_core(char *path)
{
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_CORE, .e_machine = EM_X86_64,
		.e_version = EV_CURRENT, .e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 3,
	};
	Elf64_Phdr ph[3] = {
		{ .p_type = PT_NOTE, .p_offset = 0x200, .p_filesz = 16 },
		{ .p_type = PT_LOAD, .p_offset = 0x1000, .p_vaddr = DIRECT,
		  .p_filesz = 0x100, .p_memsz = 0x100 },
		{ .p_type = PT_LOAD, .p_offset = 0x2000, .p_vaddr = VMALLOC,
		  .p_filesz = 0x40, .p_memsz = 0x40 },
	};
	unsigned char a[0x100], b[0x40];
	int fd = mkstemp(path);
	size_t i;

	if (fd < 0)
		return -1;
	for (i = 0; i < sizeof(a); i++)
		a[i] = i;
	memset(b, 0x6b, sizeof(b));
	put(fd, &eh, sizeof(eh), 0);
	put(fd, ph, sizeof(ph), sizeof(eh));
	put(fd, a, sizeof(a), 0x1000);
	put(fd, b, sizeof(b), 0x2000);
	close(fd);
	return 0;
}

int main(void)
{
	char path[] = "/tmp/kmlab-kcore-XXXXXX";
	unsigned char buf[32];
	struct kcore *kc;
	long n;

	if (make_core(path)) {
		perror("mkstemp");
		return 1;
	}
	kc = kcore_open(path);
	TAP_OK(kc, "an ELF64 core opens");
	if (!kc)
		return tap_done();
	n = kcore_read(kc, DIRECT + 0x10, buf, sizeof(buf));
	TAP_OK(n == 32 && buf[0] == 0x10 && buf[31] == 0x2f,
	       "32 bytes at an address of the first segment");
	n = kcore_read(kc, VMALLOC + 0x30, buf, sizeof(buf));
	TAP_OK(n == 16 && buf[0] == 0x6b && buf[15] == 0x6b,
	       "clipped at the segment's end");
	TAP_EQ_INT(kcore_read(kc, DIRECT + 0x100, buf, 8), -ENXIO,
		   "past a segment: no memory there");
	TAP_EQ_INT(kcore_read(kc, 0x1000, buf, 8), -ENXIO,
		   "a user address: none");
	kcore_close(kc);
	unlink(path);
	TAP_OK(!kcore_open(path) && errno == ENOENT, "no file: NULL, errno");
	kc = kcore_open("/dev/null");
	TAP_OK(!kc, "not an ELF core: NULL");
	kcore_close(kc);
	return tap_done();
}
