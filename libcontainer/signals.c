/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signal names: the table `kill` parses and debug messages print.
 *
 * er_parse_signal() accepts what runc accepts ("KILL", "SIGKILL", "kill", "9") plus the
 * real-time forms kill(1) prints ("RTMIN+3", "SIGRTMAX-2").
 */
#include <ctype.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "libcontainer/container.h"
#include "libcontainer/internal.h"

struct sig_entry {
	const char *name; /* "SIGHUP" */
	int sig;
};

/* Canonical names first: signal_name() returns the first match. */
static const struct sig_entry sig_table[] = {
	{"SIGHUP", SIGHUP},
	{"SIGINT", SIGINT},
	{"SIGQUIT", SIGQUIT},
	{"SIGILL", SIGILL},
	{"SIGTRAP", SIGTRAP},
	{"SIGABRT", SIGABRT},
	{"SIGBUS", SIGBUS},
	{"SIGFPE", SIGFPE},
	{"SIGKILL", SIGKILL},
	{"SIGUSR1", SIGUSR1},
	{"SIGSEGV", SIGSEGV},
	{"SIGUSR2", SIGUSR2},
	{"SIGPIPE", SIGPIPE},
	{"SIGALRM", SIGALRM},
	{"SIGTERM", SIGTERM},
	{"SIGSTKFLT", SIGSTKFLT},
	{"SIGCHLD", SIGCHLD},
	{"SIGCONT", SIGCONT},
	{"SIGSTOP", SIGSTOP},
	{"SIGTSTP", SIGTSTP},
	{"SIGTTIN", SIGTTIN},
	{"SIGTTOU", SIGTTOU},
	{"SIGURG", SIGURG},
	{"SIGXCPU", SIGXCPU},
	{"SIGXFSZ", SIGXFSZ},
	{"SIGVTALRM", SIGVTALRM},
	{"SIGPROF", SIGPROF},
	{"SIGWINCH", SIGWINCH},
	{"SIGIO", SIGIO},
	{"SIGPWR", SIGPWR},
	{"SIGSYS", SIGSYS},
	/* aliases */
	{"SIGIOT", SIGIOT},
	{"SIGPOLL", SIGPOLL},
	{"SIGCLD", SIGCHLD},
};

const char *signal_name(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(sig_table); i++) {
		if (sig_table[i].sig == sig)
			return sig_table[i].name;
	}
	return NULL;
}

/* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N" (after the SIG prefix is gone); -1 if not one. */
static int parse_rt_signal(const char *s)
{
	bool from_min;
	const char *rest;
	uint64_t off = 0;
	int sig;

	if (strncasecmp(s, "RTMIN", 5) == 0)
		from_min = true;
	else if (strncasecmp(s, "RTMAX", 5) == 0)
		from_min = false;
	else
		return -1;
	rest = s + 5;
	if (*rest) {
		if (*rest != (from_min ? '+' : '-') || parse_u64(rest + 1, &off) < 0)
			return -1;
		if (off > (uint64_t)(SIGRTMAX - SIGRTMIN))
			return -1;
	}
	sig = from_min ? SIGRTMIN + (int)off : SIGRTMAX - (int)off;
	return sig;
}

int er_parse_signal(const char *s, struct er_error *err)
{
	const char *name = s;
	uint64_t num;
	int rt;

	if (!s || !*s)
		return er_set(err, 0, "empty signal name");
	if (isdigit((unsigned char)*s)) {
		if (parse_u64(s, &num) < 0 || num > (uint64_t)SIGRTMAX)
			return er_set(err, 0, "unknown signal `%s`", s);
		return (int)num;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < ARRAY_SIZE(sig_table); i++) {
		if (strcasecmp(name, sig_table[i].name + 3) == 0)
			return sig_table[i].sig;
	}
	rt = parse_rt_signal(name);
	if (rt > 0)
		return rt;
	return er_set(err, 0, "unknown signal `%s`", s);
}
