/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure value conversions between the runtime-spec and the cgroup files, and parsers of
 * cgroup file formats. No I/O here: everything is unit-tested (test_cgroup_convert.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + (weight - 10) * 9999 / 990;
}

int cg_swap_to_v2(int64_t swap, int64_t memory, int64_t *out, struct er_error *err)
{
	/* Unlimited memory without a swap value: unlimited swap too, as v1 would have it. */
	if (memory == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (memory == 0 || memory == -1)
		return er_set(err, 0, "unable to set swap limit without memory limit");
	if (memory < 0)
		return er_set(err, 0, "invalid memory value: %" PRId64, memory);
	if (swap < memory)
		return er_set(err, 0,
			      "memory+swap limit (%" PRId64 ") should be >= memory limit (%" PRId64
			      ")",
			      swap, memory);
	*out = swap - memory;
	return 0;
}

const char *cg_limit_str(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}

char *cg_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period,
		 const char *current)
{
	char q[32];

	if (!has_quota && !has_period)
		return NULL;
	if (has_quota) {
		cg_limit_str(quota > 0 ? quota : -1, q, sizeof(q));
	} else {
		size_t len = current ? strcspn(current, " \t\n") : 0;

		if (len == 0 || len >= sizeof(q))
			snprintf(q, sizeof(q), "max");
		else
			snprintf(q, sizeof(q), "%.*s", (int)len, current);
	}
	if (!has_period)
		return xstrdup(q);
	return xasprintf("%s %" PRIu64, q, period);
}

void cg_hugepage_name(uint64_t kb, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
	double size = (double)kb * 1024.0;
	size_t i = 0;

	while (size >= 1024.0 && i + 1 < ARRAY_SIZE(units)) {
		size /= 1024.0;
		i++;
	}
	snprintf(buf, len, "%g%s", size, units[i]);
}

char *cg_clean_path(const char *p)
{
	if (strchr(p, '\n'))
		return NULL;
	return path_clean(p);
}

char *cg_resolve(const char *configured, const char *id, const char *own, struct er_error *err)
{
	const char *p = configured && *configured ? configured : id;
	_cleanup_free_ char *clean = NULL;
	char *res;

	if (!p || !*p) {
		er_set(err, 0, "no cgroup path and no container id");
		return NULL;
	}
	clean = cg_clean_path(p);
	if (!clean) {
		er_set(err, 0, "cgroupsPath `%s`: a newline is not allowed", p);
		return NULL;
	}
	if (p[0] == '/') {
		if (strcmp(clean, "/") == 0) {
			er_set(err, 0, "cgroupsPath `%s`: the root cgroup cannot be a container's",
			       p);
			return NULL;
		}
		return TAKE_PTR(clean);
	}
	if (!*clean) {
		er_set(err, 0, "cgroupsPath `%s`: resolves to the caller's own cgroup", p);
		return NULL;
	}
	{
		_cleanup_free_ char *joined = xasprintf("/%s/%s", own ? own : "", clean);

		res = cg_clean_path(joined);
	}
	if (!res || strcmp(res, "/") == 0) {
		free(res);
		er_set(err, 0, "cgroupsPath `%s`: the root cgroup cannot be a container's", p);
		return NULL;
	}
	return res;
}

int cg_parse_list(const char *s, uint16_t **out, size_t *n)
{
	uint16_t *v = NULL;
	size_t cnt = 0;

	*out = NULL;
	*n = 0;
	while (s && *s && *s != '\n') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b;

		if (end == s)
			goto bad;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s)
				goto bad;
		}
		if (b < a || b > 65535)
			goto bad;
		for (unsigned long i = a; i <= b; i++) {
			v = xrealloc(v, (cnt + 1) * sizeof(*v));
			v[cnt++] = (uint16_t)i;
		}
		s = end;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			goto bad;
	}
	*out = v;
	*n = cnt;
	return 0;
bad:
	free(v);
	return -1;
}

void cg_parse_flat(const char *text, struct er_stats_kv **out, size_t *n)
{
	struct er_stats_kv *kv = NULL;
	size_t cnt = 0;

	for (const char *l = text; l && *l;) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *line = xstrndup(l, len);
		char *sp = strchr(line, ' ');
		uint64_t v;

		l += len + (l[len] == '\n');
		if (!sp)
			continue;
		*sp = '\0';
		if (parse_u64(sp + 1, &v) < 0)
			continue;
		kv = xrealloc(kv, (cnt + 1) * sizeof(*kv));
		kv[cnt].key = xstrdup(line);
		kv[cnt++].value = v;
	}
	*out = kv;
	*n = cnt;
}

static void blkio_push(struct er_blkio_entry **tab, size_t *n, uint64_t major, uint64_t minor,
		       const char *op, uint64_t value)
{
	struct er_blkio_entry *e;

	*tab = xrealloc(*tab, (*n + 1) * sizeof(**tab));
	e = &(*tab)[(*n)++];
	memset(e, 0, sizeof(*e));
	e->major = major;
	e->minor = minor;
	snprintf(e->op, sizeof(e->op), "%s", op);
	e->value = value;
}

void cg_parse_blkio_v1(const char *text, struct er_blkio_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (const char *l = text; l && *l;) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *line = xstrndup(l, len);
		unsigned long long major, minor, value;
		char op[16];

		l += len + (l[len] == '\n');
		if (sscanf(line, "%llu:%llu %15s %llu", &major, &minor, op, &value) == 4)
			blkio_push(out, n, major, minor, op, value);
		else if (sscanf(line, "%llu:%llu %llu", &major, &minor, &value) == 3)
			blkio_push(out, n, major, minor, "", value);
	}
}

void cg_parse_io_stat(const char *text, struct er_blkio_entry **bytes, size_t *n_bytes,
		      struct er_blkio_entry **ios, size_t *n_ios)
{
	*bytes = *ios = NULL;
	*n_bytes = *n_ios = 0;
	for (const char *l = text; l && *l;) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *line = xstrndup(l, len);
		unsigned long long major, minor;
		char *save = NULL, *tok;
		int used = 0;

		l += len + (l[len] == '\n');
		if (sscanf(line, "%llu:%llu %n", &major, &minor, &used) < 2 || used == 0)
			continue;
		for (tok = strtok_r(line + used, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(tok, '=');
			uint64_t v;

			if (!eq || parse_u64(eq + 1, &v) < 0)
				continue;
			*eq = '\0';
			if (strcmp(tok, "rbytes") == 0)
				blkio_push(bytes, n_bytes, major, minor, "Read", v);
			else if (strcmp(tok, "wbytes") == 0)
				blkio_push(bytes, n_bytes, major, minor, "Write", v);
			else if (strcmp(tok, "rios") == 0)
				blkio_push(ios, n_ios, major, minor, "Read", v);
			else if (strcmp(tok, "wios") == 0)
				blkio_push(ios, n_ios, major, minor, "Write", v);
		}
	}
}
