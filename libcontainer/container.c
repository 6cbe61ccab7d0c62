/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lifecycle API (container.h): create, start, kill, delete, list, and the foreground
 * wait of `run`. State files and locking are in state.c; the init process is process.c's.
 *
 *   create   ROOT/ID (locked) + exec.fifo -> process_create_init -> pid file, state.json
 *   start    one byte into exec.fifo (init execs the user's program), unlink the fifo,
 *            poststart hooks
 *   delete   SIGKILL + wait when needed, poststop hooks, remove ROOT/ID
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup.h"
#include "libcontainer/container.h"
#include "libcontainer/internal.h"

#define ID_MAX_LEN 255 /* the id names the state directory: NAME_MAX */
/* how long delete waits for a SIGKILLed container, and start for init to exec */
#define STOP_TIMEOUT_MS 10000
#define EXEC_TIMEOUT_MS 10000
#define FG_BUF_SIZE 16384

static const char *sig_str(int sig)
{
	const char *n = signal_name(sig);

	return n ? n : "signal";
}

int er_validate_id(const char *id, struct er_error *err)
{
	size_t len = id ? strlen(id) : 0;

	if (len == 0)
		return er_set(err, 0, "invalid container id: it is empty");
	if (len > ID_MAX_LEN)
		return er_set(err, 0, "invalid container id: longer than %d bytes", ID_MAX_LEN);
	if (id[0] == '.')
		return er_set(err, 0, "invalid container id `%s`: it starts with `.`", id);
	for (const char *p = id; *p; p++) {
		char ch = *p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("_+.-", ch))
			continue;
		return er_set(
			err, 0,
			"invalid container id `%s`: only letters, digits and `_+.-` are allowed",
			id);
	}
	return 0;
}

static struct er_container *container_new(const char *root, const char *id)
{
	struct er_container *c = xcalloc(1, sizeof(*c));

	c->root = xstrdup(root);
	c->id = xstrdup(id);
	c->dir = xasprintf("%s/%s", root, id);
	c->dirfd = -1;
	c->pty_master = -1;
	return c;
}

static void restore_signals(struct er_container *c)
{
	if (!c->signals_blocked)
		return;
	(void)sigprocmask(SIG_SETMASK, &c->saved_mask, NULL);
	c->signals_blocked = false;
}

void er_container_free(struct er_container *c)
{
	if (!c)
		return;
	if (c->pty_master >= 0)
		close(c->pty_master);
	restore_signals(c);
	container_cgroup_free(c);
	notify_socket_free(c->notify);
	if (c->dirfd >= 0) {
		state_unlock(c->dirfd);
		close(c->dirfd);
	}
	state_clear(&c->state);
	free(c->root);
	free(c->id);
	free(c->dir);
	free(c);
}

const struct er_state *er_container_state(struct er_container *c)
{
	state_refresh(c->dirfd, &c->state);
	container_cgroup_refresh(c);
	return &c->state;
}

void er_container_unlock(struct er_container *c)
{
	if (c->dirfd >= 0)
		state_unlock(c->dirfd);
}

int er_container_pty_master(struct er_container *c)
{
	return c->pty_master;
}

/* ---------------- signalling and stopping ---------------- */

/* Signals every process in init's pid namespace except init (the only /proc scan). */
static int signal_pidns(const struct er_container *c, int sig, struct er_error *err)
{
	_cleanup_closedir_ DIR *proc = NULL;
	struct stat ns, other;
	struct dirent *de;
	char path[64];
	int count = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)c->state.pid);
	if (stat(path, &ns) < 0)
		return er_set(err, errno, "stat `%s`", path);
	proc = opendir("/proc");
	if (!proc)
		return er_set(err, errno, "open `/proc`");
	while ((de = readdir(proc))) {
		_cleanup_close_ int pidfd = -1;
		uint64_t pid;

		if (parse_u64(de->d_name, &pid) < 0 || pid == (uint64_t)c->state.pid)
			continue;
		/* pin the process first so the ns check and the signal are about the same one */
		pidfd = pidfd_open((pid_t)pid, 0);
		if (pidfd < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
		if (stat(path, &other) < 0 || other.st_ino != ns.st_ino ||
		    other.st_dev != ns.st_dev)
			continue;
		if (pidfd_send_signal(pidfd, sig, NULL, 0) == 0)
			count++;
		else if (errno != ESRCH)
			er_warn("send %s to pid %d: %s", sig_str(sig), (int)pid,
				er_strerror(errno));
	}
	er_debug("sent %s to %d processes of container %s besides init", sig_str(sig), count,
		 c->id);
	return 0;
}

/* Signals init (pinned by pidfd), and with ALL every process of the container: those of
 * its cgroup, or without one those of its own pid namespace (without either, the
 * container's processes cannot be told apart: only init is signalled). */
static int signal_container(struct er_container *c, int pidfd, int sig, bool all,
			    struct er_error *err)
{
	if (all && c->state.cgroup_path) {
		struct cgroup *cg = container_cgroup(c, err);

		if (!cg || cgroup_kill_all(cg, sig, err) < 0)
			return -1;
	} else if (all && c->state.has_own_pidns && signal_pidns(c, sig, err) < 0) {
		return -1;
	}
	if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0) {
		if (errno == ESRCH)
			return er_set(err, 0, "container not running");
		return er_set(err, errno, "send %s to pid %d", sig_str(sig), (int)c->state.pid);
	}
	return 0;
}

/* SIGKILLs the container and waits (bounded) until its init is gone; reaps it when it is
 * our child (failed create, foreground run). */
static int stop_container(struct er_container *c, struct er_error *err)
{
	_cleanup_close_ int pidfd = state_init_pidfd(&c->state);
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	siginfo_t si;
	int r;

	/* everything in the cgroup (thawed if paused), init included; a SIGKILL of a pid
	 * namespace's init kills the rest of the namespace, no /proc scan needed */
	container_cgroup_kill(c);
	if (pidfd < 0)
		return 0;
	er_debug("killing container %s (init pid %d)", c->id, (int)c->state.pid);
	if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return er_set(err, errno, "send SIGKILL to pid %d", (int)c->state.pid);
	do
		r = poll(&pfd, 1, STOP_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return er_set(err, errno, "wait for pid %d", (int)c->state.pid);
	if (r == 0)
		return er_set(err, 0, "container `%s` did not stop within %d s of SIGKILL", c->id,
			      STOP_TIMEOUT_MS / 1000);
	(void)waitid(P_PIDFD, pidfd, &si, WEXITED | WNOHANG);
	return 0;
}

int er_container_kill(struct er_container *c, int sig, bool all, struct er_error *err)
{
	const struct er_state *st = er_container_state(c);
	_cleanup_close_ int pidfd = -1;

	if (st->status == ST_STOPPED || (pidfd = state_init_pidfd(st)) < 0)
		return er_set(err, 0, "container not running");
	er_debug("sending %s (%d) to container %s%s", sig_str(sig), sig, c->id,
		 all ? ", all processes" : "");
	if (signal_container(c, pidfd, sig, all, err) < 0)
		return -1;
	/* as runc: a frozen process only dies of SIGKILL once thawed */
	if (sig == SIGKILL && st->status == ST_PAUSED) {
		struct cgroup *cg = container_cgroup(c, err);

		if (!cg || cgroup_freeze(cg, false, err) < 0)
			return er_prefix(err, "thaw the killed container `%s`", c->id);
	}
	return 0;
}

/* ---------------- hooks run by the lifecycle (poststart, poststop) ---------------- */

/* The config saved at create; NULL without error if none. */
static struct spec *load_saved_spec(const struct er_container *c, struct er_error *err)
{
	_cleanup_free_ char *json = NULL;
	struct er_error e = ER_ERROR_INIT;
	size_t len;

	json = read_file_at(c->dirfd, ER_CONFIG_COPY, &len, &e);
	if (!json) {
		if (e.errnum == ENOENT) {
			er_clear(&e);
			return NULL;
		}
		*err = e;
		return NULL;
	}
	return spec_parse(json, len, c->state.bundle, err);
}

struct spec *container_saved_spec(const struct er_container *c, struct er_error *err)
{
	return load_saved_spec(c, err);
}

/* Post* hook failures are warnings, as in runc: the container has started/stopped anyway. */
static void run_post_hooks(struct er_container *c, enum spec_hook_kind kind, const char *phase)
{
	struct er_error e = ER_ERROR_INIT;
	struct spec *spec;

	if (c->state.hooks_known && !(c->state.hooks_mask & (1u << kind)))
		return;
	spec = load_saved_spec(c, &e);
	if (spec && spec->hooks.n[kind]) {
		_cleanup_free_ char *json = state_to_json(&c->state, false);

		er_debug("running %zu %s hooks of container %s", spec->hooks.n[kind], phase, c->id);
		/* a failing post* hook is a warning and the remaining hooks still run (spec) */
		for (size_t i = 0; i < spec->hooks.n[kind]; i++) {
			if (hooks_run(&spec->hooks.list[kind][i], 1, phase, json, &e) < 0) {
				er_warn("container `%s`: %s", c->id, e.msg);
				er_clear(&e);
			}
		}
	}
	if (e.msg)
		er_warn("container `%s`: %s", c->id, e.msg);
	er_clear(&e);
	spec_free(spec);
}

/* ---------------- create ---------------- */

static bool root_host_id(const struct spec_idmap *m, size_t n, uint32_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i].container_id == 0 && m[i].size > 0) {
			*out = m[i].host_id;
			return true;
		}
	}
	return false;
}

static int make_exec_fifo(struct er_container *c, const struct spec *spec, struct er_error *err)
{
	uint32_t uid, gid;
	bool has_uid, has_gid;

	if (mkfifoat(c->dirfd, ER_EXEC_FIFO, 0600) < 0)
		return er_set(err, errno, "mkfifo `%s/%s`", c->dir, ER_EXEC_FIFO);
	/* in a user namespace the container's root must still be able to open it */
	if (!spec->linux_ || !spec_namespace(spec, CLONE_NEWUSER))
		return 0;
	has_uid = root_host_id(spec->linux_->uid_mappings, spec->linux_->n_uid_mappings, &uid);
	has_gid = root_host_id(spec->linux_->gid_mappings, spec->linux_->n_gid_mappings, &gid);
	if ((has_uid || has_gid) && fchownat(c->dirfd, ER_EXEC_FIFO, has_uid ? uid : (uid_t)-1,
					     has_gid ? gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
		return er_set(err, errno, "chown `%s/%s`", c->dir, ER_EXEC_FIFO);
	return 0;
}

/* start and delete run post* hooks long after create, and exec needs the process, seccomp
 * profile and personality of the container: keep the config they come from. */
static int save_config_copy(struct er_container *c, const char *bundle, struct er_error *err)
{
	_cleanup_free_ char *path = NULL, *json = NULL;
	size_t len;

	path = xasprintf("%s/config.json", bundle);
	json = read_file_at(AT_FDCWD, path, &len, err);
	if (!json)
		return -1;
	return write_file_at(c->dirfd, ER_CONFIG_COPY, O_CREAT | O_EXCL, 0600, json, len, err);
}

static void fill_state(struct er_container *c, const struct er_create_opts *o,
		       const struct spec *spec)
{
	struct er_state *st = &c->state;
	const struct spec_namespace *pidns = spec_namespace(spec, CLONE_NEWPID);

	st->oci_version = xstrdup(ER_OCI_VERSION);
	st->id = xstrdup(o->id);
	st->status = ST_CREATING;
	st->bundle = xstrdup(o->bundle);
	st->rootfs = xstrdup(spec->root_path);
	st->created = now_rfc3339();
	st->owner = xstrdup("");
	st->has_own_pidns = pidns && !pidns->path;
	/* start and delete skip reading the saved config when it has no post* hooks */
	st->hooks_known = true;
	for (int k = 0; k < HOOK__MAX; k++)
		if (spec->hooks.n[k])
			st->hooks_mask |= 1u << k;
	if (spec->n_annotations) {
		st->annotations = xcalloc(spec->n_annotations, sizeof(*st->annotations));
		for (size_t i = 0; i < spec->n_annotations; i++) {
			st->annotations[i].key = xstrdup(spec->annotations[i].key);
			st->annotations[i].value = xstrdup(spec->annotations[i].value);
		}
		st->n_annotations = spec->n_annotations;
	}
}

/* `run` in the foreground: from before the clone, forwardable signals wait in the mask for
 * the signalfd of er_container_wait_foreground(). init and hooks reset their mask. */
static void foreground_signal_set(sigset_t *set)
{
	static const int own[] = {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGILL,
				  SIGFPE,  SIGTRAP, SIGSYS,  SIGPIPE};

	sigfillset(set);
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		sigdelset(set, own[i]);
}

static void block_signals(struct er_container *c)
{
	sigset_t set;

	foreground_signal_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, &c->saved_mask) == 0)
		c->signals_blocked = true;
}

void container_block_signals(struct er_container *c)
{
	if (!c->signals_blocked)
		block_signals(c);
}

static int create_in_dir(struct er_container *c, const struct er_create_opts *o, struct spec *spec,
			 struct er_error *err)
{
	struct init_result res = {.pid = -1, .pty_master = -1};
	_cleanup_free_ char *fifo = xasprintf("%s/%s", c->dir, ER_EXEC_FIFO);
	struct init_config cfg = {
		.spec = spec,
		.bundle = o->bundle,
		.root = c->root,
		.state_dir = c->dir,
		.fifo_path = fifo,
		.console_socket = o->console_socket,
		.keep_pty_master = o->foreground_tty,
		.no_pivot = o->no_pivot,
		.no_new_keyring = o->no_new_keyring,
		.preserve_fds = o->preserve_fds,
		.state = &c->state,
		.exec_err_fd = -1,
	};
	_cleanup_close_ int exec_err = -1;

	if (make_exec_fifo(c, spec, err) < 0 || save_config_copy(c, o->bundle, err) < 0)
		return -1;
	if (mkfifoat(c->dirfd, ER_EXEC_ERR, 0600) < 0)
		return er_set(err, errno, "mkfifo `%s/%s`", c->dir, ER_EXEC_ERR);
	/* O_RDWR never blocks on a FIFO; the init inherits this descriptor */
	exec_err = openat(c->dirfd, ER_EXEC_ERR, O_RDWR | O_CLOEXEC);
	if (exec_err < 0)
		return er_set(err, errno, "open `%s/%s`", c->dir, ER_EXEC_ERR);
	cfg.exec_err_fd = exec_err;
	fill_state(c, o, spec);
	if (o->foreground && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return er_set(err, errno, "become child subreaper");
	er_debug("creating container %s from bundle %s", c->id, o->bundle);
	if (notify_socket_prepare(c->dirfd, c->dir, spec, err) < 0)
		return -1;
	if (container_cgroup_create(c, spec, err) < 0)
		return -1;
	cfg.cg = c->cg;
	if (o->foreground)
		block_signals(c);
	if (process_create_init(&cfg, &res, err) < 0) {
		container_cgroup_explain(c, spec, err);
		container_cgroup_kill(c); /* a hook may have left something in it */
		container_cgroup_destroy(c);
		return -1;
	}
	c->state.pid = res.pid;
	c->state.start_time = res.start_time ? res.start_time : proc_start_time(res.pid);
	c->pty_master = res.pty_master;
	c->state.status = ST_CREATED;
	er_debug("container %s: init pid %d waits on %s", c->id, (int)res.pid, ER_EXEC_FIFO);
	if (o->pid_file && state_write_pid_file(o->pid_file, res.pid, err) < 0)
		goto fail;
	if (state_write(c->dirfd, &c->state, err) < 0) {
		if (o->pid_file)
			(void)unlink(o->pid_file);
		goto fail;
	}
	netdev_set_free(res.netdevs);
	return 0;
fail : {
	struct er_error e = ER_ERROR_INIT;

	netdev_rollback(res.netdevs); /* before the namespace goes with the init */
	if (stop_container(c, &e) < 0)
		er_warn("%s", e.msg);
	er_clear(&e);
	container_cgroup_destroy(c);
	return -1;
}
}

int er_container_create(const struct er_create_opts *o, struct spec *spec,
			struct er_container **out, struct er_error *err)
{
	struct er_container *c;

	if (er_validate_id(o->id, err) < 0)
		return -1;
	if (spec->linux_ && spec->linux_->has_intel_rdt)
		return er_set(err, EOPNOTSUPP,
			      "config.json: linux.intelRdt: Intel RDT is not supported by edgerun");
	if (!spec->process)
		return er_set(err, 0, "config.json: `process` is required to create a container");
	c = container_new(o->root, o->id);
	c->dirfd = state_dir_create(o->root, o->id, err);
	if (c->dirfd < 0) {
		er_container_free(c);
		return -1;
	}
	if (create_in_dir(c, o, spec, err) < 0) {
		struct er_error e = ER_ERROR_INIT;

		if (state_dir_remove(c->dirfd, c->dir, &e) < 0)
			er_warn("%s", e.msg);
		er_clear(&e);
		er_container_free(c);
		return er_prefix(err, "create container `%s`", o->id);
	}
	*out = c;
	return 0;
}

int er_container_load(const char *root, const char *id, struct er_container **out,
		      struct er_error *err)
{
	struct er_container *c;

	if (er_validate_id(id, err) < 0)
		return -1;
	c = container_new(root, id);
	c->dirfd = state_dir_open(root, id, err);
	if (c->dirfd < 0 || state_read(c->dirfd, &c->state, err) < 0) {
		er_container_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int er_container_remove_stale(const char *root, const char *id, struct er_error *err)
{
	if (er_validate_id(id, err) < 0)
		return -1;
	return state_dir_remove_stale(root, id, err);
}

/* ---------------- start ---------------- */

/* init's end of exec.fifo is close-on-exec: its closing (POLLERR on our end) tells that the
 * user's program has been executed (or that init died). Bounded: startContainer hooks run
 * in between. */
static void wait_for_exec(const struct er_container *c, int fifo_fd)
{
	struct pollfd pfd = {.fd = fifo_fd, .events = 0};
	int r;

	do
		r = poll(&pfd, 1, EXEC_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		er_debug("container %s: init still holds %s after %d s", c->id, ER_EXEC_FIFO,
			 EXEC_TIMEOUT_MS / 1000);
}

/* After init dropped exec.fifo: an error it wrote to exec.err means it never started the
 * user's program (a startContainer hook or execve failed); the container is stopped. */
static int read_exec_error(const struct er_container *c, int errfd, struct er_error *err)
{
	char buf[4097];
	ssize_t n;

	do
		n = read(errfd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	(void)unlinkat(c->dirfd, ER_EXEC_ERR, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return er_set(err, 0, "start container `%s`: %s", c->id, buf);
}

int er_container_start(struct er_container *c, struct er_error *err)
{
	const struct er_state *st = er_container_state(c);
	_cleanup_close_ int fd = -1, errfd = -1;
	_cleanup_(notify_socket_freep) struct notify_socket *notify = NULL;

	switch (st->status) {
	case ST_CREATED:
		break;
	case ST_STOPPED:
		return er_set(err, 0, "cannot start a container that has stopped");
	case ST_RUNNING:
		return er_set(err, 0, "cannot start an already running container");
	default:
		return er_set(err, 0, "cannot start a container in the %s state",
			      er_status_name(st->status));
	}
	/* opened before the release: whatever the init writes after it stays readable */
	errfd = openat(c->dirfd, ER_EXEC_ERR, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (errfd < 0)
		return er_set(err, errno, "open `%s/%s`", c->dir, ER_EXEC_ERR);
	fd = openat(c->dirfd, ER_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENXIO) /* nobody reads: init is gone */
			return er_set(err, 0, "container not running");
		return er_set(err, errno, "open `%s/%s`", c->dir, ER_EXEC_FIFO);
	}
	/* NOTIFY_SOCKET: bound before the release, so an early READY=1 finds it */
	if (notify_socket_open(c->dirfd, &notify, err) < 0)
		return -1;
	er_debug("starting container %s: releasing init pid %d", c->id, (int)st->pid);
	if (write_all(fd, "0", 1) < 0)
		return er_set(err, errno, "write `%s/%s`", c->dir, ER_EXEC_FIFO);
	if (unlinkat(c->dirfd, ER_EXEC_FIFO, 0) < 0)
		return er_set(err, errno, "remove `%s/%s`", c->dir, ER_EXEC_FIFO);
	wait_for_exec(c, fd);
	if (read_exec_error(c, errfd, err) < 0)
		return -1;
	c->state.status = ST_RUNNING;
	if (state_write(c->dirfd, &c->state, err) < 0)
		return -1;
	run_post_hooks(c, HOOK_POSTSTART, "poststart");
	if (!notify)
		return 0;
	if (c->signals_blocked) { /* foreground run: its wait loop forwards READY= */
		c->notify = TAKE_PTR(notify);
		return 0;
	}
	state_unlock(c->dirfd); /* the wait has no limit: others may kill or delete meanwhile */
	return notify_socket_wait(notify, &c->state, err);
}

/* ---------------- delete ---------------- */

int er_container_delete(struct er_container *c, bool force, struct er_error *err)
{
	const struct er_state *st;

	if (c->gone)
		return 0;
	st = er_container_state(c);
	switch (st->status) {
	case ST_STOPPED:
		break;
	case ST_CREATED:
		if (stop_container(c, err) < 0)
			return er_prefix(err, "delete container `%s`", c->id);
		break;
	default:
		if (!force)
			return er_set(err, 0, "cannot delete container %s that is not stopped: %s",
				      c->id, er_status_name(st->status));
		/* running or paused: the cgroup kill thaws a paused one so SIGKILL lands */
		if (stop_container(c, err) < 0)
			return er_prefix(err, "delete container `%s`", c->id);
	}
	/* a stopped container without a pid namespace may have left processes behind */
	if (st->status == ST_STOPPED)
		container_cgroup_kill(c);
	container_cgroup_destroy(c);
	c->state.status = ST_STOPPED;
	c->state.pid = 0;
	er_debug("deleting container %s", c->id);
	run_post_hooks(c, HOOK_POSTSTOP, "poststop");
	if (state_dir_remove(c->dirfd, c->dir, err) < 0)
		return er_prefix(err, "delete container `%s`", c->id);
	c->gone = true;
	return 0;
}

/* ---------------- list ---------------- */

/* The last owner looked up: the containers of a root nearly always share one, and each
 * getpwuid_r reads /etc/passwd. */
struct owner_cache {
	bool set;
	uid_t uid;
	char *name;
};

static char *owner_name(struct owner_cache *oc, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (!oc->set || oc->uid != uid) {
		free(oc->name);
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			oc->name = xstrdup(pw.pw_name);
		else
			oc->name = xasprintf("#%u", (unsigned)uid);
		oc->uid = uid;
		oc->set = true;
	}
	return xstrdup(oc->name);
}

/* One entry of ROOT (open as ROOTFD), read without locking (state.json is replaced
 * atomically). */
static int list_one(int rootfd, const char *name, struct owner_cache *oc,
		    int (*fn)(const struct er_state *st, void *userdata), void *userdata,
		    struct er_error *err)
{
	_cleanup_close_ int fd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct er_error e = ER_ERROR_INIT;
	struct er_state st = {0};
	struct cgroup *cg = NULL;
	struct stat sb;
	int r;

	if (fd < 0)
		return 0; /* not a directory, or deleted meanwhile */
	if (state_read(fd, &st, &e) < 0) {
		/* no state.json: being created */
		if (e.errnum != ENOENT)
			er_warn("list: container `%s`: %s", name, e.msg);
		er_clear(&e);
		state_clear(&st);
		return 0;
	}
	state_refresh(fd, &st);
	container_state_paused(&st, &cg);
	cgroup_free(cg);
	if (fstat(fd, &sb) == 0) {
		free(st.owner);
		st.owner = owner_name(oc, sb.st_uid);
	}
	r = fn(&st, userdata);
	state_clear(&st);
	if (r < 0)
		return er_set(err, 0, "list: stopped at container `%s`", name);
	return 0;
}

int er_container_list(const char *root, int (*fn)(const struct er_state *st, void *userdata),
		      void *userdata, struct er_error *err)
{
	struct dirent **ents = NULL;
	struct owner_cache oc = {0};
	int n = scandir(root, &ents, NULL, alphasort);
	int r = 0, rootfd;

	if (n < 0)
		return errno == ENOENT ? 0 : er_set(err, errno, "list `%s`", root);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		r = er_set(err, errno, "list `%s`", root);
	for (int i = 0; i < n; i++) {
		if (r == 0 && ents[i]->d_name[0] != '.')
			r = list_one(rootfd, ents[i]->d_name, &oc, fn, userdata, err);
		free(ents[i]);
	}
	free(ents);
	free(oc.name);
	if (rootfd >= 0)
		close(rootfd);
	return r;
}

/* ---------------- foreground wait (`run` without --detach) ---------------- */

struct fg_loop {
	struct er_container *c;
	pid_t pid; /* the process waited for: init (run) or an exec'd one */
	int sigfd;
	int master; /* pty master, -1 when not proxying */
	bool stdin_open;
	bool exited;
	int status;
};

static void fg_resize(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	(void)ioctl(master, TIOCSWINSZ, &ws);
}

static void fg_reap(struct fg_loop *l)
{
	int status;
	pid_t pid;

	/* as a subreaper we also collect the container's orphans */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != l->pid)
			continue;
		l->exited = true;
		l->status = status;
		er_debug("container %s: pid %d exited (wait status 0x%x)", l->c->id, (int)pid,
			 status);
	}
}

static void fg_signals(struct fg_loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGCHLD) {
			fg_reap(l);
		} else if (sig == SIGWINCH) {
			if (l->master >= 0)
				fg_resize(l->master);
		} else if (!l->exited) {
			/* l->pid is our child and not reaped: it cannot have been reused */
			er_debug("forwarding %s to pid %d of container %s", sig_str(sig),
				 (int)l->pid, l->c->id);
			if (kill(l->pid, sig) < 0 && errno != ESRCH)
				er_warn("forward %s: %s", sig_str(sig), er_strerror(errno));
		}
	}
}

/* Copies one read's worth from -> to. False on EOF or a read error (EIO: pty closed). A
 * failing writer only loses the data: the container must not block on a full pty. */
static bool fg_copy(int from, int to)
{
	char buf[FG_BUF_SIZE];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	(void)write_all(to, buf, (size_t)n);
	return true;
}

/* `run` with NOTIFY_SOCKET: forwards the container's READY= with our own pid as MAINPID (we
 * are the process that stays, as with runc), then stops listening. */
static void fg_notify(struct fg_loop *l)
{
	struct er_error e = ER_ERROR_INIT;
	int r = notify_socket_handle(l->c->notify, getpid(), &e);

	if (r < 0)
		er_warn("%s", e.msg);
	er_clear(&e);
	if (r != 0) {
		notify_socket_free(l->c->notify);
		l->c->notify = NULL;
	}
}

static int fg_loop_run(struct fg_loop *l, struct er_error *err)
{
	while (!l->exited) {
		struct pollfd p[4] = {{.fd = l->sigfd, .events = POLLIN}};
		int n = 1, im = -1, ii = -1, in = -1;

		if (l->c->notify) {
			in = n;
			p[n++] = (struct pollfd){.fd = notify_socket_fd(l->c->notify),
						 .events = POLLIN};
		}
		if (l->master >= 0) {
			im = n;
			p[n++] = (struct pollfd){.fd = l->master, .events = POLLIN};
			if (l->stdin_open) {
				ii = n;
				p[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
			}
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return er_set(err, errno, "poll");
		}
		if (p[0].revents)
			fg_signals(l);
		if (in >= 0 && p[in].revents)
			fg_notify(l);
		if (im >= 0 && p[im].revents && !fg_copy(l->master, STDOUT_FILENO)) {
			close(l->master); /* the container closed its terminal */
			l->master = -1;
		}
		if (ii >= 0 && p[ii].revents && l->master >= 0 && !fg_copy(STDIN_FILENO, l->master))
			l->stdin_open = false;
	}
	/* what init wrote just before exiting is still in the pty */
	if (l->master >= 0 && fcntl(l->master, F_SETFL, O_NONBLOCK) == 0) {
		char buf[FG_BUF_SIZE];
		ssize_t r;

		while ((r = read(l->master, buf, sizeof(buf))) > 0)
			(void)write_all(STDOUT_FILENO, buf, (size_t)r);
	}
	return 0;
}

static int fg_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int container_wait_foreground(struct er_container *c, pid_t pid, int *master, struct er_error *err)
{
	struct fg_loop l = {.c = c, .pid = pid, .sigfd = -1, .master = *master, .stdin_open = true};
	struct termios saved_tio;
	struct sigaction ign = {.sa_handler = SIG_IGN}, saved_pipe;
	siginfo_t si = {0};
	sigset_t set;
	bool raw = false;
	int r;

	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return er_set(err, errno, "wait for container `%s` pid %d", c->id, (int)pid);
	foreground_signal_set(&set);
	if (!c->signals_blocked)
		block_signals(c);
	l.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l.sigfd < 0)
		return er_set(err, errno, "signalfd");
	(void)sigaction(SIGPIPE, &ign, &saved_pipe);
	/* `kill`, `state` and `delete --force` from elsewhere must not wait for us */
	state_unlock(c->dirfd);
	if (l.master >= 0) {
		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
			struct termios tio = saved_tio;

			cfmakeraw(&tio);
			raw = tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0;
		}
		fg_resize(l.master);
	}
	fg_reap(&l); /* init may have exited already: its SIGCHLD was blocked */
	r = fg_loop_run(&l, err);
	if (raw)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	*master = l.master;
	close(l.sigfd);
	(void)sigaction(SIGPIPE, &saved_pipe, NULL);
	restore_signals(c);
	/* the loop's error wins over a locking one (er_set ignores a NULL error) */
	if (state_lock(c->dirfd, r < 0 ? NULL : err) < 0 && r == 0)
		return -1;
	c->gone = faccessat(c->dirfd, ER_STATE_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
	if (r < 0)
		return -1;
	return fg_exit_code(l.status);
}

int er_container_wait_foreground(struct er_container *c, struct er_error *err)
{
	return container_wait_foreground(c, c->state.pid, &c->pty_master, err);
}
