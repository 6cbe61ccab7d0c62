/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `events`: the statistics of a container's cgroup and the JSON lines runc's `events`
 * prints ({"type":"stats","id":ID,"data":{...}} and {"type":"oom","id":ID}). The cgroup code
 * fills struct er_stats; this file's functions turn it into runc's JSON.
 */
#ifndef EDGERUN_SPECCONV_EVENTS_H
#define EDGERUN_SPECCONV_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct er_mem_entry {
	uint64_t limit, usage, max, failcnt; /* JSON: limit usage max failcnt */
};

struct er_blkio_entry {
	uint64_t major, minor;
	char op[16]; /* "Read", "Write", "Sync", "Async", "Discard", "Total" or "" */
	uint64_t value;
};

struct er_hugetlb_stat {
	char pagesize[16]; /* "2MB", "1GB" */
	uint64_t usage, max, failcnt;
};

struct er_stats_kv {
	char *key;
	uint64_t value;
};

struct er_stats {
	struct {
		uint64_t total, kernel, user; /* ns */
		uint64_t *percpu, *percpu_kernel, *percpu_user;
		size_t n_percpu, n_percpu_kernel, n_percpu_user;
		uint64_t periods, throttled_periods, throttled_time; /* "throttling" */
	} cpu;
	struct {
		bool present;
		uint16_t *cpus, *mems;
		size_t n_cpus, n_mems;
		uint64_t cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate,
			memory_spread_page, memory_spread_slab, memory_pressure, sched_load_balance;
		int64_t sched_relax_domain_level;
	} cpuset;
	struct {
		uint64_t cache;
		/* swap is memory+swap as v1 reports it (runc converts v2 the same way) */
		struct er_mem_entry usage, swap, kernel, kernel_tcp;
		bool use_hierarchy;
		struct er_stats_kv *raw; /* memory.stat */
		size_t n_raw;
	} memory;
	struct {
		uint64_t current, limit; /* limit 0 = no limit */
	} pids;
	struct {
		struct er_blkio_entry *service_bytes, *serviced; /* ...Recursive */
		size_t n_service_bytes, n_serviced;
	} blkio;
	struct er_hugetlb_stat *hugetlb;
	size_t n_hugetlb;
};

void er_stats_free(struct er_stats *st); /* frees members, zeroes; NULL members fine */

/* One event as runc prints it, compact, without a trailing newline (malloc'ed):
 *   {"type":"stats","id":"ID","data":{"cpu":{...},"memory":{...},"pids":{...},
 *    "blkio":{...},"hugetlb":{...}}}
 *   {"type":"oom","id":"ID"} */
char *events_stats_json(const char *id, const struct er_stats *st);
char *events_oom_json(const char *id);

#endif
