// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "modload.h"

#define DP_KO "kmlab_dp.ko"

static int is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

const char *modload_find(const char *want)
{
	static char buf[PATH_MAX];
	struct utsname u;
	char exe[PATH_MAX / 2];
	const char *env;
	ssize_t n;
	char *slash;

	if (want) {
		if (is_file(want))
			return want;
		fprintf(stderr, "kmlab: module %s: %s\n", want, strerror(errno));
		return NULL;
	}
	env = getenv("KMLAB_MODULE");
	if (env && *env) {
		if (is_file(env))
			return env;
		fprintf(stderr, "kmlab: KMLAB_MODULE=%s: no such file\n", env);
		return NULL;
	}
	env = getenv("KMLAB_KO_DIR");
	if (env && *env) {
		snprintf(buf, sizeof(buf), "%s/%s", env, DP_KO);
		if (is_file(buf))
			return buf;
	}
	/* `make module` builds per kernel, under build/kmod/<release>/ */
	if (!uname(&u)) {
		snprintf(buf, sizeof(buf), "build/kmod/%s/module/%s",
			 u.release, DP_KO);
		if (is_file(buf))
			return buf;
	}
	if (is_file("module/" DP_KO))
		return "module/" DP_KO;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, sizeof(buf), "%s/%s", exe, DP_KO);
			if (is_file(buf))
				return buf;
			snprintf(buf, sizeof(buf), "%s/../module/%s", exe, DP_KO);
			if (is_file(buf))
				return buf;
		}
	}
	if (!uname(&u)) {
		snprintf(buf, sizeof(buf), "/lib/modules/%s/extra/%s",
			 u.release, DP_KO);
		if (is_file(buf))
			return buf;
	}
	fprintf(stderr,
		"kmlab: cannot find %s: build it with 'make module' for this kernel and pass --module PATH (or set KMLAB_MODULE)\n",
		DP_KO);
	return NULL;
}

/* Return the .modinfo section of the ELF image @img (@len bytes). */
static const char *modinfo(const unsigned char *img, size_t len, size_t *sz)
{
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh, *strsec;
	unsigned int i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff > len ||
	    eh->e_shnum > (len - eh->e_shoff) / sizeof(*sh) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)(img + eh->e_shoff);
	strsec = &sh[eh->e_shstrndx];
	if (strsec->sh_offset > len || strsec->sh_size > len - strsec->sh_offset)
		return NULL;
	for (i = 0; i < eh->e_shnum; i++) {
		const char *nm = (const char *)img + strsec->sh_offset +
				 sh[i].sh_name;

		if (sh[i].sh_name >= strsec->sh_size ||
		    strnlen(nm, strsec->sh_size - sh[i].sh_name) ==
			    strsec->sh_size - sh[i].sh_name)
			continue;
		if (strcmp(nm, ".modinfo"))
			continue;
		if (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)
			return NULL;
		*sz = sh[i].sh_size;
		return (const char *)img + sh[i].sh_offset;
	}
	return NULL;
}

/* Find "key=value" in the NUL-separated .modinfo strings. */
static const char *modinfo_get(const char *mi, size_t sz, const char *key)
{
	size_t klen = strlen(key), off = 0;

	while (off < sz) {
		const char *s = mi + off;
		size_t n = strnlen(s, sz - off);

		if (n > klen && !strncmp(s, key, klen) && s[klen] == '=' &&
		    n < sz - off)
			return s + klen + 1;
		off += n + 1;
	}
	return NULL;
}

/* A module file mapped, and its .modinfo (NULL when it has none). */
struct modimg {
	void *img;
	size_t size;
	const char *mi;
	size_t sz;
};

static int modimg_open(const char *path, struct modimg *m)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "kmlab: cannot open module %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || !st.st_size) {
		fprintf(stderr, "kmlab: %s is not a kernel module: give the .ko file kbuild built\n", path);
		close(fd);
		return -1;
	}
	m->size = st.st_size;
	m->img = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m->img == MAP_FAILED) {
		fprintf(stderr, "kmlab: cannot read module %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	m->mi = modinfo(m->img, m->size, &m->sz);
	return 0;
}

static const char *modimg_get(const struct modimg *m, const char *key)
{
	return m->mi ? modinfo_get(m->mi, m->sz, key) : NULL;
}

int modload_check(const char *path, char *name, size_t len)
{
	const char *nm, *vm;
	struct utsname u;
	struct modimg m;
	size_t rl;
	int ret = -1;

	if (modimg_open(path, &m))
		return -1;
	nm = modimg_get(&m, "name");
	vm = modimg_get(&m, "vermagic");
	if (!nm || !vm) {
		fprintf(stderr,
			"kmlab: %s is not a kernel module (no .modinfo with its name and vermagic): give the .ko file kbuild built (a .ko.xz or .ko.zst: unpack it first)\n",
			path);
		goto out;
	}
	snprintf(name, len, "%s", nm);
	uname(&u);
	rl = strlen(u.release);
	if (strncmp(vm, u.release, rl) || (vm[rl] && vm[rl] != ' ')) {
		fprintf(stderr,
			"kmlab: %s was built for kernel '%.*s', this is '%s': rebuild it against this kernel's headers (make -C /lib/modules/%s/build M=$PWD; kmlab's data plane: make module KDIR=/lib/modules/%s/build)\n",
			path, (int)strcspn(vm, " "), vm, u.release, u.release, u.release);
		goto out;
	}
	ret = 0;
out:
	munmap(m.img, m.size);
	return ret;
}

int modload_info(const char *path, const char *key, char *val, size_t len)
{
	struct modimg m;
	const char *v;

	if (modimg_open(path, &m))
		return -1;
	v = modimg_get(&m, key);
	if (v)
		snprintf(val, len, "%s", v);
	munmap(m.img, m.size);
	return v ? 0 : 1;
}

int modload_insert(const char *path, const char *params)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		fprintf(stderr, "kmlab: cannot open module %s: %s\n", path,
			strerror(err));
		return -err;
	}
	if (!syscall(SYS_finit_module, fd, params ? params : "", 0)) {
		close(fd);
		return 0;
	}
	err = errno;
	close(fd);
	switch (err) {
	case EEXIST:
		fprintf(stderr,
			"kmlab: %s: a module of that name is already loaded: unload it first (rmmod)\n",
			path);
		break;
	case ENOSYS:
		fprintf(stderr,
			"kmlab: this kernel has no module support (CONFIG_MODULES is off): run kmlab in the lab (scripts/lab shell)\n");
		break;
	case EPERM:
		fprintf(stderr,
			"kmlab: not allowed to load %s: run as root (CAP_SYS_MODULE); lockdown or module signing may also refuse it\n",
			path);
		break;
	default:
		fprintf(stderr,
			"kmlab: the kernel refused %s: %s; its reason is in dmesg\n",
			path, strerror(err));
	}
	return -err;
}

int modload_remove(const char *name)
{
	int i, err = 0;

	/* A module stays busy for a moment after its last user closed it. */
	for (i = 0; i < 50; i++) {
		if (!syscall(SYS_delete_module, name, O_NONBLOCK))
			return 0;
		err = errno;
		if (err != EAGAIN && err != EBUSY)
			break;
		usleep(100 * 1000);
	}
	fprintf(stderr, "kmlab: cannot unload %s: %s%s\n", name,
		strerror(err),
		err == EBUSY || err == EAGAIN ? " (still in use: close its users and run rmmod)" : "");
	return -err;
}

int modload_is_loaded(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return !access(path, F_OK);
}

/* @a and @b name the same module: '-' and '_' are one to the kernel */
static bool same_module(const char *a, size_t alen, const char *b)
{
	size_t i;

	if (alen != strlen(b))
		return false;
	for (i = 0; i < alen; i++)
		if (a[i] != b[i] && !((a[i] == '-' || a[i] == '_') &&
				      (b[i] == '-' || b[i] == '_')))
			return false;
	return true;
}

const char *modload_dep_path(const char *name, char *buf, size_t len)
{
	char dir[PATH_MAX], line[PATH_MAX * 2], *end, *base;
	const char *found = NULL;
	struct utsname u;
	FILE *f;

	if (uname(&u))
		return NULL;
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	snprintf(line, sizeof(line), "%s/modules.dep", dir);
	f = fopen(line, "re");
	if (!f)
		return NULL;
	/* "kernel/drivers/foo/foo-bar.ko: deps": uncompressed only */
	while (!found && fgets(line, sizeof(line), f)) {
		end = strchr(line, ':');
		if (!end || end - line < 3 || strncmp(end - 3, ".ko", 3))
			continue;
		*end = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (!same_module(base, end - 3 - base, name))
			continue;
		if (line[0] == '/')
			snprintf(buf, len, "%s", line);
		else
			snprintf(buf, len, "%s/%s", dir, line);
		found = buf;
	}
	fclose(f);
	return found;
}
