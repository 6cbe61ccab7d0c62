/* SPDX-License-Identifier: Apache-2.0 */
/* The sync protocol (libcontainer/sync.h): round trips, fd passing, errors, bad input. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "libcontainer/sync.h"
#include "tests/unit/tap.h"

static void pair(int sp[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		abort();
}

static void test_round_trip(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct sync_msg m = SYNC_MSG_INIT;
	int sp[2];

	pair(sp);
	ok(sync_send(sp[0], SYNC_READY, 0, NULL, 0, -1, &err) == 0, "send empty message");
	is_int(sync_recv(sp[1], &m, &err), 1, "receive it");
	is_int(m.type, SYNC_READY, "type kept");
	is_int((long long)m.len, 0, "no payload");
	is_int(m.fd, -1, "no fd");
	ok(m.payload && m.payload[0] == '\0', "empty payload is an empty string");
	sync_msg_clear(&m);

	ok(sync_send(sp[1], SYNC_PTY, 7, "/dev/pts/3", 10, -1, &err) == 0, "send with payload");
	is_int(sync_recv(sp[0], &m, &err), 1, "receive in the other direction");
	is_int(m.type, SYNC_PTY, "type");
	is_int(m.errnum, 7, "errnum kept");
	is_str(m.payload, "/dev/pts/3", "payload kept, NUL-terminated");
	sync_msg_clear(&m);

	/* Two messages stay two messages. */
	sync_send_pid(sp[0], SYNC_GO, 4242, &err);
	sync_send_pid(sp[0], SYNC_HELPER_PID, 77, &err);
	int32_t pid = 0;
	ok(sync_expect(sp[1], SYNC_GO, &m, &err) == 0 && sync_msg_pid(&m, &pid, &err) == 0 &&
		   pid == 4242,
	   "first pid message");
	sync_msg_clear(&m);
	ok(sync_expect(sp[1], SYNC_HELPER_PID, &m, &err) == 0 &&
		   sync_msg_pid(&m, &pid, &err) == 0 && pid == 77,
	   "second pid message, boundaries kept");
	sync_msg_clear(&m);
	close(sp[0]);
	close(sp[1]);
	er_clear(&err);
}

static void test_large_payload(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct sync_msg m = SYNC_MSG_INIT;
	size_t big = SYNC_MAX_PAYLOAD;
	char *buf = xmalloc(big + 1);
	int sp[2], sndbuf = (int)(4 * big);

	pair(sp);
	setsockopt(sp[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	for (size_t i = 0; i < big; i++)
		buf[i] = (char)('a' + i % 26);
	ok(sync_send(sp[0], SYNC_ERROR, 0, buf, big, -1, &err) == 0, "send the largest payload");
	is_int(sync_recv(sp[1], &m, &err), 1, "receive the largest payload");
	ok(m.len == big && memcmp(m.payload, buf, big) == 0, "every byte arrives");
	sync_msg_clear(&m);

	ok(sync_send(sp[0], SYNC_ERROR, 0, buf, big + 1, -1, &err) < 0 && err.errnum == EMSGSIZE,
	   "a payload above the limit is refused, not cut");
	diag("%s", err.msg);
	er_clear(&err);
	free(buf);
	close(sp[0]);
	close(sp[1]);
}

static void test_fd_passing(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct sync_msg m = SYNC_MSG_INIT;
	int sp[2], p[2];
	char c = 0;

	pair(sp);
	if (pipe(p) < 0)
		abort();
	ok(sync_send(sp[0], SYNC_PTY, 0, "x", 1, p[1], &err) == 0, "send an fd");
	close(p[1]);
	is_int(sync_recv(sp[1], &m, &err), 1, "receive the fd message");
	ok(m.fd >= 0, "an fd arrived");
	ok(m.fd >= 0 && (fcntl(m.fd, F_GETFD) & FD_CLOEXEC), "received fd is CLOEXEC");
	ok(write(m.fd, "z", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'z',
	   "received fd is the pipe's write end");
	sync_msg_clear(&m);
	ok(m.fd == -1, "clear closes it");
	close(p[0]);
	close(sp[0]);
	close(sp[1]);
}

static void test_errors(void)
{
	struct er_error err = ER_ERROR_INIT, child = ER_ERROR_INIT;
	struct sync_msg m = SYNC_MSG_INIT;
	int sp[2];

	pair(sp);
	er_set(&child, ENOENT, "chdir to cwd `%s`", "/nope");
	sync_send_error(sp[1], &child);
	ok(sync_expect(sp[0], SYNC_READY, &m, &err) < 0, "an ERROR message fails sync_expect");
	is_str(err.msg, "chdir to cwd `/nope`: no such file or directory",
	       "the child's own message is rebuilt verbatim");
	is_int(err.errnum, ENOENT, "and its errno");
	er_clear(&err);

	sync_send(sp[1], SYNC_HOOKS, 0, NULL, 0, -1, &err);
	ok(sync_expect(sp[0], SYNC_READY, &m, &err) < 0 && err.errnum == EPROTO,
	   "an unexpected type is an error");
	diag("%s", err.msg);
	er_clear(&err);

	/* A runt (shorter than a header) and an unknown type are refused and consumed. */
	ok(send(sp[1], "ab", 2, 0) == 2, "send a runt");
	ok(sync_recv(sp[0], &m, &err) < 0 && err.errnum == EBADMSG, "a runt is refused");
	er_clear(&err);
	struct sync_hdr bad = {.type = 999, .errnum = 0, .length = 0};
	send(sp[1], &bad, sizeof(bad), 0);
	ok(sync_recv(sp[0], &m, &err) < 0 && err.errnum == EBADMSG, "an unknown type is refused");
	er_clear(&err);
	/* A header that lies about its length. */
	struct {
		struct sync_hdr h;
		char extra[4];
	} lie = {{SYNC_PTY, 0, 10}, "abc"};
	send(sp[1], &lie, sizeof(lie), 0);
	ok(sync_recv(sp[0], &m, &err) < 0 && err.errnum == EBADMSG,
	   "a length that does not match the datagram is refused");
	er_clear(&err);
	struct sync_hdr huge = {.type = SYNC_PTY, .errnum = 0, .length = SYNC_MAX_PAYLOAD + 1};
	send(sp[1], &huge, sizeof(huge), 0);
	ok(sync_recv(sp[0], &m, &err) < 0 && err.errnum == EMSGSIZE,
	   "an oversized length is refused");
	er_clear(&err);

	/* After all that garbage the stream is still usable. */
	sync_send(sp[1], SYNC_READY, 0, NULL, 0, -1, &err);
	ok(sync_expect(sp[0], SYNC_READY, &m, &err) == 0, "the socket is still in sync");
	sync_msg_clear(&m);

	struct sync_msg pm = {.type = SYNC_GO, .payload = (char *)"ab", .len = 2, .fd = -1};
	int32_t pid;
	ok(sync_msg_pid(&pm, &pid, &err) < 0, "a pid payload of the wrong size is refused");
	er_clear(&err);

	close(sp[1]);
	is_int(sync_recv(sp[0], &m, &err), 0, "EOF when the peer closes");
	ok(sync_expect(sp[0], SYNC_READY, &m, &err) < 0 && err.errnum == ECONNRESET,
	   "sync_expect reports a closed peer");
	diag("%s", err.msg);
	er_clear(&err);
	er_clear(&child);
	close(sp[0]);

	pair(sp);
	close(sp[1]);
	ok(sync_send(sp[0], SYNC_GO, 0, NULL, 0, -1, &err) < 0 && err.errnum == EPIPE,
	   "sending to a closed peer is EPIPE, no SIGPIPE");
	er_clear(&err);
	close(sp[0]);
}

/* The real use: a forked child reports an error, the parent sees it and the child's exit. */
static void test_across_fork(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct sync_msg m = SYNC_MSG_INIT;
	int sp[2], status = 0;
	pid_t pid;

	pair(sp);
	pid = fork();
	if (pid == 0) {
		struct er_error e = ER_ERROR_INIT;

		close(sp[0]);
		if (sync_expect(sp[1], SYNC_GO, &m, &e) < 0)
			_exit(2);
		sync_msg_clear(&m);
		er_set(&e, EACCES, "exec \"%s\"", "/etc/passwd");
		sync_send_error(sp[1], &e);
		_exit(1);
	}
	close(sp[1]);
	sync_send_pid(sp[0], SYNC_GO, pid, &err);
	ok(sync_expect(sp[0], SYNC_READY, &m, &err) < 0, "child error received");
	is_str(err.msg, "exec \"/etc/passwd\": permission denied", "child's message");
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 1, "child exited 1");
	is_int(sync_recv(sp[0], &m, &err), 0, "then EOF");
	er_clear(&err);
	close(sp[0]);
}

int main(void)
{
	test_round_trip();
	test_large_payload();
	test_fd_passing();
	test_errors();
	test_across_fork();
	return done_testing();
}
