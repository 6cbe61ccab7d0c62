/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names as `kill` parses them and as debug messages print them. */
#include <signal.h>

#include "common/util.h"
#include "libcontainer/container.h"
#include "libcontainer/internal.h"
#include "tap.h"

static void parses(const char *s, int want)
{
	struct er_error err = ER_ERROR_INIT;

	is_int(er_parse_signal(s, &err), want, "`%s` parses as %d", s, want);
	ok(err.msg == NULL, "`%s` leaves the error untouched", s);
	er_clear(&err);
}

static void rejects(const char *s, const char *want_msg)
{
	struct er_error err = ER_ERROR_INIT;

	is_int(er_parse_signal(s, &err), -1, "`%s` is refused", s ? s : "(null)");
	is_str(err.msg, want_msg, "`%s` error message", s ? s : "(null)");
	er_clear(&err);
}

int main(void)
{
	/* runc's forms: bare name, SIG prefix, any case, number */
	parses("KILL", SIGKILL);
	parses("SIGKILL", SIGKILL);
	parses("kill", SIGKILL);
	parses("sigterm", SIGTERM);
	parses("SigHup", SIGHUP);
	parses("9", 9);
	parses("15", 15);
	parses("0", 0);
	parses("64", 64);
	parses("WINCH", SIGWINCH);
	parses("STKFLT", SIGSTKFLT);
	parses("PWR", SIGPWR);
	/* aliases */
	parses("IOT", SIGABRT);
	parses("SIGCLD", SIGCHLD);
	parses("POLL", SIGIO);
	/* real-time forms, as kill -l prints them */
	parses("RTMIN", SIGRTMIN);
	parses("SIGRTMIN+3", SIGRTMIN + 3);
	parses("rtmax-2", SIGRTMAX - 2);
	parses("RTMAX", SIGRTMAX);
	parses("RTMIN+30", SIGRTMAX);

	rejects("FOO", "unknown signal `FOO`");
	rejects("SIGFOO", "unknown signal `SIGFOO`");
	rejects("SIG", "unknown signal `SIG`");
	rejects("65", "unknown signal `65`");
	rejects("9x", "unknown signal `9x`");
	rejects("-9", "unknown signal `-9`");
	rejects("RTMIN+31", "unknown signal `RTMIN+31`");
	rejects("RTMIN-1", "unknown signal `RTMIN-1`");
	rejects("RTMAX+1", "unknown signal `RTMAX+1`");
	rejects("RTMIN+", "unknown signal `RTMIN+`");
	rejects("KILLL", "unknown signal `KILLL`");
	rejects("", "empty signal name");
	rejects(NULL, "empty signal name");

	is_str(signal_name(SIGTERM), "SIGTERM", "signal_name(SIGTERM)");
	is_str(signal_name(SIGKILL), "SIGKILL", "signal_name(SIGKILL)");
	is_str(signal_name(SIGCHLD), "SIGCHLD", "signal_name(SIGCHLD) is the canonical name");
	is_str(signal_name(SIGABRT), "SIGABRT", "signal_name(SIGABRT) is the canonical name");
	is_str(signal_name(SIGIO), "SIGIO", "signal_name(SIGIO) is the canonical name");
	is_str(signal_name(0), NULL, "signal_name(0) is unknown");
	is_str(signal_name(SIGRTMIN), NULL, "signal_name(SIGRTMIN) has no fixed name");

	/* every named signal round-trips through its name */
	for (int sig = 1; sig < 32; sig++) {
		struct er_error err = ER_ERROR_INIT;
		const char *name = signal_name(sig);

		if (!name)
			continue;
		is_int(er_parse_signal(name, &err), sig, "%s round-trips", name);
		er_clear(&err);
	}
	return done_testing();
}
