/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v2 ops (the cgroup2 tree of a v2 host, or of a hybrid host for the controllers v1
 * does not serve), from the kernel's cgroup-v2 documentation and runc/crun's mappings:
 *
 *   cpu.shares         -> cpu.weight (runc's conversion)    memory.limit -> memory.max
 *   cpu.quota/period   -> cpu.max "QUOTA PERIOD"             memory.reservation -> memory.low
 *   cpu.burst          -> cpu.max.burst                      memory.swap -> memory.swap.max
 *   cpu.cpus/mems      -> cpuset.cpus / cpuset.mems                        (= swap - limit)
 *   pids.limit         -> pids.max                           hugepageLimits -> hugetlb.S.max
 *   blockIO.weight     -> io.bfq.weight, else io.weight (runc's conversion)
 *   blockIO.throttle*  -> io.max "MAJ:MIN rbps=N"            rdma -> rdma.max
 *   devices            -> BPF_PROG_TYPE_CGROUP_DEVICE        unified -> the named files
 *   freezer            -> cgroup.freeze, waiting for "frozen 1" in cgroup.events
 *
 * A controller is enabled in the ancestors' cgroup.subtree_control the first time it is
 * needed (cg_v2_enable).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"

static int enable(struct cg_hier *h, const char *ctrl, const char *what, struct er_error *err)
{
	if (cg_v2_enable(h, ctrl, err) < 0)
		return er_prefix(err, "%s", what);
	return 0;
}

static int write_num(struct cg_hier *h, const char *file, int64_t v, const char *what,
		     struct er_error *err)
{
	char buf[32];

	return cg_write(h, file, cg_limit_str(v, buf, sizeof(buf)), what, err);
}

/* ---------------- memory ---------------- */

static int swap_max(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	int64_t mem = r->has_mem_limit ? r->mem_limit : 0, out;

	if (!r->has_mem_swap || r->mem_swap == 0) {
		if (mem != -1)
			return 0;
	} else if (!r->has_mem_limit) {
		/* update of the swap alone: convert against the limit in force */
		uint64_t cur;

		if (cg_read_u64(h, "memory.max", &cur, err) < 0)
			return -1;
		mem = cur == UINT64_MAX ? -1 : (int64_t)cur;
	}
	if (cg_swap_to_v2(r->has_mem_swap ? r->mem_swap : 0, mem, &out, err) < 0)
		return er_prefix(err, "linux.resources.memory.swap");
	/* out == 0 with a swap given: memory == memory+swap, i.e. no swap at all */
	if (out == 0 && !(r->has_mem_swap && r->mem_swap > 0))
		return 0;
	if (out == -1 && !cg_has(h, "memory.swap.max"))
		return 0; /* no swap accounting: unlimited is what there is */
	return write_num(h, "memory.swap.max", out, "linux.resources.memory.swap", err);
}

static void ignored(bool set, const char *what)
{
	if (set)
		er_warn("%s is ignored on cgroup v2", what);
}

static int v2_memory(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (enable(h, "memory", "linux.resources.memory", err) < 0)
		return -1;
	if (r->has_mem_check_before_update && r->mem_check_before_update && r->has_mem_limit &&
	    r->mem_limit > 0) {
		uint64_t usage;

		if (cg_read_u64(h, "memory.current", &usage, err) < 0)
			return -1;
		if (usage > (uint64_t)r->mem_limit)
			return er_set(
				err, 0,
				"linux.resources.memory.limit: rejecting memory limit %" PRId64
				" below the current usage %" PRIu64,
				r->mem_limit, usage);
	}
	if (swap_max(h, r, err) < 0)
		return -1;
	if (r->has_mem_limit && r->mem_limit != 0 &&
	    write_num(h, "memory.max", r->mem_limit, "linux.resources.memory.limit", err) < 0)
		return -1;
	if (r->has_mem_reservation && r->mem_reservation != 0 &&
	    write_num(h, "memory.low", r->mem_reservation, "linux.resources.memory.reservation",
		      err) < 0)
		return -1;
	ignored(r->has_mem_kernel, "linux.resources.memory.kernel");
	ignored(r->has_mem_kernel_tcp, "linux.resources.memory.kernelTCP");
	ignored(r->has_mem_swappiness, "linux.resources.memory.swappiness");
	ignored(r->has_mem_disable_oom_killer && r->mem_disable_oom_killer,
		"linux.resources.memory.disableOOMKiller");
	ignored(r->has_mem_use_hierarchy && !r->mem_use_hierarchy,
		"linux.resources.memory.useHierarchy=false (v2 is always hierarchical)");
	return 0;
}

/* ---------------- cpu ---------------- */

static int v2_cpu(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if ((r->has_cpu_rt_runtime && r->cpu_rt_runtime != 0) ||
	    (r->has_cpu_rt_period && r->cpu_rt_period != 0))
		return er_set(err, 0,
			      "linux.resources.cpu.realtimeRuntime/realtimePeriod: realtime "
			      "scheduling groups do not exist in cgroup v2");
	if (enable(h, "cpu", "linux.resources.cpu", err) < 0)
		return -1;
	if (r->has_cpu_shares && r->cpu_shares != 0) {
		char buf[24];

		snprintf(buf, sizeof(buf), "%" PRIu64, cg_shares_to_weight(r->cpu_shares));
		if (cg_write(h, "cpu.weight", buf, "linux.resources.cpu.shares", err) < 0)
			return -1;
	}
	if (r->has_cpu_quota || r->has_cpu_period) {
		_cleanup_free_ char *cur = r->has_cpu_quota ? NULL : cg_read(h, "cpu.max", NULL);
		_cleanup_free_ char *v = cg_cpu_max(r->has_cpu_quota, r->cpu_quota,
						    r->has_cpu_period, r->cpu_period, cur);

		if (cg_write(h, "cpu.max", v, "linux.resources.cpu.quota/period", err) < 0)
			return -1;
	}
	if (r->has_cpu_burst) {
		char buf[24];

		snprintf(buf, sizeof(buf), "%" PRIu64, r->cpu_burst);
		if (cg_write(h, "cpu.max.burst", buf, "linux.resources.cpu.burst", err) < 0)
			return -1;
	}
	if (r->has_cpu_idle) {
		char buf[24];

		snprintf(buf, sizeof(buf), "%" PRId64, r->cpu_idle);
		if (cg_write(h, "cpu.idle", buf, "linux.resources.cpu.idle", err) < 0)
			return -1;
	}
	return 0;
}

static int v2_cpuset(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (enable(h, "cpuset", "linux.resources.cpu", err) < 0)
		return -1;
	return cg_write_cpuset(h, r, err);
}

static int v2_pids(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (enable(h, "pids", "linux.resources.pids", err) < 0)
		return -1;
	return write_num(h, "pids.max", r->pids_limit > 0 ? r->pids_limit : -1,
			 "linux.resources.pids.limit", err);
}

/* ---------------- io ---------------- */

/* io.bfq.weight takes "MAJ:MIN W" lines since 5.4; before, it shows a single number. */
static bool bfq_per_device(struct cg_hier *h)
{
	_cleanup_free_ char *s = cg_read(h, "io.bfq.weight", NULL);
	uint64_t v;

	return s && parse_u64(s, &v) < 0;
}

static int io_max(struct cg_hier *h, const char *key, const struct spec_throttle *t, size_t n,
		  const char *what, struct er_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[96];

		if (t[i].rate)
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
				 t[i].major, t[i].minor, key, t[i].rate);
		else
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=max", t[i].major,
				 t[i].minor, key);
		if (cg_write(h, "io.max", buf, what, err) < 0)
			return -1;
	}
	return 0;
}

static int io_weights(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	bool bfq = cg_has(h, "io.bfq.weight"), per_dev = bfq && bfq_per_device(h);
	char buf[64];

	if (r->has_blkio_weight) {
		uint64_t w = bfq ? r->blkio_weight : cg_blkio_to_io_weight(r->blkio_weight);

		snprintf(buf, sizeof(buf), "%" PRIu64, w);
		if (cg_write(h, bfq ? "io.bfq.weight" : "io.weight", buf,
			     "linux.resources.blockIO.weight", err) < 0)
			return -1;
	}
	ignored(r->has_blkio_leaf_weight, "linux.resources.blockIO.leafWeight");
	for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
		const struct spec_weight_device *d = &r->blkio_weight_devices[i];

		ignored(d->has_leaf_weight, "linux.resources.blockIO.weightDevice.leafWeight");
		if (!d->has_weight)
			continue;
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
			 per_dev ? d->weight : cg_blkio_to_io_weight(d->weight));
		if (cg_write(h, per_dev ? "io.bfq.weight" : "io.weight", buf,
			     "linux.resources.blockIO.weightDevice", err) < 0)
			return -1;
	}
	return 0;
}

static int v2_io(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (enable(h, "io", "linux.resources.blockIO", err) < 0)
		return -1;
	if (io_weights(h, r, err) < 0)
		return -1;
	if (io_max(h, "rbps", r->throttle_read_bps, r->n_throttle_read_bps,
		   "linux.resources.blockIO.throttleReadBpsDevice", err) < 0 ||
	    io_max(h, "wbps", r->throttle_write_bps, r->n_throttle_write_bps,
		   "linux.resources.blockIO.throttleWriteBpsDevice", err) < 0 ||
	    io_max(h, "riops", r->throttle_read_iops, r->n_throttle_read_iops,
		   "linux.resources.blockIO.throttleReadIOPSDevice", err) < 0 ||
	    io_max(h, "wiops", r->throttle_write_iops, r->n_throttle_write_iops,
		   "linux.resources.blockIO.throttleWriteIOPSDevice", err) < 0)
		return -1;
	return 0;
}

/* ---------------- hugetlb, rdma, network ---------------- */

static int v2_hugetlb(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (enable(h, "hugetlb", "linux.resources.hugepageLimits", err) < 0)
		return -1;
	return cg_hugetlb_apply(h, r, "max", "rsvd.max", err);
}

static int v2_rdma(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (enable(h, "rdma", "linux.resources.rdma", err) < 0)
		return -1;
	return cg_rdma_apply(h, r, err);
}

static int v2_network(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	(void)h;
	(void)r;
	return er_set(err, 0, "linux.resources.network: no net_cls/net_prio in cgroup v2");
}

/* ---------------- devices ---------------- */

static int v2_devices(struct cg_hier *h, const struct spec_device_rule *rules, size_t n,
		      struct er_error *err)
{
	struct cg_dev_emu e;
	int ret;

	if (cg_dev_emu_from_spec(&e, rules, n, err) < 0)
		return -1;
	ret = cg_bpf_devices_attach(h->fd, &e, err);
	cg_dev_emu_free(&e);
	if (ret < 0)
		return er_prefix(err, "linux.resources.devices: `%s`", h->dir);
	return 0;
}

/* ---------------- freezer ---------------- */

/* -1 unknown, else the "frozen" value of cgroup.events */
static int events_frozen(int fd)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	const char *p;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "frozen ");
	return p ? p[7] == '1' : -1;
}

static int wait_frozen(struct cg_hier *h, bool want, int timeout_ms, struct er_error *err)
{
	_cleanup_close_ int fd = openat(h->fd, "cgroup.events", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return er_set(err, errno, "open `%s/cgroup.events`", h->dir);
	/* cgroup.events signals POLLPRI on change; the poll timeout bounds each wait */
	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		struct pollfd p = {.fd = fd, .events = POLLPRI};
		int f = events_frozen(fd);

		if (f < 0)
			return er_set(err, errno ? errno : EIO, "read `%s/cgroup.events`", h->dir);
		if (f == want)
			return 0;
		poll(&p, 1, 10);
	}
	return er_set(err, ETIMEDOUT, "`%s` did not become %s", h->dir, want ? "frozen" : "thawed");
}

static int v2_freeze(struct cg_hier *h, bool frozen, struct er_error *err)
{
	const char *what = frozen ? "pause" : "resume";

	if (!cg_has(h, "cgroup.freeze"))
		return er_set(err, ENOTSUP, "%s: no cgroup.freeze (kernel older than 5.2)", what);
	if (cg_write(h, "cgroup.freeze", frozen ? "1" : "0", what, err) < 0)
		return -1;
	if (wait_frozen(h, frozen, 10000, err) < 0) {
		if (frozen)
			cg_write(h, "cgroup.freeze", "0", what, NULL);
		return er_prefix(err, "%s", what);
	}
	return 0;
}

static int v2_freezer_state(struct cg_hier *h, enum cgroup_freezer *st, struct er_error *err)
{
	_cleanup_free_ char *s = NULL;

	if (!cg_has(h, "cgroup.freeze")) {
		*st = CGROUP_FREEZER_UNDEFINED;
		return 0;
	}
	s = cg_read(h, "cgroup.freeze", err);
	if (!s)
		return -1;
	if (strcmp(s, "1") != 0) {
		*st = CGROUP_THAWED;
		return 0;
	}
	/* being frozen counts as frozen; give it a moment to settle */
	wait_frozen(h, true, 1000, NULL);
	*st = CGROUP_FROZEN;
	return 0;
}

/* ---------------- OOM ---------------- */

static void oom_counters(struct cgroup_oom *o, uint64_t *kill, uint64_t *oom)
{
	struct cg_hier h = {.dir = (char *)"", .fd = o->dirfd};

	*kill = *oom = 0;
	cg_read_key(&h, "memory.events", "oom_kill", kill);
	cg_read_key(&h, "memory.events", "oom", oom);
}

static int v2_oom_open(struct cg_hier *h, struct cgroup_oom *o, struct er_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/memory.events", h->dir);

	if (enable(h, "memory", "oom notification", err) < 0)
		return -1;
	o->dirfd = fcntl(h->fd, F_DUPFD_CLOEXEC, 3);
	if (o->dirfd < 0)
		return er_set(err, errno, "oom notification: dup");
	o->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (o->fd < 0)
		return er_set(err, errno, "oom notification: inotify");
	if (inotify_add_watch(o->fd, path, IN_MODIFY) < 0)
		return er_set(err, errno, "oom notification: watch `%s`", path);
	oom_counters(o, &o->last_kill, &o->last_oom);
	return 0;
}

static int v2_oom_read(struct cgroup_oom *o, uint64_t *count, bool *gone, struct er_error *err)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	uint64_t kill, oom;

	for (;;) { /* drain */
		ssize_t n = read(o->fd, buf, sizeof(buf));

		if (n > 0)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return er_set(err, errno, "oom notification: read");
		break;
	}
	if (faccessat(o->dirfd, "memory.events", F_OK, 0) < 0 && errno == ENOENT) {
		*gone = true;
		return 0;
	}
	oom_counters(o, &kill, &oom);
	if (kill > o->last_kill)
		*count = kill - o->last_kill;
	else if (oom > o->last_oom)
		*count = oom - o->last_oom;
	o->last_kill = kill;
	o->last_oom = oom;
	return 0;
}

/* ---------------- unified ---------------- */

int cg_v2_unified(struct cgroup *cg, const struct spec_resources *r, struct er_error *err)
{
	struct cg_hier *h = cg->v2;

	if (!h || h->fd < 0)
		return er_set(err, ENOENT, "linux.resources.unified: no cgroup2 tree");
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *key = r->unified[i].key;
		size_t plen = strcspn(key, ".");
		_cleanup_free_ char *prefix = xstrndup(key, plen), *what = NULL;
		int c;

		what = xasprintf("linux.resources.unified `%s`", key);
		if (!*key || strchr(key, '/') || !key[plen] || strcmp(key, "..") == 0)
			return er_set(err, 0, "%s: not a cgroup file name", what);
		c = cg_ctrl_from_name(prefix, true);
		if (c >= 0 && cg->by_ctrl[c] != h)
			return er_set(err, 0,
				      "%s: the %s controller is not served by cgroup v2 here", what,
				      prefix);
		if (c >= 0 && c != CG_FREEZER && c != CG_DEVICES &&
		    enable(h, prefix, what, err) < 0)
			return -1;
		if (cg_write(h, key, r->unified[i].value, what, err) < 0)
			return -1;
	}
	return 0;
}

const struct cg_ops cg_v2_ops = {
	.memory = v2_memory,
	.cpu = v2_cpu,
	.cpuset = v2_cpuset,
	.pids = v2_pids,
	.blkio = v2_io,
	.hugetlb = v2_hugetlb,
	.net_cls = v2_network,
	.net_prio = v2_network,
	.rdma = v2_rdma,
	.devices = v2_devices,
	.freeze = v2_freeze,
	.freezer_state = v2_freezer_state,
	.oom_open = v2_oom_open,
	.oom_read = v2_oom_read,
};
