// SPDX-License-Identifier: GPL-2.0
/* kmlab_leaky.ko's own copy of the kmlab:kmlab_step tracepoint. */
#include "trace.c"
