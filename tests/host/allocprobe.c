// SPDX-License-Identifier: GPL-2.0
/*
 * Make the kernel allocate on our behalf, in ways a user recognises:
 * pipes, UNIX sockets, and files (created, written, removed).  For
 * tests/host/trace.sh, which traces this process with `kmlab trace`.
 * "allocprobe N hold" makes N pipes and keeps them all open until it
 * exits: a process whose kernel objects outnumber a small live map.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 50;
	char path[] = "/tmp/kmlab-allocprobe-XXXXXX";

	if (argc > 2 && !strcmp(argv[2], "hold")) {
		for (i = 0; i < n; i++) {
			int p[2];

			if (pipe(p) || write(p[1], "x", 1) != 1)
				return 1;
		}
		return 0;
	}
	for (i = 0; i < n; i++) {
		int p[2], s[2], fd;

		if (pipe(p) || write(p[1], "x", 1) != 1)
			return 1;
		close(p[0]);
		close(p[1]);
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, s))
			return 1;
		close(s[0]);
		close(s[1]);
		fd = mkstemp(path);
		if (fd < 0 || write(fd, "kmlab\n", 6) != 6)
			return 1;
		close(fd);
		unlink(path);
		snprintf(path, sizeof(path), "/tmp/kmlab-allocprobe-XXXXXX");
	}
	return 0;
}
