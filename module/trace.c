// SPDX-License-Identifier: GPL-2.0
/* The one place that instantiates the kmlab:kmlab_step tracepoint. */
#define CREATE_TRACE_POINTS
#include "kmlab_trace.h"

void kmlab_emit(const struct kmlab_step *s)
{
	trace_kmlab_step(s);
}
