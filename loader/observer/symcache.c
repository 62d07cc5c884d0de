// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "symcache.h"

/* "kmlab-syms 1 BOOT_ID RELEASE TAG": whose entries these are */
static int key_line(char *buf, size_t size, __u64 tag)
{
	char boot[64] = "";
	struct utsname u;
	FILE *f;

	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (!f)
		return -1;
	if (!fgets(boot, sizeof(boot), f))
		boot[0] = '\0';
	fclose(f);
	boot[strcspn(boot, "\n")] = '\0';
	if (!boot[0] || uname(&u))
		return -1;
	snprintf(buf, size, "kmlab-syms 1 %s %s %016llx\n", boot, u.release,
		 (unsigned long long)tag);
	return 0;
}

/* a directory of ours that nobody else may put a file in */
static bool safe_dir(const char *dir)
{
	struct stat st;

	return !lstat(dir, &st) && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid() && !(st.st_mode & 022);
}

int symcache_load(const char *dir, const char *file, __u64 tag,
		  struct symcache_ent *v, int max)
{
	char path[256], key[256], line[256];
	unsigned long long addr, len;
	unsigned int role, src;
	struct stat st;
	int n, fd;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (key_line(key, sizeof(key), tag) || !safe_dir(dir))
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -1;
	}
	/* only a file we wrote: ours, and nobody else's to change */
	if (fstat(fd, &st) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || !fgets(line, sizeof(line), f) ||
	    strcmp(line, key)) {
		fclose(f);
		return -1;
	}
	for (n = 0; fgets(line, sizeof(line), f); n++) {
		if (!strcmp(line, "end\n")) {
			fclose(f);
			return n;
		}
		if (n >= max || sscanf(line, "%u %u %llx %llx", &role, &src,
				       &addr, &len) != 4)
			break;
		v[n] = (struct symcache_ent){ role, src, addr, len };
	}
	/* cut short: not a whole scan */
	fclose(f);
	return -1;
}

void symcache_store(const char *dir, const char *file, __u64 tag,
		    const struct symcache_ent *v, int n)
{
	char path[256], tmp[280], key[256];
	int fd, i;
	FILE *f;

	if (key_line(key, sizeof(key), tag))
		return;
	if ((mkdir(dir, 0700) && errno != EEXIST) || !safe_dir(dir))
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return;
	}
	fputs(key, f);
	for (i = 0; i < n; i++)
		fprintf(f, "%u %u %llx %llx\n", v[i].role, v[i].src,
			(unsigned long long)v[i].addr,
			(unsigned long long)v[i].len);
	fputs("end\n", f);
	/* whole or not at all: another kmlab may be reading it */
	if (fclose(f) || rename(tmp, path))
		unlink(tmp);
}

/* FNV-1a, 64 bits; never 0, which says "not kept" */
static __u64 blob_hash(const unsigned char *p, size_t size)
{
	__u64 h = 14695981039346656037ULL;

	while (size--)
		h = (h ^ *p++) * 1099511628211ULL;
	return h ? h : 1;
}

__u64 symcache_blob_store(const char *dir, const char *file, const void *data,
			  size_t size)
{
	char path[256], tmp[280];
	ssize_t n;
	int fd;

	if ((mkdir(dir, 0700) && errno != EEXIST) || !safe_dir(dir))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return 0;
	n = write(fd, data, size);
	/* whole or not at all: another kmlab may be reading it */
	if (close(fd) || n != (ssize_t)size || rename(tmp, path)) {
		unlink(tmp);
		return 0;
	}
	return blob_hash(data, size);
}

bool symcache_blob_check(const char *dir, const char *file, __u64 size,
			 __u64 hash)
{
	unsigned char *buf;
	char path[256];
	struct stat st;
	bool ok;
	int fd;

	if (!size || size > (64u << 20) || !safe_dir(dir))
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	buf = malloc(size);
	ok = buf && !fstat(fd, &st) && st.st_uid == geteuid() &&
	     !(st.st_mode & 022) && (__u64)st.st_size == size &&
	     read(fd, buf, size) == (ssize_t)size &&
	     blob_hash(buf, size) == hash;
	free(buf);
	close(fd);
	return ok;
}
