// SPDX-License-Identifier: GPL-2.0
/*
 * kmlab_helpers: a module whose memory core code allocates for it, one
 * kernel API per "mode".  Each allocation's call site is in core code
 * (lib/radix-tree.c, mm/mempool.c, net/core/skbuff.c...), not in the
 * module: the observer must find the module on the stack.  At exit the
 * module tears down what it made; leak=1 forgets to.
 *
 *  idr      200 IDs, far apart (radix tree nodes); exit: idr_destroy(),
 *           which frees the nodes by call_rcu(), after the unload
 *  xarray   100 values, far apart (XArray nodes); exit: xa_destroy()
 *  mempool  a kmalloc mempool of 4 256-byte elements, two taken and
 *           given back; exit: mempool_destroy()
 *  skb      a 1500-byte sk_buff; exit: kfree_skb()
 *  devm     a platform device, with devm_kasprintf() and devm_kstrdup()
 *           memory; exit: platform_device_unregister(), which frees it
 *  chrdev   a char device region and a cdev; exit: cdev_del() and
 *           unregister_chrdev_region()
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mempool.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

static char *mode = "idr";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "idr, xarray, mempool, skb, devm or chrdev");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "leave what core code allocated for the module at exit");

static DEFINE_IDR(helpers_idr);
static DEFINE_XARRAY(helpers_xa);
static mempool_t *pool;
static struct sk_buff *skb;
static struct platform_device *pdev;
static dev_t devt;
static struct cdev *cdev;

static int helpers_idr_fill(void)
{
	int i, id;

	for (i = 0; i < 200; i++) {
		id = idr_alloc(&helpers_idr, &helpers_idr, i * 1000, 0,
			       GFP_KERNEL);
		if (id < 0)
			return id;
	}
	return 0;
}

static int helpers_xa_fill(void)
{
	int i, err;

	for (i = 0; i < 100; i++) {
		err = xa_err(xa_store(&helpers_xa, i * 4096, xa_mk_value(i),
				      GFP_KERNEL));
		if (err)
			return err;
	}
	return 0;
}

static int helpers_mempool(void)
{
	void *a, *b;

	pool = mempool_create_kmalloc_pool(4, 256);
	if (!pool)
		return -ENOMEM;
	a = mempool_alloc(pool, GFP_KERNEL);
	b = mempool_alloc(pool, GFP_KERNEL);
	mempool_free(a, pool);
	mempool_free(b, pool);
	return 0;
}

static int helpers_devm(void)
{
	pdev = platform_device_register_simple(KBUILD_MODNAME,
					       PLATFORM_DEVID_AUTO, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	if (!devm_kasprintf(&pdev->dev, GFP_KERNEL, "%s-%d", KBUILD_MODNAME,
			    pdev->id) ||
	    !devm_kstrdup(&pdev->dev, "kmlab_helpers: devm", GFP_KERNEL)) {
		platform_device_unregister(pdev);
		return -ENOMEM;
	}
	return 0;
}

static const struct file_operations helpers_fops = {
	.owner = THIS_MODULE,
};

static int helpers_chrdev(void)
{
	int err = alloc_chrdev_region(&devt, 0, 1, KBUILD_MODNAME);

	if (err)
		return err;
	cdev = cdev_alloc();
	if (!cdev) {
		unregister_chrdev_region(devt, 1);
		return -ENOMEM;
	}
	cdev->ops = &helpers_fops;
	return 0;
}

static int __init helpers_init(void)
{
	if (!strcmp(mode, "idr"))
		return helpers_idr_fill();
	if (!strcmp(mode, "xarray"))
		return helpers_xa_fill();
	if (!strcmp(mode, "mempool"))
		return helpers_mempool();
	if (!strcmp(mode, "skb")) {
		skb = alloc_skb(1500, GFP_KERNEL);
		return skb ? 0 : -ENOMEM;
	}
	if (!strcmp(mode, "devm"))
		return helpers_devm();
	if (!strcmp(mode, "chrdev"))
		return helpers_chrdev();
	pr_err("unknown mode=%s: use idr, xarray, mempool, skb, devm or chrdev\n",
	       mode);
	return -EINVAL;
}

static void __exit helpers_exit(void)
{
	if (leak) {
		/* the cdev's ops point into this module: not left behind */
		if (cdev)
			kobject_put(&cdev->kobj);
		return;
	}
	if (!strcmp(mode, "idr")) {
		idr_destroy(&helpers_idr);
	} else if (!strcmp(mode, "xarray")) {
		xa_destroy(&helpers_xa);
	} else if (!strcmp(mode, "mempool")) {
		mempool_destroy(pool);
	} else if (!strcmp(mode, "skb")) {
		kfree_skb(skb);
	} else if (!strcmp(mode, "devm")) {
		platform_device_unregister(pdev);
	} else if (!strcmp(mode, "chrdev")) {
		kobject_put(&cdev->kobj);
		unregister_chrdev_region(devt, 1);
	}
}

module_init(helpers_init);
module_exit(helpers_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kmlab test module: memory core code allocates for a module");
