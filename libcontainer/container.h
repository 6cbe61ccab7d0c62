/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lifecycle API: the only libcontainer interface cmd/ uses.
 *
 * State lives in ROOT/ID/: state.json (written atomically: temp file + rename) and
 * exec.fifo while the container is `created`. Commands on one container serialise on
 * flock(ROOT/ID/). No edgerun process stays resident between create and start: the
 * container's init blocks on exec.fifo until `start` writes one byte into it.
 */
#ifndef EDGERUN_LIBCONTAINER_CONTAINER_H
#define EDGERUN_LIBCONTAINER_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/events.h"
#include "specconv/spec.h"
#include "specconv/state.h"

#define ER_DEFAULT_ROOT "/run/edgerun"
#define ER_OCI_VERSION "1.3.0" /* the runtime-spec version edgerun implements */

struct er_container; /* opaque: state + paths + lock fd */

struct er_create_opts {
	const char *root; /* --root, absolute */
	const char *id;
	const char *bundle;	    /* absolute */
	const char *pid_file;	    /* absolute or NULL */
	const char *console_socket; /* absolute or NULL */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	/* `run` in the foreground with process.terminal and no --console-socket: keep the pty
	 * master in the container object (er_container_pty_master) instead of sending it. */
	bool foreground_tty;
	/* `run` without --detach: this process stays and waits for init (it becomes a child
	 * subreaper so init is its child even when namespaces are joined through a helper). */
	bool foreground;
};

/* Container IDs: [A-Za-z0-9_+.-], not starting with '.', at most 255 bytes (it names ROOT/ID). */
int er_validate_id(const char *id, struct er_error *err);

/* create: validates, makes ROOT/ID, sets the container up and leaves its init waiting on
 * exec.fifo; runs prestart/createRuntime/createContainer hooks; writes the pid file.
 * On failure nothing is left behind (process killed and reaped, state dir removed). */
int er_container_create(const struct er_create_opts *o, struct spec *spec,
			struct er_container **out, struct er_error *err);

/* Loads ROOT/ID and takes its lock. ENOENT errors say "container `ID` does not exist". */
int er_container_load(const char *root, const char *id, struct er_container **out,
		      struct er_error *err);
void er_container_free(struct er_container *c); /* releases the lock */

/* Current state, refreshed (created/running/paused/stopped; pid reuse detected). */
const struct er_state *er_container_state(struct er_container *c);

/* start: only from `created`; releases init, runs poststart hooks (failures are warnings). */
int er_container_start(struct er_container *c, struct er_error *err);

/* kill: SIG to init, or to every process of the container with all=true. A stopped
 * container is an error ("container not running"). */
int er_container_kill(struct er_container *c, int sig, bool all, struct er_error *err);

/* delete: created or stopped containers always; running/paused only with force (which
 * kills and reaps everything). Runs poststop hooks, removes state and what create made. */
int er_container_delete(struct er_container *c, bool force, struct er_error *err);

/* For `delete` of an ID that does not load (ENOENT): removes a ROOT/ID left without a
 * state.json by an interrupted create, unless a create still holds its lock. 0 when there
 * was nothing to remove. */
int er_container_remove_stale(const char *root, const char *id, struct er_error *err);

/* For `run` in the foreground: the pty master (or -1), and a wait that forwards signals
 * to the container, proxies the terminal, and returns the exit status as a shell would
 * report it (code, or 128+signal). */
int er_container_pty_master(struct er_container *c);
int er_container_wait_foreground(struct er_container *c, struct er_error *err);

/* list: calls fn for each container under root (in name order) with its refreshed state. */
int er_container_list(const char *root, int (*fn)(const struct er_state *st, void *userdata),
		      void *userdata, struct er_error *err);

/* Signal names: "KILL", "SIGKILL", "kill", "9" -> 9. -1 with err on a bad name. */
int er_parse_signal(const char *s, struct er_error *err);

/* ---- cgroups (issue 3): every call below works on the container's saved cgroup ---- */

/* pause / resume: freeze or thaw the container's cgroup and wait until that state is
 * reached. pause needs `running` ("container not running"); resume needs `paused`
 * ("container not paused"). A container without a freezer fails with a clear error. */
int er_container_pause(struct er_container *c, struct er_error *err);
int er_container_resume(struct er_container *c, struct er_error *err);

/* update: applies the fields present in R (has_* set, non-empty arrays) to the cgroup of a
 * created, running or paused container, then merges them into the resources saved in
 * state.json (so a later `update` or `events` sees them). A stopped container is an error.
 * Devices in R replace the rule list (runc's defaults appended, as at create). */
int er_container_update(struct er_container *c, const struct spec_resources *r,
			struct er_error *err);
/* The resources as last applied (create + updates); NULL when the container has none.
 * Owned by c. */
const struct spec_resources *er_container_resources(struct er_container *c, struct er_error *err);

/* ps: the pids in the container's cgroup and its sub-cgroups, sorted ascending; *pids is
 * malloc'ed. A stopped container is an error ("container not running"... as runc: ps of a
 * stopped container fails). */
int er_container_pids(struct er_container *c, pid_t **pids, size_t *n, struct er_error *err);

/* events: one statistics sample of the container's cgroup (free with er_stats_free). */
int er_container_stats(struct er_container *c, struct er_stats *st, struct er_error *err);

/* events: OOM notification. Open once, poll er_container_oom_fd for POLLIN, then
 * er_container_oom_read: *count = OOM kills since the last read, *gone = the cgroup was
 * removed (stop). Close with er_container_oom_close (NULL is fine). */
struct er_oom;
struct er_oom *er_container_oom_open(struct er_container *c, struct er_error *err);
int er_container_oom_fd(const struct er_oom *o);
int er_container_oom_read(struct er_oom *o, uint64_t *count, bool *gone, struct er_error *err);
void er_container_oom_close(struct er_oom *o);

/* The lock is held for the life of the object: a long-running reader (events without
 * --stats) drops it with this so other commands on the container can proceed; state and
 * stats calls still work (they re-read state.json). */
void er_container_unlock(struct er_container *c);

/* ---- exec (issue 5) ---- */

struct er_exec_opts {
	/* The process: a whole one (`exec --process FILE`, owned by the caller), or NULL for the
	 * container's own process.* (its config.json as saved at create) changed by these: */
	const struct spec_process *process;
	char *const *args; /* process.args (required without `process`) */
	const char *cwd;   /* NULL: keep */
	char *const *env;  /* KEY=VALUE each: replaces the variable KEY, or is added */
	bool has_uid, has_gid;
	uint32_t uid, gid;
	const uint32_t *additional_gids; /* added to the config's */
	size_t n_additional_gids;
	char *const *caps; /* "CAP_X": added to the bounding, effective, permitted, ambient sets */
	bool tty;	   /* process.terminal (false without it, as runc) */
	bool no_new_privs; /* true: set; false: the config's value */
	const char *apparmor_profile, *selinux_label; /* NULL: keep */
	/* how it runs */
	bool detach;
	const char *pid_file;	    /* absolute or NULL; the process's host pid */
	const char *console_socket; /* absolute or NULL: where the pty master goes (detach) */
	int preserve_fds;	    /* fds 3 .. 3+N-1 are passed on */
	bool ignore_paused;
	const char *cgroup; /* a sub-cgroup of the container's ("/": the cgroup itself), or NULL */
};

/* exec: starts a process in a created or running container (or a paused one with
 * ignore_paused: it stays frozen with the container until resumed): the namespaces of the
 * container's init (user first, mount last; pid and time namespaces included), its cgroup,
 * the process's rlimits, personality, scheduler, LSM labels, env, user and groups,
 * capabilities, no_new_privs, umask, cwd, and the container's seccomp filter. Errors name
 * the step: "cannot exec in a stopped container", `exec: "nope": executable file not found
 * in $PATH`. With detach, returns 0 once the program runs; otherwise waits for it
 * (signals forwarded, a terminal proxied when there is no console socket) and returns its
 * status as a shell reports it (code, or 128+signal). */
int er_container_exec(struct er_container *c, const struct er_exec_opts *o, struct er_error *err);

/* Runs ps(1) with ARGS (NULL-terminated; NULL = {"-ef"}) and returns its output (malloc'ed)
 * for `ps --format table`; the caller filters the lines by PID column. */
int er_run_ps(char *const *args, char **out, struct er_error *err);

#endif
