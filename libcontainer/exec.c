/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec: a new process in a living container: in the namespaces of its init, in its cgroup,
 * with the process attributes, user, capabilities and seccomp filter of a process spec.
 *
 * The process is `exec --process FILE`, or the container's own process.* (config.json as
 * saved at create) with args, cwd, env, user, groups, capabilities, no_new_privs and LSM
 * labels changed by the command line, as runc does.
 *
 *   edgerun                                                         process
 *     |  setns(init's pidfd, its pid and time namespaces where they     |
 *     |  differ from ours): they apply to our children only             |
 *     |-- clone -------------------------------------------------------->|
 *     |        setns(init's pidfd, every other namespace that differs  |
 *     |        from ours); /proc/PID/ns/X one by one (user first, mount |
 *     |        last) where that is refused                              |
 *     |  pid file, cgroup (--cgroup sub-cgroup), oom_score_adj         |
 *     |-- GO ---------------------------------------------------------->|
 *     |                              setsid, pty, rlimits, personality,|
 *     |                              scheduler, LSM label, env         |
 *     |<-------------------------------------------- PTY{fd master}   | (process.terminal)
 *     |  send it to --console-socket, or keep it (foreground)          |
 *     |                              stdio owner, groups/uid/caps,     |
 *     |                              no_new_privs, umask, cwd, lookup, |
 *     |                              seccomp (init.c's point rules)    |
 *     |<------------------------------------------- SECCOMP{fd listener} (SCMP_ACT_NOTIFY)
 *     |-- SECCOMP_DONE ------------------------------------------------->|
 *     |<----------------------------- ERROR, or end of file at execve  |
 *     return (--detach), or wait: signals forwarded, terminal proxied, the status returned
 *
 * The sync socket is CLOEXEC: its end of file tells that execve succeeded. The set-up steps
 * are init.c's (init_process_attributes ... init_process_final), in the same order.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup.h"
#include "libcontainer/container.h"
#include "libcontainer/internal.h"
#include "libcontainer/sync.h"
#include "seccomp/seccomp.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The order of setns(2) one by one: user first (it owns the others), mount last (our root
 * and cwd change with it). */
static const struct {
	int type;
	const char *file; /* in /proc/PID/ns */
} ns_files[] = {
	{CLONE_NEWUSER, "user"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWUTS, "uts"},
	{CLONE_NEWNET, "net"},	 {CLONE_NEWPID, "pid"}, {CLONE_NEWCGROUP, "cgroup"},
	{CLONE_NEWTIME, "time"}, {CLONE_NEWNS, "mnt"},
};
#define N_NS ARRAY_SIZE(ns_files)

struct exec_ctx {
	struct er_container *c;
	const struct er_exec_opts *o;
	struct spec *spec;		 /* the container's config (saved at create) */
	const struct spec_process *proc; /* what runs: o->process or spec->process */
	const struct seccomp_prog *prog; /* the container's filter, or NULL */
	pid_t init_pid;			 /* the container's init, pinned by init_pidfd */
	int init_pidfd;
	unsigned long ns_flags; /* CLONE_NEW* of the namespaces to join */
	int ns_fds[N_NS];	/* for the one-by-one fallback; -1 = not joined */
	int sock;		/* the children's end of the sync socket */
};

/* ---------------- the process (parent side, before any clone) ---------------- */

static int check_status(struct er_container *c, bool ignore_paused, struct er_error *err)
{
	const struct er_state *st = er_container_state(c);

	if (st->status == ST_STOPPED)
		return er_set(err, 0, "cannot exec in a stopped container");
	if (st->status == ST_PAUSED && !ignore_paused)
		return er_set(
			err, 0,
			"cannot exec in a paused container (use --ignore-paused to override)");
	return 0;
}

/* KEY=VALUE: replaces the variable KEY where the env has it, else is appended. */
static int env_merge(char ***env, char *const *add, struct er_error *err)
{
	for (size_t i = 0; add && add[i]; i++) {
		const char *eq = strchr(add[i], '=');
		size_t klen;
		bool done = false;

		if (!eq || eq == add[i])
			return er_set(err, 0,
				      "invalid environment variable `%s`: expected KEY=VALUE",
				      add[i]);
		klen = (size_t)(eq - add[i]) + 1; /* with the '=' */
		for (size_t j = 0; *env && (*env)[j] && !done; j++) {
			if (strncmp((*env)[j], add[i], klen) != 0)
				continue;
			free((*env)[j]);
			(*env)[j] = xstrdup(add[i]);
			done = true;
		}
		if (!done)
			strv_push(env, xstrdup(add[i]));
	}
	return 0;
}

/* --cap NAME: into the bounding, effective, permitted and ambient sets (as runc). Without
 * process.capabilities every capability is kept already: nothing to add. */
static int caps_add(struct spec_caps *caps, char *const *names, struct er_error *err)
{
	for (size_t i = 0; names && names[i]; i++) {
		cap_value_t v;
		uint64_t bit;

		if (strncasecmp(names[i], "CAP_", 4) != 0 || cap_from_name(names[i], &v) < 0 ||
		    v < 0 || v >= 64 || v >= (cap_value_t)cap_max_bits())
			return er_set(err, 0, "unknown capability `%s`", names[i]);
		if (!caps->present)
			continue;
		bit = UINT64_C(1) << v;
		caps->bounding |= bit;
		caps->effective |= bit;
		caps->permitted |= bit;
		caps->ambient |= bit;
	}
	return 0;
}

static void gids_add(struct spec_user *u, const uint32_t *gids, size_t n)
{
	if (!n)
		return;
	u->additional_gids =
		xrealloc(u->additional_gids, (u->n_additional_gids + n) * sizeof(*gids));
	memcpy(u->additional_gids + u->n_additional_gids, gids, n * sizeof(*gids));
	u->n_additional_gids += n;
}

static void replace_str(char **dst, const char *src)
{
	if (!src)
		return;
	free(*dst);
	*dst = xstrdup(src);
}

/* The container's process.* with the command line's changes (runc's getProcess). */
static int build_process(struct exec_ctx *x, struct er_error *err)
{
	const struct er_exec_opts *o = x->o;
	struct spec_process *p = x->spec->process;

	if (!p)
		return er_set(err, 0, "the container's config.json has no `process` to start from");
	if (!o->args || !o->args[0])
		return er_set(err, 0, "process args cannot be empty");
	strv_free(p->args);
	p->args = strv_dup(o->args);
	replace_str(&p->cwd, o->cwd);
	if (env_merge(&p->env, o->env, err) < 0 || caps_add(&p->caps, o->caps, err) < 0)
		return -1;
	if (o->has_uid)
		p->user.uid = o->uid;
	if (o->has_gid)
		p->user.gid = o->gid;
	gids_add(&p->user, o->additional_gids, o->n_additional_gids);
	p->terminal = o->tty;
	if (o->no_new_privs)
		p->no_new_privileges = true;
	replace_str(&p->apparmor_profile, o->apparmor_profile);
	replace_str(&p->selinux_label, o->selinux_label);
	x->proc = p;
	return 0;
}

/* The config saved at create; the bundle's own for a container made before it was kept. */
static struct spec *load_config(struct er_container *c, struct er_error *err)
{
	struct er_error e = ER_ERROR_INIT;
	struct spec *s = container_saved_spec(c, &e);

	if (s)
		return s;
	if (e.msg) {
		*err = e;
		return NULL;
	}
	s = spec_load(c->state.bundle, err);
	if (!s)
		er_prefix(err, "load the container's config");
	return s;
}

static int check_process(const struct exec_ctx *x, struct er_error *err)
{
	const struct spec_process *p = x->proc;
	const struct er_exec_opts *o = x->o;

	if (!p->args || !p->args[0])
		return er_set(err, 0, "args must not be empty");
	if (!p->cwd || p->cwd[0] != '/')
		return er_set(err, 0, "cwd `%s` must be an absolute path", p->cwd ? p->cwd : "");
	if (p->terminal && o->detach && !o->console_socket)
		return er_set(err, 0, "process.terminal needs a console socket when detached");
	if (o->console_socket && (!p->terminal || !o->detach))
		return er_set(err, 0, "a console socket needs process.terminal and detach");
	return process_lsm_check(p, err);
}

/* `exec --cgroup SUB`: relative to the container's cgroup ("/" and "" are the cgroup itself);
 * never above it. NULL in *out: none. */
static int sub_cgroup(const char *arg, char **out, struct er_error *err)
{
	_cleanup_free_ char *clean = NULL;
	const char *p;

	*out = NULL;
	if (!arg)
		return 0;
	if (strchr(arg, ':'))
		return er_set(err, 0,
			      "--cgroup `%s`: a `<controller>:` prefix is not supported: give one "
			      "sub-cgroup for every controller",
			      arg);
	for (p = arg; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return er_set(err, 0, "bad sub cgroup path `%s`", arg);
		p += n;
		p += *p == '/';
	}
	clean = path_clean(arg);
	for (p = clean; *p == '/'; p++)
		;
	if (*p)
		*out = xstrdup(p);
	return 0;
}

/* ---------------- namespaces ---------------- */

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Opens /proc/PID/ns/X of init for the namespaces that are not ours (a kernel without one
 * has no file). The init must still be the process of the pidfd afterwards. */
static int open_namespaces(struct exec_ctx *x, struct er_error *err)
{
	struct pollfd pfd = {.fd = x->init_pidfd, .events = POLLIN};

	for (size_t k = 0; k < N_NS; k++) {
		char path[64], self[64];
		struct stat a, b;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)x->init_pid, ns_files[k].file);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_files[k].file);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return er_set(err, errno, "open `%s`", path);
		if (fstat(fd, &a) == 0 && stat(self, &b) == 0 && same_file(&a, &b)) {
			close(fd);
			continue;
		}
		x->ns_fds[k] = fd;
		x->ns_flags |= (unsigned long)ns_files[k].type;
	}
	if (poll(&pfd, 1, 0) != 0)
		return er_set(err, 0, "cannot exec in a stopped container");
	er_debug("exec: joining namespaces %#lx of init pid %d", x->ns_flags, (int)x->init_pid);
	return 0;
}

static void close_namespaces(struct exec_ctx *x)
{
	for (size_t k = 0; k < N_NS; k++) {
		if (x->ns_fds[k] >= 0)
			close(x->ns_fds[k]);
		x->ns_fds[k] = -1;
	}
}

/* One by one, those of MASK. With a user namespace to join, the others are tried before it
 * too: those that an outer user namespace owns can only be entered with our own privileges. */
static int join_one_by_one(const struct exec_ctx *x, unsigned long mask, struct er_error *err)
{
	bool done[N_NS] = {false};
	bool user = x->ns_fds[0] >= 0 && (mask & CLONE_NEWUSER);

	for (size_t k = 0; k < N_NS; k++)
		if (!(mask & (unsigned long)ns_files[k].type))
			done[k] = true;
	for (size_t k = 1; user && k < N_NS; k++) {
		if (x->ns_fds[k] < 0 || done[k])
			continue;
		if (setns(x->ns_fds[k], ns_files[k].type) == 0)
			done[k] = true;
		else if (errno != EPERM)
			return er_set(err, errno, "join the %s namespace of pid %d",
				      ns_files[k].file, (int)x->init_pid);
	}
	for (size_t k = 0; k < N_NS; k++) {
		if (x->ns_fds[k] < 0 || done[k])
			continue;
		if (setns(x->ns_fds[k], ns_files[k].type) < 0)
			return er_set(err, errno, "join the %s namespace of pid %d",
				      ns_files[k].file, (int)x->init_pid);
	}
	return 0;
}

/* Those of MASK that differ from ours: all at once through the pidfd (the kernel orders
 * them); one by one where that is refused (before Linux 5.8, or a namespace owned by an
 * outer user namespace). */
static int join_namespaces(const struct exec_ctx *x, unsigned long mask, struct er_error *err)
{
	unsigned long flags = x->ns_flags & mask;

	if (!flags)
		return 0;
	if (setns(x->init_pidfd, (int)flags) == 0)
		return 0;
	if (errno != EINVAL && errno != EPERM)
		return er_set(err, errno, "join the namespaces of pid %d", (int)x->init_pid);
	return join_one_by_one(x, flags, err);
}

/* The pid and time namespaces apply to the children of whoever enters them: edgerun enters
 * them itself, so that one clone makes the process in them (no intermediate process). */
#define NS_FOR_CHILDREN ((unsigned long)CLONE_NEWPID | CLONE_NEWTIME)

/* ---------------- the process (child side) ---------------- */

static int child_start(const struct exec_ctx *x, struct er_error *err)
{
	struct sync_msg msg = SYNC_MSG_INIT;

	if (sync_expect(x->sock, SYNC_GO, &msg, err) < 0)
		return -1;
	sync_msg_clear(&msg);
	if (setsid() < 0)
		return er_set(err, errno, "setsid");
	if (x->proc->terminal) {
		_cleanup_close_ int master = -1;
		_cleanup_free_ char *name = NULL;

		if (terminal_setup(x->proc, false, &master, &name, err) < 0)
			return er_prefix(err, "set up terminal");
		/* stderr is the terminal now: keep our debug lines out of it */
		er_debug_enabled = false;
		if (sync_send(x->sock, SYNC_PTY, 0, name, strlen(name), master, err) < 0)
			return -1;
	}
	return 0;
}

/* Everything up to execve; returns only on failure. */
static int child_setup(const struct exec_ctx *x, struct er_error *err)
{
	const struct spec_process *p = x->proc;
	const struct spec_linux *l = x->spec->linux_;
	_cleanup_strv_ char **envp = NULL;
	_cleanup_free_ char *path = NULL;
	bool cwd_done, loaded = false;
	unsigned int keep = 3U + (unsigned int)(x->o->preserve_fds > 0 ? x->o->preserve_fds : 0);

	if (child_start(x, err) < 0 || init_process_attributes(p, l, err) < 0)
		return -1;
	envp = init_process_env(p);
	cwd_done = chdir(p->cwd) == 0;
	if (init_fix_stdio_owner(p, err) < 0)
		return -1;
	if (x->prog && init_seccomp_before_caps(p)) {
		if (init_seccomp_load(x->prog, x->sock, err) < 0)
			return -1;
		loaded = true;
	}
	if (init_set_user(p, err) < 0 || init_process_final(p, cwd_done, envp, &path, err) < 0)
		return -1;
	if (syscall(SYS_close_range, keep, ~0U, CLOSE_RANGE_CLOEXEC) < 0 && errno != ENOSYS &&
	    errno != EINVAL && !loaded)
		return er_set(err, errno, "close_range");
	/* a setuid above cleared it already; root must clear it too: the program outlives us */
	(void)prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (x->prog && !loaded && init_seccomp_load(x->prog, x->sock, err) < 0)
		return -1;
	execve(path, p->args, envp);
	return er_set(err, errno, "exec \"%s\"", path);
}

__attribute__((noreturn)) static void child_main(const struct exec_ctx *x)
{
	struct er_error e = ER_ERROR_INIT;

	init_reset_signals();
	/* die with edgerun while it waits for us */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	child_setup(x, &e);
	sync_send_error(x->sock, &e);
	_exit(1);
}

/* The process: enters the other namespaces, then sets itself up. */
__attribute__((noreturn)) static void process_main(struct exec_ctx *x)
{
	struct er_error e = ER_ERROR_INIT;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (join_namespaces(x, ~NS_FOR_CHILDREN, &e) < 0) {
		sync_send_error(x->sock, &e);
		_exit(1);
	}
	close_namespaces(x);
	child_main(x);
}

/* ---------------- parent side ---------------- */

/* A child held until its hand-shake ends is killed and reaped on any exit. */
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

static void seccomp_prog_freep(struct seccomp_prog *p)
{
	seccomp_prog_free(p);
}

/* Our own pid and time namespaces back for our later children (a caller such as the
 * offline-command drainer forks after exec). */
static int restore_for_children(const int own[2], struct er_error *err)
{
	if (own[0] >= 0 && setns(own[0], CLONE_NEWPID) < 0)
		return er_set(err, errno, "exec: return to our pid namespace");
	if (own[1] >= 0 && setns(own[1], CLONE_NEWTIME) < 0)
		return er_set(err, errno, "exec: return to our time namespace");
	return 0;
}

/* Enters the namespaces for children, clones the process and returns its host pid. */
static pid_t spawn(struct exec_ctx *x, int psock, struct er_error *err)
{
	_cleanup_close_ int own_pid = -1, own_time = -1;
	_cleanup_pid_ pid_t pid = -1;
	pid_t r;

	if ((x->ns_flags & CLONE_NEWPID) &&
	    (own_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0)
		return er_set(err, errno, "open `/proc/self/ns/pid`");
	if ((x->ns_flags & CLONE_NEWTIME) &&
	    (own_time = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC)) < 0)
		return er_set(err, errno, "open `/proc/self/ns/time`");
	if (join_namespaces(x, NS_FOR_CHILDREN, err) < 0)
		return -1;
	pid = process_clone(0, -1, NULL, err);
	if (pid == 0) {
		close(psock);
		process_main(x);
	}
	if (restore_for_children((int[2]){own_pid, own_time}, err) < 0)
		return -1;
	if (pid < 0)
		return er_prefix(err, "clone the exec process");
	close(x->sock);
	x->sock = -1;
	r = pid;
	pid = -1;
	return r;
}

/* Cgroup and oom score, from outside, before the process goes on. */
static int place_process(struct exec_ctx *x, pid_t pid, struct er_error *err)
{
	_cleanup_free_ char *sub = NULL;
	const struct spec_process *p = x->proc;

	if (sub_cgroup(x->o->cgroup, &sub, err) < 0)
		return -1;
	if (x->c->state.cgroup_path) {
		struct cgroup *cg = container_cgroup(x->c, err);

		if (!cg || cgroup_add_pid(cg, pid, sub, err) < 0)
			return er_prefix(err, "add pid %d to the container's cgroup", (int)pid);
		er_debug("exec: pid %d joined the container's cgroup%s%s", (int)pid,
			 sub ? " at " : "", sub ? sub : "");
	} else if (sub) {
		return er_set(err, 0, "--cgroup `%s`: the container has no cgroup", sub);
	}
	if (p->has_oom_score_adj) {
		char path[64], text[16];

		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
		snprintf(text, sizeof(text), "%d", p->oom_score_adj);
		if (write_file_at(AT_FDCWD, path, O_WRONLY, 0, text, strlen(text), err) < 0)
			return er_prefix(err, "set oom_score_adj to %d", p->oom_score_adj);
	}
	return 0;
}

static int send_listener(struct exec_ctx *x, struct sync_msg *msg, int psock, pid_t pid,
			 struct er_error *err)
{
	static const char *const fds[] = {"seccompFd"};
	const struct spec_seccomp *sc = x->spec->linux_ ? x->spec->linux_->seccomp : NULL;
	_cleanup_free_ char *json = NULL;

	if (msg->fd < 0 || !sc || !sc->listener_path)
		return er_set(err, EPROTO, "sync: unexpected `seccomp` message");
	json = state_process_json(&x->c->state, fds, ARRAY_SIZE(fds), pid, sc->listener_metadata);
	if (seccomp_send_listener(sc->listener_path, msg->fd, json, err) < 0)
		return -1;
	er_debug("exec: seccomp listener fd sent to `%s`", sc->listener_path);
	return sync_send(psock, SYNC_SECCOMP_DONE, 0, NULL, 0, -1, err);
}

/* Serves the process until its execve closes the socket. */
static int serve(struct exec_ctx *x, int psock, pid_t pid, int *master, struct er_error *err)
{
	for (;;) {
		struct sync_msg msg = SYNC_MSG_INIT;
		int r = sync_recv(psock, &msg, err);

		if (r <= 0)
			return r;
		switch (msg.type) {
		case SYNC_PTY:
			if (msg.fd < 0)
				r = er_set(err, EPROTO, "sync: `pty` message without a descriptor");
			else if (x->o->console_socket)
				r = terminal_send_console(x->o->console_socket, msg.fd, "/dev/ptmx",
							  err);
			else if (*master < 0)
				*master = TAKE_FD(msg.fd);
			break;
		case SYNC_SECCOMP:
			r = send_listener(x, &msg, psock, pid, err);
			break;
		case SYNC_ERROR:
			r = sync_error_from_msg(&msg, err);
			break;
		default:
			r = er_set(err, EPROTO, "sync: unexpected `%s` from the exec process",
				   sync_type_name(msg.type));
			break;
		}
		sync_msg_clear(&msg);
		if (r < 0)
			return -1;
	}
}

/* Compiles (or takes from the cache) the container's linux.seccomp: 1, 0 without one. */
static int prepare_seccomp(struct exec_ctx *x, struct seccomp_prog *prog, struct er_error *err)
{
	const struct spec_seccomp *sc = x->spec->linux_ ? x->spec->linux_->seccomp : NULL;
	_cleanup_free_ char *cache = NULL;

	if (!sc)
		return 0;
	cache = seccomp_cache_dir(x->c->root);
	if (seccomp_prepare(sc, cache, prog, err) < 0)
		return -1;
	if (prog->notify && (!sc->listener_path || !*sc->listener_path))
		return er_set(err, 0,
			      "linux.seccomp.listenerPath: required when an action is "
			      "SCMP_ACT_NOTIFY");
	return 1;
}

/* Everything up to the running program: returns its pid, *master for a foreground pty. */
static pid_t exec_start(struct exec_ctx *x, int *master, struct er_error *err)
{
	const struct er_exec_opts *o = x->o;
	_cleanup_pid_ pid_t pid = -1;
	_cleanup_close_ int psock = -1;
	int sp[2], r;

	x->init_pid = x->c->state.pid;
	x->init_pidfd = state_init_pidfd(&x->c->state);
	if (x->init_pidfd < 0)
		return er_set(err, 0, "cannot exec in a stopped container");
	if (open_namespaces(x, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return er_set(err, errno, "create sync socket");
	psock = sp[0];
	x->sock = sp[1];
	/* From here on the init is pinned and its namespaces held: `resume` of a paused
	 * container (the process waits frozen until then), `kill` and `delete` go on. */
	er_container_unlock(x->c);
	if (!o->detach)
		container_block_signals(x->c);
	pid = spawn(x, psock, err);
	close_namespaces(x);
	if (pid < 0) {
		pid = -1;
		return -1;
	}
	er_debug("exec: process pid %d in container %s", (int)pid, x->c->id);
	if (o->pid_file && state_write_pid_file(o->pid_file, pid, err) < 0)
		return -1;
	if (place_process(x, pid, err) < 0 || sync_send_pid(psock, SYNC_GO, pid, err) < 0)
		r = -1;
	else
		r = serve(x, psock, pid, master, err);
	if (r < 0) {
		if (o->pid_file)
			(void)unlink(o->pid_file);
		return -1;
	}
	er_debug("exec: pid %d runs `%s`", (int)pid, x->proc->args[0]);
	r = pid;
	pid = -1; /* handed over: it runs the user's program */
	return r;
}

int er_container_exec(struct er_container *c, const struct er_exec_opts *o, struct er_error *err)
{
	_cleanup_(seccomp_prog_freep) struct seccomp_prog prog = {0};
	struct exec_ctx x = {.c = c, .o = o, .init_pidfd = -1, .sock = -1};
	int master = -1, r = -1;
	pid_t pid;

	for (size_t k = 0; k < N_NS; k++)
		x.ns_fds[k] = -1;
	if (check_status(c, o->ignore_paused, err) < 0)
		return -1;
	x.spec = load_config(c, err);
	if (!x.spec)
		return -1;
	if (o->process)
		x.proc = o->process;
	else if (build_process(&x, err) < 0)
		goto out;
	if (check_process(&x, err) < 0)
		goto out;
	switch (prepare_seccomp(&x, &prog, err)) {
	case -1:
		goto out;
	case 1:
		x.prog = &prog;
		break;
	default:
		break;
	}
	/* as runc, exec holds no lock on the container: a paused one (--ignore-paused) must
	 * stay resumable while the new process waits frozen in its cgroup, and a long
	 * foreground exec must not block kill, pause or delete */
	er_container_unlock(c);
	pid = exec_start(&x, &master, err);
	if (pid < 0)
		goto out;
	r = o->detach ? 0 : container_wait_foreground(c, pid, &master, err);
out:
	if (master >= 0)
		close(master);
	if (x.sock >= 0)
		close(x.sock);
	if (x.init_pidfd >= 0)
		close(x.init_pidfd);
	close_namespaces(&x);
	spec_free(x.spec);
	return r;
}
