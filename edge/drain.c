/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offline commands, running them: `queue`, `run` in the foreground, and the drainer.
 *
 * The drainer is a detached process (double fork, setsid, stdio on /dev/null; no re-exec)
 * that holds flock(SPOOL/ID) while it runs, so a second one exits at once. It runs the
 * queued entries in sequence order, one at a time, through libcontainer's exec:
 *
 *   queued --(ttl passed)--------------------------------------------> expired
 *   queued --(declaration or params no longer valid)-----------------> failed
 *   queued --`running` made durable, exec--> running --(exit)--------> done (status, tail)
 *                                                     --(timeout)-----> failed (killed)
 *   running, its owner gone (drainer or `command run` killed, reboot) -> interrupted, or
 *                                      queued again when the command is idempotent
 *
 * It stops when the container is not running (entries stay queued for the next start)
 * and exits when nothing is left; before it goes it looks once more, after dropping its
 * lock, so that an entry queued meanwhile is not stranded.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "edge/commands.h"
#include "libcontainer/container.h"

#define DRAINER_PID "drainer.pid"

int64_t cmds_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------- owners ---------------- */

static char *boot_id(void)
{
	char *s = read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", NULL, NULL);

	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s ? s : xstrdup("");
}

void cmds_owner_self(struct cmds_owner *w)
{
	w->boot = boot_id();
	w->pid = getpid();
	w->start = proc_start_time(w->pid);
}

bool cmds_owner_alive(const struct cmds_owner *w)
{
	_cleanup_free_ char *boot = boot_id();

	if (!w->pid || !w->boot || strcmp(w->boot, boot) != 0)
		return false;
	/* a zombie is gone too: a killed owner may wait long for a parent that reaps it */
	return proc_alive(w->pid, w->start);
}

/* ---------------- running one process ---------------- */

struct capture {
	int pipe[2]; /* read ends: the process's stdout, stderr */
	int pidfd;
	pid_t pid;
	bool echo; /* copy to our stdout/stderr too (`command run`) */
	int sigfd; /* forwarded signals (`command run`), or -1 */
	char *tail;
	size_t len;
};

static void keep_tail(struct capture *c, const char *buf, size_t n)
{
	if (n >= CMDS_OUTPUT_MAX) {
		memcpy(c->tail, buf + n - CMDS_OUTPUT_MAX, CMDS_OUTPUT_MAX);
		c->len = CMDS_OUTPUT_MAX;
		return;
	}
	if (c->len + n > CMDS_OUTPUT_MAX) {
		size_t drop = c->len + n - CMDS_OUTPUT_MAX;

		memmove(c->tail, c->tail + drop, c->len - drop);
		c->len -= drop;
	}
	memcpy(c->tail + c->len, buf, n);
	c->len += n;
}

/* Reads what is there: 1 data, 0 nothing now, -1 end of file (fd closed) or error. */
static int pump(struct capture *c, int *fd, int to)
{
	char buf[4096];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	keep_tail(c, buf, (size_t)n);
	if (c->echo)
		(void)write_all(to, buf, (size_t)n);
	return 1;
}

static void forward_signal(struct capture *c)
{
	struct signalfd_siginfo si;

	if (read(c->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		kill(c->pid, (int)si.ssi_signo);
}

/* Waits for the process, keeping its output's tail; kills it at the deadline. */
static int collect(struct capture *c, uint64_t timeout_ms, struct cmds_exec_result *res,
		   struct er_error *err)
{
	int64_t start = mono_ms(), deadline = timeout_ms ? start + (int64_t)timeout_ms : 0;
	bool exited = false;
	int st = 0;

	while (!exited) {
		struct pollfd p[4] = {{.fd = c->pidfd, .events = POLLIN},
				      {.fd = c->pipe[0], .events = POLLIN},
				      {.fd = c->pipe[1], .events = POLLIN},
				      {.fd = c->sigfd, .events = POLLIN}};
		int wait = -1;

		if (deadline && !res->timed_out)
			wait = (int)(deadline > mono_ms() ? deadline - mono_ms() : 0);
		if (poll(p, 4, wait) < 0 && errno != EINTR)
			return er_set(err, errno, "poll");
		if (deadline && !res->timed_out && mono_ms() >= deadline) {
			res->timed_out = true;
			kill(-c->pid, SIGKILL);
			kill(c->pid, SIGKILL);
		}
		for (int k = 0; k < 2; k++)
			if (p[1 + k].revents)
				pump(c, &c->pipe[k], STDOUT_FILENO + k);
		if (p[3].revents)
			forward_signal(c);
		if (p[0].revents) {
			while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
				;
			exited = true;
		}
	}
	/* what the process wrote before it exited; children holding the pipe are not waited */
	for (int i = 0; i < 2; i++) {
		if (c->pipe[i] < 0)
			continue;
		(void)fcntl(c->pipe[i], F_SETFL, O_NONBLOCK);
		for (int k = 0; k < 256 && c->pipe[i] >= 0; k++)
			if (pump(c, &c->pipe[i], STDOUT_FILENO + i) != 1)
				break;
	}
	res->duration_ms = mono_ms() - start;
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	res->output = cmds_utf8_sanitize(xstrndup(c->tail, c->len), c->len);
	return 0;
}

struct saved_stdio {
	int fd[3];
};

static void stdio_restore(struct saved_stdio *s)
{
	for (int i = 0; i < 3; i++) {
		if (s->fd[i] < 0)
			continue;
		(void)dup2(s->fd[i], i);
		close(s->fd[i]);
		s->fd[i] = -1;
	}
}

/* Our stdio becomes /dev/null + the pipes while exec starts the process (it inherits
 * 0, 1 and 2); the originals are kept aside. */
static int stdio_redirect(int out_w, int err_w, struct saved_stdio *s, struct er_error *err)
{
	_cleanup_close_ int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	const int to[3] = {null, out_w, err_w};

	if (null < 0)
		return er_set(err, errno, "open `/dev/null`");
	for (int i = 0; i < 3; i++) {
		s->fd[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
		if (dup2(to[i], i) < 0) {
			er_set(err, errno, "dup2");
			stdio_restore(s);
			return -1;
		}
	}
	return 0;
}

static pid_t read_pid_file(const char *path, struct er_error *err)
{
	_cleanup_free_ char *s = read_file_at(AT_FDCWD, path, NULL, err);
	int64_t pid;

	(void)unlink(path);
	if (!s)
		return -1;
	if (parse_i64(s, &pid) < 0 || pid <= 0)
		return er_set(err, 0, "bad pid file `%s`", path);
	return (pid_t)pid;
}

/* Starts ARGV with command C's process in container CT (detached, our child) and waits. */
static int exec_capture(struct er_container *ct, const char *spool, const char *id,
			const struct cmds_command *cmd, char **argv, bool echo,
			struct cmds_exec_result *res, struct er_error *err)
{
	_cleanup_free_ char *pid_file = xasprintf("%s/%s/exec.%d.pid", spool, id, (int)getpid());
	struct capture c = {.pipe = {-1, -1}, .pidfd = -1, .sigfd = -1, .echo = echo};
	struct saved_stdio saved = {{-1, -1, -1}};
	struct er_exec_opts o = {
		.args = argv,
		.cwd = cmd->cwd,
		.env = cmd->env,
		.has_uid = cmd->has_user,
		.has_gid = cmd->has_user,
		.uid = cmd->uid,
		.gid = cmd->gid,
		.detach = true,
		.pid_file = pid_file,
	};
	int po[2], pe[2], r = -1;

	if (pipe2(po, O_CLOEXEC) < 0)
		return er_set(err, errno, "pipe");
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return er_set(err, errno, "pipe");
	}
	c.pipe[0] = po[0];
	c.pipe[1] = pe[0];
	if (stdio_redirect(po[1], pe[1], &saved, err) == 0) {
		r = er_container_exec(ct, &o, err);
		stdio_restore(&saved);
	}
	close(po[1]);
	close(pe[1]);
	if (r == 0) {
		c.pid = read_pid_file(pid_file, err);
		r = c.pid > 0 ? 0 : -1;
	}
	if (r == 0) {
		c.pidfd = (int)syscall(SYS_pidfd_open, c.pid, 0);
		if (c.pidfd < 0)
			r = er_set(err, errno, "pidfd_open %d", (int)c.pid);
	}
	if (r == 0 && echo) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGHUP);
		sigaddset(&set, SIGQUIT);
		(void)sigprocmask(SIG_BLOCK, &set, NULL);
		/* a closed stdout must not kill us before the end is recorded */
		(void)signal(SIGPIPE, SIG_IGN);
		c.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	}
	if (r == 0) {
		c.tail = xmalloc(CMDS_OUTPUT_MAX);
		r = collect(&c, cmd->timeout_ms, res, err);
	}
	free(c.tail);
	for (int i = 0; i < 2; i++)
		if (c.pipe[i] >= 0)
			close(c.pipe[i]);
	if (c.pidfd >= 0)
		close(c.pidfd);
	if (c.sigfd >= 0)
		close(c.sigfd);
	return r;
}

/* ---------------- one entry ---------------- */

static void result_clear(struct cmds_exec_result *r)
{
	free(r->output);
	memset(r, 0, sizeof(*r));
}

static struct cmds_rec state_rec(uint64_t seq, enum cmds_state s)
{
	return (struct cmds_rec){
		.type = CMDS_REC_STATE, .seq = seq, .ms = cmds_now_ms(), .state = s};
}

/* The record that ends an entry that ran. */
static struct cmds_rec end_rec(uint64_t seq, const struct cmds_command *c,
			       struct cmds_exec_result *res, char **why)
{
	struct cmds_rec r = state_rec(seq, res->timed_out ? CMDS_FAILED : CMDS_DONE);

	r.has_exit = true;
	r.exit_status = res->status;
	r.duration_ms = res->duration_ms;
	r.output = res->output;
	if (res->timed_out) {
		*why = xasprintf("timed out after %llu ms: killed",
				 (unsigned long long)c->timeout_ms);
		r.error = *why;
	}
	return r;
}

static bool container_running(struct er_container *c)
{
	return er_container_state(c)->status == ST_RUNNING;
}

/* Loads ID: 1 running, 0 not (or gone), -1 error. */
static int load_running(const char *root, const char *id, struct er_container **out,
			struct er_error *err)
{
	struct er_error e = ER_ERROR_INIT;

	*out = NULL;
	if (er_container_load(root, id, out, &e) < 0) {
		if (e.errnum == ENOENT) {
			er_clear(&e);
			return 0;
		}
		*err = e;
		return -1;
	}
	if (container_running(*out))
		return 1;
	er_container_free(*out);
	*out = NULL;
	return 0;
}

/* ---------------- `command run` ---------------- */

int cmds_run_now(const char *root, const char *spool, const char *id, const char *name,
		 const struct spec_kv *params, size_t n, int *status, struct er_error *err)
{
	struct er_container *ct = NULL;
	struct cmds_decl d = {0};
	struct journal *j = NULL;
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *why = NULL;
	struct cmds_exec_result res = {0};
	struct cmds_rec q = {.type = CMDS_REC_QUEUE,
			     .ms = cmds_now_ms(),
			     .name = (char *)name,
			     .params = (struct spec_kv *)params,
			     .n_params = n,
			     .foreground = true};
	struct cmds_rec running = state_rec(0, CMDS_RUNNING), end;
	const struct cmds_command *c;
	uint64_t seq;
	bool existed;
	int r = -1;

	switch (load_running(root, id, &ct, err)) {
	case 0:
		return er_set(err, 0, "container `%s` is not running", id);
	case -1:
		return -1;
	}
	if (cmds_decl_from_annotations(er_container_state(ct)->annotations,
				       er_container_state(ct)->n_annotations, &d, err) < 0)
		goto out;
	if (cmds_request_check(&d, name, params, n, err) < 0)
		goto out;
	c = cmds_decl_find(&d, name);
	argv = cmds_build_argv(c, params, n, err);
	if (!argv || journal_open(spool, id, true, &j, err) < 0)
		goto out;
	cmds_owner_self(&running.owner);
	if (journal_queue(j, &q, &running, &seq, &existed, err) < 0)
		goto out;
	if (exec_capture(ct, spool, id, c, argv, true, &res, err) < 0) {
		struct er_error e = ER_ERROR_INIT;

		end = state_rec(seq, CMDS_FAILED);
		end.error = err->msg;
		if (journal_append(j, &end, 1, &e) < 0)
			er_warn("command `%s`: cannot record its failure: %s", name, e.msg);
		er_clear(&e);
		er_prefix(err, "command `%s`", name);
		goto out;
	}
	end = end_rec(seq, c, &res, &why);
	if (journal_append(j, &end, 1, err) < 0)
		goto out;
	*status = res.status;
	if (res.timed_out)
		er_warn("command `%s`: %s", name, why);
	r = 0;
out:
	free(running.owner.boot);
	result_clear(&res);
	journal_close(j);
	cmds_decl_clear(&d);
	er_container_free(ct);
	return r;
}

/* ---------------- `command queue` ---------------- */

int cmds_queue(const struct cmds_queue_req *rq, uint64_t *seq, bool *existed, struct er_error *err)
{
	struct cmds_decl d = {0};
	struct journal *j = NULL;
	struct er_error e = ER_ERROR_INIT;
	const struct cmds_command *c;
	uint64_t ttl;
	struct cmds_rec q = {.type = CMDS_REC_QUEUE,
			     .ms = cmds_now_ms(),
			     .request_id = (char *)rq->request_id,
			     .name = (char *)rq->name,
			     .params = (struct spec_kv *)rq->params,
			     .n_params = rq->n_params};
	bool running = false;
	int r = cmds_decl_for(rq->root, rq->spool, rq->id, rq->bundle, &d, &running, err);

	if (r == 0)
		return er_set(err, 0,
			      "container `%s` declares no commands (or does not exist and no "
			      "declaration is known: give --bundle)",
			      rq->id);
	if (r < 0)
		return -1;
	r = -1;
	if (cmds_request_check(&d, rq->name, rq->params, rq->n_params, err) < 0)
		goto out;
	c = cmds_decl_find(&d, rq->name);
	ttl = rq->has_ttl ? rq->ttl_ms : c->ttl_ms;
	if (ttl)
		q.deadline_ms = q.ms + (int64_t)ttl;
	if (journal_open(rq->spool, rq->id, true, &j, err) < 0 ||
	    journal_queue(j, &q, NULL, seq, existed, err) < 0)
		goto out;
	r = 0;
	/* the entry is durable: a failure below only delays it until the next start */
	if (running) {
		if (cmds_drain_kick(rq->root, rq->spool, rq->id, false, &e) < 0)
			er_warn("start the drainer of `%s`: %s", rq->id, e.msg);
		er_clear(&e);
	}
	er_clear(&e);
out:
	journal_close(j);
	cmds_decl_clear(&d);
	return r;
}

/* ---------------- the drainer ---------------- */

struct drainer {
	const char *root, *spool, *id;
	struct journal *j;
	struct journal_view v;
	size_t cursor; /* entries before it are not queued */
};

/* Running entries whose owner is gone: interrupted, or queued again when idempotent. */
static int recover(struct drainer *dr, struct er_error *err)
{
	struct cmds_decl d = {0};
	struct er_error e = ER_ERROR_INIT;
	int r = 0;

	if (cmds_decl_for(dr->root, dr->spool, dr->id, NULL, &d, NULL, &e) < 0) {
		er_debug("drainer: no declaration to recover with: %s", e.msg);
		er_clear(&e);
	}
	for (size_t i = 0; i < dr->v.n && r == 0; i++) {
		struct cmds_entry *en = &dr->v.e[i];
		const struct cmds_command *c;
		struct cmds_rec rec;

		if (en->state != CMDS_RUNNING || cmds_owner_alive(&en->owner))
			continue;
		c = cmds_decl_find(&d, en->name);
		if (c && c->idempotent && !en->foreground) {
			rec = state_rec(en->seq, CMDS_QUEUED);
			rec.requeued = true;
			rec.error = (char *)"interrupted; queued again (idempotent)";
		} else {
			rec = state_rec(en->seq, CMDS_INTERRUPTED);
			rec.error = (char *)"interrupted: its runner died while it ran";
		}
		r = journal_append(dr->j, &rec, 1, err);
	}
	cmds_decl_clear(&d);
	return r < 0 ? -1 : journal_refresh(dr->j, &dr->v, err);
}

/* Records the end of entry E that never ran (expired, invalid). */
static int never_ran(struct drainer *dr, uint64_t seq, enum cmds_state s, const char *why,
		     struct er_error *err)
{
	struct cmds_rec rec = state_rec(seq, s);

	rec.error = (char *)why;
	return journal_append(dr->j, &rec, 1, err);
}

/* Runs entry E: 1 go on, 0 stop (the container is not running), -1 error. */
static int run_entry(struct drainer *dr, uint64_t seq, struct er_error *err)
{
	struct cmds_entry *en = journal_find(&dr->v, seq);
	struct er_container *ct = NULL;
	struct cmds_decl d = {0};
	struct er_error e = ER_ERROR_INIT;
	struct cmds_exec_result res = {0};
	struct cmds_rec running = state_rec(seq, CMDS_RUNNING), end;
	_cleanup_strv_ char **argv = NULL;
	_cleanup_free_ char *why = NULL;
	const struct cmds_command *c = NULL;
	int r = load_running(dr->root, dr->id, &ct, err);

	if (r <= 0)
		return r;
	r = -1;
	if (cmds_decl_from_annotations(er_container_state(ct)->annotations,
				       er_container_state(ct)->n_annotations, &d, &e) >= 0 &&
	    cmds_request_check(&d, en->name, en->params, en->n_params, &e) == 0) {
		c = cmds_decl_find(&d, en->name);
		argv = cmds_build_argv(c, en->params, en->n_params, &e);
	}
	if (!argv) {
		r = never_ran(dr, seq, CMDS_FAILED, e.msg, err) < 0 ? -1 : 1;
		goto out;
	}
	cmds_owner_self(&running.owner);
	if (journal_append(dr->j, &running, 1, err) < 0)
		goto out;
	if (exec_capture(ct, dr->spool, dr->id, c, argv, false, &res, &e) < 0) {
		struct er_container *again = NULL;
		struct er_error e2 = ER_ERROR_INIT;
		int live = load_running(dr->root, dr->id, &again, &e2);

		er_clear(&e2);
		er_container_free(again);
		end = state_rec(seq, live == 1 ? CMDS_FAILED : CMDS_QUEUED);
		end.error = live == 1 ? e.msg : (char *)"the container stopped; queued again";
		end.requeued = live != 1;
		r = journal_append(dr->j, &end, 1, err) < 0 ? -1 : live == 1;
		goto out;
	}
	end = end_rec(seq, c, &res, &why);
	r = journal_append(dr->j, &end, 1, err) < 0 ? -1 : 1;
out:
	free(running.owner.boot);
	result_clear(&res);
	er_clear(&e);
	cmds_decl_clear(&d);
	er_container_free(ct);
	return r;
}

/* The next queued entry's seq, 0 if none. */
static uint64_t next_queued(struct drainer *dr)
{
	for (; dr->cursor < dr->v.n; dr->cursor++)
		if (dr->v.e[dr->cursor].state == CMDS_QUEUED)
			return dr->v.e[dr->cursor].seq;
	return 0;
}

/* Runs queued entries until none is left: 1 idle, 0 stopped, -1 error. */
static int drain_loop(struct drainer *dr, struct er_error *err)
{
	for (;;) {
		uint64_t seq;
		int r;

		if (journal_refresh(dr->j, &dr->v, err) < 0)
			return -1;
		dr->cursor = 0;
		seq = next_queued(dr);
		if (!seq)
			return 1;
		if (journal_find(&dr->v, seq)->deadline_ms &&
		    cmds_now_ms() > journal_find(&dr->v, seq)->deadline_ms) {
			if (never_ran(dr, seq, CMDS_EXPIRED, "its ttl passed before it could run",
				      err) < 0)
				return -1;
			continue;
		}
		r = run_entry(dr, seq, err);
		if (r <= 0)
			return r;
	}
}

static int lock_dir(struct drainer *dr)
{
	int fd = journal_dirfd(dr->j);
	_cleanup_free_ char *pid = xasprintf("%d\n", (int)getpid());

	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return -1;
	(void)write_file_at(fd, DRAINER_PID, O_CREAT | O_TRUNC, 0600, pid, strlen(pid), NULL);
	return 0;
}

static void unlock_dir(struct drainer *dr)
{
	(void)unlinkat(journal_dirfd(dr->j), DRAINER_PID, 0);
	(void)flock(journal_dirfd(dr->j), LOCK_UN);
}

int cmds_drain(const char *root, const char *spool, const char *id, struct er_error *err)
{
	struct drainer dr = {.root = root, .spool = spool, .id = id};
	int r;

	if (journal_open(spool, id, false, &dr.j, err) < 0)
		return err->errnum == ENOENT ? (er_clear(err), 0) : -1;
	if (lock_dir(&dr) < 0) {
		er_debug("drainer of `%s`: another one runs", id);
		journal_close(dr.j);
		return 0;
	}
	r = journal_refresh(dr.j, &dr.v, err) < 0 ? -1 : recover(&dr, err);
	while (r == 0) {
		r = drain_loop(&dr, err);
		if (r != 1)
			break;
		/* idle: drop the marker, then the lock, and look once more */
		r = journal_clear_marker_if_idle(dr.j, err);
		if (r < 0)
			break;
		unlock_dir(&dr);
		if (journal_refresh(dr.j, &dr.v, err) < 0) {
			r = -1;
			break;
		}
		dr.cursor = 0;
		if (!next_queued(&dr) || lock_dir(&dr) < 0) {
			r = 0;
			goto done;
		}
		r = 0;
	}
	unlock_dir(&dr);
done:
	journal_view_clear(&dr.v);
	journal_close(dr.j);
	return r < 0 ? -1 : 0;
}

/* ---------------- the detached process ---------------- */

static __attribute__((noreturn)) void drainer_main(const char *root, const char *spool,
						   const char *id)
{
	struct er_error e = ER_ERROR_INIT;
	sigset_t none;
	int null;

	/* nothing of the parent's: its container lock, its log file, its terminal */
	(void)syscall(SYS_close_range, 3U, ~0U, 0U);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 3 && null >= 0; i++)
		(void)dup2(null, i);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			(void)signal(s, SIG_DFL);
	if (chdir("/") < 0)
		_exit(1);
	er_debug_enabled = false;
	if (cmds_drain(root, spool, id, &e) < 0)
		_exit(1);
	_exit(0);
}

int cmds_drain_kick(const char *root, const char *spool, const char *id, bool check_marker,
		    struct er_error *err)
{
	pid_t child;
	int st;

	if (check_marker && !journal_has_marker(spool, id))
		return 0;
	fflush(NULL);
	child = fork();
	if (child < 0)
		return er_set(err, errno, "fork the drainer");
	if (child == 0) {
		pid_t grand;

		(void)setsid();
		grand = fork();
		if (grand == 0)
			drainer_main(root, spool, id);
		_exit(grand < 0 ? 1 : 0);
	}
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return er_set(err, errno, "wait for the drainer's parent");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return er_set(err, 0, "fork the drainer: failed");
	er_debug("offline commands: drainer started for `%s`", id);
	return 0;
}

void cmds_after_start(const char *root, const char *spool, const char *id)
{
	struct er_error e = ER_ERROR_INIT;

	if (cmds_drain_kick(root, spool, id, true, &e) < 0)
		er_warn("container `%s`: queued commands: %s", id, e.msg);
	er_clear(&e);
}
