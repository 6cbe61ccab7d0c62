/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCMP_ACT_NOTIFY: the listener fd goes to the agent at linux.seccomp.listenerPath, as runc
 * sends it: one connection (AF_UNIX, SOCK_STREAM), one message whose payload is the
 * container process state JSON and whose SCM_RIGHTS carries the fd.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/cleanup.h"
#include "seccomp/seccomp.h"

static int send_with_fd(int s, int fd, const char *data, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do
		n = sendmsg(s, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	/* a stream socket may take less; the fd went with the first byte */
	for (size_t off = (size_t)n; off < len; off += (size_t)n) {
		do
			n = send(s, data + off, len - off, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -1;
	}
	return 0;
}

int seccomp_send_listener(const char *listener_path, int fd, const char *state_json,
			  struct er_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = listener_path ? strlen(listener_path) : 0;
	_cleanup_close_ int s = -1;

	if (len == 0 || len >= sizeof(sa.sun_path))
		return er_set(err, len ? ENAMETOOLONG : EINVAL, "seccomp listener path `%s`",
			      listener_path ? listener_path : "");
	if (!state_json || !*state_json) /* an empty payload would drop the fd */
		return er_set(err, EINVAL, "send seccomp listener fd to `%s`: empty state",
			      listener_path);
	memcpy(sa.sun_path, listener_path, len);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return er_set(err, errno, "seccomp listener `%s`: socket", listener_path);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return er_set(err, errno, "connect to seccomp listener `%s`", listener_path);
	if (send_with_fd(s, fd, state_json, strlen(state_json)) < 0)
		return er_set(err, errno, "send seccomp listener fd to `%s`", listener_path);
	return 0;
}
