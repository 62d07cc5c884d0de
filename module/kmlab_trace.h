/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmlab:kmlab_step, one event per executed (or refused) op.
 *
 * The entry is KMLAB_STEP_FIELDS (include/kmlab/step.h), the layout of
 * struct kmlab_step_fields after struct trace_entry: BPF programs read
 * the raw record with that struct (the module has no BTF), from where
 * the tracefs format says the fields start.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kmlab

#if !defined(_KMLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KMLAB_TRACE_H

#include <linux/tracepoint.h>
#include <linux/string.h>
#include "kmlab_dp.h"

TRACE_EVENT(kmlab_step,
	TP_PROTO(const struct kmlab_step *s),
	TP_ARGS(s),
	TP_STRUCT__entry(
		KMLAB_STEP_FIELDS(__field, __array)
	),
	TP_fast_assign(
		__entry->ptr = s->ptr;
		__entry->size = s->size;
		__entry->off = s->off;
		__entry->len = s->len;
		__entry->result = s->result;
		__entry->line = s->line;
		__entry->obj = s->obj;
		__entry->flags = s->flags;
		__entry->op = s->op;
		__entry->family = s->family;
		__entry->phase = s->phase;
		__entry->reason = s->reason;
		strscpy_pad(__entry->name, s->name ? s->name : "",
			    KMLAB_NAME_LEN);
		memcpy(__entry->data, s->data, KMLAB_DATA_LEN);
	),
	TP_printk("op=%u obj=%u name=%s line=%u phase=%u ptr=0x%llx size=%llu off=%llu len=%llu result=%d reason=%u flags=0x%x family=%u data=%*phN",
		  __entry->op, __entry->obj, __entry->name, __entry->line,
		  __entry->phase, __entry->ptr, __entry->size, __entry->off,
		  __entry->len, __entry->result, __entry->reason,
		  __entry->flags, __entry->family, KMLAB_DATA_LEN,
		  __entry->data)
);

#endif /* _KMLAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kmlab_trace
#include <trace/define_trace.h>
