/* SPDX-License-Identifier: Apache-2.0 */
/* The parent <-> child sync protocol; the format and the ladder are described in sync.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "libcontainer/sync.h"

static const char *const sync_names[SYNC__MAX] = {
	[SYNC_GO] = "go",
	[SYNC_HELPER_PID] = "helper-pid",
	[SYNC_HOOKS] = "hooks",
	[SYNC_HOOKS_DONE] = "hooks-done",
	[SYNC_PTY] = "pty",
	[SYNC_READY] = "ready",
	[SYNC_ERROR] = "error",
	[SYNC_SECCOMP] = "seccomp",
	[SYNC_SECCOMP_DONE] = "seccomp-done",
};

const char *sync_type_name(enum sync_type t)
{
	if ((unsigned int)t < SYNC__MAX && sync_names[t])
		return sync_names[t];
	return "unknown";
}

int sync_send(int sock, enum sync_type type, int errnum, const void *payload, size_t len, int fd,
	      struct er_error *err)
{
	struct sync_hdr hdr = {.type = (uint32_t)type, .errnum = errnum, .length = (uint32_t)len};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cmsg;
	struct iovec iov[2] = {
		{.iov_base = &hdr, .iov_len = sizeof(hdr)},
		{.iov_base = (void *)payload, .iov_len = len},
	};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	ssize_t n;

	if (len > SYNC_MAX_PAYLOAD)
		return er_set(err, EMSGSIZE, "sync: send `%s` (%zu bytes)", sync_type_name(type),
			      len);
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cmsg, 0, sizeof(cmsg));
		mh.msg_control = cmsg.buf;
		mh.msg_controllen = sizeof(cmsg.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return er_set(err, errno, "sync: send `%s`", sync_type_name(type));
	if ((size_t)n != sizeof(hdr) + len)
		return er_set(err, EMSGSIZE, "sync: send `%s`: short write", sync_type_name(type));
	return 0;
}

void sync_msg_clear(struct sync_msg *msg)
{
	free(msg->payload);
	msg->payload = NULL;
	if (msg->fd >= 0)
		close(msg->fd);
	msg->fd = -1;
	msg->len = 0;
	msg->type = 0;
	msg->errnum = 0;
}

/* Closes every descriptor a (bad) datagram carried. */
static void close_cmsg_fds(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
		}
	}
}

static ssize_t recvmsg_eintr(int sock, struct msghdr *mh, int flags)
{
	ssize_t n;

	do
		n = recvmsg(sock, mh, flags);
	while (n < 0 && errno == EINTR);
	return n;
}

/* The datagram: header + exactly hdr->length bytes, at most one fd. */
static int recv_body(int sock, const struct sync_hdr *peek, struct sync_msg *msg,
		     struct er_error *err)
{
	struct sync_hdr hdr;
	union {
		/* room for more than one fd, so that a peer sending too many is detected */
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} cmsg;
	_cleanup_free_ char *payload = xmalloc((size_t)peek->length + 1);
	struct iovec iov[2] = {
		{.iov_base = &hdr, .iov_len = sizeof(hdr)},
		{.iov_base = payload, .iov_len = peek->length},
	};
	struct msghdr mh = {.msg_iov = iov,
			    .msg_iovlen = 2,
			    .msg_control = cmsg.buf,
			    .msg_controllen = sizeof(cmsg.buf)};
	ssize_t n = recvmsg_eintr(sock, &mh, MSG_CMSG_CLOEXEC);
	int fd = -1, nfds = 0;

	if (n < 0)
		return er_set(err, errno, "sync: receive");
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		close_cmsg_fds(&mh);
		return er_set(err, EMSGSIZE, "sync: receive: truncated message");
	}
	if ((size_t)n != sizeof(hdr) + peek->length || hdr.length != peek->length) {
		close_cmsg_fds(&mh);
		return er_set(err, EBADMSG, "sync: receive: %zd bytes for a %u-byte payload", n,
			      peek->length);
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			nfds += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (nfds == 1)
				memcpy(&fd, CMSG_DATA(c), sizeof(int));
		}
	}
	if (nfds > 1) {
		close_cmsg_fds(&mh);
		return er_set(err, EBADMSG, "sync: receive: %d descriptors in one message", nfds);
	}
	payload[peek->length] = '\0';
	msg->type = (enum sync_type)hdr.type;
	msg->errnum = hdr.errnum;
	msg->len = hdr.length;
	msg->payload = TAKE_PTR(payload);
	msg->fd = fd;
	return 1;
}

int sync_recv(int sock, struct sync_msg *msg, struct er_error *err)
{
	struct sync_hdr hdr;
	struct iovec iov = {.iov_base = &hdr, .iov_len = sizeof(hdr)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	*msg = (struct sync_msg)SYNC_MSG_INIT;
	/* Peek the header only; without a control buffer the peeked fds stay queued. */
	n = recvmsg_eintr(sock, &mh, MSG_PEEK);
	if (n < 0)
		return er_set(err, errno, "sync: receive");
	if (n == 0)
		return 0;
	if ((size_t)n < sizeof(hdr)) {
		/* consume the runt so that it cannot be seen again */
		mh.msg_control = NULL;
		(void)recvmsg_eintr(sock, &mh, MSG_CMSG_CLOEXEC);
		return er_set(err, EBADMSG,
			      "sync: receive: %zd-byte message is shorter than a header", n);
	}
	if (hdr.type == 0 || hdr.type >= SYNC__MAX || hdr.length > SYNC_MAX_PAYLOAD) {
		char c;
		struct iovec drop = {.iov_base = &c, .iov_len = 1};
		struct msghdr dm = {.msg_iov = &drop, .msg_iovlen = 1};

		/* Discard it (a zero control buffer makes the kernel close any fds). */
		(void)recvmsg_eintr(sock, &dm, 0);
		if (hdr.length > SYNC_MAX_PAYLOAD)
			return er_set(err, EMSGSIZE, "sync: receive: %u-byte payload is too large",
				      hdr.length);
		return er_set(err, EBADMSG, "sync: receive: unknown message type %u", hdr.type);
	}
	return recv_body(sock, &hdr, msg, err);
}

int sync_error_from_msg(const struct sync_msg *msg, struct er_error *err)
{
	er_set(err, 0, "%s", msg->len ? msg->payload : "child failed without a message");
	if (err)
		err->errnum = msg->errnum;
	return -1;
}

int sync_expect(int sock, enum sync_type want, struct sync_msg *msg, struct er_error *err)
{
	int r = sync_recv(sock, msg, err);

	if (r < 0)
		return -1;
	if (r == 0)
		return er_set(err, ECONNRESET, "sync: waiting for `%s`: peer closed the socket",
			      sync_type_name(want));
	if (msg->type == SYNC_ERROR) {
		sync_error_from_msg(msg, err);
		sync_msg_clear(msg);
		return -1;
	}
	if (msg->type != want) {
		er_set(err, EPROTO, "sync: got `%s` while waiting for `%s`",
		       sync_type_name(msg->type), sync_type_name(want));
		sync_msg_clear(msg);
		return -1;
	}
	return 0;
}

void sync_send_error(int sock, const struct er_error *e)
{
	static const char cut[] = " [message truncated]";
	const char *text = e && e->msg ? e->msg : "unknown error";
	size_t len = strlen(text);

	if (len > SYNC_MAX_PAYLOAD) {
		/* Beyond the protocol's limit (never in practice): say so, do not cut silently. */
		char *buf = xmalloc(SYNC_MAX_PAYLOAD);
		size_t keep = SYNC_MAX_PAYLOAD - (sizeof(cut) - 1);

		memcpy(buf, text, keep);
		memcpy(buf + keep, cut, sizeof(cut) - 1);
		(void)sync_send(sock, SYNC_ERROR, e->errnum, buf, SYNC_MAX_PAYLOAD, -1, NULL);
		free(buf);
		return;
	}
	(void)sync_send(sock, SYNC_ERROR, e ? e->errnum : 0, text, len, -1, NULL);
}

int sync_send_pid(int sock, enum sync_type type, int32_t pid, struct er_error *err)
{
	return sync_send(sock, type, 0, &pid, sizeof(pid), -1, err);
}

int sync_msg_pid(const struct sync_msg *msg, int32_t *pid, struct er_error *err)
{
	if (msg->len != sizeof(*pid))
		return er_set(err, EBADMSG, "sync: `%s`: %zu-byte payload, want %zu",
			      sync_type_name(msg->type), msg->len, sizeof(*pid));
	memcpy(pid, msg->payload, sizeof(*pid));
	if (*pid <= 0)
		return er_set(err, EBADMSG, "sync: `%s`: bad pid %d", sync_type_name(msg->type),
			      *pid);
	return 0;
}
