// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include "kprobes.h"

/* one command to kprobe_events: 0 or -errno */
static int ev_command(const char *tracefs, const char *cmd)
{
	char path[256];
	ssize_t len = strlen(cmd), n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, cmd, len);
	if (n != len)
		err = n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

static int ev_id(const char *tracefs, const char *name)
{
	char path[256], buf[32] = "";
	int fd, n;

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs,
		 KPROBE_EV_GROUP, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return atoi(buf) > 0 ? atoi(buf) : -EIO;
}

int kprobe_ev_open(const char *tracefs, const char *func, bool ret, int idx,
		   char name[KPROBE_EV_NAME])
{
	struct perf_event_attr a = {};
	char cmd[256];
	int id, fd, err;

	snprintf(name, KPROBE_EV_NAME, "k%d_%d", (int)getpid(), idx);
	snprintf(cmd, sizeof(cmd), "%c:%s/%s %s\n", ret ? 'r' : 'p',
		 KPROBE_EV_GROUP, name, func);
	err = ev_command(tracefs, cmd);
	if (err)
		return err;
	id = ev_id(tracefs, name);
	if (id < 0) {
		kprobe_ev_remove(tracefs, name);
		return id;
	}
	/* one event for all CPUs: the program hangs on the kprobe, not on
	 * the perf event's CPU */
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = id;
	a.sample_period = 1;
	a.wakeup_events = 1;
	fd = syscall(__NR_perf_event_open, &a, -1, 0, -1,
		     PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		kprobe_ev_remove(tracefs, name);
		return err;
	}
	return fd;
}

/* one try at removing event @name: 0 or -errno (-EBUSY while in use) */
static int ev_remove(const char *tracefs, const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "-:%s/%s\n", KPROBE_EV_GROUP, name);
	return ev_command(tracefs, cmd);
}

void kprobe_ev_remove(const char *tracefs, const char *name)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int i;

	/* busy while the perf event's last reference goes */
	for (i = 0; i < 20 && ev_remove(tracefs, name) == -EBUSY; i++)
		nanosleep(&ts, NULL);
}

int kprobe_ev_missed(const char *tracefs, const char (*names)[KPROBE_EV_NAME],
		     __u64 *missed, int n)
{
	unsigned long long hits, miss;
	char path[256], line[256], ev[128];
	FILE *f;
	int i;

	for (i = 0; i < n; i++)
		missed[i] = 0;
	snprintf(path, sizeof(path), "%s/kprobe_profile", tracefs);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* "  EVENT  HITS  MISSED", the event without its group */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %llu %llu", ev, &hits, &miss) != 3)
			continue;
		for (i = 0; i < n; i++)
			if (names[i][0] && !strcmp(ev, names[i]))
				missed[i] = miss;
	}
	fclose(f);
	return 0;
}

#define REAP_MAX	256

void kprobe_ev_reap(const char *tracefs)
{
	char path[256], line[512], *p;
	const char *prefix = KPROBE_EV_GROUP "/k";
	char (*names)[KPROBE_EV_NAME];
	int pid, n = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs);
	names = calloc(REAP_MAX, sizeof(*names));
	f = names ? fopen(path, "re") : NULL;
	if (!f) {
		free(names);
		return;
	}
	/* "p:kmlab_kp/k1234_0 vfree" or "r10:kmlab_kp/k1234_1 ...": read
	 * them all before changing the list */
	while (fgets(line, sizeof(line), f) && n < REAP_MAX) {
		p = strchr(line, ':');
		if (!p || strncmp(p + 1, prefix, strlen(prefix)))
			continue;
		p += 1 + strlen(KPROBE_EV_GROUP) + 1;
		/* this process's own: left by a killed kmlab of the same
		 * pid, as this one has made none yet */
		if (sscanf(p, "k%d_", &pid) != 1 || pid <= 0 ||
		    (pid != getpid() && (!kill(pid, 0) || errno != ESRCH)))
			continue;
		if (sscanf(p, "%31s", names[n]) == 1)
			n++;
	}
	fclose(f);
	/* still in use (another PID namespace's): it stays */
	for (i = 0; i < n; i++)
		ev_remove(tracefs, names[i]);
	free(names);
}

int kprobe_batch_add(struct kprobe_batch *b, const char *func, bool ret)
{
	if (b->started || b->n >= KPROBE_BATCH_MAX)
		return -1;
	b->ev[b->n].func = func;
	b->ev[b->n].ret = ret;
	b->ev[b->n].taken = false;
	b->ev[b->n].fd = -ENOENT;
	b->ev[b->n].name[0] = '\0';
	return b->n++;
}

static void *batch_make(void *arg)
{
	struct kprobe_batch *b = arg;
	int i;

	kprobe_ev_reap(b->tracefs);
	for (i = 0; i < b->n; i++)
		b->ev[i].fd = kprobe_ev_open(b->tracefs, b->ev[i].func,
					     b->ev[i].ret, i, b->ev[i].name);
	return NULL;
}

void kprobe_batch_start(struct kprobe_batch *b, const char *tracefs)
{
	b->tracefs = tracefs;
	b->started = !pthread_create(&b->thread, NULL, batch_make, b);
	if (!b->started)
		batch_make(b);
}

static void batch_wait(struct kprobe_batch *b)
{
	if (!b->started)
		return;
	pthread_join(b->thread, NULL);
	b->started = false;
}

int kprobe_batch_take(struct kprobe_batch *b, int idx,
		      char name[KPROBE_EV_NAME])
{
	name[0] = '\0';
	batch_wait(b);
	if (idx < 0 || idx >= b->n || b->ev[idx].taken)
		return -ENOENT;
	b->ev[idx].taken = true;
	if (b->ev[idx].fd >= 0)
		snprintf(name, KPROBE_EV_NAME, "%s", b->ev[idx].name);
	return b->ev[idx].fd;
}

void kprobe_batch_close(struct kprobe_batch *b)
{
	int i;

	batch_wait(b);
	for (i = 0; i < b->n; i++) {
		if (b->ev[i].taken || b->ev[i].fd < 0)
			continue;
		close(b->ev[i].fd);
		kprobe_ev_remove(b->tracefs, b->ev[i].name);
	}
	b->n = 0;
}
