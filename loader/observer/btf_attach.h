/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fexit and tp_btf programs loaded with BTF ids the loader already
 * knows (the BTF facts it keeps for the boot, symcache.h).
 *
 * libbpf reads the kernel's whole BTF for any program that attaches by
 * BTF id, only to find that id: 0.1 s of the 6.1 guest's start, which
 * the observer's CO-RE relocations no longer need (btf_min.h).  So these
 * sections are libbpf's to relocate and ours to load: registered before
 * the object is opened, they load as tracing programs with the id given
 * here, and are attached with bpf_program__attach_trace().
 */
#ifndef KMLAB_BTF_ATTACH_H
#define KMLAB_BTF_ATTACH_H

#include <bpf/libbpf.h>

/* Take over libbpf's "fexit" and "tp_btf" sections; once a process.
 * 0 or -errno. */
int btf_attach_register(void);
/* @prog loads against the kernel's BTF type @btf_id (a function for an
 * fexit, a "btf_trace_" typedef for a tp_btf).  0 or -errno. */
int btf_attach_set(const struct bpf_program *prog, __u32 btf_id);

#endif /* KMLAB_BTF_ATTACH_H */
