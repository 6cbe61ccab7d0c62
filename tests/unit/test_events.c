/* SPDX-License-Identifier: Apache-2.0 */
/* specconv/events.c: runc's `events` JSON (stats and oom), byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "specconv/events.h"
#include "tap.h"

/* memory.stat of the container below, in the kernel's order (runc sorts the keys). */
static const struct {
	const char *key;
	uint64_t value;
} memory_stat[] = {
	{"cache", 200704},
	{"rss", 110592},
	{"rss_huge", 0},
	{"shmem", 0},
	{"mapped_file", 135168},
	{"dirty", 0},
	{"writeback", 0},
	{"workingset_refault_anon", 0},
	{"workingset_refault_file", 49},
	{"swap", 0},
	{"swapcached", 0},
	{"pgpgin", 916},
	{"pgpgout", 822},
	{"pgfault", 1262},
	{"pgmajfault", 4},
	{"inactive_anon", 45056},
	{"active_anon", 4096},
	{"inactive_file", 0},
	{"active_file", 200704},
	{"unevictable", 0},
	{"hierarchical_memory_limit", 9223372036854771712},
	{"hierarchical_memsw_limit", 9223372036854771712},
	{"total_cache", 200704},
	{"total_rss", 110592},
	{"total_rss_huge", 0},
	{"total_shmem", 0},
	{"total_mapped_file", 135168},
	{"total_dirty", 0},
	{"total_writeback", 0},
	{"total_workingset_refault_anon", 0},
	{"total_workingset_refault_file", 49},
	{"total_swap", 0},
	{"total_swapcached", 0},
	{"total_pgpgin", 916},
	{"total_pgpgout", 822},
	{"total_pgfault", 1262},
	{"total_pgmajfault", 4},
	{"total_inactive_anon", 45056},
	{"total_active_anon", 4096},
	{"total_inactive_file", 0},
	{"total_active_file", 200704},
	{"total_unevictable", 0},
};

/* `runc events --stats` (runc 1.1.5, cgroup v1, a paused `sleep` after a cpu quota throttled
 * a busy loop and a direct read): the text the struct below must give. */
static const char runc_stats[] =
	"{\"type\":\"stats\",\"id\":\"spechelper-c1\","
	"\"data\":{\"cpu\":{\"usage\":{\"total\":249303361,\"percpu\":[230574217,18729144],"
	"\"percpu_kernel\":[20000000,12000000],\"percpu_user\":[220000000,8000000],"
	"\"kernel\":30000000,\"user\":210000000},\"throttling\":{\"periods\":21,"
	"\"throttledPeriods\":20,\"throttledTime\":1882547137}},\"cpuset\":{\"cpus\":[0,1],"
	"\"cpu_exclusive\":0,\"mems\":[0],\"mem_hardwall\":0,\"mem_exclusive\":0,"
	"\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
	"\"memory_pressure\":0,\"sched_load_balance\":1,\"sched_relax_domain_level\":-1},"
	"\"memory\":{\"cache\":200704,\"usage\":{\"limit\":9223372036854771712,"
	"\"usage\":671744,\"max\":2637824,\"failcnt\":0},"
	"\"swap\":{\"limit\":9223372036854771712,\"usage\":671744,\"max\":2637824,"
	"\"failcnt\":0},\"kernel\":{\"limit\":9223372036854771712,\"usage\":253952,"
	"\"max\":557056,\"failcnt\":0},\"kernelTCP\":{\"limit\":9223372036854771712,"
	"\"failcnt\":0},\"raw\":{\"active_anon\":4096,\"active_file\":200704,"
	"\"cache\":200704,\"dirty\":0,\"hierarchical_memory_limit\":9223372036854771712,"
	"\"hierarchical_memsw_limit\":9223372036854771712,\"inactive_anon\":45056,"
	"\"inactive_file\":0,\"mapped_file\":135168,\"pgfault\":1262,\"pgmajfault\":4,"
	"\"pgpgin\":916,\"pgpgout\":822,\"rss\":110592,\"rss_huge\":0,\"shmem\":0,\"swap\":0,"
	"\"swapcached\":0,\"total_active_anon\":4096,\"total_active_file\":200704,"
	"\"total_cache\":200704,\"total_dirty\":0,\"total_inactive_anon\":45056,"
	"\"total_inactive_file\":0,\"total_mapped_file\":135168,\"total_pgfault\":1262,"
	"\"total_pgmajfault\":4,\"total_pgpgin\":916,\"total_pgpgout\":822,"
	"\"total_rss\":110592,\"total_rss_huge\":0,\"total_shmem\":0,\"total_swap\":0,"
	"\"total_swapcached\":0,\"total_unevictable\":0,\"total_workingset_refault_anon\":0,"
	"\"total_workingset_refault_file\":49,\"total_writeback\":0,\"unevictable\":0,"
	"\"workingset_refault_anon\":0,\"workingset_refault_file\":49,\"writeback\":0}},"
	"\"pids\":{\"current\":1,\"limit\":50},"
	"\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":254,\"op\":\"Read\","
	"\"value\":200704},{\"major\":254,\"op\":\"Write\"},{\"major\":254,\"op\":\"Sync\","
	"\"value\":200704},{\"major\":254,\"op\":\"Async\"},{\"major\":254,"
	"\"op\":\"Discard\"},{\"major\":254,\"op\":\"Total\",\"value\":200704}],"
	"\"ioServicedRecursive\":[{\"major\":254,\"op\":\"Read\",\"value\":4},{\"major\":254,"
	"\"op\":\"Write\"},{\"major\":254,\"op\":\"Sync\",\"value\":4},{\"major\":254,"
	"\"op\":\"Async\"},{\"major\":254,\"op\":\"Discard\"},{\"major\":254,"
	"\"op\":\"Total\",\"value\":4}]},\"hugetlb\":{},\"intel_rdt\":{},"
	"\"network_interfaces\":null}}";

static struct er_blkio_entry blkio_rows(const char *op, uint64_t value)
{
	struct er_blkio_entry e = {.major = 254, .minor = 0, .value = value};

	snprintf(e.op, sizeof(e.op), "%s", op);
	return e;
}

/* The er_stats that cgroup_stats() reads for that container (allocated as it does). */
static void runc_sample(struct er_stats *st)
{
	static const char *const ops[] = {"Read", "Write", "Sync", "Async", "Discard", "Total"};
	static const uint64_t bytes[] = {200704, 0, 200704, 0, 0, 200704};
	static const uint64_t ios[] = {4, 0, 4, 0, 0, 4};
	const uint64_t unlimited = 9223372036854771712ULL;

	memset(st, 0, sizeof(*st));
	st->cpu.total = 249303361;
	st->cpu.kernel = 30000000;
	st->cpu.user = 210000000;
	st->cpu.percpu = xcalloc(2, sizeof(uint64_t));
	st->cpu.percpu[0] = 230574217;
	st->cpu.percpu[1] = 18729144;
	st->cpu.n_percpu = 2;
	st->cpu.percpu_kernel = xcalloc(2, sizeof(uint64_t));
	st->cpu.percpu_kernel[0] = 20000000;
	st->cpu.percpu_kernel[1] = 12000000;
	st->cpu.n_percpu_kernel = 2;
	st->cpu.percpu_user = xcalloc(2, sizeof(uint64_t));
	st->cpu.percpu_user[0] = 220000000;
	st->cpu.percpu_user[1] = 8000000;
	st->cpu.n_percpu_user = 2;
	st->cpu.periods = 21;
	st->cpu.throttled_periods = 20;
	st->cpu.throttled_time = 1882547137;

	st->cpuset.present = true;
	st->cpuset.cpus = xcalloc(2, sizeof(uint16_t));
	st->cpuset.cpus[1] = 1;
	st->cpuset.n_cpus = 2;
	st->cpuset.mems = xcalloc(1, sizeof(uint16_t));
	st->cpuset.n_mems = 1;
	st->cpuset.sched_load_balance = 1;
	st->cpuset.sched_relax_domain_level = -1;

	st->memory.cache = 200704;
	st->memory.usage = (struct er_mem_entry){unlimited, 671744, 2637824, 0};
	st->memory.swap = (struct er_mem_entry){unlimited, 671744, 2637824, 0};
	st->memory.kernel = (struct er_mem_entry){unlimited, 253952, 557056, 0};
	st->memory.kernel_tcp = (struct er_mem_entry){unlimited, 0, 0, 0};
	st->memory.use_hierarchy = true;
	st->memory.n_raw = ARRAY_SIZE(memory_stat);
	st->memory.raw = xcalloc(st->memory.n_raw, sizeof(*st->memory.raw));
	for (size_t i = 0; i < st->memory.n_raw; i++) {
		st->memory.raw[i].key = xstrdup(memory_stat[i].key);
		st->memory.raw[i].value = memory_stat[i].value;
	}

	st->pids.current = 1;
	st->pids.limit = 50;

	st->blkio.n_service_bytes = st->blkio.n_serviced = ARRAY_SIZE(ops);
	st->blkio.service_bytes = xcalloc(ARRAY_SIZE(ops), sizeof(struct er_blkio_entry));
	st->blkio.serviced = xcalloc(ARRAY_SIZE(ops), sizeof(struct er_blkio_entry));
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		st->blkio.service_bytes[i] = blkio_rows(ops[i], bytes[i]);
		st->blkio.serviced[i] = blkio_rows(ops[i], ios[i]);
	}
}

static void test_runc_stats(void)
{
	struct er_stats st;
	_cleanup_free_ char *json = NULL;

	runc_sample(&st);
	json = events_stats_json("spechelper-c1", &st);
	is_str(json, runc_stats, "stats: runc 1.1.5's text for the same values");
	er_stats_free(&st);
	ok(!st.memory.raw && !st.cpu.percpu && !st.blkio.serviced && !st.memory.n_raw,
	   "er_stats_free frees and zeroes");
	er_stats_free(&st); /* twice is harmless */
	ok(1, "er_stats_free twice");
}

/* All zero: every omitempty member goes, structs and the always-present members stay. */
static const char empty_stats[] =
	"{\"type\":\"stats\",\"id\":\"z\",\"data\":{"
	"\"cpu\":{\"usage\":{\"kernel\":0,\"user\":0},\"throttling\":{}},"
	"\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
	"\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
	"\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0},"
	"\"memory\":{\"usage\":{\"limit\":0,\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},"
	"\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
	"\"pids\":{},\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}";

static void test_omitempty(void)
{
	struct er_stats st = {0};
	_cleanup_free_ char *empty = events_stats_json("z", &st);
	_cleanup_free_ char *some = NULL;
	struct er_hugetlb_stat huge[] = {
		{.pagesize = "2MB", .usage = 4194304, .max = 6291456, .failcnt = 2},
		{.pagesize = "1GB"},
	};
	struct er_blkio_entry rows[] = {{.major = 8, .minor = 16, .op = "Read", .value = 7},
					{.op = ""}};

	is_str(empty, empty_stats, "stats: all zero, omitempty members left out");

	st.cpu.throttled_time = 5;
	st.cpu.total = 9;
	st.memory.swap = (struct er_mem_entry){.limit = 1, .usage = 0, .max = 3, .failcnt = 0};
	st.pids.limit = 10;
	st.blkio.serviced = rows;
	st.blkio.n_serviced = ARRAY_SIZE(rows);
	st.hugetlb = huge;
	st.n_hugetlb = ARRAY_SIZE(huge);
	some = events_stats_json("z", &st);
	ok(strstr(some, "\"cpu\":{\"usage\":{\"total\":9,\"kernel\":0,\"user\":0},"
			"\"throttling\":{\"throttledTime\":5}}") != NULL,
	   "stats: cpu total and one throttling member");
	ok(strstr(some, "\"swap\":{\"limit\":1,\"max\":3,\"failcnt\":0}") != NULL,
	   "stats: memory entry without usage");
	ok(strstr(some, "\"pids\":{\"limit\":10}") != NULL, "stats: pids limit without current");
	ok(strstr(some, "\"blkio\":{\"ioServicedRecursive\":[{\"major\":8,\"minor\":16,"
			"\"op\":\"Read\",\"value\":7},{}]}") != NULL,
	   "stats: blkio, only the non-empty list, zero members left out");
	ok(strstr(some, "\"hugetlb\":{\"1GB\":{\"failcnt\":0},"
			"\"2MB\":{\"usage\":4194304,\"max\":6291456,\"failcnt\":2}}") != NULL,
	   "stats: hugetlb sorted by page size, usage/max omitempty, failcnt always");
}

static void test_map_order(void)
{
	struct er_stats_kv raw[] = {{"b", 2}, {"a", 1}, {"B", 3}, {"a_b", 4}, {"a", 5}};
	struct er_stats st = {.memory = {.raw = raw, .n_raw = ARRAY_SIZE(raw)}};
	_cleanup_free_ char *json = events_stats_json("m", &st);

	ok(strstr(json, "\"raw\":{\"B\":3,\"a\":5,\"a_b\":4,\"b\":2}}") != NULL,
	   "stats: raw keys sorted bytewise, a repeated key once (last value)");
}

static void test_oom_and_strings(void)
{
	_cleanup_free_ char *oom = events_oom_json("web-1");
	_cleanup_free_ char *odd = events_oom_json("a\"b\\c<d>&e\n\t\x01/\xe2\x80\xa8\xc3\xa9\xff");
	_cleanup_free_ char *null_id = events_oom_json(NULL);

	is_str(oom, "{\"type\":\"oom\",\"id\":\"web-1\"}", "oom: runc's event, no data");
	is_str(odd,
	       "{\"type\":\"oom\",\"id\":\"a\\\"b\\\\c\\u003cd\\u003e\\u0026e\\n\\t\\u0001/"
	       "\\u2028\xc3\xa9\\ufffd\"}",
	       "strings escaped as Go does (HTML, U+2028, invalid UTF-8)");
	is_str(null_id, "{\"type\":\"oom\",\"id\":\"\"}", "oom: NULL id prints as \"\"");
}

int main(void)
{
	test_runc_stats();
	test_omitempty();
	test_map_order();
	test_oom_and_strings();
	return done_testing();
}
