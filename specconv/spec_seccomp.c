/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "linux.seccomp" -> struct spec_seccomp (compiled to BPF by seccomp/). */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "specconv/parse.h"

/* errno and trace data are 16 bits of SECCOMP_RET_DATA */
#define SECCOMP_DATA_MAX 0xffffu
#define SECCOMP_ARGS_MAX 6

/* Base values: ERRNO and TRACE without their data, which is kept apart. */
static const struct name_value actions[] = {
	{"SCMP_ACT_KILL", SCMP_ACT_KILL},
	{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
	{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
	{"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
	{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
	{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
	{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
	{"SCMP_ACT_LOG", SCMP_ACT_LOG},
	{"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
};

static const struct name_value operators[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static int parse_action(json_object *v, const char *key, const struct jpath *p, uint32_t *out,
			struct er_error *err)
{
	const struct name_value *nv;
	json_object *a;

	if (jget(v, key, json_type_string, true, p, &a, err) < 0)
		return -1;
	nv = name_lookup(actions, ARRAY_SIZE(actions), json_object_get_string(a));
	if (!nv)
		return jerr(err, JP_KEY(p, key), "unknown seccomp action \"%s\"",
			    json_object_get_string(a));
	*out = (uint32_t)nv->value;
	return 0;
}

static int parse_errno(json_object *v, const char *key, const struct jpath *p, bool *has,
		       uint32_t *out, struct er_error *err)
{
	uint64_t u = 0;
	int r = jget_u64(v, key, false, SECCOMP_DATA_MAX, p, &u, err);

	*has = r > 0;
	*out = (uint32_t)u;
	return r < 0 ? -1 : 0;
}

static int parse_arg(json_object *e, const struct jpath *ep, struct spec_seccomp_arg *a,
		     struct er_error *err)
{
	const struct name_value *nv;
	json_object *op;
	uint64_t index;

	if (jv_expect(e, json_type_object, ep, err) < 0 ||
	    jget_u64(e, "index", true, UINT64_MAX, ep, &index, err) < 0 ||
	    jget_u64(e, "value", true, UINT64_MAX, ep, &a->value, err) < 0 ||
	    jget_u64(e, "valueTwo", false, UINT64_MAX, ep, &a->value_two, err) < 0 ||
	    jget(e, "op", json_type_string, true, ep, &op, err) < 0)
		return -1;
	if (index >= SECCOMP_ARGS_MAX)
		return jerr(err, JP_KEY(ep, "index"), "must be less than %d", SECCOMP_ARGS_MAX);
	a->index = (unsigned int)index;
	nv = name_lookup(operators, ARRAY_SIZE(operators), json_object_get_string(op));
	if (!nv)
		return jerr(err, JP_KEY(ep, "op"), "unknown seccomp operator \"%s\"",
			    json_object_get_string(op));
	a->op = (int)nv->value;
	return 0;
}

static int parse_rule(json_object *e, const struct jpath *ep, struct spec_seccomp_rule *rule,
		      struct er_error *err)
{
	const struct jpath *ap = JP_KEY(ep, "args");
	json_object *args;
	size_t n;
	int r;

	if (jv_expect(e, json_type_object, ep, err) < 0)
		return -1;
	r = jget_strv(e, "names", ep, &rule->names, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return jerr(err, JP_KEY(ep, "names"), "missing");
	if (!rule->names[0])
		return jerr(err, JP_KEY(ep, "names"), "must not be empty");
	if (parse_action(e, "action", ep, &rule->action, err) < 0 ||
	    parse_errno(e, "errnoRet", ep, &rule->has_errno_ret, &rule->errno_ret, err) < 0 ||
	    jget_array(e, "args", false, ep, &args, &n, err) < 0)
		return -1;
	if (!args)
		return 0;
	rule->args = xcalloc(n ? n : 1, sizeof(*rule->args));
	rule->n_args = n;
	for (size_t i = 0; i < n; i++)
		if (parse_arg(json_object_array_get_idx(args, i), JP_IDX(ap, i), &rule->args[i],
			      err) < 0)
			return -1;
	return 0;
}

int spec_parse_seccomp(json_object *v, const struct jpath *p, struct spec_seccomp *sc,
		       struct er_error *err)
{
	const struct jpath *sp = JP_KEY(p, "syscalls");
	json_object *arr;
	size_t n;

	if (parse_action(v, "defaultAction", p, &sc->default_action, err) < 0 ||
	    parse_errno(v, "defaultErrnoRet", p, &sc->has_default_errno_ret, &sc->default_errno_ret,
			err) < 0 ||
	    jget_strv(v, "architectures", p, &sc->architectures, err) < 0 ||
	    jget_strv(v, "flags", p, &sc->flags, err) < 0 ||
	    jget_str(v, "listenerPath", false, p, &sc->listener_path, err) < 0 ||
	    jget_str(v, "listenerMetadata", false, p, &sc->listener_metadata, err) < 0 ||
	    jget_array(v, "syscalls", false, p, &arr, &n, err) < 0)
		return -1;
	if (!arr)
		return 0;
	sc->rules = xcalloc(n ? n : 1, sizeof(*sc->rules));
	sc->n_rules = n;
	for (size_t i = 0; i < n; i++)
		if (parse_rule(json_object_array_get_idx(arr, i), JP_IDX(sp, i), &sc->rules[i],
			       err) < 0)
			return -1;
	return 0;
}

void spec_seccomp_free(struct spec_seccomp *sc)
{
	if (!sc)
		return;
	strv_free(sc->architectures);
	strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_rules; i++) {
		strv_free(sc->rules[i].names);
		free(sc->rules[i].args);
	}
	free(sc->rules);
}
