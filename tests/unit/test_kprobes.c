// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The families' tracefs kprobe events (kprobes.h) against a directory
 * laid out as tracefs is: each event's misses read from kprobe_profile,
 * the commands written to kprobe_events, and only dead processes' events
 * reaped.  The kernel's side (misses really counted) is
 * tests/guest/kprobe_misses.sh.
 */
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

/* what was written to kprobe_events: does it contain @s? */
static int wrote(const char *s)
{
	char path[128], buf[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return strstr(buf, s) != NULL;
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

	snprintf(line, sizeof(line), "rm -rf %s", dir);
	if (system(line) < 0)
		return 1;
	return tap_done();
}
