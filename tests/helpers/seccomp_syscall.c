/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscall NAME|NUMBER [ARG...]: makes one raw system call inside a test container and says
 * what came back (built static and copied into the busybox rootfs by seccomp.bats).
 *
 * NAME is one of the few calls the seccomp tests need (busybox has no applet for them);
 * NUMBER is any syscall number. ARGs are integers (strtoull base 0: 0x.., 0..). Prints
 *   NAME: ok (N)                   and exits 0, or
 *   NAME: errno N (strerror text)  and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	long nr;
} calls[] = {
	{"keyctl", SYS_keyctl},		  {"unshare", SYS_unshare},
	{"personality", SYS_personality}, {"umask", SYS_umask},
	{"getpid", SYS_getpid},		  {"getppid", SYS_getppid},
	{"sched_yield", SYS_sched_yield},
};

int main(int argc, char **argv)
{
	unsigned long long a[6] = {0};
	long nr = -1, r;
	char *end;

	if (argc < 2 || argc > 8) {
		fprintf(stderr, "usage: syscall NAME|NUMBER [ARG...] (at most 6)\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(argv[1], calls[i].name) == 0)
			nr = calls[i].nr;
	if (nr < 0) {
		nr = strtol(argv[1], &end, 0);
		if (*end || nr < 0) {
			fprintf(stderr, "syscall: unknown call `%s`\n", argv[1]);
			return 2;
		}
	}
	for (int i = 2; i < argc; i++) {
		errno = 0;
		a[i - 2] = strtoull(argv[i], &end, 0);
		if (errno || *end) {
			fprintf(stderr, "syscall: bad argument `%s`\n", argv[i]);
			return 2;
		}
	}
	errno = 0;
	r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r == -1) {
		int e = errno;

		printf("%s: errno %d (%s)\n", argv[1], e, strerror(e));
		return 1;
	}
	printf("%s: ok (%ld)\n", argv[1], r);
	return 0;
}
