/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel-version differences, one per kernel change, resolved by CO-RE
 * at load time so that one object runs on the guest (6.1) and the host
 * (6.18).  vmlinux.h is the 6.1 BTF.
 */
#ifndef KMLAB_COMPAT_BPF_H
#define KMLAB_COMPAT_BPF_H

/*
 * "module: replace module_layout with module_memory" (v6.4): the code of
 * a module moved from mod->core_layout / init_layout to mod->mem[type].
 */
struct module_layout___pre_v6_4 {
	void *base;
	unsigned int text_size;
} __attribute__((preserve_access_index));

struct module___pre_v6_4 {
	struct module_layout___pre_v6_4 core_layout;
	struct module_layout___pre_v6_4 init_layout;
} __attribute__((preserve_access_index));

struct module_memory___v6_4 {
	void *base;
	unsigned int size;
} __attribute__((preserve_access_index));

#define KMLAB_MOD_TEXT		0	/* enum mod_mem_type */
#define KMLAB_MOD_INIT_TEXT	4

struct module___v6_4 {
	struct module_memory___v6_4 mem[7];
} __attribute__((preserve_access_index));

/* The module's core and init text as [base, base + size). */
static __always_inline void module_text(struct module *mod,
					__u64 *core, __u64 *core_size,
					__u64 *init, __u64 *init_size)
{
	if (bpf_core_field_exists(struct module___pre_v6_4, core_layout)) {
		struct module___pre_v6_4 *m = (void *)mod;

		*core = (__u64)BPF_CORE_READ(m, core_layout.base);
		*core_size = BPF_CORE_READ(m, core_layout.text_size);
		*init = (__u64)BPF_CORE_READ(m, init_layout.base);
		*init_size = BPF_CORE_READ(m, init_layout.text_size);
	} else {
		struct module___v6_4 *m = (void *)mod;

		*core = (__u64)BPF_CORE_READ(m, mem[KMLAB_MOD_TEXT].base);
		*core_size = BPF_CORE_READ(m, mem[KMLAB_MOD_TEXT].size);
		*init = (__u64)BPF_CORE_READ(m, mem[KMLAB_MOD_INIT_TEXT].base);
		*init_size = BPF_CORE_READ(m, mem[KMLAB_MOD_INIT_TEXT].size);
	}
}

/*
 * "x86/percpu: Move preempt_count next to current_task" (v6.2) made the
 * per-CPU __preempt_count a field of struct pcpu_hot; later kernels
 * (6.18 here) have __preempt_count again but keep it out of kallsyms.
 * Their addresses come from the loader's one scan of /proc/kallsyms
 * (0: not there), not __ksym externs: libbpf would read the whole
 * kallsyms once more to resolve those, a third of a second in the TCG
 * guest.  This CPU's copy is at the symbol's per-CPU offset plus
 * __per_cpu_offset[cpu].
 */
struct pcpu_hot___v6_2 {
	int preempt_count;
} __attribute__((preserve_access_index));

const volatile __u64 ksym_preempt_count = 0;
const volatile __u64 ksym_pcpu_hot = 0;
const volatile __u64 ksym_per_cpu_offset = 0;

/* include/linux/preempt.h: 8 preempt bits, 8 softirq, 4 hardirq, 4 NMI */
#define KMLAB_SOFTIRQ_OFFSET	(1U << 8)
#define KMLAB_HARDIRQ_MASK	(0xfU << 16)
#define KMLAB_NMI_MASK		(0xfU << 20)

/*
 * PREEMPT_RT serves softirqs in threads and counts them in the task, not
 * in preempt_count ("softirq: Make softirq control and processing RT
 * aware", v5.12): the field exists on RT kernels only.
 */
struct task_struct___rt {
	int softirq_disable_cnt;
};

/*
 * Serving an interrupt (hard, soft or NMI), not just with BHs off?
 * False when this kernel does not say.
 */
static __always_inline bool in_irq_context(void)
{
	struct task_struct___rt *t;
	__u64 base, off = 0;
	__u32 cpu;
	int pc = 0;

	if (bpf_core_field_exists(struct task_struct___rt,
				  softirq_disable_cnt)) {
		t = (void *)bpf_get_current_task();
		if (BPF_CORE_READ(t, softirq_disable_cnt) &
		    KMLAB_SOFTIRQ_OFFSET)
			return true;
	}
	if (ksym_preempt_count)
		base = ksym_preempt_count;
	else if (ksym_pcpu_hot && bpf_core_type_exists(struct pcpu_hot___v6_2))
		base = ksym_pcpu_hot +
		       bpf_core_field_offset(struct pcpu_hot___v6_2,
					     preempt_count);
	else
		return false;
	if (!ksym_per_cpu_offset)
		return false;
	cpu = bpf_get_smp_processor_id();
	if (bpf_probe_read_kernel(&off, sizeof(off),
				  (void *)ksym_per_cpu_offset + cpu * 8ULL) ||
	    bpf_probe_read_kernel(&pc, sizeof(pc), (void *)(base + off)))
		return false;
	return pc & (KMLAB_SOFTIRQ_OFFSET | KMLAB_HARDIRQ_MASK |
		     KMLAB_NMI_MASK);
}

/* gfp_t's __GFP_DIRECT_RECLAIM: bit 10 in 6.1 and 6.12 alike */
#define KMLAB_GFP_DIRECT_RECLAIM	0x400U

/*
 * "mm, slab: use an enum to define SLAB_ cache creation flags" (v6.9):
 * the slab flags became bit numbers of enum _slab_flag_bits; before,
 * SLAB_TYPESAFE_BY_RCU was 0x00080000.
 */
enum _slab_flag_bits___v6_9 {
	_SLAB_TYPESAFE_BY_RCU___v6_9 = 9,
};

#define KMLAB_TYPESAFE_BY_RCU_OLD	0x00080000U

/* Objects of @s may be read after their free (RCU readers): not a bug. */
static __always_inline bool cache_typesafe_rcu(const struct kmem_cache *s)
{
	__u32 flags = BPF_CORE_READ(s, flags);

	if (bpf_core_enum_value_exists(enum _slab_flag_bits___v6_9,
				       _SLAB_TYPESAFE_BY_RCU___v6_9))
		return flags & (1U << bpf_core_enum_value(
			enum _slab_flag_bits___v6_9,
			_SLAB_TYPESAFE_BY_RCU___v6_9));
	return flags & KMLAB_TYPESAFE_BY_RCU_OLD;
}

#endif /* KMLAB_COMPAT_BPF_H */
