// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The families' tracefs kprobe events (kprobes.h) against a directory
 * laid out as tracefs is: each event's misses read from kprobe_profile,
 * the commands written to kprobe_events, and only dead processes' events
 * reaped, by the batch made while the programs load too.  The kernel's
 * side (misses really counted) is
 * tests/guest/kprobe_misses.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kprobes.h"
#include "tap.h"

static char dir[] = "/tmp/kmlab-kprobes-XXXXXX";

static void put(const char *file, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* where @s was written to kprobe_events, -1 if it was not */
static long wrote_at(const char *s)
{
	char path[128], buf[4096], *p;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	p = strstr(buf, s);
	return p ? p - buf : -1;
}

/* what was written to kprobe_events: does it contain @s? */
static int wrote(const char *s)
{
	return wrote_at(s) >= 0;
}

/*
 * The batch made while the programs load: the dead kmlab's events are
 * reaped before any is made, each event is numbered by its place in the
 * batch, and one the kernel would not open is removed and says so.
 */
static void batch_checks(pid_t dead)
{
	struct kprobe_batch b = {};
	char line[256], gone[128], name[KPROBE_EV_NAME] = "x";
	int in, out, fd;

	snprintf(line, sizeof(line), "p:%s/k%d_0 vfree\n", KPROBE_EV_GROUP,
		 (int)dead);
	put("kprobe_events", line);
	out = kprobe_batch_add(&b, "__vmalloc_node_range", true);
	in = kprobe_batch_add(&b, "vfree", false);
	TAP_OK(out == 0 && in == 1, "batch: each event gets its place");
	kprobe_batch_start(&b, dir);
	TAP_OK(kprobe_batch_add(&b, "kvfree", false) < 0,
	       "batch: nothing more is asked for once it is started");
	fd = kprobe_batch_take(&b, in, name);
	snprintf(line, sizeof(line), "p:%s/k%d_1 vfree\n", KPROBE_EV_GROUP,
		 (int)getpid());
	snprintf(gone, sizeof(gone), "-:%s/k%d_0\n", KPROBE_EV_GROUP,
		 (int)dead);
	TAP_OK(wrote_at(gone) >= 0 && wrote_at(line) > wrote_at(gone),
	       "batch: the dead kmlab's event is reaped before any is made");
	TAP_OK(fd < 0 && !name[0],
	       "batch: an event no perf event opens on: an error and no name");
	snprintf(line, sizeof(line), "-:%s/k%d_1\n", KPROBE_EV_GROUP,
		 (int)getpid());
	TAP_OK(wrote(line), "... and the event is removed again");
	TAP_OK(kprobe_batch_take(&b, in, name) == -ENOENT &&
	       kprobe_batch_take(&b, -1, name) == -ENOENT &&
	       kprobe_batch_take(&b, 7, name) == -ENOENT,
	       "batch: taken once; none for an event never asked for");
	kprobe_batch_close(&b);
	TAP_OK(b.n == 0 && kprobe_batch_add(&b, "vfree", false) == 0,
	       "batch: empty again once closed");
	kprobe_batch_close(&b);
}

int main(void)
{
	char names[3][KPROBE_EV_NAME] = { "k77_0", "k77_1", "" }, ev[64];
	char name[KPROBE_EV_NAME], line[256], path[160];
	__u64 missed[3] = { 9, 9, 9 };
	pid_t dead;
	int fd;

	if (!mkdtemp(dir))
		return 1;
	TAP_OK(kprobe_ev_missed(dir, names, missed, 3) < 0 &&
	       !missed[0] && !missed[1],
	       "no kprobe_profile: an error, and no misses made up");
	put("kprobe_profile",
	    "  k12_0                                        310               0\n"
	    "  k77_1                                         42               5\n"
	    "  k77_0                                       1000              17\n"
	    "  p_vfree_0                                      3               2\n");
	TAP_OK(kprobe_ev_missed(dir, names, missed, 3) == 0 &&
	       missed[0] == 17 && missed[1] == 5 && missed[2] == 0,
	       "each event's misses, by its name (17 and 5; none for a link with no event)");

	/* an event made, then no perf event on a tracefs that is a plain
	 * directory: the event is removed again */
	put("kprobe_events", "");
	snprintf(path, sizeof(path), "%s/events", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/events/%s", dir, KPROBE_EV_GROUP);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/events/%s/k%d_3", dir,
		 KPROBE_EV_GROUP, (int)getpid());
	mkdir(path, 0700);
	snprintf(ev, sizeof(ev), "k%d_3/id", (int)getpid());
	snprintf(path, sizeof(path), "events/%s/%s", KPROBE_EV_GROUP, ev);
	put(path, "999999\n");
	fd = kprobe_ev_open(dir, "free_percpu", false, 3, name);
	snprintf(line, sizeof(line), "p:%s/k%d_3 free_percpu\n",
		 KPROBE_EV_GROUP, (int)getpid());
	TAP_OK(fd < 0 && wrote(line), "an entry kprobe is made as p:GROUP/kPID_N FUNC");
	snprintf(line, sizeof(line), "-:%s/k%d_3\n", KPROBE_EV_GROUP,
		 (int)getpid());
	TAP_OK(wrote(line), "... and removed again when no perf event opens on it");
	put("kprobe_events", "");
	fd = kprobe_ev_open(dir, "__vmalloc_node_range", true, 4, name);
	snprintf(line, sizeof(line), "r:%s/k%d_4 __vmalloc_node_range\n",
		 KPROBE_EV_GROUP, (int)getpid());
	TAP_OK(fd < 0 && wrote(line), "a return probe is made as r:GROUP/kPID_N FUNC");

	/* a dead kmlab's events go; a live one's and others' stay */
	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(line, sizeof(line),
		 "p:%s/k%d_0 vfree\nr10:%s/k%d_1 __vmalloc_node_range\np:%s/k1_0 vfree\np:kprobes/k%d_0 vfree\np:%s/k%d_7 vfree\n",
		 KPROBE_EV_GROUP, (int)dead, KPROBE_EV_GROUP, (int)dead,
		 KPROBE_EV_GROUP, (int)dead, KPROBE_EV_GROUP, (int)getpid());
	put("kprobe_events", line);
	kprobe_ev_reap(dir);
	snprintf(line, sizeof(line), "-:%s/k%d_0\n", KPROBE_EV_GROUP,
		 (int)dead);
	TAP_OK(wrote(line), "a dead kmlab's entry probe is reaped");
	snprintf(line, sizeof(line), "-:%s/k%d_1\n", KPROBE_EV_GROUP,
		 (int)dead);
	TAP_OK(wrote(line), "... and its return probe");
	snprintf(line, sizeof(line), "-:%s/k%d_7\n", KPROBE_EV_GROUP,
		 (int)getpid());
	TAP_OK(wrote(line), "one of this pid's, left by a killed kmlab of the same pid, is reaped");
	snprintf(line, sizeof(line), "-:%s/k1_0\n", KPROBE_EV_GROUP);
	TAP_OK(!wrote(line), "a live process's events stay (pid 1)");
	snprintf(line, sizeof(line), "-:kprobes/k%d_0\n", (int)dead);
	TAP_OK(!wrote(line), "another group's events are not kmlab's to remove");

	batch_checks(dead);

	snprintf(line, sizeof(line), "rm -rf %s", dir);
	if (system(line) < 0)
		return 1;
	return tap_done();
}
