/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json "linux.resources" -> struct spec_resources (applied by the cgroup code), and the
 * same object on its own for `update --resources` and state.json: parse, back to JSON, merge.
 */
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

int spec_resources_parse(const char *json, size_t len, const char *doc, struct spec_resources *r,
			 struct er_error *err)
{
	json_object *v;
	int rc;

	memset(r, 0, sizeof(*r));
	v = json_parse_doc(json, len, doc, err); /* names doc itself */
	if (!v)
		return -1;
	rc = spec_parse_resources(v, NULL, r, err);
	json_object_put(v);
	if (rc < 0) {
		if (doc)
			er_prefix(err, "%s", doc);
		spec_resources_clear(r);
		return -1;
	}
	return 0;
}

/* ---- back to JSON ---- */

static void put_i64(json_object *o, const char *key, bool has, int64_t v)
{
	if (has)
		json_object_object_add(o, key, json_object_new_int64(v));
}

static void put_u64(json_object *o, const char *key, bool has, uint64_t v)
{
	if (has)
		json_object_object_add(o, key, json_object_new_uint64(v));
}

static void put_bool(json_object *o, const char *key, bool has, bool v)
{
	if (has)
		json_object_object_add(o, key, json_object_new_boolean(v));
}

static void put_str(json_object *o, const char *key, const char *s)
{
	if (s)
		json_object_object_add(o, key, json_object_new_string(s));
}

/* A decimal string made by the parser (hugepage limits, priorities) back as a number. */
static json_object *number_of(const char *dec)
{
	uint64_t u = 0;

	if (parse_u64(dec, &u) < 0)
		u = 0;
	return json_object_new_uint64(u);
}

/* Adds the section object to o when it has members, drops it otherwise. */
static void put_section(json_object *o, const char *key, json_object *sec)
{
	if (json_object_object_length(sec) > 0)
		json_object_object_add(o, key, sec);
	else
		json_object_put(sec);
}

static json_object *devices_json(const struct spec_resources *r)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < r->n_devices; i++) {
		const struct spec_device_rule *d = &r->devices[i];
		json_object *e = json_object_new_object();
		char type[2] = {d->type ? d->type : 'a', '\0'};

		json_object_object_add(e, "allow", json_object_new_boolean(d->allow));
		json_object_object_add(e, "type", json_object_new_string(type));
		put_i64(e, "major", d->has_major, d->major);
		put_i64(e, "minor", d->has_minor, d->minor);
		put_str(e, "access", d->access);
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *memory_json(const struct spec_resources *r)
{
	json_object *m = json_object_new_object();

	put_i64(m, "limit", r->has_mem_limit, r->mem_limit);
	put_i64(m, "reservation", r->has_mem_reservation, r->mem_reservation);
	put_i64(m, "swap", r->has_mem_swap, r->mem_swap);
	put_i64(m, "kernel", r->has_mem_kernel, r->mem_kernel);
	put_i64(m, "kernelTCP", r->has_mem_kernel_tcp, r->mem_kernel_tcp);
	put_u64(m, "swappiness", r->has_mem_swappiness, r->mem_swappiness);
	put_bool(m, "disableOOMKiller", r->has_mem_disable_oom_killer, r->mem_disable_oom_killer);
	put_bool(m, "useHierarchy", r->has_mem_use_hierarchy, r->mem_use_hierarchy);
	put_bool(m, "checkBeforeUpdate", r->has_mem_check_before_update,
		 r->mem_check_before_update);
	return m;
}

static json_object *cpu_json(const struct spec_resources *r)
{
	json_object *c = json_object_new_object();

	put_u64(c, "shares", r->has_cpu_shares, r->cpu_shares);
	put_i64(c, "quota", r->has_cpu_quota, r->cpu_quota);
	put_u64(c, "burst", r->has_cpu_burst, r->cpu_burst);
	put_u64(c, "period", r->has_cpu_period, r->cpu_period);
	put_i64(c, "realtimeRuntime", r->has_cpu_rt_runtime, r->cpu_rt_runtime);
	put_u64(c, "realtimePeriod", r->has_cpu_rt_period, r->cpu_rt_period);
	put_str(c, "cpus", r->cpu_cpus);
	put_str(c, "mems", r->cpu_mems);
	put_i64(c, "idle", r->has_cpu_idle, r->cpu_idle);
	return c;
}

static void put_throttle(json_object *b, const char *key, const struct spec_throttle *t, size_t n)
{
	json_object *a;

	if (!t)
		return;
	a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "major", json_object_new_int64(t[i].major));
		json_object_object_add(e, "minor", json_object_new_int64(t[i].minor));
		json_object_object_add(e, "rate", json_object_new_uint64(t[i].rate));
		json_object_array_add(a, e);
	}
	json_object_object_add(b, key, a);
}

static json_object *blkio_json(const struct spec_resources *r)
{
	json_object *b = json_object_new_object();

	put_u64(b, "weight", r->has_blkio_weight, r->blkio_weight);
	put_u64(b, "leafWeight", r->has_blkio_leaf_weight, r->blkio_leaf_weight);
	if (r->blkio_weight_devices) {
		json_object *a = json_object_new_array();

		for (size_t i = 0; i < r->n_blkio_weight_devices; i++) {
			const struct spec_weight_device *w = &r->blkio_weight_devices[i];
			json_object *e = json_object_new_object();

			json_object_object_add(e, "major", json_object_new_int64(w->major));
			json_object_object_add(e, "minor", json_object_new_int64(w->minor));
			put_u64(e, "weight", w->has_weight, w->weight);
			put_u64(e, "leafWeight", w->has_leaf_weight, w->leaf_weight);
			json_object_array_add(a, e);
		}
		json_object_object_add(b, "weightDevice", a);
	}
	put_throttle(b, "throttleReadBpsDevice", r->throttle_read_bps, r->n_throttle_read_bps);
	put_throttle(b, "throttleWriteBpsDevice", r->throttle_write_bps, r->n_throttle_write_bps);
	put_throttle(b, "throttleReadIOPSDevice", r->throttle_read_iops, r->n_throttle_read_iops);
	put_throttle(b, "throttleWriteIOPSDevice", r->throttle_write_iops,
		     r->n_throttle_write_iops);
	return b;
}

static json_object *hugepages_json(const struct spec_resources *r)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "pageSize",
				       json_object_new_string(r->hugepage_limits[i].key));
		json_object_object_add(e, "limit", number_of(r->hugepage_limits[i].value));
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *network_json(const struct spec_resources *r)
{
	json_object *nw = json_object_new_object();

	put_u64(nw, "classID", r->has_net_class_id, r->net_class_id);
	if (r->net_priorities) {
		json_object *a = json_object_new_array();

		for (size_t i = 0; i < r->n_net_priorities; i++) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "name",
					       json_object_new_string(r->net_priorities[i].key));
			json_object_object_add(e, "priority",
					       number_of(r->net_priorities[i].value));
			json_object_array_add(a, e);
		}
		json_object_object_add(nw, "priorities", a);
	}
	return nw;
}

static json_object *rdma_json(const struct spec_resources *r)
{
	json_object *map = json_object_new_object();

	for (size_t i = 0; i < r->n_rdma; i++) {
		json_object *e = json_object_new_object();

		put_u64(e, "hcaHandles", r->rdma[i].has_hca_handles, r->rdma[i].hca_handles);
		put_u64(e, "hcaObjects", r->rdma[i].has_hca_objects, r->rdma[i].hca_objects);
		json_object_object_add(map, r->rdma[i].device, e);
	}
	return map;
}

static json_object *kv_json(const struct spec_kv *kv, size_t n)
{
	json_object *map = json_object_new_object();

	for (size_t i = 0; i < n; i++)
		json_object_object_add(map, kv[i].key, json_object_new_string(kv[i].value));
	return map;
}

/* Arrays and maps are present when their pointer is set (the parser allocates one even for
 * an empty array), so `"devices":[]` survives the round trip and a merge. */
char *spec_resources_to_json(const struct spec_resources *r)
{
	json_object *o = json_object_new_object();
	char *out;

	if (r->devices)
		json_object_object_add(o, "devices", devices_json(r));
	put_section(o, "memory", memory_json(r));
	put_section(o, "cpu", cpu_json(r));
	if (r->has_pids_limit) {
		json_object *pids = json_object_new_object();

		put_i64(pids, "limit", true, r->pids_limit);
		json_object_object_add(o, "pids", pids);
	}
	put_section(o, "blockIO", blkio_json(r));
	if (r->hugepage_limits)
		json_object_object_add(o, "hugepageLimits", hugepages_json(r));
	put_section(o, "network", network_json(r));
	if (r->rdma)
		json_object_object_add(o, "rdma", rdma_json(r));
	if (r->unified)
		json_object_object_add(o, "unified", kv_json(r->unified, r->n_unified));
	out = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

/* ---- merge ---- */

static void *memdup_n(const void *p, size_t n, size_t sz)
{
	void *q = xcalloc(n ? n : 1, sz);

	if (n)
		memcpy(q, p, n * sz);
	return q;
}

static struct spec_kv *kv_dup(const struct spec_kv *kv, size_t n)
{
	struct spec_kv *out = xcalloc(n ? n : 1, sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		out[i].key = xstrdup(kv[i].key);
		out[i].value = xstrdup(kv[i].value);
	}
	return out;
}

static void free_devices(struct spec_device_rule *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++)
		free(d[i].access);
	free(d);
}

static void free_rdma(struct spec_rdma *rd, size_t n)
{
	for (size_t i = 0; rd && i < n; i++)
		free(rd[i].device);
	free(rd);
}

/* dst.has/dst.field = src's when src has it. */
#define MERGE(has, field)                                                                          \
	do {                                                                                       \
		if (src->has) {                                                                    \
			dst->has = true;                                                           \
			dst->field = src->field;                                                   \
		}                                                                                  \
	} while (0)

/* A plain array (no owned members) replaced as a whole. */
#define MERGE_ARRAY(field, nfield)                                                                 \
	do {                                                                                       \
		if (src->field) {                                                                  \
			free(dst->field);                                                          \
			dst->field = memdup_n(src->field, src->nfield, sizeof(*src->field));       \
			dst->nfield = src->nfield;                                                 \
		}                                                                                  \
	} while (0)

static void merge_str(char **dst, const char *src)
{
	if (src) {
		free(*dst);
		*dst = xstrdup(src);
	}
}

static void merge_kv(struct spec_kv **dst, size_t *ndst, const struct spec_kv *src, size_t nsrc)
{
	if (!src)
		return;
	spec_kv_free(*dst, *ndst);
	*dst = kv_dup(src, nsrc);
	*ndst = nsrc;
}

static void merge_memory_cpu_pids(struct spec_resources *dst, const struct spec_resources *src)
{
	MERGE(has_mem_limit, mem_limit);
	MERGE(has_mem_reservation, mem_reservation);
	MERGE(has_mem_swap, mem_swap);
	MERGE(has_mem_kernel, mem_kernel);
	MERGE(has_mem_kernel_tcp, mem_kernel_tcp);
	MERGE(has_mem_swappiness, mem_swappiness);
	MERGE(has_mem_disable_oom_killer, mem_disable_oom_killer);
	MERGE(has_mem_use_hierarchy, mem_use_hierarchy);
	MERGE(has_mem_check_before_update, mem_check_before_update);
	MERGE(has_cpu_shares, cpu_shares);
	MERGE(has_cpu_quota, cpu_quota);
	MERGE(has_cpu_burst, cpu_burst);
	MERGE(has_cpu_period, cpu_period);
	MERGE(has_cpu_rt_runtime, cpu_rt_runtime);
	MERGE(has_cpu_rt_period, cpu_rt_period);
	MERGE(has_cpu_idle, cpu_idle);
	merge_str(&dst->cpu_cpus, src->cpu_cpus);
	merge_str(&dst->cpu_mems, src->cpu_mems);
	MERGE(has_pids_limit, pids_limit);
}

/* Maps (rdma, unified) count as one field each, replaced whole like the arrays (runc's
 * `update` does the same with unified). */
void spec_resources_merge(struct spec_resources *dst, const struct spec_resources *src)
{
	if (dst == src)
		return;
	if (src->devices) {
		free_devices(dst->devices, dst->n_devices);
		dst->devices = memdup_n(src->devices, src->n_devices, sizeof(*src->devices));
		dst->n_devices = src->n_devices;
		for (size_t i = 0; i < dst->n_devices; i++)
			if (dst->devices[i].access)
				dst->devices[i].access = xstrdup(dst->devices[i].access);
	}
	merge_memory_cpu_pids(dst, src);
	MERGE(has_blkio_weight, blkio_weight);
	MERGE(has_blkio_leaf_weight, blkio_leaf_weight);
	MERGE_ARRAY(blkio_weight_devices, n_blkio_weight_devices);
	MERGE_ARRAY(throttle_read_bps, n_throttle_read_bps);
	MERGE_ARRAY(throttle_write_bps, n_throttle_write_bps);
	MERGE_ARRAY(throttle_read_iops, n_throttle_read_iops);
	MERGE_ARRAY(throttle_write_iops, n_throttle_write_iops);
	merge_kv(&dst->hugepage_limits, &dst->n_hugepage_limits, src->hugepage_limits,
		 src->n_hugepage_limits);
	MERGE(has_net_class_id, net_class_id);
	merge_kv(&dst->net_priorities, &dst->n_net_priorities, src->net_priorities,
		 src->n_net_priorities);
	if (src->rdma) {
		free_rdma(dst->rdma, dst->n_rdma);
		dst->rdma = memdup_n(src->rdma, src->n_rdma, sizeof(*src->rdma));
		dst->n_rdma = src->n_rdma;
		for (size_t i = 0; i < dst->n_rdma; i++)
			dst->rdma[i].device = xstrdup(dst->rdma[i].device);
	}
	merge_kv(&dst->unified, &dst->n_unified, src->unified, src->n_unified);
}

void spec_resources_clear(struct spec_resources *r)
{
	if (!r)
		return;
	free_devices(r->devices, r->n_devices);
	free(r->cpu_cpus);
	free(r->cpu_mems);
	free(r->blkio_weight_devices);
	free(r->throttle_read_bps);
	free(r->throttle_write_bps);
	free(r->throttle_read_iops);
	free(r->throttle_write_iops);
	spec_kv_free(r->hugepage_limits, r->n_hugepage_limits);
	spec_kv_free(r->net_priorities, r->n_net_priorities);
	free_rdma(r->rdma, r->n_rdma);
	spec_kv_free(r->unified, r->n_unified);
	memset(r, 0, sizeof(*r));
}

void spec_resources_free(struct spec_resources *r)
{
	spec_resources_clear(r);
}
