/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel helpers module/ir_check.c uses, for its user-space build
 * (kmlab check, the unit tests, the fuzzers): the same checker runs on
 * both sides of /dev/kmlab.
 */
#ifndef KMLAB_KERNEL_HOST_H
#define KMLAB_KERNEL_HOST_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>

typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define fallthrough			__attribute__((__fallthrough__))
#define __printf(a, b)			__attribute__((format(printf, a, b)))
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
#define hweight32(x)			__builtin_popcount(x)

#endif /* KMLAB_KERNEL_HOST_H */
