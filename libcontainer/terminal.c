/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's terminal: the init opens a pty from the container's devpts, makes the
 * slave its controlling terminal and stdio, and hands the master to edgerun over the sync
 * socket; edgerun passes it on to --console-socket the way runc does (one SCM_RIGHTS
 * message on a SOCK_STREAM connection, the master's name as the payload).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "libcontainer/internal.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Connects to a unix socket path; one longer than sun_path goes through its directory's
 * /proc/self/fd entry. */
static int connect_unix(const char *path, struct er_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *dir = NULL, *base = NULL;
	int n;

	if (sock < 0)
		return er_set(err, errno, "socket");
	if (strlen(path) < sizeof(addr.sun_path)) {
		memcpy(addr.sun_path, path, strlen(path) + 1);
	} else {
		_cleanup_free_ char *d = xstrdup(path), *b = xstrdup(path);

		dir = xstrdup(dirname(d));
		base = xstrdup(basename(b));
		dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return er_set(err, errno, "open `%s`", dir);
		n = snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dirfd,
			     base);
		if (n < 0 || (size_t)n >= sizeof(addr.sun_path))
			return er_set(err, ENAMETOOLONG, "connect");
	}
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return er_set(err, errno, "connect");
	return TAKE_FD(sock);
}

int terminal_send_console(const char *socket_path, int master_fd, const char *name,
			  struct er_error *err)
{
	_cleanup_close_ int sock = connect_unix(socket_path, err);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cmsg;
	struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cmsg.buf,
			    .msg_controllen = sizeof(cmsg.buf)};
	struct cmsghdr *c;
	ssize_t n;

	if (sock < 0)
		return er_prefix(err, "console socket `%s`", socket_path);
	memset(&cmsg, 0, sizeof(cmsg));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master_fd, sizeof(int));
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return er_set(err, errno, "console socket `%s`: send pty master", socket_path);
	if ((size_t)n != iov.iov_len)
		return er_set(err, 0, "console socket `%s`: short write", socket_path);
	return 0;
}

/* The slave: through the master (no path lookup) where the kernel can, else by name. */
static int open_slave(int master, const char *name, struct er_error *err)
{
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return er_set(err, errno, "open pty slave `%s`", name);
	return fd;
}

/* runc's /dev/console: an empty file in the container's /dev with the slave bound on it. */
static int mount_console(const char *slave, struct er_error *err)
{
	_cleanup_close_ int fd = -1;
	mode_t old = umask(0);

	/* O_EXCL: an existing /dev/console (even a device node) is only mounted over. */
	fd = open("/dev/console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
	umask(old);
	if (fd < 0 && errno != EEXIST)
		return er_set(err, errno, "create `/dev/console`");
	if (mount(slave, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return er_set(err, errno, "bind `%s` on `/dev/console`", slave);
	return 0;
}

static int make_stdio(int slave, struct er_error *err)
{
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return er_set(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup3(slave, fd, 0) < 0)
			return er_set(err, errno, "dup pty slave to fd %d", fd);
	return 0;
}

int terminal_setup(const struct spec_process *p, bool mount_con, int *master, char **slave_path,
		   struct er_error *err)
{
	_cleanup_close_ int m = -1, s = -1;
	char name[64];
	int unlock = 0;

	*master = -1;
	*slave_path = NULL;
	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return er_set(err, errno, "open `/dev/ptmx`");
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return er_set(err, errno, "unlock pty");
	if (ptsname_r(m, name, sizeof(name)) != 0)
		return er_set(err, errno, "get pty slave name");
	s = open_slave(m, name, err);
	if (s < 0)
		return -1;
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_height,
				     .ws_col = (unsigned short)p->console_width};

		if (ioctl(s, TIOCSWINSZ, &ws) < 0)
			return er_set(err, errno, "set console size");
	}
	if (mount_con && mount_console(name, err) < 0)
		return -1;
	if (make_stdio(s, err) < 0)
		return -1;
	*master = TAKE_FD(m);
	*slave_path = xstrdup(name);
	return 0;
}
