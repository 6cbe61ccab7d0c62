/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interfaces between the parts of libcontainer (not used by cmd/).
 *
 *   container.c  lifecycle API (container.h), state files, locking        -> calls process.c
 *   process.c    parent side: clone the init, user ns maps, sync, runtime hooks
 *   init.c       child side: everything inside the new namespaces, then exec
 *   rootfs.c mount.c devices.c pathrs.c   filesystem set-up, called from init.c
 *   caps.c userns.c terminal.c hooks.c    as named
 */
#ifndef EDGERUN_LIBCONTAINER_INTERNAL_H
#define EDGERUN_LIBCONTAINER_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/spec.h"
#include "specconv/state.h"

struct cgroup;	     /* libcontainer/cgroup/cgroup.h */
struct seccomp_prog; /* seccomp/seccomp.h */

struct netdev_set;    /* netdev.c */
struct notify_socket; /* notify_socket.c */

/* ---------------- container.c / container_cgroup.c ---------------- */

struct er_container {
	char *root;
	char *id;
	char *dir; /* ROOT/ID */
	int dirfd; /* flock'ed while this object works on the container (-1 once unlocked) */
	struct er_state state;
	int pty_master;	      /* foreground run with a terminal; else -1 */
	bool signals_blocked; /* foreground run: forwardable signals blocked since create */
	sigset_t saved_mask;
	bool gone;			  /* removed by someone else while we waited unlocked */
	struct cgroup *cg;		  /* loaded on first use from state.cgroup_path */
	struct spec_resources *resources; /* parsed state.resources_json, on first use */
	/* foreground `run` with NOTIFY_SOCKET: the container's notify socket, served by the
	 * wait loop until READY= is forwarded (NULL otherwise) */
	struct notify_socket *notify;
};

/* container_cgroup.c, for container.c */
/* The container's cgroup (loaded once); NULL with err when it has none. */
struct cgroup *container_cgroup(struct er_container *c, struct er_error *err);
/* create: makes the cgroup and applies linux.resources (nothing when the host has no
 * cgroups and nothing is asked), filling c->state.cgroup_path/resources_json. */
int container_cgroup_create(struct er_container *c, const struct spec *spec, struct er_error *err);
/* Refines a created/running status to paused when the cgroup is frozen (*cg: the loaded
 * cgroup, loaded here when NULL; the caller frees it). */
void container_state_paused(struct er_state *st, struct cgroup **cg);
void container_cgroup_refresh(struct er_container *c);
/* After a failed init: says so when the init was OOM-killed at linux.resources.memory.limit
 * (a limit below what the set-up needs), as runc reports a limit below the usage. */
void container_cgroup_explain(struct er_container *c, const struct spec *spec,
			      struct er_error *err);
/* The config saved at create (ROOT/ID/config.json); NULL without error when there is none
 * (a container created by an older edgerun without post* hooks). */
struct spec *container_saved_spec(const struct er_container *c, struct er_error *err);
/* Foreground waiting (`run`, `exec`): block the forwardable signals before cloning PID, then
 * wait for PID (a child of ours) forwarding signals to it and proxying *MASTER (-1: none)
 * with our stdin/stdout; the container is unlocked meanwhile. Returns the status as a shell
 * reports it (code, or 128+signal). */
void container_block_signals(struct er_container *c);
int container_wait_foreground(struct er_container *c, pid_t pid, int *master, struct er_error *err);
/* SIGKILL to everything in the cgroup (thawed first), for delete/stop; no-op without one. */
void container_cgroup_kill(struct er_container *c);
/* Removes the cgroup (warns on failure); no-op without one. */
void container_cgroup_destroy(struct er_container *c);
void container_cgroup_free(struct er_container *c);

/* ---------------- process.c / init.c ---------------- */

struct init_config {
	const struct spec *spec;
	const char *bundle;	    /* absolute */
	const char *root;	    /* the state root (--root): the seccomp cache is under it */
	const char *state_dir;	    /* absolute ROOT/ID */
	const char *fifo_path;	    /* ROOT/ID/exec.fifo, already made with mkfifo(0600) */
	const char *console_socket; /* send the pty master there; NULL = none */
	bool keep_pty_master;	    /* foreground run with a terminal: return the master */
	bool no_pivot, no_new_keyring;
	int preserve_fds; /* fds 3 .. 3+N-1 are passed to the container */
	/* Template for the hooks' state JSON (id, bundle, annotations); process.c fills in
	 * pid and status="creating" before running createRuntime/prestart hooks. */
	struct er_state *state;
	/* ROOT/ID/exec.err opened O_RDWR (or -1): if the init fails after `start` released it
	 * (startContainer hooks, execve), it writes its error there before dying, for `start`
	 * to report. */
	int exec_err_fd;
	/* Set by process.c (NULL otherwise): spec->n_mounts bind-source fds (-1 = none) from
	 * rootfs_open_mount_sources(), for an init with a new user namespace. */
	const int *mount_fds;
	/* The container's cgroup (cgroup_create), or NULL when the host has none. The init is
	 * cloned straight into it (clone3 CLONE_INTO_CGROUP) on a pure v2 host, otherwise moved
	 * there before it is let go; it unshares its cgroup namespace only after that. */
	struct cgroup *cg;
	/* Set by process.c (NULL otherwise): linux.seccomp, compiled before the clone (the init
	 * inherits the program and only loads it, at the point init.c explains). */
	const struct seccomp_prog *seccomp;
};

struct init_result {
	pid_t pid;		       /* the container's init, as seen from the host */
	unsigned long long start_time; /* proc_start_time(pid) */
	int pty_master;		       /* -1 unless keep_pty_master */
	/* linux.netDevices moved into the container (netdev_attach), or NULL: the caller
	 * frees it once create succeeded, or rolls it back when a later step fails */
	struct netdev_set *netdevs;
};

/* Clones the container's init into its namespaces (joining those given by path), writes
 * the id mappings, runs prestart + createRuntime hooks at the spec's point, and returns
 * once init waits on exec.fifo. On failure the child is killed and reaped and err holds
 * the child's own message, e.g. `exec "/bin/nope": no such file or directory`. */
/* After cloning a helper that clones the real process and reports its pid (SYNC_HELPER_PID)
 * on PSOCK: receives the pid (or the helper's error), reaps the helper, sets *helper to -1.
 * WHO names the helper in errors. */
pid_t process_helper_pid(int psock, pid_t *helper, const char *who, struct er_error *err);
int process_create_init(const struct init_config *cfg, struct init_result *res,
			struct er_error *err);

/* ---- engine internals (process.c, init.c, userns.c, terminal.c; unit-tested parts) ---- */

#define NS_PLAN_MAX 8

struct ns_join {
	int type;	  /* CLONE_NEW* */
	const char *path; /* borrowed from the spec */
};

/* How the init gets its namespaces: a pure function of the spec (ns_plan_build). */
struct ns_plan {
	/* CLONE_NEW* created for the init. All but CLONE_NEWCGROUP go to its clone; the cgroup
	 * namespace is unshared by the init after GO, once it sits in its own cgroup. */
	unsigned long clone_flags;
	bool new_time;	  /* new time ns: the helper unshares it, writes the offsets */
	bool need_helper; /* joins or new_time: clone through a short-lived helper */
	size_t n_joins;
	struct ns_join joins[NS_PLAN_MAX]; /* setns order: user first, mount last */
	unsigned long joined;		   /* CLONE_NEW* of the joined namespaces */
};
/* Validates the namespaces (known types, no duplicates, time offsets only with a new time
 * namespace, id mappings with a new user namespace) and fills *plan. */
int ns_plan_build(const struct spec *s, struct ns_plan *plan, struct er_error *err);
/* True if the container has its own namespace of `type` (new or joined). */
bool ns_plan_has(const struct ns_plan *p, int type);

/* init.c: the container's init after clone; reports failures on `sock`, never returns. */
__attribute__((noreturn)) void init_main(const struct init_config *cfg, const struct ns_plan *plan,
					 int sock, int fifo_fd);
/* "net.ipv4.ip_forward" -> "net/ipv4/ip_forward" (relative to /proc/sys); NULL + err if the
 * key is empty, has a '/', an empty or ".." component. */
char *init_sysctl_relpath(const char *key, struct er_error *err);
/* Resolves argv0 as execvp would with PATH (NULL: the default PATH), checking that the result
 * is an executable regular file. Errors as runc reports them at create time:
 *   exec: "nope": executable file not found in $PATH
 *   exec "/bin/nope": no such file or directory */
char *init_lookup_exec(const char *argv0, const char *path, struct er_error *err);

/* init.c: the steps that give a process its attributes, shared by the container's init and
 * the processes of `exec` (exec.c), in the order they must run:
 *   init_reset_signals; init_process_attributes; env = init_process_env; chdir(cwd) tried;
 *   init_fix_stdio_owner; seccomp here if init_seccomp_before_caps; init_set_user;
 *   init_process_final (no_new_privs, umask, cwd, program lookup); seccomp; execve. */
void init_reset_signals(void); /* every handler to SIG_DFL, empty mask */
/* rlimits, linux.personality (L may be NULL), scheduler, I/O priority, LSM exec labels. */
int init_process_attributes(const struct spec_process *p, const struct spec_linux *l,
			    struct er_error *err);
/* process.env plus HOME (from /etc/passwd, else "/") when it has none. */
char **init_process_env(const struct spec_process *p);
/* stdio pipes and sockets (and our pty) go to the process's user. */
int init_fix_stdio_owner(const struct spec_process *p, struct er_error *err);
/* Bounding set, additional groups, gid, uid, then the capability sets. */
int init_set_user(const struct spec_process *p, struct er_error *err);
int init_process_final(const struct spec_process *p, bool cwd_done, char *const *envp,
		       char **exec_path, struct er_error *err);
/* seccomp(2) must run before the capabilities are dropped (no no_new_privs and no
 * CAP_SYS_ADMIN at the end); otherwise the filter is loaded as late as possible. */
bool init_seccomp_before_caps(const struct spec_process *p);
/* Loads PROG; with SCMP_ACT_NOTIFY its listener fd goes to the parent over SOCK (SECCOMP,
 * answered by SECCOMP_DONE) with no syscall of ours in between (see init.c). */
int init_seccomp_load(const struct seccomp_prog *prog, int sock, struct er_error *err);

/* process.c, for exec.c: the fork-like clone of process_create_init (see there), and the
 * check that the host has the LSM that process.apparmorProfile/selinuxLabel ask for. */
pid_t process_clone(unsigned long flags, int cgroup_fd, bool *into_cgroup, struct er_error *err);
int process_lsm_check(const struct spec_process *p, struct er_error *err);

/* userns.c */
/* "ctr host size\n" per mapping. */
char *userns_format_map(const struct spec_idmap *m, size_t n);
/* Writes /proc/PID/uid_map, setgroups ("deny" first when deny_setgroups) and gid_map. */
int userns_write_maps(pid_t pid, const struct spec_linux *l, bool deny_setgroups,
		      struct er_error *err);
/* "monotonic S N\nboottime S N\n" for the offsets present; "" if none. */
char *timens_format_offsets(const struct spec_linux *l);
/* Writes the offsets to /proc/self/timens_offsets (after unshare(CLONE_NEWTIME)). */
int timens_write_offsets(const struct spec_linux *l, struct er_error *err);
/* 1 if /proc/self/setgroups allows setgroups(2) (or does not exist), 0 if "deny". */
int userns_setgroups_allowed(void);

/* terminal.c (child side): opens a pty in the current mount namespace, makes the slave the
 * controlling terminal and stdio, applies the console size; bind-mounts it on /dev/console
 * when mount_console. Returns the master (O_CLOEXEC) and the slave's path. */
int terminal_setup(const struct spec_process *p, bool mount_console, int *master, char **slave_path,
		   struct er_error *err);

/* ---------------- rootfs.c (called in the child, inside its new mount namespace) -------- */

struct rootfs_config {
	const struct spec *spec;
	const char *bundle;
	bool no_pivot;
	bool in_userns; /* cannot mknod: bind-mount devices from the host */
	/* own cgroup namespace (new or joined): cgroup mounts are fresh cgroupfs instances,
	 * rooted at the namespace's root; otherwise our cgroup of the host's is bound */
	bool in_cgroupns;
	/* NULL, or spec->n_mounts fds from rootfs_open_mount_sources() (-1 = none): bind
	 * sources already cloned on the runtime side, attached as they are. */
	const int *mount_fds;
};

/* Runtime side, before cloning an init that gets a user namespace: clones every bind
 * mount's source (open_tree, with its attributes) so that sources the container's root
 * cannot reach still work, as runc does. Fills *fds with spec->n_mounts entries (-1 for
 * other mounts); the init inherits them. Free with rootfs_close_mount_sources(). */
int rootfs_open_mount_sources(const struct spec *spec, const char *bundle, int **fds,
			      struct er_error *err);
void rootfs_close_mount_sources(int *fds, size_t n);

/* Before pivot: set rootfs propagation (default rslave), bind the rootfs onto itself,
 * perform spec->mounts in order (targets resolved inside the rootfs; destinations created
 * as needed), create default and configured devices, /dev symlinks, /dev/pts + ptmx. */
int rootfs_prepare(const struct rootfs_config *rc, struct er_error *err);
/* pivot_root into the rootfs (or MS_MOVE + chroot with no_pivot); cwd becomes "/". */
int rootfs_pivot(const struct rootfs_config *rc, struct er_error *err);
/* After pivot: maskedPaths, readonlyPaths, root.readonly, final propagation fix-up. */
int rootfs_finalize(const struct rootfs_config *rc, struct er_error *err);

/* ---------------- pathrs.c: safe in-root path resolution ---------------- */

/* Opens PATH (absolute or relative, interpreted inside the tree at rootfd) without ever
 * leaving it: openat2(RESOLVE_IN_ROOT) with a bounded EAGAIN retry, falling back to a
 * component-by-component walk that resolves symlinks against rootfd. */
int pathrs_open(int rootfd, const char *path, int flags, mode_t mode, struct er_error *err);
/* mkdir -p inside the tree; returns an O_PATH|O_DIRECTORY fd of the last component. */
int pathrs_mkdir_all(int rootfd, const char *path, mode_t mode, struct er_error *err);
/* Creates (if missing) an empty regular file at PATH inside the tree (parents as needed);
 * returns an O_PATH fd to it. For bind-mounting files onto. */
int pathrs_create_file(int rootfd, const char *path, mode_t mode, struct er_error *err);

/* ---------------- netdev.c: linux.netDevices ---------------- */

/* Moves every linux.netDevices entry from our network namespace into the one of `pid` (the
 * init, after the clone, before GO), renamed as configured, with its permanent addresses of
 * global scope re-added there, and sets it up. Checks first that every move is possible
 * (device exists, names free); on any failure moves back what it moved. *out is NULL when
 * the spec has no netDevices. Errors name the entry: linux.netDevices["eth0"]: ... */
int netdev_attach(const struct spec *spec, pid_t pid, struct netdev_set **out,
		  struct er_error *err);
/* A later create step failed: moves the devices back to the host (original name, index
 * when free, addresses, up state; warns on failure) and frees the set. NULL is fine. */
void netdev_rollback(struct netdev_set *set);
void netdev_set_free(struct netdev_set *set); /* create succeeded: forget the set */

/* ---------------- notify_socket.c: NOTIFY_SOCKET (sd_notify proxy) ---------------- */

/* create, when the caller has NOTIFY_SOCKET: mkdir ROOT/ID/notify, append its read-only
 * bind mount at /run/notify to spec->mounts and NOTIFY_SOCKET=/run/notify/notify.sock to
 * the process env. No-op without NOTIFY_SOCKET. */
int notify_socket_prepare(int dirfd, const char *dir, struct spec *spec, struct er_error *err);
/* start, before the init is released: binds ROOT/ID/notify/notify.sock. *out is NULL when
 * the caller has no NOTIFY_SOCKET or the container was created without one. */
int notify_socket_open(int dirfd, struct notify_socket **out, struct er_error *err);
/* Waits (no time limit, as runc) for a READY= datagram and forwards it to the caller's
 * NOTIFY_SOCKET with MAINPID=st->pid and BARRIER=1; returns 0 also when the init exits first. */
int notify_socket_wait(struct notify_socket *ns, const struct er_state *st, struct er_error *err);
/* For a poll loop: the socket's fd; handle reads what is queued and returns 1 once READY=
 * was forwarded (with MAINPID=mainpid), 0 when not yet, -1 on error. */
int notify_socket_fd(const struct notify_socket *ns);
int notify_socket_handle(struct notify_socket *ns, pid_t mainpid, struct er_error *err);
void notify_socket_free(struct notify_socket *ns);
void notify_socket_freep(struct notify_socket **ns); /* for _cleanup_ */

/* ---------------- hooks.c ---------------- */

/* Runs hooks in order: each gets state_json on stdin, its args/env, and is killed after its
 * timeout. The first failure stops the list: "<phase> hook `path`: exit status 3". */
int hooks_run(const struct spec_hook *hooks, size_t n, const char *phase, const char *state_json,
	      struct er_error *err);
/* The hooks' stdin: state_to_json(st) with pid and status set (st NULL: a minimal one). */
char *hooks_state_json(struct er_state *st, pid_t pid, enum er_status status);

/* ---------------- caps.c ---------------- */

/* Applies the five capability sets of the process spec, bounding first. Call after
 * setuid (PR_SET_KEEPCAPS set before it). */
int caps_apply(const struct spec_caps *caps, struct er_error *err);
int caps_drop_bounding(const struct spec_caps *caps, struct er_error *err);

/* ---------------- terminal.c ---------------- */

/* Sends the pty master to a unix socket as runc does (SCM_RIGHTS, pty name as payload). */
int terminal_send_console(const char *socket_path, int master_fd, const char *name,
			  struct er_error *err);

/* ---------------- signals.c ---------------- */
const char *signal_name(int sig); /* "SIGTERM"; NULL if unknown */

/* ---------------- state.c: ROOT/ID files and locking (used by container.c) ---------------- */

#define ER_STATE_FILE "state.json"
#define ER_EXEC_FIFO "exec.fifo"
#define ER_EXEC_ERR "exec.err"	     /* FIFO: the init's error after start released it */
#define ER_CONFIG_COPY "config.json" /* the bundle's config as it was at create */

/* mkdir ROOT (0700, parents too) and ROOT/ID (0711); returns ROOT/ID's fd, locked.
 * An existing ID fails with "container with id exists: ID". */
int state_dir_create(const char *root, const char *id, struct er_error *err);
/* Opens ROOT/ID, locks it, checks it holds a state.json ("container `ID` does not exist"). */
int state_dir_open(const char *root, const char *id, struct er_error *err);
/* flock(LOCK_EX) / flock(LOCK_UN). Unlocking releases the lock even when a cloned child
 * still holds a copy of the fd (flock locks belong to the open file description). */
int state_lock(int dirfd, struct er_error *err);
void state_unlock(int dirfd);
/* Removes everything in ROOT/ID, then ROOT/ID itself. */
int state_dir_remove(int dirfd, const char *dir_path, struct er_error *err);
/* Removes ROOT/ID if it has no state.json and nobody holds its lock; 0 if nothing to do. */
int state_dir_remove_stale(const char *root, const char *id, struct er_error *err);

int state_read(int dirfd, struct er_state *st, struct er_error *err);
int state_write(int dirfd, const struct er_state *st, struct er_error *err); /* atomic */
/* Recomputes st->status from the system: init alive (same start time, not a zombie) and
 * exec.fifo present = created, alive = running, else stopped (and pid 0). */
void state_refresh(int dirfd, struct er_state *st);
/* A pidfd for the container's init if it is still that process, else -1. */
int state_init_pidfd(const struct er_state *st);
/* Writes PID to PATH atomically (temp file in the same directory + rename), as runc does. */
int state_write_pid_file(const char *path, pid_t pid, struct er_error *err);

#endif
