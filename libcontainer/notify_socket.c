/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NOTIFY_SOCKET: the container's sd_notify(3) READY=1 reaches the caller's notify socket
 * (systemd, podman --sdnotify=container), as runc's notify_socket.go does it.
 *
 *   create  (caller has NOTIFY_SOCKET)  mkdir ROOT/ID/notify (0755); the container gets it
 *           bind-mounted read-only at /run/notify and NOTIFY_SOCKET=/run/notify/notify.sock
 *   start   (caller has NOTIFY_SOCKET)  binds a datagram socket ROOT/ID/notify/notify.sock
 *           (0777, for any container user) before releasing the init; after the poststart
 *           hooks waits for a datagram with a READY= line, then sends the caller
 *           "READY=...\n", "MAINPID=<init's host pid>\n" and BARRIER=1 with a pipe (waiting
 *           up to 30 s for the caller to close it, so it has taken MAINPID in before we exit)
 *
 * Like runc, `start` waits with no time limit, until READY= or until the container's init
 * exits (then it returns success without notifying); only the READY= line is forwarded.
 * A foreground `run` hands the socket to its wait loop, which forwards READY= with its own
 * pid as MAINPID (it is the process that stays), as runc does. Without NOTIFY_SOCKET in the
 * environment none of this happens: one getenv().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"

#define NOTIFY_DIR "notify"
#define NOTIFY_SOCK "notify.sock"
#define NOTIFY_MOUNT "/run/notify"
#define NOTIFY_ENV_NAME "NOTIFY_SOCKET="
#define NOTIFY_IN_CONTAINER NOTIFY_MOUNT "/" NOTIFY_SOCK
#define BARRIER_TIMEOUT_MS 30000
#define NOTIFY_MSG_MAX 4096

struct notify_socket {
	int fd; /* bound to ROOT/ID/notify/notify.sock */
	char *host;
};

static const char *caller_socket(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s && *s ? s : NULL;
}

/* ---------------- create ---------------- */

static void set_env(struct spec_process *p)
{
	char *entry = xstrdup(NOTIFY_ENV_NAME NOTIFY_IN_CONTAINER);

	for (size_t i = 0; p->env && p->env[i]; i++) {
		if (str_has_prefix(p->env[i], NOTIFY_ENV_NAME)) {
			free(p->env[i]);
			p->env[i] = entry;
			return;
		}
	}
	strv_push(&p->env, entry);
}

static int add_mount(const char *dir, struct spec *spec, struct er_error *err)
{
	static const char *const opts[] = {"bind", "nosuid", "noexec", "nodev", "ro"};
	struct spec_mount m = {0};

	m.destination = xstrdup(NOTIFY_MOUNT);
	m.source = xasprintf("%s/%s", dir, NOTIFY_DIR);
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		strv_push(&m.options, xstrdup(opts[i]));
	if (spec_mount_parse_options(&m, err) < 0) {
		free(m.destination);
		free(m.source);
		strv_free(m.options);
		free(m.data);
		return -1;
	}
	spec->mounts = xrealloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
	spec->mounts[spec->n_mounts++] = m;
	return 0;
}

int notify_socket_prepare(int dirfd, const char *dir, struct spec *spec, struct er_error *err)
{
	if (!caller_socket() || !spec->process)
		return 0;
	if (mkdirat(dirfd, NOTIFY_DIR, 0755) < 0 && errno != EEXIST)
		return er_set(err, errno, "mkdir `%s/%s`", dir, NOTIFY_DIR);
	if (fchmodat(dirfd, NOTIFY_DIR, 0755, 0) < 0)
		return er_set(err, errno, "chmod `%s/%s`", dir, NOTIFY_DIR);
	if (add_mount(dir, spec, err) < 0)
		return er_prefix(err, "notify socket mount");
	set_env(spec->process);
	er_debug("NOTIFY_SOCKET: %s/%s is the container's %s", dir, NOTIFY_DIR, NOTIFY_MOUNT);
	return 0;
}

/* ---------------- start ---------------- */

void notify_socket_free(struct notify_socket *ns)
{
	if (!ns)
		return;
	if (ns->fd >= 0)
		close(ns->fd);
	free(ns->host);
	free(ns);
}

void notify_socket_freep(struct notify_socket **ns)
{
	notify_socket_free(*ns);
	*ns = NULL;
}

int notify_socket_fd(const struct notify_socket *ns)
{
	return ns->fd;
}

int notify_socket_open(int dirfd, struct notify_socket **out, struct er_error *err)
{
	const char *host = caller_socket();
	_cleanup_close_ int dfd = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct notify_socket *ns;

	*out = NULL;
	if (!host)
		return 0;
	dfd = openat(dirfd, NOTIFY_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		if (errno != ENOENT)
			return er_set(err, errno, "open `%s`", NOTIFY_DIR);
		er_debug("NOTIFY_SOCKET is set but the container was created without it");
		return 0;
	}
	ns = xcalloc(1, sizeof(*ns));
	ns->host = xstrdup(host);
	ns->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ns->fd < 0) {
		notify_socket_free(ns);
		return er_set(err, errno, "notify socket");
	}
	/* through the directory's fd: ROOT/ID/... may be longer than sun_path */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, NOTIFY_SOCK);
	(void)unlinkat(dfd, NOTIFY_SOCK, 0);
	if (bind(ns->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    fchmodat(dfd, NOTIFY_SOCK, 0777, 0) < 0) {
		int e = errno;

		notify_socket_free(ns);
		return er_set(err, e, "bind notify socket `%s/%s`", NOTIFY_DIR, NOTIFY_SOCK);
	}
	*out = ns;
	return 0;
}

/* The caller's address: a path, or "@name" for the abstract namespace. A path too long for
 * sun_path goes through its directory's fd (*dfd, closed by the caller). */
static int host_address(const char *host, struct sockaddr_un *sa, socklen_t *len, int *dfd,
			struct er_error *err)
{
	size_t n = strlen(host);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (host[0] == '@') {
		if (n > sizeof(sa->sun_path))
			return er_set(err, ENAMETOOLONG, "NOTIFY_SOCKET `%s`", host);
		memcpy(sa->sun_path + 1, host + 1, n - 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
		return 0;
	}
	if (host[0] != '/')
		return er_set(err, 0, "NOTIFY_SOCKET `%s`: not an absolute path or `@` name", host);
	if (n < sizeof(sa->sun_path)) {
		memcpy(sa->sun_path, host, n);
	} else {
		const char *base = strrchr(host, '/');
		_cleanup_free_ char *parent = xstrndup(host, (size_t)(base - host));

		*dfd = open(*parent ? parent : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*dfd < 0)
			return er_set(err, errno, "NOTIFY_SOCKET `%s`", host);
		if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s",
				     *dfd, base + 1) >= sizeof(sa->sun_path))
			return er_set(err, ENAMETOOLONG, "NOTIFY_SOCKET `%s`", host);
	}
	*len = (socklen_t)sizeof(*sa);
	return 0;
}

/* sd_notify_barrier: BARRIER=1 with the write end of a pipe; the receiver closes it once it
 * has processed everything before. Bounded, as runc: a timeout is a warning. */
static int notify_barrier(int sock, struct er_error *err)
{
	int p[2];
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	char msgtext[] = "BARRIER=1";
	struct iovec iov = {.iov_base = msgtext, .iov_len = strlen(msgtext)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct pollfd pfd;
	char b;
	int r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return er_set(err, errno, "pipe");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[1], sizeof(int));
	r = (int)sendmsg(sock, &msg, MSG_NOSIGNAL);
	close(p[1]);
	if (r < 0) {
		int e = errno;

		close(p[0]);
		return er_set(err, e, "send BARRIER=1");
	}
	pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
	do
		r = poll(&pfd, 1, BARRIER_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		er_warn("NOTIFY_SOCKET: no answer to BARRIER=1 within %d s; ignored",
			BARRIER_TIMEOUT_MS / 1000);
	else if (r > 0 && read(p[0], &b, 1) > 0)
		er_warn("NOTIFY_SOCKET: unexpected data on the barrier pipe");
	close(p[0]);
	return 0;
}

static int notify_host(const char *host, const char *ready, size_t ready_len, pid_t mainpid,
		       struct er_error *err)
{
	struct sockaddr_un sa;
	socklen_t len = 0;
	_cleanup_close_ int dfd = -1, sock = -1;
	_cleanup_free_ char *line = xasprintf("%.*s\n", (int)ready_len, ready);
	_cleanup_free_ char *pid = xasprintf("MAINPID=%d\n", (int)mainpid);

	if (host_address(host, &sa, &len, &dfd, err) < 0)
		return -1;
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return er_set(err, errno, "socket");
	if (connect(sock, (struct sockaddr *)&sa, len) < 0)
		return er_set(err, errno, "connect to NOTIFY_SOCKET `%s`", host);
	if (send(sock, line, strlen(line), MSG_NOSIGNAL) < 0 ||
	    send(sock, pid, strlen(pid), MSG_NOSIGNAL) < 0)
		return er_set(err, errno, "send to NOTIFY_SOCKET `%s`", host);
	er_debug("NOTIFY_SOCKET: forwarded %.*s with MAINPID=%d to %s", (int)ready_len, ready,
		 (int)mainpid, host);
	return notify_barrier(sock, err);
}

/* The READY=... line of a datagram, if it has one. */
static const char *find_ready(const char *msg, size_t *len)
{
	const char *p = msg;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (str_has_prefix(p, "READY=")) {
			*len = n;
			return p;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return NULL;
}

int notify_socket_handle(struct notify_socket *ns, pid_t mainpid, struct er_error *err)
{
	char buf[NOTIFY_MSG_MAX + 1];

	for (;;) {
		/* sent fds (FDSTORE=1) are not wanted: without a control buffer they are dropped */
		ssize_t n = recv(ns->fd, buf, NOTIFY_MSG_MAX, MSG_DONTWAIT);
		const char *ready;
		size_t len = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return er_set(err, errno, "read the container's notify socket");
		}
		buf[n] = '\0';
		ready = find_ready(buf, &len);
		if (!ready) {
			er_debug("NOTIFY_SOCKET: container sent `%s` (not forwarded)", buf);
			continue;
		}
		if (notify_host(ns->host, ready, len, mainpid, err) < 0)
			return er_prefix(err, "notify socket");
		return 1;
	}
}

int notify_socket_wait(struct notify_socket *ns, const struct er_state *st, struct er_error *err)
{
	_cleanup_close_ int pidfd = state_init_pidfd(st);

	er_debug("NOTIFY_SOCKET: waiting for the container's READY=");
	while (pidfd >= 0) {
		struct pollfd p[2] = {{.fd = ns->fd, .events = POLLIN},
				      {.fd = pidfd, .events = POLLIN}};
		int r = poll(p, 2, -1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return er_set(err, errno, "poll");
		}
		if (p[0].revents) {
			r = notify_socket_handle(ns, st->pid, err);
			if (r != 0)
				return r < 0 ? -1 : 0;
		}
		if (p[1].revents)
			break;
	}
	/* the init is gone: what it sent just before still counts; else return, as runc */
	switch (notify_socket_handle(ns, st->pid, err)) {
	case -1:
		return -1;
	case 0:
		er_debug("NOTIFY_SOCKET: the container's init exited before READY=");
		break;
	}
	return 0;
}
