/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `events`: struct er_stats and runc's event JSON (events.h).
 *
 * runc prints its types.Event with Go's encoding/json, so the text here follows Go's rules:
 * members in struct order, `omitempty` members left out when zero or empty (nested structs
 * are never left out, they print as {}), map keys sorted bytewise, and strings escaped as
 * Go 1.19 does (<, >, & and U+2028/U+2029 as \u escapes, invalid UTF-8 as U+FFFD).
 * The JSON is written by hand because json-c can do neither the escaping nor the order.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "specconv/events.h"

void er_stats_free(struct er_stats *st)
{
	free(st->cpu.percpu);
	free(st->cpu.percpu_kernel);
	free(st->cpu.percpu_user);
	free(st->cpuset.cpus);
	free(st->cpuset.mems);
	for (size_t i = 0; i < st->memory.n_raw; i++)
		free(st->memory.raw[i].key);
	free(st->memory.raw);
	free(st->blkio.service_bytes);
	free(st->blkio.serviced);
	free(st->hugetlb);
	memset(st, 0, sizeof(*st));
}

/* ---------------- a growing buffer with JSON writers ---------------- */

struct jw {
	char *s;
	size_t len, cap;
	bool comma; /* the next member or element needs a ',' before it */
};

static void jw_add(struct jw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		w->cap = (w->len + n + 1) * 2;
		w->s = xrealloc(w->s, w->cap);
	}
	memcpy(w->s + w->len, s, n);
	w->len += n;
	w->s[w->len] = '\0';
}

static void jw_puts(struct jw *w, const char *s)
{
	jw_add(w, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* A JSON string as Go's encoder writes it (HTML escaping on, the json.Encoder default). */
static void jw_str(struct jw *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[16];

	jw_puts(w, "\"");
	while (*s) {
		uint32_t cp = 0;
		size_t n = utf8_len(s, &cp);

		if (n == 0) {
			jw_puts(w, "\\ufffd");
			s++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			jw_puts(w, cp == '"' ? "\\\"" : "\\\\");
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			jw_puts(w, cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : "\\t");
		} else if (cp < 0x20 || cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 ||
			   cp == 0x2029) {
			snprintf(esc, sizeof(esc), "\\u%04" PRIx32, cp);
			jw_puts(w, esc);
		} else {
			jw_add(w, (const char *)s, n);
		}
		s += n;
	}
	jw_puts(w, "\"");
}

static void jw_sep(struct jw *w)
{
	if (w->comma)
		jw_puts(w, ",");
	w->comma = true;
}

/* "key": with the separator; the value follows. */
static void jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	jw_str(w, key);
	jw_puts(w, ":");
}

static void jw_open(struct jw *w, const char *key, const char *bracket)
{
	if (key)
		jw_key(w, key);
	else
		jw_sep(w);
	jw_puts(w, bracket);
	w->comma = false;
}

static void jw_close(struct jw *w, const char *bracket)
{
	jw_puts(w, bracket);
	w->comma = true;
}

static void jw_u64(struct jw *w, const char *key, uint64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	if (key)
		jw_key(w, key);
	else
		jw_sep(w);
	jw_puts(w, num);
}

/* A Go `uint64 json:",omitempty"` member. */
static void jw_u64_omit(struct jw *w, const char *key, uint64_t v)
{
	if (v)
		jw_u64(w, key, v);
}

static void jw_i64(struct jw *w, const char *key, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, v);
	jw_key(w, key);
	jw_puts(w, num);
}

static void jw_u64_array_omit(struct jw *w, const char *key, const uint64_t *v, size_t n)
{
	if (!n)
		return;
	jw_open(w, key, "[");
	for (size_t i = 0; i < n; i++)
		jw_u64(w, NULL, v[i]);
	jw_close(w, "]");
}

static void jw_u16_array_omit(struct jw *w, const char *key, const uint16_t *v, size_t n)
{
	if (!n)
		return;
	jw_open(w, key, "[");
	for (size_t i = 0; i < n; i++)
		jw_u64(w, NULL, v[i]);
	jw_close(w, "]");
}

/* ---------------- map order ---------------- */

/* Go writes a map's keys sorted bytewise, each once (a later duplicate wins, as in the map).
 * Fills idx with the indices of the entries to write, in order; returns how many. */
struct keyed {
	const char *key;
	size_t index;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static size_t map_order(const char *(*key_of)(const void *items, size_t i), const void *items,
			size_t n, size_t *idx)
{
	struct keyed *k = xcalloc(n ? n : 1, sizeof(*k));
	size_t out = 0;

	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){key_of(items, i), i};
	qsort(k, n, sizeof(*k), keyed_cmp);
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || strcmp(k[i].key, k[i + 1].key) != 0)
			idx[out++] = k[i].index;
	free(k);
	return out;
}

static const char *raw_key(const void *items, size_t i)
{
	return ((const struct er_stats_kv *)items)[i].key;
}

static const char *hugetlb_key(const void *items, size_t i)
{
	return ((const struct er_hugetlb_stat *)items)[i].pagesize;
}

/* ---------------- the sections of types.Stats ---------------- */

static void put_cpu(struct jw *w, const struct er_stats *st)
{
	jw_open(w, "cpu", "{");
	jw_open(w, "usage", "{");
	jw_u64_omit(w, "total", st->cpu.total);
	jw_u64_array_omit(w, "percpu", st->cpu.percpu, st->cpu.n_percpu);
	jw_u64_array_omit(w, "percpu_kernel", st->cpu.percpu_kernel, st->cpu.n_percpu_kernel);
	jw_u64_array_omit(w, "percpu_user", st->cpu.percpu_user, st->cpu.n_percpu_user);
	jw_u64(w, "kernel", st->cpu.kernel);
	jw_u64(w, "user", st->cpu.user);
	jw_close(w, "}");
	jw_open(w, "throttling", "{");
	jw_u64_omit(w, "periods", st->cpu.periods);
	jw_u64_omit(w, "throttledPeriods", st->cpu.throttled_periods);
	jw_u64_omit(w, "throttledTime", st->cpu.throttled_time);
	jw_close(w, "}");
	jw_close(w, "}");
}

static void put_cpuset(struct jw *w, const struct er_stats *st)
{
	jw_open(w, "cpuset", "{");
	jw_u16_array_omit(w, "cpus", st->cpuset.cpus, st->cpuset.n_cpus);
	jw_u64(w, "cpu_exclusive", st->cpuset.cpu_exclusive);
	jw_u16_array_omit(w, "mems", st->cpuset.mems, st->cpuset.n_mems);
	jw_u64(w, "mem_hardwall", st->cpuset.mem_hardwall);
	jw_u64(w, "mem_exclusive", st->cpuset.mem_exclusive);
	jw_u64(w, "memory_migrate", st->cpuset.memory_migrate);
	jw_u64(w, "memory_spread_page", st->cpuset.memory_spread_page);
	jw_u64(w, "memory_spread_slab", st->cpuset.memory_spread_slab);
	jw_u64(w, "memory_pressure", st->cpuset.memory_pressure);
	jw_u64(w, "sched_load_balance", st->cpuset.sched_load_balance);
	jw_i64(w, "sched_relax_domain_level", st->cpuset.sched_relax_domain_level);
	jw_close(w, "}");
}

static void put_mem_entry(struct jw *w, const char *key, const struct er_mem_entry *e)
{
	jw_open(w, key, "{");
	jw_u64(w, "limit", e->limit);
	jw_u64_omit(w, "usage", e->usage);
	jw_u64_omit(w, "max", e->max);
	jw_u64(w, "failcnt", e->failcnt);
	jw_close(w, "}");
}

static void put_memory(struct jw *w, const struct er_stats *st)
{
	jw_open(w, "memory", "{");
	jw_u64_omit(w, "cache", st->memory.cache);
	put_mem_entry(w, "usage", &st->memory.usage);
	put_mem_entry(w, "swap", &st->memory.swap);
	put_mem_entry(w, "kernel", &st->memory.kernel);
	put_mem_entry(w, "kernelTCP", &st->memory.kernel_tcp);
	if (st->memory.n_raw) {
		size_t *idx = xcalloc(st->memory.n_raw, sizeof(*idx));
		size_t n = map_order(raw_key, st->memory.raw, st->memory.n_raw, idx);

		jw_open(w, "raw", "{");
		for (size_t i = 0; i < n; i++)
			jw_u64(w, st->memory.raw[idx[i]].key, st->memory.raw[idx[i]].value);
		jw_close(w, "}");
		free(idx);
	}
	jw_close(w, "}");
}

static void put_pids(struct jw *w, const struct er_stats *st)
{
	jw_open(w, "pids", "{");
	jw_u64_omit(w, "current", st->pids.current);
	jw_u64_omit(w, "limit", st->pids.limit);
	jw_close(w, "}");
}

static void put_blkio_list(struct jw *w, const char *key, const struct er_blkio_entry *e, size_t n)
{
	if (!n)
		return;
	jw_open(w, key, "[");
	for (size_t i = 0; i < n; i++) {
		jw_open(w, NULL, "{");
		jw_u64_omit(w, "major", e[i].major);
		jw_u64_omit(w, "minor", e[i].minor);
		if (e[i].op[0]) {
			jw_key(w, "op");
			jw_str(w, e[i].op);
		}
		jw_u64_omit(w, "value", e[i].value);
		jw_close(w, "}");
	}
	jw_close(w, "]");
}

static void put_blkio(struct jw *w, const struct er_stats *st)
{
	jw_open(w, "blkio", "{");
	put_blkio_list(w, "ioServiceBytesRecursive", st->blkio.service_bytes,
		       st->blkio.n_service_bytes);
	put_blkio_list(w, "ioServicedRecursive", st->blkio.serviced, st->blkio.n_serviced);
	jw_close(w, "}");
}

static void put_hugetlb(struct jw *w, const struct er_stats *st)
{
	size_t *idx = xcalloc(st->n_hugetlb ? st->n_hugetlb : 1, sizeof(*idx));
	size_t n = map_order(hugetlb_key, st->hugetlb, st->n_hugetlb, idx);

	jw_open(w, "hugetlb", "{"); /* always a map in runc, so {} when empty */
	for (size_t i = 0; i < n; i++) {
		const struct er_hugetlb_stat *h = &st->hugetlb[idx[i]];

		jw_open(w, h->pagesize, "{");
		jw_u64_omit(w, "usage", h->usage);
		jw_u64_omit(w, "max", h->max);
		jw_u64(w, "failcnt", h->failcnt);
		jw_close(w, "}");
	}
	jw_close(w, "}");
	free(idx);
}

/* {"type":TYPE,"id":ID, then the caller's members, then "}". */
static void event_head(struct jw *w, const char *type, const char *id)
{
	jw_open(w, NULL, "{");
	jw_key(w, "type");
	jw_str(w, type);
	jw_key(w, "id");
	jw_str(w, id ? id : "");
}

char *events_stats_json(const char *id, const struct er_stats *st)
{
	struct jw w = {0};

	event_head(&w, "stats", id);
	jw_open(&w, "data", "{");
	put_cpu(&w, st);
	put_cpuset(&w, st);
	put_memory(&w, st);
	put_pids(&w, st);
	put_blkio(&w, st);
	put_hugetlb(&w, st);
	jw_open(&w, "intel_rdt", "{");
	jw_close(&w, "}");
	jw_key(&w, "network_interfaces");
	jw_puts(&w, "null");
	jw_close(&w, "}");
	jw_close(&w, "}");
	return w.s;
}

char *events_oom_json(const char *id)
{
	struct jw w = {0};

	event_head(&w, "oom", id);
	jw_close(&w, "}");
	return w.s;
}
