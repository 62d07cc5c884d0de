// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kmlab: write a blob to stage a plan and run its LOAD phase; write
 * "demand" to run the DEMAND phase, "reset" to run the UNLOAD phase and
 * drop the plan; read for the plan's status.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "kmlab_dp.h"

#define STATUS_MAX	(16 << 10)

static struct kmlab_plan *plan;

static const char *const state_names[] = {
	[KMLAB_EMPTY] = "empty",
	[KMLAB_LIVE] = "live",
	[KMLAB_FREED] = "freed",
	[KMLAB_FORGOTTEN] = "forgotten",
};

/* Check a blob, hold it as the plan and run its LOAD phase. */
int kmlab_load_blob(const void *blob, size_t len, bool in_init)
{
	struct kmlab_plan *p;

	if (plan) {
		pr_err_ratelimited("a plan (%s) is already loaded: write \"reset\" to /dev/kmlab first\n",
				   plan->hdr.plan);
		return -EBUSY;
	}
	p = kmlab_plan_parse(blob, len);
	if (IS_ERR(p))
		return PTR_ERR(p);
	p->in_init = in_init;
	pr_info("plan %s: %u objects, %u ops, load\n", p->hdr.plan,
		p->hdr.nr_objs, p->hdr.nr_ops);
	plan = p;
	kmlab_run_phase(p, KMLAB_PHASE_LOAD);
	p->in_init = false;
	return 0;
}

void kmlab_drop_plan(void)
{
	if (!plan)
		return;
	pr_info("plan %s: reset\n", plan->hdr.plan);
	kmlab_plan_reset(plan);
	kmlab_plan_free(plan);
	plan = NULL;
}

static int run_command(const char *cmd)
{
	if (!strcmp(cmd, "reset")) {
		kmlab_drop_plan();
		return 0;
	}
	if (strcmp(cmd, "demand")) {
		pr_err_ratelimited("unknown command \"%.16s\": write a plan blob, \"demand\" or \"reset\"\n",
				   cmd);
		return -EINVAL;
	}
	if (!plan) {
		pr_err_ratelimited("demand without a plan: write a plan blob to /dev/kmlab first\n");
		return -ENODATA;
	}
	if (plan->bytes + plan->cost[KMLAB_PHASE_DEMAND] > kmlab_max_bytes) {
		pr_err_ratelimited("plan %s: this demand could take the plan's memory past max_bytes=%lu (%llu held): write \"reset\" or raise max_bytes\n",
				   plan->hdr.plan, kmlab_max_bytes, plan->bytes);
		return -ENOSPC;
	}
	kmlab_run_phase(plan, KMLAB_PHASE_DEMAND);
	return 0;
}

static ssize_t kmlab_write(struct file *f, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	char cmd[16];
	void *blob;
	int err;
	u32 magic;

	if (len >= sizeof(magic) && !copy_from_user(&magic, ubuf, sizeof(magic)) &&
	    magic == KMLAB_IR_MAGIC) {
		if (len > KMLAB_MAX_BLOB) {
			pr_err_ratelimited("plan blob of %zu bytes is bigger than any valid plan (%zu)\n",
					   len, KMLAB_MAX_BLOB);
			return -EFBIG;
		}
		blob = memdup_user(ubuf, len);
		if (IS_ERR(blob))
			return PTR_ERR(blob);
		mutex_lock(&kmlab_mutex);
		err = kmlab_load_blob(blob, len, false);
		mutex_unlock(&kmlab_mutex);
		kfree(blob);
		return err ? err : len;
	}
	if (len == 0 || len >= sizeof(cmd)) {
		pr_err_ratelimited("write of %zu bytes is neither a plan blob nor a command: write a blob, \"demand\" or \"reset\"\n",
				   len);
		return -EINVAL;
	}
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	strim(cmd);
	mutex_lock(&kmlab_mutex);
	err = run_command(strim(cmd));
	mutex_unlock(&kmlab_mutex);
	return err ? err : len;
}

static int status(char *buf, size_t max)
{
	int n, i;

	if (!plan)
		return scnprintf(buf, max, "plan: none\n");
	n = scnprintf(buf, max, "plan: %s\nobjects: %u\nops: %u\nbytes: %llu\n",
		      plan->hdr.plan, plan->hdr.nr_objs, plan->hdr.nr_ops,
		      plan->bytes);
	for (i = 0; i < plan->hdr.nr_objs; i++) {
		const struct kmlab_obj *o = &plan->st[i];

		/* the raw address, as %px would print it (see kmlab_read) */
		n += scnprintf(buf + n, max - n,
			       "%s %s %s ptr=%016lx size=%llu real=%llu%s\n",
			       plan->objs[i].name,
			       kmlab_fam_name(plan->objs[i].family),
			       state_names[o->state], (unsigned long)o->ptr,
			       o->size, o->real, o->guarded ? " guarded" : "");
	}
	return n;
}

/* Raw pointers: the device is root-only (0600) and this is a lab. */
static ssize_t kmlab_read(struct file *f, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	ssize_t ret;
	char *buf;
	int n;

	buf = kmalloc(STATUS_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&kmlab_mutex);
	n = status(buf, STATUS_MAX);
	mutex_unlock(&kmlab_mutex);
	ret = simple_read_from_buffer(ubuf, len, ppos, buf, n);
	kfree(buf);
	return ret;
}

static const struct file_operations kmlab_fops = {
	.owner = THIS_MODULE,
	.read = kmlab_read,
	.write = kmlab_write,
	.llseek = no_llseek,
};

static struct miscdevice kmlab_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kmlab",
	.fops = &kmlab_fops,
	.mode = 0600,
};

int kmlab_dev_init(void)
{
	int err = misc_register(&kmlab_misc);

	if (err)
		pr_err_ratelimited("cannot register /dev/kmlab (%d): is another kmlab module loaded?\n",
				   err);
	return err;
}

void kmlab_dev_exit(void)
{
	misc_deregister(&kmlab_misc);
}
