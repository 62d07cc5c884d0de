// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Symbolization of call sites, against a kallsyms-format file. */
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include "tap.h"
#include "ksyms.h"

static const char kallsyms[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81200000 T kfree\n"
	"ffffffff81200400 t __kmem_cache_free\n"
	"ffffffff82000000 D some_data\n"
	"ffffffffc0a00000 t dp_exec\t[kmlab_dp]\n"
	"ffffffffc0a00200 t dp_init\t[kmlab_dp]\n"
	"0000000000000000 t hidden_by_kptr_restrict\n";

static const char modules[] =
	"kmlab_dp 4096 0 - Live 0xffffffffc0a00000\n"
	"9pnet 81920 1 9p, Live 0xffffffffc0900000\n";

int main(void)
{
	char path[] = "/tmp/kmlab-ksyms-XXXXXX", buf[128];
	struct ksyms *ks;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, kallsyms, sizeof(kallsyms) - 1) < 0)
		return 2;
	close(fd);
	ks = ksyms_load_file(path);
	unlink(path);
	TAP_OK(ks != NULL, "ksyms: loads a kallsyms file");
	TAP_STR_HAS(ksyms_format(ks, 0xffffffff8120001aUL, buf, sizeof(buf)),
		    "kfree+0x1a", "ksyms: core symbol with offset");
	TAP_OK(!strchr(buf, '['), "ksyms: core symbol has no [module]");
	TAP_STR_HAS(ksyms_format(ks, 0xffffffffc0a0022cUL, buf, sizeof(buf)),
		    "dp_init+0x2c [kmlab_dp]", "ksyms: module symbol names its module");
	TAP_STR_HAS(ksyms_format(ks, 0xffffffff80000000UL, buf, sizeof(buf)),
		    "0xffffffff80000000", "ksyms: below every symbol stays hex");
	TAP_STR_HAS(ksyms_format(ks, 0xffffffffc0f00000UL, buf, sizeof(buf)),
		    "0xffffffffc0f00000", "ksyms: too far from a symbol stays hex");
	ksyms_format(ks, 0xffffffff82000010UL, buf, sizeof(buf));
	TAP_OK(!strstr(buf, "some_data"), "ksyms: data symbols are not call sites");

	/* dp_init is the last symbol of kmlab_dp, whose core is 0x1000
	 * long; 0x...c0a20000 belongs to a module loaded later */
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0 || write(fd, modules, sizeof(modules) - 1) < 0)
		return 2;
	close(fd);
	TAP_EQ_INT(ksyms_add_modules_file(ks, path), 0,
		   "ksyms: reads a /proc/modules file");
	unlink(path);
	TAP_STR_HAS(ksyms_format(ks, 0xffffffffc0a20000UL, buf, sizeof(buf)),
		    "0xffffffffc0a20000",
		    "ksyms: past its module's range a module symbol does not reach");
	TAP_STR_HAS(ksyms_format(ks, 0xffffffffc0a00210UL, buf, sizeof(buf)),
		    "dp_init+0x10 [kmlab_dp]",
		    "ksyms: inside its module's range it still does");
	ksyms_free(ks);

	{
		char l1[] = "ffffffff81200000 T kfree\n";
		char l2[] = "ffffffffc0a00200 t dp_init\t[kmlab_dp]\n";
		char l3[] = "garbage\n";
		unsigned long addr;
		char type, *name, *mod;

		TAP_OK(!ksyms_parse_line(l1, &addr, &type, &name, &mod) &&
		       addr == 0xffffffff81200000UL && type == 'T' &&
		       !strcmp(name, "kfree") && !mod,
		       "ksyms: a core line splits into address, type, name");
		TAP_OK(!ksyms_parse_line(l2, &addr, &type, &name, &mod) &&
		       type == 't' && !strcmp(name, "dp_init") && mod &&
		       !strcmp(mod, "kmlab_dp"),
		       "ksyms: a module line names its module");
		TAP_OK(ksyms_parse_line(l3, &addr, &type, &name, &mod) != 0,
		       "ksyms: a line that is no symbol is refused");
	}
	return tap_done();
}
