/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/util.h"

const char *er_strerror(int errnum)
{
	static __thread char buf[128];
	const char *s = strerror_r(errnum, buf, sizeof(buf));

	if (s != buf) {
		snprintf(buf, sizeof(buf), "%s", s);
	}
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

int er_setv(struct er_error *err, int errnum, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (!err)
		return -1;
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	if (errnum) {
		char *full = xasprintf("%s: %s", msg, er_strerror(errnum));
		free(msg);
		msg = full;
	}
	free(err->msg);
	err->msg = msg;
	err->errnum = errnum;
	return -1;
}

int er_set(struct er_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	er_setv(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int er_prefix(struct er_error *err, const char *fmt, ...)
{
	char *ctx = NULL;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		abort();
	va_end(ap);
	char *full = xasprintf("%s: %s", ctx, err->msg ? err->msg : "unknown error");
	free(ctx);
	free(err->msg);
	err->msg = full;
	return -1;
}

void er_clear(struct er_error *err)
{
	if (!err)
		return;
	free(err->msg);
	err->msg = NULL;
	err->errnum = 0;
}
