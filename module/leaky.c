// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab_leaky: only the seed buffers, and its unload forgets the last
 * one (leaky_seed.c is seed.c built with KMLAB_LEAKY).  A real module
 * leak for the observer's tests.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "kmlab_dp.h"

static int __init kmlab_leaky_init(void)
{
	return kmlab_seed_init();
}

static void __exit kmlab_leaky_exit(void)
{
	kmlab_seed_exit();
	pr_info("unloaded (the last seed buffer is leaked on purpose)\n");
}

module_init(kmlab_leaky_init);
module_exit(kmlab_leaky_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("kmlab");
MODULE_DESCRIPTION("kmlab test module that leaks its last seed buffer");
