/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify_listener SOCKET: plays systemd's side of sd_notify(3) for sdnotify.bats. Binds a
 * unix datagram socket at SOCKET and prints every datagram it receives, each followed by a
 * newline unless it ends with one; a datagram carrying descriptors (BARRIER=1 with its
 * pipe) has them closed once it is printed, which answers the barrier. Runs until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void close_fds(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify_listener SOCKET (shorter than %zu bytes)\n",
			sizeof(sa.sun_path));
		return 2;
	}
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("notify_listener: bind");
		return 1;
	}
	for (;;) {
		char buf[4097], cbuf[CMSG_SPACE(16 * sizeof(int))];
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf)};
		ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("notify_listener: recvmsg");
			return 1;
		}
		buf[n] = '\0';
		printf("%s%s", buf, n > 0 && buf[n - 1] == '\n' ? "" : "\n");
		fflush(stdout);
		close_fds(&msg); /* after the output: closing answers a barrier */
	}
}
