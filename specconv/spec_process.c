/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "process": user, capabilities, rlimits, scheduler, I/O priority ... */
#include <linux/sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "common/log.h"
#include "common/util.h"
#include "specconv/parse.h"

#ifndef SCHED_ISO
#define SCHED_ISO 4 /* reserved by the kernel, named by the spec */
#endif

static const struct name_value rlimit_names[] = {
	{"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},
	{"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},
	{"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	{"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_STACK", RLIMIT_STACK},
};

static const struct name_value sched_policies[] = {
	{"SCHED_OTHER", SCHED_NORMAL},	    {"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
	{"SCHED_BATCH", SCHED_BATCH},	    {"SCHED_ISO", SCHED_ISO},	{"SCHED_IDLE", SCHED_IDLE},
	{"SCHED_DEADLINE", SCHED_DEADLINE},
};

static const struct name_value sched_flags[] = {
	{"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
	{"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
	{"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
	{"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
	{"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
	{"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
	{"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
};

static const struct name_value ioprio_classes[] = {
	{"IOPRIO_CLASS_RT", 1},
	{"IOPRIO_CLASS_BE", 2},
	{"IOPRIO_CLASS_IDLE", 3},
};

static int parse_user(json_object *v, const struct jpath *p, struct spec_user *u,
		      struct er_error *err)
{
	const struct jpath *gp = JP_KEY(p, "additionalGids");
	json_object *gids;
	uint64_t mask = 0;
	size_t n;
	int r;

	if (jget_u32(v, "uid", true, p, &u->uid, err) < 0 ||
	    jget_u32(v, "gid", true, p, &u->gid, err) < 0)
		return -1;
	r = jget_u64(v, "umask", false, 0777, p, &mask, err);
	if (r < 0)
		return -1;
	u->has_umask = r > 0;
	u->umask = (uint32_t)mask;
	if (jget_array(v, "additionalGids", false, p, &gids, &n, err) < 0)
		return -1;
	if (!n)
		return 0;
	u->additional_gids = xcalloc(n, sizeof(*u->additional_gids));
	u->n_additional_gids = n;
	for (size_t i = 0; i < n; i++) {
		uint64_t g;

		if (jv_u64(json_object_array_get_idx(gids, i), JP_IDX(gp, i), UINT32_MAX, &g, err) <
		    0)
			return -1;
		u->additional_gids[i] = (uint32_t)g;
	}
	return 0;
}

/* One capability set. Names must look like CAP_*; names this libcap or this kernel does not
 * know are dropped (debug message), as runc does with a warning. */
static int parse_cap_set(json_object *caps, const char *key, const struct jpath *p, uint64_t *set,
			 struct er_error *err)
{
	const struct jpath *sp = JP_KEY(p, key);
	json_object *arr;
	size_t n;

	if (jget_array(caps, key, false, p, &arr, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const char *name;
		cap_value_t cap;

		if (jv_expect(e, json_type_string, JP_IDX(sp, i), err) < 0)
			return -1;
		name = json_object_get_string(e);
		if (strncmp(name, "CAP_", 4) != 0 || !name[4])
			return jerr(err, JP_IDX(sp, i), "invalid capability name \"%s\"", name);
		if (cap_from_name(name, &cap) < 0 || cap < 0 || cap >= 64) {
			er_debug("process.capabilities: %s is unknown to libcap, skipped", name);
			continue;
		}
		if (cap >= (cap_value_t)cap_max_bits()) {
			er_debug("process.capabilities: %s is unknown to this kernel, skipped",
				 name);
			continue;
		}
		*set |= UINT64_C(1) << cap;
	}
	return 0;
}

static int parse_caps(json_object *v, const struct jpath *p, struct spec_caps *c,
		      struct er_error *err)
{
	c->present = true;
	if (parse_cap_set(v, "bounding", p, &c->bounding, err) < 0 ||
	    parse_cap_set(v, "effective", p, &c->effective, err) < 0 ||
	    parse_cap_set(v, "inheritable", p, &c->inheritable, err) < 0 ||
	    parse_cap_set(v, "permitted", p, &c->permitted, err) < 0 ||
	    parse_cap_set(v, "ambient", p, &c->ambient, err) < 0)
		return -1;
	return 0;
}

static int parse_rlimits(json_object *pv, const struct jpath *pp, struct spec_process *pr,
			 struct er_error *err)
{
	const struct jpath *ap = JP_KEY(pp, "rlimits");
	json_object *arr;
	size_t n;

	if (jget_array(pv, "rlimits", false, pp, &arr, &n, err) < 0)
		return -1;
	if (!arr)
		return 0;
	pr->rlimits = xcalloc(n ? n : 1, sizeof(*pr->rlimits));
	pr->n_rlimits = n;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const struct jpath *ep = JP_IDX(ap, i);
		struct spec_rlimit *rl = &pr->rlimits[i];
		const struct name_value *nv;
		json_object *type;

		if (jv_expect(e, json_type_object, ep, err) < 0 ||
		    jget(e, "type", json_type_string, true, ep, &type, err) < 0)
			return -1;
		nv = name_lookup(rlimit_names, ARRAY_SIZE(rlimit_names),
				 json_object_get_string(type));
		if (!nv)
			return jerr(err, JP_KEY(ep, "type"), "unknown rlimit \"%s\"",
				    json_object_get_string(type));
		rl->resource = (int)nv->value;
		for (size_t j = 0; j < i; j++)
			if (pr->rlimits[j].resource == rl->resource)
				return jerr(err, JP_KEY(ep, "type"), "duplicate rlimit \"%s\"",
					    nv->name);
		if (jget_u64(e, "hard", true, UINT64_MAX, ep, &rl->hard, err) < 0 ||
		    jget_u64(e, "soft", true, UINT64_MAX, ep, &rl->soft, err) < 0)
			return -1;
		if (rl->soft > rl->hard)
			return jerr(err, JP_KEY(ep, "soft"), "must not be greater than hard");
	}
	return 0;
}

static int parse_scheduler(json_object *v, const struct jpath *p, struct spec_scheduler *sc,
			   struct er_error *err)
{
	const struct jpath *fp = JP_KEY(p, "flags");
	const struct name_value *nv;
	json_object *policy, *flags;
	int64_t nice = 0, prio = 0;
	size_t n;

	if (jget(v, "policy", json_type_string, true, p, &policy, err) < 0)
		return -1;
	nv = name_lookup(sched_policies, ARRAY_SIZE(sched_policies),
			 json_object_get_string(policy));
	if (!nv)
		return jerr(err, JP_KEY(p, "policy"), "unknown scheduler policy \"%s\"",
			    json_object_get_string(policy));
	sc->policy = (int)nv->value;
	if (jget_i64(v, "nice", false, -20, 19, p, &nice, err) < 0 ||
	    jget_i64(v, "priority", false, INT32_MIN, INT32_MAX, p, &prio, err) < 0 ||
	    jget_u64(v, "runtime", false, UINT64_MAX, p, &sc->runtime, err) < 0 ||
	    jget_u64(v, "deadline", false, UINT64_MAX, p, &sc->deadline, err) < 0 ||
	    jget_u64(v, "period", false, UINT64_MAX, p, &sc->period, err) < 0 ||
	    jget_array(v, "flags", false, p, &flags, &n, err) < 0)
		return -1;
	sc->nice = (int)nice;
	sc->priority = (int)prio;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(flags, i);

		if (jv_expect(e, json_type_string, JP_IDX(fp, i), err) < 0)
			return -1;
		nv = name_lookup(sched_flags, ARRAY_SIZE(sched_flags), json_object_get_string(e));
		if (!nv)
			return jerr(err, JP_IDX(fp, i), "unknown scheduler flag \"%s\"",
				    json_object_get_string(e));
		sc->flags |= nv->value;
	}
	return 0;
}

static int parse_io_priority(json_object *v, const struct jpath *p, struct spec_process *pr,
			     struct er_error *err)
{
	const struct name_value *nv;
	json_object *cls;
	int64_t prio = 0;

	if (jget(v, "class", json_type_string, true, p, &cls, err) < 0)
		return -1;
	nv = name_lookup(ioprio_classes, ARRAY_SIZE(ioprio_classes), json_object_get_string(cls));
	if (!nv)
		return jerr(err, JP_KEY(p, "class"), "unknown I/O priority class \"%s\"",
			    json_object_get_string(cls));
	if (jget_i64(v, "priority", true, 0, 7, p, &prio, err) < 0)
		return -1;
	pr->has_io_priority = true;
	pr->io_priority_class = (int)nv->value;
	pr->io_priority = (int)prio;
	return 0;
}

static int parse_console_size(json_object *v, const struct jpath *p, struct spec_process *pr,
			      struct er_error *err)
{
	uint32_t h, w;

	if (jget_u32(v, "height", true, p, &h, err) < 0 ||
	    jget_u32(v, "width", true, p, &w, err) < 0)
		return -1;
	pr->has_console_size = true;
	pr->console_height = h;
	pr->console_width = w;
	return 0;
}

int spec_parse_process(json_object *v, const struct jpath *p, struct spec_process *pr,
		       struct er_error *err)
{
	json_object *o;
	int64_t oom = 0;
	int r;

	if (jget_bool(v, "terminal", p, &pr->terminal, err) < 0 ||
	    (r = jget(v, "consoleSize", json_type_object, false, p, &o, err)) < 0 ||
	    (r > 0 && parse_console_size(o, JP_KEY(p, "consoleSize"), pr, err) < 0) ||
	    (r = jget(v, "user", json_type_object, false, p, &o, err)) < 0 ||
	    (r > 0 && parse_user(o, JP_KEY(p, "user"), &pr->user, err) < 0) ||
	    jget_str(v, "cwd", true, p, &pr->cwd, err) < 0 ||
	    jcheck_abs(pr->cwd, JP_KEY(p, "cwd"), err) < 0 ||
	    jget_strv(v, "env", p, &pr->env, err) < 0)
		return -1;
	r = jget_strv(v, "args", p, &pr->args, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return jerr(err, JP_KEY(p, "args"), "missing");
	if (!pr->args[0])
		return jerr(err, JP_KEY(p, "args"), "must not be empty");
	if ((r = jget(v, "capabilities", json_type_object, false, p, &o, err)) < 0 ||
	    (r > 0 && parse_caps(o, JP_KEY(p, "capabilities"), &pr->caps, err) < 0) ||
	    parse_rlimits(v, p, pr, err) < 0 ||
	    jget_bool(v, "noNewPrivileges", p, &pr->no_new_privileges, err) < 0)
		return -1;
	r = jget_i64(v, "oomScoreAdj", false, -1000, 1000, p, &oom, err);
	if (r < 0)
		return -1;
	pr->has_oom_score_adj = r > 0;
	pr->oom_score_adj = (int)oom;
	r = jget(v, "scheduler", json_type_object, false, p, &o, err);
	if (r < 0 || (r > 0 && parse_scheduler(o, JP_KEY(p, "scheduler"), &pr->scheduler, err) < 0))
		return -1;
	pr->has_scheduler = r > 0;
	if ((r = jget(v, "ioPriority", json_type_object, false, p, &o, err)) < 0 ||
	    (r > 0 && parse_io_priority(o, JP_KEY(p, "ioPriority"), pr, err) < 0) ||
	    jget_str(v, "apparmorProfile", false, p, &pr->apparmor_profile, err) < 0 ||
	    jget_str(v, "selinuxLabel", false, p, &pr->selinux_label, err) < 0)
		return -1;
	return 0;
}

void spec_process_free(struct spec_process *pr)
{
	if (!pr)
		return;
	free(pr->cwd);
	strv_free(pr->env);
	strv_free(pr->args);
	free(pr->user.additional_gids);
	free(pr->rlimits);
	free(pr->apparmor_profile);
	free(pr->selinux_label);
}

int spec_process_parse(const char *json, size_t len, const char *doc, struct spec_process *pr,
		       struct er_error *err)
{
	json_object *v;
	int rc;

	memset(pr, 0, sizeof(*pr));
	v = json_parse_doc(json, len, doc, err); /* names doc itself */
	if (!v)
		return -1;
	rc = spec_parse_process(v, NULL, pr, err);
	json_object_put(v);
	if (rc < 0) {
		if (doc)
			er_prefix(err, "%s", doc);
		spec_process_clear(pr);
		return -1;
	}
	return 0;
}

void spec_process_clear(struct spec_process *pr)
{
	spec_process_free(pr);
	if (pr)
		memset(pr, 0, sizeof(*pr));
}
