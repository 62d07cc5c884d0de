// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>

#include <linux/types.h>

#include "cmd.h"
#include "cmd_options.h"
#include "kmlab/events.h"
#include "kptr.h"

struct cmd_outputs cmd_out;

static const struct argp_option common_opts[] = {
	{ "hide-pointers", OPT_HIDE_POINTERS, NULL, 0, "Write kernel addresses as pseudonyms (the same address, the same name), for reports to share", 0 },
	{ "verbose", 'v', NULL, 0, "Show what the kernel offers and libbpf's debug output", 0 },
	{ "live", OPT_LIVE, "N", 0, "Room for N objects alive at once in the observer's map of them, and for N frees in its map of those (default: one per 8 KiB and one per 16 KiB of memory, 32768 to 1048576 and 8192 to 262144); 2 x 112 bytes of kernel memory for each, taken while kmlab runs", 0 },
	{ "ring", OPT_RING, "MIB", 0, "The ring buffer the observer's records come through, in MiB, a power of two (default: 1/256 of memory, 16 to 128); kernel memory taken while kmlab runs.  A module that allocates faster than kmlab reads (as under emulation) may need more: the report says how much", 0 },
	{},
};

unsigned long long cmd_number(struct argp_state *state, const char *opt,
			      const char *arg)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || *end || arg[0] == '-' || !arg[0])
		argp_error(state, "%s wants a number, not '%s'", opt, arg);
	return v;
}

/*
 * Below a thousand the map would fill with the kernel's own objects
 * before the module's (a trace); above 2^31 the kernel refuses the map.
 * Whether the machine has the memory is the observer's to say.
 */
#define LIVE_ROOM_MIN	1024ULL
#define LIVE_ROOM_MAX	(1ULL << 31)

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	unsigned long long n;

	switch (key) {
	case OPT_LIVE:
		n = cmd_number(state, "--live", arg);
		if (n < LIVE_ROOM_MIN || n > LIVE_ROOM_MAX)
			argp_error(state, "--live wants room for %llu to %llu objects, not %s",
				   LIVE_ROOM_MIN, LIVE_ROOM_MAX, arg);
		kmlab_live_max = n;
		break;
	case OPT_RING:
		n = cmd_number(state, "--ring", arg);
		if (!n || n > KMLAB_RING_MIB_MAX || (n & (n - 1)))
			argp_error(state, "--ring wants a power of two of MiB from 1 to %llu (1, 2, 4, ... 64, 128...), not %s",
				   KMLAB_RING_MIB_MAX, arg);
		kmlab_ring_mib = n;
		break;
	case OPT_HIDE_POINTERS:
		kptr_hide(0);
		break;
	case 'v':
		kmlab_verbose = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cmd_common_argp = {
	.options = common_opts,
	.parser = parse_common,
};

static const struct argp_option report_opts[] = {
	{ "json", 'j', "FILE", 0, "Also write JSON lines to FILE ('-': stdout, and the text goes to stderr)", 0 },
	{ "perfetto", 'P', "FILE", 0, "Also write a trace for ui.perfetto.dev or chrome://tracing: a track per object", 0 },
	{ "html", 'H', "FILE", 0, "Also write one HTML page: summary, an SVG timeline, the findings", 0 },
	{},
};

static error_t parse_reports(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		cmd_out.json = arg;
		break;
	case 'P':
		cmd_out.perfetto = arg;
		break;
	case 'H':
		cmd_out.html = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child report_children[] = {
	{ &cmd_common_argp, 0, NULL, 0 },
	{},
};

const struct argp cmd_reports_argp = {
	.options = report_opts,
	.parser = parse_reports,
	.children = report_children,
};
