/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks: fork + execve(path, args, env) with the state JSON on stdin, a timeout, and
 * the hook's output kept for the error message (as runc does, it is not shown on success
 * except in debug logs).
 *
 * stdin is a sealed memfd holding the JSON: the hook reads it at its own pace and we never
 * block on (or get SIGPIPE from) a hook that does not read. The exec error, if any, comes
 * back on a CLOEXEC pipe that closes when execve succeeds. The wait is poll() on a pidfd
 * plus the output pipe, with a deadline when the hook has a timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"

extern char **environ;

/* Output kept per hook for the error message; the rest is counted and dropped. */
#define HOOK_OUTPUT_MAX 4096

struct hook_run {
	const struct spec_hook *hook;
	const char *phase;
	pid_t pid;
	int pidfd;  /* -1: poll with a short period instead */
	int out_fd; /* read end of the stdout+stderr pipe, -1 at EOF */
	char out[HOOK_OUTPUT_MAX + 1];
	size_t out_len, out_dropped;
};

static int state_memfd(const char *json, struct er_error *err)
{
	_cleanup_close_ int fd = memfd_create("edgerun-state", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	size_t len = strlen(json);

	if (fd < 0)
		return er_set(err, errno, "memfd_create");
	if (write_all(fd, json, len) < 0)
		return er_set(err, errno, "write state to memfd");
	if (lseek(fd, 0, SEEK_SET) < 0)
		return er_set(err, errno, "lseek memfd");
	(void)fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	return TAKE_FD(fd);
}

static void reset_signals(void)
{
	sigset_t all;
	struct sigaction dfl = {.sa_handler = SIG_DFL};

	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);
}

/* In the forked child: never returns. Reports an exec failure as an errno on errpipe. */
__attribute__((noreturn)) static void hook_child(const struct spec_hook *h, int stdin_fd,
						 int out_fd, int errpipe)
{
	char *fallback_argv[] = {h->path, NULL};
	char *empty_env[] = {NULL};
	char **argv = h->args && h->args[0] ? h->args : fallback_argv;
	/* As runc (Go's exec.Cmd): no env in the hook means ours. */
	char **envp = h->env ? h->env : (environ ? environ : empty_env);
	int e;

	reset_signals();
	if (dup2(stdin_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		goto fail;
	/* Nothing of ours (and no fd preserved for the container) reaches the hook. */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		for (int fd = 3; fd < 1024; fd++)
			if (fd != errpipe)
				(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	execve(h->path, argv, envp);
fail:
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

static void drain_output(struct hook_run *r)
{
	char buf[1024];
	ssize_t n;

	while (r->out_fd >= 0) {
		n = read(r->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(r->out_fd);
			r->out_fd = -1;
			return;
		}
		size_t room = HOOK_OUTPUT_MAX - r->out_len;
		size_t take = (size_t)n < room ? (size_t)n : room;

		memcpy(r->out + r->out_len, buf, take);
		r->out_len += take;
		r->out_dropped += (size_t)n - take;
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for the hook to exit (collecting output); 1 = exited (status set), 0 = timed out. */
static int wait_hook(struct hook_run *r, int *status, struct er_error *err)
{
	long long deadline = r->hook->timeout > 0 ? now_ms() + r->hook->timeout * 1000LL : -1;

	for (;;) {
		struct pollfd pfd[2];
		nfds_t n = 0;
		int timeout = -1;
		pid_t w = waitpid(r->pid, status, WNOHANG);

		if (w == r->pid) {
			drain_output(r); /* whatever is still buffered; the pipe is ours */
			return 1;
		}
		if (w < 0 && errno != EINTR)
			return er_set(err, errno, "wait for %s hook `%s`", r->phase, r->hook->path);
		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return 0;
			timeout = (int)(left > 1000000 ? 1000000 : left);
		}
		if (r->pidfd >= 0)
			pfd[n++] = (struct pollfd){.fd = r->pidfd, .events = POLLIN};
		else if (timeout < 0 || timeout > 50)
			timeout = 50;
		if (r->out_fd >= 0)
			pfd[n++] = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			return er_set(err, errno, "poll %s hook `%s`", r->phase, r->hook->path);
		drain_output(r);
	}
}

/* Appends the hook's output (if any) to the message in err. */
static void add_output(struct hook_run *r, struct er_error *err)
{
	while (r->out_len && (r->out[r->out_len - 1] == '\n' || r->out[r->out_len - 1] == '\r'))
		r->out_len--;
	r->out[r->out_len] = '\0';
	if (!r->out_len || !err || !err->msg)
		return;
	char *msg = xasprintf("%s; output: %s%s", err->msg, r->out, r->out_dropped ? " [...]" : "");
	free(err->msg);
	err->msg = msg;
}

static int report_status(struct hook_run *r, int status, struct er_error *err)
{
	const char *name;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (r->out_len)
			er_debug("%s hook `%s` output: %.*s", r->phase, r->hook->path,
				 (int)r->out_len, r->out);
		return 0;
	}
	if (WIFEXITED(status))
		er_set(err, 0, "%s hook `%s`: exit status %d", r->phase, r->hook->path,
		       WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && (name = signal_name(WTERMSIG(status))))
		er_set(err, 0, "%s hook `%s`: killed by signal %s", r->phase, r->hook->path, name);
	else
		er_set(err, 0, "%s hook `%s`: wait status %#x", r->phase, r->hook->path,
		       (unsigned int)status);
	add_output(r, err);
	return -1;
}

/* Reads the exec error, if any: 0 = exec succeeded, else the errno. */
static int read_exec_error(int errpipe)
{
	int e = 0;
	ssize_t n;

	do
		n = read(errpipe, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(e) ? e : 0;
}

static int run_one(const struct spec_hook *h, const char *phase, int stdin_fd, struct er_error *err)
{
	struct hook_run r = {.hook = h, .phase = phase, .pid = -1, .pidfd = -1, .out_fd = -1};
	int outp[2], errp[2], status = 0, exec_errno, rc;

	if (pipe2(outp, O_CLOEXEC) < 0)
		return er_set(err, errno, "%s hook `%s`: pipe", phase, h->path);
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(outp[0]);
		close(outp[1]);
		return er_set(err, errno, "%s hook `%s`: pipe", phase, h->path);
	}
	r.pid = fork();
	if (r.pid == 0) {
		close(outp[0]);
		close(errp[0]);
		hook_child(h, stdin_fd, outp[1], errp[1]);
	}
	close(outp[1]);
	close(errp[1]);
	if (r.pid < 0) {
		close(outp[0]);
		close(errp[0]);
		return er_set(err, errno, "%s hook `%s`: fork", phase, h->path);
	}
	r.out_fd = outp[0];
	exec_errno = read_exec_error(errp[0]);
	close(errp[0]);
	if (exec_errno) {
		while (waitpid(r.pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(r.out_fd);
		return er_set(err, exec_errno, "%s hook `%s`: exec", phase, h->path);
	}
	(void)fcntl(r.out_fd, F_SETFL, O_NONBLOCK);
	r.pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
	rc = wait_hook(&r, &status, err);
	if (rc == 0) {
		kill(r.pid, SIGKILL);
		while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR)
			;
		drain_output(&r);
		er_set(err, 0, "%s hook `%s`: timed out after %ds", phase, h->path, h->timeout);
		add_output(&r, err);
		rc = -1;
	} else if (rc < 0) {
		kill(r.pid, SIGKILL);
		while (waitpid(r.pid, NULL, 0) < 0 && errno == EINTR)
			;
	} else {
		rc = report_status(&r, status, err);
	}
	if (r.pidfd >= 0)
		close(r.pidfd);
	if (r.out_fd >= 0)
		close(r.out_fd);
	return rc;
}

char *hooks_state_json(struct er_state *st, pid_t pid, enum er_status status)
{
	if (!st)
		return xasprintf("{\"ociVersion\":\"1.3.0\",\"status\":\"%s\",\"pid\":%d}",
				 er_status_name(status), (int)pid);
	st->pid = pid;
	st->status = status;
	return state_to_json(st, false);
}

int hooks_run(const struct spec_hook *hooks, size_t n, const char *phase, const char *state_json,
	      struct er_error *err)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int stdin_fd = state_memfd(state_json ? state_json : "", err);

		if (stdin_fd < 0)
			return er_prefix(err, "%s hook `%s`", phase, hooks[i].path);
		er_debug("running %s hook `%s`", phase, hooks[i].path);
		if (run_one(&hooks[i], phase, stdin_fd, err) < 0)
			return -1;
	}
	return 0;
}
