/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parent side of container creation: plan the namespaces, clone the init (directly, or
 * through a short-lived helper that joins namespaces by path and unshares the time
 * namespace), write the id maps, run the runtime hooks when the init asks, forward the pty
 * master, hand a seccomp listener fd to its listener, and return once the init waits on
 * exec.fifo. The protocol is in sync.h. linux.seccomp is compiled here, before the clone: the
 * init inherits the BPF program and only loads it.
 *
 * No re-exec of our own binary: the init is a clone of this process and runs init_main().
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup.h"
#include "libcontainer/internal.h"
#include "libcontainer/sync.h"
#include "seccomp/seccomp.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* ---------------- the namespace plan (pure) ---------------- */

/* setns order: the user namespace first (so that namespaces it owns can be joined), the
 * mount namespace last (its root and cwd change under us). */
static const struct {
	int type;
	const char *name;
} ns_kinds[] = {
	{CLONE_NEWUSER, "user"},   {CLONE_NEWIPC, "ipc"},  {CLONE_NEWUTS, "uts"},
	{CLONE_NEWNET, "network"}, {CLONE_NEWPID, "pid"},  {CLONE_NEWCGROUP, "cgroup"},
	{CLONE_NEWTIME, "time"},   {CLONE_NEWNS, "mount"},
};

static const char *ns_name(int type)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_kinds); i++)
		if (ns_kinds[i].type == type)
			return ns_kinds[i].name;
	return NULL;
}

static int plan_check_namespaces(const struct spec_linux *l, struct er_error *err)
{
	unsigned long seen = 0;

	for (size_t i = 0; i < l->n_namespaces; i++) {
		int type = l->namespaces[i].type;

		if (!ns_name(type))
			return er_set(err, 0, "linux.namespaces[%zu]: unknown namespace type %#x",
				      i, (unsigned int)type);
		if (seen & (unsigned long)type)
			return er_set(err, 0, "linux.namespaces: duplicate `%s` namespace",
				      ns_name(type));
		if (l->namespaces[i].path && !*l->namespaces[i].path)
			return er_set(err, 0, "linux.namespaces[%zu]: empty path", i);
		seen |= (unsigned long)type;
	}
	return 0;
}

static const struct spec_namespace *plan_find(const struct spec_linux *l, int type)
{
	for (size_t i = 0; i < l->n_namespaces; i++)
		if (l->namespaces[i].type == type)
			return &l->namespaces[i];
	return NULL;
}

static int plan_check_userns(const struct spec_linux *l, const struct ns_plan *plan,
			     struct er_error *err)
{
	bool has_maps = l->n_uid_mappings || l->n_gid_mappings;

	if (plan->clone_flags & CLONE_NEWUSER) {
		if (!l->n_uid_mappings)
			return er_set(err, 0, "user namespaces enabled, but no uid mappings found");
		if (!l->n_gid_mappings)
			return er_set(err, 0, "user namespaces enabled, but no gid mappings found");
	} else if (has_maps && !(plan->joined & CLONE_NEWUSER)) {
		return er_set(err, 0, "user namespace remapping requires a user namespace");
	}
	return 0;
}

int ns_plan_build(const struct spec *s, struct ns_plan *plan, struct er_error *err)
{
	const struct spec_linux *l = s->linux_;

	memset(plan, 0, sizeof(*plan));
	if (!l)
		return 0;
	if (plan_check_namespaces(l, err) < 0)
		return -1;
	for (size_t k = 0; k < ARRAY_SIZE(ns_kinds); k++) {
		const struct spec_namespace *ns = plan_find(l, ns_kinds[k].type);

		if (!ns)
			continue;
		if (ns->path) {
			plan->joins[plan->n_joins].type = ns->type;
			plan->joins[plan->n_joins].path = ns->path;
			plan->n_joins++;
			plan->joined |= (unsigned long)ns->type;
		} else if (ns->type == CLONE_NEWTIME) {
			plan->new_time = true;
		} else {
			plan->clone_flags |= (unsigned long)ns->type;
		}
	}
	if ((l->time_monotonic.present || l->time_boottime.present) && !plan->new_time)
		return er_set(err, 0, "linux.timeOffsets: requires a new time namespace");
	if (plan_check_userns(l, plan, err) < 0)
		return -1;
	plan->need_helper = plan->n_joins > 0 || plan->new_time;
	return 0;
}

bool ns_plan_has(const struct ns_plan *p, int type)
{
	if (type == CLONE_NEWTIME && p->new_time)
		return true;
	return ((p->clone_flags | p->joined) & (unsigned long)type) != 0;
}

/* ---------------- cloning ---------------- */

/* fork()-like clone: the child continues on a copy of our stack and returns 0. With
 * cgroup_fd >= 0 the child starts in that cgroup (CLONE_INTO_CGROUP); *into_cgroup says
 * whether that happened (a kernel without it: plain clone, the caller moves the child). */
static pid_t clone_raw(unsigned long flags, int cgroup_fd, bool *into_cgroup, struct er_error *err)
{
	/* With CLONE_PARENT the exit signal is our parent's choice: clone3 wants 0 there. */
	struct clone_args args = {.flags = flags,
				  .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD};
	long pid;

	if (into_cgroup)
		*into_cgroup = false;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*into_cgroup = true;
			return (pid_t)pid;
		}
		er_debug("clone3 with CLONE_INTO_CGROUP: %s; cloning, then moving the init",
			 er_strerror(errno));
		args.flags = flags;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		return er_set(err, errno, "clone (flags %#lx)", flags);
	return (pid_t)pid;
}

pid_t process_clone(unsigned long flags, int cgroup_fd, bool *into_cgroup, struct er_error *err)
{
	return clone_raw(flags, cgroup_fd, into_cgroup, err);
}

/* _cleanup_pid_: a child held until the hand-shake ends is killed and reaped on any exit. */
static void kill_and_reap(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = -1;
}
#define _cleanup_pid_ _cleanup_(kill_and_reap)

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/* Joins the planned namespaces. When a user namespace is joined, the others are tried
 * before it too: those owned by an outer user namespace (the host's) can only be entered
 * while we still hold our own privileges; the rest (EPERM) are joined after it. */
static int join_namespaces(const struct ns_plan *plan, int *fds, struct er_error *err)
{
	bool done[NS_PLAN_MAX] = {false};
	bool user = plan->n_joins && plan->joins[0].type == CLONE_NEWUSER;

	if (user) {
		for (size_t i = 1; i < plan->n_joins; i++) {
			if (setns(fds[i], plan->joins[i].type) == 0)
				done[i] = true;
			else if (errno != EPERM)
				return er_set(err, errno, "join %s namespace `%s`",
					      ns_name(plan->joins[i].type), plan->joins[i].path);
		}
	}
	for (size_t i = 0; i < plan->n_joins; i++) {
		if (done[i])
			continue;
		if (setns(fds[i], plan->joins[i].type) < 0)
			return er_set(err, errno, "join %s namespace `%s`",
				      ns_name(plan->joins[i].type), plan->joins[i].path);
	}
	return 0;
}

/* The helper: joins, unshares the time namespace (a clone(CLONE_NEWTIME) child would be in
 * it at once and the offsets could no longer be written), clones the init as our parent's
 * child (CLONE_PARENT), reports its pid and exits. */
__attribute__((noreturn)) static void helper_main(const struct init_config *cfg,
						  const struct ns_plan *plan, int *fds, int sock,
						  int fifo_fd)
{
	struct er_error e = ER_ERROR_INIT;
	pid_t pid;

	if (join_namespaces(plan, fds, &e) < 0)
		goto fail;
	close_fds(fds, plan->n_joins);
	if (plan->new_time) {
		if (unshare(CLONE_NEWTIME) < 0) {
			er_set(&e, errno, "create time namespace");
			goto fail;
		}
		if (timens_write_offsets(cfg->spec->linux_, &e) < 0)
			goto fail;
	}
	pid = clone_raw(CLONE_PARENT | (plan->clone_flags & ~(unsigned long)CLONE_NEWCGROUP), -1,
			NULL, &e);
	if (pid < 0) {
		er_prefix(&e, "clone container init");
		goto fail;
	}
	if (pid == 0)
		init_main(cfg, plan, sock, fifo_fd);
	if (sync_send_pid(sock, SYNC_HELPER_PID, pid, &e) < 0) {
		kill(pid, SIGKILL);
		goto fail;
	}
	_exit(0);
fail:
	sync_send_error(sock, &e);
	_exit(1);
}

static char *describe_status(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exit status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		const char *name = signal_name(WTERMSIG(status));

		if (name)
			return xasprintf("killed by signal %s", name);
		return xasprintf("killed by signal %d", WTERMSIG(status));
	}
	return xasprintf("status %#x", (unsigned int)status);
}

/* The child closed its end without a message: reap it and say how it ended. */
static int child_vanished(pid_t *pid, const char *who, struct er_error *err)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(*pid, &status, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return er_set(err, errno, "%s exited unexpectedly", who);
	*pid = -1;
	_cleanup_free_ char *how = describe_status(status);
	return er_set(err, 0, "%s exited unexpectedly (%s)", who, how);
}

static int open_join_fds(const struct ns_plan *plan, int *fds, struct er_error *err)
{
	for (size_t i = 0; i < plan->n_joins; i++) {
		fds[i] = open(plan->joins[i].path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return er_set(err, errno, "open %s namespace `%s`",
				      ns_name(plan->joins[i].type), plan->joins[i].path);
	}
	return 0;
}

/* Clones the helper and waits for the init's pid (or the helper's error). */
pid_t process_helper_pid(int psock, pid_t *helper, const char *who, struct er_error *err)
{
	struct sync_msg msg = SYNC_MSG_INIT;
	int32_t pid = -1;
	int r = sync_recv(psock, &msg, err);

	if (r == 0)
		return child_vanished(helper, who, err);
	if (r < 0)
		return -1;
	if (msg.type == SYNC_ERROR)
		r = sync_error_from_msg(&msg, err);
	else if (msg.type != SYNC_HELPER_PID)
		r = er_set(err, EPROTO, "sync: got `%s` from the %s", sync_type_name(msg.type),
			   who);
	else
		r = sync_msg_pid(&msg, &pid, err);
	sync_msg_clear(&msg);
	if (r < 0)
		return -1;
	/* The helper exits right after sending; reap it (the new process is our child). */
	while (waitpid(*helper, NULL, 0) < 0 && errno == EINTR)
		;
	*helper = -1;
	return pid;
}

static pid_t spawn_via_helper(const struct init_config *cfg, const struct ns_plan *plan, int psock,
			      int *csock, int fifo_fd, struct er_error *err)
{
	int fds[NS_PLAN_MAX] = {-1, -1, -1, -1, -1, -1, -1, -1};
	_cleanup_pid_ pid_t helper = -1;

	if (open_join_fds(plan, fds, err) < 0) {
		close_fds(fds, plan->n_joins);
		return -1;
	}
	helper = clone_raw(0, -1, NULL, err);
	if (helper == 0) {
		close(psock);
		helper_main(cfg, plan, fds, *csock, fifo_fd);
	}
	close_fds(fds, plan->n_joins);
	if (helper < 0)
		return er_prefix(err, "clone namespace helper");
	close(*csock);
	*csock = -1;
	return process_helper_pid(psock, &helper, "namespace helper", err);
}

/* ---------------- after the clone ---------------- */

static int write_oom_score_adj(pid_t pid, int value, struct er_error *err)
{
	char path[64], text[32];

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	snprintf(text, sizeof(text), "%d", value);
	if (write_file_at(AT_FDCWD, path, O_WRONLY, 0, text, strlen(text), err) < 0)
		return er_prefix(err, "set oom_score_adj to %d", value);
	return 0;
}

/* Cgroup, id maps and oom score, set from outside before the init goes on. */
static int setup_from_outside(const struct init_config *cfg, const struct ns_plan *plan, pid_t pid,
			      bool in_cgroup, struct er_error *err)
{
	const struct spec_process *p = cfg->spec->process;

	if (cfg->cg && !in_cgroup) {
		if (cgroup_add_pid(cfg->cg, pid, NULL, err) < 0)
			return er_prefix(err, "move the init into its cgroup");
		er_debug("init pid %d moved into its cgroup", (int)pid);
	}

	if (plan->clone_flags & CLONE_NEWUSER) {
		/* As runc: "deny" only when we are not root (a rootless gid map requires it). */
		if (userns_write_maps(pid, cfg->spec->linux_, geteuid() != 0, err) < 0)
			return -1;
	}
	if (p->has_oom_score_adj && write_oom_score_adj(pid, p->oom_score_adj, err) < 0)
		return -1;
	return 0;
}

/* The spec asks for an LSM label: refuse clearly when this host has no such LSM (checked
 * here, on the host's /sys, before anything is cloned; the init writes the label). */
static bool lsm_enabled(const char *path, const char *want)
{
	char buf[8] = "";
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (!want)
		return true;
	return read(fd, buf, sizeof(buf) - 1) > 0 && str_has_prefix(buf, want);
}

static int lsm_check(const struct spec_process *p, struct er_error *err)
{
	if (p->apparmor_profile && !lsm_enabled("/sys/module/apparmor/parameters/enabled", "Y"))
		return er_set(
			err, 0,
			"process.apparmorProfile `%s`: not supported: apparmor is not enabled "
			"on this host",
			p->apparmor_profile);
	if (p->selinux_label && !lsm_enabled("/sys/fs/selinux/enforce", NULL))
		return er_set(err, 0,
			      "process.selinuxLabel `%s`: not supported: selinux is not enabled on "
			      "this host",
			      p->selinux_label);
	return 0;
}

int process_lsm_check(const struct spec_process *p, struct er_error *err)
{
	return lsm_check(p, err);
}

/* prestart (deprecated but still run, first) and createRuntime hooks: in our namespaces,
 * with the state "creating" and the init's host pid. */
static int run_runtime_hooks(const struct init_config *cfg, pid_t pid, struct er_error *err)
{
	const struct spec_hooks *h = &cfg->spec->hooks;
	_cleanup_free_ char *json = NULL;

	if (!h->n[HOOK_PRESTART] && !h->n[HOOK_CREATE_RUNTIME])
		return 0;
	json = hooks_state_json(cfg->state, pid, ST_CREATING);
	if (hooks_run(h->list[HOOK_PRESTART], h->n[HOOK_PRESTART], "prestart", json, err) < 0)
		return -1;
	return hooks_run(h->list[HOOK_CREATE_RUNTIME], h->n[HOOK_CREATE_RUNTIME], "createRuntime",
			 json, err);
}

static int handle_pty(const struct init_config *cfg, struct sync_msg *msg, int *keep,
		      struct er_error *err)
{
	if (msg->fd < 0)
		return er_set(err, EPROTO, "sync: `pty` message without a descriptor");
	er_debug("container terminal is %s", msg->len ? msg->payload : "?");
	if (cfg->console_socket)
		/* runc sends the master's own name; receivers do not rely on it. */
		return terminal_send_console(cfg->console_socket, msg->fd, "/dev/ptmx", err);
	if (cfg->keep_pty_master && *keep < 0)
		*keep = TAKE_FD(msg->fd);
	return 0;
}

/* ---------------- seccomp ---------------- */

static const struct spec_seccomp *spec_seccomp_of(const struct spec *spec)
{
	return spec->linux_ ? spec->linux_->seccomp : NULL;
}

/* Compiles linux.seccomp (or takes it from ROOT/.seccomp): 1 with *prog filled, 0 when the
 * spec has no profile. */
static int prepare_seccomp(const struct init_config *cfg, struct seccomp_prog *prog,
			   struct er_error *err)
{
	const struct spec_seccomp *sc = spec_seccomp_of(cfg->spec);
	_cleanup_free_ char *cache = NULL;

	if (!sc)
		return 0;
	if (cfg->root)
		cache = seccomp_cache_dir(cfg->root);
	if (seccomp_prepare(sc, cache, prog, err) < 0)
		return -1;
	if (prog->notify && (!sc->listener_path || !*sc->listener_path))
		return er_set(err, 0,
			      "linux.seccomp.listenerPath: required when an action is "
			      "SCMP_ACT_NOTIFY");
	return 1;
}

static void seccomp_prog_freep(struct seccomp_prog *p)
{
	seccomp_prog_free(p);
}

/* The init loaded a filter with SCMP_ACT_NOTIFY: send its listener fd and the container
 * process state to linux.seccomp.listenerPath, then let the init (its helper) go on. */
static int handle_seccomp(const struct init_config *cfg, struct sync_msg *msg, int psock, pid_t pid,
			  struct er_error *err)
{
	static const char *const fds[] = {"seccompFd"};
	const struct spec_seccomp *sc = spec_seccomp_of(cfg->spec);
	struct er_state *st = cfg->state;
	_cleanup_free_ char *json = NULL;

	if (msg->fd < 0)
		return er_set(err, EPROTO, "sync: `seccomp` message without a descriptor");
	if (!sc || !sc->listener_path || !st)
		return er_set(err, EPROTO, "sync: unexpected `seccomp` message");
	st->pid = pid;
	st->status = ST_CREATING;
	json = state_process_json(st, fds, ARRAY_SIZE(fds), pid, sc->listener_metadata);
	if (seccomp_send_listener(sc->listener_path, msg->fd, json, err) < 0)
		return -1;
	er_debug("seccomp: listener fd sent to `%s`", sc->listener_path);
	return sync_send(psock, SYNC_SECCOMP_DONE, 0, NULL, 0, -1, err);
}

/* Serves the init's requests until it reports READY. */
static int serve_init(const struct init_config *cfg, int psock, pid_t *pid, int *pty,
		      struct er_error *err)
{
	for (;;) {
		struct sync_msg msg = SYNC_MSG_INIT;
		int r = sync_recv(psock, &msg, err);

		if (r == 0)
			return child_vanished(pid, "container init", err);
		if (r < 0)
			return -1;
		switch (msg.type) {
		case SYNC_HOOKS:
			r = run_runtime_hooks(cfg, *pid, err);
			if (r == 0)
				r = sync_send(psock, SYNC_HOOKS_DONE, 0, NULL, 0, -1, err);
			break;
		case SYNC_PTY:
			r = handle_pty(cfg, &msg, pty, err);
			break;
		case SYNC_SECCOMP:
			r = handle_seccomp(cfg, &msg, psock, *pid, err);
			break;
		case SYNC_READY:
			sync_msg_clear(&msg);
			return 0;
		case SYNC_ERROR:
			r = sync_error_from_msg(&msg, err);
			break;
		default:
			r = er_set(err, EPROTO, "sync: unexpected `%s` from the container init",
				   sync_type_name(msg.type));
			break;
		}
		sync_msg_clear(&msg);
		if (r < 0)
			return -1;
	}
}

/* Frees the bind-source fds of rootfs_open_mount_sources() at scope exit. */
struct mount_sources {
	int *fds;
	size_t n;
};

static void mount_sources_closep(struct mount_sources *m)
{
	rootfs_close_mount_sources(m->fds, m->n);
}

static void netdev_rollbackp(struct netdev_set **set)
{
	netdev_rollback(*set);
}

int process_create_init(const struct init_config *ucfg, struct init_result *res,
			struct er_error *err)
{
	struct init_config local = *ucfg;
	const struct init_config *cfg = &local;
	_cleanup_(mount_sources_closep) struct mount_sources srcs = {NULL, 0};
	_cleanup_(seccomp_prog_freep) struct seccomp_prog prog = {0};
	struct ns_plan plan;
	int sp[2];
	_cleanup_close_ int psock = -1, csock = -1, fifo = -1, pty = -1;
	_cleanup_pid_ pid_t pid = -1;
	/* after pid: on failure the devices go back before the init is killed */
	_cleanup_(netdev_rollbackp) struct netdev_set *netdevs = NULL;
	bool in_cgroup = false;

	res->pid = 0;
	res->start_time = 0;
	res->pty_master = -1;
	res->netdevs = NULL;
	if (!cfg->spec->process || !cfg->spec->process->args || !cfg->spec->process->args[0])
		return er_set(err, 0, "process.args: no program to run");
	if (cfg->spec->process->terminal && !cfg->console_socket && !cfg->keep_pty_master)
		/* nobody would hold the master: the container would get a hang-up at once */
		return er_set(err, 0, "process.terminal needs a console socket to send the pty to");
	if (ns_plan_build(cfg->spec, &plan, err) < 0 || lsm_check(cfg->spec->process, err) < 0)
		return -1;
	switch (prepare_seccomp(cfg, &prog, err)) {
	case -1:
		return -1;
	case 1:
		local.seccomp = &prog;
		break;
	default:
		local.seccomp = NULL;
		break;
	}
	/* With a new user namespace the container's root may not reach a bind source: clone
	 * the sources here, on the runtime side, as runc does; the init attaches them. */
	if ((plan.clone_flags & CLONE_NEWUSER) && (plan.clone_flags & CLONE_NEWNS)) {
		if (rootfs_open_mount_sources(cfg->spec, cfg->bundle, &srcs.fds, err) < 0)
			return -1;
		srcs.n = cfg->spec->n_mounts;
		local.mount_fds = srcs.fds;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return er_set(err, errno, "create sync socket");
	psock = sp[0];
	csock = sp[1];
	/* Opened here so the init holds it whatever mount namespace it ends up in. O_RDWR
	 * never blocks on a FIFO and makes the init a writer too, so its read waits for the
	 * byte from `start` instead of seeing EOF. */
	fifo = open(cfg->fifo_path, O_RDWR | O_CLOEXEC);
	if (fifo < 0)
		return er_set(err, errno, "open exec fifo `%s`", cfg->fifo_path);

	er_debug("cloning container init: new namespaces %#lx, %zu joined%s", plan.clone_flags,
		 plan.n_joins, plan.new_time ? ", new time namespace" : "");
	if (plan.need_helper) {
		pid = spawn_via_helper(cfg, &plan, psock, &csock, fifo, err);
	} else {
		pid = clone_raw(plan.clone_flags & ~(unsigned long)CLONE_NEWCGROUP,
				cfg->cg ? cgroup_clone_fd(cfg->cg) : -1, &in_cgroup, err);
		if (pid == 0) {
			close(psock);
			init_main(cfg, &plan, csock, fifo);
		}
		if (pid < 0)
			er_prefix(err, "clone container init");
	}
	if (pid < 0) {
		pid = -1;
		return -1;
	}
	close(csock);
	csock = -1;
	close(fifo);
	fifo = -1;
	er_debug("container init is pid %d", (int)pid);

	if (in_cgroup)
		er_debug("init pid %d cloned into its cgroup (CLONE_INTO_CGROUP)", (int)pid);
	if (setup_from_outside(cfg, &plan, pid, in_cgroup, err) < 0)
		return -1;
	if (netdev_attach(cfg->spec, pid, &netdevs, err) < 0)
		return -1;
	if (sync_send_pid(psock, SYNC_GO, pid, err) < 0)
		return -1;
	if (serve_init(cfg, psock, &pid, &pty, err) < 0)
		return -1;

	res->pid = pid;
	res->start_time = proc_start_time(pid);
	res->pty_master = TAKE_FD(pty);
	res->netdevs = TAKE_PTR(netdevs);
	pid = -1; /* handed over: the init now waits on exec.fifo */
	return 0;
}
