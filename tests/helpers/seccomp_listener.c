/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp_listener SOCKET STATEFILE ANSWER: a minimal linux.seccomp.listenerPath agent for
 * the integration tests.
 *
 * Listens on the unix socket SOCKET, accepts one connection, receives the seccomp listener
 * fd (SCM_RIGHTS) and the container process state JSON sent with it (read until EOF),
 * writes the JSON to STATEFILE, then answers every notification of the filter with ANSWER:
 *   errno:N    the syscall fails with errno N (not run)
 *   ok         the syscall returns 0 (not run)
 *   continue   the kernel runs the syscall (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 * One line "nr NR pid PID" per notification goes to stdout. Exits 0 once no process uses
 * the filter any more, 1 on error (message on stderr), and gives up after 120 seconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "seccomp_listener: %s: %s\n", what, strerror(errno));
	return 1;
}

struct answer {
	int error; /* negative errno, or 0 */
	unsigned int flags;
};

static int parse_answer(const char *s, struct answer *a)
{
	char *end;
	long n;

	a->error = 0;
	a->flags = 0;
	if (strcmp(s, "ok") == 0)
		return 0;
	if (strcmp(s, "continue") == 0) {
		a->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		return 0;
	}
	if (strncmp(s, "errno:", 6) != 0)
		return -1;
	errno = 0;
	n = strtol(s + 6, &end, 10);
	if (errno || *end || n <= 0 || n > 4095)
		return -1;
	a->error = (int)-n;
	return 0;
}

/* Reads the connection until EOF into *json; the fd comes with the first bytes. */
static int recv_state(int conn, int *fd, char **json, size_t *len)
{
	size_t cap = 0;

	*fd = -1;
	*json = NULL;
	*len = 0;
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(int))];
		char buf[4096];
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf)};
		ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && *fd < 0)
				memcpy(fd, CMSG_DATA(c), sizeof(*fd));
		if (n == 0)
			break;
		if (*len + (size_t)n + 1 > cap) {
			cap = (*len + (size_t)n + 1) * 2;
			*json = realloc(*json, cap);
			if (!*json)
				return -1;
		}
		memcpy(*json + *len, buf, (size_t)n);
		*len += (size_t)n;
		(*json)[*len] = '\0';
	}
	if (*fd < 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* Answers notifications until the filter has no users left. */
static int serve(int fd, const struct answer *a)
{
	struct seccomp_notif_sizes sizes;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return die("SECCOMP_GET_NOTIF_SIZES");
	req = calloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
	resp = calloc(1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp
								  : sizeof(*resp));
	if (!req || !resp)
		return die("calloc");
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return die("poll");
		}
		if (!(p.revents & POLLIN)) {
			if (p.revents & (POLLHUP | POLLERR))
				return 0; /* every process of the filter is gone */
			continue;
		}
		memset(req, 0, sizes.seccomp_notif);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue; /* the caller went away meanwhile */
			return die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		printf("nr %d pid %u\n", req->data.nr, req->pid);
		fflush(stdout);
		memset(resp, 0, sizes.seccomp_notif_resp);
		resp->id = req->id;
		resp->error = a->error;
		resp->val = 0;
		resp->flags = a->flags;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			return die("SECCOMP_IOCTL_NOTIF_SEND");
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct answer a;
	char *json;
	size_t len;
	int lfd, conn, fd;

	if (argc != 4 || strlen(argv[1]) >= sizeof(addr.sun_path) || parse_answer(argv[3], &a)) {
		fprintf(stderr, "usage: seccomp_listener SOCKET STATEFILE errno:N|ok|continue\n");
		return 2;
	}
	alarm(120); /* never outlive a test that went wrong */
	memcpy(addr.sun_path, argv[1], strlen(argv[1]) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 1) < 0)
		return die("listen");
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return die("accept");
	if (recv_state(conn, &fd, &json, &len) < 0)
		return die("receive the listener fd and the state");
	close(conn);
	close(lfd);
	unlink(argv[1]);
	if (write_file(argv[2], json, len) < 0)
		return die("write the state");
	free(json);
	return serve(fd, &a);
}
