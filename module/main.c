// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab_dp: the data plane of kmlab.  It runs allocation plans with the
 * real kernel API and reports every step on the kmlab:kmlab_step
 * tracepoint.  Unloading it resets the plan and frees the seed buffers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "kmlab/version.h"
#include "kmlab_dp.h"

/* serializes the plan: /dev/kmlab writes and reads, module init and exit */
DEFINE_MUTEX(kmlab_mutex);

unsigned long kmlab_max_bytes = KMLAB_MAX_BYTES;
module_param_named(max_bytes, kmlab_max_bytes, ulong, 0644);
MODULE_PARM_DESC(max_bytes, "most bytes a plan may hold (default 64 MiB)");

/*
 * plan= gives the blob as hex.  charp parameters stop at 1024 characters,
 * so decode it straight from the module's argument string; its LOAD
 * phase then runs in init.
 */
static void *param_blob;
static size_t param_len;

static int plan_param_set(const char *val, const struct kernel_param *kp)
{
	size_t n = strlen(val);

	if (n % 2 || n / 2 > KMLAB_MAX_BLOB || !n) {
		pr_err("plan= has %zu hex digits: give the whole blob as an even number of hex digits\n",
		       n);
		return -EINVAL;
	}
	kfree(param_blob);
	param_blob = kmalloc(n / 2, GFP_KERNEL);
	if (!param_blob)
		return -ENOMEM;
	param_len = n / 2;
	if (hex2bin(param_blob, val, param_len)) {
		pr_err("plan= is not hex: pass the blob as hex digits\n");
		kfree(param_blob);
		param_blob = NULL;
		return -EINVAL;
	}
	return 0;
}

/* also called when loading fails after the parameter was parsed */
static void plan_param_free(void *arg)
{
	kfree(param_blob);
	param_blob = NULL;
}

static const struct kernel_param_ops plan_param_ops = {
	.set = plan_param_set,
	.free = plan_param_free,
};
module_param_cb(plan, &plan_param_ops, NULL, 0);
MODULE_PARM_DESC(plan, "hex of an IR blob whose LOAD phase runs at init");

static int load_param_plan(void)
{
	int err;

	mutex_lock(&kmlab_mutex);
	err = kmlab_load_blob(param_blob, param_len, true);
	mutex_unlock(&kmlab_mutex);
	kfree(param_blob);
	param_blob = NULL;
	return err;
}

static int __init kmlab_init(void)
{
	int err;

	kmlab_slub_selftest();
	err = kmlab_seed_init();
	if (err)
		return err;
	err = kmlab_dev_init();
	if (err)
		goto err_seed;
	if (param_blob) {
		err = load_param_plan();
		if (err)
			goto err_dev;
	}
	pr_info("ready: write plans to /dev/kmlab (SLUB layout check: %s)\n",
		kmlab_slub_ok ? "ok" : "failed, hazards refused");
	return 0;

err_dev:
	kmlab_dev_exit();
	mutex_lock(&kmlab_mutex);
	kmlab_drop_plan();
	mutex_unlock(&kmlab_mutex);
err_seed:
	kmlab_seed_exit();
	return err;
}

static void __exit kmlab_exit(void)
{
	kmlab_dev_exit();
	mutex_lock(&kmlab_mutex);
	kmlab_drop_plan();
	mutex_unlock(&kmlab_mutex);
	kmlab_seed_exit();
	pr_info("unloaded\n");
}

module_init(kmlab_init);
module_exit(kmlab_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("kmlab");
MODULE_DESCRIPTION("kmlab data plane: runs allocation plans, traces each step");
MODULE_VERSION(KMLAB_VERSION);
