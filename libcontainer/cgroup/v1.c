/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup v1 ops: every linux.resources field mapped to its v1 file as runc's fs driver
 * does, the freezer.state dance, and OOM notification through cgroup.event_control.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"

static void sleep_ns(long ns)
{
	nanosleep(&(struct timespec){ns / 1000000000L, ns % 1000000000L}, NULL);
}

static int write_i64(struct cg_hier *h, const char *file, int64_t v, const char *what,
		     struct er_error *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_write(h, file, buf, what, err);
}

static int write_u64(struct cg_hier *h, const char *file, uint64_t v, const char *what,
		     struct er_error *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cg_write(h, file, buf, what, err);
}

/* ---------------- memory ---------------- */

static int check_usage(struct cg_hier *h, const char *file, int64_t limit, struct er_error *err)
{
	uint64_t usage;

	if (limit <= 0 || cg_read_u64(h, file, &usage, err) < 0)
		return limit <= 0 ? 0 : -1;
	if (usage > (uint64_t)limit)
		return er_set(err, 0,
			      "linux.resources.memory.limit: rejecting memory limit %" PRId64
			      " below the current usage %" PRIu64,
			      limit, usage);
	return 0;
}

static int set_limit(struct cg_hier *h, int64_t v, struct er_error *err)
{
	uint64_t usage = 0, peak = 0;

	if (v == 0)
		return 0;
	if (write_i64(h, "memory.limit_in_bytes", v, "linux.resources.memory.limit", err) == 0)
		return 0;
	if (err && err->errnum != EBUSY)
		return -1;
	/* EBUSY: below what the cgroup uses now */
	cg_read_u64(h, "memory.usage_in_bytes", &usage, NULL);
	cg_read_u64(h, "memory.max_usage_in_bytes", &peak, NULL);
	return er_prefix(err,
			 "unable to set memory limit to %" PRId64 " (current usage: %" PRIu64
			 ", peak usage: %" PRIu64 ")",
			 v, usage, peak);
}

static int set_swap(struct cg_hier *h, int64_t v, struct er_error *err)
{
	if (v == 0)
		return 0;
	return write_i64(h, "memory.memsw.limit_in_bytes", v, "linux.resources.memory.swap", err);
}

static int memory_and_swap(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	int64_t mem = r->has_mem_limit ? r->mem_limit : 0;
	int64_t swap = r->has_mem_swap ? r->mem_swap : 0;
	uint64_t cur;

	/* unlimited memory without a swap value means unlimited swap (if accounted) */
	if (mem == -1 && swap == 0 && cg_has(h, "memory.memsw.limit_in_bytes"))
		swap = -1;
	/* the kernel wants memory <= memory+swap at every step: order the two writes */
	if (mem != 0 && swap != 0) {
		if (cg_read_u64(h, "memory.limit_in_bytes", &cur, err) < 0)
			return -1;
		if (swap == -1 || cur < (uint64_t)swap) {
			if (set_swap(h, swap, err) < 0 || set_limit(h, mem, err) < 0)
				return -1;
			return 0;
		}
	}
	if (set_limit(h, mem, err) < 0 || set_swap(h, swap, err) < 0)
		return -1;
	return 0;
}

static int v1_memory(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (r->has_mem_check_before_update && r->mem_check_before_update && r->has_mem_limit &&
	    check_usage(h, "memory.usage_in_bytes", r->mem_limit, err) < 0)
		return -1;
	if (memory_and_swap(h, r, err) < 0)
		return -1;
	if (r->has_mem_kernel)
		er_warn("linux.resources.memory.kernel is ignored (kernel memory limits are "
			"deprecated and gone from recent kernels)");
	if (r->has_mem_kernel_tcp &&
	    write_i64(h, "memory.kmem.tcp.limit_in_bytes", r->mem_kernel_tcp,
		      "linux.resources.memory.kernelTCP", err) < 0)
		return -1;
	if (r->has_mem_reservation && write_i64(h, "memory.soft_limit_in_bytes", r->mem_reservation,
						"linux.resources.memory.reservation", err) < 0)
		return -1;
	if (r->has_mem_disable_oom_killer &&
	    cg_write(h, "memory.oom_control", r->mem_disable_oom_killer ? "1" : "0",
		     "linux.resources.memory.disableOOMKiller", err) < 0)
		return -1;
	if (r->has_mem_swappiness) {
		if (r->mem_swappiness > 100)
			return er_set(err, 0,
				      "linux.resources.memory.swappiness: invalid value %" PRIu64
				      ", the valid range is 0-100",
				      r->mem_swappiness);
		if (write_u64(h, "memory.swappiness", r->mem_swappiness,
			      "linux.resources.memory.swappiness", err) < 0)
			return -1;
	}
	if (r->has_mem_use_hierarchy &&
	    cg_write(h, "memory.use_hierarchy", r->mem_use_hierarchy ? "1" : "0",
		     "linux.resources.memory.useHierarchy", err) < 0)
		return -1;
	return 0;
}

/* ---------------- cpu ---------------- */

static int cfs(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	bool period_pending = false;

	if (r->has_cpu_period) {
		struct er_error e = ER_ERROR_INIT;

		if (write_u64(h, "cpu.cfs_period_us", r->cpu_period, "linux.resources.cpu.period",
			      &e) < 0) {
			/* a smaller period can be refused until the quota is lowered too */
			if (e.errnum != EINVAL || !r->has_cpu_quota) {
				er_set(err, e.errnum, "%s", e.msg);
				er_clear(&e);
				return -1;
			}
			period_pending = true;
		}
		er_clear(&e);
	}
	if (r->has_cpu_quota &&
	    write_i64(h, "cpu.cfs_quota_us", r->cpu_quota > 0 ? r->cpu_quota : -1,
		      "linux.resources.cpu.quota", err) < 0)
		return -1;
	if (period_pending &&
	    write_u64(h, "cpu.cfs_period_us", r->cpu_period, "linux.resources.cpu.period", err) < 0)
		return -1;
	if (r->has_cpu_burst &&
	    write_u64(h, "cpu.cfs_burst_us", r->cpu_burst, "linux.resources.cpu.burst", err) < 0)
		return -1;
	return 0;
}

static int v1_cpu(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (r->has_cpu_shares) {
		uint64_t got;

		if (write_u64(h, "cpu.shares", r->cpu_shares, "linux.resources.cpu.shares", err) <
		    0)
			return -1;
		/* the kernel clamps silently; say so as runc does */
		if (cg_read_u64(h, "cpu.shares", &got, err) < 0)
			return -1;
		if (got != r->cpu_shares)
			return er_set(err, 0,
				      "linux.resources.cpu.shares: the kernel set %" PRIu64
				      " instead of %" PRIu64 " (the range is 2-262144)",
				      got, r->cpu_shares);
	}
	if (cfs(h, r, err) < 0)
		return -1;
	/* realtime: period before runtime, as the runtime must fit the period */
	if (r->has_cpu_rt_period && write_u64(h, "cpu.rt_period_us", r->cpu_rt_period,
					      "linux.resources.cpu.realtimePeriod", err) < 0)
		return -1;
	if (r->has_cpu_rt_runtime && write_i64(h, "cpu.rt_runtime_us", r->cpu_rt_runtime,
					       "linux.resources.cpu.realtimeRuntime", err) < 0)
		return -1;
	if (r->has_cpu_idle &&
	    write_i64(h, "cpu.idle", r->cpu_idle, "linux.resources.cpu.idle", err) < 0)
		return -1;
	return 0;
}

static int v1_cpuset(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	return cg_write_cpuset(h, r, err);
}

/* ---------------- pids ---------------- */

static int v1_pids(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	char buf[32];

	return cg_write(h, "pids.max",
			cg_limit_str(r->pids_limit > 0 ? r->pids_limit : -1, buf, sizeof(buf)),
			"linux.resources.pids.limit", err);
}

/* ---------------- blkio ---------------- */

/* blkio.weight is CFQ's and gone with it; BFQ offers blkio.bfq.weight. */
static const char *weight_file(struct cg_hier *h, const char *plain, const char *bfq)
{
	if (cg_has(h, plain))
		return plain;
	if (cg_has(h, bfq))
		return bfq;
	return NULL;
}

static int throttle(struct cg_hier *h, const char *file, const struct spec_throttle *t, size_t n,
		    const char *what, struct er_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[80];

		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major,
			 t[i].minor, t[i].rate);
		if (cg_write(h, file, buf, what, err) < 0)
			return -1;
	}
	return 0;
}

static int weight_devices(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	const char *wf = weight_file(h, "blkio.weight_device", "blkio.bfq.weight_device");

	for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
		const struct spec_weight_device *d = &r->blkio_weight_devices[i];
		char buf[64];

		if (d->has_weight) {
			if (!wf)
				return er_set(err, ENOENT,
					      "linux.resources.blockIO.weightDevice: neither "
					      "`blkio.weight_device` nor `blkio.bfq.weight_device` "
					      "exists in `%s`",
					      h->dir);
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
				 d->weight);
			if (cg_write(h, wf, buf, "linux.resources.blockIO.weightDevice", err) < 0)
				return -1;
		}
		if (d->has_leaf_weight) {
			snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
				 d->leaf_weight);
			if (cg_write(h, "blkio.leaf_weight_device", buf,
				     "linux.resources.blockIO.weightDevice.leafWeight", err) < 0)
				return -1;
		}
	}
	return 0;
}

static int v1_blkio(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (r->has_blkio_weight) {
		const char *f = weight_file(h, "blkio.weight", "blkio.bfq.weight");

		if (!f)
			return er_set(err, ENOENT,
				      "linux.resources.blockIO.weight: neither `blkio.weight` nor "
				      "`blkio.bfq.weight` exists in `%s` (no CFQ or BFQ I/O "
				      "scheduler)",
				      h->dir);
		if (write_u64(h, f, r->blkio_weight, "linux.resources.blockIO.weight", err) < 0)
			return -1;
	}
	if (r->has_blkio_leaf_weight && write_u64(h, "blkio.leaf_weight", r->blkio_leaf_weight,
						  "linux.resources.blockIO.leafWeight", err) < 0)
		return -1;
	if (weight_devices(h, r, err) < 0)
		return -1;
	if (throttle(h, "blkio.throttle.read_bps_device", r->throttle_read_bps,
		     r->n_throttle_read_bps, "linux.resources.blockIO.throttleReadBpsDevice",
		     err) < 0 ||
	    throttle(h, "blkio.throttle.write_bps_device", r->throttle_write_bps,
		     r->n_throttle_write_bps, "linux.resources.blockIO.throttleWriteBpsDevice",
		     err) < 0 ||
	    throttle(h, "blkio.throttle.read_iops_device", r->throttle_read_iops,
		     r->n_throttle_read_iops, "linux.resources.blockIO.throttleReadIOPSDevice",
		     err) < 0 ||
	    throttle(h, "blkio.throttle.write_iops_device", r->throttle_write_iops,
		     r->n_throttle_write_iops, "linux.resources.blockIO.throttleWriteIOPSDevice",
		     err) < 0)
		return -1;
	return 0;
}

/* ---------------- hugetlb, network, rdma ---------------- */

int cg_hugetlb_apply(struct cg_hier *h, const struct spec_resources *r, const char *suffix,
		     const char *rsvd_suffix, struct er_error *err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct spec_kv *kv = &r->hugepage_limits[i];
		_cleanup_free_ char *file = NULL, *rsvd = NULL;
		uint64_t v;

		if (cg_hugepage_size_check(kv->key, err) < 0)
			return -1;
		if (parse_u64(kv->value, &v) < 0)
			return er_set(err, 0, "linux.resources.hugepageLimits: invalid limit `%s`",
				      kv->value);
		file = xasprintf("hugetlb.%s.%s", kv->key, suffix);
		if (cg_write(h, file, kv->value, "linux.resources.hugepageLimits", err) < 0)
			return -1;
		/* newer kernels also limit reservations; keep them in step as runc does */
		rsvd = xasprintf("hugetlb.%s.%s", kv->key, rsvd_suffix);
		if (cg_has(h, rsvd) &&
		    cg_write(h, rsvd, kv->value, "linux.resources.hugepageLimits", err) < 0)
			return -1;
	}
	return 0;
}

static int v1_hugetlb(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	return cg_hugetlb_apply(h, r, "limit_in_bytes", "rsvd.limit_in_bytes", err);
}

static int v1_net_cls(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	return write_u64(h, "net_cls.classid", r->net_class_id, "linux.resources.network.classID",
			 err);
}

static int v1_net_prio(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	for (size_t i = 0; i < r->n_net_priorities; i++) {
		_cleanup_free_ char *v =
			xasprintf("%s %s", r->net_priorities[i].key, r->net_priorities[i].value);

		if (cg_write(h, "net_prio.ifpriomap", v, "linux.resources.network.priorities",
			     err) < 0)
			return -1;
	}
	return 0;
}

int cg_rdma_apply(struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct spec_rdma *d = &r->rdma[i];
		char handles[40] = "", objects[40] = "";
		_cleanup_free_ char *v = NULL;

		if (!d->has_hca_handles && !d->has_hca_objects)
			continue;
		if (d->has_hca_handles)
			snprintf(handles, sizeof(handles), " hca_handle=%u", d->hca_handles);
		if (d->has_hca_objects)
			snprintf(objects, sizeof(objects), " hca_object=%u", d->hca_objects);
		v = xasprintf("%s%s%s", d->device, handles, objects);
		if (cg_write(h, "rdma.max", v, "linux.resources.rdma", err) < 0)
			return -1;
	}
	return 0;
}

/* ---------------- devices ---------------- */

static int v1_devices(struct cg_hier *h, const struct spec_device_rule *rules, size_t n,
		      struct er_error *err)
{
	struct cg_dev_emu want, cur, now;
	_cleanup_free_ struct cg_dev_rule *tr = NULL;
	_cleanup_free_ char *list = NULL, *after = NULL;
	size_t nt = 0;
	int ret = -1;

	if (cg_dev_emu_from_spec(&want, rules, n, err) < 0)
		return -1;
	list = cg_read(h, "devices.list", err);
	if (!list || cg_dev_emu_from_list(&cur, list, err) < 0) {
		cg_dev_emu_free(&want);
		return er_prefix(err, "linux.resources.devices");
	}
	cg_dev_transition(&cur, &want, &tr, &nt);
	for (size_t i = 0; i < nt; i++) {
		char buf[64];

		cg_dev_rule_str(&tr[i], buf, sizeof(buf));
		er_debug("devices: %s %s", tr[i].allow ? "allow" : "deny", buf);
		if (cg_write(h, tr[i].allow ? "devices.allow" : "devices.deny", buf,
			     "linux.resources.devices", err) < 0)
			goto out;
	}
	/* an allow-list must read back as written (a parent may not allow as much) */
	after = cg_read(h, "devices.list", err);
	if (!after || cg_dev_emu_from_list(&now, after, err) < 0) {
		er_prefix(err, "linux.resources.devices");
		goto out;
	}
	if (!want.default_allow && !cg_dev_emu_equal(&now, &want))
		er_set(err, 0,
		       "linux.resources.devices: `%s/devices.list` does not match the rules (does "
		       "a parent cgroup deny some of them?)",
		       h->dir);
	else
		ret = 0;
	cg_dev_emu_free(&now);
out:
	cg_dev_emu_free(&want);
	cg_dev_emu_free(&cur);
	return ret;
}

/* ---------------- freezer ---------------- */

static char *state_of(struct cg_hier *h, struct er_error *err)
{
	return cg_read(h, "freezer.state", err);
}

static bool self_thawed(struct cg_hier *h)
{
	_cleanup_free_ char *s = cg_read(h, "freezer.self_freezing", NULL);

	return s && strcmp(s, "0") == 0;
}

static int thaw(struct cg_hier *h, struct er_error *err)
{
	if (cg_write(h, "freezer.state", "THAWED", "resume", err) < 0)
		return -1;
	for (int i = 0; i < 2000; i++) {
		_cleanup_free_ char *s = state_of(h, err);

		if (!s)
			return -1;
		/* THAWED, or frozen only through a parent: ours is done */
		if (strcmp(s, "THAWED") == 0 || self_thawed(h))
			return 0;
		sleep_ns(1000000);
	}
	return er_set(err, 0, "resume: `%s/freezer.state` did not become THAWED", h->dir);
}

static int v1_freeze(struct cg_hier *h, bool frozen, struct er_error *err)
{
	if (!frozen)
		return thaw(h, err);
	/* As runc found: v1 can stay FREEZING while tasks keep forking; retry, thawing now
	 * and then to let them settle, with growing pauses, and give up after ~3 s. */
	for (int i = 0; i < 1000; i++) {
		_cleanup_free_ char *s = NULL;

		if (i % 50 == 49) {
			cg_write(h, "freezer.state", "THAWED", "pause", NULL);
			sleep_ns(10 * 1000000L);
		}
		if (cg_write(h, "freezer.state", "FROZEN", "pause", err) < 0)
			goto fail;
		if (i % 25 == 24)
			sleep_ns(10 * 1000L);
		if (i % 200 == 199)
			sleep_ns((i / 200 + 1) * 100 * 1000000L);
		s = state_of(h, err);
		if (!s)
			goto fail;
		if (strcmp(s, "FROZEN") == 0) {
			if (i > 1)
				er_debug("frozen after %d retries", i);
			return 0;
		}
		if (strcmp(s, "FREEZING") != 0) {
			er_set(err, 0, "pause: unexpected freezer state `%s`", s);
			goto fail;
		}
	}
	er_set(err, EBUSY, "pause: `%s` stays FREEZING", h->dir);
fail:
	/* never leave it half frozen */
	cg_write(h, "freezer.state", "THAWED", "pause", NULL);
	return -1;
}

static int v1_freezer_state(struct cg_hier *h, enum cgroup_freezer *st, struct er_error *err)
{
	for (int i = 0; i < 1000; i++) {
		_cleanup_free_ char *s = state_of(h, err);

		if (!s)
			return -1;
		if (strcmp(s, "THAWED") == 0) {
			*st = CGROUP_THAWED;
			return 0;
		}
		if (strcmp(s, "FROZEN") == 0) {
			/* frozen by a parent is not "paused" */
			*st = self_thawed(h) ? CGROUP_THAWED : CGROUP_FROZEN;
			return 0;
		}
		sleep_ns(1000000); /* FREEZING: wait for a stable answer */
	}
	*st = self_thawed(h) ? CGROUP_THAWED : CGROUP_FROZEN;
	return 0;
}

/* ---------------- OOM ---------------- */

static int v1_oom_open(struct cg_hier *h, struct cgroup_oom *o, struct er_error *err)
{
	_cleanup_free_ char *reg = NULL;

	o->dirfd = fcntl(h->fd, F_DUPFD_CLOEXEC, 3);
	if (o->dirfd < 0)
		return er_set(err, errno, "oom notification: dup");
	o->ctl_fd = openat(h->fd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
	if (o->ctl_fd < 0)
		return er_set(err, errno, "oom notification: open `%s/memory.oom_control`", h->dir);
	o->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->fd < 0)
		return er_set(err, errno, "oom notification: eventfd");
	reg = xasprintf("%d %d", o->fd, o->ctl_fd);
	return cg_write(h, "cgroup.event_control", reg, "oom notification", err);
}

static int v1_oom_read(struct cgroup_oom *o, uint64_t *count, bool *gone, struct er_error *err)
{
	uint64_t v = 0;
	ssize_t n = read(o->fd, &v, sizeof(v));

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return er_set(err, errno, "oom notification: read");
	if (n != (ssize_t)sizeof(v))
		v = 0;
	if (faccessat(o->dirfd, "cgroup.procs", F_OK, 0) < 0 && errno == ENOENT) {
		*gone = true;
		if (v > 0)
			v--; /* removing the cgroup signals the eventfd once too */
	}
	*count = v;
	return 0;
}

const struct cg_ops cg_v1_ops = {
	.memory = v1_memory,
	.cpu = v1_cpu,
	.cpuset = v1_cpuset,
	.pids = v1_pids,
	.blkio = v1_blkio,
	.hugetlb = v1_hugetlb,
	.net_cls = v1_net_cls,
	.net_prio = v1_net_prio,
	.rdma = cg_rdma_apply,
	.devices = v1_devices,
	.freeze = v1_freeze,
	.freezer_state = v1_freezer_state,
	.oom_open = v1_oom_open,
	.oom_read = v1_oom_read,
};
