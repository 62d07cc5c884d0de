// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * kmlab gen PLAN: compile a plan to a kernel module of its own, the
 * seed's compile-time model (codegen.c writes the C): DIR/NAME.c, its
 * Kbuild and a Makefile.  Needs only a C compiler, like kmlab check.
 */
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cmd.h"
#include "codegen.h"
#include "diag.h"
#include "kmlab/ir_check.h"
#include "plan.h"

/*
 * The tree whose module/ and include/ the generated module builds with:
 * the one kmlab was built in, else the data plane's source `make install`
 * put under /usr/src (the same layout).
 */
#ifndef KMLAB_SRCDIR
#define KMLAB_SRCDIR "."
#endif
#ifndef KMLAB_DPSRC
#define KMLAB_DPSRC "/usr/src/kmlab-dp"
#endif

/* MODULE_NAME_LEN less its NUL */
#define KMLAB_MOD_NAME_MAX	55

static struct gen_env {
	const char *plan;
	const char *dir;
	const char *name;
	const char *kmlab;
} env;

static const char doc[] =
"Compile a .kml plan to a kernel module that carries it out with direct kernel calls: DIR/NAME.c, Kbuild and Makefile.\v"
"The plan's load phase runs in module_init, its demand phase on each write to /sys/module/NAME/parameters/demand, its unload phase in module_exit.  The module calls kmlab_dp's guard and emits kmlab_dp's kmlab:kmlab_step events, so it needs kmlab_dp loaded, and `kmlab run --compiled NAME.ko PLAN` observes it as `kmlab run` observes the data plane.  Build it with `make -C DIR` (KDIR=<kernel build tree>, default the running kernel's).  Exit status: 0 written, 2 the plan does not compile or the files cannot be written.";

static const struct argp_option opts[] = {
	{ "output", 'o', "DIR", 0, "Write the module's files into DIR (default: ./NAME)", 0 },
	{ "name", 'n', "NAME", 0, "The module's name (default: kmlab_ and the plan's name)", 0 },
	{ "kmlab", 'k', "DIR", 0, "The kmlab tree the module builds with (its module/ and include/; default: " KMLAB_SRCDIR ", else " KMLAB_DPSRC ")", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'o':
		env.dir = arg;
		break;
	case 'n':
		env.name = arg;
		break;
	case 'k':
		env.kmlab = arg;
		break;
	default:
		if (!cmd_plan_arg(state, key, arg, &env.plan,
				  "kmlab gen PLAN.kml"))
			return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* A module name the kernel takes: an identifier of at most 55 bytes. */
static int check_name(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
			break;
	if (!n || i < n || isdigit((unsigned char)name[0]) ||
	    n > KMLAB_MOD_NAME_MAX) {
		fprintf(stderr, "kmlab: '%s' cannot name a module: use letters, digits and '_', not first a digit, at most %d of them (--name)\n",
			name, KMLAB_MOD_NAME_MAX);
		return -1;
	}
	if (!strcmp(name, "kmlab_dp")) {
		fprintf(stderr, "kmlab: kmlab_dp is the data plane's name, which this module needs loaded: choose another --name\n");
		return -1;
	}
	return 0;
}

static FILE *open_out(const char *dir, const char *file, char *path,
		      size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "kmlab: cannot write %s: %s\n", path,
			strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "kmlab: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Kbuild, and the Makefile that calls it with kmlab_dp's symbols. */
static int write_build(const char *dir, const char *name, const char *kmlab,
		       const char *plan)
{
	char path[4200];
	FILE *f;

	f = open_out(dir, "Kbuild", path, sizeof(path));
	if (!f)
		return -1;
	fprintf(f, "# SPDX-License-Identifier: GPL-2.0\n"
		"# %s: the plan %s, written by kmlab gen.\n"
		"KMLAB ?= %s\n"
		"obj-m += %s.o\n"
		"# kmlab_dp.h and the contract of kmlab's planes (include/kmlab/)\n"
		"ccflags-y += -I$(KMLAB)/module -I$(KMLAB)/include\n",
		name, plan, kmlab, name);
	if (close_out(f, path))
		return -1;
	f = open_out(dir, "Makefile", path, sizeof(path));
	if (!f)
		return -1;
	fprintf(f, "# SPDX-License-Identifier: GPL-2.0\n"
		"# %s: `make` builds %s.ko for the running kernel, or for the\n"
		"# kernel build tree KDIR=.  It calls kmlab_dp's exports, so it\n"
		"# links against kmlab_dp's Module.symvers for that kernel (make -C\n"
		"# $(KMLAB) module KDIR=... builds it), or KMLAB_SYMVERS=.\n"
		"KDIR ?= /lib/modules/$(shell uname -r)/build\n"
		"KMLAB ?= %s\n"
		"KVER = $(shell sed -n 's/^#define UTS_RELEASE \"\\(.*\\)\"$$/\\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)\n"
		"KMLAB_SYMVERS ?= $(KMLAB)/build/kmod/$(KVER)/module/Module.symvers\n"
		"\n"
		"all:\n"
		"\t@test -f \"$(KMLAB_SYMVERS)\" || { echo \"%s: no $(KMLAB_SYMVERS): build kmlab_dp for this kernel first (make -C $(KMLAB) module KDIR=$(KDIR)) or give KMLAB_SYMVERS=\" >&2; exit 1; }\n"
		"\t$(MAKE) -C $(KDIR) M=$(CURDIR) KMLAB=$(KMLAB) KBUILD_EXTRA_SYMBOLS=$(KMLAB_SYMVERS) CONFIG_DEBUG_INFO_BTF_MODULES= modules\n"
		"\n"
		"clean:\n"
		"\t$(MAKE) -C $(KDIR) M=$(CURDIR) clean\n"
		"\n"
		".PHONY: all clean\n",
		name, name, kmlab, name);
	return close_out(f, path);
}

int cmd_gen(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.args_doc = "PLAN",
		.doc = doc,
	};
	struct kmlab_ir_check *c = NULL;
	char name[KMLAB_MOD_NAME_MAX + 16], file[KMLAB_MOD_NAME_MAX + 20];
	char dir[4096], path[4200], kmlab[4096];
	const struct kmlab_ir_header *hdr;
	const char *tree;
	struct diag_list diags;
	struct plan *plan = NULL;
	int ret = KMLAB_EXIT_ENV;
	FILE *f;

	argp_err_exit_status = KMLAB_EXIT_ENV;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return KMLAB_EXIT_ENV;
	diag_init(&diags);
	if (plan_compile_file(env.plan, &plan, &diags)) {
		diag_print(&diags, stderr);
		fprintf(stderr, "kmlab: %s does not compile: fix the errors above (kmlab check %s)\n",
			env.plan, env.plan);
		diag_free(&diags);
		return KMLAB_EXIT_ENV;
	}
	diag_print(&diags, stderr);	/* warnings */
	diag_free(&diags);
	hdr = plan->ir;
	if (env.name)
		snprintf(name, sizeof(name), "%s", env.name);
	else
		snprintf(name, sizeof(name), "kmlab_%s", hdr->plan);
	if (check_name(name))
		goto out;

	/* the data plane's own checker, as kmlab check runs it */
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out;
	c->ncpus = 1;
	c->max_bytes = KMLAB_MAX_BYTES;
	if (kmlab_ir_check(plan->ir, plan->ir_len, c)) {
		fprintf(stderr, "kmlab: %s:%u: the data plane would refuse this plan: %s\n",
			plan->path, c->line, c->why);
		goto out;
	}

	tree = env.kmlab;
	if (!tree)
		tree = access(KMLAB_SRCDIR "/module/kmlab_dp.h", R_OK) ?
		       KMLAB_DPSRC : KMLAB_SRCDIR;
	snprintf(path, sizeof(path), "%s/module/kmlab_dp.h", tree);
	if (!realpath(tree, kmlab) || access(path, R_OK)) {
		fprintf(stderr, "kmlab: the kmlab tree %s has no module/kmlab_dp.h (%s): give it with --kmlab DIR (a checkout, or the data plane's source make install put in /usr/src)\n",
			tree, strerror(errno));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", env.dir ? env.dir : name);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "kmlab: cannot create %s: %s\n", dir,
			strerror(errno));
		goto out;
	}
	snprintf(file, sizeof(file), "%s.c", name);
	f = open_out(dir, file, path, sizeof(path));
	if (!f)
		goto out;
	codegen_module(plan, name, c->cost, f);
	if (close_out(f, path))
		goto out;
	if (write_build(dir, name, kmlab, plan->path))
		goto out;
	printf("kmlab: wrote %s, %s/Kbuild and %s/Makefile: build %s.ko with make -C %s (KDIR=<kernel build tree>; kmlab_dp built for it first)\n",
	       path, dir, dir, name, dir);
	ret = KMLAB_EXIT_CLEAN;
out:
	free(c);
	plan_free(plan);
	return ret;
}
