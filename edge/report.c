/* SPDX-License-Identifier: Apache-2.0 */
/* The verification report of signed bundles: problems, their text, the error for create,
 * and the progress line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "edge/signed.h"

/* ---------------- the report ---------------- */

void sb_report_add(struct sb_report *r, enum sb_problem_kind kind, const char *where,
		   const char *fmt, ...)
{
	struct sb_problem *p;
	va_list ap;

	r->problems = xrealloc(r->problems, (r->n_problems + 1) * sizeof(*r->problems));
	p = &r->problems[r->n_problems++];
	p->kind = kind;
	p->where = xstrdup(where);
	p->detail = NULL;
	if (fmt) {
		va_start(ap, fmt);
		if (vasprintf(&p->detail, fmt, ap) < 0)
			abort();
		va_end(ap);
	}
}

void sb_report_clear(struct sb_report *r)
{
	for (size_t i = 0; i < r->n_problems; i++) {
		free(r->problems[i].where);
		free(r->problems[i].detail);
	}
	free(r->problems);
	free(r->signer);
	memset(r, 0, sizeof(*r));
}

static const char *const kind_text[] = {
	[SB_MANIFEST_MISSING] = "missing manifest",
	[SB_MANIFEST_INVALID] = "invalid manifest",
	[SB_SIG_MISSING] = "missing signature",
	[SB_SIG_BAD] = "bad signature",
	[SB_SIG_UNTRUSTED] = "signer not trusted",
	[SB_TRUST_EMPTY] = "empty trust store",
	[SB_TRUST_UNSAFE] = "unsafe trust store",
	[SB_CONFIG_MODIFIED] = "modified",
	[SB_MODIFIED] = "modified",
	[SB_MISSING] = "missing",
	[SB_ADDED] = "added",
	[SB_TYPE_CHANGED] = "type changed",
	[SB_MODE_CHANGED] = "mode changed",
	[SB_CAPS_CHANGED] = "capabilities changed",
	[SB_OWNER_CHANGED] = "owner changed",
	[SB_RETARGETED] = "symlink retargeted",
	[SB_DEVICE_CHANGED] = "device changed",
	[SB_UNREADABLE] = "unreadable",
	[SB_FIRMWARE_MODIFIED] = "firmware modified",
	[SB_FIRMWARE_MISSING] = "firmware missing",
};

/* S with control characters and DEL as \xNN. */
static char *escape(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(4 * n + 1), *o = out;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f)
			o += snprintf(o, 5, "\\x%02x", ch);
		else
			*o++ = (char)ch;
	}
	*o = '\0';
	return out;
}

char *sb_problem_text(const struct sb_problem *p)
{
	_cleanup_free_ char *where = escape(p->where);
	_cleanup_free_ char *detail = p->detail ? escape(p->detail) : NULL;
	const char *what = (unsigned int)p->kind < ARRAY_SIZE(kind_text) ? kind_text[p->kind] : "?";

	if (detail)
		return xasprintf("%s: %s (%s)", where, what, detail);
	return xasprintf("%s: %s", where, what);
}

int sb_report_error(const char *bundle, const struct sb_report *rep, size_t max,
		    struct er_error *err)
{
	_cleanup_free_ char *list = xstrdup("");

	for (size_t i = 0; i < rep->n_problems && i < max; i++) {
		_cleanup_free_ char *line = sb_problem_text(&rep->problems[i]);
		char *next = xasprintf("%s%s%s", list, i ? "; " : "", line);

		free(list);
		list = next;
	}
	if (rep->n_problems > max) {
		char *next = xasprintf("%s; and %zu more (see `edgerun verify --bundle %s`)", list,
				       rep->n_problems - max, bundle);

		free(list);
		list = next;
	}
	return er_set(err, 0, "bundle `%s` failed verification (%zu problem%s): %s", bundle,
		      rep->n_problems, rep->n_problems == 1 ? "" : "s", list);
}

char *sb_progress_text(const struct sb_progress *p)
{
	double secs = (double)p->elapsed_ns / 1e9;
	double mb = (double)p->bytes_done / 1e6;

	return xasprintf("%llu/%llu files, %.1f/%.1f MB, %.1f MB/s",
			 (unsigned long long)p->files_done, (unsigned long long)p->files_total, mb,
			 (double)p->bytes_total / 1e6, secs > 0 ? mb / secs : 0.0);
}
