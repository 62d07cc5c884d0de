/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Finding, checking, inserting and removing kernel modules. */
#ifndef KMLAB_MODLOAD_H
#define KMLAB_MODLOAD_H

#include <stddef.h>

/*
 * The data plane's .ko: @want (--module) if given, else $KMLAB_MODULE,
 * $KMLAB_KO_DIR/kmlab_dp.ko, ./build/kmod/$(uname -r)/module/kmlab_dp.ko
 * (what `make module` builds), ./module/kmlab_dp.ko, next to the kmlab
 * binary, or /lib/modules/$(uname -r)/extra/kmlab_dp.ko.  Prints what to
 * do and returns NULL when there is none.
 */
const char *modload_find(const char *want);
/*
 * Read the module's .modinfo: its name into @name and its vermagic, which
 * must match the running kernel.  Prints what to do; returns 0 or -1.
 */
int modload_check(const char *path, char *name, size_t len);
/* Its .modinfo's @key into @val: 0, 1 when it has none, -1 (said why). */
int modload_info(const char *path, const char *key, char *val, size_t len);
/* finit_module(); prints why it failed; returns 0 or -errno. */
int modload_insert(const char *path, const char *params);
/* delete_module(), retrying briefly while busy; returns 0 or -errno. */
int modload_remove(const char *name);
int modload_is_loaded(const char *name);
/* The .ko modules.dep gives for module @name (modprobe's), into @buf: NULL
 * when none, or only a compressed one.  Whether the loaded module came
 * from it is for its build ID to say (modsyms_same_build()). */
const char *modload_dep_path(const char *name, char *buf, size_t len);

#endif /* KMLAB_MODLOAD_H */
