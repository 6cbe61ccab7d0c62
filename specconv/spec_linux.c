/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "linux": namespaces, id mappings, devices, propagation, personality ...
 * (resources and seccomp have files of their own). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include "common/util.h"
#include "specconv/parse.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct name_value ns_types[] = {
	{"pid", CLONE_NEWPID},	     {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
	{"ipc", CLONE_NEWIPC},	     {"uts", CLONE_NEWUTS},	{"user", CLONE_NEWUSER},
	{"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

static const struct name_value propagations[] = {
	{"shared", MS_SHARED},
	{"slave", MS_SLAVE},
	{"private", MS_PRIVATE},
	{"unbindable", MS_UNBINDABLE},
	{"rshared", MS_SHARED | MS_REC},
	{"rslave", MS_SLAVE | MS_REC},
	{"rprivate", MS_PRIVATE | MS_REC},
	{"runbindable", MS_UNBINDABLE | MS_REC},
};

static const struct name_value personality_domains[] = {
	{"LINUX", PER_LINUX},
	{"LINUX32", PER_LINUX32},
};

static int parse_namespaces(json_object *lv, const struct jpath *lp, struct spec_linux *l,
			    struct er_error *err)
{
	const struct jpath *ap = JP_KEY(lp, "namespaces");
	json_object *arr;
	size_t n;

	if (jget_array(lv, "namespaces", false, lp, &arr, &n, err) < 0)
		return -1;
	if (!arr)
		return 0;
	l->namespaces = xcalloc(n ? n : 1, sizeof(*l->namespaces));
	l->n_namespaces = n;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *type;
		const struct jpath *ep = JP_IDX(ap, i);
		struct spec_namespace *ns = &l->namespaces[i];
		const struct name_value *nv;

		if (jv_expect(e, json_type_object, ep, err) < 0 ||
		    jget(e, "type", json_type_string, true, ep, &type, err) < 0)
			return -1;
		nv = name_lookup(ns_types, ARRAY_SIZE(ns_types), json_object_get_string(type));
		if (!nv)
			return jerr(err, JP_KEY(ep, "type"), "unknown namespace type \"%s\"",
				    json_object_get_string(type));
		ns->type = (int)nv->value;
		for (size_t j = 0; j < i; j++)
			if (l->namespaces[j].type == ns->type)
				return jerr(err, JP_KEY(ep, "type"),
					    "duplicate namespace type \"%s\"", nv->name);
		if (jget_str(e, "path", false, ep, &ns->path, err) < 0)
			return -1;
		if (ns->path && !*ns->path) {
			free(ns->path); /* "path": "" means a new namespace, as in runc */
			ns->path = NULL;
		}
		if (ns->path && jcheck_abs(ns->path, JP_KEY(ep, "path"), err) < 0)
			return -1;
	}
	return 0;
}

static int parse_time_offsets(json_object *lv, const struct jpath *lp, struct spec_linux *l,
			      struct er_error *err)
{
	const struct jpath *tp = JP_KEY(lp, "timeOffsets");
	json_object *map;
	int r = jget(lv, "timeOffsets", json_type_object, false, lp, &map, err);

	if (r <= 0)
		return r;
	json_object_object_foreach(map, clock, val)
	{
		const struct jpath *cp = JP_KEY(tp, clock);
		struct spec_time_offset *off;
		uint32_t ns = 0;

		if (strcmp(clock, "monotonic") == 0)
			off = &l->time_monotonic;
		else if (strcmp(clock, "boottime") == 0)
			off = &l->time_boottime;
		else
			return jerr(err, cp, "unknown clock \"%s\"", clock);
		if (jv_expect(val, json_type_object, cp, err) < 0 ||
		    jget_i64(val, "secs", false, INT64_MIN, INT64_MAX, cp, &off->secs, err) < 0 ||
		    jget_u32(val, "nanosecs", false, cp, &ns, err) < 0)
			return -1;
		if (ns >= 1000000000u)
			return jerr(err, JP_KEY(cp, "nanosecs"), "must be less than 1000000000");
		off->nanosecs = ns;
		off->present = true;
	}
	return 0;
}

static int parse_device(json_object *e, const struct jpath *ep, struct spec_device *d,
			struct er_error *err)
{
	json_object *type;
	const char *t;
	uint32_t mode;
	int r;

	if (jv_expect(e, json_type_object, ep, err) < 0 ||
	    jget_str(e, "path", true, ep, &d->path, err) < 0 ||
	    jcheck_abs(d->path, JP_KEY(ep, "path"), err) < 0 ||
	    jget(e, "type", json_type_string, true, ep, &type, err) < 0)
		return -1;
	t = json_object_get_string(type);
	if (strlen(t) != 1 || !strchr("cbup", t[0]))
		return jerr(err, JP_KEY(ep, "type"), "unknown device type \"%s\"", t);
	d->type = t[0];
	/* major and minor are required except for fifos */
	if (jget_i64(e, "major", d->type != 'p', INT64_MIN, INT64_MAX, ep, &d->major, err) < 0 ||
	    jget_i64(e, "minor", d->type != 'p', INT64_MIN, INT64_MAX, ep, &d->minor, err) < 0)
		return -1;
	r = jget_u32(e, "fileMode", false, ep, &mode, err);
	if (r < 0)
		return -1;
	d->has_file_mode = r > 0;
	d->file_mode = r > 0 ? mode & 07777 : 0;
	r = jget_u32(e, "uid", false, ep, &d->uid, err);
	if (r < 0)
		return -1;
	d->has_uid = r > 0;
	r = jget_u32(e, "gid", false, ep, &d->gid, err);
	if (r < 0)
		return -1;
	d->has_gid = r > 0;
	return 0;
}

static int parse_devices(json_object *lv, const struct jpath *lp, struct spec_linux *l,
			 struct er_error *err)
{
	const struct jpath *ap = JP_KEY(lp, "devices");
	json_object *arr;
	size_t n;

	if (jget_array(lv, "devices", false, lp, &arr, &n, err) < 0)
		return -1;
	if (!arr)
		return 0;
	l->devices = xcalloc(n ? n : 1, sizeof(*l->devices));
	l->n_devices = n;
	for (size_t i = 0; i < n; i++)
		if (parse_device(json_object_array_get_idx(arr, i), JP_IDX(ap, i), &l->devices[i],
				 err) < 0)
			return -1;
	return 0;
}

static int parse_paths(json_object *lv, const char *key, const struct jpath *lp, char ***out,
		       struct er_error *err)
{
	if (jget_strv(lv, key, lp, out, err) < 0)
		return -1;
	for (size_t i = 0; *out && (*out)[i]; i++)
		if (jcheck_abs((*out)[i], JP_IDX(JP_KEY(lp, key), i), err) < 0)
			return -1;
	return 0;
}

static int parse_propagation(json_object *lv, const struct jpath *lp, struct spec_linux *l,
			     struct er_error *err)
{
	json_object *v;
	const struct name_value *nv;
	int r = jget(lv, "rootfsPropagation", json_type_string, false, lp, &v, err);

	if (r <= 0 || !*json_object_get_string(v))
		return r < 0 ? -1 : 0;
	nv = name_lookup(propagations, ARRAY_SIZE(propagations), json_object_get_string(v));
	if (!nv)
		return jerr(err, JP_KEY(lp, "rootfsPropagation"), "unknown propagation \"%s\"",
			    json_object_get_string(v));
	l->rootfs_propagation = nv->value;
	return 0;
}

static int parse_personality(json_object *lv, const struct jpath *lp, struct spec_linux *l,
			     struct er_error *err)
{
	const struct jpath *pp = JP_KEY(lp, "personality");
	const struct name_value *nv;
	json_object *pv, *dom;
	int r = jget(lv, "personality", json_type_object, false, lp, &pv, err);

	if (r <= 0)
		return r;
	if (jget(pv, "domain", json_type_string, true, pp, &dom, err) < 0)
		return -1;
	nv = name_lookup(personality_domains, ARRAY_SIZE(personality_domains),
			 json_object_get_string(dom));
	if (!nv)
		return jerr(err, JP_KEY(pp, "domain"), "unknown personality domain \"%s\"",
			    json_object_get_string(dom));
	l->has_personality = true;
	l->personality_domain = nv->value;
	return jget_strv(pv, "flags", pp, &l->personality_flags, err) < 0 ? -1 : 0;
}

/* What the kernel accepts as an interface name (dev_valid_name). */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
			return false;
	return true;
}

static int parse_net_devices(json_object *lv, const struct jpath *lp, struct spec_linux *l,
			     struct er_error *err)
{
	const struct jpath *np = JP_KEY(lp, "netDevices");
	json_object *map;
	size_t i = 0;
	int r = jget(lv, "netDevices", json_type_object, false, lp, &map, err);

	if (r <= 0)
		return r;
	l->n_net_devices = (size_t)json_object_object_length(map);
	l->net_devices = xcalloc(l->n_net_devices ? l->n_net_devices : 1, sizeof(*l->net_devices));
	json_object_object_foreach(map, host, val)
	{
		const struct jpath *dp = JP_KEY(np, host);
		struct spec_net_device *d = &l->net_devices[i++];

		if (!valid_ifname(host))
			return jerr(err, dp, "invalid interface name \"%s\"", host);
		if (jv_expect(val, json_type_object, dp, err) < 0)
			return -1;
		d->host_name = xstrdup(host);
		if (jget_str(val, "name", false, dp, &d->name, err) < 0)
			return -1;
		if (d->name && !*d->name) {
			free(d->name);
			d->name = NULL;
		}
		if (d->name && !valid_ifname(d->name))
			return jerr(err, JP_KEY(dp, "name"), "invalid interface name \"%s\"",
				    d->name);
	}
	return 0;
}

static int parse_linux_sections(json_object *v, const struct jpath *p, struct spec_linux *l,
				struct er_error *err)
{
	json_object *o;
	int r;

	r = jget(v, "resources", json_type_object, false, p, &o, err);
	if (r < 0 ||
	    (r > 0 && spec_parse_resources(o, JP_KEY(p, "resources"), &l->resources, err) < 0))
		return -1;
	l->has_resources = r > 0;
	r = jget(v, "seccomp", json_type_object, false, p, &o, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		l->seccomp = xcalloc(1, sizeof(*l->seccomp));
		if (spec_parse_seccomp(o, JP_KEY(p, "seccomp"), l->seccomp, err) < 0)
			return -1;
	}
	r = jget(v, "intelRdt", json_type_object, false, p, &o, err);
	if (r < 0)
		return -1;
	l->has_intel_rdt = r > 0;
	return 0;
}

int spec_parse_linux(json_object *v, const struct jpath *p, struct spec_linux *l,
		     struct er_error *err)
{
	if (parse_namespaces(v, p, l, err) < 0 ||
	    jget_idmaps(v, "uidMappings", p, &l->uid_mappings, &l->n_uid_mappings, err) < 0 ||
	    jget_idmaps(v, "gidMappings", p, &l->gid_mappings, &l->n_gid_mappings, err) < 0 ||
	    parse_time_offsets(v, p, l, err) < 0 || parse_devices(v, p, l, err) < 0 ||
	    jget_str(v, "cgroupsPath", false, p, &l->cgroups_path, err) < 0 ||
	    parse_linux_sections(v, p, l, err) < 0 || parse_propagation(v, p, l, err) < 0 ||
	    parse_paths(v, "maskedPaths", p, &l->masked_paths, err) < 0 ||
	    parse_paths(v, "readonlyPaths", p, &l->readonly_paths, err) < 0 ||
	    jget_str(v, "mountLabel", false, p, &l->mount_label, err) < 0 ||
	    jget_kv(v, "sysctl", p, &l->sysctl, &l->n_sysctl, err) < 0 ||
	    parse_personality(v, p, l, err) < 0 || parse_net_devices(v, p, l, err) < 0)
		return -1;
	return 0;
}

void spec_linux_free(struct spec_linux *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	spec_resources_free(&l->resources);
	if (l->seccomp) {
		spec_seccomp_free(l->seccomp);
		free(l->seccomp);
	}
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
	spec_kv_free(l->sysctl, l->n_sysctl);
	strv_free(l->personality_flags);
	for (size_t i = 0; i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
}
