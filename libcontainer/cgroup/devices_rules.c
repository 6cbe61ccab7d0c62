/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device rules: runc's default allowed devices, and an emulator of the v1 devices cgroup
 * (as runc has one) that reduces a rule list to "a default + exceptions". v1 uses it to
 * compute the writes from the current devices.list to the wanted state; v2 turns the
 * exceptions into the BPF program (devices_bpf.c). Pure code, unit-tested.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"

/* ---- runc 1.1's AllowedDevices, in its order ---- */

static char acc_m[] = "m", acc_rwm[] = "rwm";

#define DEV_RULE(t, ma, mi, acc)                                                                   \
	{                                                                                          \
		.allow = true, .type = (t), .has_major = (ma) >= 0, .has_minor = (mi) >= 0,        \
		.major = (ma), .minor = (mi), .access = (acc)                                      \
	}

static const struct spec_device_rule default_rules[] = {
	DEV_RULE('c', -1, -1, acc_m),	 /* mknod any char device */
	DEV_RULE('b', -1, -1, acc_m),	 /* mknod any block device */
	DEV_RULE('c', 1, 3, acc_rwm),	 /* /dev/null */
	DEV_RULE('c', 1, 8, acc_rwm),	 /* /dev/random */
	DEV_RULE('c', 1, 7, acc_rwm),	 /* /dev/full */
	DEV_RULE('c', 5, 0, acc_rwm),	 /* /dev/tty */
	DEV_RULE('c', 1, 5, acc_rwm),	 /* /dev/zero */
	DEV_RULE('c', 1, 9, acc_rwm),	 /* /dev/urandom */
	DEV_RULE('c', 136, -1, acc_rwm), /* /dev/pts/N */
	DEV_RULE('c', 5, 2, acc_rwm),	 /* /dev/ptmx */
	DEV_RULE('c', 10, 200, acc_rwm), /* /dev/net/tun */
};
/* The device node each default stands for; runc drops a default whose path the config
 * lists in linux.devices. */
static const char *const default_paths[] = {
	NULL,	     NULL,	     "/dev/null", "/dev/random", "/dev/full", "/dev/tty",
	"/dev/zero", "/dev/urandom", NULL,	  NULL,		 NULL,
};

const struct spec_device_rule *cgroup_default_device_rules(size_t *n)
{
	*n = ARRAY_SIZE(default_rules);
	return default_rules;
}

struct spec_device_rule *cgroup_device_rules(const struct spec_linux *l, size_t *n)
{
	size_t own = l && l->has_resources ? l->resources.n_devices : 0, cnt = 0;
	struct spec_device_rule *v = xcalloc(own + ARRAY_SIZE(default_rules), sizeof(*v));

	for (size_t i = 0; i < own; i++)
		v[cnt++] = l->resources.devices[i];
	for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++) {
		bool listed = false;

		for (size_t j = 0; l && default_paths[i] && j < l->n_devices; j++)
			if (l->devices[j].path && strcmp(l->devices[j].path, default_paths[i]) == 0)
				listed = true;
		if (!listed)
			v[cnt++] = default_rules[i];
	}
	*n = cnt;
	return v;
}

/* ---- rules ---- */

int cg_dev_access(const char *s)
{
	int a = 0;

	if (!s)
		return CG_DEV_ALL;
	if (!*s)
		return -1;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			a |= CG_DEV_READ;
			break;
		case 'w':
			a |= CG_DEV_WRITE;
			break;
		case 'm':
			a |= CG_DEV_MKNOD;
			break;
		default:
			return -1;
		}
	}
	return a;
}

void cg_dev_access_str(unsigned access, char buf[4])
{
	size_t o = 0;

	if (access & CG_DEV_READ)
		buf[o++] = 'r';
	if (access & CG_DEV_WRITE)
		buf[o++] = 'w';
	if (access & CG_DEV_MKNOD)
		buf[o++] = 'm';
	buf[o] = '\0';
}

void cg_dev_rule_str(const struct cg_dev_rule *r, char *buf, size_t len)
{
	char ma[24], mi[24], acc[4];

	if (r->major < 0)
		snprintf(ma, sizeof(ma), "*");
	else
		snprintf(ma, sizeof(ma), "%" PRId64, r->major);
	if (r->minor < 0)
		snprintf(mi, sizeof(mi), "*");
	else
		snprintf(mi, sizeof(mi), "%" PRId64, r->minor);
	cg_dev_access_str(r->access, acc);
	snprintf(buf, len, "%c %s:%s %s", r->type, ma, mi, acc);
}

int cg_dev_rule_from_spec(const struct spec_device_rule *s, size_t idx, struct cg_dev_rule *out,
			  struct er_error *err)
{
	int acc = cg_dev_access(s->access);

	if (s->type != 'a' && s->type != 'c' && s->type != 'b')
		return er_set(err, 0, "linux.resources.devices[%zu]: invalid type `%c`", idx,
			      s->type);
	if (acc < 0)
		return er_set(err, 0, "linux.resources.devices[%zu]: invalid access `%s`", idx,
			      s->access);
	if ((s->has_major && (s->major < 0 || s->major > INT32_MAX)) ||
	    (s->has_minor && (s->minor < 0 || s->minor > INT32_MAX)))
		return er_set(err, 0, "linux.resources.devices[%zu]: invalid major/minor", idx);
	out->type = s->type;
	out->major = s->has_major ? s->major : -1;
	out->minor = s->has_minor ? s->minor : -1;
	out->access = (unsigned)acc;
	out->allow = s->allow;
	return 0;
}

/* ---- the emulator ---- */

void cg_dev_emu_init(struct cg_dev_emu *e, bool default_allow)
{
	e->default_allow = default_allow;
	e->ex = NULL;
	e->n = 0;
}

void cg_dev_emu_free(struct cg_dev_emu *e)
{
	free(e->ex);
	e->ex = NULL;
	e->n = 0;
}

static bool same_meta(const struct cg_dev_rule *a, char type, int64_t major, int64_t minor)
{
	return a->type == type && a->major == major && a->minor == minor;
}

static struct cg_dev_rule *find(const struct cg_dev_emu *e, char type, int64_t major, int64_t minor)
{
	for (size_t i = 0; i < e->n; i++)
		if (same_meta(&e->ex[i], type, major, minor))
			return &e->ex[i];
	return NULL;
}

static void add_exception(struct cg_dev_emu *e, const struct cg_dev_rule *r)
{
	struct cg_dev_rule *x = find(e, r->type, r->major, r->minor);

	if (x) {
		x->access |= r->access;
		return;
	}
	e->ex = xrealloc(e->ex, (e->n + 1) * sizeof(*e->ex));
	e->ex[e->n] = *r;
	e->ex[e->n++].allow = !e->default_allow;
}

static int remove_exception(struct cg_dev_emu *e, const struct cg_dev_rule *r, struct er_error *err)
{
	const int64_t wild[3][2] = {{-1, r->minor}, {r->major, -1}, {-1, -1}};
	struct cg_dev_rule *x;

	/* v1 silently ignores removing part of a wildcard exception; refuse it instead of
	 * leaving the user with a false sense of security (runc does the same). */
	for (size_t i = 0; i < 3; i++) {
		if (wild[i][0] == r->major && wild[i][1] == r->minor)
			continue;
		x = find(e, r->type, wild[i][0], wild[i][1]);
		if (x && (x->access & r->access)) {
			char a[64], b[64];

			cg_dev_rule_str(r, a, sizeof(a));
			cg_dev_rule_str(x, b, sizeof(b));
			return er_set(
				err, 0,
				"device rule `%s` cannot punch a hole in the wildcard rule `%s` "
				"(not supported by the devices cgroup)",
				a, b);
		}
	}
	x = find(e, r->type, r->major, r->minor);
	if (!x)
		return 0;
	x->access &= ~r->access;
	if (!x->access) {
		*x = e->ex[e->n - 1];
		e->n--;
	}
	return 0;
}

int cg_dev_emu_apply(struct cg_dev_emu *e, const struct cg_dev_rule *r, struct er_error *err)
{
	if (r->type == 'a') {
		/* "a" in devices.allow / devices.deny switches the default, dropping every
		 * exception, whatever the rest of the rule says (the kernel's behaviour). */
		cg_dev_emu_free(e);
		e->default_allow = r->allow;
		return 0;
	}
	if (r->allow == e->default_allow)
		return remove_exception(e, r, err);
	add_exception(e, r);
	return 0;
}

int cg_dev_emu_from_spec(struct cg_dev_emu *e, const struct spec_device_rule *rules, size_t n,
			 struct er_error *err)
{
	cg_dev_emu_init(e, true);
	for (size_t i = 0; i < n; i++) {
		struct cg_dev_rule r;

		if (cg_dev_rule_from_spec(&rules[i], i, &r, err) < 0 ||
		    cg_dev_emu_apply(e, &r, err) < 0) {
			cg_dev_emu_free(e);
			return -1;
		}
	}
	return 0;
}

static int parse_num(const char *s, int64_t *v)
{
	uint64_t u;

	if (strcmp(s, "*") == 0) {
		*v = -1;
		return 0;
	}
	if (parse_u64(s, &u) < 0 || u > INT32_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

int cg_dev_emu_from_list(struct cg_dev_emu *e, const char *list, struct er_error *err)
{
	cg_dev_emu_init(e, false);
	for (const char *l = list; l && *l;) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *line = xstrndup(l, len);
		char type, ma[16], mi[16], acc[8];
		struct cg_dev_rule r = {.allow = true};
		int a;

		l += len + (l[len] == '\n');
		if (!*line)
			continue;
		if (sscanf(line, "%c %15[^:]:%15s %7s", &type, ma, mi, acc) != 4 ||
		    (type != 'a' && type != 'b' && type != 'c') || parse_num(ma, &r.major) < 0 ||
		    parse_num(mi, &r.minor) < 0 || (a = cg_dev_access(acc)) < 0) {
			cg_dev_emu_free(e);
			return er_set(err, 0, "devices.list: cannot parse `%s`", line);
		}
		r.type = type;
		r.access = (unsigned)a;
		if (cg_dev_emu_apply(e, &r, err) < 0) {
			cg_dev_emu_free(e);
			return -1;
		}
	}
	return 0;
}

static int cmp_rule(const void *pa, const void *pb)
{
	const struct cg_dev_rule *a = pa, *b = pb;

	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	return (a->type > b->type) - (a->type < b->type);
}

static struct cg_dev_rule *sorted(const struct cg_dev_emu *e)
{
	struct cg_dev_rule *v = xcalloc(e->n, sizeof(*v));

	if (e->n)
		memcpy(v, e->ex, e->n * sizeof(*v));
	qsort(v, e->n, sizeof(*v), cmp_rule);
	return v;
}

static void push(struct cg_dev_rule **out, size_t *n, const struct cg_dev_rule *r, unsigned access,
		 bool allow)
{
	*out = xrealloc(*out, (*n + 1) * sizeof(**out));
	(*out)[*n] = *r;
	(*out)[*n].access = access;
	(*out)[(*n)++].allow = allow;
}

void cg_dev_transition(const struct cg_dev_emu *src, const struct cg_dev_emu *dst,
		       struct cg_dev_rule **out, size_t *n)
{
	static const struct cg_dev_emu empty = {0};
	const struct cg_dev_emu *old = src;
	_cleanup_free_ struct cg_dev_rule *o = NULL, *t = sorted(dst);

	*out = NULL;
	*n = 0;
	/* devices.list of an allow-all cgroup hides its deny exceptions: start over then. */
	if (src->default_allow || src->default_allow != dst->default_allow) {
		struct cg_dev_rule all = {.type = 'a', .major = -1, .minor = -1};

		push(out, n, &all, CG_DEV_ALL, dst->default_allow);
		old = &empty;
	}
	o = sorted(old);
	for (size_t i = 0; i < old->n; i++) {
		const struct cg_dev_rule *want = find(dst, o[i].type, o[i].major, o[i].minor);
		unsigned dropped = o[i].access & ~(want ? want->access : 0u);

		if (dropped)
			push(out, n, &o[i], dropped, dst->default_allow);
	}
	for (size_t i = 0; i < dst->n; i++) {
		const struct cg_dev_rule *had = find(old, t[i].type, t[i].major, t[i].minor);
		unsigned gained = t[i].access & ~(had ? had->access : 0u);

		if (gained)
			push(out, n, &t[i], gained, !dst->default_allow);
	}
}

bool cg_dev_emu_equal(const struct cg_dev_emu *a, const struct cg_dev_emu *b)
{
	if (a->default_allow != b->default_allow || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct cg_dev_rule *x =
			find(b, a->ex[i].type, a->ex[i].major, a->ex[i].minor);

		if (!x || x->access != a->ex[i].access)
			return false;
	}
	return true;
}
