/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One error type for all of edgerun.
 *
 * Functions that can fail take `struct er_error *err` as their last argument and return a
 * negative int (or NULL) on failure after filling it; success leaves it untouched.
 * Messages are lowercase, operands in backticks, and gain context as they cross layers:
 *   er_set(err, errno, "open `%s`", path)      -> "open `/x`: no such file or directory"
 *   er_prefix(err, "mount `%s`", dest)         -> "mount `/proc`: open `/x`: no such ..."
 */
#ifndef EDGERUN_COMMON_ERROR_H
#define EDGERUN_COMMON_ERROR_H

#include <stdarg.h>

struct er_error {
	int errnum; /* errno of the root cause, 0 if none */
	char *msg;  /* owned; NULL when no error is set */
};

#define ER_ERROR_INIT                                                                              \
	{                                                                                          \
		0, NULL                                                                            \
	}

/* Sets the error (replacing any previous one). With errnum != 0 the message ends with
 * ": <strerror(errnum)>" with its first letter lowercased. Always returns -1. */
int er_set(struct er_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int er_setv(struct er_error *err, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Prepends "<context>: " to the message. Always returns -1. */
int er_prefix(struct er_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees the message and resets to no error. */
void er_clear(struct er_error *err);

/* strerror() with the first letter lowercased, as runc prints it. Static storage. */
const char *er_strerror(int errnum);

#endif
