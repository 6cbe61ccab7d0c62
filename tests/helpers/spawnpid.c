/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawnpid PID CMD [ARG...]: start CMD in the background as process PID (clone3 with
 * set_tid; needs CAP_SYS_ADMIN), print PID and exit 0; exit 1 if PID is taken. The tests use
 * it to make a dead container's pid belong to an unrelated process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t want, pid;
	struct clone_args args;

	if (argc < 3 || (want = (pid_t)strtol(argv[1], NULL, 10)) <= 1) {
		fprintf(stderr, "usage: spawnpid PID CMD [ARG...]\n");
		return 2;
	}
	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	args.set_tid = (uint64_t)(uintptr_t)&want;
	args.set_tid_size = 1;
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		fprintf(stderr, "spawnpid: clone3 with pid %d: %s\n", (int)want, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		/* detached: no stdio or other fd of the caller (a $(...) would wait for it) */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		syscall(SYS_close_range, 3U, ~0U, 0U);
		setsid();
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	printf("%d\n", (int)pid);
	return 0;
}
