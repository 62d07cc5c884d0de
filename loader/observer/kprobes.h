/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The families' kprobes, made as tracefs kprobe events rather than
 * through the kprobe PMU, so that their misses can be counted.
 *
 * A kprobe hit while another kprobe's handler runs on that CPU is
 * skipped: an interrupt that comes during one of the observer's kprobe
 * programs can run softirqs on its way out, and an RCU callback's
 * free_percpu() or vfree() there never reaches the program.  The kernel
 * counts such a miss only in the kprobe itself, and shows the count for
 * tracefs events alone (kprobe_profile; a BPF link's info has it from
 * 6.7 on, and the lab's 6.1 has no other way).  An uncounted miss would
 * turn a freed object into a leak with nothing lost on the report.
 */
#ifndef KMLAB_KPROBES_H
#define KMLAB_KPROBES_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>

/* the events' group in tracefs: not "kmlab", the data plane's
 * tracepoints' system */
#define KPROBE_EV_GROUP	"kmlab_kp"
#define KPROBE_EV_NAME	32

/*
 * Make event @idx of this process on @func's entry (or, with @ret, its
 * return) in @tracefs, its name in @name, and open a perf event on it
 * for a BPF program: the perf event's fd, or -errno (the event made is
 * removed again).
 */
int kprobe_ev_open(const char *tracefs, const char *func, bool ret, int idx,
		   char name[KPROBE_EV_NAME]);
/* Remove event @name, once its perf event is closed. */
void kprobe_ev_remove(const char *tracefs, const char *name);
/*
 * The misses the kernel counted for each of the @n events @names, from
 * kprobe_profile, into @missed (0 for an event it does not list): 0, or
 * -errno when there is no profile to read.
 */
int kprobe_ev_missed(const char *tracefs, const char (*names)[KPROBE_EV_NAME],
		     __u64 *missed, int n);
/* Remove the events left by kmlab processes that are gone (killed),
 * before this one makes any. */
void kprobe_ev_reap(const char *tracefs);

/*
 * The events a run needs, made in a thread of their own while the
 * verifier runs: making one arms its kprobe, which patches ftrace and
 * waits for the other CPUs to sync (20-35 ms apiece in the TCG guest,
 * 0.16-0.33 s for all of them after the load).  The verifier works
 * through those waits.
 */
#define KPROBE_BATCH_MAX	40

struct kprobe_batch {
	const char *tracefs;
	int n;
	bool started;
	pthread_t thread;
	struct {
		const char *func;
		bool ret;
		bool taken;
		int fd;		/* perf event, or -errno */
		char name[KPROBE_EV_NAME];
	} ev[KPROBE_BATCH_MAX];
};

/* Ask for an event on @func's entry (@ret: return): its index, -1 when
 * the batch is full or started. */
int kprobe_batch_add(struct kprobe_batch *b, const char *func, bool ret);
/* Reap (kprobe_ev_reap), then make the events asked for in @tracefs,
 * in a thread (here, when none can be made). */
void kprobe_batch_start(struct kprobe_batch *b, const char *tracefs);
/*
 * Event @idx, once made: its perf event's fd, now the caller's, and its
 * name in @name; or -errno, and "" in @name (-ENOENT for -1, an event
 * never asked for).
 */
int kprobe_batch_take(struct kprobe_batch *b, int idx,
		      char name[KPROBE_EV_NAME]);
/* Close and remove the events nobody took; the batch is empty again. */
void kprobe_batch_close(struct kprobe_batch *b);

#endif /* KMLAB_KPROBES_H */
