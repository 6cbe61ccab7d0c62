/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statistics for `events --stats`, read from whichever version serves each controller and
 * shaped as runc reports them (v2 values converted to v1 meanings where runc does so:
 * cpu.stat usecs -> ns, swap = memory+swap, io.stat -> the blkio tables). Missing files
 * leave zeros: kernels differ in what they offer.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"

/* ---------------- hugepage sizes ---------------- */

char **cg_hugepage_sizes(void)
{
	_cleanup_closedir_ DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *de;
	char **v = NULL;

	while (d && (de = readdir(d))) {
		unsigned long long kb;
		char name[16], tail[4];

		if (sscanf(de->d_name, "hugepages-%llukB%3s", &kb, tail) != 1)
			continue;
		cg_hugepage_name(kb, name, sizeof(name));
		strv_push(&v, xstrdup(name));
	}
	return v;
}

int cg_hugepage_size_check(const char *name, struct er_error *err)
{
	_cleanup_strv_ char **v = cg_hugepage_sizes();
	_cleanup_free_ char *all = xstrdup("");

	for (size_t i = 0; v && v[i]; i++) {
		char *n;

		if (strcmp(v[i], name) == 0)
			return 0;
		n = xasprintf("%s%s%s", all, *all ? ", " : "", v[i]);
		free(all);
		all = n;
	}
	return er_set(err, 0,
		      "linux.resources.hugepageLimits: page size `%s` is not supported here "
		      "(supported: %s)",
		      name, *all ? all : "none");
}

/* ---------------- helpers ---------------- */

static uint64_t u64_or0(const struct cg_hier *h, const char *file)
{
	uint64_t v = 0;

	if (cg_read_u64(h, file, &v, NULL) < 0)
		return 0;
	return v;
}

static uint64_t key_or0(const struct cg_hier *h, const char *file, const char *key)
{
	uint64_t v = 0;

	if (cg_read_key(h, file, key, &v) < 0)
		return 0;
	return v;
}

static void numbers(const struct cg_hier *h, const char *file, uint64_t **out, size_t *n)
{
	_cleanup_free_ char *s = cg_read(h, file, NULL);
	char *save = NULL;

	*out = NULL;
	*n = 0;
	for (char *t = s ? strtok_r(s, " \n", &save) : NULL; t; t = strtok_r(NULL, " \n", &save)) {
		uint64_t v;

		if (parse_u64(t, &v) < 0)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = v;
	}
}

static uint64_t raw_value(const struct er_stats *st, const char *key)
{
	for (size_t i = 0; i < st->memory.n_raw; i++)
		if (strcmp(st->memory.raw[i].key, key) == 0)
			return st->memory.raw[i].value;
	return 0;
}

/* ---------------- cpu ---------------- */

static void cpu_v2(const struct cg_hier *h, struct er_stats *st)
{
	st->cpu.total = key_or0(h, "cpu.stat", "usage_usec") * 1000;
	st->cpu.user = key_or0(h, "cpu.stat", "user_usec") * 1000;
	st->cpu.kernel = key_or0(h, "cpu.stat", "system_usec") * 1000;
	st->cpu.periods = key_or0(h, "cpu.stat", "nr_periods");
	st->cpu.throttled_periods = key_or0(h, "cpu.stat", "nr_throttled");
	st->cpu.throttled_time = key_or0(h, "cpu.stat", "throttled_usec") * 1000;
}

static void cpu_v1(const struct cg_hier *cpu, const struct cg_hier *acct, struct er_stats *st)
{
	if (acct) {
		long tck = sysconf(_SC_CLK_TCK);

		if (tck <= 0)
			tck = 100;
		st->cpu.total = u64_or0(acct, "cpuacct.usage");
		numbers(acct, "cpuacct.usage_percpu", &st->cpu.percpu, &st->cpu.n_percpu);
		numbers(acct, "cpuacct.usage_percpu_sys", &st->cpu.percpu_kernel,
			&st->cpu.n_percpu_kernel);
		numbers(acct, "cpuacct.usage_percpu_user", &st->cpu.percpu_user,
			&st->cpu.n_percpu_user);
		/* cpuacct.stat counts USER_HZ ticks */
		st->cpu.user =
			key_or0(acct, "cpuacct.stat", "user") * (1000000000ULL / (uint64_t)tck);
		st->cpu.kernel =
			key_or0(acct, "cpuacct.stat", "system") * (1000000000ULL / (uint64_t)tck);
	}
	if (cpu) {
		st->cpu.periods = key_or0(cpu, "cpu.stat", "nr_periods");
		st->cpu.throttled_periods = key_or0(cpu, "cpu.stat", "nr_throttled");
		st->cpu.throttled_time = key_or0(cpu, "cpu.stat", "throttled_time");
	}
}

static void cpuset(const struct cg_hier *h, struct er_stats *st)
{
	static const struct {
		const char *file;
		size_t off;
	} flags[] = {
#define F(name) {"cpuset." #name, offsetof(struct er_stats, cpuset.name)}
		F(cpu_exclusive),   F(mem_hardwall),	   F(mem_exclusive),
		F(memory_migrate),  F(memory_spread_page), F(memory_spread_slab),
		F(memory_pressure), F(sched_load_balance),
#undef F
	};
	_cleanup_free_ char *cpus = NULL, *mems = NULL, *relax = NULL;

	cpus = cg_read(h, h->v2 ? "cpuset.cpus.effective" : "cpuset.cpus", NULL);
	mems = cg_read(h, h->v2 ? "cpuset.mems.effective" : "cpuset.mems", NULL);
	if (!cpus && !mems)
		return;
	st->cpuset.present = true;
	cg_parse_list(cpus, &st->cpuset.cpus, &st->cpuset.n_cpus);
	cg_parse_list(mems, &st->cpuset.mems, &st->cpuset.n_mems);
	if (h->v2)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		*(uint64_t *)((char *)st + flags[i].off) = u64_or0(h, flags[i].file);
	relax = cg_read(h, "cpuset.sched_relax_domain_level", NULL);
	st->cpuset.sched_relax_domain_level = relax ? strtoll(relax, NULL, 10) : 0;
}

/* ---------------- memory ---------------- */

static void mem_entry_v1(const struct cg_hier *h, const char *prefix, struct er_mem_entry *e)
{
	_cleanup_free_ char *usage = xasprintf("%s.usage_in_bytes", prefix);
	_cleanup_free_ char *max = xasprintf("%s.max_usage_in_bytes", prefix);
	_cleanup_free_ char *fail = xasprintf("%s.failcnt", prefix);
	_cleanup_free_ char *limit = xasprintf("%s.limit_in_bytes", prefix);

	e->usage = u64_or0(h, usage);
	e->max = u64_or0(h, max);
	e->failcnt = u64_or0(h, fail);
	e->limit = u64_or0(h, limit);
}

static void memory_v1(const struct cg_hier *h, struct er_stats *st)
{
	_cleanup_free_ char *raw = cg_read(h, "memory.stat", NULL);

	cg_parse_flat(raw, &st->memory.raw, &st->memory.n_raw);
	st->memory.cache = raw_value(st, "cache");
	mem_entry_v1(h, "memory", &st->memory.usage);
	mem_entry_v1(h, "memory.memsw", &st->memory.swap);
	mem_entry_v1(h, "memory.kmem", &st->memory.kernel);
	mem_entry_v1(h, "memory.kmem.tcp", &st->memory.kernel_tcp);
	st->memory.use_hierarchy = u64_or0(h, "memory.use_hierarchy") == 1;
}

static void memory_v2(const struct cg_hier *h, struct er_stats *st)
{
	_cleanup_free_ char *raw = cg_read(h, "memory.stat", NULL);

	cg_parse_flat(raw, &st->memory.raw, &st->memory.n_raw);
	st->memory.cache = raw_value(st, "file");
	st->memory.use_hierarchy = true;
	st->memory.usage.usage = u64_or0(h, "memory.current");
	st->memory.usage.limit = u64_or0(h, "memory.max");
	st->memory.usage.max = u64_or0(h, "memory.peak");
	st->memory.usage.failcnt = key_or0(h, "memory.events", "max");
	if (cg_has(h, "memory.swap.current")) {
		/* v1 reports memory+swap; so does runc on v2 */
		st->memory.swap.usage = u64_or0(h, "memory.swap.current") + st->memory.usage.usage;
		st->memory.swap.limit = u64_or0(h, "memory.swap.max");
		if (st->memory.swap.limit != UINT64_MAX)
			st->memory.swap.limit += st->memory.usage.limit;
		st->memory.swap.max = u64_or0(h, "memory.swap.peak");
		st->memory.swap.failcnt = key_or0(h, "memory.swap.events", "max");
	}
}

/* ---------------- blkio ---------------- */

static void blkio_v1(const struct cg_hier *h, struct er_stats *st)
{
	/* runc's order: BFQ, CFQ, throttling (recursive), throttling */
	static const char *const groups[][2] = {
		{"blkio.bfq.io_service_bytes_recursive", "blkio.bfq.io_serviced_recursive"},
		{"blkio.io_service_bytes_recursive", "blkio.io_serviced_recursive"},
		{"blkio.throttle.io_service_bytes_recursive",
		 "blkio.throttle.io_serviced_recursive"},
		{"blkio.throttle.io_service_bytes", "blkio.throttle.io_serviced"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		_cleanup_free_ char *bytes = NULL, *ios = NULL;

		if (!cg_has(h, groups[i][0]))
			continue;
		bytes = cg_read(h, groups[i][0], NULL);
		ios = cg_read(h, groups[i][1], NULL);
		cg_parse_blkio_v1(bytes, &st->blkio.service_bytes, &st->blkio.n_service_bytes);
		cg_parse_blkio_v1(ios, &st->blkio.serviced, &st->blkio.n_serviced);
		return;
	}
}

static void blkio_v2(const struct cg_hier *h, struct er_stats *st)
{
	_cleanup_free_ char *s = cg_read(h, "io.stat", NULL);

	cg_parse_io_stat(s, &st->blkio.service_bytes, &st->blkio.n_service_bytes,
			 &st->blkio.serviced, &st->blkio.n_serviced);
}

/* ---------------- hugetlb ---------------- */

static void hugetlb(const struct cg_hier *h, struct er_stats *st)
{
	_cleanup_strv_ char **sizes = cg_hugepage_sizes();
	size_t n = strv_len(sizes);

	if (!n)
		return;
	st->hugetlb = xcalloc(n, sizeof(*st->hugetlb));
	for (size_t i = 0; i < n; i++) {
		struct er_hugetlb_stat *e = &st->hugetlb[st->n_hugetlb];
		_cleanup_free_ char *usage = NULL, *max = NULL, *fail = NULL;

		if (h->v2) {
			usage = xasprintf("hugetlb.%s.current", sizes[i]);
			fail = xasprintf("hugetlb.%s.events", sizes[i]);
			if (!cg_has(h, usage))
				continue;
			e->usage = u64_or0(h, usage);
			e->failcnt = key_or0(h, fail, "max");
		} else {
			usage = xasprintf("hugetlb.%s.usage_in_bytes", sizes[i]);
			max = xasprintf("hugetlb.%s.max_usage_in_bytes", sizes[i]);
			fail = xasprintf("hugetlb.%s.failcnt", sizes[i]);
			if (!cg_has(h, usage))
				continue;
			e->usage = u64_or0(h, usage);
			e->max = u64_or0(h, max);
			e->failcnt = u64_or0(h, fail);
		}
		snprintf(e->pagesize, sizeof(e->pagesize), "%s", sizes[i]);
		st->n_hugetlb++;
	}
}

/* ---------------- all ---------------- */

static const struct cg_hier *present(const struct cgroup *cg, enum cg_ctrl c)
{
	const struct cg_hier *h = cg->by_ctrl[c];

	return h && h->fd >= 0 ? h : NULL;
}

int cgroup_stats(struct cgroup *cg, struct er_stats *st, struct er_error *err)
{
	const struct cg_hier *h;
	bool any = false;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < cg->n; i++)
		any |= cg->h[i].fd >= 0;
	if (!any)
		return er_set(err, ENOENT, "the container's cgroup does not exist");
	if (cg->mode == CGROUP_V2 && cg->v2->fd >= 0)
		cpu_v2(cg->v2, st);
	else
		cpu_v1(present(cg, CG_CPU), present(cg, CG_CPUACCT), st);
	if ((h = present(cg, CG_CPUSET)))
		cpuset(h, st);
	if ((h = present(cg, CG_MEMORY))) {
		if (h->v2)
			memory_v2(h, st);
		else
			memory_v1(h, st);
	}
	if ((h = present(cg, CG_PIDS))) {
		uint64_t limit = u64_or0(h, "pids.max");

		st->pids.current = u64_or0(h, "pids.current");
		st->pids.limit = limit == UINT64_MAX ? 0 : limit;
	}
	if ((h = present(cg, CG_BLKIO))) {
		if (h->v2)
			blkio_v2(h, st);
		else
			blkio_v1(h, st);
	}
	if ((h = present(cg, CG_HUGETLB)))
		hugetlb(h, st);
	return 0;
}
