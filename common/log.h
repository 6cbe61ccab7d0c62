/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnostics sink. Library code never prints: it calls er_debug()/er_warn(), and
 * cmd/main.c installs the sink that writes text or runc's JSON log lines to --log/stderr.
 * Without a sink nothing is written.
 */
#ifndef EDGERUN_COMMON_LOG_H
#define EDGERUN_COMMON_LOG_H

#include <stdbool.h>

enum er_log_level { ER_LOG_ERROR, ER_LOG_WARN, ER_LOG_INFO, ER_LOG_DEBUG };

typedef void (*er_log_sink_fn)(enum er_log_level level, const char *msg);

extern bool er_debug_enabled; /* set by --debug; check before building costly messages */

void er_log_set_sink(er_log_sink_fn fn);
void er_log(enum er_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define er_debug(...)                                                                              \
	do {                                                                                       \
		if (er_debug_enabled)                                                              \
			er_log(ER_LOG_DEBUG, __VA_ARGS__);                                         \
	} while (0)
#define er_warn(...) er_log(ER_LOG_WARN, __VA_ARGS__)

#endif
