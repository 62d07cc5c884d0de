/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The part of the kernel's BTF that the observer's CO-RE relocations
 * read, as a BTF of its own for libbpf's btf_custom_path.
 *
 * libbpf reads the whole kernel BTF (4 MiB, 100k types on 6.1: 60 ms to
 * read from sysfs and 30 to parse in the TCG guest) and then searches
 * all of it once per type the programs relocate (another 80 ms): a
 * fifth of the time kmlab took to be ready on 6.1.  What those
 * relocations can ask is decided by name: a type by its name (less any
 * "___flavor" suffix), a field by its name inside that type or inside
 * the unnamed structs and unions it holds.  So the kernel's types that
 * bear the names of the observer's types are kept, each with only the
 * members whose names the observer's types of that name use, at their
 * own offsets and with their own sizes; the types of those members
 * likewise, down to the integers.  A pointer keeps its size and kind,
 * which is all a relocation asks of it, and points at nothing.
 */
#ifndef KMLAB_BTF_MIN_H
#define KMLAB_BTF_MIN_H

#include <bpf/btf.h>

/* The kernel's types (@kern) that the relocations of a program whose
 * own types are @local can resolve to; NULL and errno on failure. */
struct btf *btf_min(const struct btf *local, const struct btf *kern);

#endif /* KMLAB_BTF_MIN_H */
