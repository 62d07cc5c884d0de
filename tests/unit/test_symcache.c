// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kallsyms scan and BTF facts kept for the boot (symcache.h): read
 * back as written, and only by the scan, boot and owner that wrote them;
 * a file cut short or others may write is no cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "symcache.h"
#include "tap.h"

int main(void)
{
	struct symcache_ent in[3] = {
		{ 1, 0, 0xffffffff815d55a0ULL, 0x50 },
		{ 3, 7, 0xffffffff81234000ULL, 0x1a0 },
		{ 5, 2, 0x1b000, 0 },
	}, out[8];
	char dir[] = "/tmp/kmlab-symcache-XXXXXX", sub[64], path[96];
	FILE *f;
	int n;

	if (!mkdtemp(dir))
		return 1;
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/core-syms", sub);
	TAP_OK(symcache_load(sub, SYMCACHE_SYMS, 42, out, 8) == -1, "nothing kept yet: no entries");
	symcache_store(sub, SYMCACHE_SYMS, 42, in, 3);
	n = symcache_load(sub, SYMCACHE_SYMS, 42, out, 8);
	TAP_OK(n == 3 && !memcmp(in, out, sizeof(in)),
	       "read back as written (3 entries)");
	TAP_OK(symcache_load(sub, SYMCACHE_SYMS, 43, out, 8) == -1,
	       "another scan's tag (kmlab's names changed): not used");
	TAP_OK(symcache_load(sub, SYMCACHE_SYMS, 42, out, 2) == -1,
	       "more entries than room: not used");
	chmod(path, 0622);
	TAP_OK(symcache_load(sub, SYMCACHE_SYMS, 42, out, 8) == -1,
	       "a file others may write: not used");
	chmod(path, 0600);
	/* another boot: the first line names the boot it is from */
	f = fopen(path, "r+");
	if (f) {
		fseek(f, strlen("kmlab-syms 1 "), SEEK_SET);
		fputc('Z', f);
		fclose(f);
	}
	TAP_OK(symcache_load(sub, SYMCACHE_SYMS, 42, out, 8) == -1, "another boot's: not used");
	symcache_store(sub, SYMCACHE_SYMS, 42, in, 3);
	if (truncate(path, 60) == 0)
		TAP_OK(symcache_load(sub, SYMCACHE_SYMS, 42, out, 8) == -1,
		       "cut short (no end line): not used");
	symcache_store(sub, SYMCACHE_SYMS, 42, in, 3);
	TAP_OK(symcache_load(sub, SYMCACHE_SYMS, 42, out, 8) == 3, "stored again over it");
	symcache_store(sub, SYMCACHE_BTF, 42, in + 1, 2);
	TAP_OK(symcache_load(sub, SYMCACHE_BTF, 42, out, 8) == 2 &&
	       !memcmp(in + 1, out, 2 * sizeof(in[0])) &&
	       symcache_load(sub, SYMCACHE_SYMS, 42, out, 8) == 3,
	       "the BTF facts beside the kallsyms scan, each read back as written");
	{
		static const char blob[] = "\x9f\xeb\x01\x00 some BTF";
		__u64 h = symcache_blob_store(sub, SYMCACHE_CORE, blob,
					      sizeof(blob));
		char bp[96];

		snprintf(bp, sizeof(bp), "%s/%s", sub, SYMCACHE_CORE);
		TAP_OK(h && symcache_blob_check(sub, SYMCACHE_CORE,
						sizeof(blob), h),
		       "the kernel types kept: checked by size and hash");
		TAP_OK(!symcache_blob_check(sub, SYMCACHE_CORE,
					    sizeof(blob) - 1, h) &&
		       !symcache_blob_check(sub, SYMCACHE_CORE, sizeof(blob),
					    h ^ 1),
		       "another size or hash than the facts say: not used");
		f = fopen(bp, "r+");
		if (f) {
			fputc('X', f);
			fclose(f);
		}
		TAP_OK(!symcache_blob_check(sub, SYMCACHE_CORE, sizeof(blob), h),
		       "changed since it was kept: not used");
		h = symcache_blob_store(sub, SYMCACHE_CORE, blob, sizeof(blob));
		chmod(bp, 0622);
		TAP_OK(!symcache_blob_check(sub, SYMCACHE_CORE, sizeof(blob), h),
		       "kept types others may write: not used");
		unlink(bp);
		TAP_OK(!symcache_blob_check(sub, SYMCACHE_CORE, sizeof(blob), h),
		       "gone: not used");
	}
	chmod(sub, 0777);
	TAP_OK(symcache_load(sub, SYMCACHE_SYMS, 42, out, 8) == -1,
	       "in a directory others may write to: not used");
	chmod(sub, 0700);
	symcache_store("/proc/kmlab-no-such-dir", SYMCACHE_SYMS, 42, in, 3);
	TAP_OK(symcache_load("/proc/kmlab-no-such-dir", SYMCACHE_SYMS, 42, out, 8) == -1,
	       "nowhere to keep it: quietly nothing");
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", sub, SYMCACHE_BTF);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
	return tap_done();
}
