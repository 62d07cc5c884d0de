// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "btf_attach.h"

#define BTF_ATTACH_MAX	16

static struct {
	const struct bpf_program *prog;
	__u32 btf_id;
} ids[BTF_ATTACH_MAX];
static int nr_ids;

int btf_attach_set(const struct bpf_program *prog, __u32 btf_id)
{
	int i;

	for (i = 0; i < nr_ids && ids[i].prog != prog; i++)
		;
	if (i == BTF_ATTACH_MAX)
		return -E2BIG;
	ids[i].prog = prog;
	ids[i].btf_id = btf_id;
	if (i == nr_ids)
		nr_ids++;
	return 0;
}

/*
 * The section's type until now was a stand-in: any but a tracing one,
 * for which libbpf would read the kernel's BTF before loading anything.
 * @cookie: the attach type.
 */
static int prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts,
		   long cookie)
{
	int i, err;

	for (i = 0; i < nr_ids && ids[i].prog != prog; i++)
		;
	if (i == nr_ids || !ids[i].btf_id) {
		fprintf(stderr, "kmlab: no BTF id for program %s: not loaded\n",
			bpf_program__name(prog));
		return -ESRCH;
	}
	err = bpf_program__set_type(prog, BPF_PROG_TYPE_TRACING);
	if (!err)
		err = bpf_program__set_expected_attach_type(prog, cookie);
	if (err)
		return err;
	opts->expected_attach_type = cookie;
	opts->attach_btf_id = ids[i].btf_id;
	opts->attach_btf_obj_fd = 0;	/* the kernel's own BTF */
	opts->attach_prog_fd = 0;
	return 0;
}

int btf_attach_register(void)
{
	static const struct {
		const char *sec;
		enum bpf_attach_type type;
	} secs[] = {
		{ "fexit+", BPF_TRACE_FEXIT },
		{ "tp_btf+", BPF_TRACE_RAW_TP },
	};
	static int done;
	size_t i;
	int id;

	if (done)
		return done < 0 ? done : 0;
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		LIBBPF_OPTS(libbpf_prog_handler_opts, o,
			    .cookie = secs[i].type,
			    .prog_prepare_load_fn = prepare);

		id = libbpf_register_prog_handler(secs[i].sec,
						  BPF_PROG_TYPE_RAW_TRACEPOINT,
						  secs[i].type, &o);
		if (id < 0) {
			done = id;
			return id;
		}
	}
	done = 1;
	return 0;
}
