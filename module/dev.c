// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kmlab: write a blob to stage a plan and run its LOAD phase; write
 * "demand" to run the DEMAND phase, "reset" to run the UNLOAD phase and
 * drop the plan; read for the plan's status.  "pace N", "ack N" and
 * "abort" steer a phase that runs in another thread's write (kmlab/ir.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "kmlab_dp.h"

#define STATUS_MAX	(16 << 10)
#define CMD_MAX		32	/* "ack 18446744073709551615" fits */

static struct kmlab_plan *plan;

struct kmlab_pace kmlab_pace = {
	.wq = __WAIT_QUEUE_HEAD_INITIALIZER(kmlab_pace.wq),
	.acked = ATOMIC64_INIT(0),
};

/* who paces: "pace" sets it, closing that file clears it */
static DEFINE_SPINLOCK(pace_lock);

/* why the last write was refused, for its writer to read back */
static char refusal[256];

static const char *const state_names[] = {
	[KMLAB_EMPTY] = "empty",
	[KMLAB_LIVE] = "live",
	[KMLAB_FREED] = "freed",
	[KMLAB_FORGOTTEN] = "forgotten",
};

void kmlab_refuse(const char *fmt, ...)
{
	va_list ap;

	lockdep_assert_held(&kmlab_mutex);
	va_start(ap, fmt);
	vscnprintf(refusal, sizeof(refusal), fmt, ap);
	va_end(ap);
	pr_err_ratelimited("%s\n", refusal);
}

/* Check a blob, hold it as the plan and run its LOAD phase. */
int kmlab_load_blob(const void *blob, size_t len, bool in_init)
{
	struct kmlab_plan *p;
	int err;

	if (plan) {
		kmlab_refuse("a plan (%s) is already loaded: write \"reset\" to /dev/kmlab first",
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
	/* cut short by "abort", the plan stays for "reset" to undo */
	err = kmlab_run_phase(p, KMLAB_PHASE_LOAD);
	p->in_init = false;
	return err;
}

void kmlab_drop_plan(void)
{
	if (plan) {
		pr_info("plan %s: reset\n", plan->hdr.plan);
		kmlab_plan_reset(plan);
		kmlab_plan_free(plan);
		plan = NULL;
	}
	/* an abort ends with the plan it stopped */
	WRITE_ONCE(kmlab_pace.abort, false);
}

/* "pace N": from now on, pace the phases against this file's acks. */
static int start_pacing(struct file *f, const char *arg)
{
	u64 window;
	int err = 0;

	if (kstrtou64(arg, 10, &window) || !window ||
	    window > KMLAB_PACE_MAX_WINDOW) {
		kmlab_refuse("\"pace %.20s\": give a window of 1 to %llu steps",
			     arg, KMLAB_PACE_MAX_WINDOW);
		return -EINVAL;
	}
	spin_lock(&pace_lock);
	if (kmlab_pace.owner && kmlab_pace.owner != f) {
		err = -EBUSY;
	} else {
		/* no phase runs (kmlab_mutex is held): the counts start over */
		kmlab_pace.owner = f;
		WRITE_ONCE(kmlab_pace.window, window);
		kmlab_pace.emitted = 0;
		atomic64_set(&kmlab_pace.acked, 0);
		kmlab_pace.given_up = 0;
		kmlab_pace.waits = 0;
		kmlab_pace.stalls = 0;
		kmlab_pace.max_ahead = 0;
		WRITE_ONCE(kmlab_pace.abort, false);
	}
	spin_unlock(&pace_lock);
	if (err)
		kmlab_refuse("another open /dev/kmlab paces the data plane: is another kmlab run going on? Let it finish first");
	return err;
}

static int run_command(struct file *f, const char *cmd)
{
	if (!strcmp(cmd, "reset")) {
		kmlab_drop_plan();
		return 0;
	}
	if (!strncmp(cmd, "pace ", 5))
		return start_pacing(f, cmd + 5);
	if (strcmp(cmd, "demand")) {
		kmlab_refuse("unknown command \"%.16s\": write a plan blob, \"demand\", \"reset\", \"pace N\", \"ack N\" or \"abort\"",
			     cmd);
		return -EINVAL;
	}
	if (!plan) {
		kmlab_refuse("demand without a plan: write a plan blob to /dev/kmlab first");
		return -ENODATA;
	}
	if (plan->bytes + plan->cost[KMLAB_PHASE_DEMAND] > kmlab_max_bytes) {
		kmlab_refuse("plan %s: this demand could take the plan's memory past max_bytes=%lu (%llu held): write \"reset\" or raise max_bytes",
			     plan->hdr.plan, kmlab_max_bytes, plan->bytes);
		return -ENOSPC;
	}
	return kmlab_run_phase(plan, KMLAB_PHASE_DEMAND);
}

/*
 * "ack N" and "abort" must reach a phase that holds kmlab_mutex in
 * another thread's write: they take no lock, they only set a value the
 * phase reads between ops and wake it up.
 */
static int steer(struct file *f, const char *cmd)
{
	u64 n;

	if (!strcmp(cmd, "abort")) {
		WRITE_ONCE(kmlab_pace.abort, true);
		wake_up(&kmlab_pace.wq);
		return 0;
	}
	if (kstrtou64(cmd + 4, 10, &n)) {
		pr_err_ratelimited("\"%.24s\": ack takes the number of kmlab_step events consumed since \"pace\"\n",
				   cmd);
		return -EINVAL;
	}
	if (READ_ONCE(kmlab_pace.owner) != f) {
		pr_err_ratelimited("ack on a file that did not write \"pace N\": write both on the same open file\n");
		return -EPERM;
	}
	atomic64_set(&kmlab_pace.acked, n);
	if (wq_has_sleeper(&kmlab_pace.wq))
		wake_up(&kmlab_pace.wq);
	return 0;
}

static ssize_t write_blob(const char __user *ubuf, size_t len)
{
	void *blob;
	int err;

	if (len > KMLAB_MAX_BLOB) {
		mutex_lock(&kmlab_mutex);
		kmlab_refuse("plan blob of %zu bytes is bigger than any valid plan (%zu)",
			     len, KMLAB_MAX_BLOB);
		mutex_unlock(&kmlab_mutex);
		return -EFBIG;
	}
	blob = memdup_user(ubuf, len);
	if (IS_ERR(blob))
		return PTR_ERR(blob);
	mutex_lock(&kmlab_mutex);
	refusal[0] = '\0';
	err = kmlab_load_blob(blob, len, false);
	mutex_unlock(&kmlab_mutex);
	kfree(blob);
	return err ? err : len;
}

static ssize_t kmlab_write(struct file *f, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	char buf[CMD_MAX], *cmd;
	int err;
	u32 magic;

	if (len >= sizeof(magic) && !copy_from_user(&magic, ubuf, sizeof(magic)) &&
	    magic == KMLAB_IR_MAGIC)
		return write_blob(ubuf, len);
	if (len == 0 || len >= sizeof(buf)) {
		pr_err_ratelimited("write of %zu bytes is neither a plan blob nor a command: write a blob, \"demand\" or \"reset\"\n",
				   len);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	cmd = strim(buf);
	if (!strcmp(cmd, "abort") || !strncmp(cmd, "ack ", 4)) {
		err = steer(f, cmd);
		return err ? err : len;
	}
	mutex_lock(&kmlab_mutex);
	refusal[0] = '\0';
	err = run_command(f, cmd);
	mutex_unlock(&kmlab_mutex);
	return err ? err : len;
}

/* Closing the file that paces ends the pacing: nobody acks any more. */
static int kmlab_release(struct inode *inode, struct file *f)
{
	spin_lock(&pace_lock);
	if (kmlab_pace.owner == f) {
		kmlab_pace.owner = NULL;
		WRITE_ONCE(kmlab_pace.window, 0);
	}
	spin_unlock(&pace_lock);
	wake_up(&kmlab_pace.wq);
	return 0;
}

static int status(char *buf, size_t max)
{
	const struct kmlab_pace *pc = &kmlab_pace;
	int n, i;

	n = scnprintf(buf, max,
		      "pace: window=%llu steps=%llu acked=%lld waits=%llu stalls=%llu max_ahead=%llu\n",
		      READ_ONCE(pc->window), pc->emitted,
		      (long long)atomic64_read(&pc->acked), pc->waits,
		      pc->stalls, pc->max_ahead);
	if (refusal[0])
		n += scnprintf(buf + n, max - n, "refused: %s\n", refusal);
	if (!plan)
		return n + scnprintf(buf + n, max - n, "plan: none\n");
	n += scnprintf(buf + n, max - n,
		       "plan: %s\nobjects: %u\nops: %u\nbytes: %llu\n",
		       plan->hdr.plan, plan->hdr.nr_objs, plan->hdr.nr_ops,
		       plan->bytes);
	if (plan->aborted_line)
		n += scnprintf(buf + n, max - n, "aborted: before line %u\n",
			       plan->aborted_line);
	for (i = 0; i < plan->hdr.nr_objs; i++) {
		const struct kmlab_obj *o = &plan->st[i];

		/* the raw address, as %px would print it (see kmlab_read) */
		n += scnprintf(buf + n, max - n,
			       "%s %s %s ptr=%016lx size=%llu real=%llu%s\n",
			       plan->objs[i].name,
			       kmlab_family_name(plan->objs[i].family),
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
	.release = kmlab_release,
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
