// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "kptr.h"

static bool hidden;
static __u64 secret;

void kptr_hide(__u64 key)
{
	struct timespec ts;

	if (!key && getrandom(&key, sizeof(key), 0) != sizeof(key)) {
		/* no entropy source: still not the address itself */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		key = (__u64)ts.tv_nsec << 32 ^ ts.tv_sec ^ (__u64)getpid() << 16;
	}
	secret = key;
	hidden = true;
}

bool kptr_hidden(void)
{
	return hidden;
}

/* splitmix64's finalizer: every input bit reaches every output bit */
static __u64 mix(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ x >> 31;
}

const char *kptr(__u64 v, char *buf, size_t len)
{
	if (!hidden || v < 4096)
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
	else
		snprintf(buf, len, "ptr-%012llx",
			 (unsigned long long)(mix(v ^ mix(secret)) >> 16));
	return buf;
}
