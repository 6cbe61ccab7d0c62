/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container state <-> JSON.
 *
 * `state` prints runc's shape (two-space indentation, no trailing newline):
 *   {"ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations"?, "owner"}
 * Hooks get the OCI state on stdin, compact: {"ociVersion","id","status","pid"?,"bundle",
 * "annotations"?}. state.json holds the `state` fields plus the private ones under "edgerun";
 * the applied linux.resources sit there as a JSON object ("resources"), not as a string.
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "specconv/parse.h"
#include "specconv/state.h"

static const char *const status_names[] = {
	[ST_CREATING] = "creating", [ST_CREATED] = "created", [ST_RUNNING] = "running",
	[ST_STOPPED] = "stopped",   [ST_PAUSED] = "paused",
};

const char *er_status_name(enum er_status st)
{
	if ((unsigned int)st < ARRAY_SIZE(status_names))
		return status_names[st];
	return "unknown";
}

static int status_from_name(const char *name, enum er_status *st)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++) {
		if (strcmp(status_names[i], name) == 0) {
			*st = (enum er_status)i;
			return 0;
		}
	}
	return -1;
}

static void put_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s ? s : ""));
}

static void put_annotations(json_object *o, const struct er_state *st)
{
	json_object *a;

	if (!st->n_annotations)
		return;
	a = json_object_new_object();
	for (size_t i = 0; i < st->n_annotations; i++)
		json_object_object_add(a, st->annotations[i].key,
				       json_object_new_string(st->annotations[i].value));
	json_object_object_add(o, "annotations", a);
}

static char *dump(json_object *o, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	char *out;

	flags |=
		pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN;
	out = xstrdup(json_object_to_json_string_ext(o, flags));
	json_object_put(o);
	return out;
}

/* The `state` object, runc's field order. */
static json_object *state_object(const struct er_state *st)
{
	json_object *o = json_object_new_object();

	put_str(o, "ociVersion", st->oci_version);
	put_str(o, "id", st->id);
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	put_str(o, "status", er_status_name(st->status));
	put_str(o, "bundle", st->bundle);
	put_str(o, "rootfs", st->rootfs);
	put_str(o, "created", st->created);
	put_annotations(o, st);
	put_str(o, "owner", st->owner);
	return o;
}

/* The OCI state (hook stdin, the seccomp agent's "state"). */
static json_object *oci_state_object(const struct er_state *st)
{
	json_object *o = json_object_new_object();

	put_str(o, "ociVersion", st->oci_version);
	put_str(o, "id", st->id);
	put_str(o, "status", er_status_name(st->status));
	if (st->pid)
		json_object_object_add(o, "pid", json_object_new_int(st->pid));
	put_str(o, "bundle", st->bundle);
	put_annotations(o, st);
	return o;
}

char *state_to_json(const struct er_state *st, bool pretty)
{
	if (pretty)
		return dump(state_object(st), true);
	return dump(oci_state_object(st), false);
}

/* The version of the runtime-spec this "container process state" follows (edgerun's). */
#define PROCESS_STATE_OCI_VERSION "1.3.0"

char *state_process_json(const struct er_state *st, const char *const *fds, size_t n_fds, pid_t pid,
			 const char *metadata)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	put_str(o, "ociVersion", PROCESS_STATE_OCI_VERSION);
	for (size_t i = 0; i < n_fds; i++)
		json_object_array_add(a, json_object_new_string(fds[i]));
	json_object_object_add(o, "fds", a);
	json_object_object_add(o, "pid", json_object_new_int(pid));
	if (metadata)
		put_str(o, "metadata", metadata);
	json_object_object_add(o, "state", oci_state_object(st));
	return dump(o, false);
}

/* ---- state.json ---- */

/* Strings that may be NULL are left out, so that NULL and "" both survive a round trip. */
static void put_opt(json_object *o, const char *key, const char *s)
{
	if (s)
		json_object_object_add(o, key, json_object_new_string(s));
}

/* st->resources_json as an object member; text that is not a JSON object is left out. */
static void put_resources(json_object *priv, const char *json)
{
	struct er_error err = ER_ERROR_INIT;
	json_object *v;

	if (!json)
		return;
	v = json_parse_doc(json, strlen(json), "resources", &err);
	if (!v) {
		er_warn("state.json: resources left out: %s", err.msg);
		er_clear(&err);
		return;
	}
	json_object_object_add(priv, "resources", v);
}

char *state_to_file_json(const struct er_state *st)
{
	json_object *o = json_object_new_object(), *priv = json_object_new_object();

	put_opt(o, "ociVersion", st->oci_version);
	put_opt(o, "id", st->id);
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	put_str(o, "status", er_status_name(st->status));
	put_opt(o, "bundle", st->bundle);
	put_opt(o, "rootfs", st->rootfs);
	put_opt(o, "created", st->created);
	put_annotations(o, st);
	put_opt(o, "owner", st->owner);
	json_object_object_add(priv, "startTime", json_object_new_uint64(st->start_time));
	json_object_object_add(priv, "ownPidNamespace", json_object_new_boolean(st->has_own_pidns));
	if (st->hooks_known)
		json_object_object_add(priv, "hooks", json_object_new_uint64(st->hooks_mask));
	put_opt(priv, "cgroupPath", st->cgroup_path);
	put_resources(priv, st->resources_json);
	put_opt(priv, "config", st->config_json);
	json_object_object_add(o, "edgerun", priv);
	return dump(o, true);
}

static int read_private(json_object *o, struct er_state *st, struct er_error *err)
{
	const struct jpath *pp = JP_KEY(NULL, "edgerun");
	json_object *priv, *res;
	uint64_t start = 0, hooks = UINT64_MAX;
	int r = jget(o, "edgerun", json_type_object, false, NULL, &priv, err);

	if (r <= 0)
		return r;
	if (jget_u64(priv, "startTime", false, UINT64_MAX, pp, &start, err) < 0)
		return -1;
	st->start_time = start;
	if (jget_u64(priv, "hooks", false, UINT32_MAX, pp, &hooks, err) < 0)
		return -1;
	st->hooks_known = hooks != UINT64_MAX;
	st->hooks_mask = st->hooks_known ? (unsigned)hooks : 0;
	if (jget_bool(priv, "ownPidNamespace", pp, &st->has_own_pidns, err) < 0 ||
	    jget_str(priv, "cgroupPath", false, pp, &st->cgroup_path, err) < 0 ||
	    jget(priv, "resources", json_type_object, false, pp, &res, err) < 0 ||
	    jget_str(priv, "config", false, pp, &st->config_json, err) < 0)
		return -1;
	if (res)
		st->resources_json = xstrdup(json_object_to_json_string_ext(
			res, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static int read_state(json_object *o, struct er_state *st, struct er_error *err)
{
	json_object *status;
	int64_t pid = 0;

	if (jget_str(o, "ociVersion", false, NULL, &st->oci_version, err) < 0 ||
	    jget_str(o, "id", true, NULL, &st->id, err) < 0 ||
	    jget_i64(o, "pid", false, 0, INT32_MAX, NULL, &pid, err) < 0 ||
	    jget(o, "status", json_type_string, true, NULL, &status, err) < 0)
		return -1;
	st->pid = (pid_t)pid;
	if (status_from_name(json_object_get_string(status), &st->status) < 0)
		return jerr(err, JP_KEY(NULL, "status"), "unknown status \"%s\"",
			    json_object_get_string(status));
	if (jget_str(o, "bundle", false, NULL, &st->bundle, err) < 0 ||
	    jget_str(o, "rootfs", false, NULL, &st->rootfs, err) < 0 ||
	    jget_str(o, "created", false, NULL, &st->created, err) < 0 ||
	    jget_kv(o, "annotations", NULL, &st->annotations, &st->n_annotations, err) < 0 ||
	    jget_str(o, "owner", false, NULL, &st->owner, err) < 0)
		return -1;
	return read_private(o, st, err);
}

int state_from_file_json(const char *json, struct er_state *st, struct er_error *err)
{
	json_object *o = json_parse_doc(json, strlen(json), NULL, err);
	int r;

	memset(st, 0, sizeof(*st));
	if (!o)
		return -1;
	r = read_state(o, st, err);
	json_object_put(o);
	if (r < 0) {
		state_clear(st);
		return -1;
	}
	return 0;
}

void state_clear(struct er_state *st)
{
	if (!st)
		return;
	free(st->oci_version);
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	spec_kv_free(st->annotations, st->n_annotations);
	free(st->cgroup_path);
	free(st->resources_json);
	free(st->config_json);
	memset(st, 0, sizeof(*st));
}
