// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kmlab/version.h"
#include "json.h"

FILE *json_open(const char *path)
{
	struct stat st;
	FILE *f;
	int fd, err;

	if (!strcmp(path, "-"))
		return stdout;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	/* O_CREAT's mode is for new files only; a device or a pipe
	 * (--json /dev/null) is not ours to change */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (st.st_mode & 077) &&
	    fchmod(fd, st.st_mode & 0700))
		goto fail;
	f = fdopen(fd, "w");
	if (f)
		return f;
fail:
	err = errno;
	close(fd);
	errno = err;
	return NULL;
}

int json_close(FILE *f)
{
	if (f == stdout)
		return fflush(f) ? -errno : 0;
	return fclose(f) ? -errno : 0;
}

void json_header(FILE *f, const char *command, const char *target,
		 const char *kernel)
{
	fprintf(f, "{\"type\":\"header\",\"version\":%d,\"tool\":\"kmlab\",\"tool_version\":\"%s\",\"command\":",
		KMLAB_JSON_VERSION, KMLAB_VERSION);
	json_str(f, command);
	fprintf(f, ",\"target\":");
	json_str(f, target);
	fprintf(f, ",\"kernel\":");
	json_str(f, kernel);
	fprintf(f, "}\n");
}

void json_strn(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	if (!s)
		fputs("null", f);
	else
		json_strn(f, s, strlen(s));
}

void json_hex(FILE *f, const unsigned char *buf, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", buf[i]);
	fputc('"', f);
}
