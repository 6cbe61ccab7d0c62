/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"

bool er_debug_enabled;
static er_log_sink_fn sink;

void er_log_set_sink(er_log_sink_fn fn)
{
	sink = fn;
}

void er_log(enum er_log_level level, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (!sink)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg)
		sink(level, msg);
	free(msg);
}
