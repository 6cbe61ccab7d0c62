/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container state: what `edgerun state` prints (OCI state + runc's extra fields) and what
 * is saved in ROOT/ID/state.json (the same object plus private fields under "edgerun").
 */
#ifndef EDGERUN_SPECCONV_STATE_H
#define EDGERUN_SPECCONV_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/spec.h"

enum er_status { ST_CREATING, ST_CREATED, ST_RUNNING, ST_STOPPED, ST_PAUSED };

struct er_state {
	char *oci_version; /* "1.3.0" */
	char *id;
	enum er_status status;
	pid_t pid;     /* 0 when stopped */
	char *bundle;  /* absolute */
	char *rootfs;  /* absolute */
	char *created; /* RFC 3339 */
	char *owner;   /* "" as runc prints for root */
	struct spec_kv *annotations;
	size_t n_annotations;
	/* private, saved in state.json only */
	unsigned long long start_time; /* /proc/PID/stat starttime of init, to detect pid reuse */
	bool has_own_pidns;	       /* container created a new pid namespace */
	bool hooks_known;	       /* hooks_mask was recorded (state.json of this version) */
	unsigned hooks_mask;	       /* bit 1 << spec_hook_kind per kind the config has */
	char *cgroup_path;	       /* cgroup_saved() text; NULL = no cgroup */
	char *resources_json;	       /* linux.resources as applied (spec_resources_to_json) */
	char *config_json;	       /* private: nothing yet; reserved */
};

const char *er_status_name(enum er_status st); /* "creating", "created", ... */

/* OCI state JSON as printed by `state` (pretty, runc's field order) or for hook stdin
 * (compact, OCI fields only). Never fails (aborts on OOM). */
char *state_to_json(const struct er_state *st, bool pretty);
/* The state.json file: OCI fields + private fields. */
char *state_to_file_json(const struct er_state *st);
/* Fills *st (zeroed first; left cleared on error). Errors name the field, e.g.
 * "status: unknown status \"zombie\"" or "invalid JSON: ... (line 1, column 2)". */
int state_from_file_json(const char *json, struct er_state *st, struct er_error *err);
void state_clear(struct er_state *st); /* frees members, zeroes */

/* runtime-spec "The Container Process State" sent with a seccomp listener fd (compact):
 * {"ociVersion":"1.3.0","fds":["seccompFd"],"pid":PID,"metadata":META,"state":{...}} where
 * state is state_to_json(st, false); "metadata" is left out when META is NULL. */
char *state_process_json(const struct er_state *st, const char *const *fds, size_t n_fds, pid_t pid,
			 const char *metadata);

#endif
