// SPDX-License-Identifier: GPL-2.0
/*
 * An allocation-heavy syscall loop for benchmarks: each eventfd() + close()
 * makes the kernel kmalloc and kfree an eventfd context and allocate and
 * free a struct file from its cache.  Prints the elapsed nanoseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long i, n = argc > 1 ? atol(argv[1]) : 1000000;
	struct timespec a, b;

	if (n <= 0) {
		fprintf(stderr, "usage: allocloop [ITERATIONS > 0]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		int fd = eventfd(0, 0);

		if (fd < 0) {
			perror("allocloop: eventfd");
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL +
			 (b.tv_nsec - a.tv_nsec));
	return 0;
}
