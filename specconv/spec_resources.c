/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "linux.resources" -> struct spec_resources (applied by the cgroup code). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "specconv/parse.h"

/* Optional scalar members: has_* is set when present. */
static int opt_i64(json_object *v, const char *key, const struct jpath *p, bool *has, int64_t *out,
		   struct er_error *err)
{
	int r = jget_i64(v, key, false, INT64_MIN, INT64_MAX, p, out, err);

	*has = r > 0;
	return r < 0 ? -1 : 0;
}

static int opt_u64(json_object *v, const char *key, uint64_t max, const struct jpath *p, bool *has,
		   uint64_t *out, struct er_error *err)
{
	int r = jget_u64(v, key, false, max, p, out, err);

	*has = r > 0;
	return r < 0 ? -1 : 0;
}

static int opt_u16(json_object *v, const char *key, const struct jpath *p, bool *has, uint16_t *out,
		   struct er_error *err)
{
	uint64_t u = 0;
	int r = jget_u64(v, key, false, UINT16_MAX, p, &u, err);

	*has = r > 0;
	*out = (uint16_t)u;
	return r < 0 ? -1 : 0;
}

static int opt_bool(json_object *v, const char *key, const struct jpath *p, bool *has, bool *out,
		    struct er_error *err)
{
	int r = jget_bool(v, key, p, out, err);

	*has = r > 0;
	return r < 0 ? -1 : 0;
}

/* An array member of objects: allocates *items (n zeroed elements of size sz) and calls fn for
 * each element with its path. */
static int each(json_object *v, const char *key, const struct jpath *p, size_t sz, void **items,
		size_t *n,
		int (*fn)(json_object *e, const struct jpath *ep, void *item, struct er_error *err),
		struct er_error *err)
{
	const struct jpath *ap = JP_KEY(p, key);
	json_object *arr;

	if (jget_array(v, key, false, p, &arr, n, err) < 0)
		return -1;
	if (!arr)
		return 0;
	*items = xcalloc(*n ? *n : 1, sz);
	for (size_t i = 0; i < *n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const struct jpath *ep = JP_IDX(ap, i);

		if (jv_expect(e, json_type_object, ep, err) < 0 ||
		    fn(e, ep, (char *)*items + i * sz, err) < 0)
			return -1;
	}
	return 0;
}

/* each() into a typed array field; the array is stored even on error so it can be freed. */
#define EACH(v, key, p, field, nfield, fn, err)                                                    \
	({                                                                                         \
		void *items_ = NULL;                                                               \
		int r_ = each(v, key, p, sizeof(*(field)), &items_, &(nfield), fn, err);           \
		(field) = items_;                                                                  \
		r_;                                                                                \
	})

static int device_rule(json_object *e, const struct jpath *ep, void *item, struct er_error *err)
{
	struct spec_device_rule *d = item;
	json_object *allow;
	_cleanup_free_ char *type = NULL;

	if (jget(e, "allow", json_type_boolean, true, ep, &allow, err) < 0 ||
	    jget_str(e, "type", false, ep, &type, err) < 0 ||
	    opt_i64(e, "major", ep, &d->has_major, &d->major, err) < 0 ||
	    opt_i64(e, "minor", ep, &d->has_minor, &d->minor, err) < 0 ||
	    jget_str(e, "access", false, ep, &d->access, err) < 0)
		return -1;
	d->allow = json_object_get_boolean(allow);
	d->type = 'a';
	if (type && *type) {
		if (strlen(type) != 1 || !strchr("acb", type[0]))
			return jerr(err, JP_KEY(ep, "type"), "unknown device type \"%s\"", type);
		d->type = type[0];
	}
	if (!d->has_major)
		d->major = -1;
	if (!d->has_minor)
		d->minor = -1;
	if (d->access && strspn(d->access, "rwm") != strlen(d->access))
		return jerr(err, JP_KEY(ep, "access"), "invalid access \"%s\" (expected r, w, m)",
			    d->access);
	if (d->access && !*d->access) {
		free(d->access);
		d->access = NULL;
	}
	return 0;
}

static int parse_memory(json_object *m, const struct jpath *p, struct spec_resources *r,
			struct er_error *err)
{
	if (opt_i64(m, "limit", p, &r->has_mem_limit, &r->mem_limit, err) < 0 ||
	    opt_i64(m, "reservation", p, &r->has_mem_reservation, &r->mem_reservation, err) < 0 ||
	    opt_i64(m, "swap", p, &r->has_mem_swap, &r->mem_swap, err) < 0 ||
	    opt_i64(m, "kernel", p, &r->has_mem_kernel, &r->mem_kernel, err) < 0 ||
	    opt_i64(m, "kernelTCP", p, &r->has_mem_kernel_tcp, &r->mem_kernel_tcp, err) < 0 ||
	    opt_u64(m, "swappiness", UINT64_MAX, p, &r->has_mem_swappiness, &r->mem_swappiness,
		    err) < 0 ||
	    opt_bool(m, "disableOOMKiller", p, &r->has_mem_disable_oom_killer,
		     &r->mem_disable_oom_killer, err) < 0 ||
	    opt_bool(m, "useHierarchy", p, &r->has_mem_use_hierarchy, &r->mem_use_hierarchy, err) <
		    0 ||
	    opt_bool(m, "checkBeforeUpdate", p, &r->has_mem_check_before_update,
		     &r->mem_check_before_update, err) < 0)
		return -1;
	return 0;
}

static int parse_cpu(json_object *c, const struct jpath *p, struct spec_resources *r,
		     struct er_error *err)
{
	if (opt_u64(c, "shares", UINT64_MAX, p, &r->has_cpu_shares, &r->cpu_shares, err) < 0 ||
	    opt_i64(c, "quota", p, &r->has_cpu_quota, &r->cpu_quota, err) < 0 ||
	    opt_u64(c, "burst", UINT64_MAX, p, &r->has_cpu_burst, &r->cpu_burst, err) < 0 ||
	    opt_u64(c, "period", UINT64_MAX, p, &r->has_cpu_period, &r->cpu_period, err) < 0 ||
	    opt_i64(c, "realtimeRuntime", p, &r->has_cpu_rt_runtime, &r->cpu_rt_runtime, err) < 0 ||
	    opt_u64(c, "realtimePeriod", UINT64_MAX, p, &r->has_cpu_rt_period, &r->cpu_rt_period,
		    err) < 0 ||
	    jget_str(c, "cpus", false, p, &r->cpu_cpus, err) < 0 ||
	    jget_str(c, "mems", false, p, &r->cpu_mems, err) < 0 ||
	    opt_i64(c, "idle", p, &r->has_cpu_idle, &r->cpu_idle, err) < 0)
		return -1;
	return 0;
}

static int weight_device(json_object *e, const struct jpath *ep, void *item, struct er_error *err)
{
	struct spec_weight_device *w = item;

	if (jget_i64(e, "major", true, INT64_MIN, INT64_MAX, ep, &w->major, err) < 0 ||
	    jget_i64(e, "minor", true, INT64_MIN, INT64_MAX, ep, &w->minor, err) < 0 ||
	    opt_u16(e, "weight", ep, &w->has_weight, &w->weight, err) < 0 ||
	    opt_u16(e, "leafWeight", ep, &w->has_leaf_weight, &w->leaf_weight, err) < 0)
		return -1;
	return 0;
}

static int throttle_device(json_object *e, const struct jpath *ep, void *item, struct er_error *err)
{
	struct spec_throttle *t = item;

	if (jget_i64(e, "major", true, INT64_MIN, INT64_MAX, ep, &t->major, err) < 0 ||
	    jget_i64(e, "minor", true, INT64_MIN, INT64_MAX, ep, &t->minor, err) < 0 ||
	    jget_u64(e, "rate", true, UINT64_MAX, ep, &t->rate, err) < 0)
		return -1;
	return 0;
}

static int parse_blkio(json_object *b, const struct jpath *p, struct spec_resources *r,
		       struct er_error *err)
{
	if (opt_u16(b, "weight", p, &r->has_blkio_weight, &r->blkio_weight, err) < 0 ||
	    opt_u16(b, "leafWeight", p, &r->has_blkio_leaf_weight, &r->blkio_leaf_weight, err) <
		    0 ||
	    EACH(b, "weightDevice", p, r->blkio_weight_devices, r->n_blkio_weight_devices,
		 weight_device, err) < 0 ||
	    EACH(b, "throttleReadBpsDevice", p, r->throttle_read_bps, r->n_throttle_read_bps,
		 throttle_device, err) < 0 ||
	    EACH(b, "throttleWriteBpsDevice", p, r->throttle_write_bps, r->n_throttle_write_bps,
		 throttle_device, err) < 0 ||
	    EACH(b, "throttleReadIOPSDevice", p, r->throttle_read_iops, r->n_throttle_read_iops,
		 throttle_device, err) < 0 ||
	    EACH(b, "throttleWriteIOPSDevice", p, r->throttle_write_iops, r->n_throttle_write_iops,
		 throttle_device, err) < 0)
		return -1;
	return 0;
}

static int hugepage_limit(json_object *e, const struct jpath *ep, void *item, struct er_error *err)
{
	struct spec_kv *kv = item;
	uint64_t limit;

	if (jget_str(e, "pageSize", true, ep, &kv->key, err) < 0 ||
	    jget_u64(e, "limit", true, UINT64_MAX, ep, &limit, err) < 0)
		return -1;
	if (!*kv->key)
		return jerr(err, JP_KEY(ep, "pageSize"), "must not be empty");
	kv->value = xasprintf("%" PRIu64, limit);
	return 0;
}

static int net_priority(json_object *e, const struct jpath *ep, void *item, struct er_error *err)
{
	struct spec_kv *kv = item;
	uint32_t prio;

	if (jget_str(e, "name", true, ep, &kv->key, err) < 0 ||
	    jget_u32(e, "priority", true, ep, &prio, err) < 0)
		return -1;
	kv->value = xasprintf("%" PRIu32, prio);
	return 0;
}

static int parse_network(json_object *nw, const struct jpath *p, struct spec_resources *r,
			 struct er_error *err)
{
	int rc = jget_u32(nw, "classID", false, p, &r->net_class_id, err);

	if (rc < 0)
		return -1;
	r->has_net_class_id = rc > 0;
	return EACH(nw, "priorities", p, r->net_priorities, r->n_net_priorities, net_priority, err);
}

static int parse_rdma(json_object *map, const struct jpath *p, struct spec_resources *r,
		      struct er_error *err)
{
	size_t i = 0;

	r->n_rdma = (size_t)json_object_object_length(map);
	r->rdma = xcalloc(r->n_rdma ? r->n_rdma : 1, sizeof(*r->rdma));
	json_object_object_foreach(map, dev, val)
	{
		const struct jpath *dp = JP_KEY(p, dev);
		struct spec_rdma *rd = &r->rdma[i++];
		int rc;

		rd->device = xstrdup(dev);
		if (jv_expect(val, json_type_object, dp, err) < 0)
			return -1;
		rc = jget_u32(val, "hcaHandles", false, dp, &rd->hca_handles, err);
		if (rc < 0)
			return -1;
		rd->has_hca_handles = rc > 0;
		rc = jget_u32(val, "hcaObjects", false, dp, &rd->hca_objects, err);
		if (rc < 0)
			return -1;
		rd->has_hca_objects = rc > 0;
	}
	return 0;
}

/* Calls fn on member `key` when it is an object. */
static int section(json_object *v, const char *key, const struct jpath *p,
		   int (*fn)(json_object *, const struct jpath *, struct spec_resources *,
			     struct er_error *),
		   struct spec_resources *r, struct er_error *err)
{
	json_object *o;
	int rc = jget(v, key, json_type_object, false, p, &o, err);

	if (rc <= 0)
		return rc;
	return fn(o, JP_KEY(p, key), r, err);
}

static int parse_pids(json_object *o, const struct jpath *p, struct spec_resources *r,
		      struct er_error *err)
{
	return opt_i64(o, "limit", p, &r->has_pids_limit, &r->pids_limit, err);
}

int spec_parse_resources(json_object *v, const struct jpath *p, struct spec_resources *r,
			 struct er_error *err)
{
	if (EACH(v, "devices", p, r->devices, r->n_devices, device_rule, err) < 0 ||
	    section(v, "memory", p, parse_memory, r, err) < 0 ||
	    section(v, "cpu", p, parse_cpu, r, err) < 0 ||
	    section(v, "pids", p, parse_pids, r, err) < 0 ||
	    section(v, "blockIO", p, parse_blkio, r, err) < 0 ||
	    EACH(v, "hugepageLimits", p, r->hugepage_limits, r->n_hugepage_limits, hugepage_limit,
		 err) < 0 ||
	    section(v, "network", p, parse_network, r, err) < 0 ||
	    section(v, "rdma", p, parse_rdma, r, err) < 0 ||
	    jget_kv(v, "unified", p, &r->unified, &r->n_unified, err) < 0)
		return -1;
	return 0;
}

void spec_resources_free(struct spec_resources *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->cpu_cpus);
	free(r->cpu_mems);
	free(r->blkio_weight_devices);
	free(r->throttle_read_bps);
	free(r->throttle_write_bps);
	free(r->throttle_read_iops);
	free(r->throttle_write_iops);
	spec_kv_free(r->hugepage_limits, r->n_hugepage_limits);
	spec_kv_free(r->net_priorities, r->n_net_priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	spec_kv_free(r->unified, r->n_unified);
}
