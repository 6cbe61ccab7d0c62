/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd_notify STATE...: sends one datagram, the STATE arguments joined by newlines (e.g.
 * READY=1), to $NOTIFY_SOCKET (a path, or @name for the abstract namespace), as
 * sd_notify(3) does. Built static and copied into the busybox rootfs by sdnotify.bats.
 * Exits 0 when sent, 1 with a message otherwise.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char msg[4096] = "";
	size_t len = 0, plen;
	socklen_t salen;
	int fd;

	if (!path || !*path) {
		fprintf(stderr, "sd_notify: NOTIFY_SOCKET is not set\n");
		return 1;
	}
	plen = strlen(path);
	if (plen >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sd_notify: NOTIFY_SOCKET too long\n");
		return 1;
	}
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + (path[0] != '@'));
	for (int i = 1; i < argc; i++) {
		int n = snprintf(msg + len, sizeof(msg) - len, "%s%s", i > 1 ? "\n" : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(msg) - len) {
			fprintf(stderr, "sd_notify: message too long\n");
			return 1;
		}
		len += (size_t)n;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, len, 0, (struct sockaddr *)&sa, salen) < 0) {
		fprintf(stderr, "sd_notify: send to %s: %m\n", path);
		return 1;
	}
	return 0;
}
