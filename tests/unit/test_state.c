/* SPDX-License-Identifier: Apache-2.0 */
/* specconv/state.c: `state` output, hook stdin, and the state.json round trip. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "specconv/state.h"
#include "tap.h"

static struct spec_kv two_annotations[] = {{"a.b", "c"}, {"x", "y"}};

/* A created container like the one `runc state` printed for the expected text below. */
static struct er_state sample(void)
{
	struct er_state st = {
		.oci_version = "1.3.0",
		.id = "ctr1",
		.status = ST_CREATED,
		.pid = 5239,
		.bundle = "/tmp/specconv-x",
		.rootfs = "/tmp/specconv-x/rootfs",
		.created = "2026-11-28T19:36:51.342158281Z",
		.owner = "",
		.annotations = two_annotations,
		.n_annotations = 2,
	};
	return st;
}

/* `runc state ctr1` of runc 1.1.5, with ociVersion 1.3.0. */
static const char runc_state[] = "{\n"
				 "  \"ociVersion\": \"1.3.0\",\n"
				 "  \"id\": \"ctr1\",\n"
				 "  \"pid\": 5239,\n"
				 "  \"status\": \"created\",\n"
				 "  \"bundle\": \"/tmp/specconv-x\",\n"
				 "  \"rootfs\": \"/tmp/specconv-x/rootfs\",\n"
				 "  \"created\": \"2026-11-28T19:36:51.342158281Z\",\n"
				 "  \"annotations\": {\n"
				 "    \"a.b\": \"c\",\n"
				 "    \"x\": \"y\"\n"
				 "  },\n"
				 "  \"owner\": \"\"\n"
				 "}";

static void test_status_names(void)
{
	is_str(er_status_name(ST_CREATING), "creating", "status name creating");
	is_str(er_status_name(ST_CREATED), "created", "status name created");
	is_str(er_status_name(ST_RUNNING), "running", "status name running");
	is_str(er_status_name(ST_STOPPED), "stopped", "status name stopped");
	is_str(er_status_name(ST_PAUSED), "paused", "status name paused");
	is_str(er_status_name((enum er_status)42), "unknown", "status name out of range");
}

static void test_state_output(void)
{
	struct er_state st = sample();
	_cleanup_free_ char *pretty = state_to_json(&st, true);
	_cleanup_free_ char *compact = state_to_json(&st, false);
	_cleanup_free_ char *stopped = NULL, *bare = NULL, *bare_compact = NULL;

	is_str(pretty, runc_state, "state: runc's text, field order and indentation");
	is_str(compact,
	       "{\"ociVersion\":\"1.3.0\",\"id\":\"ctr1\",\"status\":\"created\",\"pid\":5239,"
	       "\"bundle\":\"/tmp/specconv-x\",\"annotations\":{\"a.b\":\"c\",\"x\":\"y\"}}",
	       "hook state: compact OCI state");

	st.status = ST_STOPPED;
	st.pid = 0;
	st.n_annotations = 0;
	stopped = state_to_json(&st, false);
	is_str(stopped,
	       "{\"ociVersion\":\"1.3.0\",\"id\":\"ctr1\",\"status\":\"stopped\","
	       "\"bundle\":\"/tmp/specconv-x\"}",
	       "hook state: no pid when stopped, no empty annotations");

	st = (struct er_state){.id = "c/2", .status = ST_RUNNING, .pid = 1};
	bare = state_to_json(&st, true);
	is_str(bare,
	       "{\n  \"ociVersion\": \"\",\n  \"id\": \"c/2\",\n  \"pid\": 1,\n"
	       "  \"status\": \"running\",\n  \"bundle\": \"\",\n  \"rootfs\": \"\",\n"
	       "  \"created\": \"\",\n  \"owner\": \"\"\n}",
	       "state: NULL strings print as \"\", slashes are not escaped");
	bare_compact = state_to_json(&st, false);
	is_str(bare_compact,
	       "{\"ociVersion\":\"\",\"id\":\"c/"
	       "2\",\"status\":\"running\",\"pid\":1,\"bundle\":\"\"}",
	       "hook state: NULL strings print as \"\"");
}

static void check_same(const struct er_state *a, const struct er_state *b, const char *what)
{
	bool same_ann = a->n_annotations == b->n_annotations;

	for (size_t i = 0; same_ann && i < a->n_annotations; i++)
		same_ann = strcmp(a->annotations[i].key, b->annotations[i].key) == 0 &&
			   strcmp(a->annotations[i].value, b->annotations[i].value) == 0;
	is_str(b->oci_version, a->oci_version, "%s: ociVersion", what);
	is_str(b->id, a->id, "%s: id", what);
	is_int(b->status, a->status, "%s: status", what);
	is_int(b->pid, a->pid, "%s: pid", what);
	is_str(b->bundle, a->bundle, "%s: bundle", what);
	is_str(b->rootfs, a->rootfs, "%s: rootfs", what);
	is_str(b->created, a->created, "%s: created", what);
	is_str(b->owner, a->owner, "%s: owner", what);
	ok(same_ann, "%s: annotations", what);
	ok(b->start_time == a->start_time, "%s: start_time", what);
	is_int(b->has_own_pidns, a->has_own_pidns, "%s: has_own_pidns", what);
	is_str(b->cgroup_path, a->cgroup_path, "%s: cgroup_path", what);
	is_str(b->resources_json, a->resources_json, "%s: resources_json", what);
	is_str(b->config_json, a->config_json, "%s: config_json", what);
}

static void round_trip(const struct er_state *st, const char *what)
{
	_cleanup_free_ char *json = state_to_file_json(st);
	_cleanup_free_ char *again = NULL;
	struct er_error err = ER_ERROR_INIT;
	struct er_state back;

	if (!ok(state_from_file_json(json, &back, &err) == 0, "%s: reads back", what)) {
		diag("%s", err.msg);
		er_clear(&err);
		return;
	}
	check_same(st, &back, what);
	again = state_to_file_json(&back);
	is_str(again, json, "%s: written again, same text", what);
	state_clear(&back);
}

static void test_file_round_trip(void)
{
	struct er_state st = sample();

	st.start_time = 18446744073709551615ULL;
	st.has_own_pidns = true;
	st.cgroup_path = "/sys/fs/cgroup/edge/ctr1";
	st.resources_json =
		"{\"memory\":{\"limit\":1048576},\"unified\":{\"a/b\":\"x \\\"y\\\"\"}}";
	st.config_json = "{\"x\": \"\\\"quoted\\\"\"}";
	round_trip(&st, "full state");

	st = (struct er_state){.id = "min", .status = ST_CREATING};
	round_trip(&st, "minimal state (NULL strings stay NULL)");

	st = (struct er_state){.oci_version = "",
			       .id = "",
			       .status = ST_PAUSED,
			       .pid = 2147483647,
			       .bundle = "",
			       .rootfs = "",
			       .created = "",
			       .owner = "",
			       .cgroup_path = "",
			       .resources_json = "{}",
			       .config_json = "",
			       .start_time = 1};
	round_trip(&st, "empty strings stay empty");
}

struct bad_state {
	const char *json;
	const char *want;
};

static const struct bad_state bad_states[] = {
	{"", "invalid JSON: empty document (line 1, column 1)"},
	{"{\"id\": \"x\",", "invalid JSON: unexpected end of input (line 1, column 12)"},
	{"[]", "expected a JSON object at the top level"},
	{"{\"status\": \"created\"}", "id: missing"},
	{"{\"id\": \"x\"}", "status: missing"},
	{"{\"id\": \"x\", \"status\": \"zombie\"}", "status: unknown status \"zombie\""},
	{"{\"id\": \"x\", \"status\": \"running\", \"pid\": -1}",
	 "pid: value -1 out of range (0 to 2147483647)"},
	{"{\"id\": \"x\", \"status\": \"running\", \"annotations\": {\"k\": 1}}",
	 "annotations.k: expected a string"},
	{"{\"id\": \"x\", \"status\": \"running\", \"edgerun\": {\"startTime\": -5}}",
	 "edgerun.startTime: expected a non-negative integer"},
	{"{\"id\": \"x\", \"status\": \"running\", \"edgerun\": {\"ownPidNamespace\": 1}}",
	 "edgerun.ownPidNamespace: expected a boolean"},
	{"{\"id\": \"x\", \"status\": \"running\", \"edgerun\": {\"resources\": \"{}\"}}",
	 "edgerun.resources: expected an object"},
};

static void test_file_errors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_states); i++) {
		struct er_error err = ER_ERROR_INIT;
		struct er_state st;

		ok(state_from_file_json(bad_states[i].json, &st, &err) < 0 && !st.id,
		   "bad state.json %zu fails, state left cleared", i);
		is_str(err.msg, bad_states[i].want, "bad state.json: %s", bad_states[i].want);
		er_clear(&err);
	}
}

/* The applied resources sit in state.json as an object, not as an escaped string. */
static void test_resources_object(void)
{
	struct er_state st = {
		.id = "r", .status = ST_RUNNING, .resources_json = "{\"pids\":{\"limit\":5}}"};
	_cleanup_free_ char *json = state_to_file_json(&st);
	_cleanup_free_ char *bad_json = NULL, *none_json = NULL;
	struct er_error err = ER_ERROR_INIT;
	struct er_state back;

	ok(strstr(json, "\"resources\": {\n      \"pids\": {\n        \"limit\": 5\n") != NULL,
	   "state.json: resources is a nested object");
	if (ok(state_from_file_json("{\"id\": \"x\", \"status\": \"running\", \"edgerun\": "
				    "{\"resources\": {\"cpu\": {\"cpus\": \"0-1\"}, "
				    "\"devices\": []}}}",
				    &back, &err) == 0,
	       "state.json with resources reads"))
		is_str(back.resources_json, "{\"cpu\":{\"cpus\":\"0-1\"},\"devices\":[]}",
		       "resources read back compact");
	else
		er_clear(&err);
	state_clear(&back);

	st.resources_json = "{\"pids\":";
	bad_json = state_to_file_json(&st);
	ok(!strstr(bad_json, "resources"), "state.json: resources that are not JSON left out");
	st.resources_json = NULL;
	none_json = state_to_file_json(&st);
	ok(!strstr(none_json, "resources"), "state.json: no resources member when NULL");
}

static void test_clear(void)
{
	struct er_state st = {0};
	struct er_error err = ER_ERROR_INIT;

	state_from_file_json("{\"id\": \"x\", \"status\": \"running\", \"pid\": 7, \"owner\": "
			     "\"me\", \"annotations\": {\"a\": \"b\"}, \"edgerun\": "
			     "{\"cgroupPath\": \"/c\", \"resources\": {}}}",
			     &st, &err);
	ok(st.id && st.owner && st.n_annotations == 1 && st.cgroup_path && st.pid == 7 &&
		   st.resources_json,
	   "state read with owner, annotations, cgroup path, resources");
	state_clear(&st);
	ok(!st.id && !st.owner && !st.annotations && !st.n_annotations && !st.cgroup_path &&
		   !st.resources_json && !st.pid,
	   "state_clear frees and zeroes");
	state_clear(&st); /* twice is harmless */
	state_clear(NULL);
	ok(1, "state_clear twice and on NULL");
}

/* What a seccomp agent receives with the listener fd (runtime-spec "container process
 * state"): the runtime's spec version, the fd names, pid, metadata, and the OCI state. */
static void test_process_state(void)
{
	static const char *const fds[] = {"seccompFd"};
	struct er_state st = sample();
	_cleanup_free_ char *full = state_process_json(&st, fds, 1, 5240, "key=\"v\"/x");
	_cleanup_free_ char *bare = NULL, *none = NULL;

	is_str(full,
	       "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":5240,"
	       "\"metadata\":\"key=\\\"v\\\"/x\",\"state\":{\"ociVersion\":\"1.3.0\","
	       "\"id\":\"ctr1\",\"status\":\"created\",\"pid\":5239,\"bundle\":"
	       "\"/tmp/specconv-x\",\"annotations\":{\"a.b\":\"c\",\"x\":\"y\"}}}",
	       "process state: every field, metadata escaped, slashes not");
	st = (struct er_state){.oci_version = "1.0.2", .id = "c", .status = ST_CREATING};
	bare = state_process_json(&st, fds, 1, 9, NULL);
	is_str(bare,
	       "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":9,\"state\":"
	       "{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"status\":\"creating\","
	       "\"bundle\":\"\"}}",
	       "process state: no metadata member when NULL; the runtime's version outside, the "
	       "bundle's inside");
	none = state_process_json(&st, NULL, 0, 9, "");
	ok(strstr(none, "\"fds\":[]") && strstr(none, "\"metadata\":\"\""),
	   "process state: no fds is an empty array, empty metadata is kept");
}

int main(void)
{
	test_status_names();
	test_state_output();
	test_file_round_trip();
	test_file_errors();
	test_resources_object();
	test_clear();
	test_process_state();
	return done_testing();
}
