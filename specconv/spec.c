/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json -> struct spec: the document, root, mounts, hooks, annotations, and the checks
 * that span sections. process and linux are parsed by spec_process.c and spec_linux.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "specconv/parse.h"
#include "specconv/spec.h"

#define CONFIG_MAX_SIZE (64u << 20) /* refuse absurd files rather than exhaust memory */

static int parse_root(json_object *doc, const char *bundle, struct spec *s, struct er_error *err)
{
	const struct jpath *rp = JP_KEY(NULL, "root");
	json_object *root;
	_cleanup_free_ char *path = NULL;

	if (jget(doc, "root", json_type_object, true, NULL, &root, err) < 0 ||
	    jget_str(root, "path", true, rp, &path, err) < 0 ||
	    jget_bool(root, "readonly", rp, &s->root_readonly, err) < 0)
		return -1;
	if (!*path)
		return jerr(err, JP_KEY(rp, "path"), "must not be empty");
	if (path[0] != '/' && bundle) {
		_cleanup_free_ char *joined = xasprintf("%s/%s", bundle, path);

		s->root_path = path_clean(joined);
	} else {
		s->root_path = path_clean(path);
	}
	return 0;
}

static int parse_mount(json_object *v, const struct jpath *mp, struct spec_mount *m,
		       struct er_error *err)
{
	if (jv_expect(v, json_type_object, mp, err) < 0 ||
	    jget_str(v, "destination", true, mp, &m->destination, err) < 0 ||
	    jcheck_abs(m->destination, JP_KEY(mp, "destination"), err) < 0 ||
	    jget_str(v, "type", false, mp, &m->type, err) < 0 ||
	    jget_str(v, "source", false, mp, &m->source, err) < 0 ||
	    jget_strv(v, "options", mp, &m->options, err) < 0 ||
	    jget_idmaps(v, "uidMappings", mp, &m->uid_mappings, &m->n_uid_mappings, err) < 0 ||
	    jget_idmaps(v, "gidMappings", mp, &m->gid_mappings, &m->n_gid_mappings, err) < 0)
		return -1;
	if (spec_mount_parse_options(m, err) < 0) {
		_cleanup_free_ char *where = jpath_render(mp);

		return er_prefix(err, "%s", where);
	}
	return 0;
}

static int parse_mounts(json_object *doc, struct spec *s, struct er_error *err)
{
	const struct jpath *ap = JP_KEY(NULL, "mounts");
	json_object *arr;
	size_t n;
	int r = jget_array(doc, "mounts", false, NULL, &arr, &n, err);

	if (r <= 0)
		return r;
	s->mounts = xcalloc(n ? n : 1, sizeof(*s->mounts));
	s->n_mounts = n;
	for (size_t i = 0; i < n; i++)
		if (parse_mount(json_object_array_get_idx(arr, i), JP_IDX(ap, i), &s->mounts[i],
				err) < 0)
			return -1;
	return 0;
}

static const char *const hook_keys[HOOK__MAX] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

static int parse_hook(json_object *v, const struct jpath *hp, struct spec_hook *h,
		      struct er_error *err)
{
	int64_t timeout = 0;
	int r;

	if (jv_expect(v, json_type_object, hp, err) < 0 ||
	    jget_str(v, "path", true, hp, &h->path, err) < 0 ||
	    jcheck_abs(h->path, JP_KEY(hp, "path"), err) < 0 ||
	    jget_strv(v, "args", hp, &h->args, err) < 0 ||
	    jget_strv(v, "env", hp, &h->env, err) < 0)
		return -1;
	r = jget_i64(v, "timeout", false, INT32_MIN, INT32_MAX, hp, &timeout, err);
	if (r < 0)
		return -1;
	if (r > 0 && timeout <= 0)
		return jerr(err, JP_KEY(hp, "timeout"), "must be greater than zero");
	h->timeout = (int)timeout;
	return 0;
}

static int parse_hooks(json_object *doc, struct spec *s, struct er_error *err)
{
	const struct jpath *hp = JP_KEY(NULL, "hooks");
	json_object *hooks;
	int r = jget(doc, "hooks", json_type_object, false, NULL, &hooks, err);

	if (r <= 0)
		return r;
	for (int k = 0; k < HOOK__MAX; k++) {
		const struct jpath *kp = JP_KEY(hp, hook_keys[k]);
		json_object *arr;
		size_t n;

		r = jget_array(hooks, hook_keys[k], false, hp, &arr, &n, err);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		s->hooks.list[k] = xcalloc(n ? n : 1, sizeof(struct spec_hook));
		s->hooks.n[k] = n;
		for (size_t i = 0; i < n; i++)
			if (parse_hook(json_object_array_get_idx(arr, i), JP_IDX(kp, i),
				       &s->hooks.list[k][i], err) < 0)
				return -1;
	}
	return 0;
}

static bool has_ns(const struct spec *s, int type, bool need_new)
{
	const struct spec_namespace *ns = spec_namespace(s, type);

	return ns && (!need_new || !ns->path);
}

/* Checks that need more than one section (runc makes the same ones at create time). */
static int check_cross(const struct spec *s, struct er_error *err)
{
	const struct spec_linux *l = s->linux_;

	if (s->hostname && *s->hostname && !has_ns(s, CLONE_NEWUTS, false))
		return jerr(err, JP_KEY(NULL, "hostname"), "needs a uts namespace");
	if (s->domainname && *s->domainname && !has_ns(s, CLONE_NEWUTS, false))
		return jerr(err, JP_KEY(NULL, "domainname"), "needs a uts namespace");
	if (!l)
		return 0;
	if ((l->n_uid_mappings || l->n_gid_mappings) && !has_ns(s, CLONE_NEWUSER, false))
		return jerr(err, JP_KEY(NULL, "linux"),
			    "uidMappings and gidMappings need a user namespace");
	if (has_ns(s, CLONE_NEWUSER, true) && (!l->n_uid_mappings || !l->n_gid_mappings))
		return jerr(err, JP_KEY(NULL, "linux"),
			    "a new user namespace needs uidMappings and gidMappings");
	if ((l->time_monotonic.present || l->time_boottime.present) &&
	    !has_ns(s, CLONE_NEWTIME, true))
		return jerr(err, JP_KEY(JP_KEY(NULL, "linux"), "timeOffsets"),
			    "needs a new time namespace");
	if (l->n_net_devices && !has_ns(s, CLONE_NEWNET, false))
		return jerr(err, JP_KEY(JP_KEY(NULL, "linux"), "netDevices"),
			    "needs a network namespace");
	return 0;
}

static int parse_doc(json_object *doc, const char *bundle, struct spec *s, struct er_error *err)
{
	json_object *v;
	int r;

	if (jget_str(doc, "ociVersion", true, NULL, &s->oci_version, err) < 0)
		return -1;
	if (!*s->oci_version)
		return jerr(err, JP_KEY(NULL, "ociVersion"), "must not be empty");
	if (parse_root(doc, bundle, s, err) < 0 || parse_mounts(doc, s, err) < 0)
		return -1;
	r = jget(doc, "process", json_type_object, false, NULL, &v, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		s->process = xcalloc(1, sizeof(*s->process));
		if (spec_parse_process(v, JP_KEY(NULL, "process"), s->process, err) < 0)
			return -1;
	}
	if (jget_str(doc, "hostname", false, NULL, &s->hostname, err) < 0 ||
	    jget_str(doc, "domainname", false, NULL, &s->domainname, err) < 0 ||
	    parse_hooks(doc, s, err) < 0 ||
	    jget_kv(doc, "annotations", NULL, &s->annotations, &s->n_annotations, err) < 0)
		return -1;
	r = jget(doc, "linux", json_type_object, false, NULL, &v, err);
	if (r < 0)
		return -1;
	if (r > 0) {
		s->linux_ = xcalloc(1, sizeof(*s->linux_));
		if (spec_parse_linux(v, JP_KEY(NULL, "linux"), s->linux_, err) < 0)
			return -1;
	}
	return check_cross(s, err);
}

struct spec *spec_parse(const char *json, size_t len, const char *bundle, struct er_error *err)
{
	json_object *doc = json_parse_doc(json, len, "config.json", err);
	struct spec *s;

	if (!doc)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	if (parse_doc(doc, bundle, s, err) < 0) {
		spec_free(s);
		s = NULL;
	}
	json_object_put(doc);
	return s;
}

static char *read_config(const char *path, size_t *len, struct er_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, n = 0;
	struct stat st;

	if (fd < 0) {
		er_set(err, errno, "open `%s`", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		er_set(err, errno, "stat `%s`", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		er_set(err, 0, "`%s` is not a regular file", path);
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			if (cap >= CONFIG_MAX_SIZE) {
				er_set(err, EFBIG, "read `%s`", path);
				return NULL;
			}
			cap = cap ? cap * 2 : (size_t)st.st_size + 4096;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			er_set(err, errno, "read `%s`", path);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return TAKE_PTR(buf);
}

struct spec *spec_load(const char *bundle, struct er_error *err)
{
	_cleanup_free_ char *path = xasprintf("%s/config.json", bundle);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	buf = read_config(path, &len, err);
	if (!buf)
		return NULL;
	return spec_parse(buf, len, bundle, err);
}

static void mount_free(struct spec_mount *m)
{
	free(m->destination);
	free(m->type);
	free(m->source);
	strv_free(m->options);
	free(m->data);
	free(m->uid_mappings);
	free(m->gid_mappings);
}

void spec_free(struct spec *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	for (size_t i = 0; i < s->n_mounts; i++)
		mount_free(&s->mounts[i]);
	free(s->mounts);
	if (s->process) {
		spec_process_free(s->process);
		free(s->process);
	}
	free(s->hostname);
	free(s->domainname);
	for (int k = 0; k < HOOK__MAX; k++) {
		for (size_t i = 0; i < s->hooks.n[k]; i++) {
			free(s->hooks.list[k][i].path);
			strv_free(s->hooks.list[k][i].args);
			strv_free(s->hooks.list[k][i].env);
		}
		free(s->hooks.list[k]);
	}
	spec_kv_free(s->annotations, s->n_annotations);
	if (s->linux_) {
		spec_linux_free(s->linux_);
		free(s->linux_);
	}
	free(s);
}

const struct spec_namespace *spec_namespace(const struct spec *s, int clone_type)
{
	if (!s || !s->linux_)
		return NULL;
	for (size_t i = 0; i < s->linux_->n_namespaces; i++)
		if (s->linux_->namespaces[i].type == clone_type)
			return &s->linux_->namespaces[i];
	return NULL;
}

const char *spec_annotation(const struct spec *s, const char *key)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n_annotations; i++)
		if (strcmp(s->annotations[i].key, key) == 0)
			return s->annotations[i].value;
	return NULL;
}
